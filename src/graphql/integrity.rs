//! Integrity signals and quarantined cells: for supervisors, never for the
//! institutions measured.

use super::common::{Date, ctx, parse_id};
use super::vocab::{FindingKind, Provenance};
use crate::services::headline::{self, HeadlineView};
use crate::services::integrity::{self, QuarantineView, Signal, SignalFilter};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

/// What an integrity signal saw on a service × day.
pub use super::vocab::IntegritySignal;

/// Which cells to examine: give an institution (with its subtree) or a service.
#[derive(InputObject)]
pub struct IntegritySignalFilter {
    /// An institution, with everything below it.
    pub institution_id: Option<ID>,
    /// One service.
    pub service_id: Option<ID>,
    /// First day examined.
    pub from: Date,
    /// Last day examined (at most 92 days in all). Each day is compared with the
    /// service's own previous 90 days.
    pub to: Date,
}

/// A sign that a service's figures of one day were manufactured. A finding of kind
/// `INTEGRITY`, shown to SUPERVISOR and ADMIN only.
#[derive(SimpleObject)]
pub struct IntegrityFinding {
    /// Always `INTEGRITY`.
    pub kind: FindingKind,
    /// What was seen.
    pub signal: IntegritySignal,
    /// Service.
    pub service_id: ID,
    /// Its institution.
    pub institution_id: ID,
    /// Local day.
    pub date: Date,
    /// The day's figure: a share of answers, a response rate, or (settings changed)
    /// the days between the change and the jump.
    pub value: f64,
    /// The same figure over the service's previous 90 days, where there is one.
    pub baseline: Option<f64>,
    /// Two-proportion z statistic, where there is one.
    pub z: Option<f64>,
    /// Answers or invitations the day's figure rests on.
    pub n: i64,
    /// The kiosk (`KIOSK:<id>`), API key (`KEY:<id>`) or settings change concerned.
    pub source: Option<String>,
    /// Whether the cell is quarantined now.
    pub quarantined: bool,
}

impl From<Signal> for IntegrityFinding {
    fn from(s: Signal) -> Self {
        Self {
            kind: FindingKind::Integrity,
            signal: s.signal.into(),
            service_id: ID(s.service_id.to_string()),
            institution_id: ID(s.institution_id.to_string()),
            date: Date(s.day),
            value: s.value,
            baseline: s.baseline,
            z: s.z,
            n: i64::try_from(s.n).unwrap_or(i64::MAX),
            source: s.source,
            quarantined: s.quarantined,
        }
    }
}

/// A service × day set aside from every figure by a supervisor.
#[derive(SimpleObject)]
pub struct QuarantinedCell {
    /// Service.
    pub service_id: ID,
    /// Local day.
    pub date: Date,
    /// Why it was set aside.
    pub reason: String,
    /// When.
    pub quarantined_at: DateTime<Utc>,
    /// When it was returned to the figures, if it was.
    pub released_at: Option<DateTime<Utc>>,
    /// Why it was returned.
    pub release_reason: Option<String>,
}

impl From<QuarantineView> for QuarantinedCell {
    fn from(q: QuarantineView) -> Self {
        Self {
            service_id: ID(q.service_id.to_string()),
            date: Date(q.day),
            reason: q.reason,
            quarantined_at: q.quarantined_at,
            released_at: q.released_at,
            release_reason: q.release_reason,
        }
    }
}

/// Which provenances count towards an institution's published headline figure.
#[derive(SimpleObject)]
pub struct HeadlineSetting {
    /// Institution.
    pub institution_id: ID,
    /// Provenances counted (all four unless a supervisor narrowed them).
    pub provenances: Vec<Provenance>,
    /// The supervisor's reason, when narrowed.
    pub reason: Option<String>,
    /// When it was chosen.
    pub set_at: Option<DateTime<Utc>>,
}

