//! `till doctor`: with no daemon it opens the configured devices itself
//! (`devices::doctor`); while the daemon holds them (their serial ports are
//! its), it asks the daemon what each device's status says instead.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::{Result, bail};

use super::backoffice::{Reach, reach};
use crate::config::Settings;
use crate::engine::request::{Answer, Ask};

/// Writes the report to `out`; `Ok(false)` when a device is not well.
pub fn run(
    data: &Path,
    socket: &Path,
    user: Option<&str>,
    config: &Settings,
    listen: Duration,
    out: &mut dyn Write,
) -> Result<bool> {
    match reach(data, socket, user, "supervisor")? {
        Reach::Store(store) => Ok(crate::devices::doctor::run(
            &config.devices(),
            &store.settings()?,
            listen,
            out,
        )?),
        Reach::Daemon(mut daemon) => {
            let Answer::Devices(devices) = daemon.ask(Ask::Devices)? else {
                bail!("the daemon answered a device check with something else");
            };
            writeln!(out, "the till daemon holds the devices; their status:")?;
            if devices.is_empty() {
                writeln!(out, "  none configured (the screens use the keyboard)")?;
            }
            let mut ok = true;
            for (device, status) in &devices {
                writeln!(out, "  {device}: {status}")?;
                // "printer ok", "scanner ok"; anything else is away or out of paper.
                ok &= status.ends_with(" ok");
            }
            Ok(ok)
        }
    }
}
