//! Reconciliation: every line of a bank's signed settlement file checked against the
//! gateway's own records. Each line is matched, or a break of one class (unknown to
//! the gateway, amount or currency mismatch, duplicate); each record of the day the
//! bank does not list is missing at the bank. Breaks become operator alerts with both
//! sides shown; nothing is adjusted silently. A matched line settles the bank's debt:
//! its amount moves from the bank's clearing account to the gateway's cash there.

use std::collections::{HashMap, HashSet};
use std::ops::RangeInclusive;

use paydesk_shared::Money;
use rust_decimal::Decimal;

use super::alert::NewAlert;
use super::ids::{AlertId, AttemptId, MerchantId, OrderId};
use super::ledger::{Account, Cause, CauseKind, Posting, debit_credit};
use super::time::Millis;

/// Alert kind of a reconciliation break.
pub const RECONCILIATION_BREAK: &str = "reconciliation_break";

/// What a settlement-file line settles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettlementKind {
    Payment,
    Refund,
}

/// One line of a bank's settlement file, read strictly. Amount and currency are as
/// the bank wrote them (the currency unparsed, the amount at whatever scale the line
/// has), so a mismatch with the gateway's books is detected rather than coerced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementLine {
    pub kind: SettlementKind,
    /// The line's own transaction at the bank: the payment's, or the refund's.
    pub bank_transaction_id: String,
    /// For a refund, the refunded payment's attempt and order.
    pub attempt_id: String,
    pub order_id: String,
    /// The gateway's refund id; `Some` exactly for refunds.
    pub refund_id: Option<String>,
    pub bank_code: String,
    pub amount: Decimal,
    /// Three uppercase ASCII letters, not checked against the currencies Paydesk takes.
    pub currency: String,
    /// Unix seconds.
    pub at: i64,
}

impl SettlementLine {
    /// The gateway record the line is about: the refund's id, or the payment's attempt.
    pub fn key(&self) -> &str {
        self.refund_id.as_deref().unwrap_or(&self.attempt_id)
    }
}

/// A payment or refund as the gateway booked it: what a bank line should say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookedItem {
    pub kind: SettlementKind,
    /// The attempt's id for a payment, the refund's for a refund.
    pub key: String,
    pub order_id: OrderId,
    pub attempt_id: AttemptId,
    pub bank_code: String,
    pub bank_transaction_id: Option<String>,
    pub amount: Money,
    pub decided_at: Millis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LineClass {
    Matched,
    MissingAtBank,
    UnknownToGateway,
    AmountMismatch,
    CurrencyMismatch,
    Duplicate,
}

impl LineClass {
    pub const ALL: [LineClass; 6] = [
        LineClass::Matched,
        LineClass::MissingAtBank,
        LineClass::UnknownToGateway,
        LineClass::AmountMismatch,
        LineClass::CurrencyMismatch,
        LineClass::Duplicate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LineClass::Matched => "matched",
            LineClass::MissingAtBank => "missing_at_bank",
            LineClass::UnknownToGateway => "unknown_to_gateway",
            LineClass::AmountMismatch => "amount_mismatch",
            LineClass::CurrencyMismatch => "currency_mismatch",
            LineClass::Duplicate => "duplicate",
        }
    }

    pub fn parse(s: &str) -> Option<LineClass> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// One line of the report: a bank line, a gateway record, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconciledLine {
    pub class: LineClass,
    pub key: String,
    pub bank: Option<SettlementLine>,
    pub gateway: Option<BookedItem>,
}

impl ReconciledLine {
    /// Both sides, as an operator reads them.
    pub fn describe(&self) -> String {
        let bank = self.bank.as_ref().map_or("no line".to_owned(), |b| {
            format!(
                "{} {} {} {} (transaction {})",
                b.bank_code,
                kind_str(b.kind),
                b.amount,
                b.currency,
                b.bank_transaction_id
            )
        });
        let gateway = self.gateway.as_ref().map_or("no record".to_owned(), |g| {
            format!(
                "{} {} {} {} of order {}",
                kind_str(g.kind),
                g.key,
                g.amount,
                g.amount.currency(),
                g.order_id
            )
        });
        format!(
            "reconciliation {} for {}: bank says {bank}; gateway has {gateway}",
            self.class.as_str(),
            self.key
        )
    }

    /// The operator alert for a break.
    pub fn alert(&self, now: Millis) -> Option<NewAlert> {
        (self.class != LineClass::Matched).then(|| NewAlert {
            id: AlertId::generate(),
            kind: RECONCILIATION_BREAK.to_owned(),
            message: self.describe(),
            order_id: self.gateway.as_ref().map(|g| g.order_id.clone()),
            attempt_id: self.gateway.as_ref().map(|g| g.attempt_id.clone()),
            created_at: now,
        })
    }

