//! Running one command to completion with its output on the terminal, and failing with
//! an error that names the command.

use std::ffi::OsStr;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// Runs `command` with inherited stdin/stdout/stderr, so long compiles stay visibly
/// alive, and fails unless it exits successfully.
pub(crate) fn run(command: &mut Command) -> Result<()> {
    let shown = describe(command);
    let status = command
        .status()
        .with_context(|| format!("could not start `{shown}`"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

/// The trimmed stdout of a successful run, or `None` when the program is missing or
/// fails: used to probe which version of a tool is installed.
pub(crate) fn probe(command: &mut Command) -> Option<String> {
    let output = command
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Sends `signal` (`TERM`, `KILL`) to a process through the `kill` command, which keeps
/// the task runner free of `unsafe` and of a libc dependency.
pub(crate) fn send_signal(pid: u32, signal: &str) -> Result<()> {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .context("could not start `kill`")?;
    if !status.success() {
        bail!("`kill -{signal} {pid}` failed ({status})");
    }
    Ok(())
}

/// `program arg arg…`, as a person would type it.
pub(crate) fn describe(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(OsStr::to_string_lossy)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_name_the_command() {
        let error = run(Command::new("sh").args(["-c", "exit 3"])).unwrap_err();
        assert_eq!(error.to_string(), "`sh -c exit 3` failed (exit status: 3)");
        let error = run(&mut Command::new("paydesk-no-such-program")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "could not start `paydesk-no-such-program`"
        );
    }

    #[test]
    fn probe_reads_stdout_of_successful_runs_only() {
        assert_eq!(
            probe(Command::new("echo").arg(" 1.2.3 ")).as_deref(),
            Some("1.2.3")
        );
        assert_eq!(
            probe(Command::new("sh").args(["-c", "echo x; exit 1"])),
            None
        );
        assert_eq!(probe(&mut Command::new("paydesk-no-such-program")), None);
    }
}
