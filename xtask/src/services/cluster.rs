//! `cargo xtask run --postgres [--replicas N]`: the gateway on the machine's PostgreSQL,
//! as N replicas behind HAProxy (from Debian's packages) on the gateway's usual port, so
//! the demo shop, the widget and the bank see one gateway URL.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{process, tools};

/// The database `--postgres` uses when `PAYDESK_DATABASE_URL` names none.
const DEFAULT_DATABASE: &str = "postgres://postgres@127.0.0.1:5432/paydesk";
const HAPROXY: &str = "/usr/sbin/haproxy";
/// Names for the supervisor's report; more replicas than this on one machine serve
/// no purpose.
pub(crate) const REPLICA_NAMES: [&str; 8] = [
    "gateway replica 1",
    "gateway replica 2",
    "gateway replica 3",
    "gateway replica 4",
    "gateway replica 5",
    "gateway replica 6",
    "gateway replica 7",
    "gateway replica 8",
];

/// How `run` lays the gateway out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) postgres: bool,
    pub(crate) replicas: usize,
}

impl Layout {
    /// `[--postgres] [--replicas N]`.
    pub(crate) fn parse(args: &[String]) -> Result<Self> {
        let mut layout = Layout {
            postgres: false,
            replicas: 1,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--postgres" => layout.postgres = true,
                "--replicas" => {
                    let n = args.next().context("--replicas needs a number")?;
                    layout.replicas = n
                        .parse()
                        .ok()
                        .filter(|n| (1..=REPLICA_NAMES.len()).contains(n))
                        .with_context(|| {
                            format!("--replicas {n}: give 1 to {}", REPLICA_NAMES.len())
                        })?;
                }
                other => bail!("run takes --postgres and --replicas N, not `{other}`"),
            }
        }
        if layout.replicas > 1 && !layout.postgres {
            bail!("replicas share one database: add --postgres (SQLite is one process's file)");
        }
        Ok(layout)
    }

    /// Where replica `i` listens: ten ports above the gateway's own, which the load
    /// balancer takes.
    pub(crate) fn replica_port(gateway_port: u16, i: usize) -> u16 {
        gateway_port + 10 + u16::try_from(i).unwrap_or(0)
    }
}

/// `PAYDESK_DATABASE_URL`, or the local server's `paydesk` database, created if missing.
pub(crate) fn database_url() -> Result<String> {
    if let Ok(url) = std::env::var("PAYDESK_DATABASE_URL")
        && !url.trim().is_empty()
    {
        return Ok(url);
    }
    let exists = process::probe(&mut psql(
        "SELECT 1 FROM pg_database WHERE datname = 'paydesk'",
    ))
    .context(NO_SERVER)?;
    if exists.trim() != "1" {
        process::run(&mut psql("CREATE DATABASE paydesk"))?;
        println!("✓ created database paydesk");
    }
    Ok(DEFAULT_DATABASE.to_owned())
}

const NO_SERVER: &str =
    "PostgreSQL at 127.0.0.1:5432 (user postgres) does not answer; set PAYDESK_DATABASE_URL";

/// `psql` running `sql` on the local server's `postgres` database.
fn psql(sql: &str) -> Command {
    let mut command = Command::new("psql");
    command.args([
        "-h",
        "127.0.0.1",
        "-U",
        "postgres",
        "-d",
        "postgres",
        "-tAc",
        sql,
    ]);
    command
}

/// A new database on the local server, dropped when this is.
pub(crate) struct ScratchDatabase {
    name: String,
}

impl ScratchDatabase {
    /// `paydesk_<label>_<random>`, created now.
    pub(crate) fn create(label: &str) -> Result<Self> {
        let name = format!("paydesk_{label}_{:08x}", rand::random::<u32>());
        process::probe(&mut psql("SELECT 1")).context(NO_SERVER)?;
        process::run(&mut psql(&format!("CREATE DATABASE {name}")))?;
        Ok(ScratchDatabase { name })
    }

    pub(crate) fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:5432/{}", self.name)
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let dropped = psql(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .stdout(std::process::Stdio::null())
        .status();
        if !dropped.is_ok_and(|s| s.success()) {
            eprintln!("could not drop database {}", self.name);
        }
    }
}

/// HAProxy, installed from Debian's packages the first time.
pub(crate) fn ensure_haproxy() -> Result<()> {
    tools::ensure(
        "haproxy (load balancer)",
        1,
        || Path::new(HAPROXY).is_file(),
        || tools::apt_install(&["haproxy"]),
    )
}

/// Writes the load balancer's configuration into `data_dir` and answers the command
/// that runs it in the foreground. Round robin over the replicas, each checked at
/// `/health/ready` every second, so a stopped one is skipped within seconds; streams
/// (the widget's status) stay open as long as the client keeps them.
pub(crate) fn haproxy(data_dir: &Path, host: &str, port: u16, replicas: &[u16]) -> Result<Command> {
    let mut config = format!(
        "global
    maxconn 8192

defaults
    mode http
    option forwardfor
    option http-server-close
    timeout connect 2s
    timeout client 1h
    timeout server 1h
    retries 2
    option redispatch

frontend gateway
    bind {host}:{port}
    default_backend replicas

backend replicas
    balance roundrobin
    option httpchk GET /health/ready
"
    );
    for (i, replica) in replicas.iter().enumerate() {
        config += &format!(
            "    server replica{} 127.0.0.1:{replica} check inter 1s fall 2 rise 1\n",
            i + 1
        );
    }
    std::fs::create_dir_all(data_dir)?;
    let path = data_dir.join("haproxy.cfg");
    std::fs::write(&path, config).with_context(|| format!("could not write {}", path.display()))?;
    let mut command = Command::new(HAPROXY);
    command.arg("-db").arg("-f").arg(path);
    Ok(command)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn layouts_parse_and_replicas_need_postgres() {
        assert_eq!(
            Layout::parse(&[]).unwrap(),
            Layout {
                postgres: false,
                replicas: 1
            }
        );
        assert_eq!(
            Layout::parse(&args(&["--postgres", "--replicas", "3"])).unwrap(),
            Layout {
                postgres: true,
                replicas: 3
            }
        );
        assert!(Layout::parse(&args(&["--replicas", "2"])).is_err());
        assert!(Layout::parse(&args(&["--postgres", "--replicas", "0"])).is_err());
        assert!(Layout::parse(&args(&["--postgres", "--replicas"])).is_err());
        assert!(Layout::parse(&args(&["--sqlite"])).is_err());
    }

    #[test]
    fn the_load_balancer_checks_every_replica() {
        let dir = tempfile::tempdir().unwrap();
        haproxy(dir.path(), "127.0.0.1", 8080, &[8090, 8091]).unwrap();
        let config = std::fs::read_to_string(dir.path().join("haproxy.cfg")).unwrap();
        assert!(config.contains("bind 127.0.0.1:8080"), "{config}");
        assert!(
            config.contains("server replica1 127.0.0.1:8090 check"),
            "{config}"
        );
        assert!(
            config.contains("server replica2 127.0.0.1:8091 check"),
            "{config}"
        );
    }
}
