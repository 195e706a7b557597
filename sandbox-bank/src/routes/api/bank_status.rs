//! `GET /api/v1/banks/status`: a signed BankStatusList with every bank this service
//! plays and whether it is in maintenance.

use axum::extract::State;
use axum::response::Response;
use paydesk_shared::bank_protocol::{BankStatus, BankStatusList};

use super::signed;
use crate::state::AppState;

pub(super) async fn bank_status(State(state): State<AppState>) -> Response {
    let banks = state
        .directory
        .banks()
        .iter()
        .map(|bank| BankStatus {
            code: bank.code.clone(),
            maintenance: state.faults.in_maintenance(&bank.code),
        })
        .collect();
    signed::json(&state, &BankStatusList { banks })
}
