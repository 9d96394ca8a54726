//! `till daemon`: the one process that opens the store. It runs the printer
//! and the scanner and serves the socket that till screens (the kiosk,
//! managers over SSH) attach to; SIGTERM stops it cleanly.

use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex};

use anyhow::Result;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::config::Settings;
use crate::devices::printer::worker::{self, PrinterSetup};
use crate::devices::scanner::reader;
use crate::devices::status::{DeviceStatus, StatusBoard};
use crate::devices::url::DeviceUrl;
use crate::engine::Engine;
use crate::engine::office::{ExportFormat, Office, SyncNow};
use crate::ipc::server;
use crate::store::Store;
use crate::store::retention::Policy;
use crate::sync::worker::{self as sync_worker, Order, Worker};

/// The daemon's parts above its engine, for the back office's requests
/// through it (see `engine::office`).
struct DaemonOffice {
    sync: Sender<Order>,
    /// The worker's answers to the syncs asked for, by ticket.
    pending: HashMap<u64, Receiver<Result<String, String>>>,
    tickets: u64,
    /// What the printer and scanner threads say of their devices.
    board: StatusBoard,
    devices: Vec<(String, Reading)>,
    retention: Policy,
}

/// Which line of the status board is a device's.
type Reading = fn(&DeviceStatus) -> &String;

/// Syncs asked for and not yet told: a command that never asks again does
/// not make the daemon keep its tickets without end.
const MAX_PENDING: usize = 4;

impl Office for DaemonOffice {
    fn export(
        &self,
        store: &Store,
        dir: &Path,
        format: ExportFormat,
        user: &str,
    ) -> Result<(), String> {
        super::export::write(store, dir, format, Some(user))
            .map(drop)
            .map_err(|e| format!("{e:#}"))
    }

    fn sync_now(&mut self, what: SyncNow) -> Result<u64, String> {
        if self.pending.len() >= MAX_PENDING {
            return Err(
                "syncs asked for are still under way: wait for them (till sync status)".into(),
            );
        }
        let (done, outcome) = std::sync::mpsc::channel();
        self.sync
            .send(Order::Now { what, done })
            .map_err(|_| "the daemon's sync worker has stopped".to_string())?;
        self.tickets += 1;
        self.pending.insert(self.tickets, outcome);
        Ok(self.tickets)
    }

    fn sync_outcome(&mut self, ticket: u64) -> Option<Result<String, String>> {
        let outcome = match self.pending.get(&ticket)?.try_recv() {
            Ok(outcome) => outcome,
            Err(TryRecvError::Empty) => return None,
            Err(TryRecvError::Disconnected) => Err("the daemon's sync worker has stopped".into()),
        };
        self.pending.remove(&ticket);
        Some(outcome)
    }

    fn devices(&self) -> Vec<(String, String)> {
        let now = self.board.get();
        self.devices
            .iter()
            .map(|(name, status)| (name.clone(), status(&now).clone()))
            .collect()
    }

    fn retention(&self) -> Policy {
        self.retention
    }
}

pub fn run(data: &Path, socket: &Path, config: &Settings) -> Result<()> {
    let mut engine = Engine::new(Store::open(data)?)?;
    engine.set_policy(config.policy());
    let board = StatusBoard::default();
    let mut devices: Vec<(String, Reading)> = Vec::new();
    if config.printer_url != DeviceUrl::None {
        let (wake, sleep) = std::sync::mpsc::channel();
        engine.attach_printer(wake, config.config.printer.drawer);
        let setup = PrinterSetup {
            url: config.printer_url.clone(),
            store: engine.settings().clone(),
            printer: config.config.printer.clone(),
            receipt: config.config.receipt.clone(),
        };
        // Runs for the daemon's life; it ends with the process.
        drop(worker::spawn(
            engine.store().print_queue(),
            setup,
            board.clone(),
            sleep,
        ));
        devices.push((format!("printer {}", config.printer_url), |s| &s.printer));
    }
    // Sends the journal to head office and fetches its catalog, on its own thread.
    let sync = sync_worker::spawn(Worker::new(engine.store(), config.config.sync.clone())?)?;
    let listener = server::bind(socket)?;
    crate::ipc::record_socket(data, socket)?;
    let hub = Arc::new(server::Hub::serving(data));
    // The daemon's scanner feeds the screen holding the scanner's lane.
    let _scanner = (config.scanner_url != DeviceUrl::None).then(|| {
        let (hub, lane) = (hub.clone(), config.config.scanner.lane);
        reader::spawn(
            config.scanner_url.clone(),
            config.config.scanner.clone(),
            board.clone(),
            move |code| hub.scan(lane, code),
        )
    });
    if config.scanner_url != DeviceUrl::None {
        devices.push((format!("scanner {}", config.scanner_url), |s| &s.scanner));
    }
    engine.set_office(Box::new(DaemonOffice {
        sync: sync.orders(),
        pending: HashMap::new(),
        tickets: 0,
        board,
        devices,
        retention: config.config.retention.policy(),
    }));
    let engine = Arc::new(Mutex::new(engine));
    // Retention, daily, under the engine's lock like any other change.
    let keeping = engine.clone();
    let policy = config.config.retention.policy();
    std::thread::spawn(move || {
        loop {
            let now = chrono::Utc::now();
            let outcome = {
                let engine = keeping.lock().unwrap_or_else(|p| p.into_inner());
                engine.store().run_retention(policy, now, false)
            };
            match outcome {
                Ok(removed) => tracing::info!(
                    "retention: {}",
                    super::retention::describe(&removed, false).trim()
                ),
                Err(e) => {
                    tracing::error!(error = %e, "retention run failed; it runs again tomorrow")
                }
            }
            std::thread::sleep(std::time::Duration::from_secs(24 * 3600));
        }
    });
    let mut signals = Signals::new([SIGTERM, SIGINT])?;
    let stopping = engine.clone();
    let socket_path = socket.to_path_buf();
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            // Wait for the command in progress, then stop: everything a screen
            // was told is done is already durable in the store.
            let _engine = stopping.lock();
            let _ = std::fs::remove_file(&socket_path);
            tracing::info!(signal = sig, "till daemon stopping");
            std::process::exit(0);
        }
    });
    tracing::info!(socket = %socket.display(), store = %data.display(), "till daemon ready");
    if let Some(notifier) = super::watchdog::Notifier::from_env() {
        if let Err(e) = notifier.send("READY=1\nSTATUS=selling") {
            tracing::warn!(error = %e, "cannot tell the service manager the daemon is ready");
        }
        if let Some(interval) = super::watchdog::interval_from_env() {
            let engine = engine.clone();
            std::thread::spawn(move || super::watchdog::run(engine, notifier, interval));
        }
    }
    eprintln!(
        "till daemon: serving {} on {}",
        data.display(),
        socket.display()
    );
    server::serve(&listener, engine, hub);
    Ok(())
}
