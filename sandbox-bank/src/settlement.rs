//! The daily settlement file: [`SETTLEMENT_CSV_HEADER`], then one line per successful
//! payment and refund of the merchant that UTC day, oldest first.
//!
//! `type` is `payment` or `refund`; `bank_transaction_id` is the line's own
//! transaction (`SBX…` for a payment, `SBR…` for a refund); a refund line carries
//! the gateway's `refund_id` and the refunded payment's `attempt_id` and `order_id`;
//! `amount` is a decimal string at the currency's scale; `at` is Unix seconds.

use paydesk_shared::bank_protocol::SETTLEMENT_CSV_HEADER;

use crate::ledger::{Transaction, TransactionKind};

pub(crate) fn csv(lines: &[Transaction]) -> String {
    let mut out = String::with_capacity(SETTLEMENT_CSV_HEADER.len() + 1 + lines.len() * 128);
    out.push_str(SETTLEMENT_CSV_HEADER);
    out.push('\n');
    for line in lines {
        let (kind, refund_id) = match &line.kind {
            TransactionKind::Payment => ("payment", ""),
            TransactionKind::Refund { refund_id } => ("refund", refund_id.as_str()),
            // Declines move no money and are never settled.
            TransactionKind::Decline(_) => continue,
        };
        let fields = [
            kind,
            &line.id,
            &line.attempt_id,
            &line.order_id,
            refund_id,
            &line.bank_code,
            &line.amount.to_string(),
            line.amount.currency().code(),
            &line.at.to_string(),
        ];
        let quoted: Vec<String> = fields.iter().map(|f| field(f)).collect();
        out.push_str(&quoted.join(","));
        out.push('\n');
    }
    out
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
    use paydesk_shared::{Currency, Money};

    fn line(kind: TransactionKind, id: &str, order_id: &str, amount: &str) -> Transaction {
        Transaction {
            id: id.into(),
            kind,
            attempt_id: "att_1".into(),
            merchant_id: "mer_1".into(),
            order_id: order_id.into(),
            bank_code: "ICBC".into(),
            merchant_name: "Shop".into(),
            card: None,
            amount: Money::parse(amount, Currency::Cny).unwrap(),
            at: 1_795_651_300,
        }
    }

    #[test]
    fn one_line_per_payment_and_refund_with_quoting() {
        let file = csv(&[
            line(TransactionKind::Payment, "SBX1", "ord_1", "25.00"),
            line(
                TransactionKind::Decline(DeclineReason::InsufficientFunds),
                "SBX2",
                "ord_2",
                "9.00",
            ),
            line(
                TransactionKind::Refund {
                    refund_id: "rf_1".into(),
                },
                "SBR1",
                "ord \"a\", b",
                "5.00",
            ),
        ]);
        assert_eq!(
            file,
            format!(
                "{SETTLEMENT_CSV_HEADER}\n\
                 payment,SBX1,att_1,ord_1,,ICBC,25.00,CNY,1795651300\n\
                 refund,SBR1,att_1,\"ord \"\"a\"\", b\",rf_1,ICBC,5.00,CNY,1795651300\n"
            )
        );
    }

    #[test]
    fn an_empty_day_is_the_header_alone() {
        assert_eq!(csv(&[]), format!("{SETTLEMENT_CSV_HEADER}\n"));
    }
}
