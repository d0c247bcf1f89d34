//! Indicator frameworks and institution scorecards.

use super::catalogue::{Institution, InstitutionKind};
use super::common::{Date, LocalizedTextInput, LocalizedTextObject, ctx, parse_id};
use super::loaders::{self, InstitutionKey};
use super::vocab::PeriodKind;
use crate::domain::LocalizedText;
use crate::domain::scorecard as dom;
use crate::services::scorecards::{
    self as svc, FrameworkView, NewFramework, ScorecardFilter, ScorecardView,
};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

super::common::mirror_enum!(
    /// A component of an indicator framework (each a score on 0–100).
    ScoreComponent => dom::Component {
        /// The SKM index where the institution's surveys give one, else the top-box
        /// share × 100 of the A-11 trust or the overall question, pooled over the
        /// institution's services. Data: answers (at least the publication threshold).
        Satisfaction,
        /// Response rate against the framework's target, capped at 100. Data: invitations.
        Coverage,
        /// Improvement actions due in the period completed on time, and findings not
        /// left open 60 days after publication, pooled. Data: actions and findings.
        Improvement,
        /// Suggestions and requests due in the period answered within their deadline.
        /// Data: suggestions due.
        Responsiveness,
        /// The latest published NGO evaluation score (0–100). Data: evaluations.
        IndependentEvaluation,
    }
);

super::common::mirror_enum!(
    /// Whether a component counts in a scorecard's total.
    ComponentStatus => dom::ComponentStatus {
        /// Enough data: scored and weighted.
        Scored,
        /// Below the framework's minimum: left out, the other weights renormalised.
        InsufficientData,
    }
);

super::common::mirror_enum!(
    /// Lifecycle of an indicator framework version.
    FrameworkStatus => dom::FrameworkStatus {
        /// Being prepared.
        Draft,
        /// Public and immutable: a change is a new version.
        Published,
    }
);

super::common::mirror_enum!(
    /// Lifecycle of a scorecard.
    ScorecardStatus => dom::ScorecardStatus {
        /// Computed; recomputed as data changes.
        Draft,
        /// Frozen and hashed: never changes again.
        Published,
    }
);

/// One weighted component of a framework.
#[derive(SimpleObject)]
pub struct FrameworkComponent {
    /// Component.
    pub component: ScoreComponent,
    /// Weight (a framework's weights sum to 1).
    pub weight: f64,
    /// The least data for the component to count.
    pub minimum: i64,
}

/// One version of an indicator framework: how the scorecards weigh their
/// components. A published version never changes; a change is a new version.
pub struct IndicatorFramework(pub FrameworkView);

/// One version of an indicator framework: how the scorecards weigh their
/// components. A published version never changes; a change is a new version.
#[Object]
impl IndicatorFramework {
    /// Id (of this version).
    async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }
    /// The framework's key.
    async fn key(&self) -> &str {
        &self.0.row.key
    }
    /// Version, from 1.
    async fn version(&self) -> i32 {
        self.0.row.version
    }
    /// Name.
    async fn name(&self) -> LocalizedTextObject {
        LocalizedTextObject(LocalizedText::from_json(&self.0.row.name))
    }
    /// What it weighs and why.
    async fn description(&self) -> LocalizedTextObject {
        LocalizedTextObject(LocalizedText::from_json(&self.0.row.description))
    }
    /// Draft or published.
    async fn status(&self) -> FrameworkStatus {
        self.0.status.into()
    }
    /// When it was published.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.row.published_at
    }
    /// Its components, weights and minimums.
    async fn components(&self) -> Vec<FrameworkComponent> {
        self.0
            .spec
            .components
            .iter()
            .map(|c| FrameworkComponent {
                component: c.component.into(),
                weight: c.weight,
                minimum: i64::try_from(c.minimum).unwrap_or(i64::MAX),
            })
            .collect()
    }
    /// The response rate that scores 100 on `COVERAGE` (0–1).
    async fn coverage_target(&self) -> f64 {
        self.0.spec.coverage_target
    }
}

/// A named raw input of a component (e.g. `responded`, `invited`).
#[derive(SimpleObject)]
pub struct ScoreInput {
    /// Stable name.
    pub name: String,
    /// Value.
    pub value: f64,
}

