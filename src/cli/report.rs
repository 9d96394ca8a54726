//! `till report sales`: completed sales and refunds by local calendar day.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use chrono::NaiveDate;

use super::args::ReportFormat;
use crate::domain::daily::{DayRow, local_day};
use crate::domain::money::{Currency, Money};
use crate::store::Store;

pub fn sales_by_day(store: &Store, from: NaiveDate, to: NaiveDate) -> Result<Vec<DayRow>> {
    let mut days: BTreeMap<NaiveDate, DayRow> = BTreeMap::new();
    for sale in store.sales() {
        let sale = sale?;
        let day = local_day(&sale);
        if day < from || day > to {
            continue;
        }
        days.entry(day)
            .or_insert_with(|| DayRow::new(None, day))
            .add(&sale);
    }
    Ok(days.into_values().collect())
}

pub fn run(data: &Path, from: NaiveDate, to: NaiveDate, format: ReportFormat) -> Result<String> {
    let store = Store::open(data)?;
    let currency = store.settings()?.rules.currency;
    let rows = sales_by_day(&store, from, to)?;
    render(
        &rows,
        &currency,
        format,
        &format!("(no sales from {from} to {to})"),
    )
}

/// The rows as a table, CSV or JSON; a store column leads if rows have one.
pub fn render(
    rows: &[DayRow],
    currency: &Currency,
    format: ReportFormat,
    none: &str,
) -> Result<String> {
    let fmt = |m: Money| currency.format(m);
    let by_store = rows.iter().any(|r| r.store.is_some());
    let cells = |r: &DayRow| {
        let mut cells = Vec::with_capacity(7);
        if by_store {
            cells.push(r.store.clone().unwrap_or_default());
        }
        cells.extend([
            r.date.clone(),
            r.sales.to_string(),
            r.refunds.to_string(),
            fmt(r.gross),
            fmt(r.tax),
            fmt(r.net),
        ]);
        cells
    };
    let mut header = if by_store { vec!["store"] } else { vec![] };
    header.extend(["date", "sales", "refunds", "gross", "tax", "net"]);
    Ok(match format {
        ReportFormat::Json => serde_json::to_string_pretty(&rows)? + "\n",
        ReportFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(&header)?;
            for r in rows {
                w.write_record(cells(r))?;
            }
            String::from_utf8(w.into_inner()?)?
        }
        ReportFormat::Table => {
            let width = rows
                .iter()
                .filter_map(|r| r.store.as_ref().map(|s| s.chars().count()))
                .max()
                .unwrap_or(0)
                .max(5);
            let line = |cells: &[String]| {
                let mut out = String::new();
                let (store, rest) = if by_store {
                    (Some(&cells[0]), &cells[1..])
                } else {
                    (None, cells)
                };
                if let Some(store) = store {
                    out += &format!("{store:<width$}  ");
                }
                out += &format!(
                    "{:<10}  {:>6}  {:>7}  {:>12}  {:>10}  {:>12}\n",
                    rest[0], rest[1], rest[2], rest[3], rest[4], rest[5]
                );
                out
            };
            let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
            let mut out = line(&header);
            for r in rows {
                out += &line(&cells(r));
            }
            if rows.is_empty() {
                out += none;
                out += "\n";
            }
            out
        }
    })
}
