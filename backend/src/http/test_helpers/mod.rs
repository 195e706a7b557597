//! The test helpers, for test keys only. `POST /v1/test_helpers/orders/{id}/pay`: the
//! gateway starts an attempt as the widget would, plays the shopper at the sandbox
//! bank's page with a test card, and answers once the bank's verdict is applied.
//! Everything in between is the real flow: the bank decides, notifies, the applier
//! moves the order and the merchant's webhooks go out. `…/expire`: the order's time
//! runs out now, as the expirer would find it later. `…/settle` settles the order's
//! money now, as the next settlement run would; `POST /v1/test_helpers/payouts` makes
//! a payout whose bank answer is chosen.

mod money;
mod orders;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(orders::pay))
        .routes(routes!(orders::expire))
        .routes(routes!(money::settle))
        .routes(routes!(money::payout))
}
