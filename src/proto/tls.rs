//! rustls set-up for both ends, on the ring provider.
//!
//! The terminal trusts exactly one CA for head office, the one pinned at
//! enrolment: not the system's roots, so a certificate any public CA issued
//! for the same name is refused. Head office asks for a client certificate
//! from that CA and, unless told to require one, also serves terminals
//! without (each batch is signed by the terminal's key either way).

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{what}: no PEM certificate in it")]
    NoCertificate { what: String },
    #[error("{what}: {detail}")]
    Pem { what: String, detail: String },
    #[error("TLS set-up: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("TLS client verifier: {0}")]
    Verifier(String),
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

pub fn certificates(pem: &str, what: &str) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Pem {
            what: what.to_string(),
            detail: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate {
            what: what.to_string(),
        });
    }
    Ok(certs)
}

pub fn private_key(pem: &str, what: &str) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_slice(pem.as_bytes()).map_err(|e| TlsError::Pem {
        what: what.to_string(),
        detail: e.to_string(),
    })
}

fn roots(ca_pem: &str) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    for cert in certificates(ca_pem, "head office's CA")? {
        roots.add(cert)?;
    }
    Ok(roots)
}

/// A terminal's view: only `ca_pem` vouches for head office; `client` is the
/// certificate and key (PEM) to show, if head office issued one.
pub fn client_config(
    ca_pem: &str,
    client: Option<(&str, &str)>,
) -> Result<Arc<ClientConfig>, TlsError> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots(ca_pem)?);
    let config = match client {
        Some((cert, key)) => builder.with_client_auth_cert(
            certificates(cert, "the client certificate")?,
            private_key(key, "the client key")?,
        )?,
        None => builder.with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

/// Head office's side: its certificate chain and key, and the CA whose
/// client certificates it accepts (all of them, or only those if `require`).
pub fn server_config(
    cert_pem: &str,
    key_pem: &str,
    ca_pem: &str,
    require_client_cert: bool,
) -> Result<Arc<ServerConfig>, TlsError> {
    let verifier =
        WebPkiClientVerifier::builder_with_provider(Arc::new(roots(ca_pem)?), provider());
    let verifier = if require_client_cert {
        verifier
    } else {
        verifier.allow_unauthenticated()
    };
    let verifier = verifier
        .build()
        .map_err(|e| TlsError::Verifier(e.to_string()))?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            certificates(cert_pem, "head office's certificate")?,
            private_key(key_pem, "head office's key")?,
        )?;
    Ok(Arc::new(config))
}
