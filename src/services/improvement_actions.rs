//! Improvement actions: what an institution does about its findings, how far it
//! got, and whether it moved what it targeted.
//!
//! Who: the institution's managers (and ADMIN) create their actions (and those of
//! their subtree) and move them; a SUPERVISOR (or ADMIN) verifies or rejects a
//! completion; the institution's staff read them. Everyone else — the public —
//! reads actions from `PLANNED` on without their owner or the notes of their
//! progress updates (the owner shows as the institution).
//!
//! Threats: an institution that wants a better record cannot backdate a move (the
//! dates are the server's, in the reporting zone), verify its own completion,
//! erase a progress update (append-only), nor choose the effect's figures: the
//! effect is computed from the rollups over fixed windows around the start and the
//! completion, never entered.

use crate::auth::Actor;
use crate::authz::{self, Action, InstitutionScope};
use crate::domain::action::{self, ActionMove, Effect, Metric, Sample};
use crate::domain::period::Period;
use crate::domain::vocab::{
    ActionStatus, ConclusionStatus, EffectStatus, Measure, MetricKind, OriginKind, ScopeKind,
};
use crate::domain::{LocalizedText, Page, PageRequest, Role};
use crate::error::{AppError, AppResult};
use crate::services::audit::Event;
use crate::services::findings;
use crate::services::reports::{self, ReportScope};
use crate::state::AppState;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{
    conclusion, finding, improvement_action as ia, improvement_action_origin as origin,
    improvement_action_service as ias, improvement_action_update as upd, institution_closure,
    role_assignment, service, suggestion, user,
};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Select,
};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// Longest title, in characters.
pub const TITLE_MAX: usize = 200;
/// Longest description, in characters.
pub const DESCRIPTION_MAX: usize = 4_000;
/// Longest reason or progress note, in characters.
pub const NOTE_MAX: usize = 2_000;
/// Most services one action covers.
pub const SERVICES_MAX: usize = 50;
/// Most findings and conclusions one action comes from.
pub const ORIGINS_MAX: usize = 50;
/// Most evidence links on one progress update.
pub const EVIDENCE_MAX: usize = 10;
/// Default length of the windows before the start and after the completion.
pub const WINDOW_DAYS: i32 = 90;

/// A new improvement action.
#[derive(Debug, Clone)]
pub struct NewAction {
    /// The institution it belongs to.
    pub institution_id: Uuid,
    /// Title.
    pub title: LocalizedText,
    /// Description.
    pub description: LocalizedText,
    /// A user with a role in that institution (or one above it).
    pub owner_id: Uuid,
    /// Due date (local).
    pub due_date: NaiveDate,
    /// Services of the institution (or below) it covers; none: all of them.
    pub service_ids: Vec<Uuid>,
    /// What it aims to move.
    pub metric: Option<Metric>,
    /// The metric before (filled from the latest published conclusion when not given).
    pub baseline: Option<f64>,
    /// The value it aims for.
    pub target: Option<f64>,
    /// Days before the start the effect compares against (default 90).
    pub window_before_days: Option<i32>,
    /// Days after the completion the effect measures (default 90).
    pub window_after_days: Option<i32>,
    /// Findings of published conclusions it addresses.
    pub finding_ids: Vec<Uuid>,
    /// Published conclusions it answers.
    pub conclusion_ids: Vec<Uuid>,
    /// Citizens' suggestions (held by the institution or below) it answers.
    pub suggestion_ids: Vec<Uuid>,
}

