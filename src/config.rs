//! Typed settings from `SANAL_*` environment variables, with defaults that serve on
//! a fresh machine. The variable names are a contract with operators and tests.

use chrono_tz::Tz;
use std::path::PathBuf;

/// Everything the server needs to start. Build it with [`Config::from_env`] (the
/// binary) or [`Config::for_database`] (tests, tools).
#[derive(Clone)]
pub struct Config {
    /// `SANAL_BIND`: address to listen on (`127.0.0.1:8080`; port 0 picks a free one).
    pub bind: String,
    /// `DATABASE_URL`: `sqlite://FILE?mode=rwc` (default `sqlite://sanal.db?mode=rwc`) or `postgres://…`.
    pub database_url: String,
    /// `SANAL_DATA_DIR`: where the dev-mode secret file is kept (default `.`).
    pub data_dir: PathBuf,
    /// `SANAL_JWT_SECRET`: signing key of access tokens (≥ 32 bytes). Generated and kept
    /// in `SANAL_DATA_DIR/sanal.secret` in dev mode when unset; required in production.
    pub jwt_secret: Vec<u8>,
    /// `SANAL_PRODUCTION`: `true` turns GraphiQL and introspection off and refuses weak settings.
    pub production: bool,
    /// `SANAL_TIMEZONE`: reporting time zone (default `Asia/Ulaanbaatar`); fixed in the
    /// database when it is first created.
    pub timezone: Tz,
    /// `SANAL_PUBLIC_BASE_URL`: base of links sent to citizens (default `http://127.0.0.1:8080/s/`).
    pub public_base_url: String,
    /// `SANAL_PUBLIC_POSTER_BASE_URL`: base of the addresses printed as open-channel
    /// QR codes (default `http://127.0.0.1:8080/p/`); the poster code follows it.
    pub public_poster_base_url: String,
    /// `SANAL_ACCESS_TOKEN_TTL_SECS`: access token lifetime (default 600, at most 900).
    pub access_token_ttl_secs: i64,
    /// `SANAL_REFRESH_TOKEN_TTL_SECS`: session (refresh token family) lifetime (default 30 days).
    pub refresh_token_ttl_secs: i64,
    /// `SANAL_REFRESH_REUSE_SECS`: how long a just-used refresh token may be used again, so
    /// two parallel requests of one app don't log it out (default 30).
    pub refresh_reuse_secs: i64,
    /// `SANAL_ADMIN_EMAIL` / `SANAL_ADMIN_PASSWORD`: first administrator, created at start
    /// when no administrator exists.
    pub admin_email: Option<String>,
    /// See `admin_email`.
    pub admin_password: Option<String>,
    /// `SANAL_TRUST_PROXY`: `true` takes the client address from `X-Forwarded-For`
    /// (only behind a proxy that sets it).
    pub trust_proxy: bool,
    /// `SANAL_TRUST_PROXY_HOPS`: how many proxies of ours append to `X-Forwarded-For`
    /// (default 1); the client is the address the outermost of them appended —
    /// counted from the right, so addresses a client writes itself are never taken.
    pub trust_proxy_hops: usize,
    /// `SANAL_OPERATION_TIMEOUT_SECS`: wall-clock limit of one GraphQL operation
    /// (default 30 s, 1–600); longer ones answer `TIMEOUT`.
    pub operation_timeout: std::time::Duration,
    /// `SANAL_MAX_OPERATIONS_IN_FLIGHT`: operations executing at once (default 256);
    /// more wait for a slot within their time limit.
    pub max_operations_in_flight: usize,
    /// `SANAL_COSTLY_OPERATIONS_TOTAL`: reports and other costly operations executing
    /// at once in the process (default 4).
    pub costly_operations_total: usize,
    /// `SANAL_COSTLY_OPERATIONS_PER_CALLER`: costly operations one caller may have
    /// executing at once (default 2); more answer `RATE_LIMITED`.
    pub costly_operations_per_caller: usize,
    /// `SANAL_DB_POOL_SIZE`: database connections (default 8).
    pub db_pool_size: u32,
    /// `SANAL_WORKERS`: HTTP worker threads (default: number of cores).
    pub workers: Option<usize>,
    /// `SANAL_LOGIN_MAX_FAILURES_PER_ACCOUNT` (default 5) within `SANAL_LOGIN_WINDOW_SECS` (default 900).
    pub login_max_failures_per_account: u32,
    /// `SANAL_LOGIN_MAX_FAILURES_PER_CLIENT` (default 30) within the same window.
    pub login_max_failures_per_client: u32,
    /// See `login_max_failures_per_account`.
    pub login_window_secs: i64,
    /// `SANAL_HMAC_SECRET`: key of invitation tokens and respondent hashes (default:
    /// derived from the JWT secret). Keep it stable: rotating it only stops the
    /// re-issue of already issued tokens and resets recontact cooldowns.
    pub hmac_secret: Vec<u8>,
    /// `SANAL_INVITATION_MISSES_PER_CLIENT`: unknown invitation tokens or codes one
    /// client may try per 10 minutes before `RATE_LIMITED` (default 20).
    pub invitation_misses_per_client: u32,
    /// `SANAL_OPEN_RESPONSES_PER_CLIENT`: open-channel (QR poster) responses one
    /// client may give per service point per hour (default 3).
    pub open_responses_per_client: u32,
    /// `SANAL_OPEN_RESPONSES_PER_KIOSK`: responses one kiosk may send per minute (default 10).
    pub open_responses_per_kiosk: u32,
    /// `SANAL_MAX_EXPIRY_DAYS`: the national limit on how long an invitation stays
    /// open (default 7); closing a period always waits this long.
    pub max_expiry_days: i32,
    /// `SANAL_MIN_COOLDOWN_DAYS`: the national floor on the days before the same
    /// person is invited again (default 30).
    pub min_cooldown_days: i32,
    /// `SANAL_MAX_KIOSKS_PER_POINT`: active kiosk devices a service point may have (default 3).
    pub max_kiosks_per_point: u32,
    /// `SANAL_SUPPRESSION_THRESHOLD`: figures from fewer answers are never published
    /// and are flagged low-confidence (default 10).
    pub suppression_threshold: u64,
    /// `SANAL_FINDING_DRIVER_FLOOR`: a driver's top-box share below this is a finding (default 0.6).
    pub finding_driver_floor: f64,
    /// `SANAL_FINDING_SKM_ELEMENT_FLOOR`: an SKM element mean (1–4) below this is a finding (default 2.5).
    pub finding_skm_element_floor: f64,
    /// `SANAL_FINDING_RESPONSE_RATE_FLOOR`: a response rate below this is a finding (default 0.1).
    pub finding_response_rate_floor: f64,
    /// Deadlines and limits of citizens' suggestions and requests.
    pub suggestions: SuggestionPolicy,
    /// `SANAL_METRICS_TOKEN`: when set, `GET /metrics` requires `Authorization: Bearer
    /// <token>` (at least 16 characters in production); when unset, `/metrics` is
    /// served openly in development mode and answers 404 in production mode.
    pub metrics_token: Option<String>,
    /// `SANAL_OUTBOX_POLL_SECS`: how often the delivery outbox looks for messages
    /// due (default 5 s; it is also woken at once after each invitation to send).
    pub outbox_poll: std::time::Duration,
    /// `SANAL_GROUP_COMMIT_MAX`: most responses stored in one group commit (default 64).
    pub group_commit_max: usize,
    /// `SANAL_GROUP_COMMIT_WAIT_MS`: how long a group waits for more responses after
    /// its first (default 5 ms; 0 takes only what is already queued).
    pub group_commit_wait: std::time::Duration,
    /// `SANAL_SUBMIT_QUEUE`: most responses waiting for the writer; beyond it a
    /// submission answers `RATE_LIMITED` with a retry hint (default 4096).
    pub submit_queue: usize,
    /// The SMS gateway and SMTP server that send citizens their links (the
    /// variables of [`crate::delivery::VARIABLES`]).
    pub delivery: crate::delivery::DeliveryConfig,
}

