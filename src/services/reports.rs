//! Satisfaction reports, answered from rollups only (never from raw responses).
//! Figures for a scope pool the counts of everything in it.

use super::surveys::{VersionView, version_unchecked};
use crate::auth::Actor;
use crate::authz::{self, Action, InstitutionScope};
use crate::domain::bucket::Bucket;
use crate::domain::figures::{
    BucketCount, DimensionFigures, DriverFigures, FigureSet, OptionShare, PreviousFigures,
    QuestionFigures, RespondentKindFigures, SkmFigure, Snapshot,
};
use crate::domain::metrics::{self, Change, Distribution, Nps, ScaleKind, Share, SkmIndex};
use crate::domain::period::Period;
use crate::domain::survey::{Driver, Question, QuestionType};
use crate::domain::vocab::{Dimension, Provenance, RespondentKind};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use entity::{institution_closure, region, service, service_point};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// What a report is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportScope {
    /// The whole country.
    Country,
    /// An institution, with or without its sub-institutions.
    Institution {
        /// Institution.
        id: Uuid,
        /// Include everything below it.
        include_sub_institutions: bool,
    },
    /// One service.
    Service(Uuid),
    /// One service point.
    ServicePoint(Uuid),
    /// Service points in a region (and its sub-regions).
    Region(String),
}

/// Which responses a figure counts (the domain's name).
pub use crate::domain::vocab::FigureOrigin as Origin;

/// Figures of one question (or driver) for one origin.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    /// Answers with a value (not applicable excluded).
    pub n: u64,
    /// "Not applicable" answers.
    pub not_applicable: u64,
    /// value → count (scale questions) or option → count (choice questions).
    pub distribution: Vec<(String, u64)>,
    /// Mean value (scale questions).
    pub mean: Option<f64>,
    /// Top-box share with its interval (scale questions; CSAT for 5-point satisfaction).
    pub top_box: Option<Share>,
    /// NPS (NPS questions).
    pub nps: Option<Nps>,
    /// n below the publication threshold: shown to the institution and supervisors
    /// flagged as low-confidence.
    pub low_confidence: bool,
    /// Change of the top-box share against the previous period.
    pub top_box_change: Option<Change>,
    /// Change of the mean against the previous period.
    pub mean_change: Option<Change>,
    /// Change of NPS against the previous period.
    pub nps_change: Option<Change>,
    #[doc(hidden)]
    pub dist: Distribution,
    #[doc(hidden)]
    pub answered: u64,
    /// Respondents who were shown this question (conditional questions), e.g. the
    /// thumbs-up answers before A-11 v2's "what went well?".
    pub shown: Option<u64>,
    /// Choice questions: each option's share of the respondents shown the question
    /// (or who answered it, for unconditional questions).
    pub option_shares: Vec<(String, Share)>,
}

/// One question of one survey in the scope.
#[derive(Debug, Clone)]
pub struct QuestionReport {
    /// Survey.
    pub survey_id: Uuid,
    /// The question as in the newest version answered.
    pub question: Question,
    /// Figures per origin.
    pub figures: BTreeMap<Origin, Figures>,
}

/// One of the commitment's dimensions across the scope's surveys: the top-box
/// share pools across scales, and `mean` is the mean answer normalised to 0–100
/// on each question's own scale ((v − min) / (max − min) × 100), so institutions
/// using different instruments compare.
#[derive(Debug, Clone)]
pub struct DimensionReport {
    /// Dimension.
    pub dimension: Dimension,
    /// Figures per origin (`n`, `top_box`, `mean` on 0–100).
    pub figures: BTreeMap<Origin, Figures>,
}

/// The figures of the responses of one respondent kind (as the delivering
/// system said), pooled as the report's own.
#[derive(Debug, Clone)]
pub struct RespondentKindReport {
    /// Kind.
    pub kind: RespondentKind,
    /// Its responses.
    pub responses: u64,
    /// Per driver.
    pub drivers: Vec<DriverReport>,
    /// Per dimension.
    pub dimensions: Vec<DimensionReport>,
    /// SKM index per origin.
    pub skm: BTreeMap<Origin, SkmScore>,
}

/// One driver across the scope's surveys (top-box shares pool across scales).
#[derive(Debug, Clone)]
pub struct DriverReport {
    /// Driver.
    pub driver: Driver,
    /// Figures per origin (`top_box` only).
    pub figures: BTreeMap<Origin, Figures>,
}

pub use crate::domain::figures::Counts;

