//! Every screen of the till drawn on ratatui's TestBackend and pinned by insta:
//! at 80x24 (the Linux console) and 120x40, in the default theme (text) and the
//! mono theme (text and styles). The app is driven from key strings, as a
//! cashier would type them.

use crate::common;

use chrono::{DateTime, Local, TimeZone};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use till::engine::Engine;
use till::ui::app::{App, Screen};
use till::ui::keymap::Keymap;
use till::ui::keys::Key;
use till::ui::theme::Theme;
use till::ui::view;
use till::ui::wedge::WedgeConfig;

fn ten_thirty() -> DateTime<Local> {
    Local
        .with_ymd_and_hms(2026, 11, 23, 10, 30, 0)
        .single()
        .expect("a valid time")
}

/// Types a key string: plain characters, and `<Name>` for named keys (`<Enter>`, `<F2>`).
pub(crate) fn keys(app: &mut App, text: &str) {
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some(end) = rest.find('>')
        {
            app.press(Key::parse(&rest[1..end]).expect("key name"));
            rest = &rest[end + 1..];
        } else {
            app.press(Key::parse(&c.to_string()).expect("char"));
            rest = &rest[c.len_utf8()..];
        }
    }
}

pub(crate) fn render(app: &App, width: u16, height: u16) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|f| view::draw(f, app)).expect("draw");
    terminal.backend().clone()
}

/// Pins the screen in all four forms.
fn snap(app: &mut App, name: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"\d{4}-\d{2}-\d{2}", "YYYY-MM-DD");
    settings.add_filter(r"\b\d\d:\d\d:\d\d\b", "HH:MM:SS");
    settings.add_filter(r"\b\d\d:\d\d\b", "HH:MM");
    settings.bind(|| {
        for (w, h) in [(80, 24), (120, 40)] {
            app.theme = Theme::shipped_default();
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(app, w, h));
            app.theme = Theme::load(Some("mono")).0;
            insta::assert_snapshot!(
                format!("{name}_{w}x{h}_mono"),
                format!("{:?}", render(app, w, h).buffer())
            );
        }
    });
    app.theme = Theme::shipped_default();
}

/// The till on lane 1 with the shipped keymap and theme, its clock at 10:30.
pub(crate) fn app(engine: &mut Engine) -> App<'_> {
    App::new(
        engine,
        Keymap::shipped_default(),
        Theme::shipped_default(),
        WedgeConfig::default(),
        1,
    )
    .with_clock(ten_thirty)
}

#[test]
fn every_screen() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut app = app(&mut engine);

    snap(&mut app, "login");
    keys(&mut app, "cashier<Enter>1112<Enter>");
    snap(&mut app, "login_wrong_pin");
    keys(&mut app, "cashier<Enter>1111<Enter>");
    keys(
        &mut app,
        "4006381333931<Enter>3*5901234123457<Enter>0.5*4011<Enter>10%<F8>",
    );
    snap(&mut app, "sale");
    keys(&mut app, "<F1>");
    snap(&mut app, "help_sale");
    keys(&mut app, "<Esc><Enter>5<F2>");
    snap(&mut app, "payment");
    keys(&mut app, "<F1>");
    snap(&mut app, "help_payment");
    keys(&mut app, "<Esc>20<Enter>");
    snap(&mut app, "completed");
    keys(&mut app, "<F2>choc");
    snap(&mut app, "lookup");
    keys(&mut app, "<Down><Enter>");
    keys(&mut app, "<F3>9780306406157<Enter><F3><F4>");
    snap(&mut app, "recall");
    keys(&mut app, "<Esc>1<F5>");
    snap(&mut app, "approval");
    keys(&mut app, "manager<Enter>9999<Enter><Down>2<Enter>");
    snap(&mut app, "refund");

    keys(&mut app, "<F10>");
    snap(&mut app, "confirm_void");
    keys(&mut app, "<Esc>");
    assert!(app.cart.is_some(), "any key but Enter keeps the refund");

    let tiny = render(&app, 60, 20);
    insta::assert_snapshot!("too_small_60x20", tiny);
}

