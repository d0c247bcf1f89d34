//! Institution scorecards: citizens' satisfaction as a performance indicator.
//!
//! A versioned **indicator framework** weighs up to five components, each a
//! documented score on 0–100 with a minimum amount of data. A component below its
//! minimum is `INSUFFICIENT_DATA`: it is left out and the remaining weights are
//! renormalised, so the total is Σ wᵢ·sᵢ / Σ wᵢ over the components with data.
//! Institutions are ranked among peers of the same kind (competition ranking on
//! the total rounded to two decimals: equal totals share a rank, the next rank
//! skips); one without enough data is listed but not ranked.
//!
//! Everything here is pure: the service gathers the inputs and stores the result.

use super::error::{Invalid, InvalidField};
use super::metrics::round_half_up;
use super::vocab::string_enum;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

string_enum!(
    /// A component of an indicator framework (each a score on 0–100).
    Component {
        /// The SKM index where the institution's surveys give one, else the top-box
        /// share × 100 of the A-11 trust or the overall question — pooled over the
        /// institution's services (its conclusion's `HEADLINE` figure where a
        /// supervisor narrowed one). Data: answers.
        Satisfaction = "SATISFACTION",
        /// Response rate against the framework's target, capped at 100. Data: invitations.
        Coverage = "COVERAGE",
        /// Improvement actions due in the period completed by their due date, and
        /// findings not left open 60 days after publication, pooled. Data: actions
        /// and findings counted.
        Improvement = "IMPROVEMENT",
        /// Citizens' suggestions and requests due in the period answered within
        /// their deadline. Data: suggestions due.
        Responsiveness = "RESPONSIVENESS",
        /// The latest published NGO evaluation score (0–100) of a period that
        /// began in or before the scorecard's. Data: evaluations.
        IndependentEvaluation = "INDEPENDENT_EVALUATION",
    }
);

string_enum!(
    /// Whether a component counts in a scorecard's total.
    ComponentStatus {
        /// Enough data: scored and weighted.
        Scored = "SCORED",
        /// Below the framework's minimum: left out, the other weights renormalised.
        InsufficientData = "INSUFFICIENT_DATA",
    }
);

string_enum!(
    /// Lifecycle of an indicator framework version.
    FrameworkStatus {
        /// Being prepared: may be changed or computed with, not yet public.
        Draft = "DRAFT",
        /// Public and immutable: a change is a new version.
        Published = "PUBLISHED",
    }
);

string_enum!(
    /// Lifecycle of a scorecard.
    ScorecardStatus {
        /// Computed; recomputed as data changes.
        Draft = "DRAFT",
        /// Frozen and hashed: never changes again.
        Published = "PUBLISHED",
    }
);

/// One weighted component of a framework.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Weighted {
    /// Component.
    pub component: Component,
    /// Weight; a framework's weights sum to 1.
    pub weight: f64,
    /// The least data (see [`Component`]) for the component to count.
    pub minimum: u64,
}

/// What a framework version says: its weighted components and the coverage target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Spec {
    /// Components (each at most once).
    pub components: Vec<Weighted>,
    /// The response rate that scores 100 on `COVERAGE` (0–1).
    pub coverage_target: f64,
}

/// The share of the total weight the components with data must carry for a
/// scorecard to be ranked (besides `SATISFACTION` having data).
pub const RANKED_WEIGHT_FLOOR: f64 = 0.5;

/// The default coverage target (30% of invitations answered scores 100).
pub const DEFAULT_COVERAGE_TARGET: f64 = 0.30;

impl Spec {
    /// The seeded national framework: 0.5 / 0.1 / 0.15 / 0.15 / 0.1.
    pub fn national() -> Self {
        let w = |component, weight, minimum| Weighted {
            component,
            weight,
            minimum,
        };
        Spec {
            components: vec![
                w(Component::Satisfaction, 0.5, 10),
                w(Component::Coverage, 0.1, 10),
                w(Component::Improvement, 0.15, 1),
                w(Component::Responsiveness, 0.15, 3),
                w(Component::IndependentEvaluation, 0.1, 1),
            ],
            coverage_target: DEFAULT_COVERAGE_TARGET,
        }
    }