/// A satisfaction report.
#[derive(Debug, Clone)]
pub struct Report {
    /// Scope.
    pub scope: ReportScope,
    /// Period.
    pub period: Period,
    /// Counts.
    pub counts: Counts,
    /// Responses / invitations.
    pub response_rate: Option<Share>,
    /// Responses / services delivered (when delivered counts are reported).
    pub response_rate_delivered: Option<Share>,
    /// Per question.
    pub questions: Vec<QuestionReport>,
    /// Per driver.
    pub drivers: Vec<DriverReport>,
    /// Per dimension of the commitment.
    pub dimensions: Vec<DimensionReport>,
    /// Split by respondent kind (only the kinds the delivering systems gave).
    pub respondent_kinds: Vec<RespondentKindReport>,
    /// SKM index and grade per origin, where all nine elements have answers.
    pub skm: BTreeMap<Origin, SkmScore>,
    /// The previous period's counts and SKM index, for deltas.
    pub previous: Option<Box<Report>>,
    /// The publication threshold applied.
    pub threshold: u64,
    /// The provenances counted in the `HEADLINE` figures, when a supervisor
    /// narrowed them for the scope's institution (`None`: all count).
    pub headline: Option<Vec<Provenance>>,
}

/// One question being pooled: the newest definition seen, its version, figures.
type QuestionAcc = (Question, i32, BTreeMap<Origin, Figures>);
/// (survey, question key).
type QuestionId = (Uuid, String);
/// (question it depends on, values that show it).
type Condition = (String, Vec<i32>);
/// Driver → (top-box k, n) per origin.
type DriverAcc = BTreeMap<String, (Driver, BTreeMap<Origin, (u64, u64)>)>;
/// Dimension → origin → (top-box k, n, sum of normalised answers).
type DimensionAcc = BTreeMap<Dimension, BTreeMap<Origin, (u64, u64, f64)>>;

/// Default publication threshold (answers); `SANAL_SUPPRESSION_THRESHOLD` sets it.
pub const SUPPRESSION_THRESHOLD: u64 = 10;

/// `CAST(SUM(n) AS BIGINT)`: PostgreSQL sums BIGINT into NUMERIC otherwise.
fn sum_n() -> sea_orm::sea_query::SimpleExpr {
    Expr::cust("CAST(SUM(n) AS BIGINT)")
}

async fn region_points(conn: &impl ConnectionTrait, code: &str) -> AppResult<Vec<Uuid>> {
    let codes: Vec<String> = region::Entity::find()
        .filter(
            region::Column::Code
                .eq(code)
                .or(region::Column::ParentCode.eq(code)),
        )
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.code)
        .collect();
    if codes.is_empty() {
        return Err(AppError::bad_input(
            "scope.regionCode",
            "unknown region code",
        ));
    }
    Ok(service_point::Entity::find()
        .filter(service_point::Column::RegionCode.is_in(codes))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect())
}

/// Filters shared by every rollup query.
struct Filter {
    access: InstitutionScope,
    scope: ReportScope,
    region_points: Vec<Uuid>,
    /// An institution scope with its sub-institutions: every institution in it.
    subtree: Vec<Uuid>,
}

/// The columns a scope is matched on, in one table or join.
struct ScopeColumns {
    institution: Expr,
    service: Expr,
    /// `None` for tables without a service point (monthly rollups).
    point: Option<Expr>,
}

impl Filter {
    /// Adds the access and scope conditions on `cols` to a select: the one place
    /// that says what a scope covers, for rollups and delivered counts alike.
    fn apply_on(&self, q: &mut SelectStatement, cols: ScopeColumns) {
        if let InstitutionScope::Subtrees(roots) = &self.access {
            q.and_where(
                cols.institution
                    .clone()
                    .in_subquery(authz::subtree_ids(roots)),
            );
        }
        match (&self.scope, cols.point) {
            (ReportScope::Country, _) => {}
            (
                ReportScope::Institution {
                    include_sub_institutions: true,
                    ..
                },
                _,
            ) => {
                // The ids themselves, not a subquery: PostgreSQL then plans the
                // rollup read for so few institutions (an index range per id)
                // even with the generic plan of a prepared statement.
                q.and_where(cols.institution.is_in(self.subtree.iter().copied()));
            }
            (ReportScope::Institution { id, .. }, _) => {
                q.and_where(cols.institution.eq(*id));
            }
            (ReportScope::Service(s), _) => {
                q.and_where(cols.service.eq(*s));
            }
            (ReportScope::ServicePoint(p), Some(point)) => {
                q.and_where(point.eq(*p));
            }
            (ReportScope::Region(_), Some(point)) => {
                q.and_where(point.is_in(self.region_points.iter().copied()));
            }
            (ReportScope::ServicePoint(_) | ReportScope::Region(_), None) => {}
        }
    }

    /// Adds the conditions to a rollup select. `daily` tells whether the table has a
    /// service point column.
    fn apply(&self, q: &mut SelectStatement, daily: bool) {
        let col = |c: &str| Expr::col(Alias::new(c));
        self.apply_on(
            q,
            ScopeColumns {
                institution: col("institution_id"),
                service: col("service_id"),
                point: daily.then(|| col("service_point_id")),
            },
        );
    }

    fn needs_daily(&self, period: &Period) -> bool {
        !period.month_aligned()
            || matches!(
                self.scope,
                ReportScope::ServicePoint(_) | ReportScope::Region(_)
            )
    }
}

