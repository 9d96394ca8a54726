//! What the engine reports back after a command.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::domain::customer::Customer;
use crate::domain::money::Money;
use crate::domain::receipt::CompletedSale;
use crate::domain::sale::{Sale, Totals};
use crate::domain::shift::Shift;
use crate::domain::stock::StockRow;
use crate::domain::takings::DayReport;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// The lane's cart after the change, with its figures.
    Cart {
        /// Shared with the store's copy of the lane's cart (`CartMemo`):
        /// once this event is sent or dropped, the next scan takes that
        /// copy for its change without cloning the sale.
        sale: Arc<Sale>,
        totals: Box<Totals>,
    },
    /// Reported only once the sale is durable in the store.
    Completed {
        sale: Box<CompletedSale>,
        change: Money,
    },
    Voided,
    Held {
        id: u64,
    },
    LoggedOut,
    /// A duplicate of this receipt is queued for the printer.
    Reprinted {
        receipt: String,
    },
    DrawerOpened,
    /// The lane's shift after the change; a closed one carries the count.
    Shift(Box<Shift>),
    /// Stock levels after a change.
    Stock(Vec<StockRow>),
    /// An X or a Z report, with the shifts closed since the last Z (their
    /// counts against what was expected); `to_printer` when its printout is
    /// queued for the printer.
    Report {
        report: Box<DayReport>,
        shifts: Vec<Shift>,
        to_printer: bool,
    },
    /// A customer after being added or corrected.
    Customer(Box<Customer>),
    CustomerErased {
        id: u64,
    },
}
