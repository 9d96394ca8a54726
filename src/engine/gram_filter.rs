//! Which byte pairs and triples occur in each block of the catalog index's
//! text, so that a search reads only the blocks that can hold its words.
//! Without it a word that matches nothing (a typo, a product the shop does
//! not sell) reads the whole text: about 60 MB at 1M products, 5 to 7 ms,
//! the slowest keystroke there is (issue 18: under 5 ms).
//!
//! A block is a run of whole haystacks, so a match (which never crosses a
//! haystack's line break) lies inside one block. Each block keeps a bit set
//! of its hashed grams: a clear bit proves a gram absent from the block; a
//! set bit may belong to another gram, and costs only a read of the block.
//! Written here, not taken from a crate: the trigram-index crates build an
//! inverted index per document (tens of MB at 1M products), where this
//! needs half a bit per byte of text, and the scan stays memchr's.

use std::ops::Range;

/// Bits per block, in 64-bit words: 32768 bits for [`BLOCK_BYTES`] of text,
/// half a bit per byte. A block of product names and codes holds a few
/// thousand to ten thousand distinct grams, so a tenth to a quarter of its
/// bits are set: one triple rules out most blocks, and each more triple of
/// a longer word rules out most of the rest.
const WORDS: usize = 512;
/// A gram's bit within its block's set: this many bits of its hash.
const SLOT_BITS: u32 = (WORDS * 64).trailing_zeros();

/// Text per block, give or take a haystack.
pub const BLOCK_BYTES: usize = 64 << 10;

#[derive(Default)]
pub struct GramFilter {
    /// Where each block starts in the text; it ends where the next starts.
    starts: Vec<usize>,
    /// `WORDS` per block.
    bits: Vec<u64>,
}

impl GramFilter {
    /// The filter of `text`, whose haystacks start at `haystacks`, in blocks
    /// of about `block_bytes` (tests use tiny ones).
    pub fn build(text: &[u8], haystacks: &[usize], block_bytes: usize) -> GramFilter {
        let mut filter = GramFilter::default();
        for &start in haystacks {
            let last = filter.starts.last().copied();
            if last.is_none_or(|block| start - block >= block_bytes) {
                filter.starts.push(start);
                filter.bits.extend([0u64; WORDS]);
            }
        }
        for block in 0..filter.starts.len() {
            let range = filter.block(block, text.len());
            let bits = &mut filter.bits[block * WORDS..(block + 1) * WORDS];
            for gram in grams_of(&text[range]) {
                let bit = slot(gram);
                bits[bit / 64] |= 1 << (bit % 64);
            }
        }
        filter
    }

    fn block(&self, block: usize, text_len: usize) -> Range<usize> {
        let end = self.starts.get(block + 1).copied().unwrap_or(text_len);
        self.starts[block]..end
    }

    /// The blocks of a text `text_len` long that may hold every one of
    /// `words`, in order (all of them, for words too short to have grams).
    pub fn candidates<'a>(
        &'a self,
        words: &'a [&str],
        text_len: usize,
    ) -> impl Iterator<Item = Range<usize>> + 'a {
        let wanted: Vec<usize> = words
            .iter()
            .flat_map(|w| word_grams(w.as_bytes()))
            .map(slot)
            .collect();
        (0..self.starts.len())
            .filter(move |block| {
                let bits = &self.bits[block * WORDS..(block + 1) * WORDS];
                wanted
                    .iter()
                    .all(|bit| bits[bit / 64] & (1 << (bit % 64)) != 0)
            })
            .map(move |block| self.block(block, text_len))
    }
}

/// Every pair and triple of bytes in `text`, each at every place it starts.
fn grams_of(text: &[u8]) -> impl Iterator<Item = u32> + '_ {
    let pairs = text.windows(2).map(|w| pair(w[0], w[1]));
    let triples = text.windows(3).map(|w| triple(w[0], w[1], w[2]));
    pairs.chain(triples)
}

/// The grams a block must hold to hold `word`: its triples, or its one pair
/// for a word of two bytes; none for one byte (every block has most bytes).
fn word_grams(word: &[u8]) -> Vec<u32> {
    match word.len() {
        0 | 1 => Vec::new(),
        2 => vec![pair(word[0], word[1])],
        _ => word.windows(3).map(|w| triple(w[0], w[1], w[2])).collect(),
    }
}

/// Pairs and triples as distinct numbers: a triple fills 24 bits, a pair
/// has bit 24 set.
fn pair(a: u8, b: u8) -> u32 {
    1 << 24 | u32::from(a) << 8 | u32::from(b)
}

fn triple(a: u8, b: u8, c: u8) -> u32 {
    u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c)
}

/// A gram's bit: Fibonacci hashing, the top bits of a multiplication.
fn slot(gram: u32) -> usize {
    (gram.wrapping_mul(0x9E37_79B9) >> (32 - SLOT_BITS)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_without_a_words_triples_is_skipped_and_one_with_them_is_not() {
        let text = b"apple pie\nrye bread\nsourdough\n";
        let starts = [0, 10, 20];
        let filter = GramFilter::build(text, &starts, 1);
        let blocks = |words: &[&str]| -> Vec<Range<usize>> {
            filter.candidates(words, text.len()).collect()
        };
        assert_eq!(blocks(&["bread"]), vec![10..20]);
        assert_eq!(blocks(&["dough", "sour"]), vec![20..30]);
        assert!(blocks(&["xyzzy"]).is_empty());
        // Too short for a triple: its pair, or for one byte every block.
        assert_eq!(blocks(&["ry"]), vec![10..20]);
        assert_eq!(blocks(&["e"]).len(), 3);
    }

    #[test]
    fn blocks_are_runs_of_whole_haystacks_of_about_the_size_asked() {
        let text = b"aa\nbb\ncc\ndd\nee\n";
        let filter = GramFilter::build(text, &[0, 3, 6, 9, 12], 6);
        assert_eq!(filter.starts, vec![0, 6, 12]);
        let all: Vec<_> = filter.candidates(&["x"], text.len()).collect();
        assert_eq!(all, vec![0..6, 6..12, 12..15]);
    }
}
