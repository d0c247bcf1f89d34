//! Conclusions: the self-improving cycle. When a period's responses are complete
//! (its end + the longest invitation expiry + 1 day), a conclusion is made for every
//! institution (with its subtree) and every service with data: a frozen, typed
//! [`Snapshot`] of its figures, the comparison with the previous period, and
//! findings. Life: `DRAFT` → the institution's comment → `PUBLISHED` by a
//! supervisor. A draft may be regenerated; a published conclusion never changes —
//! later data makes a new revision that says what changed.
//!
//! - [`close`]: closing periods (on demand and by the hourly job);
//! - [`workflow`]: the institution's comment and publishing;
//! - [`disclosure`]: the public view of a period's conclusions, chosen together;
//! - this module: reading, with the public's view suppressed.

mod close;
mod disclosure;
mod workflow;

pub use close::{CloseSummary, JobRun, close_due_periods, close_period, complete_at};
pub use disclosure::refresh as choose_public_view;
pub(crate) use disclosure::{public_snapshot, withheld_cells};
pub use workflow::{comment, publish};

use crate::auth::Actor;
use crate::auth::secrets::sha256_hex;
use crate::authz::{self, Action, InstitutionScope};
use crate::domain::figures::{Counts, FindingDetail, SkmFigure, Snapshot};
use crate::domain::period::{Period, PeriodKind};
use crate::domain::vocab::{ConclusionStatus, FindingKind, FindingState, ScopeKind};
use crate::domain::{Page, PageRequest};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use entity::{conclusion, conclusion_finding, finding};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// A finding: the same across revisions of its conclusion, with its triage.
#[derive(Debug, Clone)]
pub struct FindingView {
    /// Stable id: the same for its scope, period, kind and subject in every
    /// regeneration and revision of the conclusion.
    pub id: Uuid,
    /// What it says.
    pub kind: FindingKind,
    /// What it is about (a driver, a question key, `responses`, `figures`).
    pub subject: String,
    /// Figures behind it (in the revision it is shown with).
    pub detail: FindingDetail,
    /// Its triage.
    pub state: FindingState,
    /// Why it was dismissed or reopened.
    pub state_reason: Option<String>,
    /// When its state last changed.
    pub state_changed_at: Option<DateTime<Utc>>,
    /// When a conclusion listing it was first published (none: drafts only).
    pub published_at: Option<DateTime<Utc>>,
    /// Institution or service.
    pub scope_kind: ScopeKind,
    /// Institution or service id.
    pub scope_id: Uuid,
    /// Institution (of the service).
    pub institution_id: Uuid,
    /// Period kind.
    pub period_kind: PeriodKind,
    /// Period.
    pub period: Period,
    /// The latest revision of the conclusion listing it.
    pub conclusion_id: Uuid,
}

impl FindingView {
    /// A stored finding, with the figures `detail` (of the revision it is shown with).
    pub(crate) fn from_row(f: finding::Model, detail: serde_json::Value) -> AppResult<Self> {
        let bad = |what: &str| AppError::internal(format!("stored finding: unknown {what}"));
        let kind = PeriodKind::parse(&f.period_kind).ok_or_else(|| bad("period kind"))?;
        Ok(FindingView {
            id: f.id,
            kind: FindingKind::parse(&f.kind).ok_or_else(|| bad("kind"))?,
            subject: f.subject,
            detail: stored("finding", detail)?,
            state: FindingState::parse(&f.state).ok_or_else(|| bad("state"))?,
            state_reason: f.state_reason,
            state_changed_at: f.state_changed_at,
            published_at: f.published_at,
            scope_kind: ScopeKind::parse(&f.scope_kind).ok_or_else(|| bad("scope"))?,
            scope_id: f.scope_id,
            institution_id: f.institution_id,
            period_kind: kind,
            period: Period::calendar(kind, f.period_start)?,
            conclusion_id: f.conclusion_id,
        })
    }
}

/// A value before and after a new revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BeforeAfter<T> {
    /// In the previous revision.
    pub before: T,
    /// In this one.
    pub after: T,
}

/// What changed against the previous revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevisionChanges {
    /// The revision this one replaces.
    pub from_revision: i32,
    /// Counts before and after.
    pub counts: BeforeAfter<Counts>,
    /// SKM index before and after.
    pub skm: BeforeAfter<Vec<SkmFigure>>,
    /// Supervisors' corrections of delivered counts in this scope and period made
    /// since the previous revision, each with its reason.
    #[serde(default)]
    pub corrections: Vec<Correction>,
    /// Supervisors' quarantines and releases of service × day cells in this scope
    /// and period made since the previous revision, each with its reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quarantines: Vec<QuarantineChange>,
}

