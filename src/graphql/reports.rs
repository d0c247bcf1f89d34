//! Satisfaction reports and series, and rebuilding rollups.

use super::common::{Date, LocalizedTextObject, ctx, parse_id};
use super::evaluations::NgoEvaluation;
use super::figures::{
    DimensionFigures, DriverFigures, FigureSet, ReportCounts, RespondentKindFigures, ShareFigure,
    SkmFigure, figure_sets,
};
use super::surveys::{Driver, QuestionType};
pub use super::vocab::PeriodKind;
use crate::domain::period::Period;
use crate::error::{AppError, AppResult};
use crate::services::reports::{self as rep, Report, ReportScope};
use crate::services::rollups;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};

/// What a report is about.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ReportScopeKind {
    /// The whole country (for institution users: everything they may see).
    Country,
    /// An institution (`id`), with its sub-institutions unless told otherwise.
    Institution,
    /// One service (`id`).
    Service,
    /// One service point (`id`).
    ServicePoint,
    /// Service points in a region (`regionCode`) and its sub-regions.
    Region,
}

/// The scope of a report.
#[derive(InputObject)]
pub struct ReportScopeInput {
    /// Kind of scope.
    pub kind: ReportScopeKind,
    /// Institution, service or service point id.
    pub id: Option<ID>,
    /// Region code (REGION).
    pub region_code: Option<String>,
    /// INSTITUTION: include everything below it (default true).
    #[graphql(default = true)]
    pub include_sub_institutions: bool,
}

/// A period: `{kind, start}` for a calendar period, or `{from, to}` for a custom range.
#[derive(InputObject)]
pub struct PeriodInput {
    /// Calendar period kind.
    pub kind: Option<PeriodKind>,
    /// First day of the calendar period.
    pub start: Option<Date>,
    /// Custom range: first day.
    pub from: Option<Date>,
    /// Custom range: last day (inclusive).
    pub to: Option<Date>,
}

impl PeriodInput {
    /// The period it names.
    pub(super) fn parse(self) -> AppResult<Period> {
        match (self.kind, self.start, self.from, self.to) {
            (Some(k), Some(s), None, None) => Ok(Period::calendar(k.into(), s.0)?),
            (None, None, Some(f), Some(t)) => Ok(Period::custom(f.0, t.0)?),
            _ => Err(AppError::bad_input(
                "period",
                "give {kind, start} or {from, to}",
            )),
        }
    }
}

impl ReportScopeInput {
    fn parse(self) -> AppResult<ReportScope> {
        let id = || {
            self.id
                .as_ref()
                .ok_or_else(|| {
                    AppError::bad_input("scope.id", "is required for this kind of scope")
                })
                .and_then(|i| parse_id("scope.id", i))
        };
        Ok(match self.kind {
            ReportScopeKind::Country => ReportScope::Country,
            ReportScopeKind::Institution => ReportScope::Institution {
                id: id()?,
                include_sub_institutions: self.include_sub_institutions,
            },
            ReportScopeKind::Service => ReportScope::Service(id()?),
            ReportScopeKind::ServicePoint => ReportScope::ServicePoint(id()?),
            ReportScopeKind::Region => {
                ReportScope::Region(self.region_code.clone().ok_or_else(|| {
                    AppError::bad_input("scope.regionCode", "is required for REGION")
                })?)
            }
        })
    }
}

/// Figures of one question of one survey.
pub struct QuestionFigures(pub rep::QuestionReport);

/// Figures of one question of one survey.
#[Object]
impl QuestionFigures {
    /// Survey.
    async fn survey_id(&self) -> ID {
        ID(self.0.survey_id.to_string())
    }
    /// Question key.
    async fn question_key(&self) -> &str {
        &self.0.question.key
    }
    /// Question text (newest version answered).
    async fn text(&self) -> LocalizedTextObject {
        LocalizedTextObject(self.0.question.text.clone())
    }
    /// Kind of question.
    #[graphql(name = "type")]
    async fn kind(&self) -> QuestionType {
        self.0.question.kind.into()
    }
    /// Driver measured.
    async fn driver(&self) -> Option<Driver> {
        self.0.question.driver.map(Into::into)
    }
    /// Figures: invited, open channel and combined.
    async fn figures(&self) -> Vec<FigureSet> {
        figure_sets(rep::figure_sets(&self.0.figures))
    }
}

/// Satisfaction figures of a scope in a period, computed from rollups.
pub struct SatisfactionReport(pub Report);

