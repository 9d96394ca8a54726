//! Drawing the till: a frame from the app's state, nothing else. Each part of
//! the screen has its own file; this one lays them out.

mod cart;
mod lists;
mod login;
mod manager;
mod overlays;
mod status;
mod totals;

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::app::{App, Overlay, Screen, Tone};

/// The smallest terminal the till lays out in: the Linux console's 80x24.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// The totals panel's width beside the cart.
const SIDE_WIDTH: u16 = 30;

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "Enlarge the window: the till needs at least {MIN_WIDTH}x{MIN_HEIGHT}, this one is {}x{}.",
            area.width, area.height
        );
        let [middle] = Layout::vertical([Constraint::Length(3)])
            .flex(Flex::Center)
            .areas(area);
        frame.render_widget(
            Paragraph::new(text)
                .style(app.theme.error)
                .centered()
                .wrap(Default::default()),
            middle,
        );
        return;
    }
    let [title, main, input, message, status_bar, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(5),
        Constraint::Length(3),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_title(frame, app, title);
    match &app.screen {
        Screen::Login(form) => login::draw(frame, app, form, main),
        Screen::Manager(view) => manager::draw(frame, app, view, main),
        screen => {
            let [left, right] =
                Layout::horizontal([Constraint::Min(40), Constraint::Length(SIDE_WIDTH)])
                    .areas(main);
            match screen {
                Screen::Lookup(list) => lists::lookup(frame, app, list, left),
                Screen::Customers(list) => lists::customers(frame, app, list, left),
                Screen::Recall(list) => lists::recall(frame, app, list, left),
                Screen::Refund(view) => cart::refund(frame, app, view, left),
                _ => cart::draw(frame, app, left),
            }
            totals::draw(frame, app, right);
        }
    }
    draw_input(frame, app, input);
    draw_message(frame, app, message);
    status::draw(frame, app, status_bar);
    status::hints(frame, app, hints);
    match &app.overlay {
        Some(Overlay::Help) => overlays::help(frame, app, area),
        Some(Overlay::Approval(prompt)) => overlays::approval(frame, app, prompt, area),
        Some(Overlay::Confirm { question, .. }) => overlays::confirm(frame, app, question, area),
        None => {}
    }
}

fn draw_title(frame: &mut Frame, app: &App, area: Rect) {
    let s = app.settings();
    let screen = match &app.screen {
        Screen::Login(_) => "LOG IN",
        Screen::Sale => "SALE",
        Screen::Payment if app.cart.as_ref().is_some_and(|(s, _)| s.is_refund()) => {
            "PAY OUT REFUND"
        }
        Screen::Payment => "PAYMENT",
        Screen::Lookup(_) => "FIND PRODUCT",
        Screen::Customers(_) => "CUSTOMER",
        Screen::Recall(_) => "HELD SALES",
        Screen::Refund(_) => "REFUND",
        Screen::Manager(_) => "MANAGER",
    };
    let left = format!(" {} · {} · lane {}", s.store_name, s.terminal, app.lane());
    let pad = (area.width as usize).saturating_sub(left.chars().count() + screen.len() + 1);
    let line = Line::from(vec![
        Span::styled(left, app.theme.title),
        Span::raw(" ".repeat(pad)),
        Span::styled(format!("{screen} "), app.theme.title),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_input(frame: &mut Frame, app: &App, area: Rect) {
    let (label, text) = match &app.screen {
        Screen::Login(_) => ("", String::new()),
        Screen::Lookup(list) => (" Name or code ", list.query.clone()),
        Screen::Customers(list) => (
            " Find · +name; phone; email; tax no; address · =field value · - takes off ",
            list.query.clone(),
        ),
        Screen::Payment => (" Amount (Enter: cash, empty: exact) ", app.input.clone()),
        Screen::Refund(_) => (" Quantity to refund (empty: 1) ", app.input.clone()),
        Screen::Manager(view) => (view.tab.hint(), app.input.clone()),
        _ => (" Code, 3*code, quantity, 10% or amount ", app.input.clone()),
    };
    let block = Block::bordered()
        .title(label)
        .border_style(app.theme.border)
        .title_style(app.theme.muted);
    let shown = if matches!(app.screen, Screen::Login(_)) {
        String::new()
    } else {
        format!("> {text}▏")
    };
    frame.render_widget(
        Paragraph::new(shown).style(app.theme.input).block(block),
        area,
    );
}

fn draw_message(frame: &mut Frame, app: &App, area: Rect) {
    let Some(m) = &app.message else { return };
    let style = match m.tone {
        Tone::Info => app.theme.text,
        Tone::Error => app.theme.error,
        Tone::Success => app.theme.success,
    };
    frame.render_widget(Paragraph::new(format!(" {}", m.text)).style(style), area);
}

/// A table cell aligned right: amounts and counts.
fn right(text: String) -> ratatui::widgets::Cell<'static> {
    ratatui::widgets::Cell::from(Line::from(text).right_aligned())
}

/// A bordered panel with a title, in the theme's colours: every box on screen.
fn panel<'a>(app: &App, title: impl Into<ratatui::text::Line<'a>>) -> Block<'a> {
    Block::bordered()
        .title(title)
        .border_style(app.theme.border)
        .title_style(app.theme.title)
}

/// A box of `width` x `height` in the middle of `area`, for popups.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}
