//! A typed tree: one kind of record under one kind of key, encoded in the
//! versioned envelope (see `envelope`), the same in and out of a
//! transaction. A record that does not decode is named in the error by the
//! table's `what` ("sale", "open cart").

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::envelope::{Encoded, encode};
use super::error::StoreError;
use super::keys;
use super::kv::{Bytes, Db, Tree, Tx, TxAbort, TxTree};
use super::write::Put;

/// How a key is laid out in bytes (see `keys`), and read back.
pub trait Key {
    /// What a look-up takes (`str` for a `String` key).
    type Ref: ?Sized;
    type Bytes<'a>: AsRef<[u8]>;
    fn bytes(key: &Self::Ref) -> Self::Bytes<'_>;
    fn parse(raw: &[u8]) -> Option<Self>
    where
        Self: Sized;
}

/// Skus and user names, as their UTF-8 bytes.
impl Key for String {
    type Ref = str;
    type Bytes<'a> = &'a [u8];
    fn bytes(key: &str) -> &[u8] {
        key.as_bytes()
    }
    fn parse(raw: &[u8]) -> Option<String> {
        String::from_utf8(raw.to_vec()).ok()
    }
}

/// Receipt, entry, job and shift numbers, big-endian so they sort in order.
impl Key for u64 {
    type Ref = u64;
    type Bytes<'a> = [u8; 8];
    fn bytes(key: &u64) -> [u8; 8] {
        keys::seq(*key)
    }
    fn parse(raw: &[u8]) -> Option<u64> {
        keys::parse_seq(raw)
    }
}

/// Lanes.
impl Key for u16 {
    type Ref = u16;
    type Bytes<'a> = [u8; 2];
    fn bytes(key: &u16) -> [u8; 2] {
        key.to_be_bytes()
    }
    fn parse(raw: &[u8]) -> Option<u16> {
        Some(u16::from_be_bytes(raw.try_into().ok()?))
    }
}

pub struct Table<K, V> {
    tree: Tree,
    what: &'static str,
    _records: PhantomData<fn(K) -> V>,
}

impl<K, V> Clone for Table<K, V> {
    fn clone(&self) -> Self {
        Table {
            tree: self.tree.clone(),
            what: self.what,
            _records: PhantomData,
        }
    }
}

impl<K: Key, V: Serialize + DeserializeOwned> Table<K, V> {
    pub fn open(db: &Db, name: &str, what: &'static str) -> Result<Self, StoreError> {
        Ok(Table {
            tree: db.tree(name)?,
            what,
            _records: PhantomData,
        })
    }

    /// The tree underneath: to name it in a transaction or a [`Put`].
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    pub fn get(&self, key: &K::Ref) -> Result<Option<V>, StoreError> {
        self.tree.value(K::bytes(key), self.what)
    }

    pub fn contains(&self, key: &K::Ref) -> Result<bool, StoreError> {
        Ok(self.tree.get(K::bytes(key))?.is_some())
    }

    pub fn insert(&self, key: &K::Ref, value: &V) -> Result<(), StoreError> {
        self.insert_stored(key, value).map(drop)
    }

    /// [`Table::insert`], handing back the bytes stored.
    pub fn insert_stored(&self, key: &K::Ref, value: &V) -> Result<Bytes, StoreError> {
        let stored = Bytes::from(encode(value)?);
        self.tree.insert(K::bytes(key), stored.clone())?;
        Ok(stored)
    }

    /// The record's bytes as stored, not decoded: to tell whether a copy
    /// decoded before is still the record (see `carts::CartMemo`).
    pub fn stored(&self, key: &K::Ref) -> Result<Option<Bytes>, StoreError> {
        self.tree.get(K::bytes(key))
    }

    /// Decodes bytes [`Table::stored`] gave.
    pub fn decode(&self, stored: &[u8]) -> Result<V, StoreError> {
        super::envelope::decode(stored, self.what)
    }

    pub fn remove(&self, key: &K::Ref) -> Result<(), StoreError> {
        self.tree.remove(K::bytes(key))
    }