/// A refund of part of a weighed line shows what is left whole in the Qty
/// column at 80 columns, and asking for more than is left names the line
/// by the number the screen shows (from 1), with what is left.
#[test]
fn a_partial_refund_is_shown_whole_and_named_by_its_line_number() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut app = app(&mut engine);
    keys(&mut app, "manager<Enter>9999<Enter>");
    keys(&mut app, "4006381333931<Enter>0.75*4011<Enter><Enter>");
    keys(&mut app, "<Enter>");
    assert!(text(&app).contains("CHANGE"), "{}", text(&app));
    keys(&mut app, "<Esc>1<F5>");
    keys(&mut app, "<Down>0.25<Enter>");
    let screen = text(&app);
    let row = screen
        .lines()
        .find(|l| l.contains("Bananas"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(row.contains("│2   0.75 -0.25 "), "{screen}");
    keys(&mut app, "<Down>0.75<Enter>");
    let screen = text(&app);
    assert!(
        screen.contains("only 0.50 of line #2 is left to refund, not 0.75"),
        "{screen}"
    );
}

/// A cashier's price override is checked before anyone is called over: a
/// price the till refuses is refused at once, and only a price it would
/// take asks for an approver.
#[test]
fn a_price_the_till_refuses_never_asks_for_an_approver() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut app = app(&mut engine);
    keys(&mut app, "cashier<Enter>1111<Enter>4006381333931<Enter>");
    keys(&mut app, "2000000000<Ctrl-p>");
    let screen = text(&app);
    assert!(
        screen.contains("2000000000 is not a price a till can set") && !screen.contains("approval"),
        "{screen}"
    );
    assert!(
        screen.lines().any(|l| l.starts_with("\" the currency)")),
        "a wrapped message keeps its indent on every row: {screen}"
    );
    keys(&mut app, "0.99<Ctrl-p>");
    let screen = text(&app);
    assert!(
        screen.contains("a price override needs a manager's approval"),
        "{screen}"
    );
}

/// The help overlay of each screen lists every action of that screen and the
/// global ones, each with the key the loaded keymap gives it.
#[test]
fn help_lists_every_action_with_its_keys() {
    use till::ui::action::Section;
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut app = app(&mut engine);
    app.keymap = Keymap::load(Some("numpad")).0;
    keys(&mut app, "cashier<Enter>1111<Enter>4006381333931<Enter>");
    // At 80x24 the list scrolls (Down) and every row is whole; at 120x40 it all shows.
    for (section, to_screen) in [(Section::Sale, ""), (Section::Payment, "<Enter>")] {
        keys(&mut app, to_screen);
        for (width, height) in [(120, 40), (80, 24)] {
            keys(&mut app, "<F1>");
            let mut screen = String::new();
            loop {
                let shown = format!("{}", render(&app, width, height));
                screen += &shown;
                if !shown.contains("more lines: Down") {
                    break;
                }
                keys(&mut app, "<Down>");
                assert!(app.overlay.is_some(), "Down scrolls, it does not close");
            }
            keys(&mut app, "<Esc>");
            assert_shows_every_action(&app, section, &screen);
        }
    }
}

/// Every action of `section` and the global ones is on `screen`, whole,
/// on one row with its keys.
fn assert_shows_every_action(app: &App, section: till::ui::action::Section, screen: &str) {
    use till::ui::action::{Action, Section};
    for action in Action::ALL
        .iter()
        .filter(|a| a.section() == section || a.section() == Section::Global)
    {
        let line = screen
            .lines()
            .find(|l| l.contains(&*action.description()))
            .unwrap_or_else(|| panic!("{action} missing from help:\n{screen}"));
        assert!(
            line.contains(&app.keymap.label(*action)),
            "{action}: keys missing in «{line}»"
        );
    }
}

