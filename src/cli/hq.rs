//! `till hq …`: head office's commands.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::NaiveDate;

use super::args::ReportFormat;
use super::report::{DayRow, local_day, render};
use crate::domain::barcode::VariableMeasureLayout;
use crate::domain::money::Currency;
use crate::domain::pricing::PriceRules;
use crate::hq::{Hq, HqSettings, server};
use crate::sync::enroll::{self, EnrollRequest};

pub fn init(
    dir: &Path,
    name: &str,
    url: &str,
    hosts: &[String],
    currency: &str,
    minor_units: u32,
) -> Result<Hq> {
    let settings = HqSettings {
        name: name.to_string(),
        url: url.to_string(),
        rules: PriceRules {
            currency: Currency::new(currency, minor_units)?,
            ..PriceRules::default()
        },
    };
    Hq::init(dir, settings, hosts)
}

pub fn enroll(dir: &Path, request: &Path, out: &Path, client_cert: bool) -> Result<String> {
    let hq = Hq::open(dir)?;
    let request: EnrollRequest = enroll::read(request)?;
    let bundle = hq.enroll(&request, client_cert)?;
    enroll::write(out, &bundle, true)?;
    Ok(request.terminal)
}

pub fn serve(dir: &Path, listen: &str, require_client_cert: bool) -> Result<()> {
    let hq = Hq::open(dir)?;
    let tls = hq.tls(require_client_cert)?;
    let listener =
        TcpListener::bind(listen).with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(%listen, "head office serving");
    eprintln!(
        "till hq: serving {} on {}",
        dir.display(),
        listener.local_addr()?
    );
    server::serve(listener, Arc::new(hq), tls);
    Ok(())
}

pub fn terminals(dir: &Path) -> Result<String> {
    let hq = Hq::open(dir)?;
    let mut out = format!(
        "{:<10}  {:<24}  {:>8}  {:>10}  enrolled\n",
        "terminal", "shop", "batches", "entries"
    );
    for t in hq.store().terminals()? {
        out += &format!(
            "{:<10}  {:<24}  {:>8}  {:>10}  {}\n",
            t.id,
            t.store_name,
            t.next_batch - 1,
            t.next_entry,
            t.enrolled_at.format("%Y-%m-%d")
        );
    }
    Ok(out)
}

/// Sales by shop and local day, over every terminal's received sales.
pub fn report(dir: &Path, from: NaiveDate, to: NaiveDate, format: ReportFormat) -> Result<String> {
    let hq = Hq::open(dir)?;
    let shops: BTreeMap<String, String> = hq
        .store()
        .terminals()?
        .into_iter()
        .map(|t| (t.id, t.store_name))
        .collect();
    let mut rows: BTreeMap<(String, NaiveDate), DayRow> = BTreeMap::new();
    hq.store().for_each_sale(&mut |terminal, sale| {
        let day = local_day(&sale);
        if day < from || day > to {
            return;
        }
        let shop = shops
            .get(terminal)
            .cloned()
            .unwrap_or_else(|| terminal.to_string());
        rows.entry((shop.clone(), day))
            .or_insert_with(|| DayRow::new(Some(shop), day))
            .add(&sale);
    })?;
    let rows: Vec<DayRow> = rows.into_values().collect();
    render(
        &rows,
        &hq.settings.rules.currency,
        format,
        &format!("(no sales from {from} to {to})"),
    )
}

pub fn publish(dir: &Path, file: &Path) -> Result<(u64, usize)> {
    let hq = Hq::open(dir)?;
    let products = super::import::read_csv(
        file,
        &hq.settings.rules,
        &VariableMeasureLayout::default(),
        &|_| Ok(None),
    )?;
    let count = products.len();
    Ok((hq.publish(products)?, count))
}
