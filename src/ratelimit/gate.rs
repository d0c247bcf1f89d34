//! How much work runs at once, so memory stays bounded whatever callers send:
//! - every operation takes a slot of `max_in_flight` (waiting for one, within the
//!   operation's time limit);
//! - a costly operation (reports, period closing, rebuilds) also takes one of
//!   `costly_total` slots, and a caller may hold at most `costly_per_caller` of them —
//!   a further one is refused at once with `RATE_LIMITED`, not queued.

use super::lock;
use crate::error::AppError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The limits (from configuration).
#[derive(Debug, Clone, Copy)]
pub struct GateLimits {
    /// Operations executing at once, in the whole process.
    pub max_in_flight: usize,
    /// Costly operations executing at once, in the whole process.
    pub costly_total: usize,
    /// Costly operations one caller may have executing at once.
    pub costly_per_caller: usize,
}

/// Slots for operations.
pub struct OperationGate {
    limits: GateLimits,
    all: Arc<Semaphore>,
    costly: Arc<Semaphore>,
    per_caller: Arc<Mutex<HashMap<String, usize>>>,
}

/// A slot held while an operation runs; dropping it frees the slot.
pub struct Slot {
    _all: OwnedSemaphorePermit,
    costly: Option<(OwnedSemaphorePermit, CallerSlot)>,
}

/// One of a caller's costly slots.
struct CallerSlot {
    caller: String,
    per_caller: Arc<Mutex<HashMap<String, usize>>>,
}

impl Drop for CallerSlot {
    fn drop(&mut self) {
        let mut m = lock(&self.per_caller);
        if let Some(n) = m.get_mut(&self.caller) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                m.remove(&self.caller);
            }
        }
    }
}

impl OperationGate {
    /// A gate with every slot free.
    pub fn new(limits: GateLimits) -> Self {
        Self {
            limits,
            all: Arc::new(Semaphore::new(limits.max_in_flight.max(1))),
            costly: Arc::new(Semaphore::new(limits.costly_total.max(1))),
            per_caller: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Waits for a slot for one operation of `caller`; `costly` operations also
    /// need one of the caller's costly slots (`RATE_LIMITED` at once if none is free).
    pub async fn enter(&self, caller: &str, costly: bool) -> Result<Slot, AppError> {
        let caller_slot = if costly {
            let mut m = lock(&self.per_caller);
            let n = m.entry(caller.to_owned()).or_insert(0);
            if *n >= self.limits.costly_per_caller.max(1) {
                return Err(AppError::RateLimited {
                    retry_after_secs: 1,
                });
            }
            *n += 1;
            Some(CallerSlot {
                caller: caller.to_owned(),
                per_caller: self.per_caller.clone(),
            })
        } else {
            None
        };
        let closed = |_| AppError::internal("operation gate closed");
        let all = self.all.clone().acquire_owned().await.map_err(closed)?;
        let costly = match caller_slot {
            Some(cs) => Some((
                self.costly.clone().acquire_owned().await.map_err(closed)?,
                cs,
            )),
            None => None,
        };
        Ok(Slot { _all: all, costly })
    }

    /// Costly operations `caller` has executing now (tests).
    pub fn costly_running(&self, caller: &str) -> usize {
        lock(&self.per_caller).get(caller).copied().unwrap_or(0)
    }
}

impl Slot {
    /// Whether this slot is for a costly operation.
    pub fn is_costly(&self) -> bool {
        self.costly.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate() -> OperationGate {
        OperationGate::new(GateLimits {
            max_in_flight: 8,
            costly_total: 4,
            costly_per_caller: 2,
        })
    }

    #[tokio::test]
    async fn a_caller_gets_at_most_its_share_of_costly_slots() {
        let g = gate();
        let a = g.enter("user:a", true).await;
        let b = g.enter("user:a", true).await;
        assert!(a.is_ok() && b.is_ok());
        assert!(matches!(
            g.enter("user:a", true).await,
            Err(AppError::RateLimited { .. })
        ));
        assert!(g.enter("user:b", true).await.is_ok());
        assert!(g.enter("user:a", false).await.is_ok());
        drop(a);
        assert_eq!(g.costly_running("user:a"), 1);
        assert!(g.enter("user:a", true).await.is_ok());
    }

    #[tokio::test]
    async fn freed_slots_leave_no_trace_of_the_caller() {
        let g = gate();
        {
            let _s = g.enter("ip:1", true).await;
        }
        assert_eq!(g.costly_running("ip:1"), 0);
        assert!(lock(&g.per_caller).is_empty());
    }
}
