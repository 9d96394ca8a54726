//! The lane's open sale as the store keeps it: loading it within bounds
//! (parking one that is not), saving it after a change, holding it aside
//! and bringing a held one back. What a change to the sale is lives in
//! `sale`, `payment` and `refund`; this is where it is kept.

use std::sync::Arc;

use chrono::Utc;

use super::{Engine, EngineError, Event, Session};
use crate::domain::limits;
use crate::domain::money::Money;
use crate::domain::sale::{HeldSale, Sale, Totals};
use crate::store::carts::CartRead;
use crate::store::journal::JournalEvent;

impl Engine {
    /// The lane's open cart with its figures, if there is one.
    pub fn cart(
        &mut self,
        session: super::SessionId,
    ) -> Result<Option<(Sale, Totals)>, EngineError> {
        let session = self.active(session)?;
        self.cart_of(&session)
    }

    pub(super) fn cart_of(
        &mut self,
        session: &Session,
    ) -> Result<Option<(Sale, Totals)>, EngineError> {
        match self.lane_cart(session, CartRead::Show)? {
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
    pub(super) fn lane_cart(
        &mut self,
        session: &Session,
        read: CartRead,
    ) -> Result<Option<Sale>, EngineError> {
        let Some(sale) = self.store.cart(session.lane, read)? else {
            return Ok(None);
        };
        match sale.check_bounds() {
            Ok(()) => Ok(Some(sale)),
            Err(why) => Err(self.park(session, sale, why)),
        }
    }

    /// Puts an oversized sale aside as held; the error to answer with.
    fn park(&self, session: &Session, sale: Sale, why: limits::TooLarge) -> EngineError {
        tracing::warn!(lane = session.lane, %why, "parked an oversized cart");
        let total = sale
            .totals(&self.settings.rules)
            .map(|t| t.total)
            .unwrap_or_default();
        match self
            .store
            .hold_cart(session.lane, &put_aside(session, sale, total))
        {
            Ok(held) => EngineError::CartTooLarge { held, why },
            Err(e) => e.into(),
        }
    }

    /// The sale as the screens are told of it, with its figures.
    pub(super) fn cart_event(&self, sale: Sale) -> Result<Vec<Event>, EngineError> {
        let totals = sale.totals(&self.settings.rules)?;
        Ok(told(sale, totals))
    }

    /// Saves the changed sale as the lane's cart (once its figures add up).
    pub(super) fn save(&self, session: &Session, sale: Sale) -> Result<Vec<Event>, EngineError> {
        let totals = sale.totals(&self.settings.rules)?;
        self.keep(session, sale, totals)
    }

    /// [`Engine::save`] given the figures already worked out for `sale`.
    pub(super) fn keep(
        &self,
        session: &Session,
        sale: Sale,
        totals: Totals,
    ) -> Result<Vec<Event>, EngineError> {
        let sale = Arc::new(sale);
        self.store.save_cart(session.lane, &sale)?;
        Ok(told(sale, totals))
    }

    /// Saves the changed sale with the journal entry that explains it.
    pub(super) fn save_journaled(
        &self,
        session: &Session,
        sale: Sale,
        event: JournalEvent,
    ) -> Result<Vec<Event>, EngineError> {
        self.store
            .put_cart_journaled(session.lane, Some(&sale), &session.user, event)?;
        self.cart_event(sale)
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

    /// Parks the open sale so the next customer can be served.
    pub(super) fn hold(&self, session: &Session, sale: Sale) -> Result<Vec<Event>, EngineError> {
        if !sale.tenders.is_empty() {
            return Err(EngineError::HoldAfterTender);
        }
        let total = sale.totals(&self.settings.rules)?.total;
        let id = self
            .store
            .hold_cart(session.lane, &put_aside(session, sale, total))?;
        Ok(vec![Event::Held { id }])
    }

    /// Brings a held sale back onto the lane, which must have no lines open.
    pub(super) fn recall(
        &self,
        session: &Session,
        sale: Sale,
        id: u64,
    ) -> Result<Vec<Event>, EngineError> {
        if !sale.lines.is_empty() {
            return Err(EngineError::CartOpen);
        }
        let held = self
            .store
            .recall(session.lane, id)?
            .ok_or(EngineError::NoSuchHeld(id))?;
        if let Err(why) = held.sale.check_bounds() {
            return Err(self.park(session, held.sale, why));
        }
        self.cart_event(held.sale)
    }
}

fn told(sale: impl Into<Arc<Sale>>, totals: Totals) -> Vec<Event> {
    vec![Event::Cart {
        sale: sale.into(),
        totals: Box::new(totals),
    }]
}

/// A sale put aside now by the session's user, with its total as the held
/// list shows it; the store gives it its number.
fn put_aside(session: &Session, sale: Sale, total: Money) -> HeldSale {
    HeldSale {
        id: 0,
        held_at: Utc::now(),
        held_by: session.user.clone(),
        total,
        sale,
    }
}
