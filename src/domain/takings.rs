//! What a set of completed sales took: counts, money by tender and by tax
//! rate. X and Z reports, a shift's expected cash and the daily report are
//! all this sum over different sales, so they can never disagree.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::money::Money;
use super::receipt::CompletedSale;
use super::tender::TenderKind;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TaxTotal {
    pub code: String,
    pub rate: Decimal,
    pub net: Money,
    pub tax: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Takings {
    pub sales: u64,
    pub refunds: u64,
    /// Sales minus refunds, tax included.
    pub gross: Money,
    pub tax: Vec<TaxTotal>,
    /// Net per way of paying (refunds paid out count against it).
    pub tenders: BTreeMap<TenderKind, Money>,
    /// Cash into the drawer: cash tendered, less change, less cash paid out.
    pub cash: Money,
}

impl Takings {
    pub fn of<'a>(sales: impl IntoIterator<Item = &'a CompletedSale>) -> Takings {
        let mut t = Takings::default();
        let mut tax: BTreeMap<String, TaxTotal> = BTreeMap::new();
        for sale in sales {
            let refund = sale.sale.is_refund();
            let sign = |m: Money| if refund { -m } else { m };
            if refund {
                t.refunds += 1;
            } else {
                t.sales += 1;
            }
            t.gross += sign(sale.totals.total);
            for line in &sale.totals.tax.lines {
                let entry = tax.entry(line.code.clone()).or_insert_with(|| TaxTotal {
                    code: line.code.clone(),
                    rate: line.rate,
                    ..TaxTotal::default()
                });
                entry.net += sign(line.net);
                entry.tax += sign(line.tax);
            }
            for tender in &sale.sale.tenders {
                *t.tenders.entry(tender.kind).or_default() += sign(tender.amount);
                if tender.kind == TenderKind::Cash {
                    t.cash += sign(tender.amount);
                }
            }
            // Change leaves the drawer; tenders above are what was handed in.
            if let Some(cash) = t.tenders.get_mut(&TenderKind::Cash) {
                *cash -= sale.sale.change;
            }
            t.cash -= sale.sale.change;
        }
        t.tax = tax.into_values().collect();
        t
    }
}

/// An X report (mid-day, nothing changes) or a Z report (end of day,
/// numbered, journaled): takings since the last Z, and the grand total of
/// every Z ever made, which never resets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayReport {
    /// `None` for an X report.
    pub z_number: Option<u64>,
    pub from_receipt: u64,
    pub to_receipt: u64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub by: String,
    pub takings: Takings,
    /// All takings to date, this report's included.
    pub grand_total: Money,
}

/// What the last Z left behind for the next: where it ended and the grand total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ZState {
    pub number: u64,
    pub last_receipt: u64,
    pub grand_total: Money,
}

/// Sales over a period, cut the ways a manager asks: by hour of the day, by
/// product, by cashier, plus the takings by tender and tax rate.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SalesReport {
    pub takings: Takings,
    /// Takings per local hour of the day, 0 to 23.
    pub by_hour: Vec<Money>,
    /// (product name, quantity, takings), largest takings first.
    pub by_product: Vec<(String, Decimal, Money)>,
    /// (cashier, sales, takings), largest takings first.
    pub by_cashier: Vec<(String, u64, Money)>,
}

impl SalesReport {
    /// `hour` gives each sale's local hour; the caller knows the till's clock.
    pub fn of(sales: &[CompletedSale], hour: impl Fn(&CompletedSale) -> usize) -> SalesReport {
        let mut by_hour = vec![Money::ZERO; 24];
        let mut products: BTreeMap<String, (Decimal, Money)> = BTreeMap::new();
        let mut cashiers: BTreeMap<String, (u64, Money)> = BTreeMap::new();
        for sale in sales {
            let sign = |m: Money| if sale.sale.is_refund() { -m } else { m };
            by_hour[hour(sale).min(23)] += sign(sale.totals.total);
            let c = cashiers.entry(sale.cashier.clone()).or_default();
            c.0 += u64::from(!sale.sale.is_refund());
            c.1 += sign(sale.totals.total);
            for t in &sale.totals.lines {
                let line = &sale.sale.lines[t.line];
                let p = products.entry(line.name.clone()).or_default();
                p.0 += if sale.sale.is_refund() {
                    -line.quantity
                } else {
                    line.quantity
                };
                p.1 += sign(t.split.gross);
            }
        }
        let mut by_product: Vec<_> = products.into_iter().map(|(n, (q, m))| (n, q, m)).collect();
        by_product.sort_by_key(|p| std::cmp::Reverse(p.2));
        let mut by_cashier: Vec<_> = cashiers.into_iter().map(|(n, (c, m))| (n, c, m)).collect();
        by_cashier.sort_by_key(|c| std::cmp::Reverse(c.2));
        SalesReport {
            takings: Takings::of(sales),
            by_hour,
            by_product,
            by_cashier,
        }
    }
}