/// Raw pooled counts: (provenance, version, question, bucket) → n.
type Cells = Vec<(String, Uuid, String, String, u64)>;

/// What the rollups say about one period: its pooled cells and its invited and
/// delivered counts.
#[derive(Default)]
struct PeriodRows {
    cells: Cells,
    invited: u64,
    delivered: u64,
}

/// Which part of the one grouped read a row belongs to.
const PART_CELLS: i32 = 0;
const PART_INVITED: i32 = 1;
const PART_DELIVERED: i32 = 2;

/// `CASE WHEN col BETWEEN start AND end THEN k … ELSE -1 END`: the index of the
/// period in `periods` a row's day (or month) falls in.
fn period_index(col: Expr, periods: &[Period]) -> Expr {
    let mut case: Option<sea_orm::sea_query::CaseStatement> = None;
    for (k, p) in periods.iter().enumerate() {
        let cond = col.clone().between(p.start, p.end);
        let k = i32::try_from(k).unwrap_or(i32::MAX);
        case = Some(match case {
            None => Expr::case(cond, k),
            Some(c) => c.case(cond, k),
        });
    }
    match case {
        Some(c) => c.finally(-1).into(),
        None => Expr::val(-1),
    }
}

/// Reads the rollups of every period in `periods` (all of one kind) in **one**
/// statement: the pooled answer cells, the invitation cohort and the delivered
/// counts, each grouped by period, so that a report and its previous period (or
/// a whole series) cost one round trip to the database, not three per period.
async fn read_periods(
    conn: &impl ConnectionTrait,
    f: &Filter,
    periods: &[Period],
    quarantine: bool,
) -> AppResult<Vec<PeriodRows>> {
    let mut out: Vec<PeriodRows> = periods.iter().map(|_| PeriodRows::default()).collect();
    let (Some(first), Some(last)) = (
        periods.iter().map(|p| p.start).min(),
        periods.iter().map(|p| p.end).max(),
    ) else {
        return Ok(out);
    };
    // A quarantined cell leaves every figure: only the daily grain can tell it apart.
    let daily = quarantine || periods.iter().any(|p| f.needs_daily(p));
    let (table, itable, col) = if daily {
        ("rollup_daily", "rollup_invitations_daily", "day")
    } else {
        ("rollup_monthly", "rollup_invitations_monthly", "month")
    };
    let a = |s: &str| Alias::new(s);
    let ix = || a("period_ix");
    let span = |q: &mut SelectStatement, c: Expr| {
        q.and_where(c.clone().gte(first)).and_where(c.lte(last));
    };
    // The answers, pooled per cell.
    let mut q = Query::select();
    q.expr_as(Expr::val(PART_CELLS), a("part"))
        .expr_as(period_index(Expr::col(a(col)), periods), ix())
        .columns([
            a("provenance"),
            a("survey_version_id"),
            a("question_key"),
            a("bucket"),
        ])
        .expr_as(sum_n(), a("total"))
        .from(a(table))
        .group_by_col(ix())
        .group_by_columns([
            a("provenance"),
            a("survey_version_id"),
            a("question_key"),
            a("bucket"),
        ]);
    span(&mut q, Expr::col(a(col)));
    f.apply(&mut q, daily);
    if quarantine {
        q.and_where(not_quarantined(table, "day"));
    }
    // The invitation cohort (invitations delivered in the period).
    let blank = |q: &mut SelectStatement| {
        q.expr_as(Expr::val(""), a("provenance"))
            .expr_as(Expr::cust("NULL"), a("survey_version_id"))
            .expr_as(Expr::val(""), a("question_key"))
            .expr_as(Expr::val(""), a("bucket"));
    };
    let mut iq = Query::select();
    iq.expr_as(Expr::val(PART_INVITED), a("part"))
        .expr_as(period_index(Expr::col(a(col)), periods), ix());
    blank(&mut iq);
    iq.expr_as(sum_n(), a("total"))
        .from(a(itable))
        .group_by_col(ix());
    span(&mut iq, Expr::col(a(col)));
    f.apply(&mut iq, daily);
    if quarantine {
        iq.and_where(not_quarantined(itable, "day"));
    }
    // Deliveries the delivering systems reported (always daily, never quarantined).
    let d = |c: &str| Expr::col((a("d"), a(c)));
    let mut dq = Query::select();
    dq.expr_as(Expr::val(PART_DELIVERED), a("part"))
        .expr_as(period_index(d("day"), periods), ix());
    blank(&mut dq);
    dq.expr_as(Expr::cust("CAST(SUM(d.count) AS BIGINT)"), a("total"))
        .from_as(a("delivered_counts"), a("d"))
        .inner_join(
            a("services"),
            Expr::col((a("services"), a("id"))).equals((a("d"), a("service_id"))),
        )
        .and_where(not_quarantined("d", "day"))
        .group_by_col(ix());
    span(&mut dq, d("day"));
    f.apply_on(
        &mut dq,
        ScopeColumns {
            institution: Expr::col((a("services"), a("institution_id"))),
            service: d("service_id"),
            point: Some(d("service_point_id")),
        },
    );
    q.union(sea_orm::sea_query::UnionType::All, iq)
        .union(sea_orm::sea_query::UnionType::All, dq);
    let backend = conn.get_database_backend();
    for r in conn.query_all_raw(backend.build(&q)).await? {
        let part: i32 = r.try_get("", "part")?;
        let k: i32 = r.try_get("", "period_ix")?;
        let Some(rows) = usize::try_from(k).ok().and_then(|k| out.get_mut(k)) else {
            continue;
        };
        let total = std::cmp::max(r.try_get::<Option<i64>>("", "total")?.unwrap_or(0), 0) as u64;
        match part {
            PART_INVITED => rows.invited += total,
            PART_DELIVERED => rows.delivered += total,
            _ => {
                let Some(version) = r.try_get::<Option<Uuid>>("", "survey_version_id")? else {
                    continue;
                };
                rows.cells.push((
                    r.try_get("", "provenance")?,
                    version,
                    r.try_get("", "question_key")?,
                    r.try_get("", "bucket")?,
                    total,
                ));
            }
        }
    }
    Ok(out)
}

