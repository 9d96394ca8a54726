//! Wrong PINs lock a user out of the place they came from, not everywhere.
//!
//! A lockout kept on the user would let anyone who can reach the daemon's
//! socket lock the real admin out of every screen with five wrong PINs. So
//! failures are counted per (user, origin), where the origin is who the
//! kernel says made the attempt (the daemon's peer uid; "this process" for
//! an engine in the screen's own process): the guesser is slowed and then
//! locked, the kiosk and the other managers are not. The counts live in
//! memory, bounded: a restart of the daemon (which only systemd or root can
//! do) forgives, and the journal keeps every failure and lock.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

/// Wrong PINs in a row, from one origin, after which a user is locked out
/// there for a while.
pub const MAX_FAILED_PINS: u32 = 5;

/// Where the engine's own process logs in from (no daemon in between).
pub const THIS_PROCESS: &str = "this process";

/// (user, origin) pairs followed at once. Origins are uids, so a real shop
/// has a handful; past this, pairs that are not locked now are forgotten.
const MAX_TRACKED: usize = 4096;

/// How long a user is locked after `failures` wrong PINs in a row: 30 s at the
/// limit, doubling with each further failure, at most an hour. It always ends,
/// so a guesser can slow the shop down but never lock its only admin out.
pub fn lockout(failures: u32) -> Option<chrono::Duration> {
    let over = failures.checked_sub(MAX_FAILED_PINS)?;
    let seconds = 30i64.saturating_mul(1 << over.min(7));
    Some(chrono::Duration::seconds(seconds.min(3600)))
}

#[derive(Debug, Default)]
struct Failures {
    count: u32,
    until: Option<DateTime<Utc>>,
}

#[derive(Debug, Default)]
pub struct Lockouts {
    by: HashMap<(String, String), Failures>,
}

impl Lockouts {
    /// When the user's lock from `origin` ends, if it is locked now.
    pub fn locked(&self, user: &str, origin: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.by
            .get(&(user.to_string(), origin.to_string()))
            .and_then(|f| f.until)
            .filter(|until| *until > now)
    }

    /// Counts a wrong PIN; returns when the lock it started ends, if it did.
    pub fn failed(
        &mut self,
        user: &str,
        origin: &str,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        if self.by.len() >= MAX_TRACKED {
            self.by.retain(|_, f| f.until.is_some_and(|u| u > now));
        }
        let failures = self
            .by
            .entry((user.to_string(), origin.to_string()))
            .or_default();
        failures.count += 1;
        failures.until = lockout(failures.count).map(|d| now + d);
        failures.until
    }

    /// A right PIN from `origin`: its count starts again.
    pub fn cleared(&mut self, user: &str, origin: &str) {
        self.by.remove(&(user.to_string(), origin.to_string()));
    }

    /// A manager reset the user's PIN: locked nowhere any more.
    pub fn forgive(&mut self, user: &str) {
        self.by.retain(|(u, _), _| u != user);
    }

    /// Whether the user is locked out from anywhere now (the users list).
    pub fn anywhere(&self, user: &str, now: DateTime<Utc>) -> bool {
        self.by
            .iter()
            .any(|((u, _), f)| u == user && f.until.is_some_and(|t| t > now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_holds_where_the_pins_came_from_and_nowhere_else() {
        let mut l = Lockouts::default();
        let now = Utc::now();
        for _ in 1..MAX_FAILED_PINS {
            assert_eq!(l.failed("admin", "uid 1001", now), None);
        }
        let until = l.failed("admin", "uid 1001", now);
        assert!(until.is_some());
        assert_eq!(l.locked("admin", "uid 1001", now), until);
        assert_eq!(l.locked("admin", "uid 999", now), None);
        assert!(l.anywhere("admin", now));
        assert!(!l.anywhere("cashier", now));
        l.cleared("admin", "uid 1001");
        assert_eq!(l.locked("admin", "uid 1001", now), None);
    }
}
