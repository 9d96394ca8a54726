//! Till's integration tests, in one binary: the crate links once, not once
//! per file. Each module is one concern (the binary end to end, the engine,
//! the store, the daemon, sync, the screens, devices …); `common` holds what
//! several of them need: the binary under test, demo stores, the
//! login-scan-pay steps of a sale, a selling till killed at a chosen moment,
//! and a disk whose power can be cut (a FUSE mount).
//!
//! Run one concern with a filter on its module: `cargo nextest run engine::`.

mod common;

mod backoffice;
mod cli;
mod crash;
mod daemon;
mod devices;
mod disk_full;
mod docs;
mod engine;
mod engine_properties;
mod layering;
mod no_telemetry;
mod power_cut;
mod privacy;
mod private;
mod receipts;
mod retention;
mod sale_properties;
mod screens;
mod store;
mod sync;
mod systemd;
mod tui_e2e;
mod ui_keys;
