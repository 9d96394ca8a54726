//! The till screen's key handling with real timing: keys go through the
//! keyboard-wedge detector with made-up arrival times, as a scanner or a
//! person would produce them.

use crate::common;

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use till::ui::app::{App, Overlay, Screen};
use till::ui::keymap::Keymap;
use till::ui::theme::Theme;
use till::ui::wedge::WedgeConfig;

struct Clock(Instant);

impl Clock {
    fn after(&mut self, ms: u64) -> Instant {
        self.0 += Duration::from_millis(ms);
        self.0
    }
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// Sends `text` (with '\r' as Enter) with `gap_ms` between keys.
fn send(app: &mut App, clock: &mut Clock, text: &str, gap_ms: u64) {
    for c in text.chars() {
        let code = if c == '\r' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        };
        app.key(key(code), clock.after(gap_ms));
    }
}

fn logged_in<'e>(
    engine: &'e mut till::engine::Engine,
    keymap: Keymap,
    clock: &mut Clock,
) -> App<'e> {
    let mut app = App::new(
        engine,
        keymap,
        Theme::shipped_default(),
        WedgeConfig::default(),
        1,
    );
    send(&mut app, clock, "cashier\r1111\r", 200);
    assert_eq!(app.screen, Screen::Sale);
    app
}

fn lines(app: &App) -> usize {
    app.cart
        .as_ref()
        .map(|(s, _)| s.lines.iter().filter(|l| !l.voided).count())
        .unwrap_or(0)
}

#[test]
fn a_scan_goes_to_the_sale_even_from_the_search_box() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut clock = Clock(Instant::now());
    let mut app = logged_in(&mut engine, Keymap::shipped_default(), &mut clock);
    app.key(key(KeyCode::F(2)), clock.after(300));
    send(&mut app, &mut clock, "cho", 150);
    clock.after(300);
    send(&mut app, &mut clock, "4006381333931\r", 2);
    let Screen::Lookup(list) = &app.screen else {
        panic!("the lookup stays open")
    };
    assert_eq!(list.query, "cho", "the scan never reached the search box");
    assert_eq!(lines(&app), 1);
}

#[test]
fn slow_typing_is_typing_even_without_enter() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut clock = Clock(Instant::now());
    let mut app = logged_in(&mut engine, Keymap::shipped_default(), &mut clock);
    send(&mut app, &mut clock, "12", 200);
    app.tick(clock.after(100));
    assert_eq!(app.input, "12");
    // A fast "3*" then a code, typed or pasted, is typing too: quantity 3.
    app.input.clear();
    send(&mut app, &mut clock, "3*4006381333931\r", 1);
    let (sale, _) = app.cart.clone().expect("a cart");
    assert_eq!(sale.lines[0].quantity, rust_decimal::Decimal::from(3));
}

#[test]
fn a_burst_keeps_bound_characters_as_part_of_the_code() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut clock = Clock(Instant::now());
    // On this keymap "+" pays: inside a scan it must not.
    let mut app = logged_in(&mut engine, Keymap::load(Some("numpad")).0, &mut clock);
    send(&mut app, &mut clock, "4006381333931\r", 200);
    clock.after(300);
    send(&mut app, &mut clock, "40+12345\r", 2);
    assert_eq!(
        app.screen,
        Screen::Sale,
        "'+' inside a burst did not open payment"
    );
    assert!(
        app.message.as_ref().is_some_and(|m| m.text.contains("'+'")),
        "the code with '+' was refused: {:?}",
        app.message
    );
    assert_eq!(lines(&app), 1);
    // Pressed on its own, "+" does pay.
    app.key(key(KeyCode::Char('+')), clock.after(500));
    app.tick(clock.after(100));
    assert_eq!(app.screen, Screen::Payment);
}

