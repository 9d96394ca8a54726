//! The data promises, each as behaviour: customers' details sealed at rest,
//! corrections journaled, erasure everywhere with the books still whole, and
//! an export that holds every tree and imports back to the same store.

use crate::common;

use std::path::Path;

use common::{run, run_ok, s, stderr, till, write};
use till::store::Store;
use till::store::journal::JournalEvent;

const NAME: &str = "Ada Lovelace";
const EMAIL: &str = "ada@analytical.example";

/// Runs a `till customers` command as `user`, PIN on stdin.
fn customers(data: &Path, user: &str, pin: &str, args: &[&str]) -> std::process::Output {
    use std::io::Write;
    let mut child = till()
        .args(["customers", "--data", s(data), "--user", user])
        .args(args)
        .env_remove("TILL_PIN")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("till customers");
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{pin}").expect("PIN");
    drop(stdin);
    child.wait_with_output().expect("output")
}

fn ok(out: std::process::Output) -> String {
    assert!(out.status.success(), "{}", stderr(&out));
    common::stdout(&out)
}

/// Every byte of every file under `dir`.
fn raw_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).expect("dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            all.extend(raw_bytes(&path));
        } else {
            all.extend(std::fs::read(&path).unwrap_or_default());
        }
    }
    all
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// A store with a customer who bought, corrected their details, and a bit
/// of everything else a shop does: a refund, a held sale, a shift, a stock
/// change, a Z report.
fn busy_store(root: &Path) -> std::path::PathBuf {
    let (dir, data) = common::demo_store();
    let path = root.join("store");
    std::fs::rename(&data, &path).expect("move store");
    drop(dir);
    ok(customers(
        &path,
        "cashier",
        "1111",
        &[
            "add",
            "--name",
            NAME,
            "--email",
            EMAIL,
            "--tax-number",
            "GB123456789",
        ],
    ));
    ok(customers(
        &path,
        "cashier",
        "1111",
        &["edit", "1", "--address", "12 St James's Square"],
    ));
    let script = write(
        root,
        "day.txt",
        "login manager 9999\n\
         open-shift 100\n\
         stock pen -1 broken\n\
         customer 1\n\
         scan 4006381333931\n\
         scan 4006381333931\n\
         pay cash 10\n\
         scan 4006381333931\n\
         pay card\n\
         refund 2\n\
         refund-line 1 1\n\
         pay cash\n\
         scan 4006381333931\n\
         hold\n\
         close-shift 111.58\n\
         z-report\n",
    );
    run_ok(&["sale", "--data", s(&path), "--script", s(&script)]);
    path
}

#[test]
fn a_customers_details_never_sit_in_the_clear_and_corrections_are_journaled() {
    let root = tempfile::tempdir().expect("tempdir");
    let data = busy_store(root.path());
    let raw = raw_bytes(&data);
    assert!(
        !contains(&raw, NAME) && !contains(&raw, EMAIL),
        "sealed at rest"
    );
    assert!(!contains(&raw, "St James"), "the correction is sealed too");

    let store = Store::open(&data).expect("open");
    let customer = store.customer(1).expect("read").expect("there");
    assert_eq!(customer.contact.expect("details").name, NAME);
    let history = store.customer_history(1).expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].old.address, None);
    assert_eq!(
        history[0].new.address.as_deref(),
        Some("12 St James's Square")
    );
    let corrected = store
        .journal()
        .filter_map(Result::ok)
        .find_map(|r| match r.entry.event {
            JournalEvent::CustomerCorrected { id: 1, fields, .. } => Some((fields, r.entry.actor)),
            _ => None,
        })
        .expect("the correction is journaled");
    assert_eq!(
        corrected,
        (vec!["address".to_string()], Some("cashier".into()))
    );
    let sale = store
        .sale(till::domain::sale::ReceiptNo(1))
        .expect("read")
        .expect("sale 1");
    assert_eq!(sale.sale.customer, Some(1));
    drop(store);

    // Without customers.key, a copy of the store cannot read them.
    let copy = root.path().join("copy");
    common::copy_dir(&data, &copy);
    std::fs::remove_file(copy.join("customers.key")).expect("without the key");
    let err = Store::open(&copy)
        .err()
        .expect("a copy without the key does not open");
    assert!(err.to_string().contains("customers.key"), "{err}");
    assert!(
        !copy.join("customers.key").exists(),
        "and no new key was made"
    );
}

