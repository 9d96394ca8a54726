//! Receipt printers: their sections of till.toml, laying receipts and X/Z
//! reports out as ESC/POS bytes, reading those bytes back as text, and the
//! worker that prints queued jobs in order.

pub mod config;
pub mod memory;
pub mod preview;
pub mod receipt;
pub mod report;
pub mod worker;
