//! The manager's screens: products (search, change a price), stock (adjust
//! with a reason, low stock first), users, reports, the journal and the sync
//! state. Each tab has its own file, with what Enter does there and how it
//! is drawn; this one holds what the screen fetched and steps between tabs.
//! Each change is an engine command, journaled with who and when.

mod journal;
mod products;
mod reports;
mod stock;
mod sync;
pub mod tab;
mod users;

use chrono::{Local, NaiveDate};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Row, Table, TableState, Tabs};

pub use self::tab::Tab;
use super::Screen;
use crate::domain::product::Product;
use crate::domain::stock::StockRow;
use crate::domain::takings::SalesReport;
use crate::domain::user::UserSummary;
use crate::engine::api::TillApi;
use crate::engine::{EngineError, SessionId};
use crate::store::journal::JournalRecord;
use crate::store::outbox::SyncStatus;
use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::view::panel;
use crate::ui::widget::step;

pub const TITLE: &str = "MANAGER";
pub const HINTS: &[Action] = &[
    Action::Help,
    Action::NextTab,
    Action::Submit,
    Action::Up,
    Action::Down,
    Action::Back,
];

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
                // The selection stays on its product when a change re-sorts
                // the list (a product no longer low moves down).
                let before = self.stock.get(self.selected).map(|r| r.sku.clone());
                let mut rows = api.stock(session, false)?;
                rows.retain(|r| stock::found(r, &self.query));
                // Low stock first, then the rest by name.
                rows.sort_by(|a, b| {
                    b.level
                        .is_low()
                        .cmp(&a.level.is_low())
                        .then(a.name.cmp(&b.name))
                });
                if let Some(at) = before.and_then(|sku| rows.iter().position(|r| r.sku == sku)) {
                    self.selected = at;
                }
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

    /// The typed line as this tab shows it: a PIN on the Users tab as dots.
    pub fn shown_input(&self, typed: &str) -> String {
        match self.tab {
            Tab::Users => users::masked(typed),
            _ => typed.to_string(),
        }
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

/// From the sale: the manager's screens, on the first tab.
pub fn open(app: &mut App) {
    let mut view = ManagerView::new();
    let Some(session) = app.session else { return };
    if let Err(e) = view.load(app.engine, session) {
        return app.error(e.to_string());
    }
    app.input.clear();
    app.screen = Screen::Manager(Box::new(view));
}

pub fn act(app: &mut App, action: Action) {
    let Screen::Manager(view) = &mut app.screen else {
        return;
    };
    let typed = app.input.trim().to_string();
    match action {
        Action::Back if !typed.is_empty() => app.input.clear(),
        Action::Back => {
            app.screen = app.home();
            return;
        }
        Action::NextTab | Action::PrevTab => {
            view.tab = view.tab.step(action == Action::NextTab);
            view.selected = 0;
            // A search is the tab's own: the next tab shows all it has.
            view.query.clear();
            app.input.clear();
        }
        Action::Up | Action::Down | Action::PageUp | Action::PageDown => {
            view.selected = step(view.selected, view.rows(), action)
        }
        Action::Erase => {
            app.input.pop();
        }
        Action::Submit => match view.tab {
            Tab::Products => products::submit(app, typed),
            Tab::Stock => stock::submit(app, &typed),
            Tab::Users => users::submit(app, &typed),
            Tab::Reports => reports::submit(app, &typed),
            Tab::Journal | Tab::Sync => {}
        },
        _ => {}
    }
    reload(app);
}

/// After each key the tab shows what the engine has now. A command may have
/// ended the session: then the login shows, not this.
fn reload(app: &mut App) {
    let (Screen::Manager(view), Some(session)) = (&mut app.screen, app.session) else {
        return;
    };
    if let Err(e) = view.load(app.engine, session) {
        app.error(e.to_string());
    }
}

/// The manager's view, if it is in front.
fn view<'a>(app: &'a mut App<'_>) -> Option<&'a mut ManagerView> {
    match &mut app.screen {
        Screen::Manager(view) => Some(view),
        _ => None,
    }
}

impl ManagerView {
    pub fn draw(&self, frame: &mut Frame, app: &App, area: Rect) {
        let [tabs, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(area);
        let titles: Vec<&str> = Tab::ALL.iter().map(|t| t.title()).collect();
        let selected = Tab::ALL.iter().position(|t| *t == self.tab);
        frame.render_widget(
            Tabs::new(titles)
                .select(selected)
                .style(app.theme.muted)
                .highlight_style(app.theme.selection),
            tabs,
        );
        let mut state =
            TableState::default().with_selected((self.rows() > 0).then_some(self.selected));
        let table = match self.tab {
            Tab::Products => products::table(app, self),
            Tab::Stock => stock::table(app, self),
            Tab::Users => users::table(app, self),
            Tab::Journal => journal::table(app, self),
            Tab::Reports => return reports::draw(frame, app, self, body),
            Tab::Sync => return sync::draw(frame, app, self, body),
        };
        frame.render_stateful_widget(table, body, &mut state);
    }
}

/// A tab's table: its rows under column heads, the selected one marked.
fn table(
    app: &App,
    rows: Vec<Row<'static>>,
    widths: &[Constraint],
    head: &[&'static str],
    title: String,
) -> Table<'static> {
    Table::new(rows, widths.iter().copied())
        .header(Row::new(head.iter().copied()).style(app.theme.muted))
        .block(panel(app, title))
        .row_highlight_style(app.theme.selection)
}
