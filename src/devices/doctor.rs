//! `till doctor`: what a shop owner runs when the scanner or printer does not
//! work. It lists the serial ports, opens the configured devices, prints a
//! test page and shows what the scanner sends for a while.

use std::io::Write;
use std::time::{Duration, Instant};

use super::port;
use super::printer::config::{PrinterConfig, ReceiptConfig};
use super::printer::preview;
use super::printer::receipt::Layout;
use super::scanner::config::ScannerConfig;
use super::scanner::framing::{Frame, Framer};
use crate::devices::url::DeviceUrl;
use crate::store::settings::StoreSettings;

/// What the doctor checks: the devices as the configuration sets them.
pub struct Setup<'a> {
    /// Where that configuration came from, for the report's first line.
    pub source: String,
    pub printer_url: &'a DeviceUrl,
    pub printer: &'a PrinterConfig,
    pub receipt: &'a ReceiptConfig,
    pub scanner_url: &'a DeviceUrl,
    pub scanner: &'a ScannerConfig,
}

/// Runs the checks, writing a report to `out`. Returns whether all passed.
pub fn run(
    settings: &Setup<'_>,
    store: &StoreSettings,
    listen: Duration,
    out: &mut dyn Write,
) -> std::io::Result<bool> {
    let mut ok = true;
    writeln!(out, "config: {}", settings.source)?;
    writeln!(out, "serial ports:")?;
    match serialport::available_ports() {
        Ok(ports) if ports.is_empty() => {
            writeln!(out, "  none found (is the scanner or printer plugged in?)")?
        }
        Ok(ports) => {
            for p in ports {
                writeln!(out, "  {}", p.port_name)?;
            }
        }
        Err(e) => writeln!(out, "  cannot list them: {e}")?,
    }

    let p = settings.printer;
    writeln!(out, "printer: {}", settings.printer_url)?;
    if *settings.printer_url != DeviceUrl::None {
        let layout = Layout {
            store,
            printer: p,
            receipt: settings.receipt,
            local: crate::domain::daily::local_time,
        };
        let page = layout
            .test_page()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        match port::open(settings.printer_url, Duration::from_secs(2)) {
            Ok(mut link) => match link.write_all(&page).and_then(|()| link.flush()) {
                Ok(()) => {
                    writeln!(out, "  test page sent ({} bytes); it reads:", page.len())?;
                    for line in preview::to_text(&page, usize::from(p.columns)).lines() {
                        writeln!(out, "  | {line}")?;
                    }
                }
                Err(e) => {
                    ok = false;
                    writeln!(out, "  FAILED to send the test page: {e}")?;
                }
            },
            Err(e) => {
                ok = false;
                writeln!(out, "  FAILED: {e}")?;
            }
        }
    }

    writeln!(out, "scanner: {}", settings.scanner_url)?;
    if *settings.scanner_url != DeviceUrl::None {
        match port::open(settings.scanner_url, Duration::from_millis(200)) {
            Ok(mut link) => {
                writeln!(out, "  open; scan something within {} s", listen.as_secs())?;
                out.flush()?;
                let mut framer = Framer::new(settings.scanner.clone());
                let (mut codes, mut noise) = (0, 0);
                let end = Instant::now() + listen;
                let mut buf = [0u8; 256];
                while Instant::now() < end {
                    match link.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            for frame in framer.feed(&buf[..n]) {
                                match frame {
                                    Frame::Code(c) => {
                                        codes += 1;
                                        writeln!(out, "  scanned: {c}")?;
                                    }
                                    Frame::Discarded { reason, bytes } => {
                                        noise += 1;
                                        writeln!(out, "  discarded ({reason}): {bytes:02x?}")?;
                                    }
                                }
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                        Err(e) => {
                            writeln!(out, "  the scanner went away: {e}")?;
                            ok = false;
                            break;
                        }
                    }
                }
                if noise > 0 && codes == 0 {
                    writeln!(
                        out,
                        "  only garbage arrived: check the baud rate and the suffix in till.toml"
                    )?;
                    ok = false;
                }
                if codes == 0 && noise == 0 {
                    writeln!(out, "  nothing was scanned")?;
                }
            }
            Err(e) => {
                ok = false;
                writeln!(out, "  FAILED: {e}")?;
            }
        }
    }
    Ok(ok)
}
