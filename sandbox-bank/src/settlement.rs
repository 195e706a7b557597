//! The daily settlement file: [`SETTLEMENT_CSV_HEADER`], then one line per successful
//! payment and refund of the merchant that UTC day, oldest first.
//!
//! `type` is `payment` or `refund`; `bank_transaction_id` is the line's own
//! transaction (`SBX…` for a payment, `SBR…` for a refund); a refund line carries
//! the gateway's `refund_id` and the refunded payment's `attempt_id` and `order_id`;
//! `amount` is a decimal string at the currency's scale; `at` is Unix seconds.
//!
//! The `settlement_file` faults (see `crate::faults`) misstate lines as the file is
//! written; the books are never changed by them.

use paydesk_shared::bank_protocol::SETTLEMENT_CSV_HEADER;
use paydesk_shared::{Currency, Money};

use crate::faults::SettlementFaults;
use crate::ledger::{Transaction, TransactionKind};

/// The bank every unknown line names.
const UNKNOWN_LINE_BANK: &str = "ICBC";
/// Unknown lines are paid from noon UTC, one second apart.
const UNKNOWN_LINE_OFFSET_SECS: i64 = 12 * 3600;

/// The day a file covers: `YYYY-MM-DD` as asked, and its first second.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Day<'a> {
    pub(crate) date: &'a str,
    pub(crate) start: i64,
}

/// One line as written.
struct Line<'a> {
    kind: &'static str,
    id: String,
    attempt_id: &'a str,
    order_id: String,
    refund_id: &'a str,
    bank_code: &'a str,
    amount: String,
    currency: Currency,
    at: i64,
}

/// The file for `day` from the merchant's settled transactions, misstated as
/// `faults` say.
pub(crate) fn csv(transactions: &[Transaction], faults: &SettlementFaults, day: Day<'_>) -> String {
    let mut out = String::with_capacity(SETTLEMENT_CSV_HEADER.len() + 1 + transactions.len() * 128);
    out.push_str(SETTLEMENT_CSV_HEADER);
    out.push('\n');
    for transaction in transactions {
        let Some(line) = line(transaction) else {
            continue;
        };
        let attempt_id = transaction.attempt_id.as_str();
        if faults.omits(attempt_id) {
            continue;
        }
        let line = misstate(line, transaction.amount, faults);
        write(&mut out, &line);
        if faults.duplicates(attempt_id) {
            write(&mut out, &line);
        }
    }
    let compact: String = day.date.chars().filter(char::is_ascii_digit).collect();
    for i in 0..faults.unknown_lines {
        let attempt_id = format!("att_unknown_{compact}_{i}");
        let amount = Money::from_minor(
            i64::from(i).saturating_add(1).saturating_mul(1000),
            Currency::Cny,
        )
        .unwrap_or_else(|_| Money::zero(Currency::Cny));
        write(
            &mut out,
            &Line {
                kind: "payment",
                id: format!("SBX99{compact}{i:010}"),
                attempt_id: &attempt_id,
                order_id: format!("ord_unknown_{compact}_{i}"),
                refund_id: "",
                bank_code: UNKNOWN_LINE_BANK,
                amount: amount.to_string(),
                currency: Currency::Cny,
                at: day
                    .start
                    .saturating_add(UNKNOWN_LINE_OFFSET_SECS)
                    .saturating_add(i64::from(i)),
            },
        );
    }
    out
}

/// The line for a payment or refund; declines move no money and are never settled.
fn line(t: &Transaction) -> Option<Line<'_>> {
    let (kind, refund_id) = match &t.kind {
        TransactionKind::Payment => ("payment", ""),
        TransactionKind::Refund { refund_id } => ("refund", refund_id.as_str()),
        TransactionKind::Decline(_) => return None,
    };
    Some(Line {
        kind,
        id: t.id.clone(),
        attempt_id: &t.attempt_id,
        order_id: t.order_id.clone(),
        refund_id,
        bank_code: &t.bank_code,
        amount: t.amount.to_string(),
        currency: t.amount.currency(),
        at: t.at,
    })
}

