//! The OpenAPI document against the live gateway and sandbox bank: it validates as
//! OpenAPI 3.1, and schemathesis (from PyPI) generates requests from it, valid and
//! invalid, for every operation: no answer may be a server error, and every answer
//! must be documented — its status, content type, headers and body schema.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use paydesk_e2e::{Network, NetworkOptions, OPERATOR_KEY};
use serde_json::Value;

/// The Python the contract tools are installed in (`cargo xtask setup` makes it).
fn tools_python() -> String {
    std::env::var("PAYDESK_TOOLS_PYTHON").unwrap_or_else(|_| {
        let home = std::env::var("HOME").expect("HOME is set");
        format!("{home}/.cache/paydesk/tools/python/bin/python")
    })
}

/// Generated requests per operation and run; the three runs together send well over
/// a thousand.
const EXAMPLES_PER_OPERATION: &str = "25";

const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
response_headers_conformance,response_schema_conformance";

struct Run {
    requests: u64,
    /// Schemathesis exits non-zero on any failed check or error; its output says which.
    passed: bool,
}

/// One schemathesis run over the operations `filter` selects, with `token` as bearer.
fn schemathesis(gateway_url: &str, doc: &Path, report: &Path, token: &str, filter: &[&str]) -> Run {
    let python = tools_python();
    let output = Command::new(&python)
        .args(["-m", "schemathesis.cli", "run"])
        .arg(doc)
        .args(["--url", gateway_url])
        .args(["--checks", CHECKS])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--max-examples", EXAMPLES_PER_OPERATION])
        .args(["--seed", "20261207"])
        // One worker: schemathesis's workers are threads under one interpreter lock, and
        // CPython 3.11 can fail compiling generated code in two threads at once.
        .args(["--workers", "1"])
        .args(["--request-timeout", "20"])
        .args(["--max-redirects", "0"])
        .args(["--suppress-health-check", "all"])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(filter)
        .args(["--report", "ndjson"])
        .arg("--report-ndjson-path")
        .arg(report)
        // Its cache of found failures goes beside the report, not into the clone.
        .current_dir(report.parent().expect("the report is in a directory"))
        .output()
        .unwrap_or_else(|e| panic!("{python} runs (cargo xtask setup installs it): {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    let events = std::fs::read_to_string(report).unwrap();
    let requests = events
        .lines()
        .map(|line| interactions(&serde_json::from_str(line).unwrap()))
        .sum();
    Run {
        requests,
        passed: output.status.success(),
    }
}

/// The requests an ndjson event records.
fn interactions(event: &Value) -> u64 {
    match event {
        Value::Object(map) => map
            .iter()
            .map(|(key, value)| match (key.as_str(), value) {
                ("interactions", Value::Object(recorded)) => recorded.len() as u64,
                _ => interactions(value),
            })
            .sum(),
        Value::Array(items) => items.iter().map(interactions).sum(),
        _ => 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_validates_and_schemathesis_finds_no_server_error_or_undocumented_answer() {
    let net = Network::start(NetworkOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let doc_path = dir.path().join("openapi.json");
    let doc = net.openapi_document().await.unwrap();
    std::fs::write(&doc_path, doc.to_string()).unwrap();

    let validator = Command::new(tools_python())
        .args(["-m", "openapi_spec_validator", "--schema", "3.1.0"])
        .arg(&doc_path)
        .output()
        .unwrap();
    assert!(
        validator.status.success(),
        "the document is not valid OpenAPI 3.1: {}{}",
        String::from_utf8_lossy(&validator.stdout),
        String::from_utf8_lossy(&validator.stderr)
    );

    let order = net.create_order().await.unwrap();
    // Each run's key reaches its own operations. The live streams are left out: they
    // stay open by design, so a request for one never ends.
    let runs = [
        (
            net.secret_key(),
            [
                "--exclude-path-regex",
                "^/v1/operator/|^/metrics$|^/v1/widget/|/stream$",
            ],
        ),
        (
            OPERATOR_KEY,
            ["--include-path-regex", "^/v1/operator/|^/metrics$"],
        ),
        (
            order.client_token.as_str(),
            [
                "--include-path-regex",
                "^/v1/widget/(session|status|attempts)$",
            ],
        ),
    ];
    let runs: Vec<Run> = runs
        .iter()
        .enumerate()
        .map(|(i, (token, filter))| {
            let report = dir.path().join(format!("run{i}.ndjson"));
            // Blocking on the test's runtime is fine: the gateway runs on its workers.
            tokio::task::block_in_place(|| {
                schemathesis(&net.gateway_url, &doc_path, &report, token, filter)
            })
        })
        .collect();
    let requests: u64 = runs.iter().map(|r| r.requests).sum();
    println!("schemathesis: {requests} requests");
    assert!(
        runs.iter().all(|r| r.passed),
        "schemathesis found failures (its report is printed above)"
    );
    assert!(requests >= 1000, "only {requests} generated requests");
}
