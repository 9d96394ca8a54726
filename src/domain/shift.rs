//! A cashier's shift at one lane's drawer: the float counted in, cash paid in
//! and out with reasons, and a blind count at the close, held against what the
//! drawer should hold.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::money::Money;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashMovement {
    /// Positive into the drawer, negative out of it (a paid-out).
    pub amount: Money,
    pub reason: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftClose {
    /// What the cashier counted, without being shown what to expect.
    pub counted: Money,
    pub expected: Money,
    pub by: String,
    pub at: DateTime<Utc>,
    /// The last receipt of this terminal when the shift closed.
    pub last_receipt: u64,
}

impl ShiftClose {
    /// Positive: more in the drawer than expected.
    pub fn over_short(&self) -> Money {
        self.counted - self.expected
    }
}

/// A count's difference from what was expected in words, its sign always
/// shown so neither is taken for the other: `over +2.00`, `short -16.51`,
/// `even 0.00`. `show` writes an amount (with the currency's places).
pub fn over_short(difference: Money, show: impl Fn(&Money) -> String) -> String {
    let d = difference.amount();
    if d.is_zero() {
        format!("even {}", show(&difference))
    } else if d.is_sign_negative() {
        format!("short {}", show(&difference))
    } else {
        format!("over +{}", show(&difference))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    pub number: u64,
    pub lane: u16,
    pub opened_by: String,
    pub opened_at: DateTime<Utc>,
    pub float: Money,
    /// Receipts from this number on belong to the shift.
    pub first_receipt: u64,
    pub movements: Vec<CashMovement>,
    pub close: Option<ShiftClose>,
}

impl Shift {
    /// What the drawer should hold: the float, cash moved in and out, and the
    /// cash the shift's sales took (`sales_cash`, from `Takings::cash`).
    pub fn expected(&self, sales_cash: Money) -> Money {
        self.float + self.movements.iter().map(|m| m.amount).sum::<Money>() + sales_cash
    }
}