#[test]
fn erasure_removes_the_person_everywhere_and_the_books_still_hold() {
    let root = tempfile::tempdir().expect("tempdir");
    let data = busy_store(root.path());
    let before = run_ok(&[
        "report",
        "sales",
        "--data",
        s(&data),
        "--from",
        "2000-01-01",
        "--to",
        "2100-01-01",
        "--format",
        "csv",
    ]);

    let out = customers(&data, "cashier", "1111", &["erase", "1", "--yes"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("needs a manager's approval"),
        "{}",
        stderr(&out)
    );
    let out = customers(&data, "manager", "9999", &["erase", "1"]);
    assert!(stderr(&out).contains("--yes"), "erasing asks to be sure");
    ok(customers(
        &data,
        "manager",
        "9999",
        &["erase", "1", "--yes"],
    ));

    // The person is gone from the store, its history and a fresh export.
    let store = Store::open(&data).expect("open");
    let tombstone = store.customer(1).expect("read").expect("a tombstone stays");
    assert!(tombstone.contact.is_none() && tombstone.erased_at.is_some());
    assert!(store.customer_history(1).expect("history").is_empty());
    let sale = store
        .sale(till::domain::sale::ReceiptNo(1))
        .expect("read")
        .expect("sale 1");
    assert_eq!(
        sale.sale.customer,
        Some(1),
        "the sale keeps the customer's number"
    );
    let erased = store
        .journal()
        .filter_map(Result::ok)
        .find(|r| r.entry.event == JournalEvent::CustomerErased { id: 1 })
        .expect("the erasure is journaled");
    assert_eq!(erased.entry.actor.as_deref(), Some("manager"));
    drop(store);
    let out = root.path().join("export");
    run_ok(&["export", "--data", s(&data), "--out", s(&out)]);
    let exported = raw_bytes(&out);
    assert!(
        !contains(&exported, NAME)
            && !contains(&exported, EMAIL)
            && !contains(&exported, "St James")
    );

    // The books: the chain verifies, the takings are what they were.
    run_ok(&["journal", "verify", "--data", s(&data)]);
    let after = run_ok(&[
        "report",
        "sales",
        "--data",
        s(&data),
        "--from",
        "2000-01-01",
        "--to",
        "2100-01-01",
        "--format",
        "csv",
    ]);
    assert_eq!(before, after);
    // sled keeps old pages until it compacts; the details were sealed there
    // too, so not even a stale page holds them in the clear.
    let raw = raw_bytes(&data);
    assert!(!contains(&raw, NAME) && !contains(&raw, EMAIL));
}

#[test]
fn an_export_holds_every_tree_and_imports_back_to_the_same_store() {
    let root = tempfile::tempdir().expect("tempdir");
    let data = busy_store(root.path());
    let store = Store::open(&data).expect("open");
    let trees = store.tree_counts();
    drop(store);
    let first = root.path().join("first");
    run_ok(&["export", "--data", s(&data), "--out", s(&first)]);

    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(first.join("manifest.json")).expect("manifest"))
            .expect("json");
    let files = manifest["files"].as_array().expect("files");
    let count_of = |name: &str| {
        files
            .iter()
            .find(|f| f["name"] == name)
            .and_then(|f| f["count"].as_u64())
    };
    assert!(trees.len() >= 19, "{trees:?}");
    for (tree, count) in &trees {
        let entry = manifest["trees"]
            .as_array()
            .expect("trees")
            .iter()
            .find(|t| t["tree"] == tree.as_str())
            .unwrap_or_else(|| panic!("tree {tree} is not in the manifest"));
        assert_eq!(entry["count"].as_u64(), Some(*count as u64), "{tree}");
        match entry["file"].as_str() {
            Some(file) => assert_eq!(count_of(file), Some(*count as u64), "{tree} in {file}"),
            None => assert!(
                entry["derived_from"].is_string(),
                "{tree} is neither exported nor derived"
            ),
        }
    }
    // The busy day put records in the trees that matter.
    for file in [
        "sales.json",
        "customers.json",
        "customer_corrections.json",
        "held.json",
        "shift_history.json",
        "z_reports.json",
        "stock.json",
    ] {
        assert!(count_of(file).unwrap_or(0) > 0, "{file} is empty");
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode(&first), 0o700, "the owner's eyes only");
    assert_eq!(mode(&first.join("customers.json")), 0o600);
    let users = std::fs::read_to_string(first.join("users.json")).expect("users");
    assert!(!users.contains("argon2"), "no PIN hashes");
    let schema = std::fs::read_to_string(first.join("schema.json")).expect("schema");
    assert!(schema.contains("sales.json") && schema.contains("never exported"));

    // Import into a new store, export again: the same records.
    let restored = root.path().join("restored");
    run_ok(&[
        "import",
        "export",
        s(&first),
        "--data",
        s(&restored),
        "--admin-pin",
        "2468",
    ]);
    run_ok(&["journal", "verify", "--data", s(&restored)]);
    let second = root.path().join("second");
    run_ok(&["export", "--data", s(&restored), "--out", s(&second)]);
    for f in files {
        let name = f["name"].as_str().expect("name");
        let a = std::fs::read_to_string(first.join(name)).expect("first");
        let b = std::fs::read_to_string(second.join(name)).expect("second");
        if name == "journal.json" {
            // The second store's journal goes on: the export, the rebuild.
            let a: Vec<serde_json::Value> = serde_json::from_str(&a).expect("json");
            let b: Vec<serde_json::Value> = serde_json::from_str(&b).expect("json");
            assert_eq!(a[..], b[..a.len()], "the journal came back as it was");
            assert!(
                b[a.len()..]
                    .iter()
                    .any(|e| e["event"]["restored"].is_object())
            );
        } else if name == "sync.json" || name == "counters.json" {
            // Not joined to head office any more; the outbox holds more.
        } else if name == "settings.json" {
            // A restored store is given a signing key of its own.
            let strip = |t: &str| {
                t.lines()
                    .filter(|l| !l.contains("public_key"))
                    .collect::<String>()
            };
            assert_eq!(strip(&a), strip(&b));
        } else {
            assert_eq!(a, b, "{name} differs after a round trip");
        }
    }
    // The admin logs in with the PIN given; the others wait for a new one.
    let script = write(root.path(), "login.txt", "login admin 2468\nlogout\n");
    run_ok(&["sale", "--data", s(&restored), "--script", s(&script)]);
    let script = write(root.path(), "cashier.txt", "login cashier 1111\n");
    assert!(
        !run(&["sale", "--data", s(&restored), "--script", s(&script)])
            .status
            .success()
    );

    // A file altered after export is refused before anything is written.
    let tampered = root.path().join("tampered");
    run_ok(&["export", "--data", s(&data), "--out", s(&tampered)]);
    let sales = tampered.join("sales.json");
    let text = std::fs::read_to_string(&sales)
        .expect("sales")
        .replacen("1.49", "0.01", 1);
    std::fs::write(&sales, text).expect("tamper");
    let out = run(&[
        "import",
        "export",
        s(&tampered),
        "--data",
        s(&root.path().join("bad")),
        "--admin-pin",
        "2468",
    ]);
    assert!(
        stderr(&out).contains("does not match its checksum"),
        "{}",
        stderr(&out)
    );
    assert!(!root.path().join("bad").exists());
}