/// One component of a scorecard: its raw inputs, score, weight and contribution.
#[derive(SimpleObject)]
pub struct ScorecardLine {
    /// Component.
    pub component: ScoreComponent,
    /// Scored, or left out for insufficient data.
    pub status: ComponentStatus,
    /// The amount of data behind it.
    pub n: i64,
    /// The framework's minimum.
    pub minimum: i64,
    /// Raw inputs.
    pub inputs: Vec<ScoreInput>,
    /// Score on 0–100 (absent when left out).
    pub score: Option<f64>,
    /// The framework's weight.
    pub weight: f64,
    /// The weight applied after renormalising over the components with data.
    pub applied_weight: Option<f64>,
    /// Applied weight × score.
    pub contribution: Option<f64>,
}

impl From<dom::Line> for ScorecardLine {
    fn from(l: dom::Line) -> Self {
        Self {
            component: l.component.into(),
            status: l.status.into(),
            n: i64::try_from(l.n).unwrap_or(i64::MAX),
            minimum: i64::try_from(l.minimum).unwrap_or(i64::MAX),
            inputs: l
                .inputs
                .into_iter()
                .map(|i| ScoreInput {
                    name: i.name,
                    value: i.value,
                })
                .collect(),
            score: l.score,
            weight: l.weight,
            applied_weight: l.applied_weight,
            contribution: l.contribution,
        }
    }
}

/// An institution's scorecard for a quarter, half-year or year under one
/// framework version: satisfaction counted in its performance indicators.
pub struct Scorecard(pub ScorecardView);

/// An institution's scorecard for a quarter, half-year or year under one
/// framework version: satisfaction counted in its performance indicators.
#[Object]
impl Scorecard {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }
    /// The institution's id.
    async fn institution_id(&self) -> ID {
        ID(self.0.row.institution_id.to_string())
    }
    /// The institution (with its sub-institutions, as its conclusion).
    async fn institution(&self, c: &Context<'_>) -> Result<Institution> {
        loaders::of(c)?
            .load_one(InstitutionKey(self.0.row.institution_id))
            .await?
            .map(Institution)
            .ok_or_else(|| crate::error::AppError::NotFound.into())
    }
    /// Its peer group: institutions of this kind are ranked together.
    async fn institution_kind(&self) -> Option<InstitutionKind> {
        crate::domain::catalogue::InstitutionKind::parse(&self.0.row.institution_kind)
            .map(Into::into)
    }
    /// Period kind.
    async fn period_kind(&self) -> Option<PeriodKind> {
        self.0.period.kind.map(Into::into)
    }
    /// Period label (e.g. `2026-Q3`).
    async fn period_label(&self) -> String {
        self.0.period.label()
    }
    /// First day.
    async fn period_start(&self) -> Date {
        Date(self.0.period.start)
    }
    /// Last day.
    async fn period_end(&self) -> Date {
        Date(self.0.period.end)
    }
    /// The framework version's id.
    async fn framework_id(&self) -> ID {
        ID(self.0.row.framework_id.to_string())
    }
    /// The framework's key.
    async fn framework_key(&self) -> &str {
        &self.0.framework_key
    }
    /// The framework's version.
    async fn framework_version(&self) -> i32 {
        self.0.framework_version
    }
    /// The published conclusion its satisfaction and coverage come from.
    async fn conclusion_id(&self) -> ID {
        ID(self.0.row.conclusion_id.to_string())
    }
    /// Draft or published.
    async fn status(&self) -> ScorecardStatus {
        self.0.status.into()
    }
    /// One line per framework component.
    async fn lines(&self) -> Vec<ScorecardLine> {
        self.0.card.lines.iter().cloned().map(Into::into).collect()
    }
    /// Σ contributions on 0–100, rounded half-up to two decimals (absent when no
    /// component has data).
    async fn total(&self) -> Option<f64> {
        self.0.card.total
    }
    /// The framework weight of the components with data (the renormalising divisor).
    async fn weight_with_data(&self) -> f64 {
        self.0.card.weight_with_data
    }
    /// Whether it is ranked: `SATISFACTION` has data and the components with data
    /// carry at least half the weight.
    async fn ranked(&self) -> bool {
        self.0.row.rank.is_some()
    }
    /// Rank among peers of the same kind (1 is best; equal totals share a rank).
    async fn rank(&self) -> Option<i32> {
        self.0.row.rank
    }
    /// Scorecards of the same kind, period and framework (ranked or not).
    async fn peers(&self) -> i32 {
        self.0.row.peers
    }
    /// SHA-256 of its canonical content (institution, period, framework version,
    /// conclusion, lines, total, rank), once published.
    async fn content_hash(&self) -> Option<&str> {
        self.0.row.content_hash.as_deref()
    }
    /// When it was published.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.row.published_at
    }
}

