//! The till's embedded store: typed tables over sled trees, the versioned
//! envelope, the schema, the hash-chained journal and the outbox.
//!
//! One tree per kind of record, one file per concern. Everything that must
//! happen together (a sale, its journal entry, its outbox entry, the receipt
//! counter, the emptied cart) is one transaction, and nothing is reported
//! done before [`Store::persist`] has made it durable. The rules of what a
//! write holds are the domain's: the store applies them. This module knows
//! nothing of users' permissions or of the screen: that is the engine's.
//! sled itself, and every workaround it needs, is `kv`'s alone.

pub mod backup;
pub mod carts;
pub mod catalog;
pub mod customers;
pub mod dump;
pub mod envelope;
pub mod error;
pub mod head_office;
pub mod identity;
pub mod journal;
pub mod journal_text;
pub mod keys;
pub mod kv;
pub mod lock;
pub mod outbox;
pub mod print_queue;
pub mod private;
pub mod retention;
pub mod sales;
pub mod scan_cache;
pub mod schema;
pub mod sealing;
pub mod settings;
pub mod shifts;
pub mod stock;
pub mod table;
pub mod users;
pub mod verify;
pub mod write;

use std::path::Path;
use std::sync::Arc;

use crate::domain::product::Product;
use crate::domain::receipt::CompletedSale;
use crate::domain::refund::RefundTally;
use crate::domain::sale::{HeldSale, Sale};
use crate::domain::shift::Shift;
use crate::domain::stock::StockLevel;
use crate::domain::takings::DayReport;
use crate::domain::user::User;
pub use error::StoreError;
use journal::{JournalEvent, JournalRecord};
use kv::{Db, Tree};
use print_queue::PrintJob;
pub use print_queue::Printer;
use settings::StoreSettings;
use table::Table;
pub use write::Put;

const MAGIC_KEY: &[u8] = b"magic";
const MAGIC: &[u8] = b"till-store";
const SETTINGS_KEY: &[u8] = b"settings";
const NEXT_RECEIPT_KEY: &[u8] = b"next_receipt";
const NEXT_HELD_KEY: &[u8] = b"next_held";
const NEXT_SHIFT_KEY: &[u8] = b"next_shift";
const Z_STATE_KEY: &[u8] = b"z_state";

/// Products written in one transaction by a bulk load. A transaction holds
/// its writes in memory until it commits (and then as one frame of the
/// commit log), so a bounded batch keeps a million-product load to the
/// memory of ten thousand.
pub const PRODUCT_BATCH: usize = 10_000;

pub struct Store {
    /// Shared with the sync and printer workers, which must make their own
    /// writes durable; the lock goes when the last holder lets go.
    dir: Arc<Db>,
    products: Table<String, Product>,
    /// Normalised barcodes and PLUs (see `keys`) → the sku, as bytes.
    barcodes: Tree,
    sales: Table<u64, CompletedSale>,
    refunds: Table<u64, RefundTally>,
    open_carts: Table<u16, Sale>,
    held: Table<u64, HeldSale>,
    shifts: Table<u16, Shift>,
    stock: Table<String, StockLevel>,
    shift_history: Table<u64, Shift>,
    z_reports: Table<u64, DayReport>,
    print_jobs: Table<u64, PrintJob>,
    /// Receipt number → the seq of its journal entry (as a key), for the
    /// hash on reprints.
    receipt_entries: Tree,
    users: Table<String, User>,
    journal: Table<u64, JournalRecord>,
    /// Journal entries head office has not acknowledged (keys only).
    outbox: Tree,
    /// Settings, counters and marks, each under a key of its own.
    meta: Tree,
    /// Head-office catalog change sets, verified, waiting for the engine.
    catalog_inbox: Table<u64, Vec<Product>>,
    catalog_queued: outbox::QueuedCatalogs,
    /// What scanned codes found since the catalog last changed.
    scan_cache: scan_cache::ScanCache,
    /// Each lane's cart as last saved or read (see `carts::CartMemo`).
    cart_memo: carts::CartMemo,
    /// Customers, their details sealed by `sealer`, and their corrections.
    customers: Table<u64, customers::StoredCustomer>,
    customer_history: Tree,
    sealer: Arc<sealing::Sealer>,
    /// How far the journal was durable, outside sled (see `witness`).
    witness: kv::witness::Witness,
}

impl Store {
    /// Creates a new store in `path`, which must be missing or empty, with a
    /// new signing key whose public half goes into the settings.
    pub fn create(path: &Path, mut settings: StoreSettings) -> Result<Store, StoreError> {
        let store = Store::create_empty(path, &mut settings)?;
        store.append_journal(
            None,
            JournalEvent::StoreCreated {
                terminal: settings.terminal.clone(),
            },
        )?;
        Ok(store)
    }

    /// Whether a new store may be made at `path`: it is missing or an empty
    /// directory. `till init` asks before it asks its questions.
    pub fn check_room(path: &Path) -> Result<(), StoreError> {
        if path.exists() {
            let mut entries = std::fs::read_dir(path).map_err(|e| StoreError::io(path, e))?;
            if entries.next().is_some() {
                return Err(if kv::looks_like_db(path) {
                    StoreError::AlreadyExists(path.to_path_buf())
                } else {
                    StoreError::NotAStore(path.to_path_buf())
                });
            }
        }
        Ok(())
    }

