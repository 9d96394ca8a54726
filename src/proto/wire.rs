//! What crosses the wire between a terminal and head office, and how it is
//! signed.
//!
//! Every message is a [`Signed`] envelope: the versioned bincode bytes of the
//! value (the store's envelope, so a change of layout is refused, not
//! misread) and an ed25519 signature over a context string and those bytes.
//! The context keeps a signature made for one kind of message from being
//! passed off as another (an acknowledgement as a catalog).

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::domain::product::Product;
use crate::domain::receipt::CompletedSale;
use crate::store::StoreError;
use crate::store::envelope::{decode, encode};
use crate::store::journal::{Hash, JournalRecord};

/// A value and its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed {
    pub body: Vec<u8>,
    pub signature: Vec<u8>,
}

/// A message kind that is signed, with the context its signature covers.
pub trait Signable: Serialize + DeserializeOwned {
    const CONTEXT: &'static [u8];
    /// Names it in errors.
    const WHAT: &'static str;
}

/// Why a signed message could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("{0} cannot be read: {1}")]
    Malformed(&'static str, String),
    #[error("the signature on the {0} does not match the expected key")]
    BadSignature(&'static str),
}

fn signed_bytes(context: &[u8], body: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(context.len() + body.len());
    message.extend_from_slice(context);
    message.extend_from_slice(body);
    message
}

impl Signed {
    pub fn seal<T: Signable>(value: &T, key: &SigningKey) -> Result<Signed, StoreError> {
        let body = encode(value)?;
        let signature = key.sign(&signed_bytes(T::CONTEXT, &body));
        Ok(Signed {
            body,
            signature: signature.to_bytes().to_vec(),
        })
    }

    /// The value inside, without checking who signed it: for learning which
    /// key to check it against (a batch names its terminal).
    pub fn peek<T: Signable>(&self) -> Result<T, OpenError> {
        decode(&self.body, T::WHAT).map_err(|e| OpenError::Malformed(T::WHAT, e.to_string()))
    }

    /// The value inside, if `key` signed it.
    pub fn open<T: Signable>(&self, key: &VerifyingKey) -> Result<T, OpenError> {
        let signature =
            Signature::from_slice(&self.signature).map_err(|_| OpenError::BadSignature(T::WHAT))?;
        key.verify(&signed_bytes(T::CONTEXT, &self.body), &signature)
            .map_err(|_| OpenError::BadSignature(T::WHAT))?;
        self.peek()
    }

    pub fn to_bytes(&self) -> Result<Vec<u8>, StoreError> {
        encode(self)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Signed, OpenError> {
        decode(bytes, "signed message").map_err(|e| OpenError::Malformed("message", e.to_string()))
    }
}

/// A hex-encoded ed25519 public key, as settings and enrolment files keep it.
pub fn verifying_key(hex_key: &str) -> Result<VerifyingKey, String> {
    let bytes: [u8; 32] = hex::decode(hex_key.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| format!("'{hex_key}' is not a 64-digit hex ed25519 public key"))?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| format!("not an ed25519 public key: {e}"))
}

/// A run of a terminal's journal, in order, with the sale and refund records
/// its entries name (head office checks each against its entry's digest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    pub terminal: String,
    /// 1, 2, 3 … per terminal: head office stores each number once.
    pub seq: u64,
    pub entries: Vec<JournalRecord>,
    pub sales: Vec<CompletedSale>,
}

impl Signable for Batch {
    const CONTEXT: &'static [u8] = b"till/batch/v1\0";
    const WHAT: &'static str = "batch";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Received {
    Stored,
    /// It was stored before (the terminal did not hear the first answer).
    AlreadyHeld,
}

/// Head office's signed word that it holds a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    pub terminal: String,
    pub seq: u64,
    /// The hash of the batch's last journal entry.
    pub last_hash: Hash,
    pub received: Received,
}

impl Signable for Ack {
    const CONTEXT: &'static [u8] = b"till/ack/v1\0";
    const WHAT: &'static str = "acknowledgement";
}

