//! The till's own critical paths, in process: a scan to the next frame of
//! the sale screen (100k and 1M products), a sale's durable completion and
//! a whole 5-line sale beside one fdatasync and the same work in SQLite
//! (the commit alone, and the whole sale), in the same directory, and
//! type-ahead search over 100k products.
//!
//! `cargo bench --bench till_paths` (criterion's figures), or `benches/run`,
//! which also times the binary (cold start, memory, idle CPU) and prints
//! one table. Stores are made once under `target/bench-stores/` and kept;
//! the sale bench makes a fresh one for each run (see `sale_completion`).
//!
//! Criterion reports means and medians of batches; a cashier feels the
//! slowest scans, so each scan is also timed alone and the median and p99
//! of those are printed as `FIGURE` lines for `benches/run`.

use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use till::cli::args::InitArgs;
use till::domain::tender::TenderKind;
use till::engine::{Command, Engine, SessionId};
use till::store::Store;
use till::ui::app::App;
use till::ui::keymap::Keymap;
use till::ui::keys::Key;
use till::ui::theme::Theme;
use till::ui::view;
use till::ui::wedge::WedgeConfig;

fn stores() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-stores")
}

/// A demo store with `products` generated products more, made once.
fn store(products: usize) -> PathBuf {
    let root = stores();
    let dir = root.join(format!("products-{products}"));
    let done = root.join(format!("products-{products}.done"));
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&root).expect("bench-stores");
        let args = InitArgs {
            products,
            ..InitArgs::demo()
        };
        let started = Instant::now();
        drop(till::cli::init::run(&dir, &args).expect("bench store"));
        eprintln!(
            "made a store of {products} generated products in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        std::fs::write(&done, b"").expect("mark");
    }
    dir
}

/// Codes spread over the whole generated catalog, so scans touch cold and
/// warm parts of the tree alike.
fn codes(products: usize, n: usize) -> Vec<String> {
    let step = (products / n).max(1);
    till::demo::generated(products)
        .step_by(step)
        .take(n)
        .map(|p| p.barcodes[0].clone())
        .collect()
}

fn figure(name: &str, mut times: Vec<Duration>) {
    // A bench left out by a filter (`cargo bench -- sale_completion`) timed nothing.
    if times.is_empty() {
        return;
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize].as_nanos();
    println!(
        "FIGURE {name} median_ns={} p99_ns={} n={}",
        at(0.5),
        at(0.99),
        times.len()
    );
}

fn press(app: &mut App, keys: &str) {
    for word in keys.split(' ') {
        let key = Key::parse(word).expect("key");
        app.press(key);
    }
}

fn scan_to_frame(c: &mut Criterion) {
    let mut group = c.benchmark_group("scan_to_frame");
    for products in [100_000, 1_000_000] {
        let mut engine = Engine::new(Store::open(&store(products)).expect("open")).expect("engine");
        let codes = codes(products, 2000);
        let mut app = App::new(
            &mut engine,
            Keymap::shipped_default(),
            Theme::shipped_default(),
            WedgeConfig::default(),
            1,
        );
        press(&mut app, "c a s h i e r Enter 1 1 1 1 Enter");
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
        terminal.draw(|f| view::draw(f, &app)).expect("draw");
        let mut each = Vec::new();
        let mut next = 0;
        let label = format!("{}k", products / 1000);
        group.bench_function(BenchmarkId::from_parameter(&label), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let code = &codes[next % codes.len()];
                    next += 1;
                    let started = Instant::now();
                    app.scanned(code);
                    terminal.draw(|f| view::draw(f, &app)).expect("draw");
                    let took = started.elapsed();
                    total += took;
                    each.push(took);
                    // A till's sale has tens of lines, not thousands: pay
                    // (untimed) and start again every 20 scans.
                    if next % 20 == 0 {
                        press(&mut app, "Enter Enter");
                    }
                }
                total
            })
        });
        figure(&format!("scan_to_frame_{label}"), each);
        // The frame alone (the same sale screen drawn again), so the note
        // can say how the scan's time splits between engine and screen.
        let frames = (0..2000)
            .map(|_| {
                let started = Instant::now();
                terminal.draw(|f| view::draw(f, &app)).expect("draw");
                started.elapsed()
            })
            .collect();
        figure(&format!("frame_only_{label}"), frames);
    }
    group.finish();
}

fn login(engine: &mut Engine) -> SessionId {
    engine.login("cashier", "1111", 1).expect("login")
}

fn scan(engine: &mut Engine, session: SessionId, code: &str) {
    let scan = Command::Scan {
        code: code.to_string(),
        quantity: None,
    };
    engine.execute(session, scan).expect("scan");
}

