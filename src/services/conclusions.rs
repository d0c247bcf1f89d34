//! Conclusions: the self-improving cycle. When a period's responses are complete
//! (its end + the longest invitation expiry + 1 day), a conclusion is made for every
//! institution (with its subtree) and every service with data: a frozen snapshot of
//! its figures, the comparison with the previous period, and findings. Life:
//! `DRAFT` → the institution's comment → `PUBLISHED` by a supervisor. A draft may
//! be regenerated; a published conclusion never changes — later data makes a new
//! revision that says what changed.

use super::audit::{self, Event};
use super::reports::{self, Origin, Report, ReportScope};
use crate::auth::Actor;
use crate::auth::secrets::sha256_hex;
use crate::authz::{self, Action, InstitutionScope};
use crate::domain::metrics;
use crate::domain::period::{Period, PeriodKind};
use crate::domain::{Page, PageRequest};
use crate::error::{AppError, AppResult, is_unique_violation};
use crate::state::AppState;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use entity::{
    conclusion, finding, institution_closure as closure, period_closing, service,
    service_invitation_setting,
};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use uuid::Uuid;

/// Thresholds that turn figures into findings.
#[derive(Debug, Clone, Copy)]
pub struct FindingRules {
    /// A driver's top-box share below this is a finding.
    pub driver_floor: f64,
    /// An SKM element mean below this (1–4) is a finding.
    pub skm_element_floor: f64,
    /// A response rate below this is a finding.
    pub response_rate_floor: f64,
}

impl Default for FindingRules {
    fn default() -> Self {
        Self {
            driver_floor: 0.6,
            skm_element_floor: 2.5,
            response_rate_floor: 0.1,
        }
    }
}

/// Kind of a conclusion's scope.
pub fn kind_name(k: PeriodKind) -> &'static str {
    match k {
        PeriodKind::Month => "MONTH",
        PeriodKind::Quarter => "QUARTER",
        PeriodKind::HalfYear => "HALF_YEAR",
        PeriodKind::Year => "YEAR",
    }
}

fn kind_parse(s: &str) -> Option<PeriodKind> {
    Some(match s {
        "MONTH" => PeriodKind::Month,
        "QUARTER" => PeriodKind::Quarter,
        "HALF_YEAR" => PeriodKind::HalfYear,
        "YEAR" => PeriodKind::Year,
        _ => return None,
    })
}

/// A finding.
#[derive(Debug, Clone)]
pub struct FindingView {
    /// Stable id (the same across regenerations of a draft).
    pub id: Uuid,
    /// `LOW_DRIVER`, `LOW_SKM_ELEMENT`, `SIGNIFICANT_DROP`, `LOW_RESPONSE_RATE`,
    /// `INVITATIONS_WITHOUT_RESPONSES`, `LOW_CONFIDENCE`.
    pub kind: String,
    /// What it is about (a driver, a question key, `responses`).
    pub subject: String,
    /// Figures behind it.
    pub detail: Value,
    /// Whether it still awaits action.
    pub open: bool,
}

/// A conclusion.
#[derive(Debug, Clone)]
pub struct ConclusionView {
    /// Id.
    pub id: Uuid,
    /// `INSTITUTION` or `SERVICE`.
    pub scope_kind: String,
    /// Institution or service id.
    pub scope_id: Uuid,
    /// Institution (of the service).
    pub institution_id: Uuid,
    /// Period.
    pub period: Period,
    /// 1, 2, … (a new revision after late data).
    pub revision: i32,
    /// `DRAFT` or `PUBLISHED`.
    pub status: String,
    /// Frozen figures (suppressed for the public).
    pub content: Value,
    /// SHA-256 of the canonical content and comment.
    pub content_hash: String,
    /// The institution's comment.
    pub institution_comment: Option<String>,
    /// What changed against the previous revision.
    pub changes: Option<Value>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Published.
    pub published_at: Option<DateTime<Utc>>,
    /// Findings.
    pub findings: Vec<FindingView>,
}

