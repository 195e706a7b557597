//! Card numbers as shoppers type them, and what the sandbox decides about the test
//! cards (`paydesk_shared::sandbox_cards`): whether one has expired.

use std::fmt;

pub use paydesk_shared::sandbox_cards::*;

use crate::calendar::month_end;

/// Past the card's last valid month at Unix time `now`.
pub fn is_expired(card: &TestCard, now: i64) -> bool {
    let (year, month) = card.valid_thru;
    now >= month_end(year, month)
}

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
    fn only_the_expired_card_is_expired() {
        let now = 1_795_651_200; // 2026-11-26
        for card in [EXPIRED_DEBIT, EXPIRED_CREDIT] {
            assert!(is_expired(&card, now));
            assert!(!is_expired(&card, 1_609_459_199)); // 2020-12-31 23:59:59
            assert!(is_expired(&card, 1_609_459_200)); // 2021-01-01
        }
        for card in [RICH_DEBIT, POOR_DEBIT, CREDIT, POOR_CREDIT] {
            assert!(!is_expired(&card, now));
        }
    }
}
