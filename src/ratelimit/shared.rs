//! The throttles on PostgreSQL, shared by every server instance on the database:
//! several instances behind a load balancer then hold one limit between them,
//! not one each. The rules are those of the in-process throttles (the same
//! [`login::decide`](super::login::decide)); only where the counts live differs.
//! SQLite serves one instance and keeps its throttles in memory.
//!
//! Keys are SHA-256 hashes of the in-process keys: no e-mail address or client
//! address is stored. Rows are locked in key order, so parallel attempts on any
//! instance are counted one by one.

use super::login::{Attempt, Failures, LoginPolicy, decide};
use crate::auth::secrets::sha256_hex;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

fn stmt(sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}

/// Checks every sign-in limit and counts the attempt as a failure (see
/// [`super::login::LoginThrottle::begin`]), across instances.
pub async fn login_begin(
    db: &Db,
    policy: LoginPolicy,
    account: &str,
    client: &str,
    now: DateTime<Utc>,
) -> AppResult<Attempt> {
    let attempt = Attempt::new(account, client);
    let keys = attempt.shared_keys();
    let txn = db.begin_write().await?;
    let mut sorted: Vec<&String> = keys.iter().collect();
    sorted.sort();
    for k in &sorted {
        txn.execute_raw(stmt(
            "INSERT INTO throttle_failures (key, count, first_at, last_at) VALUES ($1, 0, $2, $2) \
             ON CONFLICT (key) DO NOTHING",
            vec![(*k).clone().into(), now.into()],
        ))
        .await?;
    }
    let rows = txn
        .query_all_raw(stmt(
            "SELECT key, count, first_at, last_at FROM throttle_failures \
             WHERE key IN ($1, $2, $3) ORDER BY key FOR UPDATE",
            keys.iter().map(|k| k.clone().into()).collect(),
        ))
        .await?;
    let mut found: [Option<Failures>; 3] = [None, None, None];
    for r in rows {
        let key: String = r.try_get("", "key")?;
        let f = Failures {
            count: u32::try_from(r.try_get::<i32>("", "count")?).unwrap_or(0),
            first: r.try_get("", "first_at")?,
            last: r.try_get("", "last_at")?,
        };
        if let Some(i) = keys.iter().position(|k| *k == key) {
            // A row just made (count 0) is no failure yet.
            found[i] = (f.count > 0).then_some(f);
        }
    }
    let next = decide(policy, found, now)?;
    for (k, f) in keys.iter().zip(next) {
        txn.execute_raw(stmt(
            "UPDATE throttle_failures SET count = $2, first_at = $3, last_at = $4 WHERE key = $1",
            vec![
                k.clone().into(),
                i32::try_from(f.count).unwrap_or(i32::MAX).into(),
                f.first.into(),
                f.last.into(),
            ],
        ))
        .await?;
    }
    txn.commit().await?;
    Ok(attempt)
}

/// The attempt succeeded (see [`super::login::LoginThrottle::succeeded`]).
pub async fn login_succeeded(db: &Db, attempt: &Attempt) -> AppResult<()> {
    let [client, account, pair] = attempt.shared_keys();
    let conn = db.conn();
    conn.execute_raw(stmt(
        "DELETE FROM throttle_failures WHERE key = $1",
        vec![pair.into()],
    ))
    .await?;
    conn.execute_raw(stmt(
        "UPDATE throttle_failures SET count = GREATEST(count - 1, 0) WHERE key IN ($1, $2)",
        vec![client.into(), account.into()],
    ))
    .await?;
    Ok(())
}

fn window_key(key: &str) -> String {
    sha256_hex(&format!("window:{key}"))
}

/// `RATE_LIMITED` when `key` has reached `limit` events in its current window.
pub async fn window_check(db: &Db, key: &str, limit: u32, now: DateTime<Utc>) -> AppResult<()> {
    let row = db
        .conn()
        .query_one_raw(stmt(
            "SELECT count, ends_at FROM throttle_windows WHERE key = $1 AND ends_at > $2",
            vec![window_key(key).into(), now.into()],
        ))
        .await?;
    if let Some(r) = row {
        let count: i32 = r.try_get("", "count")?;
        let ends: DateTime<Utc> = r.try_get("", "ends_at")?;
        if i64::from(count) >= i64::from(limit) {
            return Err(AppError::RateLimited {
                retry_after_secs: (ends - now).num_seconds().max(1),
            });
        }
    }
    Ok(())
}

/// Records one event for `key` (a window of `window_secs` starts with the first).
pub async fn window_hit(db: &Db, key: &str, window_secs: i64, now: DateTime<Utc>) -> AppResult<()> {
    db.conn()
        .execute_raw(stmt(
            "INSERT INTO throttle_windows (key, count, ends_at) VALUES ($1, 1, $3) \
             ON CONFLICT (key) DO UPDATE SET \
             count = CASE WHEN throttle_windows.ends_at <= $2 THEN 1 ELSE throttle_windows.count + 1 END, \
             ends_at = CASE WHEN throttle_windows.ends_at <= $2 THEN $3 ELSE throttle_windows.ends_at END",
            vec![
                window_key(key).into(),
                now.into(),
                (now + Duration::seconds(window_secs)).into(),
            ],
        ))
        .await?;
    Ok(())
}

/// Forgets windows that ended and failures older than `failure_window_secs`.
pub async fn forget_expired(
    db: &Db,
    failure_window_secs: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let conn = db.conn();
    conn.execute_raw(stmt(
        "DELETE FROM throttle_windows WHERE ends_at <= $1",
        vec![now.into()],
    ))
    .await?;
    conn.execute_raw(stmt(
        "DELETE FROM throttle_failures WHERE last_at <= $1",
        vec![(now - Duration::seconds(failure_window_secs)).into()],
    ))
    .await?;
    Ok(())
}
