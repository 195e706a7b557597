//! The ledger transaction of each money movement of a payment's life (see
//! [`super::ledger`] for the chart of accounts). Each is balanced by construction: a
//! test checks every one through [`Posting::new`].

use paydesk_shared::Money;

use super::balance::{BalanceKind, BalanceStatus, NewBalanceTransaction};
use super::ledger::{Account, Cause, CauseKind, Entry, Posting, Side, debit_credit};
use super::order::{Attempt, Order};
use super::refund::{NewRefund, Refund, is_automatic};
use super::time::Millis;

/// A payment its order kept: the bank owes the gross, the merchant is owed the net and
/// the gateway earns the fee.
pub fn payment(order: &Order, attempt: &Attempt, fee: Money, at: Millis) -> Posting {
    let gross = attempt.amount;
    let net = minus(gross, fee);
    let mut entries = vec![Entry {
        account: Account::BankClearing(attempt.bank_code.clone()),
        side: Side::Debit,
        amount: gross,
    }];
    entries.push(Entry {
        account: Account::MerchantPending(order.merchant_id.clone()),
        side: Side::Credit,
        amount: net,
    });
    entries.push(Entry {
        account: Account::FeeRevenue,
        side: Side::Credit,
        amount: fee,
    });
    balanced(
        CauseKind::Payment,
        attempt.id.as_str(),
        gross,
        entries,
        Some(NewBalanceTransaction {
            merchant_id: order.merchant_id.clone(),
            kind: BalanceKind::Payment,
            amount: gross.minor(),
            fee: fee.minor(),
            currency: gross.currency(),
            source: order.id.to_string(),
            status: BalanceStatus::Pending,
        }),
        at,
    )
}

/// A payment the order could not keep: held for the shopper until its refund.
pub fn unapplied_payment(attempt: &Attempt, at: Millis) -> Posting {
    let entries = debit_credit(
        Account::BankClearing(attempt.bank_code.clone()),
        Account::UnappliedPayments,
        attempt.amount,
    );
    balanced(
        CauseKind::UnappliedPayment,
        attempt.id.as_str(),
        attempt.amount,
        entries.to_vec(),
        None,
        at,
    )
}

/// A refund created: the bank is to give the shopper back `refund.amount`, taken from
/// the merchant's pending balance, or from the unapplied payment it returns.
pub fn refund(order: &Order, bank_code: &str, refund: &NewRefund) -> Posting {
    let bank = Account::BankClearing(bank_code.to_owned());
    let (funded_by, balance) = funding(order, &refund.reason, refund.amount, BalanceKind::Refund);
    balanced(
        CauseKind::Refund,
        refund.id.as_str(),
        refund.amount,
        debit_credit(funded_by, bank, refund.amount).to_vec(),
        balance.map(|b| NewBalanceTransaction {
            source: refund.id.to_string(),
            ..b
        }),
        refund.created_at,
    )
}

/// A refund the bank refused for good: its money goes back where it came from.
pub fn refund_failure(order: &Order, refund: &Refund, at: Millis) -> Posting {
    let bank = Account::BankClearing(refund.bank_code.clone());
    let (funded_by, balance) = funding(
        order,
        &refund.reason,
        refund.amount,
        BalanceKind::RefundFailure,
    );
    balanced(
        CauseKind::RefundFailure,
        refund.id.as_str(),
        refund.amount,
        debit_credit(bank, funded_by, refund.amount).to_vec(),
        balance.map(|b| NewBalanceTransaction {
            source: refund.id.to_string(),
            ..b
        }),
        at,
    )
}

/// Which account pays a refund and, for a merchant's refund, the merchant's line.
fn funding(
    order: &Order,
    reason: &str,
    amount: Money,
    kind: BalanceKind,
) -> (Account, Option<NewBalanceTransaction>) {
    if is_automatic(reason) {
        return (Account::UnappliedPayments, None);
    }
    let signed = match kind {
        BalanceKind::Refund => -amount.minor(),
        _ => amount.minor(),
    };
    (
        Account::MerchantPending(order.merchant_id.clone()),
        Some(NewBalanceTransaction {
            merchant_id: order.merchant_id.clone(),
            kind,
            amount: signed,
            fee: 0,
            currency: amount.currency(),
            source: String::new(),
            status: BalanceStatus::Pending,
        }),
    )
}

/// `a − b` for `b ≤ a` (a fee never exceeds its payment).
fn minus(a: Money, b: Money) -> Money {
    Money::from_minor(a.minor() - b.minor(), a.currency()).unwrap_or(Money::zero(a.currency()))
}

fn balanced(
    kind: CauseKind,
    id: &str,
    amount: Money,
    entries: Vec<Entry>,
    balance: Option<NewBalanceTransaction>,
    at: Millis,
) -> Posting {
    let cause = Cause {
        kind,
        id: id.to_owned(),
    };
    let currency = amount.currency();
    let entries: Vec<Entry> = entries
        .into_iter()
        .filter(|e| !e.amount.is_zero())
        .collect();
    debug_assert!(
        Posting::new(
            cause.clone(),
            currency,
            entries.clone(),
            balance.clone(),
            at
        )
        .is_ok()
    );
    Posting {
        cause,
        currency,
        entries,
        balance,
        posted_at: at,
    }
}

