//! `till journal verify`.

use std::path::Path;

use anyhow::Result;

use crate::store::Store;

/// Prints the outcome; `Ok(false)` when the chain is broken.
pub fn verify(data: &Path) -> Result<bool> {
    let store = Store::open(data)?;
    match store.verify_journal() {
        Ok(count) => {
            println!("journal OK: {count} entries, chain and sale records verified");
            Ok(true)
        }
        Err(e) => {
            eprintln!("journal BROKEN: {e}");
            Ok(false)
        }
    }
}
