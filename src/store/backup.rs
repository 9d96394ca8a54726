//! Backups: one file holding every tree of the store, byte for byte, as of
//! one moment, and `restore`, which checks a backup through before it
//! replaces anything.
//!
//! Records stay as they are in the store, so customers' details stay sealed:
//! a backup without keys (the default) leaks nothing personal, and restores
//! where the store's keys already are. `with_keys` adds `terminal.key` and
//! `customers.key`, for a new machine; that file is then as secret as the
//! keys.
//!
//! File: one line of JSON (format, version, time, terminal, sha256 and size of
//! the rest), then the versioned bincode body.

use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::envelope::{decode, encode};
use super::error::StoreError;
use super::kv::Db;
use super::{Store, identity, sealing};

const FORMAT: &str = "till-backup";

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    created_at: DateTime<Utc>,
    terminal: String,
    with_keys: bool,
    sha256: String,
    size: u64,
}

/// One tree: its name and its records, key and value as stored.
type TreeRecords = (String, Vec<(Vec<u8>, Vec<u8>)>);

#[derive(Serialize, Deserialize)]
struct Body {
    trees: Vec<TreeRecords>,
    keys: Option<Keys>,
}

#[derive(Serialize, Deserialize)]
struct Keys {
    terminal: Vec<u8>,
    customers: Vec<u8>,
}

/// What a backup file says of itself, once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub created_at: DateTime<Utc>,
    pub terminal: String,
    pub with_keys: bool,
    pub records: usize,
}

fn bad(path: &Path, why: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt(format!("backup {}", path.display()), why)
}

impl Store {
    /// The whole store as backup bytes, taken while no worker writes. The
    /// caller keeps the engine from writing (the daemon holds its lock).
    pub fn backup(&self, with_keys: bool) -> Result<Vec<u8>, StoreError> {
        let _quiet = self.dir.quiet();
        let mut trees = Vec::new();
        for name in self.dir.tree_names() {
            let tree = self.dir.tree(&name)?;
            let mut records = Vec::new();
            for item in tree.iter() {
                let (k, v) = item?;
                records.push((k.to_vec(), v.to_vec()));
            }
            trees.push((name, records));
        }
        let read = |name: &str| {
            let path = self.path().join(name);
            std::fs::read(&path).map_err(|e| StoreError::io(&path, e))
        };
        let keys = if with_keys {
            Some(Keys {
                terminal: read(identity::KEY_FILE)?,
                customers: read(sealing::KEY_FILE)?,
            })
        } else {
            None
        };
        let body = encode(&Body { trees, keys })?;
        let header = Header {
            format: FORMAT.into(),
            version: 1,
            created_at: Utc::now(),
            terminal: self.settings()?.terminal,
            with_keys,
            sha256: hex::encode(Sha256::digest(&body)),
            size: body.len() as u64,
        };
        let mut out = serde_json::to_vec(&header).map_err(|e| StoreError::Encode(e.to_string()))?;
        out.push(b'\n');
        out.extend(body);
        Ok(out)
    }
}

/// Reads and checks a backup file: its header, size, checksum and body.
fn read(path: &Path) -> Result<(Header, Body), StoreError> {
    let file = std::fs::File::open(path).map_err(|e| StoreError::io(path, e))?;
    let mut reader = std::io::BufReader::new(file);
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .map_err(|e| StoreError::io(path, e))?;
    let header: Header =
        serde_json::from_str(&line).map_err(|_| bad(path, "this is not a till backup"))?;
    if header.format != FORMAT || header.version != 1 {
        return Err(bad(path, "this is not a till backup this version can read"));
    }
    let mut body = Vec::new();
    reader
        .read_to_end(&mut body)
        .map_err(|e| StoreError::io(path, e))?;
    if body.len() as u64 != header.size {
        return Err(bad(
            path,
            format!("it is cut short: {} of {} bytes", body.len(), header.size),
        ));
    }
    if hex::encode(Sha256::digest(&body)) != header.sha256 {
        return Err(bad(
            path,
            "its checksum does not match: it was damaged or altered",
        ));
    }
    let body: Body = decode(&body, "backup")?;
    Ok((header, body))
}

