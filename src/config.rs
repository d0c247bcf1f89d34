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
    /// `SANAL_SUPPRESSION_THRESHOLD`: figures from fewer answers are never published
    /// and are flagged low-confidence (default 10).
    pub suppression_threshold: u64,
    /// `SANAL_FINDING_DRIVER_FLOOR`: a driver's top-box share below this is a finding (default 0.6).
    pub finding_driver_floor: f64,
    /// `SANAL_FINDING_SKM_ELEMENT_FLOOR`: an SKM element mean (1–4) below this is a finding (default 2.5).
    pub finding_skm_element_floor: f64,
    /// `SANAL_FINDING_RESPONSE_RATE_FLOOR`: a response rate below this is a finding (default 0.1).
    pub finding_response_rate_floor: f64,
    /// `SANAL_METRICS_TOKEN`: when set, `GET /metrics` requires `Authorization: Bearer
    /// <token>` (at least 16 characters in production); when unset, `/metrics` is
    /// served openly in development mode and answers 404 in production mode.
    pub metrics_token: Option<String>,
}

impl Config {
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

impl Config {
    /// Defaults for a given database, with a fixed secret: for tests and tools.
    pub fn for_database(database_url: &str) -> Self {
        Self {
            bind: "127.0.0.1:0".into(),
            database_url: database_url.into(),
            data_dir: PathBuf::from("."),
            jwt_secret: b"test-secret-test-secret-test-secret!".to_vec(),
            production: false,
            timezone: chrono_tz::Asia::Ulaanbaatar,
            public_base_url: "http://127.0.0.1:8080/s/".into(),
            access_token_ttl_secs: 600,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            refresh_reuse_secs: 30,
            admin_email: None,
            admin_password: None,
            trust_proxy: false,
            trust_proxy_hops: 1,
            operation_timeout: std::time::Duration::from_secs(30),
            max_operations_in_flight: 256,
            costly_operations_total: 4,
            costly_operations_per_caller: 2,
            db_pool_size: 8,
            workers: None,
            login_max_failures_per_account: 5,
            login_max_failures_per_client: 30,
            login_window_secs: 900,
            hmac_secret: vec![],
            invitation_misses_per_client: 20,
            open_responses_per_client: 3,
            open_responses_per_kiosk: 10,
            suppression_threshold: 10,
            finding_driver_floor: 0.6,
            finding_skm_element_floor: 2.5,
            finding_response_rate_floor: 0.1,
            metrics_token: None,
        }
    }

    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads settings through `get` (the environment, or a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let production = parse_bool(get("SANAL_PRODUCTION").as_deref(), "SANAL_PRODUCTION")?;
        let mut c = Self::for_database(
            &get("DATABASE_URL").unwrap_or_else(|| "sqlite://sanal.db?mode=rwc".into()),
        );
        c.production = production;
        c.bind = get("SANAL_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        c.data_dir = PathBuf::from(get("SANAL_DATA_DIR").unwrap_or_else(|| ".".into()));
        if let Some(tz) = get("SANAL_TIMEZONE") {
            c.timezone = tz
                .parse()
                .map_err(|_| ConfigError(format!("SANAL_TIMEZONE: unknown time zone {tz:?}")))?;
        }
        if let Some(url) = get("SANAL_PUBLIC_BASE_URL") {
            c.public_base_url = url;
        }
        c.access_token_ttl_secs = parse_num(&get, "SANAL_ACCESS_TOKEN_TTL_SECS", 600)?;
        if !(30..=900).contains(&c.access_token_ttl_secs) {
            return Err(ConfigError(
                "SANAL_ACCESS_TOKEN_TTL_SECS must be between 30 and 900 (15 minutes)".into(),
            ));
        }
        c.refresh_token_ttl_secs = parse_num(&get, "SANAL_REFRESH_TOKEN_TTL_SECS", 30 * 24 * 3600)?;
        c.refresh_reuse_secs = parse_num(&get, "SANAL_REFRESH_REUSE_SECS", 30)?;
        c.admin_email = get("SANAL_ADMIN_EMAIL");
        c.admin_password = get("SANAL_ADMIN_PASSWORD");
        c.trust_proxy = parse_bool(get("SANAL_TRUST_PROXY").as_deref(), "SANAL_TRUST_PROXY")?;
        c.trust_proxy_hops = parse_num(&get, "SANAL_TRUST_PROXY_HOPS", 1)?;
        if !(1..=10).contains(&c.trust_proxy_hops) {
            return Err(ConfigError("SANAL_TRUST_PROXY_HOPS must be 1-10".into()));
        }
        let timeout_secs: u64 = parse_num(&get, "SANAL_OPERATION_TIMEOUT_SECS", 30)?;
        if !(1..=600).contains(&timeout_secs) {
            return Err(ConfigError(
                "SANAL_OPERATION_TIMEOUT_SECS must be 1-600".into(),
            ));
        }
        c.operation_timeout = std::time::Duration::from_secs(timeout_secs);
        c.max_operations_in_flight = parse_num(&get, "SANAL_MAX_OPERATIONS_IN_FLIGHT", 256)?;
        c.costly_operations_total = parse_num(&get, "SANAL_COSTLY_OPERATIONS_TOTAL", 4)?;
        c.costly_operations_per_caller = parse_num(&get, "SANAL_COSTLY_OPERATIONS_PER_CALLER", 2)?;
        if c.max_operations_in_flight == 0
            || c.costly_operations_total == 0
            || c.costly_operations_per_caller == 0
        {
            return Err(ConfigError(
                "SANAL_MAX_OPERATIONS_IN_FLIGHT and SANAL_COSTLY_OPERATIONS_* must be at least 1"
                    .into(),
            ));
        }
        c.db_pool_size = parse_num(&get, "SANAL_DB_POOL_SIZE", 8)?;
        c.workers = get("SANAL_WORKERS")
            .map(|w| {
                w.parse()
                    .map_err(|_| ConfigError("SANAL_WORKERS: not a number".into()))
            })
            .transpose()?;
        c.login_max_failures_per_account =
            parse_num(&get, "SANAL_LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)?;
        c.login_max_failures_per_client =
            parse_num(&get, "SANAL_LOGIN_MAX_FAILURES_PER_CLIENT", 30)?;
        c.login_window_secs = parse_num(&get, "SANAL_LOGIN_WINDOW_SECS", 900)?;

        c.jwt_secret = match get("SANAL_JWT_SECRET") {
            Some(s) => s.into_bytes(),
            None if production => {
                return Err(ConfigError(
                    "SANAL_JWT_SECRET is required in production mode".into(),
                ));
            }
            None => load_or_create_dev_secret(&c.data_dir)?,
        };
        c.hmac_secret = get("SANAL_HMAC_SECRET")
            .map(String::into_bytes)
            .unwrap_or_default();
        c.invitation_misses_per_client = parse_num(&get, "SANAL_INVITATION_MISSES_PER_CLIENT", 20)?;
        c.open_responses_per_client = parse_num(&get, "SANAL_OPEN_RESPONSES_PER_CLIENT", 3)?;
        c.open_responses_per_kiosk = parse_num(&get, "SANAL_OPEN_RESPONSES_PER_KIOSK", 10)?;
        c.suppression_threshold = parse_num(&get, "SANAL_SUPPRESSION_THRESHOLD", 10)?;
        c.finding_driver_floor = parse_num(&get, "SANAL_FINDING_DRIVER_FLOOR", 0.6)?;
        c.finding_skm_element_floor = parse_num(&get, "SANAL_FINDING_SKM_ELEMENT_FLOOR", 2.5)?;
        c.finding_response_rate_floor = parse_num(&get, "SANAL_FINDING_RESPONSE_RATE_FLOOR", 0.1)?;
        c.metrics_token = get("SANAL_METRICS_TOKEN").map(|t| t.trim().to_owned());
        if production {
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

fn parse_num<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: T,
) -> Result<T, ConfigError> {
    match get(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| ConfigError(format!("{name}: not a valid number: {v:?}"))),
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
