//! Key layouts for the sled trees. Numbers are big-endian so that sled's
//! byte order is numeric order and range scans walk in sequence.

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

/// Reads a counter kept in meta inside a transaction; a damaged counter is an
/// error, never a silent restart at 1 that would overwrite records.
pub fn counter(
    meta: &sled::transaction::TransactionalTree,
    key: &[u8],
    what: &str,
) -> Result<u64, sled::transaction::ConflictableTransactionError<super::StoreError>> {
    match meta.get(key)? {
        Some(raw) => parse_seq(&raw).ok_or_else(|| {
            sled::transaction::ConflictableTransactionError::Abort(super::StoreError::corrupt(
                what,
                "wrong size",
            ))
        }),
        None => Ok(1),
    }
}
