//! The one place that changes a till's state.
//!
//! Commands come in with a session, are checked against the session's role
//! (or a manager's approval), applied to a copy of the lane's cart, and saved;
//! only then are events returned. A refused command changes nothing. Screens,
//! scripts and (later) socket clients all go through [`Engine::execute`], so no
//! client can decide a price, a total or a permission itself.

pub mod api;
pub mod auth;
pub mod backup;
pub mod catalog;
pub mod command;
pub mod customers;
pub mod error;
pub mod event;
pub mod lockout;
pub mod request;
pub mod scan;

use std::collections::HashMap;

use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::domain::receipt::CompletedSale;
use crate::domain::refund::refund_line;
use rust_decimal::Decimal;

use crate::domain::barcode::{self, Scanned};
use crate::domain::discount::Discount;
use crate::domain::limits;
use crate::domain::money::Money;
use crate::domain::permissions::PermissionTable;
use crate::domain::product::Product;
use crate::domain::sale::{HeldSale, ReceiptNo, Sale, SaleKind, SaleState, Totals};
use crate::domain::shift::{CashMovement, Shift, ShiftClose};
use crate::domain::stock::{StockLevel, StockRow};
use crate::domain::takings::{DayReport, SalesReport, Takings};
use crate::domain::user::{Permission, Role, User, UserSummary};
use std::sync::mpsc::Sender;

use crate::store::journal::JournalEvent;
use crate::store::outbox::SyncStatus;
use crate::store::print_queue::{JobKind, PrintJob, Printer};
use crate::store::settings::StoreSettings;
use crate::store::{Store, StoreError, keys};
use catalog::CatalogIndex;
pub use command::{Approval, Command, ProductChange};
pub use error::EngineError;
pub use event::Event;
use request::{Answer, Ask};

/// A price as a till may set it: not negative, in the currency's cents, and
/// far below the amounts that would overflow a sum.
fn check_price(price: Money, currency: &crate::domain::money::Currency) -> Result<(), EngineError> {
    let ok = !price.is_negative()
        && price.amount() <= Decimal::from(1_000_000_000u64)
        && price.amount().normalize().scale() <= currency.minor_units;
    if ok {
        Ok(())
    } else {
        Err(EngineError::BadPrice(price))
    }
}

/// Who the journal says changed the catalog when head office's change set is applied.
pub const HQ_ACTOR: &str = "head-office";

/// Lane 0: the back office, shared by any number of screens, where nothing is sold.
pub const BACK_OFFICE: u16 = 0;

pub use lockout::{MAX_FAILED_PINS, THIS_PROCESS, lockout};

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

/// The shop's rules for people, from till.toml: who may do what, and how long
/// a session may sit idle before it locks.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub permissions: PermissionTable,
    pub idle_lock: Option<chrono::TimeDelta>,
}

