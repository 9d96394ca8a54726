//! Head-office sync over real TLS on loopback: `till hq serve` as its own
//! process, terminals as stores and engines in this one, and a TCP proxy
//! between them that can cut connections where a bad network would, hold a
//! batch past the terminal's patience, or answer as a broken head office.

use crate::common;
use common::sale::scan;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::hq::{HqServer, head_office};
use common::s;
use till::cli::args::InitArgs;
use till::domain::money::Money;
use till::engine::{Command, Engine};
use till::hq::Hq;
use till::proto::client::HqClient;
use till::proto::wire::{Batch, Refusal, Signed};
use till::store::Store;
use till::store::envelope::decode;
use till::store::journal::JournalEvent;
use till::sync::config::SyncConfig;
use till::sync::worker::{self, Worker};

/// Sync settings for tests: small batches, sent at once, quick retries.
fn fast() -> SyncConfig {
    SyncConfig {
        batch_entries: 40,
        batch_age_seconds: 0,
        poll_ms: 20,
        retry_min_ms: 20,
        retry_max_seconds: 1,
        timeout_seconds: 5,
        ..SyncConfig::default()
    }
}

// ---- a proxy that breaks connections on request ----------------------------

/// Client bytes after which a connection is carrying a batch (TLS hello and
/// handshake are well under this; a batch of 40 sales is well over).
const BATCH_BYTES: usize = 4000;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fault {
    /// Forward part of the batch, then cut both sides: head office never
    /// gets the whole request.
    CutRequest,
    /// Forward the whole batch, then throw head office's answer away and
    /// cut the terminal off: head office stored it, the terminal never heard.
    DropAnswer,
    /// Hold the batch half-sent until released.
    Hold,
    /// Sit on the batch past the terminal's timeout, then deliver it all:
    /// head office gets it once the terminal has given up and sent it again.
    Slow,
    /// Answer the next connection as a head office whose server fails: TLS
    /// with its own certificate, then `500 Internal Server Error`.
    ServerError,
}

/// Longer than `fast()`'s timeout.
const SLOW: Duration = Duration::from_secs(8);

#[derive(Default)]
struct ProxyState {
    upstream: Option<String>,
    /// Head office's own TLS set-up, for answering as it (`ServerError`).
    tls: Option<Arc<rustls::ServerConfig>>,
    faults: Vec<Fault>,
    done: Vec<Fault>,
    released: bool,
}

struct Proxy {
    port: u16,
    state: Arc<Mutex<ProxyState>>,
    held: Arc<AtomicUsize>,
}

impl Proxy {
    fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(Mutex::new(ProxyState::default()));
        let held = Arc::new(AtomicUsize::new(0));
        let (st, h) = (state.clone(), held.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (st, h) = (st.clone(), h.clone());
                std::thread::spawn(move || relay(client, st, h));
            }
        });
        Proxy { port, state, held }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ProxyState> {
        self.state.lock().expect("proxy state")
    }

    fn upstream(&self, addr: &str) {
        self.lock().upstream = Some(addr.to_string());
    }

    fn arm(&self, fault: Fault) {
        self.lock().faults.push(fault);
    }

    fn done(&self) -> Vec<Fault> {
        self.lock().done.clone()
    }
}

