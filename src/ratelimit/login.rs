//! Failed sign-ins (and wrong current passwords), throttled without ever locking the
//! rightful owner out.
//!
//! Three counters, each living `window` after its last failure:
//! - per client address: at most `per_client` failures, whatever the accounts;
//! - per account: after `per_account` failures, each further attempt from a client
//!   that has already failed on this account waits `1 s, 2 s, 4 s, …` (at most the
//!   window) after the previous failure — progressive, never a fixed lockout;
//! - per (account, client): whether this client has failed on this account. A client
//!   that has not is never held back by the account's counter, so an attacker cannot
//!   keep the owner out by failing on purpose.
//!
//! [`LoginThrottle::begin`] counts the attempt as a failure *before* the password is
//! checked, in the same critical section as the checks: 40 parallel attempts are
//! counted one by one, and only those the limits allow are verified.
//! [`LoginThrottle::succeeded`] takes that count back.

use super::{lock, prune};
use crate::error::AppError;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

/// The limits (from configuration).
#[derive(Debug, Clone, Copy)]
pub struct LoginPolicy {
    /// Failures per account before attempts are spaced out.
    pub per_account: u32,
    /// Failures per client address per window.
    pub per_client: u32,
    /// How long a failure is remembered after the last one, in seconds.
    pub window_secs: i64,
}

/// Failures under one key: how many, the first and the last.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Failures {
    pub(crate) count: u32,
    pub(crate) first: DateTime<Utc>,
    pub(crate) last: DateTime<Utc>,
}

#[derive(Default)]
struct Counters {
    accounts: HashMap<String, Failures>,
    clients: HashMap<String, Failures>,
    pairs: HashMap<(String, String), Failures>,
}

/// Sign-in failure counters of one process.
pub struct LoginThrottle {
    policy: LoginPolicy,
    counters: Mutex<Counters>,
}

/// An attempt counted by [`LoginThrottle::begin`]; pass it back on success.
#[derive(Debug)]
pub struct Attempt {
    account: String,
    client: String,
}

impl Attempt {
    pub(crate) fn new(account: &str, client: &str) -> Self {
        Self {
            account: account.to_owned(),
            client: client.to_owned(),
        }
    }

    /// The keys of its (client, account, pair) counters where they are shared
    /// between instances: hashes, so no address is stored.
    pub(crate) fn shared_keys(&self) -> [String; 3] {
        use crate::auth::secrets::sha256_hex;
        [
            sha256_hex(&format!("login-client:{}", self.client)),
            sha256_hex(&format!("login-account:{}", self.account)),
            sha256_hex(&format!("login-pair:{}\n{}", self.account, self.client)),
        ]
    }
}

/// The sign-in rule, wherever the counts live: given the failures recorded for
/// the (client, account, pair), either `RATE_LIMITED` (with the seconds to wait)
/// or the three records after counting this attempt as a failure.
pub(crate) fn decide(
    p: LoginPolicy,
    recorded: [Option<Failures>; 3],
    now: DateTime<Utc>,
) -> Result<[Failures; 3], AppError> {
    let window = Duration::seconds(p.window_secs);
    let [client_f, account_f, pair_f] =
        recorded.map(|f| LoginThrottle::live(f.as_ref(), now, window));
    let limited = |until: DateTime<Utc>| AppError::RateLimited {
        retry_after_secs: (until - now).num_seconds().max(1),
    };
    if let Some(f) = client_f
        && f.count >= p.per_client
    {
        return Err(limited(f.first + window));
    }
    if pair_f.is_some()
        && let Some(f) = account_f
        && f.count >= p.per_account
    {
        let next = f.last + delay(f.count - p.per_account, p.window_secs);
        if now < next {
            return Err(limited(next));
        }
    }
    let bump = |f: Option<Failures>| match f {
        Some(f) => Failures {
            count: f.count.saturating_add(1),
            last: now,
            ..f
        },
        None => Failures {
            count: 1,
            first: now,
            last: now,
        },
    };
    Ok([bump(client_f), bump(account_f), bump(pair_f)])
}

/// Longest pause between attempts once an account's failures pass the limit.
fn delay(over: u32, window_secs: i64) -> Duration {
    let secs = 1i64.checked_shl(over.min(30)).unwrap_or(i64::MAX);
    Duration::seconds(secs.min(window_secs.max(1)))
}

