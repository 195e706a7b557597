//! Why a rule refuses. No status codes here: the HTTP edge maps each variant once
//! (`http::error`), and background work logs them.

use paydesk_shared::OrderStatus;
use paydesk_shared::bank::CardKind;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("the order is {} and cannot be paid", .0.as_str())]
    OrderNotPayable(OrderStatus),
    #[error("unknown bank `{0}`")]
    BankUnknown(String),
    #[error("{bank} cannot take this payment by {card_kind} card: {reason}")]
    BankUnavailable {
        bank: String,
        card_kind: CardKind,
        reason: &'static str,
    },
    #[error("this Idempotency-Key was already used for another bank, card kind or mode")]
    AttemptKeyReused,
    #[error("this signed notification was received before; sign every delivery afresh")]
    NotificationReplayed,
    /// The rules could not be applied because the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
