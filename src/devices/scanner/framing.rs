//! Cutting a scanner's byte stream into codes.
//!
//! A scanner sends each code followed by a configured suffix (CR, LF, CRLF,
//! TAB or ETX), optionally after a fixed prefix or an AIM symbology identifier
//! (`]` + letter + digit). Line noise, a baud-rate mismatch or a scanner
//! reconfigured by a stray barcode produce bytes that are not a code: those
//! frames are discarded with a reason, never passed on as a code.

use super::config::{ScannerConfig, Suffix};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    Code(String),
    Discarded { reason: String, bytes: Vec<u8> },
}

#[derive(Debug)]
pub struct Framer {
    config: ScannerConfig,
    buffer: Vec<u8>,
    /// Bytes past `max_len` are dropped until the next terminator.
    overlong: bool,
}

impl Framer {
    pub fn new(config: ScannerConfig) -> Framer {
        Framer {
            config,
            buffer: Vec::new(),
            overlong: false,
        }
    }

    fn terminator(&self) -> u8 {
        match self.config.suffix {
            Suffix::Cr => b'\r',
            Suffix::Lf | Suffix::Crlf => b'\n',
            Suffix::Tab => b'\t',
            Suffix::Etx => 0x03,
        }
    }

    /// Feeds bytes as they arrive; returns the frames they complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Frame> {
        let end = self.terminator();
        let mut out = Vec::new();
        for &b in bytes {
            if b == end {
                let frame = std::mem::take(&mut self.buffer);
                if std::mem::take(&mut self.overlong) {
                    out.push(Frame::Discarded {
                        reason: format!("longer than {} bytes", self.config.max_len),
                        bytes: frame,
                    });
                } else if let Some(f) = self.frame(frame) {
                    out.push(f);
                }
            } else if self.buffer.len() >= self.config.max_len {
                self.overlong = true;
            } else {
                self.buffer.push(b);
            }
        }
        out
    }

    /// Bytes left without a terminator when the port went away: a partial frame.
    pub fn reset(&mut self) -> Option<Frame> {
        self.overlong = false;
        let rest = std::mem::take(&mut self.buffer);
        (!rest.is_empty()).then(|| Frame::Discarded {
            reason: "partial frame (no suffix)".into(),
            bytes: rest,
        })
    }

    fn frame(&self, mut raw: Vec<u8>) -> Option<Frame> {
        if self.config.suffix == Suffix::Crlf {
            if raw.last() != Some(&b'\r') {
                return Some(Frame::Discarded {
                    reason: "LF without CR before it".into(),
                    bytes: raw,
                });
            }
            raw.pop();
        }
        let discard = |reason: &str, bytes: Vec<u8>| {
            Some(Frame::Discarded {
                reason: reason.into(),
                bytes,
            })
        };
        if raw.is_empty() {
            return None;
        }
        let mut body: &[u8] = &raw;
        if !self.config.prefix.is_empty() {
            match body.strip_prefix(self.config.prefix.as_bytes()) {
                Some(rest) => body = rest,
                None => return discard("the configured prefix is missing", raw),
            }
        }
        if self.config.aim {
            match body {
                [b']', letter, digit, rest @ ..]
                    if letter.is_ascii_alphabetic() && digit.is_ascii_alphanumeric() =>
                {
                    body = rest
                }
                _ => return discard("no AIM symbology identifier", raw),
            }
        }
        if body.is_empty() || !body.iter().all(|b| b.is_ascii_graphic()) {
            return discard("not printable text", raw);
        }
        Some(Frame::Code(String::from_utf8_lossy(body).into_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framer(suffix: Suffix) -> Framer {
        Framer::new(ScannerConfig {
            suffix,
            ..ScannerConfig::default()
        })
    }

    fn code(s: &str) -> Frame {
        Frame::Code(s.into())
    }

    #[test]
    fn every_suffix_ends_a_code() {
        for (suffix, end) in [
            (Suffix::Cr, "\r"),
            (Suffix::Lf, "\n"),
            (Suffix::Crlf, "\r\n"),
            (Suffix::Tab, "\t"),
            (Suffix::Etx, "\x03"),
        ] {
            let mut f = framer(suffix);
            let stream = format!("4006381333931{end}96385074{end}");
            assert_eq!(
                f.feed(stream.as_bytes()),
                vec![code("4006381333931"), code("96385074")],
                "{suffix:?}"
            );
        }
    }

    #[test]
    fn codes_split_across_reads_are_joined() {
        let mut f = framer(Suffix::Cr);
        assert!(f.feed(b"40063").is_empty());
        assert_eq!(f.feed(b"81333931\r59"), vec![code("4006381333931")]);
        assert_eq!(
            f.reset(),
            Some(Frame::Discarded {
                reason: "partial frame (no suffix)".into(),
                bytes: b"59".to_vec()
            })
        );
    }

    #[test]
    fn noise_and_overlong_frames_are_discarded() {
        let mut f = framer(Suffix::Cr);
        let frames = f.feed(b"\x00\xff\x13\x88\r4006381333931\r");
        assert!(
            matches!(&frames[0], Frame::Discarded { reason, .. } if reason == "not printable text")
        );
        assert_eq!(frames[1], code("4006381333931"));
        let long = vec![b'7'; 500];
        let frames = f.feed(&[long.as_slice(), b"\r96385074\r"].concat());
        assert!(
            matches!(&frames[0], Frame::Discarded { reason, .. } if reason.starts_with("longer than 64"))
        );
        assert_eq!(frames[1], code("96385074"));
        assert_eq!(f.feed(b"\r\r"), vec![], "empty lines are nothing");
    }

    #[test]
    fn prefix_and_aim_identifiers_are_stripped() {
        let mut f = Framer::new(ScannerConfig {
            prefix: "S:".into(),
            aim: true,
            ..ScannerConfig::default()
        });
        assert_eq!(f.feed(b"S:]E04006381333931\r"), vec![code("4006381333931")]);
        let frames = f.feed(b"]E04006381333931\rS:4006381333931\r");
        assert!(matches!(&frames[0], Frame::Discarded { reason, .. } if reason.contains("prefix")));
        assert!(matches!(&frames[1], Frame::Discarded { reason, .. } if reason.contains("AIM")));
    }

    #[test]
    fn crlf_needs_both() {
        let mut f = framer(Suffix::Crlf);
        let frames = f.feed(b"123456\n4006381333931\r\n");
        assert!(matches!(&frames[0], Frame::Discarded { .. }));
        assert_eq!(frames[1], code("4006381333931"));
    }
}
