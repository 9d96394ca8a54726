//! Who may do what: the least role each permission needs. The shipped table
//! is the default; a shop changes rows in till.toml's `[permissions]`.

use std::collections::HashMap;

use super::user::{Permission, Role};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionTable {
    least: HashMap<Permission, Role>,
}

impl Default for PermissionTable {
    fn default() -> Self {
        PermissionTable {
            least: Permission::ALL
                .iter()
                .map(|p| (*p, p.least_role()))
                .collect(),
        }
    }
}

impl PermissionTable {
    pub fn may(&self, role: Role, permission: Permission) -> bool {
        role >= self.least.get(&permission).copied().unwrap_or(Role::Admin)
    }

    /// Makes `role` the least that may do `permission`. Selling itself stays
    /// with every role: a till nobody may sell on is no till.
    pub fn set(&mut self, permission: Permission, role: Role) -> Result<(), String> {
        if permission == Permission::Sell && role != Role::Cashier {
            return Err("sell is every role's: it cannot be raised".into());
        }
        self.least.insert(permission, role);
        Ok(())
    }

    pub fn least(&self, permission: Permission) -> Role {
        self.least.get(&permission).copied().unwrap_or(Role::Admin)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_default_table_and_a_change() {
        let mut t = PermissionTable::default();
        assert!(t.may(Role::Cashier, Permission::Sell));
        assert!(!t.may(Role::Cashier, Permission::Refund));
        assert!(t.may(Role::Manager, Permission::Refund));
        assert!(!t.may(Role::Cashier, Permission::LargeDiscount));
        assert!(t.may(Role::Supervisor, Permission::LargeDiscount));
        t.set(Permission::Refund, Role::Supervisor).unwrap();
        assert!(t.may(Role::Supervisor, Permission::Refund));
        assert!(t.set(Permission::Sell, Role::Manager).is_err());
    }
}
