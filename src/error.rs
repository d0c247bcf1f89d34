//! One error type for the whole API. Each variant has a stable code that clients
//! read from `extensions.code`; internal details are logged and never shown.

use crate::domain::error::Invalid;
pub use crate::domain::error::InvalidField;
use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

/// Marks an [`InvalidField`] that names a survey question (shown as `questionKey`).
const ANSWER_PREFIX: &str = "answer:";

/// What can go wrong, as clients see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppError {
    /// No valid credential: sign in (again).
    Unauthenticated(String),
    /// The caller's role can never do this.
    Forbidden,
    /// Not there, or not visible to the caller: the two look the same.
    NotFound,
    /// The input is wrong; `invalid` lists each bad field.
    BadUserInput {
        /// Summary.
        message: String,
        /// Each bad field with its reason.
        invalid: Vec<InvalidField>,
    },
    /// The request contradicts the current state (duplicate code, stale change, …).
    Conflict(String),
    /// This invitation was already answered.
    AlreadyResponded,
    /// The thing asked for has expired.
    Expired,
    /// Too many attempts; try again after the given number of seconds.
    RateLimited {
        /// Seconds until the window resets.
        retry_after_secs: i64,
    },
    /// The operation is beyond a limit of the API (nesting, cost, costly fields).
    QueryLimitExceeded(String),
    /// The document is not valid GraphQL syntax.
    ParseFailed(String),
    /// The operation ran longer than the server allows; nothing it wrote was kept
    /// unless it had already been acknowledged (retry with the same ids).
    Timeout {
        /// The limit that was reached, in seconds.
        after_secs: u64,
    },
    /// The database cannot be reached or cannot store more right now; nothing was
    /// written. Retry after the given number of seconds.
    Unavailable {
        /// Seconds to wait before retrying.
        retry_after_secs: i64,
    },
    /// A fault on our side. The text is logged, never sent.
    Internal(String),
}

impl AppError {
    /// The stable code clients switch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::BadUserInput { .. } => "BAD_USER_INPUT",
            Self::Conflict(_) => "CONFLICT",
            Self::AlreadyResponded => "ALREADY_RESPONDED",
            Self::Expired => "EXPIRED",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::QueryLimitExceeded(_) => "QUERY_LIMIT_EXCEEDED",
            Self::ParseFailed(_) => "GRAPHQL_PARSE_FAILED",
            Self::Timeout { .. } => "TIMEOUT",
            Self::Unavailable { .. } => "SERVICE_UNAVAILABLE",
            Self::Internal(_) => "INTERNAL",
        }
    }

    /// The message a client may see.
    pub fn public_message(&self) -> String {
        match self {
            Self::Unauthenticated(m) => m.clone(),
            Self::Forbidden => "you are not allowed to do this".into(),
            Self::NotFound => "not found".into(),
            Self::BadUserInput { message, .. } => message.clone(),
            Self::Conflict(m) => m.clone(),
            Self::AlreadyResponded => "this invitation has already been answered".into(),
            Self::Expired => "this has expired".into(),
            Self::RateLimited { retry_after_secs } => {
                format!("too many attempts; try again in {retry_after_secs} s")
            }
            Self::QueryLimitExceeded(m) | Self::ParseFailed(m) => m.clone(),
            Self::Timeout { after_secs } => {
                format!("the operation took longer than {after_secs} s and was stopped")
            }
            Self::Unavailable { retry_after_secs } => format!(
                "the service cannot store or read data right now; nothing was changed, try again in {retry_after_secs} s"
            ),
            Self::Internal(_) => "internal error".into(),
        }
    }

    /// A bad input in one field.
    pub fn bad_input(field: &str, reason: impl Into<String>) -> Self {
        let reason = reason.into();
        Self::BadUserInput {
            message: format!("{field}: {reason}"),
            invalid: vec![InvalidField {
                field: field.into(),
                reason,
            }],
        }
    }

    /// Several bad fields at once.
    pub fn invalid(invalid: Vec<InvalidField>) -> Self {
        let message = match invalid.len() {
            1 => format!("{}: {}", invalid[0].field, invalid[0].reason),
            n => format!("{n} inputs are invalid"),
        };
        Self::BadUserInput { message, invalid }
    }

    /// Bad answers of a survey response: each listed by `questionKey`.
    pub fn invalid_answers(invalid: Vec<InvalidField>) -> Self {
        let message = format!("{} answer(s) are invalid", invalid.len());
        Self::BadUserInput {
            message,
            invalid: invalid
                .into_iter()
                .map(|i| InvalidField {
                    field: format!("{ANSWER_PREFIX}{}", i.field),
                    reason: i.reason,
                })
                .collect(),
        }
    }

    /// A credential problem.
    pub fn unauthenticated(msg: &str) -> Self {
        Self::Unauthenticated(msg.into())
    }

    /// A fault on our side; the detail is logged once here.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        let detail = detail.to_string();
        tracing::error!(error = %detail, "internal error");
        Self::Internal(detail)
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.public_message())
    }
}

