//! An NGO's evaluation of an institution: its life as a pure transition table,
//! what it holds (scores per rubric criterion with evidence, observations per
//! service point, the methods used, recommendations) and how that is checked.
//!
//! Life: `DRAFT → SUBMITTED → PUBLISHED`; a SUPERVISOR may return a submission
//! (`RETURNED`, edited and submitted again); the NGO may withdraw it before it is
//! published (`WITHDRAWN`). A published evaluation never changes: a correction is
//! a new revision.

use super::error::Invalid;
use super::ngo::{Criterion, SCALE};
use super::text::{free_text, https_link};
use super::vocab::{EvaluationMethod, EvaluationStatus, Priority};
use chrono::NaiveDate;
use std::collections::HashSet;
use uuid::Uuid;

/// Something that moves an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvaluationMove {
    /// The NGO submits it.
    Submit,
    /// A SUPERVISOR returns it with comments.
    Return,
    /// The NGO withdraws it.
    Withdraw,
    /// A SUPERVISOR publishes it.
    Publish,
}

impl EvaluationMove {
    /// Every move.
    pub const ALL: [EvaluationMove; 4] = [
        EvaluationMove::Submit,
        EvaluationMove::Return,
        EvaluationMove::Withdraw,
        EvaluationMove::Publish,
    ];
}

/// The status `m` moves `from` to; `None` when it may not.
pub fn next(from: EvaluationStatus, m: EvaluationMove) -> Option<EvaluationStatus> {
    use EvaluationMove as M;
    use EvaluationStatus::*;
    match (from, m) {
        (Draft | Returned, M::Submit) => Some(Submitted),
        (Submitted, M::Return) => Some(Returned),
        (Draft | Submitted | Returned, M::Withdraw) => Some(Withdrawn),
        (Submitted, M::Publish) => Some(Published),
        _ => None,
    }
}

/// Whether the NGO may still edit it.
pub fn editable(s: EvaluationStatus) -> bool {
    matches!(s, EvaluationStatus::Draft | EvaluationStatus::Returned)
}

/// Longest free text (evidence, observation, summary, recommendation), in characters.
pub const TEXT_MAX: usize = 4_000;
/// Most links, observations, methods or recommendations of one kind.
pub const ITEMS_MAX: usize = 50;

/// A criterion's score (`None`: not assessed), with its evidence.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CriterionScore {
    /// The rubric criterion's key.
    pub key: String,
    /// 1–5, or not assessed.
    pub score: Option<u8>,
    /// What the score rests on.
    pub evidence: String,
    /// Evidence links (https).
    pub links: Vec<String>,
}

/// What the evaluators saw at one service point.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Observation {
    /// The service point.
    pub service_point_id: Uuid,
    /// What they saw.
    pub text: String,
}

/// One method used.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Method {
    /// Which.
    pub kind: EvaluationMethod,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Where.
    pub service_point_ids: Vec<Uuid>,
    /// How many visits, shoppers, documents, people or tests.
    pub sample_size: u32,
}

/// A recommendation to the institution.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Recommendation {
    /// What to do.
    pub text: String,
    /// How urgent.
    pub priority: Priority,
}

/// What an evaluation says.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Content {
    /// Per criterion of the rubric.
    pub criteria: Vec<CriterionScore>,
    /// Per service point.
    pub observations: Vec<Observation>,
    /// The methods used.
    pub methods: Vec<Method>,
    /// Overall summary.
    pub summary: String,
    /// Recommendations.
    pub recommendations: Vec<Recommendation>,
}

fn text(field: &str, raw: &str) -> Result<String, Invalid> {
    free_text(field, raw, TEXT_MAX)
}

fn at_most<T>(field: &str, items: &[T]) -> Result<(), Invalid> {
    if items.len() > ITEMS_MAX {
        return Err(Invalid::field(field, format!("at most {ITEMS_MAX}")));
    }
    Ok(())
}

