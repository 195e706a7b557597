//! The sandbox-only control API (see `crate::faults` for the fault JSON):
//! `GET`/`PUT`/`DELETE /sandbox/faults`, and `DELETE /sandbox/cards/{number}/lock`
//! to unlock a test card.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::Serialize;

use super::api::ApiError;
use crate::cards::CardNumber;
use crate::faults::Faults;
use crate::state::AppState;

const MAX_BODY_BYTES: usize = 16 * 1024;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/sandbox/faults", get(show).put(replace).delete(reset))
        .route("/sandbox/cards/{number}/lock", delete(unlock))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

async fn show(State(state): State<AppState>) -> Json<Faults> {
    Json(state.faults.current())
}

async fn replace(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Faults>, ApiError> {
    let body = body?;
    let faults = Faults::from_json(&body).map_err(|error| {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_faults", error.to_string())
    })?;
    Ok(apply(&state, faults))
}

async fn reset(State(state): State<AppState>) -> Json<Faults> {
    apply(&state, Faults::default())
}

fn apply(state: &AppState, faults: Faults) -> Json<Faults> {
    tracing::info!(?faults, "sandbox faults set");
    state.faults.set(faults.clone());
    state.notifier.release_held();
    Json(faults)
}

#[derive(Serialize)]
struct Unlocked {
    /// Masked, as on a statement.
    card: String,
    /// False if the card was not locked.
    unlocked: bool,
}

async fn unlock(
    State(state): State<AppState>,
    number: Result<Path<String>, PathRejection>,
) -> Response {
    let card = number
        .ok()
        .and_then(|Path(number)| CardNumber::parse(&number));
    let Some(card) = card else {
        return ApiError::invalid_field("number", "must be a card number of 12 to 19 digits")
            .into_response();
    };
    if card.test_card().is_none() {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no test card has this number",
        )
        .into_response();
    }
    match state.ledger.unlock_card(&card).await {
        Ok(unlocked) => Json(Unlocked {
            card: card.masked(),
            unlocked,
        })
        .into_response(),
        Err(error) => ApiError::internal(&error).into_response(),
    }
}