impl Config {
    /// How the response writer groups submissions.
    pub fn group_settings(&self) -> GroupSettings {
        GroupSettings {
            max: self.group_commit_max,
            wait: self.group_commit_wait,
            queue: self.submit_queue,
        }
    }

    /// The sign-in limits.
    pub fn login_policy(&self) -> crate::ratelimit::login::LoginPolicy {
        crate::ratelimit::login::LoginPolicy {
            per_account: self.login_max_failures_per_account,
            per_client: self.login_max_failures_per_client,
            window_secs: self.login_window_secs,
        }
    }

    /// The limits on operations running at once.
    pub fn gate_limits(&self) -> crate::ratelimit::gate::GateLimits {
        crate::ratelimit::gate::GateLimits {
            max_in_flight: self.max_operations_in_flight,
            costly_total: self.costly_operations_total,
            costly_per_caller: self.costly_operations_per_caller,
        }
    }

    /// The root of the keys derived per purpose (see
    /// [`purpose_key`](crate::auth::secrets::purpose_key)): `SANAL_HMAC_SECRET`, or
    /// the JWT secret when it is unset.
    pub fn hmac_root(&self) -> &[u8] {
        if self.hmac_secret.is_empty() {
            &self.jwt_secret
        } else {
            &self.hmac_secret
        }
    }
}

