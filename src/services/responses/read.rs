//! What institution users read: responses (reading comments is audited) and the
//! follow-up contacts respondents agreed to leave.

use crate::auth::Actor;
use crate::authz::{self, Action};
use crate::domain::bucket::RESPONSES_KEY;
use crate::domain::catalogue::Channel;
use crate::domain::survey::Answer;
use crate::domain::vocab::Origin;
use crate::domain::{Page, PageRequest};
use crate::error::AppError;
use crate::error::AppResult;
use crate::services::audit::Event;
use crate::state::AppState;
use chrono::NaiveDate;
use entity::{follow_up, response, response_answer};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;

/// A stored response as institution users read it.
#[derive(Debug, Clone)]
pub struct ResponseView {
    /// Random id.
    pub id: Uuid,
    /// Survey version answered.
    pub survey_version_id: Uuid,
    /// Service.
    pub service_id: Uuid,
    /// Service point.
    pub service_point_id: Uuid,
    /// Channel.
    pub channel: Channel,
    /// Invited or open channel.
    pub origin: Origin,
    /// How the citizen came.
    pub provenance: crate::domain::vocab::Provenance,
    /// Locale answered in.
    pub locale: String,
    /// Local date of the delivery (open channel: of the response).
    pub date: NaiveDate,
    /// Answers.
    pub answers: Vec<Answer>,
}

/// The response query narrowed by a filter.
fn filtered(
    mut q: sea_orm::Select<response::Entity>,
    f: &ResponseFilter,
) -> sea_orm::Select<response::Entity> {
    if let Some(i) = f.institution_id {
        q = q.filter(
            authz::InstitutionScope::Subtrees(vec![i]).condition(response::Column::InstitutionId),
        );
    }
    if let Some(s) = f.service_id {
        q = q.filter(response::Column::ServiceId.eq(s));
    }
    if let Some(p) = f.service_point_id {
        q = q.filter(response::Column::ServicePointId.eq(p));
    }
    if let Some(c) = f.channel {
        q = q.filter(response::Column::Channel.eq(c.as_str()));
    }
    if let Some(o) = f.origin {
        q = q.filter(response::Column::Origin.eq(o.as_str()));
    }
    if let Some(d) = f.from {
        q = q.filter(response::Column::ResponseDate.gte(d));
    }
    if let Some(d) = f.to {
        q = q.filter(response::Column::ResponseDate.lte(d));
    }
    if let Some(k) = &f.question_key {
        let mut sub = Query::select();
        sub.column(response_answer::Column::ResponseId)
            .from(response_answer::Entity)
            .and_where(Expr::col(response_answer::Column::QuestionKey).eq(k.clone()));
        if let Some(v) = f.value {
            sub.and_where(Expr::col(response_answer::Column::Value).eq(v));
        }
        q = q.filter(response::Column::Id.in_subquery(sub.to_owned()));
    }
    q
}

/// Filters of [`list_responses`].
#[derive(Debug, Clone, Default)]
pub struct ResponseFilter {
    /// Institution (with its subtree).
    pub institution_id: Option<Uuid>,
    /// Service.
    pub service_id: Option<Uuid>,
    /// Service point.
    pub service_point_id: Option<Uuid>,
    /// Channel.
    pub channel: Option<Channel>,
    /// Invited or open channel.
    pub origin: Option<Origin>,
    /// From this date (inclusive).
    pub from: Option<NaiveDate>,
    /// To this date (inclusive).
    pub to: Option<NaiveDate>,
    /// Only responses whose answer to this question…
    pub question_key: Option<String>,
    /// …has this value.
    pub value: Option<i32>,
}

/// Only responses no one can pick out by when and where they were given: of local
/// days that are over, in cells (service point × day) holding at least the
/// suppression threshold of responses. Someone who saw a citizen at a counter, or
/// whose queue system knows when each invitation was answered, finds the
/// citizen's response among at least that many others of the same day and point.
fn unlinkable_cells(state: &AppState, f: &ResponseFilter) -> sea_orm::Condition {
    let today = state
        .clock
        .now()
        .with_timezone(&state.config.timezone)
        .date_naive();
    let threshold = i64::try_from(state.config.suppression_threshold).unwrap_or(i64::MAX);
    // Cell sizes from the daily rollup's response counters (written in the same
    // transaction as each response): a range of days of one small table, not a
    // scan of every response.
    let day = || Expr::col(Alias::new("day"));
    let mut crowded = Query::select();
    crowded
        .columns([Alias::new("service_point_id"), Alias::new("day")])
        .from(Alias::new("rollup_daily"))
        .and_where(Expr::col(Alias::new("question_key")).eq(RESPONSES_KEY))
        .and_where(day().lt(today));
    if let Some(d) = f.from {
        crowded.and_where(day().gte(d));
    }
    if let Some(d) = f.to {
        crowded.and_where(day().lte(d));
    }
    if let Some(p) = f.service_point_id {
        crowded.and_where(Expr::col(Alias::new("service_point_id")).eq(p));
    }
    crowded
        .group_by_columns([Alias::new("service_point_id"), Alias::new("day")])
        .and_having(Expr::col(Alias::new("n")).sum().gte(threshold));
    sea_orm::Condition::all()
        .add(response::Column::ResponseDate.lt(today))
        .add(
            Expr::tuple([
                Expr::col(response::Column::ServicePointId),
                Expr::col(response::Column::ResponseDate),
            ])
            .in_subquery(crowded.to_owned()),
        )
}

