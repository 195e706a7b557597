//! `/health/live` and `/health/ready` for load balancers and orchestrators.

use serde_json::{Value, json};
use sqlx::sqlite::SqliteConnectOptions;

use crate::helpers::{TestDatabase, spawn_app};

async fn health(app: &crate::helpers::TestApp, path: &str) -> (u16, Value) {
    let response = app.get(path).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn live_and_ready_answer_while_the_database_does() {
    let app = spawn_app().await;
    assert_eq!(
        health(&app, "/health/live").await,
        (200, json!({"status": "live"}))
    );
    assert_eq!(
        health(&app, "/health/ready").await,
        (200, json!({"status": "ready"}))
    );
}

#[tokio::test]
async fn a_database_missing_a_migration_is_not_ready_but_the_process_is_live() {
    let app = spawn_app().await;
    // As if another process had rolled the schema back behind this one.
    let forget =
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)";
    match &*app.database {
        TestDatabase::Sqlite(path) => {
            let options = SqliteConnectOptions::new().filename(path);
            let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
            sqlx::query(forget).execute(&pool).await.unwrap();
        }
        TestDatabase::Postgres(db) => {
            let pool = sqlx::PgPool::connect(db.url()).await.unwrap();
            sqlx::query(forget).execute(&pool).await.unwrap();
        }
    }

    let (status, body) = health(&app, "/health/ready").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "not_ready");
    let reason = body["reason"].as_str().unwrap();
    assert!(reason.contains("migrations applied"), "{reason}");
    assert_eq!(health(&app, "/health/live").await.0, 200);
}
