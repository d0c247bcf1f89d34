//! Where the throttles count: in this process on SQLite (one instance), in
//! PostgreSQL when several instances share the database, so that a limit holds
//! between them all (see [`crate::ratelimit::shared`]). The rules are the same.

use crate::error::AppResult;
use crate::ratelimit::login::Attempt;
use crate::ratelimit::shared;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use sea_orm::DbBackend;

fn shared_counts(state: &AppState) -> bool {
    state.db.backend() == DbBackend::Postgres
}

/// Checks the sign-in limits and counts the attempt as a failure until
/// [`login_succeeded`].
pub(crate) async fn login_begin(
    state: &AppState,
    account: &str,
    client: &str,
    now: DateTime<Utc>,
) -> AppResult<Attempt> {
    if shared_counts(state) {
        shared::login_begin(&state.db, state.config.login_policy(), account, client, now).await
    } else {
        state.logins.begin(account, client, now)
    }
}

/// The attempt was not a failure after all.
pub(crate) async fn login_succeeded(state: &AppState, attempt: Attempt) -> AppResult<()> {
    if shared_counts(state) {
        shared::login_succeeded(&state.db, &attempt).await
    } else {
        state.logins.succeeded(attempt);
        Ok(())
    }
}

/// `RATE_LIMITED` when `key` has had `limit` events in its window.
pub(crate) async fn window_check(
    state: &AppState,
    key: &str,
    limit: u32,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if shared_counts(state) {
        shared::window_check(&state.db, key, limit, now).await
    } else {
        state.limiter.check(key, limit, now)
    }
}

/// Counts one event for `key` (its window of `window_secs` starts with the first).
pub(crate) async fn window_hit(
    state: &AppState,
    key: &str,
    window_secs: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if shared_counts(state) {
        shared::window_hit(&state.db, key, window_secs, now).await
    } else {
        state.limiter.hit(key, window_secs, now);
        Ok(())
    }
}

/// Forgets shared counts whose windows are over (the hourly jobs).
pub(crate) async fn forget_expired(state: &AppState) -> AppResult<()> {
    if shared_counts(state) {
        shared::forget_expired(&state.db, state.config.login_window_secs, state.clock.now()).await
    } else {
        Ok(())
    }
}
