//! Stock on hand per product: what sales and refunds move automatically, and
//! what a manager counts, adjusts and receives.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::sale::Sale;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StockLevel {
    /// May go below zero: a till sells what is on the shelf even when the
    /// count is behind; the list of low stock shows it.
    pub on_hand: Decimal,
    /// At or below this the product is on the low-stock list; zero: only
    /// when below zero (a count that is behind is always worth a look).
    pub reorder_level: Decimal,
}

impl StockLevel {
    /// On the low-stock list: below zero, or at or below a reorder level set.
    pub fn is_low(&self) -> bool {
        self.on_hand < Decimal::ZERO
            || !self.reorder_level.is_zero() && self.on_hand <= self.reorder_level
    }

    /// The level after `by` came in (negative: went out).
    pub fn moved(self, by: Decimal) -> StockLevel {
        StockLevel {
            on_hand: self.on_hand + by,
            ..self
        }
    }
}

/// What a completed sale moves: what left the shop, or with a refund came
/// back, per product (once per sku, in the order first sold). Voided lines
/// move nothing.
pub fn moves(sale: &Sale) -> Vec<(String, Decimal)> {
    let mut out: Vec<(String, Decimal)> = Vec::new();
    for line in sale.lines.iter().filter(|l| !l.voided) {
        let by = if sale.is_refund() {
            line.quantity
        } else {
            -line.quantity
        };
        match out.iter_mut().find(|(sku, _)| *sku == line.sku) {
            Some((_, total)) => *total += by,
            None => out.push((line.sku.clone(), by)),
        }
    }
    out
}

/// A product's stock as a manager sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockRow {
    pub sku: String,
    pub name: String,
    pub level: StockLevel,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use rust_decimal::dec;

    use super::*;
    use crate::domain::money::Money;
    use crate::domain::product::Unit;
    use crate::domain::sale::{Line, ReceiptNo, SaleKind};

    pub(crate) fn line(sku: &str, quantity: Decimal) -> Line {
        Line {
            sku: sku.into(),
            name: sku.into(),
            unit: Unit::Each,
            unit_price: Money(dec!(2.50)),
            quantity,
            tax_code: "std".into(),
            discount: None,
            voided: false,
            refund_of: None,
        }
    }

    #[test]
    fn a_sale_takes_stock_out_once_per_product_and_voided_lines_move_nothing() {
        let mut sale = Sale::new(SaleKind::Sale);
        sale.lines = vec![line("a", dec!(2)), line("b", dec!(1)), line("a", dec!(0.5))];
        sale.lines.push(Line {
            voided: true,
            ..line("c", dec!(4))
        });
        assert_eq!(
            moves(&sale),
            vec![("a".to_string(), dec!(-2.5)), ("b".to_string(), dec!(-1))]
        );
    }

    #[test]
    fn below_zero_is_low_even_without_a_reorder_level() {
        let level = |on_hand, reorder_level| StockLevel {
            on_hand,
            reorder_level,
        };
        assert!(level(dec!(-1), dec!(0)).is_low());
        assert!(!level(dec!(0), dec!(0)).is_low());
        assert!(level(dec!(3), dec!(3)).is_low());
        assert!(!level(dec!(4), dec!(3)).is_low());
    }

    #[test]
    fn a_refund_brings_stock_back() {
        let mut refund = Sale::new(SaleKind::Refund {
            original: ReceiptNo(1),
        });
        refund.lines = vec![line("a", dec!(1))];
        assert_eq!(moves(&refund), vec![("a".to_string(), dec!(1))]);
        let level = StockLevel {
            on_hand: dec!(-1),
            reorder_level: dec!(3),
        };
        assert_eq!(level.moved(dec!(1)).on_hand, dec!(0));
        assert_eq!(level.moved(dec!(1)).reorder_level, dec!(3));
    }
}