    /// For a matched line: the bank paid (or, for a refund, took back) what it owed.
    pub fn settlement_posting(&self, at: Millis) -> Option<Posting> {
        let (LineClass::Matched, Some(g), Some(b)) = (self.class, &self.gateway, &self.bank) else {
            return None;
        };
        let clearing = Account::BankClearing(g.bank_code.clone());
        let cash = Account::BankCash(g.bank_code.clone());
        let entries = match g.kind {
            SettlementKind::Payment => debit_credit(cash, clearing, g.amount),
            SettlementKind::Refund => debit_credit(clearing, cash, g.amount),
        };
        Posting::new(
            Cause {
                kind: CauseKind::BankSettlement,
                id: format!("{}:{}", g.bank_code, b.bank_transaction_id),
            },
            g.amount.currency(),
            entries.to_vec(),
            None,
            at,
        )
        .ok()
    }
}

pub fn kind_str(kind: SettlementKind) -> &'static str {
    match kind {
        SettlementKind::Payment => "payment",
        SettlementKind::Refund => "refund",
    }
}

/// Classifies every line of one file and every record of its day. `known` holds the
/// gateway's records any line may name (wider than the day: a payment decided just
/// before midnight may be on the next day's file); `day` the records the file should
/// list. What happened within `in_flight` (from the grace's start to now) may not have
/// reached the other side yet: records decided then are left out rather than reported
/// missing at the bank, and bank lines of then that the gateway does not know yet
/// rather than reported unknown (a reconciliation of today, before the run's).
pub fn classify(
    lines: &[SettlementLine],
    known: &HashMap<String, BookedItem>,
    day: &[BookedItem],
    in_flight: RangeInclusive<Millis>,
) -> Vec<ReconciledLine> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out = Vec::with_capacity(lines.len() + 1);
    for line in lines {
        let key = line.key();
        let gateway = known.get(key).filter(|g| g.kind == line.kind).cloned();
        if gateway.is_none() && in_flight.contains(&line.at.saturating_mul(1000)) {
            continue;
        }
        let class = if !seen.insert(key) {
            LineClass::Duplicate
        } else {
            match &gateway {
                None => LineClass::UnknownToGateway,
                Some(g) if g.amount.currency().code() != line.currency => {
                    LineClass::CurrencyMismatch
                }
                Some(g) if g.amount.amount() != line.amount => LineClass::AmountMismatch,
                Some(_) => LineClass::Matched,
            }
        };
        out.push(ReconciledLine {
            class,
            key: key.to_owned(),
            bank: Some(line.clone()),
            gateway,
        });
    }
    for item in day {
        if !seen.contains(item.key.as_str()) && item.decided_at < *in_flight.start() {
            out.push(ReconciledLine {
                class: LineClass::MissingAtBank,
                key: item.key.clone(),
                bank: None,
                gateway: Some(item.clone()),
            });
        }
    }
    out
}

/// Money a hand-off account still holds past its expected time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueItem {
    pub account: Account,
    /// The attempt, refund or payout holding it.
    pub key: String,
    pub merchant_id: MerchantId,
    pub amount: Money,
    pub since: Millis,
}

/// Alert kind of a hand-off account not back to zero in time.
pub const HAND_OFF_OVERDUE: &str = "hand_off_overdue";

impl OverdueItem {
    pub fn alert(&self, now: Millis) -> NewAlert {
        NewAlert {
            id: AlertId::generate(),
            kind: HAND_OFF_OVERDUE.to_owned(),
            message: format!(
                "{} still holds {} {} of {} (merchant {}) since {}: the bank has not settled it",
                self.account,
                self.amount,
                self.amount.currency(),
                self.key,
                self.merchant_id,
                super::time::rfc3339(self.since)
            ),
            order_id: None,
            attempt_id: None,
            created_at: now,
        }
    }
}

/// A stored line of a day's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLine {
    pub run_date: String,
    pub connector: String,
    pub merchant_id: MerchantId,
    pub class: LineClass,
    pub key: String,
    pub kind: SettlementKind,
    pub bank_transaction_id: Option<String>,
    /// As the bank wrote them.
    pub bank_amount: Option<String>,
    pub bank_currency: Option<String>,
    /// As the gateway booked it.
    pub gateway_amount: Option<Money>,
    pub order_id: Option<OrderId>,
    pub detail: String,
}

/// Lines per class and the share matched, in basis points of the lines reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub by_class: Vec<(LineClass, u64)>,
    pub total: u64,
    pub matched: u64,
}

