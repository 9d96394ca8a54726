//! Tax categories and how a line's amount splits into net and tax.
//!
//! Tax is worked out per line and rounded per line; a receipt's breakdown is the
//! sum of those line figures, so the breakdown always adds up exactly to the
//! total, which a tax inspector checks and a per-category recalculation would not give.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::{Currency, Money, RoundingMode};

/// Whether shelf prices include tax (most of Europe) or tax is added at the till (US, Canada).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxMode {
    #[default]
    Inclusive,
    Exclusive,
}

/// A tax category such as "standard 20 %" or "food 5.5 %"; products name one by code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxCategory {
    pub code: String,
    pub name: String,
    /// The rate as a fraction: 0.20 for 20 %.
    pub rate: Decimal,
}

/// One line's amount split into what goes to the shop and what goes to the state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxSplit {
    pub net: Money,
    pub tax: Money,
    pub gross: Money,
}

/// Splits an amount already rounded to minor units. With inclusive prices the
/// amount is the gross and the tax is carved out of it; with exclusive prices
/// the amount is the net and the tax is added.
pub fn split(
    amount: Money,
    rate: Decimal,
    mode: TaxMode,
    currency: &Currency,
    rounding: RoundingMode,
) -> TaxSplit {
    match mode {
        TaxMode::Inclusive => {
            let tax = currency.round(amount.times(rate / (Decimal::ONE + rate)), rounding);
            TaxSplit {
                net: amount - tax,
                tax,
                gross: amount,
            }
        }
        TaxMode::Exclusive => {
            let tax = currency.round(amount.times(rate), rounding);
            TaxSplit {
                net: amount,
                tax,
                gross: amount + tax,
            }
        }
    }
}

/// A receipt's tax lines, one per category, in code order so receipts are stable.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TaxBreakdown {
    pub lines: Vec<TaxLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxLine {
    pub code: String,
    pub rate: Decimal,
    pub net: Money,
    pub tax: Money,
    pub gross: Money,
}

impl TaxBreakdown {
    /// Adds up line splits by category.
    pub fn from_lines<'a>(lines: impl IntoIterator<Item = (&'a str, Decimal, TaxSplit)>) -> Self {
        // A sorted list, not a map: a sale has a handful of categories, and
        // this runs on every scan.
        let mut out: Vec<TaxLine> = Vec::new();
        for (code, rate, s) in lines {
            let at = match out.binary_search_by(|l| l.code.as_str().cmp(code)) {
                Ok(at) => at,
                Err(at) => {
                    out.insert(
                        at,
                        TaxLine {
                            code: code.to_string(),
                            rate,
                            net: Money::ZERO,
                            tax: Money::ZERO,
                            gross: Money::ZERO,
                        },
                    );
                    at
                }
            };
            let entry = &mut out[at];
            entry.net += s.net;
            entry.tax += s.tax;
            entry.gross += s.gross;
        }
        TaxBreakdown { lines: out }
    }

    pub fn total_tax(&self) -> Money {
        self.lines.iter().map(|l| l.tax).sum()
    }

    pub fn total_gross(&self) -> Money {
        self.lines.iter().map(|l| l.gross).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn eur() -> Currency {
        Currency::default()
    }

    #[test]
    fn inclusive_carves_tax_out_of_the_price() {
        let s = split(
            Money(dec!(12.00)),
            dec!(0.20),
            TaxMode::Inclusive,
            &eur(),
            RoundingMode::HalfEven,
        );
        assert_eq!(s.tax, Money(dec!(2.00)));
        assert_eq!(s.net, Money(dec!(10.00)));
        assert_eq!(s.gross, Money(dec!(12.00)));
    }

    #[test]
    fn exclusive_adds_tax_on_top() {
        let s = split(
            Money(dec!(9.99)),
            dec!(0.0825),
            TaxMode::Exclusive,
            &eur(),
            RoundingMode::HalfEven,
        );
        assert_eq!(s.tax, Money(dec!(0.82)));
        assert_eq!(s.gross, Money(dec!(10.81)));
    }

    #[test]
    fn breakdown_groups_by_category_in_code_order() {
        let a = split(
            Money(dec!(1.10)),
            dec!(0.10),
            TaxMode::Inclusive,
            &eur(),
            RoundingMode::HalfEven,
        );
        let b = split(
            Money(dec!(2.40)),
            dec!(0.20),
            TaxMode::Inclusive,
            &eur(),
            RoundingMode::HalfEven,
        );
        let bd = TaxBreakdown::from_lines([
            ("std", dec!(0.20), b),
            ("red", dec!(0.10), a),
            ("std", dec!(0.20), b),
        ]);
        assert_eq!(bd.lines.len(), 2);
        assert_eq!(bd.lines[0].code, "red");
        assert_eq!(bd.lines[1].gross, Money(dec!(4.80)));
        assert_eq!(bd.lines[1].tax, Money(dec!(0.80)));
        assert_eq!(bd.total_gross(), Money(dec!(5.90)));
    }
}