/// Whether a cell in any of `periods` is quarantined (then reports read the daily grain).
async fn any_quarantine(conn: &impl ConnectionTrait, periods: &[Period]) -> AppResult<bool> {
    use entity::quarantined_cell as qc;
    use sea_orm::PaginatorTrait;
    let (Some(from), Some(to)) = (
        periods.iter().map(|p| p.start).min(),
        periods.iter().map(|p| p.end).max(),
    ) else {
        return Ok(false);
    };
    Ok(qc::Entity::find()
        .filter(qc::Column::Day.gte(from))
        .filter(qc::Column::Day.lte(to))
        .filter(qc::Column::ReleasedAt.is_null())
        .count(conn)
        .await?
        > 0)
}

/// Rows of `table` (its `service_id` and `day_col`) outside quarantined cells.
fn not_quarantined(table: &str, day_col: &str) -> sea_orm::sea_query::SimpleExpr {
    Expr::cust(format!(
        "NOT EXISTS (SELECT 1 FROM quarantined_cells qc WHERE qc.service_id = {table}.service_id \
         AND qc.day = {table}.{day_col} AND qc.released_at IS NULL)"
    ))
}

fn scale_kind(q: &Question) -> Option<ScaleKind> {
    match q.kind {
        QuestionType::Rating => Some(ScaleKind::Rating {
            min: q.min,
            max: q.max,
        }),
        QuestionType::Faces => Some(ScaleKind::Faces),
        QuestionType::Thumbs => Some(ScaleKind::Thumbs),
        QuestionType::Nps => Some(ScaleKind::Nps),
        _ => None,
    }
}

/// A rollup's provenance (an unknown stored one is trusted least).
fn provenance_of(s: &str) -> Provenance {
    Provenance::parse(s).unwrap_or(Provenance::InstitutionSystem)
}

const SKM: [Driver; 9] = [
    Driver::SkmRequirements,
    Driver::SkmProcedure,
    Driver::SkmTime,
    Driver::SkmCost,
    Driver::SkmProduct,
    Driver::SkmCompetence,
    Driver::SkmBehaviour,
    Driver::SkmComplaints,
    Driver::SkmFacilities,
];

fn finish(q: &Question, fig: &mut Figures, threshold: u64) {
    fig.n = if scale_kind(q).is_some() {
        fig.dist.n()
    } else {
        fig.answered
    };
    if q.kind.is_choice() {
        let base = fig.shown.unwrap_or(fig.answered);
        fig.option_shares = fig
            .distribution
            .iter()
            .filter_map(|(k, c)| {
                metrics::share(std::cmp::min(*c, base), base).map(|s| (k.clone(), s))
            })
            .collect();
    }
    fig.not_applicable = fig.dist.not_applicable;
    if let Some(kind) = scale_kind(q) {
        fig.mean = fig.dist.mean();
        fig.top_box = metrics::top_box(&fig.dist, kind);
        if q.kind == QuestionType::Nps {
            fig.nps = metrics::nps(&fig.dist);
        }
        if fig.distribution.is_empty() {
            fig.distribution = fig
                .dist
                .counts
                .iter()
                .map(|(v, c)| (v.to_string(), *c))
                .collect();
        }
    }
    fig.low_confidence = metrics::suppressed(fig.n, threshold);
}

/// Questions being pooled: (survey, question key) → (newest definition, its
/// version number, figures per origin).
type Questions = BTreeMap<QuestionId, QuestionAcc>;

