//! `till purge --all`: the whole store gone for good: records, journal,
//! keys, logs, and the old stores `till restore` kept beside it. For a shop that closes or leaves Till. An admin's PIN and the
//! terminal's id typed back are both asked, and a running daemon refuses it
//! (it holds the store).

use std::path::Path;

use anyhow::{Result, bail};

use super::prompt::pin;
use crate::domain::user::Role;
use crate::engine::{BACK_OFFICE, Engine};
use crate::store::Store;

/// Removes everything in `data`; returns how many files went.
pub fn all(data: &Path, user: &str, confirm: &str) -> Result<usize> {
    let store = Store::open(data)?;
    let terminal = store.settings()?.terminal;
    if confirm != terminal {
        bail!(
            "nothing was deleted: to delete this store for good, give --confirm {terminal} (its terminal id)"
        );
    }
    let role = store.user(user)?.map(|u| u.role);
    let mut engine = Engine::new(store)?;
    engine.login(user, &pin()?, BACK_OFFICE)?;
    if role != Some(Role::Admin) {
        bail!("nothing was deleted: only an admin may delete the whole store");
    }
    drop(engine);
    // The store, and the copies `till restore` left beside it.
    let mut doomed = vec![data.to_path_buf()];
    if let (Some(parent), Some(name)) = (data.parent(), data.file_name()) {
        let name = name.to_string_lossy();
        let copies = [
            format!("{name}.before-restore-"),
            format!("{name}.restoring-"),
        ];
        for entry in std::fs::read_dir(parent).into_iter().flatten().flatten() {
            let other = entry.file_name().to_string_lossy().into_owned();
            if copies.iter().any(|c| other.starts_with(c.as_str())) {
                doomed.push(entry.path());
            }
        }
    }
    let mut files = 0;
    for dir in &doomed {
        count_files(dir, &mut files);
        std::fs::remove_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("deleting {} failed part-way: {e}", dir.display()))?;
    }
    Ok(files)
}

fn count_files(dir: &Path, n: &mut usize) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.path().is_dir() {
            count_files(&entry.path(), n);
        } else {
            *n += 1;
        }
    }
}
