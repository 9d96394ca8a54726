//! Reading a file that a person hands the till, within a size bound checked
//! before a byte is read, as UTF-8 text whose first bad byte is named by line.

use std::io::Read;
use std::path::Path;

use super::ConfigError;
use super::lines::Newlines;

/// The largest till.toml, keymap or theme read. The shipped ones are 1 to
/// 3 KiB; 1 MiB is hundreds of times more than any hand-written file needs,
/// yet keeps what the TOML parser builds from it (several times the text)
/// to a few MiB on a Pi-class till. Within it, the bounds on each value
/// (key names, styles, receipt lines) name the line that is too long.
pub const MAX_CONFIG_FILE: u64 = 1024 * 1024;

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
    std::str::from_utf8(bytes).map_err(|e| Newlines::of(bytes).line(e.valid_up_to()))
}
