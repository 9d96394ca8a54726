//! The till's embedded store: sled trees, the versioned envelope, the schema,
//! the hash-chained journal and the outbox.
//!
//! One tree per kind of record. Everything that must happen together (a sale,
//! its journal entry, its outbox entry, the receipt counter, the emptied cart)
//! is one sled transaction, and nothing is reported done before [`Store::persist`]
//! has made it durable. This module knows nothing of users' permissions or of
//! the screen: that is the engine's.

pub mod backup;
pub mod customers;
pub mod dump;
pub mod envelope;
pub mod error;
pub mod identity;
pub mod journal;
pub mod keys;
pub mod lock;
pub mod outbox;
pub mod print_queue;
pub mod private;
pub mod retention;
pub mod schema;
pub mod sealing;
pub mod settings;
pub mod witness;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde::de::DeserializeOwned;
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use crate::domain::product::Product;
use crate::domain::receipt::CompletedSale;
use crate::domain::refund::RefundTally;
use crate::domain::sale::{HeldSale, ReceiptNo, Sale, SaleKind};
use crate::domain::shift::Shift;
use crate::domain::stock::StockLevel;
use crate::domain::takings::{DayReport, ZState};
use crate::domain::tender::TenderKind;
use crate::domain::user::User;
use envelope::{decode, encode};
pub use error::StoreError;
use journal::{ChainError, JournalEvent, JournalRecord, JournalTx};
use lock::StoreLock;
pub use print_queue::Printer;
use print_queue::{JobKind, PrintJob, PrintQueue};
use settings::StoreSettings;

const MAGIC_KEY: &[u8] = b"magic";
const MAGIC: &[u8] = b"till-store";
const SETTINGS_KEY: &[u8] = b"settings";
const NEXT_RECEIPT_KEY: &[u8] = b"next_receipt";
const NEXT_HELD_KEY: &[u8] = b"next_held";
const NEXT_SHIFT_KEY: &[u8] = b"next_shift";
const Z_STATE_KEY: &[u8] = b"z_state";

/// Files sled keeps in a store directory; their presence tells a store from a stray folder.
/// Products written in one transaction by a bulk load. A sled transaction
/// holds its writes in memory until it commits, so a bounded batch keeps a
/// million-product load to the memory of ten thousand.
pub const PRODUCT_BATCH: usize = 10_000;

const SLED_FILES: [&str; 2] = ["conf", "db"];

/// A sled database in a directory whose lock we hold, that can be made
/// durable: the till's store, and head office's.
pub struct SledDir {
    path: PathBuf,
    pub db: sled::Db,
    /// sled's data file, kept open to fsync it: `sled::Db::flush` alone does not
    /// reach the disk on Linux (it uses sync_file_range, which skips the drive's
    /// cache and the file's metadata).
    db_file: File,
    /// Writers beside the engine (the sync and printer workers) hold it
    /// shared while they write; a backup holds it alone, with the engine's
    /// lock, so it copies one moment of the store.
    quiet: std::sync::RwLock<()>,
    // Declared last so it is released after this handle's sled has closed.
    _lock: StoreLock,
}

