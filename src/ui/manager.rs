//! The manager's screens: products (search, change a price), stock (adjust
//! with a reason, low stock first), today's reports, the journal and the sync
//! state. Each change is an engine command, journaled with who and when.

use chrono::{Local, NaiveDate};

use crate::domain::product::Product;
use crate::domain::stock::StockRow;
use crate::domain::takings::SalesReport;
use crate::domain::user::UserSummary;
use crate::engine::api::TillApi;
use crate::engine::{EngineError, SessionId};
use crate::store::journal::JournalRecord;
use crate::store::outbox::SyncStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Products,
    Stock,
    Users,
    Reports,
    Journal,
    Sync,
}

impl Tab {
    pub const ALL: [Tab; 6] = [
        Tab::Products,
        Tab::Stock,
        Tab::Users,
        Tab::Reports,
        Tab::Journal,
        Tab::Sync,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Products => "Products",
            Tab::Stock => "Stock",
            Tab::Users => "Users",
            Tab::Reports => "Reports",
            Tab::Journal => "Journal",
            Tab::Sync => "Sync",
        }
    }

    /// What typing and Enter do here, for the input line's title.
    pub fn hint(self) -> &'static str {
        match self {
            Tab::Products => {
                " find: name or code; for the selected: 1.79 (price), tax red, +code N, -code N "
            }
            Tab::Stock => {
                " for the selected: -2 broken (with why), recv DN-1001 12 (a delivery), reorder 5 "
            }
            Tab::Users => " add NAME ROLE PIN / pin NEWPIN / disable / enable (the selected user) ",
            Tab::Reports => {
                " a day (2026-11-23) or two (from to) and Enter: the report for those days "
            }
            Tab::Journal | Tab::Sync => " Tab: next screen   Esc: back to the sale ",
        }
    }

    pub fn step(self, forward: bool) -> Tab {
        let i = Tab::ALL.iter().position(|t| *t == self).unwrap_or(0);
        let n = Tab::ALL.len();
        Tab::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

/// What the manager screen shows, fetched from the engine for the tab in front.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagerView {
    pub tab: Tab,
    pub selected: usize,
    pub query: String,
    pub products: Vec<Product>,
    pub stock: Vec<StockRow>,
    pub users: Vec<UserSummary>,
    pub report: Option<SalesReport>,
    /// The days the report covers; today if none was typed.
    pub range: Option<(NaiveDate, NaiveDate)>,
    pub journal: Vec<JournalRecord>,
    pub sync: Option<SyncStatus>,
}

impl ManagerView {
    pub fn new() -> ManagerView {
        ManagerView {
            tab: Tab::Products,
            selected: 0,
            query: String::new(),
            products: Vec::new(),
            stock: Vec::new(),
            users: Vec::new(),
            report: None,
            range: None,
            journal: Vec::new(),
            sync: None,
        }
    }

    /// Fetches what the tab shows.
    pub fn load(&mut self, api: &mut dyn TillApi, session: SessionId) -> Result<(), EngineError> {
        match self.tab {
            Tab::Products => self.products = api.search(session, &self.query, 200)?,
            Tab::Stock => {
                let mut rows = api.stock(session, false)?;
                // Low stock first, then the rest by name.
                rows.sort_by(|a, b| {
                    b.level
                        .is_low()
                        .cmp(&a.level.is_low())
                        .then(a.name.cmp(&b.name))
                });
                self.stock = rows;
            }
            Tab::Users => self.users = api.users(session)?,
            Tab::Reports => {
                let today = Local::now().date_naive();
                let (from, to) = self.range.unwrap_or((today, today));
                self.report = Some(api.sales_report(session, from, to)?);
            }
            Tab::Journal => self.journal = api.journal(session, 200)?,
            Tab::Sync => self.sync = api.sync_status(),
        }
        self.selected = self.selected.min(self.rows().saturating_sub(1));
        Ok(())
    }

    /// Rows the selection moves over on this tab.
    pub fn rows(&self) -> usize {
        match self.tab {
            Tab::Products => self.products.len(),
            Tab::Stock => self.stock.len(),
            Tab::Users => self.users.len(),
            Tab::Journal => self.journal.len(),
            Tab::Reports | Tab::Sync => 0,
        }
    }
}

impl Default for ManagerView {
    fn default() -> Self {
        ManagerView::new()
    }
}
