//! The one request set a screen speaks, in this process or over the daemon's
//! socket: [`Ask`] is everything a logged-in session may ask, [`Answer`] what
//! comes back. A request that needs a session is an `Ask`, so it always names
//! one, and the gates (the engine's in [`super::Engine::ask`], the daemon's
//! ownership check in `ipc::server`) see every one of them before any handler
//! runs: a request added here cannot go around them.

use serde::{Deserialize, Serialize};

use super::office::{ExportFormat, SyncNow};
use super::spool::Spooled;
use super::{Command, EngineError, Event};
use crate::domain::customer::Customer;
use crate::domain::daily::DayRow;
use crate::domain::limits::{self, MAX_QUERY, TooLarge};
use crate::domain::product::Product;
use crate::domain::receipt::CompletedSale;
use crate::domain::sale::{HeldSale, Sale, Totals};
use crate::domain::stock::StockRow;
use crate::domain::takings::SalesReport;
use crate::domain::user::{Permission, UserSummary};
use crate::store::journal::JournalRecord;
use crate::store::retention::Removed;
use crate::store::settings::StoreSettings;

/// What a logged-in session asks. `AskKind` (its variants without their
/// data) lets a test try every one of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(name(AskKind), derive(strum::EnumIter))]
pub enum Ask {
    /// A change: the engine checks the command's own permission.
    Execute(Command),
    /// The lane's open cart with its figures.
    Cart,
    /// Products whose name, sku or code matches every word of `query`.
    Search { query: String, limit: u32 },
    /// Sales held on any lane, oldest first.
    Held,
    /// A completed receipt of this terminal, to show before refunding it.
    Receipt { receipt: u64 },
    /// The newest journal entries, newest first.
    Journal { limit: u32 },
    /// Stock per product; only what is at or below its reorder level if `low_only`.
    Stock { low_only: bool },
    /// Every user, without PIN hashes: who may log in, who is locked out.
    /// Seen by whoever sees reports; changed only with manage_users.
    Users,
    /// Sales of local days `from` to `to`, by hour, product, cashier, tender and tax.
    SalesReport {
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    },
    /// Customers matching every word of `query` (erased ones left out).
    Customers { query: String, limit: u32 },
    /// A backup of the whole store, spooled by the engine's process (see `spool`).
    Backup { with_keys: bool },
    /// An export of the whole store, spooled likewise.
    Export { format: ExportFormat },
    /// Up to `spool::CHUNK` bytes of a spooled file of this session's user.
    Fetch {
        handle: String,
        file: String,
        offset: u64,
    },
    /// Removes a spool entry once fetched.
    Release { handle: String },
    /// Completed sales and refunds by local day, `till report sales`.
    DailySales {
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    },
    /// Walks the journal's chain (`till journal verify`).
    VerifyJournal,
    /// What this terminal's enrolment request carries (`till sync request`).
    EnrollRequest,
    /// Has the daemon's sync worker send or fetch now; answered with a
    /// ticket at once (see `office::Office::sync_now`).
    SyncNow(SyncNow),
    /// What the sync worker did for a ticket, once it has.
    SyncOutcome { ticket: u64 },
    /// The daemon's devices and their status (`till doctor`).
    Devices,
    /// Removes (or, dry, counts) what the daemon's `[retention]` says is past its time.
    Retention { dry_run: bool },
}

impl Ask {
    /// The permission the asking session must hold before the engine looks
    /// at the request at all. `None`: an open session is enough (a command's
    /// permission depends on the command: the gate in `Engine::run` checks it
    /// from the command's row in `facts`).
    pub fn permission(&self) -> Option<Permission> {
        match self {
            Ask::Execute(_) | Ask::Cart | Ask::Search { .. } | Ask::Held | Ask::Receipt { .. } => {
                None
            }
            // Only the user who spooled an entry may touch it (see `spool`):
            // their permission was checked when it was made.
            Ask::Fetch { .. } | Ask::Release { .. } => None,
            Ask::Journal { .. } | Ask::VerifyJournal => Some(Permission::ViewJournal),
            Ask::Stock { .. }
            | Ask::SalesReport { .. }
            | Ask::DailySales { .. }
            | Ask::Devices
            | Ask::Users => Some(Permission::ViewReports),
            Ask::Customers { .. } => Some(Permission::ManageCustomers),
            Ask::Backup { .. } | Ask::Export { .. } => Some(Permission::Backup),
            Ask::EnrollRequest | Ask::SyncNow(_) | Ask::SyncOutcome { .. } => {
                Some(Permission::Sync)
            }
            Ask::Retention { .. } => Some(Permission::Retention),
        }
    }

