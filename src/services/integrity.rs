//! Integrity of the measurement, for supervisors only: signals that figures of a
//! service × day are being manufactured, and quarantine of such a cell.
//!
//! The figures count in institutions' performance indicators, so the institutions
//! measured have every reason to bend them. Each signal compares one service's day
//! with **its own** previous 90 days (the baseline), so a service that is simply
//! good raises nothing:
//! - `FAST_ANSWERS` — at least [`FAST_MIN`] invited answers, half or more of the
//!   day's, given within [`FAST_SECS`] seconds of the invitation being issued (a
//!   citizen who just left the counter rarely answers that fast; a script does);
//! - `ANSWERS_FAR_FROM_BASELINE` — the day's pooled top-box share of its scale
//!   questions differs from the baseline's by a two-proportion z of at least
//!   [`Z_ALARM`] (p < 0.001), with at least 10 answers that day and 30 before;
//! - `RESPONSE_RATE_JUMP` — the day's response rate (invited answers /
//!   invitations) is above the baseline's by a z of at least [`Z_ALARM`] and by at
//!   least 15 points;
//! - `SOURCE_OVER_SHARE` — one kiosk gave more than half of the day's answers (at
//!   least 20), or one API key issued a share of the day's invitations at least 50
//!   points above its baseline share (at least 20 invitations);
//! - `SETTINGS_CHANGED_BEFORE_JUMP` — a jump above came within 14 days after the
//!   service's measurement settings or survey assignment changed.
//!
//! Signals are computed from counts that are never figures (rollups, invitation
//! cohorts, `integrity_counts`); nothing here reads a response. They are shown to
//! SUPERVISOR and ADMIN only — never to the institution measured, which would learn
//! what to avoid. A SUPERVISOR may quarantine a service × day cell with a reason:
//! its responses, invitations and delivered counts leave every figure (reports,
//! conclusions — a published one gets a revision) until the cell is released,
//! also with a reason; both are audited.

use super::audit::Event;
use crate::auth::Actor;
use crate::authz::{self, Action, InstitutionScope};
use crate::domain::bucket::Bucket;
use crate::domain::metrics::{self, ScaleKind};
use crate::domain::survey::QuestionType;
use crate::domain::vocab::{IntegritySignal, Provenance};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{audit_log, integrity_count, quarantined_cell, service};
use sea_orm::sea_query::{Alias, Expr, OnConflict, Query};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// An answer given this soon after its invitation was issued counts as fast.
pub const FAST_SECS: i64 = 60;
/// Fewest fast answers in a day that can raise `FAST_ANSWERS`.
pub const FAST_MIN: u64 = 5;
/// |z| from which a difference is a signal (two-sided p < 0.001).
pub const Z_ALARM: f64 = 3.29;
/// Days of baseline before the days examined.
pub const BASELINE_DAYS: i64 = 90;
/// Most days examined in one request.
pub const MAX_DAYS: i64 = 92;

/// Counter names in `integrity_counts`.
pub(crate) mod counter {
    /// Answers within [`super::FAST_SECS`] of issue.
    pub const FAST_ANSWER: &str = "FAST_ANSWER";
    /// Invitations issued, `source` = API key id.
    pub const KEY: &str = "KEY";
    /// Open-channel answers, `source` = kiosk device id.
    pub const KIOSK: &str = "KIOSK";
}

/// Adds one to a counter of a service × day (in the caller's transaction).
pub(crate) async fn bump(
    conn: &impl ConnectionTrait,
    day: NaiveDate,
    service_id: Uuid,
    institution_id: Uuid,
    signal: &str,
    source: &str,
) -> AppResult<()> {
    bump_by(conn, day, service_id, institution_id, signal, source, 1).await
}

/// Raises a counter by `n` (a group of submissions raises each counter once).
pub(crate) async fn bump_by(
    conn: &impl ConnectionTrait,
    day: NaiveDate,
    service_id: Uuid,
    institution_id: Uuid,
    signal: &str,
    source: &str,
    n: i64,
) -> AppResult<()> {
    use sea_orm::sea_query::ExprTrait;
    let t = Alias::new("integrity_counts");
    let cols = [
        "day",
        "service_id",
        "institution_id",
        "signal",
        "source",
        "n",
    ]
    .map(Alias::new);
    let mut ins = Query::insert();
    ins.into_table(t.clone())
        .columns(cols)
        .values_panic([
            day.into(),
            service_id.into(),
            institution_id.into(),
            signal.into(),
            source.into(),
            n.into(),
        ])
        .on_conflict(
            OnConflict::columns(["day", "service_id", "signal", "source"].map(Alias::new))
                .value(
                    Alias::new("n"),
                    Expr::col((t, Alias::new("n")))
                        .add(Expr::col((Alias::new("excluded"), Alias::new("n")))),
                )
                .to_owned(),
        );
    conn.execute_raw(conn.get_database_backend().build(&ins))
        .await?;
    Ok(())
}