pub struct Engine {
    store: Store,
    settings: StoreSettings,
    sessions: HashMap<SessionId, Session>,
    /// Wrong PINs per user and origin; a cell, as PINs are checked on the
    /// engine's read-only paths too (an approval inside `authorise`).
    lockouts: std::cell::RefCell<lockout::Lockouts>,
    /// Built on the first lookup, not at start: most sales never search.
    catalog: Option<CatalogIndex>,
    /// The printer, if there is one: how to wake its worker, and whether a
    /// drawer hangs off it. Without one no print jobs are queued at all, so
    /// adding a printer later does not print the shop's whole history.
    printer: Option<(Sender<()>, Printer)>,
    policy: Policy,
    /// A disk failure that stopped the store (see
    /// `StoreError::stops_the_store`): the watchdog reports it.
    failure: Option<String>,
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
            printer: None,
            policy: Policy::default(),
            failure: None,
        })
    }

    pub fn set_policy(&mut self, policy: Policy) {
        self.policy = policy;
    }

    /// The session, if it is still open: one left idle past the policy's limit
    /// is locked (ended, and journaled); the lane's sale stays for the next login.
    fn active(&mut self, id: SessionId) -> Result<Session, EngineError> {
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

    /// Prints from now on: `wake` tells the printer worker a job was queued.
    pub fn attach_printer(&mut self, wake: Sender<()>, drawer: bool) {
        self.printer = Some((wake, Printer { drawer }));
    }

    fn wake_printer(&self) {
        if let Some((wake, _)) = &self.printer {
            // A worker that has stopped will find the job at its next start.
            let _ = wake.send(());
        }
    }

    /// Queues a print job with the journal entry that explains it, and wakes
    /// the printer.
    fn queue_print(
        &self,
        session: &Session,
        kind: JobKind,
        kick: bool,
        event: JournalEvent,
    ) -> Result<(), EngineError> {
        let job = PrintJob {
            kind,
            kick,
            queued_at: Utc::now(),
            attempts: 0,
        };
        self.store.queue_job_journaled(&job, &session.user, event)?;
        self.wake_printer();
        Ok(())
    }

    fn printer(&self) -> Result<Printer, EngineError> {
        self.printer
            .as_ref()
            .map(|(_, p)| *p)
            .ok_or(EngineError::NoPrinter)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn settings(&self) -> &StoreSettings {
        &self.settings
    }

    pub fn session(&self, id: SessionId) -> Option<&Session> {
        self.sessions.get(&id)
    }

    /// Checks a user's PIN from `origin`, counting failures there towards a
    /// lockout there (see `lockout`), and journaling failures and locks.
    fn check_pin(&self, name: &str, pin: &str, origin: &str) -> Result<User, EngineError> {
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
            let locked = self.lockouts.borrow_mut().failed(&user.name, origin, now);
            if let Some(until) = locked {
                tracing::warn!(user = %user.name, origin, %until, "wrong PINs: locked out from there");
                self.store.append_journal(
                    None,
                    JournalEvent::LockedOut {
                        user: user.name.clone(),
                        origin: origin.to_string(),
                        until,
                    },
                )?;
            }
            return Err(EngineError::BadLogin);
        }
        self.lockouts.borrow_mut().cleared(&user.name, origin);
        Ok(user)
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

    /// The lane's open cart with its figures, if there is one.
    pub fn cart(&mut self, session: SessionId) -> Result<Option<(Sale, Totals)>, EngineError> {
        let session = self.active(session)?;
        self.cart_of(&session)
    }

    fn cart_of(&mut self, session: &Session) -> Result<Option<(Sale, Totals)>, EngineError> {
        match self.lane_cart(session)? {
            Some(sale) => {
                let totals = sale.totals(&self.settings.rules)?;
                Ok(Some((sale, totals)))
            }
            None => Ok(None),
        }
    }

    /// The lane's stored cart, if it is within bounds. One past them (stored
    /// before the bounds existed) would make every answer that carries it
    /// larger than a frame, and the lane unusable: it is parked as a held
    /// sale instead, and the refusal says so; the next request finds the
    /// lane free.
    fn lane_cart(&mut self, session: &Session) -> Result<Option<Sale>, EngineError> {
        let Some(sale) = self.store.cart(session.lane)? else {
            return Ok(None);
        };
        match sale.check_bounds() {
            Ok(()) => Ok(Some(sale)),
            Err(why) => Err(self.park(session, sale, why)),
        }
    }

    /// Puts an oversized sale aside as held; the error to answer with.
    fn park(&mut self, session: &Session, sale: Sale, why: limits::TooLarge) -> EngineError {
        tracing::warn!(lane = session.lane, %why, "parked an oversized cart");
        let total = sale
            .totals(&self.settings.rules)
            .map(|t| t.total)
            .unwrap_or_default();
        let held = HeldSale {
            id: 0,
            held_at: Utc::now(),
            held_by: session.user.clone(),
            total,
            sale,
        };
        match self.store.hold_cart(session.lane, &held) {
            Ok(held) => EngineError::CartTooLarge { held, why },
            Err(e) => e.into(),
        }
    }

    /// Products whose name, sku or code matches every word of `query`.
    pub fn search(&mut self, query: &str, limit: usize) -> Result<Vec<Product>, EngineError> {
        self.apply_catalog_updates();
        if self.catalog.is_none() {
            self.catalog = Some(CatalogIndex::build(&self.store)?);
        }
        let skus = self
            .catalog
            .as_ref()
            .map(|c| c.search(query, limit))
            .unwrap_or_default();
        Ok(catalog::products(&self.store, &skus)?)
    }

    /// Sales held on any lane, oldest first.
    ///
    /// As many as one answer carries (`limits::MAX_ANSWER` bytes; the rest
    /// are listed once some are recalled). One past the bounds (parked from
    /// an older version, see `lane_cart`) is left out: it stays in the store
    /// and in every export, but listing it would make the answer too large
    /// for a frame.
    pub fn held(&self) -> Result<Vec<HeldSale>, EngineError> {
        let mut out = Vec::new();
        let mut bytes = 0usize;
        for held in self.store.held_sales() {
            let held = held?;
            if held.sale.check_bounds().is_err() {
                continue;
            }
            let size = bincode::serde::encode_to_vec(&held, bincode::config::standard())
                .map_or(usize::MAX, |v| v.len());
            bytes = bytes.saturating_add(size);
            if bytes > limits::MAX_ANSWER {
                break;
            }
            out.push(held);
        }
        Ok(out)
    }

    /// A completed receipt of this terminal, to show before refunding it.
    pub fn receipt(&self, receipt: u64) -> Result<CompletedSale, EngineError> {
        self.store
            .sale(ReceiptNo(receipt))?
            .ok_or(EngineError::NoSuchReceipt(receipt))
    }

    /// The gate every request of a session passes, in this process or from
    /// the daemon's socket, before any handler runs: the session must be
    /// open (not ended, not idle-locked), and hold the request's permission
    /// with no approval (a command's own is checked where it runs).
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
            Ask::Backup { with_keys } => Answer::Backup(self.write_backup(&session, with_keys)?),
        })
    }

    /// How sending to head office stands: what waits, since when, and the last error.
    pub fn sync_status(&self) -> Result<SyncStatus, EngineError> {
        Ok(self.store.outbox().status()?)
    }

    /// Applies the head-office catalog change sets the sync worker has left,
    /// oldest first, each journaled as head office's act, before the command
    /// that follows. One this till cannot take (a tax category it does not
    /// have, a price in the wrong cents, a code another product holds) is
    /// refused whole, journaled with the reason, not asked for again, and
    /// shown on the sync status. A failure here never fails the cashier's
    /// command: the change set waits, and the log says why.
    fn apply_catalog_updates(&mut self) {
        if let Err(e) = self.try_apply_catalog_updates() {
            tracing::error!(error = %e, "cannot apply head office's catalog; it waits");
        }
    }

    fn try_apply_catalog_updates(&mut self) -> Result<(), EngineError> {
        let outbox = self.store.outbox();
        while let Some((version, products)) = outbox.next_catalog()? {
            match self.check_catalog(&products)? {
                Ok(()) => {
                    let event = JournalEvent::CatalogApplied {
                        version,
                        count: products.len(),
                        digest: crate::store::journal::digest(&products)?,
                    };
                    self.store.put_products_journaled(
                        &products,
                        Some(HQ_ACTOR),
                        event,
                        Some(version),
                    )?;
                }
                Err(reason) => {
                    tracing::warn!(version, %reason, "refused a head-office catalog change set");
                    self.store.refuse_catalog(version, HQ_ACTOR, reason)?;
                }
            }
            self.catalog = None;
        }
        Ok(())
    }

    /// Whether this till can take the change set (the outer error is the
    /// store's trouble, which must not refuse it for good).
    fn check_catalog(&self, products: &[Product]) -> Result<Result<(), String>, StoreError> {
        let rules = &self.settings.rules;
        let in_set: std::collections::HashSet<&str> =
            products.iter().map(|p| p.sku.as_str()).collect();
        for p in products {
            let codes = p.barcodes.iter().map(|c| (c, keys::barcode(c)));
            for (code, key) in codes.chain(p.plu.iter().map(|c| (c, keys::plu(c)))) {
                if let Some(other) = self.store.product_by_key(&key)?
                    && other.sku != p.sku
                    && !in_set.contains(other.sku.as_str())
                {
                    return Ok(Err(format!(
                        "{}: code {code} belongs to product {} on this till",
                        p.sku, other.sku
                    )));
                }
            }
            if p.sku.trim().is_empty() || p.name.trim().is_empty() {
                return Ok(Err(format!("product '{}' has no sku or no name", p.sku)));
            }
            if let Err(e) = p.check_bounds() {
                // The sku itself may be what is too long: show only its start.
                let sku: String = p.sku.chars().take(limits::MAX_SKU).collect();
                return Ok(Err(format!("{sku}: {e}")));
            }
            if let Err(e) = check_price(p.price, &rules.currency) {
                return Ok(Err(format!("{}: {e}", p.sku)));
            }
            if rules.tax_category(&p.tax_code).is_none() {
                return Ok(Err(format!(
                    "{}: tax category '{}' is not configured on this till",
                    p.sku, p.tax_code
                )));
            }
        }
        Ok(Ok(()))
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
        let approval = approval.ok_or(EngineError::NeedsApproval(permission))?;
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

    fn run(&mut self, id: SessionId, command: Command) -> Result<Vec<Event>, EngineError> {
        let session = self.active(id)?;
        command.check_bounds()?;
        self.apply_catalog_updates();
        let cart = self.lane_cart(&session)?;
        let rules = &self.settings.rules;
        let mut sale = match (&command, cart) {
            (
                Command::Logout
                | Command::OpenShift { .. }
                | Command::AdjustStock { .. }
                | Command::AddUser { .. }
                | Command::AddCustomer { .. }
                | Command::CorrectCustomer { .. }
                | Command::EraseCustomer { .. }
                | Command::AttachCustomer { .. }
                | Command::EditProduct { .. }
                | Command::ResetPin { .. }
                | Command::SetUserDisabled { .. }
                | Command::ReceiveDelivery { .. }
                | Command::SetReorderLevel { .. }
                | Command::CashMovement { .. }
                | Command::CloseShift { .. }
                | Command::XReport
                | Command::ZReport { .. }
                | Command::SetPrice { .. }
                | Command::StartRefund { .. }
                | Command::Recall { .. }
                | Command::Reprint { .. }
                | Command::NoSale { .. },
                cart,
            ) => cart.unwrap_or_else(|| Sale::new(SaleKind::Sale)),
            (Command::Scan { .. } | Command::AddSku { .. }, None) => Sale::new(SaleKind::Sale),
            (_, Some(cart)) => cart,
            (_, None) => return Err(EngineError::NoCart),
        };
        // The back office (lane 0) is shared by every manager's screen: a sale
        // there would be everyone's cart at once, so none is started there.
        if session.lane == BACK_OFFICE
            && matches!(
                command,
                Command::Scan { .. }
                    | Command::AddSku { .. }
                    | Command::StartRefund { .. }
                    | Command::Recall { .. }
                    | Command::AttachCustomer { .. }
            )
        {
            return Err(EngineError::BackOffice);
        }
        // An approved refund is the approver's word for the cashier it was given
        // to; anyone else who finds it on the lane needs their own approval.
        if sale.is_refund()
            && matches!(command, Command::RefundLine { .. } | Command::Tender { .. })
            && sale.opened_by.as_deref() != Some(session.user.as_str())
        {
            self.authorise(&session, Permission::Refund, None)?;
        }
        match command {
            Command::Scan { code, quantity } => {
                self.authorise(&session, Permission::Sell, None)?;
                let line = scan::line_for(&self.store, &self.settings, &code, quantity)?;
                sale.add_line(line)?;
            }
            Command::AddSku { sku, quantity } => {
                self.authorise(&session, Permission::Sell, None)?;
                sale.add_line(scan::line_for_sku(&self.store, &sku, quantity)?)?;
            }
            Command::SetQuantity { line, quantity } => {
                self.authorise(&session, Permission::Sell, None)?;
                sale.set_quantity(line, quantity)?;
            }
            Command::VoidLine { line } => {
                self.authorise(&session, Permission::VoidLine, None)?;
                let before = sale.totals(rules)?;
                sale.void_line(line)?;
                let voided = &sale.lines[line];
                let amount = before
                    .lines
                    .iter()
                    .find(|t| t.line == line)
                    .map(|t| t.split.gross)
                    .unwrap_or_default();
                let event = JournalEvent::LineVoided {
                    sku: voided.sku.clone(),
                    quantity: voided.quantity,
                    amount,
                };
                self.store
                    .put_cart_journaled(session.lane, Some(&sale), &session.user, event)?;
                let totals = sale.totals(rules)?;
                return Ok(vec![Event::Cart {
                    sale: Box::new(sale),
                    totals: Box::new(totals),
                }]);
            }
            Command::LineDiscount {
                line,
                discount,
                approval,
            } => {
                self.authorise(&session, Permission::Discount, None)?;
                sale.set_line_discount(line, discount)?;
                let t = sale.totals(rules)?;
                let of = t
                    .lines
                    .iter()
                    .find(|t| t.line == line)
                    .map(|t| t.before_discount)
                    .unwrap_or_default();
                return self.discounted(&session, sale, discount, of, approval.as_ref());
            }
            Command::SaleDiscount { discount, approval } => {
                self.authorise(&session, Permission::Discount, None)?;
                sale.set_sale_discount(discount)?;
                let t = sale.totals(rules)?;
                let of = t
                    .lines
                    .iter()
                    .map(|t| t.before_discount - t.line_discount)
                    .sum();
                return self.discounted(&session, sale, discount, of, approval.as_ref());
            }
            Command::Tender { kind, amount } => {
                self.authorise(&session, Permission::Sell, None)?;
                let amount = match amount {
                    Some(a) => a,
                    None => sale.due(kind, rules)?,
                };
                sale.tender(kind, amount, rules)?;
                if sale.state == SaleState::Completed {
                    return self.complete(&session, sale);
                }
            }
            Command::VoidSale { approval } => {
                let needed = if sale.tenders.is_empty() {
                    Permission::VoidLine
                } else {
                    Permission::VoidAfterTender
                };
                let approved_by = self.authorise(&session, needed, approval.as_ref())?;
                let total = sale.totals(rules)?.total;
                let lines = sale.lines.len();
                sale.void()?;
                let tendered = sale.tenders.clone();
                let event = JournalEvent::SaleVoided {
                    lines,
                    total,
                    tendered,
                    approved_by,
                };
                self.store
                    .put_cart_journaled(session.lane, None, &session.user, event)?;
                return Ok(vec![Event::Voided]);
            }
            Command::StartRefund { receipt, approval } => {
                if !sale.lines.is_empty() {
                    return Err(EngineError::CartOpen);
                }
                // The receipt first: a manager is not fetched for a typo.
                let original = self
                    .store
                    .sale(ReceiptNo(receipt))?
                    .ok_or(EngineError::NoSuchReceipt(receipt))?;
                if original.sale.is_refund() {
                    return Err(EngineError::RefundOfRefund(receipt));
                }
                let approved_by =
                    self.authorise(&session, Permission::Refund, approval.as_ref())?;
                sale = Sale::new(SaleKind::Refund {
                    original: original.receipt,
                });
                sale.approved_by = approved_by;
                sale.opened_by = Some(session.user.clone());
            }
            Command::RefundLine { line, quantity } => {
                let SaleKind::Refund { original } = sale.kind else {
                    return Err(crate::domain::sale::SaleError::NotOnRefund.into());
                };
                let original = self
                    .store
                    .sale(original)?
                    .ok_or(EngineError::NoSuchReceipt(original.0))?;
                let tally = self.store.refund_tally(&original)?;
                let line = refund_line(&original, &tally, &sale, line, quantity, rules)?;
                sale.add_line(line)?;
            }
            Command::Hold => {
                self.authorise(&session, Permission::Sell, None)?;
                if !sale.tenders.is_empty() {
                    return Err(EngineError::HoldAfterTender);
                }
                let total = sale.totals(rules)?.total;
                let held = HeldSale {
                    id: 0,
                    held_at: Utc::now(),
                    held_by: session.user.clone(),
                    total,
                    sale,
                };
                let id = self.store.hold_cart(session.lane, &held)?;
                return Ok(vec![Event::Held { id }]);
            }
            Command::Recall { id } => {
                self.authorise(&session, Permission::Sell, None)?;
                if !sale.lines.is_empty() {
                    return Err(EngineError::CartOpen);
                }
                let held = self
                    .store
                    .recall(session.lane, id)?
                    .ok_or(EngineError::NoSuchHeld(id))?;
                if let Err(why) = held.sale.check_bounds() {
                    return Err(self.park(&session, held.sale, why));
                }
                sale = held.sale;
                let totals = sale.totals(rules)?;
                return Ok(vec![Event::Cart {
                    sale: Box::new(sale),
                    totals: Box::new(totals),
                }]);
            }
            Command::Reprint { receipt, approval } => {
                self.printer()?;
                let last = self.store.last_receipt()?;
                let target = match receipt {
                    Some(n) => ReceiptNo(n),
                    None => last.ok_or(EngineError::NoSuchReceipt(0))?,
                };
                let sale = self
                    .store
                    .sale(target)?
                    .ok_or(EngineError::NoSuchReceipt(target.0))?;
                let approved_by = if Some(target) == last {
                    None
                } else {
                    self.authorise(&session, Permission::Reprint, approval.as_ref())?
                };
                let hash = self.store.receipt_hash(target)?.ok_or_else(|| {
                    StoreError::corrupt("journal", format!("no entry for receipt {}", target.0))
                })?;
                let kind = JobKind::Receipt {
                    receipt: target,
                    hash,
                    duplicate: true,
                };
                self.queue_print(
                    &session,
                    kind,
                    false,
                    JournalEvent::Reprinted {
                        receipt: target,
                        approved_by,
                    },
                )?;
                return Ok(vec![Event::Reprinted {
                    receipt: sale.receipt_label(),
                }]);
            }
            Command::NoSale { approval } => {
                let approved_by =
                    self.authorise(&session, Permission::NoSale, approval.as_ref())?;
                if !self.printer()?.drawer {
                    return Err(EngineError::NoDrawer);
                }
                let event = JournalEvent::DrawerOpened {
                    receipt: None,
                    approved_by,
                };
                self.queue_print(&session, JobKind::DrawerOnly, true, event)?;
                return Ok(vec![Event::DrawerOpened]);
            }
            Command::SetPrice { sku, price } => {
                self.authorise(&session, Permission::ManageCatalog, None)?;
                let mut product = self
                    .store
                    .product(&sku)?
                    .ok_or_else(|| EngineError::UnknownCode(sku.clone()))?;
                check_price(price, &self.settings.rules.currency)?;
                let event = JournalEvent::PriceChanged {
                    sku,
                    old: product.price,
                    new: price,
                };
                product.price = price;
                self.store
                    .put_products_journaled(&[product], Some(&session.user), event, None)?;
                return Ok(Vec::new());
            }
            Command::OverridePrice {
                line,
                price,
                approval,
            } => {
                let approved_by =
                    self.authorise(&session, Permission::PriceOverride, approval.as_ref())?;
                check_price(price, &self.settings.rules.currency)?;
                let old = sale.override_price(line, price)?;
                let sku = sale.lines[line].sku.clone();
                let event = JournalEvent::PriceOverridden {
                    sku,
                    old,
                    new: price,
                    approved_by,
                };
                self.store
                    .put_cart_journaled(session.lane, Some(&sale), &session.user, event)?;
                let totals = sale.totals(rules)?;
                return Ok(vec![Event::Cart {
                    sale: Box::new(sale),
                    totals: Box::new(totals),
                }]);
            }
            Command::AdjustStock { sku, delta, reason } => {
                self.authorise(&session, Permission::ManageStock, None)?;
                if reason.trim().is_empty() {
                    return Err(EngineError::NoReason);
                }
                let event = JournalEvent::StockAdjusted {
                    sku: sku.clone(),
                    delta,
                    reason,
                };
                return self.change_stock(&session, &[(sku, delta)], event, |l, d| l.on_hand += d);
            }
            Command::ReceiveDelivery { reference, lines } => {
                self.authorise(&session, Permission::ManageStock, None)?;
                if lines.iter().any(|(_, q)| *q <= Decimal::ZERO) {
                    return Err(EngineError::BadQuantity);
                }
                // One line per product, however the delivery note lists them.
                let mut merged: Vec<(String, Decimal)> = Vec::new();
                for (sku, qty) in lines {
                    match merged.iter_mut().find(|(s, _)| *s == sku) {
                        Some((_, q)) => *q += qty,
                        None => merged.push((sku, qty)),
                    }
                }
                let event = JournalEvent::StockReceived {
                    reference,
                    lines: merged.clone(),
                };
                return self.change_stock(&session, &merged, event, |l, q| l.on_hand += q);
            }
            Command::SetReorderLevel { sku, level } => {
                self.authorise(&session, Permission::ManageStock, None)?;
                let event = JournalEvent::ReorderLevelSet {
                    sku: sku.clone(),
                    level,
                };
                return self
                    .change_stock(&session, &[(sku, level)], event, |l, v| l.reorder_level = v);
            }
            Command::EditProduct { sku, change } => {
                self.authorise(&session, Permission::ManageCatalog, None)?;
                let mut product = self
                    .store
                    .product(&sku)?
                    .ok_or_else(|| EngineError::UnknownCode(sku.clone()))?;
                let old = format!(
                    "tax {} codes {}",
                    product.tax_code,
                    product.barcodes.join(";")
                );
                match change {
                    ProductChange::TaxCategory(code) => {
                        if self.settings.rules.tax_category(&code).is_none() {
                            return Err(
                                crate::domain::sale::SaleError::UnknownTaxCategory(code).into()
                            );
                        }
                        product.tax_code = code;
                    }
                    ProductChange::AddBarcode(code) => {
                        // Stored as a scan finds it: validated and normalised.
                        let key = match barcode::parse(&code, &self.settings.measure_layout)? {
                            Scanned::Item { keys, .. } => {
                                keys.into_iter().next().unwrap_or_default()
                            }
                            Scanned::Measured { key, .. } => key,
                            Scanned::Plu(_) => return Err(EngineError::UnknownCode(code)),
                        };
                        if let Some(other) = self
                            .store
                            .product_by_key(&crate::store::keys::barcode(&key))?
                        {
                            return Err(EngineError::CodeTaken {
                                code: key,
                                sku: other.sku,
                            });
                        }
                        product.barcodes.push(key);
                    }
                    ProductChange::RemoveBarcode(code) => product.barcodes.retain(|c| *c != code),
                }
                let new = format!(
                    "tax {} codes {}",
                    product.tax_code,
                    product.barcodes.join(";")
                );
                let event = JournalEvent::ProductChanged { sku, old, new };
                self.store
                    .put_products_journaled(&[product], Some(&session.user), event, None)?;
                self.catalog = None;
                return Ok(Vec::new());
            }
            Command::AddCustomer { contact, consent } => {
                return self.add_customer(&session, contact, consent);
            }
            Command::CorrectCustomer {
                id,
                contact,
                consent,
            } => return self.correct_customer(&session, id, contact, consent),
            Command::EraseCustomer { id, approval } => {
                return self.erase_customer(&session, id, approval);
            }
            Command::AttachCustomer { id } => {
                self.authorise(&session, Permission::ManageCustomers, None)?;
                if let Some(id) = id {
                    self.live_customer(id)?;
                }
                sale.customer = id;
            }
            Command::AddUser { name, role, pin } => {
                self.authorise(&session, Permission::ManageUsers, None)?;
                let name = name.trim().to_string();
                if name.is_empty() || self.store.user(&name)?.is_some() {
                    return Err(EngineError::BadUser(name));
                }
                // Nobody makes or manages a user above their own role.
                if role > session.role {
                    return Err(EngineError::ApprovalRefused(Permission::ManageUsers));
                }
                let pin_hash =
                    auth::hash_pin(&pin).map_err(|e| EngineError::BadPin(e.to_string()))?;
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
                return Ok(Vec::new());
            }
            Command::ResetPin { user, pin } => {
                self.authorise(&session, Permission::ManageUsers, None)?;
                let mut found = self
                    .store
                    .user(&user)?
                    .ok_or_else(|| EngineError::BadUser(user.clone()))?;
                if found.role > session.role {
                    return Err(EngineError::ApprovalRefused(Permission::ManageUsers));
                }
                found.pin_hash =
                    auth::hash_pin(&pin).map_err(|e| EngineError::BadPin(e.to_string()))?;
                found.failed_attempts = 0;
                found.locked_until = None;
                self.store.put_user_journaled(
                    &found,
                    &session.user,
                    JournalEvent::PinReset { user },
                )?;
                self.lockouts.borrow_mut().forgive(&found.name);
                return Ok(Vec::new());
            }
            Command::SetUserDisabled { user, disabled } => {
                self.authorise(&session, Permission::ManageUsers, None)?;
                if user == session.user {
                    return Err(EngineError::BadUser(user));
                }
                let mut found = self
                    .store
                    .user(&user)?
                    .ok_or_else(|| EngineError::BadUser(user.clone()))?;
                if found.role > session.role {
                    return Err(EngineError::ApprovalRefused(Permission::ManageUsers));
                }
                found.disabled = disabled;
                self.sessions.retain(|_, s| !(disabled && s.user == user));
                let event = JournalEvent::UserDisabled { user, disabled };
                self.store
                    .put_user_journaled(&found, &session.user, event)?;
                return Ok(Vec::new());
            }
            Command::OpenShift { float } => return self.open_shift(&session, float),
            Command::CashMovement {
                amount,
                reason,
                approval,
            } => {
                return self.move_cash(&session, amount, reason, approval.as_ref());
            }
            Command::CloseShift { counted } => return self.close_shift(&session, counted),
            Command::XReport => {
                return Ok(vec![Event::Report(Box::new(
                    self.day_report(&session, None)?,
                ))]);
            }
            Command::ZReport { approval } => {
                let approved_by =
                    self.authorise(&session, Permission::CloseDay, approval.as_ref())?;
                let number = self.store.z_state()?.number + 1;
                let report = self.day_report(&session, Some(number))?;
                let event = JournalEvent::ZReport {
                    number,
                    to_receipt: report.to_receipt,
                    gross: report.takings.gross,
                    grand_total: report.grand_total,
                };
                let actor = approved_by.unwrap_or_else(|| session.user.clone());
                self.store.save_z(&report, &actor, event)?;
                return Ok(vec![Event::Report(Box::new(report))]);
            }
            Command::Logout => {
                // An approved refund is the approver's word for this cashier only:
                // left on the lane, the next user would inherit it.
                if sale.is_refund() && sale.tenders.is_empty() && !sale.lines.is_empty() {
                    let total = sale.totals(rules)?.total;
                    let event = JournalEvent::SaleVoided {
                        lines: sale.lines.len(),
                        total,
                        tendered: Vec::new(),
                        approved_by: sale.approved_by.clone(),
                    };
                    self.store
                        .put_cart_journaled(session.lane, None, &session.user, event)?;
                } else if sale.is_refund() && sale.lines.is_empty() {
                    self.store.put_cart_journaled(
                        session.lane,
                        None,
                        &session.user,
                        JournalEvent::Logout {
                            user: session.user.clone(),
                        },
                    )?;
                    self.sessions.remove(&id);
                    return Ok(vec![Event::LoggedOut]);
                }
                self.store.append_journal(
                    Some(&session.user),
                    JournalEvent::Logout {
                        user: session.user.clone(),
                    },
                )?;
                self.sessions.remove(&id);
                return Ok(vec![Event::LoggedOut]);
            }
        }
        let totals = sale.totals(rules)?;
        self.store.save_cart(session.lane, &sale)?;
        Ok(vec![Event::Cart {
            sale: Box::new(sale),
            totals: Box::new(totals),
        }])
    }

    /// Applies `apply` to each sku's stock level and saves them with `event`.
    fn change_stock(
        &mut self,
        session: &Session,
        changes: &[(String, Decimal)],
        event: JournalEvent,
        apply: impl Fn(&mut StockLevel, Decimal),
    ) -> Result<Vec<Event>, EngineError> {
        // Far below Decimal's limits, so no sum of them can overflow.
        let limit = Decimal::from(1_000_000_000u64);
        if changes.iter().any(|(_, v)| v.abs() > limit) {
            return Err(EngineError::BadQuantity);
        }
        let mut levels = Vec::with_capacity(changes.len());
        let mut rows = Vec::with_capacity(changes.len());
        for (sku, value) in changes {
            let product = self
                .store
                .product(sku)?
                .ok_or_else(|| EngineError::UnknownCode(sku.clone()))?;
            let mut level = self.store.stock(sku)?;
            apply(&mut level, *value);
            levels.push((sku.clone(), level));
            rows.push(StockRow {
                sku: sku.clone(),
                name: product.name,
                level,
            });
        }
        self.store.set_stock(&levels, &session.user, event)?;
        Ok(vec![Event::Stock(rows)])
    }

    /// Sales completed on local days `from` to `to`, cut every way a manager asks.
    fn sales_between(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<SalesReport, EngineError> {
        let local = |s: &CompletedSale| s.completed_at.with_timezone(&chrono::Local);
        let sales: Vec<CompletedSale> = self
            .store
            .sales()
            .filter(|s| {
                s.as_ref()
                    .map_or(true, |s| (from..=to).contains(&local(s).date_naive()))
            })
            .collect::<Result<_, _>>()?;
        Ok(SalesReport::of(&sales, |s| {
            chrono::Timelike::hour(&local(s)) as usize
        }))
    }

    /// Every user, without PIN hashes.
    fn user_list(&self) -> Result<Vec<UserSummary>, EngineError> {
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

    /// Every product's stock, or only those at or below their reorder level.
    fn stock_rows(&self, low_only: bool) -> Result<Vec<StockRow>, EngineError> {
        let mut rows = Vec::new();
        for product in self.store.products() {
            let product = product?;
            let level = self.store.stock(&product.sku)?;
            if !low_only || level.is_low() {
                rows.push(StockRow {
                    sku: product.sku,
                    name: product.name,
                    level,
                });
            }
        }
        Ok(rows)
    }

    fn open_shift(&mut self, session: &Session, float: Money) -> Result<Vec<Event>, EngineError> {
        self.authorise(session, Permission::Sell, None)?;
        if let Some(open) = self.store.shift(session.lane)? {
            return Err(EngineError::ShiftOpen(open.number));
        }
        check_price(float, &self.settings.rules.currency)?;
        let first_receipt = self.store.last_receipt()?.map(|r| r.0 + 1).unwrap_or(1);
        let shift = Shift {
            number: self.store.next_shift_number()?,
            lane: session.lane,
            opened_by: session.user.clone(),
            opened_at: Utc::now(),
            float,
            first_receipt,
            movements: Vec::new(),
            close: None,
        };
        let event = JournalEvent::ShiftOpened {
            number: shift.number,
            lane: shift.lane,
            float,
        };
        self.store.save_shift(&shift, &session.user, event)?;
        Ok(vec![Event::Shift(Box::new(shift))])
    }

    fn move_cash(
        &mut self,
        session: &Session,
        amount: Money,
        reason: String,
        approval: Option<&Approval>,
    ) -> Result<Vec<Event>, EngineError> {
        let approved_by = self.authorise(session, Permission::CashMovement, approval)?;
        let mut shift = self
            .store
            .shift(session.lane)?
            .ok_or(EngineError::NoShift)?;
        check_price(
            Money::new(amount.amount().abs()),
            &self.settings.rules.currency,
        )?;
        if amount.is_zero() || reason.trim().is_empty() {
            return Err(EngineError::BadCashMovement);
        }
        let event = JournalEvent::CashMoved {
            shift: shift.number,
            amount,
            reason: reason.clone(),
            approved_by,
        };
        shift.movements.push(CashMovement {
            amount,
            reason,
            by: session.user.clone(),
            at: Utc::now(),
        });
        self.store.save_shift(&shift, &session.user, event)?;
        Ok(vec![Event::Shift(Box::new(shift))])
    }

    fn close_shift(
        &mut self,
        session: &Session,
        counted: Money,
    ) -> Result<Vec<Event>, EngineError> {
        self.authorise(session, Permission::Sell, None)?;
        let mut shift = self
            .store
            .shift(session.lane)?
            .ok_or(EngineError::NoShift)?;
        check_price(counted, &self.settings.rules.currency)?;
        let sales: Vec<CompletedSale> = self
            .store
            .sales_from(shift.first_receipt)
            .filter(|s| s.as_ref().map_or(true, |s| s.lane == shift.lane))
            .collect::<Result<_, _>>()?;
        let expected = shift.expected(Takings::of(&sales).cash);
        let last_receipt = sales
            .last()
            .map(|s| s.receipt.0)
            .unwrap_or(shift.first_receipt.saturating_sub(1));
        shift.close = Some(ShiftClose {
            counted,
            expected,
            by: session.user.clone(),
            at: Utc::now(),
            last_receipt,
        });
        let event = JournalEvent::ShiftClosed {
            number: shift.number,
            counted,
            expected,
        };
        self.store.save_shift(&shift, &session.user, event)?;
        Ok(vec![Event::Shift(Box::new(shift))])
    }

    /// Takings since the last Z; `z_number` makes it that Z.
    fn day_report(
        &mut self,
        session: &Session,
        z_number: Option<u64>,
    ) -> Result<DayReport, EngineError> {
        if z_number.is_none() {
            self.authorise(session, Permission::ViewReports, None)?;
        }
        let z = self.store.z_state()?;
        let sales: Vec<CompletedSale> = self
            .store
            .sales_from(z.last_receipt + 1)
            .collect::<Result<_, _>>()?;
        let takings = Takings::of(&sales);
        Ok(DayReport {
            z_number,
            from_receipt: z.last_receipt + 1,
            to_receipt: sales.last().map(|s| s.receipt.0).unwrap_or(z.last_receipt),
            at: Utc::now(),
            by: session.user.clone(),
            grand_total: z.grand_total + takings.gross,
            takings,
        })
    }

    /// Saves a discounted cart once the discount is allowed: up to the store's
    /// limit for anyone who may discount, beyond it with a supervisor's approval,
    /// which is journaled.
    fn discounted(
        &self,
        session: &Session,
        sale: Sale,
        discount: Option<Discount>,
        of: Money,
        approval: Option<&Approval>,
    ) -> Result<Vec<Event>, EngineError> {
        // Judged on what was asked for, not on the rounded cents it came to.
        let percent = match discount {
            None => Decimal::ZERO,
            Some(Discount::Percent(p)) => p,
            Some(Discount::Amount(_)) if of.is_zero() => Decimal::ZERO,
            Some(Discount::Amount(a)) => a.amount() / of.amount() * Decimal::ONE_HUNDRED,
        };
        if percent > self.settings.cashier_discount_limit {
            let approved_by = self.authorise(session, Permission::LargeDiscount, approval)?;
            if let Some(by) = approved_by {
                let event = JournalEvent::Override {
                    permission: Permission::LargeDiscount,
                    approved_by: by,
                };
                self.store
                    .put_cart_journaled(session.lane, Some(&sale), &session.user, event)?;
                let totals = sale.totals(&self.settings.rules)?;
                return Ok(vec![Event::Cart {
                    sale: Box::new(sale),
                    totals: Box::new(totals),
                }]);
            }
        }
        let totals = sale.totals(&self.settings.rules)?;
        self.store.save_cart(session.lane, &sale)?;
        Ok(vec![Event::Cart {
            sale: Box::new(sale),
            totals: Box::new(totals),
        }])
    }

    fn complete(&self, session: &Session, sale: Sale) -> Result<Vec<Event>, EngineError> {
        let totals = sale.totals(&self.settings.rules)?;
        let change = sale.change;
        let now = Utc::now();
        let done = self.store.complete_sale(
            session.lane,
            &session.user,
            self.printer.as_ref().map(|(_, p)| *p),
            |receipt| CompletedSale {
                lane: session.lane,
                receipt,
                terminal: self.settings.terminal.clone(),
                cashier: session.user.clone(),
                completed_at: now,
                sale: sale.clone(),
                totals: totals.clone(),
            },
        )?;
        self.wake_printer();
        Ok(vec![Event::Completed {
            sale: Box::new(done),
            change,
        }])
    }
}
