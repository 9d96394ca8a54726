//! `till sync …`: a terminal's side of head office: the enrolment files,
//! the status, and a send-everything-now.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::Utc;

use super::backoffice::{Reach, reach};
use crate::config::Settings;
use crate::engine::api::TillApi;
use crate::engine::office::SyncNow;
use crate::engine::request::{Answer, Ask};
use crate::proto::enroll::{self, Bundle, EnrollRequest};
use crate::store::Store;
use crate::store::outbox::SyncStatus;
use crate::sync::worker::Worker;

pub fn request(data: &Path, socket: &Path, user: Option<&str>, out: &Path) -> Result<()> {
    let settings = match reach(data, socket, user, "manager")? {
        Reach::Store(store) => store.settings()?,
        Reach::Daemon(mut daemon) => match daemon.ask(Ask::EnrollRequest)? {
            Answer::Settings(settings) => *settings,
            _ => bail!("the daemon answered an enrolment request with something else"),
        },
    };
    let request = EnrollRequest {
        terminal: settings.terminal,
        store_name: settings.store_name,
        public_key: settings.public_key,
    };
    enroll::write(out, &request, false)
}

pub fn join(data: &Path, bundle: &Path) -> Result<String> {
    let store = Store::open(data)?;
    let bundle: Bundle = enroll::read(bundle)?;
    let terminal = store.settings()?.terminal;
    if bundle.terminal != terminal {
        bail!(
            "this bundle was made for terminal {}, and this is terminal {terminal}",
            bundle.terminal
        );
    }
    let link = bundle.link();
    // Refuse a bundle whose CA, key or address would not work, before pinning it.
    crate::proto::client::HqClient::new(&link, std::time::Duration::from_secs(1))?;
    crate::proto::wire::verifying_key(&link.hq_key).map_err(anyhow::Error::msg)?;
    store.join_hq(&link, None)?;
    Ok(link.url)
}

/// The status from the store, or from the daemon that holds it.
pub fn status(data: &Path, socket: &Path) -> Result<String> {
    let status = match super::backoffice::serving(data, socket)? {
        Some(mut daemon) => daemon
            .sync_status()
            .context("the daemon would not say how sync stands")?,
        None => Store::open(data)?.outbox().status()?,
    };
    Ok(render(&status))
}

fn render(status: &SyncStatus) -> String {
    let now = Utc::now();
    let mut out = format!("{}\n", status.summary(now));
    for (label, value) in status.fields(now) {
        out += &format!("  {label:<16} {value}\n");
    }
    out
}

/// How long `till sync now` waits for the daemon's worker: its exchange in
/// progress first, then every batch, each bounded by `[sync] timeout_seconds`.
const SYNC_WAIT: Duration = Duration::from_secs(120);

/// `till sync now` (everything) and `till sync catalog` (the catalog
/// only): by this process, or by the daemon's sync worker if it holds the
/// store. Returns what was done, in words.
pub fn now(
    data: &Path,
    socket: &Path,
    user: Option<&str>,
    config: &Settings,
    what: SyncNow,
) -> Result<String> {
    match reach(data, socket, user, "manager")? {
        Reach::Store(store) => {
            let mut worker = Worker::new(&store, config.config.sync.clone())?;
            worker.now(what).map_err(anyhow::Error::msg)
        }
        Reach::Daemon(mut daemon) => {
            let Answer::SyncTicket(ticket) = daemon.ask(Ask::SyncNow(what))? else {
                bail!("the daemon answered a sync with something else");
            };
            let deadline = Instant::now() + SYNC_WAIT;
            loop {
                match daemon.ask(Ask::SyncOutcome { ticket })? {
                    Answer::Synced(Some(said)) => return Ok(said),
                    Answer::Synced(None) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(200))
                    }
                    Answer::Synced(None) => bail!(
                        "head office has not answered yet; the daemon's worker carries on (see till sync status)"
                    ),
                    _ => bail!("the daemon answered a sync with something else"),
                }
            }
        }
    }
}
