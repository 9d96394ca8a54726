//! A till whose disk fills up while it runs: the next sale is refused with
//! a clear message, everything committed before stays, the engine reports
//! the failure (the daemon's watchdog then stops, and systemd restarts it),
//! and once space is freed the restarted till sells on, with no gap in the
//! receipts. sled keeps a disk error and refuses every write after it, so
//! going on means reopening the store: a restart.
//!
//! The store is put on a small tmpfs. Mounting one needs root, so the test
//! runs itself again inside a new user and mount namespace (`unshare
//! --user --map-root-user --mount`, util-linux), where it is root of its own
//! mounts without being root of the machine; the mount dies with it.

use crate::common;
use common::sale;

use std::path::Path;
use std::process::Command as Process;

use rust_decimal::dec;
use till::domain::sale::ReceiptNo;
use till::domain::tender::TenderKind;
use till::engine::{Engine, EngineError, Event, SessionId};
use till::store::StoreError;
use till::store::carts::CartRead;

const CHILD: &str = "TILL_DISK_FULL_CHILD";

#[test]
fn a_full_disk_refuses_the_next_sale_keeps_the_rest_and_recovers() {
    if std::env::var_os(CHILD).is_some() {
        return in_a_small_filesystem();
    }
    let me = std::env::current_exe().expect("test binary");
    let out = Process::new("unshare")
        .args(["--user", "--map-root-user", "--mount"])
        .arg(me)
        .args([
            "--exact",
            "disk_full::a_full_disk_refuses_the_next_sale_keeps_the_rest_and_recovers",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .output()
        .expect("unshare runs (util-linux; user namespaces must be allowed)");
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the run in a small filesystem failed:\n{said}"
    );
    assert!(said.contains("1 passed"), "the child ran no test:\n{said}");
}

fn scan_pen(engine: &mut Engine, session: SessionId) -> Result<Vec<Event>, EngineError> {
    engine.execute(session, sale::scan_of(sale::PEN, dec!(1)))
}

fn pay_by_card(engine: &mut Engine, session: SessionId) -> Result<Vec<Event>, EngineError> {
    engine.execute(session, sale::pay(TenderKind::Card, None))
}

fn is_disk_full(e: &EngineError) -> bool {
    let full = match e {
        EngineError::Store(StoreError::DiskFull) => true,
        EngineError::Store(StoreError::NotDurable { source, .. }) => {
            matches!(**source, StoreError::DiskFull)
        }
        _ => false,
    };
    full && e.to_string().contains("disk holding the store is full")
}

fn in_a_small_filesystem() {
    let mount = tempfile::tempdir().expect("tempdir");
    let status = Process::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"])
        .arg(mount.path())
        .status()
        .expect("mount runs");
    assert!(status.success(), "cannot mount a tmpfs in the namespace");
    let data = mount.path().join("store");
    drop(till::cli::init::run(&data, &till::cli::args::InitArgs::demo()).expect("demo store"));
    let mut engine = common::engine(&data);
    let session = common::login(&mut engine, "cashier", "1111");
    // Receipts the engine reported complete: each must survive.
    let mut confirmed = Vec::new();
    let completed = |events: Vec<Event>| {
        events.into_iter().find_map(|e| match e {
            Event::Completed { sale, .. } => Some(sale.receipt.0),
            _ => None,
        })
    };
    for _ in 0..2 {
        scan_pen(&mut engine, session).expect("scan");
        confirmed.extend(completed(pay_by_card(&mut engine, session).expect("pay")));
    }

    // The disk fills up (a log file, a photo: anything). sled sells on into
    // the room its files already hold (durably: nothing new is allocated),
    // then needs more, and the sale that would need it is refused.
    let filler = mount.path().join("filler");
    fill(&filler);
    let mut refused = None;
    for _ in 0..20_000 {
        match scan_pen(&mut engine, session).and_then(|_| pay_by_card(&mut engine, session)) {
            Ok(events) => confirmed.extend(completed(events)),
            Err(e) => {
                refused = Some(e);
                break;
            }
        }
    }
    let refused = refused.expect("a sale on a full disk was never refused");
    assert!(is_disk_full(&refused), "refused with: {refused}");
    eprintln!(
        "disk full after {} sales; refused with: {refused}",
        confirmed.len()
    );

    // The engine knows its store stopped (the watchdog asks it), and every
    // later attempt says why instead of pretending to work.
    assert!(
        engine
            .failure()
            .is_some_and(|f| f.contains("disk holding the store is full"))
    );
    let again = scan_pen(&mut engine, session).and_then(|_| pay_by_card(&mut engine, session));
    assert!(again.as_ref().is_err_and(is_disk_full), "{again:?}");
    drop(engine);

    // Space is freed; the till restarts and sells on, numbering on from the
    // last sale it kept (one the disk never confirmed may be kept or not,
    // but never leaves a gap).
    std::fs::remove_file(&filler).expect("free space");
    let mut engine = common::engine(&data);
    assert!(engine.failure().is_none());
    let session = common::login(&mut engine, "cashier", "1111");
    if engine
        .store()
        .cart(1, CartRead::Show)
        .expect("cart")
        .is_none()
    {
        scan_pen(&mut engine, session).expect("scan after the restart");
    }
    let receipt = completed(pay_by_card(&mut engine, session).expect("a sale after the restart"))
        .expect("completed");
    // Every sale reported complete is there, and the new one follows them.
    for r in &confirmed {
        assert!(
            engine.store().sale(ReceiptNo(*r)).expect("read").is_some(),
            "confirmed receipt {r} was lost"
        );
    }
    assert!(
        confirmed.last().is_some_and(|last| receipt > *last),
        "receipt {receipt} given again"
    );
    let receipts: Vec<u64> = engine
        .store()
        .sales()
        .map(|s| s.expect("sale").receipt.0)
        .collect();
    assert_eq!(
        receipts,
        (1..=receipt).collect::<Vec<_>>(),
        "a gap or a duplicate"
    );
    engine
        .store()
        .verify_journal()
        .expect("the journal verifies");
    drop(engine);
    drop(Process::new("umount").arg(mount.path()).status());
}

/// Writes until the filesystem refuses.
fn fill(path: &Path) {
    use std::io::Write;
    let mut file = std::fs::File::create(path).expect("filler");
    let block = vec![0u8; 64 * 1024];
    while file.write_all(&block).is_ok() {}
    let _ = file.sync_all();
}