/// Restores `backup` into `data`. Everything is checked first in a new
/// directory beside it (the file, then the store it makes: it opens, its
/// journal verifies, its customers decrypt); only then is the old store
/// moved aside (to the returned path) and the new one put in its place.
///
/// A backup older than the store it would replace (a shorter journal) is
/// refused unless `force`: the sales since would be lost, and their receipt
/// and batch numbers given again.
pub fn restore(
    backup: &Path,
    data: &Path,
    force: bool,
) -> Result<(Summary, Option<PathBuf>), StoreError> {
    let (header, body) = read(backup)?;
    // What is there now: nothing, an empty directory, or a store (locked
    // by us until it is moved aside, so no till opens it meanwhile).
    let mut current = None;
    if data.exists() {
        let empty = std::fs::read_dir(data)
            .map_err(|e| StoreError::io(data, e))?
            .next()
            .is_none();
        if !empty {
            if !super::kv::looks_like_db(data) {
                return Err(StoreError::NotAStore(data.to_path_buf()));
            }
            let head = match Store::open(data) {
                Ok(store) => super::journal::head(&store.meta)?.0,
                // A damaged store is what a restore is for: any backup is
                // newer than what can be trusted of it.
                Err(StoreError::Corrupt { .. }) => 0,
                Err(e) => return Err(e),
            };
            current = Some((super::lock::StoreLock::acquire(data)?, head));
        }
    }
    let stamp = Utc::now().format("%Y%m%d-%H%M%S");
    let name = data
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "store".into());
    let staging = data.with_file_name(format!("{name}.restoring-{stamp}"));
    let outcome = stage(&header, body, data, &staging).and_then(|(records, head)| {
        match &current {
            Some((_, now)) if head < *now && !force => Err(StoreError::corrupt(
                "backup",
                format!(
                    "it is older than the store it would replace (its journal ends at entry {head}, the store's at {now}): the sales since would be lost and their numbers given again; add --force if that is meant"
                ),
            )),
            _ => Ok(records),
        }
    });
    let records = match outcome {
        Ok(records) => records,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    let aside = if let Some((_lock, _)) = &current {
        let aside = data.with_file_name(format!("{name}.before-restore-{stamp}"));
        std::fs::rename(data, &aside).map_err(|e| StoreError::io(data, e))?;
        Some(aside)
    } else {
        if data.exists() {
            std::fs::remove_dir(data).map_err(|e| StoreError::io(data, e))?;
        }
        None
    };
    drop(current);
    std::fs::rename(&staging, data).map_err(|e| StoreError::io(&staging, e))?;
    Ok((
        Summary {
            created_at: header.created_at,
            terminal: header.terminal,
            with_keys: header.with_keys,
            records,
        },
        aside,
    ))
}

/// Builds the store in `staging` and checks it; returns the record count
/// and where its journal ends.
fn stage(
    header: &Header,
    body: Body,
    data: &Path,
    staging: &Path,
) -> Result<(usize, u64), StoreError> {
    super::private::create_dir(staging)?;
    match &body.keys {
        Some(keys) => {
            identity::write_secret(&staging.join(identity::KEY_FILE), &keys.terminal)?;
            identity::write_secret(&staging.join(sealing::KEY_FILE), &keys.customers)?;
        }
        None => {
            for key in [identity::KEY_FILE, sealing::KEY_FILE] {
                let from = data.join(key);
                let bytes = std::fs::read(&from).map_err(|_| {
                    StoreError::corrupt(
                        "backup",
                        format!(
                            "it holds no keys, and {} has none to keep ({key}): restore a backup made with --with-keys",
                            data.display()
                        ),
                    )
                })?;
                identity::write_secret(&staging.join(key), &bytes)?;
            }
        }
    }
    let mut records = 0;
    {
        let dir = Db::open(staging)?;
        for (name, entries) in &body.trees {
            let tree = dir.tree(name)?;
            for (k, v) in entries {
                tree.insert(k.as_slice(), v.as_slice())?;
                records += 1;
            }
        }
        dir.persist()?;
    }
    let store = Store::open(staging)?;
    let settings = store.settings()?;
    let key = identity::load_key(staging)?;
    if hex::encode(key.verifying_key().to_bytes()) != settings.public_key {
        return Err(StoreError::corrupt(
            "backup",
            "the signing key at hand is not this store's: restore it where its own keys are, or from a backup made with --with-keys",
        ));
    }
    if settings.terminal != header.terminal {
        return Err(StoreError::corrupt(
            "backup",
            "its header and its store name different terminals",
        ));
    }
    store.verify_journal().map_err(|e| {
        StoreError::corrupt("backup", format!("the journal in it does not verify: {e}"))
    })?;
    for customer in store.customers() {
        customer.map_err(|e| {
            StoreError::corrupt(
                "backup",
                format!("its customers do not decrypt with the keys at hand ({e})"),
            )
        })?;
    }
    let head = super::journal::head(&store.meta)?.0;
    Ok((records, head))
}
