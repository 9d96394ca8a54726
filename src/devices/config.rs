//! The `[devices]` section of till.toml: where the scanner and the printer
//! are, as device URLs (`serial://…`, `tcp://…`, `file://…`).

use serde::{Deserialize, Serialize};

use super::url::DeviceUrl;
use crate::textfile::Invalid;

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DevicesConfig {
    /// e.g. `serial:///dev/ttyACM0?baud=9600`
    pub scanner: String,
    /// e.g. `tcp://192.168.1.50:9100` or `serial:///dev/ttyUSB0?baud=19200`
    pub printer: String,
}

impl DevicesConfig {
    /// The scanner's and the printer's addresses, parsed.
    pub fn urls(&self) -> Result<(DeviceUrl, DeviceUrl), Invalid> {
        let url =
            |key: &str, text: &str| text.parse::<DeviceUrl>().map_err(|e| Invalid::new(key, e));
        let scanner = url("scanner", &self.scanner)?;
        if let DeviceUrl::File { .. } = scanner {
            // A file has no end-of-data timeout: the reader could never stop.
            return Err(Invalid::new(
                "scanner",
                "a scanner is serial:// or tcp://, not a file",
            ));
        }
        Ok((scanner, url("printer", &self.printer)?))
    }
}
