//! The OpenAPI document against the routes: every operation it describes is served
//! (and answers a status it documents), every route is registered through the
//! document, and every error response names the codes it can carry.

use std::path::Path;

use serde_json::Value;

use crate::helpers::spawn_app;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

async fn document() -> (crate::helpers::TestApp, Value) {
    let app = spawn_app().await;
    let response = app.get("/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let doc: Value = response.json().await.unwrap();
    (app, doc)
}

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.push((method.to_owned(), path.clone(), op.clone()));
            }
        }
    }
    out
}

#[tokio::test]
async fn every_documented_operation_is_served_and_answers_a_documented_status() {
    let (app, doc) = document().await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], app.address.as_str());
    let operations = operations(&doc);
    assert!(
        operations.len() >= 50,
        "only {} operations",
        operations.len()
    );
    for (method, path, op) in operations {
        // Any value will do: the route must be found whatever the id is.
        let concrete = path
            .split('/')
            .map(|s| if s.starts_with('{') { "probe" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let request = app
            .client
            .request(method.to_uppercase().parse().unwrap(), app.url(&concrete));
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        assert_ne!(status, 405, "{method} {path} is not routed: {body}");
        assert!(
            !body.contains("no such endpoint"),
            "{method} {path} fell through to the fallback"
        );
        assert!(
            op["responses"].get(status.to_string()).is_some(),
            "{method} {path} answered {status}, which it does not document: {body}"
        );
    }
}

#[tokio::test]
async fn every_operation_is_named_tagged_and_every_error_names_its_codes() {
    let (_app, doc) = document().await;
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let mut ids = std::collections::HashSet::new();
    for (method, path, op) in operations(&doc) {
        let id = op["operationId"].as_str().unwrap_or_default();
        assert!(
            ids.insert(id.to_owned()),
            "{method} {path}: operationId {id:?} twice"
        );
        assert!(
            op["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "{method} {path} has no summary"
        );
        let tag = op["tags"][0].as_str().unwrap_or_default();
        assert!(
            tags.contains(&tag),
            "{method} {path}: tag {tag:?} is not declared"
        );
        for (status, response) in op["responses"].as_object().unwrap() {
            let Some(schema) = response.pointer("/content/application~1json/schema") else {
                continue;
            };
            // An error body, not a report of its own (readiness answers one).
            if !(status.starts_with('4') || status.starts_with('5'))
                || schema.pointer("/properties/error").is_none()
            {
                continue;
            }
            let codes = schema
                .pointer("/properties/error/properties/code/enum")
                .and_then(Value::as_array)
                .unwrap_or_else(|| panic!("{method} {path} {status}: no error codes"));
            assert!(
                !codes.is_empty(),
                "{method} {path} {status}: no error codes"
            );
        }
        if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
            let unauthenticated = op
                .pointer("/responses/401/description")
                .and_then(Value::as_str)
                .is_some_and(|d| d.contains("`unauthenticated`"));
            assert!(
                unauthenticated,
                "{method} {path} needs a key but documents no 401"
            );
        }
    }
    // The page the merchants read: amounts in major units, plainly.
    let description = doc["info"]["description"].as_str().unwrap();
    assert!(description.contains("major units"), "{description}");
    let example = &doc["paths"]["/v1/orders"]["post"]["requestBody"]["content"]["application/json"]
        ["example"];
    assert_eq!(example["items"][0]["unit_price"], "25.00");
}

/// The other direction: a route the document does not describe could only be added
/// outside `routes!`, so none may be.
#[test]
fn every_route_is_registered_through_the_document() {
    let http = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
    let mut offenders = Vec::new();
    visit(&http, &mut |file, text| {
        // Unit tests build their own small routers.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in code.lines().enumerate() {
            let line = line.trim_start();
            if line.starts_with("//") {
                continue;
            }
            if line.contains(".route(") || line.contains(".route_service(") {
                offenders.push(format!("{}:{}: {line}", file.display(), n + 1));
            }
            if line.contains(".nest_service(") && !line.contains("\"/assets\"") {
                offenders.push(format!("{}:{}: {line}", file.display(), n + 1));
            }
        }
    });
    assert!(
        offenders.is_empty(),
        "routes registered outside `routes!`, so missing from the OpenAPI document:\n{}",
        offenders.join("\n")
    );
}

fn visit(dir: &Path, f: &mut impl FnMut(&Path, &str)) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            visit(&path, f);
        } else if path.extension().is_some_and(|e| e == "rs") {
            f(&path, &std::fs::read_to_string(&path).unwrap());
        }
    }
}

#[tokio::test]
async fn the_reference_page_is_served_under_its_policy_with_its_own_stylesheet() {
    let app = spawn_app().await;
    let page = app.get("/docs").await;
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(!csp.contains("script-src"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(!html.contains("<script"), "the page runs no script");
    assert!(html.contains("href=\"/docs/docs.css\""));
    assert!(html.contains("POST") && html.contains("/v1/orders"));
    assert!(html.contains("order_not_refundable"));
    let css = app.get("/docs/docs.css").await;
    assert_eq!(css.status(), 200);
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}
