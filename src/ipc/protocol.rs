//! The messages between a till screen and the daemon. Bump [`VERSION`] with
//! any change to these types or to the engine types they carry: a client and
//! a daemon of different versions refuse each other with a clear message
//! instead of misreading bytes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::user::{Permission, Role};
use crate::engine::request::{Answer, Ask};
use crate::engine::{Approval, EngineError, SessionId};
use crate::store::outbox::SyncStatus;
use crate::store::settings::StoreSettings;

pub const VERSION: u32 = 9;

/// Everything a connection may send. What needs a session is one variant,
/// [`Request::As`], so the server's gate sees the session of every such
/// request before it reaches the engine.
#[derive(Debug, Clone, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(name(RequestKind), derive(strum::EnumIter))]
pub enum Request {
    /// The first message on every connection.
    Hello { version: u32 },
    /// Turns this second connection into the notice stream of the screen
    /// whose Welcome carried `token`: scans and lane news are pushed on it.
    Subscribe { token: u128 },
    /// Takes a lane held by another screen, on a manager's PIN; that screen
    /// is told and its sessions on the lane end.
    TakeLane { lane: u16, approval: Approval },
    Login {
        user: String,
        pin: String,
        lane: u16,
    },
    /// Needs nobody logged in: `till sync status` asks it, and it holds
    /// nothing personal, only counts, times and the last error.
    SyncStatus,
    /// What a session logged in on this connection asks.
    As { session: SessionId, ask: Ask },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Response {
    Welcome {
        version: u32,
        settings: Box<StoreSettings>,
        /// The store directory the daemon serves, canonical: a screen or
        /// command started for another store refuses to use this daemon.
        store: std::path::PathBuf,
        /// Names this connection when its notice stream subscribes: random,
        /// so no other client can guess it and steal the screen's scans.
        token: u128,
    },
    Subscribed,
    LaneTaken,
    /// The daemon will not talk to this client; the reason says what to do.
    Refused {
        reason: String,
    },
    Session(SessionId),
    SyncStatus(Box<SyncStatus>),
    Answer(Answer),
    Error(WireError),
}

/// An engine refusal as it crosses the socket: the ones a screen acts on
/// (asking for a manager, a wrong PIN) keep their kind; the rest their words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum WireError {
    NeedsApproval(Permission, Role),
    ApprovalRefused(Permission),
    BadLogin,
    LockedOut { user: String, until: DateTime<Utc> },
    NoSession,
    SessionLocked { minutes: i64 },
    LaneBusy(u16),
    OpenSales(Vec<(u16, crate::domain::money::Money)>),
    Other(String),
}

impl From<&EngineError> for WireError {
    fn from(e: &EngineError) -> WireError {
        match e {
            EngineError::NeedsApproval(p, r) => WireError::NeedsApproval(*p, *r),
            EngineError::ApprovalRefused(p) => WireError::ApprovalRefused(*p),
            EngineError::BadLogin => WireError::BadLogin,
            EngineError::LockedOut { user, until } => WireError::LockedOut {
                user: user.clone(),
                until: *until,
            },
            EngineError::NoSession => WireError::NoSession,
            EngineError::SessionLocked { minutes } => {
                WireError::SessionLocked { minutes: *minutes }
            }
            EngineError::LaneBusy(lane) => WireError::LaneBusy(*lane),
            EngineError::OpenSales(open) => WireError::OpenSales(open.clone()),
            other => WireError::Other(other.to_string()),
        }
    }
}

impl From<WireError> for EngineError {
    fn from(e: WireError) -> EngineError {
        match e {
            WireError::NeedsApproval(p, r) => EngineError::NeedsApproval(p, r),
            WireError::ApprovalRefused(p) => EngineError::ApprovalRefused(p),
            WireError::BadLogin => EngineError::BadLogin,
            WireError::LockedOut { user, until } => EngineError::LockedOut { user, until },
            WireError::NoSession => EngineError::NoSession,
            WireError::SessionLocked { minutes } => EngineError::SessionLocked { minutes },
            WireError::LaneBusy(lane) => EngineError::LaneBusy(lane),
            WireError::OpenSales(open) => EngineError::OpenSales(open),
            WireError::Other(text) => EngineError::Remote(text),
        }
    }
}

/// Pushed by the daemon on a screen's notice stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Notice {
    /// A code from the daemon's serial scanner, for the lane this screen holds.
    Scan(String),
    /// Another screen took this lane over; this screen's sessions on it ended.
    LaneTaken { lane: u16, by: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The refusals a screen acts on keep their kind across the socket.
    #[test]
    fn refusals_round_trip() {
        let until = chrono::DateTime::<Utc>::MIN_UTC;
        for e in [
            EngineError::NeedsApproval(Permission::Refund, Role::Manager),
            EngineError::ApprovalRefused(Permission::TakeLane),
            EngineError::BadLogin,
            EngineError::LockedOut {
                user: "c".into(),
                until,
            },
            EngineError::NoSession,
            EngineError::SessionLocked { minutes: 10 },
            EngineError::LaneBusy(3),
            EngineError::OpenSales(vec![(
                1,
                crate::domain::money::Money::new(rust_decimal::dec!(3.87)),
            )]),
        ] {
            let back = EngineError::from(WireError::from(&e));
            assert_eq!(format!("{back:?}"), format!("{e:?}"));
        }
        assert!(matches!(
            EngineError::from(WireError::from(&EngineError::NoShift)),
            EngineError::Remote(_)
        ));
    }
}
