//! Telling a keyboard-wedge barcode scanner from a person typing.
//!
//! A USB scanner in keyboard mode "types" the code and Enter in a few
//! milliseconds; a person needs far longer between keys. Characters are held
//! back while they arrive in such a burst; a burst of at least `min_len`
//! characters ended by Enter is a scan, and anything else is handed on as
//! typing once the burst is over. So a scan never lands in a search box or a
//! quantity field, whatever has focus.

use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WedgeConfig {
    /// The longest pause between two keys of one scan.
    pub max_gap: Duration,
    /// The fewest characters (before Enter) that make a scan.
    pub min_len: usize,
}

impl Default for WedgeConfig {
    fn default() -> Self {
        WedgeConfig {
            max_gap: Duration::from_millis(50),
            min_len: 4,
        }
    }
}

/// Whether `c` can be part of a code a scanner sends: letters, digits and
/// the joiners of shop codes ("AB-12", "40+12345", "A/7", "X_1"). Not '.':
/// that is how a person types a price or a weight ("1.79", "0.5"); not '*',
/// which sets a quantity ("3*4006…"); not a space or other punctuation. A
/// fast burst with any other character was typed (or pasted), not scanned.
fn could_be_scanned(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '/' | '_')
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wedge {
    /// Characters that turned out to be typed by a person, in order.
    Typed(Vec<char>),
    Scan(String),
}

#[derive(Debug, Default)]
pub struct WedgeDetector {
    config: WedgeConfig,
    pending: Vec<char>,
    last: Option<Instant>,
}

impl WedgeDetector {
    pub fn new(config: WedgeConfig) -> WedgeDetector {
        WedgeDetector {
            config,
            pending: Vec::new(),
            last: None,
        }
    }

    fn in_burst(&self, now: Instant) -> bool {
        self.last
            .is_some_and(|t| now.duration_since(t) <= self.config.max_gap)
    }

    /// A printable character arrived. Returns typing that is now known to be typing.
    pub fn char(&mut self, c: char, now: Instant) -> Option<Wedge> {
        let flushed = if self.in_burst(now) {
            None
        } else {
            self.flush()
        };
        self.pending.push(c);
        self.last = Some(now);
        flushed
    }

    /// Enter arrived. A scan, or the held-back typing (Enter itself is then the
    /// caller's to handle as a key).
    pub fn enter(&mut self, now: Instant) -> Option<Wedge> {
        let code_like = self.pending.iter().all(|c| could_be_scanned(*c));
        if self.in_burst(now) && code_like && self.pending.len() >= self.config.min_len {
            let code: String = self.pending.drain(..).collect();
            self.last = None;
            return Some(Wedge::Scan(code));
        }
        self.flush()
    }

    /// Any other key, or the burst's time ran out: hand on what was held back.
    pub fn flush(&mut self) -> Option<Wedge> {
        self.last = None;
        if self.pending.is_empty() {
            None
        } else {
            Some(Wedge::Typed(std::mem::take(&mut self.pending)))
        }
    }

    /// Whether a burst is under way.
    pub fn pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// When held-back characters must be handed on if nothing else arrives.
    pub fn deadline(&self) -> Option<Instant> {
        if self.pending.is_empty() {
            None
        } else {
            self.last.map(|t| t + self.config.max_gap)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(base: Instant, n: u64) -> Instant {
        base + Duration::from_millis(n)
    }

    #[test]
    fn a_fast_burst_ending_in_enter_is_a_scan() {
        let t = Instant::now();
        let mut w = WedgeDetector::new(WedgeConfig::default());
        for (i, c) in "4006381333931".chars().enumerate() {
            assert_eq!(w.char(c, ms(t, i as u64 * 3)), None);
        }
        assert_eq!(
            w.enter(ms(t, 40)),
            Some(Wedge::Scan("4006381333931".into()))
        );
        assert_eq!(w.deadline(), None);
    }

    #[test]
    fn a_person_typing_is_handed_on_as_typing() {
        let t = Instant::now();
        let mut w = WedgeDetector::new(WedgeConfig::default());
        assert_eq!(w.char('1', ms(t, 0)), None);
        assert_eq!(w.deadline(), Some(ms(t, 50)));
        // 180 ms later: the '1' was typed by a person.
        assert_eq!(w.char('2', ms(t, 180)), Some(Wedge::Typed(vec!['1'])));
        assert_eq!(w.enter(ms(t, 400)), Some(Wedge::Typed(vec!['2'])));
    }

    #[test]
    fn a_short_fast_burst_is_not_a_scan() {
        let t = Instant::now();
        let mut w = WedgeDetector::new(WedgeConfig::default());
        w.char('4', ms(t, 0));
        w.char('2', ms(t, 5));
        assert_eq!(w.enter(ms(t, 10)), Some(Wedge::Typed(vec!['4', '2'])));
    }

    #[test]
    fn a_fast_quantity_and_code_is_typing() {
        let t = Instant::now();
        let mut w = WedgeDetector::new(WedgeConfig::default());
        for (i, c) in "3*4006381333931".chars().enumerate() {
            w.char(c, ms(t, i as u64));
        }
        assert_eq!(
            w.enter(ms(t, 20)),
            Some(Wedge::Typed("3*4006381333931".chars().collect()))
        );
    }

    #[test]
    fn a_fast_price_or_weight_is_typing() {
        let t = Instant::now();
        let mut w = WedgeDetector::new(WedgeConfig::default());
        for (i, c) in "12.79".chars().enumerate() {
            w.char(c, ms(t, i as u64));
        }
        assert_eq!(
            w.enter(ms(t, 10)),
            Some(Wedge::Typed("12.79".chars().collect()))
        );
    }

    #[test]
    fn a_slow_enter_after_a_burst_is_typing() {
        let t = Instant::now();
        let mut w = WedgeDetector::new(WedgeConfig {
            max_gap: Duration::from_millis(30),
            min_len: 4,
        });
        for (i, c) in "12345".chars().enumerate() {
            w.char(c, ms(t, i as u64));
        }
        assert_eq!(
            w.enter(ms(t, 100)),
            Some(Wedge::Typed("12345".chars().collect()))
        );
    }
}
