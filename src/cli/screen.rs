//! `till` with no subcommand: the till screen on the store, in this process,
//! with the configured scanner and printer.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;

use super::args::ScreenArgs;
use super::logging;
use crate::config::Settings;
use crate::devices::printer::worker::{self, PrinterSetup};
use crate::devices::scanner::reader;
use crate::devices::status::StatusBoard;
use crate::devices::url::DeviceUrl;
use std::sync::mpsc::{Receiver, Sender};

use crate::engine::Engine;
use crate::engine::api::TillApi;
use crate::ipc::client::Client;
use crate::ipc::protocol::Notice;
use crate::store::Store;
use crate::sync::worker::{self as sync_worker, Worker};
use crate::ui::app::App;
use crate::ui::keymap::Keymap;
use crate::ui::theme::Theme;
use crate::ui::tui::{self, Input};
use crate::ui::wedge::WedgeConfig;

pub fn run(data: &Path, config: &Settings, args: &ScreenArgs) -> Result<()> {
    logging::to_file(
        &args.log.clone().unwrap_or_else(|| data.join("till.log")),
        config.config.retention.log_days,
    )?;
    let mut engine = Engine::new(Store::open(data)?)?;
    engine.set_policy(config.policy());
    let board = StatusBoard::default();
    let (tx, rx) = tui::channel();

    // The printer worker prints whatever is queued, now and after each sale.
    let printer = (config.printer_url != DeviceUrl::None).then(|| {
        let (wake, sleep) = std::sync::mpsc::channel();
        engine.attach_printer(wake, config.config.printer.drawer);
        let setup = PrinterSetup {
            url: config.printer_url.clone(),
            store: engine.settings().clone(),
            printer: config.config.printer.clone(),
            receipt: config.config.receipt.clone(),
        };
        worker::spawn(engine.store().print_queue(), setup, board.clone(), sleep)
    });
    let scanner = (config.scanner_url != DeviceUrl::None).then(|| {
        let codes = tx.clone();
        reader::spawn(
            config.scanner_url.clone(),
            config.config.scanner.clone(),
            board.clone(),
            move |code| {
                let _ = codes.send(Input::Scan(code));
            },
        )
    });

    let sync = sync_worker::spawn(Worker::new(engine.store(), config.config.sync.clone())?)?;
    let outcome = show(&mut engine, board, args.lane.unwrap_or(1), args, (tx, rx));
    drop(sync);
    drop(scanner);
    // Closing the engine closes the printer's wake-up channel: the worker makes
    // one last pass over the queue and stops.
    drop(engine);
    if let Some(worker) = printer {
        let _ = worker.join();
    }
    outcome
}

/// The lane of a screen attached without `--lane`: the back office, shared,
/// so a manager over SSH never takes the kiosk's lane by accident.
const BACK_OFFICE: u16 = crate::ipc::server::BACK_OFFICE;

/// An attached screen's default log, in the temporary directory: one name
/// per user, since each user's log files are private to them and one
/// user's screen could neither append to nor prune another's.
fn attached_log_name() -> String {
    format!("till-screen-{}.log", rustix::process::getuid().as_raw())
}

/// `till` when a daemon runs: the same screen, attached to it over its socket.
/// The daemon owns the store and the printer; this screen only asks. If the
/// daemon goes (killed, restarted by systemd), the screen attaches again by
/// itself and says so meanwhile (see [`reconnect`]). `data` is the store
/// meant (--data or the demo's); a daemon of another store is refused.
pub fn attach(
    data: Option<&Path>,
    socket: &Path,
    config: &Settings,
    args: &ScreenArgs,
) -> Result<()> {
    logging::to_file(
        &args
            .log
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join(attached_log_name())),
        config.config.retention.log_days,
    )?;
    let mut client = Client::connect_to_store(data, socket)?;
    let board = StatusBoard::default();
    board.printer(DAEMON_HERE);
    board.scanner("scanner: daemon");
    let (tx, rx) = tui::channel();
    // The daemon's pushes (its scanner's codes, lane news) join the key stream;
    // when they end, the daemon is gone and this thread brings it back.
    let mut notices = client.notices()?;
    let (forward, redial, status) = (tx.clone(), client.clone(), board.clone());
    std::thread::spawn(move || {
        loop {
            for notice in notices {
                let input = match notice {
                    Notice::Scan(code) => Input::Scan(code),
                    Notice::LaneTaken { by, .. } => Input::LaneTaken { by },
                };
                if forward.send(input).is_err() {
                    return;
                }
            }
            tracing::warn!("lost the till daemon; reconnecting");
            notices = reconnect(&redial, &status);
            tracing::info!("attached to the till daemon again");
            status.printer(DAEMON_HERE);
            if forward.send(Input::DaemonBack).is_err() {
                return;
            }
        }
    });
    show(
        &mut client,
        board,
        args.lane.unwrap_or(BACK_OFFICE),
        args,
        (tx, rx),
    )
}

/// The status bar's word on the daemon while it is there.
const DAEMON_HERE: &str = "printer: daemon";

/// The first wait before attaching again, doubled after each failure up to
/// [`REDIAL_MAX`]: a daemon that systemd restarts at once is back within the
/// first waits, and one that stays down costs a try every few seconds.
const REDIAL_FIRST: Duration = Duration::from_millis(250);
const REDIAL_MAX: Duration = Duration::from_secs(5);

/// Attaches `client` again, however long it takes, saying so on the status
/// bar with the attempt; returns the new notice stream.
fn reconnect(client: &Client, board: &StatusBoard) -> Receiver<Notice> {
    let mut wait = REDIAL_FIRST;
    let mut attempt = 1u64;
    loop {
        board.printer(format!("daemon gone: reconnecting… ({attempt})"));
        std::thread::sleep(wait);
        match client.redial().and_then(|()| client.notices()) {
            Ok(notices) => return notices,
            Err(e) => tracing::debug!(attempt, "the till daemon is not back: {e}"),
        }
        wait = (wait * 2).min(REDIAL_MAX);
        attempt += 1;
    }
}

/// The screen itself, on whichever side of the socket the engine is.
fn show(
    api: &mut dyn TillApi,
    board: StatusBoard,
    lane: u16,
    args: &ScreenArgs,
    (tx, rx): (Sender<Input>, Receiver<Input>),
) -> Result<()> {
    let (keymap, keymap_error) = Keymap::load(args.keymap.as_deref());
    let (theme, theme_error) = Theme::load(args.theme.as_deref());
    let wedge = WedgeConfig {
        max_gap: Duration::from_millis(args.wedge_gap_ms),
        min_len: args.wedge_min_len,
    };
    let mut app = App::new(api, keymap, theme, wedge, lane);
    app.devices = board;
    // The loop draws, then looks at `quit`: one frame, then out.
    app.quit = args.exit_after_first_frame;
    // A broken file never stops the till: it starts on the shipped default and says why.
    let problems: Vec<String> = [keymap_error, theme_error]
        .into_iter()
        .flatten()
        .map(|e| e.to_string())
        .collect();
    if !problems.is_empty() {
        for p in &problems {
            tracing::warn!("{p}; using the shipped default");
        }
        app.error(format!(
            "{}; using the shipped default",
            problems.join("; ")
        ));
    }
    tui::run(&mut app, tx, rx)
}
