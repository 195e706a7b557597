//! Money: a non-negative `rust_decimal::Decimal` held at exactly its currency's minor
//! units. Parsed strictly from decimal strings; all arithmetic is checked.

use std::fmt;

use rust_decimal::Decimal;

use crate::currency::Currency;

/// Largest amount Paydesk handles in any single figure (line total, order total), in
/// major units, exclusive. Far above any real online-banking payment, far below
/// `Decimal`'s range, so checked arithmetic on valid amounts never nears overflow.
pub const MAX_MAJOR: i64 = 1_000_000_000_000;

/// Longest amount string accepted; anything longer is rejected before parsing.
const MAX_INPUT_LEN: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("amount is empty")]
    Empty,
    #[error("amount must be a plain decimal string such as \"25.00\"")]
    Malformed,
    #[error("amount must not be negative")]
    Negative,
    #[error("{currency} amounts have at most {max} decimal places")]
    TooManyDecimals { currency: Currency, max: u32 },
    #[error("amount exceeds the maximum of {MAX_MAJOR} major units")]
    TooLarge,
    #[error("cannot combine {0} and {1} amounts")]
    CurrencyMismatch(Currency, Currency),
}

/// A non-negative amount in one currency, always at the currency's scale
/// (`25.00` CNY, `2500` JPY).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    pub fn zero(currency: Currency) -> Self {
        Money {
            amount: Decimal::new(0, currency.minor_units()),
            currency,
        }
    }

    /// Builds an amount from an integer count of minor units (fen, cents, yen).
    pub fn from_minor(minor: i64, currency: Currency) -> Result<Self, AmountError> {
        if minor < 0 {
            return Err(AmountError::Negative);
        }
        Self::checked(Decimal::new(minor, currency.minor_units()), currency)
    }

    /// Parses a decimal string: digits, optionally a point and at most the currency's
    /// minor units of digits. No sign, exponent, whitespace, or thousands separators.
    pub fn parse(input: &str, currency: Currency) -> Result<Self, AmountError> {
        if input.is_empty() {
            return Err(AmountError::Empty);
        }
        if input.starts_with('-') {
            return Err(AmountError::Negative);
        }
        if input.len() > MAX_INPUT_LEN {
            return Err(AmountError::TooLarge);
        }
        let (whole, fraction) = match input.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (input, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) || fraction.is_some_and(|f| !all_digits(f)) {
            return Err(AmountError::Malformed);
        }
        let decimals = fraction.map_or(0, str::len);
        let max = currency.minor_units();
        if decimals > max as usize {
            return Err(AmountError::TooManyDecimals { currency, max });
        }
        // Integer digits beyond MAX_MAJOR's are too large whatever they hold; cutting
        // them off early keeps the Decimal conversion below from overflowing.
        if whole.trim_start_matches('0').len() > 13 {
            return Err(AmountError::TooLarge);
        }
        let digits: String = [whole, fraction.unwrap_or("")].concat();
        let mantissa: i64 = digits.parse().map_err(|_| AmountError::TooLarge)?;
        let mut amount = Decimal::new(mantissa, decimals as u32);
        amount.rescale(max);
        Self::checked(amount, currency)
    }

    fn checked(amount: Decimal, currency: Currency) -> Result<Self, AmountError> {
        if amount >= Decimal::from(MAX_MAJOR) {
            return Err(AmountError::TooLarge);
        }
        Ok(Money { amount, currency })
    }

    pub fn amount(&self) -> Decimal {
        self.amount
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The amount as an integer count of minor units.
    pub fn minor(&self) -> i64 {
        // Always exact: the scale equals the currency's minor units and the amount is
        // below MAX_MAJOR, so the mantissa fits an i64.
        i64::try_from(self.amount.mantissa()).unwrap_or(i64::MAX)
    }

    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    pub fn checked_add(self, other: Money) -> Result<Money, AmountError> {
        if self.currency != other.currency {
            return Err(AmountError::CurrencyMismatch(self.currency, other.currency));
        }
        let sum = self
            .amount
            .checked_add(other.amount)
            .ok_or(AmountError::TooLarge)?;
        Self::checked(sum, self.currency)
    }

    pub fn checked_mul(self, quantity: u32) -> Result<Money, AmountError> {
        let product = self
            .amount
            .checked_mul(Decimal::from(quantity))
            .ok_or(AmountError::TooLarge)?;
        Self::checked(product, self.currency)
    }

    /// Sums amounts of one currency; an empty input sums to zero.
    pub fn checked_sum(
        currency: Currency,
        amounts: impl IntoIterator<Item = Money>,
    ) -> Result<Money, AmountError> {
        amounts
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }
}

