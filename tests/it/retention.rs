//! Retention removes exactly what is past its time, and only once head office
//! has it and a Z report closed it; the journal still verifies after.

use crate::common;
use common::sale::{pay, sell_pens as sell};

use chrono::{Duration, Utc};
use till::domain::tender::TenderKind;
use till::engine::Command;
use till::store::journal::JournalEvent;
use till::store::retention::{Policy, Removed};

/// Exports the store at `data` and imports it into a new one; returns its path.
fn export_and_import(root: &std::path::Path, data: &std::path::Path) -> std::path::PathBuf {
    let out = root.join("export");
    common::run_ok(&[
        "export",
        "--data",
        common::s(data),
        "--out",
        common::s(&out),
    ]);
    let restored = root.join("restored");
    common::run_ok(&[
        "import",
        "export",
        common::s(&out),
        "--data",
        common::s(&restored),
        "--admin-pin",
        "2468",
    ]);
    restored
}

fn years(n: i64) -> Duration {
    Duration::days(365 * n + n / 4)
}

#[test]
fn retention_removes_exactly_what_is_due_and_the_journal_still_verifies() {
    let (dir, data) = common::demo_store();
    let mut e = common::engine(&data);
    let s = common::login(&mut e, "manager", "9999");
    sell(&mut e, s, 3);
    e.execute(
        s,
        Command::ZReport {
            approval: None,
            despite_open_sales: false,
        },
    )
    .expect("Z");
    sell(&mut e, s, 2);
    let store = e.store();
    let z_seq = store
        .journal()
        .filter_map(Result::ok)
        .find(|r| matches!(r.entry.event, JournalEvent::ZReport { .. }))
        .expect("the Z report is journaled")
        .entry
        .seq;
    let policy = Policy {
        sales: years(7),
        journal: years(7),
    };
    let now = Utc::now();
    let later = now + years(8);

    // Head office has nothing yet: even eight years on, nothing goes.
    assert_eq!(
        store.run_retention(policy, later, true).expect("dry"),
        Removed::default()
    );

    // Head office acknowledges everything up to the Z report.
    let outbox = store.outbox();
    let batch = outbox
        .cut(z_seq as usize + 1, usize::MAX, |_, _| Ok(Vec::new()))
        .expect("cut")
        .expect("a batch");
    assert_eq!(batch.last, z_seq);
    outbox.acknowledge(batch.seq).expect("acknowledged");

    // Today nothing is past its time.
    assert_eq!(
        store.run_retention(policy, now, false).expect("run"),
        Removed::default()
    );

    // Eight years on: the three Z-closed sales at head office go, with the
    // Z report and the journal up to it; the two after the Z report stay.
    let dry = store.run_retention(policy, later, true).expect("dry run");
    assert_eq!(
        dry,
        Removed {
            sales: 3,
            z_reports: 1,
            shifts: 0,
            journal: z_seq as usize + 1
        }
    );
    assert_eq!(store.sales().count(), 5, "a dry run removes nothing");
    assert_eq!(store.run_retention(policy, later, false).expect("run"), dry);
    let receipts: Vec<u64> = store.sales().map(|s| s.expect("sale").receipt.0).collect();
    assert_eq!(receipts, vec![4, 5]);
    assert_eq!(
        store
            .journal()
            .next()
            .expect("kept")
            .expect("entry")
            .entry
            .seq,
        z_seq + 1
    );
    store
        .verify_journal()
        .expect("the kept journal verifies from its checkpoint");
    assert_eq!(
        store.run_retention(policy, later, false).expect("again"),
        Removed::default()
    );

    // The till sells on, and its journal still verifies.
    sell(&mut e, s, 1);
    e.store()
        .verify_journal()
        .expect("verifies after more sales");
    // Tampering with a kept entry is still found.
    drop(outbox);
    drop(e);
    let db = common::raw_sled(&data);
    let journal = db.open_tree("journal").expect("journal");
    let (key, value) = journal.iter().next().expect("first").expect("kept entry");
    let mut value = value.to_vec();
    let at = value.len() - 40;
    value[at] ^= 1;
    journal.insert(key, value).expect("tamper");
    drop(journal);
    drop(db);
    let out = common::run(&["journal", "verify", "--data", common::s(&data)]);
    assert!(!out.status.success());
    drop(dir);
}