#[cfg(test)]
mod tests {
    use paydesk_shared::Currency;
    use paydesk_shared::bank::CardKind;
    use paydesk_shared::payment::AttemptStatus;

    use super::*;
    use crate::domain::refund::{DUPLICATE_PAYMENT, RefundStatus};
    use paydesk_shared::api::WidgetMode;

    fn cny(s: &str) -> Money {
        Money::parse(s, Currency::Cny).unwrap()
    }

    fn order() -> (Order, Attempt) {
        let attempt = Attempt {
            id: "att_1".into(),
            order_id: "ord_1".into(),
            bank_code: "ICBC".into(),
            card_kind: CardKind::Debit,
            mode: WidgetMode::Embedded,
            status: AttemptStatus::Succeeded,
            amount: cny("25.00"),
            failure_reason: None,
            bank_transaction_id: Some("SBX1".into()),
            created_at: 0,
            decided_at: Some(1),
        };
        let order = Order {
            id: "ord_1".into(),
            merchant_id: "m_1".into(),
            status: paydesk_shared::OrderStatus::Paid,
            currency: Currency::Cny,
            items: vec![],
            total: cny("25.00"),
            merchant_reference: "r".into(),
            return_url: "https://shop.test/back".into(),
            client_token: "ct".into(),
            created_at: 0,
            expires_at: 10,
            paid_at: Some(1),
            paid_attempt_id: Some("att_1".into()),
            attempts: vec![attempt.clone()],
        };
        (order, attempt)
    }

    fn new_refund(reason: &str) -> NewRefund {
        NewRefund {
            id: "rfd_1".into(),
            order_id: "ord_1".into(),
            attempt_id: "att_1".into(),
            amount: cny("10.00"),
            reason: reason.into(),
            created_at: 2,
        }
    }

    fn assert_balanced(p: &Posting) {
        let checked = Posting::new(
            p.cause.clone(),
            p.currency,
            p.entries.clone(),
            p.balance.clone(),
            p.posted_at,
        );
        assert_eq!(checked.as_ref(), Ok(p));
    }

    fn effect(p: &Posting, account: &Account) -> i64 {
        p.entries
            .iter()
            .filter(|e| &e.account == account)
            .map(Entry::signed_minor)
            .sum()
    }

    #[test]
    fn a_payment_owes_the_merchant_the_net_and_the_gateway_the_fee() {
        let (order, attempt) = order();
        let p = payment(&order, &attempt, cny("0.15"), 1);
        assert_balanced(&p);
        assert_eq!(effect(&p, &Account::BankClearing("ICBC".into())), 2500);
        assert_eq!(effect(&p, &Account::MerchantPending("m_1".into())), -2485);
        assert_eq!(effect(&p, &Account::FeeRevenue), -15);
        let line = p.balance.unwrap();
        assert_eq!((line.amount, line.fee, line.net()), (2500, 15, 2485));
        // A fee-free payment has no fee line.
        let free = payment(&order, &attempt, cny("0"), 1);
        assert_balanced(&free);
        assert_eq!(free.entries.len(), 2);
    }

    #[test]
    fn a_merchant_refund_comes_from_its_balance_and_a_failure_puts_it_back() {
        let (order, _) = order();
        let r = new_refund("requested_by_customer");
        let created = refund(&order, "ICBC", &r);
        assert_balanced(&created);
        assert_eq!(
            effect(&created, &Account::MerchantPending("m_1".into())),
            1000
        );
        assert_eq!(created.balance.as_ref().map(|b| b.net()), Some(-1000));
        let stored = Refund {
            id: r.id.clone(),
            order_id: r.order_id.clone(),
            attempt_id: r.attempt_id.clone(),
            bank_code: "ICBC".into(),
            bank_transaction_id: Some("SBX1".into()),
            amount: r.amount,
            reason: r.reason.clone(),
            status: RefundStatus::Failed,
            bank_refund_id: None,
            failure_reason: Some("closed".into()),
            created_at: 2,
            decided_at: Some(3),
            tries: 1,
        };
        let failed = refund_failure(&order, &stored, 3);
        assert_balanced(&failed);
        for account in [
            Account::MerchantPending("m_1".into()),
            Account::BankClearing("ICBC".into()),
        ] {
            assert_eq!(effect(&created, &account) + effect(&failed, &account), 0);
        }
        assert_eq!(failed.balance.map(|b| b.net()), Some(1000));
    }

    #[test]
    fn a_payment_the_order_cannot_keep_is_held_until_its_refund() {
        let (order, attempt) = order();
        let held = unapplied_payment(&attempt, 1);
        assert_balanced(&held);
        let r = NewRefund {
            amount: cny("25.00"),
            ..new_refund(DUPLICATE_PAYMENT)
        };
        let back = refund(&order, "ICBC", &r);
        assert_balanced(&back);
        assert!(back.balance.is_none(), "the merchant's balance never moves");
        for e in held.entries.iter().chain(&back.entries) {
            let total = effect(&held, &e.account) + effect(&back, &e.account);
            assert_eq!(total, 0, "{}", e.account);
        }
        assert!(
            held.entries
                .iter()
                .any(|e| e.side == Side::Credit && e.account == Account::UnappliedPayments)
        );
    }
}
