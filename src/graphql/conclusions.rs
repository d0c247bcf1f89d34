//! Conclusions: closing periods, comments, publishing, public reading.

use super::common::{Date, connection_type, ctx, page, parse_id};
use super::figures::{ConclusionFigures, FindingDetail};
use super::vocab::{ConclusionScope, ConclusionStatus, FindingKind, FindingState, PeriodKind};
use crate::error::AppError;
use crate::services::conclusions::{
    self as svc, CloseSummary, ConclusionFilter, ConclusionView, FindingView,
};
use async_graphql::{Context, ID, InputObject, Json, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

connection_type!(
    ConclusionConnection,
    ConclusionEdge,
    Conclusion,
    "conclusions"
);

/// Something a conclusion found automatically; improvement actions link to it.
pub struct Finding(pub FindingView);

/// Something a conclusion found automatically; improvement actions link to it.
#[Object]
impl Finding {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// What it says.
    async fn kind(&self) -> FindingKind {
        self.0.kind.into()
    }
    /// What it is about: a driver, a question key, `responses` or `figures`.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// The figures behind it.
    async fn detail(&self) -> FindingDetail {
        self.0.detail.clone().into()
    }
    /// Whether it still awaits its institution (state `OPEN`).
    async fn open(&self) -> bool {
        self.0.state == crate::domain::vocab::FindingState::Open
    }
    /// Where it stands: open, addressed by an improvement action, or dismissed.
    async fn state(&self) -> FindingState {
        self.0.state.into()
    }
    /// Why it was dismissed or reopened.
    async fn state_reason(&self) -> Option<&str> {
        self.0.state_reason.as_deref()
    }
    /// When its state last changed.
    async fn state_changed_at(&self) -> Option<DateTime<Utc>> {
        self.0.state_changed_at
    }
    /// When a conclusion listing it was first published (null: drafts only).
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
    /// Institution or service conclusion.
    async fn scope(&self) -> ConclusionScope {
        self.0.scope_kind.into()
    }
    /// Id of the institution or service.
    async fn scope_id(&self) -> ID {
        ID(self.0.scope_id.to_string())
    }
    /// Institution (of the service).
    async fn institution_id(&self) -> ID {
        ID(self.0.institution_id.to_string())
    }
    /// Period kind.
    async fn period_kind(&self) -> PeriodKind {
        self.0.period_kind.into()
    }
    /// Period label, e.g. `2026-Q3`.
    async fn period_label(&self) -> String {
        self.0.period.label()
    }
    /// First day of the period.
    async fn period_start(&self) -> Date {
        Date(self.0.period.start)
    }
    /// The latest revision of the conclusion listing it.
    async fn conclusion_id(&self) -> ID {
        ID(self.0.conclusion_id.to_string())
    }
    /// The improvement actions that address it (those the caller may read: for
    /// the public, from `PLANNED` on).
    async fn actions(&self, c: &Context<'_>) -> Result<Vec<super::actions::ImprovementAction>> {
        let found = super::loaders::of(c)?
            .load_one(super::loaders::FindingActionsKey(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(found
            .into_iter()
            .map(super::actions::ImprovementAction)
            .collect())
    }
}

/// A frozen snapshot of a period's figures for an institution or a service.
pub struct Conclusion(pub ConclusionView);

/// A frozen snapshot of a period's figures for an institution or a service.
#[Object]
impl Conclusion {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Institution or service.
    async fn scope(&self) -> ConclusionScope {
        self.0.scope_kind.into()
    }
    /// Id of the institution or service.
    async fn scope_id(&self) -> ID {
        ID(self.0.scope_id.to_string())
    }
    /// Institution (of the service).
    async fn institution_id(&self) -> ID {
        ID(self.0.institution_id.to_string())
    }
    /// Period label, e.g. `2026-Q3`.
    async fn period_label(&self) -> String {
        self.0.period.label()
    }
    /// First day of the period.
    async fn period_start(&self) -> Date {
        Date(self.0.period.start)
    }
    /// Last day of the period.
    async fn period_end(&self) -> Date {
        Date(self.0.period.end)
    }
    /// Published NGO evaluations of the same institution or service whose period
    /// overlaps this one: the independent voice beside the citizens' figures.
    #[graphql(complexity = 10)]
    async fn ngo_evaluations(
        &self,
        c: &Context<'_>,
    ) -> Result<Vec<super::evaluations::NgoEvaluation>> {
        use crate::domain::vocab::ScopeKind;
        use crate::services::reports::ReportScope;
        let (state, _) = ctx(c)?;
        let scope = match self.0.scope_kind {
            ScopeKind::Service => ReportScope::Service(self.0.scope_id),
            _ => ReportScope::Institution {
                id: self.0.scope_id,
                include_sub_institutions: true,
            },
        };
        Ok(crate::services::evaluations::published_for(
            state,
            &scope,
            self.0.period.start,
            self.0.period.end,
        )
        .await?
        .into_iter()
        .map(super::evaluations::NgoEvaluation)
        .collect())
    }
    /// 1, 2, … — a new revision after late data.
    async fn revision(&self) -> i32 {
        self.0.revision
    }
    /// Draft or published.
    async fn status(&self) -> ConclusionStatus {
        self.0.status.into()
    }
    /// The frozen figures, in the same shapes as `satisfactionReport`'s. For the
    /// public, figures from too few answers (and their complements) are `suppressed`.
    async fn figures(&self) -> ConclusionFigures {
        self.0.content.clone().into()
    }
    /// The same figures as one JSON document: the canonical form that `contentHash`
    /// certifies (with the comment), for archiving and verification.
    async fn snapshot(&self) -> Result<Json<serde_json::Value>> {
        Ok(Json(
            serde_json::to_value(&self.0.content).map_err(AppError::internal)?,
        ))
    }
    /// SHA-256 (hex) over which conclusion this is (scope, scope id, period,
    /// revision), its canonical content and the institution's comment.
    async fn content_hash(&self) -> &str {
        &self.0.content_hash
    }
    /// The institution's comment.
    async fn institution_comment(&self) -> Option<&str> {
        self.0.institution_comment.as_deref()
    }
    /// What changed against the previous revision.
    async fn changes(&self) -> Result<Option<Json<serde_json::Value>>> {
        Ok(self
            .0
            .changes
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
            .map_err(AppError::internal)?
            .map(Json))
    }
    /// Findings.
    async fn findings(&self) -> Vec<Finding> {
        self.0.findings.iter().cloned().map(Finding).collect()
    }
    /// Created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Published.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
}

/// What closing a period did.
#[derive(SimpleObject)]
pub struct PeriodClosing {
    /// New conclusions.
    pub created: i32,
    /// Drafts regenerated with new figures.
    pub regenerated: i32,
    /// New revisions of published conclusions (late data).
    pub revised: i32,
    /// Already up to date.
    pub unchanged: i32,
}

impl From<CloseSummary> for PeriodClosing {
    fn from(s: CloseSummary) -> Self {
        Self {
            created: s.created as i32,
            regenerated: s.regenerated as i32,
            revised: s.revised as i32,
            unchanged: s.unchanged as i32,
        }
    }
}

/// Filters for `conclusions`.
#[derive(InputObject, Default)]
pub struct ConclusionFilterInput {
    /// Institution or service conclusions.
    pub scope: Option<ConclusionScope>,
    /// Id of the institution or service.
    pub scope_id: Option<ID>,
    /// Period kind.
    pub period_kind: Option<PeriodKind>,
    /// Period start.
    pub period_start: Option<Date>,
    /// Draft or published.
    pub status: Option<ConclusionStatus>,
}

/// Conclusion queries.
#[derive(Default)]
pub struct ConclusionQuery;

#[Object]
impl ConclusionQuery {
    /// Conclusions: published ones for everyone (no account needed, small cells
    /// suppressed); drafts for their institution and supervisors.
    async fn conclusions(
        &self,
        c: &Context<'_>,
        filter: Option<ConclusionFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ConclusionConnection> {
        let (state, actor) = ctx(c)?;
        let f = filter.unwrap_or_default();
        let filter = ConclusionFilter {
            scope_kind: f.scope.map(Into::into),
            scope_id: f
                .scope_id
                .as_ref()
                .map(|i| parse_id("scopeId", i))
                .transpose()?,
            period_kind: f.period_kind.map(Into::into),
            period_start: f.period_start.map(|d| d.0),
            status: f.status.map(Into::into),
        };
        let p = svc::list(state, actor, filter, page(first, after)?).await?;
        Ok(ConclusionConnection::from_page(p, |c| c.id, Conclusion))
    }

    /// One conclusion.
    async fn conclusion(&self, c: &Context<'_>, id: ID) -> Result<Conclusion> {
        let (state, actor) = ctx(c)?;
        Ok(Conclusion(
            svc::get(state, actor, parse_id("id", &id)?).await?,
        ))
    }
}

/// Conclusion mutations.
#[derive(Default)]
pub struct ConclusionMutation;

#[Object]
impl ConclusionMutation {
    /// Makes (or brings up to date) the conclusions of a complete calendar period
    /// (ADMIN, SUPERVISOR). Idempotent.
    async fn close_period(
        &self,
        c: &Context<'_>,
        kind: PeriodKind,
        start: Date,
    ) -> Result<PeriodClosing> {
        let (state, actor) = ctx(c)?;
        Ok(svc::close_period(state, actor, kind.into(), start.0)
            .await?
            .into())
    }

    /// The institution's comment on a draft conclusion (its managers).
    async fn institution_comment(
        &self,
        c: &Context<'_>,
        conclusion_id: ID,
        comment: String,
    ) -> Result<Conclusion> {
        let (state, actor) = ctx(c)?;
        Ok(Conclusion(
            svc::comment(
                state,
                actor,
                parse_id("conclusionId", &conclusion_id)?,
                &comment,
            )
            .await?,
        ))
    }

    /// Publishes a draft conclusion (SUPERVISOR). It never changes afterwards.
    async fn publish_conclusion(&self, c: &Context<'_>, id: ID) -> Result<Conclusion> {
        let (state, actor) = ctx(c)?;
        Ok(Conclusion(
            svc::publish(state, actor, parse_id("id", &id)?).await?,
        ))
    }
}
