//! Indicator frameworks and institution scorecards: citizens' satisfaction counted
//! in the performance indicators of state institutions.
//!
//! Who: a SUPERVISOR drafts and publishes framework versions, computes a period's
//! scorecards and publishes them. Publishing a quarterly, half-year or yearly
//! conclusion recomputes that period's draft scorecards under the newest
//! published framework. Everyone reads published frameworks and scorecards;
//! drafts are for supervisors, admins and the institution's own users.
//!
//! Threats: an institution cannot move its own score (nothing here takes its
//! input: satisfaction and coverage come from its published conclusion, the rest
//! from dated records counted by the system); a published framework and a
//! published scorecard never change (a new framework version makes new
//! scorecards beside them); a public scorecard never rests on a suppressed cell
//! (the satisfaction minimum is at least the publication threshold).

use crate::auth::Actor;
use crate::auth::secrets::sha256_hex;
use crate::authz::{self, Action};
use crate::domain::LocalizedText;
use crate::domain::figures::Snapshot;
use crate::domain::period::{Period, PeriodKind};
use crate::domain::scorecard::{
    self as domain, Card, Component, FrameworkStatus, Measured, ScorecardStatus, Spec,
};
use crate::domain::survey::Driver;
use crate::domain::vocab::{
    ActionStatus, ConclusionStatus, EvaluationStatus, FigureOrigin, FindingState, ScopeKind,
    SuggestionStatus,
};
use crate::error::{AppError, AppResult};
use crate::services::audit::Event;
use crate::services::write::ConflictOnUnique;
use crate::state::AppState;
use chrono::NaiveDate;
use entity::{
    conclusion, finding, improvement_action as ia, indicator_framework as fw, institution,
    institution_closure, ngo_evaluation, scorecard, suggestion,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// The most scorecards one query returns (narrow the filter for more).
pub const LIST_LIMIT: u64 = 1_000;

/// A framework version as stored.
#[derive(Debug, Clone)]
pub struct FrameworkView {
    /// The row.
    pub row: fw::Model,
    /// Its status.
    pub status: FrameworkStatus,
    /// Its components and coverage target.
    pub spec: Spec,
}

fn framework_view(row: fw::Model) -> AppResult<FrameworkView> {
    let status = FrameworkStatus::parse(&row.status)
        .ok_or_else(|| AppError::internal("stored framework: unknown status"))?;
    let spec: Spec = serde_json::from_value(row.spec.clone())
        .map_err(|e| AppError::internal(format!("stored framework: {e}")))?;
    Ok(FrameworkView { row, status, spec })
}

/// A new framework version.
#[derive(Debug, Clone)]
pub struct NewFramework {
    /// The framework's key (a new key starts at version 1).
    pub key: String,
    /// Name.
    pub name: LocalizedText,
    /// What it weighs and why.
    pub description: LocalizedText,
    /// Components and coverage target.
    pub spec: Spec,
}

fn sees_drafts(actor: &Actor) -> bool {
    authz::require_global(actor, Action::ReadAuditLog).is_ok()
}

/// Drafts the next version of a framework (a SUPERVISOR). `CONFLICT` while a
/// draft of that framework is open.
pub async fn draft_framework(
    state: &AppState,
    actor: &Actor,
    f: NewFramework,
) -> AppResult<FrameworkView> {
    authz::require_global(actor, Action::ManageScorecards)?;
    let key = f.key.trim().to_owned();
    if key.is_empty()
        || key.len() > 40
        || !key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(AppError::bad_input("key", "1-40 of a-z, 0-9 and _"));
    }
    f.spec.check()?;
    let now = state.clock.now();
    let txn = super::write::begin(state).await?;
    let versions = fw::Entity::find()
        .filter(fw::Column::Key.eq(key.clone()))
        .order_by_desc(fw::Column::Version)
        .all(&*txn)
        .await?;
    if versions
        .iter()
        .any(|v| v.status == FrameworkStatus::Draft.as_str())
    {
        return Err(AppError::Conflict(
            "that framework has an open draft: publish it first".into(),
        ));
    }
    let version = versions.first().map_or(1, |v| v.version + 1);
    let id = super::new_id();
    let row = fw::ActiveModel {
        id: Set(id),
        key: Set(key.clone()),
        version: Set(version),
        name: Set(f.name.to_json()),
        description: Set(f.description.to_json()),
        spec: Set(json!(f.spec)),
        status: Set(FrameworkStatus::Draft.as_str().into()),
        published_at: Set(None),
        created_by: Set(actor.user_id()),
        created_at: Set(now),
    }
    .insert(&*txn)
    .await
    .conflict_on_unique("that version exists")?;
    txn.finish(
        actor,
        now,
        Event {
            action: "FRAMEWORK_DRAFTED",
            target: Some(("INDICATOR_FRAMEWORK", id)),
            details: json!({ "key": key, "version": version }),
        },
    )
    .await?;
    framework_view(row)
}

