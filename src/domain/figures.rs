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
    fn suppress(&mut self) {
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

/// How the figure sets add up: each parent is the sum of its two parts.
const PARTS: [(FigureOrigin, [FigureOrigin; 2]); 3] = [
    (
        FigureOrigin::Combined,
        [FigureOrigin::Invited, FigureOrigin::Open],
    ),
    (
        FigureOrigin::Invited,
        [
            FigureOrigin::NationalPlatform,
            FigureOrigin::InstitutionSystem,
        ],
    ),
    (
        FigureOrigin::Open,
        [FigureOrigin::Poster, FigureOrigin::Kiosk],
    ),
];

/// Withholds, in one list of figure sets, the low-confidence ones and whatever
/// would give them away by addition or subtraction: when one part of a shown set
/// is withheld, so is the other part; when a set is withheld, so are its parts
/// (they would add up to it). Repeated until nothing changes.
///
/// With a narrowed `headline` (the provenances a supervisor counts), `HEADLINE` is
/// the sum of its provenances, and `COMBINED` the sum of `HEADLINE` and the
/// provenances outside it. `HEADLINE` is the figure to keep: when a provenance
/// outside it is withheld, `COMBINED` is withheld instead (and with it whatever
/// would add up to it).
pub fn suppress(sets: &mut [FigureSet], headline: Option<&[Provenance]>) {
    use std::collections::BTreeSet;
    let mut withheld: BTreeSet<FigureOrigin> = sets
        .iter()
        .filter(|s| s.low_confidence)
        .map(|s| s.origin)
        .collect();
    let present: BTreeSet<FigureOrigin> = sets.iter().map(|s| s.origin).collect();
    let mut sums: Vec<(FigureOrigin, Vec<FigureOrigin>)> =
        PARTS.iter().map(|(w, p)| (*w, p.to_vec())).collect();
    let mut outside: Vec<FigureOrigin> = vec![];
    if let Some(h) = headline {
        sums.push((
            FigureOrigin::Headline,
            h.iter().map(|p| FigureOrigin::from(*p)).collect(),
        ));
        outside = Provenance::ALL
            .iter()
            .filter(|p| !h.contains(p))
            .map(|p| FigureOrigin::from(*p))
            .filter(|o| present.contains(o))
            .collect();
    }
    let has_headline = headline.is_some() && present.contains(&FigureOrigin::Headline);
    loop {
        let before = withheld.len();
        for (whole, parts) in &sums {
            let parts: Vec<FigureOrigin> = parts
                .iter()
                .copied()
                .filter(|p| present.contains(p))
                .collect();
            let whole_withheld = withheld.contains(whole);
            let part_withheld = parts.iter().any(|p| withheld.contains(p));
            if whole_withheld || (present.contains(whole) && part_withheld) {
                withheld.extend(parts.iter().copied());
            }
        }
        if has_headline {
            let combined = FigureOrigin::Combined;
            if outside.iter().any(|o| withheld.contains(o)) {
                withheld.insert(combined);
            }
            if withheld.contains(&combined) || withheld.contains(&FigureOrigin::Headline) {
                withheld.extend(outside.iter().copied());
            }
        }
        if withheld.len() == before {
            break;
        }
    }
    for s in sets.iter_mut() {
        if withheld.contains(&s.origin) {
            *s = FigureSet::withheld(s.origin);
        }
    }
}

impl Snapshot {
    /// The public view: every small cell (and its complement) withheld.
    pub fn suppress_for_public(&mut self) {
        let headline = self.headline_provenances.clone();
        // The respondent kinds are parts of the figures: their answer counts are
        // read before anything is withheld.
        let kinds = self.kind_parts();
        for k in &mut self.respondent_kinds {
            for d in &mut k.drivers {
                suppress(&mut d.figures, headline.as_deref());
            }
            for d in &mut k.dimensions {
                suppress(&mut d.figures, headline.as_deref());
            }
            for s in &mut k.skm {
                s.suppress();
            }
        }
        self.complement_kinds(kinds);
        for q in &mut self.questions {
            suppress(&mut q.figures, headline.as_deref());
        }
        for d in &mut self.drivers {
            suppress(&mut d.figures, headline.as_deref());
        }
        for d in &mut self.dimensions {
            suppress(&mut d.figures, headline.as_deref());
        }
        let previous = self.previous.iter_mut().flat_map(|p| p.skm.iter_mut());
        for f in self.skm.iter_mut().chain(previous) {
            f.suppress();
        }
    }
}

/// A figure a snapshot splits by respondent kind: a driver or a dimension, and an origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Subject {
    Driver(Driver, FigureOrigin),
    Dimension(Dimension, FigureOrigin),
}