/// Pools the rollup cells into per-question figures and the response counts.
async fn accumulate(
    conn: &impl ConnectionTrait,
    cells: Cells,
    counts: &mut Counts,
    versions: &mut HashMap<Uuid, VersionView>,
    headline: Option<&[Provenance]>,
) -> AppResult<Questions> {
    let mut questions: Questions = BTreeMap::new();
    for (provenance, version, key, bucket, n) in cells {
        let p = provenance_of(&provenance);
        let o: Origin = p.origin().into();
        if key == super::rollups::RESPONSES {
            match o {
                Origin::Open => counts.open_responses += n,
                _ => counts.responded += n,
            }
            continue;
        }
        if let std::collections::hash_map::Entry::Vacant(e) = versions.entry(version) {
            e.insert(version_unchecked(conn, version).await?);
        }
        let Some(v) = versions.get(&version) else {
            continue;
        };
        let (Some(q), Some(bucket)) = (v.content.question(&key), Bucket::parse(&bucket)) else {
            continue;
        };
        let entry = questions
            .entry((v.survey_id, key.clone()))
            .or_insert_with(|| (q.clone(), v.version, BTreeMap::new()));
        if v.version > entry.1 {
            entry.0 = q.clone();
            entry.1 = v.version;
        }
        for target in [o, p.into(), Origin::Combined] {
            entry.2.entry(target).or_default().count(&bucket, n);
        }
        if headline.is_some_and(|h| h.contains(&p)) {
            entry
                .2
                .entry(Origin::Headline)
                .or_default()
                .count(&bucket, n);
        }
    }
    Ok(questions)
}

/// Conditional questions: who was shown them, from the answers they depend on.
fn mark_shown(questions: &mut Questions) {
    let conditions: Vec<(QuestionId, Condition)> = questions
        .iter()
        .filter_map(|((sid, key), (q, ..))| {
            q.show_if.as_ref().map(|c| {
                (
                    (*sid, key.clone()),
                    (c.question_key.clone(), c.values.clone()),
                )
            })
        })
        .collect();
    for ((sid, key), (cond_key, values)) in conditions {
        let shown: BTreeMap<Origin, u64> = questions
            .get(&(sid, cond_key))
            .map(|(_, _, figs)| {
                figs.iter()
                    .map(|(o, f)| {
                        let n = values
                            .iter()
                            .map(|v| f.dist.counts.get(v).copied().unwrap_or(0))
                            .sum();
                        (*o, n)
                    })
                    .collect()
            })
            .unwrap_or_default();
        if let Some((_, _, figs)) = questions.get_mut(&(sid, key)) {
            for (o, f) in figs.iter_mut() {
                f.shown = shown.get(o).copied();
            }
        }
    }
}

/// The SKM index of one origin and the answers behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SkmScore {
    /// Index and grade.
    pub index: SkmIndex,
    /// The fewest answers of any of the nine elements.
    pub n: u64,
    /// `n` is below the publication threshold.
    pub low_confidence: bool,
}

/// Finished figures: per question, pooled per driver, and the SKM index.
struct Finished {
    questions: Vec<QuestionReport>,
    drivers: Vec<DriverReport>,
    dimensions: Vec<DimensionReport>,
    skm: BTreeMap<Origin, SkmScore>,
}

/// Σ count × (v − min) / (max − min) × 100: the answers of one question on 0–100.
fn normalised_sum(d: &Distribution, min: i32, max: i32) -> f64 {
    let span = f64::from(max) - f64::from(min);
    if span <= 0.0 {
        return 0.0;
    }
    d.counts
        .iter()
        .map(|(v, c)| *c as f64 * (f64::from(*v) - f64::from(min)) / span * 100.0)
        .sum()
}

