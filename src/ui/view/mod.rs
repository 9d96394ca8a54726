//! Drawing the till: a frame from the app's state, nothing else. This file
//! lays the frame out (title, the screen in front, input line, message,
//! status bar, key hints, any popup); the screens and popups draw their own
//! parts. The files beside it draw what several screens show (the cart, the
//! totals, the status bar) and hold no keys: parts with keys are in `widget`.

pub mod cart;
mod status;
pub mod totals;

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::app::{App, Tone};
use super::overlay;

/// The smallest terminal the till lays out in: the Linux console's 80x24.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// The most rows a message takes: at 80x24 the screen above keeps 14 rows.
/// Messages are bounded well below 4 x 80 characters.
const MAX_MESSAGE_ROWS: usize = 4;

/// Whether a window of this size shows the till; a smaller one shows only
/// "Enlarge the window", and nothing typed in it may act unseen.
pub fn fits(width: u16, height: u16) -> bool {
    width >= MIN_WIDTH && height >= MIN_HEIGHT
}

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if !fits(area.width, area.height) {
        let mut text = format!(
            "Enlarge the window: the till needs at least {MIN_WIDTH}x{MIN_HEIGHT}, this one is {}x{}.",
            area.width, area.height
        );
        match app.held_scans.len() {
            0 => {}
            1 => text += " 1 scan waits for it.",
            n => text += &format!(" {n} scans wait for it."),
        }
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
    let message = message(app);
    // A long message wraps, taking rows from the screen above it, never cut
    // at the right edge (the engine's refusals say what to do, at the end).
    let message_rows = message.as_ref().map_or(1, |m| {
        let width = area.width.saturating_sub(MESSAGE_INDENT);
        u16::try_from(m.line_count(width).clamp(1, MAX_MESSAGE_ROWS)).unwrap_or(1)
    });
    let [title, main, input, message_area, status_bar, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(5),
        Constraint::Length(3),
        Constraint::Length(message_rows),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_title(frame, app, title);
    app.screen.draw(frame, app, main);
    draw_input(frame, app, input);
    if let Some(message) = message {
        frame.render_widget(message, message_area);
    }
    status::draw(frame, app, status_bar);
    status::hints(frame, app, hints);
    overlay::draw(frame, app, area);
}

fn draw_title(frame: &mut Frame, app: &App, area: Rect) {
    let s = app.settings();
    let screen = app.screen.title(app);
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
    let (label, shown) = match app.screen.input_line(app) {
        // A refused entry shows selected: the next key replaces it.
        Some((label, text)) if app.input_selected() => (
            label,
            Line::from(vec![
                Span::raw("> "),
                Span::styled(text, app.theme.selection),
                Span::raw("▏"),
            ]),
        ),
        Some((label, text)) => (label, Line::from(format!("> {text}▏"))),
        None => ("", Line::default()),
    };
    let block = Block::bordered()
        .title(label)
        .border_style(app.theme.border)
        .title_style(app.theme.muted);
    frame.render_widget(
        Paragraph::new(shown).style(app.theme.input).block(block),
        area,
    );
}

/// Columns the message is set in from the left edge, on every row it wraps onto.
const MESSAGE_INDENT: u16 = 1;

/// The message under the input line, wrapped to the screen's width.
fn message(app: &App) -> Option<Paragraph<'static>> {
    let m = app.message.as_ref()?;
    let style = match m.tone {
        Tone::Info => app.theme.text,
        Tone::Error => app.theme.error,
        Tone::Success => app.theme.success,
    };
    Some(
        Paragraph::new(m.text.clone())
            .style(style)
            .block(Block::new().padding(ratatui::widgets::Padding::left(MESSAGE_INDENT)))
            .wrap(Wrap { trim: false }),
    )
}

/// A table cell aligned right: amounts and counts.
pub fn right(text: String) -> ratatui::widgets::Cell<'static> {
    ratatui::widgets::Cell::from(Line::from(text).right_aligned())
}

/// A bordered panel with a title, in the theme's colours: every box on screen.
pub fn panel<'a>(app: &App, title: impl Into<ratatui::text::Line<'a>>) -> Block<'a> {
    Block::bordered()
        .title(title)
        .border_style(app.theme.border)
        .title_style(app.theme.title)
}

/// A box of `width` x `height` in the middle of `area`, for popups.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}
