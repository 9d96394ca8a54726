//! Serial barcode scanners: framing the byte stream into codes, and the
//! reader thread that survives unplugging.

pub mod framing;
pub mod reader;
