use axum::Json;
use axum::extract::{RawQuery, State};
use paydesk_shared::api::{BankOption, WidgetSession};
use paydesk_shared::bank::CardKind;
use paydesk_shared::language::Language;

use crate::http::auth::ClientOrder;
use crate::http::error::ApiError;
use crate::http::list_query::ListQuery;
use crate::http::wire;
use crate::payments::availability;
use crate::state::AppState;

/// The order to review and every bank, with whether it can take this order by debit
/// and by credit card, and its single-payment limit. Banks' Chinese names are in the
/// script of `lang`.
#[utoipa::path(get, path = "/v1/widget/session", tag = "Widget", operation_id = "get_widget_session",
    security(("client_token" = [])),
    params(("lang" = Option<String>, Query, description = "The widget's language tag: `zh-TW` (or another Traditional Chinese tag) names banks in Traditional characters; any other tag, or none, in Simplified ones.")),
    responses(
        (status = 200, description = "The order and the banks.", body = WidgetSession),
        (status = 400, description = "`query_invalid`: a parameter other than `lang`, or `lang` twice."),
    ))]
pub(super) async fn handler(
    State(state): State<AppState>,
    ClientOrder(order): ClientOrder,
    RawQuery(raw): RawQuery,
) -> Result<Json<WidgetSession>, ApiError> {
    let query = ListQuery::parse(raw.as_deref(), &["lang"])?;
    let traditional =
        query.get("lang").and_then(Language::of) == Some(Language::TraditionalChinese);
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
            name_zh: if traditional {
                bank.name_zh_tw.clone()
            } else {
                bank.name_zh.clone()
            },
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