/// One entry of an action's progress timeline.
#[derive(Debug, Clone)]
pub struct UpdateView {
    /// Id.
    pub id: Uuid,
    /// The day it reports on.
    pub day: NaiveDate,
    /// Percent done.
    pub percent: i32,
    /// Note (not shown to the public).
    pub note: Option<String>,
    /// Evidence links.
    pub evidence: Vec<String>,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

/// An improvement action as the caller may see it.
#[derive(Debug, Clone)]
pub struct ActionView {
    /// The row (the owner is hidden from the public: see `owner_id`).
    pub row: ia::Model,
    /// The owner, for those who may see who it is.
    pub owner_id: Option<Uuid>,
    /// Services covered.
    pub service_ids: Vec<Uuid>,
    /// What it comes from.
    pub origins: Vec<(OriginKind, Uuid)>,
    /// Progress timeline, oldest first.
    pub updates: Vec<UpdateView>,
    /// Status.
    pub status: ActionStatus,
    /// What it targets.
    pub metric: Option<Metric>,
    /// Due and still open, in the reporting zone.
    pub overdue: bool,
    /// Shown as to the public.
    pub public: bool,
}

impl ActionView {
    /// The latest progress, in percent.
    pub fn progress(&self) -> Option<i32> {
        self.updates.last().map(|u| u.percent)
    }
}

/// Filters of [`list`] and [`stats`].
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    /// Actions of this institution.
    pub institution_id: Option<Uuid>,
    /// With everything below it.
    pub with_subtree: bool,
    /// In this status.
    pub status: Option<ActionStatus>,
    /// Overdue (or not).
    pub overdue: Option<bool>,
    /// Covering this service.
    pub service_id: Option<Uuid>,
    /// Addressing this finding.
    pub finding_id: Option<Uuid>,
    /// Owned by this user.
    pub owner_id: Option<Uuid>,
}

/// Counts of actions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionStats {
    /// All matching.
    pub total: u64,
    /// Due and still open.
    pub overdue: u64,
    /// Per status.
    pub by_status: Vec<(ActionStatus, u64)>,
}

fn today(state: &AppState) -> NaiveDate {
    state
        .clock
        .now()
        .with_timezone(&state.config.timezone)
        .date_naive()
}

fn note(field: &str, raw: &str) -> AppResult<String> {
    let text = crate::domain::text::free_text(field, raw, NOTE_MAX)?;
    if text.is_empty() {
        return Err(AppError::bad_input(field, "must be 1-2,000 characters"));
    }
    Ok(text)
}

fn window(field: &str, days: Option<i32>) -> AppResult<i32> {
    match days.unwrap_or(WINDOW_DAYS) {
        d @ 7..=365 => Ok(d),
        _ => Err(AppError::bad_input(field, "must be 7-365 days")),
    }
}

/// The title of a stored action.
pub fn title(row: &ia::Model) -> LocalizedText {
    LocalizedText::from_json(&row.title)
}

/// The description of a stored action.
pub fn description(row: &ia::Model) -> LocalizedText {
    LocalizedText::from_json(&row.description)
}