/// Computes every figure from the pooled counts.
fn finish_all(questions: Questions, threshold: u64) -> Finished {
    let mut drivers: DriverAcc = BTreeMap::new();
    let mut dimensions: DimensionAcc = BTreeMap::new();
    let mut skm_dist: BTreeMap<Origin, [Distribution; 9]> = BTreeMap::new();
    let mut out = vec![];
    for ((survey_id, _), (q, _, mut figs)) in questions {
        for (o, fig) in figs.iter_mut() {
            finish(&q, fig, threshold);
            if let (Some(d), Some(tb)) = (q.driver, fig.top_box) {
                let e = drivers
                    .entry(format!("{d:?}"))
                    .or_insert((d, BTreeMap::new()))
                    .1
                    .entry(*o)
                    .or_default();
                e.0 += tb.k;
                e.1 += tb.n;
            }
            if let (Some(d), Some(tb)) = (q.dimension, fig.top_box) {
                let e = dimensions.entry(d).or_default().entry(*o).or_default();
                e.0 += tb.k;
                e.1 += tb.n;
                e.2 += normalised_sum(&fig.dist, q.min, q.max);
            }
            if let Some(i) = q.driver.and_then(|d| SKM.iter().position(|s| *s == d)) {
                skm_dist.entry(*o).or_default()[i].merge(&fig.dist);
            }
        }
        out.push(QuestionReport {
            survey_id,
            question: q,
            figures: figs,
        });
    }
    let drivers = drivers
        .into_values()
        .map(|(driver, per)| DriverReport {
            driver,
            figures: per
                .into_iter()
                .map(|(o, (k, n))| {
                    let fig = Figures {
                        n,
                        top_box: metrics::share(k, n),
                        low_confidence: metrics::suppressed(n, threshold),
                        ..Default::default()
                    };
                    (o, fig)
                })
                .collect(),
        })
        .collect();
    let dimensions = dimensions
        .into_iter()
        .map(|(dimension, per)| DimensionReport {
            dimension,
            figures: per
                .into_iter()
                .map(|(o, (k, n, sum))| {
                    let fig = Figures {
                        n,
                        top_box: metrics::share(k, n),
                        mean: (n > 0).then(|| sum / n as f64),
                        low_confidence: metrics::suppressed(n, threshold),
                        ..Default::default()
                    };
                    (o, fig)
                })
                .collect(),
        })
        .collect();
    let skm = skm_dist
        .into_iter()
        .filter_map(|(o, els)| {
            let means: [Option<f64>; 9] = std::array::from_fn(|i| els[i].mean());
            let n = els.iter().map(Distribution::n).min().unwrap_or(0);
            metrics::skm_index(&means).map(|index| {
                let low_confidence = metrics::suppressed(n, threshold);
                (
                    o,
                    SkmScore {
                        index,
                        n,
                        low_confidence,
                    },
                )
            })
        })
        .collect();
    Finished {
        questions: out,
        drivers,
        dimensions,
        skm,
    }
}

/// The reports of `periods` (of one kind), from one grouped read of the rollups.
///
/// The caller's scope (subtree and access check), the quarantine check and the
/// headline setting do not depend on each other: they are read together, on
/// separate connections, so a report waits for two round trips, not four.
async fn compute_periods(
    state: &AppState,
    actor: &Actor,
    scope: &ReportScope,
    periods: &[Period],
) -> AppResult<Vec<Report>> {
    let conn = state.db.conn();
    let threshold = state.config.suppression_threshold;
    let headline = async {
        match scope {
            ReportScope::Institution { id, .. } => super::headline::narrowed(conn, *id).await,
            ReportScope::Service(id) => super::headline::narrowed_for_service(conn, *id).await,
            _ => Ok(None),
        }
    };
    let (f, quarantine, headline) = tokio::try_join!(
        filter_for(state, actor, scope),
        any_quarantine(conn, periods),
        headline
    )?;
    let rows = read_periods(conn, &f, periods, quarantine).await?;
    let mut versions = HashMap::new();
    let mut out = Vec::with_capacity(periods.len());
    for (period, rows) in periods.iter().zip(rows) {
        let mut counts = Counts {
            invited: rows.invited,
            delivered: rows.delivered,
            ..Default::default()
        };
        // Cells counted again per respondent kind go to their own figures.
        let mut by_kind: BTreeMap<RespondentKind, Cells> = BTreeMap::new();
        let mut cells = Vec::with_capacity(rows.cells.len());
        for (p, v, key, bucket, n) in rows.cells {
            match super::rollups::parse_kind_key(&key) {
                Some((kind, q)) => {
                    let q = q.to_owned();
                    by_kind.entry(kind).or_default().push((p, v, q, bucket, n));
                }
                None => cells.push((p, v, key, bucket, n)),
            }
        }
        let mut questions =
            accumulate(conn, cells, &mut counts, &mut versions, headline.as_deref()).await?;
        mark_shown(&mut questions);
        let done = finish_all(questions, threshold);
        let mut respondent_kinds = vec![];
        for (kind, cells) in by_kind {
            let mut c = Counts::default();
            let mut qs =
                accumulate(conn, cells, &mut c, &mut versions, headline.as_deref()).await?;
            mark_shown(&mut qs);
            let k = finish_all(qs, threshold);
            respondent_kinds.push(RespondentKindReport {
                kind,
                responses: c.responded + c.open_responses,
                drivers: k.drivers,
                dimensions: k.dimensions,
                skm: k.skm,
            });
        }
        out.push(Report {
            scope: scope.clone(),
            period: *period,
            response_rate: metrics::share(
                std::cmp::min(counts.responded, counts.invited),
                counts.invited,
            ),
            response_rate_delivered: metrics::share(
                std::cmp::min(counts.responded, counts.delivered),
                counts.delivered,
            ),
            counts,
            questions: done.questions,
            drivers: done.drivers,
            dimensions: done.dimensions,
            respondent_kinds,
            skm: done.skm,
            previous: None,
            threshold,
            headline: headline.clone(),
        });
    }
    Ok(out)
}

