//! Everything the store holds, as plain records: what `till export` writes
//! and `till import export` reads back into a new store.
//!
//! Every tree is either here or derived from what is (`DERIVED` says from
//! what), so an export is complete and a store can be rebuilt from it. What
//! is left out on purpose: PIN hashes, the terminal's signing key, the
//! customers' key and a client certificate's key (secrets), which a backup
//! (`till backup`) is for.

use serde::{Deserialize, Serialize};

use super::customers::Correction;
use super::envelope::{decode, encode};
use super::error::StoreError;
use super::journal::{self, JournalEvent, JournalRecord};
use super::outbox::{HqLink, SyncState};
use super::print_queue::PrintJob;
use super::settings::StoreSettings;
use super::{Store, keys};
use crate::domain::customer::Customer;
use crate::domain::product::Product;
use crate::domain::receipt::CompletedSale;
use crate::domain::sale::{HeldSale, Sale};
use crate::domain::shift::Shift;
use crate::domain::stock::StockLevel;
use crate::domain::takings::{DayReport, ZState};
use crate::domain::user::{Role, User};

/// A record and the key it is kept under, where the record does not say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keyed<K, V> {
    pub key: K,
    pub value: V,
}

/// A user as exported: never the PIN hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    pub id: u32,
    pub name: String,
    pub role: Role,
    pub failed_attempts: u32,
    pub locked_until: Option<chrono::DateTime<chrono::Utc>>,
    pub disabled: bool,
}

