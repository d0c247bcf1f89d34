//! Responding (public, no account) and reading responses.
//!
//! # Anonymity: the threat model
//!
//! Who we protect against: an institution's staff (the figures judge them), an
//! operator with database access, and anyone who later obtains a copy of the
//! database. What must not be possible: telling which person (phone, register
//! number), which transaction, or which invitation gave a response.
//!
//! How:
//! - A response stores only: survey version, service, service point, institution
//!   (at response time), channel, origin (`INVITED` / `OPEN`), locale, the local
//!   **date** of the delivered service (open channel: of the submission) and the
//!   answers. Ids are random UUIDv4 (no time in them); there is no per-response
//!   timestamp, no invitation id, transaction reference, respondent hash, client
//!   submission id or IP address. A test checks these columns against an allow-list.
//! - The invitation records only that it was used (`used_at`) and a hash of the
//!   client submission id so a retry gets the same acknowledgement.
//! - After an invitation's expiry window, [`purge_expired`](super::invitations::purge_expired)
//!   clears every field that could link it (token and code hashes, transaction
//!   reference, payload and submission hashes). The respondent's keyed hash never
//!   sits on the invitation: cooldowns live in a table of (hash, until) only.
//! - What remains: a day-granular join between "an invitation of service S at point
//!   P was used" and "a response for S at P on that day". On a day with a single
//!   delivery at a point, that identifies the transaction; reports therefore
//!   suppress small cells (see the reporting work), and exports never include both.
//! - Follow-up contact details are stored only with explicit consent, in their own
//!   table, readable only by the institution's managers.
//!
//! Nobody — no role, no API key — can change or delete a response through the API.

use super::audit::{self, Event};
use super::invitations::{code_hash, local_date};
use super::surveys::{VersionView, pick_locale, version_for, version_unchecked};
use crate::auth::Actor;
use crate::auth::secrets::{random_token, sha256_hex};
use crate::authz::{self, Action};
use crate::domain::catalogue::Channel;
use crate::domain::survey::{Answer, validate_answers};
use crate::domain::{Locale, LocalizedText, Page, PageRequest};
use crate::error::{AppError, AppResult, InvalidField};
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    follow_up, institution, invitation, kiosk_device, open_channel, response, response_answer,
    service, service_point,
};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    /// May be answered.
    Open,
    /// Already answered.
    Responded,
    /// Closed.
    Expired,
}

/// What a citizen's app shows for an invitation.
#[derive(Debug, Clone)]
pub struct InvitationView {
    /// Status.
    pub status: InvitationStatus,
    /// When it closes.
    pub expires_at: DateTime<Utc>,
    /// Locale the texts are shown in.
    pub locale: Locale,
    /// Service name.
    pub service_name: LocalizedText,
    /// Institution name.
    pub institution_name: LocalizedText,
    /// The survey version to answer.
    pub survey: VersionView,
    /// The token (returned when the invitation was looked up by its short code).
    pub token: Option<String>,
}

fn miss_key(actor: &Actor) -> String {
    format!(
        "invitation-miss:{}",
        actor.client_ip.as_deref().unwrap_or("-")
    )
}

const MISS_WINDOW: i64 = 600;

/// Refuses a client that has missed too often. Only misses count, after the
/// look-up: counting every look-up before it is made would also hold back the many
/// citizens who share one carrier-NAT address and answer at the same time. (Parallel
/// guesses can pass the check together; tokens are 256-bit, short codes are what
/// this protects, and the operation gate bounds how many run at once.)
fn check_guessing(state: &AppState, actor: &Actor) -> AppResult<()> {
    state.limiter.check(
        &miss_key(actor),
        state.config.invitation_misses_per_client,
        state.clock.now(),
    )
}

fn missed(state: &AppState, actor: &Actor) -> AppError {
    state
        .limiter
        .hit(&miss_key(actor), MISS_WINDOW, state.clock.now());
    AppError::NotFound
}

