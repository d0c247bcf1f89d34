//! Improvement actions: their life cycle as a pure transition table, and the test
//! of whether one moved what it targeted.
//!
//! Life: `PROPOSED → PLANNED → IN_PROGRESS → COMPLETED → VERIFIED`; `CANCELLED`
//! (with a reason) from any state before `COMPLETED`; `COMPLETED → IN_PROGRESS`
//! when a verifier rejects the completion (with a reason). Verifying and rejecting
//! are a supervisor's; every other move is the institution's.
//!
//! Effect: the metric over a window before the start against the same metric over
//! a window after completion, with the tests of change of the figures (shares:
//! pooled two-proportion z; means: Welch; NPS: Δ / sqrt(SE₁² + SE₂²)), a 95%
//! interval of the difference (unpooled standard error) and a two-sided p-value.

use super::error::Invalid;
use super::figures::{FigureSet, Snapshot};
use super::metrics::{self, Distribution, Z95};
use super::survey::Driver;
use super::vocab::{ActionStatus, EffectStatus, FigureOrigin, Measure, MetricKind};

/// Something that moves an improvement action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionMove {
    /// Commit to a proposed action.
    Plan,
    /// Start carrying it out.
    Start,
    /// Say it is done.
    Complete,
    /// A supervisor confirms it is done.
    Verify,
    /// A supervisor finds it is not done: back in progress, with a reason.
    Reject,
    /// Abandon it before completion, with a reason.
    Cancel,
}

impl ActionMove {
    /// Every move.
    pub const ALL: [ActionMove; 6] = [
        ActionMove::Plan,
        ActionMove::Start,
        ActionMove::Complete,
        ActionMove::Verify,
        ActionMove::Reject,
        ActionMove::Cancel,
    ];

    /// Whether this move must say why.
    pub fn needs_reason(self) -> bool {
        matches!(self, ActionMove::Reject | ActionMove::Cancel)
    }

    /// Whether only a verifier (a supervisor) makes this move.
    pub fn by_verifier(self) -> bool {
        matches!(self, ActionMove::Verify | ActionMove::Reject)
    }
}

/// The status `m` moves `from` to; `None` when it may not.
pub fn next(from: ActionStatus, m: ActionMove) -> Option<ActionStatus> {
    use ActionStatus::*;
    match (from, m) {
        (Proposed, ActionMove::Plan) => Some(Planned),
        (Planned, ActionMove::Start) => Some(InProgress),
        (InProgress, ActionMove::Complete) => Some(Completed),
        (Completed, ActionMove::Verify) => Some(Verified),
        (Completed, ActionMove::Reject) => Some(InProgress),
        (Proposed | Planned | InProgress, ActionMove::Cancel) => Some(Cancelled),
        _ => None,
    }
}

/// Whether an action in `status` is still open (counts towards overdue).
pub fn is_open(status: ActionStatus) -> bool {
    !matches!(
        status,
        ActionStatus::Completed | ActionStatus::Verified | ActionStatus::Cancelled
    )
}

/// The test of one action's effect.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effect {
    /// The metric before.
    pub before: f64,
    /// The metric after.
    pub after: f64,
    /// After − before.
    pub difference: f64,
    /// Lower bound of the difference's 95% interval.
    pub low: f64,
    /// Upper bound of the difference's 95% interval.
    pub high: f64,
    /// Test statistic.
    pub z: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

impl Effect {
    /// `IMPROVED`, `NO_CHANGE` or `WORSENED` at 95% (higher is better for every measure).
    pub fn status(&self) -> EffectStatus {
        if self.z >= Z95 {
            EffectStatus::Improved
        } else if self.z <= -Z95 {
            EffectStatus::Worsened
        } else {
            EffectStatus::NoChange
        }
    }
}

fn effect(before: f64, after: f64, z: f64, se_difference: f64) -> Effect {
    let difference = after - before;
    Effect {
        before,
        after,
        difference,
        low: difference - Z95 * se_difference,
        high: difference + Z95 * se_difference,
        z,
        p_value: p_two_sided(z),
    }
}

/// Shares `k/n` before and after: pooled two-proportion z.
pub fn share_effect(before: (u64, u64), after: (u64, u64)) -> Option<Effect> {
    let (a, b) = (
        metrics::share(before.0, before.1)?,
        metrics::share(after.0, after.1)?,
    );
    let change = metrics::share_change(&a, &b)?;
    let se =
        (a.value * (1.0 - a.value) / a.n as f64 + b.value * (1.0 - b.value) / b.n as f64).sqrt();
    Some(effect(a.value, b.value, change.z, se))
}

