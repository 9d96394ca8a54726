//! The store's schema version and the migrations that bring an older store up to date.
//!
//! `open` reads the version from meta and runs, in order, every migration from
//! that version to [`CURRENT`], each in its own step that writes the new version
//! when it is done; a store newer than this build is refused, never guessed at.

use super::error::StoreError;
use super::kv::{Db, Tree};

pub const CURRENT: u32 = 1;
pub const VERSION_KEY: &[u8] = b"schema_version";

/// A migration from `from` to `from + 1`.
pub struct Migration {
    pub from: u32,
    pub run: fn(&Db) -> Result<(), StoreError>,
}

/// Schema 1 is the first; later layouts add their step here.
pub const MIGRATIONS: &[Migration] = &[];

pub fn read_version(meta: &Tree) -> Result<Option<u32>, StoreError> {
    match meta.get(VERSION_KEY)? {
        None => Ok(None),
        Some(raw) => {
            let bytes: [u8; 4] = raw
                .as_ref()
                .try_into()
                .map_err(|_| StoreError::corrupt("schema version", "wrong size"))?;
            Ok(Some(u32::from_be_bytes(bytes)))
        }
    }
}

pub fn write_version(meta: &Tree, version: u32) -> Result<(), StoreError> {
    meta.insert(VERSION_KEY, &version.to_be_bytes())
}

/// Brings the store from `found` to [`CURRENT`] using `migrations`.
pub fn migrate(
    db: &Db,
    meta: &Tree,
    path: &std::path::Path,
    mut found: u32,
    migrations: &[Migration],
) -> Result<(), StoreError> {
    if found > CURRENT {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported: CURRENT,
        });
    }
    while found < CURRENT {
        let step = migrations.iter().find(|m| m.from == found).ok_or_else(|| {
            StoreError::corrupt("schema", format!("no migration from version {found}"))
        })?;
        (step.run)(db)?;
        found += 1;
        write_version(meta, found)?;
        tracing::info!(version = found, "store migrated");
    }
    Ok(())
}
