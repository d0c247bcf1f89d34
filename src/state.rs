//! Shared application state, built once at start-up.

use crate::auth::password::Passwords;
use crate::auth::tokens::Tokens;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::ratelimit::RateLimiter;
use std::sync::Arc;

/// Everything services need, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Database.
    pub db: Db,
    /// Settings.
    pub config: Arc<Config>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Access tokens.
    pub tokens: Tokens,
    /// Password hashing.
    pub passwords: Passwords,
    /// Failure counters.
    pub limiter: Arc<RateLimiter>,
}
