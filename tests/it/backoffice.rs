//! Every back-office command against a running daemon, as the real binary
//! with the user's PIN: the daemon holds the store (its lock), so each goes
//! through the daemon's engine with the permission it needs, and its output
//! is what the same command says of the same store with the daemon stopped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;

use till::domain::tender::TenderKind;
use till::engine::api::TillApi;
use till::ipc::client::Client;

use crate::common::hq::{HqServer, head_office};
use crate::common::sale::{PEN, sell};
use crate::common::{self, s};
use crate::daemon::start_with;

/// `till ARGS --data DATA --socket SOCKET [--user USER]`, the user's PIN
/// on standard input as a script would pipe it.
fn as_user(args: &[&str], data: &Path, socket: &Path, user: Option<(&str, &str)>) -> Output {
    use std::io::Write;
    let mut cmd = common::till();
    cmd.args(args)
        .args(["--data", s(data), "--socket", s(socket)])
        .env_remove("TILL_PIN")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    if let Some((user, _)) = user {
        cmd.args(["--user", user]);
    }
    let mut child = cmd.spawn().expect("run till");
    let mut stdin = child.stdin.take().expect("stdin");
    if let Some((_, pin)) = user {
        // A command that opens the store itself never reads it: ignore a closed pipe.
        let _ = writeln!(stdin, "{pin}");
    }
    drop(stdin);
    child.wait_with_output().expect("till ends")
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "failed:\n{}{}",
        common::stdout(o),
        common::stderr(o)
    );
    common::stdout(o)
}

const MANAGER: Option<(&str, &str)> = Some(("manager", "9999"));

/// The files of an export directory, by name.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("export dir")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    files.sort();
    files
}

/// The export through the daemon is the store as the one taken after it
/// stopped: the same files, byte for byte, but for what the commands since
/// added (the journal's new entries, the sync state of the outbox that sends
/// them, the manifest's time and checksums).
fn same_export(through: &Path, after: &Path) {
    let (a, b) = (files(through), files(after));
    let names = |f: &[(String, Vec<u8>)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b));
    assert!(
        a.iter().any(|(n, _)| n.starts_with("sales")),
        "{:?}",
        names(&a)
    );
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        if name == "manifest.json" || name.starts_with("journal") || name.starts_with("sync") {
            continue;
        }
        assert!(x == y, "{name} differs from the export without the daemon");
    }
    // The journal then is the start of the journal now.
    for (name, x) in &a {
        if !name.starts_with("journal") {
            continue;
        }
        let y = &b.iter().find(|(n, _)| n == name).expect("same names").1;
        if name.ends_with(".json") {
            let x: Vec<serde_json::Value> = serde_json::from_slice(x).expect("json");
            let y: Vec<serde_json::Value> = serde_json::from_slice(y).expect("json");
            assert!(x.len() < y.len() && y[..x.len()] == x[..], "{name}");
        } else {
            assert!(y.starts_with(x), "{name}");
        }
    }
}