impl SledDir {
    /// Makes `path` private (see `private`: first, so that a store of
    /// another user's says what to run, not which file it could not open),
    /// locks it (naming any holder) and opens sled in it.
    pub fn open(path: &Path) -> Result<SledDir, StoreError> {
        private::restrict_umask();
        private::secure(path)?;
        let lock = StoreLock::acquire(path)?;
        let db = open_sled(path)?;
        let db_path = path.join("db");
        let db_file = File::open(&db_path).map_err(|e| StoreError::io(&db_path, e))?;
        Ok(SledDir {
            path: path.to_path_buf(),
            db,
            db_file,
            quiet: std::sync::RwLock::new(()),
            _lock: lock,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Held by a worker while it writes (see `quiet`).
    pub fn writing(&self) -> std::sync::RwLockReadGuard<'_, ()> {
        self.quiet.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Held by a backup: no worker writes until it is dropped.
    pub fn quiet(&self) -> std::sync::RwLockWriteGuard<'_, ()> {
        self.quiet.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Makes everything written so far durable: sled's flush, then an fsync of
    /// its data file (see `db_file`).
    pub fn persist(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        self.db_file
            .sync_all()
            .map_err(|e| StoreError::io(self.path.join("db"), e))
    }
}

pub struct Store {
    /// Shared with the sync worker, which must make its own writes durable;
    /// the lock goes when the last holder lets go.
    dir: std::sync::Arc<SledDir>,
    products: sled::Tree,
    barcodes: sled::Tree,
    sales: sled::Tree,
    refunds: sled::Tree,
    open_carts: sled::Tree,
    held: sled::Tree,
    shifts: sled::Tree,
    stock: sled::Tree,
    shift_history: sled::Tree,
    z_reports: sled::Tree,
    print_jobs: sled::Tree,
    /// Receipt number → the seq of its journal entry, for the hash on reprints.
    receipt_entries: sled::Tree,
    users: sled::Tree,
    journal: sled::Tree,
    outbox: sled::Tree,
    meta: sled::Tree,
    /// Head-office catalog change sets, verified, waiting for the engine.
    catalog_inbox: sled::Tree,
    /// Customers, their details sealed by `sealer`, and their corrections.
    customers: sled::Tree,
    customer_history: sled::Tree,
    sealer: std::sync::Arc<sealing::Sealer>,
    /// How far the journal was durable, outside sled (see `witness`).
    witness: witness::Witness,
}

pub(crate) fn tx_error(e: TransactionError<StoreError>) -> StoreError {
    match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => e.into(),
    }
}

pub(crate) fn abort(e: StoreError) -> ConflictableTransactionError<StoreError> {
    ConflictableTransactionError::Abort(e)
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
                return Err(if looks_like_store(path) {
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
        store.meta.insert(SETTINGS_KEY, encode(&settings)?)?;
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
        if !looks_like_store(path) {
            return Err(StoreError::NotAStore(path.to_path_buf()));
        }
        let store = Store::open_unchecked(path)?;
        if store.meta.get(MAGIC_KEY)?.as_deref() != Some(MAGIC) {
            return Err(StoreError::NotAStore(path.to_path_buf()));
        }
        let found = schema::read_version(&store.meta)?
            .ok_or_else(|| StoreError::corrupt("meta", "no schema version"))?;
        schema::migrate(&store.dir.db, &store.meta, path, found, schema::MIGRATIONS)?;
        store.check_witness()?;
        store.settings()?;
        Ok(store)
    }

    fn open_unchecked(path: &Path) -> Result<Store, StoreError> {
        let dir = std::sync::Arc::new(SledDir::open(path)?);
        let tree = |name: &str| dir.db.open_tree(name);
        let customers = tree("customers")?;
        let customer_history = tree("customer_history")?;
        // A key is made only while no customer needs the old one: a lost key
        // must be restored, not silently replaced (old details would be
        // unreadable and new ones sealed under another key).
        let fresh = customers.is_empty() && customer_history.is_empty();
        let sealer = std::sync::Arc::new(sealing::Sealer::open_or_create(path, fresh)?);
        let witness = witness::Witness::open(path)?;
        Ok(Store {
            products: tree("products")?,
            barcodes: tree("barcodes")?,
            sales: tree("sales")?,
            refunds: tree("refunds")?,
            open_carts: tree("open_carts")?,
            held: tree("held")?,
            shifts: tree("shifts")?,
            stock: tree("stock")?,
            shift_history: tree("shift_history")?,
            z_reports: tree("z_reports")?,
            print_jobs: tree("print_jobs")?,
            receipt_entries: tree("receipt_entries")?,
            users: tree("users")?,
            journal: tree("journal")?,
            outbox: tree("outbox")?,
            meta: tree("meta")?,
            catalog_inbox: tree("catalog_inbox")?,
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

    /// Makes everything written so far durable (see [`SledDir::persist`]),
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
            self.journal
                .get(keys::seq(noted - 1))?
                .map(|raw| decode::<journal::JournalRecord>(&raw, "journal entry"))
                .transpose()?
                .map(|r| r.hash)
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
        let raw = self
            .meta
            .get(SETTINGS_KEY)?
            .ok_or_else(|| StoreError::corrupt("meta", "no settings"))?;
        decode(&raw, "store settings")
    }

    /// Journals an event that changes no record of its own (a login, a
    /// store created).
    pub fn append_journal(
        &self,
        actor: Option<&str>,
        event: JournalEvent,
    ) -> Result<JournalRecord, StoreError> {
        self.write_journaled_as(&[], actor, event)
    }

    // ---- catalog -------------------------------------------------------

    pub fn product(&self, sku: &str) -> Result<Option<Product>, StoreError> {
        get(&self.products, sku.as_bytes(), "product")
    }

    /// Looks a product up by a normalised barcode or by PLU.
    pub fn product_by_key(&self, key: &[u8]) -> Result<Option<Product>, StoreError> {
        match self.barcodes.get(key)? {
            Some(sku) => self.product(&String::from_utf8_lossy(&sku)),
            None => Ok(None),
        }
    }

    pub fn products(&self) -> impl Iterator<Item = Result<Product, StoreError>> + '_ {
        values(&self.products, "product")
    }

    pub fn product_count(&self) -> usize {
        self.products.len()
    }

    /// Adds or replaces products, their barcodes and PLUs, and journals the
    /// import, all in one transaction: a batch lands whole or not at all.
    /// Bulk loads (import, the demo catalog) call it per [`PRODUCT_BATCH`].
    pub fn put_products(
        &self,
        products: &[Product],
        actor: Option<&str>,
    ) -> Result<(), StoreError> {
        let digest = journal::digest(&products)?;
        let event = JournalEvent::ProductsImported {
            count: products.len(),
            digest,
        };
        self.put_products_journaled(products, actor, event, None)
    }

    /// Adds or replaces products and journals `event` with them, together.
    /// `from_hq` names the head-office catalog version they came from: it
    /// leaves the inbox and becomes the applied version in the same step.
    pub fn put_products_journaled(
        &self,
        products: &[Product],
        actor: Option<&str>,
        event: JournalEvent,
        from_hq: Option<u64>,
    ) -> Result<(), StoreError> {
        let mut encoded = Vec::with_capacity(products.len());
        for p in products {
            encoded.push((p, encode(p)?));
        }
        let now = Utc::now();
        (
            &self.products,
            &self.barcodes,
            &self.journal,
            &self.outbox,
            &self.meta,
            &self.catalog_inbox,
        )
            .transaction(|(tx_products, tx_barcodes, journal, outbox, meta, inbox)| {
                if let Some(version) = from_hq {
                    inbox.remove(&keys::seq(version))?;
                    meta.insert(outbox::CATALOG_VERSION_KEY, &keys::seq(version))?;
                    meta.remove(outbox::CATALOG_ERROR_KEY)?;
                }
                for (p, bytes) in &encoded {
                    if let Some(old) = tx_products.get(p.sku.as_bytes())? {
                        let old: Product = decode(&old, "product").map_err(abort)?;
                        // Free the old codes, but only those still pointing here.
                        let old_keys = old.barcodes.iter().map(|c| keys::barcode(c));
                        for key in old_keys.chain(old.plu.iter().map(|p| keys::plu(p))) {
                            if tx_barcodes.get(&key)?.as_deref() == Some(p.sku.as_bytes()) {
                                tx_barcodes.remove(key)?;
                            }
                        }
                    }
                    tx_products.insert(p.sku.as_bytes(), bytes.clone())?;
                    for code in &p.barcodes {
                        tx_barcodes.insert(keys::barcode(code), p.sku.as_bytes())?;
                    }
                    if let Some(plu) = &p.plu {
                        tx_barcodes.insert(keys::plu(plu), p.sku.as_bytes())?;
                    }
                }
                journal::append(
                    &JournalTx {
                        journal,
                        outbox,
                        meta,
                    },
                    actor,
                    event.clone(),
                    now,
                )?;
                Ok(())
            })
            .map_err(tx_error)?;
        self.persist()
    }

    // ---- users ---------------------------------------------------------

    pub fn user(&self, name: &str) -> Result<Option<User>, StoreError> {
        get(&self.users, name.as_bytes(), "user")
    }

    pub fn users(&self) -> impl Iterator<Item = Result<User, StoreError>> + '_ {
        values(&self.users, "user")
    }

    /// Saves a user and journals the change, together.
    pub fn put_user_journaled(
        &self,
        user: &User,
        actor: &str,
        event: JournalEvent,
    ) -> Result<(), StoreError> {
        let put = Put {
            tree: &self.users,
            key: user.name.as_bytes().to_vec(),
            value: Some(encode(user)?),
        };
        self.write_journaled(&[put], actor, event).map(drop)
    }

    pub fn put_user(&self, user: &User) -> Result<(), StoreError> {
        self.users.insert(user.name.as_bytes(), encode(user)?)?;
        self.persist()
    }

    // ---- open carts ----------------------------------------------------

    pub fn cart(&self, lane: u16) -> Result<Option<Sale>, StoreError> {
        get(&self.open_carts, &lane.to_be_bytes(), "open cart")
    }

    /// Saves the open cart after each change, so a killed till resumes it.
    /// This flushes but does not fsync: a cart is cheap to rescan, and an
    /// fsync per scan would slow every scan on an SD card.
    pub fn save_cart(&self, lane: u16, sale: &Sale) -> Result<(), StoreError> {
        self.open_carts.insert(lane.to_be_bytes(), encode(sale)?)?;
        self.dir.db.flush()?;
        Ok(())
    }

    /// Saves (or with `None` drops) the lane's cart and journals why, together.
    pub fn put_cart_journaled(
        &self,
        lane: u16,
        sale: Option<&Sale>,
        actor: &str,
        event: JournalEvent,
    ) -> Result<(), StoreError> {
        let value = sale.map(encode).transpose()?;
        let put = Put {
            tree: &self.open_carts,
            key: lane.to_be_bytes().to_vec(),
            value,
        };
        self.write_journaled(&[put], actor, event).map(drop)
    }

    /// Writes (or, with `value: None`, removes) records and journals `event`
    /// in one transaction, then makes it durable: the one way a change and
    /// its journal entry land together.
    pub fn write_journaled(
        &self,
        puts: &[Put<'_>],
        actor: &str,
        event: JournalEvent,
    ) -> Result<JournalRecord, StoreError> {
        self.write_journaled_as(puts, Some(actor), event)
    }

    /// `write_journaled`, also for entries the system itself makes (no actor).
    pub(crate) fn write_journaled_as(
        &self,
        puts: &[Put<'_>],
        actor: Option<&str>,
        event: JournalEvent,
    ) -> Result<JournalRecord, StoreError> {
        let mut trees: Vec<&sled::Tree> = vec![&self.journal, &self.outbox, &self.meta];
        let mut slots = Vec::with_capacity(puts.len());
        for put in puts {
            let at = match trees.iter().position(|t| t.name() == put.tree.name()) {
                Some(at) => at,
                None => {
                    trees.push(put.tree);
                    trees.len() - 1
                }
            };
            slots.push(at);
        }
        let now = Utc::now();
        let record = trees
            .as_slice()
            .transaction(|views| {
                for (put, &at) in puts.iter().zip(&slots) {
                    match &put.value {
                        Some(v) => views[at].insert(put.key.as_slice(), v.clone())?,
                        None => views[at].remove(put.key.as_slice())?,
                    };
                }
                let tx = JournalTx {
                    journal: &views[0],
                    outbox: &views[1],
                    meta: &views[2],
                };
                journal::append(&tx, actor, event.clone(), now)
            })
            .map_err(tx_error)?;
        self.persist()?;
        Ok(record)
    }

    // ---- shifts and Z reports --------------------------------------------

    /// The lane's open shift, if any.
    pub fn shift(&self, lane: u16) -> Result<Option<Shift>, StoreError> {
        get(&self.shifts, &lane.to_be_bytes(), "shift")
    }

    /// The number the next shift gets. Read outside the write: the engine
    /// applies one command at a time, and `save_shift` stores the next one.
    pub fn next_shift_number(&self) -> Result<u64, StoreError> {
        Ok(self
            .meta
            .get(NEXT_SHIFT_KEY)?
            .and_then(|raw| keys::parse_seq(&raw))
            .unwrap_or(1))
    }

    /// Saves a shift with its journal entry: open while it is, to the history
    /// when it closes.
    pub fn save_shift(
        &self,
        shift: &Shift,
        actor: &str,
        event: JournalEvent,
    ) -> Result<(), StoreError> {
        let lane = shift.lane.to_be_bytes().to_vec();
        let bytes = encode(shift)?;
        let counter = keys::seq(self.next_shift_number()?.max(shift.number + 1)).to_vec();
        let mut puts = vec![Put {
            tree: &self.meta,
            key: NEXT_SHIFT_KEY.to_vec(),
            value: Some(counter),
        }];
        if shift.close.is_some() {
            puts.push(Put {
                tree: &self.shifts,
                key: lane,
                value: None,
            });
            puts.push(Put {
                tree: &self.shift_history,
                key: keys::seq(shift.number).to_vec(),
                value: Some(bytes),
            });
        } else {
            puts.push(Put {
                tree: &self.shifts,
                key: lane,
                value: Some(bytes),
            });
        }
        self.write_journaled(&puts, actor, event).map(drop)
    }

    /// Completed sales and refunds from `first` on, in receipt order.
    pub fn sales_from(
        &self,
        first: u64,
    ) -> impl Iterator<Item = Result<CompletedSale, StoreError>> + '_ {
        self.sales
            .range(keys::seq(first)..)
            .values()
            .map(|raw| decode(&raw?, "sale"))
    }

    pub fn z_state(&self) -> Result<ZState, StoreError> {
        Ok(get(&self.meta, Z_STATE_KEY, "Z state")?.unwrap_or_default())
    }

    /// Stores a Z report and moves the Z state on, with its journal entry.
    pub fn save_z(
        &self,
        report: &DayReport,
        actor: &str,
        event: JournalEvent,
    ) -> Result<(), StoreError> {
        let number = report
            .z_number
            .ok_or_else(|| StoreError::corrupt("Z report", "no number"))?;
        let state = ZState {
            number,
            last_receipt: report.to_receipt,
            grand_total: report.grand_total,
        };
        let puts = [
            Put {
                tree: &self.z_reports,
                key: keys::seq(number).to_vec(),
                value: Some(encode(report)?),
            },
            Put {
                tree: &self.meta,
                key: Z_STATE_KEY.to_vec(),
                value: Some(encode(&state)?),
            },
        ];
        self.write_journaled(&puts, actor, event).map(drop)
    }

    // ---- stock -------------------------------------------------------------

    pub fn stock(&self, sku: &str) -> Result<StockLevel, StoreError> {
        Ok(get(&self.stock, sku.as_bytes(), "stock")?.unwrap_or_default())
    }

    /// Sets new stock levels with their journal entry, together.
    pub fn set_stock(
        &self,
        levels: &[(String, StockLevel)],
        actor: &str,
        event: JournalEvent,
    ) -> Result<(), StoreError> {
        let mut puts = Vec::with_capacity(levels.len());
        for (sku, level) in levels {
            puts.push(Put {
                tree: &self.stock,
                key: sku.as_bytes().to_vec(),
                value: Some(encode(level)?),
            });
        }
        self.write_journaled(&puts, actor, event).map(drop)
    }

    // ---- held sales ------------------------------------------------------

    /// Parks the lane's cart under a new id, in one step, so a customer who
    /// forgot something can step aside while the next one is served.
    pub fn hold_cart(&self, lane: u16, held: &HeldSale) -> Result<u64, StoreError> {
        let id = (&self.open_carts, &self.held, &self.meta)
            .transaction(|(carts, parked, meta)| {
                // Small numbers a cashier can say aloud: #1, #2, …
                let id = keys::counter(meta, NEXT_HELD_KEY, "held-sale counter")?;
                meta.insert(NEXT_HELD_KEY, &keys::seq(id + 1))?;
                let held = HeldSale { id, ..held.clone() };
                carts.remove(&lane.to_be_bytes())?;
                parked.insert(&keys::seq(id), encode(&held).map_err(abort)?)?;
                Ok(id)
            })
            .map_err(tx_error)?;
        self.persist()?;
        Ok(id)
    }

    pub fn held_sales(&self) -> impl Iterator<Item = Result<HeldSale, StoreError>> + '_ {
        values(&self.held, "held sale")
    }

    /// Moves a held sale back onto the lane; `None` if another till took it first.
    pub fn recall(&self, lane: u16, id: u64) -> Result<Option<HeldSale>, StoreError> {
        let found = (&self.open_carts, &self.held)
            .transaction(|(carts, parked)| {
                let Some(raw) = parked.remove(&keys::seq(id))? else {
                    return Ok(None);
                };
                let held: HeldSale = decode(&raw, "held sale").map_err(abort)?;
                carts.insert(&lane.to_be_bytes(), encode(&held.sale).map_err(abort)?)?;
                Ok(Some(held))
            })
            .map_err(tx_error)?;
        self.persist()?;
        Ok(found)
    }

    // ---- completed sales -------------------------------------------------

    /// Completes the sale on `lane`: gives it the next receipt number, stores it,
    /// journals it, queues it for head office, counts a refund against its
    /// original, and empties the lane's cart, in one transaction; then makes it
    /// durable. Only after this returns Ok may anyone be told the sale is done.
    /// `printer` says whether a receipt is queued, and whether a drawer hangs
    /// off that printer to open for cash: the engine's word, from the config.
    pub fn complete_sale(
        &self,
        lane: u16,
        actor: &str,
        printer: Option<Printer>,
        build: impl Fn(ReceiptNo) -> CompletedSale,
    ) -> Result<CompletedSale, StoreError> {
        let now = Utc::now();
        let done = (
            &self.sales,
            &self.refunds,
            &self.open_carts,
            &self.journal,
            &self.outbox,
            &self.meta,
            &self.print_jobs,
            &self.receipt_entries,
            &self.stock,
        )
            .transaction(
                |(sales, refunds, carts, journal, outbox, meta, jobs, entries, stock)| {
                    let receipt = keys::counter(meta, NEXT_RECEIPT_KEY, "receipt counter")?;
                    let sale = build(ReceiptNo(receipt));
                    let digest = journal::digest(&sale).map_err(abort)?;
                    let total = sale.totals.total;
                    let event = match sale.sale.kind {
                        SaleKind::Sale => JournalEvent::SaleCompleted {
                            receipt: sale.receipt,
                            total,
                            digest,
                        },
                        SaleKind::Refund { original } => {
                            let mut tally = match refunds.get(keys::seq(original.0))? {
                                Some(raw) => {
                                    decode::<RefundTally>(&raw, "refund tally").map_err(abort)?
                                }
                                None => {
                                    let raw =
                                        sales.get(keys::seq(original.0))?.ok_or_else(|| {
                                            abort(StoreError::corrupt(
                                                "refund",
                                                "original sale missing",
                                            ))
                                        })?;
                                    RefundTally::for_sale(&decode(&raw, "sale").map_err(abort)?)
                                }
                            };
                            tally.record(&sale.sale);
                            // Checked again here: another lane may have refunded the
                            // same receipt since this refund's lines were added.
                            let raw = sales.get(keys::seq(original.0))?.ok_or_else(|| {
                                abort(StoreError::corrupt("refund", "original sale missing"))
                            })?;
                            let sold: CompletedSale = decode(&raw, "sale").map_err(abort)?;
                            if let Some(line) = tally.overrun(&sold) {
                                return Err(abort(StoreError::RefundOverrun {
                                    receipt: original.0,
                                    line,
                                }));
                            }
                            refunds
                                .insert(&keys::seq(original.0), encode(&tally).map_err(abort)?)?;
                            JournalEvent::RefundCompleted {
                                receipt: sale.receipt,
                                original,
                                total,
                                digest,
                            }
                        }
                    };
                    sales.insert(&keys::seq(receipt), encode(&sale).map_err(abort)?)?;
                    // What left the shop (or came back) leaves the stock count.
                    for line in sale.sale.lines.iter().filter(|l| !l.voided) {
                        let mut level: StockLevel = match stock.get(line.sku.as_bytes())? {
                            Some(raw) => decode(&raw, "stock").map_err(abort)?,
                            None => StockLevel::default(),
                        };
                        if sale.sale.is_refund() {
                            level.on_hand += line.quantity;
                        } else {
                            level.on_hand -= line.quantity;
                        }
                        stock.insert(line.sku.as_bytes(), encode(&level).map_err(abort)?)?;
                    }
                    meta.insert(NEXT_RECEIPT_KEY, &keys::seq(receipt + 1))?;
                    carts.remove(&lane.to_be_bytes())?;
                    let tx = JournalTx {
                        journal,
                        outbox,
                        meta,
                    };
                    let record = journal::append(&tx, Some(actor), event, now)?;
                    entries.insert(&keys::seq(receipt), &keys::seq(record.entry.seq))?;
                    let Some(printer) = printer else {
                        return Ok(sale);
                    };
                    // Cash in or out opens the drawer; the journal says so.
                    let kick = printer.drawer
                        && sale.sale.tenders.iter().any(|t| t.kind == TenderKind::Cash);
                    if kick {
                        let opened = JournalEvent::DrawerOpened {
                            receipt: Some(sale.receipt),
                            approved_by: None,
                        };
                        journal::append(&tx, Some(actor), opened, now)?;
                    }
                    let kind = JobKind::Receipt {
                        receipt: sale.receipt,
                        hash: record.hash,
                        duplicate: false,
                    };
                    print_queue::queue(
                        jobs,
                        meta,
                        &PrintJob {
                            kind,
                            kick,
                            queued_at: now,
                            attempts: 0,
                        },
                    )?;
                    Ok(sale)
                },
            )
            .map_err(tx_error)?;
        // Committed: the receipt number is taken. If the disk then fails, say
        // so with the number, so nobody rings the sale up (and charges) again.
        self.persist().map_err(|e| StoreError::NotDurable {
            receipt: done.receipt.0,
            source: Box::new(e),
        })?;
        Ok(done)
    }

    /// A handle for the printer worker's thread.
    pub fn print_queue(&self) -> PrintQueue {
        PrintQueue {
            dir: self.dir.clone(),
            jobs: self.print_jobs.clone(),
            customers: self.customers.clone(),
            sealer: self.sealer.clone(),
            sales: self.sales.clone(),
        }
    }

    /// Journals `event` and queues `job` with it, in one transaction.
    pub fn queue_job_journaled(
        &self,
        job: &PrintJob,
        actor: &str,
        event: JournalEvent,
    ) -> Result<(), StoreError> {
        (&self.journal, &self.outbox, &self.meta, &self.print_jobs)
            .transaction(|(journal, outbox, meta, jobs)| {
                journal::append(
                    &JournalTx {
                        journal,
                        outbox,
                        meta,
                    },
                    Some(actor),
                    event.clone(),
                    job.queued_at,
                )?;
                print_queue::queue(jobs, meta, job)?;
                Ok(())
            })
            .map_err(tx_error)?;
        self.persist()
    }

    /// The hash of the journal entry that recorded `receipt`.
    pub fn receipt_hash(&self, receipt: ReceiptNo) -> Result<Option<journal::Hash>, StoreError> {
        let Some(seq) = self.receipt_entries.get(keys::seq(receipt.0))? else {
            return Ok(None);
        };
        let record: Option<JournalRecord> = get(&self.journal, &seq, "journal entry")?;
        Ok(record.map(|r| r.hash))
    }

    /// The newest receipt of this terminal, if any.
    pub fn last_receipt(&self) -> Result<Option<ReceiptNo>, StoreError> {
        Ok(self
            .sales
            .last()?
            .and_then(|(k, _)| keys::parse_seq(&k))
            .map(ReceiptNo))
    }

    pub fn sale(&self, receipt: ReceiptNo) -> Result<Option<CompletedSale>, StoreError> {
        get(&self.sales, &keys::seq(receipt.0), "sale")
    }

    pub fn sales(&self) -> impl Iterator<Item = Result<CompletedSale, StoreError>> + '_ {
        values(&self.sales, "sale")
    }

    /// What has been refunded of a receipt so far.
    pub fn refund_tally(&self, original: &CompletedSale) -> Result<RefundTally, StoreError> {
        Ok(get(
            &self.refunds,
            &keys::seq(original.receipt.0),
            "refund tally",
        )?
        .unwrap_or_else(|| RefundTally::for_sale(original)))
    }

    // ---- journal ---------------------------------------------------------

    pub fn journal(&self) -> impl Iterator<Item = Result<JournalRecord, StoreError>> + '_ {
        values(&self.journal, "journal entry")
    }

    /// The newest `limit` journal entries, newest first.
    pub fn journal_tail(&self, limit: usize) -> Result<Vec<JournalRecord>, StoreError> {
        self.journal
            .iter()
            .values()
            .rev()
            .take(limit)
            .map(|raw| decode(&raw?, "journal entry"))
            .collect()
    }

    /// A handle on the outbox and the sync state, for the sync worker's thread.
    pub fn outbox(&self) -> outbox::Outbox {
        outbox::Outbox {
            dir: self.dir.clone(),
            journal: self.journal.clone(),
            outbox: self.outbox.clone(),
            meta: self.meta.clone(),
            sales: self.sales.clone(),
            catalog_inbox: self.catalog_inbox.clone(),
        }
    }

    /// Journals why a head-office change set was not applied, and counts it
    /// as seen, so it is not fetched again.
    pub fn refuse_catalog(
        &self,
        version: u64,
        actor: &str,
        reason: String,
    ) -> Result<(), StoreError> {
        let puts = [
            Put {
                tree: &self.catalog_inbox,
                key: keys::seq(version).to_vec(),
                value: None,
            },
            Put {
                tree: &self.meta,
                key: outbox::CATALOG_VERSION_KEY.to_vec(),
                value: Some(keys::seq(version).to_vec()),
            },
            Put {
                tree: &self.meta,
                key: outbox::CATALOG_ERROR_KEY.to_vec(),
                value: Some(format!("version {version}: {reason}").into_bytes()),
            },
        ];
        let event = JournalEvent::CatalogRefused { version, reason };
        self.write_journaled(&puts, actor, event).map(drop)
    }

    /// Pins head office (its address, CA and key) on this terminal, journaled.
    pub fn join_hq(&self, link: &outbox::HqLink, actor: Option<&str>) -> Result<(), StoreError> {
        let (key, value) = outbox::Outbox::link_put(link)?;
        let put = Put {
            tree: &self.meta,
            key,
            value: Some(value),
        };
        let event = JournalEvent::HqJoined {
            url: link.url.clone(),
        };
        self.write_journaled_as(&[put], actor, event).map(drop)
    }

    /// Checks the whole chain, and that every sale record still has the digest
    /// its journal entry took of it.
    pub fn verify_journal(&self) -> Result<u64, ChainError> {
        // Receipts below this were removed by retention, after head office had them.
        let kept_from = self.receipts_kept_from().map_err(|_| ChainError::NoHead)?;
        let mut journaled = std::collections::HashSet::new();
        let entries = journal::verify(&self.journal, &self.meta, |record| {
            let (receipt, digest) = match &record.entry.event {
                JournalEvent::SaleCompleted {
                    receipt, digest, ..
                }
                | JournalEvent::RefundCompleted {
                    receipt, digest, ..
                } => (*receipt, *digest),
                _ => return Ok(()),
            };
            let n = receipt.0;
            if n < kept_from && self.sale(receipt).ok().flatten().is_none() {
                // Removed by retention, which the journal says (checked below).
                return Ok(());
            }
            let sale = self
                .sale(receipt)
                .map_err(|e| format!("the sale record of receipt {n} cannot be read: {e}"))?
                .ok_or_else(|| format!("the sale record of receipt {n} is missing"))?;
            if journal::digest(&sale).map_err(|e| e.to_string())? != digest {
                return Err(format!("the sale record of receipt {n} was altered"));
            }
            journaled.insert(n);
            Ok(())
        })?;
        // And the other way round: every sale record is journaled, and the
        // receipt numbers run 1, 2, 3, … without a gap.
        self.check_retention_marks(kept_from)?;
        let kept = self.sales.range(keys::seq(kept_from)..).keys();
        for (expected, key) in (kept_from..).zip(kept) {
            let receipt = key.ok().and_then(|k| keys::parse_seq(&k)).unwrap_or(0);
            if receipt != expected {
                return Err(ChainError::Receipts {
                    receipt: expected,
                    detail: format!("missing (found {receipt} next)"),
                });
            }
            if !journaled.contains(&receipt) {
                return Err(ChainError::Receipts {
                    receipt,
                    detail: "has a sale record but no journal entry".into(),
                });
            }
        }
        Ok(entries)
    }
}

/// Opens sled, waiting briefly for its own lock. Holding our lock file proves
/// no other till has the store, but a `sled::Db` dropped a moment ago in this
/// process releases its file lock only when its background flusher thread
/// ends, so a quick reopen (init, then sell) can meet that lingering lock.
fn open_sled(path: &Path) -> Result<sled::Db, StoreError> {
    discard_unfinished_snapshots(path)?;
    let give_up = Instant::now() + Duration::from_secs(2);
    loop {
        match sled::Config::new().path(path).open() {
            Ok(db) => return Ok(db),
            Err(sled::Error::Io(io)) if is_lock_busy(&io) => {
                if Instant::now() >= give_up {
                    let holder = "a process that ignores till.lock".to_string();
                    return Err(StoreError::Locked {
                        path: path.to_path_buf(),
                        holder,
                    });
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// sled 0.34 writes a snapshot to `snap.<lsn>.generating`, fsyncs it and only
/// then renames it to `snap.<lsn>`; but at open it takes the newest `snap.*`
/// file *including* an unfinished `.generating` one, and a till killed while
/// writing it could never open its store again ("Read corrupted data at file
/// offset None"; sled issues #1527, #1533). An unfinished snapshot is never the
/// committed one (the rename is the commit), so removing it before sled opens
/// loses nothing: sled recovers from the last finished snapshot and the log.
/// Called with our lock held, so no other till is writing one.
fn discard_unfinished_snapshots(path: &Path) -> Result<(), StoreError> {
    let entries = std::fs::read_dir(path).map_err(|e| StoreError::io(path, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            tracing::warn!(file = %name, "removing a snapshot left unfinished by a crash");
            std::fs::remove_file(entry.path()).map_err(|e| StoreError::io(entry.path(), e))?;
        }
    }
    Ok(())
}

/// sled reports its file lock being held as an `Other` error wrapping WouldBlock.
fn is_lock_busy(io: &std::io::Error) -> bool {
    io.kind() == std::io::ErrorKind::WouldBlock || io.to_string().contains("could not acquire lock")
}

/// One record to write (or remove) together with a journal entry.
pub struct Put<'a> {
    pub tree: &'a sled::Tree,
    pub key: Vec<u8>,
    pub value: Option<Vec<u8>>,
}

pub(crate) fn looks_like_store(path: &Path) -> bool {
    SLED_FILES.iter().all(|f| path.join(f).exists())
}

fn get<T: DeserializeOwned>(
    tree: &sled::Tree,
    key: &[u8],
    what: &str,
) -> Result<Option<T>, StoreError> {
    tree.get(key)?.map(|raw| decode(&raw, what)).transpose()
}

fn values<'a, T: DeserializeOwned + 'a>(
    tree: &'a sled::Tree,
    what: &'a str,
) -> impl Iterator<Item = Result<T, StoreError>> + 'a {
    tree.iter().values().map(move |raw| decode(&raw?, what))
}
