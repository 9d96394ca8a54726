//! Head office's ingest: signed batches of a terminal's journal checked
//! (signature, hash chain, sale digests) and stored durably, as
//! `till hq serve` does for each POST, without the network.
//!
//! `cargo bench --bench hq_ingest`; the figure is sales per second.

use std::path::Path;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use till::cli::args::InitArgs;
use till::domain::tender::TenderKind;
use till::engine::{Command, Engine};
use till::hq::{Hq, HqSettings};
use till::proto::wire::{Batch, Signed};
use till::store::journal::JournalEvent;
use till::store::{Store, identity};

const SALES: usize = 2000;
const BATCH: usize = 500;

/// A terminal with `SALES` one-item sales, and its journal cut into signed batches.
fn terminal(root: &Path) -> (Vec<Vec<u8>>, String) {
    let data = root.join("T01");
    drop(till::cli::init::run(&data, &InitArgs::demo()).expect("store"));
    let mut engine = Engine::new(Store::open(&data).expect("open")).expect("engine");
    let session = engine.login("cashier", "1111", 1).expect("login");
    for _ in 0..SALES {
        let scan = Command::Scan {
            code: "4006381333931".into(),
            quantity: None,
        };
        engine.execute(session, scan).expect("scan");
        let pay = Command::Tender {
            kind: TenderKind::Card,
            amount: None,
        };
        engine.execute(session, pay).expect("pay");
    }
    let store = engine.store();
    let key = identity::load_key(&data).expect("key");
    let journal: Vec<_> = store.journal().map(|r| r.expect("entry")).collect();
    let batches = journal
        .chunks(BATCH)
        .enumerate()
        .map(|(i, entries)| {
            let sales = entries
                .iter()
                .filter_map(|r| match r.entry.event {
                    JournalEvent::SaleCompleted { receipt, .. } => {
                        store.sale(receipt).expect("sale")
                    }
                    _ => None,
                })
                .collect();
            let batch = Batch {
                terminal: "T01".into(),
                seq: i as u64 + 1,
                entries: entries.to_vec(),
                sales,
            };
            Signed::seal(&batch, &key)
                .expect("seal")
                .to_bytes()
                .expect("bytes")
        })
        .collect();
    (batches, store.settings().expect("settings").public_key)
}

fn ingest(c: &mut Criterion) {
    let root = tempfile::tempdir().expect("tempdir");
    let (batches, public_key) = terminal(root.path());
    let mut group = c.benchmark_group("hq");
    group.sample_size(10);
    group.throughput(Throughput::Elements(SALES as u64));
    group.bench_function("ingest 2000 sales in signed batches of 500 entries", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir_in(root.path()).expect("tempdir");
                let settings = HqSettings {
                    name: "bench".into(),
                    url: "https://127.0.0.1:1".into(),
                    rules: Default::default(),
                };
                let hq =
                    Hq::init(&dir.path().join("hq"), settings, &["127.0.0.1".into()]).expect("hq");
                let request = till::proto::enroll::EnrollRequest {
                    terminal: "T01".into(),
                    store_name: "bench".into(),
                    public_key: public_key.clone(),
                };
                hq.enroll(&request, false).expect("enroll");
                (hq, dir)
            },
            |(hq, dir)| {
                for body in &batches {
                    hq.receive(body).expect("store").expect("accepted");
                }
                // Returned, so closing the store and removing it are not
                // timed; in this order, as a tuple drops its fields in order
                // and a store whose directory is removed under it cannot
                // close (sled's last flush waits for ever).
                (hq, dir)
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

criterion_group!(benches, ingest);
criterion_main!(benches);
