//! Improvement actions: what institutions do about their findings, their progress,
//! and whether they worked.

use super::common::{
    Date, LocalizedTextInput, LocalizedTextObject, connection_type, ctx, page, parse_id,
};
use super::vocab::{ActionMove, ActionStatus, EffectStatus, Measure, MetricKind, OriginKind};
use crate::domain::action::Metric;
use crate::services::improvement_actions::{
    self as svc, ActionFilter, ActionView, DESCRIPTION_MAX, EffectView, NewAction, NewUpdate,
    TITLE_MAX, UpdateView,
};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

connection_type!(
    ImprovementActionConnection,
    ImprovementActionEdge,
    ImprovementAction,
    "improvement actions"
);

/// What an improvement action aims to move.
#[derive(SimpleObject)]
pub struct ActionMetric {
    /// What.
    pub kind: MetricKind,
    /// The question key or driver.
    pub subject: Option<String>,
    /// How it is measured.
    pub measure: Measure,
}

/// One entry of an action's progress timeline (append-only).
pub struct ActionUpdate(UpdateView);

/// One entry of an action's progress timeline (append-only).
#[Object]
impl ActionUpdate {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The day it reports on.
    async fn day(&self) -> Date {
        Date(self.0.day)
    }
    /// Percent done, 0–100.
    async fn percent(&self) -> i32 {
        self.0.percent
    }
    /// What was done (not shown to the public).
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// Evidence links (https).
    async fn evidence(&self) -> &[String] {
        &self.0.evidence
    }
    /// When it was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Something an action comes from.
#[derive(SimpleObject)]
pub struct ActionOrigin {
    /// A finding, a conclusion or a citizen's suggestion.
    pub kind: OriginKind,
    /// Its id.
    pub id: ID,
}

/// Whether an action moved what it targeted: the metric over the window before its
/// start against the window after its completion, from the daily rollups.
pub struct ActionEffect(EffectView);

/// Whether an action moved what it targeted: the metric over the window before its
/// start against the window after its completion, from the daily rollups.
#[Object]
impl ActionEffect {
    /// The verdict at 95%.
    async fn status(&self) -> EffectStatus {
        self.0.status.into()
    }
    /// First day of the window before.
    async fn before_from(&self) -> Date {
        Date(self.0.before_window.start)
    }
    /// Last day of the window before (the day before the start).
    async fn before_to(&self) -> Date {
        Date(self.0.before_window.end)
    }
    /// First day of the window after (the day after completion).
    async fn after_from(&self) -> Date {
        Date(self.0.after_window.start)
    }
    /// Last day of the window after.
    async fn after_to(&self) -> Date {
        Date(self.0.after_window.end)
    }
    /// Answers (invitations, for a response rate) before.
    async fn n_before(&self) -> i64 {
        i64::try_from(self.0.n_before).unwrap_or(i64::MAX)
    }
    /// Answers (invitations) after — so far, while pending.
    async fn n_after(&self) -> i64 {
        i64::try_from(self.0.n_after).unwrap_or(i64::MAX)
    }
    /// The metric before.
    async fn before(&self) -> Option<f64> {
        self.0.effect.map(|e| e.before)
    }
    /// The metric after (provisional while pending).
    async fn after(&self) -> Option<f64> {
        self.0.effect.map(|e| e.after)
    }
    /// After − before.
    async fn difference(&self) -> Option<f64> {
        self.0.effect.map(|e| e.difference)
    }
    /// Lower bound of the difference's 95% interval.
    async fn low(&self) -> Option<f64> {
        self.0.effect.map(|e| e.low)
    }
    /// Upper bound of the difference's 95% interval.
    async fn high(&self) -> Option<f64> {
        self.0.effect.map(|e| e.high)
    }
    /// Test statistic (pooled z for shares, Welch for means, NPS: Δ / SE).
    async fn z(&self) -> Option<f64> {
        self.0.effect.map(|e| e.z)
    }
    /// Two-sided p-value.
    async fn p_value(&self) -> Option<f64> {
        self.0.effect.map(|e| e.p_value)
    }
}

/// An improvement action: what an institution does about its findings. The public
/// reads actions from `PLANNED` on, without their owner or progress notes.
pub struct ImprovementAction(pub ActionView);

/// An improvement action: what an institution does about its findings. The public
/// reads actions from `PLANNED` on, without their owner or progress notes.
#[Object]
impl ImprovementAction {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }
    /// The institution it belongs to.
    async fn institution_id(&self) -> ID {
        ID(self.0.row.institution_id.to_string())
    }
    /// Title.
    async fn title(&self) -> LocalizedTextObject {
        LocalizedTextObject(svc::title(&self.0.row))
    }
    /// Description.
    async fn description(&self) -> LocalizedTextObject {
        LocalizedTextObject(svc::description(&self.0.row))
    }
    /// Its owner (null for the public: the owner shows as the institution).
    async fn owner_id(&self) -> Option<ID> {
        self.0.owner_id.map(|o| ID(o.to_string()))
    }
    /// Due date (local).
    async fn due_date(&self) -> Date {
        Date(self.0.row.due_date)
    }
    /// Services it covers (none: all of the institution's).
    async fn service_ids(&self) -> Vec<ID> {
        self.0
            .service_ids
            .iter()
            .map(|s| ID(s.to_string()))
            .collect()
    }
    /// What it aims to move.
    async fn metric(&self) -> Option<ActionMetric> {
        self.0.metric.as_ref().map(|m| ActionMetric {
            kind: m.kind.into(),
            subject: m.subject.clone(),
            measure: m.measure.into(),
        })
    }
    /// The metric before (from the latest published conclusion unless given).
    async fn baseline(&self) -> Option<f64> {
        self.0.row.baseline
    }
    /// The value it aims for.
    async fn target(&self) -> Option<f64> {
        self.0.row.target
    }
    /// Days before the start the effect compares against.
    async fn window_before_days(&self) -> i32 {
        self.0.row.window_before_days
    }
    /// Days after the completion the effect measures.
    async fn window_after_days(&self) -> i32 {
        self.0.row.window_after_days
    }
    /// Where it stands.
    async fn status(&self) -> ActionStatus {
        self.0.status.into()
    }
    /// Why it was cancelled, or why its completion was rejected.
    async fn status_reason(&self) -> Option<&str> {
        self.0.row.status_reason.as_deref()
    }
    /// When it was planned.
    async fn planned_on(&self) -> Option<Date> {
        self.0.row.planned_on.map(Date)
    }
    /// When it was started.
    async fn started_on(&self) -> Option<Date> {
        self.0.row.started_on.map(Date)
    }
    /// When it was completed.
    async fn completed_on(&self) -> Option<Date> {
        self.0.row.completed_on.map(Date)
    }
    /// When its completion was verified.
    async fn verified_on(&self) -> Option<Date> {
        self.0.row.verified_on.map(Date)
    }
    /// When it was cancelled.
    async fn cancelled_on(&self) -> Option<Date> {
        self.0.row.cancelled_on.map(Date)
    }
    /// Due date passed (in the reporting zone) and not completed, verified or cancelled.
    async fn overdue(&self) -> bool {
        self.0.overdue
    }
    /// The latest progress, in percent.
    async fn progress(&self) -> Option<i32> {
        self.0.progress()
    }
    /// Its progress timeline, oldest first.
    async fn updates(&self) -> Vec<ActionUpdate> {
        self.0.updates.iter().cloned().map(ActionUpdate).collect()
    }
    /// What it comes from.
    async fn origins(&self) -> Vec<ActionOrigin> {
        self.0
            .origins
            .iter()
            .map(|(k, id)| ActionOrigin {
                kind: (*k).into(),
                id: ID(id.to_string()),
            })
            .collect()
    }
    /// Whether it worked: for a completed or verified action with a metric.
    #[graphql(complexity = 50)]
    async fn effect(&self, c: &Context<'_>) -> Result<Option<ActionEffect>> {
        let (state, _) = ctx(c)?;
        Ok(svc::effect(state, &self.0).await?.map(ActionEffect))
    }
    /// Accredited NGOs' verifications of its completion, beside the supervisor's.
    #[graphql(complexity = 5)]
    async fn ngo_verifications(
        &self,
        c: &Context<'_>,
    ) -> Result<Vec<super::evaluations::NgoActionVerification>> {
        let (state, _) = ctx(c)?;
        Ok(
            crate::services::evaluations::verifications_of(state, self.0.row.id)
                .await?
                .into_iter()
                .map(Into::into)
                .collect(),
        )
    }
    /// Created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.row.created_at
    }
}

