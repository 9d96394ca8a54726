//! The scanner and the printer over real pseudo-terminals and real sockets:
//! codes with every suffix, noise, a scanner unplugged and plugged back, a
//! printer side that reads the bytes, and a printer that is away for three
//! sales and then prints all three receipts, in order, once each.

use crate::common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::sale::sell;
use portable_pty::{MasterPty, PtySize, native_pty_system};
use till::devices::printer::config::{PrinterConfig, ReceiptConfig};
use till::devices::printer::preview;
use till::devices::printer::worker::{self, PrinterSetup};
use till::devices::scanner::config::{ScannerConfig, Suffix};
use till::devices::scanner::reader;
use till::devices::status::StatusBoard;
use till::devices::url::{DeviceUrl, Parity};
use till::domain::tender::TenderKind;
use till::engine::Command;

/// A pseudo-terminal whose slave side is reachable under `link` (a symlink),
/// so a test can unplug it and plug a new one in at the same path, as udev
/// names a USB scanner again after a replug.
struct FakePort {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    // The slave must stay open until the device opens its side.
    _slave: Box<dyn portable_pty::SlavePty + Send>,
}

fn plug(link: &Path) -> FakePort {
    let pair = native_pty_system()
        .openpty(PtySize::default())
        .expect("a pty");
    let name = pair.master.tty_name().expect("the slave's path");
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(&name, link).expect("symlink");
    let writer = pair.master.take_writer().expect("writer");
    FakePort {
        master: pair.master,
        writer,
        _slave: pair.slave,
    }
}

impl FakePort {
    /// What the device writes to the port, chunk by chunk, read on a thread
    /// so that a printer side that gets nothing fails a test instead of
    /// hanging it.
    fn bytes(&self) -> mpsc::Receiver<Vec<u8>> {
        let mut reader = self.master.try_clone_reader().expect("reader");
        let (bytes_tx, bytes_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 1024];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || bytes_tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        bytes_rx
    }
}

/// Reads `bytes` until `done` finds what it waits for in them (and returns
/// it), failing with what came, as a `columns` wide roll shows it, if
/// nothing more arrives for 10 s.
fn printed_until<T>(
    bytes: &mpsc::Receiver<Vec<u8>>,
    columns: usize,
    mut done: impl FnMut(&[u8]) -> Option<T>,
) -> T {
    let mut got = Vec::new();
    loop {
        if let Some(found) = done(&got) {
            return found;
        }
        match bytes.recv_timeout(Duration::from_secs(10)) {
            Ok(chunk) => got.extend_from_slice(&chunk),
            Err(_) => panic!(
                "what was waited for never arrived: {}",
                preview::to_text(&got, columns)
            ),
        }
    }
}

fn serial(path: &Path) -> DeviceUrl {
    DeviceUrl::Serial {
        path: path.into(),
        baud: 9600,
        parity: Parity::None,
        data_bits: 8,
        stop_bits: 1,
        flow: false,
    }
}

/// Joins a worker, failing (not hanging) if it does not stop.
fn join(worker: std::thread::JoinHandle<()>) {
    wait_until("the printer worker to stop", || worker.is_finished());
    worker.join().expect("the worker did not panic");
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_serial_scanner_with_each_suffix_noise_and_a_replug() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (suffix, end) in [
        (Suffix::Cr, "\r"),
        (Suffix::Lf, "\n"),
        (Suffix::Crlf, "\r\n"),
        (Suffix::Tab, "\t"),
        (Suffix::Etx, "\x03"),
    ] {
        let link = dir.path().join(format!("scanner-{suffix:?}"));
        let mut port = plug(&link);
        let (tx, rx) = mpsc::channel();
        let board = StatusBoard::default();
        let config = ScannerConfig {
            suffix,
            dedupe_ms: 500,
            ..ScannerConfig::default()
        };
        let scanner = reader::spawn(serial(&link), config, board.clone(), move |code| {
            let _ = tx.send(code);
        });
        wait_until("the scanner to open", || {
            board.get().scanner == "scanner ok"
        });
        let stream = format!(
            "\x00\x7f\u{1b}garbage\x01{end}4006381333931{end}4006381333931{end}96385074{end}"
        );
        port.writer.write_all(stream.as_bytes()).expect("write");
        let got: Vec<String> = (0..2)
            .map(|_| rx.recv_timeout(Duration::from_secs(5)).expect("a code"))
            .collect();
        assert_eq!(
            got,
            ["4006381333931", "96385074"],
            "{suffix:?}: noise dropped, the repeat taken once"
        );

        if suffix == Suffix::Cr {
            // Unplug: the pty goes away; the reader notices and keeps looking.
            drop(port);
            wait_until("the scanner to be missed", || {
                board.get().scanner == "scanner away"
            });
            let mut port = plug(&link);
            wait_until("the scanner to come back", || {
                board.get().scanner == "scanner ok"
            });
            port.writer.write_all(b"5901234123457\r").expect("write");
            assert_eq!(
                rx.recv_timeout(Duration::from_secs(5))
                    .expect("a code after replug"),
                "5901234123457"
            );
            drop(port);
        }
        drop(scanner);
    }
}

