//! Opening a device URL as a byte stream, with errors a shop owner can act on.

use std::fs::OpenOptions;
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::url::{DeviceUrl, Parity};

/// A device's byte stream, both ways.
pub trait Link: Read + Write + Send {}
impl<T: Read + Write + Send> Link for T {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DeviceError(pub String);

/// Opens `url`. Reads time out after `timeout`, so a reader thread can notice
/// an unplugged device and a printer that stopped answering.
pub fn open(url: &DeviceUrl, timeout: Duration) -> Result<Box<dyn Link>, DeviceError> {
    match url {
        DeviceUrl::None => Err(DeviceError("no device is configured".into())),
        DeviceUrl::Serial {
            path,
            baud,
            parity,
            data_bits,
            stop_bits,
            flow,
        } => {
            let name = path.display().to_string();
            let port = serialport::new(&name, *baud)
                .parity(match parity {
                    Parity::None => serialport::Parity::None,
                    Parity::Odd => serialport::Parity::Odd,
                    Parity::Even => serialport::Parity::Even,
                })
                .data_bits(match data_bits {
                    5 => serialport::DataBits::Five,
                    6 => serialport::DataBits::Six,
                    7 => serialport::DataBits::Seven,
                    _ => serialport::DataBits::Eight,
                })
                .stop_bits(if *stop_bits == 2 {
                    serialport::StopBits::Two
                } else {
                    serialport::StopBits::One
                })
                .flow_control(if *flow {
                    serialport::FlowControl::Hardware
                } else {
                    serialport::FlowControl::None
                })
                .timeout(timeout)
                .open()
                .map_err(|e| explain_serial(&name, e))?;
            Ok(Box::new(port))
        }
        DeviceUrl::Tcp { host, port } => {
            let addr = (host.as_str(), *port)
                .to_socket_addrs()
                .map_err(|e| DeviceError(format!("cannot find {host}: {e}")))?
                .next()
                .ok_or_else(|| DeviceError(format!("{host} has no address")))?;
            let stream = TcpStream::connect_timeout(&addr, timeout.max(Duration::from_secs(1)))
                .map_err(|e| {
                    DeviceError(format!(
                        "no printer answers at {host}:{port} ({e}): is it on and on the network?"
                    ))
                })?;
            stream
                .set_read_timeout(Some(timeout))
                .map_err(|e| DeviceError(e.to_string()))?;
            stream
                .set_write_timeout(Some(Duration::from_secs(10)))
                .map_err(|e| DeviceError(e.to_string()))?;
            Ok(Box::new(stream))
        }
        DeviceUrl::File { path } => {
            let file = OpenOptions::new()
                .read(true)
                .append(true)
                .create(!path.starts_with("/dev"))
                .open(path)
                .map_err(|e| explain_io(&path.display().to_string(), &e))?;
            Ok(Box::new(file))
        }
    }
}

fn explain_serial(name: &str, e: serialport::Error) -> DeviceError {
    match e.kind {
        serialport::ErrorKind::Io(kind) => explain_io(name, &io::Error::new(kind, e.description)),
        serialport::ErrorKind::NoDevice => DeviceError(format!(
            "{name} is not there, or is in use by another program: is it plugged in?"
        )),
        _ => DeviceError(format!("{name}: {}", e.description)),
    }
}

fn explain_io(name: &str, e: &io::Error) -> DeviceError {
    DeviceError(match e.kind() {
        io::ErrorKind::NotFound => {
            format!("{name} is not there: is it plugged in? (`till doctor` lists the ports)")
        }
        io::ErrorKind::PermissionDenied => format!(
            "permission denied on {name}: add the till's user to the dialout group \
             (sudo usermod -aG dialout $USER, then log in again)"
        ),
        _ if e.raw_os_error() == Some(16) => format!("{name} is busy: another program has it open"),
        _ => format!("{name}: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_say_what_to_do() {
        let e = explain_io(
            "/dev/ttyUSB0",
            &io::Error::from(io::ErrorKind::PermissionDenied),
        );
        assert!(e.0.contains("dialout"), "{e}");
        let e = explain_io("/dev/ttyUSB0", &io::Error::from_raw_os_error(16));
        assert!(e.0.contains("busy"), "{e}");
        let missing = open(
            &DeviceUrl::Serial {
                path: "/dev/ttyNOPE9".into(),
                baud: 9600,
                parity: Parity::None,
                data_bits: 8,
                stop_bits: 1,
                flow: false,
            },
            Duration::from_millis(100),
        );
        assert!(missing.err().is_some_and(|e| e.0.contains("/dev/ttyNOPE9")));
    }
}
