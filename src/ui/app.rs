//! The till screen's state and what each key does to it.
//!
//! The app holds what the cashier sees (screen, typed text, messages, a copy of
//! the cart) and turns keys into engine commands. It decides nothing itself:
//! prices, totals, permissions and refunds are the engine's answers, shown as
//! they come back. Rendering lives in `view`; the terminal in `tui`.

use std::time::Instant;

use chrono::{DateTime, Local};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rust_decimal::Decimal;

use super::action::{Action, Section};
use super::keymap::Keymap;
use super::keys::Key;
use super::manager::{ManagerView, Tab};
use super::theme::Theme;
use super::wedge::{Wedge, WedgeConfig, WedgeDetector};
use crate::devices::status::StatusBoard;
use crate::domain::discount::Discount;
use crate::domain::money::{Currency, Money};
use crate::domain::product::Product;
use crate::domain::receipt::{CompletedSale, parse_label};
use crate::domain::sale::{HeldSale, Sale, SaleKind, SaleState, Totals};
use crate::domain::tender::TenderKind;
use crate::domain::user::Role;
use crate::engine::api::TillApi;
use crate::engine::{Approval, Command, EngineError, Event, ProductChange, SessionId};
use crate::store::outbox::SyncStatus;
use crate::store::settings::StoreSettings;
use crate::ui::customers::{self, CustomerList, Typed};

/// How many products the lookup shows at once.
pub const LOOKUP_LIMIT: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Login(LoginForm),
    Sale,
    Payment,
    Lookup(LookupList),
    Customers(CustomerList),
    Recall(RecallList),
    Refund(Box<RefundView>),
    Manager(Box<ManagerView>),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoginForm {
    pub user: String,
    pub pin: String,
    pub on_pin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupList {
    pub query: String,
    /// The "3*" typed on the sale screen before opening the lookup.
    pub quantity: Option<Decimal>,
    pub results: Vec<Product>,
    pub selected: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecallList {
    pub held: Vec<HeldSale>,
    pub selected: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundView {
    pub original: CompletedSale,
    pub selected: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help,
    Approval(ApprovalPrompt),
    /// "Void this sale?": Enter sends `command`, anything else keeps the sale.
    Confirm {
        question: String,
        command: Command,
    },
}

/// What an approval is asked for: a command to resend with it, or taking the
/// lane over from another screen before logging in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    Command(Command),
    TakeLane {
        lane: u16,
        user: String,
        pin: String,
    },
}

/// A manager's PIN asked for on the cashier's screen, to resend `pending` with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalPrompt {
    pub pending: Pending,
    pub why: String,
    pub user: String,
    pub pin: String,
    pub on_pin: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Error,
    Success,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub tone: Tone,
}

/// The last completed sale, shown until the next one starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub receipt: String,
    pub total: Money,
    pub change: Money,
    pub refund: bool,
}

pub struct App<'e> {
    engine: &'e mut dyn TillApi,
    pub keymap: Keymap,
    pub theme: Theme,
    lane: u16,
    wedge: WedgeDetector,
    session: Option<SessionId>,
    pub user: Option<String>,
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    pub input: String,
    pub message: Option<Message>,
    pub cart: Option<(Sale, Totals)>,
    /// Index into the cart's lines.
    pub selected: usize,
    pub last: Option<Completion>,
    /// How sending to head office stands, asked after each key and each tick.
    sync: Option<SyncStatus>,
    pub quit: bool,
    /// What the scanner and printer threads last said, for the status bar.
    pub devices: StatusBoard,
    clock: fn() -> DateTime<Local>,
}

