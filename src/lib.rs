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

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
