//! The products found by a scanned code since the catalog last changed.
//!
//! A scan asks sled twice (the code's sku, then the product), and each ask
//! walks sled's page table under an epoch pin: perf put a quarter of a
//! sale's CPU there. A shop sells the same few thousand products all day
//! and changes its catalog a few times a day, so the answer for a code is
//! kept here and given again until the catalog changes.
//!
//! It never answers with a product that a write which has returned
//! replaced: a copy is kept with the catalog's count of writes taken before
//! the store was read (see `kv::Tree::writes`), and given only while the
//! count has not moved, and a write is counted before it returns. A scan
//! during a catalog write (the engine's lock keeps them apart today) may
//! see the product before it, as a read from sled at that moment could.
//! A code the catalog does not know is not kept: misreads and garbage from
//! a scanner would only fill it.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::domain::product::Product;

/// Codes kept at most: a supermarket's day of distinct products, about a
/// megabyte. Past it the cache starts again empty (a day's long tail of
/// products scanned once would otherwise keep out none of the regulars for
/// long: the regulars come back within minutes).
const CAPACITY: usize = 4096;

#[derive(Default)]
pub struct ScanCache {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    /// The catalog's count of writes the products below were read at.
    at: u64,
    by_code: HashMap<Vec<u8>, Product>,
}

impl ScanCache {
    /// The product kept for `key`, if the catalog has had no write since
    /// `catalog_writes` was its count of writes.
    pub fn get(&self, key: &[u8], catalog_writes: u64) -> Option<Product> {
        let kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if kept.at != catalog_writes {
            return None;
        }
        kept.by_code.get(key).cloned()
    }

    /// Keeps `product` for `key`, read from the store after the catalog's
    /// count of writes was `catalog_writes`.
    pub fn keep(&self, key: &[u8], product: &Product, catalog_writes: u64) {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if kept.at != catalog_writes || kept.by_code.len() >= CAPACITY {
            kept.by_code.clear();
            kept.at = catalog_writes;
        }
        kept.by_code.insert(key.to_vec(), product.clone());
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::domain::money::Money;
    use crate::domain::product::Unit;

    fn product(sku: &str) -> Product {
        Product {
            sku: sku.into(),
            name: format!("product {sku}"),
            price: Money::new(Decimal::ONE),
            tax_code: "std".into(),
            unit: Unit::Each,
            barcodes: Vec::new(),
            plu: None,
        }
    }

    #[test]
    fn a_kept_product_is_given_only_while_the_catalog_is_unwritten() {
        let cache = ScanCache::default();
        cache.keep(b"code", &product("a"), 7);
        assert_eq!(cache.get(b"code", 7).map(|p| p.sku), Some("a".into()));
        assert_eq!(cache.get(b"other", 7), None);
        assert_eq!(cache.get(b"code", 8), None, "the catalog changed since");
        // Kept at a newer count, what was kept at the older one is gone.
        cache.keep(b"other", &product("b"), 8);
        assert_eq!(cache.get(b"code", 8), None);
        assert_eq!(cache.get(b"other", 8).map(|p| p.sku), Some("b".into()));
    }

    #[test]
    fn a_full_cache_starts_again_rather_than_grow() {
        let cache = ScanCache::default();
        for n in 0..=CAPACITY {
            cache.keep(n.to_string().as_bytes(), &product("p"), 1);
        }
        let kept = cache.kept.lock().expect("lock");
        assert_eq!(kept.by_code.len(), 1, "the one past capacity, alone");
    }
}
