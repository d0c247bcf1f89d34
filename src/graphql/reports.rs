//! Satisfaction reports and series, and rebuilding rollups.

use super::common::{Date, LocalizedTextObject, ctx, parse_id};
use super::surveys::{Driver, QuestionType};
use crate::domain::metrics::{Change, Nps, Share, SkmGrade as DomGrade};
use crate::domain::period::{Period, PeriodKind as DomKind};
use crate::error::{AppError, AppResult};
use crate::services::reports::{self as rep, Figures, Origin, Report, ReportScope};
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

/// Calendar period kinds (in the reporting time zone).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum PeriodKind {
    /// A month.
    Month,
    /// A quarter (starting Jan, Apr, Jul or Oct 1).
    Quarter,
    /// A half-year (starting Jan or Jul 1).
    HalfYear,
    /// A year.
    Year,
}

impl From<PeriodKind> for DomKind {
    fn from(k: PeriodKind) -> Self {
        match k {
            PeriodKind::Month => Self::Month,
            PeriodKind::Quarter => Self::Quarter,
            PeriodKind::HalfYear => Self::HalfYear,
            PeriodKind::Year => Self::Year,
        }
    }
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
    fn parse(self) -> AppResult<Period> {
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

/// A share k/n with its Wilson 95% interval (fractions in [0, 1]).
#[derive(SimpleObject)]
pub struct ShareFigure {
    /// Favourable count.
    pub k: i64,
    /// Denominator ("not applicable" excluded).
    pub n: i64,
    /// k / n.
    pub value: f64,
    /// Lower bound of the 95% interval.
    pub low: f64,
    /// Upper bound of the 95% interval.
    pub high: f64,
}

impl From<Share> for ShareFigure {
    fn from(s: Share) -> Self {
        Self {
            k: s.k as i64,
            n: s.n as i64,
            value: s.value,
            low: s.low,
            high: s.high,
        }
    }
}

/// Net Promoter Score with its standard error and 95% interval (−100…100).
#[derive(SimpleObject)]
pub struct NpsFigure {
    /// Answers.
    pub n: i64,
    /// % promoters − % detractors.
    pub score: f64,
    /// Share of promoters (9–10).
    pub promoters: f64,
    /// Share of detractors (0–6).
    pub detractors: f64,
    /// Standard error, in points.
    pub se: f64,
    /// Lower bound of the 95% interval.
    pub low: f64,
    /// Upper bound of the 95% interval.
    pub high: f64,
}

impl From<Nps> for NpsFigure {
    fn from(n: Nps) -> Self {
        Self {
            n: n.n as i64,
            score: n.score,
            promoters: n.promoters,
            detractors: n.detractors,
            se: n.se,
            low: n.low,
            high: n.high,
        }
    }
}

/// Change against the previous period, tested at 95%.
#[derive(SimpleObject)]
pub struct ChangeFigure {
    /// This period minus the previous, in the figure's unit.
    pub delta: f64,
    /// Test statistic.
    pub z: f64,
    /// |z| ≥ 1.96.
    pub significant: bool,
}

impl From<Change> for ChangeFigure {
    fn from(c: Change) -> Self {
        Self {
            delta: c.delta,
            z: c.z,
            significant: c.significant,
        }
    }
}

/// Which responses a set of figures counts.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum FigureOrigin {
    /// Answers to invitations.
    Invited,
    /// Open channel (posters, kiosks).
    Open,
    /// Both together.
    Combined,
}

impl From<Origin> for FigureOrigin {
    fn from(o: Origin) -> Self {
        match o {
            Origin::Invited => Self::Invited,
            Origin::Open => Self::Open,
            Origin::Combined => Self::Combined,
        }
    }
}

/// How many answers fell in one bucket (a scale value, an option, or `text`).
#[derive(SimpleObject)]
pub struct BucketCount {
    /// Scale value, option key, or `text`.
    pub bucket: String,
    /// Answers.
    pub count: i64,
}

/// Figures for one origin.
#[derive(SimpleObject)]
pub struct FigureSet {
    /// Invited, open channel, or combined.
    pub origin: FigureOrigin,
    /// Answers counted (not applicable excluded).
    pub n: i64,
    /// "Not applicable" answers.
    pub not_applicable: i64,
    /// Mean (scale questions).
    pub mean: Option<f64>,
    /// Top-box share (5-point 4–5, SKM 3–4, 7-point 6–7, faces 3, thumbs up); CSAT on a 5-point satisfaction question.
    pub top_box: Option<ShareFigure>,
    /// NPS (NPS questions).
    pub nps: Option<NpsFigure>,
    /// Answers per bucket.
    pub distribution: Vec<BucketCount>,
    /// Fewer answers than the publication threshold: never published, shown to the
    /// institution and supervisors only, with low confidence.
    pub low_confidence: bool,
    /// Change of the top-box share against the previous period.
    pub top_box_change: Option<ChangeFigure>,
    /// Change of the mean (Welch).
    pub mean_change: Option<ChangeFigure>,
    /// Change of NPS.
    pub nps_change: Option<ChangeFigure>,
    /// Conditional questions: respondents who were shown the question (e.g. thumbs up
    /// before "what went well?").
    pub shown: Option<i64>,
    /// Choice questions: each option's share of the respondents shown the question
    /// (or who answered it, when unconditional).
    pub option_shares: Vec<OptionShare>,
}

/// One option's share.
#[derive(SimpleObject)]
pub struct OptionShare {
    /// Option key.
    pub option: String,
    /// Share with its interval.
    pub share: ShareFigure,
}

fn figure_sets(figs: &std::collections::BTreeMap<Origin, Figures>) -> Vec<FigureSet> {
    figs.iter()
        .map(|(o, f)| FigureSet {
            origin: (*o).into(),
            n: f.n as i64,
            not_applicable: f.not_applicable as i64,
            mean: f.mean,
            top_box: f.top_box.map(Into::into),
            nps: f.nps.map(Into::into),
            distribution: f
                .distribution
                .iter()
                .map(|(b, c)| BucketCount {
                    bucket: b.clone(),
                    count: *c as i64,
                })
                .collect(),
            low_confidence: f.low_confidence,
            top_box_change: f.top_box_change.map(Into::into),
            mean_change: f.mean_change.map(Into::into),
            nps_change: f.nps_change.map(Into::into),
            shown: f.shown.map(|s| s as i64),
            option_shares: f
                .option_shares
                .iter()
                .map(|(k, s)| OptionShare {
                    option: k.clone(),
                    share: (*s).into(),
                })
                .collect(),
        })
        .collect()
}

/// SKM grade.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum SkmGrade {
    /// ≥ 88.31: very good.
    A,
    /// ≥ 76.61: good.
    B,
    /// ≥ 65.00: poor.
    C,
    /// Below 65.00: very poor.
    D,
}

