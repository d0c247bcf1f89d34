//! NGOs that evaluate public services independently: their accreditation as a
//! pure transition table, the rubric they score on, and the score.
//!
//! A SUPERVISOR accredits a registered NGO for a validity period (a renewal is a
//! new accreditation), may suspend an accreditation and reinstate it (accrediting
//! again), or withdraw it. Only an NGO accredited and within its validity today
//! may start or submit evaluations; what it published stays valid.

use super::error::Invalid;
use super::localized::LocalizedText;
use super::vocab::AccreditationStatus;
use chrono::NaiveDate;
use std::collections::HashSet;

/// A decision about an NGO's accreditation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccreditationMove {
    /// Accredit for a validity period (first time, renewal, or reinstatement).
    Accredit,
    /// Suspend, with a reason.
    Suspend,
    /// Withdraw, with a reason.
    Withdraw,
}

impl AccreditationMove {
    /// Every decision.
    pub const ALL: [AccreditationMove; 3] = [
        AccreditationMove::Accredit,
        AccreditationMove::Suspend,
        AccreditationMove::Withdraw,
    ];
}

/// The status `m` moves `from` to; `None` when it may not.
pub fn next(from: AccreditationStatus, m: AccreditationMove) -> Option<AccreditationStatus> {
    use AccreditationMove as M;
    use AccreditationStatus::*;
    match (from, m) {
        (_, M::Accredit) => Some(Accredited),
        (Accredited, M::Suspend) => Some(Suspended),
        (Accredited | Suspended, M::Withdraw) => Some(Withdrawn),
        _ => None,
    }
}

/// Whether an NGO in `status`, accredited `from`–`until` (inclusive), may start
/// or submit evaluations on `today`.
pub fn may_evaluate(
    status: AccreditationStatus,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    status == AccreditationStatus::Accredited
        && from.is_some_and(|f| f <= today)
        && until.is_some_and(|u| today <= u)
}

/// Lowest and highest score of a criterion.
pub const SCALE: (u8, u8) = (1, 5);
/// Most criteria in a rubric.
pub const CRITERIA_MAX: usize = 20;

/// One criterion of a rubric.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Criterion {
    /// Stable key (`quality`, `availability`, …).
    pub key: String,
    /// Name.
    pub name: LocalizedText,
    /// What it assesses.
    pub description: LocalizedText,
    /// What each level (1 to 5) means.
    pub levels: Vec<LocalizedText>,
    /// Its weight; a rubric's weights sum to 1.
    pub weight: f64,
}

/// Checks a rubric's criteria: 1 to 20, keys unique and well-formed, five anchored
/// levels each, positive weights summing to 1.
pub fn check_criteria(criteria: &[Criterion]) -> Result<(), Invalid> {
    let bad = |why: String| Err(Invalid::field("criteria", why));
    if criteria.is_empty() || criteria.len() > CRITERIA_MAX {
        return bad(format!("a rubric has 1 to {CRITERIA_MAX} criteria"));
    }
    let mut keys = HashSet::new();
    for c in criteria {
        let key_ok = !c.key.is_empty()
            && c.key.len() <= 40
            && c.key
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
        if !key_ok {
            return bad(format!("criterion key {:?}: 1-40 of a-z, 0-9 and _", c.key));
        }
        if !keys.insert(c.key.as_str()) {
            return bad(format!("criterion key {} is repeated", c.key));
        }
        if c.levels.len() != usize::from(SCALE.1 - SCALE.0 + 1) {
            return bad(format!(
                "criterion {}: describe each of the 5 levels",
                c.key
            ));
        }
        if !(c.weight.is_finite() && c.weight > 0.0 && c.weight <= 1.0) {
            return bad(format!("criterion {}: a weight in (0, 1]", c.key));
        }
    }
    let sum: f64 = criteria.iter().map(|c| c.weight).sum();
    if (sum - 1.0).abs() > 1e-6 {
        return bad(format!("the weights sum to {sum}, not 1"));
    }
    Ok(())
}

/// An evaluation's score: the weighted mean of the assessed criteria (weights
/// renormalised over them) on 1–5, and that mean mapped linearly to 0–100.
/// `None` when no criterion was assessed.
pub fn score(weighted: &[(f64, Option<u8>)]) -> Option<(f64, f64)> {
    let (mut sum, mut weights) = (0.0, 0.0);
    for (w, s) in weighted {
        if let Some(s) = s {
            sum += w * f64::from(*s);
            weights += w;
        }
    }
    if weights <= 0.0 {
        return None;
    }
    let mean = sum / weights;
    let lo = f64::from(SCALE.0);
    let hi = f64::from(SCALE.1);
    Some((mean, (mean - lo) / (hi - lo) * 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccreditationMove as M;
    use AccreditationStatus::*;

    #[test]
    fn every_status_and_decision_pair_is_decided_by_the_table() {
        let expected = |from: AccreditationStatus, m: AccreditationMove| match (from, m) {
            (Registered, M::Accredit) => Some(Accredited),
            (Registered, M::Suspend) => None,
            (Registered, M::Withdraw) => None,
            (Accredited, M::Accredit) => Some(Accredited),
            (Accredited, M::Suspend) => Some(Suspended),
            (Accredited, M::Withdraw) => Some(Withdrawn),
            (Suspended, M::Accredit) => Some(Accredited),
            (Suspended, M::Suspend) => None,
            (Suspended, M::Withdraw) => Some(Withdrawn),
            (Withdrawn, M::Accredit) => Some(Accredited),
            (Withdrawn, M::Suspend) => None,
            (Withdrawn, M::Withdraw) => None,
        };
        let mut pairs = 0;
        for from in AccreditationStatus::ALL {
            for m in AccreditationMove::ALL {
                assert_eq!(next(*from, m), expected(*from, m), "{from:?} × {m:?}");
                pairs += 1;
            }
        }
        assert_eq!(pairs, 12);
    }

    #[test]
    fn an_accreditation_holds_from_its_first_to_its_last_day() {
        let d = |m, day| NaiveDate::from_ymd_opt(2027, m, day).unwrap();
        let (from, until) = (Some(d(1, 1)), Some(d(12, 31)));
        assert!(!may_evaluate(
            Accredited,
            from,
            until,
            d(1, 1).pred_opt().unwrap()
        ));
        assert!(may_evaluate(Accredited, from, until, d(1, 1)));
        assert!(may_evaluate(Accredited, from, until, d(12, 31)));
        assert!(!may_evaluate(
            Accredited,
            from,
            until,
            d(12, 31).succ_opt().unwrap()
        ));
        assert!(!may_evaluate(Suspended, from, until, d(6, 1)));
        assert!(!may_evaluate(Registered, None, None, d(6, 1)));
    }

    #[test]
    fn the_score_renormalises_over_the_assessed_criteria() {
        // The vector: 0.3/0.2/0.2/0.2/0.1, scores 4/3/5/–/2 → 3.75 → 68.75.
        let s = score(&[
            (0.3, Some(4)),
            (0.2, Some(3)),
            (0.2, Some(5)),
            (0.2, None),
            (0.1, Some(2)),
        ])
        .unwrap();
        assert!((s.0 - 3.75).abs() < 1e-12, "{s:?}");
        assert!((s.1 - 68.75).abs() < 1e-12, "{s:?}");
        assert_eq!(score(&[(0.5, None), (0.5, None)]), None);
        assert_eq!(score(&[(1.0, Some(1))]), Some((1.0, 0.0)));
        assert_eq!(score(&[(1.0, Some(5))]), Some((5.0, 100.0)));
    }
}
