//! Findings of published conclusions and their triage: listing and counting them,
//! dismissing one with a reason (the institution) and reopening a dismissal (a
//! supervisor). Linking one to an improvement action addresses it
//! ([`apply`] with [`Triage::Address`]).
//!
//! Threats: an institution that wants fewer open findings can only dismiss them
//! with a reason that stays on the finding and in the audit log, and a supervisor
//! can reopen them; it cannot touch another institution's findings (`NOT_FOUND`),
//! nor triage a draft's (`CONFLICT`: only published conclusions count).

use super::conclusions::FindingView;
use crate::auth::Actor;
use crate::authz::{self, Action, InstitutionScope};
use crate::domain::finding::{Triage, next};
use crate::domain::period::PeriodKind;
use crate::domain::vocab::{FindingKind, FindingState};
use crate::domain::{Page, PageRequest};
use crate::error::{AppError, AppResult};
use crate::services::audit::Event;
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use entity::finding;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, Select,
};
use serde_json::json;
use uuid::Uuid;

/// Longest reason for a dismissal or a reopening, in characters.
const REASON_MAX: usize = 2_000;

/// Filters of [`list`] and [`stats`].
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    /// Findings of this institution (its own and its services').
    pub institution_id: Option<Uuid>,
    /// With everything below that institution.
    pub with_subtree: bool,
    /// In this state.
    pub state: Option<FindingState>,
    /// Of this period kind.
    pub period_kind: Option<PeriodKind>,
    /// Of the period starting on this day.
    pub period_start: Option<NaiveDate>,
    /// Of this kind.
    pub kind: Option<FindingKind>,
}

/// Counts of findings of published conclusions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FindingStats {
    /// All of them.
    pub total: u64,
    /// Open now.
    pub open: u64,
    /// Addressed by an improvement action.
    pub addressed: u64,
    /// Dismissed with a reason.
    pub dismissed: u64,
    /// Published at least 60 days ago.
    pub due: u64,
    /// Of those, still open 60 days after publication (open now, or left open
    /// only later).
    pub left_open: u64,
}

/// The published findings `actor` may read under filter `f`.
async fn query(
    state: &AppState,
    actor: &Actor,
    f: &FindingFilter,
) -> AppResult<Select<finding::Entity>> {
    let scope = authz::scope(actor, Action::ReadResults)?;
    let conn = state.db.conn();
    let mut q = finding::Entity::find()
        .filter(finding::Column::PublishedAt.is_not_null())
        .filter(scope.condition(finding::Column::InstitutionId));
    if let Some(id) = f.institution_id {
        scope.require(conn, id).await?;
        q = q.filter(authz::institution_filter(
            finding::Column::InstitutionId,
            id,
            f.with_subtree,
        ));
    }
    if let Some(s) = f.state {
        q = q.filter(finding::Column::State.eq(s.as_str()));
    }
    if let Some(k) = f.period_kind {
        q = q.filter(finding::Column::PeriodKind.eq(k.as_str()));
    }
    if let Some(d) = f.period_start {
        q = q.filter(finding::Column::PeriodStart.eq(d));
    }
    if let Some(k) = f.kind {
        q = q.filter(finding::Column::Kind.eq(k.as_str()));
    }
    Ok(q)
}

/// Findings of published conclusions (institution users: their subtree's;
/// SUPERVISOR and ADMIN: all).
pub async fn list(
    state: &AppState,
    actor: &Actor,
    f: FindingFilter,
    page: PageRequest,
) -> AppResult<Page<FindingView>> {
    let q = query(state, actor, &f).await?;
    let page = super::fetch_page(state.db.conn(), q, finding::Column::Id, page).await?;
    let items = page
        .items
        .into_iter()
        .map(|r| {
            let detail = r.detail.clone();
            FindingView::from_row(r, detail)
        })
        .collect::<AppResult<_>>()?;
    Ok(Page {
        items,
        has_next: page.has_next,
        has_previous: page.has_previous,
    })
}

