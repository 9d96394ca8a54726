//! Key layouts for the store's trees. Numbers are big-endian so that the
//! trees' byte order is numeric order and range scans walk in sequence.

pub fn seq(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

pub fn parse_seq(key: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(key.try_into().ok()?))
}

/// The barcodes tree holds both scanned codes and PLUs; the prefix keeps a
/// PLU "1234" from ever matching a barcode.
pub fn plu(code: &str) -> Vec<u8> {
    let mut key = b"plu:".to_vec();
    key.extend_from_slice(code.as_bytes());
    key
}

pub fn barcode(code: &str) -> Vec<u8> {
    let mut key = b"ean:".to_vec();
    key.extend_from_slice(code.as_bytes());
    key
}
