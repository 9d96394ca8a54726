//! The login screen: user (name or operator number), then PIN. The engine
//! checks them; a lane busy on another screen is offered to a manager.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::Screen;
use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::view::{centered, panel};
use crate::ui::widget::credentials::Credentials;

pub const TITLE: &str = "LOG IN";
pub const HINTS: &[Action] = &[Action::Submit, Action::Help, Action::Quit];

pub fn act(app: &mut App, action: Action) {
    let Screen::Login(form) = &mut app.screen else {
        return;
    };
    match action {
        Action::Submit if !form.on_pin => form.on_pin = true,
        Action::Submit => {
            let (user, pin) = (form.user.trim().to_string(), form.pin.clone());
            if !app.log_in(&user, &pin)
                && let Screen::Login(form) = &mut app.screen
            {
                form.pin.clear();
            }
        }
        Action::Erase => form.erase(),
        Action::Up | Action::Down => form.switch(),
        Action::Back => *form = Credentials::default(),
        _ => {}
    }
}

pub fn draw(frame: &mut Frame, app: &App, form: &Credentials, area: Rect) {
    let t = &app.theme;
    let lines = vec![
        Line::raw(""),
        form.user_line(t, "User", 6),
        Line::raw(""),
        form.pin_line(t, 6),
        Line::raw(""),
        Line::styled("  Enter: next / log in   Up/Down: switch field", t.muted),
    ];
    let block = panel(app, " Log in ");
    frame.render_widget(Paragraph::new(lines).block(block), centered(area, 50, 9));
}
