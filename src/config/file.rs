//! Reading the till's TOML files (config, keymaps, themes) with errors that name the
//! file and the line, so a shop owner can find the typo.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// The largest till.toml, keymap or theme read. The shipped ones are 1 to
/// 3 KiB; 1 MiB is hundreds of times more than any hand-written file needs,
/// yet keeps what the TOML parser builds from it (several times the text)
/// to a few MiB on a Pi-class till. Within it, the bounds on each value
/// (key names, styles, receipt lines) name the line that is too long.
pub const MAX_CONFIG_FILE: u64 = 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    /// `None` when the error is about the whole file (missing, too large).
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Opens `path` for reading if it holds at most `cap` bytes, checked before
/// a byte is read, so a wrong or hostile file cannot make the till allocate
/// at will. Callers read through `Read::take(cap)` too: a file may grow.
pub fn open_bounded(path: &Path, cap: u64) -> Result<std::fs::File, ConfigError> {
    let whole = |message: String| ConfigError {
        file: path.display().to_string(),
        line: None,
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| whole(format!("cannot read it: {e}")))?;
    let size = file
        .metadata()
        .map_err(|e| whole(format!("cannot read it: {e}")))?
        .len();
    if size > cap {
        return Err(whole(format!(
            "it is {size} bytes, more than the {cap} such a file may be: is it the right file?"
        )));
    }
    Ok(file)
}

/// Reads a whole text file of at most `cap` bytes; bad UTF-8 is an error at
/// the line of its first bad byte.
pub fn read_bounded(path: &Path, cap: u64) -> Result<String, ConfigError> {
    let name = path.display().to_string();
    let mut bytes = Vec::new();
    open_bounded(path, cap)?
        .take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ConfigError {
            file: name.clone(),
            line: None,
            message: format!("cannot read it: {e}"),
        })?;
    if bytes.len() as u64 > cap {
        return Err(ConfigError {
            file: name,
            line: None,
            message: format!("it grew past {cap} bytes while it was read"),
        });
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => Err(ConfigError {
            line: Some(utf8(e.as_bytes()).err().unwrap_or(1)),
            file: name,
            message: "this line is not UTF-8 text: save the file as UTF-8".into(),
        }),
    }
}

/// `bytes` as text, or the line (counted from 1) holding the first byte
/// that is not UTF-8.
pub fn utf8(bytes: &[u8]) -> Result<&str, usize> {
    std::str::from_utf8(bytes).map_err(|e| line_at_bytes(bytes, e.valid_up_to()))
}

fn line_at_bytes(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

impl std::error::Error for ConfigError {}

/// A parsed file, kept with its text so later checks can point at a line.
pub struct ConfigFile {
    pub name: String,
    pub text: String,
    pub table: toml::Table,
}

impl ConfigFile {
    pub fn parse(name: &str, text: &str) -> Result<ConfigFile, ConfigError> {
        match text.parse::<toml::Table>() {
            Ok(table) => Ok(ConfigFile {
                name: name.to_string(),
                text: text.to_string(),
                table,
            }),
            Err(e) => {
                let file = ConfigFile {
                    name: name.to_string(),
                    text: text.to_string(),
                    table: toml::Table::new(),
                };
                Err(file.at_span(e.span(), e.message()))
            }
        }
    }

    /// An error at a byte range of the text, as parsers report them.
    pub fn at_span(&self, span: Option<std::ops::Range<usize>>, message: &str) -> ConfigError {
        ConfigError {
            file: self.name.clone(),
            line: Some(span.map(|s| line_at(&self.text, s.start)).unwrap_or(1)),
            message: message.trim().to_string(),
        }
    }

    /// Reads a file from disk, of at most [`MAX_CONFIG_FILE`] bytes.
    pub fn read(path: &Path) -> Result<ConfigFile, ConfigError> {
        let text = read_bounded(path, MAX_CONFIG_FILE)?;
        ConfigFile::parse(&path.display().to_string(), &text)
    }

    /// An error about `key` in `[section]` (or at the top when `section` is empty).
    pub fn error(&self, section: &str, key: &str, message: String) -> ConfigError {
        ConfigError {
            file: self.name.clone(),
            line: Some(self.line_of(section, key)),
            message,
        }
    }

    /// The line where `key` is set inside `[section]`; the section's header if
    /// the key is not found on a line of its own; 1 as a last resort.
    fn line_of(&self, section: &str, key: &str) -> usize {
        let mut in_section = section.is_empty();
        let mut header = 1;
        for (i, raw) in self.text.lines().enumerate() {
            // A header may carry a comment: `[printer]  # 80 mm`.
            let line = if raw.trim_start().starts_with('[') {
                raw.split('#').next().unwrap_or("")
            } else {
                raw
            }
            .trim();
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                // A whole section named as the key: its header is the line.
                if section.is_empty() && name.trim() == key {
                    return i + 1;
                }
                in_section = name.trim() == section;
                if in_section {
                    header = i + 1;
                }
                continue;
            }
            if in_section
                && let Some((k, _)) = line.split_once('=')
                && k.trim().trim_matches('"') == key
            {
                return i + 1;
            }
        }
        header
    }
}

fn line_at(text: &str, offset: usize) -> usize {
    line_at_bytes(text.as_bytes(), offset)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn bad_utf8_is_reported_at_its_own_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("till.toml");
        std::fs::write(
            &path,
            b"[printer]\ncolumns = 42\ncode_page = \"PC\xff858\"\n",
        )
        .unwrap();
        let e = ConfigFile::read(&path).err().unwrap();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(e.to_string().contains("till.toml:3: "), "{e}");
        assert!(e.to_string().contains("not UTF-8"), "{e}");
        assert_eq!(utf8(b"a\nb\n\xc3"), Err(3));
        assert_eq!(utf8(b"\xc3\xa9\n"), Ok("é\n"));
    }

    #[test]
    fn a_file_past_its_cap_is_refused_by_name_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.toml");
        let file = std::fs::File::create(&path).unwrap();
        // Sparse: its size says it all, and nothing past the cap is read.
        file.set_len(MAX_CONFIG_FILE + 1).unwrap();
        let e = ConfigFile::read(&path).err().unwrap();
        assert_eq!(e.line, None);
        let text = e.to_string();
        assert!(
            text.starts_with(&format!("{}: it is", path.display())),
            "{text}"
        );
        assert!(text.contains("more than the 1048576"), "{text}");
    }

    #[test]
    fn syntax_errors_and_key_lines_are_located() {
        let err = ConfigFile::parse("k.toml", "[global]\nhelp = \"F1\"\nback = \n").err();
        assert_eq!(
            err.map(|e| (e.file, e.line)),
            Some(("k.toml".to_string(), Some(3)))
        );
        let file = ConfigFile::parse(
            "k.toml",
            "# c\n[global]\nhelp = \"F1\"\n[sale]\nhelp = \"F2\"\n",
        );
        let file = file.ok();
        let at = |s, k| {
            file.as_ref()
                .and_then(|f| f.error(s, k, String::new()).line)
        };
        assert_eq!(at("global", "help"), Some(3));
        assert_eq!(at("sale", "help"), Some(5));
        assert_eq!(at("sale", "nope"), Some(4));
    }
}
