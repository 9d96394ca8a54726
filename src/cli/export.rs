//! `till export --out DIR [--format json|csv]` and `till import export DIR`:
//! everything the store holds, in files the shop owner can read with any
//! tool, and back.
//!
//! JSON (the default, and what `till import export` reads): one file per kind
//! of record, each an array (`settings.json`, `z_state.json` and `sync.json`
//! are objects), field names as in `schema.json`; amounts are decimal
//! strings, so no precision is lost. CSV: the same records flattened for a
//! spreadsheet, sales split into `sales.csv`, `sale_lines.csv`,
//! `sale_tenders.csv` and `sale_taxes.csv`. Either way `manifest.json` lists
//! every file with its record count and sha256, and every tree of the store
//! with its count and the file it is in (or what it is rebuilt from).
//! Never exported: PIN hashes and keys.

use std::fs;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::args::ExportFormat;
use super::backoffice::{Reach, reach};
use crate::engine::request::{Answer, Ask};
use crate::store::Store;
use crate::store::dump::{DERIVED, Dump};
use crate::store::journal::{JournalEntry, JournalRecord};

/// A journal entry with its hashes in hex, as people read them.
#[derive(Serialize, Deserialize)]
struct ExportedEntry {
    seq: u64,
    at: chrono::DateTime<Utc>,
    actor: Option<String>,
    event: crate::store::journal::JournalEvent,
    prev_hash: String,
    hash: String,
}

impl From<&JournalRecord> for ExportedEntry {
    fn from(r: &JournalRecord) -> Self {
        ExportedEntry {
            seq: r.entry.seq,
            at: r.entry.at,
            actor: r.entry.actor.clone(),
            event: r.entry.event.clone(),
            prev_hash: hex::encode(r.entry.prev_hash),
            hash: hex::encode(r.hash),
        }
    }
}

impl ExportedEntry {
    fn record(self) -> Result<JournalRecord> {
        let hash = |h: &str| -> Result<[u8; 32]> {
            hex::decode(h)
                .ok()
                .and_then(|b| b.try_into().ok())
                .with_context(|| format!("journal entry {}: '{h}' is not a hash", self.seq))
        };
        Ok(JournalRecord {
            hash: hash(&self.hash)?,
            entry: JournalEntry {
                seq: self.seq,
                at: self.at,
                actor: self.actor.clone(),
                event: self.event.clone(),
                prev_hash: hash(&self.prev_hash)?,
            },
        })
    }
}

#[derive(Serialize, Deserialize)]
struct FileEntry {
    name: String,
    count: usize,
    sha256: String,
}

/// A tree of the store: how many records, and where they went.
#[derive(Serialize, Deserialize)]
struct TreeEntry {
    tree: String,
    count: usize,
    file: Option<String>,
    derived_from: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    format: String,
    version: u32,
    exported_at: chrono::DateTime<Utc>,
    terminal: String,
    encoding: String,
    files: Vec<FileEntry>,
    trees: Vec<TreeEntry>,
}

/// The file each tree's records go to: in a JSON export, in a CSV one.
const TREE_FILES: [(&str, &str, &str); 14] = [
    ("products", "products.json", "products.csv"),
    ("stock", "stock.json", "stock.csv"),
    ("customers", "customers.json", "customers.csv"),
    (
        "customer_history",
        "customer_corrections.json",
        "customer_corrections.csv",
    ),
    ("sales", "sales.json", "sales.csv"),
    ("open_carts", "open_carts.json", "open_carts.json"),
    ("held", "held.json", "held.json"),
    ("shifts", "shifts.json", "shifts.csv"),
    ("shift_history", "shift_history.json", "shifts.csv"),
    ("z_reports", "z_reports.json", "z_reports.csv"),
    ("users", "users.json", "users.csv"),
    ("journal", "journal.json", "journal.csv"),
    ("print_jobs", "print_jobs.json", "print_jobs.json"),
    ("catalog_inbox", "catalog_inbox.json", "catalog_inbox.json"),
];

/// Writes an export's files and keeps their counts and checksums for the manifest.
pub(super) struct Writer<'a> {
    out: &'a Path,
    files: Vec<FileEntry>,
}