/// Deadlines and limits of citizens' suggestions and requests.
#[derive(Debug, Clone, Copy, Default)]
pub struct SuggestionPolicy {
    /// `SANAL_SUGGESTION_ACK_WORKING_DAYS`: working days to acknowledge (default 3).
    pub ack_working_days: u32,
    /// `SANAL_SUGGESTION_ANSWER_DAYS`: days to answer (default 30, as the law on
    /// citizens' petitions says).
    pub answer_days: i64,
    /// `SANAL_SUGGESTION_EXTENSION_MAX_DAYS`: the one extension's most days (default 30).
    pub extension_max_days: i64,
    /// `SANAL_SUGGESTION_CONTACT_RETENTION_DAYS`: days after closing a citizen's
    /// contact is erased (default 90).
    pub contact_retention_days: i64,
    /// `SANAL_SUGGESTIONS_PER_CLIENT`: suggestions one client (and one device) may
    /// send per hour (default 5).
    pub per_client: u32,
}

/// How submissions are grouped (`SANAL_GROUP_COMMIT_MAX`,
/// `SANAL_GROUP_COMMIT_WAIT_MS`, `SANAL_SUBMIT_QUEUE`).
#[derive(Debug, Clone, Copy)]
pub struct GroupSettings {
    /// Most submissions in one group.
    pub max: usize,
    /// How long a group waits for company after its first submission.
    pub wait: std::time::Duration,
    /// Most submissions waiting for the writer.
    pub queue: usize,
}

/// Shortest `SANAL_METRICS_TOKEN` accepted in production mode.
pub const MIN_METRICS_TOKEN_LEN: usize = 16;

/// A setting could not be used.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for ConfigError {}

/// One setting of the environment: its variable, its default (as the README shows
/// it; empty where there is none or it is derived), and how a value is applied.
/// The defaults live here only: [`Config::defaults`] applies them through the same
/// code as values from the environment, and a test checks the README's table
/// against this one.
pub struct Setting {
    /// Environment variable.
    pub var: &'static str,
    /// Default value, or empty.
    pub default: &'static str,
    apply: fn(&mut Config, &str) -> Result<(), ConfigError>,
}

/// Variables read outside [`Config`] (logging, tests); documented in the README too.
pub const OTHER_VARIABLES: [&str; 3] = ["RUST_LOG", "SANAL_LOG_FORMAT", "SANAL_TEST_DATABASE_URL"];

fn num<T: std::str::FromStr>(var: &str, v: &str) -> Result<T, ConfigError> {
    v.trim()
        .parse()
        .map_err(|_| ConfigError(format!("{var}: not a valid number: {v:?}")))
}

