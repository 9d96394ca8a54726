//! Users, by name: their role, PIN hash and lock-out state.

use super::Store;
use super::error::StoreError;
use super::journal::JournalEvent;
use crate::domain::user::User;

impl Store {
    pub fn user(&self, name: &str) -> Result<Option<User>, StoreError> {
        self.users.get(name)
    }

    pub fn users(&self) -> impl Iterator<Item = Result<User, StoreError>> + '_ {
        self.users.values()
    }

    /// Saves a user and journals the change, together.
    pub fn put_user_journaled(
        &self,
        user: &User,
        actor: &str,
        event: JournalEvent,
    ) -> Result<(), StoreError> {
        let put = self.users.put(&user.name, user)?;
        self.write_journaled(&[put], actor, event).map(drop)
    }

    pub fn put_user(&self, user: &User) -> Result<(), StoreError> {
        self.users.insert(&user.name, user)?;
        self.persist()
    }
}