impl std::error::Error for AppError {}

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        Self::invalid(e.0)
    }
}

impl From<Invalid> for async_graphql::Error {
    fn from(e: Invalid) -> Self {
        AppError::from(e).extend()
    }
}

impl From<DbErr> for AppError {
    fn from(e: DbErr) -> Self {
        match unavailable(&e) {
            Some(why) => {
                tracing::warn!(error = %e, why, "database unavailable");
                Self::Unavailable {
                    retry_after_secs: 5,
                }
            }
            None => Self::internal(format!("database: {e}")),
        }
    }
}

/// Whether a database error means "not now" rather than a fault: the server is
/// unreachable or restarting, the pool has no connection, or the disk is full
/// (SQLite `SQLITE_FULL`, PostgreSQL `53100 disk_full`).
fn unavailable(e: &DbErr) -> Option<&'static str> {
    use sea_orm::{RuntimeErr, sqlx};
    let sqlx_err = match e {
        DbErr::ConnectionAcquire(_) => return Some("no connection"),
        DbErr::Conn(RuntimeErr::SqlxError(s))
        | DbErr::Exec(RuntimeErr::SqlxError(s))
        | DbErr::Query(RuntimeErr::SqlxError(s)) => s.as_ref(),
        DbErr::Conn(_) => return Some("connection"),
        _ => return None,
    };
    match sqlx_err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => Some("connection"),
        sqlx::Error::Database(d) if d.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() => {
            // Extended SQLite codes keep the primary code in the low byte:
            // SQLITE_IOERR (10), SQLITE_FULL (13), SQLITE_CANTOPEN (14).
            let primary = d
                .code()
                .and_then(|c| c.parse::<i32>().ok())
                .map(|c| c & 0xff);
            matches!(primary, Some(10 | 13 | 14)).then_some("storage")
        }
        sqlx::Error::Database(d) => match d.code().as_deref() {
            // PostgreSQL: disk full, out of memory, too many connections, shutting
            // down, cannot connect now; class 08: connection exceptions.
            Some("53100" | "53200" | "53300" | "57P01" | "57P02" | "57P03") => Some("server state"),
            Some(c) if c.starts_with("08") => Some("connection"),
            _ => None,
        },
        _ => None,
    }
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        async_graphql::Error::new(self.public_message()).extend_with(|_, ext| {
            ext.set("code", self.code());
            match self {
                Self::BadUserInput { invalid, .. } if !invalid.is_empty() => {
                    let list: Vec<async_graphql::Value> = invalid
                        .iter()
                        .map(|i| {
                            let mut m = async_graphql::indexmap::IndexMap::new();
                            match i.field.strip_prefix(ANSWER_PREFIX) {
                                Some(k) => m.insert(
                                    async_graphql::Name::new("questionKey"),
                                    k.to_owned().into(),
                                ),
                                None => m.insert(
                                    async_graphql::Name::new("field"),
                                    i.field.clone().into(),
                                ),
                            };
                            m.insert(async_graphql::Name::new("reason"), i.reason.clone().into());
                            async_graphql::Value::Object(m)
                        })
                        .collect();
                    ext.set("invalid", list);
                }
                Self::RateLimited { retry_after_secs } | Self::Unavailable { retry_after_secs } => {
                    ext.set("retryAfterSeconds", *retry_after_secs);
                }
                Self::Timeout { after_secs } => {
                    ext.set("timeoutSeconds", *after_secs);
                }
                _ => {}
            }
        })
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(e: AppError) -> Self {
        e.extend()
    }
}

impl AppError {
    /// As a request-level GraphQL error (no field path), e.g. from the guard.
    pub fn into_server_error(self) -> async_graphql::ServerError {
        let e = self.extend();
        let mut s = async_graphql::ServerError::new(e.message, None);
        s.extensions = e.extensions;
        s
    }
}

/// Results of services.
pub type AppResult<T> = Result<T, AppError>;

/// Whether a database error is a unique-constraint violation (a race lost to a
/// concurrent insert of the same key).
pub fn is_unique_violation(e: &DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
