//! NGO evaluations of institutions: drafted and submitted by an accredited NGO's
//! reviewers on a published rubric, returned or published by a SUPERVISOR
//! (frozen and hashed), corrected by new revisions, and answered officially by
//! the institution's managers, recommendation by recommendation.
//!
//! Threats: an institution cannot touch an evaluation of itself (its people only
//! read published ones and respond once), cannot make it disappear (withdrawing
//! is the NGO's, before publication), nor change it after publication (hashed;
//! a correction is a new revision that says what changed). An NGO with declared
//! ties to the institution cannot submit unless a SUPERVISOR waives them, and its
//! declaration is published with the evaluation. Reviewers see only their own
//! NGO's drafts.

use crate::auth::Actor;
use crate::auth::secrets::sha256_hex;
use crate::authz::{self, Action};
use crate::domain::evaluation::{self as domain, Content, EvaluationMove};
use crate::domain::ngo::Criterion;
use crate::domain::vocab::{ActionStatus, EvaluationStatus, OriginKind, ResponseDecision};
use crate::domain::{LocalizedText, Page, PageRequest, Role};
use crate::error::{AppError, AppResult};
use crate::services::audit::Event;
use crate::state::AppState;
use chrono::{Duration, NaiveDate};
use entity::{
    improvement_action as ia, improvement_action_origin as origin, institution, ngo,
    ngo_action_verification as nav, ngo_evaluation as ev, rubric, service, service_point,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use serde_json::json;
use std::collections::HashSet;
use uuid::Uuid;

/// Days an institution has to respond to a published evaluation.
pub const RESPONSE_DAYS: i64 = 30;
/// Longest explanation (ties, waiver, return comment, change note, reason).
pub const NOTE_MAX: usize = 2_000;

fn today(state: &AppState) -> NaiveDate {
    state
        .clock
        .now()
        .with_timezone(&state.config.timezone)
        .date_naive()
}

fn note(field: &str, raw: &str) -> AppResult<String> {
    Ok(crate::domain::text::explanation(field, raw, NOTE_MAX)?)
}

/// The institution's official answer to one recommendation.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RecommendationAnswer {
    /// Which recommendation (0-based, in the evaluation's order).
    pub index: usize,
    /// The decision.
    pub decision: ResponseDecision,
    /// Why (required for `REJECTED`).
    pub reason: Option<String>,
    /// The improvement action that carries it out.
    pub action_id: Option<Uuid>,
}

/// The institution's official response.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Response {
    /// Its text.
    pub text: LocalizedText,
    /// One answer per recommendation.
    pub recommendations: Vec<RecommendationAnswer>,
    /// The responding officer's role.
    pub role: String,
}

/// An evaluation as its reader may see it.
#[derive(Debug, Clone)]
pub struct EvaluationView {
    /// The row.
    pub row: ev::Model,
    /// Its status.
    pub status: EvaluationStatus,
    /// What it says.
    pub content: Content,
    /// The institution's response.
    pub response: Option<Response>,
    /// Published, unanswered, and past its response day.
    pub response_overdue: bool,
    /// Read by its own NGO, a SUPERVISOR or ADMIN (who may see who wrote it).
    pub insider: bool,
}

fn stored<T: for<'de> serde::Deserialize<'de>>(what: &str, v: &serde_json::Value) -> AppResult<T> {
    serde_json::from_value(v.clone()).map_err(|e| AppError::internal(format!("stored {what}: {e}")))
}

fn view(state: &AppState, row: ev::Model, insider: bool) -> AppResult<EvaluationView> {
    let status = EvaluationStatus::parse(&row.status)
        .ok_or_else(|| AppError::internal("stored evaluation: unknown status"))?;
    let content: Content = stored("evaluation", &row.content)?;
    let response: Option<Response> = row
        .response
        .as_ref()
        .map(|r| stored("response", r))
        .transpose()?;
    let response_overdue = status == EvaluationStatus::Published
        && response.is_none()
        && row.response_due.is_some_and(|d| d < today(state));
    Ok(EvaluationView {
        row,
        status,
        content,
        response,
        response_overdue,
        insider,
    })
}

