//! `till journal verify`: from the store, or through the daemon that holds it.

use std::path::Path;

use anyhow::{Result, bail};

use super::backoffice::{Reach, reach};
use crate::engine::request::{Answer, Ask};

/// Prints the outcome; `Ok(false)` when the chain is broken.
pub fn verify(data: &Path, socket: &Path, user: Option<&str>) -> Result<bool> {
    let outcome = match reach(data, socket, user, "user who may see the journal")? {
        Reach::Store(store) => store.verify_journal().map_err(|e| e.to_string()),
        Reach::Daemon(mut daemon) => match daemon.ask(Ask::VerifyJournal)? {
            Answer::JournalVerified(outcome) => outcome,
            _ => bail!("the daemon answered a journal check with something else"),
        },
    };
    match outcome {
        Ok(count) => {
            println!("journal OK: {count} entries, chain and sale records verified");
            Ok(true)
        }
        Err(e) => {
            eprintln!("journal BROKEN: {e}");
            Ok(false)
        }
    }
}
