//! Discounts on a line or on the whole sale, and how a sale discount is shared
//! across lines.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Discount {
    /// Percent off, 0 to 100 ("10" is 10 %).
    Percent(Decimal),
    /// A fixed amount off; never more than what it applies to.
    Amount(Money),
}

impl Discount {
    pub fn validate(self) -> Result<(), &'static str> {
        match self {
            Discount::Percent(p) if p < Decimal::ZERO || p > Decimal::ONE_HUNDRED => {
                Err("a percentage must be between 0 and 100")
            }
            Discount::Amount(a) if a.is_negative() => Err("an amount off cannot be negative"),
            _ => Ok(()),
        }
    }

    /// The unrounded amount taken off `base`; callers round and cap it.
    pub fn of(self, base: Money) -> Money {
        match self {
            Discount::Percent(p) => base.times(p / Decimal::ONE_HUNDRED),
            Discount::Amount(a) => a,
        }
    }
}

/// Shares `total` across `weights` in proportion, in whole minor units, by the
/// largest-remainder method: the shares always add up to `total` exactly, and
/// no share is larger than its weight when `total` is not larger than their sum.
pub fn allocate(total: Money, weights: &[Money], minor_units: u32) -> Vec<Money> {
    let sum: Money = weights.iter().copied().sum();
    if total.is_zero() || sum.is_zero() {
        return vec![Money::ZERO; weights.len()];
    }
    let unit = Decimal::new(1, minor_units);
    let exact: Vec<Decimal> = weights
        .iter()
        .map(|w| total.amount() * w.amount() / sum.amount())
        .collect();
    let mut shares: Vec<Decimal> = exact.iter().map(|e| (e / unit).floor() * unit).collect();
    let mut left = total.amount() - shares.iter().sum::<Decimal>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Biggest remainder first; ties go to the earlier line so results are stable.
    order.sort_by(|&a, &b| {
        (exact[b] - shares[b])
            .cmp(&(exact[a] - shares[a]))
            .then(a.cmp(&b))
    });
    for i in order.into_iter().cycle().take(weights.len() * 2) {
        if left < unit {
            break;
        }
        if shares[i] + unit <= weights[i].amount() {
            shares[i] += unit;
            left -= unit;
        }
    }
    shares.into_iter().map(Money::new).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn allocation_adds_up_exactly() {
        let w = [Money(dec!(1.00)), Money(dec!(1.00)), Money(dec!(1.00))];
        let s = allocate(Money(dec!(1.00)), &w, 2);
        assert_eq!(
            s,
            vec![Money(dec!(0.34)), Money(dec!(0.33)), Money(dec!(0.33))]
        );
    }

    #[test]
    fn allocation_is_proportional() {
        let w = [Money(dec!(30.00)), Money(dec!(10.00))];
        assert_eq!(
            allocate(Money(dec!(4.00)), &w, 2),
            vec![Money(dec!(3.00)), Money(dec!(1.00))]
        );
    }

    #[test]
    fn discount_percent_bounds() {
        assert!(Discount::Percent(dec!(101)).validate().is_err());
        assert!(Discount::Percent(dec!(-1)).validate().is_err());
        assert!(Discount::Amount(Money(dec!(-1))).validate().is_err());
        assert_eq!(
            Discount::Percent(dec!(10)).of(Money(dec!(25.00))),
            Money(dec!(2.5000))
        );
    }
}