/// Why head office will not take a batch. Sent back as the answer, so the
/// terminal can show the reason; none of these goes away by retrying alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Refusal {
    #[error("head office does not know terminal {0}: enroll it (till hq enroll)")]
    UnknownTerminal(String),
    #[error("the batch's signature is not terminal {0}'s enrolled key")]
    BadSignature(String),
    #[error(
        "batch {seq} of terminal {terminal} was already received with other contents: a replayed or reused sequence"
    )]
    SequenceReused { terminal: String, seq: u64 },
    #[error(
        "batch {got} of terminal {terminal} skips ahead: head office has up to batch {} (batches are missing)",
        .expected - 1
    )]
    SequenceGap {
        terminal: String,
        expected: u64,
        got: u64,
        /// Where head office's copy of the journal ends: the entry it expects
        /// next and the hash that entry must chain from. A terminal whose
        /// journal has that hash there can send again from that entry (head
        /// office was restored from a backup, or is a new one).
        next_entry: u64,
        last_hash: Hash,
    },
    #[error("the journal of terminal {terminal} does not continue at entry {seq}: {detail}")]
    ChainBroken {
        terminal: String,
        seq: u64,
        detail: String,
    },
    #[error("the batch cannot be read: {0}")]
    Malformed(String),
}

impl Refusal {
    /// The enrolled terminal a refusal is about (not one head office does not know).
    pub fn terminal(&self) -> Option<&str> {
        match self {
            Refusal::BadSignature(t)
            | Refusal::SequenceReused { terminal: t, .. }
            | Refusal::SequenceGap { terminal: t, .. }
            | Refusal::ChainBroken { terminal: t, .. } => Some(t),
            Refusal::UnknownTerminal(_) | Refusal::Malformed(_) => None,
        }
    }
}

/// A set of product records head office publishes for every shop: added or
/// replaced by sku. Versions count up from 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSet {
    pub version: u64,
    pub issued_at: DateTime<Utc>,
    pub products: Vec<Product>,
}

impl Signable for ChangeSet {
    const CONTEXT: &'static [u8] = b"till/catalog/v1\0";
    const WHAT: &'static str = "catalog change set";
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rand_core::OsRng;

    fn ack() -> Ack {
        Ack {
            terminal: "T01".into(),
            seq: 3,
            last_hash: [7; 32],
            received: Received::Stored,
        }
    }

    #[test]
    fn opens_only_with_the_signers_key() {
        let key = SigningKey::generate(&mut OsRng);
        let other = SigningKey::generate(&mut OsRng);
        let signed = Signed::seal(&ack(), &key).unwrap();
        assert_eq!(signed.open::<Ack>(&key.verifying_key()).unwrap(), ack());
        assert_eq!(
            signed.open::<Ack>(&other.verifying_key()),
            Err(OpenError::BadSignature("acknowledgement"))
        );
        let mut tampered = signed.clone();
        let last = tampered.body.len() - 1;
        tampered.body[last] ^= 1;
        assert!(tampered.open::<Ack>(&key.verifying_key()).is_err());
    }

    #[test]
    fn a_signature_for_one_kind_does_not_open_another() {
        let key = SigningKey::generate(&mut OsRng);
        let set = ChangeSet {
            version: 1,
            issued_at: Utc::now(),
            products: vec![],
        };
        let signed = Signed::seal(&set, &key).unwrap();
        // Same key, other context: refused even before the body is read.
        assert_eq!(
            signed.open::<Ack>(&key.verifying_key()),
            Err(OpenError::BadSignature("acknowledgement"))
        );
    }

    #[test]
    fn round_trips_through_bytes() {
        let key = SigningKey::generate(&mut OsRng);
        let signed = Signed::seal(&ack(), &key).unwrap();
        assert_eq!(
            Signed::from_bytes(&signed.to_bytes().unwrap()).unwrap(),
            signed
        );
        assert!(Signed::from_bytes(b"junk").is_err());
    }
}
