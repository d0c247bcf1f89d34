//! The figures of a scope in a period, in one typed shape shared by live reports
//! and frozen conclusions (whose snapshot is this shape serialized), so clients
//! parse one thing. Suppression for the public works on these types.

use super::metrics::{Change, Nps, Share, SkmIndex};
use super::survey::Driver;
use super::vocab::{Dimension, FigureOrigin, FindingKind, Provenance, RespondentKind};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Counts of a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// Invitations issued for deliveries in the period (the cohort).
    pub invited: u64,
    /// Responses to those invitations.
    pub responded: u64,
    /// Open-channel responses given in the period.
    pub open_responses: u64,
    /// Services delivered, as reported by the delivering systems.
    pub delivered: u64,
}

/// How many answers fell in one bucket (a scale value, an option, or `text`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketCount {
    /// Scale value, option key, or `text`.
    pub bucket: String,
    /// Answers.
    pub count: u64,
}

/// One option's share of the respondents shown the question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionShare {
    /// Option key.
    pub option: String,
    /// Share with its interval.
    pub share: Share,
}

/// Figures for one origin. When `suppressed` (the public view of a small cell, or
/// of its complement) every number is absent: a suppressed figure is never a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FigureSet {
    /// Invited, open channel, or combined.
    pub origin: FigureOrigin,
    /// Withheld from the public: too few answers, or it would reveal a withheld one.
    pub suppressed: bool,
    /// Answers counted ("not applicable" excluded).
    pub n: Option<u64>,
    /// "Not applicable" answers.
    pub not_applicable: Option<u64>,
    /// Mean (scale questions).
    pub mean: Option<f64>,
    /// Top-box share (5-point 4–5, SKM 3–4, 7-point 6–7, faces 3, thumbs up).
    pub top_box: Option<Share>,
    /// NPS (NPS questions).
    pub nps: Option<Nps>,
    /// Answers per bucket.
    pub distribution: Vec<BucketCount>,
    /// Fewer answers than the publication threshold (never published).
    pub low_confidence: bool,
    /// Change of the top-box share against the previous period.
    pub top_box_change: Option<Change>,
    /// Change of the mean (Welch).
    pub mean_change: Option<Change>,
    /// Change of NPS.
    pub nps_change: Option<Change>,
    /// Conditional questions: respondents who were shown the question.
    pub shown: Option<u64>,
    /// Choice questions: each option's share.
    pub option_shares: Vec<OptionShare>,
}

impl FigureSet {
    /// The withheld figure of `origin`: no number at all.
    pub fn withheld(origin: FigureOrigin) -> Self {
        Self {
            origin,
            suppressed: true,
            n: None,
            not_applicable: None,
            mean: None,
            top_box: None,
            nps: None,
            distribution: vec![],
            low_confidence: true,
            top_box_change: None,
            mean_change: None,
            nps_change: None,
            shown: None,
            option_shares: vec![],
        }
    }
}

/// Figures of one question of one survey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionFigures {
    /// Survey.
    pub survey_id: Uuid,
    /// Question key.
    pub question_key: String,
    /// Driver measured.
    pub driver: Option<Driver>,
    /// Figures per origin.
    pub figures: Vec<FigureSet>,
}

/// Top-box share of one driver, pooled over every question measuring it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriverFigures {
    /// Driver.
    pub driver: Driver,
    /// Figures per origin (`top_box` only).
    pub figures: Vec<FigureSet>,
}

/// One of the commitment's dimensions, pooled over every question measuring it:
/// `n`, the top-box share, and `mean` — the mean answer normalised to 0–100 on each
/// question's own scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionFigures {
    /// Dimension.
    pub dimension: Dimension,
    /// Figures per origin (`n`, `top_box`, `mean` on 0–100).
    pub figures: Vec<FigureSet>,
}

