//! `till hq …`: head office's commands. All but `init` and `serve` work
//! whether or not `till hq serve` is running (see `hq::admin`).

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use rand_core::{OsRng, RngCore};

use super::args::ReportFormat;
use super::report::render;
use crate::domain::barcode::VariableMeasureLayout;
use crate::domain::money::Currency;
use crate::domain::pricing::PriceRules;
use crate::hq::admin::{self, AdminRequest, AdminResponse, SERVE_FILE, ServeFile};
use crate::hq::{Hq, HqSettings, server};
use crate::proto::enroll::{self, EnrollRequest};
use crate::store::identity;

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

fn unexpected(response: AdminResponse) -> anyhow::Error {
    anyhow::anyhow!("head office answered something else: {response:?}")
}

pub fn enroll(dir: &Path, request: &Path, out: &Path, client_cert: bool) -> Result<String> {
    let request: EnrollRequest = enroll::read(request)?;
    let terminal = request.terminal.clone();
    let bundle = match admin::call(
        dir,
        AdminRequest::Enroll {
            request,
            client_cert,
        },
    )? {
        AdminResponse::Enrolled(bundle) => bundle,
        other => return Err(unexpected(other)),
    };
    enroll::write(out, &bundle, true)?;
    Ok(terminal)
}

pub fn serve(dir: &Path, listen: &str, require_client_cert: bool) -> Result<()> {
    let hq = Hq::open(dir)?;
    let tls = hq.tls(require_client_cert)?;
    let listener =
        TcpListener::bind(listen).with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() && !addr.ip().is_unspecified() {
        bail!("listen on this machine's loopback or on every address (0.0.0.0), not {addr}");
    }
    let mut token = [0u8; 32];
    OsRng.fill_bytes(&mut token);
    let token = hex::encode(token);
    let serve_path = dir.join(SERVE_FILE);
    let _ = std::fs::remove_file(&serve_path);
    let serve_file = ServeFile {
        port: addr.port(),
        token: token.clone(),
    };
    identity::write_secret(&serve_path, toml::to_string(&serve_file)?.as_bytes())?;
    tracing::info!(%addr, "head office serving");
    eprintln!("till hq: serving {} on {addr}", dir.display());
    server::serve(listener, Arc::new(hq), tls, token).context("head office stopped serving")
}

pub fn terminals(dir: &Path) -> Result<String> {
    let terminals = match admin::call(dir, AdminRequest::Terminals)? {
        AdminResponse::Terminals(t) => t,
        other => return Err(unexpected(other)),
    };
    let mut out = format!(
        "{:<10}  {:<24}  {:>8}  {:>10}  enrolled\n",
        "terminal", "shop", "batches", "entries"
    );
    for (t, refusal) in terminals {
        out += &format!(
            "{:<10}  {:<24}  {:>8}  {:>10}  {}\n",
            t.id,
            t.store_name,
            t.next_batch - 1,
            t.next_entry,
            t.enrolled_at.format("%Y-%m-%d")
        );
        if let Some(r) = refusal {
            out += &format!(
                "{:<10}  last refused {}: {}\n",
                "",
                r.at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M"),
                r.reason
            );
        }
    }
    Ok(out)
}

/// Sales by shop and local day, over every terminal's received sales.
pub fn report(dir: &Path, from: NaiveDate, to: NaiveDate, format: ReportFormat) -> Result<String> {
    let settings = HqSettings::load(dir)?;
    let rows = match admin::call(dir, AdminRequest::Report { from, to })? {
        AdminResponse::Report(rows) => rows,
        other => return Err(unexpected(other)),
    };
    render(
        &rows,
        &settings.rules.currency,
        format,
        &format!("(no sales from {from} to {to})"),
    )
}

pub fn publish(dir: &Path, file: &Path) -> Result<(u64, usize)> {
    let settings = HqSettings::load(dir)?;
    let products = super::import::read_csv(
        file,
        &settings.rules,
        &VariableMeasureLayout::default(),
        &|_| Ok(None),
    )?;
    let count = products.len();
    match admin::call(dir, AdminRequest::Publish { products })? {
        AdminResponse::Published(version) => Ok((version, count)),
        other => Err(unexpected(other)),
    }
}
