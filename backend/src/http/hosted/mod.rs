//! Pages the shopper's browser visits on the gateway itself: the hosted checkout, the
//! bank's way back, and the receipt of a paid order.

mod bank_return;
mod checkout;
mod page;
mod receipt;
mod receipt_page;
mod receipt_text;
mod text;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(bank_return::handler))
        .routes(routes!(checkout::handler))
        // The stylesheet's name is no receipt token (those start `rcpt_`).
        .routes(routes!(receipt::stylesheet))
        .routes(routes!(receipt::handler))
}
