//! Satisfaction figures as pure functions over counts (DOMAIN.md). No database.
//! Shares are fractions in [0, 1]; indices keep their own scale (SKM 25–100,
//! NPS −100…100). Every 95% interval uses z = 1.959964. "Not applicable"
//! answers are excluded from every denominator; each figure carries its own n.

use std::collections::BTreeMap;

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959964;

/// Answers of one scale question in one scope: counts per value, plus "not applicable".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Distribution {
    /// value → count.
    pub counts: BTreeMap<i32, u64>,
    /// "Not applicable" answers (outside every denominator).
    pub not_applicable: u64,
}

impl Distribution {
    /// Adds `count` answers of `value`.
    pub fn add(&mut self, value: i32, count: u64) {
        *self.counts.entry(value).or_default() += count;
    }

    /// Pools another distribution into this one (scopes pool counts, never figures).
    pub fn merge(&mut self, other: &Distribution) {
        for (v, c) in &other.counts {
            self.add(*v, *c);
        }
        self.not_applicable += other.not_applicable;
    }

    /// Answers with a value.
    pub fn n(&self) -> u64 {
        self.counts.values().sum()
    }

    /// Answers with a value of at least `min`.
    pub fn at_least(&self, min: i32) -> u64 {
        self.counts.range(min..).map(|(_, c)| c).sum()
    }

    /// Answers with a value of at most `max`.
    pub fn at_most(&self, max: i32) -> u64 {
        self.counts.range(..=max).map(|(_, c)| c).sum()
    }

    /// Mean value.
    pub fn mean(&self) -> Option<f64> {
        let n = self.n();
        (n > 0).then(|| {
            self.counts
                .iter()
                .map(|(v, c)| f64::from(*v) * *c as f64)
                .sum::<f64>()
                / n as f64
        })
    }

    /// Sample variance (n − 1).
    pub fn variance(&self) -> Option<f64> {
        let n = self.n();
        let m = self.mean()?;
        (n > 1).then(|| {
            self.counts
                .iter()
                .map(|(v, c)| (f64::from(*v) - m).powi(2) * *c as f64)
                .sum::<f64>()
                / (n - 1) as f64
        })
    }
}

/// A share k/n with its Wilson 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Share {
    /// Favourable answers.
    pub k: u64,
    /// All answers (not applicable excluded).
    pub n: u64,
    /// k / n.
    pub value: f64,
    /// Lower bound of the 95% interval.
    pub low: f64,
    /// Upper bound of the 95% interval.
    pub high: f64,
}

/// Wilson score interval for k/n, clamped to [0, 1].
pub fn wilson(k: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 || k > n {
        return None;
    }
    let (kf, nf) = (k as f64, n as f64);
    let p = kf / nf;
    let z2 = z * z;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = z * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// k/n with its interval.
pub fn share(k: u64, n: u64) -> Option<Share> {
    let (low, high) = wilson(k, n, Z95)?;
    Some(Share {
        k,
        n,
        value: k as f64 / n as f64,
        low,
        high,
    })
}

/// The kind of scale, which decides the "top box".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleKind {
    /// A rating `min..max`: top box is the top two points (5-point 4–5, SKM 1–4 3–4, 7-point 6–7).
    Rating {
        /// Lowest point.
        min: i32,
        /// Highest point.
        max: i32,
    },
    /// Three faces: top box is 3 (happy).
    Faces,
    /// Thumbs: top box is up (1).
    Thumbs,
    /// NPS 0–10: promoters 9–10.
    Nps,
}

impl ScaleKind {
    /// Lowest value counted as favourable.
    pub fn top_box_from(self) -> i32 {
        match self {
            Self::Rating { max, .. } => max - 1,
            Self::Faces => 3,
            Self::Thumbs => 1,
            Self::Nps => 9,
        }
    }
}

/// Top-box share (CSAT for a 5-point satisfaction question).
pub fn top_box(d: &Distribution, kind: ScaleKind) -> Option<Share> {
    share(d.at_least(kind.top_box_from()), d.n())
}

/// Net Promoter Score with its standard error and 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Nps {
    /// Answers.
    pub n: u64,
    /// Share of promoters (9–10).
    pub promoters: f64,
    /// Share of detractors (0–6).
    pub detractors: f64,
    /// % promoters − % detractors (−100…100).
    pub score: f64,
    /// Standard error, in NPS points.
    pub se: f64,
    /// Lower bound of the 95% interval.
    pub low: f64,
    /// Upper bound of the 95% interval.
    pub high: f64,
}

/// NPS from a 0–10 distribution.
pub fn nps(d: &Distribution) -> Option<Nps> {
    let n = d.n();
    if n == 0 {
        return None;
    }
    let p = d.at_least(9) as f64 / n as f64;
    let q = d.at_most(6) as f64 / n as f64;
    Some(nps_from(p, q, n))
}