#[test]
fn an_export_after_retention_imports_and_verifies() {
    let (dir, data) = common::demo_store();
    let mut e = common::engine(&data);
    let s = common::login(&mut e, "manager", "9999");
    sell(&mut e, s, 2);
    e.execute(
        s,
        Command::ZReport {
            approval: None,
            despite_open_sales: false,
        },
    )
    .expect("Z");
    sell(&mut e, s, 1);
    let outbox = e.store().outbox();
    let all = outbox.len();
    let batch = outbox
        .cut(all, usize::MAX, |_, _| Ok(Vec::new()))
        .expect("cut")
        .expect("batch");
    outbox.acknowledge(batch.seq).expect("ack");
    let policy = Policy {
        sales: years(1),
        journal: years(1),
    };
    let removed = e
        .store()
        .run_retention(policy, Utc::now() + years(2), false)
        .expect("run");
    assert_eq!(removed.sales, 2);
    drop(outbox);
    drop(e);
    let restored = export_and_import(dir.path(), &data);
    common::run_ok(&["journal", "verify", "--data", common::s(&restored)]);
}

#[test]
fn retention_never_rewrites_a_log_file() {
    use std::os::unix::fs::MetadataExt;
    let (dir, data) = common::demo_store();
    // The screen's files, as its appender leaves them: only ever appended to.
    let today = data.join(format!("till.{}.log", Utc::now().format("%Y-%m-%d")));
    let old = data.join("till.2020-01-01.log");
    let text = format!(
        "{}  INFO login cashier\n",
        (Utc::now() - Duration::days(40)).to_rfc3339()
    );
    for log in [&today, &old] {
        std::fs::write(log, &text).expect("log");
    }
    let inode = |p: &std::path::Path| std::fs::metadata(p).expect("log").ino();
    let before = (inode(&today), inode(&old));
    let said = common::run_ok(&["retention", "run", "--dry-run", "--data", common::s(&data)]);
    assert!(said.starts_with("would remove 0 sales"), "{said}");
    let said = common::run_ok(&["retention", "run", "--data", common::s(&data)]);
    assert!(!said.contains("log"), "{said}");
    assert_eq!((inode(&today), inode(&old)), before, "no log file replaced");
    for log in [&today, &old] {
        assert_eq!(std::fs::read_to_string(log).expect("log"), text);
    }
    drop(dir);
}

/// Makes every journal entry so far acknowledged by head office.
fn all_at_head_office(store: &till::store::Store) {
    let outbox = store.outbox();
    let batch = outbox
        .cut(outbox.len(), usize::MAX, |_, _| Ok(Vec::new()))
        .expect("cut")
        .expect("batch");
    outbox.acknowledge(batch.seq).expect("ack");
}

#[test]
fn a_retention_marker_written_by_hand_does_not_hide_anything() {
    let (dir, data) = common::demo_store();
    let mut e = common::engine(&data);
    let s = common::login(&mut e, "manager", "9999");
    sell(&mut e, s, 3);
    drop(e);
    common::run_ok(&["journal", "verify", "--data", common::s(&data)]);
    // Someone with the disk says retention removed every receipt so far.
    let db = common::raw_sled(&data);
    let meta = db.open_tree("meta").expect("meta");
    meta.insert("receipts_kept_from", &4u64.to_be_bytes())
        .expect("forge");
    drop(meta);
    drop(db);
    let out = common::run(&["journal", "verify", "--data", common::s(&data)]);
    assert!(
        !out.status.success(),
        "a marker no retention run journaled is refused"
    );
    assert!(
        common::stderr(&out).contains("retention markers"),
        "{}",
        common::stderr(&out)
    );
    drop(dir);
}

#[test]
fn a_refund_kept_after_its_sale_went_and_the_numbers_carry_on_after_import() {
    let (dir, data) = common::demo_store();
    let mut e = common::engine(&data);
    let s = common::login(&mut e, "manager", "9999");
    sell(&mut e, s, 2);
    e.execute(
        s,
        Command::ZReport {
            approval: None,
            despite_open_sales: false,
        },
    )
    .expect("Z");
    all_at_head_office(e.store());
    let later = Utc::now() + years(8);
    let policy = Policy {
        sales: years(7),
        journal: years(7),
    };
    // Receipt 1 and 2 go; a refund of receipt 2 made later stays.
    e.execute(
        s,
        Command::StartRefund {
            receipt: 2,
            approval: None,
        },
    )
    .expect("refund");
    e.execute(
        s,
        Command::RefundLine {
            line: 0,
            quantity: rust_decimal::dec!(1),
        },
    )
    .expect("line");
    e.execute(s, pay(TenderKind::Card, None)).expect("pay out");
    let removed = e.store().run_retention(policy, later, false).expect("run");
    assert_eq!(removed.sales, 2);
    e.store().verify_journal().expect("verifies");
    drop(e);
    let restored = export_and_import(dir.path(), &data);
    // The next sale takes the next number, never one given before.
    let mut e = common::engine(&restored);
    let s = common::login(&mut e, "admin", "2468");
    sell(&mut e, s, 1);
    let last = e.store().sales().last().expect("a sale").expect("read");
    assert_eq!(last.receipt.0, 4, "receipts 1 to 3 were given before");
    e.store().verify_journal().expect("verifies");
}
