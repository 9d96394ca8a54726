//! The status bar and the key hints under it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ui::action::{Action, Section};
use crate::ui::app::App;

/// Who, where, and the state of everything the till depends on.
pub fn draw(frame: &mut Frame, app: &App, area: Rect) {
    let clock = app.now().format("%H:%M:%S").to_string();
    // The clock always shows; on a narrow screen the left part gives way.
    let room = (area.width as usize).saturating_sub(clock.len() + 2);
    let left = fit(&forms(app), room);
    let pad = (area.width as usize).saturating_sub(left.chars().count() + clock.len() + 1);
    let text = format!("{left}{}{clock} ", " ".repeat(pad));
    frame.render_widget(Paragraph::new(text).style(app.theme.status), area);
}

/// The bar's parts in full, then shorter and shorter: first the terminal
/// goes (the title bar names it), then how long the oldest entry has waited
/// for head office (the Sync tab says). Who is logged in, the devices and
/// what waits for head office stay.
fn forms(app: &App) -> Vec<Vec<String>> {
    let user = app.user.clone().unwrap_or_else(|| "logged out".into());
    let devices = app.devices.get();
    let sync = app.sync_status();
    let hq = sync
        .as_ref()
        .map(|s| s.summary(app.now().with_timezone(&chrono::Utc)))
        .unwrap_or_else(|| "HQ ?".to_string());
    let hq_brief = sync
        .as_ref()
        .map(|s| s.brief())
        .unwrap_or_else(|| "HQ ?".to_string());
    let terminal = app.settings().terminal.clone();
    let (printer, scanner) = (devices.printer, devices.scanner);
    vec![
        vec![
            user.clone(),
            terminal,
            printer.clone(),
            scanner.clone(),
            hq.clone(),
        ],
        vec![user.clone(), printer.clone(), scanner.clone(), hq],
        vec![user, printer, scanner, hq_brief],
    ]
}

/// The first of `forms` that fits in `room` columns. Narrower than the
/// shortest, it is cut, and the cut is shown (`…`), so a part never looks
/// whole when it is not.
fn fit(forms: &[Vec<String>], room: usize) -> String {
    let joined = |parts: &Vec<String>| format!(" {}", parts.join(" │ "));
    if let Some(fits) = forms
        .iter()
        .map(joined)
        .find(|line| line.chars().count() <= room)
    {
        return fits;
    }
    let shortest = forms.last().map(joined).unwrap_or_default();
    let mut cut: String = shortest.chars().take(room.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The keys that matter on this screen, from the live keymap, as many as fit.
pub fn hints(frame: &mut Frame, app: &App, area: Rect) {
    let actions = app.screen.hints();
    let mut spans = Vec::new();
    let mut width = 0usize;
    for action in actions {
        let keys = app.keymap.keys(*action);
        let Some(key) = keys.first() else { continue };
        let key = key.label();
        let name = short_name(*action, app.section());
        let len = key.len() + name.len() + 2;
        if width + len > area.width as usize {
            break;
        }
        width += len;
        spans.push(Span::styled(format!(" {key}"), app.theme.key));
        spans.push(Span::styled(format!(" {name}"), app.theme.muted));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// An action as the key bar names it: a word or two a cashier reads, not
/// the keymap's identifier ("X report", not "x_report").
fn short_name(action: Action, section: Section) -> std::borrow::Cow<'static, str> {
    let name = match (action, section) {
        (Action::Submit, Section::Payment) => "cash",
        (Action::PayCard, _) => "card",
        (Action::PayOther, _) => "other",
        (Action::Submit, _) => "ok",
        (Action::LineDiscount, _) => "line %",
        (Action::SaleDiscount, _) => "sale %",
        (Action::Quantity, _) => "qty",
        (Action::NextTab, _) => "next screen",
        (Action::Manager, _) => "manager screens",
        (Action::XReport, _) => "X report",
        (Action::ZReport, _) => "Z report",
        (a, _) => return a.name().replace('_', " ").into(),
    };
    name.into()
}

#[cfg(test)]
mod tests {
    use super::fit;

    fn forms() -> Vec<Vec<String>> {
        let parts = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        vec![
            parts(&[
                "cashier",
                "T01",
                "no printer",
                "scanner kbd",
                "HQ failing: 7 unsent, 3h",
            ]),
            parts(&[
                "cashier",
                "no printer",
                "scanner kbd",
                "HQ failing: 7 unsent",
            ]),
        ]
    }

    #[test]
    fn the_fullest_form_that_fits_is_shown_whole() {
        assert_eq!(
            fit(&forms(), 70),
            " cashier │ T01 │ no printer │ scanner kbd │ HQ failing: 7 unsent, 3h"
        );
        assert_eq!(
            fit(&forms(), 60),
            " cashier │ no printer │ scanner kbd │ HQ failing: 7 unsent"
        );
    }

    #[test]
    fn narrower_than_the_shortest_the_cut_is_shown() {
        let line = fit(&forms(), 30);
        assert_eq!(line.chars().count(), 30);
        assert!(line.ends_with('…'), "{line}");
    }
}
