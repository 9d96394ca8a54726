//! The shop's rules for people, and the two sections of till.toml they come
//! from: `[sessions]` (how long a session may sit idle) and `[permissions]`
//! (permission name → the least role that may). They live with the engine,
//! which is what enforces them; `config` only places their mistakes at a line.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::permissions::PermissionTable;
use crate::domain::user::{Permission, Role};
use crate::textfile::Invalid;

/// Who may do what, and how long a session may sit idle before it locks.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub permissions: PermissionTable,
    pub idle_lock: Option<chrono::TimeDelta>,
}

impl Policy {
    /// The policy the two sections ask for.
    pub fn new(sessions: &SessionConfig, permissions: PermissionTable) -> Policy {
        let minutes = sessions.idle_lock_minutes;
        Policy {
            permissions,
            idle_lock: (minutes > 0).then(|| chrono::TimeDelta::minutes(i64::from(minutes))),
        }
    }
}

/// `[sessions]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionConfig {
    /// Minutes without use after which a session locks (0: never).
    pub idle_lock_minutes: u32,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            idle_lock_minutes: 10,
        }
    }
}

/// `[permissions]`: each name a permission, each value a role, over the
/// default table; the key of the first that is not is the mistake.
pub fn permissions(section: &BTreeMap<String, String>) -> Result<PermissionTable, Invalid> {
    let mut table = PermissionTable::default();
    for (name, role) in section {
        let err = |m: String| Invalid::new(name, m);
        let permission = Permission::parse(name).ok_or_else(|| {
            let known: Vec<&str> = Permission::ALL.iter().map(|p| p.name()).collect();
            err(format!(
                "unknown permission '{name}' (known: {})",
                known.join(", ")
            ))
        })?;
        let role = Role::parse(role).ok_or_else(|| {
            err(format!(
                "'{role}' is not a role: cashier, supervisor, manager or admin"
            ))
        })?;
        table.set(permission, role).map_err(err)?;
    }
    Ok(table)
}