    /// A store with its settings and keys but nothing else, not even the
    /// journal's first entry: for `create`, and for `dump::restore`, which
    /// brings its own journal.
    fn create_empty(path: &Path, settings: &mut StoreSettings) -> Result<Store, StoreError> {
        Store::check_room(path)?;
        private::create_dir(path)?;
        let store = Store::open_unchecked(path)?;
        settings.public_key = identity::create_key(path)?;
        schema::write_version(&store.meta, schema::CURRENT)?;
        store.meta.put_value(SETTINGS_KEY, &*settings)?;
        store.meta.insert(MAGIC_KEY, MAGIC)?;
        Ok(store)
    }

    /// Opens an existing store, migrating it if it is older than this build.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if !path.is_dir()
            || std::fs::read_dir(path)
                .map(|mut d| d.next().is_none())
                .unwrap_or(true)
        {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        if !kv::looks_like_db(path) {
            return Err(StoreError::NotAStore(path.to_path_buf()));
        }
        let store = Store::open_unchecked(path)?;
        if store.meta.get(MAGIC_KEY)?.as_deref() != Some(MAGIC) {
            return Err(StoreError::NotAStore(path.to_path_buf()));
        }
        let found = schema::read_version(&store.meta)?
            .ok_or_else(|| StoreError::corrupt("meta", "no schema version"))?;
        schema::migrate(&store.dir, &store.meta, path, found, schema::MIGRATIONS)?;
        store.check_witness()?;
        store.settings()?;
        Ok(store)
    }

    fn open_unchecked(path: &Path) -> Result<Store, StoreError> {
        let dir = Arc::new(Db::open(path)?);
        let customers = Table::open(&dir, "customers", "customer")?;
        let customer_history = dir.tree("customer_history")?;
        // A key is made only while no customer needs the old one: a lost key
        // must be restored, not silently replaced (old details would be
        // unreadable and new ones sealed under another key).
        let fresh = customers.is_empty() && customer_history.is_empty();
        let sealer = Arc::new(sealing::Sealer::open_or_create(path, fresh)?);
        let witness = kv::witness::Witness::open(path)?;
        Ok(Store {
            products: Table::open(&dir, "products", "product")?,
            barcodes: dir.tree("barcodes")?,
            sales: Table::open(&dir, "sales", "sale")?,
            refunds: Table::open(&dir, "refunds", "refund tally")?,
            open_carts: Table::open(&dir, "open_carts", "open cart")?,
            held: Table::open(&dir, "held", "held sale")?,
            shifts: Table::open(&dir, "shifts", "shift")?,
            stock: Table::open(&dir, "stock", "stock")?,
            shift_history: Table::open(&dir, "shift_history", "shift")?,
            z_reports: Table::open(&dir, "z_reports", "Z report")?,
            print_jobs: Table::open(&dir, "print_jobs", "print job")?,
            receipt_entries: dir.tree("receipt_entries")?,
            users: Table::open(&dir, "users", "user")?,
            journal: Table::open(&dir, "journal", "journal entry")?,
            outbox: dir.tree("outbox")?,
            meta: dir.tree("meta")?,
            catalog_inbox: Table::open(&dir, "catalog_inbox", "catalog change set")?,
            catalog_queued: Default::default(),
            scan_cache: Default::default(),
            cart_memo: Default::default(),
            customers,
            customer_history,
            sealer,
            witness,
            dir,
        })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Makes everything written so far durable (see [`Db::persist`]),
    /// then notes how far the journal now is (see `witness`). The head is
    /// read first: an entry another thread adds during the fsync may not be
    /// durable yet, and the note must never run ahead of the disk.
    pub fn persist(&self) -> Result<(), StoreError> {
        let (next_seq, hash) = journal::head(&self.meta)?;
        self.dir.persist()?;
        // The commit is durable whatever happens to the note: a note that
        // could not be written only lags, which proves nothing either way.
        if let Err(e) = self.witness.record(next_seq, &hash) {
            tracing::warn!(error = %e, "cannot note the journal's head beside the store");
        }
        Ok(())
    }

    /// Refuses a store whose journal lost what the witness saw made durable:
    /// sled takes a damaged log end for the end, and would open without it.
    fn check_witness(&self) -> Result<(), StoreError> {
        let Some((noted, noted_hash)) = self.witness.read() else {
            return Ok(());
        };
        let (next, hash) = journal::head(&self.meta)?;
        let damaged = |detail: String| Err(StoreError::corrupt("journal", detail));
        if noted > next {
            return damaged(format!(
                "it ends before entry {next}, but entries up to {} were made durable, so the end of the store is lost",
                noted - 1
            ));
        }
        let held = if noted == next {
            Some(hash)
        } else if noted > 0 {
            self.journal.get(&(noted - 1))?.map(|r| r.hash)
        } else {
            None
        };
        match held {
            Some(h) if h != noted_hash => damaged(format!(
                "entry {} is not the entry that was made durable",
                noted - 1
            )),
            _ => Ok(()),
        }
    }

    pub fn settings(&self) -> Result<StoreSettings, StoreError> {
        self.meta
            .value(SETTINGS_KEY, "store settings")?
            .ok_or_else(|| StoreError::corrupt("meta", "no settings"))
    }
}