/// The SKM index of the scope: (sum of the nine element means / 9) × 25.
#[derive(SimpleObject)]
pub struct SkmFigure {
    /// Invited, open channel, or combined.
    pub origin: FigureOrigin,
    /// Index, 25–100, rounded half-up to two decimals.
    pub index: f64,
    /// Grade.
    pub grade: SkmGrade,
}

/// Counts of the period.
#[derive(SimpleObject)]
pub struct ReportCounts {
    /// Invitations for deliveries in the period.
    pub invited: i64,
    /// Responses to them.
    pub responded: i64,
    /// Open-channel responses in the period.
    pub open_responses: i64,
    /// Services delivered, as reported.
    pub delivered: i64,
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
        figure_sets(&self.0.figures)
    }
}

/// Top-box share of one driver, pooled over every question measuring it.
pub struct DriverFigures(pub rep::DriverReport);

/// Top-box share of one driver, pooled over every question measuring it.
#[Object]
impl DriverFigures {
    /// Driver.
    async fn driver(&self) -> Driver {
        self.0.driver.into()
    }
    /// Figures: invited, open channel and combined.
    async fn figures(&self) -> Vec<FigureSet> {
        figure_sets(&self.0.figures)
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
        let c = self.0.counts;
        ReportCounts {
            invited: c.invited as i64,
            responded: c.responded as i64,
            open_responses: c.open_responses as i64,
            delivered: c.delivered as i64,
        }
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
        self.0.drivers.iter().cloned().map(DriverFigures).collect()
    }
    /// SKM index and grade, where all nine elements have answers.
    async fn skm(&self) -> Vec<SkmFigure> {
        self.0
            .skm
            .iter()
            .map(|(o, s)| SkmFigure {
                origin: (*o).into(),
                index: s.index,
                grade: match s.grade {
                    DomGrade::A => SkmGrade::A,
                    DomGrade::B => SkmGrade::B,
                    DomGrade::C => SkmGrade::C,
                    DomGrade::D => SkmGrade::D,
                },
            })
            .collect()
    }
    /// The previous period (its own figures; changes are on this period's figures).
    async fn previous(&self) -> Option<SatisfactionReport> {
        self.0.previous.as_deref().cloned().map(SatisfactionReport)
    }
    /// Fewer answers than this make a figure low-confidence (never published).
    async fn suppression_threshold(&self) -> i32 {
        self.0.threshold as i32
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