impl Writer<'_> {
    pub(super) fn bytes(&mut self, name: &str, count: usize, bytes: Vec<u8>) -> Result<()> {
        let path = self.out.join(name);
        write_private(&path, &bytes)?;
        self.files.push(FileEntry {
            name: name.to_string(),
            count,
            sha256: hex::encode(Sha256::digest(&bytes)),
        });
        Ok(())
    }

    pub(super) fn json<T: Serialize + ?Sized>(
        &mut self,
        name: &str,
        count: usize,
        value: &T,
    ) -> Result<()> {
        self.bytes(name, count, serde_json::to_vec_pretty(value)?)
    }
}

/// Exports the store at `data` into `out`; through the daemon as `user` if
/// it holds the store (see `backoffice`): the daemon writes the export into
/// its spool and this process fetches every file, checked, into `out`.
/// Returns each file with its record count.
pub fn run(
    data: &Path,
    socket: &Path,
    user: Option<&str>,
    out: &Path,
    format: ExportFormat,
) -> Result<Vec<(String, usize)>> {
    let mut daemon = match reach(data, socket, user, "manager")? {
        Reach::Store(store) => return write(&store, out, format, None),
        Reach::Daemon(daemon) => daemon,
    };
    empty_dir(out)?;
    let Answer::Spooled(spooled) = daemon.ask(Ask::Export { format })? else {
        bail!("the daemon answered an export with something else");
    };
    for file in &spooled.files {
        if file.name.contains('/') || file.name.starts_with('.') {
            bail!("the daemon's export names a file '{}'", file.name);
        }
        daemon.fetch(&spooled, file, &out.join(&file.name))?;
    }
    daemon.release(&spooled)?;
    let manifest: Manifest = serde_json::from_slice(
        &fs::read(out.join("manifest.json")).context("the export came without its manifest")?,
    )?;
    Ok(manifest
        .files
        .into_iter()
        .map(|f| (f.name, f.count))
        .collect())
}

/// Makes `out` (mode 0700: customers' details are in it, readable), new or
/// empty: an export never mixes with other files.
fn empty_dir(out: &Path) -> Result<()> {
    if out.exists() && fs::read_dir(out)?.next().is_some() {
        bail!(
            "{} is not empty: export into a new or empty directory",
            out.display()
        );
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(out)
        .with_context(|| format!("cannot create {}", out.display()))
}

/// Writes the export of `store` into `out`, the daemon's spool entry or
/// the command's own directory, journaled as `actor`'s (the daemon's user).
pub fn write(
    store: &Store,
    out: &Path,
    format: ExportFormat,
    actor: Option<&str>,
) -> Result<Vec<(String, usize)>> {
    empty_dir(out)?;
    let dump = store.dump()?;
    let mut w = Writer {
        out,
        files: Vec::new(),
    };
    w.json("settings.json", 1, &dump.settings)?;
    match format {
        ExportFormat::Json => json_files(&mut w, &dump)?,
        ExportFormat::Csv => super::export_csv::files(&mut w, &dump)?,
    }
    w.json("schema.json", 1, &schema(format))?;
    let trees = store
        .tree_counts()
        .into_iter()
        .map(|(tree, count)| TreeEntry {
            file: TREE_FILES
                .iter()
                .find(|(t, ..)| *t == tree)
                .map(|(_, json, csv)| match format {
                    ExportFormat::Json => json.to_string(),
                    ExportFormat::Csv => csv.to_string(),
                }),
            derived_from: DERIVED
                .iter()
                .find(|(t, _)| *t == tree)
                .map(|(_, from)| from.to_string()),
            tree,
            count,
        })
        .collect();
    let summary = w.files.iter().map(|f| (f.name.clone(), f.count)).collect();
    let manifest = Manifest {
        format: "till-export".into(),
        version: 2,
        exported_at: Utc::now(),
        terminal: dump.settings.terminal.clone(),
        encoding: match format {
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
        }
        .into(),
        files: w.files,
        trees,
    };
    write_private(
        &out.join("manifest.json"),
        &serde_json::to_vec_pretty(&manifest)?,
    )?;
    let event = crate::store::journal::JournalEvent::Exported {
        format: manifest.encoding.clone(),
        customers: dump.customers.len(),
    };
    store.append_journal(actor, event)?;
    Ok(summary)
}

fn json_files(w: &mut Writer<'_>, d: &Dump) -> Result<()> {
    w.json("products.json", d.products.len(), &d.products)?;
    w.json("stock.json", d.stock.len(), &d.stock)?;
    w.json("customers.json", d.customers.len(), &d.customers)?;
    w.json(
        "customer_corrections.json",
        d.customer_corrections.len(),
        &d.customer_corrections,
    )?;
    w.json("sales.json", d.sales.len(), &d.sales)?;
    w.json("open_carts.json", d.open_carts.len(), &d.open_carts)?;
    w.json("held.json", d.held.len(), &d.held)?;
    w.json("shifts.json", d.shifts.len(), &d.shifts)?;
    w.json(
        "shift_history.json",
        d.shift_history.len(),
        &d.shift_history,
    )?;
    w.json("z_reports.json", d.z_reports.len(), &d.z_reports)?;
    w.json("z_state.json", 1, &d.z_state)?;
    w.json("users.json", d.users.len(), &d.users)?;
    let journal: Vec<ExportedEntry> = d.journal.iter().map(ExportedEntry::from).collect();
    w.json("journal.json", journal.len(), &journal)?;
    w.json("print_jobs.json", d.print_jobs.len(), &d.print_jobs)?;
    w.json(
        "catalog_inbox.json",
        d.catalog_inbox.len(),
        &d.catalog_inbox,
    )?;
    w.json("sync.json", 1, &d.sync)?;
    w.json("retention.json", 1, &d.retention)?;
    w.json("counters.json", 1, &d.counters)
}

/// What each file holds, field by field, so a program can read an export
/// without this code.
fn schema(format: ExportFormat) -> serde_json::Value {
    let doc = include_str!("export_schema.json");
    let mut schema: serde_json::Value = serde_json::from_str(doc).unwrap_or_default();
    if let Some(obj) = schema.as_object_mut() {
        let keep = match format {
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
        };
        obj.retain(|k, _| k == keep || k == "common");
    }
    schema
}

/// A new file only its owner reads.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}

fn read<T: DeserializeOwned>(dir: &Path, name: &str) -> Result<T> {
    let path = dir.join(name);
    let bytes = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("{} cannot be read", path.display()))
}

