//! The in-memory name index behind type-ahead product lookup.
//!
//! sled keeps products by sku; finding "choc" among 100k names needs a scan,
//! and scanning decoded records on every key press is too slow on a Pi. The
//! index holds only lower-cased names, skus and codes, built once on the first
//! search, so each key press is one pass over plain strings.

use super::{Engine, EngineError};
use crate::domain::product::Product;
use crate::store::{Store, StoreError};

struct Entry {
    /// Lower-cased name, then sku and codes, space separated: one haystack.
    text: String,
    name_len: usize,
    sku: String,
}

#[derive(Default)]
pub struct CatalogIndex {
    entries: Vec<Entry>,
}

impl CatalogIndex {
    pub fn build(store: &Store) -> Result<CatalogIndex, StoreError> {
        let mut entries = Vec::with_capacity(store.product_count());
        for product in store.products() {
            let p = product?;
            let name = p.name.to_lowercase();
            let name_len = name.len();
            let mut text = name;
            for code in std::iter::once(&p.sku).chain(&p.barcodes).chain(&p.plu) {
                text.push(' ');
                text.push_str(&code.to_lowercase());
            }
            entries.push(Entry {
                text,
                name_len,
                sku: p.sku,
            });
        }
        entries.sort_by(|a, b| a.text.cmp(&b.text));
        Ok(CatalogIndex { entries })
    }

    /// Skus matching every word of `query`, best first: names that start with
    /// the query, then the rest in name order. At most `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&str> {
        let query = query.trim().to_lowercase();
        let words: Vec<&str> = query.split_whitespace().collect();
        if words.is_empty() {
            return self
                .entries
                .iter()
                .take(limit)
                .map(|e| e.sku.as_str())
                .collect();
        }
        let mut starts = Vec::new();
        let mut contains = Vec::new();
        for e in &self.entries {
            if !words.iter().all(|w| e.text.contains(w)) {
                continue;
            }
            if e.text[..e.name_len].starts_with(&query) {
                starts.push(e.sku.as_str());
                if starts.len() == limit {
                    break;
                }
            } else if contains.len() < limit {
                contains.push(e.sku.as_str());
            }
        }
        starts.extend(contains);
        starts.truncate(limit);
        starts
    }
}

impl Engine {
    /// Products whose name, sku or code matches every word of `query`.
    pub fn search(&mut self, query: &str, limit: usize) -> Result<Vec<Product>, EngineError> {
        self.apply_catalog_updates();
        if self.catalog.is_none() {
            self.catalog = Some(CatalogIndex::build(&self.store)?);
        }
        let skus = self
            .catalog
            .as_ref()
            .map(|c| c.search(query, limit))
            .unwrap_or_default();
        Ok(products(&self.store, &skus)?)
    }
}

/// Products for the skus a search returned.
pub fn products(store: &Store, skus: &[&str]) -> Result<Vec<Product>, StoreError> {
    let mut out = Vec::with_capacity(skus.len());
    for sku in skus {
        if let Some(p) = store.product(sku)? {
            out.push(p);
        }
    }
    Ok(out)
}
