//! The one way a mutation ends: its audit record, written in the same transaction,
//! then the commit. A write transaction is begun with [`begin`] and finished with
//! [`Write::finish`] (an audit event is required) or [`Write::finish_unaudited`]
//! (which asks for the reason there is none), so a mutation without an audit record
//! is visible in review — there is no plain `commit` here.
//!
//! [`ConflictOnUnique`] turns a unique-constraint violation (a race lost to a
//! concurrent insert of the same key, or a duplicate code) into `CONFLICT`.

use super::audit::{self, Event};
use crate::auth::Actor;
use crate::db::WriteTxn;
use crate::error::{AppError, AppResult, is_unique_violation};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseTransaction, DbErr};
use std::ops::Deref;

/// A write transaction of a service (single writer on SQLite, see [`crate::db`]).
pub(crate) struct Write(WriteTxn);

impl Deref for Write {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.0
    }
}

/// Begins a write transaction.
pub(crate) async fn begin(state: &AppState) -> AppResult<Write> {
    Ok(Write(state.db.begin_write().await?))
}

impl Write {
    /// Records `event` as `actor` at `at`, then commits.
    pub(crate) async fn finish(
        self,
        actor: &Actor,
        at: DateTime<Utc>,
        event: Event<'_>,
    ) -> AppResult<()> {
        audit::record(&*self, actor, at, event).await?;
        self.0.commit().await
    }

    /// Records `event` for an explicit identity (failed sign-ins, system jobs), then
    /// commits.
    pub(crate) async fn finish_as(
        self,
        who: (&str, Option<uuid::Uuid>, String),
        client_ip: Option<String>,
        at: DateTime<Utc>,
        event: Event<'_>,
    ) -> AppResult<()> {
        audit::record_as(&*self, who, client_ip, at, event).await?;
        self.0.commit().await
    }

    /// Commits a change that is deliberately not audited; `why` says why (it is
    /// the review's evidence, e.g. "a response: anonymous by design").
    pub(crate) async fn finish_unaudited(self, why: &'static str) -> AppResult<()> {
        let _ = why;
        self.0.commit().await
    }
}

/// Unique-constraint violations as `CONFLICT` with a message of the caller's.
pub(crate) trait ConflictOnUnique<T> {
    /// `CONFLICT` with `message` on a unique violation; any other error as usual.
    fn conflict_on_unique(self, message: &str) -> AppResult<T>;
}

impl<T> ConflictOnUnique<T> for Result<T, DbErr> {
    fn conflict_on_unique(self, message: &str) -> AppResult<T> {
        self.map_err(|e| {
            if is_unique_violation(&e) {
                AppError::Conflict(message.to_owned())
            } else {
                e.into()
            }
        })
    }
}
