//! Parts that more than one screen or popup is built from, each with its own
//! state, keys and drawing: the user-and-PIN entry (login, manager approval)
//! and the type-ahead search list (products, customers).

pub mod credentials;
pub mod search_list;

use super::action::Action;

/// Moves a selection in a list of `len` rows one row up or down, staying inside.
pub fn step(selected: usize, len: usize, action: Action) -> usize {
    match action {
        Action::Down => (selected + 1).min(len.saturating_sub(1)),
        _ => selected.saturating_sub(1),
    }
}
