//! Parts that more than one screen or popup is built from, each with its own
//! state, keys and drawing: the user-and-PIN entry (login, manager approval)
//! the type-ahead search list (products, customers) and the scrolled list
//! of lines (a report, the key list).

pub mod credentials;
pub mod scroll;
pub mod search_list;

use super::action::Action;

/// Rows a PageUp or PageDown moves: about what an 80x24 list shows at once.
pub const PAGE: usize = 10;

/// Moves a selection in a list of `len` rows one row (Up, Down) or a page
/// (PageUp, PageDown) up or down, staying inside.
pub fn step(selected: usize, len: usize, action: Action) -> usize {
    let last = len.saturating_sub(1);
    match action {
        Action::Down => (selected + 1).min(last),
        Action::PageDown => (selected + PAGE).min(last),
        Action::PageUp => selected.saturating_sub(PAGE),
        _ => selected.saturating_sub(1),
    }
}