fn within<T: std::str::FromStr + PartialOrd + std::fmt::Display>(
    var: &str,
    v: &str,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, ConfigError> {
    let n: T = num(var, v)?;
    if !range.contains(&n) {
        return Err(ConfigError(format!(
            "{var} must be {}-{}",
            range.start(),
            range.end()
        )));
    }
    Ok(n)
}

fn flag(var: &str, v: &str) -> Result<bool, ConfigError> {
    parse_bool(Some(v), var)
}

macro_rules! setting {
    ($var:literal, $default:literal, |$c:ident, $v:ident| $body:expr) => {
        Setting {
            var: $var,
            default: $default,
            apply: |$c, $v| {
                $body;
                Ok(())
            },
        }
    };
}

/// Every setting Sanal reads into [`Config`].
pub const SETTINGS: &[Setting] = &[
    setting!("SANAL_BIND", "127.0.0.1:8080", |c, v| c.bind =
        v.trim().to_owned()),
    setting!("DATABASE_URL", "sqlite://sanal.db?mode=rwc", |c, v| c
        .database_url =
        v.trim().to_owned()),
    setting!("SANAL_DATA_DIR", ".", |c, v| c.data_dir =
        PathBuf::from(v.trim())),
    setting!("SANAL_JWT_SECRET", "", |c, v| c.jwt_secret =
        v.as_bytes().to_vec()),
    setting!("SANAL_PRODUCTION", "false", |c, v| c.production =
        flag("SANAL_PRODUCTION", v)?),
    setting!("SANAL_TIMEZONE", "Asia/Ulaanbaatar", |c, v| c.timezone =
        v.trim().parse().map_err(|_| ConfigError(format!(
            "SANAL_TIMEZONE: unknown time zone {v:?}"
        )))?),
    setting!(
        "SANAL_PUBLIC_BASE_URL",
        "http://127.0.0.1:8080/s/",
        |c, v| c.public_base_url = v.trim().to_owned()
    ),
    setting!(
        "SANAL_PUBLIC_POSTER_BASE_URL",
        "http://127.0.0.1:8080/p/",
        |c, v| c.public_poster_base_url = v.trim().to_owned()
    ),
    setting!("SANAL_ACCESS_TOKEN_TTL_SECS", "600", |c, v| c
        .access_token_ttl_secs =
        within("SANAL_ACCESS_TOKEN_TTL_SECS", v, 30..=900)?),
    setting!("SANAL_REFRESH_TOKEN_TTL_SECS", "2592000", |c, v| c
        .refresh_token_ttl_secs =
        num("SANAL_REFRESH_TOKEN_TTL_SECS", v)?),
    setting!("SANAL_REFRESH_REUSE_SECS", "30", |c, v| c
        .refresh_reuse_secs =
        num("SANAL_REFRESH_REUSE_SECS", v)?),
    setting!("SANAL_ADMIN_EMAIL", "", |c, v| c.admin_email =
        Some(v.to_owned())),
    setting!("SANAL_ADMIN_PASSWORD", "", |c, v| c.admin_password =
        Some(v.to_owned())),
    setting!("SANAL_LOGIN_MAX_FAILURES_PER_ACCOUNT", "5", |c, v| c
        .login_max_failures_per_account =
        num("SANAL_LOGIN_MAX_FAILURES_PER_ACCOUNT", v)?),
    setting!("SANAL_LOGIN_MAX_FAILURES_PER_CLIENT", "30", |c, v| c
        .login_max_failures_per_client =
        num("SANAL_LOGIN_MAX_FAILURES_PER_CLIENT", v)?),
    setting!("SANAL_LOGIN_WINDOW_SECS", "900", |c, v| c
        .login_window_secs =
        num("SANAL_LOGIN_WINDOW_SECS", v)?),
    setting!("SANAL_TRUST_PROXY", "false", |c, v| c.trust_proxy =
        flag("SANAL_TRUST_PROXY", v)?),
    setting!("SANAL_TRUST_PROXY_HOPS", "1", |c, v| c.trust_proxy_hops =
        within("SANAL_TRUST_PROXY_HOPS", v, 1..=10)?),
    setting!("SANAL_OPERATION_TIMEOUT_SECS", "30", |c, v| c
        .operation_timeout =
        std::time::Duration::from_secs(within(
            "SANAL_OPERATION_TIMEOUT_SECS",
            v,
            1..=600
        )?)),
    setting!("SANAL_MAX_OPERATIONS_IN_FLIGHT", "256", |c, v| c
        .max_operations_in_flight =
        within("SANAL_MAX_OPERATIONS_IN_FLIGHT", v, 1..=100_000)?),
    setting!("SANAL_COSTLY_OPERATIONS_TOTAL", "4", |c, v| c
        .costly_operations_total =
        within("SANAL_COSTLY_OPERATIONS_TOTAL", v, 1..=1_000)?),
    setting!("SANAL_COSTLY_OPERATIONS_PER_CALLER", "2", |c, v| c
        .costly_operations_per_caller =
        within("SANAL_COSTLY_OPERATIONS_PER_CALLER", v, 1..=1_000)?),
    setting!("SANAL_DB_POOL_SIZE", "8", |c, v| c.db_pool_size =
        within("SANAL_DB_POOL_SIZE", v, 1..=1_000)?),
    setting!("SANAL_WORKERS", "", |c, v| c.workers =
        Some(within("SANAL_WORKERS", v, 1..=1_024)?)),
    setting!("SANAL_METRICS_TOKEN", "", |c, v| c.metrics_token =
        Some(v.trim().to_owned())),
    setting!("SANAL_HMAC_SECRET", "", |c, v| c.hmac_secret =
        v.as_bytes().to_vec()),
    setting!("SANAL_INVITATION_MISSES_PER_CLIENT", "20", |c, v| c
        .invitation_misses_per_client =
        num("SANAL_INVITATION_MISSES_PER_CLIENT", v)?),
    setting!("SANAL_OPEN_RESPONSES_PER_CLIENT", "3", |c, v| c
        .open_responses_per_client =
        num("SANAL_OPEN_RESPONSES_PER_CLIENT", v)?),
    setting!("SANAL_OPEN_RESPONSES_PER_KIOSK", "10", |c, v| c
        .open_responses_per_kiosk =
        num("SANAL_OPEN_RESPONSES_PER_KIOSK", v)?),
    setting!("SANAL_MAX_EXPIRY_DAYS", "7", |c, v| c.max_expiry_days =
        within("SANAL_MAX_EXPIRY_DAYS", v, 1..=30)?),
    setting!("SANAL_MIN_COOLDOWN_DAYS", "30", |c, v| c
        .min_cooldown_days =
        within("SANAL_MIN_COOLDOWN_DAYS", v, 0..=365)?),
    setting!("SANAL_MAX_KIOSKS_PER_POINT", "3", |c, v| c
        .max_kiosks_per_point =
        within("SANAL_MAX_KIOSKS_PER_POINT", v, 0..=100)?),
    setting!("SANAL_SUPPRESSION_THRESHOLD", "10", |c, v| c
        .suppression_threshold =
        within("SANAL_SUPPRESSION_THRESHOLD", v, 1..=1_000)?),
    setting!("SANAL_FINDING_DRIVER_FLOOR", "0.6", |c, v| c
        .finding_driver_floor =
        within("SANAL_FINDING_DRIVER_FLOOR", v, 0.0..=1.0)?),
    setting!("SANAL_FINDING_SKM_ELEMENT_FLOOR", "2.5", |c, v| c
        .finding_skm_element_floor =
        within("SANAL_FINDING_SKM_ELEMENT_FLOOR", v, 1.0..=4.0)?),
    setting!("SANAL_OUTBOX_POLL_SECS", "5", |c, v| c.outbox_poll =
        std::time::Duration::from_secs(within(
            "SANAL_OUTBOX_POLL_SECS",
            v,
            1..=3_600
        )?)),
    setting!("SANAL_GROUP_COMMIT_MAX", "64", |c, v| c.group_commit_max =
        within("SANAL_GROUP_COMMIT_MAX", v, 1..=1_000)?),
    setting!("SANAL_GROUP_COMMIT_WAIT_MS", "5", |c, v| c
        .group_commit_wait =
        std::time::Duration::from_millis(within(
            "SANAL_GROUP_COMMIT_WAIT_MS",
            v,
            0..=1_000
        )?)),
    setting!("SANAL_SUBMIT_QUEUE", "4096", |c, v| c.submit_queue =
        within("SANAL_SUBMIT_QUEUE", v, 1..=1_000_000)?),
    setting!("SANAL_FINDING_RESPONSE_RATE_FLOOR", "0.1", |c, v| c
        .finding_response_rate_floor =
        within("SANAL_FINDING_RESPONSE_RATE_FLOOR", v, 0.0..=1.0)?),
    setting!("SANAL_SUGGESTION_ACK_WORKING_DAYS", "3", |c, v| c
        .suggestions
        .ack_working_days =
        within("SANAL_SUGGESTION_ACK_WORKING_DAYS", v, 1..=60)?),
    setting!("SANAL_SUGGESTION_ANSWER_DAYS", "30", |c, v| c
        .suggestions
        .answer_days =
        within("SANAL_SUGGESTION_ANSWER_DAYS", v, 1..=365)?),
    setting!("SANAL_SUGGESTION_EXTENSION_MAX_DAYS", "30", |c, v| c
        .suggestions
        .extension_max_days =
        within("SANAL_SUGGESTION_EXTENSION_MAX_DAYS", v, 0..=365)?),
    setting!("SANAL_SUGGESTION_CONTACT_RETENTION_DAYS", "90", |c, v| c
        .suggestions
        .contact_retention_days =
        within("SANAL_SUGGESTION_CONTACT_RETENTION_DAYS", v, 1..=3_650)?),
    setting!("SANAL_SUGGESTIONS_PER_CLIENT", "5", |c, v| c
        .suggestions
        .per_client =
        within("SANAL_SUGGESTIONS_PER_CLIENT", v, 1..=10_000)?),
];

impl Config {
    /// Every setting at its default (a unit test proves each default applies).
    pub fn defaults() -> Self {
        let mut c = Self {
            bind: String::new(),
            database_url: String::new(),
            data_dir: PathBuf::new(),
            jwt_secret: vec![],
            production: false,
            timezone: chrono_tz::Asia::Ulaanbaatar,
            public_base_url: String::new(),
            public_poster_base_url: String::new(),
            access_token_ttl_secs: 0,
            refresh_token_ttl_secs: 0,
            refresh_reuse_secs: 0,
            admin_email: None,
            admin_password: None,
            trust_proxy: false,
            trust_proxy_hops: 0,
            operation_timeout: std::time::Duration::ZERO,
            max_operations_in_flight: 0,
            costly_operations_total: 0,
            costly_operations_per_caller: 0,
            db_pool_size: 0,
            workers: None,
            login_max_failures_per_account: 0,
            login_max_failures_per_client: 0,
            login_window_secs: 0,
            hmac_secret: vec![],
            invitation_misses_per_client: 0,
            open_responses_per_client: 0,
            open_responses_per_kiosk: 0,
            suppression_threshold: 0,
            max_expiry_days: 0,
            min_cooldown_days: 0,
            max_kiosks_per_point: 0,
            finding_driver_floor: 0.0,
            finding_skm_element_floor: 0.0,
            finding_response_rate_floor: 0.0,
            suggestions: SuggestionPolicy::default(),
            metrics_token: None,
            outbox_poll: std::time::Duration::ZERO,
            group_commit_max: 0,
            group_commit_wait: std::time::Duration::ZERO,
            submit_queue: 0,
            delivery: crate::delivery::DeliveryConfig::default(),
        };
        for s in SETTINGS.iter().filter(|s| !s.default.is_empty()) {
            if let Err(e) = (s.apply)(&mut c, s.default) {
                tracing::error!(error = %e, "a built-in default does not apply");
            }
        }
        c
    }

    /// Defaults for a given database, on port 0, with a fixed secret: for tests and tools.
    pub fn for_database(database_url: &str) -> Self {
        Self {
            bind: "127.0.0.1:0".into(),
            database_url: database_url.into(),
            jwt_secret: b"test-secret-test-secret-test-secret!".to_vec(),
            ..Self::defaults()
        }
    }

    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads settings through `get` (the environment, or a map in tests); a blank
    /// value counts as unset.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let mut c = Self::defaults();
        for s in SETTINGS {
            if let Some(v) = get(s.var) {
                (s.apply)(&mut c, &v)?;
            }
        }
        c.delivery = crate::delivery::DeliveryConfig::from_lookup(&get).map_err(ConfigError)?;
        if c.jwt_secret.is_empty() {
            if c.production {
                return Err(ConfigError(
                    "SANAL_JWT_SECRET is required in production mode".into(),
                ));
            }
            c.jwt_secret = load_or_create_dev_secret(&c.data_dir)?;
        }
        if c.production {
            c.check_production()?;
        }
        Ok(c)
    }

    /// Production mode refuses settings that are fine on a laptop and weak in a country.
    fn check_production(&self) -> Result<(), ConfigError> {
        if self.jwt_secret.len() < 32 {
            return Err(ConfigError(
                "SANAL_JWT_SECRET must be at least 32 bytes".into(),
            ));
        }
        if !self.public_base_url.starts_with("https://") {
            return Err(ConfigError(
                "SANAL_PUBLIC_BASE_URL must be https:// in production".into(),
            ));
        }
        if !self.public_poster_base_url.starts_with("https://") {
            return Err(ConfigError(
                "SANAL_PUBLIC_POSTER_BASE_URL must be https:// in production".into(),
            ));
        }
        if let Some(t) = &self.metrics_token
            && t.chars().count() < MIN_METRICS_TOKEN_LEN
        {
            return Err(ConfigError(format!(
                "SANAL_METRICS_TOKEN must be at least {MIN_METRICS_TOKEN_LEN} characters in production"
            )));
        }
        if let Some(p) = &self.admin_password
            && p.chars().count() < crate::domain::password::MIN_LEN
        {
            return Err(ConfigError("SANAL_ADMIN_PASSWORD is too short".into()));
        }
        Ok(())
    }
}

