//! An X or Z report on paper: the very lines the screen shows
//! (`domain::report_text`), at the roll's width, under the shop's header.

use super::receipt::{Copy, Layout, LayoutError};
use crate::domain::report_text::report_lines;
use crate::domain::shift::Shift;
use crate::domain::takings::DayReport;

impl Layout<'_> {
    /// The report with the shifts it counts, its title in bold. Every
    /// over/short carries its sign, as on screen.
    pub fn report(
        &self,
        report: &DayReport,
        shifts: &[Shift],
        copy: Copy,
    ) -> Result<Vec<u8>, LayoutError> {
        let lines = report_lines(
            report,
            shifts,
            &self.store.rules.currency,
            self.width(),
            self.local,
        );
        let mut p = self.printer()?;
        self.header(&mut p)?;
        self.line(&mut p, &format!("terminal {}", self.store.terminal))?;
        self.mark(&mut p, copy)?;
        self.line(&mut p, &self.rule())?;
        if let Some((title, rest)) = lines.split_first() {
            p.bold(true)?;
            self.line(&mut p, title)?;
            p.bold(false)?;
            for line in rest {
                self.line(&mut p, line)?;
            }
        }
        self.line(&mut p, &self.rule())?;
        self.finish(p, false)
    }
}