/// `amount_off`: one major unit more, at the same scale. `currency_off`: USD for
/// CNY, CNY for any other currency.
fn misstate<'a>(mut line: Line<'a>, amount: Money, faults: &SettlementFaults) -> Line<'a> {
    if faults.amount_off(line.attempt_id)
        && let Some(more) = amount.amount().checked_add(1.into())
    {
        line.amount = more.to_string();
    }
    if faults.currency_off(line.attempt_id) {
        line.currency = match line.currency {
            Currency::Cny => Currency::Usd,
            _ => Currency::Cny,
        };
    }
    line
}

fn write(out: &mut String, line: &Line<'_>) {
    let fields = [
        line.kind,
        &line.id,
        line.attempt_id,
        &line.order_id,
        line.refund_id,
        line.bank_code,
        &line.amount,
        line.currency.code(),
        &line.at.to_string(),
    ];
    let quoted: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.push_str(&quoted.join(","));
    out.push('\n');
}

/// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
fn field(value: &str) -> String {
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use paydesk_shared::bank_protocol::DeclineReason;

    const DAY: Day<'static> = Day {
        date: "2026-11-26",
        start: 1_795_651_200,
    };

    fn tx(kind: TransactionKind, id: &str, attempt_id: &str, amount: Money) -> Transaction {
        Transaction {
            id: id.into(),
            kind,
            attempt_id: attempt_id.into(),
            merchant_id: "mer_1".into(),
            order_id: format!("ord_{attempt_id}"),
            bank_code: "ICBC".into(),
            merchant_name: "Shop".into(),
            card: None,
            amount,
            at: 1_795_651_300,
        }
    }

    fn cny(amount: &str) -> Money {
        Money::parse(amount, Currency::Cny).unwrap()
    }

    fn refund(refund_id: &str) -> TransactionKind {
        TransactionKind::Refund {
            refund_id: refund_id.into(),
        }
    }

    /// A payment of 25.00 CNY and a refund of 5.00 for `att_1`, a payment of 2500
    /// JPY for `att_2`, a decline for `att_3`.
    fn books() -> Vec<Transaction> {
        vec![
            tx(TransactionKind::Payment, "SBX1", "att_1", cny("25.00")),
            tx(
                TransactionKind::Payment,
                "SBX2",
                "att_2",
                Money::parse("2500", Currency::Jpy).unwrap(),
            ),
            tx(
                TransactionKind::Decline(DeclineReason::InsufficientFunds),
                "SBX3",
                "att_3",
                cny("9.00"),
            ),
            tx(refund("rf_1"), "SBR1", "att_1", cny("5.00")),
        ]
    }

    fn file(faults: &SettlementFaults) -> Vec<String> {
        csv(&books(), faults, DAY)
            .lines()
            .skip(1)
            .map(str::to_owned)
            .collect()
    }

    const PAID_1: &str = "payment,SBX1,att_1,ord_att_1,,ICBC,25.00,CNY,1795651300";
    const PAID_2: &str = "payment,SBX2,att_2,ord_att_2,,ICBC,2500,JPY,1795651300";
    const REFUND_1: &str = "refund,SBR1,att_1,ord_att_1,rf_1,ICBC,5.00,CNY,1795651300";

    #[test]
    fn one_line_per_payment_and_refund_with_quoting() {
        let mut quoted = tx(refund("rf_1"), "SBR1", "att_1", cny("5.00"));
        quoted.order_id = "ord \"a\", b".into();
        let file = csv(
            &[
                tx(TransactionKind::Payment, "SBX1", "att_1", cny("25.00")),
                tx(
                    TransactionKind::Decline(DeclineReason::InsufficientFunds),
                    "SBX2",
                    "att_2",
                    cny("9.00"),
                ),
                quoted,
            ],
            &SettlementFaults::default(),
            DAY,
        );
        assert_eq!(
            file,
            format!(
                "{SETTLEMENT_CSV_HEADER}\n\
                 payment,SBX1,att_1,ord_att_1,,ICBC,25.00,CNY,1795651300\n\
                 refund,SBR1,att_1,\"ord \"\"a\"\", b\",rf_1,ICBC,5.00,CNY,1795651300\n"
            )
        );
    }

    #[test]
    fn an_empty_day_is_the_header_alone() {
        assert_eq!(
            csv(&[], &SettlementFaults::default(), DAY),
            format!("{SETTLEMENT_CSV_HEADER}\n")
        );
        assert_eq!(
            file(&SettlementFaults::default()),
            [PAID_1, PAID_2, REFUND_1]
        );
    }

    #[test]
    fn omitted_attempts_lose_every_line_and_win_over_other_faults() {
        let faults = SettlementFaults {
            omit: vec!["att_1".into()],
            amount_off: vec!["att_1".into()],
            duplicate: vec!["att_1".into()],
            ..SettlementFaults::default()
        };
        assert_eq!(file(&faults), [PAID_2]);
    }

    #[test]
    fn amounts_off_are_one_major_unit_high_at_the_same_scale() {
        let faults = SettlementFaults {
            amount_off: vec!["att_1".into(), "att_2".into()],
            ..SettlementFaults::default()
        };
        assert_eq!(
            file(&faults),
            [
                "payment,SBX1,att_1,ord_att_1,,ICBC,26.00,CNY,1795651300",
                "payment,SBX2,att_2,ord_att_2,,ICBC,2501,JPY,1795651300",
                "refund,SBR1,att_1,ord_att_1,rf_1,ICBC,6.00,CNY,1795651300",
            ]
        );
    }

    #[test]
    fn currencies_off_name_usd_for_cny_and_cny_for_the_rest() {
        let faults = SettlementFaults {
            currency_off: vec!["att_1".into(), "att_2".into()],
            amount_off: vec!["att_2".into()],
            ..SettlementFaults::default()
        };
        assert_eq!(
            file(&faults),
            [
                "payment,SBX1,att_1,ord_att_1,,ICBC,25.00,USD,1795651300",
                "payment,SBX2,att_2,ord_att_2,,ICBC,2501,CNY,1795651300",
                "refund,SBR1,att_1,ord_att_1,rf_1,ICBC,5.00,USD,1795651300",
            ]
        );
    }

    #[test]
    fn duplicates_repeat_the_line_as_written() {
        let faults = SettlementFaults {
            duplicate: vec!["att_2".into()],
            amount_off: vec!["att_2".into()],
            ..SettlementFaults::default()
        };
        let off = "payment,SBX2,att_2,ord_att_2,,ICBC,2501,JPY,1795651300";
        assert_eq!(file(&faults), [PAID_1, off, off, REFUND_1]);
    }

    #[test]
    fn unknown_lines_follow_the_real_ones_the_same_every_time() {
        let faults = SettlementFaults {
            unknown_lines: 3,
            ..SettlementFaults::default()
        };
        let lines = file(&faults);
        assert_eq!(
            lines,
            [
                PAID_1,
                PAID_2,
                REFUND_1,
                "payment,SBX99202611260000000000,att_unknown_20261126_0,ord_unknown_20261126_0,,ICBC,10.00,CNY,1795694400",
                "payment,SBX99202611260000000001,att_unknown_20261126_1,ord_unknown_20261126_1,,ICBC,20.00,CNY,1795694401",
                "payment,SBX99202611260000000002,att_unknown_20261126_2,ord_unknown_20261126_2,,ICBC,30.00,CNY,1795694402",
            ]
        );
        assert_eq!(file(&faults), lines);
        // Transaction ids as long as real ones: SBX and 20 digits.
        assert_eq!("SBX99202611260000000000".len(), 23);
        let hundred = SettlementFaults {
            unknown_lines: 100,
            ..SettlementFaults::default()
        };
        let lines = file(&hundred);
        assert_eq!(lines.len(), 103);
        assert!(lines[102].starts_with("payment,SBX99202611260000000099,"));
        assert!(lines[102].contains(",1000.00,CNY,"));
    }
}
