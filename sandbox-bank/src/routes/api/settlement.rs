//! `GET /api/v1/settlements/{merchant_id}/{YYYY-MM-DD}`: the merchant's signed
//! settlement file for that UTC day (see `crate::settlement`), as the
//! `settlement_file` faults misstate it.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::{require_text, signed};
use crate::calendar::{DAY_SECS, day_start};
use crate::settlement;
use crate::state::AppState;

pub(super) async fn settlement(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    match file(&state, path).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn file(
    state: &AppState,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path((merchant_id, date)) = path.map_err(|rejection| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_path",
            format!(
                "the path is not /api/v1/settlements/{{merchant_id}}/{{YYYY-MM-DD}}: {rejection}"
            ),
        )
    })?;
    require_text("merchant_id", &merchant_id)?;
    let from = day_start(&date).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_date",
            "the date must be a calendar day written YYYY-MM-DD (UTC)",
        )
    })?;
    let lines = state
        .ledger
        .settled(&merchant_id, from, from.saturating_add(DAY_SECS))
        .await?;
    let faults = state.faults.settlement_file();
    let csv = settlement::csv(
        &lines,
        &faults,
        settlement::Day {
            date: &date,
            start: from,
        },
    );
    Ok(signed::body_with(
        state,
        csv.into_bytes(),
        "text/csv; charset=utf-8",
    ))
}