/// Publishes a framework draft (a SUPERVISOR): from then on it never changes.
pub async fn publish_framework(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
) -> AppResult<FrameworkView> {
    authz::require_global(actor, Action::ManageScorecards)?;
    let now = state.clock.now();
    let txn = super::write::begin(state).await?;
    let row = fw::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.status != FrameworkStatus::Draft.as_str() {
        return Err(AppError::Conflict(
            "a published framework never changes: draft a new version".into(),
        ));
    }
    let mut a: fw::ActiveModel = row.into();
    a.status = Set(FrameworkStatus::Published.as_str().into());
    a.published_at = Set(Some(now));
    let row = a.update(&*txn).await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "FRAMEWORK_PUBLISHED",
            target: Some(("INDICATOR_FRAMEWORK", id)),
            details: json!({ "key": row.key, "version": row.version }),
        },
    )
    .await?;
    framework_view(row)
}

/// Frameworks: published versions for everyone; drafts too for ADMIN and SUPERVISOR.
pub async fn frameworks(state: &AppState, actor: &Actor) -> AppResult<Vec<FrameworkView>> {
    let mut q = fw::Entity::find();
    if !sees_drafts(actor) {
        q = q.filter(fw::Column::Status.eq(FrameworkStatus::Published.as_str()));
    }
    q.order_by_asc(fw::Column::Key)
        .order_by_asc(fw::Column::Version)
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(framework_view)
        .collect()
}

