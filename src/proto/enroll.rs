//! Enrolment: the two files a terminal and head office exchange to know each
//! other, by hand (a USB stick, scp) since neither trusts the other yet.
//!
//! 1. The terminal writes a request (`till sync request`): its id, shop name
//!    and public key. Nothing in it is secret.
//! 2. Head office registers it (`till hq enroll`) and writes a bundle: its
//!    address, its CA, its public key and, if asked, a client certificate
//!    and key for this terminal. The bundle is written mode 0600: with a
//!    client key in it, it is a secret.
//! 3. The terminal joins (`till sync join`): it pins the CA and the key.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::store::outbox::HqLink;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub terminal: String,
    pub store_name: String,
    /// Hex of the terminal's ed25519 public key.
    pub public_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    /// The terminal it was made for: joining another one is refused.
    pub terminal: String,
    pub url: String,
    pub hq_key: String,
    pub ca_pem: String,
    pub client_cert_pem: Option<String>,
    pub client_key_pem: Option<String>,
}

impl Bundle {
    pub fn link(&self) -> HqLink {
        HqLink {
            url: self.url.clone(),
            ca_pem: self.ca_pem.clone(),
            hq_key: self.hq_key.clone(),
            client_cert: self
                .client_cert_pem
                .clone()
                .zip(self.client_key_pem.clone()),
        }
    }
}

/// Reads one of the two files, naming the file and line of any mistake.
pub fn read<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    Ok(crate::textfile::ConfigFile::read_as(path)?.table)
}

/// Writes one of the two files; `secret` ones are readable by the owner only.
pub fn write<T: Serialize>(path: &Path, value: &T, secret: bool) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let text = toml::to_string(value)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(if secret { 0o600 } else { 0o644 })
        .open(path)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    // `mode` applies only to a new file: an old one keeps its own, so set it.
    let mode = if secret { 0o600 } else { 0o644 };
    file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    file.write_all(text.as_bytes())?;
    Ok(())
}