/// Head office as this till knows it (a client key, if any, left out).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRecord {
    pub link: Option<HqLinkRecord>,
    pub state: SyncState,
    /// Journal entries not yet acknowledged, as their sequence numbers.
    pub unsent: Vec<u64>,
    /// The next batch's number, and the batch cut but not yet acknowledged
    /// (hex of its signed bytes), so head office sees no number twice.
    pub next_batch: u64,
    pub pending: Option<PendingRecord>,
    pub catalog_version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRecord {
    pub seq: u64,
    pub first: u64,
    pub last: u64,
    pub last_hash: String,
    pub bytes: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HqLinkRecord {
    pub url: String,
    pub ca_pem: String,
    pub hq_key: String,
    pub client_cert_pem: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dump {
    pub settings: StoreSettings,
    pub products: Vec<Product>,
    pub stock: Vec<Keyed<String, StockLevel>>,
    pub customers: Vec<Customer>,
    pub customer_corrections: Vec<Keyed<u64, Correction>>,
    pub sales: Vec<CompletedSale>,
    pub open_carts: Vec<Keyed<u16, Sale>>,
    pub held: Vec<HeldSale>,
    pub shifts: Vec<Shift>,
    pub shift_history: Vec<Shift>,
    pub z_reports: Vec<DayReport>,
    pub z_state: ZState,
    pub users: Vec<UserRecord>,
    pub journal: Vec<JournalRecord>,
    pub print_jobs: Vec<Keyed<u64, PrintJob>>,
    pub catalog_inbox: Vec<Keyed<u64, Vec<Product>>>,
    pub sync: SyncRecord,
    /// What retention has removed: receipts below `receipts_kept_from`, and
    /// the journal before its checkpoint.
    pub retention: RetentionMarks,
    /// The next numbers to give: kept, not recomputed, so no receipt, shift
    /// or customer number is ever given twice, even after retention.
    pub counters: Counters,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    pub next_receipt: u64,
    pub next_held: u64,
    pub next_shift: u64,
    pub next_print_job: u64,
    pub next_customer: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionMarks {
    pub receipts_kept_from: u64,
    pub journal_checkpoint: Option<journal::Checkpoint>,
}

impl Default for RetentionMarks {
    fn default() -> Self {
        RetentionMarks {
            receipts_kept_from: 1,
            journal_checkpoint: None,
        }
    }
}

/// The trees not in a dump, and what each is rebuilt from.
pub const DERIVED: [(&str, &str); 5] = [
    ("barcodes", "products (their barcodes and PLUs)"),
    (
        "refunds",
        "sales (each refund counted against its original)",
    ),
    ("receipt_entries", "journal (the entry of each receipt)"),
    ("outbox", "sync.unsent"),
    (
        "meta",
        "settings, z_state, sync, and counters recomputed from the records",
    ),
];

fn all<T: serde::de::DeserializeOwned>(
    tree: &sled::Tree,
    what: &str,
) -> Result<Vec<T>, StoreError> {
    tree.iter()
        .values()
        .map(|raw| decode(&raw?, what))
        .collect()
}

fn keyed<K, V: serde::de::DeserializeOwned>(
    tree: &sled::Tree,
    what: &str,
    key: impl Fn(&[u8]) -> Option<K>,
) -> Result<Vec<Keyed<K, V>>, StoreError> {
    let mut out = Vec::new();
    for item in tree.iter() {
        let (k, raw) = item?;
        let key = key(&k).ok_or_else(|| StoreError::corrupt(what, "bad key"))?;
        out.push(Keyed {
            key,
            value: decode(&raw, what)?,
        });
    }
    Ok(out)
}

fn lane(k: &[u8]) -> Option<u16> {
    Some(u16::from_be_bytes(k.try_into().ok()?))
}

fn text(k: &[u8]) -> Option<String> {
    String::from_utf8(k.to_vec()).ok()
}

impl Store {
    /// Every sled tree of the store, by name, with how many records it holds.
    pub fn tree_counts(&self) -> Vec<(String, usize)> {
        self.dir
            .db
            .tree_names()
            .into_iter()
            .map(|n| String::from_utf8_lossy(&n).into_owned())
            .filter(|n| n != "__sled__default")
            .map(|n| {
                let count = self.dir.db.open_tree(&n).map(|t| t.len()).unwrap_or(0);
                (n, count)
            })
            .collect()
    }

    pub fn dump(&self) -> Result<Dump, StoreError> {
        let outbox = self.outbox();
        let link = outbox.link()?.map(|l: HqLink| HqLinkRecord {
            url: l.url,
            ca_pem: l.ca_pem,
            hq_key: l.hq_key,
            client_cert_pem: l.client_cert.map(|(cert, _)| cert),
        });
        let customers: Vec<Customer> = self.customers().collect::<Result<_, _>>()?;
        let mut corrections = Vec::new();
        for id in customers.iter().map(|c| c.id) {
            for correction in self.customer_history(id)? {
                corrections.push(Keyed {
                    key: id,
                    value: correction,
                });
            }
        }
        let users = self
            .users()
            .map(|u| {
                u.map(|u| UserRecord {
                    id: u.id,
                    name: u.name,
                    role: u.role,
                    failed_attempts: u.failed_attempts,
                    locked_until: u.locked_until,
                    disabled: u.disabled,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Dump {
            settings: self.settings()?,
            products: all(&self.products, "product")?,
            stock: keyed(&self.stock, "stock", text)?,
            customers,
            customer_corrections: corrections,
            sales: all(&self.sales, "sale")?,
            open_carts: keyed(&self.open_carts, "open cart", lane)?,
            held: all(&self.held, "held sale")?,
            shifts: all(&self.shifts, "shift")?,
            shift_history: all(&self.shift_history, "shift")?,
            z_reports: all(&self.z_reports, "Z report")?,
            z_state: self.z_state()?,
            users,
            journal: all(&self.journal, "journal entry")?,
            print_jobs: keyed(&self.print_jobs, "print job", keys::parse_seq)?,
            catalog_inbox: keyed(&self.catalog_inbox, "catalog change set", keys::parse_seq)?,
            sync: SyncRecord {
                link,
                state: outbox.state()?,
                unsent: self
                    .outbox
                    .iter()
                    .keys()
                    .filter_map(|k| k.ok().and_then(|k| keys::parse_seq(&k)))
                    .collect(),
                next_batch: outbox.next_batch()?,
                pending: outbox.pending()?.map(|p| PendingRecord {
                    seq: p.seq,
                    first: p.first,
                    last: p.last,
                    last_hash: hex::encode(p.last_hash),
                    bytes: hex::encode(p.bytes),
                }),
                catalog_version: outbox.applied_catalog()?,
            },
            retention: RetentionMarks {
                receipts_kept_from: self.receipts_kept_from()?,
                journal_checkpoint: journal::checkpoint(&self.meta)?,
            },
            counters: Counters {
                next_receipt: self.counter(NEXT_RECEIPT)?,
                next_held: self.counter(NEXT_HELD)?,
                next_shift: self.counter(NEXT_SHIFT)?,
                next_print_job: self.counter(NEXT_JOB)?,
                next_customer: self.counter(NEXT_CUSTOMER)?,
            },
        })
    }

    fn counter(&self, key: &[u8]) -> Result<u64, StoreError> {
        Ok(self
            .meta
            .get(key)?
            .and_then(|raw| keys::parse_seq(&raw))
            .unwrap_or(1))
    }

    /// A new store in `path` (missing or empty) holding exactly what `dump`
    /// holds, with a new signing key and customers' key. Users come back
    /// without PINs, so nobody can log in until an admin's PIN is set: the
    /// one given here, for the first admin.
    pub fn restore(path: &Path, dump: &Dump, admin_pin_hash: &str) -> Result<Store, StoreError> {
        let mut settings = dump.settings.clone();
        let store = Store::create_empty(path, &mut settings)?;
        let put = |tree: &sled::Tree, key: &[u8], value: Vec<u8>| -> Result<(), StoreError> {
            tree.insert(key, value)?;
            Ok(())
        };
        for p in &dump.products {
            put(&store.products, p.sku.as_bytes(), encode(p)?)?;
            for code in &p.barcodes {
                put(
                    &store.barcodes,
                    &keys::barcode(code),
                    p.sku.as_bytes().to_vec(),
                )?;
            }
            if let Some(plu) = &p.plu {
                put(&store.barcodes, &keys::plu(plu), p.sku.as_bytes().to_vec())?;
            }
        }
        for s in &dump.stock {
            put(&store.stock, s.key.as_bytes(), encode(&s.value)?)?;
        }
        for c in &dump.customers {
            store.restore_customer(c)?;
        }
        for c in &dump.customer_corrections {
            store.restore_correction(c.key, &c.value)?;
        }
        let mut tallies = std::collections::BTreeMap::new();
        for sale in &dump.sales {
            put(&store.sales, &keys::seq(sale.receipt.0), encode(sale)?)?;
            if let crate::domain::sale::SaleKind::Refund { original } = sale.sale.kind
                && original.0 >= dump.retention.receipts_kept_from
            {
                let tally = match tallies.remove(&original.0) {
                    Some(t) => t,
                    None => {
                        let sold = dump
                            .sales
                            .iter()
                            .find(|s| s.receipt == original)
                            .ok_or_else(|| {
                                StoreError::corrupt("refund", "original sale missing")
                            })?;
                        crate::domain::refund::RefundTally::for_sale(sold)
                    }
                };
                let mut tally = tally;
                tally.record(&sale.sale);
                tallies.insert(original.0, tally);
            }
        }
        for (original, tally) in tallies {
            put(&store.refunds, &keys::seq(original), encode(&tally)?)?;
        }
        for c in &dump.open_carts {
            put(&store.open_carts, &c.key.to_be_bytes(), encode(&c.value)?)?;
        }
        for h in &dump.held {
            put(&store.held, &keys::seq(h.id), encode(h)?)?;
        }
        for s in &dump.shifts {
            put(&store.shifts, &s.lane.to_be_bytes(), encode(s)?)?;
        }
        for s in &dump.shift_history {
            put(&store.shift_history, &keys::seq(s.number), encode(s)?)?;
        }
        for z in &dump.z_reports {
            let number = z
                .z_number
                .ok_or_else(|| StoreError::corrupt("Z report", "no number"))?;
            put(&store.z_reports, &keys::seq(number), encode(z)?)?;
        }
        put(&store.meta, Z_STATE, encode(&dump.z_state)?)?;
        for u in &dump.users {
            let first_admin = u.role == Role::Admin
                && dump
                    .users
                    .iter()
                    .find(|x| x.role == Role::Admin)
                    .map(|x| x.id)
                    == Some(u.id);
            let user = User {
                id: u.id,
                name: u.name.clone(),
                role: u.role,
                // An empty hash matches no PIN: the user is back, but logs in
                // only once an admin has set them a PIN.
                pin_hash: if first_admin {
                    admin_pin_hash.to_string()
                } else {
                    String::new()
                },
                failed_attempts: u.failed_attempts,
                locked_until: u.locked_until,
                disabled: u.disabled,
            };
            put(&store.users, u.name.as_bytes(), encode(&user)?)?;
        }
        // The journal as it was, its head where it ended.
        for r in &dump.journal {
            put(&store.journal, &keys::seq(r.entry.seq), encode(r)?)?;
            if let JournalEvent::SaleCompleted { receipt, .. }
            | JournalEvent::RefundCompleted { receipt, .. } = &r.entry.event
            {
                put(
                    &store.receipt_entries,
                    &keys::seq(receipt.0),
                    keys::seq(r.entry.seq).to_vec(),
                )?;
            }
        }
        journal::set_head(&store.meta, dump.journal.last())?;
        if let Some(checkpoint) = &dump.retention.journal_checkpoint {
            journal::set_checkpoint(&store.meta, checkpoint)?;
            if dump.journal.is_empty() {
                // Everything was removed: the next entry follows the checkpoint.
                journal::set_head_at(&store.meta, checkpoint.first_seq, checkpoint.prev_hash)?;
            }
        }
        put(
            &store.meta,
            super::retention::KEPT_FROM_KEY,
            keys::seq(dump.retention.receipts_kept_from).to_vec(),
        )?;
        for seq in &dump.sync.unsent {
            put(&store.outbox, &keys::seq(*seq), Vec::new())?;
        }
        for j in &dump.print_jobs {
            put(&store.print_jobs, &keys::seq(j.key), encode(&j.value)?)?;
        }
        for c in &dump.catalog_inbox {
            put(&store.catalog_inbox, &keys::seq(c.key), encode(&c.value)?)?;
        }
        // The rebuilt store signs with a key of its own, which head office
        // does not know: it is not joined, and is enrolled anew; its new head
        // office then asks for the journal from the start (see `rewind`).
        store
            .outbox()
            .restore(&dump.sync.state, dump.sync.catalog_version)?;
        // Counters carry on after the highest number ever given: the
        // exported counter, or past any record, whichever is further.
        let next = |kept: u64, n: Option<u64>| keys::seq(kept.max(n.map_or(1, |n| n + 1))).to_vec();
        let c = &dump.counters;
        let receipts = dump.sales.iter().map(|s| s.receipt.0).max();
        let receipts = receipts.max(Some(dump.z_state.last_receipt));
        let kept_from = dump.retention.receipts_kept_from;
        put(
            &store.meta,
            NEXT_RECEIPT,
            next(c.next_receipt.max(kept_from), receipts),
        )?;
        put(
            &store.meta,
            NEXT_HELD,
            next(c.next_held, dump.held.iter().map(|h| h.id).max()),
        )?;
        let shifts = dump.shifts.iter().chain(&dump.shift_history);
        put(
            &store.meta,
            NEXT_SHIFT,
            next(c.next_shift, shifts.map(|s| s.number).max()),
        )?;
        let jobs = dump.print_jobs.iter().map(|j| j.key).max();
        put(&store.meta, NEXT_JOB, next(c.next_print_job, jobs))?;
        let customers = dump.customers.iter().map(|c| c.id).max();
        put(&store.meta, NEXT_CUSTOMER, next(c.next_customer, customers))?;
        store.persist()?;
        Ok(store)
    }
}

use super::customers::NEXT_CUSTOMER_KEY as NEXT_CUSTOMER;
use super::print_queue::NEXT_JOB_KEY as NEXT_JOB;
use super::{
    NEXT_HELD_KEY as NEXT_HELD, NEXT_RECEIPT_KEY as NEXT_RECEIPT, NEXT_SHIFT_KEY as NEXT_SHIFT,
    Z_STATE_KEY as Z_STATE,
};
use std::path::Path;
