//! The institution's comment on a draft, and publishing by a supervisor.

use super::{ConclusionView, hash_of, load};
use crate::auth::Actor;
use crate::authz::{self, Action};
use crate::domain::vocab::{ConclusionStatus, ScopeKind};
use crate::error::{AppError, AppResult};
use crate::services::audit::Event;
use crate::state::AppState;
use entity::{conclusion, conclusion_finding, finding};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

/// The institution's comment on a draft (its managers, or ADMIN).
pub async fn comment(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    text: &str,
) -> AppResult<ConclusionView> {
    let scope = authz::scope(actor, Action::ManageSurveys)?;
    let text = crate::domain::text::free_text("comment", text, 10_000)?;
    if text.is_empty() {
        return Err(AppError::bad_input(
            "comment",
            "must be 1-10,000 characters",
        ));
    }
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    let c = conclusion::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    scope.require(&*txn, c.institution_id).await?;
    if c.status != ConclusionStatus::Draft.as_str() {
        return Err(AppError::Conflict(
            "a published conclusion never changes".into(),
        ));
    }
    let hash = hash_of(&c, &c.content, &Some(text.clone()));
    let mut row: conclusion::ActiveModel = c.into();
    row.institution_comment = Set(Some(text));
    row.content_hash = Set(hash);
    row.updated_at = Set(now);
    let saved = row.update(&*txn).await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "CONCLUSION_COMMENTED",
            target: Some(("CONCLUSION", id)),
            details: json!({}),
        },
    )
    .await?;
    load(state, saved, false).await
}

/// Publishes a draft (SUPERVISOR, ADMIN). Published conclusions never change.
pub async fn publish(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<ConclusionView> {
    authz::require_global(actor, Action::CloseAndPublish)?;
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    let c = conclusion::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if c.status != ConclusionStatus::Draft.as_str() {
        return Err(AppError::Conflict("already published".into()));
    }
    let mut row: conclusion::ActiveModel = c.into();
    row.status = Set(ConclusionStatus::Published.as_str().into());
    row.published_at = Set(Some(now));
    row.published_by = Set(actor.user_id());
    row.updated_at = Set(now);
    let saved = row.update(&*txn).await?;
    // Its findings are now up for triage (those an earlier revision published
    // keep their date and state).
    let listed = Query::select()
        .column(conclusion_finding::Column::FindingId)
        .from(conclusion_finding::Entity)
        .and_where(conclusion_finding::Column::ConclusionId.eq(id))
        .to_owned();
    finding::Entity::update_many()
        .col_expr(finding::Column::PublishedAt, Expr::value(now))
        .col_expr(
            finding::Column::OpenLimitAt,
            Expr::value(now + chrono::Duration::days(finding::OPEN_DAYS_LIMIT)),
        )
        .filter(finding::Column::PublishedAt.is_null())
        .filter(finding::Column::Id.in_subquery(listed))
        .exec(&*txn)
        .await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "CONCLUSION_PUBLISHED",
            target: Some(("CONCLUSION", id)),
            details: json!({ "hash": saved.content_hash }),
        },
    )
    .await?;
    let view = load(state, saved, false).await?;
    // The period's draft scorecards follow its published conclusions. The
    // conclusion is published whatever happens to them (a supervisor can compute
    // them again with computeScorecards).
    if view.scope_kind == ScopeKind::Institution
        && let Err(e) =
            crate::services::scorecards::after_conclusion_published(state, view.period).await
    {
        tracing::warn!(error = %e, conclusion = %id, "scorecards not recomputed");
    }
    Ok(view)
}
