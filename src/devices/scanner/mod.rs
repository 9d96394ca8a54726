//! Serial barcode scanners: their section of till.toml, framing the byte
//! stream into codes, and the reader thread that survives unplugging.

pub mod config;
pub mod framing;
pub mod reader;
