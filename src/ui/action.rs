//! Every action a key can trigger: one stable snake_case name (what keymap
//! files say), the part of the till it belongs to, and a one-line description
//! (what the help overlay says). Adding an action here is what makes it bindable.

use std::fmt;

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

macro_rules! actions {
    ($($variant:ident => $name:literal, $section:ident, $doc:literal;)*) => {
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

            pub fn description(self) -> &'static str {
                match self { $(Action::$variant => $doc),* }
            }
        }
    };
}

actions! {
    Help => "help", Global, "show or hide this list of keys";
    Back => "back", Global, "go back, cancel, close";
    Submit => "submit", Global, "enter: add the typed code, confirm, pay the typed amount in cash";
    Erase => "erase", Global, "delete the last typed character";
    Up => "up", Global, "move the selection up";
    Down => "down", Global, "move the selection down";
    Logout => "logout", Global, "log out (an open sale stays on the lane)";
    Quit => "quit", Global, "close the till screen (an open sale stays on the lane)";
    Pay => "pay", Sale, "go to payment (also Enter with nothing typed)";
    Lookup => "lookup", Sale, "find a product by name or code";
    Hold => "hold", Sale, "put this sale aside";
    Recall => "recall", Sale, "bring back a sale put aside";
    Refund => "refund", Sale, "refund a receipt (type its number first)";
    VoidLine => "void_line", Sale, "void the selected line";
    Quantity => "quantity", Sale, "set the selected line's quantity to the typed number";
    LineDiscount => "line_discount", Sale, "discount the selected line by the typed 10% or 0.50";
    SaleDiscount => "sale_discount", Sale, "discount the whole sale by the typed 10% or 0.50";
    VoidSale => "void_sale", Sale, "void the whole sale";
    Reprint => "reprint", Sale, "print a receipt again: the last, or the one typed";
    NoSale => "no_sale", Sale, "open the cash drawer without a sale (manager)";
    PriceOverride => "price_override", Sale, "sell the selected line at the typed price (manager)";
    OpenShift => "open_shift", Sale, "open a shift with the typed float";
    CloseShift => "close_shift", Sale, "close the shift with the typed count (blind)";
    XReport => "x_report", Sale, "takings since the last Z report";
    ZReport => "z_report", Sale, "end the day: the numbered Z report (manager)";
    Manager => "manager", Sale, "manager screens: products, stock, reports, journal, sync";
    Customer => "customer", Sale, "find, add or correct a customer and put them on the sale";
    NextTab => "next_tab", Manager, "the next manager screen";
    PrevTab => "prev_tab", Manager, "the previous manager screen";
    PayCard => "pay_card", Payment, "pay the typed amount, or all that is due, by card";
    PayOther => "pay_other", Payment, "pay the typed amount, or all that is due, by other means";
}

impl Action {
    pub fn parse(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == name)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}