impl Content {
    /// Checks and normalizes the content against the rubric's criteria and the
    /// service points the evaluation may speak of (those of the institution).
    pub fn check(mut self, rubric: &[Criterion], points: &HashSet<Uuid>) -> Result<Self, Invalid> {
        at_most("criteria", &self.criteria)?;
        at_most("observations", &self.observations)?;
        at_most("methods", &self.methods)?;
        at_most("recommendations", &self.recommendations)?;
        let keys: HashSet<&str> = rubric.iter().map(|c| c.key.as_str()).collect();
        let mut seen = HashSet::new();
        for c in &mut self.criteria {
            if !keys.contains(c.key.as_str()) || !seen.insert(c.key.clone()) {
                return Err(Invalid::field(
                    "criteria.key",
                    format!(
                        "{:?} is not a criterion of the rubric, or is repeated",
                        c.key
                    ),
                ));
            }
            if let Some(s) = c.score
                && !(SCALE.0..=SCALE.1).contains(&s)
            {
                return Err(Invalid::field("criteria.score", "must be 1-5, or none"));
            }
            c.evidence = text("criteria.evidence", &c.evidence)?;
            at_most("criteria.links", &c.links)?;
            c.links = c
                .links
                .iter()
                .map(|l| https_link("criteria.links", l))
                .collect::<Result<_, _>>()?;
        }
        for o in &mut self.observations {
            if !points.contains(&o.service_point_id) {
                return Err(Invalid::field(
                    "observations.servicePointId",
                    "must be a service point of the institution",
                ));
            }
            o.text = text("observations.text", &o.text)?;
        }
        for m in &self.methods {
            if m.from > m.to || (m.to - m.from).num_days() > 366 {
                return Err(Invalid::field(
                    "methods.from",
                    "must be on or before to, at most a year before",
                ));
            }
            if m.service_point_ids.iter().any(|p| !points.contains(p)) {
                return Err(Invalid::field(
                    "methods.servicePointIds",
                    "must be service points of the institution",
                ));
            }
            if m.sample_size == 0 || m.sample_size > 1_000_000 {
                return Err(Invalid::field("methods.sampleSize", "must be 1-1,000,000"));
            }
        }
        self.summary = text("summary", &self.summary)?;
        for r in &mut self.recommendations {
            r.text = text("recommendations.text", &r.text)?;
            if r.text.is_empty() {
                return Err(Invalid::field("recommendations.text", "must not be empty"));
            }
        }
        Ok(self)
    }

    /// The score over `rubric` (see [`super::ngo::score`]).
    pub fn score(&self, rubric: &[Criterion]) -> Option<(f64, f64)> {
        let weighted: Vec<(f64, Option<u8>)> = rubric
            .iter()
            .map(|c| {
                let s = self
                    .criteria
                    .iter()
                    .find(|x| x.key == c.key)
                    .and_then(|x| x.score);
                (c.weight, s)
            })
            .collect();
        super::ngo::score(&weighted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EvaluationMove as M;
    use EvaluationStatus::*;

    #[test]
    fn every_status_and_move_pair_is_decided_by_the_table() {
        let expected = |from: EvaluationStatus, m: EvaluationMove| match (from, m) {
            (Draft, M::Submit) => Some(Submitted),
            (Draft, M::Withdraw) => Some(Withdrawn),
            (Submitted, M::Return) => Some(Returned),
            (Submitted, M::Withdraw) => Some(Withdrawn),
            (Submitted, M::Publish) => Some(Published),
            (Returned, M::Submit) => Some(Submitted),
            (Returned, M::Withdraw) => Some(Withdrawn),
            _ => None,
        };
        let mut pairs = 0;
        for from in EvaluationStatus::ALL {
            for m in EvaluationMove::ALL {
                assert_eq!(next(*from, m), expected(*from, m), "{from:?} × {m:?}");
                pairs += 1;
            }
        }
        assert_eq!(pairs, 20);
        for m in EvaluationMove::ALL {
            assert_eq!(
                next(Published, m),
                None,
                "a published evaluation never moves"
            );
        }
    }
}