#[test]
fn a_csv_export_flattens_sales_for_a_spreadsheet() {
    let root = tempfile::tempdir().expect("tempdir");
    let data = busy_store(root.path());
    let out = root.path().join("csv");
    run_ok(&[
        "export",
        "--data",
        s(&data),
        "--out",
        s(&out),
        "--format",
        "csv",
    ]);
    let sales = std::fs::read_to_string(out.join("sales.csv")).expect("sales.csv");
    let mut lines = sales.lines();
    assert!(
        lines
            .next()
            .expect("header")
            .starts_with("receipt,terminal,lane,cashier")
    );
    let first: Vec<&str> = lines.next().expect("a sale").split(',').collect();
    assert_eq!(
        (first[0], first[5], first[7], first[11]),
        ("1", "sale", "1", "2.98")
    );
    let lines = std::fs::read_to_string(out.join("sale_lines.csv")).expect("lines");
    assert_eq!(lines.lines().filter(|l| l.starts_with("1,")).count(), 2);
    let customers = std::fs::read_to_string(out.join("customers.csv")).expect("customers");
    assert!(
        customers.contains(NAME),
        "the owner's own export is readable"
    );
}

#[test]
fn head_office_never_holds_a_customers_details_and_hears_of_the_erasure() {
    let root = tempfile::tempdir().expect("tempdir");
    let data = busy_store(root.path());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let hq = common::hq::head_office(root.path(), port, &[&data]);
    let server = common::hq::HqServer::start(&hq, &format!("127.0.0.1:{port}"));
    run_ok(&["sync", "now", "--data", s(&data)]);
    ok(customers(
        &data,
        "manager",
        "9999",
        &["erase", "1", "--yes"],
    ));
    run_ok(&["sync", "now", "--data", s(&data)]);
    server.kill();

    let office = till::hq::Hq::open(&hq).expect("open head office");
    let t = office
        .store()
        .terminal("T01")
        .expect("read")
        .expect("enrolled");
    let store = Store::open(&data).expect("open");
    assert_eq!(
        t.next_entry,
        store.journal().count() as u64,
        "the erasure's entry arrived"
    );
    let mut sales = Vec::new();
    office
        .store()
        .for_each_sale(&mut |_, sale| sales.push(sale.sale.customer))
        .expect("sales");
    assert!(
        sales.contains(&Some(1)),
        "head office's sales name the customer by number"
    );
    drop(office);
    let raw = raw_bytes(&hq);
    for detail in [NAME, EMAIL, "GB123456789", "St James"] {
        assert!(!contains(&raw, detail), "head office holds {detail}");
    }
}

#[test]
fn purging_the_store_takes_an_admin_and_its_terminal_id_and_leaves_nothing() {
    let (dir, data) = common::demo_store();
    let purge = |user: &str, pin: &str, confirm: &str| {
        till()
            .args([
                "purge",
                "--all",
                "--data",
                s(&data),
                "--user",
                user,
                "--confirm",
                confirm,
            ])
            .env("TILL_PIN", pin)
            .output()
            .expect("till purge")
    };
    let out = purge("admin", "0000", "T99");
    assert!(stderr(&out).contains("--confirm T01"), "{}", stderr(&out));
    let out = purge("manager", "9999", "T01");
    assert!(stderr(&out).contains("only an admin"), "{}", stderr(&out));
    let out = purge("admin", "1234", "T01");
    assert!(
        stderr(&out).contains("wrong user or PIN"),
        "{}",
        stderr(&out)
    );
    assert!(
        data.join("terminal.key").exists(),
        "nothing went on a refusal"
    );
    let out = purge("admin", "0000", "T01");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!data.exists(), "records, journal and keys are gone");
    drop(dir);
}
