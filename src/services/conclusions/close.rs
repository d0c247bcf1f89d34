//! Closing periods: on demand (`closePeriod`) and by the hourly job, which catches
//! up on periods missed while the server was down and claims each period once so
//! several instances never double up.

use super::{BeforeAfter, RevisionChanges, hash_of, snapshot_json};
use crate::auth::Actor;
use crate::authz::{self, Action};
use crate::domain::figures::{FindingRules, Found, Snapshot, findings};
use crate::domain::period::{Period, PeriodKind};
use crate::domain::vocab::{ConclusionStatus, FindingState, ScopeKind};
use crate::error::{AppError, AppResult, is_unique_violation};
use crate::services::audit::Event;
use crate::services::reports::{self, ReportScope};
use crate::services::write::ConflictOnUnique;
use crate::state::AppState;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use entity::{
    audit_log, conclusion, conclusion_finding, finding, institution_closure as closure,
    period_closing, service,
};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// When a period's responses are complete: its local end + the national maximum
/// invitation expiry + 1 day. The national limit, not any service's setting: an
/// institution changing its expiry never moves a period's closing.
pub async fn complete_at(state: &AppState, period: &Period) -> AppResult<DateTime<Utc>> {
    let longest = state.config.max_expiry_days;
    let tz = state.config.timezone;
    let after_end = period.end.succ_opt().unwrap_or(period.end);
    let local_midnight = tz
        .from_local_datetime(&after_end.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .ok_or_else(|| AppError::internal("period end not representable"))?;
    local_midnight
        .checked_add_signed(Duration::days(i64::from(longest) + 1))
        .ok_or_else(|| AppError::bad_input("period", "out of range"))
}

/// Scopes with data in a period: every service with rollup rows, and every
/// institution above (or at) an institution with data.
async fn scopes_with_data(
    conn: &impl ConnectionTrait,
    period: &Period,
) -> AppResult<(Vec<Uuid>, Vec<Uuid>)> {
    let backend = conn.get_database_backend();
    let mut services = BTreeSet::new();
    let mut institutions = BTreeSet::new();
    for table in ["rollup_monthly", "rollup_invitations_monthly"] {
        let q = Query::select()
            .distinct()
            .columns([Alias::new("service_id"), Alias::new("institution_id")])
            .from(Alias::new(table))
            .and_where(Expr::col(Alias::new("month")).gte(period.start))
            .and_where(Expr::col(Alias::new("month")).lte(period.end))
            .to_owned();
        for r in conn.query_all_raw(backend.build(&q)).await? {
            services.insert(r.try_get::<Uuid>("", "service_id")?);
            institutions.insert(r.try_get::<Uuid>("", "institution_id")?);
        }
    }
    let ancestors: BTreeSet<Uuid> = closure::Entity::find()
        .filter(closure::Column::DescendantId.is_in(institutions.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.ancestor_id)
        .collect();
    Ok((
        services.into_iter().collect(),
        ancestors.into_iter().collect(),
    ))
}

/// What `closePeriod` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CloseSummary {
    /// New conclusions (first revisions).
    pub created: u32,
    /// Drafts regenerated with new figures.
    pub regenerated: u32,
    /// New revisions of published conclusions after late data.
    pub revised: u32,
    /// Conclusions already up to date.
    pub unchanged: u32,
}

/// Closes a calendar period (ADMIN, SUPERVISOR); idempotent. Refused before the
/// period's responses are complete.
pub async fn close_period(
    state: &AppState,
    actor: &Actor,
    kind: PeriodKind,
    start: NaiveDate,
) -> AppResult<CloseSummary> {
    authz::require_global(actor, Action::CloseAndPublish)?;
    let period = Period::calendar(kind, start)?;
    let ready = complete_at(state, &period).await?;
    if state.clock.now() < ready {
        return Err(AppError::Conflict(format!(
            "{} is complete only from {ready}",
            period.label()
        )));
    }
    close_unchecked(state, period).await
}

/// The conclusion of one scope of a closing period, before it is stored.
struct Draft {
    scope_kind: ScopeKind,
    scope_id: Uuid,
    institution_id: Uuid,
    kind: PeriodKind,
    period: Period,
    content: Snapshot,
    found: Vec<Found>,
}

async fn close_unchecked(state: &AppState, period: Period) -> AppResult<CloseSummary> {
    let kind = period
        .kind
        .ok_or_else(|| AppError::bad_input("period", "only calendar periods are closed"))?;
    let c = &state.config;
    let rules = FindingRules {
        driver_floor: c.finding_driver_floor,
        skm_element_floor: c.finding_skm_element_floor,
        response_rate_floor: c.finding_response_rate_floor,
    };
    let sys = Actor::system("sanal conclusions");
    let (services, institutions) = scopes_with_data(state.db.conn(), &period).await?;
    let scopes = institutions
        .iter()
        .map(|i| {
            let scope = ReportScope::Institution {
                id: *i,
                include_sub_institutions: true,
            };
            (ScopeKind::Institution, *i, scope)
        })
        .chain(
            services
                .iter()
                .map(|s| (ScopeKind::Service, *s, ReportScope::Service(*s))),
        );
    let mut summary = CloseSummary::default();
    for (scope_kind, scope_id, scope) in scopes {
        let report = reports::satisfaction_report(state, &sys, scope, period).await?;
        let content = report.snapshot();
        let found = findings(&content, &rules);
        let institution_id = match scope_kind {
            ScopeKind::Service => service::Entity::find_by_id(scope_id)
                .one(state.db.conn())
                .await?
                .map_or(scope_id, |s| s.institution_id),
            ScopeKind::Institution => scope_id,
        };
        let draft = Draft {
            scope_kind,
            scope_id,
            institution_id,
            kind,
            period,
            content,
            found,
        };
        match upsert_conclusion(state, draft).await? {
            Outcome::Created => summary.created += 1,
            Outcome::Regenerated => summary.regenerated += 1,
            Outcome::Revised => summary.revised += 1,
            Outcome::Unchanged => summary.unchanged += 1,
        }
    }
    super::disclosure::refresh(state, kind, period.start).await?;
    Ok(summary)
}

enum Outcome {
    Created,
    Regenerated,
    Revised,
    Unchanged,
}

/// Stores a closing's conclusion: nothing if its figures are unchanged, a
/// regenerated draft, or a new revision of a published one.
async fn upsert_conclusion(state: &AppState, d: Draft) -> AppResult<Outcome> {
    let now = state.clock.now();
    let content = snapshot_json(&d.content)?;
    let txn = crate::services::write::begin(state).await?;
    let latest = conclusion::Entity::find()
        .filter(conclusion::Column::ScopeKind.eq(d.scope_kind.as_str()))
        .filter(conclusion::Column::ScopeId.eq(d.scope_id))
        .filter(conclusion::Column::PeriodKind.eq(d.kind.as_str()))
        .filter(conclusion::Column::PeriodStart.eq(d.period.start))
        .order_by_desc(conclusion::Column::Revision)
        .one(&*txn)
        .await?;
    let (id, outcome) = match latest {
        Some(c) if c.content == content => return Ok(Outcome::Unchanged),
        Some(c) if c.status == ConclusionStatus::Draft.as_str() => (
            regenerate(&*txn, c, content, now).await?,
            Outcome::Regenerated,
        ),
        Some(published) => {
            let id = new_revision(&*txn, &d, Some(&published), content, now).await?;
            (id, Outcome::Revised)
        }
        None => (
            new_revision(&*txn, &d, None, content, now).await?,
            Outcome::Created,
        ),
    };
    insert_findings(&*txn, &d, id, now).await?;
    let action = match outcome {
        Outcome::Created => "CONCLUSION_CREATED",
        Outcome::Regenerated => "CONCLUSION_REGENERATED",
        _ => "CONCLUSION_REVISED",
    };
    txn.finish(
        &Actor::system("sanal conclusions"),
        now,
        Event {
            action,
            target: Some(("CONCLUSION", id)),
            details: json!({ "scope": d.scope_kind.as_str(), "scopeId": d.scope_id, "period": d.period.label() }),
        },
    )
    .await?;
    Ok(outcome)
}

/// New figures for a draft: it keeps its id (and comment); the list of its
/// findings is redone. A finding no longer listed anywhere goes only if no
/// published conclusion ever listed it (nothing can link to it then).
async fn regenerate(
    conn: &impl ConnectionTrait,
    c: conclusion::Model,
    content: serde_json::Value,
    now: DateTime<Utc>,
) -> AppResult<Uuid> {
    let hash = hash_of(&c, &content, &c.institution_comment);
    let id = c.id;
    let mut row: conclusion::ActiveModel = c.into();
    row.content = Set(content);
    row.content_hash = Set(hash);
    row.updated_at = Set(now);
    row.update(conn).await?;
    conclusion_finding::Entity::delete_many()
        .filter(conclusion_finding::Column::ConclusionId.eq(id))
        .exec(conn)
        .await?;
    let listed = Query::select()
        .column(conclusion_finding::Column::FindingId)
        .from(conclusion_finding::Entity)
        .to_owned();
    finding::Entity::delete_many()
        .filter(finding::Column::ConclusionId.eq(id))
        .filter(finding::Column::PublishedAt.is_null())
        .filter(finding::Column::Id.not_in_subquery(listed))
        .exec(conn)
        .await?;
    // Published ones point back at the latest revision still listing them (this
    // draft lists them again below if it still finds them).
    for f in finding::Entity::find()
        .filter(finding::Column::ConclusionId.eq(id))
        .all(conn)
        .await?
    {
        let members = conclusion_finding::Entity::find()
            .filter(conclusion_finding::Column::FindingId.eq(f.id))
            .all(conn)
            .await?;
        let Some(latest) = conclusion::Entity::find()
            .filter(conclusion::Column::Id.is_in(members.iter().map(|m| m.conclusion_id)))
            .order_by_desc(conclusion::Column::Revision)
            .one(conn)
            .await?
        else {
            continue;
        };
        let Some(member) = members.into_iter().find(|m| m.conclusion_id == latest.id) else {
            continue;
        };
        let mut row: finding::ActiveModel = f.into();
        row.conclusion_id = Set(member.conclusion_id);
        row.detail = Set(member.detail);
        row.update(conn).await?;
    }
    Ok(id)
}

/// A first conclusion, or a new revision of a published one saying what changed.
async fn new_revision(
    conn: &impl ConnectionTrait,
    d: &Draft,
    previous: Option<&conclusion::Model>,
    content: serde_json::Value,
    now: DateTime<Utc>,
) -> AppResult<Uuid> {
    let changes = match previous {
        Some(p) => {
            let before: Snapshot = super::stored("snapshot", p.content.clone())?;
            let supervision = supervision_since(conn, d, p.created_at).await?;
            Some(snapshot_changes(
                p.revision,
                &before,
                &d.content,
                supervision,
            )?)
        }
        None => None,
    };
    let id = Uuid::now_v7();
    let mut row = conclusion::Model {
        id,
        scope_kind: d.scope_kind.as_str().into(),
        scope_id: d.scope_id,
        institution_id: d.institution_id,
        period_kind: d.kind.as_str().into(),
        period_start: d.period.start,
        period_end: d.period.end,
        revision: previous.map_or(1, |p| p.revision + 1),
        status: ConclusionStatus::Draft.as_str().into(),
        content_hash: String::new(),
        content: serde_json::Value::Null,
        institution_comment: None,
        changes,
        created_at: now,
        updated_at: now,
        published_at: None,
        published_by: None,
        public_withheld: None,
    };
    row.content_hash = hash_of(&row, &content, &None);
    row.content = content;
    // Every field is new: all of them are set.
    conclusion::ActiveModel::from(row)
        .reset_all()
        .insert(conn)
        .await
        .conflict_on_unique("this period is being closed by another instance")?;
    Ok(id)
}

/// Audit entries of `actions` about services in this draft's scope and days in its
/// period, made after `since`: (entry, service, day).
async fn supervised_since(
    conn: &impl ConnectionTrait,
    d: &Draft,
    since: DateTime<Utc>,
    actions: &[&str],
) -> AppResult<Vec<(audit_log::Model, Uuid, NaiveDate)>> {
    let entries = audit_log::Entity::find()
        .filter(audit_log::Column::Action.is_in(actions.iter().copied()))
        .filter(audit_log::Column::At.gt(since))
        .order_by_asc(audit_log::Column::At)
        .all(conn)
        .await?;
    let mut out = vec![];
    for e in entries {
        let Some(service_id) = e.target_id else {
            continue;
        };
        let date = e.details["date"]
            .as_str()
            .and_then(|s| s.parse::<NaiveDate>().ok());
        let Some(date) = date.filter(|d_| *d_ >= d.period.start && *d_ <= d.period.end) else {
            continue;
        };
        let in_scope = match d.scope_kind {
            ScopeKind::Service => service_id == d.scope_id,
            ScopeKind::Institution => {
                match service::Entity::find_by_id(service_id).one(conn).await? {
                    Some(svc) => closure::Entity::find_by_id((d.scope_id, svc.institution_id))
                        .one(conn)
                        .await?
                        .is_some(),
                    None => false,
                }
            }
        };
        if in_scope {
            out.push((e, service_id, date));
        }
    }
    Ok(out)
}

/// What supervisors changed in this draft's period and scope after `since` (read
/// from the audit log, where each change is recorded with its reason): corrections
/// of delivered counts, and quarantines and releases of cells.
async fn supervision_since(
    conn: &impl ConnectionTrait,
    d: &Draft,
    since: DateTime<Utc>,
) -> AppResult<(Vec<super::Correction>, Vec<super::QuarantineChange>)> {
    let actions = [
        "DELIVERED_COUNT_CORRECTED",
        "CELL_QUARANTINED",
        "CELL_RELEASED",
    ];
    let (mut corrections, mut quarantines) = (vec![], vec![]);
    for (e, service_id, date) in supervised_since(conn, d, since, &actions).await? {
        let reason = e.details["reason"].as_str().unwrap_or_default().to_owned();
        if e.action == "DELIVERED_COUNT_CORRECTED" {
            corrections.push(super::Correction {
                date,
                service_id,
                service_point_id: e.details["servicePointId"]
                    .as_str()
                    .and_then(|s| s.parse().ok()),
                before: e.details["previous"].as_i64(),
                after: e.details["count"].as_i64(),
                reason,
                by: e.actor_label,
                at: e.at,
            });
        } else {
            quarantines.push(super::QuarantineChange {
                action: e.action,
                date,
                service_id,
                reason,
                by: e.actor_label,
                at: e.at,
            });
        }
    }
    Ok((corrections, quarantines))
}

fn snapshot_changes(
    from_revision: i32,
    before: &Snapshot,
    after: &Snapshot,
    (corrections, quarantines): (Vec<super::Correction>, Vec<super::QuarantineChange>),
) -> AppResult<serde_json::Value> {
    let changes = RevisionChanges {
        from_revision,
        counts: BeforeAfter {
            before: before.counts,
            after: after.counts,
        },
        skm: BeforeAfter {
            before: before.skm.clone(),
            after: after.skm.clone(),
        },
        corrections,
        quarantines,
    };
    serde_json::to_value(changes).map_err(AppError::internal)
}

/// Lists a revision's findings: each keeps its id (and triage) if an earlier
/// revision or regeneration found it; its figures become this revision's.
async fn insert_findings(
    conn: &impl ConnectionTrait,
    d: &Draft,
    conclusion_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if d.found.is_empty() {
        return Ok(());
    }
    let mut rows = Vec::with_capacity(d.found.len());
    let mut members = Vec::with_capacity(d.found.len());
    for f in &d.found {
        let id = finding::stable_id(
            d.scope_kind.as_str(),
            d.scope_id,
            d.kind.as_str(),
            d.period.start,
            f.kind.as_str(),
            &f.subject,
        );
        let detail = serde_json::to_value(&f.detail).map_err(AppError::internal)?;
        members.push(conclusion_finding::ActiveModel {
            conclusion_id: Set(conclusion_id),
            finding_id: Set(id),
            detail: Set(detail.clone()),
        });
        rows.push(finding::ActiveModel {
            id: Set(id),
            scope_kind: Set(d.scope_kind.as_str().into()),
            scope_id: Set(d.scope_id),
            institution_id: Set(d.institution_id),
            period_kind: Set(d.kind.as_str().into()),
            period_start: Set(d.period.start),
            kind: Set(f.kind.as_str().into()),
            subject: Set(f.subject.clone()),
            conclusion_id: Set(conclusion_id),
            detail: Set(detail),
            state: Set(FindingState::Open.as_str().into()),
            state_reason: Set(None),
            state_changed_at: Set(None),
            state_changed_by: Set(None),
            published_at: Set(None),
            open_limit_at: Set(None),
            created_at: Set(now),
        });
    }
    // Known findings keep everything but which revision lists them last, and its figures.
    finding::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(finding::Column::Id)
                .update_columns([finding::Column::ConclusionId, finding::Column::Detail])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    conclusion_finding::Entity::insert_many(members)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// What one run of the conclusion job did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobRun {
    /// Periods closed for the first time.
    pub closed: u32,
    /// Periods closed before and concluded again because their data changed.
    pub late: u32,
    /// What the closings did to conclusions, summed.
    pub conclusions: CloseSummary,
}

impl JobRun {
    /// Whether any conclusion was created, regenerated or revised.
    pub fn changed_anything(&self) -> bool {
        let c = self.conclusions;
        c.created + c.regenerated + c.revised > 0
    }
}

/// The background job: closes every complete calendar period of the last two
/// years not closed yet (catching up after downtime), and concludes again a
/// closed period whose data changed since (late data, also for a period that had
/// none when it was closed). Each period is claimed with a row in
/// `period_closings` holding the fingerprint of its data, so several instances
/// never conclude the same data twice.
pub async fn close_due_periods(state: &AppState) -> AppResult<JobRun> {
    let now = state.clock.now();
    let today = now.with_timezone(&state.config.timezone).date_naive();
    let first = today - Duration::days(731);
    let months = monthly_fingerprints(state.db.conn(), first, today).await?;
    let mut run = JobRun::default();
    for kind in PeriodKind::ALL {
        let mut p = Period::containing(*kind, first)?;
        while p.end < today {
            if complete_at(state, &p).await? <= now {
                let fingerprint = period_fingerprint(&months, &p);
                match claim(state, *kind, p.start, &fingerprint).await? {
                    Claim::Taken => {}
                    fresh @ (Claim::First | Claim::Changed { .. }) => {
                        let summary = match close_unchecked(state, p).await {
                            Ok(s) => s,
                            Err(e) => {
                                release(state, *kind, p.start, &fresh).await;
                                return Err(e);
                            }
                        };
                        match fresh {
                            Claim::First => run.closed += 1,
                            _ => run.late += 1,
                        }
                        let c = &mut run.conclusions;
                        c.created += summary.created;
                        c.regenerated += summary.regenerated;
                        c.revised += summary.revised;
                        c.unchanged += summary.unchanged;
                    }
                }
            }
            match p.next() {
                Some(n) => p = n,
                None => break,
            }
        }
    }
    // Conclusions made before public views were chosen over their whole period.
    super::disclosure::backfill(state).await?;
    Ok(run)
}

/// Per month (its first day): row counts and sums of the monthly rollups, the
/// invitation rollups and the delivered counts.
async fn monthly_fingerprints(
    conn: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<BTreeMap<NaiveDate, [i64; 8]>> {
    let backend = conn.get_database_backend();
    let mut months: BTreeMap<NaiveDate, [i64; 8]> = BTreeMap::new();
    let sources = [
        ("rollup_monthly", "month", "n", 0),
        ("rollup_invitations_monthly", "month", "n", 2),
        ("delivered_counts", "day", "count", 4),
        // Quarantining or releasing a cell changes the figures without new data.
        (
            "quarantined_cells",
            "day",
            "CASE WHEN released_at IS NULL THEN 1 ELSE 0 END",
            6,
        ),
    ];
    for (table, date_col, sum_col, slot) in sources {
        let q = Query::select()
            .expr_as(Expr::col(Alias::new(date_col)), Alias::new("d"))
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("rows"))
            .expr_as(
                Expr::cust(format!("CAST(COALESCE(SUM({sum_col}), 0) AS BIGINT)")),
                Alias::new("total"),
            )
            .from(Alias::new(table))
            .and_where(Expr::col(Alias::new(date_col)).gte(from))
            .and_where(Expr::col(Alias::new(date_col)).lte(to))
            .group_by_col(Alias::new(date_col))
            .to_owned();
        for r in conn.query_all_raw(backend.build(&q)).await? {
            let d: NaiveDate = r.try_get("", "d")?;
            let month = d.with_day(1).unwrap_or(d);
            let entry = months.entry(month).or_default();
            entry[slot] += r.try_get::<i64>("", "rows")?;
            entry[slot + 1] += r.try_get::<i64>("", "total")?;
        }
    }
    Ok(months)
}

/// The fingerprint of a period's data: its months' counts and sums, added up.
fn period_fingerprint(months: &BTreeMap<NaiveDate, [i64; 8]>, p: &Period) -> String {
    let mut sum = [0i64; 8];
    for (_, m) in months.range(p.start..=p.end) {
        for (s, v) in sum.iter_mut().zip(m) {
            *s = s.saturating_add(*v);
        }
    }
    let base = format!(
        "v1 rollups {}/{} invitations {}/{} delivered {}/{}",
        sum[0], sum[1], sum[2], sum[3], sum[4], sum[5]
    );
    // Unchanged for periods that never had a quarantine (no re-conclusion on upgrade).
    if sum[6] == 0 {
        base
    } else {
        format!("{base} quarantined {}/{}", sum[6], sum[7])
    }
}

/// The outcome of claiming a period for the job.
enum Claim {
    /// Never closed: this instance closes it.
    First,
    /// Closed before from other data: this instance concludes it again.
    Changed { previous: Option<String> },
    /// Up to date, or claimed by another instance just now.
    Taken,
}

async fn claim(
    state: &AppState,
    kind: PeriodKind,
    start: NaiveDate,
    fingerprint: &str,
) -> AppResult<Claim> {
    let txn = crate::services::write::begin(state).await?;
    let existing = period_closing::Entity::find_by_id((kind.as_str().to_owned(), start))
        .one(&*txn)
        .await?;
    let why = "a claim of the closing job; the conclusions it makes are audited";
    match existing {
        Some(row) if row.fingerprint.as_deref() == Some(fingerprint) => Ok(Claim::Taken),
        Some(row) => {
            // Conditional on the fingerprint read: of two instances, one wins.
            let mut update = period_closing::Entity::update_many()
                .col_expr(
                    period_closing::Column::Fingerprint,
                    Expr::value(fingerprint),
                )
                .col_expr(
                    period_closing::Column::ClosedAt,
                    Expr::value(state.clock.now()),
                )
                .filter(period_closing::Column::PeriodKind.eq(kind.as_str()))
                .filter(period_closing::Column::PeriodStart.eq(start));
            update = match &row.fingerprint {
                Some(f) => update.filter(period_closing::Column::Fingerprint.eq(f.as_str())),
                None => update.filter(period_closing::Column::Fingerprint.is_null()),
            };
            let won = update.exec(&*txn).await?.rows_affected == 1;
            txn.finish_unaudited(why).await?;
            Ok(if won {
                Claim::Changed {
                    previous: row.fingerprint,
                }
            } else {
                Claim::Taken
            })
        }
        None => {
            let r = period_closing::Entity::insert(period_closing::ActiveModel {
                period_kind: Set(kind.as_str().into()),
                period_start: Set(start),
                closed_at: Set(state.clock.now()),
                fingerprint: Set(Some(fingerprint.to_owned())),
            })
            .exec_without_returning(&*txn)
            .await;
            match r {
                Ok(_) => {
                    txn.finish_unaudited(why).await?;
                    Ok(Claim::First)
                }
                Err(e) if is_unique_violation(&e) => Ok(Claim::Taken),
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// A closing that failed gives its claim back, so the next run tries again.
async fn release(state: &AppState, kind: PeriodKind, start: NaiveDate, claim: &Claim) {
    let key = (kind.as_str().to_owned(), start);
    let r = match claim {
        Claim::First => period_closing::Entity::delete_by_id(key)
            .exec(state.db.conn())
            .await
            .map(|_| ()),
        Claim::Changed { previous } => period_closing::Entity::update_many()
            .col_expr(
                period_closing::Column::Fingerprint,
                Expr::value(previous.clone()),
            )
            .filter(period_closing::Column::PeriodKind.eq(kind.as_str()))
            .filter(period_closing::Column::PeriodStart.eq(start))
            .exec(state.db.conn())
            .await
            .map(|_| ()),
        Claim::Taken => Ok(()),
    };
    if let Err(e) = r {
        tracing::warn!(error = %e, period_start = %start, "giving back a period's claim failed");
    }
}
