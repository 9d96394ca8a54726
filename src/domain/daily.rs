//! A day's takings as the sales reports list them: one row per day (and per
//! shop, at head office), sales counted in and refunds counted out.

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::money::Money;
use super::receipt::CompletedSale;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayRow {
    /// The shop, in head office's report across shops. Always written (the
    /// socket's bincode needs every field); `report::render` leaves a
    /// terminal's `null` out of its JSON.
    pub store: Option<String>,
    pub date: String,
    pub sales: u64,
    pub refunds: u64,
    /// Takings: sales minus refunds, tax included.
    pub gross: Money,
    pub tax: Money,
    pub net: Money,
}

impl DayRow {
    pub fn new(store: Option<String>, day: NaiveDate) -> DayRow {
        DayRow {
            store,
            date: day.to_string(),
            ..DayRow::default()
        }
    }

    /// Counts a sale in, or a refund out.
    pub fn add(&mut self, sale: &CompletedSale) {
        let (sign, count) = if sale.sale.is_refund() {
            (-1, &mut self.refunds)
        } else {
            (1, &mut self.sales)
        };
        *count += 1;
        let t = &sale.totals;
        let tax = t.tax.total_tax();
        let signed = |m: Money| if sign < 0 { -m } else { m };
        self.gross += signed(t.total);
        self.tax += signed(tax);
        self.net += signed(t.total - tax);
    }
}

/// The machine's local time of an instant: what receipts and reports show.
pub fn local_time(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&Local).naive_local()
}

/// The local calendar day a sale was made on.
pub fn local_day(sale: &CompletedSale) -> NaiveDate {
    sale.completed_at.with_timezone(&Local).date_naive()
}