/// How many findings there are in each state, and how many were left open past
/// the limit (what the scorecards count).
pub async fn stats(state: &AppState, actor: &Actor, f: FindingFilter) -> AppResult<FindingStats> {
    let q = query(state, actor, &f).await?;
    let conn = state.db.conn();
    let now = state.clock.now();
    let count = |q: Select<finding::Entity>| async move { q.count(conn).await };
    let in_state = |s: FindingState| q.clone().filter(finding::Column::State.eq(s.as_str()));
    let due = q.clone().filter(finding::Column::OpenLimitAt.lte(now));
    let left_open = due.clone().filter(
        sea_orm::Condition::any()
            .add(finding::Column::State.eq(FindingState::Open.as_str()))
            .add(
                Expr::col(finding::Column::StateChangedAt)
                    .gt(Expr::col(finding::Column::OpenLimitAt)),
            ),
    );
    let (total, open, addressed, dismissed, due, left_open) = tokio::try_join!(
        count(q.clone()),
        count(in_state(FindingState::Open)),
        count(in_state(FindingState::Addressed)),
        count(in_state(FindingState::Dismissed)),
        count(due),
        count(left_open),
    )?;
    Ok(FindingStats {
        total,
        open,
        addressed,
        dismissed,
        due,
        left_open,
    })
}

/// One published finding `actor` may read.
pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<FindingView> {
    let scope = authz::scope(actor, Action::ReadResults)?;
    let conn = state.db.conn();
    let f = finding::Entity::find_by_id(id)
        .filter(finding::Column::PublishedAt.is_not_null())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    scope.require(conn, f.institution_id).await?;
    let detail = f.detail.clone();
    FindingView::from_row(f, detail)
}

/// Moves finding `id` by `t` inside the caller's transaction: `NOT_FOUND` if it
/// does not exist, `CONFLICT` if it is a draft's or the move is not allowed from
/// where it stands. The caller has checked who may.
pub(crate) async fn apply(
    conn: &impl ConnectionTrait,
    id: Uuid,
    t: Triage,
    reason: Option<String>,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<finding::Model> {
    let f = finding::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    if f.published_at.is_none() {
        return Err(AppError::Conflict(
            "only findings of a published conclusion are triaged".into(),
        ));
    }
    let from = FindingState::parse(&f.state)
        .ok_or_else(|| AppError::internal("stored finding: unknown state"))?;
    let to = next(from, t).ok_or_else(|| {
        AppError::Conflict(format!("a {} finding cannot be moved so", from.as_str()))
    })?;
    if to == from {
        return Ok(f);
    }
    let mut row: finding::ActiveModel = f.into();
    row.state = Set(to.as_str().into());
    row.state_reason = Set(reason);
    row.state_changed_at = Set(Some(now));
    row.state_changed_by = Set(by);
    Ok(row.update(conn).await?)
}

fn reason(raw: &str) -> AppResult<String> {
    let text = crate::domain::text::free_text("reason", raw, REASON_MAX)?;
    if text.is_empty() {
        return Err(AppError::bad_input("reason", "must be 1-2,000 characters"));
    }
    Ok(text)
}

/// Dismisses a finding of a published conclusion, with a reason (the
/// institution's managers for their subtree, ADMIN).
pub async fn dismiss(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    why: &str,
) -> AppResult<FindingView> {
    let scope = authz::scope(actor, Action::TriageFindings)?;
    triage(state, actor, id, Triage::Dismiss, reason(why)?, scope).await
}

/// Reopens a dismissed finding, with a reason (SUPERVISOR).
pub async fn reopen(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    why: &str,
) -> AppResult<FindingView> {
    let scope = authz::scope(actor, Action::ReopenFindings)?;
    triage(state, actor, id, Triage::Reopen, reason(why)?, scope).await
}

async fn triage(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    t: Triage,
    why: String,
    scope: InstitutionScope,
) -> AppResult<FindingView> {
    let now = state.clock.now();
    let txn = super::write::begin(state).await?;
    let institution = finding::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?
        .institution_id;
    scope.require(&*txn, institution).await?;
    let saved = apply(&*txn, id, t, Some(why.clone()), actor.user_id(), now).await?;
    txn.finish(
        actor,
        now,
        Event {
            action: match t {
                Triage::Dismiss => "FINDING_DISMISSED",
                _ => "FINDING_REOPENED",
            },
            target: Some(("FINDING", id)),
            details: json!({ "reason": why, "state": saved.state }),
        },
    )
    .await?;
    let detail = saved.detail.clone();
    FindingView::from_row(saved, detail)
}
