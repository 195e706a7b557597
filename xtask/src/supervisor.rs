//! Long-running child processes: spawn them, learn when one exits, stop them all.
//!
//! Each child is waited on by its own thread, which reports the exit on a channel; the
//! async side picks exits up alongside Ctrl-C and readiness probes. Children are
//! stopped with SIGTERM through `kill`, then SIGKILL if they outstay the grace period.

use std::io;
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::process;

/// How long a child gets to shut down gracefully after SIGTERM.
const GRACE: Duration = Duration::from_secs(10);

/// A child that has exited.
#[derive(Debug)]
pub(crate) struct Exit {
    pub(crate) name: &'static str,
    pub(crate) status: io::Result<ExitStatus>,
}

impl Exit {
    pub(crate) fn describe(&self) -> String {
        match &self.status {
            Ok(status) => status.to_string(),
            Err(error) => format!("could not wait for it: {error}"),
        }
    }
}

#[derive(Debug)]
struct Running {
    name: &'static str,
    pid: u32,
}

#[derive(Debug)]
pub(crate) struct Supervisor {
    running: Vec<Running>,
    exits_tx: UnboundedSender<Exit>,
    exits: UnboundedReceiver<Exit>,
}

impl Supervisor {
    pub(crate) fn new() -> Self {
        let (exits_tx, exits) = unbounded_channel();
        Supervisor {
            running: Vec::new(),
            exits_tx,
            exits,
        }
    }

    /// Starts `command` with stdout/stderr on the terminal and no stdin.
    pub(crate) fn spawn(&mut self, name: &'static str, command: &mut Command) -> Result<()> {
        let mut child = command.stdin(Stdio::null()).spawn().with_context(|| {
            format!("could not start {name} (`{}`)", process::describe(command))
        })?;
        let pid = child.id();
        let exits = self.exits_tx.clone();
        std::thread::Builder::new()
            .name(format!("wait-{name}"))
            .spawn(move || {
                let status = child.wait();
                // The receiver is gone only when the task runner itself is exiting.
                let _ = exits.send(Exit { name, status });
            })
            .context("could not start a thread to wait for a child process")?;
        self.running.push(Running { name, pid });
        Ok(())
    }

    /// The next child to exit. Pends forever when none is running.
    pub(crate) async fn next_exit(&mut self) -> Exit {
        match self.exits.recv().await {
            Some(exit) => {
                self.running.retain(|child| child.name != exit.name);
                exit
            }
            // `self` holds a sender, so the channel never closes.
            None => std::future::pending().await,
        }
    }

    /// SIGTERM to every running child, then waits for all of them; SIGKILL for any that
    /// is still running after the grace period.
    pub(crate) async fn stop_all(&mut self) {
        self.signal_all("TERM");
        let stopped = tokio::time::timeout(GRACE, async {
            while !self.running.is_empty() {
                self.next_exit().await;
            }
        })
        .await;
        if stopped.is_err() {
            for child in &self.running {
                eprintln!(
                    "{} did not stop within {}s; killing it",
                    child.name,
                    GRACE.as_secs()
                );
            }
            self.signal_all("KILL");
            while !self.running.is_empty() {
                self.next_exit().await;
            }
        }
    }

    fn signal_all(&self, signal: &str) {
        for child in &self.running {
            // It may have exited a moment ago; its exit report is then on the way.
            let _ = process::send_signal(child.pid, signal);
        }
    }
}

impl Drop for Supervisor {
    /// On an error path nobody awaits `stop_all`; never leave servers behind.
    fn drop(&mut self) {
        self.signal_all("TERM");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reports_exits_and_stops_the_rest() {
        let mut supervisor = Supervisor::new();
        supervisor
            .spawn("quick", Command::new("sh").args(["-c", "exit 7"]))
            .unwrap();
        supervisor
            .spawn("slow", Command::new("sleep").arg("600"))
            .unwrap();

        let exit = supervisor.next_exit().await;
        assert_eq!(exit.name, "quick");
        assert_eq!(exit.status.unwrap().code(), Some(7));

        supervisor.stop_all().await;
        assert!(supervisor.running.is_empty());
    }
}