/// One framework version, as [`frameworks`] would show it.
pub async fn framework(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<FrameworkView> {
    let row = fw::Entity::find_by_id(id)
        .one(state.db.conn())
        .await?
        .filter(|r| r.status == FrameworkStatus::Published.as_str() || sees_drafts(actor))
        .ok_or(AppError::NotFound)?;
    framework_view(row)
}

/// A scorecard as stored, with its framework's key and version.
#[derive(Debug, Clone)]
pub struct ScorecardView {
    /// The row.
    pub row: scorecard::Model,
    /// Draft or published.
    pub status: ScorecardStatus,
    /// Its period.
    pub period: Period,
    /// Lines and total.
    pub card: Card,
    /// The framework's key.
    pub framework_key: String,
    /// The framework's version.
    pub framework_version: i32,
}

fn scorecard_view(row: scorecard::Model, f: &fw::Model) -> AppResult<ScorecardView> {
    let bad = |what: &str| AppError::internal(format!("stored scorecard: {what}"));
    let kind = PeriodKind::parse(&row.period_kind).ok_or_else(|| bad("period kind"))?;
    Ok(ScorecardView {
        status: ScorecardStatus::parse(&row.status).ok_or_else(|| bad("status"))?,
        period: Period::calendar(kind, row.period_start)?,
        card: serde_json::from_value(row.content.clone()).map_err(|e| bad(&e.to_string()))?,
        framework_key: f.key.clone(),
        framework_version: f.version,
        row,
    })
}

/// The scorecard period of `kind` starting on `start`: quarters, half-years and years.
fn scorecard_period(kind: PeriodKind, start: NaiveDate) -> AppResult<Period> {
    if kind == PeriodKind::Month {
        return Err(AppError::bad_input(
            "periodKind",
            "scorecards are quarterly, half-yearly or yearly",
        ));
    }
    Ok(Period::calendar(kind, start)?)
}

/// Computes (or brings up to date) the draft scorecards of a period under a
/// framework (a SUPERVISOR): one per institution with a published conclusion of
/// the period. `CONFLICT` once that period's scorecards under that framework are
/// published — a new framework version computes new ones.
pub async fn compute(
    state: &AppState,
    actor: &Actor,
    kind: PeriodKind,
    start: NaiveDate,
    framework_id: Uuid,
) -> AppResult<Vec<ScorecardView>> {
    authz::require_global(actor, Action::ManageScorecards)?;
    let period = scorecard_period(kind, start)?;
    compute_unchecked(state, actor, period, framework_id).await
}

/// The newest published conclusion of each institution for `period`.
async fn conclusions_of(
    conn: &impl ConnectionTrait,
    period: &Period,
) -> AppResult<BTreeMap<Uuid, conclusion::Model>> {
    let kind = period.kind.map(PeriodKind::as_str).unwrap_or_default();
    let rows = conclusion::Entity::find()
        .filter(conclusion::Column::ScopeKind.eq(ScopeKind::Institution.as_str()))
        .filter(conclusion::Column::Status.eq(ConclusionStatus::Published.as_str()))
        .filter(conclusion::Column::PeriodKind.eq(kind))
        .filter(conclusion::Column::PeriodStart.eq(period.start))
        .order_by_asc(conclusion::Column::Revision)
        .all(conn)
        .await?;
    // Ascending revisions: the newest wins.
    Ok(rows.into_iter().map(|c| (c.scope_id, c)).collect())
}

async fn compute_unchecked(
    state: &AppState,
    actor: &Actor,
    period: Period,
    framework_id: Uuid,
) -> AppResult<Vec<ScorecardView>> {
    let conn = state.db.conn();
    let kind = period.kind.map(PeriodKind::as_str).unwrap_or_default();
    let framework = fw::Entity::find_by_id(framework_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let spec = framework_view(framework.clone())?.spec;
    let conclusions = conclusions_of(conn, &period).await?;
    let institutions: HashMap<Uuid, institution::Model> = institution::Entity::find()
        .filter(institution::Column::Id.is_in(conclusions.keys().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let mut computed = vec![];
    for (id, c) in &conclusions {
        let Some(inst) = institutions.get(id) else {
            continue;
        };
        let snapshot: Snapshot = serde_json::from_value(c.content.clone())
            .map_err(|e| AppError::internal(format!("stored conclusion: {e}")))?;
        let measured = measure(state, *id, &period, &snapshot, &spec).await?;
        let card = domain::score(&for_snapshot(&spec, &snapshot), &measured);
        computed.push((inst.clone(), c.id, card));
    }
    // Ranks among peers of the same kind.
    let mut by_kind: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (inst, ..)) in computed.iter().enumerate() {
        by_kind.entry(inst.kind.clone()).or_default().push(i);
    }
    let mut ranks: Vec<Option<u32>> = vec![None; computed.len()];
    let mut peers: Vec<i32> = vec![0; computed.len()];
    for members in by_kind.values() {
        let totals: Vec<Option<f64>> = members
            .iter()
            .map(|i| {
                let card = &computed[*i].2;
                card.total.filter(|_| card.rankable)
            })
            .collect();
        for (i, r) in members.iter().zip(domain::ranks(&totals)) {
            ranks[*i] = r;
            peers[*i] = i32::try_from(members.len()).unwrap_or(i32::MAX);
        }
    }
    let now = state.clock.now();
    let txn = super::write::begin(state).await?;
    let published = scorecard::Entity::find()
        .filter(scorecard::Column::FrameworkId.eq(framework_id))
        .filter(scorecard::Column::PeriodKind.eq(kind))
        .filter(scorecard::Column::PeriodStart.eq(period.start))
        .filter(scorecard::Column::Status.eq(ScorecardStatus::Published.as_str()))
        .one(&*txn)
        .await?;
    if published.is_some() {
        return Err(AppError::Conflict(
            "this period's scorecards under this framework are published and never change: \
             draft a new framework version"
                .into(),
        ));
    }
    scorecard::Entity::delete_many()
        .filter(scorecard::Column::FrameworkId.eq(framework_id))
        .filter(scorecard::Column::PeriodKind.eq(kind))
        .filter(scorecard::Column::PeriodStart.eq(period.start))
        .exec(&*txn)
        .await?;
    let mut out = vec![];
    for (i, (inst, conclusion_id, card)) in computed.into_iter().enumerate() {
        let row = scorecard::ActiveModel {
            id: Set(super::new_id()),
            institution_id: Set(inst.id),
            institution_kind: Set(inst.kind.clone()),
            framework_id: Set(framework_id),
            period_kind: Set(kind.to_owned()),
            period_start: Set(period.start),
            period_end: Set(period.end),
            conclusion_id: Set(conclusion_id),
            status: Set(ScorecardStatus::Draft.as_str().into()),
            content: Set(json!(card)),
            total: Set(card.total),
            rankable: Set(card.rankable),
            rank: Set(ranks[i].map(|r| i32::try_from(r).unwrap_or(i32::MAX))),
            peers: Set(peers[i]),
            content_hash: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            published_at: Set(None),
            published_by: Set(None),
        }
        .insert(&*txn)
        .await?;
        out.push(scorecard_view(row, &framework)?);
    }
    txn.finish(
        actor,
        now,
        Event {
            action: "SCORECARDS_COMPUTED",
            target: Some(("INDICATOR_FRAMEWORK", framework_id)),
            details: json!({ "period": period.label(), "periodKind": kind, "scorecards": out.len() }),
        },
    )
    .await?;
    sort_by_rank(&mut out);
    Ok(out)
}

/// The framework as applied to one conclusion: `SATISFACTION` never rests on
/// fewer answers than the conclusion's publication threshold.
fn for_snapshot(spec: &Spec, s: &Snapshot) -> Spec {
    let mut spec = spec.clone();
    for c in &mut spec.components {
        if c.component == Component::Satisfaction {
            c.minimum = c.minimum.max(s.suppression_threshold);
        }
    }
    spec
}

/// Everything below `id` (itself included).
async fn subtree(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<Vec<Uuid>> {
    Ok(institution_closure::Entity::find()
        .select_only()
        .column(institution_closure::Column::DescendantId)
        .filter(institution_closure::Column::AncestorId.eq(id))
        .into_tuple()
        .all(conn)
        .await?)
}

/// What the data says about each component, for an institution (with its
/// subtree, as its conclusion) in a period.
async fn measure(
    state: &AppState,
    id: Uuid,
    period: &Period,
    s: &Snapshot,
    spec: &Spec,
) -> AppResult<Vec<Measured>> {
    let conn = state.db.conn();
    let tree = subtree(conn, id).await?;
    // Satisfaction: the figure a conclusion's findings use.
    let origin = if s.headline_provenances.is_some() {
        FigureOrigin::Headline
    } else {
        FigureOrigin::Combined
    };
    let skm = s
        .skm
        .iter()
        .find(|f| f.origin == origin)
        .and_then(|f| Some((f.skm?.index, f.n?)));
    let top_box = [Driver::Trust, Driver::Overall, Driver::Satisfaction]
        .iter()
        .find_map(|d| {
            s.drivers
                .iter()
                .find(|x| x.driver == *d)?
                .figures
                .iter()
                .find(|f| f.origin == origin)?
                .top_box
                .map(|t| (t.k, t.n))
        });
    // Improvement: actions due in the period, findings whose 60 days ended in it.
    let actions = ia::Entity::find()
        .filter(ia::Column::InstitutionId.is_in(tree.clone()))
        .filter(ia::Column::DueDate.between(period.start, period.end))
        .filter(ia::Column::Status.is_not_in([
            ActionStatus::Proposed.as_str(),
            ActionStatus::Cancelled.as_str(),
        ]))
        .all(conn)
        .await?;
    let on_time = actions
        .iter()
        .filter(|a| a.completed_on.is_some_and(|d| d <= a.due_date))
        .count() as u64;
    let tz = state.config.timezone;
    let local = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).date_naive();
    let findings: Vec<finding::Model> = finding::Entity::find()
        .filter(finding::Column::InstitutionId.is_in(tree.clone()))
        .filter(finding::Column::PublishedAt.is_not_null())
        .filter(finding::Column::OpenLimitAt.is_not_null())
        .all(conn)
        .await?
        .into_iter()
        .filter(|f| {
            f.open_limit_at
                .is_some_and(|t| (period.start..=period.end).contains(&local(t)))
        })
        .collect();
    let not_left_open = findings
        .iter()
        .filter(|f| {
            f.state != FindingState::Open.as_str()
                && f.state_changed_at
                    .zip(f.open_limit_at)
                    .is_some_and(|(changed, limit)| changed <= limit)
        })
        .count() as u64;
    // Responsiveness: suggestions whose answer deadline fell in the period.
    let due: Vec<Option<bool>> = suggestion::Entity::find()
        .select_only()
        .column(suggestion::Column::AnsweredInTime)
        .filter(suggestion::Column::InstitutionId.is_in(tree))
        .filter(suggestion::Column::AnswerDue.between(period.start, period.end))
        .filter(suggestion::Column::Status.ne(SuggestionStatus::Referred.as_str()))
        .into_tuple()
        .all(conn)
        .await?;
    let in_time = due.iter().filter(|a| **a == Some(true)).count() as u64;
    // Independent evaluation: the latest published one of a period begun by the end.
    let evaluation = ngo_evaluation::Entity::find()
        .filter(ngo_evaluation::Column::InstitutionId.eq(id))
        .filter(ngo_evaluation::Column::Status.eq(EvaluationStatus::Published.as_str()))
        .filter(ngo_evaluation::Column::PeriodStart.lte(period.end))
        .filter(ngo_evaluation::Column::Score100.is_not_null())
        .order_by_desc(ngo_evaluation::Column::PeriodEnd)
        .order_by_desc(ngo_evaluation::Column::PublishedAt)
        .one(conn)
        .await?;
    Ok(vec![
        domain::satisfaction(skm, top_box),
        domain::coverage(s.counts.responded, s.counts.invited, spec.coverage_target),
        domain::improvement(
            actions.len() as u64,
            on_time,
            findings.len() as u64,
            not_left_open,
        ),
        domain::responsiveness(due.len() as u64, in_time),
        domain::independent_evaluation(evaluation.and_then(|e| e.score_100)),
    ])
}

/// Best rank first; the unranked after, by total.
fn sort_by_rank(v: &mut [ScorecardView]) {
    v.sort_by(|a, b| {
        let key = |s: &ScorecardView| {
            (
                s.row.period_start,
                s.row.institution_kind.clone(),
                s.row.rank.unwrap_or(i32::MAX),
                -(s.row.total.unwrap_or(-1.0) * 100.0).round() as i64,
                s.row.institution_id,
            )
        };
        key(b)
            .0
            .cmp(&key(a).0)
            .then_with(|| key(a).1.cmp(&key(b).1))
            .then_with(|| key(a).2.cmp(&key(b).2))
            .then_with(|| key(a).3.cmp(&key(b).3))
            .then_with(|| key(a).4.cmp(&key(b).4))
    });
}

/// The SHA-256 a published scorecard carries: over which institution, period and
/// framework version it is, the conclusion it read, its lines, total and rank.
fn hash_of(row: &scorecard::Model, f: &fw::Model, conclusion_hash: &str) -> String {
    sha256_hex(
        &json!({
            "institutionId": row.institution_id,
            "institutionKind": row.institution_kind,
            "periodKind": row.period_kind,
            "periodStart": row.period_start,
            "periodEnd": row.period_end,
            "frameworkId": row.framework_id,
            "frameworkKey": f.key,
            "frameworkVersion": f.version,
            "conclusionId": row.conclusion_id,
            "conclusionHash": conclusion_hash,
            "content": row.content,
            "rank": row.rank,
            "peers": row.peers,
        })
        .to_string(),
    )
}

/// Recomputes and publishes a period's scorecards under a published framework (a
/// SUPERVISOR): they are frozen and hashed, and never change again.
pub async fn publish(
    state: &AppState,
    actor: &Actor,
    kind: PeriodKind,
    start: NaiveDate,
    framework_id: Uuid,
) -> AppResult<Vec<ScorecardView>> {
    authz::require_global(actor, Action::ManageScorecards)?;
    let period = scorecard_period(kind, start)?;
    let framework = fw::Entity::find_by_id(framework_id)
        .one(state.db.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    if framework.status != FrameworkStatus::Published.as_str() {
        return Err(AppError::Conflict(
            "publish the framework before its scorecards".into(),
        ));
    }
    let drafts = compute_unchecked(state, actor, period, framework_id).await?;
    if drafts.is_empty() {
        return Err(AppError::Conflict(
            "no institution has a published conclusion for this period".into(),
        ));
    }
    let now = state.clock.now();
    let txn = super::write::begin(state).await?;
    let hashes: HashMap<Uuid, String> = conclusion::Entity::find()
        .filter(conclusion::Column::Id.is_in(drafts.iter().map(|d| d.row.conclusion_id)))
        .all(&*txn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.content_hash))
        .collect();
    let mut out = vec![];
    for d in drafts {
        let hash = hash_of(
            &d.row,
            &framework,
            hashes.get(&d.row.conclusion_id).map_or("", String::as_str),
        );
        let mut a: scorecard::ActiveModel = d.row.into();
        a.status = Set(ScorecardStatus::Published.as_str().into());
        a.content_hash = Set(Some(hash));
        a.published_at = Set(Some(now));
        a.published_by = Set(actor.user_id());
        a.updated_at = Set(now);
        let row = a.update(&*txn).await?;
        out.push(scorecard_view(row, &framework)?);
    }
    txn.finish(
        actor,
        now,
        Event {
            action: "SCORECARDS_PUBLISHED",
            target: Some(("INDICATOR_FRAMEWORK", framework_id)),
            details: json!({ "period": period.label(), "periodKind": kind.as_str(), "scorecards": out.len() }),
        },
    )
    .await?;
    sort_by_rank(&mut out);
    Ok(out)
}

/// After a conclusion of `period` is published: its draft scorecards under the
/// newest published framework, recomputed (nothing when they are published).
pub async fn after_conclusion_published(state: &AppState, period: Period) -> AppResult<()> {
    if period.kind.is_none_or(|k| k == PeriodKind::Month) {
        return Ok(());
    }
    let Some(framework) = fw::Entity::find()
        .filter(fw::Column::Status.eq(FrameworkStatus::Published.as_str()))
        .order_by_desc(fw::Column::PublishedAt)
        .one(state.db.conn())
        .await?
    else {
        return Ok(());
    };
    let sys = Actor::system("sanal scorecards");
    match compute_unchecked(state, &sys, period, framework.id).await {
        Ok(_) | Err(AppError::Conflict(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Which scorecards to list.
#[derive(Debug, Clone, Default)]
pub struct ScorecardFilter {
    /// Of this period kind.
    pub period_kind: Option<PeriodKind>,
    /// Of the period starting on this day.
    pub period_start: Option<NaiveDate>,
    /// Of institutions of this kind.
    pub institution_kind: Option<String>,
    /// Of this institution.
    pub institution_id: Option<Uuid>,
    /// Under this framework version.
    pub framework_id: Option<Uuid>,
    /// Draft or published.
    pub status: Option<ScorecardStatus>,
}

/// Scorecards: published ones for everyone (no account needed); drafts for
/// supervisors and admins, and the institution's own users. Best rank first
/// within each period and institution kind; at most [`LIST_LIMIT`].
pub async fn list(
    state: &AppState,
    actor: &Actor,
    f: ScorecardFilter,
) -> AppResult<Vec<ScorecardView>> {
    let published = scorecard::Column::Status.eq(ScorecardStatus::Published.as_str());
    let visible = match authz::scope(actor, Action::ReadResults) {
        Ok(scope) => sea_orm::Condition::any()
            .add(published)
            .add(scope.condition(scorecard::Column::InstitutionId)),
        Err(_) => sea_orm::Condition::all().add(published),
    };
    let mut q = scorecard::Entity::find().filter(visible);
    if let Some(k) = f.period_kind {
        q = q.filter(scorecard::Column::PeriodKind.eq(k.as_str()));
    }
    if let Some(d) = f.period_start {
        q = q.filter(scorecard::Column::PeriodStart.eq(d));
    }
    if let Some(k) = f.institution_kind {
        q = q.filter(scorecard::Column::InstitutionKind.eq(k));
    }
    if let Some(i) = f.institution_id {
        q = q.filter(scorecard::Column::InstitutionId.eq(i));
    }
    if let Some(i) = f.framework_id {
        q = q.filter(scorecard::Column::FrameworkId.eq(i));
    }
    if let Some(s) = f.status {
        q = q.filter(scorecard::Column::Status.eq(s.as_str()));
    }
    let conn = state.db.conn();
    let rows = q
        .order_by_desc(scorecard::Column::PeriodStart)
        .order_by_asc(scorecard::Column::Id)
        .limit(LIST_LIMIT + 1)
        .all(conn)
        .await?;
    if rows.len() as u64 > LIST_LIMIT {
        return Err(AppError::bad_input(
            "filter",
            "more than 1,000 scorecards: narrow the filter (a period, a framework)",
        ));
    }
    let mut out = views(conn, rows).await?;
    sort_by_rank(&mut out);
    Ok(out)
}

async fn views(
    conn: &impl ConnectionTrait,
    rows: Vec<scorecard::Model>,
) -> AppResult<Vec<ScorecardView>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.framework_id).collect();
    let frameworks: HashMap<Uuid, fw::Model> = fw::Entity::find()
        .filter(fw::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|f| (f.id, f))
        .collect();
    rows.into_iter()
        .map(|r| {
            let f = frameworks
                .get(&r.framework_id)
                .ok_or_else(|| AppError::internal("scorecard without its framework"))?;
            scorecard_view(r, f)
        })
        .collect()
}

/// One scorecard, as [`list`] would show it.
pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<ScorecardView> {
    let conn = state.db.conn();
    let row = scorecard::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.status != ScorecardStatus::Published.as_str() {
        let scope = authz::scope(actor, Action::ReadResults).map_err(|_| AppError::NotFound)?;
        scope
            .require(conn, row.institution_id)
            .await
            .map_err(|_| AppError::NotFound)?;
    }
    views(conn, vec![row])
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// The CSV of scorecards for the government's performance evaluation (RFC 4180,
/// UTF-8): one row per scorecard, each component's status, score and weight.
pub async fn csv(state: &AppState, actor: &Actor, f: ScorecardFilter) -> AppResult<String> {
    let cards = list(state, actor, f).await?;
    let names: HashMap<Uuid, institution::Model> = institution::Entity::find()
        .filter(institution::Column::Id.is_in(cards.iter().map(|c| c.row.institution_id)))
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let mut header: Vec<String> = [
        "period",
        "period_kind",
        "institution_code",
        "institution_name_mn",
        "institution_kind",
        "framework",
        "framework_version",
        "status",
        "rank",
        "peers",
        "total",
    ]
    .map(String::from)
    .to_vec();
    for c in Component::ALL {
        let c = c.as_str().to_lowercase();
        header.extend([
            format!("{c}_status"),
            format!("{c}_score"),
            format!("{c}_weight"),
        ]);
    }
    header.push("content_hash".into());
    let mut out = String::new();
    push_row(&mut out, &header);
    for s in &cards {
        let inst = names.get(&s.row.institution_id);
        let mut row = vec![
            s.period.label(),
            s.row.period_kind.clone(),
            inst.map(|i| i.code.clone()).unwrap_or_default(),
            inst.map(|i| {
                LocalizedText::from_json(&i.name)
                    .get(crate::domain::Locale::Mn)
                    .to_owned()
            })
            .unwrap_or_default(),
            s.row.institution_kind.clone(),
            s.framework_key.clone(),
            s.framework_version.to_string(),
            s.status.as_str().to_owned(),
            s.row.rank.map(|r| r.to_string()).unwrap_or_default(),
            s.row.peers.to_string(),
            s.card.total.map(|t| format!("{t:.2}")).unwrap_or_default(),
        ];
        for c in Component::ALL {
            match s.card.lines.iter().find(|l| l.component == *c) {
                Some(l) => row.extend([
                    l.status.as_str().to_owned(),
                    l.score.map(|v| format!("{v:.2}")).unwrap_or_default(),
                    format!("{}", l.weight),
                ]),
                None => row.extend([String::new(), String::new(), String::new()]),
            }
        }
        row.push(s.row.content_hash.clone().unwrap_or_default());
        push_row(&mut out, &row);
    }
    Ok(out)
}

/// One RFC 4180 record: fields with a comma, quote or line break are quoted.
pub fn push_row(out: &mut String, fields: &[String]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if f.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&f.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(f);
        }
    }
    out.push_str("\r\n");
}
