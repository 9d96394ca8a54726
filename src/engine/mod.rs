//! The one place that changes a till's state.
//!
//! Commands come in with a session, are checked against the session's role
//! (or a manager's approval), applied to a copy of the lane's cart, and saved;
//! only then are events returned. A refused command changes nothing. Screens,
//! scripts and (later) socket clients all go through [`Engine::execute`], so no
//! client can decide a price, a total or a permission itself.
//!
//! This file holds the engine itself and its gates: what every command and
//! request passes (an open session, its bounds, the facts of its kind in
//! `facts`) before its handler runs. The handlers live by concern in the
//! files beside it; none of them checks what the gate already has.

pub mod api;
pub mod auth;
pub mod backup;
pub mod catalog;
pub mod command;
pub mod customers;
pub mod error;
pub mod event;
pub mod facts;
mod gram_filter;
pub mod lockout;
pub mod office;
pub mod policy;
pub mod request;
pub mod scan;
pub mod spool;

// The handlers, by concern: each adds to `impl Engine`.
mod cart;
mod payment;
mod print;
mod products;
mod refund;
pub mod reports;
mod sale;
mod session;
mod shift;
mod stock;
mod users;

use std::collections::HashMap;
use std::sync::mpsc::Sender;

use crate::domain::sale::{Sale, SaleKind};
use crate::domain::user::Permission;
use crate::store::Store;
use crate::store::carts::CartRead;
use crate::store::journal::JournalEvent;
use crate::store::outbox::SyncStatus;
use crate::store::print_queue::Printer;
use crate::store::settings::StoreSettings;
use catalog::CatalogIndex;
pub use command::{Approval, Command, CommandKind, ProductChange};
pub use error::EngineError;
pub use event::Event;
use facts::{Approves, CartUse};
pub use lockout::{MAX_FAILED_PINS, THIS_PROCESS, lockout};
pub use policy::Policy;
pub use products::HQ_ACTOR;
use request::{Answer, Ask};
pub use session::{Session, SessionId};

/// Lane 0: the back office, shared by any number of screens, where nothing is sold.
pub const BACK_OFFICE: u16 = 0;

pub struct Engine {
    store: Store,
    settings: StoreSettings,
    sessions: HashMap<SessionId, Session>,
    /// Wrong PINs per user and origin; a cell, as PINs are checked on the
    /// engine's read-only paths too (an approval inside `authorise`).
    lockouts: std::cell::RefCell<lockout::Lockouts>,
    /// Built on the first lookup, not at start: most sales never search.
    catalog: Option<CatalogIndex>,
    /// Head office's catalog inbox was found empty at this mark (see
    /// `Store::next_catalog`).
    inbox_checked: u64,
    /// The printer, if there is one: how to wake its worker, and whether a
    /// drawer hangs off it. Without one no print jobs are queued at all, so
    /// adding a printer later does not print the shop's whole history.
    printer: Option<(Sender<()>, Printer)>,
    policy: Policy,
    /// A disk failure that stopped the store (see
    /// `StoreError::stops_the_store`): the watchdog reports it.
    failure: Option<String>,
    /// The daemon's parts above the engine, if it runs in one (see `office`).
    office: Option<Box<dyn office::Office>>,
    spool: spool::Spool,
}

/// What the gate made of a command's approval, for its handler.
struct Grant {
    /// Who approved the permission the gate checked, for the journal.
    by: Option<String>,
    /// The approval for a permission only the handler can tell it needs
    /// (`Approves::Later`).
    later: Option<Approval>,
}

impl Engine {
    pub fn new(store: Store) -> Result<Engine, EngineError> {
        let settings = store.settings()?;
        Ok(Engine {
            store,
            settings,
            sessions: HashMap::new(),
            lockouts: Default::default(),
            catalog: None,
            inbox_checked: 0,
            printer: None,
            policy: Policy::default(),
            failure: None,
            office: None,
            spool: Default::default(),
        })
    }

    pub fn set_policy(&mut self, policy: Policy) {
        self.policy = policy;
    }

