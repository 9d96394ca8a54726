//! A backup through the engine: how the daemon takes one while its screens
//! sell (see `store::backup`).

use super::{Engine, EngineError, Session};
use crate::store::StoreError;
use crate::store::journal::JournalEvent;

impl Engine {
    /// Writes a backup of the whole store into `backups/` in the store's
    /// directory (mode 0600) and returns its path: the daemon's way to a
    /// consistent backup while screens sell, as it holds the engine's lock.
    pub(super) fn write_backup(
        &mut self,
        user: &Session,
        with_keys: bool,
    ) -> Result<std::path::PathBuf, EngineError> {
        // The keys would let the file's holder sign as this till and read
        // every customer: an admin's call.
        if with_keys && user.role < crate::domain::user::Role::Admin {
            return Err(EngineError::KeysNeedAdmin);
        }
        let bytes = self.store.backup(with_keys)?;
        let dir = self.store.path().join("backups");
        std::fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
        let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S%.3f");
        let path = dir.join(format!("{}-{stamp}.till-backup", self.settings.terminal));
        crate::store::identity::write_secret(&path, &bytes)?;
        self.store
            .append_journal(Some(&user.user), JournalEvent::BackupTaken { with_keys })?;
        Ok(path)
    }
}
