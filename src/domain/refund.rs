//! Refunds against an earlier receipt: never more than was sold, and exactly
//! what was paid.

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
    pub amount: Vec<Money>,
}

impl RefundTally {
    pub fn for_sale(original: &CompletedSale) -> RefundTally {
        let n = original.sale.lines.len();
        RefundTally {
            quantity: vec![Decimal::ZERO; n],
            amount: vec![Money::ZERO; n],
        }
    }

    /// Counts the refund lines of a refund sale (voided lines excluded).
    pub fn record(&mut self, refund: &Sale) {
        for line in refund.lines.iter().filter(|l| !l.voided) {
            if let Some(r) = line.refund_of
                && r.line < self.quantity.len()
            {
                self.quantity[r.line] += line.quantity;
                self.amount[r.line] += r.amount;
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefundError {
    #[error("receipt {0} has no line {1}")]
    NoSuchLine(String, usize),
    #[error("line {line} of receipt {receipt} was voided on the sale: nothing to refund")]
    LineWasVoided { receipt: String, line: usize },
    #[error("only {left} of line {line} is left to refund, not {asked}")]
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
/// The amount is the line's share of what the customer actually paid (after all
/// discounts), rounded; the last part of a line takes exactly what is left, so a
/// line is never refunded for a cent more or less than it cost.
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
        })?
        .amount;
    let mut pending_tally = RefundTally::for_sale(original);
    pending_tally.record(pending);
    let done_qty =
        tally.quantity.get(index).copied().unwrap_or_default() + pending_tally.quantity[index];
    let done_amount =
        tally.amount.get(index).copied().unwrap_or_default() + pending_tally.amount[index];
    let left = sold.quantity - done_qty;
    if quantity > left {
        return Err(RefundError::MoreThanSold {
            line: index,
            asked: quantity,
            left,
        });
    }
    let amount = if quantity == left {
        paid - done_amount
    } else {
        rules
            .currency
            .round(paid.times(quantity / sold.quantity), rules.rounding)
    };
    let mut line = sold.clone();
    line.quantity = quantity;
    line.discount = None;
    line.voided = false;
    line.refund_of = Some(RefundOf {
        line: index,
        amount,
    });
    Ok(line)
}