#[test]
fn every_back_office_command_works_through_a_running_daemon() {
    let (dir, data) = common::demo_store();
    let root = dir.path();
    let socket = root.join("till.sock");
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("addr")
        .port();
    let hq = head_office(root, port, &[&data]);
    let _server = HqServer::start(&hq, &format!("127.0.0.1:{port}"));
    let printed = root.join("printer.out");
    let config = common::write(
        root,
        "till.toml",
        &format!("[devices]\nprinter = \"file://{}\"\n", printed.display()),
    );
    let daemon = start_with(&data, &socket, &["--config", s(&config)]);
    let mut kiosk = Client::connect(&socket).expect("kiosk");
    let cashier = kiosk.login("cashier", "1111", 1).expect("cashier");
    for _ in 0..3 {
        sell(&mut kiosk, cashier, PEN, TenderKind::Card);
    }

    // Sync now: the daemon's worker sends what waits, and says so.
    let sent = ok(&as_user(&["sync", "now"], &data, &socket, MANAGER));
    assert!(sent.contains("head office has everything"), "{sent}");
    let status = ok(&as_user(&["sync", "status"], &data, &socket, None));
    assert!(
        status.contains("0 waiting") || !status.contains("waiting"),
        "{status}"
    );

    // A price published at head office is the till's at once on `sync catalog`.
    let prices = common::write(
        root,
        "prices.csv",
        "sku,name,price,tax,unit,barcodes,plu\nSKU-HQ1,Head office tea,3.20,food,each,,4242\n",
    );
    common::run_ok(&["hq", "publish", "--data", s(&hq), s(&prices)]);
    let fetched = ok(&as_user(&["sync", "catalog"], &data, &socket, MANAGER));
    assert!(
        fetched.contains("fetched 1 catalog change sets"),
        "{fetched}"
    );
    let tea = kiosk.search(cashier, "SKU-HQ1", 5).expect("search");
    assert_eq!(tea.len(), 1, "the catalog is applied: {tea:?}");

    // Without --user it says what to give.
    let o = as_user(&["journal", "verify"], &data, &socket, None);
    assert!(!o.status.success());
    assert!(
        common::stderr(&o).contains("give --user"),
        "{}",
        common::stderr(&o)
    );

    let report_args = [
        "report",
        "sales",
        "--from",
        "2000-01-01",
        "--to",
        "2100-01-01",
    ];

    // A cashier is refused, naming the permission.
    let nope = root.join("nope");
    let export_args = ["export", "--out", s(&nope)];
    for (args, refusal) in [
        (
            &export_args[..],
            "cashier may not do this: it needs the permission 'backup'",
        ),
        (&report_args[..], "the permission 'view_reports'"),
        (&["sync", "now"][..], "the permission 'sync'"),
    ] {
        let o = as_user(args, &data, &socket, Some(("cashier", "1111")));
        assert!(!o.status.success(), "{args:?}");
        assert!(
            common::stderr(&o).contains(refusal),
            "{}",
            common::stderr(&o)
        );
    }

    let verified = ok(&as_user(&["journal", "verify"], &data, &socket, MANAGER));
    assert!(verified.starts_with("journal OK: "), "{verified}");

    let report = ok(&as_user(&report_args, &data, &socket, MANAGER));
    let today = report.lines().nth(1).expect("a day's row");
    let cells: Vec<&str> = today.split_whitespace().collect();
    assert_eq!(cells[1..3], ["3", "0"], "three sales, no refunds: {report}");
    assert_eq!(cells[3], "4.47", "three pens at 1.49: {report}");

    let json = root.join("export-json");
    let csv = root.join("export-csv");
    let said = ok(&as_user(
        &["export", "--out", s(&json)],
        &data,
        &socket,
        MANAGER,
    ));
    assert!(said.contains("sales.json: 3"), "{said}");
    ok(&as_user(
        &["export", "--out", s(&csv), "--format", "csv"],
        &data,
        &socket,
        MANAGER,
    ));

    let request = root.join("request.toml");
    ok(&as_user(
        &["sync", "request", "--out", s(&request)],
        &data,
        &socket,
        MANAGER,
    ));

    let doctor = ok(&as_user(&["doctor"], &data, &socket, MANAGER));
    assert!(
        doctor.contains(&format!("printer file://{}: printer ok", printed.display())),
        "{doctor}"
    );

    let dry = ok(&as_user(
        &["retention", "run", "--dry-run"],
        &data,
        &socket,
        MANAGER,
    ));
    assert!(dry.starts_with("would remove "), "{dry}");

    // Nothing is left in the daemon's spool once fetched.
    let spool: Vec<PathBuf> = std::fs::read_dir(data.join("spool"))
        .expect("spool")
        .map(|e| e.expect("entry").path())
        .collect();
    assert!(spool.is_empty(), "{spool:?}");

    drop(kiosk);
    drop(daemon);
    // The same commands with the daemon stopped say the same of the store.
    assert_eq!(ok(&as_user(&report_args, &data, &socket, None)), report);
    assert_eq!(
        ok(&as_user(
            &["retention", "run", "--dry-run"],
            &data,
            &socket,
            None
        )),
        dry
    );
    let (json_after, csv_after) = (root.join("json-after"), root.join("csv-after"));
    ok(&as_user(
        &["export", "--out", s(&json_after)],
        &data,
        &socket,
        None,
    ));
    ok(&as_user(
        &["export", "--out", s(&csv_after), "--format", "csv"],
        &data,
        &socket,
        None,
    ));
    same_export(&json, &json_after);
    // The daemon journaled the exports as the manager's.
    let journal: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(json_after.join("journal.json")).expect("journal"))
            .expect("json");
    let by_manager = journal
        .iter()
        .filter(|e| e["actor"] == "manager" && e["event"].get("exported").is_some())
        .count();
    assert_eq!(by_manager, 2, "json and csv");
    same_export(&csv, &csv_after);
    let request_after = root.join("request-after.toml");
    ok(&as_user(
        &["sync", "request", "--out", s(&request_after)],
        &data,
        &socket,
        None,
    ));
    assert_eq!(
        std::fs::read(&request).expect("request"),
        std::fs::read(&request_after).expect("request")
    );
}