/// `till import export DIR`: a new store at `data` holding what a JSON
/// export holds, after checking every file against the manifest.
pub fn import(data: &Path, dir: &Path, admin_pin: &str) -> Result<Store> {
    let manifest: Manifest = read(dir, "manifest.json")?;
    if manifest.format != "till-export" || manifest.encoding != "json" {
        bail!(
            "{} is not a JSON till export (till export --format json)",
            dir.display()
        );
    }
    for f in &manifest.files {
        let path = dir.join(&f.name);
        let bytes = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        if hex::encode(Sha256::digest(&bytes)) != f.sha256 {
            bail!(
                "{} does not match its checksum in manifest.json: nothing was imported",
                path.display()
            );
        }
    }
    let journal: Vec<ExportedEntry> = read(dir, "journal.json")?;
    let dump = Dump {
        settings: read(dir, "settings.json")?,
        products: read(dir, "products.json")?,
        stock: read(dir, "stock.json")?,
        customers: read(dir, "customers.json")?,
        customer_corrections: read(dir, "customer_corrections.json")?,
        sales: read(dir, "sales.json")?,
        open_carts: read(dir, "open_carts.json")?,
        held: read(dir, "held.json")?,
        shifts: read(dir, "shifts.json")?,
        shift_history: read(dir, "shift_history.json")?,
        z_reports: read(dir, "z_reports.json")?,
        z_state: read(dir, "z_state.json")?,
        users: read(dir, "users.json")?,
        journal: journal
            .into_iter()
            .map(ExportedEntry::record)
            .collect::<Result<_>>()?,
        print_jobs: read(dir, "print_jobs.json")?,
        catalog_inbox: read(dir, "catalog_inbox.json")?,
        sync: read(dir, "sync.json")?,
        retention: read(dir, "retention.json")?,
        counters: read(dir, "counters.json")?,
    };
    let pin_hash = crate::engine::auth::hash_pin(admin_pin).context("the admin PIN")?;
    let store = Store::restore(data, &dump, &pin_hash)?;
    if let Err(e) = store.verify_journal() {
        drop(store);
        let _ = fs::remove_dir_all(data);
        bail!(
            "the imported journal does not verify ({e}): the export was altered; nothing was kept"
        );
    }
    store.append_journal(
        None,
        crate::store::journal::JournalEvent::Restored {
            from: format!("export of {}", manifest.exported_at.to_rfc3339()),
        },
    )?;
    Ok(store)
}
