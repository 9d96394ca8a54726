//! What a till screen may ask of the engine. The engine in this process
//! answers it directly; a client of `till daemon` answers it over the socket.
//! The screen holds only this, so the transport is the only difference.
//!
//! Everything a session asks goes through [`TillApi::ask`] as one [`Ask`]:
//! the typed methods below are written once, here, for both transports.

use super::request::{Answer, Ask};
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

/// A limit as it crosses the socket.
fn limit(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub trait TillApi {
    fn settings(&self) -> &StoreSettings;
    fn login(&mut self, user: &str, pin: &str, lane: u16) -> Result<SessionId, EngineError>;
    /// Takes over a lane another screen holds, on a manager's approval. With
    /// the engine in this process there is no other screen: nothing to take.
    fn take_lane(&mut self, lane: u16, approval: Approval) -> Result<(), EngineError>;
    /// How sending to head office stands; `None` if it cannot be asked.
    fn sync_status(&mut self) -> Option<SyncStatus>;
    /// Everything a logged-in session asks, through the gate.
    fn ask(&mut self, session: SessionId, ask: Ask) -> Result<Answer, EngineError>;

    fn execute(&mut self, session: SessionId, command: Command) -> Result<Vec<Event>, EngineError> {
        match self.ask(session, Ask::Execute(command))? {
            Answer::Events(e) => Ok(e),
            other => Err(other.unexpected()),
        }
    }

    fn cart(&mut self, session: SessionId) -> Result<Option<(Sale, Totals)>, EngineError> {
        match self.ask(session, Ask::Cart)? {
            Answer::Cart(c) => Ok(c.map(|b| *b)),
            other => Err(other.unexpected()),
        }
    }

    fn search(
        &mut self,
        session: SessionId,
        query: &str,
        n: usize,
    ) -> Result<Vec<Product>, EngineError> {
        let query = query.to_string();
        match self.ask(
            session,
            Ask::Search {
                query,
                limit: limit(n),
            },
        )? {
            Answer::Products(p) => Ok(p),
            other => Err(other.unexpected()),
        }
    }

    fn held(&mut self, session: SessionId) -> Result<Vec<HeldSale>, EngineError> {
        match self.ask(session, Ask::Held)? {
            Answer::Held(h) => Ok(h),
            other => Err(other.unexpected()),
        }
    }

    fn receipt(&mut self, session: SessionId, receipt: u64) -> Result<CompletedSale, EngineError> {
        match self.ask(session, Ask::Receipt { receipt })? {
            Answer::Receipt(r) => Ok(*r),
            other => Err(other.unexpected()),
        }
    }

    fn stock(&mut self, session: SessionId, low_only: bool) -> Result<Vec<StockRow>, EngineError> {
        match self.ask(session, Ask::Stock { low_only })? {
            Answer::Stock(rows) => Ok(rows),
            other => Err(other.unexpected()),
        }
    }

    fn sales_report(
        &mut self,
        session: SessionId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<SalesReport, EngineError> {
        match self.ask(session, Ask::SalesReport { from, to })? {
            Answer::SalesReport(r) => Ok(*r),
            other => Err(other.unexpected()),
        }
    }

    fn users(&mut self, session: SessionId) -> Result<Vec<UserSummary>, EngineError> {
        match self.ask(session, Ask::Users)? {
            Answer::Users(u) => Ok(u),
            other => Err(other.unexpected()),
        }
    }

    fn journal(&mut self, session: SessionId, n: usize) -> Result<Vec<JournalRecord>, EngineError> {
        match self.ask(session, Ask::Journal { limit: limit(n) })? {
            Answer::Journal(j) => Ok(j),
            other => Err(other.unexpected()),
        }
    }

    fn customers(
        &mut self,
        session: SessionId,
        query: &str,
        n: usize,
    ) -> Result<Vec<Customer>, EngineError> {
        let query = query.to_string();
        match self.ask(
            session,
            Ask::Customers {
                query,
                limit: limit(n),
            },
        )? {
            Answer::Customers(c) => Ok(c),
            other => Err(other.unexpected()),
        }
    }
}

impl TillApi for super::Engine {
    fn settings(&self) -> &StoreSettings {
        super::Engine::settings(self)
    }

    fn login(&mut self, user: &str, pin: &str, lane: u16) -> Result<SessionId, EngineError> {
        super::Engine::login(self, user, pin, lane)
    }

    fn take_lane(&mut self, _lane: u16, _approval: Approval) -> Result<(), EngineError> {
        Ok(())
    }

    fn sync_status(&mut self) -> Option<SyncStatus> {
        super::Engine::sync_status(self).ok()
    }

    fn ask(&mut self, session: SessionId, ask: Ask) -> Result<Answer, EngineError> {
        super::Engine::ask(self, session, ask)
    }
}
