//! `till daemon`: the one process that opens the store. It runs the printer
//! and the scanner and serves the socket that till screens (the kiosk,
//! managers over SSH) attach to; SIGTERM stops it cleanly.

use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::Result;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::config::Settings;
use crate::devices::printer::worker::{self, PrinterSetup};
use crate::devices::scanner::reader;
use crate::devices::status::StatusBoard;
use crate::devices::url::DeviceUrl;
use crate::engine::Engine;
use crate::ipc::server;
use crate::store::Store;
use crate::sync::worker::{self as sync_worker, Worker};

pub fn run(data: &Path, socket: &Path, config: &Settings) -> Result<()> {
    let mut engine = Engine::new(Store::open(data)?)?;
    engine.set_policy(config.policy());
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
            StatusBoard::default(),
            sleep,
        ));
    }
    // Sends the journal to head office and fetches its catalog, on its own thread.
    let _sync = sync_worker::spawn(Worker::new(engine.store(), config.config.sync.clone())?)?;
    let listener = server::bind(socket)?;
    crate::ipc::record_socket(data, socket)?;
    let hub = Arc::new(server::Hub::serving(data));
    // The daemon's scanner feeds the screen holding the scanner's lane.
    let _scanner = (config.scanner_url != DeviceUrl::None).then(|| {
        let (hub, lane) = (hub.clone(), config.config.scanner.lane);
        reader::spawn(
            config.scanner_url.clone(),
            config.config.scanner.clone(),
            StatusBoard::default(),
            move |code| hub.scan(lane, code),
        )
    });
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