fn share_json(s: &Option<metrics::Share>) -> Value {
    s.map_or(
        Value::Null,
        |s| json!({ "k": s.k, "n": s.n, "value": s.value, "low": s.low, "high": s.high }),
    )
}

/// The canonical snapshot of a report (all figures, with `lowConfidence` flags).
pub fn snapshot(r: &Report) -> Value {
    let figures = |f: &std::collections::BTreeMap<Origin, reports::Figures>| -> Value {
        Value::Object(
            f.iter()
                .map(|(o, x)| {
                    (
                        format!("{o:?}").to_uppercase(),
                        json!({
                            "n": x.n,
                            "notApplicable": x.not_applicable,
                            "mean": x.mean,
                            "topBox": share_json(&x.top_box),
                            "nps": x.nps.map(|n| json!({ "score": n.score, "se": n.se, "low": n.low, "high": n.high })),
                            "lowConfidence": x.low_confidence,
                            "topBoxChange": x.top_box_change.map(|c| json!({ "delta": c.delta, "significant": c.significant })),
                        }),
                    )
                })
                .collect(),
        )
    };
    json!({
        "period": r.period.label(),
        "counts": { "invited": r.counts.invited, "responded": r.counts.responded, "openResponses": r.counts.open_responses, "delivered": r.counts.delivered },
        "responseRate": share_json(&r.response_rate),
        "questions": r.questions.iter().map(|q| json!({
            "surveyId": q.survey_id, "questionKey": q.question.key, "driver": q.question.driver, "figures": figures(&q.figures),
        })).collect::<Vec<_>>(),
        "drivers": r.drivers.iter().map(|d| json!({ "driver": d.driver, "figures": figures(&d.figures) })).collect::<Vec<_>>(),
        "skm": r.skm.iter().map(|(o, s)| json!({ "origin": format!("{o:?}").to_uppercase(), "index": s.index, "grade": format!("{:?}", s.grade) })).collect::<Vec<_>>(),
        "previous": r.previous.as_ref().map(|p| json!({
            "period": p.period.label(),
            "counts": { "invited": p.counts.invited, "responded": p.counts.responded, "openResponses": p.counts.open_responses },
            "skm": p.skm.iter().map(|(o, s)| json!({ "origin": format!("{o:?}").to_uppercase(), "index": s.index })).collect::<Vec<_>>(),
        })),
        "suppressionThreshold": r.threshold,
    })
}

/// Findings of a report.
pub fn findings(r: &Report, rules: &FindingRules) -> Vec<(String, String, Value)> {
    let mut out = vec![];
    for d in &r.drivers {
        if let Some(f) = d.figures.get(&Origin::Combined)
            && let Some(tb) = f.top_box
        {
            if !f.low_confidence && tb.value < rules.driver_floor {
                out.push((
                    "LOW_DRIVER".into(),
                    format!("{:?}", d.driver),
                    json!({ "topBox": tb.value, "n": tb.n, "floor": rules.driver_floor }),
                ));
            }
            if let Some(c) = f.top_box_change.filter(|c| c.significant && c.delta < 0.0) {
                out.push((
                    "SIGNIFICANT_DROP".into(),
                    format!("{:?}", d.driver),
                    json!({ "delta": c.delta, "z": c.z }),
                ));
            }
        }
    }
    for q in &r.questions {
        let is_skm = q
            .question
            .driver
            .is_some_and(|d| format!("{d:?}").starts_with("Skm"));
        if let Some(f) = q.figures.get(&Origin::Combined)
            && is_skm
            && !f.low_confidence
            && f.mean.is_some_and(|m| m < rules.skm_element_floor)
        {
            out.push((
                "LOW_SKM_ELEMENT".into(),
                q.question.key.clone(),
                json!({ "mean": f.mean, "n": f.n, "floor": rules.skm_element_floor }),
            ));
        }
    }
    if let Some(rr) = r.response_rate
        && rr.n >= r.threshold
        && rr.value < rules.response_rate_floor
    {
        out.push((
            "LOW_RESPONSE_RATE".into(),
            "responses".into(),
            json!({ "rate": rr.value, "invited": rr.n, "floor": rules.response_rate_floor }),
        ));
    }
    if r.counts.invited > 0 && r.counts.responded == 0 {
        out.push((
            "INVITATIONS_WITHOUT_RESPONSES".into(),
            "responses".into(),
            json!({ "invited": r.counts.invited }),
        ));
    }
    let low: usize = r
        .questions
        .iter()
        .flat_map(|q| q.figures.values())
        .filter(|f| f.low_confidence)
        .count();
    if low > 0 {
        out.push((
            "LOW_CONFIDENCE".into(),
            "figures".into(),
            json!({ "figures": low, "threshold": r.threshold }),
        ));
    }
    out
}

