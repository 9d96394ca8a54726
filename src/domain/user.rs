//! Users, their roles, and what each role may do.

use serde::{Deserialize, Serialize};

/// Roles in increasing order of trust; each may do what the one below may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Cashier,
    Supervisor,
    Manager,
    Admin,
}

impl Role {
    pub fn parse(text: &str) -> Option<Role> {
        match text.trim().to_ascii_lowercase().as_str() {
            "cashier" => Some(Role::Cashier),
            "supervisor" => Some(Role::Supervisor),
            "manager" => Some(Role::Manager),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// The role with its article, for a sentence: "a supervisor", "an admin".
    pub fn a(self) -> &'static str {
        match self {
            Role::Cashier => "a cashier",
            Role::Supervisor => "a supervisor",
            Role::Manager => "a manager",
            Role::Admin => "an admin",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Cashier => "cashier",
            Role::Supervisor => "supervisor",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }
}

/// Things a user may or may not do; the engine asks before each command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Sell,
    VoidLine,
    /// Voiding a sale once a payment has been taken.
    VoidAfterTender,
    Refund,
    Discount,
    /// A discount beyond the store's limit for cashiers.
    LargeDiscount,
    /// Reprinting a receipt other than the last one.
    Reprint,
    /// Opening the drawer without a sale.
    NoSale,
    /// Selling a line at another price than the shelf's.
    PriceOverride,
    /// Changing products and prices.
    ManageCatalog,
    /// Cash paid into or out of a drawer outside a sale.
    CashMovement,
    /// The end-of-day Z report.
    CloseDay,
    /// Taking over a lane another screen holds.
    TakeLane,
    /// Adjusting and receiving stock.
    ManageStock,
    /// Adding users, resetting PINs, disabling users.
    ManageUsers,
    /// Reports, stock lists, the list of users (never their PINs) and the
    /// X report, which would tell a cashier what a blind count should find.
    ViewReports,
    /// The journal viewer: who did what and when.
    ViewJournal,
    /// Finding, adding and correcting customers, and putting one on a sale.
    ManageCustomers,
    /// Erasing a customer's personal data for good.
    EraseCustomer,
    /// Taking a backup or an export of the whole store through the daemon.
    Backup,
    /// Sending to head office now, fetching its catalog now, and the
    /// terminal's enrolment request.
    Sync,
    /// Removing what `[retention]` says is past its time.
    Retention,
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Permission::Sell => "selling",
            Permission::VoidLine => "voiding a line",
            Permission::VoidAfterTender => "voiding a sale after a payment",
            Permission::Refund => "a refund",
            Permission::Discount => "a discount",
            Permission::LargeDiscount => "a discount above the cashier limit",
            Permission::Reprint => "reprinting an older receipt",
            Permission::NoSale => "opening the drawer without a sale",
            Permission::PriceOverride => "a price override",
            Permission::ManageCatalog => "changing the catalog",
            Permission::CashMovement => "cash in or out of the drawer",
            Permission::CloseDay => "the end-of-day Z report",
            Permission::TakeLane => "taking over a lane",
            Permission::ManageStock => "changing stock",
            Permission::ManageUsers => "managing users",
            Permission::ViewReports => "seeing reports",
            Permission::ViewJournal => "seeing the journal",
            Permission::ManageCustomers => "managing customers",
            Permission::EraseCustomer => "erasing a customer's data",
            Permission::Backup => "taking a backup or an export",
            Permission::Sync => "syncing with head office",
            Permission::Retention => "removing old records",
        })
    }
}

impl Permission {
    pub const ALL: [Permission; 22] = [
        Permission::Sell,
        Permission::VoidLine,
        Permission::VoidAfterTender,
        Permission::Refund,
        Permission::Discount,
        Permission::LargeDiscount,
        Permission::Reprint,
        Permission::NoSale,
        Permission::PriceOverride,
        Permission::ManageCatalog,
        Permission::CashMovement,
        Permission::CloseDay,
        Permission::TakeLane,
        Permission::ManageStock,
        Permission::ManageUsers,
        Permission::ViewReports,
        Permission::ViewJournal,
        Permission::ManageCustomers,
        Permission::EraseCustomer,
        Permission::Backup,
        Permission::Sync,
        Permission::Retention,
    ];

    /// The name till.toml's `[permissions]` uses.
    pub fn name(self) -> &'static str {
        match self {
            Permission::Sell => "sell",
            Permission::VoidLine => "void_line",
            Permission::VoidAfterTender => "void_after_tender",
            Permission::Refund => "refund",
            Permission::Discount => "discount",
            Permission::LargeDiscount => "large_discount",
            Permission::Reprint => "reprint",
            Permission::NoSale => "no_sale",
            Permission::PriceOverride => "price_override",
            Permission::ManageCatalog => "manage_catalog",
            Permission::CashMovement => "cash_movement",
            Permission::CloseDay => "close_day",
            Permission::TakeLane => "take_lane",
            Permission::ManageStock => "manage_stock",
            Permission::ManageUsers => "manage_users",
            Permission::ViewReports => "view_reports",
            Permission::ViewJournal => "view_journal",
            Permission::ManageCustomers => "manage_customers",
            Permission::EraseCustomer => "erase_customer",
            Permission::Backup => "backup",
            Permission::Sync => "sync",
            Permission::Retention => "retention",
        }
    }

    pub fn parse(name: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The shipped default: the least role that may.
    pub fn least_role(self) -> Role {
        match self {
            Permission::ManageUsers => Role::Admin,
            Permission::ViewReports => Role::Supervisor,
            Permission::ViewJournal | Permission::ManageCustomers => Role::Cashier,
            Permission::Sell | Permission::VoidLine | Permission::Discount => Role::Cashier,
            Permission::LargeDiscount | Permission::CashMovement | Permission::ManageStock => {
                Role::Supervisor
            }
            Permission::VoidAfterTender
            | Permission::Refund
            | Permission::Reprint
            | Permission::NoSale
            | Permission::PriceOverride
            | Permission::ManageCatalog
            | Permission::CloseDay
            | Permission::TakeLane
            | Permission::EraseCustomer
            | Permission::Backup
            | Permission::Sync
            | Permission::Retention => Role::Manager,
        }
    }
}

/// A till user. The PIN is kept only as an argon2 hash string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: u32,
    pub name: String,
    pub role: Role,
    pub pin_hash: String,
    /// Wrong PINs in a row; reset by a right one.
    pub failed_attempts: u32,
    /// Set after too many wrong PINs; the lock lifts by itself, so nobody,
    /// not even the only admin, can be locked out for good by a guesser.
    pub locked_until: Option<chrono::DateTime<chrono::Utc>>,
    /// A user who left: kept for the journal's names, but cannot log in.
    pub disabled: bool,
}

/// A user as the manager's screen lists them: no PIN hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub locked: bool,
}
