//! The in-memory name index behind type-ahead product lookup.
//!
//! sled keeps products by sku; finding "choc" among 1M names needs a scan,
//! and scanning decoded records on every key press is too slow on a Pi. The
//! index is one lower-cased text of every product (name, then sku and
//! codes), in name order, built once on the first search: a name prefix is
//! found by binary search, and a word anywhere by `memchr::memmem` over the
//! one buffer (SIMD, with a rare-byte prefilter), which is many times faster
//! than a pass over a million separate strings and holds no allocation per
//! product; the blocks of it that cannot hold the words are not read (see
//! `gram_filter`).

use memchr::memmem;

use super::gram_filter::{BLOCK_BYTES, GramFilter};
use super::{Engine, EngineError};
use crate::domain::product::Product;
use crate::store::{Store, StoreError};

#[derive(Default)]
pub struct CatalogIndex {
    /// Every product's haystack, each ended by '\n', in the order of the
    /// haystacks (so in name order).
    text: String,
    /// Per product: where its haystack starts in `text`, the length of its
    /// name there, and its sku.
    starts: Vec<usize>,
    name_lens: Vec<usize>,
    skus: Vec<String>,
    grams: GramFilter,
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
            entries.push((text, name_len, p.sku));
        }
        Ok(CatalogIndex::of(entries))
    }

    /// The index of (haystack, length of the name in it, sku) entries.
    fn of(entries: Vec<(String, usize, String)>) -> CatalogIndex {
        CatalogIndex::in_blocks(entries, BLOCK_BYTES)
    }

    /// [`CatalogIndex::of`], its gram filter in blocks of `block_bytes`.
    fn in_blocks(mut entries: Vec<(String, usize, String)>, block_bytes: usize) -> CatalogIndex {
        // Control characters (a tab, a line break) are searched as spaces:
        // then every byte of a haystack sorts after the '\n' that ends it in
        // the buffer, and the buffer is in the order of the plain sort, which
        // the binary search needs.
        for (text, _, _) in &mut entries {
            if text.bytes().any(|b| b.is_ascii_control()) {
                *text = text.replace(|c: char| c.is_ascii_control(), " ");
            }
        }
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut index = CatalogIndex {
            text: String::with_capacity(entries.iter().map(|e| e.0.len() + 1).sum()),
            starts: Vec::with_capacity(entries.len()),
            name_lens: Vec::with_capacity(entries.len()),
            skus: Vec::with_capacity(entries.len()),
            grams: GramFilter::default(),
        };
        for (text, name_len, sku) in entries {
            index.starts.push(index.text.len());
            index.text.push_str(&text);
            index.text.push('\n');
            index.name_lens.push(name_len);
            index.skus.push(sku);
        }
        index.grams = GramFilter::build(index.text.as_bytes(), &index.starts, block_bytes);
        index
    }

    /// The haystack of product `i`, without its line break.
    fn haystack(&self, i: usize) -> &str {
        let end = self.starts.get(i + 1).map_or(self.text.len(), |s| *s);
        &self.text[self.starts[i]..end - 1]
    }

    fn name(&self, i: usize) -> &str {
        &self.haystack(i)[..self.name_lens[i]]
    }

    /// The product whose haystack holds byte `at` of `text`.
    fn product_at(&self, at: usize) -> usize {
        self.starts.partition_point(|s| *s <= at) - 1
    }

    /// Skus matching every word of `query`, best first: names that start with
    /// the query, then the rest in name order. At most `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&str> {
        let query = query.trim().to_lowercase();
        let words: Vec<&str> = query.split_whitespace().collect();
        let Some(longest) = words.iter().max_by_key(|w| w.len()) else {
            return self.skus.iter().take(limit).map(String::as_str).collect();
        };
        // Names starting with the query sort together, where it would.
        let first = self
            .starts
            .partition_point(|s| &self.text[*s..] < query.as_str());
        let starts: Vec<usize> = (first..self.skus.len())
            .take_while(|i| self.haystack(*i).starts_with(query.as_str()))
            .filter(|i| self.name(*i).starts_with(query.as_str()))
            .take(limit)
            .collect();
        // Then every product holding the longest word, checked for the rest,
        // in the blocks that may hold them all.
        let mut contains = Vec::new();
        let finder = memmem::Finder::new(longest.as_bytes());
        let bytes = self.text.as_bytes();
        'blocks: for block in self.grams.candidates(&words, bytes.len()) {
            let mut from = block.start;
            while contains.len() + starts.len() < limit {
                let Some(hit) = finder.find(&bytes[from..block.end]) else {
                    continue 'blocks;
                };
                let i = self.product_at(from + hit);
                from = self.starts.get(i + 1).map_or(bytes.len(), |s| *s);
                let text = self.haystack(i);
                if words.iter().all(|w| text.contains(w))
                    && !self.name(i).starts_with(query.as_str())
                {
                    contains.push(i);
                }
            }
            break;
        }
        starts
            .into_iter()
            .chain(contains)
            .take(limit)
            .map(|i| self.skus[i].as_str())
            .collect()
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The search as a plain pass over every entry: what the index must give.
    fn plainly(entries: &[(String, usize, String)], query: &str, limit: usize) -> Vec<String> {
        let mut sorted: Vec<_> = entries
            .iter()
            .map(|(t, n, sku)| (t.replace('\t', " "), *n, sku.clone()))
            .collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let query = query.trim().to_lowercase();
        let words: Vec<&str> = query.split_whitespace().collect();
        if words.is_empty() {
            return sorted.iter().take(limit).map(|e| e.2.clone()).collect();
        }
        let matching = sorted
            .iter()
            .filter(|e| words.iter().all(|w| e.0.contains(w)));
        let (starts, rest): (Vec<_>, Vec<_>) =
            matching.partition(|e| e.0[..e.1].starts_with(query.as_str()));
        starts
            .into_iter()
            .chain(rest)
            .take(limit)
            .map(|e| e.2.clone())
            .collect()
    }

    proptest! {
        #[test]
        fn the_index_finds_what_a_pass_over_every_name_finds(
            names in proptest::collection::vec("[ab c\té]{0,6}", 0..40),
            query in "[ab cé]{0,4}",
            limit in 1usize..8,
            block_bytes in 1usize..40,
        ) {
            let entries: Vec<(String, usize, String)> = names
                .iter()
                .enumerate()
                .map(|(i, n)| (format!("{n} sku{i}"), n.len(), format!("sku{i}")))
                .collect();
            let index = CatalogIndex::in_blocks(entries.clone(), block_bytes);
            let found: Vec<String> = index.search(&query, limit).into_iter().map(String::from).collect();
            prop_assert_eq!(found, plainly(&entries, &query, limit));
        }
    }
}
