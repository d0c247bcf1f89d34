//! The public face of a period: the country's figures, each top-level
//! institution's (ministries and the bodies directly under the government), per
//! dimension, and the published scorecard ranking — one read a news site or the
//! government portal can embed, without an account.
//!
//! Only complete periods are shown (their responses are all in), and every figure
//! is suppressed as in a published conclusion. The top-level institutions add up
//! to the country, and each of them is public on its own (in its conclusions), so
//! a country figure is withheld too when the withheld institutions' answers would
//! be its remainder: one institution withheld alone, or several with fewer answers
//! together than the threshold (complementary suppression across institutions).

use super::reports::{self, ReportScope};
use super::scorecards::{self, ScorecardFilter, ScorecardView};
use crate::auth::Actor;
use crate::domain::disclosure::Cell;
use crate::domain::figures::{FigureSet, Snapshot};
use crate::domain::period::{Period, PeriodKind};
use crate::domain::scorecard::ScorecardStatus;
use crate::domain::vocab::ScopeKind;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::NaiveDate;
use entity::{conclusion, institution};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The most top-level institutions an overview lists.
pub const UNITS_MAX: usize = 200;

/// One institution's public figures in the overview.
#[derive(Debug, Clone)]
pub struct PublicUnit {
    /// The institution (none for the country).
    pub institution_id: Option<Uuid>,
    /// Its figures, suppressed for the public.
    pub figures: Snapshot,
}

/// A period's public overview.
#[derive(Debug, Clone)]
pub struct Overview {
    /// The period.
    pub period: Period,
    /// The country.
    pub country: PublicUnit,
    /// Each top-level institution with answers in the period.
    pub institutions: Vec<PublicUnit>,
    /// The published scorecards of the period under the newest framework that has
    /// them, best rank first.
    pub scorecards: Vec<ScorecardView>,
}

/// Withholds, in `total`, the sets of `origin` whose parts' withheld answers
/// would be the remainder of the total: one part withheld alone, or several with
/// fewer than `threshold` answers together. `parts` are the parts' (raw n,
/// withheld for the public) for that origin.
pub fn withhold_remainder(total: &mut FigureSet, parts: &[(u64, bool)], threshold: u64) {
    let withheld: Vec<u64> = parts
        .iter()
        .filter(|(n, w)| *w && *n > 0)
        .map(|(n, _)| *n)
        .collect();
    let sum: u64 = withheld.iter().sum();
    if !withheld.is_empty() && (withheld.len() == 1 || sum < threshold) {
        *total = FigureSet::withheld(total.origin);
    }
}

/// Applies [`withhold_remainder`] to every figure set of the country that the
/// institutions' sets add up to (dimensions and drivers, each origin).
fn complementary(country: &mut Snapshot, raw: &[Snapshot], public: &[Snapshot], threshold: u64) {
    fn parts(
        raw: &[Snapshot],
        public: &[Snapshot],
        pick: impl Fn(&Snapshot) -> Option<&FigureSet>,
    ) -> Vec<(u64, bool)> {
        raw.iter()
            .zip(public)
            .filter_map(|(r, p)| {
                let n = pick(r).and_then(|f| f.n).unwrap_or(0);
                let withheld = pick(p).is_some_and(|f| f.suppressed);
                (n > 0).then_some((n, withheld))
            })
            .collect()
    }
    for d in &mut country.dimensions {
        for set in &mut d.figures {
            let (dim, origin) = (d.dimension, set.origin);
            let found = parts(raw, public, |s| {
                s.dimensions
                    .iter()
                    .find(|x| x.dimension == dim)?
                    .figures
                    .iter()
                    .find(|f| f.origin == origin)
            });
            withhold_remainder(set, &found, threshold);
        }
    }
    for d in &mut country.drivers {
        for set in &mut d.figures {
            let (drv, origin) = (d.driver, set.origin);
            let found = parts(raw, public, |s| {
                s.drivers
                    .iter()
                    .find(|x| x.driver == drv)?
                    .figures
                    .iter()
                    .find(|f| f.origin == origin)
            });
            withhold_remainder(set, &found, threshold);
        }
    }
    // The overview shows no question figures, and no SKM index of the country
    // while a unit's is withheld (the index is not additive, but its elements are).
    country.questions.clear();
    if public.iter().any(|p| p.skm.iter().any(|s| s.suppressed)) {
        for s in &mut country.skm {
            s.skm = None;
            s.n = None;
            s.suppressed = true;
        }
    }
}

/// A public snapshot without per-question figures (the overview is a summary;
/// each institution's conclusion has the rest).
fn summary(mut s: Snapshot) -> Snapshot {
    s.questions.clear();
    // Each institution's conclusion has its split by respondent kind; the
    // overview's complementary suppression covers dimensions and drivers only.
    s.respondent_kinds.clear();
    s.previous = None;
    s
}

/// How long a computed overview is served again: it is the same for every caller
/// and changes only with late data and new publications, while anyone may ask for
/// it without an account (each computation reads one report per top-level
/// institution and the country's).
pub const OVERVIEW_FRESH_FOR: Duration = Duration::from_secs(60);

/// Most periods whose overview is kept at once.
pub const OVERVIEWS_KEPT: usize = 64;

