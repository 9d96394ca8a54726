//! `till report sales`: completed sales and refunds by local calendar day.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use chrono::{Local, NaiveDate};
use serde::Serialize;

use super::args::ReportFormat;
use crate::domain::money::Money;
use crate::store::Store;

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct DayRow {
    pub date: String,
    pub sales: u64,
    pub refunds: u64,
    /// Takings: sales minus refunds, tax included.
    pub gross: Money,
    pub tax: Money,
    pub net: Money,
}

pub fn sales_by_day(store: &Store, from: NaiveDate, to: NaiveDate) -> Result<Vec<DayRow>> {
    let mut days: BTreeMap<NaiveDate, DayRow> = BTreeMap::new();
    for sale in store.sales() {
        let sale = sale?;
        let day = sale.completed_at.with_timezone(&Local).date_naive();
        if day < from || day > to {
            continue;
        }
        let row = days.entry(day).or_insert_with(|| DayRow {
            date: day.to_string(),
            ..DayRow::default()
        });
        let (sign, count) = if sale.sale.is_refund() {
            (-1, &mut row.refunds)
        } else {
            (1, &mut row.sales)
        };
        *count += 1;
        let t = &sale.totals;
        let tax = t.tax.total_tax();
        let signed = |m: Money| if sign < 0 { -m } else { m };
        row.gross += signed(t.total);
        row.tax += signed(tax);
        row.net += signed(t.total - tax);
    }
    Ok(days.into_values().collect())
}

pub fn run(data: &Path, from: NaiveDate, to: NaiveDate, format: ReportFormat) -> Result<String> {
    let store = Store::open(data)?;
    let currency = store.settings()?.rules.currency;
    let rows = sales_by_day(&store, from, to)?;
    let fmt = |m: Money| currency.format(m);
    Ok(match format {
        ReportFormat::Json => serde_json::to_string_pretty(&rows)? + "\n",
        ReportFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(["date", "sales", "refunds", "gross", "tax", "net"])?;
            for r in &rows {
                w.write_record([
                    r.date.clone(),
                    r.sales.to_string(),
                    r.refunds.to_string(),
                    fmt(r.gross),
                    fmt(r.tax),
                    fmt(r.net),
                ])?;
            }
            String::from_utf8(w.into_inner()?)?
        }
        ReportFormat::Table => {
            let mut out = format!(
                "{:<10}  {:>6}  {:>7}  {:>12}  {:>10}  {:>12}\n",
                "date", "sales", "refunds", "gross", "tax", "net"
            );
            for r in &rows {
                out += &format!(
                    "{:<10}  {:>6}  {:>7}  {:>12}  {:>10}  {:>12}\n",
                    r.date,
                    r.sales,
                    r.refunds,
                    fmt(r.gross),
                    fmt(r.tax),
                    fmt(r.net)
                );
            }
            if rows.is_empty() {
                out += &format!("(no sales from {from} to {to})\n");
            }
            out
        }
    })
}
