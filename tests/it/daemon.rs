//! `till daemon` and screens attached to it: the same engine API over the
//! socket, two screens at once, sessions that belong to their screen, a clear
//! refusal for a screen of another version, and a clean stop on SIGTERM.

use crate::common;
use common::sale::{pay, scan, scan_of};

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::Child;

use std::time::{Duration, Instant};

use rust_decimal::dec;
use till::domain::money::Money;
use till::domain::tender::TenderKind;
use till::engine::api::TillApi;
use till::engine::office::{ExportFormat, SyncNow};
use till::engine::request::{Ask, AskKind};
use till::engine::{Command, EngineError, Event};
use till::ipc::client::{Client, ConnectError};
use till::ipc::frame;
use till::ipc::protocol::{Request, RequestKind, Response};

/// A running `till daemon`, killed when dropped: a test that fails on
/// the way leaves no daemon behind on its socket.
pub(crate) struct Daemon(pub(crate) Child);

impl Daemon {
    /// Waits until `child` listens on `socket`.
    pub(crate) fn listening(child: Child, socket: &Path) -> Daemon {
        let daemon = Daemon(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while UnixStream::connect(socket).is_err() {
            assert!(Instant::now() < deadline, "the daemon never listened");
            std::thread::sleep(Duration::from_millis(20));
        }
        daemon
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(data: &Path, socket: &Path) -> Daemon {
    start_with(data, socket, &[])
}

/// Starts a daemon with `extra` arguments and waits until it listens.
pub(crate) fn start_with(data: &Path, socket: &Path, extra: &[&str]) -> Daemon {
    spawn_daemon(data, socket, extra, &[], std::process::Stdio::null())
}

/// A daemon with variables in its environment, as systemd would set them.
fn start_with_env(data: &Path, socket: &Path, env: &[(&str, &str)]) -> Daemon {
    spawn_daemon(data, socket, &[], env, std::process::Stdio::null())
}

/// A daemon logging at info into `log`.
fn start_logged(data: &Path, socket: &Path, log: &Path) -> Daemon {
    let file = std::fs::File::create(log).expect("log file");
    spawn_daemon(data, socket, &[], &[("TILL_LOG", "info")], file.into())
}

fn spawn_daemon(
    data: &Path,
    socket: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
    stderr: std::process::Stdio,
) -> Daemon {
    let child = common::till()
        .args([
            "daemon",
            "--data",
            common::s(data),
            "--socket",
            common::s(socket),
        ])
        .args(extra)
        .envs(env.iter().copied())
        .stderr(stderr)
        .spawn()
        .expect("spawn the daemon");
    Daemon::listening(child, socket)
}

/// Something that takes the connection and never welcomes it (a hung
/// daemon) is named, not waited on for ever.
#[test]
fn a_socket_that_never_welcomes_is_given_up_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let socket = dir.path().join("till.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).expect("bind");
    let held = std::thread::spawn(move || listener.accept().map(|(stream, _)| stream));
    let refused = Client::connect(&socket)
        .err()
        .expect("no welcome, no client");
    assert!(
        refused.to_string().contains("no welcome within 10 s"),
        "{refused}"
    );
    drop(held);
}

#[test]
fn two_screens_sell_through_one_daemon() {
    let (dir, data) = common::demo_store();
    let socket = dir.path().join("till.sock");
    let _daemon = start(&data, &socket);
    let mut kiosk = Client::connect(&socket).expect("kiosk attaches");
    let mut office = Client::connect(&socket).expect("manager attaches");
    assert_eq!(kiosk.settings().terminal, "T01");
    let c = kiosk.login("cashier", "1111", 1).expect("cashier");
    let m = office.login("manager", "9999", 2).expect("manager");
    kiosk
        .execute(c, scan_of("4006381333931", dec!(2)))
        .expect("scan");
    office.execute(m, scan("9780306406157")).expect("scan");
    let events = kiosk.execute(c, pay(TenderKind::Cash, Some(dec!(5))));
    let events = events.expect("pay");
    let Event::Completed { sale, change } = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!((sale.receipt.0, *change), (1, Money::new(dec!(2.02))));
    let events = office.execute(m, pay(TenderKind::Card, None)).expect("pay");
    assert!(
        matches!(&events[0], Event::Completed { sale, .. } if sale.receipt.0 == 2),
        "one receipt series"
    );

    // Refusals keep their kind across the socket: the screen asks for a manager.
    let err = kiosk
        .execute(
            c,
            Command::StartRefund {
                receipt: 1,
                approval: None,
            },
        )
        .expect_err("cashier");
    assert!(matches!(err, EngineError::NeedsApproval(..)), "{err}");
    assert!(matches!(
        kiosk.login("cashier", "0000", 1),
        Err(EngineError::BadLogin)
    ));
    // A screen cannot use another screen's session.
    assert!(matches!(
        office.execute(c, Command::Logout),
        Err(EngineError::NoSession)
    ));
    assert_eq!(
        office.receipt(m, 1).expect("receipt").totals.total,
        Money::new(dec!(2.98))
    );
    assert!(office.search(m, "choc", 5).expect("search").len() >= 5);
    assert!(kiosk.sync_status().expect("sync status").backlog > 0);
}

#[test]
fn a_screen_that_crashes_leaves_its_sale_on_the_lane() {
    let (dir, data) = common::demo_store();
    let socket = dir.path().join("till.sock");
    let _daemon = start(&data, &socket);
    {
        let mut kiosk = Client::connect(&socket).expect("attach");
        let c = kiosk.login("cashier", "1111", 1).expect("login");
        kiosk.execute(c, scan("4006381333931")).expect("scan");
    } // the screen's process dies here
    let mut again = Client::connect(&socket).expect("attach again");
    // The daemon frees the lane once it has seen the connection close.
    let deadline = Instant::now() + Duration::from_secs(10);
    let c = loop {
        match again.login("cashier", "1111", 1) {
            Err(EngineError::LaneBusy(1)) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20))
            }
            other => break other.expect("login"),
        }
    };
    let (sale, _) = again
        .cart(c)
        .expect("cart")
        .expect("the open sale is still there");
    assert_eq!(sale.lines.len(), 1);
}