async fn find_invitation(
    state: &AppState,
    actor: &Actor,
    token: Option<&str>,
    code: Option<&str>,
) -> AppResult<invitation::Model> {
    check_guessing(state, actor)?;
    let q = match (token, code) {
        (Some(t), None) if !t.is_empty() && t.len() <= 100 => {
            invitation::Entity::find().filter(invitation::Column::TokenHash.eq(sha256_hex(t)))
        }
        (None, Some(c)) if !c.is_empty() && c.len() <= 20 => {
            invitation::Entity::find().filter(invitation::Column::CodeHash.eq(code_hash(c)))
        }
        (Some(_), Some(_)) | (None, None) => {
            return Err(AppError::bad_input(
                "token",
                "give either a token or a code",
            ));
        }
        _ => return Err(missed(state, actor)),
    };
    match q.one(state.db.conn()).await? {
        Some(i) if i.invited => Ok(i),
        _ => Err(missed(state, actor)),
    }
}

fn status_of(i: &invitation::Model, now: DateTime<Utc>) -> InvitationStatus {
    if i.used_at.is_some() {
        InvitationStatus::Responded
    } else if i.expires_at <= now {
        InvitationStatus::Expired
    } else {
        InvitationStatus::Open
    }
}

async fn names(
    conn: &impl ConnectionTrait,
    service_id: Uuid,
) -> AppResult<(service::Model, LocalizedText, LocalizedText)> {
    let svc = service::Entity::find_by_id(service_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let inst = institution::Entity::find_by_id(svc.institution_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let (sn, inn) = (
        LocalizedText::from_json(&svc.name),
        LocalizedText::from_json(&inst.name),
    );
    Ok((svc, sn, inn))
}

/// Looks up an invitation by its token or its short code (public).
pub async fn get_invitation(
    state: &AppState,
    actor: &Actor,
    token: Option<&str>,
    code: Option<&str>,
    locale: Option<&str>,
) -> AppResult<InvitationView> {
    let i = find_invitation(state, actor, token, code).await?;
    let conn = state.db.conn();
    let version_id = i.survey_version_id.ok_or(AppError::NotFound)?;
    let survey = version_unchecked(conn, version_id).await?;
    let (_, service_name, institution_name) = names(conn, i.service_id).await?;
    Ok(InvitationView {
        status: status_of(&i, state.clock.now()),
        expires_at: i.expires_at,
        locale: locale
            .and_then(Locale::parse)
            .or_else(|| Locale::parse(&i.locale))
            .unwrap_or(Locale::Mn),
        service_name,
        institution_name,
        survey,
        token: code.map(|_| super::invitations::derive_token(state, i.id)),
    })
}

/// Contact details left for follow-up.
#[derive(Debug, Clone)]
pub struct FollowUpInput {
    /// Phone or e-mail.
    pub contact: String,
    /// Explicit consent to be contacted about this feedback.
    pub consent: bool,
}

/// A response as submitted.
#[derive(Debug, Clone)]
pub struct SubmitInput {
    /// Invitation token.
    pub token: String,
    /// Answers.
    pub answers: Vec<Answer>,
    /// Locale the survey was answered in.
    pub locale: Option<String>,
    /// Client-generated id; a retry with the same id gets the same acknowledgement.
    pub client_submission_id: Option<String>,
    /// Optional follow-up contact.
    pub follow_up: Option<FollowUpInput>,
}

/// The acknowledgement of an accepted response (no response id, by design).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    /// Thank-you text in the response's locale.
    pub thank_you: String,
}

fn parse_follow_up(f: Option<FollowUpInput>) -> AppResult<Option<String>> {
    let Some(f) = f else { return Ok(None) };
    let contact = f.contact.trim().to_owned();
    if contact.is_empty() {
        return Ok(None);
    }
    if !f.consent {
        return Err(AppError::bad_input(
            "followUp.consent",
            "contact details are kept only with consent",
        ));
    }
    let phone = contact.chars().filter(char::is_ascii_digit).count() >= 6
        && contact
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()".contains(c));
    let email = crate::domain::Email::parse(&contact).is_ok();
    if contact.len() > 200 || !(phone || email) {
        return Err(AppError::bad_input(
            "followUp.contact",
            "give a phone number or an e-mail address",
        ));
    }
    Ok(Some(contact))
}

fn submission_hash(csid: &Option<String>) -> AppResult<Option<String>> {
    match csid.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) if s.len() > 100 => Err(AppError::bad_input(
            "clientSubmissionId",
            "at most 100 characters",
        )),
        Some(s) => Ok(Some(sha256_hex(&format!("submission:{s}")))),
    }
}