/// The answers of some responses, by response, and how many of them are texts.
async fn answers_of(
    conn: &impl sea_orm::ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<(std::collections::HashMap<Uuid, Vec<Answer>>, usize)> {
    let answers = response_answer::Entity::find()
        .filter(response_answer::Column::ResponseId.is_in(ids.iter().copied()))
        .order_by_asc(response_answer::Column::QuestionKey)
        .all(conn)
        .await?;
    let mut by_id: std::collections::HashMap<Uuid, Vec<Answer>> = std::collections::HashMap::new();
    let mut with_text = 0usize;
    for a in answers {
        if a.text.is_some() {
            with_text += 1;
        }
        by_id
            .entry(a.response_id)
            .or_default()
            .push(crate::services::answers::stored_answer(a));
    }
    Ok((by_id, with_text))
}

/// Responses of the caller's institutions (ADMIN, SUPERVISOR: all), only from
/// crowded enough cells of days that are over ([`unlinkable_cells`]). Reading free
/// text (comments) is audit-logged.
pub async fn list_responses(
    state: &AppState,
    actor: &Actor,
    f: ResponseFilter,
    page: PageRequest,
) -> AppResult<Page<ResponseView>> {
    let scope = authz::scope(actor, Action::ReadResults)?;
    let conn = state.db.conn();
    let q = filtered(
        response::Entity::find().filter(scope.condition(response::Column::InstitutionId)),
        &f,
    );
    let q = q.filter(unlinkable_cells(state, &f));
    // Ordered by the random id: the order says nothing about when a response came.
    let page = crate::services::fetch_page(conn, q, response::Column::Id, page).await?;
    let ids: Vec<Uuid> = page.items.iter().map(|r| r.id).collect();
    let (mut by_id, with_text) = answers_of(conn, &ids).await?;
    if with_text > 0 {
        let now = state.clock.now();
        let txn = crate::services::write::begin(state).await?;
        txn.finish(
            actor,
            now,
            Event {
                action: "RESPONSE_COMMENTS_READ",
                target: None,
                details: json!({ "responses": ids.len(), "texts": with_text }),
            },
        )
        .await?;
    }
    let mut items = Vec::with_capacity(page.items.len());
    for r in page.items {
        let unknown = |what: &str| AppError::internal(format!("stored response: unknown {what}"));
        items.push(ResponseView {
            answers: by_id.remove(&r.id).unwrap_or_default(),
            id: r.id,
            survey_version_id: r.survey_version_id,
            service_id: r.service_id,
            service_point_id: r.service_point_id,
            channel: Channel::parse(&r.channel).ok_or_else(|| unknown("channel"))?,
            origin: Origin::parse(&r.origin).ok_or_else(|| unknown("origin"))?,
            provenance: crate::domain::vocab::Provenance::parse(&r.provenance)
                .ok_or_else(|| unknown("provenance"))?,
            locale: r.locale,
            date: r.response_date,
        });
    }
    Ok(Page {
        items,
        has_next: page.has_next,
        has_previous: page.has_previous,
    })
}

/// A follow-up request, as managers see it.
#[derive(Debug, Clone)]
pub struct FollowUpView {
    /// Id.
    pub id: Uuid,
    /// The answers the respondent left the contact with (shared with it by their
    /// consent); the response's id is not given, so it cannot be looked up among
    /// the others.
    pub answers: Vec<Answer>,
    /// Service.
    pub service_id: Uuid,
    /// Phone or e-mail.
    pub contact: String,
    /// Date left.
    pub date: NaiveDate,
}

/// Follow-up contacts of the caller's institutions (managers; reads are audited).
pub async fn list_follow_ups(
    state: &AppState,
    actor: &Actor,
    page: PageRequest,
) -> AppResult<Page<FollowUpView>> {
    let scope = authz::scope(actor, Action::ReadFollowUps)?;
    let q = follow_up::Entity::find().filter(scope.condition(follow_up::Column::InstitutionId));
    let page = crate::services::fetch_page(state.db.conn(), q, follow_up::Column::Id, page).await?;
    if !page.items.is_empty() {
        let now = state.clock.now();
        let txn = crate::services::write::begin(state).await?;
        txn.finish(
            actor,
            now,
            Event {
                action: "FOLLOW_UPS_READ",
                target: None,
                details: json!({ "count": page.items.len() }),
            },
        )
        .await?;
    }
    let ids: Vec<Uuid> = page.items.iter().map(|f| f.response_id).collect();
    let (mut by_id, _) = answers_of(state.db.conn(), &ids).await?;
    Ok(page.map(|f| FollowUpView {
        id: f.id,
        answers: by_id.remove(&f.response_id).unwrap_or_default(),
        service_id: f.service_id,
        contact: f.contact,
        date: f.created_date,
    }))
}
