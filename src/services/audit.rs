//! The append-only audit log: who did what, when. Written inside the same
//! transaction as the change it records; read by ADMIN and SUPERVISOR.

use crate::auth::Actor;
use crate::authz::{self, Action};
use crate::domain::{Page, PageRequest};
use crate::error::AppResult;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::audit_log;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

/// One audit entry.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// Entry id.
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// `USER`, `API_KEY`, `ANONYMOUS` or `SYSTEM`.
    pub actor_kind: String,
    /// Id of the user or key.
    pub actor_id: Option<Uuid>,
    /// E-mail of the user, name of the key, or the e-mail tried at a failed login.
    pub actor_label: String,
    /// What happened, e.g. `LOGIN_FAILED`, `USER_CREATED`.
    pub action: String,
    /// Kind of object acted on.
    pub target_kind: Option<String>,
    /// Id of the object acted on.
    pub target_id: Option<Uuid>,
    /// Details (never secrets).
    pub details: serde_json::Value,
    /// Client address.
    pub client_ip: Option<String>,
}

/// What to record.
pub struct Event<'a> {
    /// Action name.
    pub action: &'a str,
    /// (kind, id) of the target.
    pub target: Option<(&'a str, Uuid)>,
    /// Details.
    pub details: serde_json::Value,
}

/// Appends an entry (inside the caller's transaction).
pub async fn record(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    at: DateTime<Utc>,
    event: Event<'_>,
) -> AppResult<()> {
    let (kind, id, label) = actor.audit_identity();
    record_as(conn, (kind, id, label), actor.client_ip.clone(), at, event).await
}

/// Appends an entry for an explicit identity (failed logins, system jobs).
pub async fn record_as(
    conn: &impl ConnectionTrait,
    who: (&str, Option<Uuid>, String),
    client_ip: Option<String>,
    at: DateTime<Utc>,
    event: Event<'_>,
) -> AppResult<()> {
    let row = audit_log::ActiveModel {
        id: Set(super::new_id()),
        at: Set(at),
        actor_kind: Set(who.0.to_owned()),
        actor_id: Set(who.1),
        actor_label: Set(who.2),
        action: Set(event.action.to_owned()),
        target_kind: Set(event.target.map(|t| t.0.to_owned())),
        target_id: Set(event.target.map(|t| t.1)),
        details: Set(event.details),
        client_ip: Set(client_ip),
    };
    audit_log::Entity::insert(row)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// The most actions one `actions` filter names.
pub const MAX_ACTIONS: usize = 20;

/// Filters of [`list`].
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// Only this action.
    pub action: Option<String>,
    /// Only these actions (e.g. every change to how an institution is measured).
    pub actions: Vec<String>,
    /// Only entries by this user or key.
    pub actor_id: Option<Uuid>,
    /// Only entries about this object.
    pub target_id: Option<Uuid>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub to: Option<DateTime<Utc>>,
}

/// Newest first. ADMIN and SUPERVISOR only.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: AuditFilter,
    page: PageRequest,
) -> AppResult<Page<AuditEntry>> {
    authz::require_global(actor, Action::ReadAuditLog)?;
    let mut q = audit_log::Entity::find();
    if let Some(a) = filter.action {
        q = q.filter(audit_log::Column::Action.eq(a));
    }
    if filter.actions.len() > MAX_ACTIONS {
        return Err(crate::error::AppError::bad_input(
            "actions",
            format!("at most {MAX_ACTIONS}"),
        ));
    }
    if !filter.actions.is_empty() {
        q = q.filter(audit_log::Column::Action.is_in(filter.actions));
    }
    if let Some(a) = filter.actor_id {
        q = q.filter(audit_log::Column::ActorId.eq(a));
    }
    if let Some(t) = filter.target_id {
        q = q.filter(audit_log::Column::TargetId.eq(t));
    }
    if let Some(f) = filter.from {
        q = q.filter(audit_log::Column::At.gte(f));
    }
    if let Some(t) = filter.to {
        q = q.filter(audit_log::Column::At.lt(t));
    }
    if let Some(after) = page.after {
        q = q.filter(audit_log::Column::Id.lt(after));
    }
    let rows = q
        .order_by_desc(audit_log::Column::Id)
        .limit(page.fetch_limit())
        .all(state.db.conn())
        .await?;
    Ok(page.page(rows).map(|r| AuditEntry {
        id: r.id,
        at: r.at,
        actor_kind: r.actor_kind,
        actor_id: r.actor_id,
        actor_label: r.actor_label,
        action: r.action,
        target_kind: r.target_kind,
        target_id: r.target_id,
        details: r.details,
        client_ip: r.client_ip,
    }))
}
