//! Completed sales and refunds: completing one, and reading them back.
//!
//! Completing is one transaction: the next receipt number, the record, its
//! journal entry (and the drawer's), the stock it moves, the refund counted
//! against its original, the receipt to print, the emptied cart. What those
//! writes hold is the domain's decision (`domain::stock::moves`,
//! `RefundTally::counted`, `tender::opens_drawer`), taken on what the store
//! holds inside the transaction; the store gathers it into a [`SaleWrites`]
//! and applies it.

use chrono::{DateTime, Utc};

use super::envelope::Encoded;
use super::error::StoreError;
use super::journal::{self, JournalEvent};
use super::kv::{self, Tx, TxAbort};
use super::print_queue::{self, JobKind, PrintJob, Printer};
use super::{NEXT_RECEIPT_KEY, Store, keys};
use crate::domain::receipt::CompletedSale;
use crate::domain::refund::RefundTally;
use crate::domain::sale::{ReceiptNo, Sale, SaleKind};
use crate::domain::stock::{self, StockLevel};
use crate::domain::tender;

/// Everything completing one sale writes, decided before any of it is written.
struct SaleWrites {
    lane: u16,
    sale: CompletedSale,
    /// The sale as it is stored, and hashed for its journal entry.
    record: Encoded<CompletedSale>,
    /// The sale's own journal entry.
    event: JournalEvent,
    /// A refund's original receipt, and its tally with this refund counted.
    tally: Option<(u64, RefundTally)>,
    /// The new level of each product the sale moved.
    stock: Vec<(String, StockLevel)>,
    /// A receipt to print, if there is a printer.
    print: Option<ReceiptJob>,
}

#[derive(Clone, Copy)]
struct ReceiptJob {
    /// Cash changed hands at a drawer: it opens, and the journal says so.
    kick: bool,
}