fn printer_config() -> PrinterConfig {
    PrinterConfig {
        columns: 42,
        retry_seconds: 1,
        ..PrinterConfig::default()
    }
}

#[test]
fn a_serial_printer_gets_the_receipt_bytes_and_the_drawer_kick() {
    let dir = tempfile::tempdir().expect("tempdir");
    let link = dir.path().join("printer");
    let port = plug(&link);
    let (_d, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let (wake, sleep) = mpsc::channel();
    engine.attach_printer(wake, true);
    let setup = PrinterSetup {
        url: serial(&link),
        store: engine.settings().clone(),
        printer: printer_config(),
        receipt: ReceiptConfig::default(),
    };
    let board = StatusBoard::default();
    let worker = worker::spawn(engine.store().print_queue(), setup, board.clone(), sleep);
    let s = common::login(&mut engine, "cashier", "1111");
    let bytes = port.bytes();
    sell(&mut engine, s, "4006381333931", TenderKind::Cash);
    let kick = till::devices::printer::receipt::drawer_kick(2);
    let got = printed_until(&bytes, 42, |got| got.ends_with(&kick).then(|| got.to_vec()));
    let text = preview::to_text(&got, 42);
    assert!(
        text.contains("RECEIPT T01-000001") && text.contains("STABILO"),
        "{text}"
    );
    wait_until("the job to leave the queue", || {
        engine.store().print_queue().is_empty()
    });
    assert_eq!(board.get().printer, "printer ok");
    drop(engine);
    join(worker);
}

#[test]
fn a_printer_away_for_three_sales_prints_all_three_in_order_once() {
    // A port nothing listens on yet: the printer is off.
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let (_d, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let (wake, sleep) = mpsc::channel();
    engine.attach_printer(wake, true);
    let setup = PrinterSetup {
        url: DeviceUrl::Tcp {
            host: "127.0.0.1".into(),
            port,
        },
        store: engine.settings().clone(),
        printer: printer_config(),
        receipt: ReceiptConfig::default(),
    };
    let board = StatusBoard::default();
    let worker = worker::spawn(engine.store().print_queue(), setup, board.clone(), sleep);
    let s = common::login(&mut engine, "cashier", "1111");
    sell(&mut engine, s, "4006381333931", TenderKind::Cash);
    sell(&mut engine, s, "5901234123457", TenderKind::Card);
    sell(&mut engine, s, "9780306406157", TenderKind::Cash);
    wait_until("the status bar to say so", || {
        board.get().printer.starts_with("printer away")
    });
    assert_eq!(
        engine.store().print_queue().len(),
        3,
        "all three wait, none lost"
    );

    // The printer comes back.
    let printer = TcpListener::bind(("127.0.0.1", port)).expect("the printer's port");
    printer.set_nonblocking(true).expect("nonblocking");
    let mut conn = None;
    wait_until("the till to connect", || {
        conn = printer.accept().ok().map(|(c, _)| c);
        conn.is_some()
    });
    let mut conn = conn.expect("connected");
    conn.set_nonblocking(false).expect("blocking");
    conn.set_read_timeout(Some(Duration::from_millis(300)))
        .expect("timeout");
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(15);
    while preview::to_text(&got, 42).matches(" cut").count() < 3 {
        assert!(
            Instant::now() < deadline,
            "receipts missing: {}",
            preview::to_text(&got, 42)
        );
        if let Ok(n) = conn.read(&mut buf) {
            got.extend_from_slice(&buf[..n]);
        }
    }
    wait_until("the queue to empty", || {
        engine.store().print_queue().is_empty()
    });
    // Nothing more comes: each receipt once.
    std::thread::sleep(Duration::from_millis(1500));
    if let Ok(n) = conn.read(&mut buf) {
        got.extend_from_slice(&buf[..n]);
    }
    let text = preview::to_text(&got, 42);
    let order: Vec<usize> = [
        "RECEIPT T01-000001",
        "RECEIPT T01-000002",
        "RECEIPT T01-000003",
    ]
    .iter()
    .map(|r| text.find(r).expect(r))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "in order: {text}");
    assert_eq!(text.matches("RECEIPT T01-").count(), 3, "once each: {text}");
    assert_eq!(
        text.matches("[drawer kick").count(),
        2,
        "the two cash sales opened the drawer"
    );
    assert_eq!(board.get().printer, "printer ok");
    drop(engine);
    join(worker);
}

#[test]
fn a_printer_out_of_paper_holds_the_receipt_until_it_has_paper() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempfile::tempdir().expect("tempdir");
    let link = dir.path().join("printer");
    let mut port = plug(&link);
    let mut reader = port.master.try_clone_reader().expect("reader");
    let has_paper = Arc::new(AtomicBool::new(false));
    let (bytes_tx, bytes_rx) = mpsc::channel();
    let paper = has_paper.clone();
    let mut answer = port.writer;
    // The printer: answers DLE EOT 4 with its paper state, keeps everything else.
    std::thread::spawn(move || {
        let mut buf = [0u8; 1024];
        let mut seen: Vec<u8> = Vec::new();
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
            while let Some(at) = seen.windows(3).position(|w| w == [0x10, 0x04, 0x04]) {
                seen.drain(at..at + 3);
                let state = if paper.load(Ordering::SeqCst) {
                    0x12
                } else {
                    0x72
                };
                let _ = answer.write_all(&[state]);
            }
            if bytes_tx.send(std::mem::take(&mut seen)).is_err() {
                break;
            }
        }
    });
    port.writer = Box::new(std::io::sink());
    let (_d, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let (wake, sleep) = mpsc::channel();
    engine.attach_printer(wake, true);
    let setup = PrinterSetup {
        url: serial(&link),
        store: engine.settings().clone(),
        printer: PrinterConfig {
            paper_status: true,
            ..printer_config()
        },
        receipt: ReceiptConfig::default(),
    };
    let board = StatusBoard::default();
    let worker = worker::spawn(engine.store().print_queue(), setup, board.clone(), sleep);
    let s = common::login(&mut engine, "cashier", "1111");
    sell(&mut engine, s, "4006381333931", TenderKind::Card);
    wait_until("the status bar to say paper out", || {
        board.get().printer == "paper out: 1 waiting"
    });
    let before: Vec<u8> = bytes_rx.try_iter().flatten().collect();
    assert!(
        !preview::to_text(&before, 42).contains("RECEIPT"),
        "nothing printed into an empty printer"
    );

    has_paper.store(true, Ordering::SeqCst);
    let mut got = Vec::new();
    while !preview::to_text(&got, 42).contains(" cut") {
        match bytes_rx.recv_timeout(Duration::from_secs(10)) {
            Ok(chunk) => got.extend_from_slice(&chunk),
            Err(_) => panic!("the receipt never came: {}", preview::to_text(&got, 42)),
        }
    }
    assert!(preview::to_text(&got, 42).contains("RECEIPT T01-000001"));
    wait_until("the queue to empty", || {
        engine.store().print_queue().is_empty()
    });
    wait_until("the status bar to say ok", || {
        board.get().printer == "printer ok"
    });
    drop(port);
    drop(engine);
    join(worker);
}

