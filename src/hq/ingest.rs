//! Taking a batch in: who signed it, whether it was seen before, whether it
//! continues the terminal's journal, whether its sales match their entries.
//! Every refusal names its reason; nothing half-checked is stored.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::Hq;
use super::store::{Accepted, BatchRecord, HqStoreError, RefusalNote, TerminalRecord};
use crate::proto::wire::{self, Ack, Batch, Received, Refusal, Signed};
use crate::store::journal::{self, Hash, JournalEvent};

impl Hq {
    /// Checks and stores a signed batch. `Ok(Ok(ack))` is head office's signed
    /// word that it holds the batch (stored now or before); `Ok(Err(_))` says
    /// why it will not; `Err` is head office's own trouble (its disk).
    pub fn receive(&self, body: &[u8]) -> Result<Result<Signed, Refusal>, HqStoreError> {
        let outcome = self.check_and_store(body)?;
        if let Err(refusal) = &outcome
            && let Some(terminal) = refusal.terminal()
        {
            let note = RefusalNote {
                at: chrono::Utc::now(),
                reason: refusal.to_string(),
            };
            self.store.note_refusal(terminal, &note)?;
        }
        Ok(outcome)
    }

    fn check_and_store(&self, body: &[u8]) -> Result<Result<Signed, Refusal>, HqStoreError> {
        let signed = match Signed::from_bytes(body) {
            Ok(s) => s,
            Err(e) => return Ok(Err(Refusal::Malformed(e.to_string()))),
        };
        let claimed: Batch = match signed.peek() {
            Ok(b) => b,
            Err(e) => return Ok(Err(Refusal::Malformed(e.to_string()))),
        };
        let Some(known) = self.store.terminal(&claimed.terminal)? else {
            return Ok(Err(Refusal::UnknownTerminal(claimed.terminal)));
        };
        let batch: Batch = match wire::verifying_key(&known.public_key)
            .ok()
            .and_then(|key| signed.open(&key).ok())
        {
            Some(b) => b,
            None => return Ok(Err(Refusal::BadSignature(claimed.terminal))),
        };
        let digest: Hash = Sha256::digest(&signed.body).into();
        loop {
            // Read afresh each time round: another connection may have
            // stored a batch of this terminal's in between.
            let Some(terminal) = self.store.terminal(&batch.terminal)? else {
                return Ok(Err(Refusal::UnknownTerminal(batch.terminal)));
            };
            if batch.seq < terminal.next_batch {
                return Ok(match self.store.batch(&terminal.id, batch.seq)? {
                    Some(seen) if seen.digest == digest => {
                        // Stored by another connection a moment ago, perhaps
                        // not yet on disk: make sure before saying so.
                        self.store.persist()?;
                        tracing::info!(terminal = %terminal.id, seq = batch.seq, "batch already held; acknowledged again");
                        Ok(self.ack(&batch, Received::AlreadyHeld)?)
                    }
                    _ => Err(Refusal::SequenceReused {
                        terminal: terminal.id,
                        seq: batch.seq,
                    }),
                });
            }
            if batch.seq > terminal.next_batch {
                return Ok(Err(Refusal::SequenceGap {
                    terminal: terminal.id,
                    expected: terminal.next_batch,
                    got: batch.seq,
                    next_entry: terminal.next_entry,
                    last_hash: terminal.last_hash,
                }));
            }
            let after = match continues(&terminal, &batch) {
                Ok(after) => after,
                Err(refusal) => return Ok(Err(refusal)),
            };
            let (first, last) = (terminal.next_entry, after.next_entry - 1);
            let accepted = Accepted {
                batch: BatchRecord {
                    seq: batch.seq,
                    digest,
                    first_entry: first,
                    last_entry: last,
                    sales: batch.sales.len(),
                    received_at: chrono::Utc::now(),
                },
                before: terminal,
                after,
                entries: batch.entries.clone(),
                sales: batch.sales.clone(),
            };
            if self.store.commit(&accepted)? {
                return Ok(Ok(self.ack(&batch, Received::Stored)?));
            }
        }
    }

    fn ack(&self, batch: &Batch, received: Received) -> Result<Signed, HqStoreError> {
        let ack = Ack {
            terminal: batch.terminal.clone(),
            seq: batch.seq,
            last_hash: batch.entries.last().map(|r| r.hash).unwrap_or([0; 32]),
            received,
        };
        Ok(Signed::seal(&ack, &self.key)?)
    }
}

/// The terminal's record after `batch`, if the batch carries on its journal
/// exactly where head office's copy ends, every entry is intact, and every
/// sale record matches the digest its entry took.
fn continues(terminal: &TerminalRecord, batch: &Batch) -> Result<TerminalRecord, Refusal> {
    let broken = |seq: u64, detail: String| Refusal::ChainBroken {
        terminal: terminal.id.clone(),
        seq,
        detail,
    };
    if batch.entries.is_empty() {
        return Err(Refusal::Malformed(
            "the batch has no journal entries".into(),
        ));
    }
    let mut next = terminal.next_entry;
    let mut prev = terminal.last_hash;
    let mut digests = HashMap::new();
    for record in &batch.entries {
        let entry = &record.entry;
        if entry.seq != next {
            return Err(broken(
                next,
                format!(
                    "entry {} came where entry {next} was due (entries are missing or repeated)",
                    entry.seq
                ),
            ));
        }
        if entry.prev_hash != prev {
            return Err(broken(
                next,
                "it does not chain from the last entry head office holds (the journal was forked or rewritten)".into(),
            ));
        }
        let hash = journal::chain_hash(&prev, entry).map_err(|e| broken(next, e.to_string()))?;
        if hash != record.hash {
            return Err(broken(
                next,
                "its hash does not match its contents (altered)".into(),
            ));
        }
        if let JournalEvent::SaleCompleted {
            receipt, digest, ..
        }
        | JournalEvent::RefundCompleted {
            receipt, digest, ..
        } = &entry.event
        {
            digests.insert(receipt.0, *digest);
        }
        prev = hash;
        next += 1;
    }
    for sale in &batch.sales {
        let matches = journal::digest(sale)
            .ok()
            .is_some_and(|d| digests.remove(&sale.receipt.0) == Some(d));
        if !matches || sale.terminal != terminal.id {
            return Err(Refusal::Malformed(format!(
                "the record of receipt {} does not match its journal entry",
                sale.receipt.0
            )));
        }
    }
    if let Some(receipt) = digests.keys().min() {
        return Err(Refusal::Malformed(format!(
            "receipt {receipt} is journaled but its record is not in the batch"
        )));
    }
    Ok(TerminalRecord {
        next_batch: batch.seq + 1,
        next_entry: next,
        last_hash: prev,
        ..terminal.clone()
    })
}