/// Which scorecards to list.
#[derive(InputObject, Default)]
pub struct ScorecardFilterInput {
    /// Of this period kind.
    pub period_kind: Option<PeriodKind>,
    /// Of the period starting on this day.
    pub period_start: Option<Date>,
    /// Of institutions of this kind (a peer group).
    pub institution_kind: Option<InstitutionKind>,
    /// Of this institution.
    pub institution_id: Option<ID>,
    /// Under this framework version.
    pub framework_id: Option<ID>,
    /// Draft or published.
    pub status: Option<ScorecardStatus>,
}

impl ScorecardFilterInput {
    fn parse(self) -> Result<ScorecardFilter> {
        Ok(ScorecardFilter {
            period_kind: self.period_kind.map(Into::into),
            period_start: self.period_start.map(|d| d.0),
            institution_kind: self.institution_kind.map(|k| {
                crate::domain::catalogue::InstitutionKind::from(k)
                    .as_str()
                    .to_owned()
            }),
            institution_id: self
                .institution_id
                .as_ref()
                .map(|i| parse_id("institutionId", i))
                .transpose()?,
            framework_id: self
                .framework_id
                .as_ref()
                .map(|i| parse_id("frameworkId", i))
                .transpose()?,
            status: self.status.map(Into::into),
        })
    }
}

/// How to order scorecards.
#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum ScorecardOrder {
    /// Newest period first, then per institution kind best rank first (the
    /// unranked last, by total).
    #[default]
    Rank,
}

/// A weighted component of a new framework version.
#[derive(InputObject)]
pub struct FrameworkComponentInput {
    /// Component.
    pub component: ScoreComponent,
    /// Weight in (0, 1]; the weights sum to 1.
    pub weight: f64,
    /// The least data for it to count (1–1,000,000).
    pub minimum: i64,
}

/// A new framework version.
#[derive(InputObject)]
pub struct IndicatorFrameworkInput {
    /// The framework's key: a new key starts at version 1, a known one gets the next version.
    pub key: String,
    /// Name (each translation at most 200 characters).
    pub name: LocalizedTextInput,
    /// What it weighs and why (each translation at most 2,000 characters).
    pub description: LocalizedTextInput,
    /// 1–5 distinct components.
    pub components: Vec<FrameworkComponentInput>,
    /// The response rate that scores 100 on `COVERAGE` (default 0.30).
    pub coverage_target: Option<f64>,
}

/// Framework and scorecard queries.
#[derive(Default)]
pub struct ScorecardQuery;

#[Object]
impl ScorecardQuery {
    /// Indicator frameworks: published versions for everyone (drafts too for
    /// ADMIN and SUPERVISOR).
    async fn indicator_frameworks(&self, c: &Context<'_>) -> Result<Vec<IndicatorFramework>> {
        let (state, actor) = ctx(c)?;
        Ok(svc::frameworks(state, actor)
            .await?
            .into_iter()
            .map(IndicatorFramework)
            .collect())
    }

    /// One framework version.
    async fn indicator_framework(&self, c: &Context<'_>, id: ID) -> Result<IndicatorFramework> {
        let (state, actor) = ctx(c)?;
        Ok(IndicatorFramework(
            svc::framework(state, actor, parse_id("id", &id)?).await?,
        ))
    }

