//! Reading a settlement file (protocol step 7) strictly: exactly
//! `SETTLEMENT_CSV_HEADER`, then one line per payment or refund, every line ended by
//! `\n`. Fields are RFC 4180: a field with a comma, quote or line break is quoted, its
//! quotes doubled. Anything else, including `\r`, is a malformed file, never a guess.

use std::str::FromStr;

use paydesk_shared::bank_protocol::SETTLEMENT_CSV_HEADER;
use rust_decimal::Decimal;

use super::{ConnectorError, SettlementKind, SettlementLine};

/// Fields per line, as in the header.
const FIELDS: usize = 9;
/// Longer amount strings are refused before parsing.
const MAX_AMOUNT_LEN: usize = 32;

/// Every line of the file, in order (duplicates kept: spotting them is the reader's
/// business).
pub(super) fn parse(text: &str) -> Result<Vec<SettlementLine>, ConnectorError> {
    let body = text
        .strip_prefix(SETTLEMENT_CSV_HEADER)
        .and_then(|rest| rest.strip_prefix('\n'))
        .ok_or_else(|| malformed(format!("it does not start with `{SETTLEMENT_CSV_HEADER}`")))?;
    records(body)?
        .into_iter()
        .enumerate()
        .map(|(i, fields)| line(&fields).map_err(|why| malformed(format!("line {}: {why}", i + 2))))
        .collect()
}

fn malformed(why: String) -> ConnectorError {
    ConnectorError::Malformed(format!("settlement file: {why}"))
}

/// Splits the lines after the header into fields.
fn records(body: &str) -> Result<Vec<Vec<String>>, ConnectorError> {
    let mut out = Vec::new();
    let mut chars = body.chars().peekable();
    while chars.peek().is_some() {
        let line = out.len() + 2;
        let mut fields = Vec::with_capacity(FIELDS);
        loop {
            let mut field = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some(c) => field.push(c),
                        None => {
                            return Err(malformed(format!(
                                "line {line}: a quoted field never ends"
                            )));
                        }
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == ',' || c == '\n' {
                        break;
                    }
                    if c == '"' || c == '\r' {
                        return Err(malformed(format!(
                            "line {line}: a quote or carriage return in an unquoted field"
                        )));
                    }
                    field.push(c);
                    chars.next();
                }
            }
            fields.push(field);
            match chars.next() {
                Some(',') => continue,
                Some('\n') => break,
                Some(_) => {
                    return Err(malformed(format!(
                        "line {line}: text after a quoted field's closing quote"
                    )));
                }
                None => {
                    return Err(malformed(format!(
                        "line {line} does not end with a line feed"
                    )));
                }
            }
        }
        out.push(fields);
    }
    Ok(out)
}

fn line(fields: &[String]) -> Result<SettlementLine, String> {
    let [
        kind,
        bank_transaction_id,
        attempt_id,
        order_id,
        refund_id,
        bank_code,
        amount,
        currency,
        at,
    ] = fields
    else {
        return Err(format!("{} fields, not {FIELDS}", fields.len()));
    };
    let kind = match kind.as_str() {
        "payment" => SettlementKind::Payment,
        "refund" => SettlementKind::Refund,
        _ => return Err("`type` is neither `payment` nor `refund`".to_owned()),
    };
    let refund_id = match (kind, refund_id.is_empty()) {
        (SettlementKind::Payment, true) => None,
        (SettlementKind::Refund, false) => Some(text("refund_id", refund_id)?),
        (SettlementKind::Payment, false) => return Err("a payment with a `refund_id`".to_owned()),
        (SettlementKind::Refund, true) => return Err("a refund without a `refund_id`".to_owned()),
    };
    Ok(SettlementLine {
        kind,
        bank_transaction_id: text("bank_transaction_id", bank_transaction_id)?,
        attempt_id: text("attempt_id", attempt_id)?,
        order_id: text("order_id", order_id)?,
        refund_id,
        bank_code: text("bank_code", bank_code)?,
        amount: decimal(amount).ok_or("`amount` is not a plain decimal such as 25.00")?,
        currency: currency_code(currency).ok_or("`currency` is not three capital letters")?,
        at: seconds(at).ok_or("`at` is not Unix seconds")?,
    })
}

