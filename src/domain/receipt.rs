//! A completed sale as it is kept for ever: the sale, its figures frozen at the
//! moment of completion, and who, where and when.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::sale::{ReceiptNo, Sale, Totals};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletedSale {
    pub receipt: ReceiptNo,
    pub terminal: String,
    /// The lane it was rung up on, whose drawer took the cash.
    pub lane: u16,
    pub cashier: String,
    pub completed_at: DateTime<Utc>,
    pub sale: Sale,
    /// Frozen so that a later change of tax rates never rewrites history.
    pub totals: Totals,
}

impl CompletedSale {
    /// The receipt number as printed: the terminal's series and the number.
    pub fn receipt_label(&self) -> String {
        receipt_label(&self.terminal, self.receipt)
    }
}

pub fn receipt_label(terminal: &str, receipt: ReceiptNo) -> String {
    format!("{terminal}-{:06}", receipt.0)
}

/// Reads a receipt number as a person types it: `7`, `000007` or the printed
/// `T01-000007`, which must be this terminal's (another till's receipt 7 is a
/// different sale).
pub fn parse_label(text: &str, terminal: &str) -> Result<ReceiptNo, String> {
    let text = text.trim();
    let digits = match text.rsplit_once('-') {
        Some((prefix, digits)) if prefix == terminal => digits,
        Some((prefix, _)) => {
            return Err(format!(
                "receipt {text} is from terminal {prefix}: refund it there (this is {terminal})"
            ));
        }
        None => text,
    };
    match digits.parse::<u64>() {
        Ok(n) if n > 0 => Ok(ReceiptNo(n)),
        _ => Err(format!("'{text}' is not a receipt number")),
    }
}