/// `--socket` alone names the store: its daemon's, as for a screen, never
/// the default /var/lib/till.
#[test]
fn a_command_given_only_the_socket_is_about_the_daemons_store() {
    let (dir, data) = common::demo_store();
    let socket = dir.path().join("till.sock");
    let _daemon = start_with(&data, &socket, &[]);
    let mut kiosk = Client::connect(&socket).expect("kiosk");
    let cashier = kiosk.login("cashier", "1111", 1).expect("cashier");
    sell(&mut kiosk, cashier, PEN, TenderKind::Cash);
    let only_socket = |args: &[&str]| {
        common::till()
            .args(args)
            .args(["--socket", s(&socket), "--user", "manager"])
            .env("TILL_PIN", "9999")
            .output()
            .expect("till")
    };
    let report = ok(&only_socket(&[
        "report",
        "sales",
        "--from",
        "2000-01-01",
        "--to",
        "2100-01-01",
    ]));
    assert!(
        report.contains("       1        0          1.49"),
        "{report}"
    );
    let verified = ok(&only_socket(&["journal", "verify"]));
    assert!(verified.contains("journal OK"), "{verified}");
    let status = ok(&common::till()
        .args(["sync", "status", "--socket", s(&socket)])
        .output()
        .expect("till"));
    assert!(status.contains("unsent"), "{status}");
}

/// An export larger than the socket's 4 MiB frame comes through the spool
/// in chunks, whole: the same files as the one taken with the daemon stopped.
#[test]
fn an_export_bigger_than_a_frame_arrives_whole_through_the_daemon() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("store");
    let mut args = till::cli::args::InitArgs::demo();
    args.products = 30_000;
    drop(till::cli::init::run(&data, &args).expect("a big store"));
    let socket = dir.path().join("till.sock");
    let daemon = start_with(&data, &socket, &[]);
    let through = dir.path().join("through");
    ok(&as_user(
        &["export", "--out", s(&through)],
        &data,
        &socket,
        MANAGER,
    ));
    let products = std::fs::metadata(through.join("products.json")).expect("products");
    assert!(
        products.len() > till::ipc::frame::MAX_FRAME as u64,
        "{} bytes: not bigger than a frame",
        products.len()
    );
    let backup = dir.path().join("big.till-backup");
    ok(&as_user(
        &["backup", "--out", s(&backup), "--with-keys"],
        &data,
        &socket,
        Some(("admin", "0000")),
    ));
    drop(daemon);
    let after = dir.path().join("after");
    ok(&as_user(
        &["export", "--out", s(&after)],
        &data,
        &socket,
        None,
    ));
    same_export(&through, &after);
    // The backup (over 1 MiB: several chunks) restores to a store with every product.
    assert!(std::fs::metadata(&backup).expect("backup").len() > 1024 * 1024);
    let restored = dir.path().join("restored");
    ok(&as_user(&["restore", s(&backup)], &restored, &socket, None));
    let store = till::store::Store::open(&restored).expect("restored store");
    assert!(store.product_count() > 30_000);
}