    /// The record as a write to go with a journal entry.
    pub fn put(&self, key: &K::Ref, value: &V) -> Result<Put<'_>, StoreError> {
        Ok(Put {
            tree: &self.tree,
            key: K::bytes(key).as_ref().to_vec(),
            value: Some(encode(value)?),
        })
    }

    /// The record's removal as a write to go with a journal entry.
    pub fn delete(&self, key: &K::Ref) -> Put<'_> {
        Put {
            tree: &self.tree,
            key: K::bytes(key).as_ref().to_vec(),
            value: None,
        }
    }

    fn entry(&self, raw: (super::kv::Bytes, super::kv::Bytes)) -> Result<(K, V), StoreError> {
        let (k, v) = raw;
        let key = K::parse(&k).ok_or_else(|| StoreError::corrupt(self.what, "bad key"))?;
        Ok((key, super::envelope::decode(&v, self.what)?))
    }

    /// Every record with its key, in key order.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = Result<(K, V), StoreError>> + '_ {
        self.tree.iter().map(move |e| self.entry(e?))
    }

    /// Every record, in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = Result<V, StoreError>> + '_ {
        self.tree
            .iter()
            .map(move |e| super::envelope::decode(&e?.1, self.what))
    }

    /// The records from `first` on, in key order.
    pub fn values_from<'s>(
        &'s self,
        first: &K::Ref,
    ) -> impl DoubleEndedIterator<Item = Result<V, StoreError>> + use<'s, K, V> {
        let from = K::bytes(first).as_ref().to_vec();
        self.tree
            .range(from..)
            .map(move |e| super::envelope::decode(&e?.1, self.what))
    }

    /// The keys from `first` on (a bad key reads as none).
    pub fn keys_from<'s>(
        &'s self,
        first: &K::Ref,
    ) -> impl Iterator<Item = Result<K, StoreError>> + use<'s, K, V> {
        let from = K::bytes(first).as_ref().to_vec();
        self.tree
            .range(from..)
            .map(move |e| K::parse(&e?.0).ok_or_else(|| StoreError::corrupt(self.what, "bad key")))
    }

    pub fn first(&self) -> Result<Option<(K, V)>, StoreError> {
        self.tree.first()?.map(|e| self.entry(e)).transpose()
    }

    pub fn last_key(&self) -> Result<Option<K>, StoreError> {
        Ok(self.tree.last()?.and_then(|(k, _)| K::parse(&k)))
    }

    /// Walks the whole table: keep it off hot paths.
    pub fn len(&self) -> usize {
        self.tree.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }

    /// This table inside transaction `tx` (which must have been opened over it).
    pub fn within<'a>(&self, tx: &Tx<'a>) -> Result<TxTable<'a, K, V>, TxAbort> {
        Ok(TxTable {
            tree: tx.tree(&self.tree)?,
            what: self.what,
            _records: PhantomData,
        })
    }
}

/// A [`Table`] inside a transaction.
pub struct TxTable<'a, K, V> {
    tree: TxTree<'a>,
    what: &'static str,
    _records: PhantomData<fn(K) -> V>,
}

impl<K: Key, V: Serialize + DeserializeOwned> TxTable<'_, K, V> {
    pub fn get(&self, key: &K::Ref) -> Result<Option<V>, TxAbort> {
        self.tree.value(K::bytes(key), self.what)
    }

    pub fn insert(&self, key: &K::Ref, value: &V) -> Result<(), TxAbort> {
        self.tree.put_value(K::bytes(key), value)
    }

    /// Inserts a record encoded beforehand (see [`Encoded`]).
    pub fn insert_encoded(&self, key: &K::Ref, value: Encoded<V>) -> Result<(), TxAbort> {
        self.tree.insert(K::bytes(key), value.into_bytes())
    }

    /// Removes the record, handing back what it held.
    pub fn take(&self, key: &K::Ref) -> Result<Option<V>, TxAbort> {
        match self.tree.remove(K::bytes(key))? {
            Some(raw) => Ok(Some(super::envelope::decode(&raw, self.what)?)),
            None => Ok(None),
        }
    }

    pub fn remove(&self, key: &K::Ref) -> Result<(), TxAbort> {
        self.tree.remove(K::bytes(key))?;
        Ok(())
    }
}