/// NPS from shares of promoters and detractors.
pub fn nps_from(p: f64, d: f64, n: u64) -> Nps {
    let score = 100.0 * (p - d);
    let se = 100.0 * ((p + d - (p - d).powi(2)) / n as f64).sqrt();
    Nps {
        n,
        promoters: p,
        detractors: d,
        score,
        se,
        low: score - Z95 * se,
        high: score + Z95 * se,
    }
}

/// Rounds half away from zero (half-up for the positive figures reported here).
pub fn round_half_up(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    // The small nudge keeps values like 91.665 (stored as 91.66499…) rounding up.
    ((x * f) + 1e-9 * x.signum()).round() / f
}

/// SKM grade (PermenPANRB 14/2017), on the index rounded to two decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SkmGrade {
    /// ≥ 88.31: very good.
    A,
    /// ≥ 76.61: good.
    B,
    /// ≥ 65.00: poor.
    C,
    /// Below: very poor.
    D,
}

/// The SKM index of a scope.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SkmIndex {
    /// (sum of the nine element means / 9) × 25, rounded half-up to two decimals.
    pub index: f64,
    /// Grade of the rounded index.
    pub grade: SkmGrade,
}

/// Grades a rounded index; rounding first closes the gaps between published bands.
pub fn skm_grade(rounded: f64) -> SkmGrade {
    if rounded >= 88.31 {
        SkmGrade::A
    } else if rounded >= 76.61 {
        SkmGrade::B
    } else if rounded >= 65.00 {
        SkmGrade::C
    } else {
        SkmGrade::D
    }
}

/// The index from the nine element means (each pooled over the whole scope); none
/// unless all nine elements have answers. Weight exactly 1/9.
pub fn skm_index(element_means: &[Option<f64>; 9]) -> Option<SkmIndex> {
    let mut sum = 0.0;
    for m in element_means {
        sum += (*m)?;
    }
    let index = round_half_up(sum / 9.0 * 25.0, 2);
    Some(SkmIndex {
        index,
        grade: skm_grade(index),
    })
}

/// Whether a figure computed from `n` answers must be suppressed.
pub fn suppressed(n: u64, threshold: u64) -> bool {
    n < threshold
}

/// A test of change between two periods.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    /// Later minus earlier, in the figure's own unit.
    pub delta: f64,
    /// Test statistic.
    pub z: f64,
    /// |z| ≥ 1.959964.
    pub significant: bool,
}

fn change(delta: f64, z: f64) -> Change {
    Change {
        delta,
        z,
        significant: z.abs() >= Z95,
    }
}

/// Pooled two-proportion z-test, `b` (later) against `a` (earlier).
pub fn share_change(a: &Share, b: &Share) -> Option<Change> {
    let p = (a.k + b.k) as f64 / (a.n + b.n) as f64;
    let se = (p * (1.0 - p) * (1.0 / a.n as f64 + 1.0 / b.n as f64)).sqrt();
    let delta = b.value - a.value;
    if se == 0.0 {
        return Some(change(delta, 0.0));
    }
    Some(change(delta, delta / se))
}

/// NPS change: Δ / sqrt(SE₁² + SE₂²).
pub fn nps_change(a: &Nps, b: &Nps) -> Change {
    let se = (a.se.powi(2) + b.se.powi(2)).sqrt();
    let delta = b.score - a.score;
    change(delta, if se == 0.0 { 0.0 } else { delta / se })
}