/// Writes the amount at the currency's scale, without the currency: `"25.00"`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.amount, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cny(s: &str) -> Result<Money, AmountError> {
        Money::parse(s, Currency::Cny)
    }

    #[test]
    fn parses_and_pads_to_minor_units() {
        assert_eq!(cny("25").unwrap().to_string(), "25.00");
        assert_eq!(cny("25.5").unwrap().to_string(), "25.50");
        assert_eq!(cny("0.01").unwrap().minor(), 1);
        assert_eq!(
            Money::parse("2500", Currency::Jpy).unwrap().to_string(),
            "2500"
        );
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(cny(""), Err(AmountError::Empty));
        assert_eq!(cny("-1.00"), Err(AmountError::Negative));
        for bad in [
            "1e3", "1E3", "+1", " 1", "1 ", "1,000", ".5", "5.", "abc", "0x10", "1.2.3", "NaN",
        ] {
            assert_eq!(cny(bad), Err(AmountError::Malformed), "{bad}");
        }
        assert_eq!(
            cny("1.001"),
            Err(AmountError::TooManyDecimals {
                currency: Currency::Cny,
                max: 2
            })
        );
        assert!(matches!(
            Money::parse("1.0", Currency::Jpy),
            Err(AmountError::TooManyDecimals { .. })
        ));
    }

    #[test]
    fn rejects_overflow() {
        assert_eq!(cny("1000000000000"), Err(AmountError::TooLarge));
        assert_eq!(
            cny("99999999999999999999999999999999"),
            Err(AmountError::TooLarge)
        );
        assert_eq!(cny(&"9".repeat(40)), Err(AmountError::TooLarge));
        assert!(cny("999999999999.99").is_ok());
        let big = cny("600000000000").unwrap();
        assert_eq!(big.checked_add(big), Err(AmountError::TooLarge));
        assert_eq!(big.checked_mul(2), Err(AmountError::TooLarge));
    }

    #[test]
    fn leading_zeros_do_not_count_as_size() {
        assert_eq!(cny("0000000000000000001.00").unwrap().minor(), 100);
    }

    #[test]
    fn refuses_to_mix_currencies() {
        let a = cny("1").unwrap();
        let b = Money::parse("1", Currency::Usd).unwrap();
        assert_eq!(
            a.checked_add(b),
            Err(AmountError::CurrencyMismatch(Currency::Cny, Currency::Usd))
        );
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(minor in 0i64..100_000_000_000_000) {
            let m = Money::from_minor(minor, Currency::Usd).unwrap();
            prop_assert_eq!(Money::parse(&m.to_string(), Currency::Usd).unwrap(), m);
            prop_assert_eq!(m.minor(), minor);
        }

        #[test]
        fn multiplication_matches_integer_arithmetic(minor in 0i64..1_000_000_000, q in 1u32..10_000) {
            let m = Money::from_minor(minor, Currency::Cny).unwrap();
            match m.checked_mul(q) {
                Ok(p) => prop_assert_eq!(p.minor(), minor * i64::from(q)),
                Err(e) => {
                    prop_assert_eq!(e, AmountError::TooLarge);
                    prop_assert!(minor * i64::from(q) >= MAX_MAJOR * 100);
                }
            }
        }

        #[test]
        fn sums_are_exact_in_minor_units(items in proptest::collection::vec(0i64..10_000_000, 0..50)) {
            let total = Money::checked_sum(
                Currency::Eur,
                items.iter().map(|&m| Money::from_minor(m, Currency::Eur).unwrap()),
            ).unwrap();
            prop_assert_eq!(total.minor(), items.iter().sum::<i64>());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = Money::parse(&s, Currency::Cny);
        }

        #[test]
        fn parse_accepts_exactly_plain_decimals(whole in "[0-9]{1,12}", frac in proptest::option::of("[0-9]{1,2}")) {
            let s = match &frac { Some(f) => format!("{whole}.{f}"), None => whole.clone() };
            let m = Money::parse(&s, Currency::Cny).unwrap();
            prop_assert_eq!(m.amount().scale(), 2);
        }
    }
}
