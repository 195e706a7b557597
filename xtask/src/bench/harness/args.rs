//! Benchmark options: `--flag N` or `--flag=N`, N a positive whole number.

use anyhow::{Context, Result, bail};

/// The options given, among those a command knows; a repeated option's last value wins.
#[derive(Debug, Default)]
pub(crate) struct Flags {
    given: Vec<(&'static str, u64)>,
}

impl Flags {
    /// Parses `args` for `command`, which takes the options in `known`.
    pub(crate) fn parse(args: &[String], command: &str, known: &[&'static str]) -> Result<Self> {
        let mut flags = Flags::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let Some((flag, inline)) =
                known.iter().find_map(|&flag| match arg.strip_prefix(flag) {
                    Some("") => Some((flag, None)),
                    Some(rest) => rest.strip_prefix('=').map(|value| (flag, Some(value))),
                    None => None,
                })
            else {
                let takes: Vec<String> = known.iter().map(|flag| format!("`{flag} N`")).collect();
                bail!(
                    "unknown argument `{arg}` ({command} takes {})",
                    takes.join(", ")
                );
            };
            let value = match inline {
                Some(value) => value,
                None => args
                    .next()
                    .with_context(|| format!("{flag} needs a value"))?
                    .as_str(),
            };
            let number = value
                .parse()
                .ok()
                .filter(|&n| n > 0)
                .with_context(|| format!("{flag} `{value}` is not a positive whole number"))?;
            flags.given.push((flag, number));
        }
        Ok(flags)
    }

    /// The option's value, if given.
    pub(crate) fn get(&self, flag: &str) -> Option<u64> {
        self.given
            .iter()
            .rev()
            .find(|(given, _)| *given == flag)
            .map(|&(_, value)| value)
    }

    /// The option's value, else `default`.
    pub(crate) fn get_or(&self, flag: &str, default: u64) -> u64 {
        self.get(flag).unwrap_or(default)
    }
}

/// A command's only option, `flag N` or `flag=N`; `default` without it.
pub(crate) fn parse_count(
    args: &[String],
    flag: &'static str,
    default: u64,
    command: &str,
) -> Result<u64> {
    Ok(Flags::parse(args, command, &[flag])?.get_or(flag, default))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn parses_seconds() {
        let parse_seconds = |list: &[&str]| parse_count(&args(list), "--seconds", 10, "bench");
        assert_eq!(parse_seconds(&[]).unwrap(), 10);
        assert_eq!(parse_seconds(&["--seconds", "3"]).unwrap(), 3);
        assert_eq!(parse_seconds(&["--seconds=30"]).unwrap(), 30);
        assert!(parse_seconds(&["--seconds", "0"]).is_err());
        assert!(parse_seconds(&["--seconds"]).is_err());
        assert!(parse_seconds(&["--seconds", "-1"]).is_err());
        let unknown = parse_seconds(&["--fast"]).unwrap_err().to_string();
        assert!(unknown.contains("bench takes `--seconds N`"), "{unknown}");
        let glued = parse_seconds(&["--seconds3"]).unwrap_err().to_string();
        assert!(glued.contains("unknown argument `--seconds3`"), "{glued}");
    }

    #[test]
    fn several_flags_are_told_apart() {
        let known = ["--rate", "--webhook-rate", "--seconds"];
        let flags = Flags::parse(
            &args(&["--webhook-rate=200", "--rate", "1000", "--rate", "900"]),
            "bench",
            &known,
        )
        .unwrap();
        assert_eq!(flags.get("--rate"), Some(900));
        assert_eq!(flags.get("--webhook-rate"), Some(200));
        assert_eq!(flags.get("--seconds"), None);
        assert_eq!(flags.get_or("--seconds", 10), 10);
        let unknown = Flags::parse(&args(&["--orders", "5"]), "bench", &known)
            .unwrap_err()
            .to_string();
        assert!(
            unknown.contains("bench takes `--rate N`, `--webhook-rate N`, `--seconds N`"),
            "{unknown}"
        );
    }
}