/// Means before and after: Welch's statistic (normal approximation). `scale`
/// multiplies values and differences (25 for an SKM index over pooled element answers).
pub fn mean_effect(before: &Distribution, after: &Distribution, scale: f64) -> Option<Effect> {
    let change = metrics::mean_change(before, after)?;
    let se = (before.variance()? / before.n() as f64 + after.variance()? / after.n() as f64).sqrt();
    Some(effect(
        before.mean()? * scale,
        after.mean()? * scale,
        change.z,
        se * scale,
    ))
}

/// NPS before and after: Δ / sqrt(SE₁² + SE₂²).
pub fn nps_effect(before: &Distribution, after: &Distribution) -> Option<Effect> {
    let (a, b) = (metrics::nps(before)?, metrics::nps(after)?);
    let change = metrics::nps_change(&a, &b);
    Some(effect(
        a.score,
        b.score,
        change.z,
        (a.se.powi(2) + b.se.powi(2)).sqrt(),
    ))
}

/// What an action targets: a question (by key), a driver, the SKM index or the
/// response rate, with how it is measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metric {
    /// What.
    pub kind: MetricKind,
    /// The question key or driver (`OVERALL`, `SKM_TIME`, …).
    pub subject: Option<String>,
    /// How.
    pub measure: Measure,
}

impl Metric {
    /// Checks that the measure fits: a question by top-box share, mean or NPS; a
    /// driver by top-box share; the SKM index and the response rate by themselves.
    pub fn parse(
        kind: MetricKind,
        subject: Option<String>,
        measure: Measure,
    ) -> Result<Self, Invalid> {
        let subject = subject
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        let fits = match kind {
            MetricKind::Question => {
                matches!(measure, Measure::TopBox | Measure::Mean | Measure::Nps)
            }
            MetricKind::Driver => measure == Measure::TopBox,
            MetricKind::SkmIndex => measure == Measure::SkmIndex,
            MetricKind::ResponseRate => measure == Measure::ResponseRate,
        };
        if !fits {
            return Err(Invalid::field(
                "metric.measure",
                "does not fit the metric: a question takes TOP_BOX, MEAN or NPS; a driver \
                 TOP_BOX; the SKM index SKM_INDEX; the response rate RESPONSE_RATE",
            ));
        }
        match (kind, &subject) {
            (MetricKind::Question, Some(k)) if k.len() <= 64 => {}
            (MetricKind::Question, _) => {
                return Err(Invalid::field(
                    "metric.subject",
                    "a question's key (at most 64 characters) is required",
                ));
            }
            (MetricKind::Driver, Some(d)) if driver(d).is_some() => {}
            (MetricKind::Driver, _) => {
                return Err(Invalid::field("metric.subject", "an unknown driver"));
            }
            (_, Some(_)) => {
                return Err(Invalid::field(
                    "metric.subject",
                    "only a question or a driver takes a subject",
                ));
            }
            (_, None) => {}
        }
        Ok(Self {
            kind,
            subject,
            measure,
        })
    }
}

fn driver(name: &str) -> Option<Driver> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}

/// The answers a metric rests on in one window.
#[derive(Debug, Clone, PartialEq)]
pub enum Sample {
    /// A share `k / n`.
    Share {
        /// Favourable.
        k: u64,
        /// All.
        n: u64,
    },
    /// Values on a scale; the metric is their mean × `scale`.
    Values {
        /// The answers.
        dist: Distribution,
        /// 1, or 25 for the SKM index (elements 1–4 → 25–100).
        scale: f64,
    },
    /// 0–10 answers; the metric is their NPS.
    Nps(Distribution),
}

impl Sample {
    /// How many answers (or invitations, for a response rate) it rests on.
    pub fn n(&self) -> u64 {
        match self {
            Sample::Share { n, .. } => *n,
            Sample::Values { dist, .. } | Sample::Nps(dist) => dist.n(),
        }
    }

    /// The metric's value.
    pub fn value(&self) -> Option<f64> {
        match self {
            Sample::Share { k, n } => metrics::share(*k, *n).map(|s| s.value),
            Sample::Values { dist, scale } => dist.mean().map(|m| m * scale),
            Sample::Nps(dist) => metrics::nps(dist).map(|n| n.score),
        }
    }
}

