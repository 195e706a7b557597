//! What the gateway charges a merchant for a payment: a fee plan per merchant, one
//! rule per card kind.
//!
//! The rule, in order, all in the payment's currency:
//! 1. `amount × basis_points / 10 000`, rounded to the currency's minor units, half
//!    away from zero (0.005 → 0.01; ¥0.5 → ¥1);
//! 2. plus `fixed`;
//! 3. raised to `minimum` and lowered to `maximum`, when set;
//! 4. never more than the payment itself, never negative.
//!
//! `fixed`, `minimum` and `maximum` are written in major units and rounded to the
//! payment currency's minor units by the same rule before use, so one plan serves every
//! currency. Fees are kept on refunds (as Stripe does): a refund gives the shopper
//! back what they paid and the merchant's balance pays all of it.

use paydesk_shared::bank::CardKind;
use paydesk_shared::{Currency, Money};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// Largest rate a plan may charge: 100%.
pub const MAX_BASIS_POINTS: u32 = 10_000;

/// How one card kind is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeeRule {
    pub basis_points: u32,
    #[serde(default)]
    pub fixed: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<Decimal>,
}

/// A merchant's fees, per card kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeePlan {
    pub debit: FeeRule,
    pub credit: FeeRule,
}

impl Default for FeePlan {
    /// 0.6% on debit cards and 1.0% on credit cards, nothing fixed, no minimum or
    /// maximum.
    fn default() -> Self {
        let rate = |basis_points| FeeRule {
            basis_points,
            fixed: Decimal::ZERO,
            minimum: None,
            maximum: None,
        };
        FeePlan {
            debit: rate(60),
            credit: rate(100),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeePlanError {
    #[error("{0}: basis_points must be at most {MAX_BASIS_POINTS} (100%)")]
    Rate(&'static str),
    #[error("{0}: fixed, minimum and maximum must not be negative")]
    Negative(&'static str),
    #[error("{0}: minimum must not be above maximum")]
    MinimumAboveMaximum(&'static str),
    #[error("{0}: amounts have at most 2 decimal places and stay below 1,000,000")]
    Amount(&'static str),
}

impl FeePlan {
    /// Refuses a plan no payment could be charged by sensibly.
    pub fn validate(&self) -> Result<(), FeePlanError> {
        for kind in CardKind::ALL {
            self.rule(kind).validate(kind.as_str())?;
        }
        Ok(())
    }

    pub fn rule(&self, kind: CardKind) -> &FeeRule {
        match kind {
            CardKind::Debit => &self.debit,
            CardKind::Credit => &self.credit,
        }
    }

    /// The fee on `amount` paid by a `kind` card.
    pub fn fee(&self, amount: Money, kind: CardKind) -> Money {
        self.rule(kind).fee(amount)
    }
}

impl FeeRule {
    fn validate(&self, what: &'static str) -> Result<(), FeePlanError> {
        if self.basis_points > MAX_BASIS_POINTS {
            return Err(FeePlanError::Rate(what));
        }
        let limit = Decimal::from(1_000_000);
        for value in [Some(self.fixed), self.minimum, self.maximum]
            .into_iter()
            .flatten()
        {
            if value.is_sign_negative() && !value.is_zero() {
                return Err(FeePlanError::Negative(what));
            }
            if value.scale() > 2 || value >= limit {
                return Err(FeePlanError::Amount(what));
            }
        }
        if let (Some(min), Some(max)) = (self.minimum, self.maximum)
            && min > max
        {
            return Err(FeePlanError::MinimumAboveMaximum(what));
        }
        Ok(())
    }

    /// The fee on `amount` by the module's rule.
    pub fn fee(&self, amount: Money) -> Money {
        let currency = amount.currency();
        let rate = Decimal::from(self.basis_points) / Decimal::from(MAX_BASIS_POINTS);
        let mut fee = round(amount.amount() * rate, currency) + round(self.fixed, currency);
        if let Some(min) = self.minimum {
            fee = fee.max(round(min, currency));
        }
        if let Some(max) = self.maximum {
            fee = fee.min(round(max, currency));
        }
        let fee = fee.clamp(Decimal::ZERO, amount.amount());
        Money::parse(&fee.to_string(), currency).unwrap_or(Money::zero(currency))
    }
}

fn round(value: Decimal, currency: Currency) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(
        currency.minor_units(),
        RoundingStrategy::MidpointAwayFromZero,
    );
    rounded.rescale(currency.minor_units());
    rounded
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rule(basis_points: u32, fixed: &str) -> FeeRule {
        FeeRule {
            basis_points,
            fixed: fixed.parse().unwrap(),
            minimum: None,
            maximum: None,
        }
    }

    fn cny(s: &str) -> Money {
        Money::parse(s, Currency::Cny).unwrap()
    }

    #[test]
    fn rate_is_rounded_half_away_from_zero_then_fixed_added() {
        // 0.6% of 12.50 is 0.075 → 0.08.
        assert_eq!(rule(60, "0").fee(cny("12.50")), cny("0.08"));
        // 0.6% of 12.49 is 0.07494 → 0.07.
        assert_eq!(rule(60, "0").fee(cny("12.49")), cny("0.07"));
        assert_eq!(rule(100, "0.30").fee(cny("25.00")), cny("0.55"));
    }

    #[test]
    fn yen_rounds_to_whole_units() {
        let yen = |s: &str| Money::parse(s, Currency::Jpy).unwrap();
        // 0.6% of ¥250 is ¥1.5 → ¥2; a fixed 0.50 becomes ¥1.
        assert_eq!(rule(60, "0").fee(yen("250")), yen("2"));
        assert_eq!(rule(0, "0.50").fee(yen("250")), yen("1"));
    }

    #[test]
    fn minimum_and_maximum_bound_the_fee_and_the_payment_bounds_both() {
        let bounded = FeeRule {
            minimum: Some("1.00".parse().unwrap()),
            maximum: Some("5.00".parse().unwrap()),
            ..rule(100, "0")
        };
        assert_eq!(bounded.fee(cny("10.00")), cny("1.00"));
        assert_eq!(bounded.fee(cny("1000.00")), cny("5.00"));
        assert_eq!(
            bounded.fee(cny("0.50")),
            cny("0.50"),
            "never above the payment"
        );
    }

    #[test]
    fn validation_refuses_what_cannot_be_charged() {
        let mut plan = FeePlan::default();
        assert_eq!(plan.validate(), Ok(()));
        plan.credit.basis_points = 10_001;
        assert_eq!(plan.validate(), Err(FeePlanError::Rate("credit")));
        plan = FeePlan::default();
        plan.debit.fixed = "-0.01".parse().unwrap();
        assert_eq!(plan.validate(), Err(FeePlanError::Negative("debit")));
        plan = FeePlan::default();
        plan.debit.fixed = "0.001".parse().unwrap();
        assert_eq!(plan.validate(), Err(FeePlanError::Amount("debit")));
        plan = FeePlan::default();
        plan.debit.minimum = Some(Decimal::from(3));
        plan.debit.maximum = Some(Decimal::from(2));
        assert_eq!(
            plan.validate(),
            Err(FeePlanError::MinimumAboveMaximum("debit"))
        );
    }

    fn any_rule() -> impl Strategy<Value = FeeRule> {
        (
            0..=MAX_BASIS_POINTS,
            0i64..100_000,
            proptest::option::of(0i64..100_000),
            proptest::option::of(0i64..100_000),
        )
            .prop_map(|(basis_points, fixed, minimum, maximum)| FeeRule {
                basis_points,
                fixed: Decimal::new(fixed, 2),
                minimum: minimum.map(|m| Decimal::new(m, 2)),
                maximum: maximum.map(|m| Decimal::new(m, 2)),
            })
    }

    proptest! {
        #[test]
        fn fee_is_between_zero_and_the_amount_and_net_adds_up(
            rule in any_rule(),
            minor in 1i64..10_000_000_000,
            currency in proptest::sample::select(Currency::ALL.to_vec()),
        ) {
            let amount = Money::from_minor(minor, currency).unwrap();
            let fee = rule.fee(amount);
            prop_assert_eq!(fee.currency(), currency);
            prop_assert!(fee.amount() >= Decimal::ZERO);
            prop_assert!(fee.amount() <= amount.amount());
            prop_assert_eq!(fee.amount().scale(), currency.minor_units());
            let net = amount.minor() - fee.minor();
            prop_assert!(net >= 0);
            prop_assert_eq!(net + fee.minor(), amount.minor());
        }
    }
}