/// Answers as head office with a server error: whatever the terminal asks.
fn answer_500(client: TcpStream, tls: Arc<rustls::ServerConfig>) {
    let Ok(conn) = rustls::ServerConnection::new(tls) else {
        return;
    };
    let mut stream = rustls::StreamOwned::new(conn, client);
    // The whole request is read first: closing on unread bytes would reset
    // the connection, and the terminal would never see the answer.
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let whole = |seen: &[u8]| {
        let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") else {
            return false;
        };
        let head = String::from_utf8_lossy(&seen[..end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        seen.len() >= end + 4 + length
    };
    while !whole(&seen) {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    let body = "the head office database is down";
    let _ = write!(
        stream,
        "HTTP/1.1 500 Internal Server Error\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
    stream.conn.send_close_notify();
    let _ = stream.flush();
}

fn relay(client: TcpStream, state: Arc<Mutex<ProxyState>>, held: Arc<AtomicUsize>) {
    {
        let mut st = state.lock().expect("state");
        if st.faults.first() == Some(&Fault::ServerError) {
            st.faults.remove(0);
            st.done.push(Fault::ServerError);
            let tls = st
                .tls
                .clone()
                .expect("head office's TLS set-up for ServerError");
            drop(st);
            return answer_500(client, tls);
        }
    }
    let upstream = state.lock().expect("state").upstream.clone();
    let Some(Ok(server)) = upstream.map(TcpStream::connect) else {
        return; // head office is down: the terminal sees the connection close
    };
    let fault: Arc<Mutex<Option<Fault>>> = Arc::new(Mutex::new(None));
    let (mut c_in, mut s_out) = (
        client.try_clone().expect("clone"),
        server.try_clone().expect("clone"),
    );
    let (f, st) = (fault.clone(), state.clone());
    let (c2, s2) = (
        client.try_clone().expect("clone"),
        server.try_clone().expect("clone"),
    );
    let up = std::thread::spawn(move || {
        let mut sent = 0usize;
        let mut buf = [0u8; 2048];
        loop {
            let n = match c_in.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let before = sent;
            sent += n;
            if before < BATCH_BYTES && sent >= BATCH_BYTES {
                let mut state = st.lock().expect("state");
                if !state.faults.is_empty() {
                    let taken = state.faults.remove(0);
                    state.done.push(taken);
                    *f.lock().expect("fault") = Some(taken);
                }
            }
            let now = *f.lock().expect("fault");
            match now {
                Some(Fault::CutRequest) => {
                    let _ = s_out.write_all(&buf[..n / 2]);
                    let _ = c2.shutdown(Shutdown::Both);
                    let _ = s2.shutdown(Shutdown::Both);
                    return;
                }
                Some(Fault::Slow) => {
                    std::thread::sleep(SLOW);
                    *f.lock().expect("fault") = None;
                }
                Some(Fault::Hold) => {
                    held.fetch_add(1, Ordering::SeqCst);
                    while !st.lock().expect("state").released {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    held.fetch_sub(1, Ordering::SeqCst);
                    *f.lock().expect("fault") = None;
                }
                _ => {}
            }
            if s_out.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = s_out.shutdown(Shutdown::Write);
    });
    let (mut s_in, mut c_out) = (server, client);
    let mut buf = [0u8; 2048];
    loop {
        let n = match s_in.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if *fault.lock().expect("fault") == Some(Fault::DropAnswer) {
            // Head office has the whole batch and is answering: cut the terminal off.
            let _ = c_out.shutdown(Shutdown::Both);
            break;
        }
        if c_out.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = c_out.shutdown(Shutdown::Both);
    let _ = up.join();
}

// ---- terminals ----------------------------------------------------------

/// A demo store for terminal `id`.
fn terminal_store(root: &Path, id: &str) -> PathBuf {
    let path = root.join(id);
    let mut args = InitArgs::demo();
    args.terminal = id.to_string();
    args.store_name = format!("Shop {id}");
    drop(till::cli::init::run(&path, &args).expect("terminal store"));
    path
}

/// Terminals enrolled at a head office they reach through a proxy.
struct Rig {
    root: tempfile::TempDir,
    proxy: Proxy,
    hq: PathBuf,
    terminals: Vec<PathBuf>,
}

impl Rig {
    fn new(ids: &[&str]) -> Rig {
        Rig::in_dir(tempfile::tempdir().expect("tempdir"), ids)
    }

    fn in_dir(root: tempfile::TempDir, ids: &[&str]) -> Rig {
        let proxy = Proxy::start();
        let terminals: Vec<PathBuf> = ids
            .iter()
            .map(|id| terminal_store(root.path(), id))
            .collect();
        let paths: Vec<&Path> = terminals.iter().map(PathBuf::as_path).collect();
        let hq = head_office(root.path(), proxy.port, &paths);
        Rig {
            root,
            proxy,
            hq,
            terminals,
        }
    }

    /// Starts head office and points the proxy at it.
    fn serve(&self) -> HqServer {
        let server = HqServer::start(&self.hq, "127.0.0.1:0");
        self.proxy.upstream(&server.addr);
        server
    }
}

/// Rings up `n` one-item card sales.
fn sell(engine: &mut Engine, n: usize) {
    let session = engine.login("cashier", "1111", 1).expect("login");
    common::sale::sell_pens(engine, session, n);
    engine.execute(session, Command::Logout).expect("logout");
}

/// Receipt numbers head office holds, per terminal.
fn received(hq: &Path) -> std::collections::BTreeMap<String, Vec<u64>> {
    let hq = Hq::open(hq).expect("open head office");
    let mut out: std::collections::BTreeMap<String, Vec<u64>> = Default::default();
    hq.store()
        .for_each_sale(&mut |t, sale| out.entry(t.to_string()).or_default().push(sale.receipt.0))
        .expect("sales");
    out
}

#[test]
fn a_thousand_sales_from_two_terminals_arrive_exactly_once_through_outages() {
    let rig = Rig::new(&["T01", "T02"]);
    let (proxy, hq) = (&rig.proxy, &rig.hq);
    let server = rig.serve();
    // Two faults of each kind, met by whichever terminal sends next.
    for fault in [
        Fault::CutRequest,
        Fault::DropAnswer,
        Fault::CutRequest,
        Fault::DropAnswer,
    ] {
        proxy.arm(fault);
    }

    let sellers: Vec<_> = rig
        .terminals
        .clone()
        .into_iter()
        .map(|data| {
            std::thread::spawn(move || {
                let mut engine = Engine::new(Store::open(&data).expect("open")).expect("engine");
                let sync = worker::spawn(Worker::new(engine.store(), fast()).expect("worker"))
                    .expect("spawn");
                sell(&mut engine, 250);
                (engine, sync)
            })
        })
        .collect();
    // Head office goes down mid-way (killed, as by a power cut) and comes back.
    std::thread::sleep(Duration::from_millis(1500));
    let addr = server.addr.clone();
    let mut log = server.log();
    server.kill();
    std::thread::sleep(Duration::from_millis(700));
    let server = HqServer::start(hq, &addr);
    let mut terminals: Vec<(Engine, worker::Running)> = sellers
        .into_iter()
        .map(|t| t.join().expect("seller"))
        .collect();
    for (engine, _) in &mut terminals {
        sell(engine, 250);
    }
    for (engine, _) in &terminals {
        let outbox = engine.store().outbox();
        common::wait_until("the outbox to empty", Duration::from_secs(120), || {
            outbox.is_empty()
        });
    }
    let journals: Vec<(u64, [u8; 32])> = terminals
        .iter()
        .map(|(e, _)| {
            let tail = e.store().journal_tail(1).expect("journal");
            (e.store().journal().count() as u64, tail[0].hash)
        })
        .collect();
    for (engine, sync) in terminals {
        sync.stop();
        assert_eq!(engine.sync_status().expect("status").state.last_error, None);
    }
    log += &server.log();
    server.kill();

    let done = proxy.done();
    // A batch whose answer was lost was sent again and acknowledged, not stored again.
    assert!(
        log.contains("batch already held; acknowledged again"),
        "{log}"
    );
    assert!(
        done.contains(&Fault::CutRequest) && done.contains(&Fault::DropAnswer),
        "{done:?}"
    );
    let got = received(hq);
    for id in ["T01", "T02"] {
        let receipts = &got[id];
        assert_eq!(receipts.len(), 500, "{id}: every sale once");
        assert_eq!(
            *receipts,
            (1..=500).collect::<Vec<u64>>(),
            "{id}: in order, none twice"
        );
    }
    let office = Hq::open(hq).expect("open");
    for (id, (entries, last_hash)) in ["T01", "T02"].into_iter().zip(journals) {
        let t = office.store().terminal(id).expect("read").expect("known");
        // Every batch was checked to chain from the one before: the same
        // count and the same last hash mean the very same journal arrived.
        assert_eq!(
            t.next_entry, entries,
            "{id}: head office holds the whole journal"
        );
        assert_eq!(
            t.last_hash, last_hash,
            "{id}: and it ends where the till's does"
        );
    }
}

#[test]
fn a_head_office_answering_500s_or_too_slowly_loses_and_doubles_nothing() {
    let rig = Rig::new(&["T01"]);
    let tls = Hq::open(&rig.hq)
        .expect("head office")
        .tls(false)
        .expect("tls");
    rig.proxy.lock().tls = Some(tls);
    for fault in [
        Fault::ServerError,
        Fault::ServerError,
        Fault::ServerError,
        Fault::Slow,
        Fault::ServerError,
        Fault::Slow,
    ] {
        rig.proxy.arm(fault);
    }
    let server = rig.serve();
    let mut engine = Engine::new(Store::open(&rig.terminals[0]).expect("open")).expect("engine");
    // Sold first, so every batch is a full one (the proxy's faults meet
    // requests that carry a batch).
    sell(&mut engine, 120);
    let sync = worker::spawn(Worker::new(engine.store(), fast()).expect("worker")).expect("spawn");
    // While head office fails, the till says so.
    let outbox = engine.store().outbox();
    let mut saw_500 = false;
    let deadline = Instant::now() + Duration::from_secs(120);
    while !(outbox.is_empty() && rig.proxy.lock().faults.is_empty()) {
        assert!(
            Instant::now() < deadline,
            "timed out; faults met: {:?}",
            rig.proxy.done()
        );
        let state = engine.sync_status().expect("status").state;
        saw_500 |= state.last_error.is_some_and(|e| e.contains("500"));
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(saw_500, "the sync status never showed head office's 500");
    // Let a slow connection's late delivery land before looking.
    std::thread::sleep(SLOW + Duration::from_secs(1));
    sync.stop();
    let log = server.log();
    server.kill();
    let done = rig.proxy.done();
    assert!(
        done.contains(&Fault::ServerError) && done.contains(&Fault::Slow),
        "{done:?}"
    );
    assert_eq!(
        received(&rig.hq)["T01"],
        (1..=120).collect::<Vec<u64>>(),
        "every sale once, in order"
    );
    let t = Hq::open(&rig.hq)
        .expect("open")
        .store()
        .terminal("T01")
        .expect("read")
        .expect("known");
    assert_eq!(t.next_entry, engine.store().journal().count() as u64);
    assert!(
        log.contains("batch already held; acknowledged again"),
        "a batch delivered late was stored twice? {log}"
    );
}

/// A batch signed by `key` for `terminal`, as a forger or a broken till would send it.
fn post(
    client: &HqClient,
    batch: &Batch,
    key: &ed25519_dalek::SigningKey,
) -> (u16, Option<Refusal>) {
    let body = Signed::seal(batch, key)
        .expect("seal")
        .to_bytes()
        .expect("bytes");
    let answer = client
        .exchange("POST", "/v1/batches", &body)
        .expect("head office answers");
    (
        answer.status,
        decode::<Refusal>(&answer.body, "refusal").ok(),
    )
}

#[test]
fn bad_batches_are_refused_with_their_reason_and_the_terminal_shows_it() {
    let rig = Rig::new(&["T01"]);
    let (root, t1) = (rig.root.path(), &rig.terminals[0]);
    let server = rig.serve();

    let mut engine = common::engine(t1);
    sell(&mut engine, 3);
    let mut config = fast();
    config.batch_entries = 5;
    let mut w = Worker::new(engine.store(), config).expect("worker");
    assert!(
        w.push(true).expect("first batch"),
        "batch 1 is acknowledged"
    );

    let link = engine
        .store()
        .outbox()
        .link()
        .expect("link")
        .expect("joined");
    let client = HqClient::new(&link, Duration::from_secs(5)).expect("client");
    let key = till::store::identity::load_key(t1).expect("key");
    let journal: Vec<_> = engine
        .store()
        .journal()
        .map(|r| r.expect("entry"))
        .collect();
    let sent = 5; // batch 1 held entries 0..5
    let batch = |seq: u64, from: usize, to: usize| Batch {
        terminal: "T01".into(),
        seq,
        entries: journal[from..to].to_vec(),
        sales: journal[from..to]
            .iter()
            .filter_map(|r| match r.entry.event {
                JournalEvent::SaleCompleted { receipt, .. } => {
                    engine.store().sale(receipt).expect("sale")
                }
                _ => None,
            })
            .collect(),
    };

    let stranger = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let (status, why) = post(&client, &batch(2, sent, sent + 2), &stranger);
    assert_eq!(
        (status, why),
        (403, Some(Refusal::BadSignature("T01".into())))
    );

    let mut unknown = batch(1, 0, 2);
    unknown.terminal = "T99".into();
    let (status, why) = post(&client, &unknown, &key);
    assert_eq!(
        (status, why),
        (403, Some(Refusal::UnknownTerminal("T99".into())))
    );

    // Batch 1 again, with other contents: a replay, not a retry.
    let (status, why) = post(&client, &batch(1, 0, 3), &key);
    assert_eq!(status, 409);
    assert!(
        matches!(why, Some(Refusal::SequenceReused { seq: 1, .. })),
        "{why:?}"
    );

    // Batch 2 that skips an entry: the chain does not continue.
    let (status, why) = post(&client, &batch(2, sent + 1, sent + 3), &key);
    assert_eq!(status, 409);
    let why = why.expect("a reason");
    assert!(
        matches!(why, Refusal::ChainBroken { seq: 5, .. }),
        "{why:?}"
    );
    assert!(
        why.to_string()
            .contains("entry 6 came where entry 5 was due"),
        "{why}"
    );

    // Batch 2 with an entry altered after it was hashed.
    let mut altered = batch(2, sent, sent + 2);
    altered.entries[0].entry.actor = Some("mallory".into());
    let (_, why) = post(&client, &altered, &key);
    assert!(why.expect("a reason").to_string().contains("altered"));

    // Batch 3 before batch 2: a gap.
    let (status, why) = post(&client, &batch(3, sent, sent + 2), &key);
    assert_eq!(status, 409);
    let why = why.expect("a reason");
    assert!(
        matches!(
            why,
            Refusal::SequenceGap {
                expected: 2,
                got: 3,
                ..
            }
        ),
        "{why:?}"
    );
    assert!(why.to_string().contains("batches are missing"), "{why}");

    // The right batch 2 is still taken: refusals changed nothing.
    assert!(w.push(true).expect("batch 2"));

    // A terminal whose key head office does not know shows why on its status.
    let t2 = terminal_store(root, "T02");
    let bundle: till::proto::enroll::Bundle =
        till::proto::enroll::read(&root.join("bundle0.toml")).expect("bundle");
    let mut impostor = bundle.clone();
    impostor.terminal = "T02".into();
    till::proto::enroll::write(&root.join("impostor.toml"), &impostor, true).expect("write");
    common::run_ok(&[
        "sync",
        "join",
        "--data",
        s(&t2),
        s(&root.join("impostor.toml")),
    ]);
    // T02 never enrolled, so head office refuses it by name.
    let out = common::run(&["sync", "now", "--data", s(&t2)]);
    assert!(!out.status.success());
    assert!(
        common::stderr(&out).contains("does not know terminal T02"),
        "{}",
        common::stderr(&out)
    );
    let status = common::run_ok(&["sync", "status", "--data", s(&t2)]);
    assert!(status.contains("HQ failing: "), "{status}");
    assert!(status.contains("does not know terminal T02"), "{status}");
    drop(server);
}

#[test]
fn a_week_offline_catches_up_while_the_till_keeps_selling() {
    // tmpfs: the week's sales are made fast; the catching up is what is tested.
    let root = tempfile::tempdir_in("/dev/shm")
        .or_else(|_| tempfile::tempdir())
        .expect("tempdir");
    let rig = Rig::in_dir(root, &["T01"]);
    let (proxy, hq) = (&rig.proxy, &rig.hq);
    let mut engine = common::engine(&rig.terminals[0]);
    let mut config = fast();
    config.batch_entries = 500;
    let sync = worker::spawn(Worker::new(engine.store(), config).expect("worker")).expect("spawn");
    // A week of a small shop, 3000 sales a day, with head office unreachable
    // and the worker trying all along.
    sell(&mut engine, 21_000);
    let status = engine.sync_status().expect("status");
    assert!(status.backlog > 21_000, "{status:?}");
    assert!(status.state.last_error.is_some(), "{status:?}");

    let server = rig.serve();
    proxy.arm(Fault::Hold);
    // While a batch is held half-sent, the till sells on.
    common::wait_until("a batch in flight", Duration::from_secs(30), || {
        proxy.held.load(Ordering::SeqCst) > 0
    });
    sell(&mut engine, 20);
    assert_eq!(
        proxy.held.load(Ordering::SeqCst),
        1,
        "the batch was still in flight"
    );
    proxy.lock().released = true;
    let outbox = engine.store().outbox();
    common::wait_until("the week to arrive", Duration::from_secs(300), || {
        outbox.is_empty()
    });
    sync.stop();
    drop(server);
    let got = received(hq);
    assert_eq!(got["T01"].len(), 21_020);
}

#[test]
fn a_price_set_at_head_office_reaches_the_till_through_its_journal() {
    let rig = Rig::new(&["T01"]);
    let (root, hq) = (rig.root.path(), &rig.hq);
    // Published while head office serves: the command goes through the server.
    let server = rig.serve();
    let csv = common::write(
        root,
        "prices.csv",
        "sku,name,price,tax,unit,barcodes,plu\nSKU-HQ1,Head office tea,3.20,food,each,,4242\n",
    );
    let out = common::run_ok(&["hq", "publish", "--data", s(hq), s(&csv)]);
    assert!(
        out.contains("published catalog version 1: 1 products"),
        "{out}"
    );
    let bad = common::write(
        root,
        "bad.csv",
        "sku,name,price,tax,unit,barcodes,plu\nX,,1,nope,each,,\n",
    );
    let out = common::run(&["hq", "publish", "--data", s(hq), s(&bad)]);
    assert!(
        common::stderr(&out).contains("bad.csv:2"),
        "{}",
        common::stderr(&out)
    );

    let mut engine = common::engine(&rig.terminals[0]);
    let mut w = Worker::new(engine.store(), fast()).expect("worker");
    w.drain().expect("sync");
    let session = engine.login("cashier", "1111", 1).expect("login");
    let events = engine
        .execute(session, scan("4242"))
        .expect("the new PLU scans");
    assert!(
        format!("{events:?}").contains("Head office tea"),
        "{events:?}"
    );
    let (sale, _) = engine.cart(session).expect("cart").expect("open");
    assert_eq!(
        sale.lines[0].unit_price,
        Money::new(rust_decimal::dec!(3.20))
    );
    let applied = engine.store().journal().filter_map(Result::ok).find(|r| {
        matches!(
            r.entry.event,
            JournalEvent::CatalogApplied {
                version: 1,
                count: 1,
                ..
            }
        )
    });
    assert_eq!(
        applied.expect("journaled").entry.actor.as_deref(),
        Some("head-office")
    );
    assert_eq!(engine.sync_status().expect("status").catalog_version, 1);
    // Asked again, head office has nothing newer.
    assert_eq!(w.pull_catalog().expect("pull"), 0);

    // Head office's report, while it serves, has the sale (tea still in the cart, and one more item) by shop.
    sell(&mut engine, 1);
    w.drain().expect("sync");
    let today = chrono::Local::now().date_naive().to_string();
    let csv = common::run_ok(&[
        "hq",
        "report",
        "--data",
        s(hq),
        "--from",
        &today,
        "--to",
        &today,
        "--format",
        "csv",
    ]);
    assert_eq!(
        csv,
        format!("store,date,sales,refunds,gross,tax,net\nShop T01,{today},1,0,4.69,0.42,4.27\n")
    );
    let terminals = common::run_ok(&["hq", "terminals", "--data", s(hq)]);
    assert!(terminals.contains("Shop T01"), "{terminals}");
    // A change set this till cannot take (a tax category only head office
    // has) is refused whole, journaled, and shown; the till sells on.
    let settings = hq.join("hq.toml");
    let mut text = std::fs::read_to_string(&settings).expect("hq.toml");
    text += "\n[[rules.tax_categories]]\ncode = \"lux\"\nname = \"Luxury\"\nrate = \"0.3\"\n";
    std::fs::write(&settings, text).expect("write hq.toml");
    let lux = common::write(
        root,
        "lux.csv",
        "sku,name,price,tax,unit,barcodes,plu\nSKU-LUX,Caviar,99.00,lux,each,,4343\n",
    );
    common::run_ok(&["hq", "publish", "--data", s(hq), s(&lux)]);
    assert_eq!(w.pull_catalog().expect("pull"), 1);
    engine
        .execute(session, scan("4242"))
        .expect("selling goes on");
    let status = engine.sync_status().expect("status");
    assert_eq!(status.catalog_version, 2, "seen, so not fetched again");
    let refused = status.catalog_error.expect("the refusal shows");
    assert!(
        refused.contains("tax category 'lux' is not configured"),
        "{refused}"
    );
    assert!(engine.store().product("SKU-LUX").expect("read").is_none());
    assert!(
        engine
            .store()
            .journal()
            .filter_map(Result::ok)
            .any(|r| matches!(
                r.entry.event,
                JournalEvent::CatalogRefused { version: 2, .. }
            ))
    );

    // Without the running server's token, nobody gets in, even from this machine.
    let serve_file = hq.join("serve.toml");
    let real = std::fs::read_to_string(&serve_file).expect("serve.toml");
    let token = real
        .lines()
        .find(|l| l.starts_with("token"))
        .expect("a token line");
    std::fs::write(&serve_file, real.replace(token, "token = \"00\"")).expect("forge");
    let out = common::run(&["hq", "terminals", "--data", s(hq)]);
    assert!(
        common::stderr(&out).contains("wrong admin token"),
        "{}",
        common::stderr(&out)
    );
    drop(server);
}

#[test]
fn a_head_office_vouched_for_by_another_ca_is_not_trusted() {
    let rig = Rig::new(&["T01"]);
    let root = rig.root.path();
    // Another head office at the very same address, with its own CA.
    let url = format!("https://127.0.0.1:{}", rig.proxy.port);
    let other = root.join("other-hq");
    common::run_ok(&[
        "hq",
        "init",
        "--data",
        s(&other),
        "--url",
        &url,
        "--host",
        "127.0.0.1",
    ]);
    let impostor = HqServer::start(&other, "127.0.0.1:0");
    rig.proxy.upstream(&impostor.addr);
    let t1 = &rig.terminals[0];
    let out = common::run(&["sync", "now", "--data", s(t1)]);
    assert!(!out.status.success());
    let err = common::stderr(&out);
    assert!(err.contains("certificate"), "{err}");
    let status = common::run_ok(&["sync", "status", "--data", s(t1)]);
    assert!(status.contains("HQ failing: "), "{status}");
    // Nothing left the till.
    assert!(common::engine(t1).sync_status().expect("status").backlog > 0);
}

#[test]
fn a_head_office_restored_from_an_older_backup_gets_the_missing_batches_again() {
    let rig = Rig::new(&["T01"]);
    let t1 = &rig.terminals[0];
    let mut engine = common::engine(t1);
    let mut w = Worker::new(engine.store(), fast()).expect("worker");
    let server = rig.serve();
    sell(&mut engine, 10);
    w.drain().expect("first sync");
    server.kill();
    let backup = rig.root.path().join("hq-backup");
    common::copy_dir(&rig.hq, &backup);
    let server = rig.serve();
    sell(&mut engine, 10);
    w.drain().expect("second sync");
    server.kill();
    // Head office's disk dies, and it comes back from the older backup.
    std::fs::remove_dir_all(&rig.hq).expect("lose head office");
    std::fs::rename(&backup, &rig.hq).expect("restore");
    let server = rig.serve();
    sell(&mut engine, 5);
    w.drain()
        .expect("the till sends again what head office lost");
    let status = engine.sync_status().expect("status");
    assert_eq!((status.backlog, status.state.last_error), (0, None));
    let journal = engine.store().journal().count() as u64;
    server.kill();
    assert_eq!(received(&rig.hq)["T01"], (1..=25).collect::<Vec<u64>>());
    let office = Hq::open(&rig.hq).expect("open");
    let t = office
        .store()
        .terminal("T01")
        .expect("read")
        .expect("known");
    assert_eq!(t.next_entry, journal);
}

// ---- head office's bounds: floods and oversized requests ------------------

/// A flood's connections of each kind: 500 in all.
const IDLE: usize = 200;
const SLOW_HELLO: usize = 150;
const SLOW_HEAD: usize = 150;
/// How often each slow connection sends its next byte.
const TRICKLE: Duration = Duration::from_millis(50);

/// A client's TLS set-up trusting head office at `hq`, without a client
/// certificate (head office serves those too, as a stranger's would be).
fn stranger(hq: &Path) -> Arc<rustls::ClientConfig> {
    let ca = std::fs::read_to_string(hq.join("ca.pem")).expect("ca.pem");
    till::proto::tls::client_config(&ca, None).expect("client TLS")
}

/// A TLS connection to head office, handshake done.
fn tls_to(addr: &str, config: &Arc<rustls::ClientConfig>) -> std::io::Result<TlsStream> {
    let tcp = TcpStream::connect(addr)?;
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    tcp.set_write_timeout(Some(Duration::from_secs(10)))?;
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").expect("name");
    let conn =
        rustls::ClientConnection::new(config.clone(), name).map_err(std::io::Error::other)?;
    let mut stream = rustls::StreamOwned::new(conn, tcp);
    while stream.conn.is_handshaking() {
        stream.conn.complete_io(&mut stream.sock)?;
    }
    Ok(stream)
}

type TlsStream = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

/// Whether head office has closed `tcp` (a read, without waiting, sees its
/// end). Bytes it sent (TLS session tickets) are read and dropped.
fn closed(tcp: &TcpStream) -> bool {
    let _ = tcp.set_nonblocking(true);
    let mut buf = [0u8; 4096];
    let gone = loop {
        match (&*tcp).read(&mut buf) {
            Ok(0) => break true,
            Ok(_) => {}
            Err(e) => break e.kind() != std::io::ErrorKind::WouldBlock,
        }
    };
    let _ = tcp.set_nonblocking(false);
    gone
}

/// Hostile connections, held open: whichever head office drops is opened
/// again at once, so it faces all of them all the time.
struct Flood {
    stop: Arc<std::sync::atomic::AtomicBool>,
    /// Connections open now, per kind.
    open: Vec<Arc<AtomicUsize>>,
    /// Connections head office dropped (and the flood opened again).
    dropped: Arc<AtomicUsize>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Flood {
    fn start(addr: &str, hq: &Path) -> Flood {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let dropped = Arc::new(AtomicUsize::new(0));
        let config = stranger(hq);
        // A real ClientHello, to be sent a byte at a time.
        let mut hello = Vec::new();
        let name = rustls::pki_types::ServerName::try_from("127.0.0.1").expect("name");
        rustls::ClientConnection::new(config.clone(), name)
            .expect("client")
            .write_tls(&mut hello)
            .expect("hello");
        let mut flood = Flood {
            stop,
            open: Vec::new(),
            dropped,
            threads: Vec::new(),
        };
        // Plain TCP that never sends a byte.
        flood.kind(
            addr,
            IDLE,
            move |addr| TcpStream::connect(addr),
            |tcp, _| !closed(tcp),
        );
        // A TLS ClientHello, a byte at a time.
        flood.kind(
            addr,
            SLOW_HELLO,
            |addr| TcpStream::connect(addr).map(|tcp| (tcp, 0usize)),
            move |(tcp, sent), _| {
                if *sent < hello.len() {
                    if tcp.write_all(&hello[*sent..=*sent]).is_err() {
                        return false;
                    }
                    *sent += 1;
                }
                !closed(tcp)
            },
        );
        // A finished handshake, then a request head that never ends.
        flood.kind(
            addr,
            SLOW_HEAD,
            move |addr| {
                let mut tls = tls_to(addr, &config)?;
                tls.write_all(b"POST /v1/batches HTTP/1.1\r\nHost: hq\r\nX-Slow: ")?;
                Ok(tls)
            },
            |tls, _| tls.write_all(b"a").is_ok() && !closed(&tls.sock),
        );
        flood
    }

    /// A thread holding `n` connections made by `open`, each `tick`ed every
    /// `TRICKLE` (false when head office has dropped it).
    fn kind<C: 'static>(
        &mut self,
        addr: &str,
        n: usize,
        open: impl Fn(&str) -> std::io::Result<C> + Send + 'static,
        mut tick: impl FnMut(&mut C, usize) -> bool + Send + 'static,
    ) {
        let (addr, stop, dropped) = (addr.to_string(), self.stop.clone(), self.dropped.clone());
        let count = Arc::new(AtomicUsize::new(0));
        self.open.push(count.clone());
        self.threads.push(std::thread::spawn(move || {
            let mut conns: Vec<Option<C>> = (0..n).map(|_| None).collect();
            while !stop.load(Ordering::Relaxed) {
                for (i, slot) in conns.iter_mut().enumerate() {
                    if let Some(c) = slot
                        && !tick(c, i)
                    {
                        *slot = None;
                        dropped.fetch_add(1, Ordering::Relaxed);
                    }
                    if slot.is_none() {
                        *slot = open(&addr).ok();
                    }
                }
                count.store(conns.iter().flatten().count(), Ordering::Relaxed);
                std::thread::sleep(TRICKLE);
            }
        }));
    }

    fn open(&self) -> usize {
        self.open.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }

    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads {
            t.join().expect("flood thread");
        }
    }
}

/// Raises this test's soft open-file limit to its hard one: the flood is
/// 500 sockets and more.
fn raise_open_files() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let raised = Rlimit {
        current: limit.maximum,
        maximum: limit.maximum,
    };
    setrlimit(Resource::Nofile, raised).expect("raise the open-file limit");
}

/// Runs the binary, failing the test if it has not finished within `limit`.
fn run_within(args: &[&str], config: &Path, limit: Duration) -> std::process::Output {
    let child = common::till()
        .args(args)
        .env("TILL_CONFIG", config)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("till runs");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    let out = rx
        .recv_timeout(limit)
        .unwrap_or_else(|_| panic!("till {args:?} took longer than {limit:?}"))
        .expect("till's output");
    assert!(
        out.status.success(),
        "till {args:?} failed:\n{}{}",
        common::stdout(&out),
        common::stderr(&out)
    );
    out
}

/// A line of /proc/PID/status, such as `Threads` or `VmRSS`.
fn proc_status(pid: u32, field: &str) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .expect("/proc status")
        .lines()
        .find_map(|l| {
            l.strip_prefix(&format!("{field}:"))
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_default()
}

#[test]
fn a_flood_of_idle_and_slow_connections_shuts_out_neither_terminals_nor_head_office() {
    raise_open_files();
    let root = tempfile::tempdir().expect("tempdir");
    let t1 = terminal_store(root.path(), "T01");
    // Terminals reach head office directly here: it listens on the port
    // their bundles name.
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("addr")
        .port();
    let hq = head_office(root.path(), port, &[&t1]);
    let server = HqServer::start(&hq, &format!("127.0.0.1:{port}"));
    let flood = Flood::start(&server.addr, &hq);
    common::wait_until(
        "the flood to be 500 strong",
        Duration::from_secs(30),
        || flood.open() >= IDLE + SLOW_HELLO + SLOW_HEAD,
    );
    // Past head office's deadline for a request head: it has been dropping
    // the flood's connections, and the flood opening them again.
    std::thread::sleep(Duration::from_secs(6));
    assert!(flood.open() >= 490, "the flood fell to {}", flood.open());
    let (threads, rss) = (
        proc_status(server.pid(), "Threads"),
        proc_status(server.pid(), "VmRSS"),
    );

    let mut engine = Engine::new(Store::open(&t1).expect("open")).expect("engine");
    sell(&mut engine, 1);
    drop(engine);
    // The till gives up on any step that takes more than 5 s.
    let config = common::write(root.path(), "till.toml", "[sync]\ntimeout_seconds = 5\n");
    let limit = Duration::from_secs(30);
    run_within(&["sync", "now", "--data", s(&t1)], &config, limit);
    let out = run_within(&["hq", "terminals", "--data", s(&hq)], &config, limit);
    let table = common::stdout(&out);
    let row = table
        .lines()
        .find(|l| l.starts_with("T01"))
        .unwrap_or_else(|| panic!("no T01 in {table}"));
    let batches: u64 = row
        .split_whitespace()
        .nth(3)
        .and_then(|b| b.parse().ok())
        .expect("batches");
    assert!(batches >= 1, "head office got no batch: {table}");

    let still_open = flood.open();
    let dropped = flood.dropped.load(Ordering::Relaxed);
    flood.stop();
    eprintln!(
        "head office under the flood: {threads} threads, VmRSS {rss}; flood dropped {dropped}"
    );
    assert!(still_open >= 490, "the flood fell to {still_open}");
    assert!(
        dropped >= IDLE,
        "head office dropped only {dropped} of the flood's connections"
    );
    let threads: usize = threads.parse().expect("thread count");
    assert!(
        threads < 100,
        "head office ran {threads} threads under the flood"
    );
    let rss_kib: u64 = rss.trim_end_matches(" kB").parse().expect("VmRSS");
    assert!(
        rss_kib < 256 * 1024,
        "head office grew to {rss} under the flood"
    );
}

/// Sends `head` over TLS as it is, and reads head office's answer.
fn raw_request(addr: &str, hq: &Path, head: &[u8]) -> till::proto::http::Response {
    let mut tls = tls_to(addr, &stranger(hq)).expect("TLS to head office");
    // Head office may answer before it has read it all; it reads and throws
    // away the rest, so the answer is not lost to a reset.
    let _ = tls.write_all(head).and_then(|()| tls.flush());
    till::proto::http::read_response(&mut tls).expect("an HTTP answer")
}

#[test]
fn oversized_and_malformed_requests_get_their_status_and_the_limit() {
    let root = tempfile::tempdir().expect("tempdir");
    let hq = head_office(root.path(), 1, &[]);
    let server = HqServer::start(&hq, "127.0.0.1:0");
    let addr = server.addr.clone();
    let text = |r: &till::proto::http::Response| String::from_utf8_lossy(&r.body).into_owned();

    let big = format!(
        "GET /v1/health HTTP/1.1\r\nHost: hq\r\nX-Big: {}\r\n\r\n",
        "a".repeat(4 << 20)
    );
    let answer = raw_request(&addr, &hq, big.as_bytes());
    assert_eq!(answer.status, 431, "{}", text(&answer));
    assert!(text(&answer).contains("16384 bytes"), "{}", text(&answer));

    let many = format!(
        "GET /v1/health HTTP/1.1\r\n{}\r\n",
        "X-Line: v\r\n".repeat(100)
    );
    let answer = raw_request(&addr, &hq, many.as_bytes());
    assert_eq!(answer.status, 431, "{}", text(&answer));
    assert!(
        text(&answer).contains("32 header lines"),
        "{}",
        text(&answer)
    );

    let huge = b"POST /v1/batches HTTP/1.1\r\nHost: hq\r\nContent-Length: 2147483648\r\n\r\n";
    let answer = raw_request(&addr, &hq, huge);
    assert_eq!(answer.status, 413, "{}", text(&answer));
    assert!(
        text(&answer).contains("16777216 allowed"),
        "{}",
        text(&answer)
    );

    let answer = raw_request(&addr, &hq, b"HELLO THERE\r\n\r\n");
    assert_eq!(answer.status, 400, "{}", text(&answer));
    assert!(
        text(&answer).contains("not an HTTP request"),
        "{}",
        text(&answer)
    );

    // And head office carries on serving.
    let answer = raw_request(&addr, &hq, b"GET /v1/health HTTP/1.1\r\nHost: hq\r\n\r\n");
    assert_eq!((answer.status, text(&answer).as_str()), (200, "ok"));
}

#[test]
fn out_of_files_head_office_pauses_accepting_says_so_once_and_recovers() {
    use rustix::process::{Pid, Resource, Rlimit, prlimit};
    raise_open_files();
    let root = tempfile::tempdir().expect("tempdir");
    let hq = head_office(root.path(), 1, &[]);
    let server = HqServer::start(&hq, "127.0.0.1:0");
    // A few files short of full: the next connections meet EMFILE.
    let open = std::fs::read_dir(format!("/proc/{}/fd", server.pid()))
        .expect("its fds")
        .count() as u64;
    let pid = Pid::from_raw(server.pid() as i32).expect("pid");
    let few = Rlimit {
        current: Some(open + 4),
        maximum: Some(open + 4),
    };
    prlimit(Some(pid), Resource::Nofile, few).expect("lower its open-file limit");
    let held: Vec<TcpStream> = (0..50)
        .map(|_| TcpStream::connect(&server.addr).expect("connect"))
        .collect();
    let failing = "accepting connections fails";
    common::wait_until(
        "head office to run out of files",
        Duration::from_secs(10),
        || server.log().contains(failing),
    );
    let before = common::cpu_ticks(server.pid());
    std::thread::sleep(Duration::from_secs(2));
    let spent = common::cpu_ticks(server.pid()) - before;
    // Spinning on accept would take all of a CPU's 200 ticks in 2 s.
    assert!(
        spent < 50,
        "head office spent {spent} ticks of 2 s out of files"
    );
    let log = server.log();
    assert_eq!(
        log.matches(failing).count(),
        1,
        "one line per burst:\n{log}"
    );
    drop(held);
    // Once the flood's files are given back, it serves again.
    let answer = raw_request(
        &server.addr,
        &hq,
        b"GET /v1/health HTTP/1.1\r\nHost: hq\r\n\r\n",
    );
    assert_eq!(answer.status, 200);
    common::wait_until(
        "head office to say it accepts again",
        Duration::from_secs(10),
        || server.log().contains("accepting connections again"),
    );
}
