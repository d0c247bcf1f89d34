//! Rollups: counts of answers per bucket, maintained in the same transaction as
//! each submission, at two grains:
//! - `rollup_daily`: local day × service point × service × institution × channel ×
//!   provenance × survey version × question × bucket (drill-down, custom ranges);
//! - `rollup_monthly`: month × service × institution × provenance × survey version ×
//!   question × bucket (period reports read O(months × services) rows).
//!
//! A bucket is `v:<value>` (scale), `na` (not applicable), `c:<option>` (choice),
//! `t` (text given); question `#` with bucket `#` counts responses. The institution
//! is the one the service belonged to at response time, so history stays right
//! when services move. Rows are upserted sorted by key, so concurrent submissions
//! take row locks in one order and PostgreSQL never deadlocks.

use crate::auth::Actor;
use crate::authz::{self, Action};
use crate::domain::catalogue::Channel;
use crate::domain::survey::Answer;
use crate::domain::vocab::{Provenance, RespondentKind};
use crate::error::{AppError, AppResult};
use crate::services::audit::Event;
use crate::state::AppState;
use chrono::{Datelike, NaiveDate};
use entity::{invitation, response, response_answer};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Question key of the per-response counter.
pub use crate::domain::bucket::RESPONSES_KEY as RESPONSES;
use crate::domain::bucket::buckets;

/// Where one response sits.
#[derive(Debug, Clone, Copy)]
pub struct Facts {
    /// Local date it belongs to.
    pub day: NaiveDate,
    /// Service point.
    pub point: Uuid,
    /// Service.
    pub service: Uuid,
    /// Institution of the service at response time.
    pub institution: Uuid,
    /// Channel.
    pub channel: Channel,
    /// How the citizen came (the origin, invited or open, follows from it).
    pub provenance: Provenance,
    /// Survey version.
    pub version: Uuid,
    /// Whom the delivering system served, when it said: its answers are also
    /// counted under [`kind_key`] so reports can split by it.
    pub respondent_kind: Option<RespondentKind>,
}

/// The question key under which the answers of one respondent kind are counted
/// again: `@LEGAL_ENTITY/skm_time`. Question keys are lower-case, so it never
/// collides with one, and a report reading plain keys never counts it twice.
pub fn kind_key(kind: RespondentKind, question_key: &str) -> String {
    format!("@{}/{question_key}", kind.as_str())
}

/// The respondent kind and question key of a [`kind_key`].
pub fn parse_kind_key(key: &str) -> Option<(RespondentKind, &str)> {
    let (kind, q) = key.strip_prefix('@')?.split_once('/')?;
    Some((RespondentKind::parse(kind)?, q))
}

/// First day of the month of `d`.
pub fn month_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

type DailyKey = (
    NaiveDate,
    Uuid,
    Uuid,
    Uuid,
    String,
    String,
    Uuid,
    String,
    String,
);
type MonthlyKey = (NaiveDate, Uuid, Uuid, String, Uuid, String, String);

/// Rollup increments, keyed and sorted.
#[derive(Debug, Default)]
pub struct Increments {
    daily: BTreeMap<DailyKey, i64>,
    monthly: BTreeMap<MonthlyKey, i64>,
}

