//! The sandbox bank's test cards. They are valid at every bank of the directory, so a
//! shopper (or a test, or the gateway's test helpers) can pick any bank and pay with
//! the same card. The sandbox bank holds their money; everything else only names them.

use crate::Money;
use crate::bank::CardKind;
use crate::currency::Currency;

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
    pub opening_major: i64,
    /// The same for currencies without minor units (JPY, KRW), where the figure is
    /// a hundred times larger so it buys about as much.
    pub opening_major_whole: i64,
    /// The last month the card is valid, as printed on it: (year, month).
    pub valid_thru: (i64, u32),
    /// Whether refunds reach it; a card whose account was closed after paying refuses
    /// them (`account_closed`).
    pub takes_refunds: bool,
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
    takes_refunds: true,
};

/// Nearly empty debit card: declined with insufficient funds for most orders.
pub const POOR_DEBIT: TestCard = TestCard {
    number: "6222000000000002",
    kind: CardKind::Debit,
    password: "123456",
    opening_major: 10,
    opening_major_whole: 1_000,
    valid_thru: (2099, 12),
    takes_refunds: true,
};

/// Credit card with a generous credit line.
pub const CREDIT: TestCard = TestCard {
    number: "6250000000000003",
    kind: CardKind::Credit,
    password: "123456",
    opening_major: 50_000,
    opening_major_whole: 5_000_000,
    valid_thru: (2099, 12),
    takes_refunds: true,
};

/// Debit card that expired at the end of 2020: declined with `card_expired`.
pub const EXPIRED_DEBIT: TestCard = TestCard {
    number: "6222000000000004",
    kind: CardKind::Debit,
    password: "123456",
    opening_major: 100_000,
    opening_major_whole: 10_000_000,
    valid_thru: (2020, 12),
    takes_refunds: true,
};

/// Credit card with almost no credit left: declined with insufficient funds.
pub const POOR_CREDIT: TestCard = TestCard {
    number: "6250000000000005",
    kind: CardKind::Credit,
    password: "123456",
    opening_major: 10,
    opening_major_whole: 1_000,
    valid_thru: (2099, 12),
    takes_refunds: true,
};

/// Credit card that expired at the end of 2020: declined with `card_expired`.
pub const EXPIRED_CREDIT: TestCard = TestCard {
    number: "6250000000000006",
    kind: CardKind::Credit,
    password: "123456",
    opening_major: 50_000,
    opening_major_whole: 5_000_000,
    valid_thru: (2020, 12),
    takes_refunds: true,
};

/// Debit card that pays, but whose account is closed by the time a refund comes:
/// every refund to it fails with `account_closed`.
pub const REFUND_REFUSED_DEBIT: TestCard = TestCard {
    number: "6222000000000007",
    kind: CardKind::Debit,
    password: "123456",
    opening_major: 100_000,
    opening_major_whole: 10_000_000,
    valid_thru: (2099, 12),
    takes_refunds: false,
};

pub const TEST_CARDS: [TestCard; 7] = [
    RICH_DEBIT,
    POOR_DEBIT,
    CREDIT,
    EXPIRED_DEBIT,
    POOR_CREDIT,
    EXPIRED_CREDIT,
    REFUND_REFUSED_DEBIT,
];

/// Digits in groups of four, as printed on a card.
pub fn group_digits(digits: &str) -> String {
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
    fn numbers_are_unique_and_printed_in_groups_of_four() {
        let mut numbers: Vec<_> = TEST_CARDS.iter().map(|c| c.number).collect();
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), TEST_CARDS.len());
        assert_eq!(RICH_DEBIT.display_number(), "6222 0000 0000 0001");
        assert_eq!(EXPIRED_DEBIT.display_valid_thru(), "12/20");
        assert_eq!(RICH_DEBIT.display_valid_thru(), "12/99");
    }
}