/// Namespace of finding ids (UUIDv5 over conclusion, kind and subject).
const FINDING_NAMESPACE: Uuid = Uuid::from_u128(0x5a4e_414c_0001_4000_8000_6669_6e64_696e);

fn stable_id(parts: &[&str]) -> Uuid {
    Uuid::new_v5(&FINDING_NAMESPACE, parts.join("|").as_bytes())
}

fn hash_of(content: &Value, comment: &Option<String>) -> String {
    sha256_hex(&json!({ "content": content, "comment": comment }).to_string())
}

/// When a period's responses are complete: its local end + the longest invitation
/// expiry + 1 day.
pub async fn complete_at(state: &AppState, period: &Period) -> AppResult<DateTime<Utc>> {
    let longest = service_invitation_setting::Entity::find()
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(|s| s.expiry_days)
        .max()
        .unwrap_or(7);
    let longest = std::cmp::max(longest, 7);
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
    let mut summary = CloseSummary::default();
    let mut scopes: Vec<(&str, Uuid, ReportScope)> = institutions
        .iter()
        .map(|i| {
            (
                "INSTITUTION",
                *i,
                ReportScope::Institution {
                    id: *i,
                    include_sub_institutions: true,
                },
            )
        })
        .collect();
    scopes.extend(
        services
            .iter()
            .map(|s| ("SERVICE", *s, ReportScope::Service(*s))),
    );
    for (scope_kind, scope_id, scope) in scopes {
        let report = reports::satisfaction_report(state, &sys, scope, period).await?;
        let content = snapshot(&report);
        let found = findings(&report, &rules);
        let institution_id = match scope_kind {
            "SERVICE" => service::Entity::find_by_id(scope_id)
                .one(state.db.conn())
                .await?
                .map(|s| s.institution_id)
                .unwrap_or(scope_id),
            _ => scope_id,
        };
        let outcome = upsert_conclusion(
            state,
            scope_kind,
            scope_id,
            institution_id,
            kind,
            &period,
            content,
            found,
        )
        .await?;
        match outcome {
            Outcome::Created => summary.created += 1,
            Outcome::Regenerated => summary.regenerated += 1,
            Outcome::Revised => summary.revised += 1,
            Outcome::Unchanged => summary.unchanged += 1,
        }
    }
    Ok(summary)
}

enum Outcome {
    Created,
    Regenerated,
    Revised,
    Unchanged,
}

