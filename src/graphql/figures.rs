//! The figure types shared by live reports (`satisfactionReport`) and frozen
//! conclusions (`Conclusion.figures`): one shape, so clients need one parser.

use super::vocab::{Dimension, Driver, FigureOrigin, RespondentKind, SkmGrade};
use crate::domain::figures as dom;
use crate::domain::metrics::{Change, Nps, Share};
use async_graphql::{ID, SimpleObject};

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

/// How many answers fell in one bucket (a scale value, an option, or `text`).
#[derive(SimpleObject)]
pub struct BucketCount {
    /// Scale value, option key, or `text`.
    pub bucket: String,
    /// Answers.
    pub count: i64,
}

/// One option's share.
#[derive(SimpleObject)]
pub struct OptionShare {
    /// Option key.
    pub option: String,
    /// Share with its interval.
    pub share: ShareFigure,
}

/// Figures for one origin. A `suppressed` set (what the public sees of a figure
/// from too few answers, or of one that would reveal it by subtraction) has no
/// numbers at all.
#[derive(SimpleObject)]
pub struct FigureSet {
    /// Invited, open channel, or combined.
    pub origin: FigureOrigin,
    /// Withheld from the public; every number below is null.
    pub suppressed: bool,
    /// Answers counted (not applicable excluded); null when suppressed.
    pub n: Option<i64>,
    /// "Not applicable" answers; null when suppressed.
    pub not_applicable: Option<i64>,
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

impl From<dom::FigureSet> for FigureSet {
    fn from(f: dom::FigureSet) -> Self {
        let int = |v: u64| v as i64;
        Self {
            origin: f.origin.into(),
            suppressed: f.suppressed,
            n: f.n.map(int),
            not_applicable: f.not_applicable.map(int),
            mean: f.mean,
            top_box: f.top_box.map(Into::into),
            nps: f.nps.map(Into::into),
            distribution: f
                .distribution
                .into_iter()
                .map(|b| BucketCount {
                    bucket: b.bucket,
                    count: int(b.count),
                })
                .collect(),
            low_confidence: f.low_confidence,
            top_box_change: f.top_box_change.map(Into::into),
            mean_change: f.mean_change.map(Into::into),
            nps_change: f.nps_change.map(Into::into),
            shown: f.shown.map(int),
            option_shares: f
                .option_shares
                .into_iter()
                .map(|o| OptionShare {
                    option: o.option,
                    share: o.share.into(),
                })
                .collect(),
        }
    }
}

/// Figure sets in the API's shape.
pub fn figure_sets(sets: Vec<dom::FigureSet>) -> Vec<FigureSet> {
    sets.into_iter().map(Into::into).collect()
}

/// The SKM index of the scope: (sum of the nine element means / 9) × 25.
#[derive(SimpleObject)]
pub struct SkmFigure {
    /// Invited, open channel, or combined.
    pub origin: FigureOrigin,
    /// Index, 25–100, rounded half-up to two decimals (null when suppressed).
    pub index: Option<f64>,
    /// Grade (null when suppressed).
    pub grade: Option<SkmGrade>,
    /// Answers behind the index: the fewest of any of the nine elements (null
    /// when suppressed).
    pub n: Option<i64>,
    /// Fewer answers than the publication threshold: shown to the institution and
    /// supervisors flagged, never published.
    pub low_confidence: bool,
    /// Withheld from the public (too few answers).
    pub suppressed: bool,
}

impl From<dom::SkmFigure> for SkmFigure {
    fn from(s: dom::SkmFigure) -> Self {
        Self {
            origin: s.origin.into(),
            index: s.skm.map(|k| k.index),
            grade: s.skm.map(|k| k.grade.into()),
            n: s.n.map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
            low_confidence: s.low_confidence,
            suppressed: s.suppressed,
        }
    }
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

impl From<dom::Counts> for ReportCounts {
    fn from(c: dom::Counts) -> Self {
        Self {
            invited: c.invited as i64,
            responded: c.responded as i64,
            open_responses: c.open_responses as i64,
            delivered: c.delivered as i64,
        }
    }
}

/// Top-box share of one driver, pooled over every question measuring it.
#[derive(SimpleObject)]
pub struct DriverFigures {
    /// Driver.
    pub driver: Driver,
    /// Figures: invited, open channel and combined.
    pub figures: Vec<FigureSet>,
}

impl From<dom::DriverFigures> for DriverFigures {
    fn from(d: dom::DriverFigures) -> Self {
        Self {
            driver: d.driver.into(),
            figures: figure_sets(d.figures),
        }
    }
}

/// One of the commitment's dimensions, pooled over every question measuring it.
#[derive(SimpleObject)]
pub struct DimensionFigures {
    /// Dimension.
    pub dimension: Dimension,
    /// Figures per origin: `n`, the top-box share, and `mean` — the mean answer
    /// normalised to 0–100 on each question's own scale ((v − min) / (max − min) × 100).
    pub figures: Vec<FigureSet>,
}

impl From<dom::DimensionFigures> for DimensionFigures {
    fn from(d: dom::DimensionFigures) -> Self {
        Self {
            dimension: d.dimension.into(),
            figures: figure_sets(d.figures),
        }
    }
}

/// The figures of the responses of one respondent kind (as the delivering system
/// said), suppressed like every figure and complementarily across kinds.
#[derive(SimpleObject)]
pub struct RespondentKindFigures {
    /// Kind.
    pub kind: RespondentKind,
    /// Its responses.
    pub responses: i64,
    /// Per driver.
    pub drivers: Vec<DriverFigures>,
    /// Per dimension.
    pub dimensions: Vec<DimensionFigures>,
    /// SKM index and grade, where all nine elements have answers.
    pub skm: Vec<SkmFigure>,
}

impl From<dom::RespondentKindFigures> for RespondentKindFigures {
    fn from(k: dom::RespondentKindFigures) -> Self {
        Self {
            kind: k.kind.into(),
            responses: i64::try_from(k.responses).unwrap_or(i64::MAX),
            drivers: k.drivers.into_iter().map(Into::into).collect(),
            dimensions: k.dimensions.into_iter().map(Into::into).collect(),
            skm: k.skm.into_iter().map(Into::into).collect(),
        }
    }
}

/// Figures of one question of one survey, as frozen in a conclusion.
#[derive(SimpleObject)]
pub struct SnapshotQuestion {
    /// Survey.
    pub survey_id: ID,
    /// Question key.
    pub question_key: String,
    /// Driver measured.
    pub driver: Option<Driver>,
    /// Figures: invited, open channel and combined.
    pub figures: Vec<FigureSet>,
}

/// What a conclusion keeps of the previous period.
#[derive(SimpleObject)]
pub struct PreviousFigures {
    /// Its label.
    pub period_label: String,
    /// Its counts.
    pub counts: ReportCounts,
    /// Its SKM index per origin.
    pub skm: Vec<SkmFigure>,
}

/// The frozen figures of a conclusion, in the same shapes as a report's.
#[derive(SimpleObject)]
pub struct ConclusionFigures {
    /// Period label.
    pub period_label: String,
    /// Counts: invited, responded, open channel, delivered.
    pub counts: ReportCounts,
    /// Responses / invitations (the period's invitation cohort).
    pub response_rate: Option<ShareFigure>,
    /// Responses / services delivered.
    pub response_rate_delivered: Option<ShareFigure>,
    /// Per question.
    pub questions: Vec<SnapshotQuestion>,
    /// Per driver.
    pub drivers: Vec<DriverFigures>,
    /// Per dimension of the commitment (quality, availability, transparency, openness).
    pub dimensions: Vec<DimensionFigures>,
    /// Split by respondent kind: individuals and legal entities, as the
    /// delivering systems said (empty when none did).
    pub respondent_kinds: Vec<RespondentKindFigures>,
    /// SKM index and grade, where all nine elements have answers.
    pub skm: Vec<SkmFigure>,
    /// The previous period.
    pub previous: Option<PreviousFigures>,
    /// Fewer answers than this make a figure low-confidence (never published).
    pub suppression_threshold: i32,
}

impl From<dom::Snapshot> for ConclusionFigures {
    fn from(s: dom::Snapshot) -> Self {
        Self {
            period_label: s.period,
            counts: s.counts.into(),
            response_rate: s.response_rate.map(Into::into),
            response_rate_delivered: s.response_rate_delivered.map(Into::into),
            questions: s
                .questions
                .into_iter()
                .map(|q| SnapshotQuestion {
                    survey_id: ID(q.survey_id.to_string()),
                    question_key: q.question_key,
                    driver: q.driver.map(Into::into),
                    figures: figure_sets(q.figures),
                })
                .collect(),
            drivers: s.drivers.into_iter().map(Into::into).collect(),
            dimensions: s.dimensions.into_iter().map(Into::into).collect(),
            respondent_kinds: s.respondent_kinds.into_iter().map(Into::into).collect(),
            skm: s.skm.into_iter().map(Into::into).collect(),
            previous: s.previous.map(|p| PreviousFigures {
                period_label: p.period,
                counts: p.counts.into(),
                skm: p.skm.into_iter().map(Into::into).collect(),
            }),
            suppression_threshold: i32::try_from(s.suppression_threshold).unwrap_or(i32::MAX),
        }
    }
}

/// What a finding rests on; which fields are set depends on its kind.
#[derive(SimpleObject)]
pub struct FindingDetail {
    /// The figure found low: a top-box share (LOW_DRIVER), a mean (LOW_SKM_ELEMENT)
    /// or a response rate (LOW_RESPONSE_RATE).
    pub value: Option<f64>,
    /// Answers (or invitations) behind it.
    pub n: Option<i64>,
    /// The floor it fell below.
    pub floor: Option<f64>,
    /// The change against the previous period (SIGNIFICANT_DROP).
    pub delta: Option<f64>,
    /// The test statistic of that change.
    pub z: Option<f64>,
    /// Invitations issued (INVITATIONS_WITHOUT_RESPONSES).
    pub invited: Option<i64>,
    /// Figures resting on too few answers (LOW_CONFIDENCE).
    pub figures: Option<i64>,
    /// The publication threshold (LOW_CONFIDENCE).
    pub threshold: Option<i64>,
}

impl From<dom::FindingDetail> for FindingDetail {
    fn from(d: dom::FindingDetail) -> Self {
        let int = |v: u64| v as i64;
        Self {
            value: d.value,
            n: d.n.map(int),
            floor: d.floor,
            delta: d.delta,
            z: d.z,
            invited: d.invited.map(int),
            figures: d.figures.map(int),
            threshold: d.threshold.map(int),
        }
    }
}
