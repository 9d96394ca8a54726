//! `till export --out DIR`: everything the store holds, as JSON files the shop
//! owner can read with any tool, plus a manifest with counts and checksums.
//!
//! Files (each a JSON array unless noted; field names as in the Rust types,
//! amounts as decimal strings so no precision is lost):
//! - `settings.json` (object): store name, terminal, public key, currency,
//!   rounding, tax mode and categories, variable-measure layout.
//! - `products.json`: sku, name, price, tax_code, unit, barcodes, plu.
//! - `users.json`: id, name, role, failed_attempts — never PIN hashes.
//! - `sales.json`: completed sales and refunds with lines, discounts, tenders,
//!   change, and the totals (per-line figures and tax breakdown) frozen at completion.
//! - `journal.json`: every journal entry with its hash, hex-encoded.
//! - `manifest.json` (object): format, version, time, and per file its count and sha256.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::store::Store;
use crate::store::journal::JournalRecord;

#[derive(Serialize)]
struct ExportedUser {
    id: u32,
    name: String,
    role: crate::domain::user::Role,
    failed_attempts: u32,
}

#[derive(Serialize)]
struct ExportedEntry {
    seq: u64,
    at: chrono::DateTime<Utc>,
    actor: Option<String>,
    event: crate::store::journal::JournalEvent,
    prev_hash: String,
    hash: String,
}

impl From<JournalRecord> for ExportedEntry {
    fn from(r: JournalRecord) -> Self {
        ExportedEntry {
            seq: r.entry.seq,
            at: r.entry.at,
            actor: r.entry.actor,
            event: r.entry.event,
            prev_hash: hex::encode(r.entry.prev_hash),
            hash: hex::encode(r.hash),
        }
    }
}

#[derive(Serialize)]
struct FileEntry {
    name: String,
    count: usize,
    sha256: String,
}

#[derive(Serialize)]
struct Manifest {
    format: &'static str,
    version: u32,
    exported_at: chrono::DateTime<Utc>,
    terminal: String,
    files: Vec<FileEntry>,
}

pub fn run(data: &Path, out: &Path) -> Result<Vec<(String, usize)>> {
    let store = Store::open(data)?;
    if out.exists() && fs::read_dir(out)?.next().is_some() {
        bail!(
            "{} is not empty: export into a new or empty directory",
            out.display()
        );
    }
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let settings = store.settings()?;
    let mut files = Vec::new();
    let mut write = |name: &str, count: usize, bytes: Vec<u8>| -> Result<()> {
        let path = out.join(name);
        fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
        files.push(FileEntry {
            name: name.to_string(),
            count,
            sha256: hex::encode(Sha256::digest(&bytes)),
        });
        Ok(())
    };
    write("settings.json", 1, serde_json::to_vec_pretty(&settings)?)?;
    let products = store.products().collect::<Result<Vec<_>, _>>()?;
    write(
        "products.json",
        products.len(),
        serde_json::to_vec_pretty(&products)?,
    )?;
    let users: Vec<ExportedUser> = store
        .users()
        .map(|u| {
            u.map(|u| ExportedUser {
                id: u.id,
                name: u.name,
                role: u.role,
                failed_attempts: u.failed_attempts,
            })
        })
        .collect::<Result<_, _>>()?;
    write(
        "users.json",
        users.len(),
        serde_json::to_vec_pretty(&users)?,
    )?;
    let sales = store.sales().collect::<Result<Vec<_>, _>>()?;
    write(
        "sales.json",
        sales.len(),
        serde_json::to_vec_pretty(&sales)?,
    )?;
    let journal: Vec<ExportedEntry> = store
        .journal()
        .map(|r| r.map(ExportedEntry::from))
        .collect::<Result<_, _>>()?;
    write(
        "journal.json",
        journal.len(),
        serde_json::to_vec_pretty(&journal)?,
    )?;
    let summary = files.iter().map(|f| (f.name.clone(), f.count)).collect();
    let manifest = Manifest {
        format: "till-export",
        version: 1,
        exported_at: Utc::now(),
        terminal: settings.terminal,
        files,
    };
    fs::write(
        out.join("manifest.json"),
        serde_json::to_vec_pretty(&manifest)?,
    )?;
    Ok(summary)
}
