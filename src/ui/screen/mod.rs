//! The screens of the till, one file each, each with its own keys and its own
//! drawing. This file says which screen is in front and hands it the key or
//! the frame; a screen changes what is in front by setting `app.screen`.
//! Popups over a screen are in `overlay`; parts that more than one screen
//! shows are in `view` (drawing only) and `widget` (with keys).

pub mod back_office;
pub mod customer_entry;
pub mod customers;
pub mod day_report;
pub mod held;
pub mod login;
pub mod lookup;
pub mod manager;
pub mod payment;
pub mod refund;
pub mod sale;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use self::customers::CustomerList;
use self::day_report::ReportView;
use self::held::HeldList;
use self::lookup::ProductList;
use self::manager::ManagerView;
use self::refund::RefundView;
use super::action::{Action, Section};
use super::app::{App, EventState};
use super::view::{cart, totals};
use super::widget::credentials::Credentials;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Login(Credentials),
    Sale,
    /// Lane 0: what the back office is for, instead of a sale.
    BackOffice,
    /// An X or Z report, in full.
    Report(Box<ReportView>),
    Payment,
    Lookup(ProductList),
    Customers(CustomerList),
    Recall(HeldList),
    Refund(Box<RefundView>),
    Manager(Box<ManagerView>),
}

/// The totals panel's width beside the cart.
const SIDE_WIDTH: u16 = 30;

/// The lists (products, customers, held sales): pick, move, back.
const LIST_HINTS: &[Action] = &[
    Action::Help,
    Action::Submit,
    Action::Up,
    Action::Down,
    Action::Back,
];

/// Hands an action to the screen in front.
pub fn act(app: &mut App, action: Action) {
    match app.screen {
        Screen::Login(_) => login::act(app, action),
        Screen::Sale => sale::act(app, action),
        Screen::BackOffice => back_office::act(app, action),
        Screen::Report(_) => day_report::act(app, action),
        Screen::Payment => payment::act(app, action),
        Screen::Lookup(_) => ProductList::act(app, action),
        Screen::Customers(_) => CustomerList::act(app, action),
        Screen::Recall(_) => held::act(app, action),
        Screen::Refund(_) => refund::act(app, action),
        Screen::Manager(_) => manager::act(app, action),
    }
}

/// A typed character: the screens with a field of their own take it; on the
/// others it goes to the shared input line.
pub fn type_char(app: &mut App, c: char) -> EventState {
    match &mut app.screen {
        Screen::Login(form) => form.push(c),
        Screen::Lookup(_) => ProductList::type_char(app, c),
        Screen::Customers(_) => CustomerList::type_char(app, c),
        _ => return EventState::NotConsumed,
    }
    EventState::Consumed
}

impl Screen {
    /// The keymap section that applies here.
    pub fn section(&self) -> Section {
        match self {
            Screen::Sale | Screen::Refund(_) | Screen::BackOffice => Section::Sale,
            Screen::Payment => Section::Payment,
            Screen::Manager(_) => Section::Manager,
            _ => Section::Global,
        }
    }

    /// The screen's name in the title bar.
    pub fn title(&self, app: &App) -> &'static str {
        match self {
            Screen::Login(_) => login::TITLE,
            Screen::Sale => sale::TITLE,
            Screen::BackOffice => back_office::TITLE,
            Screen::Report(_) => day_report::TITLE,
            Screen::Payment => payment::title(app),
            Screen::Lookup(_) => lookup::TITLE,
            Screen::Customers(_) => customers::TITLE,
            Screen::Recall(_) => held::TITLE,
            Screen::Refund(_) => refund::TITLE,
            Screen::Manager(_) => manager::TITLE,
        }
    }

    /// The input line's title and text; none on the login, which has its own fields.
    pub fn input_line(&self, app: &App) -> Option<(&'static str, String)> {
        let (label, text) = match self {
            Screen::Login(_) => return None,
            Screen::Lookup(list) => (lookup::INPUT, list.query.clone()),
            Screen::Customers(list) => (customers::INPUT, list.query.clone()),
            Screen::Payment => (payment::INPUT, app.input.clone()),
            Screen::Refund(_) => (refund::INPUT, app.input.clone()),
            Screen::Manager(view) => (view.tab.hint(), view.shown_input(&app.input)),
            Screen::BackOffice => (back_office::INPUT, app.input.clone()),
            Screen::Report(_) => (day_report::INPUT, String::new()),
            Screen::Sale | Screen::Recall(_) => (sale::INPUT, app.input.clone()),
        };
        Some((label, text))
    }

    /// The keys worth a hint under the screen.
    pub fn hints(&self) -> &'static [Action] {
        match self {
            Screen::Login(_) => login::HINTS,
            Screen::Sale => sale::HINTS,
            Screen::BackOffice => back_office::HINTS,
            Screen::Report(_) => day_report::HINTS,
            Screen::Payment => payment::HINTS,
            Screen::Refund(_) => refund::HINTS,
            Screen::Lookup(_) | Screen::Recall(_) | Screen::Customers(_) => LIST_HINTS,
            Screen::Manager(_) => manager::HINTS,
        }
    }

    /// The screen's body, between the title and the input line. The screens of
    /// a sale show the totals beside them.
    pub fn draw(&self, frame: &mut Frame, app: &App, area: Rect) {
        let (left, right) = match self {
            Screen::Login(form) => return login::draw(frame, app, form, area),
            Screen::Manager(view) => return view.draw(frame, app, area),
            Screen::BackOffice => return back_office::draw(frame, app, area),
            Screen::Report(view) => return view.draw(frame, app, area),
            _ => {
                let [left, right] =
                    Layout::horizontal([Constraint::Min(40), Constraint::Length(SIDE_WIDTH)])
                        .areas(area);
                (left, right)
            }
        };
        match self {
            Screen::Lookup(list) => list.draw(frame, app, left),
            Screen::Customers(list) => list.draw(frame, app, left),
            Screen::Recall(list) => list.draw(frame, app, left),
            Screen::Refund(view) => view.draw(frame, app, left),
            _ => cart::draw(frame, app, left),
        }
        totals::draw(frame, app, right);
    }
}