#[test]
fn manager_screens() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut app = app(&mut engine);
    keys(
        &mut app,
        "manager<Enter>9999<Enter>4006381333931<Enter><Enter><Enter>",
    );
    keys(&mut app, "<Ctrl-g>stabilo<Enter>");
    snap(&mut app, "manager_products");
    keys(&mut app, "1.79<Enter>");
    let text = format!("{}", render(&app, 120, 40));
    assert!(
        text.contains("now sells at 1.79") && text.contains("1.79"),
        "{text}"
    );
    keys(
        &mut app,
        "<Tab>+5 found<Enter>recv DN-7 12<Enter>reorder 20<Enter>",
    );
    snap(&mut app, "manager_stock");
    keys(&mut app, "<Tab>add sam cashier 2468<Enter>");
    let text = format!("{}", render(&app, 120, 40));
    assert!(text.contains("managing users"), "an admin's job: {text}");
    assert!(!text.contains("│sam "), "not added: {text}");
    assert!(!text.contains("2468"), "the PIN is not kept: {text}");
    keys(&mut app, "<Tab>");
    let text = format!("{}", render(&app, 120, 40));
    assert!(
        text.contains("Today by hour: 1 sales") && text.contains("STABILO"),
        "{text}"
    );
    keys(&mut app, "<Tab>");
    let text = format!("{}", render(&app, 120, 40));
    assert!(
        text.contains("stock of") && text.contains("price of"),
        "{text}"
    );
    keys(&mut app, "<Tab>");
    snap(&mut app, "manager_sync");
    keys(&mut app, "<Esc>");
    assert_eq!(app.screen, till::ui::app::Screen::Sale);
}

/// A customer added, found, put on the sale and corrected, all from the till.
#[test]
fn customers_from_the_till() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    {
        let mut app = app(&mut engine);
        keys(&mut app, "cashier<Enter>1111<Enter>4006381333931<Enter>");
        keys(
            &mut app,
            "<Ctrl-u>+Ada Lovelace; +44 20 7946 0000; ada@example.org; GB123456789<Enter>",
        );
        assert!(
            matches!(app.screen, Screen::Sale),
            "a new customer goes onto the sale"
        );
        snap(&mut app, "sale_with_customer");
        keys(&mut app, "<Ctrl-u>ada");
        snap(&mut app, "customers");
        keys(
            &mut app,
            "<Backspace><Backspace><Backspace>=email ada@analytical.example<Enter>",
        );
        assert!(
            matches!(app.screen, Screen::Customers(_)),
            "a correction stays on the list"
        );
        keys(&mut app, "<Esc>");
    }
    let session = engine.login("cashier", "1111", 2).expect("login");
    let found =
        till::engine::api::TillApi::customers(&mut engine, session, "lovelace", 10).expect("find");
    let contact = found[0].contact.clone().expect("details");
    assert_eq!(contact.email.as_deref(), Some("ada@analytical.example"));
    assert_eq!(contact.tax_number.as_deref(), Some("GB123456789"));
    let (sale, _) = {
        let s = engine.login("cashier", "1111", 1).expect("login");
        engine.cart(s).expect("cart").expect("open")
    };
    assert_eq!(sale.customer, Some(found[0].id));
}

/// Issue 17: a refused entry is selected and the next key replaces it; a
/// quantity such as 1e3 is refused.
#[test]
fn a_refused_entry_is_replaced_by_the_next_typing() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut app = app(&mut engine);
    keys(&mut app, "cashier<Enter>1111<Enter>52<Enter>");
    assert!(app.input_selected(), "{:?}", app.input);
    keys(&mut app, "4006381333931<Enter>");
    assert_eq!(app.input, "");
    keys(&mut app, "1e3*4006381333931<Enter>");
    let lines = app.cart.as_ref().map(|(s, _)| s.lines.len());
    assert_eq!(lines, Some(1), "1e3 is not a quantity");
}

/// The screen's text at 80x24.
fn text(app: &App) -> String {
    format!("{}", render(app, 80, 24))
}

/// The till on `lane`, as `app` is on lane 1.
fn app_on(engine: &mut Engine, lane: u16) -> App<'_> {
    App::new(
        engine,
        Keymap::shipped_default(),
        Theme::shipped_default(),
        WedgeConfig::default(),
        lane,
    )
    .with_clock(ten_thirty)
}

