//! Fixed-window failure counters in memory, keyed by e.g. account or client address.
//! Time comes from the application clock, so tests assert `RATE_LIMITED` without
//! sleeping. (One server instance; several instances each count their own, which
//! multiplies the limit by the instance count — acceptable for login throttling.)

use crate::error::AppError;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

/// Upper bound on tracked keys; old windows are pruned past it.
const MAX_KEYS: usize = 100_000;

/// Counts events per key per window.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (DateTime<Utc>, u32)>>,
}

impl RateLimiter {
    /// A new, empty limiter.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, (DateTime<Utc>, u32)>) -> T) -> T {
        match self.windows.lock() {
            Ok(mut g) => f(&mut g),
            Err(p) => f(&mut p.into_inner()),
        }
    }

    /// Fails with `RATE_LIMITED` when `key` has reached `limit` events in the current
    /// window of `window_secs`.
    pub fn check(
        &self,
        key: &str,
        limit: u32,
        window_secs: i64,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        self.with(|m| match m.get(key) {
            Some((start, n))
                if *n >= limit && now < *start + chrono::Duration::seconds(window_secs) =>
            {
                let left = (*start + chrono::Duration::seconds(window_secs) - now).num_seconds();
                Err(AppError::RateLimited {
                    retry_after_secs: left.max(1),
                })
            }
            _ => Ok(()),
        })
    }

    /// Records one event for `key`.
    pub fn hit(&self, key: &str, window_secs: i64, now: DateTime<Utc>) {
        self.with(|m| {
            if m.len() >= MAX_KEYS {
                m.retain(|_, (start, _)| now < *start + chrono::Duration::seconds(window_secs));
            }
            let e = m.entry(key.to_owned()).or_insert((now, 0));
            if now >= e.0 + chrono::Duration::seconds(window_secs) {
                *e = (now, 0);
            }
            e.1 += 1;
        });
    }

    /// Checks, then records: for events that count whether or not they succeed.
    pub fn hit_checked(
        &self,
        key: &str,
        limit: u32,
        window_secs: i64,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        self.check(key, limit, window_secs, now)?;
        self.hit(key, window_secs, now);
        Ok(())
    }

    /// Forgets `key` (e.g. after a successful login).
    pub fn reset(&self, key: &str) {
        self.with(|m| {
            m.remove(key);
        });
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
            l.check("k", 3, 60, t0),
            Err(AppError::RateLimited { .. })
        ));
        assert!(l.check("other", 3, 60, t0).is_ok());
        assert!(
            l.check("k", 3, 60, t0 + chrono::Duration::seconds(61))
                .is_ok()
        );
    }
}