/// The NGO the caller reviews for (`FORBIDDEN` for anyone else).
fn reviewer_ngo(actor: &Actor) -> AppResult<Uuid> {
    let user = authz::require_user(actor)?;
    user.assignments
        .iter()
        .find(|a| a.role == Role::NgoReviewer)
        .and_then(|a| a.ngo_id())
        .ok_or(AppError::Forbidden)
}

/// Whether `actor` supervises evaluations (SUPERVISOR, ADMIN): sees every one.
fn overseer(actor: &Actor) -> bool {
    authz::require_global(actor, Action::RegisterNgos).is_ok()
}

/// `FORBIDDEN` unless the NGO may evaluate today (accredited, within validity).
async fn require_accredited(
    state: &AppState,
    conn: &impl ConnectionTrait,
    ngo_id: Uuid,
) -> AppResult<()> {
    let row = ngo::Entity::find_by_id(ngo_id)
        .one(conn)
        .await?
        .ok_or(AppError::Forbidden)?;
    let status = crate::domain::vocab::AccreditationStatus::parse(&row.status)
        .ok_or_else(|| AppError::internal("stored NGO: unknown status"))?;
    if crate::domain::ngo::may_evaluate(
        status,
        row.accredited_from,
        row.accredited_until,
        today(state),
    ) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The criteria of a rubric version.
async fn criteria(conn: &impl ConnectionTrait, rubric_id: Uuid) -> AppResult<Vec<Criterion>> {
    let r = rubric::Entity::find_by_id(rubric_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::internal("evaluation on a missing rubric"))?;
    stored("rubric", &r.criteria)
}

/// A new evaluation.
#[derive(Debug, Clone)]
pub struct NewEvaluation {
    /// The institution evaluated.
    pub institution_id: Uuid,
    /// Some of its services (none: the institution as a whole).
    pub service_ids: Vec<Uuid>,
    /// Some of its service points.
    pub service_point_ids: Vec<Uuid>,
    /// A published rubric version.
    pub rubric_id: Uuid,
    /// First day of the period evaluated.
    pub period_start: NaiveDate,
    /// Last day.
    pub period_end: NaiveDate,
    /// The conflict-of-interest declaration: `None` for no ties, else the ties.
    pub ties: Option<String>,
}

fn unique(ids: &[Uuid]) -> Vec<Uuid> {
    let mut v = ids.to_vec();
    v.sort();
    v.dedup();
    v
}

/// Starts an evaluation (a reviewer of an NGO accredited today), as a `DRAFT`.
pub async fn start(state: &AppState, actor: &Actor, e: NewEvaluation) -> AppResult<EvaluationView> {
    let ngo_id = reviewer_ngo(actor)?;
    if e.period_start > e.period_end || (e.period_end - e.period_start).num_days() > 366 {
        return Err(AppError::bad_input(
            "periodEnd",
            "must be on or after periodStart, within a year",
        ));
    }
    let ties = e.ties.as_deref().map(|t| note("ties", t)).transpose()?;
    let services = unique(&e.service_ids);
    let points = unique(&e.service_point_ids);
    if services.len() > domain::ITEMS_MAX || points.len() > domain::ITEMS_MAX {
        return Err(AppError::bad_input(
            "serviceIds",
            "at most 50 services and 50 points",
        ));
    }
    let now = state.clock.now();
    let txn = super::write::begin(state).await?;
    require_accredited(state, &*txn, ngo_id).await?;
    let published = rubric::Entity::find_by_id(e.rubric_id)
        .one(&*txn)
        .await?
        .is_some_and(|r| r.status == crate::domain::vocab::RubricStatus::Published.as_str());
    if !published {
        return Err(AppError::bad_input(
            "rubricId",
            "must be a published rubric version",
        ));
    }
    if institution::Entity::find_by_id(e.institution_id)
        .one(&*txn)
        .await?
        .is_none()
    {
        return Err(AppError::bad_input("institutionId", "no such institution"));
    }
    let tree = authz::subtree_ids(&[e.institution_id]);
    let found = service::Entity::find()
        .filter(service::Column::Id.is_in(services.clone()))
        .filter(service::Column::InstitutionId.in_subquery(tree.clone()))
        .count(&*txn)
        .await?;
    if found as usize != services.len() {
        return Err(AppError::bad_input(
            "serviceIds",
            "must be services of the institution",
        ));
    }
    let found = service_point::Entity::find()
        .filter(service_point::Column::Id.is_in(points.clone()))
        .filter(service_point::Column::InstitutionId.in_subquery(tree))
        .count(&*txn)
        .await?;
    if found as usize != points.len() {
        return Err(AppError::bad_input(
            "servicePointIds",
            "must be service points of the institution",
        ));
    }
    let id = super::new_id();
    let row = ev::ActiveModel {
        id: Set(id),
        ngo_id: Set(ngo_id),
        institution_id: Set(e.institution_id),
        rubric_id: Set(e.rubric_id),
        period_start: Set(e.period_start),
        period_end: Set(e.period_end),
        service_ids: Set(json!(services)),
        service_point_ids: Set(json!(points)),
        status: Set(EvaluationStatus::Draft.as_str().into()),
        revision: Set(1),
        supersedes_id: Set(None),
        change_note: Set(None),
        declared_ties: Set(ties.is_some()),
        ties: Set(ties),
        waiver_reason: Set(None),
        content: Set(json!(Content::default())),
        score: Set(None),
        score_100: Set(None),
        return_comment: Set(None),
        content_hash: Set(None),
        submitted_at: Set(None),
        published_at: Set(None),
        response_due: Set(None),
        response: Set(None),
        responded_at: Set(None),
        created_by: Set(actor.user_id()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "EVALUATION_STARTED",
            target: Some(("NGO_EVALUATION", id)),
            details: json!({ "ngoId": ngo_id, "institutionId": e.institution_id, "declaredTies": row.declared_ties }),
        },
    )
    .await?;
    view(state, row, true)
}

/// The evaluation `id` of the caller's NGO, loaded in `conn` (else `NOT_FOUND`;
/// `FORBIDDEN` for callers who review for no NGO).
async fn own(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> AppResult<(ev::Model, EvaluationStatus)> {
    let ngo_id = reviewer_ngo(actor)?;
    let row = ev::Entity::find_by_id(id)
        .one(conn)
        .await?
        .filter(|r| r.ngo_id == ngo_id)
        .ok_or(AppError::NotFound)?;
    let status = EvaluationStatus::parse(&row.status)
        .ok_or_else(|| AppError::internal("stored evaluation: unknown status"))?;
    Ok((row, status))
}

/// Any evaluation, for a SUPERVISOR's act (`FORBIDDEN` for anyone else).
async fn supervised(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> AppResult<(ev::Model, EvaluationStatus)> {
    authz::require_global(actor, Action::ReviewEvaluations)?;
    let row = ev::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = EvaluationStatus::parse(&row.status)
        .ok_or_else(|| AppError::internal("stored evaluation: unknown status"))?;
    Ok((row, status))
}

fn moved(from: EvaluationStatus, m: EvaluationMove) -> AppResult<EvaluationStatus> {
    domain::next(from, m).ok_or_else(|| {
        AppError::Conflict(format!("a {} evaluation cannot be moved so", from.as_str()))
    })
}

/// Writes `a`, audits it, and returns the insider's view.
async fn save(
    state: &AppState,
    actor: &Actor,
    txn: super::write::Write,
    a: ev::ActiveModel,
    action: &str,
    details: serde_json::Value,
) -> AppResult<EvaluationView> {
    let now = state.clock.now();
    let row = a.update(&*txn).await?;
    txn.finish(
        actor,
        now,
        Event {
            action,
            target: Some(("NGO_EVALUATION", row.id)),
            details,
        },
    )
    .await?;
    view(state, row, true)
}

/// Replaces a draft's (or a returned one's) content (its NGO's reviewers).
pub async fn edit(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    content: Content,
) -> AppResult<EvaluationView> {
    let txn = super::write::begin(state).await?;
    let (row, status) = own(&*txn, actor, id).await?;
    if !domain::editable(status) {
        return Err(AppError::Conflict(format!(
            "a {} evaluation is not edited: revise it",
            status.as_str()
        )));
    }
    let rubric = criteria(&*txn, row.rubric_id).await?;
    let points: HashSet<Uuid> = service_point::Entity::find()
        .filter(
            service_point::Column::InstitutionId
                .in_subquery(authz::subtree_ids(&[row.institution_id])),
        )
        .all(&*txn)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let content = content.check(&rubric, &points)?;
    let mut a: ev::ActiveModel = row.into();
    a.content = Set(json!(content));
    a.updated_at = Set(state.clock.now());
    save(state, actor, txn, a, "EVALUATION_EDITED", json!({})).await
}

/// Submits an evaluation (its NGO's reviewers, while accredited): `CONFLICT` while
/// declared ties are not waived; it needs a summary and one assessed criterion.
pub async fn submit(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<EvaluationView> {
    let txn = super::write::begin(state).await?;
    let (row, from) = own(&*txn, actor, id).await?;
    require_accredited(state, &*txn, row.ngo_id).await?;
    let to = moved(from, EvaluationMove::Submit)?;
    if row.declared_ties && row.waiver_reason.is_none() {
        return Err(AppError::Conflict(
            "declared ties block submission until a supervisor waives them".into(),
        ));
    }
    let content: Content = stored("evaluation", &row.content)?;
    let rubric = criteria(&*txn, row.rubric_id).await?;
    let Some((score, score_100)) = content.score(&rubric) else {
        return Err(AppError::bad_input(
            "criteria",
            "assess at least one criterion",
        ));
    };
    if content.summary.trim().is_empty() {
        return Err(AppError::bad_input(
            "summary",
            "an evaluation needs a summary",
        ));
    }
    let now = state.clock.now();
    let mut a: ev::ActiveModel = row.into();
    a.status = Set(to.as_str().into());
    a.score = Set(Some(score));
    a.score_100 = Set(Some(score_100));
    a.submitted_at = Set(Some(now));
    a.updated_at = Set(now);
    save(
        state,
        actor,
        txn,
        a,
        "EVALUATION_SUBMITTED",
        json!({ "score": score }),
    )
    .await
}

/// Withdraws an evaluation before it is published (its NGO's reviewers).
pub async fn withdraw(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<EvaluationView> {
    let txn = super::write::begin(state).await?;
    let (row, from) = own(&*txn, actor, id).await?;
    let to = moved(from, EvaluationMove::Withdraw)?;
    let mut a: ev::ActiveModel = row.into();
    a.status = Set(to.as_str().into());
    a.updated_at = Set(state.clock.now());
    save(
        state,
        actor,
        txn,
        a,
        "EVALUATION_WITHDRAWN",
        json!({ "from": from.as_str() }),
    )
    .await
}

/// Waives declared ties, with a reason (a SUPERVISOR).
pub async fn waive(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    why: &str,
) -> AppResult<EvaluationView> {
    let why = note("reason", why)?;
    let txn = super::write::begin(state).await?;
    let (row, status) = supervised(&*txn, actor, id).await?;
    if !row.declared_ties || !domain::editable(status) {
        return Err(AppError::Conflict(
            "there are no ties to waive before submission".into(),
        ));
    }
    let mut a: ev::ActiveModel = row.into();
    a.waiver_reason = Set(Some(why.clone()));
    a.updated_at = Set(state.clock.now());
    save(
        state,
        actor,
        txn,
        a,
        "EVALUATION_TIES_WAIVED",
        json!({ "reason": why }),
    )
    .await
}

/// Returns a submission with comments (a SUPERVISOR), e.g. for personal data found.
pub async fn send_back(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    comment: &str,
) -> AppResult<EvaluationView> {
    let comment = note("comment", comment)?;
    let txn = super::write::begin(state).await?;
    let (row, from) = supervised(&*txn, actor, id).await?;
    let to = moved(from, EvaluationMove::Return)?;
    let mut a: ev::ActiveModel = row.into();
    a.status = Set(to.as_str().into());
    a.return_comment = Set(Some(comment.clone()));
    a.updated_at = Set(state.clock.now());
    save(
        state,
        actor,
        txn,
        a,
        "EVALUATION_RETURNED",
        json!({ "comment": comment }),
    )
    .await
}

/// The SHA-256 a published evaluation carries: over who evaluated whom, when, on
/// which rubric version (with its criteria), the declaration and waiver, the
/// content, the score and the revision. Keys are sorted, so the JSON is canonical.
fn hash_of(row: &ev::Model, rubric: &rubric::Model) -> String {
    sha256_hex(
        &json!({
            "ngoId": row.ngo_id,
            "institutionId": row.institution_id,
            "periodStart": row.period_start,
            "periodEnd": row.period_end,
            "serviceIds": row.service_ids,
            "servicePointIds": row.service_point_ids,
            "rubric": { "id": rubric.id, "key": rubric.key, "version": rubric.version, "criteria": rubric.criteria },
            "declaredTies": row.declared_ties,
            "ties": row.ties,
            "waiver": row.waiver_reason,
            "content": row.content,
            "score": row.score,
            "revision": row.revision,
            "supersedes": row.supersedes_id,
            "changeNote": row.change_note,
        })
        .to_string(),
    )
}

/// Publishes a submission (a SUPERVISOR, after checking it for personal data):
/// frozen and hashed; the institution's response is due within 30 days.
pub async fn publish(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<EvaluationView> {
    let txn = super::write::begin(state).await?;
    let (row, from) = supervised(&*txn, actor, id).await?;
    let to = moved(from, EvaluationMove::Publish)?;
    let rubric = rubric::Entity::find_by_id(row.rubric_id)
        .one(&*txn)
        .await?
        .ok_or_else(|| AppError::internal("evaluation on a missing rubric"))?;
    let now = state.clock.now();
    let hash = hash_of(&row, &rubric);
    let mut a: ev::ActiveModel = row.into();
    a.status = Set(to.as_str().into());
    a.content_hash = Set(Some(hash.clone()));
    a.published_at = Set(Some(now));
    a.response_due = Set(Some(today(state) + Duration::days(RESPONSE_DAYS)));
    a.updated_at = Set(now);
    save(
        state,
        actor,
        txn,
        a,
        "EVALUATION_PUBLISHED",
        json!({ "hash": hash }),
    )
    .await
}

/// Starts a correction of a published evaluation (its NGO's reviewers): a new
/// `DRAFT` revision with the same content, saying what it changes.
pub async fn revise(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    change: &str,
) -> AppResult<EvaluationView> {
    let change = note("changeNote", change)?;
    let txn = super::write::begin(state).await?;
    let (row, status) = own(&*txn, actor, id).await?;
    require_accredited(state, &*txn, row.ngo_id).await?;
    if status != EvaluationStatus::Published {
        return Err(AppError::Conflict(
            "only a published evaluation is revised".into(),
        ));
    }
    let open = ev::Entity::find()
        .filter(ev::Column::SupersedesId.eq(id))
        .filter(ev::Column::Status.is_in([
            EvaluationStatus::Draft.as_str(),
            EvaluationStatus::Submitted.as_str(),
            EvaluationStatus::Returned.as_str(),
        ]))
        .count(&*txn)
        .await?;
    if open > 0 {
        return Err(AppError::Conflict(
            "a revision of it is open already".into(),
        ));
    }
    let now = state.clock.now();
    let new_id = super::new_id();
    let mut a: ev::ActiveModel = row.clone().into();
    a.id = Set(new_id);
    a.status = Set(EvaluationStatus::Draft.as_str().into());
    a.revision = Set(row.revision + 1);
    a.supersedes_id = Set(Some(id));
    a.change_note = Set(Some(change.clone()));
    a.score = Set(None);
    a.score_100 = Set(None);
    a.return_comment = Set(None);
    a.content_hash = Set(None);
    a.submitted_at = Set(None);
    a.published_at = Set(None);
    a.response_due = Set(None);
    a.response = Set(None);
    a.responded_at = Set(None);
    a.created_by = Set(actor.user_id());
    a.created_at = Set(now);
    a.updated_at = Set(now);
    let row = ev::Entity::insert(a).exec_with_returning(&*txn).await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "EVALUATION_REVISED",
            target: Some(("NGO_EVALUATION", new_id)),
            details: json!({ "supersedes": id, "change": change }),
        },
    )
    .await?;
    view(state, row, true)
}

/// A response to write.
#[derive(Debug, Clone)]
pub struct NewResponse {
    /// Its text.
    pub text: LocalizedText,
    /// One answer per recommendation.
    pub recommendations: Vec<RecommendationAnswer>,
}

/// The institution's official response (its managers), once, to a published
/// evaluation: every recommendation answered; a rejection says why; an accepted
/// one may link a live improvement action of the institution.
pub async fn respond(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    r: NewResponse,
) -> AppResult<EvaluationView> {
    let scope = authz::scope(actor, Action::RespondToEvaluations)?;
    let txn = super::write::begin(state).await?;
    let row = ev::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    scope.require(&*txn, row.institution_id).await?;
    let status = EvaluationStatus::parse(&row.status)
        .ok_or_else(|| AppError::internal("stored evaluation: unknown status"))?;
    if status != EvaluationStatus::Published {
        // Drafts are the NGO's: the institution does not know they exist.
        return Err(if status == EvaluationStatus::Withdrawn {
            AppError::Conflict("a withdrawn evaluation takes no response".into())
        } else {
            AppError::NotFound
        });
    }
    if row.response.is_some() {
        return Err(AppError::Conflict(
            "the evaluation was answered already".into(),
        ));
    }
    let content: Content = stored("evaluation", &row.content)?;
    let mut answers = r.recommendations.clone();
    answers.sort_by_key(|a| a.index);
    let indices: Vec<usize> = answers.iter().map(|a| a.index).collect();
    if indices != (0..content.recommendations.len()).collect::<Vec<_>>() {
        return Err(AppError::bad_input(
            "recommendations",
            "answer each recommendation once, by its index",
        ));
    }
    for a in &mut answers {
        a.reason = a
            .reason
            .as_deref()
            .map(|x| note("recommendations.reason", x))
            .transpose()?;
        if a.decision == ResponseDecision::Rejected && a.reason.is_none() {
            return Err(AppError::bad_input(
                "recommendations.reason",
                "a rejection says why",
            ));
        }
        if let Some(action) = a.action_id {
            let live = ia::Entity::find_by_id(action)
                .filter(authz::institution_filter(
                    ia::Column::InstitutionId,
                    row.institution_id,
                    true,
                ))
                .filter(ia::Column::Status.ne(ActionStatus::Cancelled.as_str()))
                .count(&*txn)
                .await?
                > 0;
            if !live {
                return Err(AppError::bad_input(
                    "recommendations.actionId",
                    "must be a live improvement action of the institution",
                ));
            }
        }
    }
    let user = authz::require_user(actor)?;
    let role = if user.has_role(Role::Admin) {
        Role::Admin
    } else {
        Role::InstitutionManager
    };
    let response = Response {
        text: r.text,
        recommendations: answers,
        role: role.as_str().into(),
    };
    // An action that carries a recommendation out names the evaluation among its origins.
    let mut linked: Vec<Uuid> = response
        .recommendations
        .iter()
        .filter_map(|a| a.action_id)
        .collect();
    linked.sort();
    linked.dedup();
    for action in linked {
        let have = origin::Entity::find()
            .filter(origin::Column::ActionId.eq(action))
            .filter(origin::Column::OriginKind.eq(OriginKind::NgoEvaluation.as_str()))
            .filter(origin::Column::OriginId.eq(id))
            .count(&*txn)
            .await?;
        if have == 0 {
            origin::ActiveModel {
                action_id: Set(action),
                origin_kind: Set(OriginKind::NgoEvaluation.as_str().into()),
                origin_id: Set(id),
            }
            .insert(&*txn)
            .await?;
        }
    }
    let now = state.clock.now();
    let in_time = row.response_due.is_none_or(|d| today(state) <= d);
    let mut a: ev::ActiveModel = row.into();
    a.response = Set(Some(json!(response)));
    a.responded_at = Set(Some(now));
    a.updated_at = Set(now);
    save(
        state,
        actor,
        txn,
        a,
        "EVALUATION_RESPONDED",
        json!({ "inTime": in_time }),
    )
    .await
}

/// Filters of [`list`].
#[derive(Debug, Clone, Default)]
pub struct EvaluationFilter {
    /// Of this institution.
    pub institution_id: Option<Uuid>,
    /// With everything below it.
    pub with_subtree: bool,
    /// By this NGO.
    pub ngo_id: Option<Uuid>,
    /// In this status.
    pub status: Option<EvaluationStatus>,
    /// Of a period starting on or after this day.
    pub period_start: Option<NaiveDate>,
}

/// What the caller may read: published evaluations for everyone; every one for
/// SUPERVISOR and ADMIN; their own NGO's for its reviewers.
fn readable(actor: &Actor) -> (Condition, Option<Uuid>, bool) {
    if overseer(actor) {
        return (Condition::all(), None, true);
    }
    let own = reviewer_ngo(actor).ok();
    let mut c = Condition::any().add(ev::Column::Status.eq(EvaluationStatus::Published.as_str()));
    if let Some(n) = own {
        c = c.add(ev::Column::NgoId.eq(n));
    }
    (c, own, false)
}

/// Evaluations the caller may read, oldest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    f: EvaluationFilter,
    page: PageRequest,
) -> AppResult<Page<EvaluationView>> {
    let (cond, own, all) = readable(actor);
    let mut q = ev::Entity::find().filter(cond);
    if let Some(id) = f.institution_id {
        q = q.filter(authz::institution_filter(
            ev::Column::InstitutionId,
            id,
            f.with_subtree,
        ));
    }
    if let Some(n) = f.ngo_id {
        q = q.filter(ev::Column::NgoId.eq(n));
    }
    if let Some(s) = f.status {
        q = q.filter(ev::Column::Status.eq(s.as_str()));
    }
    if let Some(d) = f.period_start {
        q = q.filter(ev::Column::PeriodStart.gte(d));
    }
    let page = super::fetch_page(state.db.conn(), q, ev::Column::Id, page).await?;
    let items = page
        .items
        .into_iter()
        .map(|r| {
            let insider = all || Some(r.ngo_id) == own;
            view(state, r, insider)
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(Page {
        items,
        has_next: page.has_next,
        has_previous: page.has_previous,
    })
}

/// One evaluation the caller may read.
pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<EvaluationView> {
    let (cond, own, all) = readable(actor);
    let row = ev::Entity::find_by_id(id)
        .filter(cond)
        .one(state.db.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    let insider = all || Some(row.ngo_id) == own;
    view(state, row, insider)
}

/// The published evaluations of a report's scope whose period overlaps
/// `from`–`to`, to show beside the citizens' own figures: an institution's (and
/// those below it), a service's (those of its institution that cover it or the
/// institution as a whole), a point's (those that visited it), the country's.
pub async fn published_for(
    state: &AppState,
    scope: &crate::services::reports::ReportScope,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<EvaluationView>> {
    use crate::services::reports::ReportScope;
    let conn = state.db.conn();
    let mut q = ev::Entity::find()
        .filter(ev::Column::Status.eq(EvaluationStatus::Published.as_str()))
        .filter(ev::Column::PeriodStart.lte(to))
        .filter(ev::Column::PeriodEnd.gte(from));
    let keep: Box<dyn Fn(&ev::Model) -> bool + Send> = match scope {
        ReportScope::Country => Box::new(|_| true),
        ReportScope::Institution {
            id,
            include_sub_institutions,
        } => {
            q = q.filter(authz::institution_filter(
                ev::Column::InstitutionId,
                *id,
                *include_sub_institutions,
            ));
            Box::new(|_| true)
        }
        ReportScope::Service(sid) => {
            let Some(svc) = service::Entity::find_by_id(*sid).one(conn).await? else {
                return Ok(vec![]);
            };
            q = q.filter(ev::Column::InstitutionId.eq(svc.institution_id));
            let sid = sid.to_string();
            Box::new(move |r: &ev::Model| {
                r.service_ids
                    .as_array()
                    .is_none_or(|a| a.is_empty() || a.iter().any(|x| x.as_str() == Some(&sid)))
            })
        }
        ReportScope::ServicePoint(pid) => {
            let pid = pid.to_string();
            Box::new(move |r: &ev::Model| {
                r.service_point_ids
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(&pid)))
            })
        }
        _ => return Ok(vec![]),
    };
    q.all(conn)
        .await?
        .into_iter()
        .filter(|r| keep(r))
        .map(|r| view(state, r, false))
        .collect()
}

/// An NGO's verification of an improvement action, as read.
#[derive(Debug, Clone)]
pub struct VerificationView {
    /// Id.
    pub id: Uuid,
    /// The NGO.
    pub ngo_id: Uuid,
    /// Whether the NGO found it done.
    pub confirmed: bool,
    /// What it rests on.
    pub evidence: String,
    /// Evidence links.
    pub links: Vec<String>,
    /// The day of the visit.
    pub visited_on: NaiveDate,
    /// When it was recorded.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<nav::Model> for VerificationView {
    fn from(m: nav::Model) -> Self {
        VerificationView {
            id: m.id,
            ngo_id: m.ngo_id,
            confirmed: m.confirmed,
            evidence: m.evidence,
            links: m
                .links
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            visited_on: m.visited_on,
            created_at: m.created_at,
        }
    }
}

/// An NGO's verification of an improvement action.
#[derive(Debug, Clone)]
pub struct NewVerification {
    /// Whether the NGO found it done.
    pub confirmed: bool,
    /// What it rests on (1–4,000 characters).
    pub evidence: String,
    /// Evidence links (https).
    pub links: Vec<String>,
    /// The day of the visit (not in the future).
    pub visited_on: NaiveDate,
}

/// Records the caller's NGO's verification of a completed (or verified)
/// improvement action of any institution: once per NGO; it never changes the
/// action's status. A reviewer of an NGO that may evaluate today.
pub async fn verify_action(
    state: &AppState,
    actor: &Actor,
    action_id: Uuid,
    v: NewVerification,
) -> AppResult<VerificationView> {
    let ngo_id = reviewer_ngo(actor)?;
    let evidence = crate::domain::text::free_text("evidence", &v.evidence, domain::TEXT_MAX)?;
    if evidence.is_empty() {
        return Err(AppError::bad_input(
            "evidence",
            "say what the verification rests on",
        ));
    }
    if v.links.len() > domain::ITEMS_MAX {
        return Err(AppError::bad_input("links", "at most 50"));
    }
    let links = v
        .links
        .iter()
        .map(|l| crate::domain::text::https_link("links", l))
        .collect::<Result<Vec<_>, _>>()?;
    if v.visited_on > today(state) {
        return Err(AppError::bad_input(
            "visitedOn",
            "must not be in the future",
        ));
    }
    let now = state.clock.now();
    let txn = super::write::begin(state).await?;
    require_accredited(state, &*txn, ngo_id).await?;
    let action = ia::Entity::find_by_id(action_id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let done = [
        ActionStatus::Completed.as_str(),
        ActionStatus::Verified.as_str(),
    ];
    if !done.contains(&action.status.as_str()) {
        return Err(AppError::Conflict(format!(
            "a {} action has no completion to verify",
            action.status
        )));
    }
    let twice = nav::Entity::find()
        .filter(nav::Column::ActionId.eq(action_id))
        .filter(nav::Column::NgoId.eq(ngo_id))
        .count(&*txn)
        .await?
        > 0;
    if twice {
        return Err(AppError::Conflict(
            "the NGO verified this action already".into(),
        ));
    }
    let id = super::new_id();
    let row = nav::ActiveModel {
        id: Set(id),
        action_id: Set(action_id),
        ngo_id: Set(ngo_id),
        confirmed: Set(v.confirmed),
        evidence: Set(evidence),
        links: Set(json!(links)),
        visited_on: Set(v.visited_on),
        created_by: Set(actor.user_id()),
        created_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "NGO_ACTION_VERIFIED",
            target: Some(("IMPROVEMENT_ACTION", action_id)),
            details: json!({ "ngoId": ngo_id, "confirmed": v.confirmed }),
        },
    )
    .await?;
    Ok(row.into())
}

/// The NGO verifications of an action (public, like the action from `PLANNED` on).
pub async fn verifications_of(
    state: &AppState,
    action_id: Uuid,
) -> AppResult<Vec<VerificationView>> {
    use sea_orm::QueryOrder;
    Ok(nav::Entity::find()
        .filter(nav::Column::ActionId.eq(action_id))
        .order_by_asc(nav::Column::Id)
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}
