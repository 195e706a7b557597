use axum::Json;
use axum::extract::State;
use paydesk_shared::api::{BankOption, WidgetSession};
use paydesk_shared::bank::CardKind;

use crate::http::auth::ClientOrder;
use crate::http::error::ApiError;
use crate::http::wire;
use crate::payments::availability;
use crate::state::AppState;

/// The order to review and every bank, with whether it can take this order by debit
/// and by credit card, and its single-payment limit.
#[utoipa::path(get, path = "/v1/widget/session", tag = "Widget", operation_id = "get_widget_session",
    security(("client_token" = [])),
    responses((status = 200, description = "The order and the banks.", body = WidgetSession)))]
pub(super) async fn handler(
    State(state): State<AppState>,
    ClientOrder(order): ClientOrder,
) -> Result<Json<WidgetSession>, ApiError> {
    let merchant = state
        .store
        .merchant(&order.merchant_id)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("order {} has no merchant", order.id)))?;
    let banks = state
        .banks
        .iter()
        .map(|bank| BankOption {
            code: bank.code.clone(),
            name_en: bank.name_en.clone(),
            name_zh: bank.name_zh.clone(),
            pinyin: bank.pinyin.clone(),
            colour: bank.colour.clone(),
            popular: bank.popular,
            debit: availability(&state, bank, CardKind::Debit, order.total),
            credit: availability(&state, bank, CardKind::Credit, order.total),
        })
        .collect();
    Ok(Json(WidgetSession {
        order: wire::widget_order(
            &order,
            &merchant.name,
            &state.public_url,
            state.clock.now_ms(),
        ),
        banks,
    }))
}