/// What an action aims to move.
#[derive(InputObject)]
pub struct ActionMetricInput {
    /// What.
    pub kind: MetricKind,
    /// The question key (for `QUESTION`) or driver (for `DRIVER`, e.g. `OVERALL`).
    pub subject: Option<String>,
    /// How it is measured.
    pub measure: Measure,
}

/// A new improvement action.
#[derive(InputObject)]
pub struct CreateImprovementActionInput {
    /// The institution it belongs to.
    pub institution_id: ID,
    /// Title (each translation at most 200 characters).
    pub title: LocalizedTextInput,
    /// Description (each translation at most 4,000 characters).
    pub description: LocalizedTextInput,
    /// A user with a role in that institution (or one above it).
    pub owner_id: ID,
    /// Due date (local, not in the past).
    pub due_date: Date,
    /// Services of the institution (or below) it covers; none: all of them (at most 50).
    #[graphql(default)]
    pub service_ids: Vec<ID>,
    /// What it aims to move.
    pub metric: Option<ActionMetricInput>,
    /// The metric now; filled from the latest published conclusion when not given.
    pub baseline: Option<f64>,
    /// The value it aims for.
    pub target: Option<f64>,
    /// Days before the start the effect compares against (7–365, default 90).
    pub window_before_days: Option<i32>,
    /// Days after the completion the effect measures (7–365, default 90).
    pub window_after_days: Option<i32>,
    /// Findings of published conclusions it addresses (they become `ADDRESSED`).
    #[graphql(default)]
    pub finding_ids: Vec<ID>,
    /// Published conclusions it answers.
    #[graphql(default)]
    pub conclusion_ids: Vec<ID>,
    /// Citizens' suggestions held by the institution (or below) it answers.
    #[graphql(default)]
    pub suggestion_ids: Vec<ID>,
}

