//! Citizens' suggestions, requests, complaints and praise, answered on time.
//!
//! Anyone sends one, without an account, and gets a tracking code (to follow it)
//! and a secret (to confirm or reopen the answer). The institution holding it
//! acknowledges it within working days, answers within days (extendable once, with
//! a reason), or refers it to another institution ("no wrong door": the clock keeps
//! running). Nothing a citizen writes is public until a manager publishes a
//! redacted text.
//!
//! Threats: an institution that wants a quieter box cannot delete a suggestion, move
//! its received day or deadlines (the server's clock, in the reporting zone), nor
//! answer without it counting against the deadline; a referral keeps the clock. A
//! reader of the database finds the citizen's contact only while it is needed (erased
//! a while after closing), and only managers read it, each read audited; the
//! submission's audit entry holds no client address. An anonymous client is held by
//! the per-client and per-device limits, and guessing tracking codes by the
//! misses limit (50 random bits a code).

use crate::auth::Actor;
use crate::auth::actor::Caller;
use crate::auth::secrets::{hmac_sha256, purpose_key, sha256_hex};
use crate::authz::{self, Action, InstitutionScope};
use crate::domain::metrics::wilson;
use crate::domain::period::Period;
use crate::domain::suggestion::{
    self as domain, HolidayCalendar, SuggestionMove, crockford, parse_tracking_code, redact,
};
use crate::domain::text::free_text;
use crate::domain::vocab::{
    ActionStatus, AnswerOutcome, ContactKind, OriginKind, SuggestionKind, SuggestionSource,
    SuggestionStatus,
};
use crate::domain::{Locale, LocalizedText, Page, PageRequest, Role};
use crate::error::{AppError, AppResult};
use crate::services::audit::Event;
use crate::services::write::ConflictOnUnique;
use crate::services::{holidays, throttles};
use crate::state::AppState;
use chrono::{Duration, NaiveDate};
use entity::{
    improvement_action as ia, improvement_action_origin as origin, institution,
    institution_closure, service, service_point, suggestion as sg, suggestion_contact as contact,
    suggestion_support as support,
};
use rand::Rng;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect, Select,
};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// Longest text a citizen writes, in characters.
pub const TEXT_MAX: usize = 4_000;
/// Longest reason (referral, decline, reopen, extension), in characters.
pub const REASON_MAX: usize = 2_000;
/// Days after an answer the citizen may reopen it, and after which it closes.
pub const REPLY_DAYS: i64 = 30;
/// Minutes within which the same text from the same source is folded into one.
pub const FOLD_MINUTES: i64 = 10;
/// Most improvement actions one answer links.
pub const ACTIONS_MAX: usize = 20;
/// Supports one client may give per hour.
pub const SUPPORTS_PER_CLIENT: u32 = 30;

/// A suggestion to send.
#[derive(Debug, Clone)]
pub struct NewSuggestion {
    /// The institution it is for.
    pub institution_id: Uuid,
    /// One of its services (or of an institution below it).
    pub service_id: Option<Uuid>,
    /// One of that service's points.
    pub service_point_id: Option<Uuid>,
    /// What it is.
    pub kind: SuggestionKind,
    /// As written (1–4,000 characters).
    pub text: String,
    /// The language it is written in (a locale tag).
    pub language: Option<String>,
    /// A phone number to be reached on (only with consent).
    pub phone: Option<String>,
    /// An e-mail address to be reached on (only with consent).
    pub email: Option<String>,
    /// The citizen's explicit consent to be contacted.
    pub consent: bool,
    /// A key the citizen's device keeps (for its rate limit).
    pub device_key: Option<String>,
}

/// Who reads a suggestion, and so what of it they see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The institution holding it (and supervisors): everything but the contact,
    /// which its managers read through [`contact`].
    Institution,
    /// The citizen, by tracking code: their own text only with the secret (or signed in).
    Citizen {
        /// Whether the secret (or the signed-in owner) was shown.
        owner: bool,
    },
    /// Everyone: a published suggestion's redacted text.
    Public,
}

/// A suggestion as its reader may see it.
#[derive(Debug, Clone)]
pub struct SuggestionView {
    /// The row (fields the audience may not see are not shown by the API).
    pub row: sg::Model,
    /// Kind.
    pub kind: SuggestionKind,
    /// Status.
    pub status: SuggestionStatus,
    /// Source.
    pub source: SuggestionSource,
    /// Who reads it.
    pub audience: Audience,
    /// A deadline passed without the acknowledgement or answer it asked for.
    pub overdue: bool,
    /// Improvement actions the answer links.
    pub action_ids: Vec<Uuid>,
    /// The citizen left a contact (still kept).
    pub has_contact: bool,
    /// The secret that acts on it (only right after sending it).
    pub secret: Option<String>,
    /// It was the same as one sent moments before, and is that one.
    pub folded: bool,
}

impl SuggestionView {
    /// The answer's text.
    pub fn answer_text(&self) -> Option<LocalizedText> {
        self.row.answer_text.as_ref().map(LocalizedText::from_json)
    }
    /// The answer's outcome.
    pub fn outcome(&self) -> Option<AnswerOutcome> {
        self.row
            .answer_outcome
            .as_deref()
            .and_then(AnswerOutcome::parse)
    }
    /// Whether the citizen may still reopen it.
    pub fn can_reopen(&self, today: NaiveDate) -> bool {
        self.status == SuggestionStatus::Answered
            && self.row.reopened_on.is_none()
            && self
                .row
                .answered_on
                .is_some_and(|a| today <= a + Duration::days(REPLY_DAYS))
    }
}

/// The reporting zone's today.
pub fn today(state: &AppState) -> NaiveDate {
    state
        .clock
        .now()
        .with_timezone(&state.config.timezone)
        .date_naive()
}

/// The secret that acts on suggestion `id`: derived from it with the server's key,
/// so that a folded duplicate gets the same secret back and none is stored.
fn secret_of(state: &AppState, id: Uuid) -> String {
    let key = purpose_key(state.config.hmac_root(), "suggestion-secret");
    crockford(&hmac_sha256(&key, id.as_bytes()), 26)
}

