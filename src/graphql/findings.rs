//! Findings of published conclusions: listing, counting and triage.

use super::common::{Date, connection_type, ctx, page, parse_id};
use super::conclusions::Finding;
use super::vocab::{FindingKind, FindingState, PeriodKind};
use crate::services::findings::{self as svc, FindingFilter, FindingStats as Stats};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

connection_type!(FindingConnection, FindingEdge, Finding, "findings");

/// Filters for `findings` and `findingStats`.
#[derive(InputObject, Default)]
pub struct FindingFilterInput {
    /// Findings of this institution (its own conclusions and its services').
    pub institution_id: Option<ID>,
    /// With everything below that institution (default false).
    #[graphql(default)]
    pub with_subtree: bool,
    /// In this state.
    pub state: Option<FindingState>,
    /// Of this period kind.
    pub period_kind: Option<PeriodKind>,
    /// Of the period starting on this day.
    pub period_start: Option<Date>,
    /// Of this kind.
    pub kind: Option<FindingKind>,
}

impl FindingFilterInput {
    fn parse(self) -> Result<FindingFilter> {
        Ok(FindingFilter {
            institution_id: self
                .institution_id
                .as_ref()
                .map(|i| parse_id("institutionId", i))
                .transpose()?,
            with_subtree: self.with_subtree,
            state: self.state.map(Into::into),
            period_kind: self.period_kind.map(Into::into),
            period_start: self.period_start.map(|d| d.0),
            kind: self.kind.map(Into::into),
        })
    }
}

/// How many findings of published conclusions stand where.
#[derive(SimpleObject)]
pub struct FindingStats {
    /// All findings matching the filter.
    pub total: i64,
    /// Open now.
    pub open: i64,
    /// Addressed by an improvement action.
    pub addressed: i64,
    /// Dismissed with a reason.
    pub dismissed: i64,
    /// First published at least 60 days ago.
    pub due: i64,
    /// Of those, still open 60 days after their first publication (open now, or
    /// addressed or dismissed only later): what a scorecard counts against the
    /// institution.
    pub left_open: i64,
}

impl From<Stats> for FindingStats {
    fn from(s: Stats) -> Self {
        let int = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        Self {
            total: int(s.total),
            open: int(s.open),
            addressed: int(s.addressed),
            dismissed: int(s.dismissed),
            due: int(s.due),
            left_open: int(s.left_open),
        }
    }
}

/// Finding queries.
#[derive(Default)]
pub struct FindingQuery;

#[Object]
impl FindingQuery {
    /// Findings of published conclusions, with their triage (institution users:
    /// their subtree's; SUPERVISOR and ADMIN: all).
    async fn findings(
        &self,
        c: &Context<'_>,
        filter: Option<FindingFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<FindingConnection> {
        let (state, actor) = ctx(c)?;
        let f = filter.unwrap_or_default().parse()?;
        let p = svc::list(state, actor, f, page(first, after)?).await?;
        Ok(FindingConnection::from_page(p, |f| f.id, Finding))
    }

    /// One finding of a published conclusion.
    async fn finding(&self, c: &Context<'_>, id: ID) -> Result<Finding> {
        let (state, actor) = ctx(c)?;
        Ok(Finding(svc::get(state, actor, parse_id("id", &id)?).await?))
    }

    /// How many findings stand where, and how many were left open 60 days after
    /// publication.
    async fn finding_stats(
        &self,
        c: &Context<'_>,
        filter: Option<FindingFilterInput>,
    ) -> Result<FindingStats> {
        let (state, actor) = ctx(c)?;
        let f = filter.unwrap_or_default().parse()?;
        Ok(svc::stats(state, actor, f).await?.into())
    }
}

/// Finding mutations.
#[derive(Default)]
pub struct FindingMutation;

#[Object]
impl FindingMutation {
    /// Dismisses an open finding of a published conclusion, with a reason that
    /// stays on it (the institution's managers, ADMIN). `CONFLICT` unless it is open.
    async fn dismiss_finding(&self, c: &Context<'_>, id: ID, reason: String) -> Result<Finding> {
        let (state, actor) = ctx(c)?;
        Ok(Finding(
            svc::dismiss(state, actor, parse_id("id", &id)?, &reason).await?,
        ))
    }

    /// Reopens a dismissed finding, with a reason (SUPERVISOR). `CONFLICT` unless
    /// it is dismissed.
    async fn reopen_finding(&self, c: &Context<'_>, id: ID, reason: String) -> Result<Finding> {
        let (state, actor) = ctx(c)?;
        Ok(Finding(
            svc::reopen(state, actor, parse_id("id", &id)?, &reason).await?,
        ))
    }
}