fn answer_errors(errs: Vec<InvalidField>) -> AppError {
    AppError::invalid_answers(errs)
}

/// What a stored response needs.
struct NewResponse<'a> {
    version_id: Uuid,
    service_id: Uuid,
    point_id: Uuid,
    institution_id: Uuid,
    channel: &'a str,
    origin: &'a str,
    locale: Locale,
    date: NaiveDate,
    answers: &'a [Answer],
    follow_up: Option<String>,
}

async fn store_response(conn: &impl ConnectionTrait, r: NewResponse<'_>) -> AppResult<()> {
    let id = Uuid::new_v4();
    response::Entity::insert(response::ActiveModel {
        id: Set(id),
        survey_version_id: Set(r.version_id),
        service_id: Set(r.service_id),
        service_point_id: Set(r.point_id),
        institution_id: Set(r.institution_id),
        channel: Set(r.channel.to_owned()),
        origin: Set(r.origin.to_owned()),
        locale: Set(r.locale.tag().to_owned()),
        response_date: Set(r.date),
    })
    .exec_without_returning(conn)
    .await?;
    let rows: Vec<response_answer::ActiveModel> = r
        .answers
        .iter()
        .map(|a| response_answer::ActiveModel {
            response_id: Set(id),
            question_key: Set(a.question_key.clone()),
            value: Set(a.value),
            choices: Set((!a.choices.is_empty()).then(|| json!(a.choices))),
            text: Set(a.text.clone()),
            not_applicable: Set(a.not_applicable),
        })
        .collect();
    if !rows.is_empty() {
        response_answer::Entity::insert_many(rows)
            .exec_without_returning(conn)
            .await?;
    }
    let mut inc = super::rollups::Increments::default();
    inc.add(
        &super::rollups::Facts {
            day: r.date,
            point: r.point_id,
            service: r.service_id,
            institution: r.institution_id,
            channel: r.channel,
            origin: r.origin,
            version: r.version_id,
        },
        r.answers,
    );
    super::rollups::apply(conn, inc).await?;
    if let Some(contact) = r.follow_up {
        follow_up::ActiveModel {
            id: Set(Uuid::new_v4()),
            response_id: Set(id),
            institution_id: Set(r.institution_id),
            service_id: Set(r.service_id),
            contact: Set(contact),
            created_date: Set(r.date),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

fn settled(
    i: &invitation::Model,
    hash: &Option<String>,
    now: DateTime<Utc>,
) -> Option<AppResult<()>> {
    if i.used_at.is_some() {
        return Some(if hash.is_some() && i.submission_hash == *hash {
            Ok(())
        } else {
            Err(AppError::AlreadyResponded)
        });
    }
    (i.expires_at <= now).then_some(Err(AppError::Expired))
}

/// Validates and stores a response to an invitation, exactly once.
pub async fn submit_response(
    state: &AppState,
    actor: &Actor,
    input: SubmitInput,
) -> AppResult<Ack> {
    let now = state.clock.now();
    authz::refuse_integrations(actor)?;
    let i = find_invitation(state, actor, Some(input.token.as_str()), None).await?;
    let conn = state.db.conn();
    let (svc, _, _) = names(conn, i.service_id).await?;
    authz::may_answer(conn, actor, svc.institution_id).await?;
    let hash = submission_hash(&input.client_submission_id)?;
    let version_id = i.survey_version_id.ok_or(AppError::NotFound)?;
    let version = version_unchecked(conn, version_id).await?;
    let locale = input
        .locale
        .as_deref()
        .and_then(Locale::parse)
        .or_else(|| Locale::parse(&i.locale))
        .unwrap_or(Locale::Mn);
    let ack = Ack {
        thank_you: version.content.thank_you.get(locale).to_owned(),
    };
    if let Some(done) = settled(&i, &hash, now) {
        return done.map(|_| ack);
    }
    let answers = validate_answers(&version.content, input.answers).map_err(answer_errors)?;
    let follow_up = parse_follow_up(input.follow_up)?;

    let txn = state.db.begin_write().await?;
    // The conditional update is the one place that decides who answers: of any
    // number of concurrent submissions exactly one changes the row.
    let won = invitation::Entity::update_many()
        .col_expr(invitation::Column::UsedAt, Expr::value(now))
        .col_expr(
            invitation::Column::SubmissionHash,
            Expr::value(hash.clone()),
        )
        .filter(invitation::Column::Id.eq(i.id))
        .filter(invitation::Column::UsedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(now))
        .exec(&*txn)
        .await?
        .rows_affected
        == 1;
    if !won {
        drop(txn);
        let fresh = invitation::Entity::find_by_id(i.id)
            .one(conn)
            .await?
            .ok_or(AppError::NotFound)?;
        return match settled(&fresh, &hash, now) {
            Some(r) => r.map(|_| ack),
            None => Err(AppError::internal(
                "invitation neither used nor expired after a lost update",
            )),
        };
    }
    store_response(
        &*txn,
        NewResponse {
            version_id,
            service_id: i.service_id,
            point_id: i.service_point_id,
            institution_id: svc.institution_id,
            channel: &i.channel,
            origin: "INVITED",
            locale,
            date: i.delivery_date,
            answers: &answers,
            follow_up,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(ack)
}

/// The open channel of a service point: its QR-poster code and service.
#[derive(Debug, Clone)]
pub struct OpenChannelView {
    /// Service point.
    pub service_point_id: Uuid,
    /// Code printed on the poster.
    pub code: String,
    /// Service asked about.
    pub service_id: Uuid,
}

async fn managed_point(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    point_id: Uuid,
) -> AppResult<service_point::Model> {
    let scope = authz::scope(actor, Action::ManageSurveys)?;
    let p = service_point::Entity::find_by_id(point_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    scope.require(conn, p.institution_id).await?;
    Ok(p)
}

/// Opens (or re-targets) a service point's open channel; the code stays once made.
pub async fn enable_open_channel(
    state: &AppState,
    actor: &Actor,
    point_id: Uuid,
    service_id: Uuid,
) -> AppResult<OpenChannelView> {
    let scope = authz::scope(actor, Action::ManageSurveys)?;
    let now = state.clock.now();
    let txn = state.db.begin_write().await?;
    managed_point(&*txn, actor, point_id).await?;
    let svc = service::Entity::find_by_id(service_id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    scope.require(&*txn, svc.institution_id).await?;
    let code = match open_channel::Entity::find_by_id(point_id)
        .one(&*txn)
        .await?
    {
        Some(o) => o.code,
        None => random_token(8).replace(['-', '_'], "x"),
    };
    open_channel::Entity::delete_by_id(point_id)
        .exec(&*txn)
        .await?;
    open_channel::Entity::insert(open_channel::ActiveModel {
        service_point_id: Set(point_id),
        code: Set(code.clone()),
        service_id: Set(service_id),
        created_at: Set(now),
    })
    .exec_without_returning(&*txn)
    .await?;
    audit::record(
        &*txn,
        actor,
        now,
        Event {
            action: "OPEN_CHANNEL_ENABLED",
            target: Some(("SERVICE_POINT", point_id)),
            details: json!({ "serviceId": service_id }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(OpenChannelView {
        service_point_id: point_id,
        code,
        service_id,
    })
}

/// A kiosk device; its key is shown once.
#[derive(Debug, Clone)]
pub struct KioskView {
    /// Id.
    pub id: Uuid,
    /// Service point.
    pub service_point_id: Uuid,
    /// Name.
    pub name: String,
    /// The device key (only when just created).
    pub device_key: Option<String>,
}

/// Registers a kiosk at a service point.
pub async fn create_kiosk(
    state: &AppState,
    actor: &Actor,
    point_id: Uuid,
    name: &str,
) -> AppResult<KioskView> {
    let name = crate::domain::text::single_line("name", name, 200)?;
    let name = name.as_str();
    let now = state.clock.now();
    let txn = state.db.begin_write().await?;
    managed_point(&*txn, actor, point_id).await?;
    let key = format!("kd_{}", random_token(32));
    let id = crate::services::new_id();
    kiosk_device::ActiveModel {
        id: Set(id),
        service_point_id: Set(point_id),
        name: Set(name.to_owned()),
        key_hash: Set(sha256_hex(&key)),
        created_at: Set(now),
        revoked_at: Set(None),
    }
    .insert(&*txn)
    .await?;
    audit::record(
        &*txn,
        actor,
        now,
        Event {
            action: "KIOSK_CREATED",
            target: Some(("KIOSK", id)),
            details: json!({ "servicePointId": point_id }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(KioskView {
        id,
        service_point_id: point_id,
        name: name.to_owned(),
        device_key: Some(key),
    })
}

/// An open-channel response (QR poster on a phone, or a kiosk).
#[derive(Debug, Clone)]
pub struct OpenInput {
    /// The poster code of the service point.
    pub point_code: String,
    /// A kiosk's device key, when sent from a kiosk.
    pub device_key: Option<String>,
    /// Answers.
    pub answers: Vec<Answer>,
    /// Locale.
    pub locale: Option<String>,
    /// Client-generated id: a retry within 10 minutes is acknowledged, not stored twice.
    pub client_submission_id: Option<String>,
}

/// Stores an open-channel response: origin `OPEN`, dated the day it is given,
/// rate-limited per phone client (per point) and per kiosk.
pub async fn submit_open_response(
    state: &AppState,
    actor: &Actor,
    input: OpenInput,
) -> AppResult<Ack> {
    let now = state.clock.now();
    let cfg = &state.config;
    authz::refuse_integrations(actor)?;
    check_guessing(state, actor)?;
    let code = input.point_code.trim();
    if code.is_empty() || code.len() > 40 {
        return Err(missed(state, actor));
    }
    let conn = state.db.conn();
    let Some(oc) = open_channel::Entity::find()
        .filter(open_channel::Column::Code.eq(code))
        .one(conn)
        .await?
    else {
        return Err(missed(state, actor));
    };
    let (svc, _, _) = names(conn, oc.service_id).await?;
    authz::may_answer(conn, actor, svc.institution_id).await?;
    let (channel, limit_key, limit, window) = match input.device_key.as_deref() {
        Some(k) => {
            let device = kiosk_device::Entity::find()
                .filter(kiosk_device::Column::KeyHash.eq(sha256_hex(k.trim())))
                .filter(kiosk_device::Column::RevokedAt.is_null())
                .one(conn)
                .await?
                .filter(|d| d.service_point_id == oc.service_point_id)
                .ok_or_else(|| AppError::unauthenticated("unknown kiosk device key"))?;
            (
                Channel::Kiosk,
                format!("open:kiosk:{}", device.id),
                cfg.open_responses_per_kiosk,
                60,
            )
        }
        None => (
            Channel::InPerson,
            format!(
                "open:client:{}:{}",
                actor.client_ip.as_deref().unwrap_or("-"),
                oc.service_point_id
            ),
            cfg.open_responses_per_client,
            3600,
        ),
    };
    let version_id = version_for(conn, oc.service_id, channel)
        .await?
        .ok_or_else(|| {
            AppError::bad_input(
                "pointCode",
                "no survey is assigned for this point's service",
            )
        })?;
    let version = version_unchecked(conn, version_id).await?;
    let locale = pick_locale(input.locale.as_deref());
    let ack = Ack {
        thank_you: version.content.thank_you.get(locale).to_owned(),
    };
    let dedupe =
        submission_hash(&input.client_submission_id)?.map(|h| format!("open:seen:{limit_key}:{h}"));
    if let Some(d) = &dedupe
        && state.limiter.check(d, 1, now).is_err()
    {
        return Ok(ack);
    }
    let answers = validate_answers(&version.content, input.answers).map_err(answer_errors)?;
    state.limiter.hit_checked(&limit_key, limit, window, now)?;
    let txn = state.db.begin_write().await?;
    store_response(
        &*txn,
        NewResponse {
            version_id,
            service_id: oc.service_id,
            point_id: oc.service_point_id,
            institution_id: svc.institution_id,
            channel: channel.as_str(),
            origin: "OPEN",
            locale,
            date: local_date(state, now),
            answers: &answers,
            follow_up: None,
        },
    )
    .await?;
    txn.commit().await?;
    if let Some(d) = &dedupe {
        state.limiter.hit(d, 600, now);
    }
    Ok(ack)
}

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
    pub channel: String,
    /// `INVITED` or `OPEN`.
    pub origin: String,
    /// Locale answered in.
    pub locale: String,
    /// Local date of the delivery (open channel: of the response).
    pub date: NaiveDate,
    /// Answers.
    pub answers: Vec<Answer>,
}

/// An answer as stored, back in the shape it was given.
pub(crate) fn stored_answer(a: response_answer::Model) -> Answer {
    Answer {
        question_key: a.question_key,
        value: a.value,
        choices: a
            .choices
            .and_then(|c| serde_json::from_value(c).ok())
            .unwrap_or_default(),
        text: a.text,
        not_applicable: a.not_applicable,
    }
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
    /// `INVITED` or `OPEN`.
    pub origin: Option<String>,
    /// From this date (inclusive).
    pub from: Option<NaiveDate>,
    /// To this date (inclusive).
    pub to: Option<NaiveDate>,
    /// Only responses whose answer to this question…
    pub question_key: Option<String>,
    /// …has this value.
    pub value: Option<i32>,
}

/// Responses of the caller's institutions (ADMIN, SUPERVISOR: all). Reading free
/// text (comments) is audit-logged.
pub async fn list_responses(
    state: &AppState,
    actor: &Actor,
    f: ResponseFilter,
    page: PageRequest,
) -> AppResult<Page<ResponseView>> {
    let scope = authz::scope(actor, Action::ReadResults)?;
    let conn = state.db.conn();
    let mut q = response::Entity::find().filter(scope.condition(response::Column::InstitutionId));
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
    if let Some(o) = &f.origin {
        q = q.filter(response::Column::Origin.eq(o.clone()));
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
    let page = super::fetch_page(conn, q, response::Column::Id, page).await?;
    let ids: Vec<Uuid> = page.items.iter().map(|r| r.id).collect();
    let answers = response_answer::Entity::find()
        .filter(response_answer::Column::ResponseId.is_in(ids.clone()))
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
            .push(super::responses::stored_answer(a));
    }
    if with_text > 0 {
        let now = state.clock.now();
        let txn = state.db.begin_write().await?;
        audit::record(
            &*txn,
            actor,
            now,
            Event {
                action: "RESPONSE_COMMENTS_READ",
                target: None,
                details: json!({ "responses": ids.len(), "texts": with_text }),
            },
        )
        .await?;
        txn.commit().await?;
    }
    Ok(page.map(|r| ResponseView {
        answers: by_id.remove(&r.id).unwrap_or_default(),
        id: r.id,
        survey_version_id: r.survey_version_id,
        service_id: r.service_id,
        service_point_id: r.service_point_id,
        channel: r.channel,
        origin: r.origin,
        locale: r.locale,
        date: r.response_date,
    }))
}

/// A follow-up request, as managers see it.
#[derive(Debug, Clone)]
pub struct FollowUpView {
    /// Id.
    pub id: Uuid,
    /// The response it is about.
    pub response_id: Uuid,
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
    let page = super::fetch_page(state.db.conn(), q, follow_up::Column::Id, page).await?;
    if !page.items.is_empty() {
        let now = state.clock.now();
        let txn = state.db.begin_write().await?;
        audit::record(
            &*txn,
            actor,
            now,
            Event {
                action: "FOLLOW_UPS_READ",
                target: None,
                details: json!({ "count": page.items.len() }),
            },
        )
        .await?;
        txn.commit().await?;
    }
    Ok(page.map(|f| FollowUpView {
        id: f.id,
        response_id: f.response_id,
        service_id: f.service_id,
        contact: f.contact,
        date: f.created_date,
    }))
}
