//! The real `till` binary in a pseudo-terminal, read back through a VT100
//! emulator: a cashier logs in, scans, pays cash and gets change; the sale is
//! then in the store and the journal holds. And a SIGTERM gives the terminal back.

use crate::common;
use crate::daemon::Daemon;

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use rust_decimal::dec;
use till::domain::money::Money;
use till::domain::sale::ReceiptNo;
use till::store::Store;

fn nz(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).expect("non-zero")
}

struct Screen {
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    /// Leaked: it must outlive the child and the reader thread.
    master: &'static dyn portable_pty::MasterPty,
}

impl Screen {
    fn start(data: &std::path::Path, config: &std::path::Path) -> Screen {
        Screen::spawn(&["--data", common::s(data), "--config", common::s(config)])
    }

    fn spawn(args: &[&str]) -> Screen {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_till"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("TILL_DATA");
        cmd.env("TILL_CONFIG", "/dev/null");
        let child = pair.slave.spawn_command(cmd).expect("spawn till");
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(nz(24), nz(80), 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let (p, r) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().expect("parser").process(&buf[..n]);
                r.lock().expect("raw").extend_from_slice(&buf[..n]);
            }
        });
        let writer = pair.master.take_writer().expect("writer");
        // The master must outlive the child; leak it into the reader's lifetime.
        let master = Box::leak(pair.master);
        Screen {
            parser,
            raw,
            writer,
            child,
            master,
        }
    }

    /// Resizes the terminal, as a window manager does (the till gets SIGWINCH).
    fn resize(&self, cols: u16, rows: u16) {
        self.parser
            .lock()
            .expect("parser")
            .set_size(nz(rows), nz(cols));
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize the pseudo-terminal");
    }

    fn contents(&self) -> String {
        self.parser.lock().expect("parser").screen().contents()
    }

    fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.contents().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("'{text}' never appeared; the screen:\n{}", self.contents());
    }

    /// Waits until `text` has been written `n` times: a question asked again.
    fn wait_count(&self, text: &str, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let count = || {
            String::from_utf8_lossy(&self.raw.lock().expect("raw"))
                .matches(text)
                .count()
        };
        while count() < n {
            assert!(
                Instant::now() < deadline,
                "'{text}' was not written {n} times; the screen:\n{}",
                self.contents()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends keys the way a keyboard does: one write per key press.
    fn type_slowly(&mut self, text: &str) {
        for b in text.bytes() {
            self.writer.write_all(&[b]).expect("write");
            self.writer.flush().expect("flush");
            std::thread::sleep(Duration::from_millis(70));
        }
    }

    /// Sends a whole code and Enter at once, as a keyboard-wedge scanner does.
    fn scan(&mut self, code: &str) {
        self.writer
            .write_all(format!("{code}\r").as_bytes())
            .expect("write");
        self.writer.flush().expect("flush");
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "till did not exit; screen:\n{}",
                self.contents()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn a_cashier_sells_three_items_for_cash_in_a_real_terminal() {
    let (dir, data) = common::demo_store();
    // The printer is a file: the receipt's bytes land there.
    let receipts = dir.path().join("receipts.bin");
    let config = common::write(
        dir.path(),
        "till.toml",
        &format!("[devices]\nprinter = \"file://{}\"\n", receipts.display()),
    );
    let mut screen = Screen::start(&data, &config);
    screen.wait_for("Log in");
    screen.type_slowly("cashier\r1111\r");
    screen.wait_for("Cart (scan or type a code)");
    // Typing held back for the scanner check shows up once the pause is over.
    screen.type_slowly("12");
    screen.wait_for("> 12");
    screen.type_slowly("\x1b");
    screen.scan("4006381333931");
    screen.wait_for("STABILO");
    // Typed by hand: a quantity, then the code.
    screen.type_slowly("3*5901234123457\r");
    screen.wait_for("GS1 sample");
    screen.scan("9780306406157");
    screen.wait_for("Paperback");
    screen.wait_for("TOTAL                  31.96");
    screen.type_slowly("\r");
    screen.wait_for("PAYMENT");
    screen.type_slowly("50\r");
    screen.wait_for("CHANGE                 18.04");
    screen.type_slowly("\x11"); // Ctrl-q
    assert!(screen.wait_exit().success());

    let store = Store::open(&data).expect("open the store after the till closed");
    let sale = store
        .sale(ReceiptNo(1))
        .expect("read")
        .expect("the sale is stored");
    assert_eq!(sale.cashier, "cashier");
    assert_eq!(sale.sale.lines.len(), 3);
    assert_eq!(sale.sale.lines[1].quantity, dec!(3));
    assert_eq!(sale.totals.total, Money::new(dec!(31.96)));
    assert_eq!(sale.sale.change, Money::new(dec!(18.04)));
    store.verify_journal().expect("the journal holds");
    let events: Vec<_> = store
        .journal()
        .map(|r| r.expect("readable").entry.event)
        .collect();
    use till::store::journal::JournalEvent;
    assert!(
        events
            .iter()
            .any(|e| matches!(e, JournalEvent::SaleCompleted { receipt, .. } if receipt.0 == 1))
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, JournalEvent::DrawerOpened { receipt: Some(r), .. } if r.0 == 1))
    );
    assert!(
        matches!(events.last(), Some(JournalEvent::Logout { user }) if user == "cashier"),
        "quitting logs the cashier out"
    );
    let printed =
        till::devices::printer::preview::to_text(&std::fs::read(&receipts).expect("printed"), 42);
    assert!(
        printed.contains("RECEIPT T01-000001") && printed.contains("[drawer kick"),
        "{printed}"
    );
}

#[test]
fn sigterm_gives_the_terminal_back() {
    let (dir, data) = common::demo_store();
    let config = common::write(dir.path(), "till.toml", "");
    let mut screen = Screen::start(&data, &config);
    screen.wait_for("Log in");
    let pid = screen.child.process_id().expect("pid");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    assert!(screen.wait_exit().success(), "a SIGTERM is a clean stop");
    std::thread::sleep(Duration::from_millis(100));
    let raw = screen.raw.lock().expect("raw").clone();
    let text = String::from_utf8_lossy(&raw);
    assert!(text.contains("\x1b[?1049h"), "entered the alternate screen");
    assert!(text.contains("\x1b[?1049l"), "left the alternate screen");
}

/// Starts `till daemon ARGS` and waits until it listens on `socket`.
fn daemon(args: &[&str], socket: &std::path::Path) -> Daemon {
    let child = common::till()
        .arg("daemon")
        .args(args)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("daemon");
    Daemon::listening(child, socket)
}

/// What systemd does on a watchdog miss: the daemon is killed (SIGKILL)
/// and started again. Both attached screens say the daemon is gone, attach
/// again by themselves, and after a login carry on with the sale their lane
/// had open: the old line is there, a new one joins it, and it is paid.
#[test]
fn two_screens_carry_on_with_their_carts_when_the_daemon_is_killed_and_restarted() {
    let (dir, data) = common::demo_store();
    let socket = dir.path().join("till.sock");
    let args = ["--data", common::s(&data), "--socket", common::s(&socket)];
    let mut first = daemon(&args, &socket);
    let mut lane1 = Screen::spawn(&[&args[..], &["--lane", "1"]].concat());
    let mut lane2 = Screen::spawn(&[&args[..], &["--lane", "2"]].concat());
    for (screen, user, pin) in [
        (&mut lane1, "cashier", "1111"),
        (&mut lane2, "manager", "9999"),
    ] {
        screen.wait_for("Log in");
        screen.type_slowly(&format!("{user}\r{pin}\r"));
        screen.wait_for("Cart (scan or type a code)");
    }
    lane1.scan("9780306406157");
    lane1.wait_for("Paperback");
    lane2.scan("4006381333931");
    lane2.wait_for("STABILO");

    first.0.kill().expect("SIGKILL the daemon");
    first.0.wait().expect("reap it");
    lane1.wait_for("daemon gone: reconnecting");
    lane2.wait_for("daemon gone: reconnecting");
    let second = daemon(&args, &socket);
    for screen in [&lane1, &lane2] {
        screen.wait_for("the till daemon restarted; log in again");
        screen.wait_for("printer: daemon");
    }
    assert!(
        lane1.contents().contains("kept on lane 1"),
        "{}",
        lane1.contents()
    );

    lane1.type_slowly("cashier\r1111\r");
    lane1.wait_for("Paperback");
    lane1.scan("4006381333931");
    lane1.wait_for("STABILO");
    lane1.wait_for("Paperback");
    lane1.wait_for("TOTAL                  25.99");
    lane1.type_slowly("\r");
    lane1.wait_for("PAYMENT");
    lane1.type_slowly("30\r");
    lane1.wait_for("CHANGE                  4.01");

    lane2.type_slowly("manager\r9999\r");
    lane2.wait_for("STABILO");
    lane2.scan("9780306406157");
    lane2.wait_for("Paperback");
    lane2.wait_for("STABILO");
    lane2.wait_for("TOTAL                  25.99");
    lane2.type_slowly("\r");
    lane2.wait_for("PAYMENT");
    lane2.type_slowly("50\r");
    lane2.wait_for("CHANGE                 24.01");
    for screen in [&mut lane1, &mut lane2] {
        screen.type_slowly("\x11");
        assert!(screen.wait_exit().success());
    }
    drop(second);
    let store = Store::open(&data).expect("the store, the daemon gone");
    for receipt in [1, 2] {
        let sale = store.sale(ReceiptNo(receipt)).expect("read").expect("paid");
        assert_eq!(sale.sale.lines.len(), 2, "receipt {receipt}");
        assert_eq!(sale.totals.total, Money::new(dec!(25.99)));
    }
}

/// `till daemon --demo` makes the demo store and serves it on its own
/// socket; `till --demo` finds that daemon and attaches to it.
#[test]
fn till_demo_attaches_to_the_demo_daemon() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = dir.path().join("demo");
    let socket = demo.join("till.sock");
    let served = daemon(&["--demo", "--data", common::s(&demo)], &socket);
    let mut screen = Screen::spawn(&["--demo", "--data", common::s(&demo), "--lane", "1"]);
    screen.wait_for("Till Demo Shop");
    screen.wait_for("printer: daemon");
    screen.type_slowly("cashier\r1111\r");
    screen.wait_for("Cart (scan or type a code)");
    screen.type_slowly("\x11");
    assert!(screen.wait_exit().success());
    drop(served);
}

#[test]
fn a_screen_attached_to_the_daemon_sells_the_same_way() {
    let (dir, data) = common::demo_store();
    let socket = dir.path().join("till.sock");
    let daemon = daemon(
        &["--data", common::s(&data), "--socket", common::s(&socket)],
        &socket,
    );
    let mut screen = Screen::spawn(&["--socket", common::s(&socket), "--lane", "1"]);
    screen.wait_for("Log in");
    screen.type_slowly("cashier\r1111\r");
    screen.wait_for("Cart (scan or type a code)");
    screen.scan("9780306406157");
    screen.wait_for("Paperback");
    screen.type_slowly("\r");
    screen.wait_for("PAYMENT");
    screen.type_slowly("30\r");
    screen.wait_for("CHANGE                  5.50");
    screen.wait_for("printer: daemon");
    screen.type_slowly("\x11");
    assert!(screen.wait_exit().success());
    let mut office = till::ipc::client::Client::connect(&socket).expect("attach");
    use till::engine::api::TillApi;
    let session = office.login("manager", "9999", 0).expect("back office");
    let sale = office
        .receipt(session, 1)
        .expect("the sale is in the daemon's store");
    assert_eq!(sale.totals.total, Money::new(dec!(24.50)));
    drop(daemon);
}

#[test]
fn till_init_at_a_terminal_asks_for_the_shop_and_never_shows_the_pin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("store");
    let mut screen = Screen::spawn(&["init", "--data", common::s(&data)]);
    let answer = |screen: &mut Screen, question: &str, text: &str| {
        screen.wait_for(question);
        screen.scan(text);
    };
    answer(&mut screen, "Shop name", "Corner Shop");
    answer(&mut screen, "Terminal id", "");
    // A wrong answer is named and the question asked again.
    answer(&mut screen, "Currency (ISO 4217 code) [EUR]", "EURO");
    screen.wait_for("is not a currency code");
    screen.scan("chf");
    answer(&mut screen, "Digits after the decimal point", "");
    answer(&mut screen, "(exclusive) [inclusive]", "exclusive");
    answer(&mut screen, "Tax rates", "std=8.1, red=2.6");
    answer(&mut screen, "Smallest coin", "0.05");
    // A PIN of the wrong shape, then two that differ: each is asked again.
    answer(&mut screen, "admin user's PIN", "12ab");
    screen.wait_for("a PIN is 4 to 12 digits");
    screen.wait_count("admin user's PIN", 2);
    screen.scan("4321");
    answer(&mut screen, "The same PIN again", "4322");
    screen.wait_for("the two PINs differ");
    screen.wait_count("admin user's PIN", 3);
    screen.scan("4321");
    screen.wait_count("The same PIN again", 2);
    screen.scan("4321");
    screen.wait_for("created store 'Corner Shop' (terminal T01)");
    assert!(screen.wait_exit().success());
    assert!(
        !screen.contents().contains("4321"),
        "a PIN was echoed:\n{}",
        screen.contents()
    );

    let mut engine = common::engine(&data);
    let settings = engine.store().settings().expect("settings");
    assert_eq!(settings.rules.currency.code, "CHF");
    assert_eq!(settings.rules.cash_increment, Some(dec!(0.05)));
    assert_eq!(
        settings.rules.tax_mode,
        till::domain::tax::TaxMode::Exclusive
    );
    let rates: Vec<_> = settings
        .rules
        .tax_categories
        .iter()
        .map(|c| (c.code.as_str(), c.rate))
        .collect();
    assert_eq!(rates, [("std", dec!(0.081)), ("red", dec!(0.026))]);
    common::login(&mut engine, "admin", "4321");
}

/// In a real terminal shrunk below 80x24: typing does nothing, a
/// keyboard-wedge scanner's scan is held and counted, and it is sold once
/// the window is large enough again.
#[test]
fn a_wedge_scan_while_the_window_is_too_small_is_sold_once_it_is_large_enough() {
    let (dir, data) = common::demo_store();
    let config = common::write(dir.path(), "till.toml", "");
    let mut screen = Screen::start(&data, &config);
    screen.wait_for("Log in");
    screen.type_slowly("cashier\r1111\r");
    screen.wait_for("Cart (scan or type a code)");
    screen.resize(60, 20);
    screen.wait_for("Enlarge the window");
    // Typed by hand, this code and Enter would sell it, were it shown.
    screen.type_slowly("4006381333931\r");
    screen.scan("9780306406157");
    screen.wait_for("1 scan waits for it");
    screen.resize(80, 24);
    screen.wait_for("Paperback");
    let shown = screen.contents();
    assert!(!shown.contains("STABILO"), "typed unseen, sold: {shown}");
    screen.type_slowly("\x11"); // Ctrl-q
    assert!(screen.wait_exit().success());
}
