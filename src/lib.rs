//! Till: a terminal point-of-sale for small shops on cheap hardware.
//!
//! Dependencies point one way: `domain` ← `store` ← `engine` ← `cli`.

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