    /// Whether what the request carries is within the bounds, checked at
    /// the gate with its permission. A command's own are checked where
    /// every command runs (`Command::check_bounds`, in `Engine::run`).
    pub fn check_bounds(&self) -> Result<(), TooLarge> {
        match self {
            Ask::Search { query, .. } | Ask::Customers { query, .. } => {
                limits::check("the search", query, MAX_QUERY)
            }
            Ask::Fetch { handle, file, .. } => limits::check("the spool handle", handle, MAX_QUERY)
                .and_then(|()| limits::check("the spooled file's name", file, MAX_QUERY)),
            Ask::Release { handle } => limits::check("the spool handle", handle, MAX_QUERY),
            Ask::Execute(_)
            | Ask::Cart
            | Ask::Held
            | Ask::Receipt { .. }
            | Ask::Journal { .. }
            | Ask::Stock { .. }
            | Ask::Users
            | Ask::SalesReport { .. }
            | Ask::Backup { .. }
            | Ask::Export { .. }
            | Ask::DailySales { .. }
            | Ask::VerifyJournal
            | Ask::EnrollRequest
            | Ask::SyncNow(_)
            | Ask::SyncOutcome { .. }
            | Ask::Devices
            | Ask::Retention { .. } => Ok(()),
        }
    }

    /// A short name for the journal and the log: what was asked, never its
    /// data (a query may hold a customer's name, a command a PIN).
    pub fn name(&self) -> &'static str {
        match self {
            Ask::Execute(_) => "execute",
            Ask::Cart => "cart",
            Ask::Search { .. } => "search",
            Ask::Held => "held",
            Ask::Receipt { .. } => "receipt",
            Ask::Journal { .. } => "journal",
            Ask::Stock { .. } => "stock",
            Ask::Users => "users",
            Ask::SalesReport { .. } => "sales_report",
            Ask::Customers { .. } => "customers",
            Ask::Backup { .. } => "backup",
            Ask::Export { .. } => "export",
            Ask::Fetch { .. } => "fetch",
            Ask::Release { .. } => "release",
            Ask::DailySales { .. } => "daily_sales",
            Ask::VerifyJournal => "verify_journal",
            Ask::EnrollRequest => "enroll_request",
            Ask::SyncNow(_) => "sync_now",
            Ask::SyncOutcome { .. } => "sync_outcome",
            Ask::Devices => "devices",
            Ask::Retention { .. } => "retention",
        }
    }
}

/// What the engine answers an [`Ask`], one variant per kind of answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Answer {
    Events(Vec<Event>),
    Cart(Option<Box<(Sale, Totals)>>),
    Products(Vec<Product>),
    Held(Vec<HeldSale>),
    Receipt(Box<CompletedSale>),
    Journal(Vec<JournalRecord>),
    Stock(Vec<StockRow>),
    Users(Vec<UserSummary>),
    SalesReport(Box<SalesReport>),
    Customers(Vec<Customer>),
    /// A backup or an export waiting in the spool.
    Spooled(Spooled),
    Chunk(Vec<u8>),
    Done,
    DailySales(Vec<DayRow>),
    /// The entries verified, or where the chain breaks.
    JournalVerified(Result<u64, String>),
    Settings(Box<StoreSettings>),
    SyncTicket(u64),
    /// The sync worker's words on what it did; `None` while it is at it.
    Synced(Option<String>),
    Devices(Vec<(String, String)>),
    Removed(Removed),
}

impl Answer {
    /// An answer of another kind than the request's: a daemon of another
    /// build, or a bug; never silently taken for an empty one.
    pub fn unexpected(self) -> EngineError {
        EngineError::Remote(format!("the till daemon answered oddly: {self:?}"))
    }
}