#[test]
fn a_screen_of_another_version_is_told_why() {
    let (dir, data) = common::demo_store();
    let socket = dir.path().join("till.sock");
    let mut daemon = start(&data, &socket);
    let mut raw = UnixStream::connect(&socket).expect("connect");
    frame::write(&mut raw, &Request::Hello { version: 999 }).expect("hello");
    let Some(Response::Refused { reason }) = frame::read::<Response>(&mut raw).expect("answer")
    else {
        panic!("not refused")
    };
    assert!(
        reason.contains("protocol 999") && reason.contains("same Till version"),
        "{reason}"
    );
    // A made-up notice-stream token is refused: nobody can steal a screen's scans.
    let mut thief = UnixStream::connect(&socket).expect("connect");
    frame::write(
        &mut thief,
        &Request::Hello {
            version: till::ipc::protocol::VERSION,
        },
    )
    .expect("hello");
    assert!(matches!(
        frame::read::<Response>(&mut thief),
        Ok(Some(Response::Welcome { .. }))
    ));
    frame::write(&mut thief, &Request::Subscribe { token: 42 }).expect("subscribe");
    assert!(matches!(
        frame::read::<Response>(&mut thief),
        Ok(Some(Response::Refused { .. }))
    ));
    let mut junk = UnixStream::connect(&socket).expect("connect");
    junk.write_all(&[0, 0, 0, 5, 1, 2, 3, 4, 5])
        .expect("garbage");
    assert!(matches!(
        frame::read::<Response>(&mut junk),
        Ok(Some(Response::Refused { .. })) | Ok(None) | Err(_)
    ));
    // The daemon is fine after both.
    Client::connect(&socket).expect("a good screen still attaches");

    // A second daemon on the same socket is refused; SIGTERM stops the first cleanly.
    let o = common::run(&[
        "daemon",
        "--data",
        common::s(&data),
        "--socket",
        common::s(&socket),
    ]);
    assert!(!o.status.success());
    let pid = daemon.0.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill")
            .success()
    );
    let status = daemon.0.wait().expect("wait");
    assert!(status.success(), "{status}");
    assert!(!socket.exists(), "the socket is removed");
    match Client::connect(&socket) {
        Err(ConnectError::Unreachable { .. }) => {}
        other => panic!("{:?}", other.err()),
    }
}

#[test]
fn a_manager_changes_a_price_while_the_kiosk_sells() {
    use till::store::journal::JournalEvent;
    let (dir, data) = common::demo_store();
    let socket = dir.path().join("till.sock");
    let _daemon = start(&data, &socket);
    let mut kiosk = Client::connect(&socket).expect("kiosk");
    let mut office = Client::connect(&socket).expect("office");
    let c = kiosk.login("cashier", "1111", 1).expect("cashier");
    let m = office.login("manager", "9999", 2).expect("manager");
    let pen = |k: &mut Client| {
        let events = k.execute(c, scan("4006381333931")).expect("scan");
        let Event::Cart { totals, .. } = &events[0] else {
            panic!("{events:?}")
        };
        totals.lines.last().expect("a line").split.gross
    };
    assert_eq!(pen(&mut kiosk), Money::new(dec!(1.49)));
    office
        .execute(
            m,
            Command::SetPrice {
                sku: "pen".into(),
                price: Money::new(dec!(1.79)),
            },
        )
        .expect("new price");
    assert_eq!(
        pen(&mut kiosk),
        Money::new(dec!(1.79)),
        "the next scan sells at the new price"
    );
    kiosk.execute(c, pay(TenderKind::Card, None)).expect("pay");
    for (screen, session) in [(&mut kiosk, c), (&mut office, m)] {
        let journal = screen.journal(session, 10).expect("journal");
        assert!(journal.iter().any(|r| matches!(&r.entry.event,
            JournalEvent::PriceChanged { sku, new, .. } if sku == "pen" && *new == Money::new(dec!(1.79)))));
        assert!(
            journal
                .iter()
                .any(|r| matches!(&r.entry.event, JournalEvent::SaleCompleted { .. }))
        );
        assert_eq!(
            journal[0].entry.actor.as_deref(),
            Some("cashier"),
            "newest first, with who"
        );
    }
}