impl Figures {
    /// Adds `n` answers of one bucket.
    fn count(&mut self, bucket: &Bucket, n: u64) {
        // Kept sorted by key: the figures (and a conclusion's content, which is
        // compared and hashed) must not depend on the order rows come back in.
        let mut add_to = |key: &str| match self
            .distribution
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
        {
            Ok(i) => self.distribution[i].1 += n,
            Err(i) => self.distribution.insert(i, (key.to_owned(), n)),
        };
        match bucket {
            Bucket::Value(v) => self.dist.add(*v, n),
            Bucket::NotApplicable => self.dist.not_applicable += n,
            Bucket::Choice(c) => add_to(c),
            Bucket::Answered => self.answered += n,
            Bucket::Text => {
                add_to("text");
                self.answered += n;
            }
            Bucket::Response => {}
        }
    }

    /// These figures as the shared typed shape, for `origin`.
    pub fn figure_set(&self, origin: Origin) -> FigureSet {
        FigureSet {
            origin,
            suppressed: false,
            n: Some(self.n),
            not_applicable: Some(self.not_applicable),
            mean: self.mean,
            top_box: self.top_box,
            nps: self.nps,
            distribution: self
                .distribution
                .iter()
                .map(|(bucket, count)| BucketCount {
                    bucket: bucket.clone(),
                    count: *count,
                })
                .collect(),
            low_confidence: self.low_confidence,
            top_box_change: self.top_box_change,
            mean_change: self.mean_change,
            nps_change: self.nps_change,
            shown: self.shown,
            option_shares: self
                .option_shares
                .iter()
                .map(|(option, share)| OptionShare {
                    option: option.clone(),
                    share: *share,
                })
                .collect(),
        }
    }
}

/// Figures per origin as a list (invited, open, combined), the shape clients read.
pub fn figure_sets(figs: &BTreeMap<Origin, Figures>) -> Vec<FigureSet> {
    figs.iter().map(|(o, f)| f.figure_set(*o)).collect()
}

/// Drivers in the shared typed shape.
fn driver_list(drivers: &[DriverReport]) -> Vec<DriverFigures> {
    drivers
        .iter()
        .map(|d| DriverFigures {
            driver: d.driver,
            figures: figure_sets(&d.figures),
        })
        .collect()
}

/// Dimensions in the shared typed shape.
fn dimension_list(dimensions: &[DimensionReport]) -> Vec<DimensionFigures> {
    dimensions
        .iter()
        .map(|d| DimensionFigures {
            dimension: d.dimension,
            figures: figure_sets(&d.figures),
        })
        .collect()
}

/// SKM indices per origin in the shared typed shape.
fn skm_list(skm: &BTreeMap<Origin, SkmScore>) -> Vec<SkmFigure> {
    skm.iter()
        .map(|(origin, s)| SkmFigure {
            origin: *origin,
            skm: Some(s.index),
            n: Some(s.n),
            low_confidence: s.low_confidence,
            suppressed: false,
        })
        .collect()
}

impl Report {
    /// The SKM index per origin, in the shared typed shape.
    pub fn skm_figures(&self) -> Vec<SkmFigure> {
        skm_list(&self.skm)
    }

    /// The figures per respondent kind, in the shared typed shape.
    pub fn respondent_kind_figures(&self) -> Vec<RespondentKindFigures> {
        self.respondent_kinds
            .iter()
            .map(|k| RespondentKindFigures {
                kind: k.kind,
                responses: k.responses,
                drivers: driver_list(&k.drivers),
                dimensions: dimension_list(&k.dimensions),
                skm: skm_list(&k.skm),
            })
            .collect()
    }

    /// The typed snapshot of these figures: what a conclusion freezes.
    pub fn snapshot(&self) -> Snapshot {
        let skm = Report::skm_figures;
        Snapshot {
            period: self.period.label(),
            counts: self.counts,
            response_rate: self.response_rate,
            response_rate_delivered: self.response_rate_delivered,
            questions: self
                .questions
                .iter()
                .map(|q| QuestionFigures {
                    survey_id: q.survey_id,
                    question_key: q.question.key.clone(),
                    driver: q.question.driver,
                    figures: figure_sets(&q.figures),
                })
                .collect(),
            drivers: driver_list(&self.drivers),
            dimensions: dimension_list(&self.dimensions),
            respondent_kinds: self.respondent_kind_figures(),
            skm: skm(self),
            previous: self.previous.as_deref().map(|p| PreviousFigures {
                period: p.period.label(),
                counts: p.counts,
                skm: skm(p),
            }),
            suppression_threshold: self.threshold,
            headline_provenances: self.headline.clone(),
        }
    }
}

fn add_changes(now: &mut Report, prev: &Report) {
    for q in &mut now.questions {
        let Some(pq) = prev
            .questions
            .iter()
            .find(|p| p.survey_id == q.survey_id && p.question.key == q.question.key)
        else {
            continue;
        };
        for (o, fig) in q.figures.iter_mut() {
            let Some(pf) = pq.figures.get(o) else {
                continue;
            };
            if let (Some(a), Some(b)) = (pf.top_box, fig.top_box) {
                fig.top_box_change = metrics::share_change(&a, &b);
            }
            fig.mean_change = metrics::mean_change(&pf.dist, &fig.dist);
            if let (Some(a), Some(b)) = (pf.nps, fig.nps) {
                fig.nps_change = Some(metrics::nps_change(&a, &b));
            }
        }
    }
    for d in &mut now.drivers {
        if let Some(pd) = prev.drivers.iter().find(|p| p.driver == d.driver) {
            add_share_changes(&mut d.figures, &pd.figures);
        }
    }
    for d in &mut now.dimensions {
        if let Some(pd) = prev.dimensions.iter().find(|p| p.dimension == d.dimension) {
            add_share_changes(&mut d.figures, &pd.figures);
        }
    }
}