/// Whether `given` is `id`'s secret (compared without early exit).
fn secret_matches(state: &AppState, id: Uuid, given: &str) -> bool {
    let want = secret_of(state, id);
    let given = given.trim().to_ascii_uppercase();
    want.len() == given.len()
        && want
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// A keyed hash of a client-held key (device keys are never stored as given).
fn keyed(state: &AppState, purpose: &str, value: &str) -> String {
    let key = purpose_key(state.config.hmac_root(), purpose);
    crate::auth::secrets::hex(&hmac_sha256(&key, value.as_bytes()))
}

fn reason(field: &str, raw: &str) -> AppResult<String> {
    Ok(crate::domain::text::explanation(field, raw, REASON_MAX)?)
}

/// A citizen's text: 1–4,000 characters without control characters other than
/// tabs and line breaks, stored exactly as written.
fn citizen_text(raw: &str) -> AppResult<String> {
    let checked = free_text("text", raw, TEXT_MAX)?;
    if checked.is_empty() {
        return Err(AppError::bad_input("text", "must be 1-4,000 characters"));
    }
    if raw.chars().count() > TEXT_MAX {
        return Err(AppError::bad_input(
            "text",
            "must be at most 4000 characters",
        ));
    }
    Ok(raw.to_owned())
}

fn device_key(raw: &str) -> AppResult<String> {
    let k = raw.trim();
    if !(8..=200).contains(&k.len()) || k.chars().any(|c| c.is_control()) {
        return Err(AppError::bad_input("deviceKey", "must be 8-200 characters"));
    }
    Ok(k.to_owned())
}

/// Sends a suggestion (anyone but an integration). Folds an exact repeat from the
/// same source within minutes into the first (same code and secret back).
pub async fn submit(
    state: &AppState,
    actor: &Actor,
    s: NewSuggestion,
) -> AppResult<SuggestionView> {
    authz::refuse_integrations(actor)?;
    let body = citizen_text(&s.text)?;
    let language = match s.language.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(tag) => Some(
            Locale::parse(tag)
                .ok_or_else(|| AppError::bad_input("language", "unknown language"))?
                .tag()
                .to_owned(),
        ),
    };
    let given = |v: &Option<String>| v.as_deref().is_some_and(|x| !x.trim().is_empty());
    let contact = if given(&s.phone) || given(&s.email) {
        if !s.consent {
            return Err(AppError::bad_input(
                "consent",
                "a contact is kept only with the citizen's consent",
            ));
        }
        Some(
            crate::delivery::parse_contact(s.phone.as_deref(), s.email.as_deref())
                .map_err(|m| AppError::bad_input("contact", m))?,
        )
    } else {
        None
    };
    let device = s.device_key.as_deref().map(device_key).transpose()?;
    let now = state.clock.now();
    let limit = state.config.suggestions.per_client;
    let client_key = format!(
        "suggest:client:{}",
        actor.client_ip.as_deref().unwrap_or("-")
    );
    let device_limit = device
        .as_deref()
        .map(|d| format!("suggest:device:{}", keyed(state, "suggestion-device", d)));
    let source_key = match (&actor.caller, &device_limit) {
        (Caller::User(u), _) => format!("user:{}", u.id),
        (_, Some(d)) => d.clone(),
        _ => client_key.clone(),
    };
    let dedupe = sha256_hex(&format!(
        "{}|{:?}|{:?}|{}|{}|{}",
        s.institution_id,
        s.service_id,
        s.service_point_id,
        s.kind.as_str(),
        source_key,
        body
    ));
    let conn = state.db.conn();
    if let Some(first) = sg::Entity::find()
        .filter(sg::Column::DedupeKey.eq(dedupe.clone()))
        .filter(sg::Column::ReceivedAt.gte(now - Duration::minutes(FOLD_MINUTES)))
        .one(conn)
        .await?
    {
        let mut v = view(state, first, Audience::Citizen { owner: true }).await?;
        v.secret = Some(secret_of(state, v.row.id));
        v.folded = true;
        return Ok(v);
    }
    throttles::window_check(state, &client_key, limit, now).await?;
    if let Some(d) = &device_limit {
        throttles::window_check(state, d, limit, now).await?;
    }
    let citizen_id = match &actor.caller {
        Caller::User(u) if u.has_role(Role::Citizen) => Some(u.id),
        _ => None,
    };
    let today = today(state);
    let cal = holidays::calendar(conn).await?;
    let txn = super::write::begin(state).await?;
    check_place(&*txn, s.institution_id, s.service_id, s.service_point_id).await?;
    let id = super::new_id();
    let code = fresh_code(&*txn).await?;
    let mut row = received(
        (id, code),
        s.institution_id,
        s.kind,
        SuggestionSource::Citizen,
        body,
        (now, today),
        &cal,
        state.config.suggestions,
    );
    row.service_id = Set(s.service_id);
    row.service_point_id = Set(s.service_point_id);
    row.language = Set(language);
    row.citizen_id = Set(citizen_id);
    row.dedupe_key = Set(Some(dedupe));
    row.insert(&*txn).await.conflict_on_unique("try again")?;
    if let Some(c) = contact {
        let (kind, value) = match c {
            crate::delivery::Contact::Phone(p) => (ContactKind::Phone, p),
            crate::delivery::Contact::Email(e) => (ContactKind::Email, e),
        };
        contact::ActiveModel {
            suggestion_id: Set(id),
            kind: Set(kind.as_str().into()),
            value: Set(value),
            consented_at: Set(now),
        }
        .insert(&*txn)
        .await?;
    }
    // Who sent it is not recorded with the client address: the suggestion is the
    // citizen's, not a trace of them.
    let (who_kind, who_id, who_label) = actor.audit_identity();
    txn.finish_as(
        (who_kind, who_id, who_label),
        None,
        now,
        Event {
            action: "SUGGESTION_RECEIVED",
            target: Some(("SUGGESTION", id)),
            details: json!({ "institutionId": s.institution_id, "kind": s.kind.as_str() }),
        },
    )
    .await?;
    throttles::window_hit(state, &client_key, 3600, now).await?;
    if let Some(d) = &device_limit {
        throttles::window_hit(state, d, 3600, now).await?;
    }
    let row = sg::Entity::find_by_id(id)
        .one(state.db.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    let mut v = view(state, row, Audience::Citizen { owner: true }).await?;
    v.secret = Some(secret_of(state, id));
    Ok(v)
}

/// A new suggestion as received today: its deadlines counted from today, nothing
/// else done yet.
#[allow(clippy::too_many_arguments)]
fn received(
    (id, code): (Uuid, String),
    institution_id: Uuid,
    kind: SuggestionKind,
    source: SuggestionSource,
    body: String,
    (now, today): (chrono::DateTime<chrono::Utc>, NaiveDate),
    cal: &HolidayCalendar,
    policy: crate::config::SuggestionPolicy,
) -> sg::ActiveModel {
    sg::ActiveModel {
        id: Set(id),
        tracking_code: Set(code),
        institution_id: Set(institution_id),
        received_by_id: Set(institution_id),
        service_id: Set(None),
        service_point_id: Set(None),
        kind: Set(kind.as_str().into()),
        source: Set(source.as_str().into()),
        body: Set(body),
        language: Set(None),
        status: Set(SuggestionStatus::Received.as_str().into()),
        status_reason: Set(None),
        citizen_id: Set(None),
        dedupe_key: Set(None),
        received_at: Set(now),
        received_on: Set(today),
        ack_due: Set(cal.add_working_days(today, policy.ack_working_days)),
        answer_due: Set(today + Duration::days(policy.answer_days)),
        extension_days: Set(None),
        extension_reason: Set(None),
        acknowledged_on: Set(None),
        first_answered_on: Set(None),
        answered_in_time: Set(None),
        answered_on: Set(None),
        answer_outcome: Set(None),
        answer_text: Set(None),
        answer_reason: Set(None),
        answer_role: Set(None),
        answer_institution_id: Set(None),
        answered_by: Set(None),
        reopened_on: Set(None),
        reopen_reason: Set(None),
        resolved: Set(None),
        confirmed_on: Set(None),
        closed_on: Set(None),
        published_at: Set(None),
        public_body: Set(None),
        supports: Set(0),
        created_by: Set(None),
        updated_at: Set(now),
    }
}

/// `BAD_USER_INPUT` unless the service lies in the institution's subtree and the
/// point belongs to the service; `NOT_FOUND` for an unknown institution.
async fn check_place(
    conn: &impl ConnectionTrait,
    institution_id: Uuid,
    service_id: Option<Uuid>,
    point_id: Option<Uuid>,
) -> AppResult<()> {
    if institution::Entity::find_by_id(institution_id)
        .one(conn)
        .await?
        .is_none()
    {
        return Err(AppError::bad_input("institutionId", "no such institution"));
    }
    let below = |id: Uuid| async move {
        AppResult::Ok(
            institution_closure::Entity::find()
                .filter(institution_closure::Column::AncestorId.eq(institution_id))
                .filter(institution_closure::Column::DescendantId.eq(id))
                .count(conn)
                .await?
                > 0,
        )
    };
    if let Some(sid) = service_id {
        let ok = match service::Entity::find_by_id(sid).one(conn).await? {
            Some(s) => below(s.institution_id).await?,
            None => false,
        };
        if !ok {
            return Err(AppError::bad_input(
                "serviceId",
                "must be a service of the institution",
            ));
        }
    }
    if let Some(pid) = point_id {
        let ok = match service_point::Entity::find_by_id(pid).one(conn).await? {
            Some(p) => service_id.is_some() && below(p.institution_id).await?,
            None => false,
        };
        if !ok {
            return Err(AppError::bad_input(
                "servicePointId",
                "must be a service point of the institution, given with the service",
            ));
        }
    }
    Ok(())
}

/// A tracking code no suggestion has yet.
async fn fresh_code(conn: &impl ConnectionTrait) -> AppResult<String> {
    for _ in 0..5 {
        let mut bytes = [0u8; 8];
        rand::rng().fill_bytes(&mut bytes);
        let code = domain::tracking_code(&bytes);
        let taken = sg::Entity::find()
            .filter(sg::Column::TrackingCode.eq(code.clone()))
            .count(conn)
            .await?
            > 0;
        if !taken {
            return Ok(code);
        }
    }
    Err(AppError::internal("no free tracking code in five draws"))
}

/// The view of `row` for `audience`.
async fn view(state: &AppState, row: sg::Model, audience: Audience) -> AppResult<SuggestionView> {
    let mut v = views(state, vec![row], audience).await?;
    v.pop().ok_or(AppError::NotFound)
}

/// Views of `rows` (two statements whatever their number).
async fn views(
    state: &AppState,
    rows: Vec<sg::Model>,
    audience: Audience,
) -> AppResult<Vec<SuggestionView>> {
    let conn = state.db.conn();
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut actions: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    let mut contacts = std::collections::HashSet::new();
    if !ids.is_empty() {
        for o in origin::Entity::find()
            .filter(origin::Column::OriginKind.eq(OriginKind::Suggestion.as_str()))
            .filter(origin::Column::OriginId.is_in(ids.clone()))
            .all(conn)
            .await?
        {
            actions.entry(o.origin_id).or_default().push(o.action_id);
        }
        if audience == Audience::Institution {
            contacts.extend(
                contact::Entity::find()
                    .filter(contact::Column::SuggestionId.is_in(ids))
                    .select_only()
                    .column(contact::Column::SuggestionId)
                    .into_tuple::<Uuid>()
                    .all(conn)
                    .await?,
            );
        }
    }
    let today = today(state);
    rows.into_iter()
        .map(|row| {
            let bad = || AppError::internal("stored suggestion: unknown vocabulary");
            let kind = SuggestionKind::parse(&row.kind).ok_or_else(bad)?;
            let status = SuggestionStatus::parse(&row.status).ok_or_else(bad)?;
            let source = SuggestionSource::parse(&row.source).ok_or_else(bad)?;
            let mut action_ids = actions.remove(&row.id).unwrap_or_default();
            action_ids.sort();
            Ok(SuggestionView {
                kind,
                status,
                source,
                audience,
                overdue: is_overdue(&row, status, today),
                action_ids,
                has_contact: contacts.contains(&row.id),
                secret: None,
                folded: false,
                row,
            })
        })
        .collect()
}

/// Whether a deadline passed without what it asked for.
fn is_overdue(row: &sg::Model, status: SuggestionStatus, today: NaiveDate) -> bool {
    let unacknowledged = row.acknowledged_on.is_none()
        && row.first_answered_on.is_none()
        && status != SuggestionStatus::Closed;
    (unacknowledged && row.ack_due < today)
        || (domain::awaits_answer(status) && row.answer_due < today)
}

/// The same as [`is_overdue`], as a row filter.
fn overdue_condition(today: NaiveDate) -> Condition {
    let waiting: Vec<&str> = SuggestionStatus::ALL
        .iter()
        .filter(|s| domain::awaits_answer(**s))
        .map(|s| s.as_str())
        .collect();
    Condition::any()
        .add(
            Condition::all()
                .add(sg::Column::AcknowledgedOn.is_null())
                .add(sg::Column::FirstAnsweredOn.is_null())
                .add(sg::Column::Status.ne(SuggestionStatus::Closed.as_str()))
                .add(sg::Column::AckDue.lt(today)),
        )
        .add(
            Condition::all()
                .add(sg::Column::Status.is_in(waiting))
                .add(sg::Column::AnswerDue.lt(today)),
        )
}

/// A suggestion the caller's institution holds, for a staff move: loaded inside
/// the transaction, in scope (else `NOT_FOUND`), with its status.
async fn held(
    conn: &impl ConnectionTrait,
    scope: &InstitutionScope,
    id: Uuid,
) -> AppResult<(sg::Model, SuggestionStatus)> {
    let row = sg::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    scope.require(conn, row.institution_id).await?;
    let status = SuggestionStatus::parse(&row.status)
        .ok_or_else(|| AppError::internal("stored suggestion: unknown status"))?;
    Ok((row, status))
}

/// `to` for `m` from `from`, or `CONFLICT`.
fn moved(from: SuggestionStatus, m: SuggestionMove) -> AppResult<SuggestionStatus> {
    domain::next(from, m).ok_or_else(|| {
        AppError::Conflict(format!("a {} suggestion cannot be moved so", from.as_str()))
    })
}

/// Writes `a`, audits `action` with `details`, and returns the institution's view.
async fn save(
    state: &AppState,
    actor: &Actor,
    txn: super::write::Write,
    a: sg::ActiveModel,
    action: &str,
    details: serde_json::Value,
) -> AppResult<SuggestionView> {
    let now = state.clock.now();
    let row = a.update(&*txn).await?;
    txn.finish(
        actor,
        now,
        Event {
            action,
            target: Some(("SUGGESTION", row.id)),
            details,
        },
    )
    .await?;
    view(state, row, Audience::Institution).await
}

/// Acknowledges a suggestion (the institution holding it).
pub async fn acknowledge(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<SuggestionView> {
    let scope = authz::scope(actor, Action::HandleSuggestions)?;
    let txn = super::write::begin(state).await?;
    let (row, from) = held(&*txn, &scope, id).await?;
    let to = moved(from, SuggestionMove::Acknowledge)?;
    let mut a: sg::ActiveModel = row.clone().into();
    a.status = Set(to.as_str().into());
    if row.acknowledged_on.is_none() {
        a.acknowledged_on = Set(Some(today(state)));
    }
    a.updated_at = Set(state.clock.now());
    let details = json!({ "from": from.as_str(), "to": to.as_str() });
    save(state, actor, txn, a, "SUGGESTION_ACKNOWLEDGED", details).await
}

/// Starts looking into a suggestion (the institution holding it).
pub async fn review(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<SuggestionView> {
    let scope = authz::scope(actor, Action::HandleSuggestions)?;
    let txn = super::write::begin(state).await?;
    let (row, from) = held(&*txn, &scope, id).await?;
    let to = moved(from, SuggestionMove::Review)?;
    let mut a: sg::ActiveModel = row.into();
    a.status = Set(to.as_str().into());
    a.updated_at = Set(state.clock.now());
    let details = json!({ "from": from.as_str(), "to": to.as_str() });
    save(state, actor, txn, a, "SUGGESTION_IN_REVIEW", details).await
}

/// Refers a suggestion to another institution, with a reason: that one holds it
/// now; its deadlines stay as they were. The referring institution no longer sees
/// it (unless the receiver lies in its subtree).
pub async fn refer(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    to_institution: Uuid,
    why: &str,
) -> AppResult<SuggestionView> {
    let scope = authz::scope(actor, Action::HandleSuggestions)?;
    let why = reason("reason", why)?;
    let txn = super::write::begin(state).await?;
    let (row, from) = held(&*txn, &scope, id).await?;
    if institution::Entity::find_by_id(to_institution)
        .one(&*txn)
        .await?
        .is_none()
    {
        return Err(AppError::bad_input(
            "toInstitutionId",
            "no such institution",
        ));
    }
    if to_institution == row.institution_id {
        return Err(AppError::bad_input(
            "toInstitutionId",
            "it is with that institution already",
        ));
    }
    let to = moved(from, SuggestionMove::Refer)?;
    let from_institution = row.institution_id;
    let mut a: sg::ActiveModel = row.into();
    a.status = Set(to.as_str().into());
    a.status_reason = Set(Some(why.clone()));
    a.institution_id = Set(to_institution);
    // Services belong to the institution it leaves.
    a.service_id = Set(None);
    a.service_point_id = Set(None);
    a.updated_at = Set(state.clock.now());
    let details = json!({ "from": from_institution, "to": to_institution, "reason": why });
    let mut v = save(state, actor, txn, a, "SUGGESTION_REFERRED", details).await?;
    // The caller may not see it any more: answer with what the public may see.
    if !scope.contains(state.db.conn(), to_institution).await? {
        v.audience = Audience::Public;
        v.has_contact = false;
    }
    Ok(v)
}

/// An official answer.
#[derive(Debug, Clone)]
pub struct NewAnswer {
    /// Its outcome.
    pub outcome: AnswerOutcome,
    /// Its text.
    pub text: LocalizedText,
    /// Why it was declined (required for `DECLINED`).
    pub reason: Option<String>,
    /// Improvement actions that will do it (required for `PLANNED`).
    pub action_ids: Vec<Uuid>,
}

/// Answers a suggestion officially (the institution holding it): as the
/// answerer's role and the institution, counted against the deadline.
pub async fn answer(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    ans: NewAnswer,
) -> AppResult<SuggestionView> {
    let scope = authz::scope(actor, Action::HandleSuggestions)?;
    let why = match (ans.outcome, ans.reason.as_deref()) {
        (AnswerOutcome::Declined, Some(r)) => Some(reason("reason", r)?),
        (AnswerOutcome::Declined, None) => {
            return Err(AppError::bad_input(
                "reason",
                "a declined suggestion needs a reason",
            ));
        }
        (_, Some(r)) => Some(reason("reason", r)?),
        (_, None) => None,
    };
    let mut action_ids = ans.action_ids.clone();
    action_ids.sort();
    action_ids.dedup();
    if ans.outcome == AnswerOutcome::Planned && action_ids.is_empty() {
        return Err(AppError::bad_input(
            "actionIds",
            "a planned answer links the improvement actions that will do it",
        ));
    }
    if action_ids.len() > ACTIONS_MAX {
        return Err(AppError::bad_input("actionIds", "at most 20 actions"));
    }
    let now = state.clock.now();
    let today = today(state);
    let txn = super::write::begin(state).await?;
    let (row, from) = held(&*txn, &scope, id).await?;
    let to = moved(from, SuggestionMove::Answer)?;
    if !action_ids.is_empty() {
        let tree = Query::select()
            .column(institution_closure::Column::DescendantId)
            .from(institution_closure::Entity)
            .and_where(institution_closure::Column::AncestorId.eq(row.institution_id))
            .to_owned();
        let found = ia::Entity::find()
            .filter(ia::Column::Id.is_in(action_ids.clone()))
            .filter(ia::Column::InstitutionId.in_subquery(tree))
            .filter(ia::Column::Status.ne(ActionStatus::Cancelled.as_str()))
            .count(&*txn)
            .await?;
        if found as usize != action_ids.len() {
            return Err(AppError::bad_input(
                "actionIds",
                "each must be a live improvement action of the institution",
            ));
        }
        let linked: Vec<Uuid> = origin::Entity::find()
            .filter(origin::Column::OriginKind.eq(OriginKind::Suggestion.as_str()))
            .filter(origin::Column::OriginId.eq(id))
            .select_only()
            .column(origin::Column::ActionId)
            .into_tuple()
            .all(&*txn)
            .await?;
        let new: Vec<origin::ActiveModel> = action_ids
            .iter()
            .filter(|a| !linked.contains(a))
            .map(|a| origin::ActiveModel {
                action_id: Set(*a),
                origin_kind: Set(OriginKind::Suggestion.as_str().into()),
                origin_id: Set(id),
            })
            .collect();
        if !new.is_empty() {
            origin::Entity::insert_many(new)
                .exec_without_returning(&*txn)
                .await?;
        }
    }
    let role = answering_role(state, actor, row.institution_id).await?;
    let mut a: sg::ActiveModel = row.clone().into();
    a.status = Set(to.as_str().into());
    if row.acknowledged_on.is_none() {
        a.acknowledged_on = Set(Some(today));
    }
    if row.first_answered_on.is_none() {
        a.first_answered_on = Set(Some(today));
        a.answered_in_time = Set(Some(today <= row.answer_due));
    }
    a.answered_on = Set(Some(today));
    a.answer_outcome = Set(Some(ans.outcome.as_str().into()));
    a.answer_text = Set(Some(ans.text.to_json()));
    a.answer_reason = Set(why);
    a.answer_role = Set(Some(role.as_str().into()));
    a.answer_institution_id = Set(Some(row.institution_id));
    a.answered_by = Set(actor.user_id());
    a.updated_at = Set(now);
    let details = json!({
        "from": from.as_str(),
        "outcome": ans.outcome.as_str(),
        "inTime": today <= row.answer_due,
        "actions": action_ids,
    });
    save(state, actor, txn, a, "SUGGESTION_ANSWERED", details).await
}

/// The role an answer is signed with: ADMIN, or the institution's manager or staff.
async fn answering_role(state: &AppState, actor: &Actor, institution_id: Uuid) -> AppResult<Role> {
    let user = authz::require_user(actor)?;
    if user.has_role(Role::Admin) {
        return Ok(Role::Admin);
    }
    match authz::scope(actor, Action::ManageSuggestions) {
        Ok(s) if s.contains(state.db.conn(), institution_id).await? => Ok(Role::InstitutionManager),
        _ => Ok(Role::InstitutionStaff),
    }
}

/// Extends the answer deadline once, by 1 to the configured days, with a reason
/// (the institution's managers), while it still awaits its answer.
pub async fn extend(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    days: i32,
    why: &str,
) -> AppResult<SuggestionView> {
    let scope = authz::scope(actor, Action::ManageSuggestions)?;
    let max = state.config.suggestions.extension_max_days;
    if !(1..=max).contains(&i64::from(days)) {
        return Err(AppError::bad_input("days", format!("must be 1-{max} days")));
    }
    let why = reason("reason", why)?;
    let txn = super::write::begin(state).await?;
    let (row, status) = held(&*txn, &scope, id).await?;
    if row.extension_days.is_some() {
        return Err(AppError::Conflict(
            "the deadline was extended once already".into(),
        ));
    }
    if !domain::awaits_answer(status) || row.first_answered_on.is_some() {
        return Err(AppError::Conflict(format!(
            "a {} suggestion has no deadline to extend",
            status.as_str()
        )));
    }
    let due = row.answer_due + Duration::days(i64::from(days));
    let mut a: sg::ActiveModel = row.into();
    a.answer_due = Set(due);
    a.extension_days = Set(Some(days));
    a.extension_reason = Set(Some(why.clone()));
    a.updated_at = Set(state.clock.now());
    let details = json!({ "days": days, "answerDue": due, "reason": why });
    save(state, actor, txn, a, "SUGGESTION_EXTENDED", details).await
}

/// Publishes a suggestion (the institution's managers): the public then reads its
/// redacted text — the manager's edit of it if given, redacted again in any case.
pub async fn publish(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    text: Option<&str>,
) -> AppResult<SuggestionView> {
    let scope = authz::scope(actor, Action::ManageSuggestions)?;
    let edited = text.map(citizen_text).transpose()?;
    let now = state.clock.now();
    let txn = super::write::begin(state).await?;
    let (row, _) = held(&*txn, &scope, id).await?;
    let public = redact(edited.as_deref().unwrap_or(&row.body));
    let mut a: sg::ActiveModel = row.into();
    a.public_body = Set(Some(public));
    a.published_at = Set(Some(now));
    a.updated_at = Set(now);
    let details = json!({ "edited": edited.is_some() });
    save(state, actor, txn, a, "SUGGESTION_PUBLISHED", details).await
}

/// Writes a suggestion down from a survey comment (the institution's managers and
/// staff): the text only; nothing links it to the response it came from.
pub async fn from_comment(
    state: &AppState,
    actor: &Actor,
    institution_id: Uuid,
    service_id: Option<Uuid>,
    kind: SuggestionKind,
    text: &str,
) -> AppResult<SuggestionView> {
    let scope = authz::scope(actor, Action::HandleSuggestions)?;
    let body = citizen_text(text)?;
    let now = state.clock.now();
    let today = today(state);
    let cal = holidays::calendar(state.db.conn()).await?;
    let txn = super::write::begin(state).await?;
    scope.require(&*txn, institution_id).await?;
    check_place(&*txn, institution_id, service_id, None).await?;
    let id = super::new_id();
    let code = fresh_code(&*txn).await?;
    let mut row = received(
        (id, code),
        institution_id,
        kind,
        SuggestionSource::SurveyComment,
        body,
        (now, today),
        &cal,
        state.config.suggestions,
    );
    row.service_id = Set(service_id);
    row.created_by = Set(actor.user_id());
    let row = row.insert(&*txn).await.conflict_on_unique("try again")?;
    txn.finish(
        actor,
        now,
        Event {
            action: "SUGGESTION_FROM_COMMENT",
            target: Some(("SUGGESTION", id)),
            details: json!({ "institutionId": institution_id, "kind": kind.as_str() }),
        },
    )
    .await?;
    view(state, row, Audience::Institution).await
}

/// The suggestion a tracking code names, for the citizen: with its text when the
/// secret (or its signed-in owner) is shown. An unknown code or a wrong secret
/// is `NOT_FOUND` and counts towards the client's misses limit.
pub async fn by_code(
    state: &AppState,
    actor: &Actor,
    code: &str,
    secret: Option<&str>,
) -> AppResult<SuggestionView> {
    let (row, owner) = find_by_code(state, actor, code, secret).await?;
    view(state, row, Audience::Citizen { owner }).await
}

/// Looks a code up under the misses limit; `owner` when the secret matched or the
/// signed-in citizen sent it.
async fn find_by_code(
    state: &AppState,
    actor: &Actor,
    code: &str,
    secret: Option<&str>,
) -> AppResult<(sg::Model, bool)> {
    authz::refuse_integrations(actor)?;
    let now = state.clock.now();
    let key = format!("suggest:miss:{}", actor.client_ip.as_deref().unwrap_or("-"));
    throttles::window_check(state, &key, state.config.invitation_misses_per_client, now).await?;
    let found = match parse_tracking_code(code) {
        Some(c) => {
            sg::Entity::find()
                .filter(sg::Column::TrackingCode.eq(c))
                .one(state.db.conn())
                .await?
        }
        None => None,
    };
    let Some(row) = found.filter(|r| r.source == SuggestionSource::Citizen.as_str()) else {
        throttles::window_hit(state, &key, 600, now).await?;
        return Err(AppError::NotFound);
    };
    let signed_owner = actor.user_id().is_some() && row.citizen_id == actor.user_id();
    let owner = match secret {
        Some(s) if secret_matches(state, row.id, s) => true,
        Some(_) => {
            throttles::window_hit(state, &key, 600, now).await?;
            return Err(AppError::NotFound);
        }
        None => signed_owner,
    };
    Ok((row, owner))
}

/// The suggestion `code` names, for its sender to act on (the secret, or signed in
/// as them; else `FORBIDDEN`): reloaded inside a new write transaction.
async fn owned(
    state: &AppState,
    actor: &Actor,
    code: &str,
    secret: Option<&str>,
) -> AppResult<(super::write::Write, sg::Model, SuggestionStatus)> {
    let (row, owner) = find_by_code(state, actor, code, secret).await?;
    if !owner {
        return Err(AppError::Forbidden);
    }
    let txn = super::write::begin(state).await?;
    let (row, status) = held(&*txn, &InstitutionScope::All, row.id).await?;
    Ok((txn, row, status))
}

/// Writes the citizen's change `a` and audits it without their address.
async fn citizen_save(
    state: &AppState,
    actor: &Actor,
    txn: super::write::Write,
    a: sg::ActiveModel,
    action: &str,
    details: serde_json::Value,
) -> AppResult<SuggestionView> {
    let now = state.clock.now();
    let row = a.update(&*txn).await?;
    txn.finish_as(
        actor.audit_identity(),
        None,
        now,
        Event {
            action,
            target: Some(("SUGGESTION", row.id)),
            details,
        },
    )
    .await?;
    view(state, row, Audience::Citizen { owner: true }).await
}

/// The citizen confirms whether the answer resolved it: `CLOSED` either way.
pub async fn confirm(
    state: &AppState,
    actor: &Actor,
    code: &str,
    secret: Option<&str>,
    resolved: bool,
) -> AppResult<SuggestionView> {
    let (txn, row, from) = owned(state, actor, code, secret).await?;
    let to = moved(from, SuggestionMove::Confirm)?;
    let today = today(state);
    let mut a: sg::ActiveModel = row.into();
    a.status = Set(to.as_str().into());
    a.resolved = Set(Some(resolved));
    a.confirmed_on = Set(Some(today));
    a.closed_on = Set(Some(today));
    a.updated_at = Set(state.clock.now());
    let details = json!({ "resolved": resolved });
    citizen_save(state, actor, txn, a, "SUGGESTION_CONFIRMED", details).await
}

/// The citizen reopens the answer, once, within 30 days of it, with a reason: the
/// institution has the answer days again.
pub async fn reopen(
    state: &AppState,
    actor: &Actor,
    code: &str,
    secret: Option<&str>,
    why: &str,
) -> AppResult<SuggestionView> {
    let why = reason("reason", why)?;
    let (txn, row, from) = owned(state, actor, code, secret).await?;
    if row.reopened_on.is_some() {
        return Err(AppError::Conflict("it was reopened once already".into()));
    }
    let to = moved(from, SuggestionMove::Reopen)?;
    let today = today(state);
    if row
        .answered_on
        .is_none_or(|a| today > a + Duration::days(REPLY_DAYS))
    {
        return Err(AppError::Conflict(
            "an answer may be reopened only within 30 days".into(),
        ));
    }
    let mut a: sg::ActiveModel = row.into();
    a.status = Set(to.as_str().into());
    a.reopened_on = Set(Some(today));
    a.reopen_reason = Set(Some(why));
    a.answer_due = Set(today + Duration::days(state.config.suggestions.answer_days));
    a.updated_at = Set(state.clock.now());
    citizen_save(state, actor, txn, a, "SUGGESTION_REOPENED", json!({})).await
}

/// Supports a published suggestion: once per signed-in user, or per device
/// (anonymous; the device key is kept only as a keyed hash). `CONFLICT` for a
/// second support; rate-limited per client.
pub async fn support(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    device: Option<&str>,
) -> AppResult<SuggestionView> {
    authz::refuse_integrations(actor)?;
    let supporter = match (actor.user_id(), device) {
        (Some(u), _) => keyed(state, "suggestion-support", &format!("user:{u}")),
        (None, Some(d)) => keyed(
            state,
            "suggestion-support",
            &format!("device:{}", device_key(d)?),
        ),
        (None, None) => {
            return Err(AppError::bad_input(
                "deviceKey",
                "sign in, or give the device's key",
            ));
        }
    };
    let now = state.clock.now();
    let key = format!(
        "suggest:support:{}",
        actor.client_ip.as_deref().unwrap_or("-")
    );
    throttles::window_check(state, &key, SUPPORTS_PER_CLIENT, now).await?;
    let txn = super::write::begin(state).await?;
    let row = sg::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .filter(|r| r.published_at.is_some())
        .ok_or(AppError::NotFound)?;
    if support::Entity::find_by_id((id, supporter.clone()))
        .one(&*txn)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict("supported once already".into()));
    }
    support::ActiveModel {
        suggestion_id: Set(id),
        supporter: Set(supporter),
        created_at: Set(now),
    }
    .insert(&*txn)
    .await
    .conflict_on_unique("supported once already")?;
    sg::Entity::update_many()
        .col_expr(sg::Column::Supports, Expr::col(sg::Column::Supports).add(1))
        .filter(sg::Column::Id.eq(row.id))
        .exec(&*txn)
        .await?;
    txn.finish_unaudited("a support: one anonymous count, like an answer")
        .await?;
    throttles::window_hit(state, &key, 3600, now).await?;
    let row = sg::Entity::find_by_id(id)
        .one(state.db.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    view(state, row, Audience::Public).await
}

/// The citizen's contact on a suggestion, for the institution's managers; each
/// read is audited. `None` when none was left, or it was erased.
pub async fn contact(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
) -> AppResult<Option<(ContactKind, String)>> {
    let scope = authz::scope(actor, Action::ReadSuggestionContacts)?;
    let now = state.clock.now();
    let txn = super::write::begin(state).await?;
    held(&*txn, &scope, id).await?;
    let Some(c) = contact::Entity::find_by_id(id).one(&*txn).await? else {
        return Ok(None);
    };
    txn.finish(
        actor,
        now,
        Event {
            action: "SUGGESTION_CONTACT_READ",
            target: Some(("SUGGESTION", id)),
            details: json!({ "kind": c.kind }),
        },
    )
    .await?;
    Ok(ContactKind::parse(&c.kind).map(|k| (k, c.value)))
}

/// Filters of [`list`], [`public_list`] and [`stats`].
#[derive(Debug, Clone, Default)]
pub struct SuggestionFilter {
    /// Held by this institution.
    pub institution_id: Option<Uuid>,
    /// With everything below it.
    pub with_subtree: bool,
    /// In this status.
    pub status: Option<SuggestionStatus>,
    /// Of this kind.
    pub kind: Option<SuggestionKind>,
    /// Overdue (or not).
    pub overdue: Option<bool>,
    /// About this service.
    pub service_id: Option<Uuid>,
}

fn filtered(
    mut q: Select<sg::Entity>,
    f: &SuggestionFilter,
    today: NaiveDate,
) -> Select<sg::Entity> {
    if let Some(id) = f.institution_id {
        q = q.filter(authz::institution_filter(
            sg::Column::InstitutionId,
            id,
            f.with_subtree,
        ));
    }
    if let Some(s) = f.status {
        q = q.filter(sg::Column::Status.eq(s.as_str()));
    }
    if let Some(k) = f.kind {
        q = q.filter(sg::Column::Kind.eq(k.as_str()));
    }
    match f.overdue {
        Some(true) => q = q.filter(overdue_condition(today)),
        Some(false) => q = q.filter(overdue_condition(today).not()),
        None => {}
    }
    if let Some(s) = f.service_id {
        q = q.filter(sg::Column::ServiceId.eq(s));
    }
    q
}

/// Suggestions the institutions in the caller's results scope hold (supervisors:
/// all), oldest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    f: SuggestionFilter,
    page: PageRequest,
) -> AppResult<Page<SuggestionView>> {
    let scope = authz::scope(actor, Action::ReadResults)?;
    let q = filtered(
        sg::Entity::find().filter(scope.condition(sg::Column::InstitutionId)),
        &f,
        today(state),
    );
    let page = super::fetch_page(state.db.conn(), q, sg::Column::Id, page).await?;
    let items = views(state, page.items, Audience::Institution).await?;
    Ok(Page {
        items,
        has_next: page.has_next,
        has_previous: page.has_previous,
    })
}

/// One suggestion the caller's institution holds (supervisors: any).
pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<SuggestionView> {
    let scope = authz::scope(actor, Action::ReadResults)?;
    let (row, _) = held(state.db.conn(), &scope, id).await?;
    view(state, row, Audience::Institution).await
}

/// Published suggestions, for everyone (no account needed).
pub async fn public_list(
    state: &AppState,
    f: SuggestionFilter,
    page: PageRequest,
) -> AppResult<Page<SuggestionView>> {
    let q = filtered(
        sg::Entity::find().filter(sg::Column::PublishedAt.is_not_null()),
        &f,
        today(state),
    );
    let page = super::fetch_page(state.db.conn(), q, sg::Column::Id, page).await?;
    let items = views(state, page.items, Audience::Public).await?;
    Ok(Page {
        items,
        has_next: page.has_next,
        has_previous: page.has_previous,
    })
}

/// The signed-in citizen's own suggestions.
pub async fn mine(
    state: &AppState,
    actor: &Actor,
    page: PageRequest,
) -> AppResult<Page<SuggestionView>> {
    let user = authz::require_user(actor)?;
    let q = sg::Entity::find().filter(sg::Column::CitizenId.eq(user.id));
    let page = super::fetch_page(state.db.conn(), q, sg::Column::Id, page).await?;
    let items = views(state, page.items, Audience::Citizen { owner: true }).await?;
    Ok(Page {
        items,
        has_next: page.has_next,
        has_previous: page.has_previous,
    })
}

/// How an institution handles its suggestions over a period (by the day received).
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestionStats {
    /// Received in the period.
    pub received: u64,
    /// Of those, per kind.
    pub by_kind: Vec<(SuggestionKind, u64)>,
    /// Of those, answered (at least once).
    pub answered: u64,
    /// Of those answered, answered by the deadline.
    pub answered_in_time: u64,
    /// That share of the answered, with its 95% Wilson interval.
    pub in_time_share: Option<(f64, f64, f64)>,
    /// Median working days from receipt to the first answer.
    pub median_working_days: Option<f64>,
    /// Answers the citizen confirmed (resolved or not).
    pub confirmed: u64,
    /// Of those, confirmed resolved.
    pub resolved: u64,
    /// That share of the confirmed, with its 95% Wilson interval.
    pub resolved_share: Option<(f64, f64, f64)>,
    /// Overdue today, whenever received.
    pub overdue_now: u64,
    /// Sent to the institution in the period and referred to one outside it since
    /// (not in the figures above).
    pub referred_away: u64,
}

/// (kind, received on, first answered on, answered in time, resolved).
type StatsRow = (
    String,
    NaiveDate,
    Option<NaiveDate>,
    Option<bool>,
    Option<bool>,
);

fn share_of(k: u64, n: u64) -> Option<(f64, f64, f64)> {
    let (lo, hi) = wilson(k, n, 1.959_963_984_540_054)?;
    Some((k as f64 / n as f64, lo, hi))
}

/// [`SuggestionStats`] for the suggestions in the caller's results scope that the
/// filter selects (status and overdue filters are ignored).
pub async fn stats(
    state: &AppState,
    actor: &Actor,
    mut f: SuggestionFilter,
    period: Period,
) -> AppResult<SuggestionStats> {
    let scope = authz::scope(actor, Action::ReadResults)?;
    f.status = None;
    f.overdue = None;
    let conn = state.db.conn();
    if let Some(id) = f.institution_id
        && !matches!(scope, InstitutionScope::All)
    {
        scope.require(conn, id).await?;
    }
    let today = today(state);
    let base = filtered(
        sg::Entity::find().filter(scope.condition(sg::Column::InstitutionId)),
        &f,
        today,
    );
    let overdue_now = base
        .clone()
        .filter(overdue_condition(today))
        .count(conn)
        .await?;
    // Sent to the institution(s) in the period, and referred elsewhere since: a
    // referral moves a suggestion out of these figures, so it is counted apart.
    let mut away = sg::Entity::find()
        .filter(scope.condition(sg::Column::ReceivedById))
        .filter(sg::Column::ReceivedOn.between(period.start, period.end));
    away = match f.institution_id {
        Some(id) => away
            .filter(authz::institution_filter(
                sg::Column::ReceivedById,
                id,
                f.with_subtree,
            ))
            .filter(authz::institution_filter(sg::Column::InstitutionId, id, f.with_subtree).not()),
        None => away
            .filter(Expr::col(sg::Column::InstitutionId).ne(Expr::col(sg::Column::ReceivedById))),
    };
    if let Some(k) = f.kind {
        away = away.filter(sg::Column::Kind.eq(k.as_str()));
    }
    let referred_away = away.count(conn).await?;
    let rows: Vec<StatsRow> = base
        .filter(sg::Column::ReceivedOn.between(period.start, period.end))
        .select_only()
        .column(sg::Column::Kind)
        .column(sg::Column::ReceivedOn)
        .column(sg::Column::FirstAnsweredOn)
        .column(sg::Column::AnsweredInTime)
        .column(sg::Column::Resolved)
        .into_tuple()
        .all(conn)
        .await?;
    let cal: HolidayCalendar = holidays::calendar(conn).await?;
    let mut by_kind: Vec<(SuggestionKind, u64)> =
        SuggestionKind::ALL.iter().map(|k| (*k, 0)).collect();
    let (mut answered, mut in_time, mut confirmed, mut resolved) = (0u64, 0u64, 0u64, 0u64);
    let mut days: Vec<u32> = vec![];
    for (kind, received, first, on_time, res) in &rows {
        if let Some(e) = by_kind.iter_mut().find(|(k, _)| k.as_str() == kind) {
            e.1 += 1;
        }
        if let Some(a) = first {
            answered += 1;
            days.push(cal.working_days_between(*received, *a));
        }
        in_time += u64::from(*on_time == Some(true));
        if let Some(r) = res {
            confirmed += 1;
            resolved += u64::from(*r);
        }
    }
    days.sort_unstable();
    let median = match days.len() {
        0 => None,
        n if n % 2 == 1 => Some(f64::from(days[n / 2])),
        n => Some((f64::from(days[n / 2 - 1]) + f64::from(days[n / 2])) / 2.0),
    };
    Ok(SuggestionStats {
        received: rows.len() as u64,
        by_kind,
        answered,
        answered_in_time: in_time,
        in_time_share: share_of(in_time, answered),
        median_working_days: median,
        confirmed,
        resolved,
        resolved_share: share_of(resolved, confirmed),
        overdue_now,
        referred_away,
    })
}

/// What one turn of the suggestion housekeeping did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Housekeeping {
    /// Answers closed for want of a reply.
    pub closed: u64,
    /// Contacts erased.
    pub erased: u64,
}