/// The figure set a metric reads: the headline's where a supervisor narrowed it,
/// else every answer.
fn headline(sets: &[FigureSet]) -> Option<&FigureSet> {
    sets.iter()
        .find(|f| f.origin == FigureOrigin::Headline)
        .or_else(|| sets.iter().find(|f| f.origin == FigureOrigin::Combined))
}

fn values_of(set: &FigureSet, into: &mut Distribution) {
    for b in &set.distribution {
        if let Ok(v) = b.bucket.parse::<i32>() {
            into.add(v, b.count);
        }
    }
}

/// The answers `metric` rests on in a scope's figures (none: nothing to measure).
/// A question asked by several surveys of the scope is pooled; the SKM index is
/// measured over the nine elements' answers pooled (mean × 25).
pub fn sample(figures: &Snapshot, metric: &Metric) -> Option<Sample> {
    let subject = metric.subject.as_deref().unwrap_or_default();
    let sample = match (metric.kind, metric.measure) {
        (MetricKind::ResponseRate, _) => {
            let r = figures.response_rate?;
            Sample::Share { k: r.k, n: r.n }
        }
        (MetricKind::Driver, _) => {
            let d = driver(subject)?;
            let set = figures
                .drivers
                .iter()
                .find(|f| f.driver == d)
                .and_then(|f| headline(&f.figures))?;
            let s = set.top_box?;
            Sample::Share { k: s.k, n: s.n }
        }
        (MetricKind::SkmIndex, _) => {
            let mut dist = Distribution::default();
            for q in &figures.questions {
                if q.driver.is_some_and(|d| d.is_skm_element())
                    && let Some(set) = headline(&q.figures)
                {
                    values_of(set, &mut dist);
                }
            }
            Sample::Values { dist, scale: 25.0 }
        }
        (MetricKind::Question, measure) => {
            let sets: Vec<&FigureSet> = figures
                .questions
                .iter()
                .filter(|q| q.question_key == subject)
                .filter_map(|q| headline(&q.figures))
                .collect();
            if sets.is_empty() {
                return None;
            }
            match measure {
                Measure::TopBox => {
                    let (k, n) = sets
                        .iter()
                        .filter_map(|s| s.top_box)
                        .fold((0, 0), |(k, n), s| (k + s.k, n + s.n));
                    Sample::Share { k, n }
                }
                _ => {
                    let mut dist = Distribution::default();
                    for s in sets {
                        values_of(s, &mut dist);
                    }
                    if measure == Measure::Nps {
                        Sample::Nps(dist)
                    } else {
                        Sample::Values { dist, scale: 1.0 }
                    }
                }
            }
        }
    };
    Some(sample)
}

/// The test of change from `before` to `after` (of the same metric).
pub fn compare(before: &Sample, after: &Sample) -> Option<Effect> {
    match (before, after) {
        (Sample::Share { k: ka, n: na }, Sample::Share { k: kb, n: nb }) => {
            share_effect((*ka, *na), (*kb, *nb))
        }
        (Sample::Values { dist: a, scale }, Sample::Values { dist: b, .. }) => {
            mean_effect(a, b, *scale)
        }
        (Sample::Nps(a), Sample::Nps(b)) => nps_effect(a, b),
        _ => None,
    }
}

/// Two-sided p-value of a standard normal statistic.
pub fn p_two_sided(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2).clamp(0.0, 1.0)
}

