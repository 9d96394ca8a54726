//! A TOML file parsed once into what its reader wants, kept with the line of
//! each key, so serde's mistakes and the readers' own checks both point at
//! the line to fix.
//!
//! Positions come from toml's own spans (`DeTable`): a dotted key, an inline
//! table or a multi-line string is placed as the parser saw it.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeString, DeTable, Deserializer};

use super::bounded::{MAX_CONFIG_FILE, read_bounded};
use super::lines::Newlines;
use super::{ConfigError, Invalid};

/// A parsed file: its top-level table as `T` and the line of every key in
/// it and in its tables.
pub struct ConfigFile<T = toml::Table> {
    pub name: String,
    /// The whole file, read as `T` (by default, as plain TOML values for
    /// readers that walk it key by key: keymaps, themes).
    pub table: T,
    /// `(section, key)` → line; a top-level key (and a table's own name)
    /// under the section "".
    lines: BTreeMap<(String, String), usize>,
}

impl ConfigFile {
    /// Parses `text` as plain TOML values.
    pub fn parse(name: &str, text: &str) -> Result<ConfigFile, ConfigError> {
        ConfigFile::parse_as(name, text)
    }

    /// Reads a file from disk, of at most [`MAX_CONFIG_FILE`] bytes.
    pub fn read(path: &Path) -> Result<ConfigFile, ConfigError> {
        ConfigFile::read_as(path)
    }
}

impl<T: DeserializeOwned> ConfigFile<T> {
    /// Parses `text` once, into `T`; a mistake of syntax or of type is an
    /// error at its line.
    pub fn parse_as(name: &str, text: &str) -> Result<ConfigFile<T>, ConfigError> {
        let newlines = Newlines::of(text.as_bytes());
        let at = |span: Option<Range<usize>>, message: &str| ConfigError {
            file: name.to_string(),
            line: Some(span.map(|s| newlines.line(s.start)).unwrap_or(1)),
            message: message.trim().to_string(),
        };
        let root = DeTable::parse(text).map_err(|e| at(e.span(), e.message()))?;
        let lines = key_lines(root.get_ref(), &newlines);
        let table =
            T::deserialize(Deserializer::from(root)).map_err(|e| at(e.span(), e.message()))?;
        Ok(ConfigFile {
            name: name.to_string(),
            table,
            lines,
        })
    }

    /// Reads a file from disk, of at most [`MAX_CONFIG_FILE`] bytes, as `T`.
    pub fn read_as(path: &Path) -> Result<ConfigFile<T>, ConfigError> {
        let text = read_bounded(path, MAX_CONFIG_FILE)?;
        ConfigFile::parse_as(&path.display().to_string(), &text)
    }
}

impl<T> ConfigFile<T> {
    /// An error about `key` in `[section]` (or at the top when `section` is
    /// empty): at the key's line; the section's if the key is not in the
    /// file; the first line as a last resort.
    pub fn error(&self, section: &str, key: &str, message: String) -> ConfigError {
        let line = |section: &str, key: &str| {
            self.lines
                .get(&(section.to_string(), key.to_string()))
                .copied()
        };
        ConfigError {
            file: self.name.clone(),
            line: Some(
                line(section, key)
                    .or_else(|| line("", section))
                    .unwrap_or(1),
            ),
            message,
        }
    }

    /// A section's complaint about one of its keys, at that key's line.
    pub fn invalid(&self, section: &str, invalid: Invalid) -> ConfigError {
        self.error(section, &invalid.key, invalid.message)
    }
}

/// The line of every top-level key and of every key of a top-level table.
fn key_lines(root: &DeTable<'_>, newlines: &Newlines) -> BTreeMap<(String, String), usize> {
    let mut lines = BTreeMap::new();
    let mut put = |section: &str, key: &Spanned<DeString<'_>>| {
        lines
            .entry((section.to_string(), key.get_ref().to_string()))
            .or_insert_with(|| newlines.line(key.span().start));
    };
    for (name, value) in root {
        put("", name);
        if let Some(table) = value.get_ref().as_table() {
            for key in table.keys() {
                put(name.get_ref(), key);
            }
        }
    }
    lines
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::textfile::utf8;

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