impl Store {
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
        build: impl FnOnce(ReceiptNo) -> CompletedSale,
    ) -> Result<CompletedSale, StoreError> {
        let now = Utc::now();
        let mut trees = self.chain().trees().to_vec();
        trees.extend([
            self.sales.tree(),
            self.refunds.tree(),
            self.open_carts.tree(),
            self.print_jobs.tree(),
            &self.receipt_entries,
            self.stock.tree(),
        ]);
        let done = kv::transact(&trees, |tx| {
            let receipt = tx
                .tree(&self.meta)?
                .counter(NEXT_RECEIPT_KEY, "receipt counter")?;
            let writes = self.sale_writes(tx, lane, build(ReceiptNo(receipt)), printer)?;
            self.apply_sale(tx, writes, actor, now)
        })?;
        // Committed: the receipt number is taken. If the disk then fails, say
        // so with the number, so nobody rings the sale up (and charges) again.
        self.persist().map_err(|e| StoreError::NotDurable {
            receipt: done.receipt.0,
            source: Box::new(e),
        })?;
        Ok(done)
    }

    /// Reads what the sale's rules need, inside `tx`, and asks them.
    fn sale_writes(
        &self,
        tx: &Tx<'_>,
        lane: u16,
        sale: CompletedSale,
        printer: Option<Printer>,
    ) -> Result<SaleWrites, TxAbort> {
        let record = Encoded::of(&sale)?;
        let digest = journal::digest_of(&record);
        let (receipt, total) = (sale.receipt, sale.totals.total);
        let (event, tally) = match sale.sale.kind {
            SaleKind::Sale => {
                let event = JournalEvent::SaleCompleted {
                    receipt,
                    total,
                    digest,
                };
                (event, None)
            }
            SaleKind::Refund { original } => {
                let tally = self.counted_refund(tx, original, &sale.sale)?;
                let event = JournalEvent::RefundCompleted {
                    receipt,
                    original,
                    total,
                    digest,
                };
                (event, Some((original.0, tally)))
            }
        };
        let levels = self.stock.within(tx)?;
        let mut stock = Vec::new();
        for (sku, by) in stock::moves(&sale.sale) {
            let level = levels.get(&sku)?.unwrap_or_default();
            stock.push((sku, level.moved(by)));
        }
        let print = printer.map(|p| ReceiptJob {
            kick: tender::opens_drawer(&sale.sale.tenders, p.drawer),
        });
        Ok(SaleWrites {
            lane,
            sale,
            record,
            event,
            tally,
            stock,
            print,
        })
    }

    /// The original's tally with `refund` counted, read inside `tx`: another
    /// lane may have refunded the same receipt since this refund's lines
    /// were added.
    fn counted_refund(
        &self,
        tx: &Tx<'_>,
        original: ReceiptNo,
        refund: &Sale,
    ) -> Result<RefundTally, TxAbort> {
        let stored = self.refunds.within(tx)?.get(&original.0)?;
        let sold = self
            .sales
            .within(tx)?
            .get(&original.0)?
            .ok_or_else(|| StoreError::corrupt("refund", "original sale missing"))?;
        let tally = stored.unwrap_or_else(|| RefundTally::for_sale(&sold));
        tally.counted(refund, &sold).map_err(|line| {
            StoreError::RefundOverrun {
                receipt: original.0,
                line,
            }
            .into()
        })
    }

    /// Writes `w` inside `tx`; the sale it completed.
    fn apply_sale(
        &self,
        tx: &Tx<'_>,
        w: SaleWrites,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<CompletedSale, TxAbort> {
        let receipt = w.sale.receipt;
        if let Some((original, tally)) = &w.tally {
            self.refunds.within(tx)?.insert(original, tally)?;
        }
        self.sales
            .within(tx)?
            .insert_encoded(&receipt.0, w.record)?;
        let levels = self.stock.within(tx)?;
        for (sku, level) in &w.stock {
            levels.insert(sku, level)?;
        }
        tx.tree(&self.meta)?
            .insert(NEXT_RECEIPT_KEY, &keys::seq(receipt.0 + 1))?;
        self.open_carts.within(tx)?.remove(&w.lane)?;
        let chain = self.chain();
        let record = journal::append(tx, chain, Some(actor), w.event, now)?;
        tx.tree(&self.receipt_entries)?
            .insert(keys::seq(receipt.0), &keys::seq(record.entry.seq))?;
        let Some(job) = w.print else {
            return Ok(w.sale);
        };
        if job.kick {
            let opened = JournalEvent::DrawerOpened {
                receipt: Some(receipt),
                approved_by: None,
            };
            journal::append(tx, chain, Some(actor), opened, now)?;
        }
        let job = PrintJob {
            kind: JobKind::Receipt {
                receipt,
                hash: record.hash,
                duplicate: false,
            },
            kick: job.kick,
            queued_at: now,
            attempts: 0,
        };
        print_queue::queue(tx, &self.print_jobs, &self.meta, &job)?;
        Ok(w.sale)
    }

    /// The hash of the journal entry that recorded `receipt`.
    pub fn receipt_hash(&self, receipt: ReceiptNo) -> Result<Option<journal::Hash>, StoreError> {
        let Some(seq) = self.receipt_entries.seq_at(keys::seq(receipt.0))? else {
            return Ok(None);
        };
        Ok(self.journal.get(&seq)?.map(|r| r.hash))
    }

    /// The newest receipt of this terminal, if any.
    pub fn last_receipt(&self) -> Result<Option<ReceiptNo>, StoreError> {
        Ok(self.sales.last_key()?.map(ReceiptNo))
    }

    pub fn sale(&self, receipt: ReceiptNo) -> Result<Option<CompletedSale>, StoreError> {
        self.sales.get(&receipt.0)
    }

    pub fn sales(&self) -> impl Iterator<Item = Result<CompletedSale, StoreError>> + '_ {
        self.sales.values()
    }

    /// Completed sales and refunds from `first` on, in receipt order.
    pub fn sales_from(
        &self,
        first: u64,
    ) -> impl Iterator<Item = Result<CompletedSale, StoreError>> + '_ {
        self.sales.values_from(&first)
    }

    /// What has been refunded of a receipt so far.
    pub fn refund_tally(&self, original: &CompletedSale) -> Result<RefundTally, StoreError> {
        Ok(self
            .refunds
            .get(&original.receipt.0)?
            .unwrap_or_else(|| RefundTally::for_sale(original)))
    }
}
