//! The sandbox test cards. They are valid at every bank of the directory, so a shopper
//! (or a test) can pick any bank and pay with the same card.

use std::fmt;

use paydesk_shared::bank::CardKind;
use paydesk_shared::{Currency, Money};

use crate::calendar::month_end;

/// One test card and the money it starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestCard {
    /// The card number, digits only.
    pub number: &'static str,
    pub kind: CardKind,
    /// The payment password. Public on purpose: these cards exist to be typed in.
    pub password: &'static str,
    /// Opening balance (debit) or credit line (credit) in major units, for currencies
    /// with minor units (CNY, USD, …).
    opening_major: i64,
    /// The same for currencies without minor units (JPY, KRW), where the figure is
    /// a hundred times larger so it buys about as much.
    opening_major_whole: i64,
    /// The last month the card is valid, as printed on it: (year, month).
    pub valid_thru: (i64, u32),
}

impl TestCard {
    /// What the card holds in `currency` before its first payment.
    pub fn opening_balance(&self, currency: Currency) -> Money {
        let major = if currency.minor_units() == 0 {
            self.opening_major_whole
        } else {
            self.opening_major
        };
        let minor = major.saturating_mul(10_i64.pow(currency.minor_units()));
        Money::from_minor(minor, currency).unwrap_or_else(|_| Money::zero(currency))
    }

    /// Past its last valid month at Unix time `now`.
    pub fn is_expired(&self, now: i64) -> bool {
        let (year, month) = self.valid_thru;
        now >= month_end(year, month)
    }

    /// `MM/YY`, as printed on a card.
    pub fn display_valid_thru(&self) -> String {
        let (year, month) = self.valid_thru;
        format!("{month:02}/{:02}", year.rem_euclid(100))
    }

    /// The card number grouped in fours, as printed on a card.
    pub fn display_number(&self) -> String {
        group_digits(self.number)
    }
}

/// Rich debit card: pays for anything within the banks' limits.
pub const RICH_DEBIT: TestCard = TestCard {
    number: "6222000000000001",
    kind: CardKind::Debit,
    password: "123456",
    opening_major: 100_000,
    opening_major_whole: 10_000_000,
    valid_thru: (2099, 12),
};

/// Nearly empty debit card: declined with insufficient funds for most orders.
pub const POOR_DEBIT: TestCard = TestCard {
    number: "6222000000000002",
    kind: CardKind::Debit,
    password: "123456",
    opening_major: 10,
    opening_major_whole: 1_000,
    valid_thru: (2099, 12),
};

/// Credit card with a generous credit line.
pub const CREDIT: TestCard = TestCard {
    number: "6250000000000003",
    kind: CardKind::Credit,
    password: "123456",
    opening_major: 50_000,
    opening_major_whole: 5_000_000,
    valid_thru: (2099, 12),
};

/// Debit card that expired at the end of 2020: declined with `card_expired`.
pub const EXPIRED_DEBIT: TestCard = TestCard {
    number: "6222000000000004",
    kind: CardKind::Debit,
    password: "123456",
    opening_major: 100_000,
    opening_major_whole: 10_000_000,
    valid_thru: (2020, 12),
};

pub const TEST_CARDS: [TestCard; 4] = [RICH_DEBIT, POOR_DEBIT, CREDIT, EXPIRED_DEBIT];

/// A card number as typed by a shopper, normalised to digits only. Constructing one
/// does not mean the card exists; [`CardNumber::test_card`] says that.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CardNumber(String);

/// Card numbers are 12 to 19 digits (ISO/IEC 7812).
const CARD_DIGITS: std::ops::RangeInclusive<usize> = 12..=19;

impl CardNumber {
    /// Accepts digits with any spaces in between; anything else is not a card number.
    pub fn parse(input: &str) -> Option<CardNumber> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        (CARD_DIGITS.contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
            .then_some(CardNumber(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn test_card(&self) -> Option<TestCard> {
        TEST_CARDS.into_iter().find(|card| card.number == self.0)
    }

    /// Only the last four digits, the way statements and receipts show a card.
    pub fn masked(&self) -> String {
        format!("**** {}", self.last4())
    }

    /// The last four digits: all of the number the gateway is told.
    pub fn last4(&self) -> &str {
        self.0.get(self.0.len().saturating_sub(4)..).unwrap_or("")
    }
}

impl fmt::Display for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&group_digits(&self.0))
    }
}

fn group_digits(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 4);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_are_ignored_and_junk_rejected() {
        let parsed = CardNumber::parse(" 6222 0000 0000 0001 ").unwrap();
        assert_eq!(parsed.as_str(), "6222000000000001");
        assert_eq!(parsed.test_card(), Some(RICH_DEBIT));
        assert_eq!(parsed.to_string(), "6222 0000 0000 0001");
        assert_eq!(parsed.masked(), "**** 0001");
        assert_eq!(parsed.last4(), "0001");
        assert!(CardNumber::parse("6222-0000-0000-0001").is_none());
        assert!(CardNumber::parse("").is_none());
        assert!(CardNumber::parse("12345").is_none());
        assert!(CardNumber::parse(&"1".repeat(20)).is_none());
        assert!(
            CardNumber::parse("6222000000000009")
                .unwrap()
                .test_card()
                .is_none()
        );
    }

    #[test]
    fn opening_balances_follow_the_table() {
        assert_eq!(
            RICH_DEBIT.opening_balance(Currency::Cny).to_string(),
            "100000.00"
        );
        assert_eq!(
            RICH_DEBIT.opening_balance(Currency::Jpy).to_string(),
            "10000000"
        );
        assert_eq!(
            POOR_DEBIT.opening_balance(Currency::Usd).to_string(),
            "10.00"
        );
        assert_eq!(
            POOR_DEBIT.opening_balance(Currency::Krw).to_string(),
            "1000"
        );
        assert_eq!(
            CREDIT.opening_balance(Currency::Eur).to_string(),
            "50000.00"
        );
        assert_eq!(CREDIT.opening_balance(Currency::Krw).to_string(), "5000000");
    }

    #[test]
    fn only_the_expired_card_is_expired() {
        let now = 1_795_651_200; // 2026-11-26
        assert!(EXPIRED_DEBIT.is_expired(now));
        assert!(!EXPIRED_DEBIT.is_expired(1_609_459_199)); // 2020-12-31 23:59:59
        assert!(EXPIRED_DEBIT.is_expired(1_609_459_200)); // 2021-01-01
        for card in [RICH_DEBIT, POOR_DEBIT, CREDIT] {
            assert!(!card.is_expired(now));
        }
        assert_eq!(EXPIRED_DEBIT.display_valid_thru(), "12/20");
        assert_eq!(RICH_DEBIT.display_valid_thru(), "12/99");
    }
}
