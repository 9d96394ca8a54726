//! The versioned envelope around every value in the store.
//!
//! A value is one version byte followed by its bincode encoding (bincode 2,
//! standard config). The byte lets a later Till tell an old record from a new
//! one and migrate it (see `schema`), instead of misreading it.

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::StoreError;

/// Version of the record layout this build writes.
pub const ENVELOPE_VERSION: u8 = 1;

/// The most a decoded value may claim: bincode trusts length prefixes, so a
/// damaged record or a hostile batch from the network could otherwise ask for
/// gigabytes before decoding fails.
const DECODE_LIMIT: usize = 64 << 20;

/// Room a value's bytes start with: an open cart of a few lines or a
/// completed sale (about 1.2 KB) fits without the buffer growing through
/// eight sizes from empty: encoding the cart was an eighth of a scan's CPU
/// (perf, stop 33), the growing part of it.
const START_CAPACITY: usize = 2048;

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// The canonical bytes of a value: what the journal hashes. Deterministic for
/// a given value, as bincode's standard encoding is.
pub fn canonical<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    encode_after(Vec::with_capacity(START_CAPACITY), value)
}

pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    let mut out = Vec::with_capacity(START_CAPACITY);
    out.push(ENVELOPE_VERSION);
    encode_after(out, value)
}

/// `value`'s bincode bytes appended to `out`.
fn encode_after<T: Serialize>(mut out: Vec<u8>, value: &T) -> Result<Vec<u8>, StoreError> {
    bincode::serde::encode_into_std_write(value, &mut out, config())
        .map_err(|e| StoreError::Encode(e.to_string()))?;
    Ok(out)
}

/// A value of type `T` encoded once, for a record that is both stored and
/// hashed (a completed sale and its journal digest): encoding a sale is
/// most of the CPU its completion costs, so it is not done twice.
pub struct Encoded<T> {
    bytes: Vec<u8>,
    _value: PhantomData<fn(T)>,
}

impl<T: Serialize> Encoded<T> {
    pub fn of(value: &T) -> Result<Encoded<T>, StoreError> {
        Ok(Encoded {
            bytes: encode(value)?,
            _value: PhantomData,
        })
    }
}

impl<T> Encoded<T> {
    /// A struct's envelope from its fields' canonical bytes, in order:
    /// bincode encodes a struct as its fields one after another, so a field
    /// encoded once for a hash (a journal entry) is not encoded again to be
    /// stored. The journal's tests hold it to [`encode`].
    pub(super) fn of_fields(fields: &[&[u8]]) -> Encoded<T> {
        let mut bytes = Vec::with_capacity(1 + fields.iter().map(|f| f.len()).sum::<usize>());
        bytes.push(ENVELOPE_VERSION);
        for field in fields {
            bytes.extend_from_slice(field);
        }
        Encoded {
            bytes,
            _value: PhantomData,
        }
    }

    /// What [`canonical`] gives for the value.
    pub fn canonical(&self) -> &[u8] {
        &self.bytes[1..]
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// Decodes a stored value; `what` names it in the error ("product 123").
pub fn decode<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, StoreError> {
    let (&version, body) = bytes
        .split_first()
        .ok_or_else(|| StoreError::corrupt(what, "empty record"))?;
    if version != ENVELOPE_VERSION {
        return Err(StoreError::corrupt(
            what,
            format!("record version {version}, expected {ENVELOPE_VERSION}"),
        ));
    }
    let limited = config().with_limit::<DECODE_LIMIT>();
    let (value, used) = bincode::serde::decode_from_slice(body, limited)
        .map_err(|e| StoreError::corrupt(what, e))?;
    if used != body.len() {
        return Err(StoreError::corrupt(what, "trailing bytes after the record"));
    }
    Ok(value)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::money::Money;
    use rust_decimal::dec;

    #[test]
    fn round_trips_decimals_through_bincode() {
        let bytes = encode(&(Money(dec!(12.34)), "x".to_string())).unwrap();
        let back: (Money, String) = decode(&bytes, "test").unwrap();
        assert_eq!(back, (Money(dec!(12.34)), "x".to_string()));
    }

    #[test]
    fn a_value_encoded_once_is_its_envelope_and_its_canonical_bytes() {
        let value = (
            Money(dec!(-0.05)),
            "ü".repeat(40),
            vec![1u64, 300, u64::MAX],
        );
        let once = Encoded::of(&value).unwrap();
        assert_eq!(once.canonical(), canonical(&value).unwrap());
        assert_eq!(once.into_bytes(), encode(&value).unwrap());
        let back: (Money, String, Vec<u64>) = decode(&encode(&value).unwrap(), "t").unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn refuses_unknown_version_and_trailing_bytes() {
        let mut bytes = encode(&7u32).unwrap();
        bytes.push(0);
        assert!(decode::<u32>(&bytes, "t").is_err());
        bytes[0] = 9;
        assert!(decode::<u32>(&bytes[..bytes.len() - 1], "t").is_err());
    }
}
