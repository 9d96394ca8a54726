//! The little HTTP/1.1 that a terminal and head office speak, over any
//! stream (a rustls one in practice): one request and one answer per
//! connection, bodies sized by Content-Length, headers parsed by httparse.
//!
//! Written here rather than taken from an HTTP crate because both ends are
//! ours and need four things: POST a body, GET a path, answer with a status
//! and a body, and refuse anything oversized. The client crates bring their
//! own TLS set-up, which would hide the pinned CA and the client certificate.
//!
//! There is no keep-alive: every message says `Connection: close`, so a
//! connection carries one request and an idle one never holds head office's
//! serving slots between requests.

use std::io::{self, Read, Write};

/// The most a head (start line and headers, up to its blank line) may be:
/// 16 KiB. Ours are a few hundred bytes; a larger one is a mistake or an
/// attack, and head office answers it 431.
pub const MAX_HEAD: usize = 16 * 1024;
/// The most header lines a head may have: 32 (ours send five). More is
/// answered 431 too.
pub const MAX_HEADERS: usize = 32;
/// The most a body may be: 16 MiB; a batch is cut well below it. A larger
/// Content-Length is answered 413 before any of the body is read.
pub const MAX_BODY: usize = 16 << 20;

/// Why a head is refused, and so which status answers it.
#[derive(Debug, thiserror::Error)]
pub enum HeadError {
    #[error("the head is larger than the {MAX_HEAD} bytes allowed")]
    TooLarge,
    #[error("the head has more than the {MAX_HEADERS} header lines allowed")]
    TooManyHeaders,
    #[error("a body of {0} bytes is more than the {MAX_BODY} allowed")]
    BodyTooLarge(String),
    #[error("the Content-Length header is not a number")]
    BadLength,
    #[error("not an HTTP {what}: {detail}")]
    Malformed { what: &'static str, detail: String },
}

impl HeadError {
    /// The status head office answers it with.
    pub fn status(&self) -> u16 {
        match self {
            HeadError::TooLarge | HeadError::TooManyHeaders => 431,
            HeadError::BodyTooLarge(_) => 413,
            HeadError::BadLength | HeadError::Malformed { .. } => 400,
        }
    }
}

impl From<HeadError> for io::Error {
    fn from(e: HeadError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, e)
    }
}

pub struct Request {
    pub method: String,
    pub path: String,
    pub body: Vec<u8>,
}

/// A request's head: what the server needs before it reads the body.
#[derive(Debug)]
pub struct RequestHead {
    pub method: String,
    pub path: String,
    pub content_length: usize,
}

pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

fn invalid(why: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.into())
}

/// Where the head in `buf` ends (just past its blank line), if it is all
/// there. `searched` bytes were looked through before without finding it, so
/// a head arriving a byte at a time costs linear time, not quadratic.
/// A head longer than [`MAX_HEAD`] is refused, found whole or not.
fn head_end(buf: &[u8], searched: usize) -> Result<Option<usize>, HeadError> {
    let from = searched.saturating_sub(3);
    let end = buf[from..]
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| from + at + 4);
    match end {
        Some(end) if end <= MAX_HEAD => Ok(Some(end)),
        None if buf.len() <= MAX_HEAD => Ok(None),
        _ => Err(HeadError::TooLarge),
    }
}

/// httparse's verdict on a head `head_end` found whole.
fn complete(parsed: httparse::Result<usize>, what: &'static str) -> Result<(), HeadError> {
    match parsed {
        Ok(httparse::Status::Complete(_)) => Ok(()),
        Ok(httparse::Status::Partial) => Err(HeadError::Malformed {
            what,
            detail: "the head is cut short".into(),
        }),
        Err(httparse::Error::TooManyHeaders) => Err(HeadError::TooManyHeaders),
        Err(e) => Err(HeadError::Malformed {
            what,
            detail: e.to_string(),
        }),
    }
}

fn content_length(headers: &[httparse::Header<'_>]) -> Result<usize, HeadError> {
    let Some(h) = headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
    else {
        return Ok(0);
    };
    let text = std::str::from_utf8(h.value)
        .map_err(|_| HeadError::BadLength)?
        .trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HeadError::BadLength);
    }
    // All digits: a number too big for usize is too big for us.
    match text.parse::<usize>() {
        Ok(len) if len <= MAX_BODY => Ok(len),
        _ => Err(HeadError::BodyTooLarge(text.to_string())),
    }
}