impl From<HeadlineView> for HeadlineSetting {
    fn from(h: HeadlineView) -> Self {
        Self {
            institution_id: ID(h.institution_id.to_string()),
            provenances: h.provenances.into_iter().map(Into::into).collect(),
            reason: h.reason,
            set_at: h.set_at,
        }
    }
}

/// Integrity queries.
#[derive(Default)]
pub struct IntegrityQuery;

#[Object]
impl IntegrityQuery {
    /// Integrity signals of the cells in `filter` (SUPERVISOR, ADMIN): fast
    /// answers, answers far from the service's baseline, response-rate jumps, a
    /// kiosk or key over its share, settings changed before a jump.
    async fn integrity_signals(
        &self,
        c: &Context<'_>,
        filter: IntegritySignalFilter,
    ) -> Result<Vec<IntegrityFinding>> {
        let (state, actor) = ctx(c)?;
        let f = SignalFilter {
            institution_id: filter
                .institution_id
                .as_ref()
                .map(|i| parse_id("institutionId", i))
                .transpose()?,
            service_id: filter
                .service_id
                .as_ref()
                .map(|i| parse_id("serviceId", i))
                .transpose()?,
            from: filter.from.0,
            to: filter.to.0,
        };
        Ok(integrity::signals(state, actor, f)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Which provenances count towards an institution's published headline figure
    /// (public: anyone may know what a published figure counts).
    async fn headline_provenances(
        &self,
        c: &Context<'_>,
        institution_id: ID,
    ) -> Result<HeadlineSetting> {
        let (state, _) = ctx(c)?;
        let i = parse_id("institutionId", &institution_id)?;
        Ok(headline::get_headline(state, i).await?.into())
    }

    /// Quarantined cells, active first, then released (SUPERVISOR, ADMIN; at most 1,000).
    async fn quarantined_cells(
        &self,
        c: &Context<'_>,
        service_id: Option<ID>,
    ) -> Result<Vec<QuarantinedCell>> {
        let (state, actor) = ctx(c)?;
        let s = service_id
            .as_ref()
            .map(|i| parse_id("serviceId", i))
            .transpose()?;
        Ok(integrity::list_quarantines(state, actor, s)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

/// Integrity mutations.
#[derive(Default)]
pub struct IntegrityMutation;

#[Object]
impl IntegrityMutation {
    /// Sets a service × day aside from every figure (SUPERVISOR only), saying why
    /// (at least 10 characters). Audited; a published conclusion of the period gets
    /// a revision at the next closing.
    async fn quarantine_cell(
        &self,
        c: &Context<'_>,
        service_id: ID,
        date: Date,
        reason: String,
    ) -> Result<QuarantinedCell> {
        let (state, actor) = ctx(c)?;
        let s = parse_id("serviceId", &service_id)?;
        Ok(integrity::quarantine(state, actor, s, date.0, &reason)
            .await?
            .into())
    }

    /// Chooses which provenances count towards an institution's headline figure
    /// (SUPERVISOR only), saying why; all four returns to the default. Reports and
    /// conclusions of the institution and its services then carry a `HEADLINE`
    /// figure set, which findings use. Audited.
    async fn set_headline_provenances(
        &self,
        c: &Context<'_>,
        institution_id: ID,
        provenances: Vec<Provenance>,
        reason: String,
    ) -> Result<HeadlineSetting> {
        let (state, actor) = ctx(c)?;
        let i = parse_id("institutionId", &institution_id)?;
        let list = provenances.into_iter().map(Into::into).collect();
        Ok(headline::set_headline(state, actor, i, list, &reason)
            .await?
            .into())
    }

    /// Returns a quarantined cell to the figures (SUPERVISOR only), saying why.
    async fn release_cell(
        &self,
        c: &Context<'_>,
        service_id: ID,
        date: Date,
        reason: String,
    ) -> Result<QuarantinedCell> {
        let (state, actor) = ctx(c)?;
        let s = parse_id("serviceId", &service_id)?;
        Ok(integrity::release(state, actor, s, date.0, &reason)
            .await?
            .into())
    }
}
