//! The public overview of a period: one query a news site or the government
//! portal can embed, no account needed.

use super::catalogue::Institution;
use super::common::{Date, ctx};
use super::figures::ConclusionFigures;
use super::loaders::{self, InstitutionKey};
use super::scorecards::Scorecard;
use super::vocab::PeriodKind;
use crate::services::public::{self as svc, Overview, PublicUnit};
use async_graphql::{Context, ID, Object, Result};

/// The public figures of the country or of one top-level institution (with
/// everything below it), suppressed as in a published conclusion.
pub struct PublicFigures(pub PublicUnit);

/// The public figures of the country or of one top-level institution (with
/// everything below it), suppressed as in a published conclusion.
#[Object]
impl PublicFigures {
    /// The institution's id (none for the country).
    async fn institution_id(&self) -> Option<ID> {
        self.0.institution_id.map(|i| ID(i.to_string()))
    }
    /// The institution (none for the country).
    async fn institution(&self, c: &Context<'_>) -> Result<Option<Institution>> {
        let Some(id) = self.0.institution_id else {
            return Ok(None);
        };
        Ok(loaders::of(c)?
            .load_one(InstitutionKey(id))
            .await?
            .map(Institution))
    }
    /// Counts, response rates, per driver, per dimension and the SKM index
    /// (no per-question figures: each institution's conclusion has them).
    async fn figures(&self) -> ConclusionFigures {
        self.0.figures.clone().into()
    }
}

/// A complete period's public results.
pub struct PublicOverview(pub std::sync::Arc<Overview>);

/// A complete period's public results.
#[Object]
impl PublicOverview {
    /// Period label.
    async fn period_label(&self) -> String {
        self.0.period.label()
    }
    /// First day.
    async fn period_start(&self) -> Date {
        Date(self.0.period.start)
    }
    /// Last day.
    async fn period_end(&self) -> Date {
        Date(self.0.period.end)
    }
    /// The country's figures. A figure is withheld where the withheld
    /// institutions' answers would be its remainder.
    async fn country(&self) -> PublicFigures {
        PublicFigures(self.0.country.clone())
    }
    /// Each top-level institution with answers in the period (ministries and the
    /// bodies directly under the government), by code.
    async fn institutions(&self) -> Vec<PublicFigures> {
        self.0
            .institutions
            .iter()
            .cloned()
            .map(PublicFigures)
            .collect()
    }
    /// The period's published scorecards under the newest framework that has
    /// them, best rank first (none for months).
    async fn scorecards(&self) -> Vec<Scorecard> {
        self.0.scorecards.iter().cloned().map(Scorecard).collect()
    }
}

/// Public queries.
#[derive(Default)]
pub struct PublicQuery;

#[Object]
impl PublicQuery {
    /// A complete period's public results, no account needed: the country, each
    /// top-level institution, per dimension, and the scorecard ranking. `CONFLICT`
    /// before the period's responses are complete.
    #[graphql(complexity = 200)]
    async fn public_overview(
        &self,
        c: &Context<'_>,
        period_kind: PeriodKind,
        period_start: Date,
    ) -> Result<PublicOverview> {
        let (state, _) = ctx(c)?;
        Ok(PublicOverview(
            svc::overview(state, period_kind.into(), period_start.0).await?,
        ))
    }
}
