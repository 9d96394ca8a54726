//! sled's iterator with the writes it does not hold yet laid over it (see
//! `pending`): a key in both is the overlay's, and a removal there hides
//! sled's record. Either end may be taken, in any mix.

use std::cmp::Ordering;

use super::Bytes;
use crate::store::error::StoreError;

type Entry = Result<(Bytes, Bytes), StoreError>;

pub struct Merged {
    sled: sled::Iter,
    /// sled's iterator has ended. It is not asked again: the overlay's
    /// writes reach sled meanwhile, and it would give them a second time.
    sled_done: bool,
    /// sled's next record from each end, once looked at.
    front: Option<(Bytes, Bytes)>,
    back: Option<(Bytes, Bytes)>,
    /// The overlay's writes in key order; `lo..hi` are not taken yet.
    overlay: Vec<(Bytes, Option<Bytes>)>,
    lo: usize,
    hi: usize,
}

impl Merged {
    pub fn new(sled: sled::Iter, overlay: Vec<(Bytes, Option<Bytes>)>) -> Merged {
        Merged {
            sled,
            sled_done: false,
            front: None,
            back: None,
            hi: overlay.len(),
            overlay,
            lo: 0,
        }
    }

    /// Fills `front` from sled; once sled has nothing left from the front,
    /// what the back end looked at is the last record.
    fn peek_front(&mut self) -> Result<(), StoreError> {
        if self.front.is_none() && !self.sled_done {
            self.front = self.sled.next().transpose()?;
        }
        if self.front.is_none() {
            self.sled_done = true;
            self.front = self.back.take();
        }
        Ok(())
    }

    fn peek_back(&mut self) -> Result<(), StoreError> {
        if self.back.is_none() && !self.sled_done {
            self.back = self.sled.next_back().transpose()?;
        }
        if self.back.is_none() {
            self.sled_done = true;
            self.back = self.front.take();
        }
        Ok(())
    }
}

/// Which record comes next from one end: sled's, the overlay's, or both
/// (one key: the overlay's value is the newer).
#[derive(PartialEq)]
enum Pick {
    Sled,
    Overlay,
    Both,
}

fn pick(sled: Option<&Bytes>, over: Option<&Bytes>, from_back: bool) -> Option<Pick> {
    Some(match (sled, over) {
        (None, None) => return None,
        (Some(_), None) => Pick::Sled,
        (None, Some(_)) => Pick::Overlay,
        (Some(s), Some(o)) => match (s.cmp(o), from_back) {
            (Ordering::Equal, _) => Pick::Both,
            (Ordering::Less, false) | (Ordering::Greater, true) => Pick::Sled,
            _ => Pick::Overlay,
        },
    })
}

impl Iterator for Merged {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        loop {
            if let Err(e) = self.peek_front() {
                return Some(Err(e));
            }
            let over = (self.lo < self.hi).then(|| &self.overlay[self.lo].0);
            let pick = pick(self.front.as_ref().map(|(k, _)| k), over, false)?;
            if pick == Pick::Both {
                self.front = None;
            }
            if pick == Pick::Sled {
                return self.front.take().map(Ok);
            }
            let (key, value) = self.overlay[self.lo].clone();
            self.lo += 1;
            if let Some(value) = value {
                return Some(Ok((key, value)));
            }
        }
    }
}

impl DoubleEndedIterator for Merged {
    fn next_back(&mut self) -> Option<Entry> {
        loop {
            if let Err(e) = self.peek_back() {
                return Some(Err(e));
            }
            let over = (self.lo < self.hi).then(|| &self.overlay[self.hi - 1].0);
            let pick = pick(self.back.as_ref().map(|(k, _)| k), over, true)?;
            if pick == Pick::Both {
                self.back = None;
            }
            if pick == Pick::Sled {
                return self.back.take().map(Ok);
            }
            self.hi -= 1;
            let (key, value) = self.overlay[self.hi].clone();
            if let Some(value) = value {
                return Some(Ok((key, value)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    fn key(k: u8) -> Bytes {
        Bytes::from(&[k][..])
    }

    /// The applier puts an overlay's write into sled while the merge runs:
    /// once sled's side has ended, the write is not given again from there
    /// (a batch for head office once held an entry twice).
    #[test]
    fn a_write_reaching_sled_during_the_merge_comes_once() {
        for from_back in [false, true] {
            let db = sled::Config::new()
                .temporary(true)
                .open()
                .expect("a test store");
            let tree = db.open_tree("t").expect("a test store");
            let overlay = vec![(key(1), Some(key(7))), (key(2), Some(key(8)))];
            let mut merged = Merged::new(tree.iter(), overlay);
            let take = |m: &mut Merged| if from_back { m.next_back() } else { m.next() };
            assert!(take(&mut merged).is_some());
            tree.insert(key(1), key(7)).expect("a test store");
            tree.insert(key(2), key(8)).expect("a test store");
            assert!(take(&mut merged).is_some());
            assert!(take(&mut merged).is_none(), "from the back: {from_back}");
        }
    }

    proptest! {
        /// Whatever sled holds and the overlay lays over it, and from
        /// whichever ends it is taken, the merge is the map with the
        /// overlay applied.
        #[test]
        fn the_merge_is_sled_with_the_overlay_applied(
            in_sled in proptest::collection::btree_map(0u8..40, any::<u8>(), 0..20),
            over in proptest::collection::btree_map(0u8..40, proptest::option::of(any::<u8>()), 0..20),
            ends in proptest::collection::vec(any::<bool>(), 0..60),
        ) {
            let db = sled::Config::new().temporary(true).open().expect("a test store");
            let tree = db.open_tree("t").expect("a test store");
            let mut model: BTreeMap<u8, u8> = in_sled.clone();
            for (k, v) in &in_sled {
                tree.insert(key(*k), &[*v][..]).expect("a test store");
            }
            for (k, v) in &over {
                match v {
                    Some(v) => drop(model.insert(*k, *v)),
                    None => drop(model.remove(k)),
                }
            }
            let overlay = over
                .iter()
                .map(|(k, v)| (key(*k), v.map(|v| Bytes::from(&[v][..]))))
                .collect();
            let mut merged = Merged::new(tree.iter(), overlay);
            let mut expected: std::collections::VecDeque<(u8, u8)> = model.into_iter().collect();
            for from_back in ends.iter().copied().chain(std::iter::repeat_n(false, 60)) {
                let got = if from_back { merged.next_back() } else { merged.next() };
                let want = if from_back { expected.pop_back() } else { expected.pop_front() };
                let got = got.map(|e| e.map(|(k, v)| (k[0], v[0])).expect("a test store"));
                prop_assert_eq!(got, want);
            }
        }
    }
}
