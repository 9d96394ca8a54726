//! Refunds against a receipt of this terminal: opening one (on a manager's
//! approval, given to one cashier), refunding its lines, and the gate's rule
//! that nobody else carries on a refund approved for someone else.

use rust_decimal::Decimal;

use super::{Approval, Engine, EngineError, Event, Session};
use crate::domain::receipt::CompletedSale;
use crate::domain::refund::refund_line;
use crate::domain::sale::{ReceiptNo, Sale, SaleError, SaleKind};
use crate::domain::user::Permission;

impl Engine {
    /// A completed receipt of this terminal, to show before refunding it.
    pub fn receipt(&self, receipt: u64) -> Result<CompletedSale, EngineError> {
        self.store
            .sale(ReceiptNo(receipt))?
            .ok_or(EngineError::NoSuchReceipt(receipt))
    }

    /// An approved refund is the approver's word for the cashier it was
    /// given to; anyone else who finds it on the lane needs their own
    /// approval (for the commands that carry it on, see `continues_refund`).
    pub(super) fn check_refund_owner(
        &self,
        session: &Session,
        sale: &Sale,
    ) -> Result<(), EngineError> {
        if sale.is_refund() && sale.opened_by.as_deref() != Some(session.user.as_str()) {
            self.authorise(session, Permission::Refund, None)?;
        }
        Ok(())
    }

    /// Opens a refund on an empty lane. The receipt is looked up first: a
    /// manager is not fetched for a typo.
    pub(super) fn start_refund(
        &self,
        session: &Session,
        sale: Sale,
        receipt: u64,
        approval: Option<&Approval>,
    ) -> Result<Vec<Event>, EngineError> {
        if !sale.lines.is_empty() {
            return Err(EngineError::CartOpen);
        }
        let original = self.receipt(receipt)?;
        if original.sale.is_refund() {
            return Err(EngineError::RefundOfRefund(receipt));
        }
        let approved_by = self.authorise(session, Permission::Refund, approval)?;
        let mut sale = Sale::new(SaleKind::Refund {
            original: original.receipt,
        });
        sale.approved_by = approved_by;
        sale.opened_by = Some(session.user.clone());
        self.save(session, sale)
    }

    /// Refunds `quantity` of a line of the original receipt, as much as is
    /// left of it after earlier refunds.
    pub(super) fn refund_line(
        &self,
        session: &Session,
        mut sale: Sale,
        line: usize,
        quantity: Decimal,
    ) -> Result<Vec<Event>, EngineError> {
        let SaleKind::Refund { original } = sale.kind else {
            return Err(SaleError::NotOnRefund.into());
        };
        let original = self
            .store
            .sale(original)?
            .ok_or(EngineError::NoSuchReceipt(original.0))?;
        let tally = self.store.refund_tally(&original)?;
        let line = refund_line(
            &original,
            &tally,
            &sale,
            line,
            quantity,
            &self.settings.rules,
        )?;
        sale.add_line(line)?;
        self.save(session, sale)
    }
}
