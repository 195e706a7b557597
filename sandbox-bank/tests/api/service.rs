use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn health_answers_ok() {
    let app = spawn_app().await;
    assert_eq!(app.get("/health").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn banks_lists_the_directory_with_limits() {
    let app = spawn_app().await;
    let response = app.get("/banks").await;
    assert_eq!(response.status(), StatusCode::OK);
    let banks: serde_json::Value = response.json().await.unwrap();
    let banks = banks.as_array().unwrap();
    assert_eq!(banks.len(), paydesk_shared::bank::directory().len());
    assert!(banks.len() >= 22);
    let icbc = banks.iter().find(|b| b["code"] == "ICBC").unwrap();
    assert_eq!(icbc["name_zh"], "中国工商银行");
    assert_eq!(icbc["name_en"], "Industrial and Commercial Bank of China");
    let kinds = icbc["card_kinds"].as_array().unwrap();
    assert_eq!(kinds[0]["kind"], "debit");
    assert_eq!(kinds[0]["limits"]["CNY"], "50000.00");
    assert_eq!(kinds[1]["kind"], "credit");

    // PSBC takes debit cards only.
    let psbc = banks.iter().find(|b| b["code"] == "PSBC").unwrap();
    assert_eq!(psbc["card_kinds"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn index_lists_banks_and_test_cards() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await.unwrap();
    for expected in [
        "6222 0000 0000 0001",
        "6222 0000 0000 0002",
        "6250 0000 0000 0003",
        "6222 0000 0000 0004",
        "6250 0000 0000 0005",
        "6250 0000 0000 0006",
        "12/20",
        "123456",
        "CNY 100000.00",
        "招商银行",
        "Bank of Ningbo",
    ] {
        assert!(body.contains(expected), "index lacks {expected}");
    }
    assert!(!body.contains("style="));
}
