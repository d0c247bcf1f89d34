//! Shared application state, built once at start-up.

use crate::auth::password::Passwords;
use crate::auth::tokens::Tokens;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::ratelimit::RateLimiter;
use crate::ratelimit::gate::OperationGate;
use crate::ratelimit::login::LoginThrottle;
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
    /// Event counters (invitation guessing, open-channel answers).
    pub limiter: Arc<RateLimiter>,
    /// Failed sign-ins.
    pub logins: Arc<LoginThrottle>,
    /// Slots for running operations.
    pub gate: Arc<OperationGate>,
    /// Sends survey links to citizens (SMS gateway, SMTP).
    pub deliverer: crate::delivery::Deliverer,
    /// Wakes the delivery outbox after an invitation to send is committed.
    pub outbox_wake: Arc<tokio::sync::Notify>,
    /// Stores accepted responses in group commits (one writer per instance).
    pub writer: crate::group_commit::GroupWriter,
    /// Public results computed in the last minute (the overview, per period).
    pub public_cache: Arc<crate::cache::Recent>,
}
