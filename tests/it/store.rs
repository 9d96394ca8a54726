//! The store: sales survive reopening, tampering is found, and a store that is
//! locked, foreign or too new is refused with a clear message.

use crate::common;
use common::sale::{PEN, pay, scan, scan_of};

use common::{demo_store, engine, login};
use rust_decimal::dec;
use till::domain::money::Money;
use till::domain::sale::ReceiptNo;
use till::domain::tender::TenderKind;
use till::engine::Command;
use till::store::carts::CartRead;
use till::store::journal::ChainError;
use till::store::{Store, StoreError};

fn sell_one(path: &std::path::Path) {
    let mut e = engine(path);
    let s = login(&mut e, "cashier", "1111");
    e.execute(s, scan_of(PEN, dec!(2))).expect("scan");
    e.execute(s, pay(TenderKind::Cash, None)).expect("pay");
}

/// A scan saves the cart and keeps a decoded copy of it (`carts::CartMemo`);
/// a voided line is written with its journal entry, by another way. The
/// next scan must build on the cart with the line voided, not on the copy.
#[test]
fn a_lanes_cart_is_read_as_last_written_whichever_way_it_was() {
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    let s = login(&mut e, "cashier", "1111");
    e.execute(s, scan("9780306406157")).expect("book");
    e.execute(s, Command::VoidLine { line: 0 })
        .expect("the cashier voids the book");
    let events = e.execute(s, scan(PEN)).expect("pen");
    let Some(till::engine::Event::Cart { sale, .. }) = events.first() else {
        panic!("{events:?}")
    };
    let lines: Vec<_> = sale
        .lines
        .iter()
        .map(|l| (l.sku.as_str(), l.voided))
        .collect();
    assert_eq!(lines, [("book", true), ("pen", false)]);
}

/// A change refused after the lane's cart was read to change it (here an
/// unknown code) leaves the cart as it was, for the screen and the next scan.
#[test]
fn a_refused_change_leaves_the_lanes_cart_whole() {
    let (_dir, path) = demo_store();
    let mut e = engine(&path);
    let s = login(&mut e, "cashier", "1111");
    e.execute(s, scan("9780306406157")).expect("book");
    e.execute(s, scan("4000000000006"))
        .expect_err("a code the catalog does not know");
    let (shown, _) = e.cart(s).expect("cart").expect("the book is still open");
    assert_eq!(shown.lines.len(), 1);
    e.execute(s, scan("4000000000006"))
        .expect_err("refused again, the cart read to change once more");
    let events = e.execute(s, scan(PEN)).expect("pen");
    let Some(till::engine::Event::Cart { sale, .. }) = events.first() else {
        panic!("{events:?}")
    };
    let skus: Vec<_> = sale.lines.iter().map(|l| l.sku.as_str()).collect();
    assert_eq!(skus, ["book", "pen"]);
}

#[test]
fn a_sale_and_an_open_cart_survive_reopening() {
    let (_dir, path) = demo_store();
    sell_one(&path);
    {
        let mut e = engine(&path);
        let s = login(&mut e, "cashier", "1111");
        e.execute(s, scan("9780306406157")).expect("scan");
    }
    let store = Store::open(&path).expect("reopen");
    let sale = store.sale(ReceiptNo(1)).expect("read").expect("sale kept");
    assert_eq!(sale.totals.total, Money::new(dec!(2.98)));
    let cart = store
        .cart(1, CartRead::Show)
        .expect("read")
        .expect("cart kept");
    assert_eq!(cart.lines[0].sku, "book");
    assert_eq!(
        store.verify_journal().expect("chain"),
        8,
        "created, 3 users, import, 2 logins, 1 sale"
    );
    assert_eq!(store.outbox().len(), 8, "every entry waits for head office");
}

/// Opens sled directly, as an attacker or a bad disk would, and changes one
/// byte of the `nth` record: the one `pick` chooses from the record's bytes.
fn flip_byte(path: &std::path::Path, tree: &str, nth: usize, pick: impl Fn(&[u8]) -> usize) {
    let db = common::raw_sled(path);
    let t = db.open_tree(tree).expect("tree");
    let (key, value) = t.iter().nth(nth).expect("entry").expect("read");
    let mut bytes = value.to_vec();
    let at = pick(&bytes);
    bytes[at] ^= 0x01;
    t.insert(key, bytes).expect("write");
    db.flush().expect("flush");
}

#[test]
fn the_journal_finds_a_flipped_byte_and_names_the_entry() {
    let (_dir, path) = demo_store();
    sell_one(&path);
    // Entry 3 records the user "manager" being created: make it "mamager".
    let manager = |b: &[u8]| {
        b.windows(7)
            .position(|w| w == b"manager")
            .expect("name in entry")
            + 2
    };
    flip_byte(&path, "journal", 3, manager);
    let store = Store::open(&path).expect("open");
    let err = store.verify_journal().expect_err("tampered");
    assert_eq!(err, ChainError::Altered { seq: 3 });
    assert_eq!(
        err.to_string(),
        "journal entry 3 was altered: its hash does not match its contents"
    );
    // Any byte of any entry: always found, always at that entry.
    for offset in [1, 9, 20, 33] {
        let (_dir, path) = demo_store();
        flip_byte(&path, "journal", 2, |b| b.len() - offset);
        let err = Store::open(&path)
            .expect("open")
            .verify_journal()
            .expect_err("tampered");
        assert_eq!(err.seq(), Some(2), "{err}");
    }
}