/// Whether an answer at `now` to an invitation issued at `issued_at` is fast.
pub(crate) fn is_fast(issued_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    issued_at.is_some_and(|i| now - i < Duration::seconds(FAST_SECS))
}

/// Which cells to examine: an institution (with its subtree) or a service, over
/// `from..=to` (at most [`MAX_DAYS`] days).
#[derive(Debug, Clone)]
pub struct SignalFilter {
    /// Institution, with everything below it.
    pub institution_id: Option<Uuid>,
    /// One service.
    pub service_id: Option<Uuid>,
    /// First day examined.
    pub from: NaiveDate,
    /// Last day examined.
    pub to: NaiveDate,
}

/// One signal on one service × day.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    /// What was seen.
    pub signal: IntegritySignal,
    /// Service.
    pub service_id: Uuid,
    /// Its institution.
    pub institution_id: Uuid,
    /// Local day.
    pub day: NaiveDate,
    /// The day's figure (a share, or a rate).
    pub value: f64,
    /// The same figure over the baseline, where there is one.
    pub baseline: Option<f64>,
    /// Test statistic, where there is one.
    pub z: Option<f64>,
    /// What the day's figure rests on (answers or invitations).
    pub n: u64,
    /// The kiosk, key or settings change concerned, e.g. `KIOSK:<id>`,
    /// `KEY:<id>`, `INVITATION_SETTINGS_CHANGED`.
    pub source: Option<String>,
    /// Whether the cell is quarantined now.
    pub quarantined: bool,
}

/// What is known of one service × day.
#[derive(Debug, Default, Clone)]
struct Cell {
    institution: Uuid,
    invited_answers: u64,
    all_answers: u64,
    top_k: u64,
    top_n: u64,
    invitations: u64,
    fast: u64,
    keys: BTreeMap<String, u64>,
    kiosks: BTreeMap<String, u64>,
}

impl Cell {
    fn add(&mut self, o: &Cell) {
        self.invited_answers += o.invited_answers;
        self.all_answers += o.all_answers;
        self.top_k += o.top_k;
        self.top_n += o.top_n;
        self.invitations += o.invitations;
        self.fast += o.fast;
        for (k, n) in &o.keys {
            *self.keys.entry(k.clone()).or_default() += n;
        }
    }
}

type Cells = BTreeMap<(Uuid, NaiveDate), Cell>;

/// The integrity signals of the cells in `f` (SUPERVISOR, ADMIN).
pub async fn signals(state: &AppState, actor: &Actor, f: SignalFilter) -> AppResult<Vec<Signal>> {
    authz::require_global(actor, Action::SuperviseIntegrity)?;
    if f.from > f.to || (f.to - f.from).num_days() >= MAX_DAYS {
        return Err(AppError::bad_input(
            "to",
            format!("must be on or after `from`, at most {MAX_DAYS} days in all"),
        ));
    }
    if f.institution_id.is_none() && f.service_id.is_none() {
        return Err(AppError::bad_input(
            "institutionId",
            "give an institution or a service",
        ));
    }
    let conn = state.db.conn();
    let services = services_in(conn, &f).await?;
    if services.is_empty() {
        return Ok(vec![]);
    }
    let since = f.from - Duration::days(BASELINE_DAYS);
    let mut cells = Cells::new();
    read_answers(conn, &services, since, f.to, &mut cells).await?;
    read_invitations(conn, &services, since, f.to, &mut cells).await?;
    read_counters(conn, &services, since, f.to, &mut cells).await?;
    let changes = settings_changes(conn, &services, f.from - Duration::days(14), f.to).await?;
    let quarantined = active_quarantines(conn, &services, f.from, f.to).await?;

    let mut baseline: HashMap<Uuid, Cell> = HashMap::new();
    for ((s, day), c) in cells.range((Uuid::nil(), since)..) {
        if *day < f.from && services.contains_key(s) {
            baseline.entry(*s).or_default().add(c);
        }
    }
    let mut out = vec![];
    for ((s, day), c) in &cells {
        if *day < f.from || *day > f.to {
            continue;
        }
        let base = baseline.get(s).cloned().unwrap_or_default();
        let mut found = examine(*s, *day, c, &base);
        let jumped = found.iter().any(|x| {
            matches!(
                x.signal,
                IntegritySignal::AnswersFarFromBaseline | IntegritySignal::ResponseRateJump
            )
        });
        if jumped {
            let mut recent = changes
                .iter()
                .filter(|(cs, at, _)| cs == s && *at <= *day && *day - *at <= Duration::days(14));
            if let Some((_, at, action)) = recent.next_back() {
                found.push(Signal {
                    signal: IntegritySignal::SettingsChangedBeforeJump,
                    service_id: *s,
                    institution_id: c.institution,
                    day: *day,
                    value: (*day - *at).num_days() as f64,
                    baseline: None,
                    z: None,
                    n: 0,
                    source: Some(action.clone()),
                    quarantined: false,
                });
            }
        }
        for mut x in found {
            x.institution_id = c.institution;
            x.quarantined = quarantined.contains(&(*s, *day));
            out.push(x);
        }
    }
    Ok(out)
}