    /// Checks a framework: 1–5 distinct components, weights in (0, 1] summing to 1
    /// (to 1e-6), minimums 1–1,000,000, a coverage target in (0, 1].
    pub fn check(&self) -> Result<(), Invalid> {
        let mut errs = vec![];
        let bad = |field: &str, reason: &str| InvalidField {
            field: field.to_owned(),
            reason: reason.to_owned(),
        };
        if self.components.is_empty() || self.components.len() > Component::ALL.len() {
            errs.push(bad("components", "give 1-5 components"));
        }
        let distinct: BTreeSet<Component> = self.components.iter().map(|c| c.component).collect();
        if distinct.len() != self.components.len() {
            errs.push(bad("components", "each component at most once"));
        }
        if self
            .components
            .iter()
            .any(|c| !(c.weight > 0.0 && c.weight <= 1.0))
        {
            errs.push(bad("components.weight", "each weight is in (0, 1]"));
        }
        let sum: f64 = self.components.iter().map(|c| c.weight).sum();
        if (sum - 1.0).abs() > 1e-6 {
            errs.push(bad("components.weight", "the weights sum to 1"));
        }
        if self
            .components
            .iter()
            .any(|c| !(1..=1_000_000).contains(&c.minimum))
        {
            errs.push(bad("components.minimum", "each minimum is 1-1,000,000"));
        }
        if !(self.coverage_target > 0.0 && self.coverage_target <= 1.0) {
            errs.push(bad("coverageTarget", "is in (0, 1]"));
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(Invalid(errs))
        }
    }
}

/// One raw input of a component, named (e.g. `responded`, `invited`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawInput {
    /// Stable name.
    pub name: String,
    /// Value.
    pub value: f64,
}

/// What the data says about one component before weighting.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    /// Component.
    pub component: Component,
    /// The amount of data (compared with the framework's minimum).
    pub n: u64,
    /// The score on 0–100 (none without data at all).
    pub score: Option<f64>,
    /// Its raw inputs.
    pub inputs: Vec<RawInput>,
}

/// One component of a scorecard: inputs, score, weight, contribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Line {
    /// Component.
    pub component: Component,
    /// Scored, or left out for insufficient data.
    pub status: ComponentStatus,
    /// The amount of data behind it.
    pub n: u64,
    /// The framework's minimum.
    pub minimum: u64,
    /// Raw inputs.
    pub inputs: Vec<RawInput>,
    /// Score on 0–100 (absent when left out).
    pub score: Option<f64>,
    /// The framework's weight.
    pub weight: f64,
    /// The weight applied after renormalising (absent when left out).
    pub applied_weight: Option<f64>,
    /// applied weight × score (absent when left out).
    pub contribution: Option<f64>,
}

/// A scorecard's figures: the lines and the total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    /// One line per framework component, in the framework's order.
    pub lines: Vec<Line>,
    /// Σ contributions, rounded half-up to two decimals (absent when no
    /// component has data).
    pub total: Option<f64>,
    /// The weight of the components with data, before renormalising.
    pub weight_with_data: f64,
    /// Whether it takes part in the ranking: `SATISFACTION` has data and the
    /// components with data carry at least half the weight.
    pub rankable: bool,
}

/// Scores a scorecard: components below their minimum are left out and the
/// others' weights renormalised.
pub fn score(spec: &Spec, measured: &[Measured]) -> Card {
    let scored = |w: &Weighted| {
        measured
            .iter()
            .find(|m| m.component == w.component)
            .filter(|m| m.n >= w.minimum && m.score.is_some())
    };
    let weight_with_data: f64 = spec
        .components
        .iter()
        .filter(|w| scored(w).is_some())
        .map(|w| w.weight)
        .sum();
    let mut total = 0.0;
    let lines: Vec<Line> = spec
        .components
        .iter()
        .map(|w| {
            let m = measured.iter().find(|m| m.component == w.component);
            let (n, inputs) = m.map_or((0, vec![]), |m| (m.n, m.inputs.clone()));
            match scored(w).and_then(|m| m.score) {
                Some(s) if weight_with_data > 0.0 => {
                    let applied = w.weight / weight_with_data;
                    total += applied * s;
                    Line {
                        component: w.component,
                        status: ComponentStatus::Scored,
                        n,
                        minimum: w.minimum,
                        inputs,
                        score: Some(s),
                        weight: w.weight,
                        applied_weight: Some(applied),
                        contribution: Some(applied * s),
                    }
                }
                _ => Line {
                    component: w.component,
                    status: ComponentStatus::InsufficientData,
                    n,
                    minimum: w.minimum,
                    inputs,
                    score: None,
                    weight: w.weight,
                    applied_weight: None,
                    contribution: None,
                },
            }
        })
        .collect();
    let satisfaction = lines
        .iter()
        .any(|l| l.component == Component::Satisfaction && l.status == ComponentStatus::Scored);
    Card {
        total: (weight_with_data > 0.0).then(|| round_half_up(total, 2)),
        rankable: satisfaction && weight_with_data + 1e-9 >= RANKED_WEIGHT_FLOOR,
        lines,
        weight_with_data,
    }
}