#[allow(clippy::too_many_arguments)]
async fn upsert_conclusion(
    state: &AppState,
    scope_kind: &str,
    scope_id: Uuid,
    institution_id: Uuid,
    kind: PeriodKind,
    period: &Period,
    content: Value,
    found: Vec<(String, String, Value)>,
) -> AppResult<Outcome> {
    let now = state.clock.now();
    let txn = state.db.begin_write().await?;
    let latest = conclusion::Entity::find()
        .filter(conclusion::Column::ScopeKind.eq(scope_kind))
        .filter(conclusion::Column::ScopeId.eq(scope_id))
        .filter(conclusion::Column::PeriodKind.eq(kind_name(kind)))
        .filter(conclusion::Column::PeriodStart.eq(period.start))
        .order_by_desc(conclusion::Column::Revision)
        .one(&*txn)
        .await?;
    let (id, outcome) = match latest {
        Some(c) if c.content == content => return Ok(Outcome::Unchanged),
        Some(c) if c.status == "DRAFT" => {
            let hash = hash_of(&content, &c.institution_comment);
            let id = c.id;
            let mut row: conclusion::ActiveModel = c.into();
            row.content = Set(content);
            row.content_hash = Set(hash);
            row.updated_at = Set(now);
            row.update(&*txn).await?;
            finding::Entity::delete_many()
                .filter(finding::Column::ConclusionId.eq(id))
                .exec(&*txn)
                .await?;
            (id, Outcome::Regenerated)
        }
        previous => {
            let revision = previous.as_ref().map_or(1, |p| p.revision + 1);
            let changes = previous.as_ref().map(|p| {
                json!({
                    "fromRevision": p.revision,
                    "counts": { "before": p.content["counts"], "after": content["counts"] },
                    "skm": { "before": p.content["skm"], "after": content["skm"] },
                })
            });
            let id = Uuid::now_v7();
            conclusion::ActiveModel {
                id: Set(id),
                scope_kind: Set(scope_kind.into()),
                scope_id: Set(scope_id),
                institution_id: Set(institution_id),
                period_kind: Set(kind_name(kind).into()),
                period_start: Set(period.start),
                period_end: Set(period.end),
                revision: Set(revision),
                status: Set("DRAFT".into()),
                content_hash: Set(hash_of(&content, &None)),
                content: Set(content),
                institution_comment: Set(None),
                changes: Set(changes),
                created_at: Set(now),
                updated_at: Set(now),
                published_at: Set(None),
                published_by: Set(None),
            }
            .insert(&*txn)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    AppError::Conflict("this period is being closed by another instance".into())
                } else {
                    e.into()
                }
            })?;
            (
                id,
                if previous.is_some() {
                    Outcome::Revised
                } else {
                    Outcome::Created
                },
            )
        }
    };
    let rows: Vec<finding::ActiveModel> = found
        .into_iter()
        .map(|(k, subject, detail)| finding::ActiveModel {
            id: Set(stable_id(&[&id.to_string(), &k, &subject])),
            conclusion_id: Set(id),
            kind: Set(k),
            subject: Set(subject),
            detail: Set(detail),
            open: Set(true),
        })
        .collect();
    if !rows.is_empty() {
        finding::Entity::insert_many(rows)
            .exec_without_returning(&*txn)
            .await?;
    }
    txn.commit().await?;
    Ok(outcome)
}

/// The background job: closes every complete calendar period of the last two
/// years not closed yet (catching up after downtime). Each period is claimed with
/// a row in `period_closings`, so several instances never close it twice.
pub async fn close_due_periods(state: &AppState) -> AppResult<u32> {
    let now = state.clock.now();
    let today = now.with_timezone(&state.config.timezone).date_naive();
    let mut closed = 0;
    for kind in [
        PeriodKind::Month,
        PeriodKind::Quarter,
        PeriodKind::HalfYear,
        PeriodKind::Year,
    ] {
        let mut p = Period::containing(kind, today - Duration::days(731))?;
        while p.end < today {
            if complete_at(state, &p).await? <= now && claim(state, kind, p.start).await? {
                close_unchecked(state, p).await?;
                closed += 1;
            }
            match p.next() {
                Some(n) => p = n,
                None => break,
            }
        }
    }
    Ok(closed)
}