/// Change of a mean: Welch's statistic (normal approximation).
pub fn mean_change(a: &Distribution, b: &Distribution) -> Option<Change> {
    let (ma, mb) = (a.mean()?, b.mean()?);
    let (va, vb) = (a.variance()?, b.variance()?);
    let se = (va / a.n() as f64 + vb / b.n() as f64).sqrt();
    let delta = mb - ma;
    Some(change(delta, if se == 0.0 { 0.0 } else { delta / se }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(pairs: &[(i32, u64)]) -> Distribution {
        let mut d = Distribution::default();
        for (v, c) in pairs {
            d.add(*v, *c);
        }
        d
    }

    fn close(a: f64, b: f64, eps: f64) -> bool {
        (a - b).abs() < eps
    }

    #[test]
    fn skm_all_fours_is_100_a_and_all_threes_is_75_c() {
        let all4 = [Some(4.0); 9];
        let all3 = [Some(3.0); 9];
        assert_eq!(
            skm_index(&all4),
            Some(SkmIndex {
                index: 100.0,
                grade: SkmGrade::A
            })
        );
        assert_eq!(
            skm_index(&all3),
            Some(SkmIndex {
                index: 75.0,
                grade: SkmGrade::C
            })
        );
    }

    #[test]
    fn skm_one_mixed_respondent_is_91_67_a() {
        let m = [4.0, 4.0, 3.0, 4.0, 4.0, 4.0, 4.0, 3.0, 3.0].map(Some);
        assert_eq!(
            skm_index(&m),
            Some(SkmIndex {
                index: 91.67,
                grade: SkmGrade::A
            })
        );
    }

    #[test]
    fn skm_pools_each_element_not_all_answers() {
        // Ten respondents answer 4 on elements 1-8; two answer 1 on element 9.
        let mut means = [Some(4.0); 9];
        means[8] = dist(&[(1, 2)]).mean();
        assert_eq!(skm_index(&means).map(|s| s.index), Some(91.67));
        // Pooling every answer into one mean would give 98.17 — the wrong answer.
        let pooled = (80.0 * 4.0 + 2.0 * 1.0) / 82.0 * 25.0;
        assert!(close(round_half_up(pooled, 2), 98.17, 1e-9));
    }

    #[test]
    fn skm_needs_all_nine_elements() {
        let mut m = [Some(4.0); 9];
        m[4] = None;
        assert_eq!(skm_index(&m), None);
    }

    #[test]
    fn skm_grades_close_the_gaps_between_bands() {
        assert_eq!(skm_grade(88.31), SkmGrade::A);
        assert_eq!(skm_grade(88.30), SkmGrade::B);
        assert_eq!(skm_grade(76.61), SkmGrade::B);
        assert_eq!(skm_grade(76.60), SkmGrade::C);
        assert_eq!(skm_grade(65.00), SkmGrade::C);
        assert_eq!(skm_grade(64.99), SkmGrade::D);
        assert_eq!(round_half_up(88.305, 2), 88.31);
    }

    #[test]
    fn wilson_matches_the_published_checks() {
        let (l, h) = wilson(0, 10, Z95).unwrap();
        assert!(close(l, 0.0, 1e-9) && close(h, 0.2775, 5e-5), "{l} {h}");
        let (l, h) = wilson(8, 10, Z95).unwrap();
        assert!(close(l, 0.4902, 5e-5) && close(h, 0.9433, 5e-5), "{l} {h}");
        let (l, h) = wilson(10, 10, Z95).unwrap();
        assert!(close(l, 0.7225, 5e-5) && close(h, 1.0, 1e-9), "{l} {h}");
        assert_eq!(wilson(0, 0, Z95), None);
    }

    #[test]
    fn nps_half_promoters_a_fifth_detractors_is_30_with_se_7_81() {
        let d = dist(&[(10, 50), (8, 30), (3, 20)]);
        let n = nps(&d).unwrap();
        assert!(close(n.score, 30.0, 1e-9));
        assert!(close(n.se, 7.81, 5e-3), "{}", n.se);
        assert!(
            close(n.low, 14.69, 5e-3) && close(n.high, 45.31, 5e-3),
            "{} {}",
            n.low,
            n.high
        );
    }

    #[test]
    fn top_box_uses_the_scale_and_excludes_not_applicable() {
        let mut five = dist(&[(5, 3), (4, 1), (2, 1)]);
        five.not_applicable = 7;
        let s = top_box(&five, ScaleKind::Rating { min: 1, max: 5 }).unwrap();
        assert_eq!((s.k, s.n), (4, 5));
        let skm = dist(&[(4, 1), (3, 1), (2, 2)]);
        assert_eq!(
            top_box(&skm, ScaleKind::Rating { min: 1, max: 4 })
                .unwrap()
                .k,
            2
        );
        let seven = dist(&[(7, 1), (6, 1), (5, 1)]);
        assert_eq!(
            top_box(&seven, ScaleKind::Rating { min: 1, max: 7 })
                .unwrap()
                .k,
            2
        );
        assert_eq!(
            top_box(&dist(&[(3, 2), (2, 5)]), ScaleKind::Faces)
                .unwrap()
                .k,
            2
        );
        assert_eq!(
            top_box(&dist(&[(1, 6), (0, 4)]), ScaleKind::Thumbs)
                .unwrap()
                .value,
            0.6
        );
    }

    #[test]
    fn means_and_variances_come_from_counts() {
        let d = dist(&[(1, 1), (2, 1), (3, 1)]);
        assert_eq!(d.mean(), Some(2.0));
        assert_eq!(d.variance(), Some(1.0));
        let mut a = dist(&[(1, 1)]);
        a.merge(&dist(&[(3, 1)]));
        assert_eq!(a.mean(), Some(2.0));
    }

    #[test]
    fn changes_are_significant_only_beyond_1_96() {
        let a = share(50, 100).unwrap();
        let b = share(65, 100).unwrap();
        let c = share_change(&a, &b).unwrap();
        assert!(c.significant && close(c.delta, 0.15, 1e-12));
        let small = share_change(&a, &share(55, 100).unwrap()).unwrap();
        assert!(!small.significant);
        let n1 = nps_from(0.5, 0.2, 100);
        let n2 = nps_from(0.5, 0.2, 100);
        assert!(!nps_change(&n1, &n2).significant);
        let before = dist(&[(3, 50), (4, 50)]);
        let after = dist(&[(4, 50), (5, 50)]);
        assert!(mean_change(&before, &after).unwrap().significant);
    }

    #[test]
    fn small_cells_are_suppressed_below_the_threshold() {
        assert!(suppressed(9, 10));
        assert!(!suppressed(10, 10));
    }
}