/// The change of each origin's top-box share against the previous period's.
fn add_share_changes(now: &mut BTreeMap<Origin, Figures>, prev: &BTreeMap<Origin, Figures>) {
    for (o, fig) in now.iter_mut() {
        if let (Some(a), Some(b)) = (prev.get(o).and_then(|f| f.top_box), fig.top_box) {
            fig.top_box_change = metrics::share_change(&a, &b);
        }
    }
}

async fn filter_for(state: &AppState, actor: &Actor, scope: &ReportScope) -> AppResult<Filter> {
    let access = authz::scope(actor, Action::ReadResults)?;
    let conn = state.db.conn();
    let mut points = vec![];
    let mut subtree = vec![];
    match scope {
        ReportScope::Country | ReportScope::Region(_) => {}
        ReportScope::Institution {
            id,
            include_sub_institutions,
        } => {
            // The institution and everything below it (itself at depth 0): none
            // means there is no such institution.
            let ids: Vec<Uuid> = institution_closure::Entity::find()
                .select_only()
                .column(institution_closure::Column::DescendantId)
                .filter(institution_closure::Column::AncestorId.eq(*id))
                .into_tuple()
                .all(conn)
                .await?;
            if ids.is_empty() {
                return Err(AppError::NotFound);
            }
            access.require(conn, *id).await?;
            if *include_sub_institutions {
                subtree = ids;
            }
        }
        ReportScope::Service(s) => {
            let svc = service::Entity::find_by_id(*s)
                .one(conn)
                .await?
                .ok_or(AppError::NotFound)?;
            access.require(conn, svc.institution_id).await?;
        }
        ReportScope::ServicePoint(p) => {
            let pt = service_point::Entity::find_by_id(*p)
                .one(conn)
                .await?
                .ok_or(AppError::NotFound)?;
            access.require(conn, pt.institution_id).await?;
        }
    }
    if let ReportScope::Region(code) = scope {
        points = region_points(conn, code).await?;
    }
    Ok(Filter {
        access,
        scope: scope.clone(),
        region_points: points,
        subtree,
    })
}

/// A report for a scope and period, with the previous period for comparison.
/// Institution users see their subtree (the country and regions are limited to it);
/// SUPERVISOR and ADMIN see everything.
pub async fn satisfaction_report(
    state: &AppState,
    actor: &Actor,
    scope: ReportScope,
    period: Period,
) -> AppResult<Report> {
    // This period and the previous one, read together.
    let periods: Vec<Period> = std::iter::once(period).chain(period.previous()).collect();
    let mut reports = compute_periods(state, actor, &scope, &periods)
        .await?
        .into_iter();
    let mut report = reports.next().ok_or(AppError::NotFound)?;
    if let Some(prev) = reports.next() {
        add_changes(&mut report, &prev);
        report.previous = Some(Box::new(prev));
    }
    Ok(report)
}

/// The same headline figures per period, for trend charts (at most 120 periods).
pub async fn report_series(
    state: &AppState,
    actor: &Actor,
    scope: ReportScope,
    first: Period,
    last_start: chrono::NaiveDate,
) -> AppResult<Vec<Report>> {
    // Who may read results is known without the database: say so before the span.
    authz::scope(actor, Action::ReadResults)?;
    let mut periods = vec![];
    let mut p = Some(first);
    while let Some(period) = p {
        if period.start > last_start {
            break;
        }
        if periods.len() >= 120 {
            return Err(AppError::bad_input(
                "to",
                "at most 120 periods in one series",
            ));
        }
        periods.push(period);
        p = period.next();
    }
    compute_periods(state, actor, &scope, &periods).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_do_not_depend_on_the_order_rows_come_back_in() {
        let buckets = [
            Bucket::Choice("time".into()),
            Bucket::Choice("ease".into()),
            Bucket::Text,
            Bucket::Choice("other".into()),
            Bucket::Answered,
        ];
        let mut forward = Figures::default();
        let mut backward = Figures::default();
        for (i, b) in buckets.iter().enumerate() {
            forward.count(b, i as u64 + 1);
        }
        for (i, b) in buckets.iter().enumerate().rev() {
            backward.count(b, i as u64 + 1);
        }
        assert_eq!(forward.distribution, backward.distribution);
        let keys: Vec<&str> = forward
            .distribution
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["ease", "other", "text", "time"]);
    }
}
