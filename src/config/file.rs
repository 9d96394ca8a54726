//! Reading the till's TOML files (config, keymaps, themes) with errors that name the
//! file and the line, so a shop owner can find the typo.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
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
        let line = span.map(|s| line_at(&self.text, s.start)).unwrap_or(1);
        ConfigError {
            file: self.name.clone(),
            line,
            message: message.trim().to_string(),
        }
    }

    /// Reads a file from disk; a missing or unreadable file is an error on line 1.
    pub fn read(path: &std::path::Path) -> Result<ConfigFile, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: name.clone(),
            line: 1,
            message: format!("cannot read it: {e}"),
        })?;
        ConfigFile::parse(&name, &text)
    }

    /// An error about `key` in `[section]` (or at the top when `section` is empty).
    pub fn error(&self, section: &str, key: &str, message: String) -> ConfigError {
        ConfigError {
            file: self.name.clone(),
            line: self.line_of(section, key),
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
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_and_key_lines_are_located() {
        let err = ConfigFile::parse("k.toml", "[global]\nhelp = \"F1\"\nback = \n").err();
        assert_eq!(
            err.map(|e| (e.file, e.line)),
            Some(("k.toml".to_string(), 3))
        );
        let file = ConfigFile::parse(
            "k.toml",
            "# c\n[global]\nhelp = \"F1\"\n[sale]\nhelp = \"F2\"\n",
        );
        let file = file.ok();
        let at = |s, k| file.as_ref().map(|f| f.error(s, k, String::new()).line);
        assert_eq!(at("global", "help"), Some(3));
        assert_eq!(at("sale", "help"), Some(5));
        assert_eq!(at("sale", "nope"), Some(4));
    }
}