impl LoginThrottle {
    /// A throttle with no failures yet.
    pub fn new(policy: LoginPolicy) -> Self {
        Self {
            policy,
            counters: Mutex::new(Counters::default()),
        }
    }

    fn live(f: Option<&Failures>, now: DateTime<Utc>, window: Duration) -> Option<Failures> {
        f.copied().filter(|f| now < f.last + window)
    }

    /// Checks every limit for a sign-in to `account` from `client` and counts the
    /// attempt as a failure; `RATE_LIMITED` (with the seconds to wait) if a limit holds.
    pub fn begin(
        &self,
        account: &str,
        client: &str,
        now: DateTime<Utc>,
    ) -> Result<Attempt, AppError> {
        let p = self.policy;
        let window = Duration::seconds(p.window_secs);
        let mut c = lock(&self.counters);
        let ends = |f: &Failures| f.last + window;
        prune(&mut c.accounts, now, ends);
        prune(&mut c.clients, now, ends);
        prune(&mut c.pairs, now, ends);

        let pair_key = (account.to_owned(), client.to_owned());
        let [client_f, account_f, pair_f] = decide(
            p,
            [
                c.clients.get(client).copied(),
                c.accounts.get(account).copied(),
                c.pairs.get(&pair_key).copied(),
            ],
            now,
        )?;
        c.clients.insert(client.to_owned(), client_f);
        c.accounts.insert(account.to_owned(), account_f);
        c.pairs.insert(pair_key, pair_f);
        Ok(Attempt {
            account: account.to_owned(),
            client: client.to_owned(),
        })
    }

    /// The attempt succeeded: it was not a failure after all. The client's record on
    /// this account is cleared; other clients' failures on the account stay.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut c = lock(&self.counters);
        let c = &mut *c;
        c.pairs
            .remove(&(attempt.account.clone(), attempt.client.clone()));
        for (map, key) in [
            (&mut c.accounts, &attempt.account),
            (&mut c.clients, &attempt.client),
        ] {
            if let Some(f) = map.get_mut(key) {
                f.count = f.count.saturating_sub(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> LoginThrottle {
        LoginThrottle::new(LoginPolicy {
            per_account: 5,
            per_client: 30,
            window_secs: 900,
        })
    }

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-28T02:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn parallel_attempts_are_counted_before_any_is_checked() {
        let t = throttle();
        let allowed = std::sync::atomic::AtomicU32::new(0);
        std::thread::scope(|s| {
            for _ in 0..40 {
                s.spawn(|| {
                    if t.begin("a@gov.mn", "10.0.0.1", t0()).is_ok() {
                        allowed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                });
            }
        });
        assert_eq!(allowed.into_inner(), 5);
    }

    #[test]
    fn the_pause_doubles_with_each_failure_past_the_limit() {
        let t = throttle();
        let mut now = t0();
        for _ in 0..5 {
            assert!(t.begin("a", "x", now).is_ok());
        }
        let mut waits = vec![];
        for _ in 0..4 {
            let Err(AppError::RateLimited { retry_after_secs }) = t.begin("a", "x", now) else {
                panic!("expected a pause");
            };
            waits.push(retry_after_secs);
            now += Duration::seconds(retry_after_secs);
            assert!(t.begin("a", "x", now).is_ok());
        }
        assert_eq!(waits, vec![1, 2, 4, 8]);
    }

    #[test]
    fn a_client_that_never_failed_is_not_held_back_by_the_account() {
        let t = throttle();
        for _ in 0..5 {
            assert!(t.begin("a", "attacker", t0()).is_ok());
        }
        assert!(t.begin("a", "attacker", t0()).is_err());
        let owner = t.begin("a", "owner", t0());
        assert!(owner.is_ok());
        if let Ok(a) = owner {
            t.succeeded(a);
        }
        assert!(t.begin("a", "owner", t0()).is_ok());
    }

    #[test]
    fn a_client_failing_on_many_accounts_is_stopped() {
        let t = throttle();
        for i in 0..30 {
            assert!(t.begin(&format!("user{i}"), "x", t0()).is_ok());
        }
        assert!(t.begin("user99", "x", t0()).is_err());
        assert!(
            t.begin("user99", "x", t0() + Duration::seconds(901))
                .is_ok()
        );
    }

    #[test]
    fn the_pause_never_exceeds_the_window() {
        assert_eq!(delay(40, 900), Duration::seconds(900));
        assert_eq!(delay(0, 900), Duration::seconds(1));
    }
}
