//! `till report sales`: completed sales and refunds by local calendar day.

use std::path::Path;

use anyhow::{Result, bail};
use chrono::NaiveDate;

use super::args::ReportFormat;
use super::backoffice::{Reach, reach};
use crate::domain::daily::DayRow;
use crate::domain::money::{Currency, Money};
use crate::engine::api::TillApi;
use crate::engine::reports::sales_by_day;
use crate::engine::request::{Answer, Ask};

/// The report, from the store or through the daemon that holds it.
pub fn run(
    data: &Path,
    socket: &Path,
    user: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
    format: ReportFormat,
) -> Result<String> {
    let (currency, rows) = match reach(data, socket, user, "supervisor")? {
        Reach::Store(store) => (
            store.settings()?.rules.currency,
            sales_by_day(&store, from, to)?,
        ),
        Reach::Daemon(mut daemon) => match daemon.ask(Ask::DailySales { from, to })? {
            Answer::DailySales(rows) => (daemon.client.settings().rules.currency.clone(), rows),
            _ => bail!("the daemon answered a sales report with something else"),
        },
    };
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
        ReportFormat::Json => {
            let mut rows = serde_json::to_value(rows)?;
            if !by_store {
                // A terminal's report has no store column; head office's has.
                for row in rows.as_array_mut().into_iter().flatten() {
                    if let Some(row) = row.as_object_mut() {
                        row.remove("store");
                    }
                }
            }
            serde_json::to_string_pretty(&rows)? + "\n"
        }
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
