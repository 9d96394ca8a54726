//! Refunds against an earlier receipt: never more than was sold, and exactly
//! what was paid, tax included, at the rate it was paid at.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::Money;
use super::pricing::PriceRules;
use super::receipt::CompletedSale;
use super::sale::{Line, RefundOf, Sale, SaleKind};

/// How much of each line of a receipt has been refunded so far.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RefundTally {
    pub quantity: Vec<Decimal>,
    pub gross: Vec<Money>,
    pub tax: Vec<Money>,
}

impl RefundTally {
    pub fn for_sale(original: &CompletedSale) -> RefundTally {
        let n = original.sale.lines.len();
        RefundTally {
            quantity: vec![Decimal::ZERO; n],
            gross: vec![Money::ZERO; n],
            tax: vec![Money::ZERO; n],
        }
    }

    /// Counts the refund lines of a refund sale (voided lines excluded).
    pub fn record(&mut self, refund: &Sale) {
        for line in refund.lines.iter().filter(|l| !l.voided) {
            if let Some(r) = line.refund_of
                && r.line < self.quantity.len()
            {
                self.quantity[r.line] += line.quantity;
                self.gross[r.line] += r.gross;
                self.tax[r.line] += r.tax;
            }
        }
    }

    /// The tally with `refund` counted, or the first line of `original` it
    /// would take beyond what was sold or paid. Checked when a refund
    /// completes, against the tally as stored then, in case two lanes
    /// refunded one receipt.
    pub fn counted(
        mut self,
        refund: &Sale,
        original: &CompletedSale,
    ) -> Result<RefundTally, usize> {
        self.record(refund);
        match self.overrun(original) {
            Some(line) => Err(line),
            None => Ok(self),
        }
    }

    /// The first line refunded beyond what was sold or paid, if any.
    pub fn overrun(&self, original: &CompletedSale) -> Option<usize> {
        (0..self.quantity.len()).find(|&i| {
            let paid = original
                .totals
                .lines
                .iter()
                .find(|t| t.line == i)
                .map(|t| t.split);
            match (original.sale.lines.get(i), paid) {
                (Some(sold), Some(paid)) => {
                    self.quantity[i] > sold.quantity
                        || self.gross[i] > paid.gross
                        || self.tax[i] > paid.tax
                }
                _ => !self.quantity[i].is_zero(),
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefundError {
    // Lines are held from 0 and shown from 1 (the screen's "#" column,
    // scripts' line numbers): a message names them as the cashier sees them.
    #[error("receipt {0} has no line #{n}", n = .1 + 1)]
    NoSuchLine(String, usize),
    #[error("line #{n} of receipt {receipt} was voided on the sale: nothing to refund", n = .line + 1)]
    LineWasVoided { receipt: String, line: usize },
    #[error("only {left} of line #{n} is left to refund, not {asked}", n = .line + 1)]
    MoreThanSold {
        line: usize,
        asked: Decimal,
        left: Decimal,
    },
    #[error("this refund is for another receipt")]
    OtherReceipt,
    #[error("a refund quantity must be more than zero")]
    NonPositive,
}

/// Builds a refund line for `quantity` of line `index` of `original`, given what
/// was refunded before (`tally`) and what the refund being built holds already.
///
/// The line gives back its share of what the customer paid for the original
/// line (after all discounts), gross and tax alike. Shares are rounded on the
/// running total (what has been refunded after this part, minus what was
/// before), so refunding a line piece by piece adds up to exactly what it cost.
pub fn refund_line(
    original: &CompletedSale,
    tally: &RefundTally,
    pending: &Sale,
    index: usize,
    quantity: Decimal,
    rules: &PriceRules,
) -> Result<Line, RefundError> {
    if pending.kind
        != (SaleKind::Refund {
            original: original.receipt,
        })
    {
        return Err(RefundError::OtherReceipt);
    }
    if quantity <= Decimal::ZERO {
        return Err(RefundError::NonPositive);
    }
    let sold = original
        .sale
        .lines
        .get(index)
        .ok_or_else(|| RefundError::NoSuchLine(original.receipt_label(), index))?;
    let paid = original
        .totals
        .lines
        .iter()
        .find(|t| t.line == index)
        .ok_or_else(|| RefundError::LineWasVoided {
            receipt: original.receipt_label(),
            line: index,
        })?;
    let mut done = tally.clone();
    done.record(pending);
    let done_qty = done.quantity.get(index).copied().unwrap_or_default();
    let left = sold.quantity - done_qty;
    if quantity > left {
        return Err(RefundError::MoreThanSold {
            line: index,
            asked: quantity,
            left,
        });
    }
    let share = |of: Money, before: Money| {
        let upto = rules.currency.round(
            of.times((done_qty + quantity) / sold.quantity),
            rules.rounding,
        );
        (upto - before).max(Money::ZERO)
    };
    let gross = share(
        paid.split.gross,
        done.gross.get(index).copied().unwrap_or_default(),
    );
    let tax = share(
        paid.split.tax,
        done.tax.get(index).copied().unwrap_or_default(),
    )
    .min(gross);
    let mut line = sold.clone();
    line.quantity = quantity;
    line.discount = None;
    line.voided = false;
    line.refund_of = Some(RefundOf {
        line: index,
        gross,
        tax,
        rate: paid.rate,
    });
    Ok(line)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::Utc;
    use rust_decimal::dec;

    use super::*;
    use crate::domain::sale::ReceiptNo;
    use crate::domain::stock::tests::line;

    fn sold() -> CompletedSale {
        let mut sale = Sale::new(SaleKind::Sale);
        sale.lines = vec![line("a", dec!(2)), line("b", dec!(1))];
        let totals = sale.totals(&PriceRules::default()).unwrap();
        CompletedSale {
            receipt: ReceiptNo(1),
            terminal: "T1".into(),
            lane: 1,
            cashier: "ann".into(),
            completed_at: Utc::now(),
            sale,
            totals,
        }
    }

    fn refund_of(original: &CompletedSale, index: usize, quantity: Decimal) -> Sale {
        let mut refund = Sale::new(SaleKind::Refund {
            original: original.receipt,
        });
        let tally = RefundTally::for_sale(original);
        let rules = PriceRules::default();
        let line = refund_line(original, &tally, &refund, index, quantity, &rules).unwrap();
        refund.lines.push(line);
        refund
    }

    #[test]
    fn a_refund_within_what_was_sold_is_counted() {
        let original = sold();
        let refund = refund_of(&original, 0, dec!(1));
        let tally = RefundTally::for_sale(&original)
            .counted(&refund, &original)
            .unwrap();
        assert_eq!(tally.quantity, vec![dec!(1), dec!(0)]);
        assert_eq!(tally.gross[0], Money(dec!(2.50)));
    }

    #[test]
    fn a_refund_past_what_is_left_names_the_line() {
        let original = sold();
        let refund = refund_of(&original, 1, dec!(1));
        let once = RefundTally::for_sale(&original)
            .counted(&refund, &original)
            .unwrap();
        // Another lane refunded the same line meanwhile.
        assert_eq!(once.counted(&refund, &original), Err(1));
    }
}
