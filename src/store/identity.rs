//! The terminal's ed25519 signing key, made once at `till init`.
//!
//! It lives beside the store as `terminal.key` (the raw 32-byte secret, mode
//! 0600): head office knows the terminal by its public key and checks every
//! batch of sales against it, so the secret must never leave this machine.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use ed25519_dalek::SigningKey;
use rand_core::OsRng;

use super::error::StoreError;

pub const KEY_FILE: &str = "terminal.key";

/// Writes a new key and returns the public half, hex-encoded. Refuses to
/// overwrite an existing key: that would orphan the terminal at head office.
pub fn create_key(dir: &Path) -> Result<String, StoreError> {
    let path = dir.join(KEY_FILE);
    let key = SigningKey::generate(&mut OsRng);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| StoreError::io(&path, e))?;
    file.write_all(&key.to_bytes())
        .map_err(|e| StoreError::io(&path, e))?;
    file.sync_all().map_err(|e| StoreError::io(&path, e))?;
    Ok(hex::encode(key.verifying_key().to_bytes()))
}