/// Competition ranks ("1224") of `totals` among peers: `None` for those not
/// rankable; equal totals (to two decimals) share a rank.
pub fn ranks(totals: &[Option<f64>]) -> Vec<Option<u32>> {
    let key = |t: f64| (t * 100.0).round() as i64;
    totals
        .iter()
        .map(|t| {
            t.map(|t| {
                let better = totals
                    .iter()
                    .flatten()
                    .filter(|o| key(**o) > key(t))
                    .count();
                u32::try_from(better).unwrap_or(u32::MAX).saturating_add(1)
            })
        })
        .collect()
}

fn input(name: &str, value: f64) -> RawInput {
    RawInput {
        name: name.to_owned(),
        value,
    }
}

/// `SATISFACTION`: the SKM index (with the fewest answers of its nine elements),
/// else the top-box share × 100 of the trust / overall question.
pub fn satisfaction(skm: Option<(f64, u64)>, top_box: Option<(u64, u64)>) -> Measured {
    let c = Component::Satisfaction;
    match (skm, top_box) {
        (Some((index, n)), _) => Measured {
            component: c,
            n,
            score: Some(index),
            inputs: vec![input("skmIndex", index), input("answers", n as f64)],
        },
        (None, Some((k, n))) if n > 0 => Measured {
            component: c,
            n,
            score: Some(k as f64 / n as f64 * 100.0),
            inputs: vec![input("topBox", k as f64), input("answers", n as f64)],
        },
        _ => Measured {
            component: c,
            n: 0,
            score: None,
            inputs: vec![],
        },
    }
}

/// `COVERAGE`: responses / invitations against `target`, capped at 100.
pub fn coverage(responded: u64, invited: u64, target: f64) -> Measured {
    let rate = (invited > 0).then(|| responded.min(invited) as f64 / invited as f64);
    Measured {
        component: Component::Coverage,
        n: invited,
        score: rate.map(|r| (r / target * 100.0).min(100.0)),
        inputs: vec![
            input("responded", responded as f64),
            input("invited", invited as f64),
            input("target", target),
        ],
    }
}

/// `IMPROVEMENT`: actions due completed on time and findings not left open,
/// pooled over both.
pub fn improvement(
    actions_due: u64,
    on_time: u64,
    findings_due: u64,
    not_left_open: u64,
) -> Measured {
    let n = actions_due + findings_due;
    Measured {
        component: Component::Improvement,
        n,
        score: (n > 0).then(|| (on_time + not_left_open) as f64 / n as f64 * 100.0),
        inputs: vec![
            input("actionsDue", actions_due as f64),
            input("actionsOnTime", on_time as f64),
            input("findingsDue", findings_due as f64),
            input("findingsNotLeftOpen", not_left_open as f64),
        ],
    }
}

/// `RESPONSIVENESS`: suggestions due answered within their deadline.
pub fn responsiveness(due: u64, in_time: u64) -> Measured {
    Measured {
        component: Component::Responsiveness,
        n: due,
        score: (due > 0).then(|| in_time as f64 / due as f64 * 100.0),
        inputs: vec![
            input("due", due as f64),
            input("answeredInTime", in_time as f64),
        ],
    }
}