#[test]
fn a_cashier_cannot_do_a_managers_job_by_sending_frames() {
    let (dir, data) = common::demo_store();
    let socket = dir.path().join("till.sock");
    let _daemon = start(&data, &socket);
    let mut raw = UnixStream::connect(&socket).expect("connect");
    let mut ask = |request: Request| {
        frame::write(&mut raw, &request).expect("write");
        frame::read::<Response>(&mut raw)
            .expect("read")
            .expect("an answer")
    };
    assert!(matches!(
        ask(Request::Hello {
            version: till::ipc::protocol::VERSION
        }),
        Response::Welcome { .. }
    ));
    // Before a login, nothing is read: not even the catalog.
    use till::ipc::protocol::WireError as W;
    let search = ask(Request::As {
        session: till::engine::SessionId(1),
        ask: Ask::Search {
            query: "pen".into(),
            limit: 5,
        },
    });
    assert!(
        matches!(search, Response::Error(W::NoSession)),
        "{search:?}"
    );
    let Response::Session(c) = ask(Request::Login {
        user: "cashier".into(),
        pin: "1111".into(),
        lane: 1,
    }) else {
        panic!("no session")
    };
    use till::domain::user::Permission;
    use till::ipc::protocol::WireError;
    for (command, permission) in [
        (
            Command::SetPrice {
                sku: "pen".into(),
                price: Money::new(dec!(0.01)),
            },
            Permission::ManageCatalog,
        ),
        (Command::NoSale { approval: None }, Permission::NoSale),
        (
            Command::StartRefund {
                receipt: 1,
                approval: None,
            },
            Permission::Refund,
        ),
    ] {
        let refund = matches!(command, Command::StartRefund { .. });
        let answer = ask(Request::As {
            session: c,
            ask: Ask::Execute(command),
        });
        if refund {
            // No receipt 1 yet: refused before any permission is even asked.
            assert!(
                matches!(answer, Response::Error(WireError::Other(_))),
                "{answer:?}"
            );
        } else {
            assert!(
                matches!(answer, Response::Error(WireError::NeedsApproval(p, _)) if p == permission),
                "{answer:?}"
            );
        }
    }
    // A made-up session number is nobody's.
    let forged = till::engine::SessionId(c.0 + 1000);
    assert!(matches!(
        ask(Request::As {
            session: forged,
            ask: Ask::Cart
        }),
        Response::Error(WireError::NoSession)
    ));
    let mut office = Client::connect(&socket).expect("office");
    let m = office.login("manager", "9999", 2).expect("manager");
    let product = office
        .search(m, "pen", 50)
        .expect("search")
        .into_iter()
        .find(|p| p.sku == "pen")
        .expect("pen");
    assert_eq!(
        product.price,
        Money::new(dec!(1.49)),
        "the price did not change"
    );
}

#[test]
fn killing_the_daemon_mid_sale_loses_nothing() {
    let (dir, data) = common::demo_store();
    let socket = dir.path().join("till.sock");
    let mut daemon = start(&data, &socket);
    {
        let mut kiosk = Client::connect(&socket).expect("kiosk");
        let c = kiosk.login("cashier", "1111", 1).expect("login");
        kiosk
            .execute(c, scan_of("4006381333931", dec!(3)))
            .expect("scan");
    }
    let _ = daemon.0.kill();
    let _ = daemon.0.wait();
    let _daemon = start(&data, &socket);
    let mut kiosk = Client::connect(&socket).expect("kiosk again");
    let c = kiosk.login("cashier", "1111", 1).expect("login");
    let (sale, _) = kiosk
        .cart(c)
        .expect("cart")
        .expect("the cart survived the daemon");
    assert_eq!(sale.lines[0].quantity, dec!(3));
}

#[test]
fn lanes_belong_to_one_screen_and_a_manager_can_take_one_over() {
    use till::engine::Approval;
    use till::ipc::protocol::Notice;
    let (dir, data) = common::demo_store();
    let socket = dir.path().join("till.sock");
    let _daemon = start(&data, &socket);
    let mut kiosk = Client::connect(&socket).expect("kiosk");
    let kiosk_news = kiosk.notices().expect("notice stream");
    let c = kiosk.login("cashier", "1111", 1).expect("lane 1");
    kiosk.execute(c, scan("4006381333931")).expect("scan");
    let mut office = Client::connect(&socket).expect("office");
    // The back office, lane 0, is everyone's at once.
    let mut other = Client::connect(&socket).expect("another office");
    let back = office.login("manager", "9999", 0).expect("back office");
    other.login("admin", "0000", 0).expect("back office too");
    let sell = office.execute(back, scan("4006381333931"));
    assert!(
        matches!(sell, Err(EngineError::Remote(ref m)) if m.contains("back office")),
        "{sell:?}"
    );
    let busy = office.login("manager", "9999", 1);
    assert!(
        matches!(busy, Err(EngineError::LaneBusy(1))),
        "lane 1 is the kiosk's: {busy:?}"
    );
    let wrong = Approval {
        user: "cashier".into(),
        pin: "1111".into(),
    };
    assert!(matches!(
        office.take_lane(1, wrong),
        Err(EngineError::ApprovalRefused(_))
    ));
    let ok = Approval {
        user: "manager".into(),
        pin: "9999".into(),
    };
    office.take_lane(1, ok).expect("taken over");
    let news = kiosk_news
        .recv_timeout(Duration::from_secs(5))
        .expect("the kiosk is told");
    assert_eq!(
        news,
        Notice::LaneTaken {
            lane: 1,
            by: "manager".into()
        }
    );
    assert!(
        matches!(kiosk.cart(c), Err(EngineError::NoSession)),
        "the kiosk's session on the lane ended"
    );
    let m = office
        .login("manager", "9999", 1)
        .expect("now the manager's");
    let (sale, _) = office
        .cart(m)
        .expect("cart")
        .expect("the open sale came along");
    assert_eq!(sale.lines.len(), 1);
}

