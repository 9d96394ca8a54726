//! What a till screen may ask of the engine. The engine in this process
//! answers it directly; a client of `till daemon` answers it over the socket.
//! The screen holds only this, so the transport is the only difference.

use super::{Approval, Command, EngineError, Event, SessionId};
use crate::domain::customer::Customer;
use crate::domain::product::Product;
use crate::domain::receipt::CompletedSale;
use crate::domain::sale::{HeldSale, Sale, Totals};
use crate::domain::stock::StockRow;
use crate::domain::takings::SalesReport;
use crate::domain::user::UserSummary;
use crate::store::journal::JournalRecord;
use crate::store::outbox::SyncStatus;
use crate::store::settings::StoreSettings;
use chrono::NaiveDate;

pub trait TillApi {
    fn settings(&self) -> &StoreSettings;
    fn login(&mut self, user: &str, pin: &str, lane: u16) -> Result<SessionId, EngineError>;
    fn execute(&mut self, session: SessionId, command: Command) -> Result<Vec<Event>, EngineError>;
    fn cart(&mut self, session: SessionId) -> Result<Option<(Sale, Totals)>, EngineError>;
    fn search(&mut self, query: &str, limit: usize) -> Result<Vec<Product>, EngineError>;
    fn held(&mut self) -> Result<Vec<HeldSale>, EngineError>;
    fn receipt(&mut self, receipt: u64) -> Result<CompletedSale, EngineError>;
    /// Stock per product; only what is at or below its reorder level if `low_only`.
    fn stock(&mut self, session: SessionId, low_only: bool) -> Result<Vec<StockRow>, EngineError>;
    /// Sales of local days `from` to `to`, by hour, product, cashier, tender and tax.
    fn sales_report(
        &mut self,
        session: SessionId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<SalesReport, EngineError>;
    /// Every user, without PIN hashes.
    fn users(&mut self, session: SessionId) -> Result<Vec<UserSummary>, EngineError>;
    /// The newest journal entries, newest first.
    fn journal(
        &mut self,
        session: SessionId,
        limit: usize,
    ) -> Result<Vec<JournalRecord>, EngineError>;
    /// Takes over a lane another screen holds, on a manager's approval. With
    /// the engine in this process there is no other screen: nothing to take.
    fn take_lane(&mut self, lane: u16, approval: Approval) -> Result<(), EngineError>;
    /// Customers matching every word of `query` (erased ones left out).
    fn customers(
        &mut self,
        session: SessionId,
        query: &str,
        limit: usize,
    ) -> Result<Vec<Customer>, EngineError>;
    /// How sending to head office stands; `None` if it cannot be asked.
    fn sync_status(&mut self) -> Option<SyncStatus>;
}

impl TillApi for super::Engine {
    fn settings(&self) -> &StoreSettings {
        super::Engine::settings(self)
    }

    fn login(&mut self, user: &str, pin: &str, lane: u16) -> Result<SessionId, EngineError> {
        super::Engine::login(self, user, pin, lane)
    }

    fn execute(&mut self, session: SessionId, command: Command) -> Result<Vec<Event>, EngineError> {
        super::Engine::execute(self, session, command)
    }

    fn cart(&mut self, session: SessionId) -> Result<Option<(Sale, Totals)>, EngineError> {
        super::Engine::cart(self, session)
    }

    fn search(&mut self, query: &str, limit: usize) -> Result<Vec<Product>, EngineError> {
        super::Engine::search(self, query, limit)
    }

    fn held(&mut self) -> Result<Vec<HeldSale>, EngineError> {
        super::Engine::held(self)
    }

    fn receipt(&mut self, receipt: u64) -> Result<CompletedSale, EngineError> {
        super::Engine::receipt(self, receipt)
    }

    fn journal(
        &mut self,
        session: SessionId,
        limit: usize,
    ) -> Result<Vec<JournalRecord>, EngineError> {
        super::Engine::journal(self, session, limit)
    }

    fn stock(&mut self, session: SessionId, low_only: bool) -> Result<Vec<StockRow>, EngineError> {
        super::Engine::stock(self, session, low_only)
    }

    fn users(&mut self, session: SessionId) -> Result<Vec<UserSummary>, EngineError> {
        super::Engine::users(self, session)
    }

    fn sales_report(
        &mut self,
        session: SessionId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<SalesReport, EngineError> {
        super::Engine::sales_report(self, session, from, to)
    }

    fn take_lane(&mut self, _lane: u16, _approval: Approval) -> Result<(), EngineError> {
        Ok(())
    }

    fn sync_status(&mut self) -> Option<SyncStatus> {
        super::Engine::sync_status(self).ok()
    }

    fn customers(
        &mut self,
        session: SessionId,
        query: &str,
        limit: usize,
    ) -> Result<Vec<Customer>, EngineError> {
        super::Engine::customers(self, session, query, limit)
    }
}