/// The signals of one day against its service's baseline.
fn examine(service_id: Uuid, day: NaiveDate, c: &Cell, base: &Cell) -> Vec<Signal> {
    let signal = |signal, value, baseline, z, n, source| Signal {
        signal,
        service_id,
        institution_id: c.institution,
        day,
        value,
        baseline,
        z,
        n,
        source,
        quarantined: false,
    };
    let mut out = vec![];
    if c.fast >= FAST_MIN && c.fast * 2 >= c.invited_answers {
        out.push(signal(
            IntegritySignal::FastAnswers,
            c.fast as f64 / c.invited_answers.max(1) as f64,
            None,
            None,
            c.invited_answers,
            None,
        ));
    }
    if c.top_n >= 10
        && base.top_n >= 30
        && let (Some(now), Some(before)) = (
            metrics::share(c.top_k, c.top_n),
            metrics::share(base.top_k, base.top_n),
        )
        && let Some(ch) = metrics::share_change(&before, &now)
        && ch.z.abs() >= Z_ALARM
    {
        out.push(signal(
            IntegritySignal::AnswersFarFromBaseline,
            now.value,
            Some(before.value),
            Some(ch.z),
            c.top_n,
            None,
        ));
    }
    let answered = c.invited_answers.min(c.invitations);
    let base_answered = base.invited_answers.min(base.invitations);
    if c.invitations >= 10
        && base.invitations >= 30
        && let (Some(now), Some(before)) = (
            metrics::share(answered, c.invitations),
            metrics::share(base_answered, base.invitations),
        )
        && let Some(ch) = metrics::share_change(&before, &now)
        && ch.z >= Z_ALARM
        && ch.delta >= 0.15
    {
        out.push(signal(
            IntegritySignal::ResponseRateJump,
            now.value,
            Some(before.value),
            Some(ch.z),
            c.invitations,
            None,
        ));
    }
    for (kiosk, n) in &c.kiosks {
        if *n >= 20 && n * 2 > c.all_answers {
            out.push(signal(
                IntegritySignal::SourceOverShare,
                *n as f64 / c.all_answers.max(1) as f64,
                None,
                None,
                c.all_answers,
                Some(format!("KIOSK:{kiosk}")),
            ));
        }
    }
    for (key, n) in &c.keys {
        let share = *n as f64 / c.invitations.max(1) as f64;
        let before =
            base.keys.get(key).copied().unwrap_or(0) as f64 / base.invitations.max(1) as f64;
        if *n >= 20 && share - before >= 0.5 {
            out.push(signal(
                IntegritySignal::SourceOverShare,
                share,
                Some(before),
                None,
                c.invitations,
                Some(format!("KEY:{key}")),
            ));
        }
    }
    out
}

/// The services examined, with their institutions.
async fn services_in(
    conn: &impl ConnectionTrait,
    f: &SignalFilter,
) -> AppResult<HashMap<Uuid, Uuid>> {
    let mut q = service::Entity::find();
    if let Some(s) = f.service_id {
        q = q.filter(service::Column::Id.eq(s));
    }
    if let Some(i) = f.institution_id {
        q = q.filter(InstitutionScope::Subtrees(vec![i]).condition(service::Column::InstitutionId));
    }
    Ok(q.all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s.institution_id))
        .collect())
}