#[test]
fn the_daemons_scanner_feeds_the_screen_holding_its_lane() {
    use till::ipc::protocol::Notice;
    let (dir, data) = common::demo_store();
    let socket = dir.path().join("till.sock");
    let pair = portable_pty::native_pty_system()
        .openpty(portable_pty::PtySize::default())
        .expect("pty");
    let slave = pair.master.tty_name().expect("slave name");
    let mut scanner = pair.master.take_writer().expect("writer");
    let config = common::write(
        dir.path(),
        "till.toml",
        &format!(
            "[devices]\nscanner = \"serial://{}?baud=9600\"\n[scanner]\nlane = 1\n",
            slave.display()
        ),
    );
    let _daemon = start_with(&data, &socket, &["--config", common::s(&config)]);
    let mut kiosk = Client::connect(&socket).expect("kiosk");
    let news = kiosk.notices().expect("notice stream");
    kiosk.login("cashier", "1111", 1).expect("lane 1");
    // The reader opens the port within a second of starting; scan until it lands.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        scanner.write_all(b"4006381333931\r").expect("scan");
        match news.recv_timeout(Duration::from_millis(500)) {
            Ok(Notice::Scan(code)) => {
                assert_eq!(code, "4006381333931");
                break;
            }
            Ok(other) => panic!("{other:?}"),
            Err(_) => assert!(Instant::now() < deadline, "no scan reached the kiosk"),
        }
    }
    drop(pair.slave);
}

#[test]
fn sync_status_is_asked_of_the_daemon_that_holds_the_store() {
    let (dir, data) = common::demo_store();
    let socket = dir.path().join("till.sock");
    let _daemon = start(&data, &socket);
    let out = common::run_ok(&[
        "sync",
        "status",
        "--data",
        common::s(&data),
        "--socket",
        common::s(&socket),
    ]);
    assert!(out.starts_with("HQ not joined: "), "{out}");
    assert!(out.contains("Unsent entries"), "{out}");
    // `sync now` goes through the daemon too, as a user allowed to, and
    // says why the daemon's worker could not send.
    let now = |user: &[&str]| {
        common::till()
            .args(["sync", "now", "--data", common::s(&data)])
            .args(["--socket", common::s(&socket)])
            .args(user)
            .env("TILL_PIN", "9999")
            .output()
            .expect("till sync now")
    };
    let out = now(&[]);
    assert!(
        common::stderr(&out).contains("give --user"),
        "{}",
        common::stderr(&out)
    );
    let out = now(&["--user", "manager"]);
    assert!(!out.status.success());
    assert!(
        common::stderr(&out).contains("not joined to head office yet"),
        "{}",
        common::stderr(&out)
    );
}

/// The daemon records its socket in its store: `--data` alone finds it,
/// on a socket that is not the default, and so does `--socket` alone.
#[test]
fn sync_status_finds_the_daemon_from_data_alone() {
    let (dir, data) = common::demo_store();
    let socket = dir.path().join("elsewhere.sock");
    let _daemon = start(&data, &socket);
    let out = common::run_ok(&["sync", "status", "--data", common::s(&data)]);
    assert!(out.contains("Unsent entries"), "{out}");
    let out = common::run_ok(&["sync", "status", "--socket", common::s(&socket)]);
    assert!(out.contains("Unsent entries"), "{out}");
}

/// A screen or command for one store never talks to the daemon of another:
/// it is told which store that daemon serves, and stops.
#[test]
fn a_daemon_of_another_store_is_named_and_refused() {
    let (dir, served) = common::demo_store();
    let (_other_dir, other) = common::demo_store();
    let socket = dir.path().join("till.sock");
    let _daemon = start(&served, &socket);
    let out = common::run(&["--data", common::s(&other), "--socket", common::s(&socket)]);
    assert!(!out.status.success());
    let said = common::stderr(&out);
    let canonical = |p: &Path| {
        std::fs::canonicalize(p)
            .expect("canonical")
            .display()
            .to_string()
    };
    assert!(
        said.contains(&format!(
            "serves the store at {}, not {}",
            canonical(&served),
            canonical(&other)
        )),
        "{said}"
    );
    match Client::connect_to_store(Some(&other), &socket) {
        Err(ConnectError::OtherStore { .. }) => {}
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("attached to another store's daemon"),
    }
    let client = Client::connect_to_store(Some(&served), &socket).expect("its own store");
    assert_eq!(
        client.store(),
        std::fs::canonicalize(&served).expect("canonical")
    );
}