/// Stock sold below zero is low even with no reorder level; typing and
/// Enter finds by name; PageDown moves the selection a page.
#[test]
fn stock_lists_what_went_below_zero_finds_and_pages() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut app = app(&mut engine);
    keys(
        &mut app,
        "manager<Enter>9999<Enter>4006381333931<Enter><Enter><Enter>",
    );
    keys(&mut app, "<Ctrl-g><Tab>");
    let shown = text(&app);
    assert!(shown.contains("(1 low, listed first)"), "{shown}");
    keys(&mut app, "<PageDown>");
    let Screen::Manager(view) = &app.screen else {
        panic!("{shown}")
    };
    assert_eq!(view.selected, till::ui::widget::PAGE, "a page down");
    keys(&mut app, "<PageUp>stabilo<Enter>");
    snap(&mut app, "manager_stock_found");
    let Screen::Manager(view) = &app.screen else {
        panic!()
    };
    assert_eq!(view.selected, 0);
    assert!(
        !view.stock.is_empty()
            && view
                .stock
                .iter()
                .all(|r| r.name.to_lowercase().contains("stabilo")),
        "{:?}",
        view.stock
    );
    assert!(view.stock[0].level.on_hand < rust_decimal::Decimal::ZERO);
}

/// A manager sees the users; a change, an admin's, says so.
#[test]
fn a_manager_sees_the_users_and_is_told_changes_are_an_admins() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut app = app(&mut engine);
    keys(&mut app, "manager<Enter>9999<Enter><Ctrl-g><Tab><Tab>");
    let shown = text(&app);
    assert!(
        shown.contains("cashier") && shown.contains("admin") && !shown.contains("approval"),
        "{shown}"
    );
    keys(&mut app, "add sam cashier 2468<Enter>");
    snap(&mut app, "manager_users_for_a_manager");
    let shown = text(&app);
    assert!(shown.contains("it is an admin's"), "{shown}");
}

/// The prompt names the least role that may: a supervisor for a large
/// discount, a manager for a refund.
#[test]
fn an_approval_prompt_names_the_role_it_needs() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut app = app(&mut engine);
    keys(
        &mut app,
        "cashier<Enter>1111<Enter>4006381333931<Enter>50%<F8>",
    );
    let shown = text(&app);
    assert!(
        shown.contains("a discount above the cashier limit needs a supervisor's"),
        "{shown}"
    );
    assert!(!shown.contains("manager's"), "{shown}");
}

/// The journal tab reads as sentences, not as the program's names.
#[test]
fn the_journal_tab_reads_as_sentences() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut app = app(&mut engine);
    keys(
        &mut app,
        "manager<Enter>9999<Enter><Ctrl-g>stabilo<Enter>1.79<Enter>",
    );
    keys(&mut app, "<Tab>-2 broken<Enter><Tab><Tab><Tab>");
    let shown = text(&app);
    assert!(
        shown.contains("stock of") && shown.contains("-2: broken") && shown.contains("price of"),
        "{shown}"
    );
    assert!(
        !shown.contains("PriceChanged") && !shown.contains("Money(") && !shown.contains('{'),
        "{shown}"
    );
}

/// A Z from the back office while lane 1 has a sale open names the lane and
/// what is on it, and is taken only when confirmed.
#[test]
fn a_z_names_the_open_sales_of_every_lane_and_asks_first() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    {
        let mut lane = app(&mut engine);
        keys(&mut lane, "cashier<Enter>1111<Enter>4006381333931<Enter>");
    }
    let mut office = app_on(&mut engine, 0);
    keys(&mut office, "manager<Enter>9999<Enter><Ctrl-z>");
    snap(&mut office, "z_with_open_sales");
    let shown = text(&office);
    assert!(shown.contains("lane 1 has an open sale of"), "{shown}");
    keys(&mut office, "<Esc>");
    assert!(text(&office).contains("no Z was taken"));
    assert_eq!(office.screen, Screen::BackOffice);
    keys(&mut office, "<Ctrl-z><Enter>");
    let shown = text(&office);
    assert!(
        matches!(office.screen, Screen::Report(_)) && shown.contains("Z REPORT 1"),
        "{shown}"
    );
}