/// `INDEPENDENT_EVALUATION`: the latest published NGO evaluation's score.
pub fn independent_evaluation(score_100: Option<f64>) -> Measured {
    Measured {
        component: Component::IndependentEvaluation,
        n: u64::from(score_100.is_some()),
        score: score_100,
        inputs: score_100
            .map(|s| vec![input("evaluationScore", s)])
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(component: Component, n: u64, score: f64) -> Measured {
        Measured {
            component,
            n,
            score: Some(score),
            inputs: vec![],
        }
    }

    #[test]
    fn the_issue_test_vector_renormalises_over_the_components_with_data() {
        // 0.5/0.1/0.15/0.15/0.1; 80/60/50/insufficient/70 →
        // (0.5·80 + 0.1·60 + 0.15·50 + 0.1·70) / 0.85 = 71.18.
        let spec = Spec::national();
        let card = score(
            &spec,
            &[
                m(Component::Satisfaction, 100, 80.0),
                m(Component::Coverage, 100, 60.0),
                m(Component::Improvement, 4, 50.0),
                m(Component::Responsiveness, 2, 100.0),
                m(Component::IndependentEvaluation, 1, 70.0),
            ],
        );
        assert_eq!(card.total, Some(71.18));
        assert!((card.weight_with_data - 0.85).abs() < 1e-12);
        let r = &card.lines[3];
        assert_eq!(r.status, ComponentStatus::InsufficientData, "2 < minimum 3");
        assert_eq!(
            (r.score, r.contribution, r.applied_weight),
            (None, None, None)
        );
        let s = &card.lines[0];
        assert!((s.applied_weight.unwrap_or(0.0) - 0.5 / 0.85).abs() < 1e-12);
        let sum: f64 = card.lines.iter().filter_map(|l| l.contribution).sum();
        assert!((sum - 71.176_470_588).abs() < 1e-6);
        assert!(card.rankable);
    }

    #[test]
    fn without_satisfaction_or_with_too_little_weight_a_card_is_not_ranked() {
        let spec = Spec::national();
        let no_satisfaction = score(&spec, &[m(Component::Coverage, 100, 60.0)]);
        assert_eq!(no_satisfaction.total, Some(60.0));
        assert!(!no_satisfaction.rankable);
        let nothing = score(&spec, &[]);
        assert_eq!((nothing.total, nothing.rankable), (None, false));
        let thin = Spec {
            components: vec![
                Weighted {
                    component: Component::Satisfaction,
                    weight: 0.4,
                    minimum: 10,
                },
                Weighted {
                    component: Component::Coverage,
                    weight: 0.6,
                    minimum: 10,
                },
            ],
            coverage_target: 0.3,
        };
        let card = score(&thin, &[m(Component::Satisfaction, 10, 90.0)]);
        assert_eq!(card.total, Some(90.0));
        assert!(!card.rankable, "0.4 of the weight is below the floor");
    }

    #[test]
    fn equal_totals_share_a_rank_and_the_next_rank_is_skipped() {
        let r = ranks(&[Some(70.0), Some(80.5), None, Some(70.004), Some(60.0)]);
        assert_eq!(r, vec![Some(2), Some(1), None, Some(2), Some(4)]);
    }

    #[test]
    fn component_scores_follow_their_definitions() {
        assert_eq!(coverage(15, 50, 0.5).score, Some(60.0));
        assert_eq!(coverage(40, 50, 0.3).score, Some(100.0), "capped");
        assert_eq!(coverage(0, 0, 0.3).score, None);
        assert_eq!(improvement(2, 1, 2, 1).score, Some(50.0));
        assert_eq!(responsiveness(4, 3).score, Some(75.0));
        assert_eq!(satisfaction(None, Some((12, 15))).score, Some(80.0));
        assert_eq!(
            satisfaction(Some((91.67, 30)), Some((1, 2))).score,
            Some(91.67)
        );
        assert_eq!(independent_evaluation(Some(70.0)).n, 1);
    }

    #[test]
    fn a_framework_must_weigh_distinct_components_to_one() {
        assert!(Spec::national().check().is_ok());
        let mut twice = Spec::national();
        twice.components[1].component = Component::Satisfaction;
        assert!(twice.check().is_err());
        let mut heavy = Spec::national();
        heavy.components[0].weight = 0.6;
        assert!(heavy.check().is_err());
        let mut target = Spec::national();
        target.coverage_target = 0.0;
        assert!(target.check().is_err());
    }
}
