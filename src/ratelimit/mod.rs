//! Throttles, all in memory and per process, timed by the application clock so
//! tests assert `RATE_LIMITED` without sleeping:
//! - [`RateLimiter`]: fixed-window event counters keyed by e.g. client address;
//! - [`login::LoginThrottle`]: failed sign-ins, progressive per account;
//! - [`gate::OperationGate`]: how many operations (and costly ones per caller) run at once.
//!
//! Several server instances on one PostgreSQL share the sign-in and guessing
//! counts through [`shared`] (the services choose where to count); the other
//! limits here are each instance's own, which multiplies them by the instance
//! count (documented in the README).
//!
//! Every check that decides whether work may start also counts that work in the
//! same critical section ([`RateLimiter::reserve`]), so parallel requests cannot
//! all pass a check before any of them is counted.

pub mod gate;
pub mod login;
pub mod shared;

use crate::error::AppError;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

/// Upper bound on tracked keys of one limiter; expired windows are pruned past it,
/// then the oldest half.
pub const MAX_KEYS: usize = 100_000;

/// One key's window: when it started, its length, and the events in it.
#[derive(Debug, Clone, Copy)]
struct Window {
    start: DateTime<Utc>,
    secs: i64,
    count: u32,
}

impl Window {
    fn end(&self) -> DateTime<Utc> {
        self.start + Duration::seconds(self.secs)
    }
}

/// Counts events per key per window.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, Window>>,
}

/// Locks a mutex even if a panicking thread poisoned it: the counters stay usable.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// Keeps a map of timed entries under [`MAX_KEYS`]: drops the expired ones, then,
/// if still full, the half that ended (or last moved) earliest.
pub(crate) fn prune<K: Clone + Eq + std::hash::Hash, V>(
    m: &mut HashMap<K, V>,
    now: DateTime<Utc>,
    ends: impl Fn(&V) -> DateTime<Utc>,
) {
    if m.len() < MAX_KEYS {
        return;
    }
    m.retain(|_, v| ends(v) > now);
    if m.len() >= MAX_KEYS {
        let mut by_end: Vec<(DateTime<Utc>, K)> =
            m.iter().map(|(k, v)| (ends(v), k.clone())).collect();
        by_end.sort_by_key(|(e, _)| *e);
        for (_, k) in by_end.into_iter().take(MAX_KEYS / 2) {
            m.remove(&k);
        }
    }
}

impl RateLimiter {
    /// A new, empty limiter.
    pub fn new() -> Self {
        Self::default()
    }

    fn current(m: &HashMap<String, Window>, key: &str, now: DateTime<Utc>) -> Option<Window> {
        m.get(key).copied().filter(|w| now < w.end())
    }

    /// Fails with `RATE_LIMITED` when `key` has reached `limit` events in its
    /// current window.
    pub fn check(&self, key: &str, limit: u32, now: DateTime<Utc>) -> Result<(), AppError> {
        let m = lock(&self.windows);
        match Self::current(&m, key, now) {
            Some(w) if w.count >= limit => Err(AppError::RateLimited {
                retry_after_secs: (w.end() - now).num_seconds().max(1),
            }),
            _ => Ok(()),
        }
    }

    /// Records one event for `key` (a window of `window_secs` starts with the first).
    pub fn hit(&self, key: &str, window_secs: i64, now: DateTime<Utc>) {
        let mut m = lock(&self.windows);
        Self::add(&mut m, key, window_secs, now);
    }

    fn add(m: &mut HashMap<String, Window>, key: &str, window_secs: i64, now: DateTime<Utc>) {
        prune(m, now, Window::end);
        let w = match Self::current(m, key, now) {
            Some(w) => w,
            None => Window {
                start: now,
                secs: window_secs,
                count: 0,
            },
        };
        m.insert(
            key.to_owned(),
            Window {
                count: w.count.saturating_add(1),
                ..w
            },
        );
    }

    /// Checks and records in one step: fails with `RATE_LIMITED` if `key` is at
    /// `limit`, otherwise counts this event. Parallel callers are counted one by one.
    pub fn reserve(
        &self,
        key: &str,
        limit: u32,
        window_secs: i64,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let mut m = lock(&self.windows);
        if let Some(w) = Self::current(&m, key, now)
            && w.count >= limit
        {
            return Err(AppError::RateLimited {
                retry_after_secs: (w.end() - now).num_seconds().max(1),
            });
        }
        Self::add(&mut m, key, window_secs, now);
        Ok(())
    }

    /// Same as [`Self::reserve`], for events that count whether or not they succeed.
    pub fn hit_checked(
        &self,
        key: &str,
        limit: u32,
        window_secs: i64,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        self.reserve(key, limit, window_secs, now)
    }

    /// Gives back one reserved event (the work it stood for turned out not to count).
    pub fn release(&self, key: &str) {
        let mut m = lock(&self.windows);
        if let Some(w) = m.get_mut(key) {
            w.count = w.count.saturating_sub(1);
        }
    }

    /// Forgets `key`.
    pub fn reset(&self, key: &str) {
        lock(&self.windows).remove(key);
    }

    /// Keys tracked (tests).
    pub fn len(&self) -> usize {
        lock(&self.windows).len()
    }

    /// Whether no key is tracked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_applies_within_the_window_and_resets_after() {
        let l = RateLimiter::new();
        let t0 = Utc::now();
        for _ in 0..3 {
            assert!(l.hit_checked("k", 3, 60, t0).is_ok());
        }
        assert!(matches!(
            l.check("k", 3, t0),
            Err(AppError::RateLimited { .. })
        ));
        assert!(l.check("other", 3, t0).is_ok());
        assert!(l.check("k", 3, t0 + Duration::seconds(61)).is_ok());
    }

    #[test]
    fn parallel_reservations_never_exceed_the_limit() {
        let l = std::sync::Arc::new(RateLimiter::new());
        let t0 = Utc::now();
        let ok = std::sync::atomic::AtomicU32::new(0);
        std::thread::scope(|s| {
            for _ in 0..16 {
                s.spawn(|| {
                    for _ in 0..10 {
                        if l.reserve("k", 5, 60, t0).is_ok() {
                            ok.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        }
                    }
                });
            }
        });
        assert_eq!(ok.into_inner(), 5);
    }

    #[test]
    fn each_key_keeps_its_own_window_length() {
        let l = RateLimiter::new();
        let t0 = Utc::now();
        l.hit("short", 10, t0);
        l.hit("long", 3600, t0);
        let later = t0 + Duration::seconds(60);
        assert!(l.reserve("short", 1, 10, later).is_ok());
        assert!(l.reserve("long", 1, 3600, later).is_err());
    }

    #[test]
    fn a_released_reservation_frees_its_slot() {
        let l = RateLimiter::new();
        let t0 = Utc::now();
        assert!(l.reserve("k", 1, 60, t0).is_ok());
        assert!(l.reserve("k", 1, 60, t0).is_err());
        l.release("k");
        assert!(l.reserve("k", 1, 60, t0).is_ok());
    }
}
