//! A terminal's connection to head office: one TLS connection per exchange,
//! with timeouts on connecting, sending and reading (the name lookup has the
//! system resolver's own), so a network that hangs costs the sync worker a
//! retry, never the till a sale.

use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};

use super::http::{self, Response};
use super::tls::{self, TlsError};
use crate::store::outbox::HqLink;

/// Why head office could not be asked.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("head office's address '{0}' is not https://host[:port]")]
    BadUrl(String),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("cannot reach head office at {url}: {source}")]
    Unreachable { url: String, source: io::Error },
}

pub struct HqClient {
    url: String,
    host: String,
    port: u16,
    config: Arc<ClientConfig>,
    timeout: Duration,
}

/// Splits `https://host:port/` into host and port (443 if none).
pub fn parse_url(url: &str) -> Option<(String, u16)> {
    let rest = url.trim().strip_prefix("https://")?.trim_end_matches('/');
    if rest.is_empty() || rest.contains('/') {
        return None;
    }
    // [v6]:port, host:port, or a bare host.
    if let Some(v6) = rest.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => 443,
            None => return None,
        };
        return Some((host.to_string(), port));
    }
    match rest.rsplit_once(':') {
        Some((host, port)) => Some((host.to_string(), port.parse().ok()?)),
        None => Some((rest.to_string(), 443)),
    }
}

impl HqClient {
    pub fn new(link: &HqLink, timeout: Duration) -> Result<HqClient, ClientError> {
        let (host, port) =
            parse_url(&link.url).ok_or_else(|| ClientError::BadUrl(link.url.clone()))?;
        let client = link
            .client_cert
            .as_ref()
            .map(|(cert, key)| (cert.as_str(), key.as_str()));
        Ok(HqClient {
            url: link.url.clone(),
            host,
            port,
            config: tls::client_config(&link.ca_pem, client)?,
            timeout,
        })
    }

    /// One request and its answer.
    pub fn exchange(&self, method: &str, path: &str, body: &[u8]) -> Result<Response, ClientError> {
        self.try_exchange(method, path, body)
            .map_err(|source| ClientError::Unreachable {
                url: self.url.clone(),
                source,
            })
    }

    fn try_exchange(&self, method: &str, path: &str, body: &[u8]) -> io::Result<Response> {
        let mut last = io::Error::new(io::ErrorKind::NotFound, "the name has no address");
        let addrs = (self.host.as_str(), self.port).to_socket_addrs()?;
        let mut tcp = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, self.timeout) {
                Ok(s) => {
                    tcp = Some(s);
                    break;
                }
                Err(e) => last = e,
            }
        }
        let tcp = tcp.ok_or(last)?;
        tcp.set_read_timeout(Some(self.timeout))?;
        tcp.set_write_timeout(Some(self.timeout))?;
        tcp.set_nodelay(true)?;
        let name = ServerName::try_from(self.host.clone())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let conn = ClientConnection::new(self.config.clone(), name)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let mut stream = StreamOwned::new(conn, tcp);
        http::write_request(&mut stream, method, &self.host, path, body)?;
        let response = http::read_response(&mut stream)?;
        stream.conn.send_close_notify();
        let _ = stream.conn.complete_io(&mut stream.sock);
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_url;

    #[test]
    fn parses_head_office_addresses() {
        assert_eq!(
            parse_url("https://hq.example.com:8443"),
            Some(("hq.example.com".into(), 8443))
        );
        assert_eq!(
            parse_url("https://hq.example.com/"),
            Some(("hq.example.com".into(), 443))
        );
        assert_eq!(parse_url("https://[::1]:9000"), Some(("::1".into(), 9000)));
        assert_eq!(parse_url("http://hq:80"), None);
        assert_eq!(parse_url("https://hq:port"), None);
        assert_eq!(parse_url("https://hq/path"), None);
    }
}