/// A progress update.
#[derive(InputObject)]
pub struct ActionProgressInput {
    /// The day it reports on (not in the future).
    pub day: Date,
    /// Percent done, 0–100.
    pub percent: i32,
    /// What was done (1–2,000 characters).
    pub note: String,
    /// Evidence links: https URLs (at most 10).
    #[graphql(default)]
    pub evidence: Vec<String>,
}

/// Filters for `improvementActions` and `improvementActionStats`.
#[derive(InputObject, Default)]
pub struct ImprovementActionFilterInput {
    /// Actions of this institution.
    pub institution_id: Option<ID>,
    /// With everything below it (default false).
    #[graphql(default)]
    pub with_subtree: bool,
    /// In this status.
    pub status: Option<ActionStatus>,
    /// Overdue (true) or not (false).
    pub overdue: Option<bool>,
    /// Covering this service.
    pub service_id: Option<ID>,
    /// Addressing this finding.
    pub finding_id: Option<ID>,
    /// Owned by this user (institution readers only).
    pub owner_id: Option<ID>,
}

impl ImprovementActionFilterInput {
    fn parse(self) -> Result<ActionFilter> {
        let id = |field: &str, v: &Option<ID>| v.as_ref().map(|i| parse_id(field, i)).transpose();
        Ok(ActionFilter {
            institution_id: id("institutionId", &self.institution_id)?,
            with_subtree: self.with_subtree,
            status: self.status.map(Into::into),
            overdue: self.overdue,
            service_id: id("serviceId", &self.service_id)?,
            finding_id: id("findingId", &self.finding_id)?,
            owner_id: id("ownerId", &self.owner_id)?,
        })
    }
}

/// How many actions stand where.
#[derive(SimpleObject)]
pub struct ImprovementActionStats {
    /// All matching.
    pub total: i64,
    /// Due date passed and not completed, verified or cancelled.
    pub overdue: i64,
    /// Per status.
    pub by_status: Vec<StatusCount>,
}

/// How many actions are in one status.
#[derive(SimpleObject)]
pub struct StatusCount {
    /// The status.
    pub status: ActionStatus,
    /// How many.
    pub count: i64,
}

/// Improvement action queries.
#[derive(Default)]
pub struct ActionQuery;