/// X and Z show the whole report: tenders, tax, the count against what was
/// expected with the sign of the difference; it scrolls within 80x24.
#[test]
fn an_x_report_shows_in_full_with_a_signed_count() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut app = app(&mut engine);
    keys(&mut app, "manager<Enter>9999<Enter>100<Ctrl-s>");
    keys(&mut app, "4006381333931<Enter><Enter><Enter>");
    keys(&mut app, "80<Ctrl-e><Ctrl-x>");
    snap(&mut app, "x_report");
    let shown = text(&app);
    assert!(
        shown.contains("X REPORT") && shown.contains("By tender") && shown.contains("cash"),
        "{shown}"
    );
    let Screen::Report(view) = &app.screen else {
        panic!("{shown}")
    };
    let all = view.lines.join("\n");
    assert!(
        all.contains("    short") && all.contains(" -21.") && all.contains("Tax"),
        "{all}"
    );
    keys(&mut app, "<PageDown>");
    let shown = text(&app);
    assert!(
        shown.contains("grand total"),
        "scrolled to the end: {shown}"
    );
    keys(&mut app, "<Esc>");
    assert_eq!(app.screen, Screen::Sale);
}

/// The back office says what it is for, and a scan there is answered.
#[test]
fn the_back_office_says_what_it_is_for() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut app = app_on(&mut engine, 0);
    keys(&mut app, "manager<Enter>9999<Enter>");
    assert_eq!(app.screen, Screen::BackOffice);
    snap(&mut app, "back_office");
    keys(&mut app, "4006381333931<Enter>");
    let shown = text(&app);
    assert!(shown.contains("this is the back office"), "{shown}");
    keys(&mut app, "<Ctrl-g>");
    assert!(matches!(app.screen, Screen::Manager(_)));
    keys(&mut app, "<Esc>");
    assert_eq!(app.screen, Screen::BackOffice);
}

/// A quantity past what a sale usually holds is asked about: any other key
/// adds nothing, Enter adds them; one past the limit is refused.
#[test]
fn a_large_quantity_is_asked_about_and_one_past_the_limit_refused() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut app = app(&mut engine);
    keys(
        &mut app,
        "cashier<Enter>1111<Enter>100*4006381333931<Enter>",
    );
    let shown = text(&app);
    assert!(shown.contains("Add 100 of 4006381333931?"), "{shown}");
    keys(&mut app, "<Esc>");
    assert!(text(&app).contains("nothing was added"));
    assert!(app.cart.as_ref().is_none_or(|(s, _)| s.lines.is_empty()));
    keys(&mut app, "100*4006381333931<Enter><Enter>");
    let (sale, _) = app
        .cart
        .as_ref()
        .unwrap_or_else(|| panic!("{}", text(&app)));
    assert_eq!(sale.lines[0].quantity, rust_decimal::Decimal::from(100));
    keys(&mut app, "100001*4006381333931<Enter>");
    let (sale, _) = app.cart.as_ref().expect("a sale");
    assert_eq!(sale.lines.len(), 1, "{}", text(&app));
}

/// Voiding a sale that was partly paid by card says the card payment must
/// be reversed on the card terminal, before the void and after it.
#[test]
fn voiding_a_sale_paid_by_card_says_to_reverse_the_card_payment() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut app = app(&mut engine);
    keys(
        &mut app,
        "manager<Enter>9999<Enter>4006381333931<Enter><Enter>1<F2><Esc><F10>",
    );
    let shown = text(&app);
    assert!(
        shown.contains("1.00 card") && shown.contains("reverse it on the card"),
        "{shown}"
    );
    keys(&mut app, "<Enter>");
    let shown = text(&app);
    assert!(
        shown.contains("voided") && shown.contains("reverse it on the card"),
        "{shown}"
    );
}