/// Per subject: the total's answers, and each kind's (index in the snapshot's
/// list, answers).
type KindParts = std::collections::BTreeMap<Subject, (u64, Vec<(usize, u64)>)>;

/// Which parts of a published total to withhold so that no withheld part can be
/// found by subtraction: `parts` are (answers, withheld already); `rest` is the
/// total's answers outside every part (never published, so withheld when small).
/// While a withheld cell stands alone, or the withheld cells hold fewer than
/// `threshold` answers together, the smallest shown part is withheld too.
pub fn complement(parts: &[(u64, bool)], rest: u64, threshold: u64) -> Vec<bool> {
    let mut withheld: Vec<bool> = parts.iter().map(|(_, w)| *w).collect();
    let rest_hidden = rest > 0 && rest < threshold;
    loop {
        let (count, sum) = parts
            .iter()
            .zip(&withheld)
            .filter(|((n, _), w)| **w && *n > 0)
            .fold(
                (usize::from(rest_hidden), if rest_hidden { rest } else { 0 }),
                |(c, s), ((n, _), _)| (c + 1, s + n),
            );
        if count == 0 || (count >= 2 && sum >= threshold) {
            break;
        }
        let smallest = parts
            .iter()
            .zip(&withheld)
            .enumerate()
            .filter(|(_, ((n, _), w))| !**w && *n > 0)
            .min_by_key(|(_, ((n, _), _))| *n)
            .map(|(i, _)| i);
        match smallest {
            Some(i) => withheld[i] = true,
            None => break,
        }
    }
    withheld
}

impl Snapshot {
    /// The answers of every figure split by respondent kind, and of its total.
    fn kind_parts(&self) -> KindParts {
        let mut out = KindParts::new();
        let n = |f: &FigureSet| f.n.unwrap_or(0);
        for d in &self.drivers {
            for f in &d.figures {
                out.insert(Subject::Driver(d.driver, f.origin), (n(f), vec![]));
            }
        }
        for d in &self.dimensions {
            for f in &d.figures {
                out.insert(Subject::Dimension(d.dimension, f.origin), (n(f), vec![]));
            }
        }
        for (i, k) in self.respondent_kinds.iter().enumerate() {
            for d in &k.drivers {
                for f in &d.figures {
                    if let Some(e) = out.get_mut(&Subject::Driver(d.driver, f.origin)) {
                        e.1.push((i, n(f)));
                    }
                }
            }
            for d in &k.dimensions {
                for f in &d.figures {
                    if let Some(e) = out.get_mut(&Subject::Dimension(d.dimension, f.origin)) {
                        e.1.push((i, n(f)));
                    }
                }
            }
        }
        out
    }

    /// The kind's figure set of `subject`.
    fn kind_set(&mut self, kind: usize, subject: Subject) -> Option<&mut FigureSet> {
        let k = self.respondent_kinds.get_mut(kind)?;
        match subject {
            Subject::Driver(d, o) => k
                .drivers
                .iter_mut()
                .find(|x| x.driver == d)?
                .figures
                .iter_mut()
                .find(|f| f.origin == o),
            Subject::Dimension(d, o) => k
                .dimensions
                .iter_mut()
                .find(|x| x.dimension == d)?
                .figures
                .iter_mut()
                .find(|f| f.origin == o),
        }
    }

    /// Complementary suppression across respondent kinds (see [`complement`]).
    fn complement_kinds(&mut self, kinds: KindParts) {
        let threshold = self.suppression_threshold;
        for (subject, (total, parts)) in kinds {
            if parts.is_empty() {
                continue;
            }
            let flags: Vec<(u64, bool)> = parts
                .iter()
                .map(|(i, n)| {
                    let w = self.kind_set(*i, subject).is_some_and(|f| f.suppressed);
                    (*n, w)
                })
                .collect();
            let rest = total.saturating_sub(parts.iter().map(|(_, n)| n).sum());
            for ((i, _), withhold) in parts.iter().zip(complement(&flags, rest, threshold)) {
                if let Some(f) = self.kind_set(*i, subject).filter(|_| withhold) {
                    *f = FigureSet::withheld(f.origin);
                }
            }
        }
    }
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
mod tests {
    use super::*;

