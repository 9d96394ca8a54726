//! The `till` binary end to end, as a shop owner or support would run it.

use crate::common;

use common::{run, run_ok, s, stderr, stdout, write};

const SALE: &str = "\
login cashier 1111
scan 4006381333931
scan 3*5901234123457   # three chocolate bars
scan 1.25*4011         # bananas by weight
pay cash 20
";

#[test]
fn init_sell_verify_export_from_a_fresh_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("store");
    let out = run_ok(&["init", "--demo", "--data", s(&data)]);
    assert!(out.contains("with 323 products"), "{out}");
    let key = std::fs::metadata(data.join("terminal.key")).expect("key file");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(key.permissions().mode() & 0o777, 0o600);

    let script = write(dir.path(), "sale.till", SALE);
    let out = run_ok(&["sale", "--data", s(&data), "--script", s(&script)]);
    assert!(out.contains("RECEIPT T01-000001"), "{out}");
    assert!(out.contains("TOTAL EUR") && out.contains("9.95"), "{out}");
    assert!(out.contains("change") && out.contains("10.05"), "{out}");

    let out = run_ok(&["journal", "verify", "--data", s(&data)]);
    assert!(out.contains("journal OK: 7 entries"), "{out}");

    let export = dir.path().join("export");
    run_ok(&["export", "--data", s(&data), "--out", s(&export)]);
    let sales: serde_json::Value =
        serde_json::from_slice(&std::fs::read(export.join("sales.json")).expect("sales.json"))
            .expect("json");
    assert_eq!(sales[0]["receipt"], 1);
    assert_eq!(sales[0]["totals"]["total"], "9.95");
    assert_eq!(sales[0]["sale"]["lines"][2]["name"], "Bananas");
    let users = std::fs::read_to_string(export.join("users.json")).expect("users.json");
    assert!(
        !users.contains("argon2"),
        "PIN hashes never leave the store"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(export.join("manifest.json")).expect("manifest"))
            .expect("json");
    for file in manifest["files"].as_array().expect("files") {
        let name = file["name"].as_str().expect("name");
        let bytes = std::fs::read(export.join(name)).expect("exported file");
        use sha2::Digest;
        assert_eq!(
            file["sha256"],
            hex::encode(sha2::Sha256::digest(&bytes)),
            "{name}"
        );
    }
    let journal: serde_json::Value =
        serde_json::from_slice(&std::fs::read(export.join("journal.json")).expect("journal"))
            .expect("json");
    assert_eq!(
        journal.as_array().expect("entries").len(),
        7,
        "no printer: no drawer opening"
    );

    let today = chrono::Local::now().date_naive().to_string();
    let csv = run_ok(&[
        "report",
        "sales",
        "--data",
        s(&data),
        "--from",
        &today,
        "--to",
        &today,
        "--format",
        "csv",
    ]);
    assert_eq!(
        csv,
        format!("date,sales,refunds,gross,tax,net\n{today},1,0,9.95,0.69,9.26\n")
    );
}

