//! A list of lines taller than its box, shown from a top row that Up, Down,
//! PageUp and PageDown move: the X/Z report and the key list at 80x24.
//!
//! The box's height is known only when it is drawn, so the drawing keeps
//! the top inside the list (`window`): after scrolling past the end, the
//! first Up moves at once instead of undoing the extra Downs.

use std::cell::Cell;
use std::ops::Range;

use super::step;
use crate::ui::action::Action;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scroll {
    top: Cell<usize>,
}

impl Scroll {
    /// Whether `action` scrolls: Up, Down, PageUp, PageDown.
    pub fn scrolls(action: Action) -> bool {
        matches!(
            action,
            Action::Up | Action::Down | Action::PageUp | Action::PageDown
        )
    }

    /// Moves the top row of a list of `len` rows.
    pub fn act(&self, action: Action, len: usize) {
        self.top.set(step(self.top.get(), len, action));
    }

    /// The rows of a list of `len` shown in `height` rows, and how many
    /// are left below them.
    pub fn window(&self, len: usize, height: usize) -> (Range<usize>, usize) {
        let top = self.top.get().min(len.saturating_sub(height));
        self.top.set(top);
        let end = (top + height).min(len);
        (top..end, len - end)
    }

    /// A box title's note of what is below: " (N more lines: Down)".
    pub fn more(below: usize) -> String {
        match below {
            0 => String::new(),
            n => format!(" ({n} more lines: Down)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_stays_inside_and_up_moves_at_once_after_overscrolling() {
        let scroll = Scroll::default();
        for _ in 0..30 {
            scroll.act(Action::Down, 25);
        }
        assert_eq!(scroll.window(25, 20), (5..25, 0));
        scroll.act(Action::Up, 25);
        assert_eq!(scroll.window(25, 20), (4..24, 1));
        assert_eq!(scroll.window(5, 20), (0..5, 0), "a short list is whole");
        assert_eq!(Scroll::more(1), " (1 more lines: Down)");
    }
}