#[test]
fn a_backup_taken_while_the_kiosk_sells_restores_to_a_store_that_verifies() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let (dir, data) = common::demo_store();
    let socket = dir.path().join("till.sock");
    let daemon = start(&data, &socket);
    let (stop, sold) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicUsize::new(0)),
    );
    let seller = {
        let (socket, stop, sold) = (socket.clone(), stop.clone(), sold.clone());
        std::thread::spawn(move || {
            let mut kiosk = Client::connect(&socket).expect("kiosk");
            let s = kiosk.login("cashier", "1111", 1).expect("login");
            while !stop.load(Ordering::SeqCst) {
                common::sale::sell(&mut kiosk, s, common::sale::PEN, TenderKind::Card);
                sold.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    while sold.load(Ordering::SeqCst) < 5 {
        std::thread::sleep(Duration::from_millis(10));
    }
    let backup = |name: &str, (user, pin): (&str, &str), extra: &[&str]| {
        let out = dir.path().join(name);
        let o = common::till()
            .args([
                "backup",
                "--data",
                common::s(&data),
                "--socket",
                common::s(&socket),
            ])
            .args(["--out", common::s(&out), "--user", user])
            .args(extra)
            .env("TILL_PIN", pin)
            .output()
            .expect("till backup");
        assert!(o.status.success(), "{}", common::stderr(&o));
        out
    };
    let plain = backup("plain.till-backup", ("manager", "9999"), &[]);
    let refused = common::till()
        .args([
            "backup",
            "--data",
            common::s(&data),
            "--socket",
            common::s(&socket),
        ])
        .args([
            "--out",
            common::s(&dir.path().join("nope")),
            "--user",
            "manager",
            "--with-keys",
        ])
        .env("TILL_PIN", "9999")
        .output()
        .expect("till backup");
    assert!(
        common::stderr(&refused).contains("an admin's to take"),
        "{}",
        common::stderr(&refused)
    );
    let keyed = backup("keyed.till-backup", ("admin", "0000"), &["--with-keys"]);
    let at_backup = sold.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(100));
    stop.store(true, Ordering::SeqCst);
    seller.join().expect("seller");
    let total = sold.load(Ordering::SeqCst);
    assert!(
        total > at_backup,
        "the kiosk sold on while the backups were taken"
    );
    drop(daemon);

    // Onto a new machine: without keys it says what is missing; with them it works.
    let fresh = dir.path().join("fresh");
    let out = common::run(&["restore", common::s(&plain), "--data", common::s(&fresh)]);
    assert!(
        common::stderr(&out).contains("--with-keys"),
        "{}",
        common::stderr(&out)
    );
    assert!(!fresh.exists(), "nothing was left behind");
    common::run_ok(&["restore", common::s(&keyed), "--data", common::s(&fresh)]);
    common::run_ok(&["journal", "verify", "--data", common::s(&fresh)]);
    let restored = till::store::Store::open(&fresh)
        .expect("open")
        .sales()
        .count();
    assert!(
        (5..total).contains(&restored),
        "{restored} of {total}: one moment, mid-day"
    );

    // A damaged backup is refused before anything is touched.
    let mut bytes = std::fs::read(&plain).expect("read");
    let last = bytes.len() - 10;
    bytes[last] ^= 0xff;
    let damaged = dir.path().join("damaged.till-backup");
    std::fs::write(&damaged, bytes).expect("write");
    let out = common::run(&["restore", common::s(&damaged), "--data", common::s(&data)]);
    assert!(
        common::stderr(&out).contains("checksum does not match"),
        "{}",
        common::stderr(&out)
    );
    assert_eq!(
        till::store::Store::open(&data)
            .expect("open")
            .sales()
            .count(),
        total
    );

    // Over the till's own store, with its keys: older than the store, so
    // refused unless forced; then the old one is kept aside.
    let out = common::run(&["restore", common::s(&plain), "--data", common::s(&data)]);
    assert!(
        common::stderr(&out).contains("older than the store"),
        "{}",
        common::stderr(&out)
    );
    let said = common::run_ok(&[
        "restore",
        common::s(&plain),
        "--data",
        common::s(&data),
        "--force",
    ]);
    assert!(said.contains("the store it replaced is kept at"), "{said}");
    common::run_ok(&["journal", "verify", "--data", common::s(&data)]);
}

/// Waits for the next datagram on `socket`, up to `limit`.
fn next_notice(socket: &std::os::unix::net::UnixDatagram, limit: Duration) -> Option<String> {
    socket.set_read_timeout(Some(limit)).expect("timeout");
    let mut buf = [0u8; 256];
    socket
        .recv(&mut buf)
        .ok()
        .map(|n| String::from_utf8_lossy(&buf[..n]).into_owned())
}

#[test]
fn under_systemd_the_daemon_says_ready_and_pings_its_watchdog() {
    let (dir, data) = common::demo_store();
    let socket = dir.path().join("till.sock");
    let notify_path = dir.path().join("notify");
    let notify = std::os::unix::net::UnixDatagram::bind(&notify_path).expect("notify socket");
    let _daemon = start_with_env(
        &data,
        &socket,
        &[
            ("NOTIFY_SOCKET", common::s(&notify_path)),
            ("WATCHDOG_USEC", "200000"),
        ],
    );
    let ready = next_notice(&notify, Duration::from_secs(10)).expect("a notice");
    assert!(ready.contains("READY=1"), "{ready}");
    for _ in 0..3 {
        let ping = next_notice(&notify, Duration::from_secs(5)).expect("a ping");
        assert_eq!(ping, "WATCHDOG=1");
    }
}

#[test]
fn a_hung_engine_stops_the_watchdog_pings() {
    use std::sync::{Arc, Mutex};
    use till::cli::watchdog::{Notifier, run};
    let (dir, data) = common::demo_store();
    let notify_path = dir.path().join("notify");
    let notify = std::os::unix::net::UnixDatagram::bind(&notify_path).expect("notify socket");
    let engine = Arc::new(Mutex::new(common::engine(&data)));
    let watched = engine.clone();
    std::thread::spawn(move || {
        run(
            watched,
            Notifier::at(notify_path),
            Duration::from_millis(50),
        )
    });
    assert_eq!(
        next_notice(&notify, Duration::from_secs(5)).as_deref(),
        Some("WATCHDOG=1")
    );
    // A command stuck holding the engine, as on a hung disk.
    let stuck = engine.lock().expect("engine");
    while next_notice(&notify, Duration::from_millis(1)).is_some() {}
    assert_eq!(
        next_notice(&notify, Duration::from_millis(500)),
        None,
        "no pings while the engine is stuck: systemd restarts the daemon"
    );
    drop(stuck);
    assert_eq!(
        next_notice(&notify, Duration::from_secs(5)).as_deref(),
        Some("WATCHDOG=1")
    );
}

/// One of every request a session can make (the match has no wildcard: a
/// new kind fails to compile here until it is given a sample, and is then
/// tried against the gate below).
fn sample(kind: AskKind) -> Ask {
    match kind {
        AskKind::Execute => Ask::Execute(Command::SetPrice {
            sku: "pen".into(),
            price: Money::new(dec!(0.01)),
        }),
        AskKind::Cart => Ask::Cart,
        AskKind::Search => Ask::Search {
            query: "pen".into(),
            limit: 5,
        },
        AskKind::Held => Ask::Held,
        AskKind::Receipt => Ask::Receipt { receipt: 1 },
        AskKind::Journal => Ask::Journal { limit: 10 },
        AskKind::Stock => Ask::Stock { low_only: false },
        AskKind::Users => Ask::Users,
        AskKind::SalesReport => Ask::SalesReport {
            from: chrono::NaiveDate::MIN,
            to: chrono::NaiveDate::MAX,
        },
        AskKind::Customers => Ask::Customers {
            query: "lovelace".into(),
            limit: 5,
        },
        AskKind::Backup => Ask::Backup { with_keys: true },
        AskKind::Export => Ask::Export {
            format: ExportFormat::Json,
        },
        AskKind::Fetch => Ask::Fetch {
            handle: "00".into(),
            file: "manifest.json".into(),
            offset: 0,
        },
        AskKind::Release => Ask::Release {
            handle: "00".into(),
        },
        AskKind::DailySales => Ask::DailySales {
            from: chrono::NaiveDate::MIN,
            to: chrono::NaiveDate::MAX,
        },
        AskKind::VerifyJournal => Ask::VerifyJournal,
        AskKind::EnrollRequest => Ask::EnrollRequest,
        AskKind::SyncNow => Ask::SyncNow(SyncNow::Everything),
        AskKind::SyncOutcome => Ask::SyncOutcome { ticket: 1 },
        AskKind::Devices => Ask::Devices,
        AskKind::Retention => Ask::Retention { dry_run: false },
    }
}

/// Whether a request of this kind names a session. Only `As` may: every
/// other kind is answered without one (the match has no wildcard, so a new
/// kind must say which it is).
fn names_a_session(kind: RequestKind) -> bool {
    match kind {
        RequestKind::As => true,
        RequestKind::Hello
        | RequestKind::Subscribe
        | RequestKind::TakeLane
        | RequestKind::Login
        | RequestKind::SyncStatus => false,
    }
}

/// A raw connection that has said Hello.
fn raw_screen(socket: &Path) -> UnixStream {
    let mut raw = UnixStream::connect(socket).expect("connect");
    frame::write(
        &mut raw,
        &Request::Hello {
            version: till::ipc::protocol::VERSION,
        },
    )
    .expect("hello");
    let welcome = frame::read::<Response>(&mut raw).expect("read");
    assert!(
        matches!(welcome, Some(Response::Welcome { .. })),
        "{welcome:?}"
    );
    raw
}

/// The answer; `None` once the daemon has closed the connection.
fn call(raw: &mut UnixStream, request: &Request) -> Option<Response> {
    frame::write(raw, request).ok()?;
    frame::read::<Response>(raw).ok().flatten()
}

#[test]
fn no_request_can_use_a_session_its_connection_did_not_log_in() {
    use strum::IntoEnumIterator;
    use till::ipc::protocol::WireError;
    use till::store::journal::JournalEvent;
    let (dir, data) = common::demo_store();
    let socket = dir.path().join("till.sock");
    let _daemon = start(&data, &socket);
    // The real screens: an admin in the back office, a manager selling on lane 2.
    let mut office = Client::connect(&socket).expect("office");
    let admin = office.login("admin", "0000", 0).expect("admin");
    let mut lane = Client::connect(&socket).expect("lane 2");
    let manager = lane.login("manager", "9999", 2).expect("manager");
    lane.execute(manager, scan("4006381333931")).expect("scan");
    let cart_before = format!("{:?}", lane.cart(manager).expect("cart"));
    let journal_before = office.journal(admin, 1000).expect("journal").len();

    let session_kinds: Vec<RequestKind> = RequestKind::iter()
        .filter(|k| names_a_session(*k))
        .collect();
    assert_eq!(session_kinds, [RequestKind::As]);
    let mut tried = 0;
    for kind in AskKind::iter() {
        let ask = sample(kind);
        // Another screen's session from a connection that never logged in,
        // the same from one where a cashier is logged in, and a made-up one.
        for (victim, log_in) in [
            (admin, false),
            (manager, true),
            (till::engine::SessionId(12345), false),
        ] {
            let mut raw = raw_screen(&socket);
            if log_in {
                let login = call(
                    &mut raw,
                    &Request::Login {
                        user: "cashier".into(),
                        pin: "1111".into(),
                        lane: 0,
                    },
                );
                assert!(matches!(login, Some(Response::Session(_))), "{login:?}");
            }
            let answer = call(
                &mut raw,
                &Request::As {
                    session: victim,
                    ask: ask.clone(),
                },
            );
            assert!(
                matches!(answer, Some(Response::Error(WireError::NoSession))),
                "{kind:?} with {victim:?} (cashier logged in: {log_in}): {answer:?}"
            );
            tried += 1;
        }
    }

    // Nothing was done: the price, the manager's cart, no backup; and each
    // attempt is in the journal, with nothing else but the cashier's comings
    // and goings.
    let pen = office
        .search(admin, "pen", 50)
        .expect("search")
        .into_iter()
        .find(|p| p.sku == "pen")
        .expect("pen");
    assert_eq!(pen.price, Money::new(dec!(1.49)));
    assert_eq!(
        format!("{:?}", lane.cart(manager).expect("cart")),
        cart_before
    );
    assert!(
        !data.join("spool").exists(),
        "no backup or export was written"
    );
    // The raw connections' sessions end as they close; wait for the last.
    let deadline = Instant::now() + Duration::from_secs(10);
    let new = loop {
        let journal = office.journal(admin, 1000).expect("journal");
        let new: Vec<JournalEvent> = journal[..journal.len() - journal_before]
            .iter()
            .map(|r| r.entry.event.clone())
            .collect();
        let logouts = new
            .iter()
            .filter(|e| matches!(e, JournalEvent::Logout { .. }))
            .count();
        if logouts == AskKind::iter().count() || Instant::now() > deadline {
            break new;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let refused = new
        .iter()
        .filter(|e| matches!(e, JournalEvent::RequestRefused { .. }))
        .count();
    assert_eq!(refused, tried, "every attempt is journaled");
    for event in &new {
        assert!(
            matches!(
                event,
                JournalEvent::RequestRefused { .. }
                    | JournalEvent::Login { .. }
                    | JournalEvent::Logout { .. }
            ),
            "nothing else was written: {event:?}"
        );
    }

    // A connection that keeps naming sessions it does not hold is closed.
    let mut raw = raw_screen(&socket);
    for _ in 0..3 {
        let _ = call(
            &mut raw,
            &Request::As {
                session: admin,
                ask: Ask::Users,
            },
        );
    }
    assert!(call(&mut raw, &Request::SyncStatus).is_none(), "closed");
}

/// A process's threads and resident memory (KiB), from /proc.
fn threads_and_rss(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .expect("a /proc field")
    };
    (field("Threads:"), field("VmRSS:"))
}

fn sell_one(kiosk: &mut Client, c: till::engine::SessionId) {
    kiosk.execute(c, scan("4006381333931")).expect("scan");
    let events = kiosk
        .execute(c, pay(TenderKind::Cash, Some(dec!(5))))
        .expect("pay");
    assert!(matches!(&events[0], Event::Completed { .. }), "{events:?}");
}

#[test]
fn a_flood_of_idle_and_half_spoken_connections_leaves_the_kiosk_selling() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    use till::ipc::door::{MAX_PER_USER, MAX_SCREENS};
    let limit = getrlimit(Resource::Nofile);
    let _ = setrlimit(
        Resource::Nofile,
        Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        },
    );
    let (dir, data) = common::demo_store();
    let socket = dir.path().join("till.sock");
    let daemon = start(&data, &socket);
    let pid = daemon.0.id();
    let mut kiosk = Client::connect(&socket).expect("kiosk");
    let c = kiosk.login("cashier", "1111", 1).expect("login");
    sell_one(&mut kiosk, c);
    std::thread::sleep(Duration::from_millis(300));
    let (threads_before, rss_before) = threads_and_rss(pid);

    // 5000 idle connections and 500 that say Hello and then half a frame,
    // all held open; most are turned away at once, the rest time out.
    let mut held = Vec::new();
    let (mut most_threads, mut most_rss) = (0, 0);
    let mut hello = Vec::new();
    frame::write(
        &mut hello,
        &Request::Hello {
            version: till::ipc::protocol::VERSION,
        },
    )
    .expect("hello");
    for i in 0..5500 {
        if let Ok(mut s) = UnixStream::connect(&socket) {
            if i >= 5000 {
                let _ = s.set_nonblocking(true);
                let _ = s.write_all(&hello);
                let _ = s.write_all(&[0, 0, 0x40, 0, 1, 2, 3]);
            }
            held.push(s);
        }
        if i % 250 == 0 {
            let (t, r) = threads_and_rss(pid);
            most_threads = most_threads.max(t);
            most_rss = most_rss.max(r);
        }
        if i == 2500 {
            // The kiosk sells in the middle of it.
            sell_one(&mut kiosk, c);
        }
    }
    sell_one(&mut kiosk, c);
    drop(held);
    // Within a second of the flood ending, the kiosk completes a sale.
    sell_one(&mut kiosk, c);
    // The idle ones' threads end at their Hello deadline.
    let deadline = Instant::now() + Duration::from_secs(15);
    let (threads_after, rss_after) = loop {
        let now = threads_and_rss(pid);
        if now.0 <= threads_before || Instant::now() > deadline {
            break now;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    eprintln!(
        "daemon: threads {threads_before} -> at most {most_threads} -> {threads_after}; \
         RSS {rss_before} -> at most {most_rss} -> {rss_after} KiB"
    );
    // Bounded: one thread per served connection, at most one user's share here.
    assert!(
        most_threads <= threads_before + MAX_PER_USER as u64 + 2,
        "threads {most_threads}"
    );
    assert!(most_threads < threads_before + MAX_SCREENS as u64);
    assert!(most_rss < rss_before + 32 * 1024, "RSS {most_rss} KiB");
    assert!(threads_after <= threads_before, "threads {threads_after}");
    assert!(
        rss_after * 10 <= rss_before * 11,
        "RSS {rss_after} KiB, from {rss_before}"
    );
}

#[test]
fn a_connection_that_never_says_hello_is_closed() {
    let (dir, data) = common::demo_store();
    let socket = dir.path().join("till.sock");
    let _daemon = start(&data, &socket);
    let mut idle = UnixStream::connect(&socket).expect("connect");
    idle.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    // The daemon gives up at its Hello deadline and says why.
    let answer = frame::read::<Response>(&mut idle);
    assert!(
        matches!(answer, Ok(Some(Response::Refused { .. }))),
        "{answer:?}"
    );
}

#[test]
fn out_of_files_the_daemon_pauses_accepting_says_so_once_and_recovers() {
    use rustix::process::{Pid, Resource, Rlimit, prlimit};
    let (dir, data) = common::demo_store();
    let socket = dir.path().join("till.sock");
    let log = dir.path().join("daemon.log");
    let daemon = start_logged(&data, &socket, &log);
    let said = || std::fs::read_to_string(&log).unwrap_or_default();
    let pid = daemon.0.id();
    // Its start-up done, so only accept() can meet the limit.
    common::wait_until("the daemon to serve", Duration::from_secs(10), || {
        said().contains("serving screens")
    });
    // No new file at all (a limit counts fd numbers, and the daemon's have
    // gaps): the next connections meet EMFILE at accept(). Only the soft
    // limit, so giving files back needs no privilege.
    let target = Pid::from_raw(pid as i32).expect("pid");
    let hard = rustix::process::getrlimit(Resource::Nofile).maximum;
    let soft = |current| Rlimit {
        current: Some(current),
        maximum: hard,
    };
    prlimit(Some(target), Resource::Nofile, soft(0)).expect("lower its open-file limit");
    let held: Vec<UnixStream> = (0..50)
        .filter_map(|_| {
            let s = UnixStream::connect(&socket).ok()?;
            Some(s)
        })
        .collect();
    let failing = "accepting connections fails";
    common::wait_until(
        "the daemon to run out of files",
        Duration::from_secs(10),
        || said().contains(failing),
    );
    let before = common::cpu_ticks(pid);
    std::thread::sleep(Duration::from_secs(2));
    let spent = common::cpu_ticks(pid) - before;
    // Spinning on accept would take all of a CPU's 200 ticks in 2 s.
    assert!(
        spent < 50,
        "the daemon spent {spent} ticks of 2 s out of files"
    );
    assert_eq!(
        said().matches(failing).count(),
        1,
        "one line per burst:\n{}",
        said()
    );
    // Files come back: it takes what waited, says so once, and a screen attaches.
    drop(held);
    prlimit(Some(target), Resource::Nofile, soft(1024)).expect("give its files back");
    common::wait_until("a screen to attach", Duration::from_secs(10), || {
        Client::connect(&socket).is_ok()
    });
    assert!(said().contains("accepting connections again"), "{}", said());
}
