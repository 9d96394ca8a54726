//! Where a device is, written as a URL in the config file:
//! `serial:///dev/ttyUSB0?baud=19200&parity=none`, `tcp://10.0.0.5:9100`,
//! `file:///dev/usb/lp0` (a device node or a plain file), or `none`.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parity {
    None,
    Odd,
    Even,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DeviceUrl {
    #[default]
    None,
    Serial {
        path: PathBuf,
        baud: u32,
        parity: Parity,
        data_bits: u8,
        stop_bits: u8,
        flow: bool,
    },
    Tcp {
        host: String,
        port: u16,
    },
    File {
        path: PathBuf,
    },
}

impl FromStr for DeviceUrl {
    type Err = String;

    fn from_str(text: &str) -> Result<DeviceUrl, String> {
        let text = text.trim();
        if text.is_empty() || text == "none" {
            return Ok(DeviceUrl::None);
        }
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| format!("'{text}' is not a device URL: use serial:///dev/…, tcp://host:9100, file:///… or none"))?;
        match scheme {
            "serial" => serial(rest),
            "tcp" => {
                let (host, port) = rest
                    .rsplit_once(':')
                    .ok_or_else(|| format!("'{text}' needs a port, e.g. tcp://{rest}:9100"))?;
                let port = port
                    .parse()
                    .map_err(|_| format!("'{port}' is not a TCP port in '{text}'"))?;
                if host.is_empty() {
                    return Err(format!("'{text}' has no host"));
                }
                Ok(DeviceUrl::Tcp {
                    host: host.to_string(),
                    port,
                })
            }
            "file" if rest.starts_with('/') => Ok(DeviceUrl::File {
                path: PathBuf::from(rest),
            }),
            "file" => Err(format!(
                "'{text}': a file URL needs an absolute path, e.g. file:///dev/usb/lp0"
            )),
            other => Err(format!(
                "'{other}' is not a device kind: use serial, tcp, file or none"
            )),
        }
    }
}

fn serial(rest: &str) -> Result<DeviceUrl, String> {
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if !path.starts_with('/') {
        return Err(format!(
            "serial://{rest}: the port needs an absolute path, e.g. serial:///dev/ttyUSB0"
        ));
    }
    let (mut baud, mut parity, mut data_bits, mut stop_bits, mut flow) =
        (9600, Parity::None, 8, 1, false);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let bad = || format!("serial option {key}={value} is not valid");
        match key {
            "baud" => {
                baud = value.parse().map_err(|_| bad())?;
                if !(300..=921_600).contains(&baud) {
                    return Err(format!("baud {baud} is outside 300..921600"));
                }
            }
            "parity" => {
                parity = match value {
                    "none" => Parity::None,
                    "odd" => Parity::Odd,
                    "even" => Parity::Even,
                    _ => return Err(format!("parity '{value}' is none, odd or even")),
                }
            }
            "data_bits" => {
                data_bits = value
                    .parse()
                    .ok()
                    .filter(|b| (5..=8).contains(b))
                    .ok_or_else(bad)?
            }
            "stop_bits" => {
                stop_bits = value
                    .parse()
                    .ok()
                    .filter(|b| (1..=2).contains(b))
                    .ok_or_else(bad)?
            }
            "flow" => {
                flow = match value {
                    "none" => false,
                    "hardware" | "rtscts" => true,
                    _ => return Err(format!("flow '{value}' is none or hardware")),
                }
            }
            _ => {
                return Err(format!(
                    "unknown serial option '{key}' (known: baud, parity, data_bits, stop_bits, flow)"
                ));
            }
        }
    }
    Ok(DeviceUrl::Serial {
        path: PathBuf::from(path),
        baud,
        parity,
        data_bits,
        stop_bits,
        flow,
    })
}

impl fmt::Display for DeviceUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceUrl::None => write!(f, "none"),
            DeviceUrl::Serial { path, baud, .. } => {
                write!(f, "serial://{}?baud={baud}", path.display())
            }
            DeviceUrl::Tcp { host, port } => write!(f, "tcp://{host}:{port}"),
            DeviceUrl::File { path } => write!(f, "file://{}", path.display()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind() {
        assert_eq!("none".parse::<DeviceUrl>().unwrap(), DeviceUrl::None);
        assert_eq!(
            "serial:///dev/ttyUSB0?baud=19200&parity=even"
                .parse::<DeviceUrl>()
                .unwrap(),
            DeviceUrl::Serial {
                path: "/dev/ttyUSB0".into(),
                baud: 19200,
                parity: Parity::Even,
                data_bits: 8,
                stop_bits: 1,
                flow: false
            }
        );
        assert_eq!(
            "tcp://10.0.0.5:9100".parse::<DeviceUrl>().unwrap(),
            DeviceUrl::Tcp {
                host: "10.0.0.5".into(),
                port: 9100
            }
        );
        assert_eq!(
            "file:///tmp/r.bin".parse::<DeviceUrl>().unwrap(),
            DeviceUrl::File {
                path: "/tmp/r.bin".into()
            }
        );
    }

    #[test]
    fn mistakes_say_what_is_wrong() {
        for (text, words) in [
            ("/dev/ttyUSB0", "not a device URL"),
            ("serial://dev/ttyUSB0", "absolute path"),
            ("serial:///dev/ttyUSB0?baud=fast", "baud=fast"),
            (
                "serial:///dev/ttyUSB0?speed=9600",
                "unknown serial option 'speed'",
            ),
            ("tcp://printer", "needs a port"),
            ("usb://0416:5011", "not a device kind"),
        ] {
            let err = text.parse::<DeviceUrl>().unwrap_err();
            assert!(err.contains(words), "{text}: {err}");
        }
    }
}