/// A script's Z refuses while a lane has a sale open, as the screen's does,
/// and with `despite-open-sales` takes it, leaving that sale to the next Z.
#[test]
fn a_scripts_z_report_refuses_open_sales_unless_told() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("store");
    run_ok(&["init", "--demo", "--data", s(&data)]);
    let open = write(
        dir.path(),
        "open.till",
        "login cashier 1111 2\nscan 9780306406157\n",
    );
    run_ok(&["sale", "--data", s(&data), "--script", s(&open)]);
    let z = write(dir.path(), "z.till", "login manager 9999\nz-report\n");
    let o = run(&["sale", "--data", s(&data), "--script", s(&z)]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("z.till:2: lane 2 has an open sale of 24.50"),
        "{}",
        stderr(&o)
    );
    let z = write(
        dir.path(),
        "z.till",
        "login manager 9999\nz-report despite-open-sales\n",
    );
    let out = run_ok(&["sale", "--data", s(&data), "--script", s(&z)]);
    assert!(out.contains("Z REPORT 1 (the day is closed)"), "{out}");
    let pay = write(dir.path(), "pay.till", "login cashier 1111 2\npay card\n");
    let out = run_ok(&["sale", "--data", s(&data), "--script", s(&pay)]);
    assert!(
        out.contains("RECEIPT T01-000001") && out.contains("Paperback"),
        "the open sale was left to finish: {out}"
    );
    let bad = write(dir.path(), "bad.till", "login manager 9999\nz-report now\n");
    let o = run(&["sale", "--data", s(&data), "--script", s(&bad)]);
    assert!(
        stderr(&o).contains("bad.till:2: 'z-report' takes only 'despite-open-sales', not 'now'"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn script_errors_name_the_line_and_keep_what_was_done() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (n, (script, expected)) in [
        (
            "login cashier 1111\nscan 4006381333932\n",
            "sale.till:2: check digit",
        ),
        (
            "login cashier 1111\nscan 4000000000006\n",
            "sale.till:2: no product has code 4000000000006",
        ),
        (
            "login cashier 1111\nscan 4006381333931\npay card 5\n",
            "sale.till:3: card payment of 5 is more than the 1.49 due",
        ),
        ("login cashier 1234\n", "sale.till:1: wrong user or PIN"),
        ("scan 4006381333931\n", "sale.till:1: log in first"),
        (
            "login cashier 1111\nfrobnicate\n",
            "sale.till:2: unknown command 'frobnicate'",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let data = dir.path().join(format!("store{n}"));
        run_ok(&["init", "--demo", "--data", s(&data)]);
        let path = write(dir.path(), "sale.till", script);
        let o = run(&["sale", "--data", s(&data), "--script", s(&path)]);
        assert!(!o.status.success(), "{script}");
        assert!(stderr(&o).contains(expected), "{script}: {}", stderr(&o));
    }
    // Paying less than due completes nothing: the cart waits for the rest,
    // even across runs.
    let data = dir.path().join("store");
    run_ok(&["init", "--demo", "--data", s(&data)]);
    let path = write(
        dir.path(),
        "sale.till",
        "login cashier 1111\nscan 9780306406157\npay cash 20\n",
    );
    let out = run_ok(&["sale", "--data", s(&data), "--script", s(&path)]);
    assert!(
        out.contains("due 4.50") && !out.contains("RECEIPT"),
        "{out}"
    );
    let path = write(dir.path(), "rest.till", "login cashier 1111\npay card\n");
    let out = run_ok(&["sale", "--data", s(&data), "--script", s(&path)]);
    assert!(
        out.contains("RECEIPT T01-000001") && out.contains("Paperback"),
        "{out}"
    );
    let out = run_ok(&["journal", "verify", "--data", s(&data)]);
    assert!(out.contains("journal OK"), "{out}");
}

#[test]
fn the_demo_command_makes_its_store_and_needs_a_terminal_for_the_screen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("demo");
    let o = run(&["--demo", "--data", s(&data)]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("created a demo store"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("the till screen needs a terminal"),
        "{}",
        stderr(&o)
    );
    let out = run_ok(&["journal", "verify", "--data", s(&data)]);
    assert!(out.contains("journal OK"), "{out}");
}

#[test]
fn stores_that_are_foreign_missing_or_busy_get_clear_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = run(&["journal", "verify", "--data", s(&dir.path().join("none"))]);
    assert!(
        stderr(&o).contains("no till store at") && stderr(&o).contains("till init"),
        "{}",
        stderr(&o)
    );

    write(dir.path(), "photo.jpg", "not a store");
    let o = run(&["journal", "verify", "--data", s(dir.path())]);
    assert!(stderr(&o).contains("is not a till store"), "{}", stderr(&o));
    let o = run(&["init", "--data", s(dir.path()), "--admin-pin", "4321"]);
    assert!(stderr(&o).contains("is not a till store"), "{}", stderr(&o));

    let data = dir.path().join("store");
    run_ok(&["init", "--demo", "--data", s(&data)]);
    let held = till::store::Store::open(&data).expect("hold the store");
    let o = run(&["journal", "verify", "--data", s(&data)]);
    let msg = stderr(&o);
    assert!(!o.status.success());
    assert!(
        msg.contains(&format!("in use by process {}", std::process::id())),
        "{msg}"
    );
    drop(held);
    run_ok(&["journal", "verify", "--data", s(&data)]);

    let o = run(&["init", "--data", s(&dir.path().join("new"))]);
    assert!(stderr(&o).contains("--admin-pin"), "{}", stderr(&o));
}

#[test]
fn a_broken_journal_fails_verify_naming_the_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("store");
    run_ok(&["init", "--demo", "--data", s(&data)]);
    {
        let db = common::raw_sled(&data);
        let journal = db.open_tree("journal").expect("journal");
        journal.remove(2u64.to_be_bytes()).expect("remove an entry");
        db.flush().expect("flush");
    }
    let o = run(&["journal", "verify", "--data", s(&data)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("journal entry 2 is missing"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty());
}

#[test]
fn a_bad_product_csv_imports_nothing_and_lists_every_bad_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("store");
    run_ok(&["init", "--data", s(&data), "--admin-pin", "4321"]);
    let csv = write(
        dir.path(),
        "products.csv",
        "sku,name,price,tax,unit,barcodes,plu\n\
         tea,Green tea,3.49,food,each,4006381333931,\n\
         ,No sku,1.00,std,each,,\n\
         cof,Coffee,x,std,each,,\n\
         sug,Sugar,1.20,luxury,each,,\n\
         oat,Oats,2.10,food,each,4006381333932,\n\
         apl,Apples,2.99,food,kg,,4131\n\
         pea,Pears,2.99,food,kg,,4131\n",
    );
    let o = run(&["import", "products", s(&csv), "--data", s(&data)]);
    let msg = stderr(&o);
    assert!(!o.status.success());
    assert!(msg.contains("nothing was imported"), "{msg}");
    for expected in [
        "products.csv:3: the sku is empty",
        "products.csv:4: price: 'x' is not an amount",
        "products.csv:5: tax category 'luxury' is not configured",
        "products.csv:6: barcode 4006381333932",
        "products.csv:8: code 4131 on lines 7 and 8",
    ] {
        assert!(msg.contains(expected), "missing «{expected}» in:\n{msg}");
    }
    assert!(
        !msg.contains("products.csv:2:") && !msg.contains("products.csv:7:"),
        "{msg}"
    );
    let export = dir.path().join("e");
    run_ok(&["export", "--data", s(&data), "--out", s(&export)]);
    assert_eq!(
        std::fs::read_to_string(export.join("products.json"))
            .expect("products")
            .trim(),
        "[]"
    );

    let good = write(
        dir.path(),
        "good.csv",
        "sku,name,price,tax,unit,barcodes,plu\ntea,Green tea,3.49,food,each,4006381333931;036000291452,\napl,Apples,2.99,food,kg,,4131\n",
    );
    assert!(
        run_ok(&["import", "products", s(&good), "--data", s(&data)])
            .contains("imported 2 products")
    );
    let sale = write(
        dir.path(),
        "s.till",
        "login admin 4321\nscan 036000291452\nscan 0.5*4131\npay card\n",
    );
    let out = run_ok(&["sale", "--data", s(&data), "--script", s(&sale)]);
    assert!(
        out.contains("Green tea") && out.contains("Apples") && out.contains("4.99"),
        "{out}"
    );
}

#[test]
fn doctor_prints_a_test_page_and_names_a_missing_scanner() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("store");
    run_ok(&["init", "--demo", "--data", s(&data)]);
    let page = dir.path().join("page.bin");
    let config = write(
        dir.path(),
        "till.toml",
        &format!(
            "[devices]\nprinter = \"file://{}\"\nscanner = \"serial:///dev/ttyNOPE7\"\n[printer]\ncolumns = 32\n",
            page.display()
        ),
    );
    let o = run(&[
        "doctor",
        "--data",
        s(&data),
        "--config",
        s(&config),
        "--listen-seconds",
        "1",
    ]);
    let out = stdout(&o);
    assert!(
        out.contains("test page sent") && out.contains("TEST PAGE"),
        "{out}"
    );
    assert!(out.contains("/dev/ttyNOPE7 is not there"), "{out}");
    assert!(!o.status.success(), "a missing scanner fails the check");
    let bytes = std::fs::read(&page).expect("the page went to the printer file");
    assert!(
        till::devices::printer::preview::to_text(&bytes, 32)
            .contains("32 columns, code page PC858")
    );

    let bad = write(dir.path(), "bad.toml", "[printer]\ncolumns = 40\n");
    let o = run(&["journal", "verify", "--data", s(&data), "--config", s(&bad)]);
    assert!(
        stderr(&o).contains("bad.toml:2: columns = 40"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn config_check_names_a_mistake_or_prints_what_is_in_effect() {
    let dir = tempfile::tempdir().expect("tempdir");
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/till.toml");
    let shown = run_ok(&["config", "check", "--config", s(&example)]);
    assert!(shown.starts_with("# effective configuration: "), "{shown}");
    // What it prints is itself a config the till reads, to the same effect.
    let again = write(dir.path(), "effective.toml", &shown);
    assert_eq!(
        run_ok(&["config", "check", "--config", s(&again)])
            .lines()
            .skip(1)
            .collect::<Vec<_>>(),
        shown.lines().skip(1).collect::<Vec<_>>()
    );
    // Defaults are filled in where the file says nothing.
    let small = write(dir.path(), "small.toml", "[printer]\ncolumns = 32\n");
    let shown = run_ok(&["config", "check", "--config", s(&small)]);
    assert!(
        shown.contains("columns = 32") && shown.contains("batch_entries = 500"),
        "{shown}"
    );
    let bad = write(
        dir.path(),
        "bad.toml",
        "[printer]\ncolumns = 32\n[retention]\nsales_years = 0\n",
    );
    let out = run(&["config", "check", "--config", s(&bad)]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("bad.toml:4"), "{}", stderr(&out));
}

#[test]
fn oversized_or_broken_product_csvs_are_refused_at_their_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("store");
    run_ok(&["init", "--data", s(&data), "--admin-pin", "4321"]);
    let import = |path: &std::path::Path| {
        let o = run(&["import", "products", s(path), "--data", s(&data)]);
        assert!(!o.status.success(), "{}", stdout(&o));
        stderr(&o)
    };
    let header = "sku,name,price,tax,unit,barcodes,plu\n";
    let long = format!(
        "{header}tea,{},3.49,food,each,,\nhuge,{},1.00,food,each,,\nlater,Later,1.00,food,each,,\n",
        "n".repeat(121),
        "n".repeat(5 << 20)
    );
    let msg = import(&write(dir.path(), "long.csv", &long));
    for expected in [
        "long.csv:2: the name is longer than 120 characters",
        "long.csv:3: the line is longer than 8192 bytes",
    ] {
        assert!(msg.contains(expected), "missing «{expected}» in:\n{msg}");
    }
    assert!(msg.len() < 2000, "the 5 MiB name is not echoed");

    let mut rows = header.to_string();
    for i in 1..=9 {
        let sku = if i == 2 || i == 8 {
            "d4".to_string()
        } else {
            format!("s{i}")
        };
        rows += &format!("{sku},Item {i},1.00,food,each,,\n");
    }
    let msg = import(&write(dir.path(), "dups.csv", &rows));
    assert!(msg.contains("dups.csv:9: sku d4 on lines 3 and 9"), "{msg}");

    for (name, text, words) in [
        ("empty.csv", "", "empty.csv: the file is empty"),
        ("header.csv", header, "header.csv: no products"),
    ] {
        let msg = import(&write(dir.path(), name, text));
        assert!(msg.contains(words), "{msg}");
    }

    let bad = dir.path().join("utf8.csv");
    std::fs::write(
        &bad,
        b"sku,name,price,tax,unit,barcodes,plu\ntea,Tea,1.00,food,each,,\ncaf,Caf\xe9,2.00,food,each,,\n",
    )
    .expect("write");
    let msg = import(&bad);
    assert!(msg.contains("utf8.csv:3: this line is not UTF-8"), "{msg}");

    let export = dir.path().join("e");
    run_ok(&["export", "--data", s(&data), "--out", s(&export)]);
    let products = std::fs::read_to_string(export.join("products.json")).expect("products");
    assert_eq!(products.trim(), "[]", "nothing was imported");
}

#[test]
fn oversized_or_broken_config_files_are_refused_naming_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("till.toml");
    std::fs::write(
        &bad,
        b"[printer]\ncolumns = 32\ncode_page = \"PC\xff858\"\n",
    )
    .expect("write");
    let out = run(&["config", "check", "--config", s(&bad)]);
    assert!(!out.status.success());
    let msg = stderr(&out);
    assert!(msg.contains(&format!("{}:3: ", bad.display())), "{msg}");
    assert!(msg.contains("not UTF-8"), "{msg}");

    let huge = dir.path().join("huge.toml");
    let big = format!("[receipt]\nheader = [\"{}\"]\n", "x".repeat(2 << 20));
    std::fs::write(&huge, big).expect("write");
    let out = run(&["config", "check", "--config", s(&huge)]);
    assert!(!out.status.success());
    let msg = stderr(&out);
    assert!(
        msg.contains(&format!("{}: it is ", huge.display())),
        "{msg}"
    );
    assert!(msg.contains("more than the 1048576"), "{msg}");
}

#[test]
fn init_demo_products_makes_a_large_catalog_whose_codes_scan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("store");
    let demo = till::demo::catalog().len();
    let said = run_ok(&["init", "--demo", "--products", "25000", "--data", s(&data)]);
    assert!(
        said.contains(&format!("with {} products", demo + 25_000)),
        "{said}"
    );
    // The last generated product (beyond the first 10 000-product batch) sells.
    let last = till::demo::generated(25_000).last().expect("a product");
    let script = write(
        dir.path(),
        "sale.txt",
        &format!("login cashier 1111\nscan {}\npay card\n", last.barcodes[0]),
    );
    let out = run_ok(&["sale", "--script", s(&script), "--data", s(&data)]);
    assert!(out.contains(&last.name), "{out}");
    let refused = run(&[
        "init",
        "--products",
        "10",
        "--data",
        s(&dir.path().join("x")),
    ]);
    assert!(!refused.status.success());
}

