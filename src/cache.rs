//! Results computed for every caller alike, served again for a short while: what
//! anonymous callers may ask for as often as they like (the public overview). One
//! per instance; several instances each keep their own.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A value with when it was computed.
type Entry = (Instant, Arc<dyn Any + Send + Sync>);

/// Recently computed results by key, each served for `fresh_for`, at most `most` kept.
pub struct Recent {
    fresh_for: Duration,
    most: usize,
    entries: Mutex<HashMap<String, Entry>>,
}

impl Recent {
    /// An empty cache.
    pub fn new(fresh_for: Duration, most: usize) -> Self {
        Self {
            fresh_for,
            most: most.max(1),
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn entries(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value of `key` computed less than `fresh_for` before `now` (of type `T`).
    pub fn fresh<T: Any + Send + Sync>(&self, key: &str, now: Instant) -> Option<Arc<T>> {
        let entries = self.entries();
        let (at, v) = entries.get(key)?;
        if now.saturating_duration_since(*at) >= self.fresh_for {
            return None;
        }
        v.clone().downcast::<T>().ok()
    }

    /// Keeps `value` computed at `now`, dropping stale entries (and the oldest when full).
    pub fn keep<T: Any + Send + Sync>(&self, key: String, now: Instant, value: Arc<T>) {
        let mut entries = self.entries();
        let fresh_for = self.fresh_for;
        entries.retain(|_, (at, _)| now.saturating_duration_since(*at) < fresh_for);
        if entries.len() >= self.most
            && let Some(oldest) = entries
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(k, _)| k.clone())
        {
            entries.remove(&oldest);
        }
        entries.insert(key, (now, value));
    }

    /// How many entries are kept.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_served_again_until_it_is_stale_and_then_computed_anew() {
        let cache = Recent::new(Duration::from_secs(60), 8);
        let t0 = Instant::now();
        assert!(cache.fresh::<u32>("a", t0).is_none());
        let v = Arc::new(7u32);
        cache.keep("a".into(), t0, v.clone());
        let again = cache
            .fresh::<u32>("a", t0 + Duration::from_secs(59))
            .unwrap();
        assert!(Arc::ptr_eq(&again, &v));
        assert!(cache.fresh::<String>("a", t0).is_none(), "another type");
        assert!(
            cache
                .fresh::<u32>("a", t0 + Duration::from_secs(60))
                .is_none()
        );
    }

    #[test]
    fn at_most_the_given_number_is_kept_dropping_the_oldest() {
        let cache = Recent::new(Duration::from_secs(60), 64);
        let t0 = Instant::now();
        for i in 0..70u64 {
            cache.keep(format!("k{i}"), t0 + Duration::from_millis(i), Arc::new(i));
        }
        let now = t0 + Duration::from_secs(1);
        assert_eq!(cache.len(), 64);
        assert!(cache.fresh::<u64>("k0", now).is_none());
        assert_eq!(cache.fresh::<u64>("k69", now).as_deref(), Some(&69));
    }
}