/// Parses the request head at the start of `buf`, once it is all there:
/// the head and its length in `buf` (what follows is the body's start), or
/// `None` while more is to come. `searched` is how much of `buf` an earlier
/// call saw (0 the first time).
pub fn request_head(
    buf: &[u8],
    searched: usize,
) -> Result<Option<(RequestHead, usize)>, HeadError> {
    let Some(end) = head_end(buf, searched)? else {
        return Ok(None);
    };
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    complete(req.parse(&buf[..end]), "request")?;
    let head = RequestHead {
        content_length: content_length(req.headers)?,
        method: req.method.unwrap_or_default().to_string(),
        path: req.path.unwrap_or_default().to_string(),
    };
    Ok(Some((head, end)))
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
        let searched = buf.len();
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = head_end(&buf, searched)? {
            let body = buf.split_off(end);
            return Ok((buf, body));
        }
    }
}

/// The rest of a body of `len` bytes, of which `body` came with the head.
/// Memory grows with what arrives, not with what Content-Length claims.
pub fn read_body(stream: &mut impl Read, mut body: Vec<u8>, len: usize) -> io::Result<Vec<u8>> {
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

pub fn read_response(stream: &mut impl Read) -> io::Result<Response> {
    let (head, rest) = read_head(stream)?;
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
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
    write_answer(stream, status, "application/octet-stream", body)
}

/// An answer whose body is a reason in plain text, for people and logs:
/// what head office refuses a request with before it reaches a route.
pub fn write_refusal(stream: &mut impl Write, status: u16, reason: &str) -> io::Result<()> {
    write_answer(
        stream,
        status,
        "text/plain; charset=utf-8",
        reason.as_bytes(),
    )
}

fn write_answer(
    stream: &mut impl Write,
    status: u16,
    content_type: &str,
    body: &[u8],
) -> io::Result<()> {
    let reason = match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
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

    /// The head of `wire` and the body bytes after it, read the way head
    /// office's server reads them.
    fn read_request(wire: &[u8]) -> Result<Request, io::Error> {
        let (head, end) = request_head(wire, 0)?.ok_or_else(|| invalid("partial"))?;
        let body = read_body(
            &mut &wire[wire.len()..],
            wire[end..].to_vec(),
            head.content_length,
        )?;
        Ok(Request {
            method: head.method,
            path: head.path,
            body,
        })
    }

    #[test]
    fn a_request_round_trips() {
        let mut wire = Vec::new();
        write_request(&mut wire, "POST", "hq", "/v1/batches", b"\x00\x01body").unwrap();
        let req = read_request(&wire).unwrap();
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
    fn a_head_is_found_however_it_arrives() {
        let mut wire = Vec::new();
        write_request(&mut wire, "GET", "hq", "/v1/health", b"").unwrap();
        let mut buf = Vec::new();
        let mut found = None;
        for &b in &wire {
            let searched = buf.len();
            buf.push(b);
            found = request_head(&buf, searched).unwrap();
            if found.is_some() {
                break;
            }
        }
        let (head, end) = found.unwrap();
        assert_eq!((head.path.as_str(), end), ("/v1/health", wire.len()));
    }

    #[test]
    fn refuses_cut_short_oversized_and_garbage_each_with_its_status() {
        let mut wire = Vec::new();
        write_request(&mut wire, "POST", "hq", "/", b"0123456789").unwrap();
        assert!(read_request(&wire[..wire.len() - 3]).is_err());
        let status = |wire: &[u8]| request_head(wire, 0).err().unwrap().status();
        let huge = format!(
            "POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            MAX_BODY + 1
        );
        assert_eq!(status(huge.as_bytes()), 413);
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
            413
        );
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"),
            400
        );
        assert_eq!(status(&vec![b'a'; MAX_HEAD + 1]), 431);
        let long = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        assert_eq!(status(long.as_bytes()), 431);
        let many = format!(
            "GET / HTTP/1.1\r\n{}\r\n",
            "X: y\r\n".repeat(MAX_HEADERS + 1)
        );
        assert_eq!(status(many.as_bytes()), 431);
        let err = request_head(b"\x16\x03\x01garbage\r\n\r\n", 0)
            .err()
            .unwrap();
        assert_eq!(err.status(), 400);
        assert!(err.to_string().contains("not an HTTP request"), "{err}");
        assert!(request_head(b"GET / HTTP/1.1\r\n", 0).unwrap().is_none());
    }
}
