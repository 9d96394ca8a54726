//! Changes to the lines of the open sale: adding what is scanned or picked,
//! quantities, voids, discounts and price overrides, with the journal
//! entries a manager's approval or a void leaves. Paying is `payment`'s.

use rust_decimal::Decimal;

use super::products::check_price;
use super::{Approval, Command, Engine, EngineError, Event, Session, scan};
use crate::domain::discount::Discount;
use crate::domain::money::Money;
use crate::domain::sale::Sale;
use crate::domain::user::Permission;
use crate::store::journal::JournalEvent;

impl Engine {
    /// What a command's handler would refuse whoever approved it, checked by
    /// the gate before it asks for an approval: a manager is never called
    /// over to approve a price the till would then refuse.
    pub(super) fn check_before_approval(
        &self,
        command: &Command,
        sale: &Sale,
    ) -> Result<(), EngineError> {
        match command {
            Command::OverridePrice { line, price, .. } => {
                check_price(*price, &self.settings.rules.currency)?;
                sale.clone().override_price(*line, *price)?;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    pub(super) fn scan(
        &self,
        session: &Session,
        mut sale: Sale,
        code: &str,
        quantity: Option<Decimal>,
    ) -> Result<Vec<Event>, EngineError> {
        sale.add_line(scan::line_for(&self.store, &self.settings, code, quantity)?)?;
        self.save(session, sale)
    }

    pub(super) fn add_sku(
        &self,
        session: &Session,
        mut sale: Sale,
        sku: &str,
        quantity: Option<Decimal>,
    ) -> Result<Vec<Event>, EngineError> {
        sale.add_line(scan::line_for_sku(&self.store, sku, quantity)?)?;
        self.save(session, sale)
    }

    pub(super) fn set_quantity(
        &self,
        session: &Session,
        mut sale: Sale,
        line: usize,
        quantity: Decimal,
    ) -> Result<Vec<Event>, EngineError> {
        sale.set_quantity(line, quantity)?;
        self.save(session, sale)
    }

    /// Voids a line, journaling what it came to.
    pub(super) fn void_line(
        &self,
        session: &Session,
        mut sale: Sale,
        line: usize,
    ) -> Result<Vec<Event>, EngineError> {
        let before = sale.totals(&self.settings.rules)?;
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
        self.save_journaled(session, sale, event)
    }

    pub(super) fn line_discount(
        &self,
        session: &Session,
        mut sale: Sale,
        line: usize,
        discount: Option<Discount>,
        approval: Option<&Approval>,
    ) -> Result<Vec<Event>, EngineError> {
        sale.set_line_discount(line, discount)?;
        let t = sale.totals(&self.settings.rules)?;
        let of = t
            .lines
            .iter()
            .find(|t| t.line == line)
            .map(|t| t.before_discount)
            .unwrap_or_default();
        self.discounted(session, sale, discount, of, approval)
    }

    pub(super) fn sale_discount(
        &self,
        session: &Session,
        mut sale: Sale,
        discount: Option<Discount>,
        approval: Option<&Approval>,
    ) -> Result<Vec<Event>, EngineError> {
        sale.set_sale_discount(discount)?;
        let t = sale.totals(&self.settings.rules)?;
        let of = t
            .lines
            .iter()
            .map(|t| t.before_discount - t.line_discount)
            .sum();
        self.discounted(session, sale, discount, of, approval)
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
                return self.save_journaled(session, sale, event);
            }
        }
        self.save(session, sale)
    }

    /// Sells a line at another price than the shelf's, journaling who approved.
    pub(super) fn override_price(
        &self,
        session: &Session,
        mut sale: Sale,
        line: usize,
        price: Money,
        approved_by: Option<String>,
    ) -> Result<Vec<Event>, EngineError> {
        // The price was checked at the gate (`check_before_approval`).
        let old = sale.override_price(line, price)?;
        let sku = sale.lines[line].sku.clone();
        let event = JournalEvent::PriceOverridden {
            sku,
            old,
            new: price,
            approved_by,
        };
        self.save_journaled(session, sale, event)
    }

    /// Voids the whole sale: a line's permission before any payment, a
    /// manager's after one.
    pub(super) fn void_sale(
        &self,
        session: &Session,
        mut sale: Sale,
        approval: Option<&Approval>,
    ) -> Result<Vec<Event>, EngineError> {
        let needed = if sale.tenders.is_empty() {
            Permission::VoidLine
        } else {
            Permission::VoidAfterTender
        };
        let approved_by = self.authorise(session, needed, approval)?;
        let total = sale.totals(&self.settings.rules)?.total;
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
        Ok(vec![Event::Voided])
    }
}
