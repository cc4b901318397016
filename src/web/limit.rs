//! Rate limits (DESIGN.md: logins and codes are rate-limited, HTTP 429):
//! at most `max` attempts per key in any `window`, on the wall clock, in
//! the server's memory (a restart forgets them; a lock that must last, as
//! a link locked after 5 wrong codes, is journaled instead).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A sliding-window limit over keys (a link's id, an address, an IP).
#[derive(Debug)]
pub struct Limit {
    max: usize,
    window: Duration,
    seen: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Limit {
    pub fn new(max: usize, window: Duration) -> Limit {
        Limit { max, window, seen: Mutex::new(HashMap::new()) }
    }

    /// Counts an attempt for `key` at `now`: true when it is allowed, false
    /// when `max` attempts were already made within the window (not counted).
    pub fn allow(&self, key: &str, now: Instant) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Keys without a recent attempt are dropped now and then, so the map
        // stays as small as the traffic of one window.
        if seen.len() > 10_000 {
            let window = self.window;
            seen.retain(|_, times| times.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let times = seen.entry(key.to_owned()).or_default();
        while times.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
            times.pop_front();
        }
        if times.len() >= self.max {
            return false;
        }
        times.push_back(now);
        true
    }

    /// Takes back the attempt [`Limit::allow`] counted for `key` at `at`
    /// (a sign-in that proved right: only failures should add up).
    pub fn forgive(&self, key: &str, at: Instant) {
        let mut seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(times) = seen.get_mut(key)
            && let Some(i) = times.iter().rposition(|t| *t == at)
        {
            times.remove(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_max_attempts_per_key_in_any_window() {
        let limit = Limit::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        assert!(limit.allow("a", t0));
        assert!(limit.allow("a", t0 + Duration::from_secs(1)));
        assert!(limit.allow("a", t0 + Duration::from_secs(2)));
        assert!(!limit.allow("a", t0 + Duration::from_secs(3)), "the fourth within a minute");
        assert!(limit.allow("b", t0 + Duration::from_secs(3)), "another key is counted apart");
        assert!(!limit.allow("a", t0 + Duration::from_secs(59)));
        assert!(limit.allow("a", t0 + Duration::from_secs(61)), "the first attempt left the window");
        for i in 0..3 {
            assert!(limit.allow("c", t0 + Duration::from_secs(i)));
        }
        assert!(!limit.allow("c", t0 + Duration::from_secs(3)));
        limit.forgive("c", t0 + Duration::from_secs(1));
        assert!(limit.allow("c", t0 + Duration::from_secs(4)), "one taken back");
    }
}