fn pay(engine: &mut Engine, session: SessionId) {
    let pay = Command::Tender {
        kind: TenderKind::Card,
        amount: None,
    };
    engine.execute(session, pay).expect("complete");
}

/// A durable sale beside its anchors, in the same directory and run: one
/// 512-byte write made durable by fdatasync (the disk's own limit: one
/// trip), and the same work in SQLite in WAL mode (the store a shop's
/// developer would pick instead): the sale's commit alone, beside the
/// completion, and the whole sale, beside the till's (see [`SqliteSale`]).
fn sale_completion(c: &mut Criterion) {
    // A store of its own, made for this run and removed after it: the sales
    // made here would otherwise stay in the kept store, and every later
    // run's cold start and memory would be of a store with more history.
    std::fs::create_dir_all(stores()).expect("bench-stores");
    let scratch = tempfile::tempdir_in(stores()).expect("scratch");
    let dir = scratch.path().join("store");
    let args = InitArgs {
        products: 100_000,
        ..InitArgs::demo()
    };
    drop(till::cli::init::run(&dir, &args).expect("scratch store"));
    let mut engine = Engine::new(Store::open(&dir).expect("open")).expect("engine");
    let session = login(&mut engine);
    let codes = codes(100_000, 500);
    let mut group = c.benchmark_group("sale_completion");
    group.sample_size(30);
    let mut next = 0;
    let mut code = move || {
        next += 1;
        codes[next % codes.len()].clone()
    };
    // The tender alone: the wait a cashier has after the last scan.
    group.bench_function("completion", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                for _ in 0..5 {
                    scan(&mut engine, session, &code());
                }
                let started = Instant::now();
                pay(&mut engine, session);
                total += started.elapsed();
            }
            total
        })
    });
    // Five scans and the tender: all the disk work one sale does.
    group.bench_function("whole_sale", |b| {
        b.iter(|| {
            for _ in 0..5 {
                scan(&mut engine, session, &code());
            }
            pay(&mut engine, session);
        })
    });
    let anchors = tempfile::tempdir_in(&dir).expect("anchor dir");
    let mut file = std::fs::File::create(anchors.path().join("fdatasync.bin")).expect("file");
    // Written out once, so each round below is a data write and nothing
    // else (no size or extent to record): the cheapest disk trip there is.
    file.write_all(&[0u8; 4096]).expect("write");
    file.sync_all().expect("fsync");
    group.bench_function("fdatasync", |b| {
        b.iter(|| {
            file.write_all_at(&[7u8; 512], 0).expect("write");
            file.sync_data().expect("fdatasync");
        })
    });
    let mut sqlite = SqliteSale::new(&anchors.path().join("anchor.sqlite"), 100_000);
    group.bench_function("sqlite_wal_full", |b| b.iter(|| sqlite.commit(None)));
    // The codes the till's whole sale scans, in the same catalog.
    let codes = crate::codes(100_000, 500);
    let mut next = 0;
    group.bench_function("sqlite_whole_sale", |b| {
        b.iter(|| {
            let scanned: Vec<_> = (0..5)
                .map(|_| {
                    next += 1;
                    sqlite.scan(&codes[next % codes.len()])
                })
                .collect();
            sqlite.commit(Some(&scanned));
        })
    });
    group.finish();
}

/// A product as the SQLite anchor's scan finds it.
struct SqliteLine {
    sku: String,
    price: String,
}

/// The same 5-line sale as SQLite would keep it, with the statements
/// prepared once: a scan looks its code up among as many products as the
/// till's store holds and saves the lane's open cart (`synchronous=NORMAL`:
/// in WAL mode that commit is not waited for, as the till's cart is not),
/// and the tender commits the receipt counter, the sale, its five lines,
/// its journal entry and its outbox row and drops the cart, in one
/// transaction (`synchronous=FULL`: waited for, as the till's sale is).
/// It does the store's part only: no barcode rules, prices or totals, which
/// the till's whole sale works out besides.
struct SqliteSale {
    db: rusqlite::Connection,
    receipt: i64,
    cart: Vec<u8>,
}

