//! A lane's shift and its cash: opening with a float, cash put in or taken
//! out, the blind count that closes it, and opening the drawer without a
//! sale. The day's reports are `reports`'.

use chrono::Utc;

use super::products::check_price;
use super::{Engine, EngineError, Event, Session};
use crate::domain::money::Money;
use crate::domain::receipt::CompletedSale;
use crate::domain::shift::{CashMovement, Shift, ShiftClose};
use crate::domain::takings::Takings;
use crate::store::journal::JournalEvent;
use crate::store::print_queue::JobKind;

impl Engine {
    pub(super) fn open_shift(
        &self,
        session: &Session,
        float: Money,
    ) -> Result<Vec<Event>, EngineError> {
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

    pub(super) fn move_cash(
        &self,
        session: &Session,
        amount: Money,
        reason: String,
        approved_by: Option<String>,
    ) -> Result<Vec<Event>, EngineError> {
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

    pub(super) fn close_shift(
        &self,
        session: &Session,
        counted: Money,
    ) -> Result<Vec<Event>, EngineError> {
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

    /// Opens the drawer without a sale, journaling who approved.
    pub(super) fn no_sale(
        &self,
        session: &Session,
        approved_by: Option<String>,
    ) -> Result<Vec<Event>, EngineError> {
        if !self.printer()?.drawer {
            return Err(EngineError::NoDrawer);
        }
        let event = JournalEvent::DrawerOpened {
            receipt: None,
            approved_by,
        };
        self.queue_print(session, JobKind::DrawerOnly, true, event)?;
        Ok(vec![Event::DrawerOpened])
    }
}