#[test]
fn an_altered_sale_record_is_found_by_its_journal_digest() {
    let (_dir, path) = demo_store();
    sell_one(&path);
    // The total 2.98 becomes 2.99.
    let total = |b: &[u8]| {
        b.windows(4)
            .rposition(|w| w == b"2.98")
            .expect("total in record")
            + 3
    };
    flip_byte(&path, "sales", 0, total);
    let store = Store::open(&path).expect("open");
    let err = store.verify_journal().expect_err("tampered sale");
    assert_eq!(
        err.to_string(),
        "journal entry 6: the sale record of receipt 1 was altered"
    );
}

#[test]
fn a_second_opener_is_told_who_holds_the_store() {
    let (_dir, path) = demo_store();
    let _held = Store::open(&path).expect("first");
    let err = Store::open(&path).err().expect("second open refused");
    let StoreError::Locked { holder, .. } = &err else {
        panic!("{err}")
    };
    assert!(holder.contains(&std::process::id().to_string()), "{holder}");
}

#[test]
fn foreign_missing_and_newer_stores_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(matches!(
        Store::open(&dir.path().join("nope")),
        Err(StoreError::Missing(_))
    ));
    std::fs::write(dir.path().join("notes.txt"), "not a till").expect("write");
    assert!(matches!(
        Store::open(dir.path()),
        Err(StoreError::NotAStore(_))
    ));
    assert!(
        std::fs::read_dir(dir.path()).expect("ls").count() == 1,
        "nothing was written into it"
    );

    let (_d, path) = demo_store();
    {
        let db = common::raw_sled(&path);
        db.open_tree("meta")
            .expect("meta")
            .insert(b"schema_version", &99u32.to_be_bytes())
            .expect("write");
        db.flush().expect("flush");
    }
    let err = Store::open(&path).err().expect("newer refused");
    assert!(
        matches!(err, StoreError::NewerSchema { found: 99, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("upgrade Till"));
}

#[test]
fn creating_over_an_existing_store_is_refused() {
    let (_dir, path) = demo_store();
    let err = till::cli::init::run(&path, &till::cli::args::InitArgs::demo())
        .err()
        .expect("refused");
    assert!(
        err.to_string().contains("already holds a till store"),
        "{err}"
    );
}

#[test]
fn two_lanes_cannot_refund_the_same_item_twice() {
    let (_dir, path) = demo_store();
    sell_one(&path);
    let mut e = engine(&path);
    let a = e.login("manager", "9999", 1).expect("lane 1");
    let b = e.login("manager", "9999", 2).expect("lane 2");
    for s in [a, b] {
        e.execute(
            s,
            Command::StartRefund {
                receipt: 1,
                approval: None,
            },
        )
        .expect("start");
        e.execute(
            s,
            Command::RefundLine {
                line: 0,
                quantity: dec!(2),
            },
        )
        .expect("both pens");
    }
    let pay = pay(TenderKind::Cash, None);
    e.execute(a, pay.clone()).expect("first refund");
    let err = e
        .execute(b, pay)
        .expect_err("second refund of the same pens");
    assert!(err.to_string().contains("already been refunded"), "{err}");
    assert_eq!(e.store().sales().count(), 2, "nothing was paid out twice");
    e.store().verify_journal().expect("chain holds");
}

#[test]
fn a_sale_record_slipped_in_without_a_journal_entry_is_found() {
    let (_dir, path) = demo_store();
    sell_one(&path);
    {
        let db = common::raw_sled(&path);
        let sales = db.open_tree("sales").expect("sales");
        let record = sales
            .get(1u64.to_be_bytes())
            .expect("read")
            .expect("sale 1");
        sales
            .insert(2u64.to_be_bytes(), record)
            .expect("forge receipt 2");
        db.flush().expect("flush");
    }
    let err = Store::open(&path)
        .expect("open")
        .verify_journal()
        .expect_err("forged");
    assert_eq!(
        err.to_string(),
        "receipt 2: has a sale record but no journal entry"
    );
}

/// A copy of the store with its sled log damaged near its end, where sled
/// itself would take the damage for the end of the log and open without it
/// (the commit log beside it is copied as it is). `damage` is given where
/// sled's log first holds the last sale's record. The last process to
/// write must be the one that made that sale: sled's next open takes a
/// snapshot that points into what came before, and damage there is
/// refused by sled itself.
fn damaged_copy(
    data: &std::path::Path,
    damage: impl Fn(&mut Vec<u8>, usize),
) -> (tempfile::TempDir, std::path::PathBuf) {
    let root = tempfile::tempdir().expect("tempdir");
    // sled opened on a copy of its own: opening it writes.
    let looked = root.path().join("looked");
    common::copy_dir(data, &looked);
    let record = common::raw_sled(&looked)
        .open_tree("sales")
        .and_then(|sales| sales.last())
        .expect("read")
        .expect("the last sale")
        .1;
    let copy = root.path().join("store");
    common::copy_dir(data, &copy);
    let db = copy.join("db");
    let mut bytes = std::fs::read(&db).expect("db");
    let at = bytes
        .windows(record.len())
        .position(|w| w == &record[..])
        .expect("the last sale's record in sled's log");
    damage(&mut bytes, at);
    std::fs::write(&db, bytes).expect("write db");
    (root, copy)
}

#[test]
fn a_damaged_log_end_is_mended_by_the_commit_log_or_refused() {
    let (_dir, data) = demo_store();
    for _ in 0..3 {
        sell_one(&data);
    }
    // A backup from before the damage, for the restore the message points to.
    let backups = tempfile::tempdir().expect("tempdir");
    let backup = backups.path().join("before.backup");
    common::run_ok(&[
        "backup",
        "--out",
        common::s(&backup),
        "--data",
        common::s(&data),
    ]);
    // The sale the damage takes, made after the backup (see `damaged_copy`).
    sell_one(&data);
    for (what, damage) in [
        (
            "truncated",
            Box::new(|b: &mut Vec<u8>, at: usize| b.truncate(at))
                as Box<dyn Fn(&mut Vec<u8>, usize)>,
        ),
        (
            "a flipped byte",
            Box::new(|b: &mut Vec<u8>, at: usize| b[at + 40] ^= 0x01),
        ),
    ] {
        // The commit log still holds the last writes sled lost: they are
        // replayed, and the store opens whole.
        let (_root, copy) = damaged_copy(&data, &damage);
        let mended = Store::open(&copy).unwrap_or_else(|e| panic!("{what}, replayed: {e}"));
        assert!(mended.sale(ReceiptNo(4)).expect("read").is_some(), "{what}");
        mended.verify_journal().expect("the journal verifies");
        drop(mended);
        // With the commit log lost too (a failing card), nothing can bring
        // them back: the witness sees the journal shorter than it was.
        let (_root, copy) = damaged_copy(&data, &damage);
        std::fs::write(copy.join("commit.log"), vec![0u8; 1 << 20]).expect("wipe the log");
        let e = Store::open(&copy)
            .err()
            .unwrap_or_else(|| panic!("a store with {what} log end opened"));
        let said = e.to_string();
        assert!(
            said.contains("damaged") && said.contains("till restore"),
            "{what}: {said}"
        );
        // And `till restore` brings back what the backup holds.
        common::run_ok(&["restore", common::s(&backup), "--data", common::s(&copy)]);
        let mended = Store::open(&copy).expect("the restored store opens");
        assert!(mended.sale(ReceiptNo(3)).expect("read").is_some(), "{what}");
        mended
            .verify_journal()
            .expect("the restored journal verifies");
    }
    // The undamaged store opens with its four sales.
    let store = Store::open(&data).expect("open");
    assert!(store.sale(ReceiptNo(4)).expect("read").is_some());
}

/// What a SIGKILL leaves, taken deterministically: the store's files copied
/// while the till is still selling. sled writes its own file out only at a
/// checkpoint, so the copy's sled lacks the last sales and the open cart;
/// the commit log has them, and they are replayed at open.
#[test]
fn a_copy_of_a_selling_store_opens_with_every_sale_and_the_open_cart() {
    let (_dir, data) = demo_store();
    let mut engine = engine(&data);
    let session = login(&mut engine, "cashier", "1111");
    common::sale::sell_pens(&mut engine, session, 3);
    engine.execute(session, scan(PEN)).expect("scan");
    let root = tempfile::tempdir().expect("tempdir");
    let copy = root.path().join("store");
    common::copy_dir(&data, &copy);
    drop(engine);
    let store = Store::open(&copy).expect("the copy opens");
    for receipt in 1..=3 {
        assert!(
            store.sale(ReceiptNo(receipt)).expect("read").is_some(),
            "receipt {receipt}"
        );
    }
    let cart = store
        .cart(1, CartRead::Show)
        .expect("cart")
        .expect("the open cart is kept");
    assert_eq!(cart.lines.len(), 1);
    store.verify_journal().expect("the journal verifies");
}

/// sled's files from an older moment beside a newer commit log (a restore
/// of half a store, a failing card): the writes between the two are gone,
/// so the store is refused, never opened with the later writes alone.
#[test]
fn a_commit_log_that_does_not_take_up_where_sled_ends_is_refused() {
    let (_dir, data) = demo_store();
    sell_one(&data);
    let old = tempfile::tempdir().expect("tempdir");
    common::copy_dir(&data, old.path());
    // Two more runs: the second writes its frames over the first's.
    sell_one(&data);
    sell_one(&data);
    std::fs::copy(data.join("commit.log"), old.path().join("commit.log")).expect("copy log");
    let e = Store::open(old.path())
        .err()
        .expect("opened with writes missing");
    let said = e.to_string();
    assert!(
        said.contains("commit log") && said.contains("till restore"),
        "{said}"
    );
}