/// Ids of `institution_id` and everything below it.
async fn subtree(conn: &impl ConnectionTrait, institution_id: Uuid) -> AppResult<Vec<Uuid>> {
    Ok(institution_closure::Entity::find()
        .filter(institution_closure::Column::AncestorId.eq(institution_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.descendant_id)
        .collect())
}

/// Whether `user_id` holds an institution role scoped to `institution_id` or above it.
async fn may_own(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    institution_id: Uuid,
) -> AppResult<bool> {
    let above: Vec<Uuid> = institution_closure::Entity::find()
        .filter(institution_closure::Column::DescendantId.eq(institution_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.ancestor_id)
        .collect();
    let roles = [
        Role::InstitutionManager.as_str(),
        Role::InstitutionStaff.as_str(),
    ];
    Ok(role_assignment::Entity::find()
        .filter(role_assignment::Column::UserId.eq(user_id))
        .filter(role_assignment::Column::Role.is_in(roles))
        .filter(role_assignment::Column::InstitutionId.is_in(above))
        .count(conn)
        .await?
        > 0)
}

/// Creates an improvement action (`PROPOSED`), linking its findings (now `ADDRESSED`).
pub async fn create(state: &AppState, actor: &Actor, a: NewAction) -> AppResult<ActionView> {
    let scope = authz::scope(actor, Action::ManageImprovementActions)?;
    let before_days = window("windowBeforeDays", a.window_before_days)?;
    let after_days = window("windowAfterDays", a.window_after_days)?;
    let services = unique(&a.service_ids);
    if services.len() > SERVICES_MAX {
        return Err(AppError::bad_input("serviceIds", "at most 50 services"));
    }
    if a.finding_ids.len() + a.conclusion_ids.len() + a.suggestion_ids.len() > ORIGINS_MAX {
        return Err(AppError::bad_input("findingIds", "at most 50 origins"));
    }
    for (field, value) in [("target", a.target), ("baseline", a.baseline)] {
        match (value, &a.metric) {
            (Some(v), Some(m)) if !v.is_finite() || !plausible(m.measure, v) => {
                return Err(AppError::bad_input(field, "out of the measure's range"));
            }
            (Some(_), None) => {
                return Err(AppError::bad_input(field, "needs a metric"));
            }
            _ => {}
        }
    }
    let now = state.clock.now();
    let today = today(state);
    if a.due_date < today {
        return Err(AppError::bad_input("dueDate", "must not be in the past"));
    }
    let txn = super::write::begin(state).await?;
    scope.require(&*txn, a.institution_id).await?;
    // The institution and everything below it (itself at depth 0): none means
    // there is no such institution.
    let tree = subtree(&*txn, a.institution_id).await?;
    if tree.is_empty() {
        return Err(AppError::NotFound);
    }
    if !services.is_empty() {
        let found = service::Entity::find()
            .filter(service::Column::Id.is_in(services.clone()))
            .filter(service::Column::InstitutionId.is_in(tree.clone()))
            .count(&*txn)
            .await?;
        if found as usize != services.len() {
            return Err(AppError::bad_input(
                "serviceIds",
                "each must be a service of the institution or below it",
            ));
        }
    }
    if user::Entity::find_by_id(a.owner_id)
        .one(&*txn)
        .await?
        .is_none()
        || !may_own(&*txn, a.owner_id, a.institution_id).await?
    {
        return Err(AppError::bad_input(
            "ownerId",
            "must be a user with a role in the institution",
        ));
    }
    // Origins: published, and in the institution's subtree.
    let wanted = unique(&a.finding_ids);
    let found: Vec<finding::Model> = finding::Entity::find()
        .filter(finding::Column::Id.is_in(wanted.clone()))
        .all(&*txn)
        .await?;
    if found.len() != wanted.len() || found.iter().any(|f| !tree.contains(&f.institution_id)) {
        return Err(AppError::NotFound);
    }
    let conclusions = unique(&a.conclusion_ids);
    let cs: Vec<conclusion::Model> = conclusion::Entity::find()
        .filter(conclusion::Column::Id.is_in(conclusions.clone()))
        .all(&*txn)
        .await?;
    if cs.len() != conclusions.len() || cs.iter().any(|c| !tree.contains(&c.institution_id)) {
        return Err(AppError::NotFound);
    }
    if cs
        .iter()
        .any(|c| c.status != ConclusionStatus::Published.as_str())
    {
        return Err(AppError::Conflict(
            "only a published conclusion can be answered".into(),
        ));
    }
    let suggestions = unique(&a.suggestion_ids);
    let held = suggestion::Entity::find()
        .filter(suggestion::Column::Id.is_in(suggestions.clone()))
        .filter(suggestion::Column::InstitutionId.is_in(tree.clone()))
        .count(&*txn)
        .await?;
    if held as usize != suggestions.len() {
        return Err(AppError::NotFound);
    }
    let baseline = match (a.baseline, &a.metric) {
        (Some(b), _) => Some(b),
        (None, Some(m)) => latest_published_value(&*txn, a.institution_id, &services, m).await?,
        (None, None) => None,
    };
    let id = super::new_id();
    let (kind, subject, measure) = match &a.metric {
        Some(m) => (
            Some(m.kind.as_str().to_owned()),
            m.subject.clone(),
            Some(m.measure.as_str().to_owned()),
        ),
        None => (None, None, None),
    };
    ia::ActiveModel {
        id: Set(id),
        institution_id: Set(a.institution_id),
        title: Set(a.title.to_json()),
        description: Set(a.description.to_json()),
        owner_id: Set(a.owner_id),
        due_date: Set(a.due_date),
        metric_kind: Set(kind),
        metric_subject: Set(subject),
        measure: Set(measure),
        baseline: Set(baseline),
        target: Set(a.target),
        window_before_days: Set(before_days),
        window_after_days: Set(after_days),
        status: Set(ActionStatus::Proposed.as_str().into()),
        status_reason: Set(None),
        planned_on: Set(None),
        started_on: Set(None),
        completed_on: Set(None),
        verified_on: Set(None),
        cancelled_on: Set(None),
        created_by: Set(actor.user_id()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    if !services.is_empty() {
        ias::Entity::insert_many(services.iter().map(|s| ias::ActiveModel {
            action_id: Set(id),
            service_id: Set(*s),
        }))
        .exec_without_returning(&*txn)
        .await?;
    }
    let origins: Vec<origin::ActiveModel> = wanted
        .iter()
        .map(|f| (OriginKind::Finding, *f))
        .chain(conclusions.iter().map(|c| (OriginKind::Conclusion, *c)))
        .chain(suggestions.iter().map(|s| (OriginKind::Suggestion, *s)))
        .map(|(k, o)| origin::ActiveModel {
            action_id: Set(id),
            origin_kind: Set(k.as_str().into()),
            origin_id: Set(o),
        })
        .collect();
    if !origins.is_empty() {
        origin::Entity::insert_many(origins)
            .exec_without_returning(&*txn)
            .await?;
    }
    for f in &wanted {
        findings::apply(
            &*txn,
            *f,
            crate::domain::finding::Triage::Address,
            None,
            actor.user_id(),
            now,
        )
        .await?;
    }
    txn.finish(
        actor,
        now,
        Event {
            action: "IMPROVEMENT_ACTION_CREATED",
            target: Some(("IMPROVEMENT_ACTION", id)),
            details: json!({ "institutionId": a.institution_id, "findings": wanted, "conclusions": conclusions, "suggestions": suggestions }),
        },
    )
    .await?;
    get(state, actor, id).await
}

/// `ids` sorted, each once.
fn unique(ids: &[Uuid]) -> Vec<Uuid> {
    let mut v = ids.to_vec();
    v.sort();
    v.dedup();
    v
}

/// Whether `v` can be a value of `measure`.
fn plausible(measure: Measure, v: f64) -> bool {
    match measure {
        Measure::TopBox | Measure::ResponseRate => (0.0..=1.0).contains(&v),
        Measure::Nps => (-100.0..=100.0).contains(&v),
        Measure::SkmIndex => (0.0..=100.0).contains(&v),
        Measure::Mean => (-1000.0..=1000.0).contains(&v),
    }
}

/// The metric in the latest published conclusion of the action's scope (its one
/// service, or the institution).
async fn latest_published_value(
    conn: &impl ConnectionTrait,
    institution_id: Uuid,
    services: &[Uuid],
    m: &Metric,
) -> AppResult<Option<f64>> {
    let (kind, id) = match services {
        [one] => (ScopeKind::Service, *one),
        _ => (ScopeKind::Institution, institution_id),
    };
    let latest = conclusion::Entity::find()
        .filter(conclusion::Column::ScopeKind.eq(kind.as_str()))
        .filter(conclusion::Column::ScopeId.eq(id))
        .filter(conclusion::Column::Status.eq(ConclusionStatus::Published.as_str()))
        .order_by_desc(conclusion::Column::PeriodEnd)
        .order_by_desc(conclusion::Column::Revision)
        .one(conn)
        .await?;
    let Some(c) = latest else {
        return Ok(None);
    };
    let snapshot: crate::domain::figures::Snapshot = serde_json::from_value(c.content)
        .map_err(|e| AppError::internal(format!("stored snapshot: {e}")))?;
    Ok(action::sample(&snapshot, m).and_then(|s| s.value()))
}

/// Moves an action. Verifying and rejecting a completion are a supervisor's; the
/// rest its institution's managers'. Cancelling and rejecting need a reason.
pub async fn move_action(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    m: ActionMove,
    reason: Option<&str>,
) -> AppResult<ActionView> {
    let scope = if m.by_verifier() {
        authz::require_global(actor, Action::VerifyImprovementActions)?;
        InstitutionScope::All
    } else {
        authz::scope(actor, Action::ManageImprovementActions)?
    };
    let reason = match (m.needs_reason(), reason) {
        (true, Some(r)) => Some(note("reason", r)?),
        (true, None) => return Err(AppError::bad_input("reason", "this move needs a reason")),
        (false, _) => None,
    };
    let now = state.clock.now();
    let today = today(state);
    let txn = super::write::begin(state).await?;
    let row = ia::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    scope.require(&*txn, row.institution_id).await?;
    let from = ActionStatus::parse(&row.status)
        .ok_or_else(|| AppError::internal("stored action: unknown status"))?;
    let to = action::next(from, m).ok_or_else(|| {
        AppError::Conflict(format!("a {} action cannot be moved so", from.as_str()))
    })?;
    let mut a: ia::ActiveModel = row.clone().into();
    a.status = Set(to.as_str().into());
    a.status_reason = Set(reason.clone());
    a.updated_at = Set(now);
    match m {
        ActionMove::Plan => a.planned_on = Set(Some(today)),
        ActionMove::Start => a.started_on = Set(Some(today)),
        ActionMove::Complete => a.completed_on = Set(Some(today)),
        ActionMove::Verify => a.verified_on = Set(Some(today)),
        ActionMove::Reject => a.completed_on = Set(None),
        ActionMove::Cancel => a.cancelled_on = Set(Some(today)),
    }
    a.update(&*txn).await?;
    if m == ActionMove::Cancel {
        unaddress_orphans(&*txn, id, now, actor.user_id()).await?;
    }
    txn.finish(
        actor,
        now,
        Event {
            action: "IMPROVEMENT_ACTION_MOVED",
            target: Some(("IMPROVEMENT_ACTION", id)),
            details: json!({ "from": from.as_str(), "to": to.as_str(), "reason": reason }),
        },
    )
    .await?;
    get(state, actor, id).await
}

/// After `action_id` was cancelled: its findings that no other live action
/// addresses are open again.
async fn unaddress_orphans(
    conn: &impl ConnectionTrait,
    action_id: Uuid,
    now: DateTime<Utc>,
    by: Option<Uuid>,
) -> AppResult<()> {
    let linked: Vec<Uuid> = origin::Entity::find()
        .filter(origin::Column::ActionId.eq(action_id))
        .filter(origin::Column::OriginKind.eq(OriginKind::Finding.as_str()))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| o.origin_id)
        .collect();
    for f in linked {
        let live = Query::select()
            .column(ia::Column::Id)
            .from(ia::Entity)
            .and_where(ia::Column::Status.ne(ActionStatus::Cancelled.as_str()))
            .to_owned();
        let others = origin::Entity::find()
            .filter(origin::Column::OriginKind.eq(OriginKind::Finding.as_str()))
            .filter(origin::Column::OriginId.eq(f))
            .filter(origin::Column::ActionId.ne(action_id))
            .filter(origin::Column::ActionId.in_subquery(live))
            .count(conn)
            .await?;
        if others == 0 {
            findings::apply(
                conn,
                f,
                crate::domain::finding::Triage::Unaddress,
                Some("its improvement action was cancelled".into()),
                by,
                now,
            )
            .await?;
        }
    }
    Ok(())
}

/// A progress update to append.
#[derive(Debug, Clone)]
pub struct NewUpdate {
    /// The day it reports on (not in the future).
    pub day: NaiveDate,
    /// Percent done, 0–100.
    pub percent: i32,
    /// What was done.
    pub note: String,
    /// Evidence links (https).
    pub evidence: Vec<String>,
}

/// Checks an evidence link: an absolute https URL with a host, at most 500 characters.
fn evidence_link(raw: &str) -> AppResult<String> {
    Ok(crate::domain::text::https_link("evidence", raw)?)
}

/// Appends a progress update to an open action (its institution's managers).
pub async fn add_update(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    u: NewUpdate,
) -> AppResult<ActionView> {
    let scope = authz::scope(actor, Action::ManageImprovementActions)?;
    if !(0..=100).contains(&u.percent) {
        return Err(AppError::bad_input("percent", "must be 0-100"));
    }
    let text = note("note", &u.note)?;
    if u.evidence.len() > EVIDENCE_MAX {
        return Err(AppError::bad_input("evidence", "at most 10 links"));
    }
    let evidence = u
        .evidence
        .iter()
        .map(|e| evidence_link(e))
        .collect::<AppResult<Vec<_>>>()?;
    if u.day > today(state) {
        return Err(AppError::bad_input("day", "must not be in the future"));
    }
    let now = state.clock.now();
    let txn = super::write::begin(state).await?;
    let row = ia::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    scope.require(&*txn, row.institution_id).await?;
    let status = ActionStatus::parse(&row.status)
        .ok_or_else(|| AppError::internal("stored action: unknown status"))?;
    if !action::is_open(status) {
        return Err(AppError::Conflict(format!(
            "a {} action takes no more progress updates",
            status.as_str()
        )));
    }
    let uid = super::new_id();
    upd::ActiveModel {
        id: Set(uid),
        action_id: Set(id),
        day: Set(u.day),
        percent: Set(u.percent),
        note: Set(text),
        evidence: Set(json!(evidence)),
        created_by: Set(actor.user_id()),
        created_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "IMPROVEMENT_ACTION_PROGRESS",
            target: Some(("IMPROVEMENT_ACTION", id)),
            details: json!({ "percent": u.percent }),
        },
    )
    .await?;
    get(state, actor, id).await
}

/// Who reads what: `None` for the public view, else the caller's results scope.
fn reader(actor: &Actor) -> Option<InstitutionScope> {
    authz::scope(actor, Action::ReadResults).ok()
}

/// The actions a filter selects, as the caller may see them: institution users
/// their subtree's in full, and — like the public — other institutions' from
/// `PLANNED` on.
async fn query(
    state: &AppState,
    actor: &Actor,
    f: &ActionFilter,
) -> AppResult<(Select<ia::Entity>, Option<InstitutionScope>)> {
    let who = reader(actor);
    let public = ia::Column::Status.ne(ActionStatus::Proposed.as_str());
    let mut q = ia::Entity::find();
    match &who {
        Some(InstitutionScope::All) => {}
        Some(s) => {
            q = q.filter(
                sea_orm::Condition::any()
                    .add(s.condition(ia::Column::InstitutionId))
                    .add(public),
            );
        }
        None => q = q.filter(public),
    }
    if let Some(id) = f.institution_id {
        q = q.filter(authz::institution_filter(
            ia::Column::InstitutionId,
            id,
            f.with_subtree,
        ));
    }
    if let Some(s) = f.status {
        q = q.filter(ia::Column::Status.eq(s.as_str()));
    }
    let open = [
        ActionStatus::Proposed.as_str(),
        ActionStatus::Planned.as_str(),
        ActionStatus::InProgress.as_str(),
    ];
    let today = today(state);
    match f.overdue {
        Some(true) => {
            q = q
                .filter(ia::Column::DueDate.lt(today))
                .filter(ia::Column::Status.is_in(open));
        }
        Some(false) => {
            q = q.filter(
                sea_orm::Condition::any()
                    .add(ia::Column::DueDate.gte(today))
                    .add(ia::Column::Status.is_not_in(open)),
            );
        }
        None => {}
    }
    if let Some(s) = f.service_id {
        q = q.filter(
            ia::Column::Id.in_subquery(
                Query::select()
                    .column(ias::Column::ActionId)
                    .from(ias::Entity)
                    .and_where(ias::Column::ServiceId.eq(s))
                    .to_owned(),
            ),
        );
    }
    if let Some(fid) = f.finding_id {
        q = q.filter(
            ia::Column::Id.in_subquery(
                Query::select()
                    .column(origin::Column::ActionId)
                    .from(origin::Entity)
                    .and_where(origin::Column::OriginKind.eq(OriginKind::Finding.as_str()))
                    .and_where(origin::Column::OriginId.eq(fid))
                    .to_owned(),
            ),
        );
    }
    if let Some(o) = f.owner_id {
        // Who owns an action is not public: only readers of its institution may filter by it.
        match &who {
            Some(InstitutionScope::All) => q = q.filter(ia::Column::OwnerId.eq(o)),
            Some(s) => {
                q = q
                    .filter(ia::Column::OwnerId.eq(o))
                    .filter(s.condition(ia::Column::InstitutionId))
            }
            None => return Err(AppError::Forbidden),
        }
    }
    Ok((q, who))
}

/// Actions the caller may read (see [`query`]).
pub async fn list(
    state: &AppState,
    actor: &Actor,
    f: ActionFilter,
    page: PageRequest,
) -> AppResult<Page<ActionView>> {
    let (q, who) = query(state, actor, &f).await?;
    let conn = state.db.conn();
    let page = super::fetch_page(conn, q, ia::Column::Id, page).await?;
    let items = views(state, who.as_ref(), page.items).await?;
    Ok(Page {
        items,
        has_next: page.has_next,
        has_previous: page.has_previous,
    })
}

/// How many actions match, overdue, and per status.
pub async fn stats(state: &AppState, actor: &Actor, f: ActionFilter) -> AppResult<ActionStats> {
    let (q, _) = query(state, actor, &f).await?;
    let conn = state.db.conn();
    let total = q.clone().count(conn).await?;
    let mut overdue_f = f.clone();
    overdue_f.overdue = Some(true);
    let overdue = match f.overdue {
        Some(false) => 0,
        _ => query(state, actor, &overdue_f).await?.0.count(conn).await?,
    };
    let mut by_status = vec![];
    for s in ActionStatus::ALL {
        let n = q
            .clone()
            .filter(ia::Column::Status.eq(s.as_str()))
            .count(conn)
            .await?;
        by_status.push((*s, n));
    }
    Ok(ActionStats {
        total,
        overdue,
        by_status,
    })
}

/// One action the caller may read.
pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<ActionView> {
    let conn = state.db.conn();
    let row = ia::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let who = reader(actor);
    let mut v = views(state, who.as_ref(), vec![row]).await?;
    let v = v.pop().ok_or(AppError::NotFound)?;
    if v.public && v.status == ActionStatus::Proposed {
        return Err(AppError::NotFound);
    }
    Ok(v)
}

/// The actions the caller may read that address each of `finding_ids` (for
/// `Finding.actions`): four statements whatever the number of findings.
pub async fn actions_for_findings(
    state: &AppState,
    actor: &Actor,
    finding_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<ActionView>>> {
    let conn = state.db.conn();
    let links = origin::Entity::find()
        .filter(origin::Column::OriginKind.eq(OriginKind::Finding.as_str()))
        .filter(origin::Column::OriginId.is_in(finding_ids.to_vec()))
        .all(conn)
        .await?;
    let mut out: HashMap<Uuid, Vec<ActionView>> = HashMap::new();
    if links.is_empty() {
        return Ok(out);
    }
    let action_ids = unique(&links.iter().map(|l| l.action_id).collect::<Vec<_>>());
    let (q, who) = query(state, actor, &ActionFilter::default()).await?;
    let rows = q
        .filter(ia::Column::Id.is_in(action_ids))
        .order_by_asc(ia::Column::Id)
        .all(conn)
        .await?;
    let by_id: HashMap<Uuid, ActionView> = views(state, who.as_ref(), rows)
        .await?
        .into_iter()
        .map(|v| (v.row.id, v))
        .collect();
    for l in links {
        if let Some(v) = by_id.get(&l.action_id) {
            out.entry(l.origin_id).or_default().push(v.clone());
        }
    }
    for v in out.values_mut() {
        v.sort_by_key(|a| a.row.id);
    }
    Ok(out)
}

/// Views of `rows`, with their services, origins and updates (three statements
/// whatever their number) and what the caller may see of each.
async fn views(
    state: &AppState,
    who: Option<&InstitutionScope>,
    rows: Vec<ia::Model>,
) -> AppResult<Vec<ActionView>> {
    let conn = state.db.conn();
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut services: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    let mut origins: HashMap<Uuid, Vec<(OriginKind, Uuid)>> = HashMap::new();
    let mut updates: HashMap<Uuid, Vec<upd::Model>> = HashMap::new();
    if !ids.is_empty() {
        for s in ias::Entity::find()
            .filter(ias::Column::ActionId.is_in(ids.clone()))
            .all(conn)
            .await?
        {
            services.entry(s.action_id).or_default().push(s.service_id);
        }
        for o in origin::Entity::find()
            .filter(origin::Column::ActionId.is_in(ids.clone()))
            .all(conn)
            .await?
        {
            if let Some(k) = OriginKind::parse(&o.origin_kind) {
                origins
                    .entry(o.action_id)
                    .or_default()
                    .push((k, o.origin_id));
            }
        }
        for u in upd::Entity::find()
            .filter(upd::Column::ActionId.is_in(ids))
            .order_by_asc(upd::Column::Id)
            .all(conn)
            .await?
        {
            updates.entry(u.action_id).or_default().push(u);
        }
    }
    let members = match who {
        Some(s) => s.members(conn).await?,
        None => None,
    };
    let today = today(state);
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let public = match who {
            Some(InstitutionScope::All) => false,
            Some(_) => !members
                .as_ref()
                .is_some_and(|m| m.contains(&row.institution_id)),
            None => true,
        };
        let status = ActionStatus::parse(&row.status)
            .ok_or_else(|| AppError::internal("stored action: unknown status"))?;
        let metric = match (&row.metric_kind, &row.measure) {
            (Some(k), Some(m)) => Some(Metric {
                kind: MetricKind::parse(k)
                    .ok_or_else(|| AppError::internal("stored action: unknown metric"))?,
                subject: row.metric_subject.clone(),
                measure: Measure::parse(m)
                    .ok_or_else(|| AppError::internal("stored action: unknown measure"))?,
            }),
            _ => None,
        };
        let ups = updates
            .remove(&row.id)
            .unwrap_or_default()
            .into_iter()
            .map(|u| UpdateView {
                id: u.id,
                day: u.day,
                percent: u.percent,
                note: (!public).then_some(u.note),
                evidence: serde_json::from_value(u.evidence).unwrap_or_default(),
                created_at: u.created_at,
            })
            .collect();
        out.push(ActionView {
            owner_id: (!public).then_some(row.owner_id),
            service_ids: services.remove(&row.id).unwrap_or_default(),
            origins: origins.remove(&row.id).unwrap_or_default(),
            updates: ups,
            overdue: row.due_date < today && action::is_open(status),
            status,
            metric,
            public,
            row,
        });
    }
    Ok(out)
}

/// Whether an action moved what it targeted.
#[derive(Debug, Clone)]
pub struct EffectView {
    /// The verdict.
    pub status: EffectStatus,
    /// The window before the start.
    pub before_window: Period,
    /// The window after the completion.
    pub after_window: Period,
    /// Answers (or invitations) before.
    pub n_before: u64,
    /// Answers (or invitations) after (so far, while pending).
    pub n_after: u64,
    /// The test, where both windows have answers (provisional while pending).
    pub effect: Option<Effect>,
}

/// The effect of a `COMPLETED` or `VERIFIED` action with a targeted metric (none
/// otherwise), from the daily rollups of its services (or its institution's
/// subtree) over the window before its start and the window after its completion.
pub async fn effect(state: &AppState, v: &ActionView) -> AppResult<Option<EffectView>> {
    let (Some(metric), Some(started), Some(completed)) =
        (&v.metric, v.row.started_on, v.row.completed_on)
    else {
        return Ok(None);
    };
    if !matches!(v.status, ActionStatus::Completed | ActionStatus::Verified) {
        return Ok(None);
    }
    let before = Period::custom(
        started - Duration::days(i64::from(v.row.window_before_days)),
        started - Duration::days(1),
    )?;
    let after = Period::custom(
        completed + Duration::days(1),
        completed + Duration::days(i64::from(v.row.window_after_days)),
    )?;
    let a = measure_over(state, v, metric, before).await?;
    let b = measure_over(state, v, metric, after).await?;
    let (n_before, n_after) = (
        a.as_ref().map_or(0, Sample::n),
        b.as_ref().map_or(0, Sample::n),
    );
    let test = match (&a, &b) {
        (Some(a), Some(b)) => action::compare(a, b),
        _ => None,
    };
    let threshold = state.config.suppression_threshold;
    let status = if today(state) <= after.end {
        EffectStatus::Pending
    } else if n_before < threshold || n_after < threshold {
        EffectStatus::InsufficientData
    } else {
        test.map_or(EffectStatus::InsufficientData, |t| t.status())
    };
    Ok(Some(EffectView {
        status,
        before_window: before,
        after_window: after,
        n_before,
        n_after,
        effect: test,
    }))
}

/// The metric's answers over `period` in the action's services (pooled), or its
/// institution's subtree when it covers none.
async fn measure_over(
    state: &AppState,
    v: &ActionView,
    metric: &Metric,
    period: Period,
) -> AppResult<Option<Sample>> {
    let sys = Actor::system("sanal effects");
    let scopes: Vec<ReportScope> = if v.service_ids.is_empty() {
        vec![ReportScope::Institution {
            id: v.row.institution_id,
            include_sub_institutions: true,
        }]
    } else {
        v.service_ids
            .iter()
            .map(|s| ReportScope::Service(*s))
            .collect()
    };
    let mut pooled: Option<Sample> = None;
    for scope in scopes {
        let report = reports::satisfaction_report(state, &sys, scope, period).await?;
        let Some(s) = action::sample(&report.snapshot(), metric) else {
            continue;
        };
        pooled = Some(match pooled {
            None => s,
            Some(p) => pool(p, s),
        });
    }
    Ok(pooled)
}

/// Two samples of the same metric, together.
fn pool(a: Sample, b: Sample) -> Sample {
    match (a, b) {
        (Sample::Share { k, n }, Sample::Share { k: k2, n: n2 }) => Sample::Share {
            k: k + k2,
            n: n + n2,
        },
        (Sample::Values { mut dist, scale }, Sample::Values { dist: d2, .. }) => {
            dist.merge(&d2);
            Sample::Values { dist, scale }
        }
        (Sample::Nps(mut dist), Sample::Nps(d2)) => {
            dist.merge(&d2);
            Sample::Nps(dist)
        }
        (a, _) => a,
    }
}