#[test]
fn closing_help_never_acts_and_questions_block_scans() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut clock = Clock(Instant::now());
    let mut app = logged_in(&mut engine, Keymap::shipped_default(), &mut clock);
    send(&mut app, &mut clock, "4006381333931\r", 2);
    app.key(key(KeyCode::Enter), clock.after(300));
    assert_eq!(app.screen, Screen::Payment);
    app.key(key(KeyCode::F(1)), clock.after(300));
    app.key(key(KeyCode::Enter), clock.after(300));
    assert!(app.overlay.is_none());
    assert!(app.cart.is_some(), "Enter closed help and did not pay");
    app.key(key(KeyCode::Esc), clock.after(300));
    app.key(key(KeyCode::F(10)), clock.after(300));
    assert!(matches!(app.overlay, Some(Overlay::Confirm { .. })));
    send(&mut app, &mut clock, "9780306406157\r", 2);
    assert_eq!(lines(&app), 1, "no item slipped in under the question");
    app.key(key(KeyCode::Enter), clock.after(300));
    assert!(app.cart.is_none(), "Enter confirmed the void");
}

#[test]
fn the_selection_stays_where_the_cashier_put_it() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut clock = Clock(Instant::now());
    let mut app = logged_in(&mut engine, Keymap::shipped_default(), &mut clock);
    for code in ["4006381333931\r", "5901234123457\r", "9780306406157\r"] {
        send(&mut app, &mut clock, code, 2);
    }
    app.key(key(KeyCode::Up), clock.after(300));
    app.key(key(KeyCode::Up), clock.after(300));
    send(&mut app, &mut clock, "2", 300);
    app.key(key(KeyCode::F(7)), clock.after(300));
    app.key(key(KeyCode::F(6)), clock.after(300));
    let (sale, _) = app.cart.clone().expect("cart");
    assert_eq!(sale.lines[0].quantity, rust_decimal::Decimal::from(2));
    assert!(
        sale.lines[0].voided,
        "the void hit the line that was selected"
    );
    assert!(!sale.lines[2].voided);
}

/// While the window is too small nothing is shown, so typing does nothing,
/// however it is typed; a keyboard-wedge scanner's burst is a scan, held as
/// a serial scanner's is: counted on the "enlarge" screen, sold once the
/// window is large enough.
#[test]
fn a_wedge_scan_while_the_window_is_too_small_is_held_and_typing_does_nothing() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut clock = Clock(Instant::now());
    let mut app = logged_in(&mut engine, Keymap::shipped_default(), &mut clock);
    app.window(60, 20);
    // A code typed by hand and Enter would sell it, were it shown.
    send(&mut app, &mut clock, "4006381333931\r", 200);
    app.key(key(KeyCode::F(2)), clock.after(200));
    // Fast, but not a scan: a quantity and a code, typed or pasted.
    send(&mut app, &mut clock, "3*5901234123457\r", 1);
    send(&mut app, &mut clock, "12", 200);
    app.tick(clock.after(100));
    assert_eq!(app.screen, Screen::Sale, "F2 did not open the lookup");
    assert_eq!(app.input, "");
    assert_eq!(lines(&app), 0);
    assert!(app.held_scans.is_empty());

    clock.after(300);
    send(&mut app, &mut clock, "9780306406157\r", 2);
    let tiny = format!("{}", crate::screens::render(&app, 60, 20));
    assert!(tiny.contains("1 scan waits for it"), "{tiny}");
    assert_eq!(lines(&app), 0, "nothing is sold unseen");

    app.window(80, 24);
    let (sale, _) = app.cart.clone().expect("the held scan made a sale");
    let skus: Vec<&str> = sale.lines.iter().map(|l| l.sku.as_str()).collect();
    assert_eq!(skus.len(), 1, "{skus:?}");
    assert_eq!(sale.lines[0].quantity, rust_decimal::Decimal::ONE);
    assert!(app.held_scans.is_empty());
    let shown = format!("{}", crate::screens::render(&app, 80, 24));
    assert!(shown.contains("Paperback"), "{shown}");
}
