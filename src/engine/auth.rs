//! PINs: hashed with argon2, never stored or logged in clear.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand_core::OsRng;

#[derive(Debug, thiserror::Error)]
pub enum PinError {
    #[error("a PIN is 4 to 12 digits")]
    BadShape,
    #[error("the PIN could not be hashed: {0}")]
    Hash(String),
}

/// Refuses PINs a keypad cannot type or a guess would find at once.
pub fn check_shape(pin: &str) -> Result<(), PinError> {
    if (4..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(PinError::BadShape)
    }
}

pub fn hash_pin(pin: &str) -> Result<String, PinError> {
    check_shape(pin)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PinError::Hash(e.to_string()))
}

/// A malformed stored hash verifies as false: a damaged user record locks
/// that user out rather than letting anyone in.
pub fn verify_pin(pin: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(pin.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_the_right_pin() {
        let h = hash_pin("1111").unwrap();
        assert!(!h.contains("1111"));
        assert!(verify_pin("1111", &h));
        assert!(!verify_pin("1112", &h));
        assert!(!verify_pin("1111", "garbage"));
        assert!(hash_pin("12").is_err());
        assert!(hash_pin("12ab").is_err());
    }
}