/// Closes answers nobody replied to within 30 days, and erases the contacts of
/// suggestions closed longer ago than the retention (the hourly job).
pub async fn housekeeping(state: &AppState) -> AppResult<Housekeeping> {
    let today = today(state);
    let now = state.clock.now();
    let txn = super::write::begin(state).await?;
    let closed = sg::Entity::update_many()
        .col_expr(
            sg::Column::Status,
            Expr::value(SuggestionStatus::Closed.as_str()),
        )
        .col_expr(sg::Column::ClosedOn, Expr::value(Some(today)))
        .col_expr(sg::Column::UpdatedAt, Expr::value(now))
        .filter(sg::Column::Status.eq(SuggestionStatus::Answered.as_str()))
        .filter(sg::Column::AnsweredOn.lt(today - Duration::days(REPLY_DAYS)))
        .exec(&*txn)
        .await?
        .rows_affected;
    let keep = state.config.suggestions.contact_retention_days;
    let expired = Query::select()
        .column(sg::Column::Id)
        .from(sg::Entity)
        .and_where(sg::Column::Status.eq(SuggestionStatus::Closed.as_str()))
        .and_where(sg::Column::ClosedOn.lt(today - Duration::days(keep)))
        .to_owned();
    let erased = contact::Entity::delete_many()
        .filter(contact::Column::SuggestionId.in_subquery(expired))
        .exec(&*txn)
        .await?
        .rows_affected;
    if closed + erased == 0 {
        txn.finish_unaudited("nothing was due").await?;
    } else {
        txn.finish_as(
            ("SYSTEM", None, "sanal suggestions".into()),
            None,
            now,
            Event {
                action: "SUGGESTION_HOUSEKEEPING",
                target: None,
                details: json!({ "closed": closed, "contactsErased": erased }),
            },
        )
        .await?;
    }
    Ok(Housekeeping { closed, erased })
}