/// Ids and codes: not empty, no control characters.
fn text(field: &str, value: &str) -> Result<String, String> {
    if value.is_empty() || value.chars().any(char::is_control) {
        Err(format!("`{field}` is empty or has control characters"))
    } else {
        Ok(value.to_owned())
    }
}

/// Digits, optionally a point and more digits: no sign, exponent or separators.
fn decimal(value: &str) -> Option<Decimal> {
    let (whole, fraction) = match value.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (value, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let shaped = value.len() <= MAX_AMOUNT_LEN && digits(whole) && fraction.is_none_or(digits);
    shaped.then(|| Decimal::from_str(value).ok()).flatten()
}

fn currency_code(value: &str) -> Option<String> {
    (value.len() == 3 && value.bytes().all(|b| b.is_ascii_uppercase())).then(|| value.to_owned())
}

/// Unsigned digits that fit an `i64`.
fn seconds(value: &str) -> Option<i64> {
    (!value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()))
        .then(|| value.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(lines: &[&str]) -> String {
        let mut out = format!("{SETTLEMENT_CSV_HEADER}\n");
        for line in lines {
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    const PAYMENT: &str = "payment,SBX1,att_1,ord_1,,ICBC,25.00,CNY,1795651300";
    const REFUND: &str = "refund,SBR1,att_1,\"ord \"\"a\"\", b\",rf_1,ICBC,5.00,CNY,1795651301";

    #[test]
    fn reads_payments_and_refunds_with_quoting() {
        let lines = parse(&file(&[PAYMENT, REFUND])).unwrap();
        assert_eq!(
            lines,
            [
                SettlementLine {
                    kind: SettlementKind::Payment,
                    bank_transaction_id: "SBX1".into(),
                    attempt_id: "att_1".into(),
                    order_id: "ord_1".into(),
                    refund_id: None,
                    bank_code: "ICBC".into(),
                    amount: dec("25.00"),
                    currency: "CNY".into(),
                    at: 1_795_651_300,
                },
                SettlementLine {
                    kind: SettlementKind::Refund,
                    bank_transaction_id: "SBR1".into(),
                    attempt_id: "att_1".into(),
                    order_id: "ord \"a\", b".into(),
                    refund_id: Some("rf_1".into()),
                    bank_code: "ICBC".into(),
                    amount: dec("5.00"),
                    currency: "CNY".into(),
                    at: 1_795_651_301,
                },
            ]
        );
        // The scale is kept as written.
        assert_eq!(lines[0].amount.scale(), 2);
    }

    #[test]
    fn an_empty_day_is_no_lines() {
        assert_eq!(parse(&file(&[])).unwrap(), []);
    }

    #[test]
    fn what_the_banks_faults_write_still_reads() {
        // A duplicate, an amount a unit off, another currency, a line nobody saw, a
        // whole-unit currency: all well-formed, for reconciliation to judge.
        let lines = parse(&file(&[
            PAYMENT,
            PAYMENT,
            "payment,SBX2,att_2,ord_2,,ICBC,26.00,USD,1795651300",
            "payment,SBX99202611260000000000,att_unknown_20261126_0,ord_unknown_20261126_0,,ICBC,10.00,CNY,1795694400",
            "payment,SBX3,att_3,ord_3,,MUFG,2500,JPY,1795651300",
            "payment,SBX4,att_4,ord_4,,ICBC,2500,CNY,0",
        ]))
        .unwrap();
        assert_eq!(lines.len(), 6);
        assert_eq!(lines[0], lines[1]);
        assert_eq!(lines[2].currency, "USD");
        assert_eq!(lines[4].amount, dec("2500"));
        assert_eq!(lines[5].at, 0);
        // A quoted line break reads as part of one field, but no id holds one.
        let quoted = parse(&file(&["payment,SBX1,att_1,\"ord\n1\",,ICBC,1.00,CNY,1"]));
        assert!(
            quoted.is_err(),
            "control characters are refused even quoted"
        );
    }

    #[test]
    fn anything_else_is_malformed_not_a_panic() {
        let bad_files = [
            String::new(),
            "\n".to_owned(),
            SETTLEMENT_CSV_HEADER.to_owned(),
            format!("{SETTLEMENT_CSV_HEADER},extra\n"),
            format!("{SETTLEMENT_CSV_HEADER}\r\n"),
            SETTLEMENT_CSV_HEADER.replace("amount", "amt") + "\n",
            format!("{SETTLEMENT_CSV_HEADER}\n{PAYMENT}"),
            format!("{SETTLEMENT_CSV_HEADER}\n{PAYMENT}\r\n"),
            format!("\u{feff}{SETTLEMENT_CSV_HEADER}\n"),
        ];
        for text in &bad_files {
            assert!(
                matches!(parse(text), Err(ConnectorError::Malformed(_))),
                "{text:?}"
            );
        }
        let bad_lines = [
            "",
            "payment,SBX1,att_1,ord_1,,ICBC,25.00,CNY",
            "payment,SBX1,att_1,ord_1,,ICBC,25.00,CNY,1795651300,",
            "Payment,SBX1,att_1,ord_1,,ICBC,25.00,CNY,1",
            "decline,SBX1,att_1,ord_1,,ICBC,25.00,CNY,1",
            "payment,SBX1,att_1,ord_1,rf_1,ICBC,25.00,CNY,1",
            "refund,SBR1,att_1,ord_1,,ICBC,25.00,CNY,1",
            "payment,,att_1,ord_1,,ICBC,25.00,CNY,1",
            "payment,SBX1,,ord_1,,ICBC,25.00,CNY,1",
            "payment,SBX1,att_1,,,ICBC,25.00,CNY,1",
            "payment,SBX1,att_1,ord_1,,,25.00,CNY,1",
            "payment,SBX1,att\t1,ord_1,,ICBC,25.00,CNY,1",
            "payment,SBX1,att_1,ord_1,,ICBC,-1.00,CNY,1",
            "payment,SBX1,att_1,ord_1,,ICBC,+1.00,CNY,1",
            "payment,SBX1,att_1,ord_1,,ICBC,1e3,CNY,1",
            "payment,SBX1,att_1,ord_1,,ICBC,1.,CNY,1",
            "payment,SBX1,att_1,ord_1,,ICBC,.5,CNY,1",
            "payment,SBX1,att_1,ord_1,,ICBC,,CNY,1",
            "payment,SBX1,att_1,ord_1,,ICBC, 1.00,CNY,1",
            "payment,SBX1,att_1,ord_1,,ICBC,1.0.0,CNY,1",
            "payment,SBX1,att_1,ord_1,,ICBC,\"1,00\",CNY,1",
            "payment,SBX1,att_1,ord_1,,ICBC,123456789012345678901234567890123,CNY,1",
            "payment,SBX1,att_1,ord_1,,ICBC,99999999999999999999999999999999,CNY,1",
            "payment,SBX1,att_1,ord_1,,ICBC,1.00,cny,1",
            "payment,SBX1,att_1,ord_1,,ICBC,1.00,CNYX,1",
            "payment,SBX1,att_1,ord_1,,ICBC,1.00,,1",
            "payment,SBX1,att_1,ord_1,,ICBC,1.00,CNY,",
            "payment,SBX1,att_1,ord_1,,ICBC,1.00,CNY,-5",
            "payment,SBX1,att_1,ord_1,,ICBC,1.00,CNY,1.5",
            "payment,SBX1,att_1,ord_1,,ICBC,1.00,CNY,99999999999999999999",
            "payment,SBX1,att_1,\"ord_1,,ICBC,1.00,CNY,1",
            "payment,SBX1,att_1,\"ord\"x,,ICBC,1.00,CNY,1",
            "payment,SBX1,att_1,or\"d,,ICBC,1.00,CNY,1",
            "payment,SBX1,att_1,ord_1\r,,ICBC,1.00,CNY,1",
        ];
        for bad in bad_lines {
            let error = parse(&file(&[PAYMENT, bad])).unwrap_err();
            let ConnectorError::Malformed(message) = &error else {
                panic!("{bad:?}: {error}");
            };
            assert!(message.contains("line 3"), "{bad:?}: {message}");
        }
    }
}