    #[test]
    fn a_withheld_part_never_stands_alone_or_below_the_threshold() {
        // 14 and 3 of 17: the 3 would be 17 − 14.
        assert_eq!(complement(&[(14, false), (3, true)], 0, 10), [true, true]);
        // 60 and 38 of 100: the 2 without a kind would be 100 − 60 − 38.
        assert_eq!(
            complement(&[(60, false), (38, false)], 2, 10),
            [false, true]
        );
        // Two withheld with 12 together: safe.
        assert_eq!(
            complement(&[(50, false), (6, true), (6, true)], 0, 10),
            [false, true, true]
        );
        // Nothing small: nothing withheld.
        assert_eq!(
            complement(&[(50, false), (40, false)], 0, 10),
            [false, false]
        );
    }
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
    fn a_small_cell_and_its_complement_are_withheld_and_the_total_stays() {
        let mut sets = vec![
            set(FigureOrigin::Invited, 12, false),
            set(FigureOrigin::Open, 2, true),
            set(FigureOrigin::Combined, 14, false),
        ];
        suppress(&mut sets, None);
        assert!(sets[0].suppressed && sets[0].n.is_none());
        assert!(sets[1].suppressed && sets[1].n.is_none());
        assert_eq!((sets[2].suppressed, sets[2].n), (false, Some(14)));
    }

    fn shown_after_suppression(sets: &mut [FigureSet]) -> Vec<FigureOrigin> {
        suppress(sets, None);
        sets.iter()
            .filter(|s| !s.suppressed)
            .map(|s| s.origin)
            .collect()
    }

    #[test]
    fn a_small_provenance_withholds_its_sibling_and_a_withheld_origin_its_parts() {
        use FigureOrigin::*;
        let mut sets = vec![
            set(Invited, 30, false),
            set(Open, 4, true),
            set(Combined, 34, false),
            set(NationalPlatform, 27, false),
            set(InstitutionSystem, 3, true),
            set(Poster, 4, true),
        ];
        let shown = shown_after_suppression(&mut sets);
        // OPEN is small, so INVITED (= COMBINED − OPEN) goes; INVITED's parts would
        // add up to it, so they go too; only the total stays.
        assert_eq!(shown, vec![Combined]);
        let mut sets = vec![
            set(Invited, 30, false),
            set(Combined, 30, false),
            set(NationalPlatform, 27, false),
            set(InstitutionSystem, 3, true),
        ];
        let shown = shown_after_suppression(&mut sets);
        assert_eq!(shown, vec![Invited, Combined]);
    }

    #[test]
    fn a_narrowed_headline_is_kept_and_combined_goes_when_a_provenance_outside_it_is_small() {
        use FigureOrigin::*;
        let mut sets = vec![
            set(Invited, 40, false),
            set(Open, 13, false),
            set(Combined, 53, false),
            set(NationalPlatform, 40, false),
            set(Poster, 10, false),
            set(Kiosk, 3, true),
            set(Headline, 50, false),
        ];
        let headline = [Provenance::NationalPlatform, Provenance::Poster];
        suppress(&mut sets, Some(&headline));
        let shown: Vec<FigureOrigin> = sets
            .iter()
            .filter(|s| !s.suppressed)
            .map(|s| s.origin)
            .collect();
        // KIOSK = COMBINED − HEADLINE, so COMBINED goes, and with it every set
        // that would add up to it; HEADLINE stays, its parts do not.
        assert_eq!(shown, vec![Headline]);
    }

    #[test]
    fn nothing_is_withheld_when_every_cell_is_large_enough() {
        let mut sets = vec![
            set(FigureOrigin::Invited, 12, false),
            set(FigureOrigin::Combined, 12, false),
        ];
        let before = sets.clone();
        suppress(&mut sets, None);
        assert_eq!(sets, before);
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
        let snap = |d| Snapshot {
            period: "2026-11".into(),
            counts: Counts::default(),
            response_rate: None,
            response_rate_delivered: None,
            questions: vec![],
            drivers: vec![d],
            dimensions: vec![],
            respondent_kinds: vec![],
            skm: vec![],
            previous: None,
            suppression_threshold: 10,
            headline_provenances: None,
        };
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
            period: "2026-11".into(),
            counts: Counts::default(),
            response_rate: None,
            response_rate_delivered: None,
            questions: vec![],
            drivers: vec![DriverFigures {
                driver: Driver::Overall,
                figures,
            }],
            dimensions: vec![],
            respondent_kinds: vec![],
            skm: vec![],
            previous: None,
            suppression_threshold: 10,
            headline_provenances: Some(vec![Provenance::NationalPlatform]),
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
