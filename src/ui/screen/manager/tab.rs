//! The manager's screens, in the order Tab steps through them, with what
//! typing and Enter do on each.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Products,
    Stock,
    Users,
    Reports,
    Journal,
    Sync,
}

impl Tab {
    pub const ALL: [Tab; 6] = [
        Tab::Products,
        Tab::Stock,
        Tab::Users,
        Tab::Reports,
        Tab::Journal,
        Tab::Sync,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Products => "Products",
            Tab::Stock => "Stock",
            Tab::Users => "Users",
            Tab::Reports => "Reports",
            Tab::Journal => "Journal",
            Tab::Sync => "Sync",
        }
    }

    /// What typing and Enter do here, for the input line's title: at most
    /// 78 characters, so it shows whole in the 80-column console's box.
    pub fn hint(self) -> &'static str {
        match self {
            Tab::Products => {
                " find: name or code; selected: 1.79 (price), tax red, +code N, -code N "
            }
            Tab::Stock => " find: name or code; selected: -2 broken, recv DN-1001 12, reorder 5 ",
            Tab::Users => " add NAME ROLE PIN / pin NEWPIN / disable / enable (the selected user) ",
            Tab::Reports => {
                " a day (2026-11-23) or two (from to) and Enter: the report for those days "
            }
            Tab::Journal | Tab::Sync => " nothing to type here   Tab: next screen   Esc: back ",
        }
    }

    pub fn step(self, forward: bool) -> Tab {
        let i = Tab::ALL.iter().position(|t| *t == self).unwrap_or(0);
        let n = Tab::ALL.len();
        Tab::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}
