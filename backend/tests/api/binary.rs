//! The `paydesk-gateway` binary as an operator meets it: `--help` and `--version`,
//! settings checked at start, JSON logs, and one process per SQLite file.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::crash::{data_dir, free_port, start_with};

fn gateway() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_paydesk-gateway"));
    // Only what a test sets: nothing from the developer's shell.
    for (name, _) in std::env::vars() {
        if name.starts_with("PAYDESK_") {
            command.env_remove(name);
        }
    }
    command
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    gateway()
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

/// The `PAYDESK_…` names in the README's configuration table, but the xtask's own.
fn documented_settings() -> Vec<String> {
    let readme = include_str!("../../../README.md");
    let table = readme
        .split("## Configuration")
        .nth(1)
        .and_then(|after| after.split("\n\n").nth(2))
        .expect("the README's configuration table");
    table
        .lines()
        .filter_map(|row| row.strip_prefix("| `"))
        .filter_map(|row| row.split('`').next())
        .filter(|name| name.starts_with("PAYDESK_") && *name != "PAYDESK_TOOLS_DIR")
        .map(str::to_owned)
        .collect()
}

#[test]
fn help_lists_every_setting_the_readme_documents_and_no_other() {
    let out = run(&["--help"], &[]);
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    let documented = documented_settings();
    assert!(documented.len() >= 20, "{documented:?}");
    for name in &documented {
        assert!(
            help.contains(&format!("[env: {name}")),
            "--help lacks {name}"
        );
    }
    let listed: Vec<&str> = help
        .split("[env: ")
        .skip(1)
        .filter_map(|rest| rest.split([']', '=']).next())
        .collect();
    for name in listed {
        assert!(documented.iter().any(|d| d == name), "README lacks {name}");
    }
    // Secrets are never echoed from the environment.
    let out = run(&["--help"], &[("PAYDESK_OPERATOR_KEY", "op_secret_value")]);
    assert!(
        !String::from_utf8(out.stdout)
            .unwrap()
            .contains("op_secret_value")
    );
}

#[test]
fn version_names_the_build() {
    let out = run(&["--version"], &[]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("paydesk-gateway {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn a_setting_that_does_not_parse_stops_the_start_and_is_named() {
    let (dir, _) = data_dir();
    let dir = dir.path().to_str().unwrap();
    for (name, value, flag) in [
        ("PAYDESK_SETTLEMENT_TIME", "25:00", "--settlement-time"),
        ("PAYDESK_PAYOUT_MINIMUM", "-1", "--payout-minimum"),
        ("PAYDESK_GATEWAY_PORT", "http", "--gateway-port"),
        ("PAYDESK_LOG_FORMAT", "xml", "--log-format"),
    ] {
        let out = run(&[], &[("PAYDESK_DATA_DIR", dir), (name, value)]);
        assert_eq!(out.status.code(), Some(2), "{name}={value}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(flag) && stderr.contains(value), "{stderr}");
    }
    let out = run(
        &[],
        &[
            ("PAYDESK_DATA_DIR", dir),
            ("PAYDESK_PUBLIC_URL", "https://pay.example.com/checkout"),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("PAYDESK_PUBLIC_URL"), "{stderr}");
}

#[test]
fn json_logs_are_one_object_per_line() {
    let (dir, _) = data_dir();
    let port = free_port().to_string();
    let mut child = gateway()
        .env("PAYDESK_DATA_DIR", dir.path())
        .env("PAYDESK_GATEWAY_PORT", &port)
        .env("PAYDESK_WIDGET_DIR", dir.path().join("widget"))
        .env("PAYDESK_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    // Lines until the start-up line; the pipe ends if the gateway dies first.
    let listening = BufReader::new(stdout)
        .lines()
        .map(|line| line.unwrap())
        .map(|line| serde_json::from_str::<Value>(&line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .find(|entry| entry["message"] == "gateway listening");
    let _ = child.kill();
    let _ = child.wait();
    let entry = listening.expect("the gateway logged its start");
    assert_eq!(entry["level"], "INFO", "{entry}");
    assert_eq!(entry["url"], format!("http://127.0.0.1:{port}"), "{entry}");
    assert!(entry["timestamp"].is_string(), "{entry}");
}

#[tokio::test]
async fn a_second_gateway_on_an_open_database_refuses_to_start() {
    let (dir, _) = data_dir();
    let client = reqwest::Client::new();
    let first = start_with(dir.path(), free_port(), &client, &[]).await;

    let second = tokio::task::spawn_blocking({
        let dir = dir.path().to_owned();
        move || {
            gateway()
                .env("PAYDESK_DATA_DIR", &dir)
                .env("PAYDESK_GATEWAY_PORT", free_port().to_string())
                .env("PAYDESK_WIDGET_DIR", dir.join("widget"))
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert!(!second.status.success());
    let stderr = String::from_utf8(second.stderr).unwrap();
    assert!(
        stderr.contains(&format!(
            "gateway.sqlite is in use by another gateway process (pid {})",
            first.pid()
        )),
        "{stderr}"
    );
    // The first is unaffected.
    let health = client.get(format!("{}/health", first.url)).send().await;
    assert_eq!(health.unwrap().status(), 200);
}