    /// Scorecards: published ones for everyone, no account needed; drafts for
    /// SUPERVISOR, ADMIN and the institution's own users. At most 1,000: narrow
    /// the filter to a period for more.
    #[graphql(complexity = "10 + child_complexity")]
    async fn scorecards(
        &self,
        c: &Context<'_>,
        filter: Option<ScorecardFilterInput>,
        #[graphql(default)] order_by: ScorecardOrder,
    ) -> Result<Vec<Scorecard>> {
        let (state, actor) = ctx(c)?;
        let ScorecardOrder::Rank = order_by;
        let f = filter.unwrap_or_default().parse()?;
        Ok(svc::list(state, actor, f)
            .await?
            .into_iter()
            .map(Scorecard)
            .collect())
    }

    /// One scorecard.
    async fn scorecard(&self, c: &Context<'_>, id: ID) -> Result<Scorecard> {
        let (state, actor) = ctx(c)?;
        Ok(Scorecard(
            svc::get(state, actor, parse_id("id", &id)?).await?,
        ))
    }

    /// Scorecards as CSV (RFC 4180, UTF-8) for the government's performance
    /// evaluation: one row per scorecard with each component's status, score and
    /// weight, the total, rank and hash. Same visibility and limit as `scorecards`.
    #[graphql(complexity = 20)]
    async fn scorecards_csv(
        &self,
        c: &Context<'_>,
        filter: Option<ScorecardFilterInput>,
    ) -> Result<String> {
        let (state, actor) = ctx(c)?;
        let f = filter.unwrap_or_default().parse()?;
        Ok(svc::csv(state, actor, f).await?)
    }
}

/// Framework and scorecard mutations.
#[derive(Default)]
pub struct ScorecardMutation;

#[Object]
impl ScorecardMutation {
    /// Drafts the next version of an indicator framework (a SUPERVISOR).
    async fn draft_indicator_framework(
        &self,
        c: &Context<'_>,
        input: IndicatorFrameworkInput,
    ) -> Result<IndicatorFramework> {
        let (state, actor) = ctx(c)?;
        let mut components = vec![];
        for x in input.components.into_iter().take(20) {
            components.push(dom::Weighted {
                component: x.component.into(),
                weight: x.weight,
                minimum: u64::try_from(x.minimum).unwrap_or(0),
            });
        }
        let f = NewFramework {
            key: input.key,
            name: input.name.parse("name", 200)?,
            description: input.description.parse("description", 2_000)?,
            spec: dom::Spec {
                components,
                coverage_target: input
                    .coverage_target
                    .unwrap_or(dom::DEFAULT_COVERAGE_TARGET),
            },
        };
        Ok(IndicatorFramework(
            svc::draft_framework(state, actor, f).await?,
        ))
    }

    /// Publishes a framework draft (a SUPERVISOR): it never changes again.
    async fn publish_indicator_framework(
        &self,
        c: &Context<'_>,
        id: ID,
    ) -> Result<IndicatorFramework> {
        let (state, actor) = ctx(c)?;
        Ok(IndicatorFramework(
            svc::publish_framework(state, actor, parse_id("id", &id)?).await?,
        ))
    }

    /// Computes (or brings up to date) a quarter's, half-year's or year's draft
    /// scorecards under a framework version (a SUPERVISOR): one per institution
    /// with a published conclusion of the period. `CONFLICT` once they are published.
    async fn compute_scorecards(
        &self,
        c: &Context<'_>,
        kind: PeriodKind,
        start: Date,
        framework_id: ID,
    ) -> Result<Vec<Scorecard>> {
        let (state, actor) = ctx(c)?;
        let id = parse_id("frameworkId", &framework_id)?;
        Ok(svc::compute(state, actor, kind.into(), start.0, id)
            .await?
            .into_iter()
            .map(Scorecard)
            .collect())
    }

    /// Recomputes and publishes a period's scorecards under a published framework
    /// version (a SUPERVISOR): frozen and hashed, they never change again.
    async fn publish_scorecards(
        &self,
        c: &Context<'_>,
        kind: PeriodKind,
        start: Date,
        framework_id: ID,
    ) -> Result<Vec<Scorecard>> {
        let (state, actor) = ctx(c)?;
        let id = parse_id("frameworkId", &framework_id)?;
        Ok(svc::publish(state, actor, kind.into(), start.0, id)
            .await?
            .into_iter()
            .map(Scorecard)
            .collect())
    }
}