impl<'e> App<'e> {
    pub fn new(
        engine: &'e mut dyn TillApi,
        keymap: Keymap,
        theme: Theme,
        wedge: WedgeConfig,
        lane: u16,
    ) -> App<'e> {
        let sync = engine.sync_status();
        App {
            engine,
            keymap,
            theme,
            lane,
            wedge: WedgeDetector::new(wedge),
            session: None,
            user: None,
            screen: Screen::Login(LoginForm::default()),
            overlay: None,
            input: String::new(),
            message: None,
            cart: None,
            selected: 0,
            last: None,
            sync,
            quit: false,
            devices: StatusBoard::default(),
            clock: Local::now,
        }
    }

    /// Fixes the clock, for tests and snapshots.
    pub fn with_clock(mut self, clock: fn() -> DateTime<Local>) -> Self {
        self.clock = clock;
        self
    }

    pub fn now(&self) -> DateTime<Local> {
        (self.clock)()
    }

    pub fn settings(&self) -> &StoreSettings {
        self.engine.settings()
    }

    pub fn currency(&self) -> &Currency {
        &self.engine.settings().rules.currency
    }

    pub fn lane(&self) -> u16 {
        self.lane
    }

    pub fn sync_status(&self) -> Option<&SyncStatus> {
        self.sync.as_ref()
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            tone: Tone::Info,
        });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            tone: Tone::Error,
        });
    }

    /// Leaving the screen (quit, a signal): log out, so the engine can close
    /// what must not outlive the session, such as an approved refund.
    pub fn shutdown(&mut self) {
        if self.session.is_some() {
            self.run(Command::Logout);
        }
    }

    /// The keymap section of the screen in front.
    pub fn section(&self) -> Section {
        match self.screen {
            Screen::Sale | Screen::Refund(_) => Section::Sale,
            Screen::Payment => Section::Payment,
            Screen::Manager(_) => Section::Manager,
            _ => Section::Global,
        }
    }

    /// Scans are taken only where a sale is being rung up, never from a PIN field.
    fn scans_allowed(&self) -> bool {
        self.session.is_some()
            && !matches!(self.overlay, Some(Overlay::Approval(_)))
            && !matches!(self.screen, Screen::Login(_))
    }

    /// When the app must be woken even if no key comes: held-back typing.
    pub fn deadline(&self) -> Option<Instant> {
        self.wedge.deadline()
    }

    /// Time passed with no key: hand on held-back typing whose burst is over.
    pub fn tick(&mut self, now: Instant) {
        self.sync = self.engine.sync_status();
        if self.wedge.deadline().is_some_and(|d| d <= now)
            && let Some(w) = self.wedge.flush()
        {
            self.wedged(w);
        }
    }

    /// A key from the terminal, through the scanner detector.
    pub fn key(&mut self, ev: KeyEvent, now: Instant) {
        let key = Key::from_event(&ev);
        let plain = !ev
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if self.scans_allowed() {
            match ev.code {
                // A character joins a burst under way (a scanned "AB-12" must not
                // fire the action bound to "-"), or starts one if typing is all it does.
                KeyCode::Char(c)
                    if plain
                        && (self.wedge.pending()
                            || self.keymap.action(self.section(), key).is_none()) =>
                {
                    if let Some(w) = self.wedge.char(c, now) {
                        self.wedged(w);
                    }
                    return;
                }
                KeyCode::Enter if plain => match self.wedge.enter(now) {
                    Some(Wedge::Scan(code)) => return self.scanned(&code),
                    Some(typed) => self.wedged(typed),
                    None => {}
                },
                _ => {
                    if let Some(w) = self.wedge.flush() {
                        self.wedged(w);
                    }
                }
            }
        }
        self.press(key);
    }

    fn wedged(&mut self, w: Wedge) {
        match w {
            Wedge::Scan(code) => self.scanned(&code),
            Wedge::Typed(chars) => {
                for c in chars {
                    self.press(Key {
                        code: KeyCode::Char(c),
                        mods: KeyModifiers::NONE,
                    });
                }
            }
        }
    }

    /// A barcode from a scanner: added to the sale whatever has focus, with the
    /// quantity the cashier typed ("3*") if any.
    pub fn scanned(&mut self, code: &str) {
        match self.overlay {
            Some(Overlay::Help) => self.overlay = None,
            // Never under a question: the item would change what is being confirmed.
            Some(_) => {
                return self.error(format!("scan of {code} ignored: answer the question first"));
            }
            None => {}
        }
        let quantity = match (&self.screen, quantity_prefix(&self.input)) {
            (Screen::Sale, Some(q)) => {
                self.input.clear();
                Some(q)
            }
            _ => None,
        };
        self.run(Command::Scan {
            code: code.to_string(),
            quantity,
        });
    }

    /// A key after scanner detection: an action if bound, else typing.
    pub fn press(&mut self, key: Key) {
        self.press_key(key);
        self.sync = self.engine.sync_status();
    }

    fn press_key(&mut self, key: Key) {
        if let Some(overlay) = self.overlay.take() {
            return self.press_overlay(overlay, key);
        }
        match self.keymap.action(self.section(), key) {
            Some(action) => self.act(action),
            None => {
                if let KeyCode::Char(c) = key.code
                    && !key
                        .mods
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                {
                    self.type_char(c);
                }
            }
        }
    }

    fn press_overlay(&mut self, overlay: Overlay, key: Key) {
        let action = self.keymap.action(Section::Global, key);
        match overlay {
            // Any key closes help and does nothing else: Enter must not pay.
            Overlay::Help => {}
            Overlay::Confirm { command, .. } => {
                if action == Some(Action::Submit) {
                    self.run(command);
                } else {
                    self.info("nothing was voided");
                }
            }
            Overlay::Approval(mut prompt) => match action {
                Some(Action::Back) => self.info("approval cancelled"),
                Some(Action::Submit) if !prompt.on_pin => {
                    prompt.on_pin = true;
                    self.overlay = Some(Overlay::Approval(prompt));
                }
                Some(Action::Submit) => {
                    let approval = Approval {
                        user: prompt.user.clone(),
                        pin: prompt.pin.clone(),
                    };
                    let outcome = match prompt.pending.clone() {
                        Pending::Command(command) => {
                            self.execute(command.with_approval(approval)).map(Some)
                        }
                        Pending::TakeLane { lane, user, pin } => {
                            self.engine.take_lane(lane, approval).map(|()| {
                                self.log_in(&user, &pin);
                                None
                            })
                        }
                    };
                    match outcome {
                        Ok(Some(events)) => {
                            // The typed receipt number or discount was used up.
                            self.input.clear();
                            self.message = None;
                            self.apply(events);
                        }
                        Ok(None) => {}
                        // A wrong PIN or an approver who may not: try again.
                        Err(
                            e @ (EngineError::BadLogin
                            | EngineError::LockedOut { .. }
                            | EngineError::ApprovalRefused(_)),
                        ) => {
                            prompt.error = Some(e.to_string());
                            prompt.pin.clear();
                            self.overlay = Some(Overlay::Approval(prompt));
                        }
                        // Anything else is the command's own answer: show it.
                        Err(e) => self.error(e.to_string()),
                    }
                }
                Some(Action::Up | Action::Down) => {
                    prompt.on_pin = !prompt.on_pin;
                    self.overlay = Some(Overlay::Approval(prompt));
                }
                Some(Action::Erase) => {
                    if prompt.on_pin {
                        prompt.pin.pop()
                    } else {
                        prompt.user.pop()
                    };
                    self.overlay = Some(Overlay::Approval(prompt));
                }
                _ => {
                    if let KeyCode::Char(c) = key.code
                        && !key
                            .mods
                            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                    {
                        if prompt.on_pin {
                            prompt.pin.push(c)
                        } else {
                            prompt.user.push(c)
                        }
                    }
                    self.overlay = Some(Overlay::Approval(prompt));
                }
            },
        }
    }

    fn type_char(&mut self, c: char) {
        match &mut self.screen {
            Screen::Login(form) => {
                if form.on_pin {
                    form.pin.push(c)
                } else {
                    form.user.push(c)
                }
            }
            Screen::Lookup(list) => {
                list.query.push(c);
                self.search();
            }
            Screen::Customers(list) => {
                list.query.push(c);
                self.find_customers();
            }
            _ => self.input.push(c),
        }
    }

    fn act(&mut self, action: Action) {
        match action {
            Action::Help => self.overlay = Some(Overlay::Help),
            Action::Quit => {
                self.shutdown();
                self.quit = true;
            }
            Action::Logout => {
                if self.session.is_some() {
                    self.run(Command::Logout);
                }
            }
            _ => match self.screen.clone() {
                Screen::Login(form) => self.act_login(action, form),
                Screen::Sale => self.act_sale(action),
                Screen::Payment => self.act_payment(action),
                Screen::Lookup(list) => self.act_lookup(action, list),
                Screen::Customers(list) => self.act_customers(action, list),
                Screen::Recall(list) => self.act_recall(action, list),
                Screen::Refund(view) => self.act_refund(action, *view),
                Screen::Manager(view) => self.act_manager(action, *view),
            },
        }
    }

    fn act_login(&mut self, action: Action, mut form: LoginForm) {
        match action {
            Action::Submit if !form.on_pin => form.on_pin = true,
            Action::Submit => {
                if self.log_in(form.user.trim(), &form.pin) {
                    return;
                }
                form.pin.clear();
            }
            Action::Erase => {
                if form.on_pin {
                    form.pin.pop()
                } else {
                    form.user.pop()
                };
            }
            Action::Up | Action::Down => form.on_pin = !form.on_pin,
            Action::Back => form = LoginForm::default(),
            _ => {}
        }
        self.screen = Screen::Login(form);
    }

    /// Logs in on this screen's lane. If another screen holds the lane, asks
    /// for a manager to take it over, then logs in. True when logged in.
    fn log_in(&mut self, user: &str, pin: &str) -> bool {
        match self.engine.login(user, pin, self.lane) {
            Ok(session) => {
                self.session = Some(session);
                self.user = Some(user.to_string());
                self.message = None;
                self.resume();
                true
            }
            Err(EngineError::LaneBusy(lane)) => {
                self.overlay = Some(Overlay::Approval(ApprovalPrompt {
                    pending: Pending::TakeLane {
                        lane,
                        user: user.to_string(),
                        pin: pin.to_string(),
                    },
                    why: format!(
                        "lane {lane} is in use on another screen: a manager may take it over"
                    ),
                    user: String::new(),
                    pin: String::new(),
                    on_pin: false,
                    error: None,
                }));
                false
            }
            Err(e) => {
                self.error(e.to_string());
                false
            }
        }
    }

    /// Another screen took this lane over: back to the login, with why.
    pub fn lane_taken(&mut self, by: &str) {
        self.session = None;
        self.user = None;
        self.cart = None;
        self.overlay = None;
        self.screen = Screen::Login(LoginForm::default());
        self.error(format!("{by} took this lane over on another screen"));
    }

    /// After login: back to whatever the lane had open (a crash, a power cut,
    /// another user's unfinished sale).
    fn resume(&mut self) {
        self.input.clear();
        self.screen = Screen::Sale;
        let Some(session) = self.session else { return };
        match self.engine.cart(session) {
            Ok(cart) => self.show_cart(cart),
            Err(e) => self.error(e.to_string()),
        }
        if let Some((kind, state)) = self.cart.as_ref().map(|(s, _)| (s.kind, s.state)) {
            self.info("the open sale on this lane was resumed");
            if let SaleKind::Refund { original } = kind {
                match self.receipt(original.0) {
                    Ok(original) => {
                        self.screen = Screen::Refund(Box::new(RefundView {
                            original,
                            selected: 0,
                        }))
                    }
                    Err(e) => self.error(e.to_string()),
                }
            } else if state == SaleState::Tendering {
                self.screen = Screen::Payment;
            }
        }
    }

    /// Shows the engine's cart. The selection follows a new line; otherwise it
    /// stays where the cashier put it.
    fn show_cart(&mut self, cart: Option<(Sale, Totals)>) {
        let before = self.cart.as_ref().map(|(s, _)| s.lines.len()).unwrap_or(0);
        let lines = cart.as_ref().map(|(s, _)| s.lines.len()).unwrap_or(0);
        if lines > 0 {
            self.last = None;
        }
        if lines != before || self.selected >= lines {
            self.selected = lines.saturating_sub(1);
        }
        self.cart = cart;
    }

    fn selected_line(&self) -> Option<usize> {
        self.cart
            .as_ref()
            .filter(|(s, _)| self.selected < s.lines.len())
            .map(|_| self.selected)
    }

    fn act_sale(&mut self, action: Action) {
        let typed = self.input.trim().to_string();
        match action {
            Action::Submit if typed.is_empty() => self.open_payment(),
            Action::Submit => {
                let (quantity, code) = match typed.split_once('*') {
                    Some((q, code)) => match q.parse::<Decimal>() {
                        Ok(q) => (Some(q), code.to_string()),
                        Err(_) => {
                            return self.error(format!("'{q}' is not a quantity: type 3*CODE"));
                        }
                    },
                    None => (None, typed),
                };
                if code.is_empty() {
                    return self.error("scan or type the code after the *");
                }
                if self.run(Command::Scan { code, quantity }) {
                    self.input.clear();
                }
            }
            Action::Pay => self.open_payment(),
            Action::Erase => {
                self.input.pop();
            }
            Action::Back => self.input.clear(),
            Action::Up | Action::Down => {
                let len = self.cart.as_ref().map(|(s, _)| s.lines.len()).unwrap_or(0);
                self.selected = step(self.selected, len, action);
            }
            Action::Lookup => {
                let quantity = quantity_prefix(&self.input);
                let query = if quantity.is_some() {
                    String::new()
                } else {
                    typed
                };
                self.input.clear();
                self.screen = Screen::Lookup(LookupList {
                    query,
                    quantity,
                    results: Vec::new(),
                    selected: 0,
                });
                self.search();
            }
            Action::Customer => {
                self.input.clear();
                self.screen = Screen::Customers(CustomerList::default());
                self.find_customers();
            }
            Action::Hold => {
                self.run(Command::Hold);
            }
            Action::Recall => match self.held() {
                Ok(held) if held.is_empty() => self.info("no sales are held"),
                Ok(held) => self.screen = Screen::Recall(RecallList { held, selected: 0 }),
                Err(e) => self.error(e.to_string()),
            },
            Action::Refund => {
                if typed.is_empty() {
                    return self.info("type the receipt number, then the refund key");
                }
                match parse_label(&typed, &self.engine.settings().terminal) {
                    Ok(receipt) => {
                        if self.run(Command::StartRefund {
                            receipt: receipt.0,
                            approval: None,
                        }) {
                            self.input.clear();
                        }
                    }
                    Err(e) => self.error(e),
                }
            }
            Action::VoidLine => {
                if let Some(line) = self.selected_line() {
                    self.run(Command::VoidLine { line });
                }
            }
            Action::Quantity => match (self.selected_line(), typed.parse::<Decimal>()) {
                (Some(line), Ok(quantity)) => {
                    if self.run(Command::SetQuantity { line, quantity }) {
                        self.input.clear();
                    }
                }
                (None, _) => self.info("nothing to change: scan an item first"),
                (_, Err(_)) => self.info("type the new quantity, then the quantity key"),
            },
            Action::LineDiscount | Action::SaleDiscount => {
                match parse_discount(&typed, self.currency()) {
                    Ok(discount) => {
                        let command = match (action, self.selected_line()) {
                            (Action::LineDiscount, Some(line)) => Command::LineDiscount {
                                line,
                                discount,
                                approval: None,
                            },
                            (Action::LineDiscount, None) => {
                                return self.info("nothing to discount: scan an item first");
                            }
                            _ => Command::SaleDiscount {
                                discount,
                                approval: None,
                            },
                        };
                        if self.run(command) {
                            self.input.clear();
                        }
                    }
                    Err(e) => self.error(e),
                }
            }
            Action::VoidSale if self.cart.is_some() => self.confirm_void(),
            Action::Reprint => {
                let receipt = if typed.is_empty() {
                    None
                } else {
                    match parse_label(&typed, &self.engine.settings().terminal) {
                        Ok(r) => Some(r.0),
                        Err(e) => return self.error(e),
                    }
                };
                if self.run(Command::Reprint {
                    receipt,
                    approval: None,
                }) {
                    self.input.clear();
                }
            }
            Action::NoSale => {
                self.run(Command::NoSale { approval: None });
            }
            Action::OpenShift | Action::CloseShift => match self.currency().parse(&typed) {
                Ok(amount) => {
                    let command = if action == Action::OpenShift {
                        Command::OpenShift { float: amount }
                    } else {
                        Command::CloseShift { counted: amount }
                    };
                    if self.run(command) {
                        self.input.clear();
                    }
                }
                Err(_) => self.info("count the drawer, type the amount, then the key"),
            },
            Action::Manager => {
                let mut view = ManagerView::new();
                let Some(session) = self.session else { return };
                if let Err(e) = view.load(self.engine, session) {
                    return self.error(e.to_string());
                }
                self.input.clear();
                self.screen = Screen::Manager(Box::new(view));
            }
            Action::XReport => {
                self.run(Command::XReport);
            }
            Action::ZReport => {
                self.run(Command::ZReport { approval: None });
            }
            Action::PriceOverride => match (self.selected_line(), self.currency().parse(&typed)) {
                (Some(line), Ok(price)) => {
                    if self.run(Command::OverridePrice {
                        line,
                        price,
                        approval: None,
                    }) {
                        self.input.clear();
                    }
                }
                (None, _) => self.info("nothing to price: scan an item first"),
                (_, Err(_)) => self.info("type the price, then the price override key"),
            },
            _ => {}
        }
    }

    /// One key must never throw a whole sale away: ask first.
    fn confirm_void(&mut self) {
        let what = match &self.cart {
            Some((sale, totals)) if sale.is_refund() => format!(
                "Void this refund of {}?",
                self.currency().format(totals.total)
            ),
            Some((_, totals)) => format!(
                "Void this sale of {}?",
                self.currency().format(totals.total)
            ),
            None => return,
        };
        let keys = self.keymap.label(Action::Submit);
        self.overlay = Some(Overlay::Confirm {
            question: format!("{what} {keys}: void it, any other key: keep it"),
            command: Command::VoidSale { approval: None },
        });
    }

    fn open_payment(&mut self) {
        match &self.cart {
            Some((_, totals)) if !totals.lines.is_empty() => {
                self.input.clear();
                self.screen = Screen::Payment;
            }
            _ => self.info("nothing to pay yet: scan an item"),
        }
    }

    fn act_payment(&mut self, action: Action) {
        let kind = match action {
            Action::Submit => TenderKind::Cash,
            Action::PayCard => TenderKind::Card,
            Action::PayOther => TenderKind::Other,
            Action::Erase => {
                self.input.pop();
                return;
            }
            Action::Back if !self.input.is_empty() => return self.input.clear(),
            Action::Back => {
                let kind = self
                    .cart
                    .as_ref()
                    .map(|(sale, _)| sale.kind)
                    .unwrap_or(SaleKind::Sale);
                self.screen = self.refund_screen(kind);
                return;
            }
            _ => return,
        };
        let amount = match self.input.trim() {
            "" => None,
            text => match self.currency().parse(text) {
                Ok(a) => Some(a),
                Err(e) => return self.error(e.to_string()),
            },
        };
        if self.run(Command::Tender { kind, amount }) {
            self.input.clear();
        }
    }

    fn refund_screen(&mut self, kind: SaleKind) -> Screen {
        match kind {
            SaleKind::Refund { original } => match self.receipt(original.0) {
                Ok(original) => Screen::Refund(Box::new(RefundView {
                    original,
                    selected: 0,
                })),
                Err(_) => Screen::Sale,
            },
            SaleKind::Sale => Screen::Sale,
        }
    }

    /// The engine answers a session, never a screen: these ask as the one
    /// logged in, and say so when nobody is.
    fn receipt(&mut self, receipt: u64) -> Result<CompletedSale, EngineError> {
        let session = self.session.ok_or(EngineError::NoSession)?;
        self.engine.receipt(session, receipt)
    }

    fn held(&mut self) -> Result<Vec<HeldSale>, EngineError> {
        let session = self.session.ok_or(EngineError::NoSession)?;
        self.engine.held(session)
    }

    fn lookup(&mut self, query: &str) -> Result<Vec<Product>, EngineError> {
        let session = self.session.ok_or(EngineError::NoSession)?;
        self.engine.search(session, query, LOOKUP_LIMIT)
    }

    fn search(&mut self) {
        let Screen::Lookup(list) = &self.screen else {
            return;
        };
        let query = list.query.clone();
        match self.lookup(&query) {
            Ok(results) => {
                if let Screen::Lookup(list) = &mut self.screen {
                    list.results = results;
                    list.selected = 0;
                }
            }
            Err(e) => self.error(e.to_string()),
        }
    }

    /// Lists the customers matching what is typed (when it is a search).
    fn find_customers(&mut self) {
        let (Screen::Customers(list), Some(session)) = (&self.screen, self.session) else {
            return;
        };
        let Ok(Typed::Search(query)) = customers::parse(&list.query) else {
            return;
        };
        // Too short to search: the list stays as it was, so the customer
        // found stays selected while a correction is typed.
        if query.trim().chars().count() < crate::engine::customers::MIN_QUERY
            && !query.trim().starts_with('#')
        {
            return;
        }
        match self.engine.customers(session, &query, LOOKUP_LIMIT) {
            Ok(found) => {
                if let Screen::Customers(list) = &mut self.screen {
                    list.results = found;
                    list.selected = 0;
                }
            }
            Err(e) => self.error(e.to_string()),
        }
    }

    fn act_customers(&mut self, action: Action, mut list: CustomerList) {
        match action {
            Action::Back => {
                self.screen = Screen::Sale;
                return;
            }
            Action::Up | Action::Down => {
                list.selected = step(list.selected, list.results.len(), action);
            }
            Action::Erase => {
                list.query.pop();
                self.screen = Screen::Customers(list);
                return self.find_customers();
            }
            Action::Submit => {
                let selected = list.results.get(list.selected).cloned();
                let command = match customers::parse(&list.query) {
                    Ok(Typed::Search(_)) => {
                        selected.map(|c| Command::AttachCustomer { id: Some(c.id) })
                    }
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
                            self.error("select the customer to correct first");
                            None
                        }
                    },
                    Err(e) => {
                        self.error(e);
                        None
                    }
                };
                let Some(command) = command else {
                    self.screen = Screen::Customers(list);
                    return;
                };
                let adding = matches!(command, Command::AddCustomer { .. });
                let attaching = matches!(command, Command::AttachCustomer { .. });
                let Some(events) = self.run_for_events(command) else {
                    self.screen = Screen::Customers(list);
                    return;
                };
                // A new customer goes straight onto the sale.
                let added = events.iter().find_map(|e| match e {
                    Event::Customer(c) if adding => Some(c.id),
                    _ => None,
                });
                if let Some(id) = added {
                    self.run(Command::AttachCustomer { id: Some(id) });
                }
                if attaching || added.is_some() {
                    self.screen = Screen::Sale;
                    return;
                }
                list.query.clear();
                self.screen = Screen::Customers(list);
                return self.find_customers();
            }
            _ => {}
        }
        self.screen = Screen::Customers(list);
    }

    fn act_lookup(&mut self, action: Action, mut list: LookupList) {
        match action {
            Action::Back => {
                self.screen = Screen::Sale;
                return;
            }
            Action::Up | Action::Down => {
                list.selected = step(list.selected, list.results.len(), action);
            }
            Action::Erase => {
                list.query.pop();
                self.screen = Screen::Lookup(list);
                return self.search();
            }
            Action::Submit => {
                if let Some(product) = list.results.get(list.selected) {
                    let command = Command::AddSku {
                        sku: product.sku.clone(),
                        quantity: list.quantity,
                    };
                    if self.run(command) {
                        self.screen = Screen::Sale;
                        return;
                    }
                }
            }
            _ => {}
        }
        self.screen = Screen::Lookup(list);
    }

    fn act_recall(&mut self, action: Action, mut list: RecallList) {
        match action {
            Action::Back => {
                self.screen = Screen::Sale;
                return;
            }
            Action::Up | Action::Down => {
                list.selected = step(list.selected, list.held.len(), action);
            }
            Action::Submit => {
                if let Some(held) = list.held.get(list.selected) {
                    let id = held.id;
                    self.screen = Screen::Sale;
                    if !self.run(Command::Recall { id }) {
                        self.screen = Screen::Recall(list);
                    }
                    return;
                }
            }
            _ => {}
        }
        self.screen = Screen::Recall(list);
    }

    fn act_refund(&mut self, action: Action, mut view: RefundView) {
        let typed = self.input.trim().to_string();
        match action {
            Action::Up | Action::Down => {
                view.selected = step(view.selected, view.original.sale.lines.len(), action);
            }
            Action::Submit | Action::Quantity => {
                let quantity = if typed.is_empty() {
                    Ok(Decimal::ONE)
                } else {
                    typed.parse::<Decimal>()
                };
                match quantity {
                    Ok(quantity) => {
                        if self.run(Command::RefundLine {
                            line: view.selected,
                            quantity,
                        }) {
                            self.input.clear();
                        }
                    }
                    Err(_) => self.error(format!("'{typed}' is not a quantity")),
                }
            }
            Action::Erase => {
                self.input.pop();
            }
            Action::Pay => return self.open_payment(),
            Action::Back if !typed.is_empty() => self.input.clear(),
            // An empty refund is simply dropped; one with lines is asked about.
            Action::Back if self.cart.as_ref().is_none_or(|(s, _)| s.lines.is_empty()) => {
                self.run(Command::VoidSale { approval: None });
                return;
            }
            Action::Back | Action::VoidSale => self.confirm_void(),
            _ => {}
        }
        if matches!(self.screen, Screen::Refund(_)) {
            self.screen = Screen::Refund(Box::new(view));
        }
    }

    fn act_manager(&mut self, action: Action, mut view: ManagerView) {
        let typed = self.input.trim().to_string();
        match action {
            Action::Back if !typed.is_empty() => self.input.clear(),
            Action::Back => {
                self.screen = Screen::Sale;
                return;
            }
            Action::NextTab | Action::PrevTab => {
                view.tab = view.tab.step(action == Action::NextTab);
                view.selected = 0;
                self.input.clear();
            }
            Action::Up | Action::Down => view.selected = step(view.selected, view.rows(), action),
            Action::Erase => {
                self.input.pop();
            }
            Action::Submit => match view.tab {
                Tab::Products => {
                    let selected = view
                        .products
                        .get(view.selected)
                        .map(|p| (p.sku.clone(), p.name.clone()));
                    let words: Vec<&str> = typed.split_whitespace().collect();
                    let change = match words.as_slice() {
                        ["tax", code] => Some(ProductChange::TaxCategory(code.to_string())),
                        ["+code", code] => Some(ProductChange::AddBarcode(code.to_string())),
                        ["-code", code] => Some(ProductChange::RemoveBarcode(code.to_string())),
                        _ => None,
                    };
                    match (change, self.currency().parse(&typed), selected) {
                        (Some(change), _, Some((sku, name))) => {
                            if self.run(Command::EditProduct { sku, change }) {
                                self.input.clear();
                                self.info(format!("{name} changed, and journaled"));
                            }
                        }
                        (None, Ok(price), Some((sku, name))) if !typed.is_empty() => {
                            if self.run(Command::SetPrice { sku, price }) {
                                self.input.clear();
                                self.info(format!(
                                    "{name} now sells at {}",
                                    self.currency().format(price)
                                ));
                            }
                        }
                        _ => {
                            view.query = typed;
                            view.selected = 0;
                            self.input.clear();
                        }
                    }
                }
                Tab::Stock => {
                    let words: Vec<&str> = typed.split_whitespace().collect();
                    let sku = view.stock.get(view.selected).map(|r| r.sku.clone());
                    let number = |w: &str| w.trim_start_matches('+').parse::<Decimal>().ok();
                    let command = match (words.as_slice(), sku) {
                        // A delivery: quantity in, against its delivery note.
                        (["recv", reference, qty], Some(sku)) => {
                            number(qty).map(|q| Command::ReceiveDelivery {
                                reference: reference.to_string(),
                                lines: vec![(sku, q)],
                            })
                        }
                        (["reorder", level], Some(sku)) => {
                            number(level).map(|level| Command::SetReorderLevel { sku, level })
                        }
                        ([delta, reason @ ..], Some(sku)) => {
                            number(delta).map(|delta| Command::AdjustStock {
                                sku,
                                delta,
                                reason: reason.join(" "),
                            })
                        }
                        _ => None,
                    };
                    match command {
                        Some(c) => {
                            if self.run(c) {
                                self.input.clear();
                            }
                        }
                        None => {
                            self.info("type -2 broken, recv DN-1001 12, or reorder 5, then Enter")
                        }
                    }
                }
                Tab::Users => {
                    let words: Vec<&str> = typed.split_whitespace().collect();
                    let selected = view.users.get(view.selected).map(|u| u.name.clone());
                    let command = match (words.as_slice(), selected) {
                        (["add", name, role, pin], _) => {
                            Role::parse(role).map(|role| Command::AddUser {
                                name: name.to_string(),
                                role,
                                pin: pin.to_string(),
                            })
                        }
                        (["pin", pin], Some(user)) => Some(Command::ResetPin {
                            user,
                            pin: pin.to_string(),
                        }),
                        (["disable"], Some(user)) => Some(Command::SetUserDisabled {
                            user,
                            disabled: true,
                        }),
                        (["enable"], Some(user)) => Some(Command::SetUserDisabled {
                            user,
                            disabled: false,
                        }),
                        _ => None,
                    };
                    match command {
                        Some(c) => {
                            if self.run(c) {
                                self.input.clear();
                                self.info("done, and journaled");
                            }
                        }
                        None => self.info("type add NAME ROLE PIN, or pin NEWPIN / disable / enable for the selected user"),
                    }
                }
                Tab::Reports => {
                    let dates: Vec<chrono::NaiveDate> = typed
                        .split_whitespace()
                        .filter_map(|d| d.parse().ok())
                        .collect();
                    match dates.as_slice() {
                        [day] => view.range = Some((*day, *day)),
                        [from, to] if from <= to => view.range = Some((*from, *to)),
                        _ => {
                            return self
                                .info("type a day (2026-11-23) or two (from to), then Enter");
                        }
                    }
                    self.input.clear();
                }
                Tab::Journal | Tab::Sync => {}
            },
            _ => {}
        }
        // A command may have ended the session: then the login shows, not this.
        if let (Screen::Manager(_), Some(session)) = (&self.screen, self.session) {
            if let Err(e) = view.load(self.engine, session) {
                self.error(e.to_string());
            }
            self.screen = Screen::Manager(Box::new(view));
        }
    }

    fn execute(&mut self, command: Command) -> Result<Vec<Event>, EngineError> {
        let session = self.session.ok_or(EngineError::NoSession)?;
        self.engine.execute(session, command)
    }

    /// Sends a command; shows its outcome. On a refusal that a manager may
    /// lift, asks for the manager's PIN and resends. True if it was done.
    fn run(&mut self, command: Command) -> bool {
        self.run_for_events(command).is_some()
    }

    /// Runs a command and applies its events; returns them, or `None` if it
    /// was refused (and the screen says why, or asks for an approval).
    fn run_for_events(&mut self, command: Command) -> Option<Vec<Event>> {
        match self.execute(command.clone()) {
            Ok(events) => {
                self.message = None;
                self.apply(events.clone());
                Some(events)
            }
            Err(EngineError::NeedsApproval(permission)) if !command.takes_approval() => {
                self.error(format!(
                    "{permission} is not this user's to do: log in as a user whose role may"
                ));
                None
            }
            Err(EngineError::NeedsApproval(permission)) => {
                self.overlay = Some(Overlay::Approval(ApprovalPrompt {
                    pending: Pending::Command(command),
                    why: format!("{permission} needs a manager's approval"),
                    user: String::new(),
                    pin: String::new(),
                    on_pin: false,
                    error: None,
                }));
                None
            }
            // The session was locked or ended: back to the login, sale kept.
            Err(e @ (EngineError::SessionLocked { .. } | EngineError::NoSession)) => {
                self.session = None;
                self.user = None;
                self.cart = None;
                self.screen = Screen::Login(LoginForm::default());
                self.error(e.to_string());
                None
            }
            Err(e) => {
                self.error(e.to_string());
                None
            }
        }
    }

    fn apply(&mut self, events: Vec<Event>) {
        for event in events {
            match event {
                Event::Cart { sale, totals } => {
                    let refund = match sale.kind {
                        SaleKind::Refund { original } => Some(original),
                        SaleKind::Sale => None,
                    };
                    self.show_cart(Some((*sale, *totals)));
                    if let Some(original) = refund
                        && !matches!(self.screen, Screen::Refund(_) | Screen::Payment)
                    {
                        match self.receipt(original.0) {
                            Ok(original) => {
                                self.screen = Screen::Refund(Box::new(RefundView {
                                    original,
                                    selected: 0,
                                }))
                            }
                            Err(e) => self.error(e.to_string()),
                        }
                    }
                }
                Event::Completed { sale, change } => {
                    let completion = Completion {
                        receipt: sale.receipt_label(),
                        total: sale.totals.total,
                        change,
                        refund: sale.sale.is_refund(),
                    };
                    let c = self.currency();
                    let text = if completion.refund {
                        format!(
                            "refund {} paid out: {}",
                            completion.receipt,
                            c.format(completion.total)
                        )
                    } else {
                        format!(
                            "sale {} complete: change {}",
                            completion.receipt,
                            c.format(change)
                        )
                    };
                    self.message = Some(Message {
                        text,
                        tone: Tone::Success,
                    });
                    self.cart = None;
                    self.selected = 0;
                    self.last = Some(completion);
                    self.screen = Screen::Sale;
                }
                Event::Voided => {
                    self.cart = None;
                    self.screen = Screen::Sale;
                    self.info("sale voided");
                }
                Event::Held { id } => {
                    self.cart = None;
                    self.info(format!(
                        "sale held as #{id}: recall it with {}",
                        self.keymap.label(Action::Recall)
                    ));
                }
                Event::Reprinted { receipt } => {
                    self.info(format!("duplicate of {receipt} sent to the printer"))
                }
                Event::DrawerOpened => self.info("drawer opened (no sale)"),
                Event::Shift(shift) => {
                    let c = self.currency().clone();
                    let text = match &shift.close {
                        None => format!(
                            "shift {} open, float {}",
                            shift.number,
                            c.format(shift.float)
                        ),
                        Some(close) => format!(
                            "shift {} closed: counted {}, expected {}, over/short {}",
                            shift.number,
                            c.format(close.counted),
                            c.format(close.expected),
                            c.format(close.over_short())
                        ),
                    };
                    self.info(text);
                }
                Event::Customer(customer) => {
                    let name = customer.contact.map(|c| c.name).unwrap_or_default();
                    self.info(format!("customer #{} {name} saved", customer.id));
                }
                Event::CustomerErased { id } => {
                    self.info(format!("customer #{id}'s details erased"))
                }
                Event::Stock(rows) => {
                    let text: Vec<String> = rows
                        .iter()
                        .map(|r| format!("{} now {}", r.name, r.level.on_hand))
                        .collect();
                    self.info(text.join(", "));
                }
                Event::Report(report) => {
                    let c = self.currency().clone();
                    let kind = report
                        .z_number
                        .map(|n| format!("Z report {n}"))
                        .unwrap_or_else(|| "X report".into());
                    let t = &report.takings;
                    self.info(format!(
                        "{kind}: {} sales, {} refunds, takings {}, cash {}, grand total {}",
                        t.sales,
                        t.refunds,
                        c.format(t.gross),
                        c.format(t.cash),
                        c.format(report.grand_total)
                    ));
                }
                Event::LoggedOut => {
                    self.session = None;
                    self.user = None;
                    self.cart = None;
                    self.last = None;
                    self.input.clear();
                    self.screen = Screen::Login(LoginForm::default());
                    self.info("logged out");
                }
            }
        }
    }
}

/// Moves a selection in a list of `len` rows one row up or down, staying inside.
fn step(selected: usize, len: usize, action: Action) -> usize {
    match action {
        Action::Down => (selected + 1).min(len.saturating_sub(1)),
        _ => selected.saturating_sub(1),
    }
}

/// "3*" (or "0.5*") on its own: the quantity for the next scan.
fn quantity_prefix(input: &str) -> Option<Decimal> {
    input.trim().strip_suffix('*').and_then(|q| q.parse().ok())
}

/// "10%" off, or an amount such as "0.50"; an empty line removes the discount.
fn parse_discount(text: &str, currency: &Currency) -> Result<Option<Discount>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    match text.strip_suffix('%') {
        Some(p) => p
            .trim()
            .parse()
            .map(|p| Some(Discount::Percent(p)))
            .map_err(|_| {
                format!("'{text}' is not a percentage: type 10% or an amount such as 0.50")
            }),
        None => currency
            .parse(text)
            .map(|a| Some(Discount::Amount(a)))
            .map_err(|e| e.to_string()),
    }
}