impl Increments {
    /// Adds one response.
    pub fn add(&mut self, f: &Facts, answers: &[Answer]) {
        let counted = buckets(answers);
        let by_kind: Vec<_> = match f.respondent_kind {
            Some(k) => counted
                .iter()
                .map(|(q, b)| (kind_key(k, q), b.clone()))
                .collect(),
            None => vec![],
        };
        for (q, b) in counted.into_iter().chain(by_kind) {
            let b = b.encode();
            *self
                .daily
                .entry((
                    f.day,
                    f.point,
                    f.service,
                    f.institution,
                    f.channel.as_str().into(),
                    f.provenance.as_str().into(),
                    f.version,
                    q.clone(),
                    b.clone(),
                ))
                .or_default() += 1;
            *self
                .monthly
                .entry((
                    month_of(f.day),
                    f.service,
                    f.institution,
                    f.provenance.as_str().into(),
                    f.version,
                    q,
                    b,
                ))
                .or_default() += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.daily.is_empty()
    }
}

fn upsert(
    table: &str,
    cols: &[&str],
    rows: Vec<Vec<SimpleExpr>>,
) -> sea_orm::sea_query::InsertStatement {
    let t = Alias::new(table);
    let mut ins = Query::insert();
    ins.into_table(t.clone())
        .columns(cols.iter().map(|c| Alias::new(*c)).chain([Alias::new("n")]));
    for r in rows {
        ins.values_panic(r);
    }
    ins.on_conflict(
        OnConflict::columns(cols.iter().map(|c| Alias::new(*c)))
            .value(
                Alias::new("n"),
                Expr::col((t, Alias::new("n")))
                    .add(Expr::col((Alias::new("excluded"), Alias::new("n")))),
            )
            .to_owned(),
    );
    ins.to_owned()
}

const DAILY_COLS: [&str; 9] = [
    "day",
    "service_point_id",
    "service_id",
    "institution_id",
    "channel",
    "provenance",
    "survey_version_id",
    "question_key",
    "bucket",
];
const MONTHLY_COLS: [&str; 7] = [
    "month",
    "service_id",
    "institution_id",
    "provenance",
    "survey_version_id",
    "question_key",
    "bucket",
];

/// Writes increments (inside the caller's transaction), in key order.
pub async fn apply(conn: &impl ConnectionTrait, inc: Increments) -> AppResult<()> {
    if inc.is_empty() {
        return Ok(());
    }
    let backend = conn.get_database_backend();
    let daily: Vec<Vec<SimpleExpr>> = inc
        .daily
        .into_iter()
        .map(|((d, p, s, i, ch, o, v, q, b), n)| {
            vec![
                d.into(),
                p.into(),
                s.into(),
                i.into(),
                ch.into(),
                o.into(),
                v.into(),
                q.into(),
                b.into(),
                n.into(),
            ]
        })
        .collect();
    for chunk in daily.chunks(500) {
        conn.execute_raw(backend.build(&upsert("rollup_daily", &DAILY_COLS, chunk.to_vec())))
            .await?;
    }
    let monthly: Vec<Vec<SimpleExpr>> = inc
        .monthly
        .into_iter()
        .map(|((m, s, i, o, v, q, b), n)| {
            vec![
                m.into(),
                s.into(),
                i.into(),
                o.into(),
                v.into(),
                q.into(),
                b.into(),
                n.into(),
            ]
        })
        .collect();
    for chunk in monthly.chunks(500) {
        conn.execute_raw(backend.build(&upsert("rollup_monthly", &MONTHLY_COLS, chunk.to_vec())))
            .await?;
    }
    Ok(())
}

/// Counts one issued invitation (its delivery's local day) in the invitation rollups.
pub async fn add_invitation(
    conn: &impl ConnectionTrait,
    day: NaiveDate,
    point: Uuid,
    service: Uuid,
    institution: Uuid,
) -> AppResult<()> {
    let mut daily = BTreeMap::new();
    daily.insert((day, point, service, institution), 1i64);
    apply_invitations(conn, daily).await
}

/// Writes invitation-cohort increments ((day, point, service, institution) → n), in key order.
pub async fn apply_invitations(
    conn: &impl ConnectionTrait,
    daily: BTreeMap<(NaiveDate, Uuid, Uuid, Uuid), i64>,
) -> AppResult<()> {
    if daily.is_empty() {
        return Ok(());
    }
    let backend = conn.get_database_backend();
    let mut monthly: BTreeMap<(NaiveDate, Uuid, Uuid), i64> = BTreeMap::new();
    for ((d, _, s, i), n) in &daily {
        *monthly.entry((month_of(*d), *s, *i)).or_default() += n;
    }
    let rows: Vec<Vec<SimpleExpr>> = daily
        .into_iter()
        .map(|((d, p, s, i), n)| vec![d.into(), p.into(), s.into(), i.into(), n.into()])
        .collect();
    for chunk in rows.chunks(500) {
        let stmt = upsert(
            "rollup_invitations_daily",
            &["day", "service_point_id", "service_id", "institution_id"],
            chunk.to_vec(),
        );
        conn.execute_raw(backend.build(&stmt)).await?;
    }
    let rows: Vec<Vec<SimpleExpr>> = monthly
        .into_iter()
        .map(|((m, s, i), n)| vec![m.into(), s.into(), i.into(), n.into()])
        .collect();
    for chunk in rows.chunks(500) {
        let stmt = upsert(
            "rollup_invitations_monthly",
            &["month", "service_id", "institution_id"],
            chunk.to_vec(),
        );
        conn.execute_raw(backend.build(&stmt)).await?;
    }
    Ok(())
}

/// What a rebuild did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RebuildSummary {
    /// First day rebuilt (start of `from`'s month).
    pub from: NaiveDate,
    /// Last day rebuilt (end of `to`'s month).
    pub to: NaiveDate,
    /// Responses recounted.
    pub responses: u64,
}

fn month_end(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|n| n.pred_opt())
        .unwrap_or(d)
}

