//! The printer worker: prints queued jobs in order, one at a time, and takes a
//! job off the queue only when the printer has taken all of its bytes. While
//! the printer is away it tries again every `retry_seconds`; when idle it
//! sleeps until the engine queues something.

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use super::config::{PrinterConfig, ReceiptConfig};
use super::receipt::{Buyer, Copy, Layout};
use crate::devices::port::{self, Link};
use crate::devices::status::StatusBoard;
use crate::devices::url::DeviceUrl;
use crate::store::print_queue::{JobKind, PrintJob, PrintQueue};
use crate::store::settings::StoreSettings;

/// What the worker needs to lay receipts out.
pub struct PrinterSetup {
    pub url: DeviceUrl,
    pub store: StoreSettings,
    pub printer: PrinterConfig,
    pub receipt: ReceiptConfig,
}

/// Starts the worker. It runs until every sender of `wake` is gone (the engine
/// closed), after one last pass over the queue.
pub fn spawn(
    queue: PrintQueue,
    setup: PrinterSetup,
    status: StatusBoard,
    wake: Receiver<()>,
) -> JoinHandle<()> {
    std::thread::spawn(move || run(&queue, &setup, &status, &wake))
}

fn run(queue: &PrintQueue, setup: &PrinterSetup, status: &StatusBoard, wake: &Receiver<()>) {
    let retry = Duration::from_secs(setup.printer.retry_seconds.max(1));
    let mut link: Option<Box<dyn Link>> = None;
    loop {
        let waiting = match print_all(queue, setup, &mut link) {
            Ok(()) => {
                status.printer("printer ok");
                None
            }
            Err(why) => {
                tracing::warn!(printer = %setup.url, "printing delayed: {why}");
                let state = if why == "paper out" {
                    "paper out"
                } else {
                    "printer away"
                };
                status.printer(format!("{state}: {} waiting", queue.len()));
                link = None;
                Some(retry)
            }
        };
        let got = match waiting {
            None => wake.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(t) => wake.recv_timeout(t),
        };
        if got == Err(RecvTimeoutError::Disconnected) {
            // One last try, so a sale completed just before closing prints.
            let _ = print_all(queue, setup, &mut link);
            return;
        }
    }
}

/// Prints every waiting job; stops at the first one the printer does not take.
fn print_all(
    queue: &PrintQueue,
    setup: &PrinterSetup,
    link: &mut Option<Box<dyn Link>>,
) -> Result<(), String> {
    while let Some((id, job)) = queue.next().map_err(|e| e.to_string())? {
        let bytes = match render(queue, setup, &job) {
            Ok(bytes) => bytes,
            Err(e) => {
                // A job that can never print must not hold up the ones behind it.
                tracing::error!(job = id, "print job dropped, it cannot be laid out: {e}");
                queue.done(id).map_err(|e| e.to_string())?;
                continue;
            }
        };
        if link.is_none() {
            *link =
                Some(port::open(&setup.url, Duration::from_secs(2)).map_err(|e| e.to_string())?);
        }
        if let Some(l) = link.as_mut() {
            if setup.printer.paper_status {
                paper_ok(l.as_mut())?;
            }
            queue.attempt(id, &job).map_err(|e| e.to_string())?;
            l.write_all(&bytes)
                .and_then(|()| l.flush())
                .map_err(|e| format!("{}: {e}", setup.url))?;
        }
        queue.done(id).map_err(|e| e.to_string())?;
        tracing::info!(job = id, bytes = bytes.len(), "printed");
    }
    Ok(())
}

/// DLE EOT 4: the printer answers one byte about its paper roll. Bits 5 and 6
/// set mean the paper has run out: the job waits instead of printing into
/// nothing. A printer that does not answer in time is given the job anyway.
fn paper_ok(link: &mut dyn Link) -> Result<(), String> {
    link.write_all(&[0x10, 0x04, 0x04])
        .and_then(|()| link.flush())
        .map_err(|e| e.to_string())?;
    let mut answer = [0u8; 1];
    match link.read(&mut answer) {
        Ok(1) if answer[0] & 0x60 != 0 => Err("paper out".into()),
        Ok(_) => Ok(()),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) =>
        {
            Ok(())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// A drawer kick older than this is not sent: a drawer springing open long
/// after the sale, with nobody at the till, is worse than one that stays shut.
const KICK_FRESH_FOR: chrono::TimeDelta = chrono::TimeDelta::seconds(30);

fn render(queue: &PrintQueue, setup: &PrinterSetup, job: &PrintJob) -> Result<Vec<u8>, String> {
    // Tried before: it may have printed, so it goes again as a duplicate and
    // never opens the drawer twice.
    let retried = job.attempts > 0;
    let stale = chrono::Utc::now() - job.queued_at > KICK_FRESH_FOR;
    if job.kick && (retried || stale) {
        tracing::warn!(queued_at = %job.queued_at, retried, "drawer kick not sent: too late or already tried");
    }
    let kick = job.kick && !retried && !stale;
    let layout = Layout {
        store: &setup.store,
        printer: &setup.printer,
        receipt: &setup.receipt,
        local: crate::domain::daily::local_time,
    };
    match &job.kind {
        JobKind::DrawerOnly if kick => Ok(layout.drawer_only()),
        JobKind::DrawerOnly => Ok(Vec::new()),
        JobKind::Report { report, shifts } => {
            // Tried before, it may have printed: this one says it is a copy.
            let copy = if retried {
                Copy::Duplicate
            } else {
                Copy::Original
            };
            layout
                .report(report, shifts, copy)
                .map_err(|e| e.to_string())
        }
        JobKind::Receipt {
            receipt,
            hash,
            duplicate,
        } => {
            let sale = queue
                .sale(*receipt)
                .map_err(|e| e.to_string())?
                .ok_or("the sale is not in the store")?;
            let copy = if *duplicate || retried {
                Copy::Duplicate
            } else {
                Copy::Original
            };
            // A buyer with a tax number gets a tax invoice.
            // If the details cannot be read, the receipt still prints, as a
            // plain one: the sale and the drawer matter more than the block.
            let buyer = match sale.sale.customer {
                Some(id) => queue.customer(id).unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "the buyer's details cannot be read; printing a plain receipt");
                    None
                }),
                None => None,
            }
            .and_then(|c| {
                c.tax_number.map(|tax_number| Buyer {
                    name: c.name,
                    tax_number,
                    address: c.address,
                })
            });
            layout
                .receipt(&sale, &hex::encode(hash), copy, buyer.as_ref(), kick)
                .map_err(|e| e.to_string())
        }
    }
}