/// Outputs nobody fetches do not pile up: the spool keeps at most
/// `MAX_ENTRIES`, in a directory only the daemon's user may enter, and
/// nobody but who asked may read one.
#[test]
fn the_spool_is_bounded_and_private() {
    use std::os::unix::fs::PermissionsExt;
    use till::engine::request::{Answer, Ask};
    use till::engine::spool::MAX_ENTRIES;
    let (dir, data) = common::demo_store();
    let socket = dir.path().join("till.sock");
    let _daemon = start_with(&data, &socket, &[]);
    let mut office = Client::connect(&socket).expect("office");
    let manager = office.login("manager", "9999", 0).expect("manager");
    let mut handles = Vec::new();
    for _ in 0..MAX_ENTRIES + 3 {
        match office
            .ask(manager, Ask::Backup { with_keys: false })
            .expect("backup")
        {
            Answer::Spooled(spooled) => handles.push(spooled),
            other => panic!("{other:?}"),
        }
    }
    let entries = std::fs::read_dir(data.join("spool"))
        .expect("spool")
        .count();
    assert_eq!(entries, MAX_ENTRIES);
    let mode = std::fs::metadata(data.join("spool").join(&handles[MAX_ENTRIES + 2].handle))
        .expect("entry")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
    // The oldest went; another user cannot read the newest.
    let fetch = |handle: &str| Ask::Fetch {
        handle: handle.to_string(),
        file: "T01.till-backup".into(),
        offset: 0,
    };
    assert!(office.ask(manager, fetch(&handles[0].handle)).is_err());
    let admin = office.login("admin", "0000", 0).expect("admin");
    let newest = &handles[MAX_ENTRIES + 2].handle;
    let theirs = office
        .ask(admin, fetch(newest))
        .expect_err("not the admin's");
    assert!(theirs.to_string().contains("no such output"), "{theirs}");
    assert!(matches!(
        office.ask(manager, fetch(newest)),
        Ok(Answer::Chunk(c)) if !c.is_empty()
    ));
}

/// `till sync now` through the daemon while head office does not answer:
/// the kiosk sells on meanwhile (the engine is not held while the worker
/// waits), and the command says why nothing went.
#[test]
fn the_kiosk_sells_while_sync_now_waits_for_head_office() {
    let (dir, data) = common::demo_store();
    let root = dir.path();
    // Head office's address takes connections and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = silent.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in silent.incoming() {
            held.push(stream);
        }
    });
    head_office(root, port, &[&data]);
    let config = common::write(root, "till.toml", "[sync]\ntimeout_seconds = 5\n");
    let socket = root.join("till.sock");
    let _daemon = start_with(&data, &socket, &["--config", s(&config)]);
    let mut kiosk = Client::connect(&socket).expect("kiosk");
    let cashier = kiosk.login("cashier", "1111", 1).expect("cashier");
    sell(&mut kiosk, cashier, PEN, TenderKind::Card);
    let mut sync = common::till()
        .args(["sync", "now", "--data", s(&data), "--socket", s(&socket)])
        .args(["--user", "manager"])
        .env("TILL_PIN", "9999")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("till sync now");
    // Its order is with the worker once the daemon journals its login.
    common::wait_until(
        "the manager's login",
        std::time::Duration::from_secs(10),
        || {
            kiosk
                .journal(cashier, 5)
                .map(|j| {
                    j.iter().any(|r| {
                        r.entry.actor.as_deref() == Some("manager")
                            || format!("{:?}", r.entry.event).contains("manager")
                    })
                })
                .unwrap_or(false)
        },
    );
    for _ in 0..3 {
        sell(&mut kiosk, cashier, PEN, TenderKind::Card);
    }
    assert!(
        sync.try_wait().expect("sync").is_none(),
        "the sale waited for the sync"
    );
    let out = sync.wait_with_output().expect("sync ends");
    assert!(!out.status.success());
    let said = common::stderr(&out);
    assert!(
        said.contains("cannot reach head office at https://127.0.0.1:"),
        "{said}"
    );
}
