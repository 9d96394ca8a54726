//! Back-office outputs through the engine: a backup and an export, taken
//! under the engine's lock so each is one moment of a store that keeps
//! selling, written into the spool (see `spool`) for the command to fetch.

use super::office::ExportFormat;
use super::spool::Spooled;
use super::{Engine, EngineError, Session};
use crate::store::journal::JournalEvent;

impl Engine {
    /// A backup of the whole store as one spooled file (mode 0600).
    pub(super) fn spool_backup(
        &mut self,
        user: &Session,
        with_keys: bool,
    ) -> Result<Spooled, EngineError> {
        // The keys would let the file's holder sign as this till and read
        // every customer: an admin's call.
        if with_keys && user.role < crate::domain::user::Role::Admin {
            return Err(EngineError::KeysNeedAdmin);
        }
        let bytes = self.store.backup(with_keys)?;
        let (handle, dir) = self.spool_open()?;
        let name = format!("{}.till-backup", self.settings.terminal);
        crate::store::identity::write_secret(&dir.join(name), &bytes)?;
        self.store
            .append_journal(Some(&user.user), JournalEvent::BackupTaken { with_keys })?;
        self.spool_close(user, handle, &dir)
    }

    /// An export (see `cli::export`) of the whole store, spooled: its
    /// files are the entry's files, `manifest.json` among them.
    pub(super) fn spool_export(
        &mut self,
        user: &Session,
        format: ExportFormat,
    ) -> Result<Spooled, EngineError> {
        if self.office.is_none() {
            return Err(EngineError::NoOffice);
        }
        let (handle, dir) = self.spool_open()?;
        if let Some(office) = &self.office {
            office
                .export(&self.store, &dir, format, &user.user)
                .map_err(EngineError::Remote)?;
        }
        self.spool_close(user, handle, &dir)
    }
}
