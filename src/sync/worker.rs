//! The sync worker: a thread that sends the outbox to head office and fetches
//! catalog changes back.
//!
//! It has its own handle on the store's trees and its own connection, so the
//! till never waits for it: a sale commits to the outbox whether head office
//! is up, down or slow. Each batch stays in the outbox until head office's
//! signed acknowledgement of it arrives; failures are retried with
//! exponential backoff and jitter (so a fleet of tills coming back online do
//! not knock together), and the last error is kept for the status bar.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::Utc;
use ed25519_dalek::{SigningKey, VerifyingKey};
use rand_core::{OsRng, RngCore};

use super::config::SyncConfig;
use crate::engine::office::SyncNow;
use crate::proto::client::{ClientError, HqClient};
use crate::proto::wire::{self, Ack, Batch, ChangeSet, OpenError, Refusal, Signed};
use crate::store::envelope::decode;
use crate::store::outbox::{HqLink, Outbox};
use crate::store::{Store, StoreError, identity};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("not joined to head office yet (till sync join BUNDLE)")]
    NotJoined,
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("head office refused batch {seq}: {refusal}")]
    Refused { seq: u64, refusal: Refusal },
    #[error("head office answered {0}")]
    BadAnswer(String),
    #[error("head office's answer: {0}")]
    Open(#[from] OpenError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct Worker {
    outbox: Outbox,
    key: SigningKey,
    terminal: String,
    config: SyncConfig,
    client: Option<(HqLink, HqClient, VerifyingKey)>,
    failures: u32,
    next_catalog: Instant,
}

impl Worker {
    pub fn new(store: &Store, config: SyncConfig) -> Result<Worker, StoreError> {
        Ok(Worker {
            outbox: store.outbox(),
            key: identity::load_key(store.path())?,
            terminal: store.settings()?.terminal,
            config,
            client: None,
            failures: 0,
            next_catalog: Instant::now(),
        })
    }

    /// The connection to head office, made again if the link changed.
    fn client(&mut self) -> Result<(&HqClient, VerifyingKey), SyncError> {
        let link = self.outbox.link()?.ok_or(SyncError::NotJoined)?;
        if self.client.as_ref().map(|(l, ..)| l) != Some(&link) {
            let timeout = Duration::from_secs(self.config.timeout_seconds);
            let client = HqClient::new(&link, timeout)?;
            let key = wire::verifying_key(&link.hq_key).map_err(SyncError::BadAnswer)?;
            self.client = Some((link, client, key));
        }
        match &self.client {
            Some((_, client, key)) => Ok((client, *key)),
            None => Err(SyncError::NotJoined),
        }
    }

    /// Whether enough waits to send: a full batch, or an old enough entry.
    fn due(&self) -> Result<bool, StoreError> {
        if self.outbox.pending()?.is_some() || self.outbox.len() >= self.config.batch_entries {
            return Ok(true);
        }
        let age = chrono::Duration::seconds(self.config.batch_age_seconds as i64);
        Ok(self
            .outbox
            .oldest()?
            .is_some_and(|at| Utc::now() - at >= age))
    }

    /// Sends one batch if one is due (or anything waits, if `force`).
    /// Returns whether a batch was acknowledged (or the outbox rewound to
    /// where head office's copy ends, so there is more to send at once).
    pub fn push(&mut self, force: bool) -> Result<bool, SyncError> {
        if self.outbox.link()?.is_none() {
            return Err(SyncError::NotJoined);
        }
        if !(self.due()? || force && !self.outbox.is_empty()) {
            return Ok(false);
        }
        let (terminal, key) = (self.terminal.clone(), self.key.clone());
        let batch = self.outbox.cut(
            self.config.batch_entries,
            self.config.batch_kib * 1024,
            |seq, unsent| {
                let batch = Batch {
                    terminal,
                    seq,
                    entries: unsent.entries,
                    sales: unsent.sales,
                };
                Signed::seal(&batch, &key)?.to_bytes()
            },
        )?;
        let Some(pending) = batch else {
            return Ok(false);
        };
        let (client, hq_key) = self.client()?;
        let answer = client.exchange("POST", "/v1/batches", &pending.bytes)?;
        match answer.status {
            200 => {
                let ack: Ack = Signed::from_bytes(&answer.body)?.open(&hq_key)?;
                if ack.terminal != self.terminal
                    || ack.seq != pending.seq
                    || ack.last_hash != pending.last_hash
                {
                    return Err(SyncError::BadAnswer(format!(
                        "an acknowledgement for batch {} of {}, not the batch sent ({})",
                        ack.seq, ack.terminal, pending.seq
                    )));
                }
                self.outbox.acknowledge(pending.seq)?;
                Ok(true)
            }
            400..=499 => match decode::<Refusal>(&answer.body, "refusal") {
                Ok(Refusal::SequenceGap {
                    expected,
                    next_entry,
                    last_hash,
                    ..
                }) if self.outbox.rewind(expected, next_entry, last_hash)? => {
                    tracing::warn!(
                        from_entry = next_entry,
                        batch = expected,
                        "head office's copy ends earlier than this till sent (restored, or new): sending again from there"
                    );
                    Ok(true)
                }
                Ok(refusal) => Err(SyncError::Refused {
                    seq: pending.seq,
                    refusal,
                }),
                Err(_) => Err(SyncError::BadAnswer(status_text(&answer))),
            },
            _ => Err(SyncError::BadAnswer(status_text(&answer))),
        }
    }

