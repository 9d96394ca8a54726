//! The scanner's section of till.toml, `[scanner]`: how its codes are framed
//! on the line, and what values that may take.

use serde::{Deserialize, Serialize};

use crate::textfile::Invalid;

/// What ends a scan on the serial line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Suffix {
    #[default]
    Cr,
    Lf,
    Crlf,
    Tab,
    Etx,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScannerConfig {
    pub suffix: Suffix,
    /// A fixed prefix the scanner is set to send before each code, stripped.
    pub prefix: String,
    /// The scanner sends an AIM symbology identifier (`]E0` …) first; strip it.
    pub aim: bool,
    /// The same code again within this many milliseconds is taken once (0: never).
    pub dedupe_ms: u64,
    /// Frames longer than this are noise.
    pub max_len: usize,
    /// With a daemon: the lane whose screen receives the scans.
    pub lane: u16,
}

impl Default for ScannerConfig {
    fn default() -> Self {
        ScannerConfig {
            suffix: Suffix::Cr,
            prefix: String::new(),
            aim: false,
            dedupe_ms: 0,
            max_len: 64,
            lane: 1,
        }
    }
}

impl ScannerConfig {
    pub fn check(&self) -> Result<(), Invalid> {
        if self.max_len == 0 {
            return Err(Invalid::new("max_len", "max_len must be more than 0"));
        }
        Ok(())
    }
}