#[test]
fn a_job_tried_before_prints_as_a_duplicate_without_the_drawer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("paper.bin");
    let (_d, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let (wake, sleep) = mpsc::channel();
    engine.attach_printer(wake, true);
    let s = common::login(&mut engine, "cashier", "1111");
    sell(&mut engine, s, "4006381333931", TenderKind::Cash);
    // The till died after sending this job's bytes, before hearing back.
    let queue = engine.store().print_queue();
    let (id, job) = queue.next().expect("queue").expect("the job");
    assert!(job.kick, "a cash sale asks for the drawer");
    queue.attempt(id, &job).expect("attempt");
    let setup = PrinterSetup {
        url: DeviceUrl::File { path: out.clone() },
        store: engine.settings().clone(),
        printer: printer_config(),
        receipt: ReceiptConfig::default(),
    };
    let worker = worker::spawn(queue.clone(), setup, StatusBoard::default(), sleep);
    wait_until("the job to print", || queue.is_empty());
    let text = preview::to_text(&std::fs::read(&out).expect("paper"), 42);
    assert!(
        text.contains("*** DUPLICATE ***") && text.contains("RECEIPT T01-000001"),
        "{text}"
    );
    assert!(
        !text.contains("[drawer kick"),
        "the drawer does not open twice: {text}"
    );
    drop(engine);
    join(worker);
}