/// The public overview of a complete period (computed at most once a minute per
/// period and instance, see [`OVERVIEW_FRESH_FOR`]).
pub async fn overview(
    state: &AppState,
    kind: PeriodKind,
    start: NaiveDate,
) -> AppResult<Arc<Overview>> {
    let period = Period::calendar(kind, start)?;
    let ready = super::conclusions::complete_at(state, &period).await?;
    if state.clock.now() < ready {
        return Err(AppError::Conflict(format!(
            "{} is public only once complete, from {ready}",
            period.label()
        )));
    }
    let key = format!("overview/{}/{}", kind.as_str(), period.start);
    if let Some(o) = state.public_cache.fresh::<Overview>(&key, Instant::now()) {
        return Ok(o);
    }
    let o = Arc::new(compute(state, kind, period).await?);
    state.public_cache.keep(key, Instant::now(), o.clone());
    Ok(o)
}

/// Computes the overview of a complete period.
async fn compute(state: &AppState, kind: PeriodKind, period: Period) -> AppResult<Overview> {
    let start = period.start;
    let sys = Actor::system("sanal public overview");
    let roots = institution::Entity::find()
        .filter(institution::Column::ParentId.is_null())
        .order_by_asc(institution::Column::Code)
        .all(state.db.conn())
        .await?;
    if roots.len() > UNITS_MAX {
        return Err(AppError::internal(
            "more top-level institutions than an overview lists",
        ));
    }
    let threshold = state.config.suppression_threshold;
    let mut raw = vec![];
    let mut ids = vec![];
    for r in &roots {
        let scope = ReportScope::Institution {
            id: r.id,
            include_sub_institutions: true,
        };
        let rep = reports::satisfaction_report(state, &sys, scope, period).await?;
        if rep.counts.responded + rep.counts.open_responses == 0 {
            continue;
        }
        raw.push(rep.snapshot());
        ids.push(r.id);
    }
    // Each institution as its conclusion of the period shows it: the cells chosen
    // for the period's conclusions withheld too (respondent kinds are read before
    // the summary drops them).
    let chosen = chosen_views(state, kind, start, &ids).await?;
    let public: Vec<Snapshot> = raw
        .iter()
        .zip(&ids)
        .map(|(s, id)| {
            let mut s = s.clone();
            let none = BTreeSet::new();
            s.suppress_for_public_withholding(chosen.get(id).unwrap_or(&none));
            summary(s)
        })
        .collect();
    let raw: Vec<Snapshot> = raw.into_iter().map(summary).collect();
    let country = reports::satisfaction_report(state, &sys, ReportScope::Country, period).await?;
    let mut country = country.snapshot();
    country.suppress_for_public();
    let mut country = summary(country);
    complementary(&mut country, &raw, &public, threshold);
    let scorecards = latest_scorecards(state, kind, start).await?;
    Ok(Overview {
        period,
        country: PublicUnit {
            institution_id: None,
            figures: country,
        },
        institutions: ids
            .into_iter()
            .zip(public)
            .map(|(id, figures)| PublicUnit {
                institution_id: Some(id),
                figures,
            })
            .collect(),
        scorecards,
    })
}

/// The cells the latest conclusion of each institution `ids` in the period
/// withholds beyond its own small ones.
async fn chosen_views(
    state: &AppState,
    kind: PeriodKind,
    start: NaiveDate,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, BTreeSet<Cell>>> {
    let rows = conclusion::Entity::find()
        .filter(conclusion::Column::ScopeKind.eq(ScopeKind::Institution.as_str()))
        .filter(conclusion::Column::ScopeId.is_in(ids.iter().copied()))
        .filter(conclusion::Column::PeriodKind.eq(kind.as_str()))
        .filter(conclusion::Column::PeriodStart.eq(start))
        .order_by_asc(conclusion::Column::Revision)
        .all(state.db.conn())
        .await?;
    let mut out = HashMap::new();
    for c in rows {
        // Ascending revisions: the latest is inserted last.
        out.insert(
            c.scope_id,
            super::conclusions::withheld_cells(c.public_withheld.as_ref())?,
        );
    }
    Ok(out)
}

/// The period's published scorecards under the newest framework that has some.
async fn latest_scorecards(
    state: &AppState,
    kind: PeriodKind,
    start: NaiveDate,
) -> AppResult<Vec<ScorecardView>> {
    if kind == PeriodKind::Month {
        return Ok(vec![]);
    }
    let all = scorecards::list(
        state,
        &Actor::anonymous(None),
        ScorecardFilter {
            period_kind: Some(kind),
            period_start: Some(start),
            status: Some(ScorecardStatus::Published),
            ..Default::default()
        },
    )
    .await?;
    let newest = all
        .iter()
        .max_by_key(|s| (s.row.published_at, s.framework_version))
        .map(|s| s.row.framework_id);
    Ok(all
        .into_iter()
        .filter(|s| Some(s.row.framework_id) == newest)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vocab::FigureOrigin;

    fn set(n: u64) -> FigureSet {
        FigureSet {
            n: Some(n),
            suppressed: false,
            ..FigureSet::withheld(FigureOrigin::Combined)
        }
    }

    #[test]
    fn a_total_is_withheld_when_it_would_give_away_a_withheld_part() {
        let t = 10;
        // One part withheld alone: total − the others is that part.
        let mut total = set(120);
        withhold_remainder(&mut total, &[(100, false), (15, true), (5, false)], t);
        assert!(total.suppressed);
        // Two withheld with 7 answers together: their sum would be published.
        let mut total = set(107);
        withhold_remainder(&mut total, &[(100, false), (4, true), (3, true)], t);
        assert!(total.suppressed);
        // Two withheld with 12 together: the remainder is a cell of 12, not either.
        let mut total = set(112);
        withhold_remainder(&mut total, &[(100, false), (6, true), (6, true)], t);
        assert!(!total.suppressed);
        assert_eq!(total.n, Some(112));
        // Nothing withheld.
        let mut total = set(200);
        withhold_remainder(&mut total, &[(100, false), (100, false)], t);
        assert!(!total.suppressed);
    }
}