impl Counts {
    pub fn of<'a>(classes: impl IntoIterator<Item = &'a LineClass>) -> Counts {
        let mut by: HashMap<LineClass, u64> = HashMap::new();
        for c in classes {
            *by.entry(*c).or_default() += 1;
        }
        let total = by.values().sum();
        let matched = by.get(&LineClass::Matched).copied().unwrap_or(0);
        Counts {
            by_class: LineClass::ALL
                .iter()
                .map(|c| (*c, by.get(c).copied().unwrap_or(0)))
                .collect(),
            total,
            matched,
        }
    }

    /// Matched lines as a percentage with two decimals; 100 with no lines at all.
    pub fn match_rate(&self) -> Decimal {
        let mut rate = if self.total == 0 {
            Decimal::ONE_HUNDRED
        } else {
            (Decimal::from(self.matched) * Decimal::ONE_HUNDRED / Decimal::from(self.total))
                .round_dp(2)
        };
        rate.rescale(2);
        rate
    }
}

#[cfg(test)]
mod tests {
    use paydesk_shared::Currency;

    use super::*;

    fn item(key: &str, amount: &str, at: Millis) -> BookedItem {
        BookedItem {
            kind: SettlementKind::Payment,
            key: key.into(),
            order_id: format!("ord_{key}").into(),
            attempt_id: key.into(),
            bank_code: "ICBC".into(),
            bank_transaction_id: Some(format!("SBX{key}")),
            amount: Money::parse(amount, Currency::Cny).unwrap(),
            decided_at: at,
        }
    }

    fn line(key: &str, amount: &str, currency: &str) -> SettlementLine {
        SettlementLine {
            kind: SettlementKind::Payment,
            bank_transaction_id: format!("SBX{key}"),
            attempt_id: key.into(),
            order_id: format!("ord_{key}"),
            refund_id: None,
            bank_code: "ICBC".into(),
            amount: amount.parse().unwrap(),
            currency: currency.into(),
            at: 0,
        }
    }

    #[test]
    fn every_line_and_every_record_gets_its_class() {
        let day = vec![
            item("a", "10.00", 1),
            item("b", "20.00", 1),
            item("c", "30.00", 1),
            item("d", "40.00", 1),
            item("late", "5.00", 100),
        ];
        let known: HashMap<String, BookedItem> =
            day.iter().map(|i| (i.key.clone(), i.clone())).collect();
        let lines = vec![
            line("a", "10.0", "CNY"),
            line("b", "21.00", "CNY"),
            line("c", "30.00", "USD"),
            line("a", "10.00", "CNY"),
            line("x", "1.00", "CNY"),
            // Paid at the bank a moment ago: the gateway may hear of it any time.
            SettlementLine {
                at: 1,
                ..line("y", "2.00", "CNY")
            },
        ];
        let report = classify(&lines, &known, &day, 50..=2_000);
        let classes: Vec<(&str, LineClass)> =
            report.iter().map(|l| (l.key.as_str(), l.class)).collect();
        assert_eq!(
            classes,
            vec![
                ("a", LineClass::Matched),
                ("b", LineClass::AmountMismatch),
                ("c", LineClass::CurrencyMismatch),
                ("a", LineClass::Duplicate),
                ("x", LineClass::UnknownToGateway),
                ("d", LineClass::MissingAtBank),
            ],
            "a record decided, or a bank line written, after the cut-off is in flight"
        );
        let counts = Counts::of(report.iter().map(|l| &l.class));
        assert_eq!((counts.total, counts.matched), (6, 1));
        assert_eq!(counts.match_rate(), Decimal::new(1667, 2));
        assert!(report[0].alert(0).is_none());
        let alert = report[1].alert(0).unwrap();
        assert!(
            alert.message.contains("21.00") && alert.message.contains("20.00"),
            "{}",
            alert.message
        );
    }

    #[test]
    fn a_matched_line_moves_the_bank_debt_to_cash() {
        let i = item("a", "10.00", 1);
        let known = HashMap::from([(i.key.clone(), i.clone())]);
        let report = classify(&[line("a", "10.00", "CNY")], &known, &[i], 50..=50);
        let posting = report[0].settlement_posting(5).unwrap();
        assert_eq!(posting.cause.id, "ICBC:SBXa");
        let effect = |account: Account| -> i64 {
            posting
                .entries
                .iter()
                .filter(|e| e.account == account)
                .map(|e| e.signed_minor())
                .sum()
        };
        assert_eq!(effect(Account::BankClearing("ICBC".into())), -1000);
        assert_eq!(effect(Account::BankCash("ICBC".into())), 1000);
    }

    #[test]
    fn an_empty_day_is_fully_matched() {
        assert_eq!(Counts::of([].iter()).match_rate().to_string(), "100.00");
    }
}