/// `till hq …` is head office's own program, `till-hq`, run in the till's
/// place: its output and exit code are the caller's, its usage errors too.
#[test]
fn till_hq_runs_till_hq_with_its_output_and_exit_code() {
    let version = common::run_ok(&["hq", "--version"]);
    assert!(version.starts_with("till-hq "), "{version}");
    let help = common::run_ok(&["hq", "--help"]);
    assert!(help.contains("serve") && help.contains("enroll"), "{help}");

    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("no-hq");
    let missing = missing.to_str().expect("utf-8");
    // A --data before `hq` reaches till-hq as well as one after it.
    for args in [
        &["hq", "terminals", "--data", missing][..],
        &["--data", missing, "hq", "terminals"],
    ] {
        let out = common::run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let said = common::stderr(&out);
        assert!(
            said.starts_with("till-hq: ") && said.contains("no-hq"),
            "{args:?}: {said}"
        );
    }
    // clap's usage error, exit 2, as till-hq gives it.
    let out = common::run(&["hq", "no-such-command"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr(&out).contains("no-such-command"));
}

/// A till without `till-hq` beside it or on PATH says what is missing.
#[test]
fn till_hq_missing_is_named() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("tempdir");
    let alone = dir.path().join("till");
    // A link, not a copy: the binary finds its neighbours by the path it was run by.
    std::fs::hard_link(env!("CARGO_BIN_EXE_till"), &alone).expect("link the till");
    let out = std::process::Command::new(&alone)
        .args(["hq", "--version"])
        .env("PATH", dir.path())
        .env("TILL_CONFIG", "/dev/null")
        .env_remove("TILL_DATA")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let said = common::stderr(&out);
    assert!(said.contains("till-hq") && said.contains("PATH"), "{said}");
}