/// The figures of the responses of one respondent kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RespondentKindFigures {
    /// Kind.
    pub kind: RespondentKind,
    /// Its responses (published as every response count).
    pub responses: u64,
    /// Per driver.
    pub drivers: Vec<DriverFigures>,
    /// Per dimension.
    pub dimensions: Vec<DimensionFigures>,
    /// SKM index per origin.
    pub skm: Vec<SkmFigure>,
}

/// The SKM index of one origin.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkmFigure {
    /// Invited, open channel, or combined.
    pub origin: FigureOrigin,
    /// Index and grade (none when withheld from the public).
    pub skm: Option<SkmIndex>,
    /// Answers behind it: the fewest of any of the nine elements (none when withheld).
    pub n: Option<u64>,
    /// Fewer answers than the publication threshold.
    #[serde(default)]
    pub low_confidence: bool,
    /// Withheld from the public because it rests on too few answers.
    #[serde(default)]
    pub suppressed: bool,
}

impl SkmFigure {
    /// The public view of a low-confidence index: no number, no grade.
    pub(crate) fn suppress(&mut self) {
        if self.low_confidence {
            self.skm = None;
            self.n = None;
            self.suppressed = true;
        }
    }
}

/// What is kept of the previous period beside a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviousFigures {
    /// Its label.
    pub period: String,
    /// Its counts.
    pub counts: Counts,
    /// Its SKM index per origin.
    pub skm: Vec<SkmFigure>,
}

/// The figures of a scope in a period: what a report shows and a conclusion freezes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// Period label.
    pub period: String,
    /// Counts.
    pub counts: Counts,
    /// Responses / invitations.
    pub response_rate: Option<Share>,
    /// Responses / services delivered.
    pub response_rate_delivered: Option<Share>,
    /// Per question.
    pub questions: Vec<QuestionFigures>,
    /// Per driver.
    pub drivers: Vec<DriverFigures>,
    /// Per dimension of the commitment (absent when no question measures one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dimensions: Vec<DimensionFigures>,
    /// Split by respondent kind (absent when no delivering system gave one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub respondent_kinds: Vec<RespondentKindFigures>,
    /// SKM index per origin, where all nine elements have answers.
    pub skm: Vec<SkmFigure>,
    /// The previous period.
    pub previous: Option<PreviousFigures>,
    /// Fewer answers than this make a figure low-confidence.
    pub suppression_threshold: u64,
    /// The provenances the `HEADLINE` figures count, when a supervisor narrowed
    /// them (absent: all count, and there is no `HEADLINE` set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline_provenances: Option<Vec<Provenance>>,
}

/// What a finding rests on; which fields are present depends on its kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingDetail {
    /// The figure found low (a top-box share, a mean or a response rate).
    pub value: Option<f64>,
    /// Answers (or invitations) behind it.
    pub n: Option<u64>,
    /// The floor it fell below.
    pub floor: Option<f64>,
    /// The change against the previous period.
    pub delta: Option<f64>,
    /// The test statistic of that change.
    pub z: Option<f64>,
    /// Invitations issued (responses missing).
    pub invited: Option<u64>,
    /// Figures resting on too few answers.
    pub figures: Option<u64>,
    /// The publication threshold.
    pub threshold: Option<u64>,
}

/// A finding before it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// What it says.
    pub kind: FindingKind,
    /// What it is about: a driver, a question key, `responses` or `figures`.
    pub subject: String,
    /// What it rests on.
    pub detail: FindingDetail,
}

/// Thresholds that turn figures into findings.
#[derive(Debug, Clone, Copy, PartialEq)]
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

/// The figure findings judge: `HEADLINE` where a supervisor narrowed it, else
/// `COMBINED`.
fn combined(sets: &[FigureSet]) -> Option<&FigureSet> {
    sets.iter()
        .find(|s| s.origin == FigureOrigin::Headline)
        .or_else(|| sets.iter().find(|s| s.origin == FigureOrigin::Combined))
}

