//! Everything that can go wrong while serving a page, and the page each case gets.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use paydesk_shared::ErrorCode;

use crate::cart::CartError;
use crate::gateway::GatewayError;
use crate::views;

#[derive(Debug, thiserror::Error)]
pub(crate) enum PageError {
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Cart(#[from] CartError),
    #[error("the form could not be read")]
    UnreadableForm,
    #[error("the order link is missing its reference")]
    MissingReference,
    #[error("Paydesk offered no hosted page for this order")]
    NoHostedPage,
    #[error(transparent)]
    Gateway(#[from] GatewayError),
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, message) = match &self {
            PageError::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "We couldn't find that page or order. Please check the link.".to_owned(),
            ),
            PageError::Cart(error) => (
                StatusCode::BAD_REQUEST,
                "Please check your basket",
                error.to_string(),
            ),
            PageError::UnreadableForm => (
                StatusCode::BAD_REQUEST,
                "Please check your basket",
                "Your basket could not be read. Please choose the quantities again.".to_owned(),
            ),
            PageError::MissingReference => (
                StatusCode::BAD_REQUEST,
                "Missing order reference",
                "This link has no order reference. Your order confirmation has the right link."
                    .to_owned(),
            ),
            PageError::NoHostedPage => (
                StatusCode::NOT_FOUND,
                "No Paydesk page for this order",
                "This order can only be paid on the shop's checkout page. Nothing was charged."
                    .to_owned(),
            ),
            PageError::Gateway(error) => gateway_page(error),
        };
        views::error::render(status, title, &message)
    }
}

/// Paydesk's own error messages are written for people, so the shopper sees them;
/// the error codes stay in the shop's log.
fn gateway_page(error: &GatewayError) -> (StatusCode, &'static str, String) {
    const TITLE: &str = "Payment could not start";
    match error {
        GatewayError::Unreachable(_)
        | GatewayError::UnexpectedResponse { .. }
        | GatewayError::Inconsistent(_) => (
            StatusCode::BAD_GATEWAY,
            TITLE,
            "The payment service is not answering right now. Nothing was charged; please try again in a moment.".to_owned(),
        ),
        GatewayError::Rejected { status, code, message } => {
            let status = if status.is_server_error() || *code == ErrorCode::IdempotencyKeyInUse {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            (status, TITLE, format!("Paydesk says: {message}"))
        }
    }
}
