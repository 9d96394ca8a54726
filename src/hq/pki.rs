//! Head office's own small CA, made at `till hq init`: it signs head office's
//! server certificate and, at enrolment, terminals' client certificates.
//! Terminals pin this CA, so no other issuer can stand in for head office.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// A certificate and its key, PEM.
pub struct Pem {
    pub cert: String,
    pub key: String,
}

#[derive(Debug, thiserror::Error)]
#[error("certificate: {0}")]
pub struct PkiError(#[from] rcgen::Error);

/// Valid from the start of last year (clocks on tills drift) for `years`.
fn validity(params: &mut CertificateParams, years: i32) {
    use chrono::Datelike;
    let year = chrono::Utc::now().year();
    params.not_before = rcgen::date_time_ymd(year - 1, 1, 1);
    params.not_after = rcgen::date_time_ymd(year + years, 1, 1);
}

/// The CA's parameters; the same every time for one name, so the issuer can
/// be rebuilt from its key to sign more certificates later.
fn ca_params(name: &str) -> Result<CertificateParams, PkiError> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params
        .distinguished_name
        .push(DnType::CommonName, format!("{name} till CA"));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    Ok(params)
}

pub fn new_ca(name: &str) -> Result<Pem, PkiError> {
    let key = KeyPair::generate()?;
    let mut params = ca_params(name)?;
    validity(&mut params, 20);
    let cert = params.self_signed(&key)?;
    Ok(Pem {
        cert: cert.pem(),
        key: key.serialize_pem(),
    })
}

fn issuer(name: &str, ca_key_pem: &str) -> Result<Issuer<'static, KeyPair>, PkiError> {
    Ok(Issuer::new(
        ca_params(name)?,
        KeyPair::from_pem(ca_key_pem)?,
    ))
}

/// Head office's server certificate for `names` (host names or IP addresses).
pub fn server_cert(ca_name: &str, ca_key_pem: &str, names: &[String]) -> Result<Pem, PkiError> {
    let common_name = names.first().cloned().unwrap_or_default();
    leaf(
        ca_name,
        ca_key_pem,
        names,
        &common_name,
        ExtendedKeyUsagePurpose::ServerAuth,
    )
}

/// A client certificate naming `terminal`.
pub fn client_cert(ca_name: &str, ca_key_pem: &str, terminal: &str) -> Result<Pem, PkiError> {
    leaf(
        ca_name,
        ca_key_pem,
        &[],
        terminal,
        ExtendedKeyUsagePurpose::ClientAuth,
    )
}

/// A certificate the CA signs, valid five years, for one use.
fn leaf(
    ca_name: &str,
    ca_key_pem: &str,
    names: &[String],
    common_name: &str,
    usage: ExtendedKeyUsagePurpose,
) -> Result<Pem, PkiError> {
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::new(names.to_vec())?;
    params
        .distinguished_name
        .push(DnType::CommonName, common_name.to_string());
    params.extended_key_usages = vec![usage];
    validity(&mut params, 5);
    let cert = params.signed_by(&key, &issuer(ca_name, ca_key_pem)?)?;
    Ok(Pem {
        cert: cert.pem(),
        key: key.serialize_pem(),
    })
}