fn is_skm(d: Driver) -> bool {
    matches!(
        d,
        Driver::SkmRequirements
            | Driver::SkmProcedure
            | Driver::SkmTime
            | Driver::SkmCost
            | Driver::SkmProduct
            | Driver::SkmCompetence
            | Driver::SkmBehaviour
            | Driver::SkmComplaints
            | Driver::SkmFacilities
    )
}

fn found(kind: FindingKind, subject: impl Into<String>, detail: FindingDetail) -> Found {
    Found {
        kind,
        subject: subject.into(),
        detail,
    }
}

/// Low drivers and significant drops (on the combined figures).
fn driver_findings(s: &Snapshot, rules: &FindingRules, out: &mut Vec<Found>) {
    for d in &s.drivers {
        let Some(f) = combined(&d.figures) else {
            continue;
        };
        let Some(tb) = f.top_box else { continue };
        let subject = format!("{:?}", d.driver);
        if !f.low_confidence && tb.value < rules.driver_floor {
            let detail = FindingDetail {
                value: Some(tb.value),
                n: Some(tb.n),
                floor: Some(rules.driver_floor),
                ..Default::default()
            };
            out.push(found(FindingKind::LowDriver, subject.clone(), detail));
        }
        if let Some(c) = f.top_box_change.filter(|c| c.significant && c.delta < 0.0) {
            let detail = FindingDetail {
                delta: Some(c.delta),
                z: Some(c.z),
                ..Default::default()
            };
            out.push(found(FindingKind::SignificantDrop, subject, detail));
        }
    }
}

/// SKM elements whose mean is below the floor.
fn skm_findings(s: &Snapshot, rules: &FindingRules, out: &mut Vec<Found>) {
    for q in &s.questions {
        if let Some(f) = combined(&q.figures)
            && q.driver.is_some_and(is_skm)
            && !f.low_confidence
            && f.mean.is_some_and(|m| m < rules.skm_element_floor)
        {
            let detail = FindingDetail {
                value: f.mean,
                n: f.n,
                floor: Some(rules.skm_element_floor),
                ..Default::default()
            };
            out.push(found(
                FindingKind::LowSkmElement,
                q.question_key.clone(),
                detail,
            ));
        }
    }
}

/// A low response rate, or invitations nobody answered.
fn response_findings(s: &Snapshot, rules: &FindingRules, out: &mut Vec<Found>) {
    if let Some(rr) = s.response_rate
        && rr.n >= s.suppression_threshold
        && rr.value < rules.response_rate_floor
    {
        let detail = FindingDetail {
            value: Some(rr.value),
            n: Some(rr.n),
            floor: Some(rules.response_rate_floor),
            ..Default::default()
        };
        out.push(found(FindingKind::LowResponseRate, "responses", detail));
    }
    if s.counts.invited > 0 && s.counts.responded == 0 {
        let detail = FindingDetail {
            invited: Some(s.counts.invited),
            ..Default::default()
        };
        out.push(found(
            FindingKind::InvitationsWithoutResponses,
            "responses",
            detail,
        ));
    }
}

/// Whether the figure a finding of `kind` about `subject` judges is withheld in
/// `s` (a public view): such a finding is not shown, its figures would be the
/// withheld ones.
pub fn judges_withheld(s: &Snapshot, kind: FindingKind, subject: &str) -> bool {
    let withheld = |sets: &[FigureSet]| combined(sets).is_none_or(|f| f.suppressed);
    match kind {
        FindingKind::LowDriver | FindingKind::SignificantDrop => s
            .drivers
            .iter()
            .filter(|d| format!("{:?}", d.driver) == subject)
            .any(|d| withheld(&d.figures)),
        FindingKind::LowSkmElement => s
            .questions
            .iter()
            .filter(|q| q.question_key == subject)
            .any(|q| withheld(&q.figures)),
        _ => false,
    }
}