fn parse_bool(v: Option<&str>, name: &str) -> Result<bool, ConfigError> {
    match v.map(|s| s.trim().to_ascii_lowercase()) {
        None => Ok(false),
        Some(s) if ["1", "true", "yes", "on"].contains(&s.as_str()) => Ok(true),
        Some(s) if ["0", "false", "no", "off"].contains(&s.as_str()) => Ok(false),
        Some(s) => Err(ConfigError(format!(
            "{name}: expected true or false, got {s:?}"
        ))),
    }
}

/// Dev mode: a random secret kept in the data directory, so tokens survive restarts.
fn load_or_create_dev_secret(dir: &std::path::Path) -> Result<Vec<u8>, ConfigError> {
    let path = dir.join("sanal.secret");
    if let Ok(s) = std::fs::read_to_string(&path) {
        let s = s.trim();
        if s.len() >= 32 {
            return Ok(s.as_bytes().to_vec());
        }
    }
    let secret = crate::auth::secrets::random_token(32);
    std::fs::create_dir_all(dir)
        .and_then(|_| std::fs::write(&path, &secret))
        .map_err(|e| ConfigError(format!("cannot write {}: {e}", path.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    }
    Ok(secret.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn every_built_in_default_applies() {
        let mut c = Config::for_database("sqlite::memory:");
        for s in SETTINGS.iter().filter(|s| !s.default.is_empty()) {
            assert!((s.apply)(&mut c, s.default).is_ok(), "{}", s.var);
        }
        assert_eq!(Config::defaults().login_window_secs, 900);
    }

    /// The README's configuration table: (variables of a row, its default cell).
    fn readme_rows() -> Vec<(Vec<String>, String)> {
        let readme = include_str!("../README.md");
        let table = readme
            .split("## Configuration")
            .nth(1)
            .unwrap_or_default()
            .split("\n## ")
            .next()
            .unwrap_or_default();
        table
            .lines()
            .filter(|l| l.starts_with("| `"))
            .map(|l| {
                let cells: Vec<&str> = l.split(" | ").collect();
                let vars = cells[0]
                    .trim_start_matches("| ")
                    .split(", ")
                    .map(|v| v.trim_matches('`').to_owned())
                    .collect();
                (vars, cells.get(1).copied().unwrap_or_default().to_owned())
            })
            .collect()
    }

    #[test]
    fn the_readme_documents_every_setting_with_its_default() {
        let rows = readme_rows();
        let documented: Vec<&String> = rows.iter().flat_map(|(v, _)| v).collect();
        let delivery = crate::delivery::VARIABLES;
        for var in SETTINGS
            .iter()
            .map(|s| s.var)
            .chain(delivery.iter().map(|(v, _)| *v))
        {
            assert!(
                documented.iter().any(|d| *d == var),
                "{var} is not in the README"
            );
        }
        for (vars, default) in &rows {
            for var in vars {
                let shown = default
                    .strip_prefix('`')
                    .and_then(|d| d.split('`').next())
                    .unwrap_or_default();
                if let Some((_, d)) = delivery.iter().find(|(v, _)| v == var) {
                    assert_eq!(shown, *d, "README default of {var}");
                    continue;
                }
                let Some(s) = SETTINGS.iter().find(|s| s.var == var) else {
                    assert!(
                        OTHER_VARIABLES.contains(&var.as_str()),
                        "the README lists unknown {var}"
                    );
                    continue;
                };
                assert_eq!(shown, s.default, "README default of {var}");
            }
        }
    }

    #[test]
    fn production_mode_requires_a_jwt_secret() {
        let r = Config::from_lookup(lookup(&[("SANAL_PRODUCTION", "true")]));
        assert!(r.is_err_and(|e| e.0.contains("SANAL_JWT_SECRET")));
    }

    #[test]
    fn production_mode_refuses_a_short_secret_and_plain_http_links() {
        let short = Config::from_lookup(lookup(&[
            ("SANAL_PRODUCTION", "true"),
            ("SANAL_JWT_SECRET", "short"),
            ("SANAL_PUBLIC_BASE_URL", "https://sanal.gov.mn/s/"),
            ("SANAL_PUBLIC_POSTER_BASE_URL", "https://sanal.gov.mn/p/"),
        ]));
        assert!(short.is_err_and(|e| e.0.contains("32 bytes")));
        let http = Config::from_lookup(lookup(&[
            ("SANAL_PRODUCTION", "true"),
            ("SANAL_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("SANAL_PUBLIC_BASE_URL", "http://sanal.gov.mn/s/"),
        ]));
        assert!(http.is_err_and(|e| e.0.contains("https")));
    }

    #[test]
    fn access_tokens_cannot_live_longer_than_fifteen_minutes() {
        let r = Config::from_lookup(lookup(&[
            ("SANAL_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("SANAL_ACCESS_TOKEN_TTL_SECS", "3600"),
        ]));
        assert!(r.is_err());
    }

    #[test]
    fn an_unknown_time_zone_is_refused() {
        let r = Config::from_lookup(lookup(&[
            ("SANAL_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("SANAL_TIMEZONE", "Mars/Olympus"),
        ]));
        assert!(r.is_err_and(|e| e.0.contains("SANAL_TIMEZONE")));
    }

    #[test]
    fn production_mode_refuses_a_short_metrics_token() {
        let base = [
            ("SANAL_PRODUCTION", "true"),
            ("SANAL_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("SANAL_PUBLIC_BASE_URL", "https://sanal.gov.mn/s/"),
            ("SANAL_PUBLIC_POSTER_BASE_URL", "https://sanal.gov.mn/p/"),
        ];
        let short = Config::from_lookup(lookup(
            &[base.as_slice(), &[("SANAL_METRICS_TOKEN", "short")]].concat(),
        ));
        assert!(short.is_err_and(|e| e.0.contains("SANAL_METRICS_TOKEN")));
        let long = Config::from_lookup(lookup(
            &[
                base.as_slice(),
                &[("SANAL_METRICS_TOKEN", "a-scraper-token-of-some-length")],
            ]
            .concat(),
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            long.metrics_token.as_deref(),
            Some("a-scraper-token-of-some-length")
        );
        let unset = Config::from_lookup(lookup(&base)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(unset.metrics_token, None);
    }

    #[test]
    fn defaults_serve_on_a_fresh_machine() {
        let c = Config::from_lookup(lookup(&[(
            "SANAL_JWT_SECRET",
            "0123456789abcdef0123456789abcdef",
        )]))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.bind, "127.0.0.1:8080");
        assert_eq!(c.database_url, "sqlite://sanal.db?mode=rwc");
        assert_eq!(c.timezone, chrono_tz::Asia::Ulaanbaatar);
    }
}