impl SqliteSale {
    fn new(path: &Path, products: usize) -> SqliteSale {
        let mut db = rusqlite::Connection::open(path).expect("sqlite");
        db.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
             CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER);
             INSERT INTO counters VALUES ('receipt', 0);
             CREATE TABLE products(sku TEXT PRIMARY KEY, barcode TEXT UNIQUE, name TEXT,
                                   price TEXT, tax TEXT);
             CREATE TABLE carts(lane INTEGER PRIMARY KEY, body BLOB);
             CREATE TABLE sales(receipt INTEGER PRIMARY KEY, at TEXT, total TEXT, body BLOB);
             CREATE TABLE lines(receipt INTEGER, line INTEGER, code TEXT, qty TEXT, price TEXT,
                                PRIMARY KEY(receipt, line));
             CREATE TABLE journal(seq INTEGER PRIMARY KEY, prev BLOB, hash BLOB, body BLOB);
             CREATE TABLE outbox(seq INTEGER PRIMARY KEY, body BLOB);",
        )
        .expect("schema");
        let tx = db.transaction().expect("begin");
        {
            let mut insert = tx
                .prepare("INSERT INTO products VALUES (?1, ?2, ?3, ?4, ?5)")
                .expect("insert");
            for p in till::demo::generated(products) {
                let price = p.price.to_string();
                insert
                    .execute([&p.sku, &p.barcodes[0], &p.name, &price, &p.tax_code])
                    .expect("product");
            }
        }
        tx.commit().expect("products");
        SqliteSale {
            db,
            receipt: 0,
            cart: Vec::new(),
        }
    }

    /// One scan: the code looked up, and the cart (grown by the line, about
    /// as many bytes as the till's cart grows) saved without waiting.
    fn scan(&mut self, code: &str) -> SqliteLine {
        let line = self
            .db
            .prepare_cached("SELECT sku, price FROM products WHERE barcode = ?1")
            .and_then(|mut s| {
                s.query_row([code], |row| {
                    Ok(SqliteLine {
                        sku: row.get(0)?,
                        price: row.get(1)?,
                    })
                })
            })
            .expect("the code is in the catalog");
        self.cart.extend_from_slice(&[1u8; 60]);
        self.db
            .execute_batch("PRAGMA synchronous=NORMAL")
            .expect("normal");
        self.db
            .prepare_cached("INSERT OR REPLACE INTO carts VALUES (1, ?1)")
            .and_then(|mut s| s.execute([&self.cart]))
            .expect("cart");
        line
    }

    /// The tender: the sale of `lines` (made up when only the commit is
    /// timed) made durable.
    fn commit(&mut self, lines: Option<&[SqliteLine]>) {
        self.receipt += 1;
        let r = self.receipt;
        let body = [0u8; 300];
        self.db
            .execute_batch("PRAGMA synchronous=FULL")
            .expect("full");
        let tx = self.db.transaction().expect("begin");
        tx.prepare_cached("UPDATE counters SET value = ?1 WHERE name = 'receipt'")
            .and_then(|mut s| s.execute([r]))
            .expect("counter");
        tx.prepare_cached("INSERT INTO sales VALUES (?1, '2026-12-02T10:00:00Z', '12.34', ?2)")
            .and_then(|mut s| s.execute(rusqlite::params![r, &body[..]]))
            .expect("sale");
        for line in 1..=5 {
            let (code, price) = lines.map_or(("g0000001", "2.49"), |l| {
                let l = &l[line - 1];
                (l.sku.as_str(), l.price.as_str())
            });
            tx.prepare_cached("INSERT INTO lines VALUES (?1, ?2, ?3, '1', ?4)")
                .and_then(|mut s| s.execute(rusqlite::params![r, line, code, price]))
                .expect("line");
        }
        tx.prepare_cached("INSERT INTO journal VALUES (?1, ?2, ?2, ?3)")
            .and_then(|mut s| s.execute(rusqlite::params![r, &[1u8; 32][..], &body[..]]))
            .expect("journal");
        tx.prepare_cached("INSERT INTO outbox VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(rusqlite::params![r, &body[..]]))
            .expect("outbox");
        tx.prepare_cached("DELETE FROM carts WHERE lane = 1")
            .and_then(|mut s| s.execute([]))
            .expect("cart");
        tx.commit().expect("commit");
        self.cart.clear();
    }
}

fn product_search(c: &mut Criterion) {
    for (products, label) in [(100_000, "100k"), (1_000_000, "1m")] {
        let mut engine = Engine::new(Store::open(&store(products)).expect("open")).expect("engine");
        // The index is built on the first search after start; time that too.
        let started = Instant::now();
        engine.search("a", 20).expect("search");
        println!(
            "FIGURE search_index_build_{label} median_ns={} p99_ns={0} n=1",
            started.elapsed().as_nanos()
        );
        let mut group = c.benchmark_group(format!("product_search_{label}"));
        for (name, query) in [
            ("prefix", "hartley"),
            ("substring", "sourdough"),
            ("two_words", "bread rye"),
            ("no_match", "xyzzy"),
        ] {
            group.bench_function(name, |b| {
                b.iter(|| engine.search(query, 20).expect("search"))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, scan_to_frame, sale_completion, product_search);
criterion_main!(benches);
