//! The customers screen, opened from a sale: find a customer as you type and
//! put them on the sale, add one, or correct the one selected (what the typed
//! line means is in `customer_entry`). The engine keeps the records and
//! decides who may see what.

use ratatui::layout::Constraint;
use ratatui::widgets::{Cell, Row};

use super::Screen;
use super::customer_entry::{self, Typed};
use crate::domain::customer::Customer;
use crate::engine::{Command, EngineError, Event};
use crate::ui::app::App;
use crate::ui::widget::search_list::{LIMIT, SearchList, Source};

pub const TITLE: &str = "CUSTOMER";
pub const INPUT: &str =
    " Find · +name; phone; email; tax no; address · =field value · - takes off ";

pub type CustomerList = SearchList<Customers>;

/// The shop's customers, searched by the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customers;

impl Source for Customers {
    type Item = Customer;

    const HEADER: &'static [&'static str] = &["No", "Name", "Phone or email", "Tax no"];
    const WIDTHS: &'static [Constraint] = &[
        Constraint::Length(5),
        Constraint::Fill(2),
        Constraint::Fill(1),
        Constraint::Length(13),
    ];

    fn screen(list: CustomerList) -> Screen {
        Screen::Customers(list)
    }

    fn slot(screen: &mut Screen) -> Option<&mut CustomerList> {
        match screen {
            Screen::Customers(list) => Some(list),
            _ => None,
        }
    }

    /// Only a search searches; too short a one leaves the list as it was, so
    /// the customer found stays selected while a correction is typed.
    fn find(app: &mut App, query: &str) -> Option<Result<Vec<Customer>, EngineError>> {
        let session = app.session?;
        let Ok(Typed::Search(query)) = customer_entry::parse(query) else {
            return None;
        };
        let trimmed = query.trim();
        if trimmed.chars().count() < crate::engine::customers::MIN_QUERY
            && !trimmed.starts_with('#')
        {
            return None;
        }
        Some(app.engine.customers(session, &query, LIMIT))
    }

    fn submit(app: &mut App, query: &str, selected: Option<Customer>, _: &Customers) {
        let Some(command) = command(app, query, selected) else {
            return;
        };
        let adding = matches!(command, Command::AddCustomer { .. });
        let attaching = matches!(command, Command::AttachCustomer { .. });
        let Some(events) = app.run_for_events(command) else {
            return;
        };
        // A new customer goes straight onto the sale.
        let added = events.iter().find_map(|e| match e {
            Event::Customer(c) if adding => Some(c.id),
            _ => None,
        });
        if let Some(id) = added {
            app.run(Command::AttachCustomer { id: Some(id) });
        }
        if attaching || added.is_some() {
            app.screen = Screen::Sale;
            return;
        }
        if let Some(list) = Self::slot(&mut app.screen) {
            list.query.clear();
        }
        CustomerList::refresh(app);
    }

    fn row(_: &App, c: &Customer) -> Row<'static> {
        let contact = c.contact.clone().unwrap_or_default();
        let reach = contact.phone.or(contact.email).unwrap_or_default();
        Row::new([
            Cell::from(format!("#{}", c.id)),
            Cell::from(contact.name),
            Cell::from(reach),
            Cell::from(contact.tax_number.unwrap_or_default()),
        ])
    }

    fn title(&self, found: usize) -> String {
        format!(" Customers ({found} found) ")
    }
}

/// The command Enter sends for what was typed; none (and why) if it cannot.
fn command(app: &mut App, query: &str, selected: Option<Customer>) -> Option<Command> {
    match customer_entry::parse(query) {
        Ok(Typed::Search(_)) => selected.map(|c| Command::AttachCustomer { id: Some(c.id) }),
        Ok(Typed::Detach) => Some(Command::AttachCustomer { id: None }),
        Ok(Typed::Add(contact)) => Some(Command::AddCustomer {
            contact,
            consent: Default::default(),
        }),
        Ok(Typed::Correct { field, value }) => match selected {
            Some(c) => Some(Command::CorrectCustomer {
                id: c.id,
                contact: field.set(c.contact.unwrap_or_default(), value),
                consent: c.consent,
            }),
            None => {
                app.error("select the customer to correct first");
                None
            }
        },
        Err(e) => {
            app.error(e);
            None
        }
    }
}