    /// Fetches every catalog change set newer than this terminal's, checks
    /// head office signed it, and leaves it for the engine to apply.
    /// Returns how many arrived.
    pub fn pull_catalog(&mut self) -> Result<usize, SyncError> {
        let mut fetched = 0;
        loop {
            let after = self.outbox.catalog_version()?;
            let (client, hq_key) = self.client()?;
            let answer = client.exchange("GET", &format!("/v1/catalog?after={after}"), &[])?;
            match answer.status {
                204 => return Ok(fetched),
                200 => {
                    let set: ChangeSet = Signed::from_bytes(&answer.body)?.open(&hq_key)?;
                    if set.version <= after {
                        return Err(SyncError::BadAnswer(format!(
                            "catalog version {} when asked for one after {after}",
                            set.version
                        )));
                    }
                    self.outbox.queue_catalog(set.version, &set.products)?;
                    fetched += 1;
                }
                _ => return Err(SyncError::BadAnswer(status_text(&answer))),
            }
        }
    }

    /// One round: a batch if one is due, and the catalog if it is time (a
    /// batch head office keeps refusing does not hold up its prices).
    /// Returns whether there may be more to send straight away.
    pub fn step(&mut self) -> Result<bool, SyncError> {
        let sent = self.push(false);
        let mut pulled = Ok(false);
        if Instant::now() >= self.next_catalog && !matches!(sent, Err(SyncError::NotJoined)) {
            pulled = self.pull_catalog().map(|_| true);
            self.next_catalog =
                Instant::now() + Duration::from_secs(self.config.catalog_minutes * 60);
        }
        let sent = sent?;
        if sent | pulled? {
            self.outbox.note(Ok(()))?;
        }
        Ok(sent)
    }

    /// Sends everything waiting and fetches the catalog, now (`till sync now`).
    /// Returns the number of batches sent.
    pub fn drain(&mut self) -> Result<usize, SyncError> {
        let outcome = self.drain_inner();
        self.outbox
            .note(outcome.as_ref().map(drop).map_err(|e| e.to_string()))?;
        outcome
    }

    fn drain_inner(&mut self) -> Result<usize, SyncError> {
        let mut batches = 0;
        while self.push(true)? {
            batches += 1;
        }
        self.pull_catalog()?;
        Ok(batches)
    }

    /// The wait before the next try after `failures` failures in a row:
    /// doubling from `retry_min_ms` up to `retry_max_seconds`, then a random
    /// half to all of it.
    fn backoff(&self) -> Duration {
        let max = self.config.retry_max_seconds.saturating_mul(1000);
        let exp = self.failures.saturating_sub(1).min(20);
        let full = self.config.retry_min_ms.saturating_mul(1 << exp).min(max);
        let jitter = u64::from(OsRng.next_u32() % 512);
        Duration::from_millis(full * (512 + jitter) / 1024)
    }

    /// Does what a back-office command asked for at once (`till sync now`,
    /// `till sync catalog`); its outcome in words.
    pub fn now(&mut self, what: SyncNow) -> Result<String, String> {
        match what {
            SyncNow::Everything => self
                .drain()
                .map(|n| format!("sent {n} batches; head office has everything")),
            SyncNow::Catalog => {
                let outcome = self.pull_catalog();
                let noted = outcome.as_ref().map(drop).map_err(|e| e.to_string());
                self.outbox.note(noted).map_err(|e| e.to_string())?;
                self.next_catalog =
                    Instant::now() + Duration::from_secs(self.config.catalog_minutes * 60);
                outcome.map(|n| format!("fetched {n} catalog change sets from head office"))
            }
        }
        .map_err(|e| e.to_string())
    }

    /// Runs until told to stop (or the sender of its orders is dropped).
    pub fn run(mut self, orders: Receiver<Order>) {
        let poll = Duration::from_millis(self.config.poll_ms);
        loop {
            let wait = match self.step() {
                Ok(true) => {
                    self.failures = 0;
                    Duration::ZERO
                }
                Ok(false) => {
                    self.failures = 0;
                    poll
                }
                Err(SyncError::NotJoined) => poll,
                Err(e) => {
                    self.failures += 1;
                    tracing::warn!(error = %e, failures = self.failures, "sync to head office failed");
                    if let Err(e) = self.outbox.note(Err(e.to_string())) {
                        tracing::error!(error = %e, "cannot note the sync state");
                    }
                    self.backoff()
                }
            };
            match orders.recv_timeout(wait) {
                Err(RecvTimeoutError::Timeout) => continue,
                Ok(Order::Now { what, done }) => {
                    let _ = done.send(self.now(what));
                }
                Ok(Order::Stop) | Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }
}

fn status_text(answer: &crate::proto::http::Response) -> String {
    let text = String::from_utf8_lossy(&answer.body);
    let text: String = text.chars().take(200).collect();
    format!("{}: {}", answer.status, text.trim())
}

/// What the running worker is told.
pub enum Order {
    /// Do `what` at once (`till sync now`, `till sync catalog` through the
    /// daemon) and send back what was done, or why not.
    Now {
        what: SyncNow,
        done: Sender<Result<String, String>>,
    },
    Stop,
}

/// The running worker. Dropping it tells the thread to stop after the
/// exchange in progress, without waiting (a quitting till must not hang on
/// a slow network); `stop` also waits for it.
pub struct Running {
    orders: Sender<Order>,
    thread: Option<JoinHandle<()>>,
}

pub fn spawn(worker: Worker) -> std::io::Result<Running> {
    let (orders, taken) = mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("till-sync".into())
        .spawn(move || worker.run(taken))?;
    Ok(Running {
        orders,
        thread: Some(thread),
    })
}

impl Running {
    /// Where to send the worker orders.
    pub fn orders(&self) -> Sender<Order> {
        self.orders.clone()
    }

    /// Stops the worker and waits until it has let go of the store.
    pub fn stop(mut self) {
        let _ = self.orders.send(Order::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.orders.send(Order::Stop);
    }
}
