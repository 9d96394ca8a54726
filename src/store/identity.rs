//! The terminal's ed25519 signing key, made once at `till init`, and the
//! other secret files (head office's keys) written the same careful way.
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
    let key = create_key_file(&dir.join(KEY_FILE))?;
    Ok(hex::encode(key.verifying_key().to_bytes()))
}

/// Writes a new signing key to `path` (which must not exist yet).
pub fn create_key_file(path: &Path) -> Result<SigningKey, StoreError> {
    let key = SigningKey::generate(&mut OsRng);
    write_secret(path, &key.to_bytes())?;
    Ok(key)
}

/// Writes `bytes` to a new file only its owner can read, and syncs it.
pub fn write_secret(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| StoreError::io(path, e))?;
    file.write_all(bytes).map_err(|e| StoreError::io(path, e))?;
    file.sync_all().map_err(|e| StoreError::io(path, e))
}

/// Reads the terminal's signing key, for signing batches.
pub fn load_key(dir: &Path) -> Result<SigningKey, StoreError> {
    load_key_file(&dir.join(KEY_FILE))
}

pub fn load_key_file(path: &Path) -> Result<SigningKey, StoreError> {
    let bytes = std::fs::read(path).map_err(|e| StoreError::io(path, e))?;
    let secret: [u8; 32] = bytes.try_into().map_err(|_| {
        StoreError::corrupt(
            path.display().to_string(),
            "not a 32-byte ed25519 key: restore it from a backup, or enroll again",
        )
    })?;
    Ok(SigningKey::from_bytes(&secret))
}
