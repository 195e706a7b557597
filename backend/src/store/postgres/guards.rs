//! The domain's preconditions (`domain::change`) as PostgreSQL text. Each variant becomes
//! what the statement making the change checks, relative to the table it writes, so a
//! change and its guard are one statement and nothing can move in between. Order
//! moves bind $1 the order, $2 the change's time, $3 the attempt, $4 when the verdict
//! arrived (see `order_moves`); refunds bind $3 the attempt and $5 the new amount and
//! $6 what was paid (see `refunds`).

use std::borrow::Cow;

use paydesk_shared::OrderStatus;

use crate::domain::change::Precondition;

pub(super) fn sql(p: Precondition) -> Cow<'static, str> {
    match p {
        Precondition::OrderIn(t) => {
            format!("orders.status IN ({})", status_list(t.sources())).into()
        }
        Precondition::OrderNotExpired => "orders.expires_at > $2".into(),
        Precondition::OrderExpired => "orders.expires_at <= $2".into(),
        Precondition::VerdictBeforeExpiry => "orders.expires_at > $4".into(),
        Precondition::NoEarlierSuccessWaiting => "NOT EXISTS (SELECT 1 FROM bank_inbox i
             WHERE i.order_id = orders.id AND i.state = 'received'
               AND i.outcome = 'succeeded' AND i.received_at < orders.expires_at)"
            .into(),
        // Attempts of one order made in the same millisecond are ordered by their sequence number.
        Precondition::LatestAttempt => "NOT EXISTS (SELECT 1 FROM payment_attempts l,
                 payment_attempts a
             WHERE a.id = $3 AND l.order_id = a.order_id
               AND (l.created_at, l.seq) > (a.created_at, a.seq))"
            .into(),
        Precondition::AttemptPending => "payment_attempts.status = 'pending'".into(),
        Precondition::RefundPending => "refunds.status = 'pending'".into(),
        Precondition::RefundsWithinPayment => "(SELECT COALESCE(SUM(amount_minor), 0)::BIGINT
             FROM refunds WHERE attempt_id = $3 AND status IN ('pending', 'succeeded'))
             + $5 <= $6"
            .into(),
        // A conflict on the (connector, nonce) key: the insert does nothing.
        Precondition::NonceUnseen => "ON CONFLICT (connector, nonce) DO NOTHING".into(),
        Precondition::EndpointLive => "webhook_endpoints.status <> 'deleted'".into(),
        Precondition::EndpointEnabled => "webhook_endpoints.status = 'enabled'".into(),
        Precondition::DeliveryPending => "webhook_deliveries.state = 'pending'".into(),
    }
}

/// Every condition of `preconditions`, joined for a WHERE clause.
pub(super) fn all(preconditions: &[Precondition]) -> String {
    preconditions
        .iter()
        .map(|p| sql(*p))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// `'created', 'pending'` for an `IN (…)` list of order statuses.
fn status_list(statuses: &[OrderStatus]) -> String {
    statuses
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_precondition_has_its_sql() {
        for p in Precondition::ALL {
            assert!(!sql(p).trim().is_empty(), "{p:?}");
        }
    }
}
