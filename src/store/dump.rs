//! Everything the store holds, as plain records: what `till export` writes
//! and `till import export` reads back into a new store.
//!
//! Every tree is either here or derived from what is (`DERIVED` says from
//! what), so an export is complete and a store can be rebuilt from it. What
//! is left out on purpose: PIN hashes, the terminal's signing key, the
//! customers' key and a client certificate's key (secrets), which a backup
//! (`till backup`) is for.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::customers::Correction;
use super::error::StoreError;
use super::journal::{self, JournalEvent, JournalRecord};
use super::outbox::{HqLink, SyncState};
use super::print_queue::PrintJob;
use super::settings::StoreSettings;
use super::table::{Key, Table};
use super::{Store, keys, kv};
use crate::domain::customer::Customer;
use crate::domain::product::Product;
use crate::domain::receipt::CompletedSale;
use crate::domain::refund::RefundTally;
use crate::domain::sale::{HeldSale, Sale, SaleKind};
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

fn keyed<K: Key, V: Serialize + DeserializeOwned>(
    table: &Table<K, V>,
) -> Result<Vec<Keyed<K, V>>, StoreError> {
    table
        .entries()
        .map(|e| e.map(|(key, value)| Keyed { key, value }))
        .collect()
}

impl Store {
    /// Every tree of the store, by name, with how many records it holds.
    pub fn tree_counts(&self) -> Vec<(String, usize)> {
        self.dir
            .tree_names()
            .into_iter()
            .filter(|n| n != kv::DEFAULT_TREE)
            .map(|n| {
                let count = self.dir.tree(&n).map(|t| t.len()).unwrap_or(0);
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
            products: self.products.values().collect::<Result<_, _>>()?,
            stock: keyed(&self.stock)?,
            customers,
            customer_corrections: corrections,
            sales: self.sales.values().collect::<Result<_, _>>()?,
            open_carts: keyed(&self.open_carts)?,
            held: self.held.values().collect::<Result<_, _>>()?,
            shifts: self.shifts.values().collect::<Result<_, _>>()?,
            shift_history: self.shift_history.values().collect::<Result<_, _>>()?,
            z_reports: self.z_reports.values().collect::<Result<_, _>>()?,
            z_state: self.z_state()?,
            users,
            journal: self.journal.values().collect::<Result<_, _>>()?,
            print_jobs: keyed(&self.print_jobs)?,
            catalog_inbox: keyed(&self.catalog_inbox)?,
            sync: SyncRecord {
                link,
                state: outbox.state()?,
                unsent: self
                    .outbox
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
        Ok(self.meta.seq_at(key)?.unwrap_or(1))
    }

    /// A new store in `path` (missing or empty) holding exactly what `dump`
    /// holds, with a new signing key and customers' key. Users come back
    /// without PINs, so nobody can log in until an admin's PIN is set: the
    /// one given here, for the first admin.
    pub fn restore(path: &Path, dump: &Dump, admin_pin_hash: &str) -> Result<Store, StoreError> {
        let mut settings = dump.settings.clone();
        let store = Store::create_empty(path, &mut settings)?;
        store.restore_catalog(dump)?;
        for c in &dump.customers {
            store.restore_customer(c)?;
        }
        for c in &dump.customer_corrections {
            store.restore_correction(c.key, &c.value)?;
        }
        store.restore_sales(dump)?;
        store.restore_lanes(dump)?;
        store.restore_users(dump, admin_pin_hash)?;
        store.restore_journal(dump)?;
        // The rebuilt store signs with a key of its own, which head office
        // does not know: it is not joined, and is enrolled anew; its new head
        // office then asks for the journal from the start (see `rewind`).
        store
            .outbox()
            .restore(&dump.sync.state, dump.sync.catalog_version)?;
        store.restore_counters(dump)?;
        store.persist()?;
        Ok(store)
    }

    /// Products with their barcodes and PLUs, and stock.
    fn restore_catalog(&self, dump: &Dump) -> Result<(), StoreError> {
        for p in &dump.products {
            self.products.insert(&p.sku, p)?;
            for code in &p.barcodes {
                self.barcodes
                    .insert(keys::barcode(code), p.sku.as_bytes())?;
            }
            if let Some(plu) = &p.plu {
                self.barcodes.insert(keys::plu(plu), p.sku.as_bytes())?;
            }
        }
        for s in &dump.stock {
            self.stock.insert(&s.key, &s.value)?;
        }
        Ok(())
    }

    /// Sales, and each kept original's refund tally counted again from its refunds.
    fn restore_sales(&self, dump: &Dump) -> Result<(), StoreError> {
        let mut tallies = std::collections::BTreeMap::new();
        for sale in &dump.sales {
            self.sales.insert(&sale.receipt.0, sale)?;
            if let SaleKind::Refund { original } = sale.sale.kind
                && original.0 >= dump.retention.receipts_kept_from
            {
                let mut tally = match tallies.remove(&original.0) {
                    Some(t) => t,
                    None => {
                        let sold = dump
                            .sales
                            .iter()
                            .find(|s| s.receipt == original)
                            .ok_or_else(|| {
                                StoreError::corrupt("refund", "original sale missing")
                            })?;
                        RefundTally::for_sale(sold)
                    }
                };
                tally.record(&sale.sale);
                tallies.insert(original.0, tally);
            }
        }
        for (original, tally) in tallies {
            self.refunds.insert(&original, &tally)?;
        }
        Ok(())
    }

    /// Open carts, held sales, shifts, Z reports and the Z state.
    fn restore_lanes(&self, dump: &Dump) -> Result<(), StoreError> {
        for c in &dump.open_carts {
            self.open_carts.insert(&c.key, &c.value)?;
        }
        for h in &dump.held {
            self.held.insert(&h.id, h)?;
        }
        for s in &dump.shifts {
            self.shifts.insert(&s.lane, s)?;
        }
        for s in &dump.shift_history {
            self.shift_history.insert(&s.number, s)?;
        }
        for z in &dump.z_reports {
            let number = z
                .z_number
                .ok_or_else(|| StoreError::corrupt("Z report", "no number"))?;
            self.z_reports.insert(&number, z)?;
        }
        self.meta.put_value(Z_STATE, &dump.z_state)
    }

    /// Users, without PINs but the first admin's.
    fn restore_users(&self, dump: &Dump, admin_pin_hash: &str) -> Result<(), StoreError> {
        let first_admin = dump
            .users
            .iter()
            .find(|x| x.role == Role::Admin)
            .map(|x| x.id);
        for u in &dump.users {
            let user = User {
                id: u.id,
                name: u.name.clone(),
                role: u.role,
                // An empty hash matches no PIN: the user is back, but logs in
                // only once an admin has set them a PIN.
                pin_hash: if u.role == Role::Admin && first_admin == Some(u.id) {
                    admin_pin_hash.to_string()
                } else {
                    String::new()
                },
                failed_attempts: u.failed_attempts,
                locked_until: u.locked_until,
                disabled: u.disabled,
            };
            self.users.insert(&u.name, &user)?;
        }
        Ok(())
    }

    /// The journal as it was, its head where it ended, with the retention
    /// marks, what waits for head office and for the printer, and the
    /// catalog inbox.
    fn restore_journal(&self, dump: &Dump) -> Result<(), StoreError> {
        for r in &dump.journal {
            self.journal.insert(&r.entry.seq, r)?;
            if let JournalEvent::SaleCompleted { receipt, .. }
            | JournalEvent::RefundCompleted { receipt, .. } = &r.entry.event
            {
                self.receipt_entries
                    .insert(keys::seq(receipt.0), &keys::seq(r.entry.seq))?;
            }
        }
        journal::set_head(&self.meta, dump.journal.last())?;
        if let Some(checkpoint) = &dump.retention.journal_checkpoint {
            journal::set_checkpoint(&self.meta, checkpoint)?;
            if dump.journal.is_empty() {
                // Everything was removed: the next entry follows the checkpoint.
                journal::set_head_at(&self.meta, checkpoint.first_seq, checkpoint.prev_hash)?;
            }
        }
        let kept_from = keys::seq(dump.retention.receipts_kept_from);
        self.meta
            .insert(super::retention::KEPT_FROM_KEY, &kept_from)?;
        for seq in &dump.sync.unsent {
            self.outbox.insert(keys::seq(*seq), &[] as &[u8])?;
        }
        for j in &dump.print_jobs {
            self.print_jobs.insert(&j.key, &j.value)?;
        }
        for c in &dump.catalog_inbox {
            self.catalog_inbox.insert(&c.key, &c.value)?;
        }
        Ok(())
    }

    /// Counters carry on after the highest number ever given: the exported
    /// counter, or past any record, whichever is further.
    fn restore_counters(&self, dump: &Dump) -> Result<(), StoreError> {
        let next = |kept: u64, n: Option<u64>| keys::seq(kept.max(n.map_or(1, |n| n + 1)));
        let c = &dump.counters;
        let receipts = dump.sales.iter().map(|s| s.receipt.0).max();
        let receipts = receipts.max(Some(dump.z_state.last_receipt));
        let kept_from = dump.retention.receipts_kept_from;
        let put = |key: &[u8], value: [u8; 8]| self.meta.insert(key, &value);
        put(NEXT_RECEIPT, next(c.next_receipt.max(kept_from), receipts))?;
        put(
            NEXT_HELD,
            next(c.next_held, dump.held.iter().map(|h| h.id).max()),
        )?;
        let shifts = dump.shifts.iter().chain(&dump.shift_history);
        put(
            NEXT_SHIFT,
            next(c.next_shift, shifts.map(|s| s.number).max()),
        )?;
        let jobs = dump.print_jobs.iter().map(|j| j.key).max();
        put(NEXT_JOB, next(c.next_print_job, jobs))?;
        let customers = dump.customers.iter().map(|c| c.id).max();
        put(NEXT_CUSTOMER, next(c.next_customer, customers))
    }
}

use super::customers::NEXT_CUSTOMER_KEY as NEXT_CUSTOMER;
use super::print_queue::NEXT_JOB_KEY as NEXT_JOB;
use super::{
    NEXT_HELD_KEY as NEXT_HELD, NEXT_RECEIPT_KEY as NEXT_RECEIPT, NEXT_SHIFT_KEY as NEXT_SHIFT,
    Z_STATE_KEY as Z_STATE,
};
use std::path::Path;
