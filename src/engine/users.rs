//! The till's users: adding them, resetting PINs, disabling, and the list a
//! manager sees (never a PIN hash). Nobody makes or manages a user above
//! their own role. Logging in is `session`'s.

use chrono::Utc;

use super::{Engine, EngineError, Event, Session, auth};
use crate::domain::user::{Permission, Role, User, UserSummary};
use crate::store::journal::JournalEvent;

impl Engine {
    pub(super) fn add_user(
        &self,
        session: &Session,
        name: &str,
        role: Role,
        pin: &str,
    ) -> Result<Vec<Event>, EngineError> {
        let name = name.trim().to_string();
        if name.is_empty() || self.store.user(&name)?.is_some() {
            return Err(EngineError::BadUser(name));
        }
        if role > session.role {
            return Err(EngineError::ApprovalRefused(Permission::ManageUsers));
        }
        let pin_hash = auth::hash_pin(pin).map_err(|e| EngineError::BadPin(e.to_string()))?;
        let id = self.store.users().count() as u32 + 1;
        let user = User {
            id,
            name: name.clone(),
            role,
            pin_hash,
            failed_attempts: 0,
            locked_until: None,
            disabled: false,
        };
        let event = JournalEvent::UserCreated {
            user: name,
            role: role.name().to_string(),
        };
        self.store.put_user_journaled(&user, &session.user, event)?;
        Ok(Vec::new())
    }

    pub(super) fn reset_pin(
        &self,
        session: &Session,
        user: String,
        pin: &str,
    ) -> Result<Vec<Event>, EngineError> {
        let mut found = self.managed_user(session, &user)?;
        found.pin_hash = auth::hash_pin(pin).map_err(|e| EngineError::BadPin(e.to_string()))?;
        found.failed_attempts = 0;
        found.locked_until = None;
        self.store
            .put_user_journaled(&found, &session.user, JournalEvent::PinReset { user })?;
        self.lockouts.borrow_mut().forgive(&found.name);
        Ok(Vec::new())
    }

    /// Disables a user (ending their sessions) or enables them again; never
    /// oneself.
    pub(super) fn set_user_disabled(
        &mut self,
        session: &Session,
        user: String,
        disabled: bool,
    ) -> Result<Vec<Event>, EngineError> {
        if user == session.user {
            return Err(EngineError::BadUser(user));
        }
        let mut found = self.managed_user(session, &user)?;
        found.disabled = disabled;
        self.sessions.retain(|_, s| !(disabled && s.user == user));
        let event = JournalEvent::UserDisabled { user, disabled };
        self.store
            .put_user_journaled(&found, &session.user, event)?;
        Ok(Vec::new())
    }

    /// A user the session's user may manage: one that exists, of their role
    /// or below.
    fn managed_user(&self, session: &Session, name: &str) -> Result<User, EngineError> {
        let found = self
            .store
            .user(name)?
            .ok_or_else(|| EngineError::BadUser(name.to_string()))?;
        if found.role > session.role {
            return Err(EngineError::ApprovalRefused(Permission::ManageUsers));
        }
        Ok(found)
    }

    /// Every user, without PIN hashes.
    pub(super) fn user_list(&self) -> Result<Vec<UserSummary>, EngineError> {
        let now = Utc::now();
        let mut out = Vec::new();
        for user in self.store.users() {
            let u = user?;
            let locked = self.lockouts.borrow().anywhere(&u.name, now);
            out.push(UserSummary {
                name: u.name,
                role: u.role,
                disabled: u.disabled,
                locked,
            });
        }
        Ok(out)
    }
}