/// The complementary error function (Chebyshev fit; relative error below 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ActionStatus::*;

    #[test]
    fn every_status_and_move_pair_is_decided_by_the_table() {
        let expected = |from: ActionStatus, m: ActionMove| -> Option<ActionStatus> {
            match (from, m) {
                (Proposed, ActionMove::Plan) => Some(Planned),
                (Proposed, ActionMove::Start) => None,
                (Proposed, ActionMove::Complete) => None,
                (Proposed, ActionMove::Verify) => None,
                (Proposed, ActionMove::Reject) => None,
                (Proposed, ActionMove::Cancel) => Some(Cancelled),
                (Planned, ActionMove::Plan) => None,
                (Planned, ActionMove::Start) => Some(InProgress),
                (Planned, ActionMove::Complete) => None,
                (Planned, ActionMove::Verify) => None,
                (Planned, ActionMove::Reject) => None,
                (Planned, ActionMove::Cancel) => Some(Cancelled),
                (InProgress, ActionMove::Plan) => None,
                (InProgress, ActionMove::Start) => None,
                (InProgress, ActionMove::Complete) => Some(Completed),
                (InProgress, ActionMove::Verify) => None,
                (InProgress, ActionMove::Reject) => None,
                (InProgress, ActionMove::Cancel) => Some(Cancelled),
                (Completed, ActionMove::Plan) => None,
                (Completed, ActionMove::Start) => None,
                (Completed, ActionMove::Complete) => None,
                (Completed, ActionMove::Verify) => Some(Verified),
                (Completed, ActionMove::Reject) => Some(InProgress),
                (Completed, ActionMove::Cancel) => None,
                (Verified, _) => None,
                (Cancelled, _) => None,
            }
        };
        let mut pairs = 0;
        for from in ActionStatus::ALL {
            for m in ActionMove::ALL {
                assert_eq!(next(*from, m), expected(*from, m), "{from:?} × {m:?}");
                pairs += 1;
            }
        }
        assert_eq!(pairs, 36);
    }

    #[test]
    fn only_cancelling_and_rejecting_need_a_reason_and_only_verifiers_verify_or_reject() {
        let reasons: Vec<ActionMove> = ActionMove::ALL
            .into_iter()
            .filter(|m| m.needs_reason())
            .collect();
        assert_eq!(reasons, [ActionMove::Reject, ActionMove::Cancel]);
        let verifier: Vec<ActionMove> = ActionMove::ALL
            .into_iter()
            .filter(|m| m.by_verifier())
            .collect();
        assert_eq!(verifier, [ActionMove::Verify, ActionMove::Reject]);
        let open: Vec<&ActionStatus> = ActionStatus::ALL.iter().filter(|s| is_open(**s)).collect();
        assert_eq!(open, [&Proposed, &Planned, &InProgress]);
    }

    fn close(a: f64, b: f64, eps: f64) -> bool {
        (a - b).abs() < eps
    }

    #[test]
    fn a_top_box_share_from_60_to_75_of_100_improved_and_to_66_did_not_change() {
        let e = share_effect((60, 100), (75, 100)).unwrap();
        assert!(close(e.difference, 0.15, 1e-12));
        assert!(close(e.z, 2.2646, 5e-5), "{}", e.z);
        assert!(close(e.p_value, 0.0235, 5e-5), "{}", e.p_value);
        // Unpooled standard error sqrt(.6·.4/100 + .75·.25/100) = 0.065383.
        assert!(close(e.low, 0.15 - 1.959964 * 0.065383, 1e-5));
        assert!(close(e.high, 0.15 + 1.959964 * 0.065383, 1e-5));
        assert_eq!(e.status(), EffectStatus::Improved);
        let e = share_effect((60, 100), (66, 100)).unwrap();
        assert_eq!(e.status(), EffectStatus::NoChange);
        let e = share_effect((75, 100), (60, 100)).unwrap();
        assert_eq!(e.status(), EffectStatus::Worsened);
        assert!(share_effect((0, 0), (1, 2)).is_none());
    }

    #[test]
    fn means_from_2_90_to_3_15_by_welch_did_not_change_at_95_percent() {
        let dist = |pairs: [(i32, u64); 4]| {
            let mut d = Distribution::default();
            for (v, c) in pairs {
                d.add(v, c);
            }
            d
        };
        let before = dist([(1, 10), (2, 20), (3, 40), (4, 30)]);
        let after = dist([(1, 5), (2, 15), (3, 40), (4, 40)]);
        let e = mean_effect(&before, &after, 1.0).unwrap();
        assert!(close(e.before, 2.90, 1e-12) && close(e.after, 3.15, 1e-12));
        assert!(close(e.difference, 0.25, 1e-12));
        assert!(close((e.high - e.low) / 2.0 / 1.959964, 0.1278, 5e-5));
        assert!(close(e.z, 1.956, 5e-4), "{}", e.z);
        assert_eq!(e.status(), EffectStatus::NoChange);
        let scaled = mean_effect(&before, &after, 25.0).unwrap();
        assert!(close(scaled.difference, 6.25, 1e-9) && close(scaled.z, e.z, 1e-12));
    }

    #[test]
    fn the_p_value_is_the_two_sided_normal_tail() {
        assert!(close(p_two_sided(0.0), 1.0, 1e-7));
        assert!(close(p_two_sided(1.959964), 0.05, 1e-6));
        assert!(close(p_two_sided(-2.575829), 0.01, 1e-6));
        assert!(p_two_sided(40.0) < 1e-12);
    }
}
