//! Every action a key can trigger: one stable snake_case name (what keymap
//! files say), the part of the till it belongs to, and a one-line description
//! (what the help overlay says). Adding an action here is what makes it bindable.

use std::borrow::Cow;
use std::fmt;

use crate::engine::CommandKind;
use crate::engine::facts::Approves;

/// Where a binding applies. Keys in a screen's section win over `global` ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Section {
    Global,
    Sale,
    Payment,
    Manager,
}

impl Section {
    pub const ALL: [Section; 4] = [
        Section::Global,
        Section::Sale,
        Section::Payment,
        Section::Manager,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Section::Global => "global",
            Section::Sale => "sale",
            Section::Payment => "payment",
            Section::Manager => "manager",
        }
    }

    pub fn parse(name: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// `[Kind]` in the table below: the action sends that kind of command.
macro_rules! sends {
    () => {
        None
    };
    ($command:ident) => {
        Some(CommandKind::$command)
    };
}

macro_rules! actions {
    ($($variant:ident => $name:literal, $section:ident, [$($command:ident)?], $doc:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant),* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),* }
            }

            pub fn section(self) -> Section {
                match self { $(Action::$variant => Section::$section),* }
            }

            /// The engine command this action sends, where it sends one
            /// kind: how the help reads the engine's table of command facts.
            pub fn command(self) -> Option<CommandKind> {
                match self { $(Action::$variant => sends!($($command)?)),* }
            }

            fn what_it_does(self) -> &'static str {
                match self { $(Action::$variant => $doc),* }
            }
        }
    };
}

actions! {
    Help => "help", Global, [], "show or hide this list of keys";
    Back => "back", Global, [], "go back, cancel, close";
    Submit => "submit", Global, [], "add the typed code, confirm, pay the typed amount in cash";
    Erase => "erase", Global, [], "delete the last typed character";
    Up => "up", Global, [], "move the selection up";
    Down => "down", Global, [], "move the selection down";
    PageUp => "page_up", Global, [], "move the selection up a page";
    PageDown => "page_down", Global, [], "move the selection down a page";
    Logout => "logout", Global, [Logout], "log out (an open sale stays on the lane)";
    Quit => "quit", Global, [], "close the till screen (an open sale stays on the lane)";
    Pay => "pay", Sale, [], "go to payment (also Enter with nothing typed)";
    Lookup => "lookup", Sale, [], "find a product by name or code";
    Hold => "hold", Sale, [Hold], "put this sale aside";
    Recall => "recall", Sale, [Recall], "bring back a sale put aside";
    Refund => "refund", Sale, [StartRefund], "refund a receipt (type its number first)";
    VoidLine => "void_line", Sale, [VoidLine], "void the selected line";
    Quantity => "quantity", Sale, [SetQuantity], "set the selected line's quantity to the typed number";
    LineDiscount => "line_discount", Sale, [LineDiscount], "discount the selected line by the typed 10% or 0.50";
    SaleDiscount => "sale_discount", Sale, [SaleDiscount], "discount the whole sale by the typed 10% or 0.50";
    VoidSale => "void_sale", Sale, [VoidSale], "void the whole sale";
    Reprint => "reprint", Sale, [Reprint], "print a receipt again: the last, or the one typed";
    NoSale => "no_sale", Sale, [NoSale], "open the cash drawer without a sale";
    PriceOverride => "price_override", Sale, [OverridePrice], "sell the selected line at the typed price";
    OpenShift => "open_shift", Sale, [OpenShift], "open a shift with the typed float";
    CloseShift => "close_shift", Sale, [CloseShift], "close the shift with the typed count (blind)";
    XReport => "x_report", Sale, [XReport], "takings since the last Z report";
    ZReport => "z_report", Sale, [ZReport], "end the day: the numbered Z report";
    Manager => "manager", Sale, [], "manager screens: products, stock, reports, journal, sync";
    Customer => "customer", Sale, [], "find, add or correct a customer and put them on the sale";
    NextTab => "next_tab", Manager, [], "the next manager screen";
    PrevTab => "prev_tab", Manager, [], "the previous manager screen";
    PayCard => "pay_card", Payment, [Tender], "pay the typed amount, or all that is due, by card";
    PayOther => "pay_other", Payment, [Tender], "pay the typed amount, or all that is due, by other means";
}

impl Action {
    /// What the help overlay says: what the action does, and "(manager)"
    /// where the engine's table of command facts says a manager's approval
    /// lets a cashier do it (the till then asks for one). Read from the
    /// table, so the help cannot disagree with what the engine asks.
    pub fn description(self) -> Cow<'static, str> {
        let approved = self
            .command()
            .is_some_and(|kind| kind.facts().approval == Some(Approves::Permission));
        if approved {
            format!("{} (manager)", self.what_it_does()).into()
        } else {
            self.what_it_does().into()
        }
    }

    pub fn parse(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == name)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}
