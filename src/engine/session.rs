//! Who is at the till: logging in (PIN checks, lockouts counted where the
//! PINs come from), the idle lock, approvals given outside a session, and
//! logging out. Nothing here sells; it decides who may.

use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::{Approval, Engine, EngineError, Event, THIS_PROCESS, auth};
use crate::domain::limits;
use crate::domain::sale::Sale;
use crate::domain::user::{Permission, Role, User};
use crate::store::journal::JournalEvent;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SessionId(pub u64);

impl SessionId {
    /// Random, so a session cannot be guessed from another: the daemon's
    /// gate refuses one its connection did not log in anyway, but a guess
    /// should not even find a live session to be refused for.
    fn new() -> SessionId {
        use rand_core::RngCore;
        SessionId(rand_core::OsRng.next_u64())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub user: String,
    pub role: Role,
    /// The checkout lane this session sells on; its cart is kept per lane.
    pub lane: u16,
    /// When the session last did anything, for the idle lock.
    pub last_active: chrono::DateTime<Utc>,
    /// Where it logged in from: an approval's wrong PIN counts there.
    pub origin: String,
}

impl Engine {
    pub fn session(&self, id: SessionId) -> Option<&Session> {
        self.sessions.get(&id)
    }

    /// The session, if it is still open: one left idle past the policy's limit
    /// is locked (ended, and journaled); the lane's sale stays for the next login.
    pub(super) fn active(&mut self, id: SessionId) -> Result<Session, EngineError> {
        let now = Utc::now();
        let session = self.sessions.get_mut(&id).ok_or(EngineError::NoSession)?;
        if let Some(limit) = self.policy.idle_lock
            && now - session.last_active > limit
        {
            let user = session.user.clone();
            self.sessions.remove(&id);
            self.store.append_journal(
                Some(&user),
                JournalEvent::SessionLocked { user: user.clone() },
            )?;
            return Err(EngineError::SessionLocked {
                minutes: limit.num_minutes(),
            });
        }
        session.last_active = now;
        Ok(session.clone())
    }

    /// Checks a user's PIN from `origin`, counting failures there towards a
    /// lockout there (see `lockout`), and journaling failures and locks.
    pub(super) fn check_pin(
        &self,
        name: &str,
        pin: &str,
        origin: &str,
    ) -> Result<User, EngineError> {
        let failed = |user: &str| {
            self.store.append_journal(
                None,
                JournalEvent::LoginFailed {
                    user: user.to_string(),
                },
            )
        };
        // No user's name is longer (users are made within the bound), so a
        // longer one is nobody's; the journal keeps no more of it than that.
        if limits::check("the user name", name, limits::MAX_USER_NAME).is_err() {
            failed(&name.chars().take(limits::MAX_USER_NAME).collect::<String>())?;
            return Err(EngineError::BadLogin);
        }
        let Some(user) = self.store.user(name)? else {
            failed(name)?;
            return Err(EngineError::BadLogin);
        };
        if user.disabled {
            failed(&user.name)?;
            return Err(EngineError::BadLogin);
        }
        let now = Utc::now();
        if let Some(until) = self.lockouts.borrow().locked(&user.name, origin, now) {
            return Err(EngineError::LockedOut {
                user: user.name,
                until,
            });
        }
        if !auth::verify_pin(pin, &user.pin_hash) {
            failed(&user.name)?;
            self.count_wrong_pin(&user.name, origin, now)?;
            return Err(EngineError::BadLogin);
        }
        self.lockouts.borrow_mut().cleared(&user.name, origin);
        Ok(user)
    }

    /// Counts a wrong PIN from `origin`; journals the lock it starts, if it does.
    fn count_wrong_pin(
        &self,
        user: &str,
        origin: &str,
        now: chrono::DateTime<Utc>,
    ) -> Result<(), EngineError> {
        let locked = self.lockouts.borrow_mut().failed(user, origin, now);
        if let Some(until) = locked {
            tracing::warn!(user, origin, %until, "wrong PINs: locked out from there");
            self.store.append_journal(
                None,
                JournalEvent::LockedOut {
                    user: user.to_string(),
                    origin: origin.to_string(),
                    until,
                },
            )?;
        }
        Ok(())
    }

    pub fn login(&mut self, name: &str, pin: &str, lane: u16) -> Result<SessionId, EngineError> {
        self.login_from(name, pin, lane, THIS_PROCESS)
    }

    /// A login from `origin`: the daemon names the peer's uid, so wrong PINs
    /// lock out only the place they come from.
    pub fn login_from(
        &mut self,
        name: &str,
        pin: &str,
        lane: u16,
        origin: &str,
    ) -> Result<SessionId, EngineError> {
        let outcome = self.log_in(name, pin, lane, origin);
        self.note_failure(outcome)
    }

    fn log_in(
        &mut self,
        name: &str,
        pin: &str,
        lane: u16,
        origin: &str,
    ) -> Result<SessionId, EngineError> {
        let user = self.check_pin(name, pin, origin)?;
        self.store.append_journal(
            Some(&user.name),
            JournalEvent::Login {
                user: user.name.clone(),
            },
        )?;
        let id = loop {
            let id = SessionId::new();
            if !self.sessions.contains_key(&id) {
                break id;
            }
        };
        self.sessions.insert(
            id,
            Session {
                user: user.name,
                role: user.role,
                lane,
                last_active: Utc::now(),
                origin: origin.to_string(),
            },
        );
        Ok(id)
    }

    /// Checks an approver's PIN and role for something done outside a session
    /// (taking a lane over); journals it. Returns the approver's name.
    pub fn approve(
        &mut self,
        approval: &Approval,
        permission: Permission,
        what: String,
        origin: &str,
    ) -> Result<String, EngineError> {
        let approver = self.check_pin(&approval.user, &approval.pin, origin)?;
        if !self.policy.permissions.may(approver.role, permission) {
            return Err(EngineError::ApprovalRefused(permission));
        }
        let event = JournalEvent::Override {
            permission,
            approved_by: approver.name.clone(),
        };
        self.store.append_journal(Some(&approver.name), event)?;
        tracing::info!(by = %approver.name, "{what}");
        Ok(approver.name)
    }

    /// Ends every session on `lane` (its screen lost the lane).
    pub fn end_lane(&mut self, lane: u16) {
        self.sessions.retain(|_, s| s.lane != lane);
    }

    /// Ends the session. An approved refund is the approver's word for this
    /// cashier only: left on the lane, the next user would inherit it, so
    /// one with lines and no payment is voided, and an empty one cleared.
    pub(super) fn logout(
        &mut self,
        id: SessionId,
        session: &Session,
        sale: Sale,
    ) -> Result<Vec<Event>, EngineError> {
        let logout = JournalEvent::Logout {
            user: session.user.clone(),
        };
        if sale.is_refund() && sale.tenders.is_empty() && !sale.lines.is_empty() {
            let total = sale.totals(&self.settings.rules)?.total;
            let event = JournalEvent::SaleVoided {
                lines: sale.lines.len(),
                total,
                tendered: Vec::new(),
                approved_by: sale.approved_by.clone(),
            };
            self.store
                .put_cart_journaled(session.lane, None, &session.user, event)?;
            self.store.append_journal(Some(&session.user), logout)?;
        } else if sale.is_refund() && sale.lines.is_empty() {
            self.store
                .put_cart_journaled(session.lane, None, &session.user, logout)?;
        } else {
            self.store.append_journal(Some(&session.user), logout)?;
        }
        self.sessions.remove(&id);
        Ok(vec![Event::LoggedOut])
    }
}
