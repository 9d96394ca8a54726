//! `till sync …`: a terminal's side of head office: the enrolment files,
//! the status, and a send-everything-now.

use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::Utc;

use super::args::Cli;
use crate::config::Settings;
use crate::engine::api::TillApi;
use crate::ipc::client::Client;
use crate::proto::enroll::{self, Bundle, EnrollRequest};
use crate::store::outbox::SyncStatus;
use crate::store::{Store, StoreError};
use crate::sync::worker::Worker;

pub fn request(data: &Path, out: &Path) -> Result<()> {
    let settings = Store::open(data)?.settings()?;
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

/// The status from the store in `data`, or from the daemon that holds it;
/// with no `data` (no --data), from the daemon on `socket` if one listens.
pub fn status(data: Option<&Path>, socket: &Path) -> Result<String> {
    let ask_daemon = |data| -> Result<SyncStatus> {
        Client::connect_to_store(data, socket)?
            .sync_status()
            .context("the daemon would not say how sync stands")
    };
    let status = match data {
        None if socket.exists() => ask_daemon(None)?,
        _ => {
            let dir = data.unwrap_or(Path::new(Cli::DEFAULT_DATA));
            match Store::open(dir) {
                Ok(store) => store.outbox().status()?,
                Err(StoreError::Locked { .. }) if socket.exists() => ask_daemon(Some(dir))?,
                Err(e) => return Err(e.into()),
            }
        }
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

pub fn now(data: &Path, config: &Settings) -> Result<usize> {
    let store = Store::open(data).map_err(|e| match e {
        StoreError::Locked { .. } => anyhow::anyhow!(
            "{e}\nthe daemon sends to head office by itself: see `till sync status`"
        ),
        e => e.into(),
    })?;
    let mut worker = Worker::new(&store, config.config.sync.clone())?;
    Ok(worker.drain()?)
}
