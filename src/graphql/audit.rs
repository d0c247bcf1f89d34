//! The audit log.

use super::common::{connection_type, ctx, page, parse_id};
use crate::domain::period::instant;
use crate::services::audit::{self, AuditFilter};
use async_graphql::{Context, ID, InputObject, Json, Object, Result};
use chrono::{DateTime, Utc};

connection_type!(
    AuditEntryConnection,
    AuditEntryEdge,
    AuditEntry,
    "audit entries"
);

/// One recorded action.
pub struct AuditEntry(pub audit::AuditEntry);

/// One recorded action.
#[Object]
impl AuditEntry {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// When.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// `USER`, `API_KEY` or `ANONYMOUS`.
    async fn actor_kind(&self) -> &str {
        &self.0.actor_kind
    }
    /// Id of the user or key.
    async fn actor_id(&self) -> Option<ID> {
        self.0.actor_id.map(|i| ID(i.to_string()))
    }
    /// E-mail of the user, name of the key, or the e-mail tried at a failed login.
    async fn actor_label(&self) -> &str {
        &self.0.actor_label
    }
    /// What happened, e.g. `LOGIN_FAILED`, `USER_CREATED`, `API_KEY_REVOKED`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// Kind of object acted on, e.g. `USER`.
    async fn target_kind(&self) -> Option<&str> {
        self.0.target_kind.as_deref()
    }
    /// Id of the object acted on.
    async fn target_id(&self) -> Option<ID> {
        self.0.target_id.map(|i| ID(i.to_string()))
    }
    /// Details of the change (never secrets).
    async fn details(&self) -> Json<serde_json::Value> {
        Json(self.0.details.clone())
    }
    /// Client address.
    async fn client_ip(&self) -> Option<&str> {
        self.0.client_ip.as_deref()
    }
}

/// Filters for `auditLog`.
#[derive(InputObject, Default)]
pub struct AuditFilterInput {
    /// Only this action.
    pub action: Option<String>,
    /// Only these actions (at most 20). Supervisors watch what changes how an
    /// institution is measured: INVITATION_SETTINGS_CHANGED, OPEN_CHANNEL_ENABLED,
    /// KIOSK_CREATED, KIOSK_REVOKED, API_KEY_CREATED, DELIVERED_COUNT_REPORTED,
    /// DELIVERED_COUNT_CORRECTED.
    #[graphql(default)]
    pub actions: Vec<String>,
    /// Only actions by this user or key.
    pub actor_id: Option<ID>,
    /// Only actions on this object.
    pub target_id: Option<ID>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub to: Option<DateTime<Utc>>,
}

/// Audit queries.
#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit log, newest first (ADMIN, SUPERVISOR).
    async fn audit_log(
        &self,
        c: &Context<'_>,
        filter: Option<AuditFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<AuditEntryConnection> {
        let (state, actor) = ctx(c)?;
        let f = filter.unwrap_or_default();
        let filter = AuditFilter {
            action: f.action,
            actions: f.actions,
            actor_id: f
                .actor_id
                .as_ref()
                .map(|i| parse_id("actorId", i))
                .transpose()?,
            target_id: f
                .target_id
                .as_ref()
                .map(|i| parse_id("targetId", i))
                .transpose()?,
            from: f.from.map(|t| instant("from", t)).transpose()?,
            to: f.to.map(|t| instant("to", t)).transpose()?,
        };
        let p = audit::list(state, actor, filter, page(first, after)?).await?;
        Ok(AuditEntryConnection::from_page(p, |e| e.id, AuditEntry))
    }
}