/// A message longer than a row wraps onto the rows above the status bar: every
/// word of it is on the 80x24 screen, and the status bar still shows whole.
#[test]
fn a_long_message_wraps_and_is_never_cut() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut app = app(&mut engine);
    keys(&mut app, "cashier<Enter>1111<Enter>4011<Enter>");
    let message = app.message.as_ref().expect("a message").text.clone();
    assert!(message.chars().count() > 78, "longer than a row: {message}");
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let rows = text(&app);
    let screen: Vec<&str> = rows.lines().map(|r| r.trim_matches('"')).collect();
    assert!(
        words(&screen.join(" ")).contains(&words(&message)),
        "{message:?} is not whole on the screen:\n{rows}"
    );
    assert!(screen[22].contains("HQ not joined: 6 unsent"), "{rows}");
}

/// Scans that come while the window is too small are held, counted on the
/// "enlarge" screen, and sold in their order once it is large enough.
#[test]
fn scans_while_the_window_is_too_small_are_held_and_then_sold() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut app = app(&mut engine);
    keys(&mut app, "cashier<Enter>1111<Enter>");
    app.window(60, 20);
    app.take_scan("4006381333931".into());
    app.take_scan("5901234123457".into());
    let tiny = format!("{}", render(&app, 60, 20));
    assert!(tiny.contains("2 scans wait for it"), "{tiny}");
    assert!(app.cart.as_ref().is_none_or(|(s, _)| s.lines.is_empty()));
    app.window(80, 24);
    let (sale, _) = app.cart.as_ref().expect("a sale");
    let skus: Vec<&str> = sale.lines.iter().map(|l| l.sku.as_str()).collect();
    assert_eq!(skus.len(), 2, "{skus:?}");
    assert!(app.held_scans.is_empty());
}

/// Types `text` as a fast burst, as a keyboard-wedge scanner would (1 ms a key).
fn burst(app: &mut App, text: &str) {
    let start = std::time::Instant::now();
    let mut chars: Vec<crossterm::event::KeyEvent> = text
        .chars()
        .map(|c| crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c)))
        .collect();
    chars.push(crossterm::event::KeyEvent::from(
        crossterm::event::KeyCode::Enter,
    ));
    for (i, ev) in chars.into_iter().enumerate() {
        app.key(ev, start + std::time::Duration::from_millis(i as u64));
    }
}

/// A price typed fast in Products is a price, not a scan: the wedge takes a
/// burst with a '.' for typing.
#[test]
fn a_fast_price_in_products_is_typing_not_a_scan() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut app = app(&mut engine);
    keys(&mut app, "manager<Enter>9999<Enter><Ctrl-g>stabilo<Enter>");
    burst(&mut app, "1.79");
    let shown = text(&app);
    assert!(shown.contains("now sells at 1.79"), "{shown}");
    assert!(!shown.contains("is not a digit"), "{shown}");
}

/// A cashier's X report asks for an approver, and shows on their PIN.
#[test]
fn a_cashiers_x_report_asks_for_an_approver() {
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    let mut app = app(&mut engine);
    keys(&mut app, "cashier<Enter>1111<Enter><Ctrl-x>");
    let shown = text(&app);
    assert!(shown.contains("supervisor's"), "{shown}");
    keys(&mut app, "manager<Enter>9999<Enter>");
    assert!(matches!(app.screen, Screen::Report(_)), "{}", text(&app));
}

/// Every box's title on screen at 80x24 ends before the box's corner (one
/// running into the corner was cut), and the input line's title, which is
/// the screen's hint of what to type, shows whole.
fn hints_whole(app: &App, name: &str) {
    let shown = text(app);
    for row in shown.lines() {
        let mut rest = row;
        while let Some(i) = rest.find('┌') {
            rest = &rest[i + '┌'.len_utf8()..];
            let end = rest.find(['─', '┐']).unwrap_or(rest.len());
            let title = &rest[..end];
            assert!(
                title.is_empty() || rest[end..].starts_with('─'),
                "{name}: the title {title:?} is cut:\n{shown}"
            );
        }
    }
    if app.overlay.is_none()
        && let Some((hint, _)) = app.screen.input_line(app)
    {
        assert!(
            shown.contains(hint),
            "{name}: the hint {hint:?} is not whole:\n{shown}"
        );
    }
}