/// The findings of a snapshot (on its combined figures).
pub fn findings(s: &Snapshot, rules: &FindingRules) -> Vec<Found> {
    let mut out = vec![];
    driver_findings(s, rules, &mut out);
    skm_findings(s, rules, &mut out);
    response_findings(s, rules, &mut out);
    let low = s
        .questions
        .iter()
        .flat_map(|q| &q.figures)
        .filter(|f| f.low_confidence)
        .count() as u64;
    if low > 0 {
        let detail = FindingDetail {
            figures: Some(low),
            threshold: Some(s.suppression_threshold),
            ..Default::default()
        };
        out.push(found(FindingKind::LowConfidence, "figures", detail));
    }
    out
}

#[cfg(test)]
impl Snapshot {
    /// A snapshot of `drivers` alone (threshold 10), for tests.
    pub(crate) fn of_drivers(drivers: Vec<DriverFigures>) -> Self {
        Snapshot {
            period: "2026-11".into(),
            counts: Counts::default(),
            response_rate: None,
            response_rate_delivered: None,
            questions: vec![],
            drivers,
            dimensions: vec![],
            respondent_kinds: vec![],
            skm: vec![],
            previous: None,
            suppression_threshold: 10,
            headline_provenances: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::metrics::share;

    fn set(origin: FigureOrigin, n: u64, low: bool) -> FigureSet {
        FigureSet {
            n: Some(n),
            low_confidence: low,
            suppressed: false,
            ..FigureSet::withheld(origin)
        }
    }

    #[test]
    fn a_low_driver_is_found_but_not_when_it_rests_on_few_answers() {
        let driver = |n: u64, k: u64| DriverFigures {
            driver: Driver::Overall,
            figures: vec![FigureSet {
                top_box: share(k, n),
                ..set(FigureOrigin::Combined, n, n < 10)
            }],
        };
        let snap = |d| Snapshot::of_drivers(vec![d]);
        let f = findings(&snap(driver(12, 4)), &FindingRules::default());
        assert_eq!(f[0].kind, FindingKind::LowDriver);
        assert_eq!(f[0].subject, "Overall");
        assert_eq!(f[0].detail.floor, Some(0.6));
        assert!(findings(&snap(driver(5, 1)), &FindingRules::default()).is_empty());
    }

    #[test]
    fn findings_judge_the_headline_where_a_supervisor_narrowed_it() {
        let figures = vec![
            FigureSet {
                top_box: share(18, 20),
                ..set(FigureOrigin::Combined, 20, false)
            },
            FigureSet {
                top_box: share(4, 12),
                ..set(FigureOrigin::Headline, 12, false)
            },
        ];
        let snap = Snapshot {
            headline_provenances: Some(vec![Provenance::NationalPlatform]),
            ..Snapshot::of_drivers(vec![DriverFigures {
                driver: Driver::Overall,
                figures,
            }])
        };
        let f = findings(&snap, &FindingRules::default());
        assert_eq!(f[0].kind, FindingKind::LowDriver);
        assert_eq!(f[0].detail.n, Some(12));
    }

    #[test]
    fn a_snapshot_survives_its_own_json() {
        let s = Snapshot {
            period: "2026-Q3".into(),
            counts: Counts {
                invited: 3,
                ..Counts::default()
            },
            response_rate: share(1, 3),
            response_rate_delivered: None,
            questions: vec![QuestionFigures {
                survey_id: Uuid::nil(),
                question_key: "overall".into(),
                driver: Some(Driver::Overall),
                figures: vec![set(FigureOrigin::Combined, 1, true)],
            }],
            drivers: vec![],
            dimensions: vec![],
            respondent_kinds: vec![],
            skm: vec![],
            previous: None,
            suppression_threshold: 10,
            headline_provenances: None,
        };
        let json = serde_json::to_value(&s).unwrap_or_default();
        assert_eq!(json["questions"][0]["figures"][0]["origin"], "COMBINED");
        assert_eq!(serde_json::from_value::<Snapshot>(json).ok(), Some(s));
    }
}