/// A supervisor's quarantine or release of a cell, as a revision quotes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuarantineChange {
    /// `CELL_QUARANTINED` or `CELL_RELEASED`.
    pub action: String,
    /// The day.
    pub date: NaiveDate,
    /// Service.
    pub service_id: Uuid,
    /// Why.
    pub reason: String,
    /// Who (the supervisor's e-mail).
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A supervisor's correction of a delivered count, as a revision quotes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Correction {
    /// The day corrected.
    pub date: NaiveDate,
    /// Service.
    pub service_id: Uuid,
    /// Service point.
    pub service_point_id: Option<Uuid>,
    /// The count it replaced.
    pub before: Option<i64>,
    /// The corrected count.
    pub after: Option<i64>,
    /// Why.
    pub reason: String,
    /// Who (the supervisor's e-mail).
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A conclusion.
#[derive(Debug, Clone)]
pub struct ConclusionView {
    /// Id.
    pub id: Uuid,
    /// Institution or service.
    pub scope_kind: ScopeKind,
    /// Institution or service id.
    pub scope_id: Uuid,
    /// Institution (of the service).
    pub institution_id: Uuid,
    /// Period.
    pub period: Period,
    /// 1, 2, … (a new revision after late data).
    pub revision: i32,
    /// Draft or published.
    pub status: ConclusionStatus,
    /// Frozen figures (suppressed for the public).
    pub content: Snapshot,
    /// Cells the public view withholds beyond the snapshot's own small ones
    /// (chosen over the whole period, see [`disclosure`]).
    pub public_withheld: std::collections::BTreeSet<crate::domain::disclosure::Cell>,
    /// SHA-256 of the canonical content and comment.
    pub content_hash: String,
    /// The institution's comment.
    pub institution_comment: Option<String>,
    /// What changed against the previous revision.
    pub changes: Option<RevisionChanges>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Published.
    pub published_at: Option<DateTime<Utc>>,
    /// Findings.
    pub findings: Vec<FindingView>,
}

/// The canonical JSON of a snapshot (what is stored and hashed).
fn snapshot_json(s: &Snapshot) -> AppResult<serde_json::Value> {
    serde_json::to_value(s).map_err(AppError::internal)
}

/// The SHA-256 a conclusion carries: over which conclusion it is (scope, scope id,
/// period, revision) as well as its figures and the institution's comment, so a
/// hash says what it certifies — two conclusions never share one. Keys are sorted
/// (serde_json's map), so the JSON is canonical.
fn hash_of(c: &conclusion::Model, content: &serde_json::Value, comment: &Option<String>) -> String {
    sha256_hex(
        &serde_json::json!({
            "scope": c.scope_kind,
            "scopeId": c.scope_id,
            "periodKind": c.period_kind,
            "periodStart": c.period_start,
            "periodEnd": c.period_end,
            "revision": c.revision,
            "content": content,
            "comment": comment,
        })
        .to_string(),
    )
}

fn stored<T: for<'de> Deserialize<'de>>(what: &str, v: serde_json::Value) -> AppResult<T> {
    serde_json::from_value(v).map_err(|e| AppError::internal(format!("stored {what}: {e}")))
}

fn view(
    c: conclusion::Model,
    findings: Vec<(finding::Model, serde_json::Value)>,
) -> AppResult<ConclusionView> {
    let bad = |what: &str| AppError::internal(format!("stored conclusion: unknown {what}"));
    let kind = PeriodKind::parse(&c.period_kind).ok_or_else(|| bad("period kind"))?;
    let mut findings = findings
        .into_iter()
        .map(|(f, detail)| FindingView::from_row(f, detail))
        .collect::<AppResult<Vec<_>>>()?;
    findings.sort_by(|a, b| (a.kind, &a.subject).cmp(&(b.kind, &b.subject)));
    Ok(ConclusionView {
        id: c.id,
        scope_kind: ScopeKind::parse(&c.scope_kind).ok_or_else(|| bad("scope"))?,
        scope_id: c.scope_id,
        institution_id: c.institution_id,
        period: Period::calendar(kind, c.period_start)?,
        revision: c.revision,
        status: ConclusionStatus::parse(&c.status).ok_or_else(|| bad("status"))?,
        content: stored("snapshot", c.content)?,
        public_withheld: disclosure::withheld_cells(c.public_withheld.as_ref())?,
        content_hash: c.content_hash,
        institution_comment: c.institution_comment,
        changes: c.changes.map(|v| stored("changes", v)).transpose()?,
        created_at: c.created_at,
        published_at: c.published_at,
        findings,
    })
}

