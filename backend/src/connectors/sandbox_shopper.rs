//! The sandbox bank's payment page, played by the gateway for the test helpers: open
//! the signed redirect as the shopper's browser would, read the page's session from
//! its form, and submit the card (or the cancel button). The bank then decides and
//! notifies the gateway exactly as it does for a person at the page.

use reqwest::StatusCode;

use super::{ConnectorError, ShopperAction};

/// The hidden input that carries the payment session in the page's forms.
const SESSION_FIELD: &str = r#"name="session" value=""#;

pub(super) async fn act(
    http: &reqwest::Client,
    bank_url: &str,
    redirect_url: &str,
    action: ShopperAction,
) -> Result<(), ConnectorError> {
    if !redirect_url.starts_with(&format!("{bank_url}/")) {
        return Err(ConnectorError::Refused(format!(
            "{redirect_url} is not a page of the sandbox bank at {bank_url}"
        )));
    }
    let page = http
        .get(redirect_url)
        .send()
        .await
        .map_err(|e| ConnectorError::Unreachable(e.to_string()))?;
    let status = page.status();
    let page = page
        .text()
        .await
        .map_err(|e| ConnectorError::Unreachable(e.to_string()))?;
    let session = match session(&page) {
        Some(session) if status == StatusCode::OK => session,
        _ => return Err(refused("payment page", status, &page)),
    };
    let (path, form) = match action {
        ShopperAction::Pay {
            card_number,
            password,
        } => (
            "/pay",
            vec![
                ("session", session),
                ("card_number", card_number),
                ("password", password),
            ],
        ),
        ShopperAction::Cancel => ("/pay/cancel", vec![("session", session)]),
    };
    let answer = http
        .post(format!("{bank_url}{path}"))
        .form(&form)
        .send()
        .await
        .map_err(|e| ConnectorError::Unreachable(e.to_string()))?;
    // A decided payment sends the shopper back to the gateway (303); anything else is
    // the page asking again or refusing.
    if answer.status() == StatusCode::SEE_OTHER {
        return Ok(());
    }
    let status = answer.status();
    let body = answer.text().await.unwrap_or_default();
    Err(refused(path, status, &body))
}

/// The session id in the page's payment form, if it has one.
fn session(page: &str) -> Option<&str> {
    let start = page.find(SESSION_FIELD)? + SESSION_FIELD.len();
    let len = page[start..].find('"')?;
    Some(&page[start..start + len]).filter(|s| !s.is_empty())
}

fn refused(what: &str, status: StatusCode, body: &str) -> ConnectorError {
    let error = if status.is_server_error() {
        ConnectorError::Unreachable
    } else {
        ConnectorError::Refused
    };
    error(format!(
        "the sandbox bank's {what} answered {status} without taking the payment ({} bytes)",
        body.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_is_read_from_the_form() {
        let page = r#"<form><input type="hidden" name="session" value="ses_42"><input name="card_number"></form>"#;
        assert_eq!(session(page), Some("ses_42"));
        assert_eq!(session(r#"<input name="session" value="">"#), None);
        assert_eq!(session("<p>This payment has expired.</p>"), None);
        assert_eq!(
            session(r#"<input name="session" value="unterminated"#),
            None
        );
    }

    #[tokio::test]
    async fn a_page_of_another_host_is_never_opened() {
        let http = reqwest::Client::new();
        let error = act(
            &http,
            "http://127.0.0.1:9",
            "http://127.0.0.1:99/pay?request=x",
            ShopperAction::Cancel,
        )
        .await
        .unwrap_err();
        assert!(matches!(error, ConnectorError::Refused(_)), "{error}");
    }
}