#[test]
fn a_sale_to_a_business_customer_prints_a_tax_invoice_with_both_tax_numbers() {
    use till::domain::customer::{Consent, Contact};
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("printed.bin");
    let (_d, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let (wake, sleep) = mpsc::channel();
    engine.attach_printer(wake, false);
    let setup = PrinterSetup {
        url: format!("file://{}", out.display()).parse().expect("url"),
        store: engine.settings().clone(),
        printer: printer_config(),
        receipt: ReceiptConfig {
            tax_number: Some("GB123456789".into()),
            ..ReceiptConfig::default()
        },
    };
    let worker = worker::spawn(
        engine.store().print_queue(),
        setup,
        StatusBoard::default(),
        sleep,
    );
    let s = common::login(&mut engine, "cashier", "1111");
    let contact = Contact {
        name: "Acme Trading Ltd".into(),
        address: Some("1 High Street, Leeds".into()),
        tax_number: Some("GB987654321".into()),
        ..Contact::default()
    };
    engine
        .execute(
            s,
            Command::AddCustomer {
                contact,
                consent: Consent::default(),
            },
        )
        .expect("add");
    engine
        .execute(s, Command::AttachCustomer { id: Some(1) })
        .expect("attach");
    sell(&mut engine, s, "4006381333931", TenderKind::Card);
    wait_until("the invoice to print", || {
        engine.store().print_queue().is_empty()
    });
    drop(engine);
    join(worker);
    let text = preview::to_text(&std::fs::read(&out).expect("printed"), 42);
    for want in [
        "TAX INVOICE T01-000001",
        "Seller tax no: GB123456789",
        "Buyer: Acme Trading Ltd",
        "1 High Street, Leeds",
        "Buyer tax no: GB987654321",
    ] {
        assert!(text.contains(want), "{want} missing:\n{text}");
    }
}

/// A Z taken with a serial printer attached comes out of it: the report's
/// lines at the roll's 32 columns, the count's difference signed.
#[test]
fn a_z_report_prints_on_a_serial_printer_with_the_signed_count() {
    use till::domain::money::Money;
    use till::engine::Event;
    let dir = tempfile::tempdir().expect("tempdir");
    let link = dir.path().join("printer");
    let port = plug(&link);
    let bytes = port.bytes();
    let (_d, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let (wake, sleep) = mpsc::channel();
    engine.attach_printer(wake, false);
    let setup = PrinterSetup {
        url: serial(&link),
        store: engine.settings().clone(),
        printer: PrinterConfig {
            columns: 32,
            ..printer_config()
        },
        receipt: ReceiptConfig::default(),
    };
    let worker = worker::spawn(
        engine.store().print_queue(),
        setup,
        StatusBoard::default(),
        sleep,
    );
    let m = common::login(&mut engine, "manager", "9999");
    let money = |s: &str| Money::new(s.parse().expect("amount"));
    engine
        .execute(
            m,
            Command::OpenShift {
                float: money("100"),
            },
        )
        .expect("open");
    sell(&mut engine, m, "4006381333931", TenderKind::Cash);
    let events = engine
        .execute(
            m,
            Command::CloseShift {
                counted: money("80"),
            },
        )
        .expect("close");
    let Event::Shift(shift) = &events[0] else {
        panic!("{events:?}")
    };
    let short = shift.close.as_ref().expect("closed").over_short();
    let short = engine.settings().rules.currency.format(short);
    assert!(short.starts_with('-'), "{short}");
    let events = engine
        .execute(
            m,
            Command::ZReport {
                approval: None,
                despite_open_sales: false,
            },
        )
        .expect("z");
    assert!(matches!(
        &events[0],
        Event::Report {
            to_printer: true,
            ..
        }
    ));
    let printed = printed_until(&bytes, 32, |got| {
        let text = preview::to_text(got, 32);
        text.split_once("Z REPORT 1")
            .filter(|(_, after)| after.contains(" cut"))
            .map(|(_, after)| after.to_string())
    });
    assert!(
        printed
            .lines()
            .any(|l| l.starts_with("    short") && l.ends_with(&format!(" {short}"))),
        "{printed}"
    );
    assert!(printed.contains("grand total"), "{printed}");
    assert!(
        printed
            .lines()
            .filter(|l| !l.ends_with(" cut"))
            .all(|l| l.chars().count() <= 32),
        "{printed}"
    );
    wait_until("the jobs to leave the queue", || {
        engine.store().print_queue().is_empty()
    });
    drop(port);
    drop(engine);
    join(worker);
}