/// The findings the conclusions `ids` list, with their figures in each: two
/// statements whatever the number of conclusions.
async fn findings_of(
    conn: &impl sea_orm::ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> AppResult<HashMap<Uuid, Vec<(finding::Model, serde_json::Value)>>> {
    let members = conclusion_finding::Entity::find()
        .filter(conclusion_finding::Column::ConclusionId.is_in(ids))
        .all(conn)
        .await?;
    let mut rows: HashMap<Uuid, finding::Model> = HashMap::new();
    if !members.is_empty() {
        let mut wanted: Vec<Uuid> = members.iter().map(|m| m.finding_id).collect();
        wanted.sort();
        wanted.dedup();
        for f in finding::Entity::find()
            .filter(finding::Column::Id.is_in(wanted))
            .all(conn)
            .await?
        {
            rows.insert(f.id, f);
        }
    }
    let mut out: HashMap<Uuid, Vec<_>> = HashMap::new();
    for m in members {
        if let Some(f) = rows.get(&m.finding_id) {
            out.entry(m.conclusion_id)
                .or_default()
                .push((f.clone(), m.detail));
        }
    }
    Ok(out)
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

async fn load(state: &AppState, c: conclusion::Model, public: bool) -> AppResult<ConclusionView> {
    let f = findings_of(state.db.conn(), [c.id])
        .await?
        .remove(&c.id)
        .unwrap_or_default();
    Ok(shown(view(c, f)?, public))
}

/// A conclusion as shown: for the public, small cells (and those chosen for its
/// period) withheld, and the low-confidence finding and findings about withheld
/// figures left out.
fn shown(mut v: ConclusionView, public: bool) -> ConclusionView {
    if public {
        v.content
            .suppress_for_public_withholding(&v.public_withheld);
        let content = &v.content;
        v.findings.retain(|f| {
            f.kind != FindingKind::LowConfidence
                && !crate::domain::figures::judges_withheld(content, f.kind, &f.subject)
        });
    }
    v
}

/// Whether a conclusion of `institution_id` is shown to `v` as to the public.
async fn public_for(state: &AppState, v: &Viewer, institution_id: Uuid) -> AppResult<bool> {
    Ok(match v {
        Viewer::All => false,
        Viewer::Institutions(s) => !s.contains(state.db.conn(), institution_id).await?,
        Viewer::Public => true,
    })
}

/// Filters of [`list`].
#[derive(Debug, Clone, Default)]
pub struct ConclusionFilter {
    /// Institution or service.
    pub scope_kind: Option<ScopeKind>,
    /// Institution or service id.
    pub scope_id: Option<Uuid>,
    /// Period kind.
    pub period_kind: Option<PeriodKind>,
    /// Period start.
    pub period_start: Option<NaiveDate>,
    /// Draft or published.
    pub status: Option<ConclusionStatus>,
}

/// Conclusions the caller may read (published ones need no account).
pub async fn list(
    state: &AppState,
    actor: &Actor,
    f: ConclusionFilter,
    page: PageRequest,
) -> AppResult<Page<ConclusionView>> {
    let v = viewer(actor);
    let published = conclusion::Column::Status.eq(ConclusionStatus::Published.as_str());
    let mut q = conclusion::Entity::find();
    match &v {
        Viewer::All => {}
        Viewer::Institutions(s) => {
            q = q.filter(
                sea_orm::Condition::any()
                    .add(s.condition(conclusion::Column::InstitutionId))
                    .add(published),
            );
        }
        Viewer::Public => q = q.filter(published),
    }
    if let Some(k) = f.scope_kind {
        q = q.filter(conclusion::Column::ScopeKind.eq(k.as_str()));
    }
    if let Some(i) = f.scope_id {
        q = q.filter(conclusion::Column::ScopeId.eq(i));
    }
    if let Some(k) = f.period_kind {
        q = q.filter(conclusion::Column::PeriodKind.eq(k.as_str()));
    }
    if let Some(s) = f.period_start {
        q = q.filter(conclusion::Column::PeriodStart.eq(s));
    }
    if let Some(s) = f.status {
        q = q.filter(conclusion::Column::Status.eq(s.as_str()));
    }
    let conn = state.db.conn();
    let page = super::fetch_page(conn, q, conclusion::Column::Id, page).await?;
    // Two queries for every finding of the page, one for the caller's subtree.
    let mut found = findings_of(conn, page.items.iter().map(|c| c.id)).await?;
    let members = match &v {
        Viewer::Institutions(s) => s.members(conn).await?,
        _ => None,
    };
    let mut items = vec![];
    for c in page.items {
        let public = match &v {
            Viewer::All => false,
            Viewer::Institutions(_) => !members
                .as_ref()
                .is_some_and(|m| m.contains(&c.institution_id)),
            Viewer::Public => true,
        };
        let f = found.remove(&c.id).unwrap_or_default();
        items.push(shown(view(c, f)?, public));
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
    let public = public_for(state, &viewer(actor), c.institution_id).await?;
    if public && c.status != ConclusionStatus::Published.as_str() {
        return Err(AppError::NotFound);
    }
    load(state, c, public).await
}