async fn claim(state: &AppState, kind: PeriodKind, start: NaiveDate) -> AppResult<bool> {
    let txn = state.db.begin_write().await?;
    let exists = period_closing::Entity::find_by_id((kind_name(kind).to_owned(), start))
        .one(&*txn)
        .await?
        .is_some();
    if exists {
        return Ok(false);
    }
    let r = period_closing::Entity::insert(period_closing::ActiveModel {
        period_kind: Set(kind_name(kind).into()),
        period_start: Set(start),
        closed_at: Set(state.clock.now()),
    })
    .exec_without_returning(&*txn)
    .await;
    match r {
        Ok(_) => {
            txn.commit().await?;
            Ok(true)
        }
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

fn view(c: conclusion::Model, findings: Vec<finding::Model>) -> AppResult<ConclusionView> {
    let kind =
        kind_parse(&c.period_kind).ok_or_else(|| AppError::internal("unknown period kind"))?;
    Ok(ConclusionView {
        id: c.id,
        scope_kind: c.scope_kind,
        scope_id: c.scope_id,
        institution_id: c.institution_id,
        period: Period::calendar(kind, c.period_start)?,
        revision: c.revision,
        status: c.status,
        content: c.content,
        content_hash: c.content_hash,
        institution_comment: c.institution_comment,
        changes: c.changes,
        created_at: c.created_at,
        published_at: c.published_at,
        findings: findings
            .into_iter()
            .map(|f| FindingView {
                id: f.id,
                kind: f.kind,
                subject: f.subject,
                detail: f.detail,
                open: f.open,
            })
            .collect(),
    })
}

/// Who sees what: supervisors and admins everything; institution users their
/// subtree's conclusions; everyone else only published ones, suppressed.
enum Viewer {
    All,
    Institutions(InstitutionScope),
    Public,
}

fn viewer(actor: &Actor) -> Viewer {
    match authz::scope(actor, Action::ReadResults) {
        Ok(InstitutionScope::All) => Viewer::All,
        Ok(s) => Viewer::Institutions(s),
        Err(_) => Viewer::Public,
    }
}

/// Removes figures below the threshold for the public, and their complements: if
/// one of INVITED / OPEN is suppressed while COMBINED is shown, the other is too,
/// so no suppressed cell can be derived by subtraction.
pub fn suppress(content: &mut Value) {
    let suppress_set = |figs: &mut Value| {
        let Some(map) = figs.as_object_mut() else {
            return;
        };
        let low = |v: Option<&Value>| v.is_some_and(|f| f["lowConfidence"] == true);
        let (inv, open) = (low(map.get("INVITED")), low(map.get("OPEN")));
        let combined_shown = map
            .get("COMBINED")
            .is_some_and(|f| f["lowConfidence"] != true);
        let mut hide: Vec<String> = map
            .iter()
            .filter(|(_, f)| f["lowConfidence"] == true)
            .map(|(k, _)| k.clone())
            .collect();
        if combined_shown && inv != open && map.contains_key("INVITED") && map.contains_key("OPEN")
        {
            hide.push(if inv { "OPEN".into() } else { "INVITED".into() });
        }
        for k in hide {
            map.insert(k, json!({ "suppressed": true }));
        }
    };
    for list in ["questions", "drivers"] {
        if let Some(items) = content.get_mut(list).and_then(Value::as_array_mut) {
            for item in items {
                if let Some(f) = item.get_mut("figures") {
                    suppress_set(f);
                }
            }
        }
    }
}

async fn load(state: &AppState, c: conclusion::Model, public: bool) -> AppResult<ConclusionView> {
    let f = finding::Entity::find()
        .filter(finding::Column::ConclusionId.eq(c.id))
        .all(state.db.conn())
        .await?;
    let mut v = view(c, f)?;
    if public {
        suppress(&mut v.content);
        v.findings.retain(|f| f.kind != "LOW_CONFIDENCE");
    }
    Ok(v)
}

/// Filters of [`list`].
#[derive(Debug, Clone, Default)]
pub struct ConclusionFilter {
    /// `INSTITUTION` or `SERVICE`.
    pub scope_kind: Option<String>,
    /// Institution or service id.
    pub scope_id: Option<Uuid>,
    /// Period kind.
    pub period_kind: Option<PeriodKind>,
    /// Period start.
    pub period_start: Option<NaiveDate>,
    /// `DRAFT` or `PUBLISHED`.
    pub status: Option<String>,
}

/// Conclusions the caller may read (published ones need no account).
pub async fn list(
    state: &AppState,
    actor: &Actor,
    f: ConclusionFilter,
    page: PageRequest,
) -> AppResult<Page<ConclusionView>> {
    let v = viewer(actor);
    let mut q = conclusion::Entity::find();
    match &v {
        Viewer::All => {}
        Viewer::Institutions(s) => {
            q = q.filter(
                s.condition(conclusion::Column::InstitutionId)
                    .or(conclusion::Column::Status.eq("PUBLISHED")),
            );
        }
        Viewer::Public => q = q.filter(conclusion::Column::Status.eq("PUBLISHED")),
    }
    if let Some(k) = f.scope_kind {
        q = q.filter(conclusion::Column::ScopeKind.eq(k));
    }
    if let Some(i) = f.scope_id {
        q = q.filter(conclusion::Column::ScopeId.eq(i));
    }
    if let Some(k) = f.period_kind {
        q = q.filter(conclusion::Column::PeriodKind.eq(kind_name(k)));
    }
    if let Some(s) = f.period_start {
        q = q.filter(conclusion::Column::PeriodStart.eq(s));
    }
    if let Some(s) = f.status {
        q = q.filter(conclusion::Column::Status.eq(s));
    }
    let page = super::fetch_page(state.db.conn(), q, conclusion::Column::Id, page).await?;
    let mut items = vec![];
    for c in page.items {
        let public = match &v {
            Viewer::All => false,
            Viewer::Institutions(s) => !s.contains(state.db.conn(), c.institution_id).await?,
            Viewer::Public => true,
        };
        items.push(load(state, c, public).await?);
    }
    Ok(Page {
        items,
        has_next: page.has_next,
        has_previous: page.has_previous,
    })
}

/// One conclusion (drafts only for their institution and supervisors).
pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<ConclusionView> {
    let c = conclusion::Entity::find_by_id(id)
        .one(state.db.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    let public = match viewer(actor) {
        Viewer::All => false,
        Viewer::Institutions(s) => !s.contains(state.db.conn(), c.institution_id).await?,
        Viewer::Public => true,
    };
    if public && c.status != "PUBLISHED" {
        return Err(AppError::NotFound);
    }
    load(state, c, public).await
}

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
    let text = text.as_str();
    let now = state.clock.now();
    let txn = state.db.begin_write().await?;
    let c = conclusion::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    scope.require(&*txn, c.institution_id).await?;
    if c.status != "DRAFT" {
        return Err(AppError::Conflict(
            "a published conclusion never changes".into(),
        ));
    }
    let hash = hash_of(&c.content, &Some(text.to_owned()));
    let mut row: conclusion::ActiveModel = c.into();
    row.institution_comment = Set(Some(text.to_owned()));
    row.content_hash = Set(hash);
    row.updated_at = Set(now);
    let saved = row.update(&*txn).await?;
    audit::record(
        &*txn,
        actor,
        now,
        Event {
            action: "CONCLUSION_COMMENTED",
            target: Some(("CONCLUSION", id)),
            details: json!({}),
        },
    )
    .await?;
    txn.commit().await?;
    load(state, saved, false).await
}

/// Publishes a draft (SUPERVISOR, ADMIN). Published conclusions never change.
pub async fn publish(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<ConclusionView> {
    authz::require_global(actor, Action::CloseAndPublish)?;
    let now = state.clock.now();
    let txn = state.db.begin_write().await?;
    let c = conclusion::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if c.status != "DRAFT" {
        return Err(AppError::Conflict("already published".into()));
    }
    let mut row: conclusion::ActiveModel = c.into();
    row.status = Set("PUBLISHED".into());
    row.published_at = Set(Some(now));
    row.published_by = Set(actor.user_id());
    row.updated_at = Set(now);
    let saved = row.update(&*txn).await?;
    audit::record(
        &*txn,
        actor,
        now,
        Event {
            action: "CONCLUSION_PUBLISHED",
            target: Some(("CONCLUSION", id)),
            details: json!({ "hash": saved.content_hash }),
        },
    )
    .await?;
    txn.commit().await?;
    load(state, saved, false).await
}
