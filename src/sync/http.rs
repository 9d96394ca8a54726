//! The little HTTP/1.1 that sync speaks, over any stream (a rustls one in
//! practice): one request and one answer per connection, bodies sized by
//! Content-Length, headers parsed by httparse.
//!
//! Written here rather than taken from an HTTP crate because both ends are
//! ours and need four things: POST a body, GET a path, answer with a status
//! and a body, and refuse anything oversized. The client crates bring their
//! own TLS set-up, which would hide the pinned CA and the client certificate.

use std::io::{self, Read, Write};

/// Headers larger than this are refused.
const MAX_HEAD: usize = 16 * 1024;
/// The most a body may be; a batch is cut well below it.
pub const MAX_BODY: usize = 16 << 20;

pub struct Request {
    pub method: String,
    pub path: String,
    pub body: Vec<u8>,
}

pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

fn invalid(why: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.into())
}

/// Reads up to the blank line that ends the head; returns the head and
/// whatever of the body came with it.
fn read_head(stream: &mut impl Read) -> io::Result<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the connection closed before a whole message arrived",
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let body = buf.split_off(end + 4);
            return Ok((buf, body));
        }
        if buf.len() > MAX_HEAD {
            return Err(invalid("the message's headers are too large"));
        }
    }
}

fn content_length(headers: &[httparse::Header<'_>]) -> io::Result<usize> {
    let Some(h) = headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
    else {
        return Ok(0);
    };
    let len: usize = std::str::from_utf8(h.value)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| invalid("the Content-Length header is not a number"))?;
    if len > MAX_BODY {
        return Err(invalid(format!(
            "a body of {len} bytes is more than the {MAX_BODY} allowed"
        )));
    }
    Ok(len)
}

/// The rest of a body of `len` bytes, of which `body` came with the head.
/// Memory grows with what arrives, not with what Content-Length claims.
fn read_body(stream: &mut impl Read, mut body: Vec<u8>, len: usize) -> io::Result<Vec<u8>> {
    if body.len() > len {
        return Err(invalid("more bytes than Content-Length said"));
    }
    let missing = (len - body.len()) as u64;
    stream.take(missing).read_to_end(&mut body)?;
    if body.len() < len {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the connection closed before the whole body arrived",
        ));
    }
    Ok(body)
}

/// httparse's verdict on a head `read_head` found complete.
fn complete(parsed: httparse::Result<usize>, what: &str) -> io::Result<()> {
    match parsed {
        Ok(httparse::Status::Complete(_)) => Ok(()),
        Ok(httparse::Status::Partial) => Err(invalid(format!("an incomplete {what} head"))),
        Err(e) => Err(invalid(format!("not an HTTP {what}: {e}"))),
    }
}

pub fn read_request(stream: &mut impl Read) -> io::Result<Request> {
    let (head, rest) = read_head(stream)?;
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut req = httparse::Request::new(&mut headers);
    complete(req.parse(&head), "request")?;
    let len = content_length(req.headers)?;
    let method = req.method.unwrap_or_default().to_string();
    let path = req.path.unwrap_or_default().to_string();
    let body = read_body(stream, rest, len)?;
    Ok(Request { method, path, body })
}

pub fn read_response(stream: &mut impl Read) -> io::Result<Response> {
    let (head, rest) = read_head(stream)?;
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut res = httparse::Response::new(&mut headers);
    complete(res.parse(&head), "response")?;
    let len = content_length(res.headers)?;
    let status = res.code.unwrap_or_default();
    let body = read_body(stream, rest, len)?;
    Ok(Response { status, body })
}

pub fn write_request(
    stream: &mut impl Write,
    method: &str,
    host: &str,
    path: &str,
    body: &[u8],
) -> io::Result<()> {
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: till/{}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION"),
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}

pub fn write_response(stream: &mut impl Write, status: u16, body: &[u8]) -> io::Result<()> {
    let reason = match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_request_round_trips() {
        let mut wire = Vec::new();
        write_request(&mut wire, "POST", "hq", "/v1/batches", b"\x00\x01body").unwrap();
        let req = read_request(&mut wire.as_slice()).unwrap();
        assert_eq!(
            (req.method.as_str(), req.path.as_str()),
            ("POST", "/v1/batches")
        );
        assert_eq!(req.body, b"\x00\x01body");
    }

    #[test]
    fn a_response_round_trips() {
        let mut wire = Vec::new();
        write_response(&mut wire, 409, b"why").unwrap();
        let res = read_response(&mut wire.as_slice()).unwrap();
        assert_eq!((res.status, res.body.as_slice()), (409, b"why".as_slice()));
    }

    #[test]
    fn refuses_cut_short_oversized_and_garbage() {
        let mut wire = Vec::new();
        write_request(&mut wire, "POST", "hq", "/", b"0123456789").unwrap();
        let cut = &wire[..wire.len() - 3];
        assert!(read_request(&mut &cut[..]).is_err());
        let huge = format!(
            "POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            MAX_BODY + 1
        );
        let err = read_request(&mut huge.as_bytes()).err().unwrap();
        assert!(err.to_string().contains("allowed"), "{err}");
        let err = read_request(&mut &b"\x16\x03\x01garbage\r\n\r\n"[..])
            .err()
            .unwrap();
        assert!(err.to_string().contains("not an HTTP request"), "{err}");
    }
}
