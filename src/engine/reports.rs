//! The figures a manager reads: the X report (takings since the last Z,
//! changing nothing), the Z report that ends the day, and sales between
//! two days cut every way.

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};

use super::{Engine, EngineError, Event, Session};
use crate::domain::daily::{DayRow, local_day};
use crate::domain::money::Money;
use crate::domain::receipt::CompletedSale;
use crate::domain::shift::Shift;
use crate::domain::takings::{DayReport, SalesReport, Takings};
use crate::domain::user::Permission;
use crate::store::Store;
use crate::store::journal::JournalEvent;

/// Completed sales and refunds of local days `from` to `to`, a row a day:
/// `till report sales`, from the store directly or through the daemon.
pub fn sales_by_day(
    store: &Store,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DayRow>, EngineError> {
    let mut days: BTreeMap<NaiveDate, DayRow> = BTreeMap::new();
    for sale in store.sales() {
        let sale = sale?;
        let day = local_day(&sale);
        if day < from || day > to {
            continue;
        }
        days.entry(day)
            .or_insert_with(|| DayRow::new(None, day))
            .add(&sale);
    }
    Ok(days.into_values().collect())
}

impl Engine {
    /// The X report. Shown to a user below the role on an approver's PIN,
    /// which is journaled (the figures are what a blind count would find).
    /// Printed too when there is a printer, queued with that entry if any.
    pub(super) fn x_report(
        &self,
        session: &Session,
        approved_by: Option<String>,
    ) -> Result<Vec<Event>, EngineError> {
        let report = self.day_report(session, None)?;
        let shifts = self.counted_since_z()?;
        let job = self.report_job(&report, &shifts);
        let approval = approved_by.map(|by| JournalEvent::Override {
            permission: Permission::ViewReports,
            approved_by: by,
        });
        match (&job, approval) {
            (Some(job), Some(event)) => {
                self.store.queue_job_journaled(job, &session.user, event)?
            }
            (Some(job), None) => self.store.queue_job(job)?,
            (None, Some(event)) => drop(self.store.append_journal(Some(&session.user), event)?),
            (None, None) => {}
        }
        Ok(self.report_event(report, shifts, job.is_some()))
    }

    /// Ends the day: the numbered report, into the journal under the name of
    /// whoever approved it (or the user), with its printout queued in the same
    /// transaction when there is a printer.
    pub(super) fn z_report(
        &self,
        session: &Session,
        approved_by: Option<String>,
        despite_open_sales: bool,
    ) -> Result<Vec<Event>, EngineError> {
        let open = self.open_sales()?;
        if !open.is_empty() && !despite_open_sales {
            return Err(EngineError::OpenSales(open));
        }
        let number = self.store.z_state()?.number + 1;
        let report = self.day_report(session, Some(number))?;
        let shifts = self.counted_since_z()?;
        let event = JournalEvent::ZReport {
            number,
            to_receipt: report.to_receipt,
            gross: report.takings.gross,
            grand_total: report.grand_total,
        };
        let actor = approved_by.unwrap_or_else(|| session.user.clone());
        let job = self.report_job(&report, &shifts);
        self.store.save_z(&report, &actor, event, job.as_ref())?;
        Ok(self.report_event(report, shifts, job.is_some()))
    }

    /// The report for the screen; a queued printout wakes the printer.
    fn report_event(&self, report: DayReport, shifts: Vec<Shift>, to_printer: bool) -> Vec<Event> {
        if to_printer {
            self.wake_printer();
        }
        vec![Event::Report {
            report: Box::new(report),
            shifts,
            to_printer,
        }]
    }

    /// Shifts closed since the last Z: opened after it, or with sales after it.
    fn counted_since_z(&self) -> Result<Vec<Shift>, EngineError> {
        let last = self.store.z_state()?.last_receipt;
        let mut shifts = Vec::new();
        for shift in self.store.closed_shifts() {
            let shift = shift?;
            let after = shift.first_receipt > last
                || shift.close.as_ref().is_some_and(|c| c.last_receipt > last);
            if after {
                shifts.push(shift);
            }
        }
        Ok(shifts)
    }

    /// Sales open on any lane, with what each comes to: a Z taken now
    /// leaves them to the next one.
    fn open_sales(&self) -> Result<Vec<(u16, Money)>, EngineError> {
        let mut open = Vec::new();
        for cart in self.store.open_carts() {
            let (lane, sale) = cart?;
            if sale.lines.iter().any(|l| !l.voided) {
                open.push((lane, sale.totals(&self.settings.rules)?.total));
            }
        }
        Ok(open)
    }

    /// Takings since the last Z; `z_number` makes it that Z.
    fn day_report(
        &self,
        session: &Session,
        z_number: Option<u64>,
    ) -> Result<DayReport, EngineError> {
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

    /// Sales completed on local days `from` to `to`, cut every way a manager asks.
    pub(super) fn sales_between(
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
}
