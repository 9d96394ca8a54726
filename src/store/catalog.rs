//! Products and the barcodes and PLUs that find them. A product's codes are
//! written with it, in one transaction, so a scan never finds a code whose
//! product is gone or another product's.

use chrono::Utc;

use super::error::StoreError;
use super::journal::{self, JournalEvent};
use super::kv::{self, Tx, TxAbort};
use super::{Store, keys, outbox};
use crate::domain::product::Product;

impl Store {
    pub fn product(&self, sku: &str) -> Result<Option<Product>, StoreError> {
        self.products.get(sku)
    }

    /// Looks a product up by a normalised barcode or by PLU: the scan's
    /// look-up, answered from `scan_cache` while the catalog is unchanged.
    pub fn product_by_key(&self, key: &[u8]) -> Result<Option<Product>, StoreError> {
        // Taken before the store is read (see `scan_cache`).
        let writes = self.catalog_writes();
        if let Some(product) = self.scan_cache.get(key, writes) {
            return Ok(Some(product));
        }
        let found = match self.barcodes.get(key)? {
            Some(sku) => self.product(&String::from_utf8_lossy(&sku))?,
            None => None,
        };
        if let Some(product) = &found {
            self.scan_cache.keep(key, product, writes);
        }
        Ok(found)
    }

    /// The catalog's count of writes: its products' and its codes'.
    fn catalog_writes(&self) -> u64 {
        self.products.tree().writes() + self.barcodes.writes()
    }

    pub fn products(&self) -> impl Iterator<Item = Result<Product, StoreError>> + '_ {
        self.products.values()
    }

    pub fn product_count(&self) -> usize {
        self.products.len()
    }

    /// Adds or replaces products, their barcodes and PLUs, and journals the
    /// import, all in one transaction: a batch lands whole or not at all.
    /// Bulk loads (import, the demo catalog) call it per [`super::PRODUCT_BATCH`].
    pub fn put_products(
        &self,
        products: &[Product],
        actor: Option<&str>,
    ) -> Result<(), StoreError> {
        let digest = journal::digest(&products)?;
        let event = JournalEvent::ProductsImported {
            count: products.len(),
            digest,
        };
        self.put_products_journaled(products, actor, event, None)
    }

    /// Adds or replaces products and journals `event` with them, together.
    /// `from_hq` names the head-office catalog version they came from: it
    /// leaves the inbox and becomes the applied version in the same step.
    pub fn put_products_journaled(
        &self,
        products: &[Product],
        actor: Option<&str>,
        event: JournalEvent,
        from_hq: Option<u64>,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let chain = self.chain();
        let mut trees = chain.trees().to_vec();
        trees.extend([
            self.products.tree(),
            &self.barcodes,
            self.catalog_inbox.tree(),
        ]);
        kv::transact(&trees, |tx| {
            if let Some(version) = from_hq {
                self.catalog_inbox.within(tx)?.remove(&version)?;
                let meta = tx.tree(&self.meta)?;
                meta.insert(outbox::CATALOG_VERSION_KEY, &keys::seq(version))?;
                meta.remove(outbox::CATALOG_ERROR_KEY)?;
            }
            for p in products {
                self.put_product(tx, p)?;
            }
            journal::append(tx, chain, actor, event.clone(), now)?;
            Ok(())
        })?;
        self.persist()
    }

    /// Writes one product and its codes inside `tx`, freeing the codes its
    /// old record had, but only those still pointing at it.
    fn put_product(&self, tx: &Tx<'_>, p: &Product) -> Result<(), TxAbort> {
        let products = self.products.within(tx)?;
        let barcodes = tx.tree(&self.barcodes)?;
        let sku = p.sku.as_bytes();
        if let Some(old) = products.get(&p.sku)? {
            let old_keys = old.barcodes.iter().map(|c| keys::barcode(c));
            for key in old_keys.chain(old.plu.iter().map(|p| keys::plu(p))) {
                if barcodes.get(&key)?.as_deref() == Some(sku) {
                    barcodes.remove(key)?;
                }
            }
        }
        products.insert(&p.sku, p)?;
        for code in &p.barcodes {
            barcodes.insert(keys::barcode(code), sku)?;
        }
        if let Some(plu) = &p.plu {
            barcodes.insert(keys::plu(plu), sku)?;
        }
        Ok(())
    }
}