/// Satisfaction figures of a scope in a period, computed from rollups.
#[Object]
impl SatisfactionReport {
    /// Period label: `2026-11`, `2026-Q3`, `2026-H1`, `2026`, or a range.
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
    /// Counts: invited, responded, open channel, delivered.
    async fn counts(&self) -> ReportCounts {
        self.0.counts.into()
    }
    /// Responses / invitations (the period's invitation cohort).
    async fn response_rate(&self) -> Option<ShareFigure> {
        self.0.response_rate.map(Into::into)
    }
    /// Responses / services delivered.
    async fn response_rate_delivered(&self) -> Option<ShareFigure> {
        self.0.response_rate_delivered.map(Into::into)
    }
    /// Per question.
    async fn questions(&self) -> Vec<QuestionFigures> {
        self.0
            .questions
            .iter()
            .cloned()
            .map(QuestionFigures)
            .collect()
    }
    /// Per driver.
    async fn drivers(&self) -> Vec<DriverFigures> {
        self.0
            .drivers
            .iter()
            .map(|d| {
                crate::domain::figures::DriverFigures {
                    driver: d.driver,
                    figures: rep::figure_sets(&d.figures),
                }
                .into()
            })
            .collect()
    }
    /// Per dimension of the commitment (quality, availability, transparency,
    /// openness): comparable across instruments.
    async fn dimensions(&self) -> Vec<DimensionFigures> {
        self.0
            .dimensions
            .iter()
            .map(|d| {
                crate::domain::figures::DimensionFigures {
                    dimension: d.dimension,
                    figures: rep::figure_sets(&d.figures),
                }
                .into()
            })
            .collect()
    }
    /// Split by respondent kind: individuals and legal entities, as the
    /// delivering systems said (empty when none did).
    async fn respondent_kinds(&self) -> Vec<RespondentKindFigures> {
        self.0
            .respondent_kind_figures()
            .into_iter()
            .map(Into::into)
            .collect()
    }
    /// SKM index and grade, where all nine elements have answers.
    async fn skm(&self) -> Vec<SkmFigure> {
        self.0.skm_figures().into_iter().map(Into::into).collect()
    }
    /// The previous period (its own figures; changes are on this period's figures).
    async fn previous(&self) -> Option<SatisfactionReport> {
        self.0.previous.as_deref().cloned().map(SatisfactionReport)
    }
    /// Fewer answers than this make a figure low-confidence (never published).
    async fn suppression_threshold(&self) -> i32 {
        self.0.threshold as i32
    }
    /// Published NGO evaluations of the scope whose period overlaps this one:
    /// the independent voice beside the citizens' own figures.
    #[graphql(complexity = 10)]
    async fn ngo_evaluations(&self, c: &Context<'_>) -> Result<Vec<NgoEvaluation>> {
        let (state, _) = ctx(c)?;
        Ok(crate::services::evaluations::published_for(
            state,
            &self.0.scope,
            self.0.period.start,
            self.0.period.end,
        )
        .await?
        .into_iter()
        .map(NgoEvaluation)
        .collect())
    }
}

/// What a rollup rebuild did.
#[derive(SimpleObject)]
pub struct RollupRebuild {
    /// First day rebuilt.
    pub from: Date,
    /// Last day rebuilt.
    pub to: Date,
    /// Responses recounted.
    pub responses: i64,
}

/// Complexity of one period's figures for one unit of scope (each also computes
/// the previous period for its changes).
pub const REPORT_UNIT_COST: usize = 5;

/// How much a scope weighs: the whole country reads every institution's rollups, a
/// subtree or region several, one institution, service or point only its own.
fn scope_weight(scope: &ReportScopeInput) -> usize {
    match scope.kind {
        ReportScopeKind::Country => 4,
        ReportScopeKind::Institution if scope.include_sub_institutions => 2,
        ReportScopeKind::Region => 2,
        _ => 1,
    }
}

/// Complexity of `satisfactionReport`: its work, plus what is selected of it.
pub fn report_cost(scope: &ReportScopeInput, child_complexity: usize) -> usize {
    REPORT_UNIT_COST * scope_weight(scope) + child_complexity
}

/// Complexity of `reportSeries`: one report per period (at most 120), plus what is
/// selected of each.
pub fn series_cost(
    scope: &ReportScopeInput,
    kind: PeriodKind,
    from: Date,
    to: Date,
    child_complexity: usize,
) -> usize {
    use chrono::Datelike;
    let months = |d: chrono::NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    let step = match kind {
        PeriodKind::Month => 1,
        PeriodKind::Quarter => 3,
        PeriodKind::HalfYear => 6,
        PeriodKind::Year => 12,
    };
    let periods = ((months(to.0) - months(from.0)) / step + 1).clamp(1, 120) as usize;
    periods * (REPORT_UNIT_COST * scope_weight(scope) + child_complexity)
}

/// Report queries.
#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// Figures of a scope in a period, with the previous period and changes
    /// (institution users: their subtree; SUPERVISOR, ADMIN: all). Costly: at most
    /// ten reports in one request, and a few at once per caller.
    #[graphql(complexity = "report_cost(&scope, child_complexity)")]
    async fn satisfaction_report(
        &self,
        c: &Context<'_>,
        scope: ReportScopeInput,
        period: PeriodInput,
    ) -> Result<SatisfactionReport> {
        let (state, actor) = ctx(c)?;
        Ok(SatisfactionReport(
            rep::satisfaction_report(state, actor, scope.parse()?, period.parse()?).await?,
        ))
    }

    /// The same figures per calendar period from the one containing `from` to the
    /// one containing `to` (at most 120), for trend charts. Costs one report per period.
    #[graphql(complexity = "series_cost(&scope, kind, from, to, child_complexity)")]
    async fn report_series(
        &self,
        c: &Context<'_>,
        scope: ReportScopeInput,
        kind: PeriodKind,
        from: Date,
        to: Date,
    ) -> Result<Vec<SatisfactionReport>> {
        let (state, actor) = ctx(c)?;
        let first = Period::containing(kind.into(), from.0)?;
        Ok(
            rep::report_series(state, actor, scope.parse()?, first, to.0)
                .await?
                .into_iter()
                .map(SatisfactionReport)
                .collect(),
        )
    }
}

/// Report mutations.
#[derive(Default)]
pub struct ReportMutation;

#[Object]
impl ReportMutation {
    /// Recomputes the rollups of the whole months covering `from`..`to` from raw
    /// responses (ADMIN). Submissions arriving meanwhile are not lost.
    async fn rebuild_rollups(
        &self,
        c: &Context<'_>,
        from: Date,
        to: Date,
    ) -> Result<RollupRebuild> {
        let (state, actor) = ctx(c)?;
        let r = rollups::rebuild(state, actor, from.0, to.0).await?;
        Ok(RollupRebuild {
            from: Date(r.from),
            to: Date(r.to),
            responses: r.responses as i64,
        })
    }
}