fn in_services(services: &HashMap<Uuid, Uuid>) -> Vec<Uuid> {
    services.keys().copied().collect()
}

/// Answers and pooled top-box counts per service × day, from the daily rollup.
async fn read_answers(
    conn: &impl ConnectionTrait,
    services: &HashMap<Uuid, Uuid>,
    from: NaiveDate,
    to: NaiveDate,
    cells: &mut Cells,
) -> AppResult<()> {
    use sea_orm::sea_query::ExprTrait;
    let cols = [
        "day",
        "service_id",
        "provenance",
        "survey_version_id",
        "question_key",
        "bucket",
    ];
    let q = Query::select()
        .columns(cols.map(Alias::new))
        .expr_as(Expr::cust("CAST(SUM(n) AS BIGINT)"), Alias::new("total"))
        .from(Alias::new("rollup_daily"))
        .and_where(Expr::col(Alias::new("day")).gte(from))
        .and_where(Expr::col(Alias::new("day")).lte(to))
        .and_where(Expr::col(Alias::new("service_id")).is_in(in_services(services)))
        .group_by_columns(cols.map(Alias::new))
        .to_owned();
    let mut versions = HashMap::new();
    for r in conn
        .query_all_raw(conn.get_database_backend().build(&q))
        .await?
    {
        let day: NaiveDate = r.try_get("", "day")?;
        let service: Uuid = r.try_get("", "service_id")?;
        let provenance: String = r.try_get("", "provenance")?;
        let version: Uuid = r.try_get("", "survey_version_id")?;
        let key: String = r.try_get("", "question_key")?;
        let bucket: String = r.try_get("", "bucket")?;
        let n = u64::try_from(r.try_get::<i64>("", "total")?).unwrap_or(0);
        let cell = cells.entry((service, day)).or_default();
        cell.institution = services.get(&service).copied().unwrap_or_default();
        if key == super::rollups::RESPONSES {
            cell.all_answers += n;
            if Provenance::parse(&provenance)
                .is_some_and(|p| p.origin() == crate::domain::vocab::Origin::Invited)
            {
                cell.invited_answers += n;
            }
            continue;
        }
        if let std::collections::hash_map::Entry::Vacant(e) = versions.entry(version) {
            e.insert(super::surveys::version_unchecked(conn, version).await?);
        }
        let Some(q) = versions
            .get(&version)
            .and_then(|v| v.content.question(&key))
        else {
            continue;
        };
        let kind = match q.kind {
            QuestionType::Rating => ScaleKind::Rating {
                min: q.min,
                max: q.max,
            },
            QuestionType::Faces => ScaleKind::Faces,
            QuestionType::Thumbs => ScaleKind::Thumbs,
            QuestionType::Nps => ScaleKind::Nps,
            _ => continue,
        };
        if let Some(Bucket::Value(v)) = Bucket::parse(&bucket) {
            cell.top_n += n;
            if v >= kind.top_box_from() {
                cell.top_k += n;
            }
        }
    }
    Ok(())
}

/// Invitations per service × day.
async fn read_invitations(
    conn: &impl ConnectionTrait,
    services: &HashMap<Uuid, Uuid>,
    from: NaiveDate,
    to: NaiveDate,
    cells: &mut Cells,
) -> AppResult<()> {
    use sea_orm::sea_query::ExprTrait;
    let q = Query::select()
        .columns(["day", "service_id"].map(Alias::new))
        .expr_as(Expr::cust("CAST(SUM(n) AS BIGINT)"), Alias::new("total"))
        .from(Alias::new("rollup_invitations_daily"))
        .and_where(Expr::col(Alias::new("day")).gte(from))
        .and_where(Expr::col(Alias::new("day")).lte(to))
        .and_where(Expr::col(Alias::new("service_id")).is_in(in_services(services)))
        .group_by_columns(["day", "service_id"].map(Alias::new))
        .to_owned();
    for r in conn
        .query_all_raw(conn.get_database_backend().build(&q))
        .await?
    {
        let service: Uuid = r.try_get("", "service_id")?;
        let cell = cells.entry((service, r.try_get("", "day")?)).or_default();
        cell.institution = services.get(&service).copied().unwrap_or_default();
        cell.invitations += u64::try_from(r.try_get::<i64>("", "total")?).unwrap_or(0);
    }
    Ok(())
}