/// Issue 17: no screen, tab or popup has its hint cut at 80 columns.
#[test]
fn no_hint_is_cut_at_80x24() {
    use till::ui::app::Overlay;
    let (_dir, path) = common::demo_store();
    let mut engine = common::engine(&path);
    {
        let mut app = app(&mut engine);
        hints_whole(&app, "login");
        keys(&mut app, "cashier<Enter>1111<Enter>4006381333931<Enter>");
        hints_whole(&app, "sale");
        keys(&mut app, "<F1>");
        hints_whole(&app, "help on the sale");
        keys(&mut app, "<Esc><Enter>");
        assert_eq!(app.screen, Screen::Payment);
        hints_whole(&app, "payment");
        keys(&mut app, "<F1>");
        hints_whole(&app, "help on the payment");
        keys(&mut app, "<Esc>20<Enter>");
        assert!(app.last.is_some(), "paid");
        hints_whole(&app, "completed");
        keys(&mut app, "<F2>choc");
        assert!(matches!(app.screen, Screen::Lookup(_)));
        hints_whole(&app, "lookup");
        keys(&mut app, "<Esc>4006381333931<Enter><F3><F4>");
        assert!(matches!(app.screen, Screen::Recall(_)));
        hints_whole(&app, "held sales");
        keys(&mut app, "<Esc><Ctrl-u>");
        assert!(matches!(app.screen, Screen::Customers(_)));
        hints_whole(&app, "customers");
        keys(&mut app, "<Esc>1<F5>");
        assert!(matches!(app.overlay, Some(Overlay::Approval(_))));
        hints_whole(&app, "approval");
        keys(&mut app, "manager<Enter>9999<Enter>");
        assert!(matches!(app.screen, Screen::Refund(_)));
        hints_whole(&app, "refund");
        keys(&mut app, "<Esc><Ctrl-o>manager<Enter>9999<Enter><Ctrl-g>");
        for tab in till::ui::screen::manager::Tab::ALL {
            let Screen::Manager(view) = &app.screen else {
                panic!("{}", text(&app))
            };
            assert_eq!(view.tab, tab);
            hints_whole(&app, tab.title());
            keys(&mut app, "<Tab>");
        }
        keys(&mut app, "<Esc><Ctrl-x>");
        assert!(matches!(app.screen, Screen::Report(_)));
        hints_whole(&app, "X report");
        // An open sale, for the Z to ask about.
        keys(&mut app, "<Esc>4006381333931<Enter>");
    }
    let mut office = app_on(&mut engine, 0);
    keys(&mut office, "manager<Enter>9999<Enter>");
    assert_eq!(office.screen, Screen::BackOffice);
    hints_whole(&office, "back office");
    keys(&mut office, "<Ctrl-z>");
    assert!(matches!(office.overlay, Some(Overlay::Confirm { .. })));
    hints_whole(&office, "Z asked about");
    keys(&mut office, "<Enter>");
    assert!(matches!(office.screen, Screen::Report(_)));
    hints_whole(&office, "Z report");
}

/// With a printer set, the X report's message says its paper is on the way;
/// without one it says nothing of paper.
#[test]
fn an_x_report_says_it_went_to_the_printer_when_there_is_one() {
    for printer in [false, true] {
        let (_dir, path) = common::demo_store();
        let mut engine = common::engine(&path);
        let (wake, _sleep) = std::sync::mpsc::channel();
        if printer {
            engine.attach_printer(wake, false);
        }
        let mut app = app(&mut engine);
        keys(&mut app, "manager<Enter>9999<Enter><Ctrl-x>");
        let shown = text(&app);
        assert!(matches!(app.screen, Screen::Report(_)), "{shown}");
        assert_eq!(
            shown.contains("X report sent to the printer"),
            printer,
            "{shown}"
        );
        drop(app);
        assert_eq!(engine.store().print_queue().len(), usize::from(printer));
    }
}