/// Recomputes the rollups of the whole months covering `from..=to` from raw
/// responses and invitations (ADMIN). Submissions arriving meanwhile wait for it
/// (SQLite: the single writer; PostgreSQL: a SHARE lock on `responses`) and are
/// then counted on top — none is lost.
pub async fn rebuild(
    state: &AppState,
    actor: &Actor,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<RebuildSummary> {
    authz::require_global(actor, Action::Maintain)?;
    if to < from || (to - from).num_days() > 3700 {
        return Err(AppError::bad_input(
            "to",
            "must be on or after from, within ten years",
        ));
    }
    rebuild_unchecked(state, actor, from, to).await
}

/// [`rebuild`] without the permission check (start-up tools, the demo).
pub(crate) async fn rebuild_unchecked(
    state: &AppState,
    actor: &Actor,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<RebuildSummary> {
    let (from, to) = (month_of(from), month_end(to));
    let txn = crate::services::write::begin(state).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        // Writers pause until the rebuild commits. The tables are locked in the order
        // a submission writes them (invitation, then response): the other order let a
        // submission holding its invitation wait for `responses` while the rebuild
        // held `responses` and waited for `invitations` — a deadlock (40P01).
        txn.execute_unprepared("LOCK TABLE invitations, responses IN SHARE MODE")
            .await?;
    }
    delete_range(&*txn, from, to).await?;
    let total = recount_responses(&*txn, from, to).await?;
    recount_invitations(&*txn, from, to).await?;
    txn.finish(
        actor,
        state.clock.now(),
        Event {
            action: "ROLLUPS_REBUILT",
            target: None,
            details: json!({ "from": from, "to": to, "responses": total }),
        },
    )
    .await?;
    Ok(RebuildSummary {
        from,
        to,
        responses: total,
    })
}

/// Deletes every rollup row of the days `from..=to`.
async fn delete_range(
    conn: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<()> {
    let backend = conn.get_database_backend();
    for (table, col) in [
        ("rollup_daily", "day"),
        ("rollup_monthly", "month"),
        ("rollup_invitations_daily", "day"),
        ("rollup_invitations_monthly", "month"),
    ] {
        let del = Query::delete()
            .from_table(Alias::new(table))
            .and_where(Expr::col(Alias::new(col)).gte(from))
            .and_where(Expr::col(Alias::new(col)).lte(to))
            .to_owned();
        conn.execute_raw(backend.build(&del)).await?;
    }
    Ok(())
}

/// Counts every stored response of `from..=to` again, in batches; returns how many.
async fn recount_responses(
    conn: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<u64> {
    let mut after: Option<Uuid> = None;
    let mut total = 0u64;
    loop {
        let mut q = response::Entity::find()
            .filter(response::Column::ResponseDate.gte(from))
            .filter(response::Column::ResponseDate.lte(to));
        if let Some(a) = after {
            q = q.filter(response::Column::Id.gt(a));
        }
        let batch = q
            .order_by_asc(response::Column::Id)
            .limit(2000)
            .all(conn)
            .await?;
        let Some(last) = batch.last() else { break };
        after = Some(last.id);
        let ids: Vec<Uuid> = batch.iter().map(|r| r.id).collect();
        let mut answers: HashMap<Uuid, Vec<Answer>> = HashMap::new();
        for a in response_answer::Entity::find()
            .filter(response_answer::Column::ResponseId.is_in(ids))
            .all(conn)
            .await?
        {
            answers
                .entry(a.response_id)
                .or_default()
                .push(crate::services::answers::stored_answer(a));
        }
        let mut inc = Increments::default();
        for r in &batch {
            let unknown =
                |what: &str| AppError::internal(format!("stored response: unknown {what}"));
            let facts = Facts {
                day: r.response_date,
                point: r.service_point_id,
                service: r.service_id,
                institution: r.institution_id,
                channel: Channel::parse(&r.channel).ok_or_else(|| unknown("channel"))?,
                provenance: Provenance::parse(&r.provenance)
                    .ok_or_else(|| unknown("provenance"))?,
                version: r.survey_version_id,
                respondent_kind: r.respondent_kind.as_deref().and_then(RespondentKind::parse),
            };
            inc.add(
                &facts,
                answers.get(&r.id).map(Vec::as_slice).unwrap_or_default(),
            );
        }
        total += batch.len() as u64;
        apply(conn, inc).await?;
    }
    Ok(total)
}

/// Counts the invitation cohorts of `from..=to` again.
async fn recount_invitations(
    conn: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<()> {
    let mut inv: BTreeMap<(NaiveDate, Uuid, Uuid, Uuid), i64> = BTreeMap::new();
    let rows = invitation::Entity::find()
        .filter(invitation::Column::Invited.eq(true))
        .filter(invitation::Column::DeliveryDate.gte(from))
        .filter(invitation::Column::DeliveryDate.lte(to))
        .all(conn)
        .await?;
    for i in rows {
        *inv.entry((
            i.delivery_date,
            i.service_point_id,
            i.service_id,
            i.institution_id,
        ))
        .or_default() += 1;
    }
    apply_invitations(conn, inv).await
}
