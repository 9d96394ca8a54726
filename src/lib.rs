//! Till: a terminal point-of-sale for small shops on cheap hardware.
//!
//! Dependencies point one way: `domain` ← `store` ← `engine` ← `devices`,
//! `sync`, `ipc`, `hq` (sync and hq over `proto`) ← `ui`, `config` ← `cli`,
//! with `textfile`, `accept` and `demo` as leaves. README's Development
//! section draws it; `tests/it/layering.rs` holds every `use` to it.

pub mod accept;
pub mod cli;
pub mod config;
pub mod demo;
pub mod devices;
pub mod domain;
pub mod engine;
pub mod hq;
pub mod ipc;
pub mod proto;
pub mod store;
pub mod sync;
pub mod textfile;
pub mod ui;

/// mimalloc, not glibc's malloc. sled's applier thread allocates the pages
/// of its tree, and the lane's thread frees them when it collects sled's
/// garbage: with glibc each such free takes the applier's arena lock, and
/// perf found the lane asleep on it mid-scan. mimalloc frees another
/// thread's memory without a lock; a whole 5-line sale took 40 % less CPU
/// (benches/till_paths.rs on a RAM disk) for 0.1 MB of binary. Built
/// without transparent huge pages (Cargo.toml's `no_thp`): with them, each
/// arena the till touched was resident in 2 MiB pages, and the screen's
/// peak RSS at 1M products was 60 MiB instead of 22.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
