//! Amounts of money and the rules for rounding them.
//!
//! Every amount in Till is a `rust_decimal::Decimal` wrapped in [`Money`], so that
//! an amount can never be mixed up with a quantity or a tax rate, and never goes
//! near a float. The sale carries one [`Currency`]; amounts are rounded to its
//! minor units only where a rule says so (per line, per tax line, cash rounding),
//! never silently on arithmetic.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// An amount in the currency's major unit (12.34 means twelve euros and 34 cents).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(pub Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    pub fn new(amount: Decimal) -> Self {
        Money(amount)
    }

    pub fn amount(self) -> Decimal {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// Multiplies by a quantity or a factor. Unrounded: callers round where a rule says.
    pub fn times(self, factor: Decimal) -> Money {
        Money(self.0 * factor)
    }

    pub fn max(self, other: Money) -> Money {
        if self >= other { self } else { other }
    }

    pub fn min(self, other: Money) -> Money {
        if self <= other { self } else { other }
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// How a midpoint is rounded. Half-even is the default because it does not
/// drift upwards over many lines (banker's rounding); some tax regimes demand half-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    #[default]
    HalfEven,
    HalfUp,
    HalfDown,
}

impl RoundingMode {
    fn strategy(self) -> RoundingStrategy {
        match self {
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::HalfDown => RoundingStrategy::MidpointTowardZero,
        }
    }
}

/// An ISO 4217 currency: its code and how many minor units it has (EUR 2, JPY 0, KWD 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Currency {
    pub code: String,
    pub minor_units: u32,
}

impl Currency {
    /// Checks the code's shape; the list of ISO codes changes, so any three
    /// capital letters are accepted and the minor units are the shop's word.
    pub fn new(code: &str, minor_units: u32) -> Result<Currency, MoneyError> {
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(MoneyError::BadCurrencyCode(code.to_string()));
        }
        if minor_units > 4 {
            return Err(MoneyError::BadMinorUnits(minor_units));
        }
        Ok(Currency {
            code: code.to_string(),
            minor_units,
        })
    }

    /// The digits after the point a currency usually has: 2, but 0 for the
    /// yen and its like and 3 for the dinars.
    pub fn usual_minor_units(code: &str) -> u32 {
        match code {
            "JPY" | "KRW" | "ISK" | "CLP" | "VND" | "XOF" | "XAF" | "UGX" | "PYG" => 0,
            "BHD" | "KWD" | "OMR" | "JOD" | "TND" | "LYD" | "IQD" => 3,
            _ => 2,
        }
    }

    /// Rounds to the currency's minor units.
    pub fn round(&self, amount: Money, mode: RoundingMode) -> Money {
        Money(
            amount
                .0
                .round_dp_with_strategy(self.minor_units, mode.strategy()),
        )
    }

    /// Parses an amount typed or written in a file ("12.5", "3"), refusing more
    /// decimals than the currency has, so "1.999" is an error, not a silent 2.00.
    pub fn parse(&self, text: &str) -> Result<Money, MoneyError> {
        let value: Decimal = text
            .trim()
            .parse()
            .map_err(|_| MoneyError::NotAnAmount(text.to_string()))?;
        if value.scale() > self.minor_units && value.normalize().scale() > self.minor_units {
            return Err(MoneyError::TooManyDecimals {
                text: text.to_string(),
                currency: self.code.clone(),
                minor_units: self.minor_units,
            });
        }
        Ok(Money(value))
    }

    /// Shows an amount with exactly the currency's minor units ("12.50").
    pub fn format(&self, amount: Money) -> String {
        let mut value = amount.0;
        value.rescale(self.minor_units);
        value.to_string()
    }
}

impl Default for Currency {
    fn default() -> Self {
        Currency {
            code: "EUR".to_string(),
            minor_units: 2,
        }
    }
}

/// Rounds a cash amount to the smallest coin in circulation (0.05 in Switzerland,
/// 0.10 in some others). Applied only to what is paid in cash, never to lines or tax.
pub fn round_to_increment(amount: Money, increment: Decimal, mode: RoundingMode) -> Money {
    if increment <= Decimal::ZERO {
        return amount;
    }
    let steps = (amount.0 / increment).round_dp_with_strategy(0, mode.strategy());
    Money(steps * increment)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("'{0}' is not a currency code: use three capital letters such as EUR or USD")]
    BadCurrencyCode(String),
    #[error("{0} minor units is more than any currency has (at most 4)")]
    BadMinorUnits(u32),
    #[error("'{0}' is not an amount: type digits with an optional decimal point, such as 12.50")]
    NotAnAmount(String),
    #[error("'{text}' has more decimals than {currency} allows ({minor_units})")]
    TooManyDecimals {
        text: String,
        currency: String,
        minor_units: u32,
    },
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn half_even_rounds_midpoints_to_even_cents() {
        let eur = Currency::default();
        assert_eq!(
            eur.round(Money(dec!(0.125)), RoundingMode::HalfEven),
            Money(dec!(0.12))
        );
        assert_eq!(
            eur.round(Money(dec!(0.135)), RoundingMode::HalfEven),
            Money(dec!(0.14))
        );
        assert_eq!(
            eur.round(Money(dec!(0.125)), RoundingMode::HalfUp),
            Money(dec!(0.13))
        );
        assert_eq!(
            eur.round(Money(dec!(-0.125)), RoundingMode::HalfUp),
            Money(dec!(-0.13))
        );
    }

    #[test]
    fn zero_decimal_currency_rounds_to_whole_units() {
        let jpy = Currency::new("JPY", 0).unwrap();
        assert_eq!(
            jpy.round(Money(dec!(100.5)), RoundingMode::HalfEven),
            Money(dec!(100))
        );
        assert_eq!(jpy.format(Money(dec!(100))), "100");
    }

    #[test]
    fn cash_rounding_to_five_cents() {
        let r = |a| round_to_increment(Money(a), dec!(0.05), RoundingMode::HalfUp);
        assert_eq!(r(dec!(10.02)), Money(dec!(10.00)));
        assert_eq!(r(dec!(10.03)), Money(dec!(10.05)));
        assert_eq!(r(dec!(10.025)), Money(dec!(10.05)));
        assert_eq!(r(dec!(10.07)), Money(dec!(10.05)));
    }

    #[test]
    fn parse_refuses_extra_decimals_and_garbage() {
        let eur = Currency::default();
        assert_eq!(eur.parse("12.5").unwrap(), Money(dec!(12.5)));
        assert_eq!(eur.parse("12.500").unwrap(), Money(dec!(12.5)));
        assert!(matches!(
            eur.parse("1.999"),
            Err(MoneyError::TooManyDecimals { .. })
        ));
        assert!(matches!(
            eur.parse("12,50"),
            Err(MoneyError::NotAnAmount(_))
        ));
        assert!(Currency::new("eur", 2).is_err());
        assert_eq!(eur.format(Money(dec!(3))), "3.00");
    }
}