/// Fast answers, invitations per key and answers per kiosk.
async fn read_counters(
    conn: &impl ConnectionTrait,
    services: &HashMap<Uuid, Uuid>,
    from: NaiveDate,
    to: NaiveDate,
    cells: &mut Cells,
) -> AppResult<()> {
    for c in integrity_count::Entity::find()
        .filter(integrity_count::Column::Day.gte(from))
        .filter(integrity_count::Column::Day.lte(to))
        .filter(integrity_count::Column::ServiceId.is_in(in_services(services)))
        .all(conn)
        .await?
    {
        let cell = cells.entry((c.service_id, c.day)).or_default();
        cell.institution = c.institution_id;
        let n = u64::try_from(c.n).unwrap_or(0);
        match c.signal.as_str() {
            counter::FAST_ANSWER => cell.fast += n,
            counter::KEY => *cell.keys.entry(c.source).or_default() += n,
            counter::KIOSK => *cell.kiosks.entry(c.source).or_default() += n,
            _ => {}
        }
    }
    Ok(())
}

/// Changes of measurement settings or survey assignment: (service, local day, action).
async fn settings_changes(
    conn: &impl ConnectionTrait,
    services: &HashMap<Uuid, Uuid>,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<(Uuid, NaiveDate, String)>> {
    let rows = audit_log::Entity::find()
        .filter(audit_log::Column::Action.is_in(["INVITATION_SETTINGS_CHANGED", "SURVEY_ASSIGNED"]))
        .filter(audit_log::Column::TargetId.is_in(in_services(services)))
        .filter(
            audit_log::Column::At
                .gte(from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - Duration::days(1)),
        )
        .filter(
            audit_log::Column::At
                .lte(to.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() + Duration::days(2)),
        )
        .all(conn)
        .await?;
    let mut out: Vec<(Uuid, NaiveDate, String)> = rows
        .into_iter()
        .filter_map(|r| Some((r.target_id?, r.at.date_naive(), r.action)))
        .collect();
    out.sort();
    Ok(out)
}

async fn active_quarantines(
    conn: &impl ConnectionTrait,
    services: &HashMap<Uuid, Uuid>,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<std::collections::HashSet<(Uuid, NaiveDate)>> {
    Ok(quarantined_cell::Entity::find()
        .filter(quarantined_cell::Column::ServiceId.is_in(in_services(services)))
        .filter(quarantined_cell::Column::Day.gte(from))
        .filter(quarantined_cell::Column::Day.lte(to))
        .filter(quarantined_cell::Column::ReleasedAt.is_null())
        .all(conn)
        .await?
        .into_iter()
        .map(|q| (q.service_id, q.day))
        .collect())
}

/// A quarantined (or released) cell as supervisors list it.
#[derive(Debug, Clone)]
pub struct QuarantineView {
    /// Service.
    pub service_id: Uuid,
    /// Day.
    pub day: NaiveDate,
    /// Why it was set aside.
    pub reason: String,
    /// When.
    pub quarantined_at: DateTime<Utc>,
    /// When it was released, if it was.
    pub released_at: Option<DateTime<Utc>>,
    /// Why it was released.
    pub release_reason: Option<String>,
}

impl From<quarantined_cell::Model> for QuarantineView {
    fn from(q: quarantined_cell::Model) -> Self {
        Self {
            service_id: q.service_id,
            day: q.day,
            reason: q.reason,
            quarantined_at: q.quarantined_at,
            released_at: q.released_at,
            release_reason: q.release_reason,
        }
    }
}

/// Sets a service × day aside from every figure (SUPERVISOR), with a reason.
/// Quarantining a cell that is already quarantined answers `CONFLICT`.
pub async fn quarantine(
    state: &AppState,
    actor: &Actor,
    service_id: Uuid,
    day: NaiveDate,
    reason: &str,
) -> AppResult<QuarantineView> {
    authz::require_global(actor, Action::QuarantineCells)?;
    let reason = crate::domain::text::reason(reason)?;
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    service::Entity::find_by_id(service_id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let key = (service_id, day);
    if let Some(existing) = quarantined_cell::Entity::find_by_id(key).one(&*txn).await? {
        if existing.released_at.is_none() {
            return Err(AppError::Conflict(
                "this cell is already quarantined".into(),
            ));
        }
        quarantined_cell::Entity::delete_by_id(key)
            .exec(&*txn)
            .await?;
    }
    let row = quarantined_cell::ActiveModel {
        service_id: Set(service_id),
        day: Set(day),
        reason: Set(reason.clone()),
        quarantined_by: Set(actor.user_id()),
        quarantined_at: Set(now),
        released_at: Set(None),
        released_by: Set(None),
        release_reason: Set(None),
    };
    quarantined_cell::Entity::insert(row)
        .exec_without_returning(&*txn)
        .await?;
    finish_cell(txn, actor, now, "CELL_QUARANTINED", key, &reason).await
}

/// Reads the cell back and commits with its audit record.
async fn finish_cell(
    txn: crate::services::write::Write,
    actor: &Actor,
    now: DateTime<Utc>,
    action: &'static str,
    (service_id, day): (Uuid, NaiveDate),
    reason: &str,
) -> AppResult<QuarantineView> {
    let view = quarantined_cell::Entity::find_by_id((service_id, day))
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    txn.finish(
        actor,
        now,
        Event {
            action,
            target: Some(("SERVICE", service_id)),
            details: json!({ "date": day, "reason": reason }),
        },
    )
    .await?;
    Ok(view.into())
}

/// Returns a quarantined cell to the figures (SUPERVISOR), with a reason.
pub async fn release(
    state: &AppState,
    actor: &Actor,
    service_id: Uuid,
    day: NaiveDate,
    reason: &str,
) -> AppResult<QuarantineView> {
    authz::require_global(actor, Action::QuarantineCells)?;
    let reason = crate::domain::text::reason(reason)?;
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    let released = quarantined_cell::Entity::update_many()
        .col_expr(quarantined_cell::Column::ReleasedAt, Expr::value(now))
        .col_expr(
            quarantined_cell::Column::ReleasedBy,
            Expr::value(actor.user_id()),
        )
        .col_expr(
            quarantined_cell::Column::ReleaseReason,
            Expr::value(Some(reason.clone())),
        )
        .filter(quarantined_cell::Column::ServiceId.eq(service_id))
        .filter(quarantined_cell::Column::Day.eq(day))
        .filter(quarantined_cell::Column::ReleasedAt.is_null())
        .exec(&*txn)
        .await?
        .rows_affected;
    if released == 0 {
        return Err(AppError::NotFound);
    }
    finish_cell(txn, actor, now, "CELL_RELEASED", (service_id, day), &reason).await
}

/// Quarantined cells (active first, then released), for SUPERVISOR and ADMIN.
pub async fn list_quarantines(
    state: &AppState,
    actor: &Actor,
    service_id: Option<Uuid>,
) -> AppResult<Vec<QuarantineView>> {
    authz::require_global(actor, Action::SuperviseIntegrity)?;
    let mut q = quarantined_cell::Entity::find();
    if let Some(s) = service_id {
        q = q.filter(quarantined_cell::Column::ServiceId.eq(s));
    }
    let mut rows: Vec<QuarantineView> = q
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    rows.sort_by_key(|r| (r.released_at.is_some(), r.day, r.service_id));
    rows.truncate(1_000);
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(invited: u64, invitations: u64, top: (u64, u64), fast: u64) -> Cell {
        Cell {
            invited_answers: invited,
            all_answers: invited,
            top_k: top.0,
            top_n: top.1,
            invitations,
            fast,
            ..Cell::default()
        }
    }

    #[test]
    fn a_day_like_its_baseline_raises_nothing() {
        let base = cell(400, 800, (200, 400), 3);
        let day = cell(20, 40, (11, 20), 0);
        assert!(examine(Uuid::nil(), NaiveDate::MIN, &day, &base).is_empty());
    }

    #[test]
    fn a_manufactured_day_raises_fast_answers_a_distribution_shift_and_a_rate_jump() {
        let base = cell(40, 80, (20, 40), 0);
        let day = cell(30, 30, (30, 30), 30);
        let kinds: Vec<IntegritySignal> = examine(Uuid::nil(), NaiveDate::MIN, &day, &base)
            .into_iter()
            .map(|s| s.signal)
            .collect();
        assert_eq!(
            kinds,
            vec![
                IntegritySignal::FastAnswers,
                IntegritySignal::AnswersFarFromBaseline,
                IntegritySignal::ResponseRateJump
            ]
        );
    }
}
