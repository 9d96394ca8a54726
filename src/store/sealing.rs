//! Customers' personal data encrypted at rest, with XChaCha20-Poly1305 and a
//! key of its own (`customers.key`, 32 random bytes, mode 0600, made when the
//! store is).
//!
//! A copied store file or a backup without the key shows no name, phone,
//! email, address or tax number. Each sealed value is bound to its record
//! (the associated data), so one customer's ciphertext cannot be passed off
//! as another's.

use std::path::Path;

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use super::error::StoreError;
use super::identity;

pub const KEY_FILE: &str = "customers.key";
const NONCE: usize = 24;

pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl Sealer {
    /// The store's key; made if there is none and `may_create` (no customer
    /// is sealed yet), else missing is an error that says what to do.
    pub fn open_or_create(dir: &Path, may_create: bool) -> Result<Sealer, StoreError> {
        let path = dir.join(KEY_FILE);
        if !path.exists() && !may_create {
            return Err(StoreError::corrupt(
                KEY_FILE,
                "missing, and customers' details are sealed with it: put it back from where it was kept, or restore a backup made with --with-keys",
            ));
        }
        if !path.exists() {
            let key = XChaCha20Poly1305::generate_key(&mut OsRng);
            identity::write_secret(&path, key.as_slice())?;
        }
        let bytes = std::fs::read(&path).map_err(|e| StoreError::io(&path, e))?;
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes).map_err(|_| {
            StoreError::corrupt(
                KEY_FILE,
                "not a 32-byte key: restore it from a backup, or customers' details cannot be read",
            )
        })?;
        Ok(Sealer { cipher })
    }

    /// A fresh nonce, then the ciphertext of `plain` bound to `record`.
    pub fn seal(&self, record: &[u8], plain: &[u8]) -> Result<Vec<u8>, StoreError> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plain,
                    aad: record,
                },
            )
            .map_err(|_| StoreError::Encode("cannot encrypt a customer's details".into()))?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        Ok(out)
    }

    pub fn open(&self, record: &[u8], sealed: &[u8]) -> Result<Vec<u8>, StoreError> {
        if sealed.len() < NONCE {
            return Err(StoreError::corrupt("customer", "sealed value too short"));
        }
        let (nonce, body) = sealed.split_at(NONCE);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: record,
                },
            )
            .map_err(|_| {
                StoreError::corrupt(
                    "customer",
                    "details do not decrypt: wrong customers.key, or the record was altered",
                )
            })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn opens_only_what_it_sealed_for_that_record() {
        let dir = tempfile::tempdir().unwrap();
        let sealer = Sealer::open_or_create(dir.path(), true).unwrap();
        let sealed = sealer.seal(b"customer 1", b"Ada Lovelace").unwrap();
        assert!(!sealed.windows(3).any(|w| w == b"Ada"));
        assert_eq!(
            sealer.open(b"customer 1", &sealed).unwrap(),
            b"Ada Lovelace"
        );
        assert!(sealer.open(b"customer 2", &sealed).is_err());
        let mut altered = sealed.clone();
        altered[30] ^= 1;
        assert!(sealer.open(b"customer 1", &altered).is_err());
        // The same key next time.
        let again = Sealer::open_or_create(dir.path(), false).unwrap();
        assert_eq!(again.open(b"customer 1", &sealed).unwrap(), b"Ada Lovelace");
        let other = tempfile::tempdir().unwrap();
        assert!(
            Sealer::open_or_create(other.path(), false).is_err(),
            "no key, none made"
        );
        let other = Sealer::open_or_create(other.path(), true).unwrap();
        assert!(other.open(b"customer 1", &sealed).is_err());
    }
}
