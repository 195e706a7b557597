//! Start-up refuses to run without the guards its configuration asks for.

use paydesk_gateway::{Application, Config};
use paydesk_shared::signing::Signer;

fn config(dir: &tempfile::TempDir) -> Config {
    Config::new(
        dir.path().join("gateway.sqlite"),
        "http://127.0.0.1:9".into(),
        Signer::generate("gateway-test"),
        vec![Signer::generate("bank-test").public_key()],
        "http://127.0.0.1:9".into(),
    )
}

async fn build(config: Config) -> anyhow::Result<Application> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    Application::build(config, listener).await
}

#[tokio::test]
async fn start_up_fails_clearly_when_the_webhook_client_cannot_be_built() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&dir);
    // Valid PEM armour around bytes that are no certificate: the client builder
    // itself refuses them when it fills its root store.
    config.webhook_ca_pem =
        Some(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".to_vec());
    let error = build(config).await.err().expect("start-up must fail");
    let message = format!("{error:#}");
    assert!(
        message.starts_with("cannot build the webhook HTTP client"),
        "{message}"
    );
}

#[tokio::test]
async fn start_up_fails_clearly_when_the_webhook_ca_file_holds_no_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&dir);
    config.webhook_ca_pem = Some(b"not a certificate\n".to_vec());
    let error = build(config).await.err().expect("start-up must fail");
    assert_eq!(
        format!("{error:#}"),
        "the webhook CA file holds no certificate"
    );
}

#[tokio::test]
async fn start_up_succeeds_with_the_default_guards() {
    let dir = tempfile::tempdir().unwrap();
    build(config(&dir))
        .await
        .expect("the default configuration starts");
}