    /// Gives the engine the daemon's parts above it (see `office`).
    pub fn set_office(&mut self, office: Box<dyn office::Office>) {
        self.office = Some(office);
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn settings(&self) -> &StoreSettings {
        &self.settings
    }

    /// How sending to head office stands: what waits, since when, and the last error.
    pub fn sync_status(&self) -> Result<SyncStatus, EngineError> {
        Ok(self.store.outbox().status()?)
    }

    /// The gate every request of a session passes, in this process or from
    /// the daemon's socket, before any handler runs: the session must be
    /// open (not ended, not idle-locked), and hold the request's permission
    /// with no approval (a command's own is checked by the command gate,
    /// `run`, from the facts table).
    pub fn ask(&mut self, id: SessionId, ask: Ask) -> Result<Answer, EngineError> {
        let outcome = self.answer(id, ask);
        self.note_failure(outcome)
    }

    /// Journals a request the daemon refused because its connection did not
    /// hold the session it named (see `ipc::server`).
    pub fn journal_refusal(&mut self, peer: &str, asked: &str) -> Result<(), EngineError> {
        let event = JournalEvent::RequestRefused {
            peer: peer.to_string(),
            asked: asked.to_string(),
        };
        let outcome = self
            .store
            .append_journal(None, event)
            .map(drop)
            .map_err(EngineError::from);
        self.note_failure(outcome)
    }

    fn answer(&mut self, id: SessionId, ask: Ask) -> Result<Answer, EngineError> {
        let session = self.active(id)?;
        if let Some(permission) = ask.permission() {
            self.authorise(&session, permission, None)?;
        }
        ask.check_bounds()?;
        Ok(match ask {
            Ask::Execute(command) => Answer::Events(self.execute(id, command)?),
            Ask::Cart => Answer::Cart(self.cart_of(&session)?.map(Box::new)),
            Ask::Search { query, limit } => Answer::Products(self.search(&query, limit as usize)?),
            Ask::Held => Answer::Held(self.held()?),
            Ask::Receipt { receipt } => Answer::Receipt(Box::new(self.receipt(receipt)?)),
            // At most 1000: the journal viewer's page, not the whole journal.
            Ask::Journal { limit } => {
                Answer::Journal(self.store.journal_tail((limit as usize).min(1000))?)
            }
            Ask::Stock { low_only } => Answer::Stock(self.stock_rows(low_only)?),
            Ask::Users => Answer::Users(self.user_list()?),
            Ask::SalesReport { from, to } => {
                Answer::SalesReport(Box::new(self.sales_between(from, to)?))
            }
            Ask::Customers { query, limit } => {
                Answer::Customers(self.find_customers(&query, limit as usize)?)
            }
            Ask::Backup { with_keys } => Answer::Spooled(self.spool_backup(&session, with_keys)?),
            Ask::Export { format } => Answer::Spooled(self.spool_export(&session, format)?),
            Ask::Fetch {
                handle,
                file,
                offset,
            } => Answer::Chunk(self.spool_fetch(&session, &handle, &file, offset)?),
            Ask::Release { handle } => {
                self.spool_release(&session, &handle)?;
                Answer::Done
            }
            Ask::DailySales { from, to } => {
                Answer::DailySales(reports::sales_by_day(&self.store, from, to)?)
            }
            Ask::VerifyJournal => {
                Answer::JournalVerified(self.store.verify_journal().map_err(|e| e.to_string()))
            }
            Ask::EnrollRequest => Answer::Settings(Box::new(self.settings.clone())),
            Ask::SyncNow(what) => Answer::SyncTicket(
                self.office_mut()?
                    .sync_now(what)
                    .map_err(EngineError::Remote)?,
            ),
            Ask::SyncOutcome { ticket } => {
                let said = self.office_mut()?.sync_outcome(ticket);
                let said = said.transpose().map_err(EngineError::Remote)?;
                if said.is_some() {
                    // What head office sent is the till's prices from now on.
                    self.apply_catalog_updates();
                }
                Answer::Synced(said)
            }
            Ask::Devices => Answer::Devices(self.office()?.devices()),
            Ask::Retention { dry_run } => {
                let policy = self.office()?.retention();
                Answer::Removed(
                    self.store
                        .run_retention(policy, chrono::Utc::now(), dry_run)?,
                )
            }
        })
    }

    fn office(&self) -> Result<&dyn office::Office, EngineError> {
        self.office.as_deref().ok_or(EngineError::NoOffice)
    }

    fn office_mut(&mut self) -> Result<&mut dyn office::Office, EngineError> {
        match &mut self.office {
            Some(office) => Ok(office.as_mut()),
            None => Err(EngineError::NoOffice),
        }
    }

    /// Allows `permission` for the session's user, or for an approving user whose
    /// PIN checks out. Returns the approver's name when an approval was used.
    fn authorise(
        &self,
        session: &Session,
        permission: Permission,
        approval: Option<&Approval>,
    ) -> Result<Option<String>, EngineError> {
        if self.policy.permissions.may(session.role, permission) {
            return Ok(None);
        }
        let least = self.policy.permissions.least(permission);
        let approval = approval.ok_or(EngineError::NeedsApproval(permission, least))?;
        let approver = self.check_pin(&approval.user, &approval.pin, &session.origin)?;
        if !self.policy.permissions.may(approver.role, permission) {
            return Err(EngineError::ApprovalRefused(permission));
        }
        Ok(Some(approver.name))
    }

    pub fn execute(&mut self, id: SessionId, command: Command) -> Result<Vec<Event>, EngineError> {
        let outcome = self.run(id, command);
        self.note_failure(outcome)
    }

    /// Keeps a disk failure that stopped the store (see `failure`), from
    /// whichever of the engine's ways in met it.
    fn note_failure<T>(&mut self, outcome: Result<T, EngineError>) -> Result<T, EngineError> {
        if let Err(EngineError::Store(e)) = &outcome
            && e.stops_the_store()
            && self.failure.is_none()
        {
            tracing::error!(error = %e, "the store stopped after a disk failure; restart the till once the disk is mended");
            self.failure = Some(e.to_string());
        }
        outcome
    }

    /// The disk failure that stopped the store, if one did: nothing more
    /// can be saved until the till restarts.
    pub fn failure(&self) -> Option<&str> {
        self.failure.as_deref()
    }

    /// The gate every command passes, by the facts of its kind: an open
    /// session, bounds, head office's catalog first, the cart it needs, the
    /// back office, a refund approved for someone else, what no approval
    /// could make right, and its permission (with its approval where that
    /// stands in); then its handler.
    fn run(&mut self, id: SessionId, mut command: Command) -> Result<Vec<Event>, EngineError> {
        let session = self.active(id)?;
        command.check_bounds()?;
        self.apply_catalog_updates();
        let facts = command.kind().facts();
        let sale = match (facts.cart, self.lane_cart(&session, CartRead::Change)?) {
            (CartUse::Needed, None) => return Err(EngineError::NoCart),
            (_, cart) => cart.unwrap_or_else(|| Sale::new(SaleKind::Sale)),
        };
        if session.lane == BACK_OFFICE && !facts.in_back_office() {
            return Err(EngineError::BackOffice);
        }
        if facts.continues_refund {
            self.check_refund_owner(&session, &sale)?;
        }
        self.check_before_approval(&command, &sale)?;
        let approval = command.take_approval();
        let (at_gate, later) = match facts.approval {
            Some(Approves::Permission) => (approval, None),
            Some(Approves::Later(_)) | None => (None, approval),
        };
        let by = match facts.permission {
            Some(permission) => self.authorise(&session, permission, at_gate.as_ref())?,
            None => None,
        };
        self.dispatch(id, &session, command, sale, Grant { by, later })
    }

    /// Hands a command that passed the gate to its handler: a table.
    fn dispatch(
        &mut self,
        id: SessionId,
        session: &Session,
        command: Command,
        sale: Sale,
        grant: Grant,
    ) -> Result<Vec<Event>, EngineError> {
        let s = session;
        let later = grant.later.as_ref();
        match command {
            Command::Scan { code, quantity } => self.scan(s, sale, &code, quantity),
            Command::AddSku { sku, quantity } => self.add_sku(s, sale, &sku, quantity),
            Command::SetQuantity { line, quantity } => self.set_quantity(s, sale, line, quantity),
            Command::VoidLine { line } => self.void_line(s, sale, line),
            Command::LineDiscount { line, discount, .. } => {
                self.line_discount(s, sale, line, discount, later)
            }
            Command::SaleDiscount { discount, .. } => self.sale_discount(s, sale, discount, later),
            Command::OverridePrice { line, price, .. } => {
                self.override_price(s, sale, line, price, grant.by)
            }
            Command::Tender { kind, amount } => self.tender(s, sale, kind, amount),
            Command::VoidSale { .. } => self.void_sale(s, sale, later),
            Command::StartRefund { receipt, .. } => self.start_refund(s, sale, receipt, later),
            Command::RefundLine { line, quantity } => self.refund_line(s, sale, line, quantity),
            Command::Hold => self.hold(s, sale),
            Command::Recall { id } => self.recall(s, sale, id),
            Command::Reprint { receipt, .. } => self.reprint(s, receipt, later),
            Command::SetPrice { sku, price } => self.set_price(s, sku, price),
            Command::EditProduct { sku, change } => self.edit_product(s, sku, change),
            Command::AddUser { name, role, pin } => self.add_user(s, &name, role, &pin),
            Command::ResetPin { user, pin } => self.reset_pin(s, user, &pin),
            Command::SetUserDisabled { user, disabled } => {
                self.set_user_disabled(s, user, disabled)
            }
            Command::AdjustStock { sku, delta, reason } => self.adjust_stock(s, sku, delta, reason),
            Command::ReceiveDelivery { reference, lines } => {
                self.receive_delivery(s, reference, lines)
            }
            Command::SetReorderLevel { sku, level } => self.set_reorder_level(s, sku, level),
            Command::OpenShift { float } => self.open_shift(s, float),
            Command::CashMovement { amount, reason, .. } => {
                self.move_cash(s, amount, reason, grant.by)
            }
            Command::CloseShift { counted } => self.close_shift(s, counted),
            Command::XReport { .. } => self.x_report(s, grant.by),
            Command::ZReport {
                despite_open_sales, ..
            } => self.z_report(s, grant.by, despite_open_sales),
            Command::NoSale { .. } => self.no_sale(s, grant.by),
            Command::AddCustomer { contact, consent } => self.add_customer(s, contact, consent),
            Command::CorrectCustomer {
                id,
                contact,
                consent,
            } => self.correct_customer(s, id, contact, consent),
            Command::EraseCustomer { id, .. } => self.erase_customer(s, id, grant.by),
            Command::AttachCustomer { id } => self.attach_customer(s, sale, id),
            Command::Logout => self.logout(id, s, sale),
        }
    }
}
