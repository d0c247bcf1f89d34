//! Conclusions: closing periods, comments, publishing, public reading.

use super::common::{Date, connection_type, ctx, page, parse_id};
use super::reports::PeriodKind;
use crate::services::conclusions::{
    self as svc, CloseSummary, ConclusionFilter, ConclusionView, FindingView,
};
use async_graphql::{Context, Enum, ID, InputObject, Json, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

connection_type!(
    ConclusionConnection,
    ConclusionEdge,
    Conclusion,
    "conclusions"
);

/// Lifecycle of a conclusion.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ConclusionStatus {
    /// Made by the system; the institution may comment; may be regenerated.
    Draft,
    /// Published by a supervisor; never changes (late data makes a new revision).
    Published,
}

/// What a conclusion is about.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ConclusionScope {
    /// An institution with its sub-institutions.
    Institution,
    /// One service.
    Service,
}

/// Something a conclusion found automatically; improvement actions link to it.
pub struct Finding(pub FindingView);

/// Something a conclusion found automatically; improvement actions link to it.
#[Object]
impl Finding {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// `LOW_DRIVER`, `LOW_SKM_ELEMENT`, `SIGNIFICANT_DROP`, `LOW_RESPONSE_RATE`,
    /// `INVITATIONS_WITHOUT_RESPONSES` or `LOW_CONFIDENCE`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    /// What it is about: a driver, a question key, `responses` or `figures`.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// The figures behind it.
    async fn detail(&self) -> Json<serde_json::Value> {
        Json(self.0.detail.clone())
    }
    /// Whether it still awaits action.
    async fn open(&self) -> bool {
        self.0.open
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
        if self.0.scope_kind == "SERVICE" {
            ConclusionScope::Service
        } else {
            ConclusionScope::Institution
        }
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
    /// 1, 2, … — a new revision after late data.
    async fn revision(&self) -> i32 {
        self.0.revision
    }
    /// Draft or published.
    async fn status(&self) -> ConclusionStatus {
        if self.0.status == "PUBLISHED" {
            ConclusionStatus::Published
        } else {
            ConclusionStatus::Draft
        }
    }
    /// The frozen figures: counts, response rate, per question and driver figures
    /// by origin (INVITED, OPEN, COMBINED), SKM, previous period. Figures from too
    /// few answers are `{suppressed: true}` for the public.
    async fn snapshot(&self) -> Json<serde_json::Value> {
        Json(self.0.content.clone())
    }
    /// SHA-256 (hex) of the canonical content and the institution's comment.
    async fn content_hash(&self) -> &str {
        &self.0.content_hash
    }
    /// The institution's comment.
    async fn institution_comment(&self) -> Option<&str> {
        self.0.institution_comment.as_deref()
    }
    /// What changed against the previous revision.
    async fn changes(&self) -> Option<Json<serde_json::Value>> {
        self.0.changes.clone().map(Json)
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
            scope_kind: f.scope.map(|s| {
                if s == ConclusionScope::Service {
                    "SERVICE".into()
                } else {
                    "INSTITUTION".into()
                }
            }),
            scope_id: f
                .scope_id
                .as_ref()
                .map(|i| parse_id("scopeId", i))
                .transpose()?,
            period_kind: f.period_kind.map(Into::into),
            period_start: f.period_start.map(|d| d.0),
            status: f.status.map(|s| {
                if s == ConclusionStatus::Published {
                    "PUBLISHED".into()
                } else {
                    "DRAFT".into()
                }
            }),
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
