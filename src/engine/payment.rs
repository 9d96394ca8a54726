//! Paying for the open sale, and completing it once it is paid: the one
//! place a sale becomes a receipt, durable before anyone is told.

use chrono::Utc;

use super::{Engine, EngineError, Event, Session};
use crate::domain::money::Money;
use crate::domain::receipt::CompletedSale;
use crate::domain::sale::{Sale, SaleState, Totals};
use crate::domain::tender::TenderKind;

impl Engine {
    /// Takes a payment (`None`: exactly what is due); the sale completes
    /// once it is paid.
    pub(super) fn tender(
        &self,
        session: &Session,
        mut sale: Sale,
        kind: TenderKind,
        amount: Option<Money>,
    ) -> Result<Vec<Event>, EngineError> {
        let rules = &self.settings.rules;
        let totals = sale.totals(rules)?;
        let amount = amount.unwrap_or_else(|| totals.due(kind, rules));
        let totals = sale.tender_on(totals, kind, amount, rules)?;
        if sale.state == SaleState::Completed {
            return self.complete(session, sale, totals);
        }
        self.keep(session, sale, totals)
    }

    /// Stores the paid sale as the lane's next receipt (with its print job,
    /// if there is a printer) and wakes the printer.
    fn complete(
        &self,
        session: &Session,
        sale: Sale,
        totals: Totals,
    ) -> Result<Vec<Event>, EngineError> {
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
                sale,
                totals,
            },
        )?;
        self.wake_printer();
        Ok(vec![Event::Completed {
            sale: Box::new(done),
            change,
        }])
    }
}