#[Object]
impl ActionQuery {
    /// Improvement actions: institution users see their subtree's; everyone
    /// (no account needed) sees actions from `PLANNED` on, without owner or notes.
    async fn improvement_actions(
        &self,
        c: &Context<'_>,
        filter: Option<ImprovementActionFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ImprovementActionConnection> {
        let (state, actor) = ctx(c)?;
        let f = filter.unwrap_or_default().parse()?;
        let p = svc::list(state, actor, f, page(first, after)?).await?;
        Ok(ImprovementActionConnection::from_page(
            p,
            |a| a.row.id,
            ImprovementAction,
        ))
    }

    /// One improvement action.
    async fn improvement_action(&self, c: &Context<'_>, id: ID) -> Result<ImprovementAction> {
        let (state, actor) = ctx(c)?;
        Ok(ImprovementAction(
            svc::get(state, actor, parse_id("id", &id)?).await?,
        ))
    }

    /// How many improvement actions match, are overdue, and are in each status.
    async fn improvement_action_stats(
        &self,
        c: &Context<'_>,
        filter: Option<ImprovementActionFilterInput>,
    ) -> Result<ImprovementActionStats> {
        let (state, actor) = ctx(c)?;
        let f = filter.unwrap_or_default().parse()?;
        let s = svc::stats(state, actor, f).await?;
        let int = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        Ok(ImprovementActionStats {
            total: int(s.total),
            overdue: int(s.overdue),
            by_status: s
                .by_status
                .into_iter()
                .map(|(status, n)| StatusCount {
                    status: status.into(),
                    count: int(n),
                })
                .collect(),
        })
    }
}

/// Improvement action mutations.
#[derive(Default)]
pub struct ActionMutation;

#[Object]
impl ActionMutation {
    /// Creates an improvement action (`PROPOSED`), the institution's managers.
    async fn create_improvement_action(
        &self,
        c: &Context<'_>,
        input: CreateImprovementActionInput,
    ) -> Result<ImprovementAction> {
        let (state, actor) = ctx(c)?;
        let ids = |field: &str, v: &[ID]| {
            v.iter()
                .map(|i| parse_id(field, i))
                .collect::<crate::error::AppResult<Vec<_>>>()
        };
        let metric = input
            .metric
            .map(|m| Metric::parse(m.kind.into(), m.subject, m.measure.into()))
            .transpose()?;
        let a = NewAction {
            institution_id: parse_id("institutionId", &input.institution_id)?,
            title: input.title.parse("title", TITLE_MAX)?,
            description: input.description.parse("description", DESCRIPTION_MAX)?,
            owner_id: parse_id("ownerId", &input.owner_id)?,
            due_date: input.due_date.0,
            service_ids: ids("serviceIds", &input.service_ids)?,
            metric,
            baseline: input.baseline,
            target: input.target,
            window_before_days: input.window_before_days,
            window_after_days: input.window_after_days,
            finding_ids: ids("findingIds", &input.finding_ids)?,
            conclusion_ids: ids("conclusionIds", &input.conclusion_ids)?,
            suggestion_ids: ids("suggestionIds", &input.suggestion_ids)?,
        };
        Ok(ImprovementAction(svc::create(state, actor, a).await?))
    }

    /// Moves an improvement action (see `ActionMove` for who may); cancelling and
    /// rejecting need a reason. `CONFLICT` for a move its status does not allow.
    async fn move_improvement_action(
        &self,
        c: &Context<'_>,
        id: ID,
        r#move: ActionMove,
        reason: Option<String>,
    ) -> Result<ImprovementAction> {
        let (state, actor) = ctx(c)?;
        Ok(ImprovementAction(
            svc::move_action(
                state,
                actor,
                parse_id("id", &id)?,
                r#move.into(),
                reason.as_deref(),
            )
            .await?,
        ))
    }

    /// Appends a progress update to an open action (the institution's managers).
    async fn add_action_progress(
        &self,
        c: &Context<'_>,
        action_id: ID,
        input: ActionProgressInput,
    ) -> Result<ImprovementAction> {
        let (state, actor) = ctx(c)?;
        let u = NewUpdate {
            day: input.day.0,
            percent: input.percent,
            note: input.note,
            evidence: input.evidence,
        };
        Ok(ImprovementAction(
            svc::add_update(state, actor, parse_id("actionId", &action_id)?, u).await?,
        ))
    }
}
