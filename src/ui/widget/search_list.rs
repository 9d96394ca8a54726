//! A list found as the cashier types: the query, what it found, the selected
//! row. Typing and erasing search again, Up and Down move the selection,
//! Esc goes back to the sale, Enter hands the selection to the list's
//! `Source`. Each list (products, customers) is a `Source`: what a query
//! finds, what Enter does, how a row looks. The engine does the finding.

use std::fmt::Debug;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Row, Table, TableState};

use super::step;
use crate::engine::EngineError;
use crate::ui::action::Action;
use crate::ui::app::{App, Screen};
use crate::ui::view::panel;

/// How many rows a search asks the engine for.
pub const LIMIT: usize = 50;

pub trait Source: Debug + Clone + PartialEq + Eq + Sized {
    type Item: Debug + Clone + PartialEq + Eq;

    /// The column heads and widths of the table.
    const HEADER: &'static [&'static str];
    const WIDTHS: &'static [Constraint];

    /// The screen that shows this list.
    fn screen(list: SearchList<Self>) -> Screen;

    /// This list, if it is the screen in front.
    fn slot(screen: &mut Screen) -> Option<&mut SearchList<Self>>;

    /// What `query` finds; `None` leaves the list as it is.
    fn find(app: &mut App, query: &str) -> Option<Result<Vec<Self::Item>, EngineError>>;

    /// Enter, with what was typed and the selected row.
    fn submit(app: &mut App, query: &str, selected: Option<Self::Item>, source: &Self);

    fn row(app: &App, item: &Self::Item) -> Row<'static>;

    fn title(&self, found: usize) -> String;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchList<S: Source> {
    pub query: String,
    pub results: Vec<S::Item>,
    pub selected: usize,
    /// What this list is a list of, and what it was opened with.
    pub source: S,
}

impl<S: Source> SearchList<S> {
    /// Puts the list in front, with what it finds for `query`.
    pub fn open(app: &mut App, query: String, source: S) {
        app.screen = S::screen(SearchList {
            query,
            results: Vec::new(),
            selected: 0,
            source,
        });
        Self::refresh(app);
    }

    pub fn act(app: &mut App, action: Action) {
        let Some(list) = S::slot(&mut app.screen) else {
            return;
        };
        match action {
            Action::Back => app.screen = Screen::Sale,
            Action::Up | Action::Down | Action::PageUp | Action::PageDown => {
                list.selected = step(list.selected, list.results.len(), action);
            }
            Action::Erase => {
                list.query.pop();
                Self::refresh(app);
            }
            Action::Submit => {
                let query = list.query.clone();
                let selected = list.results.get(list.selected).cloned();
                let source = list.source.clone();
                S::submit(app, &query, selected, &source);
            }
            _ => {}
        }
    }

    pub fn type_char(app: &mut App, c: char) {
        if let Some(list) = S::slot(&mut app.screen) {
            list.query.push(c);
            Self::refresh(app);
        }
    }

    /// Searches again for the query, from the top of what it finds.
    pub fn refresh(app: &mut App) {
        let Some(list) = S::slot(&mut app.screen) else {
            return;
        };
        let query = list.query.clone();
        match S::find(app, &query) {
            Some(Ok(found)) => {
                if let Some(list) = S::slot(&mut app.screen) {
                    list.results = found;
                    list.selected = 0;
                }
            }
            Some(Err(e)) => app.error(e.to_string()),
            None => {}
        }
    }

    pub fn draw(&self, frame: &mut Frame, app: &App, area: Rect) {
        let rows: Vec<Row> = self.results.iter().map(|i| S::row(app, i)).collect();
        let table = Table::new(rows, S::WIDTHS.iter().copied())
            .header(Row::new(S::HEADER.iter().copied()).style(app.theme.muted))
            .block(panel(app, self.source.title(self.results.len())))
            .row_highlight_style(app.theme.selection);
        let mut state = TableState::default()
            .with_selected((!self.results.is_empty()).then_some(self.selected));
        frame.render_stateful_widget(table, area, &mut state);
    }
}
