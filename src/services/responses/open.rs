//! The open channel: QR posters and kiosks at a service point, rate-limited and
//! reported apart from invited responses.

use super::{Ack, answer_errors, check_guessing, missed, names, submission_hash};
use crate::auth::Actor;
use crate::auth::secrets::{random_token, sha256_hex};
use crate::authz::{self, Action};
use crate::domain::catalogue::Channel;
use crate::domain::ids::{ServiceId, ServicePointId};
use crate::domain::submission::{Bump, Submission};
use crate::domain::survey::{Answer, validate_answers};
use crate::domain::vocab::Provenance;
use crate::error::{AppError, AppResult};
use crate::services::audit::Event;
use crate::services::invitations::local_date;
use crate::services::surveys::{pick_locale, version_for, version_unchecked};
use crate::state::AppState;
use entity::{kiosk_device, open_channel, service, service_point};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

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
    point_id: ServicePointId,
    service_id: ServiceId,
) -> AppResult<OpenChannelView> {
    let (point_id, service_id) = (point_id.uuid(), service_id.uuid());
    let scope = authz::scope(actor, Action::ManageSurveys)?;
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
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
    txn.finish(
        actor,
        now,
        Event {
            action: "OPEN_CHANNEL_ENABLED",
            target: Some(("SERVICE_POINT", point_id)),
            details: json!({ "serviceId": service_id }),
        },
    )
    .await?;
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
    let txn = crate::services::write::begin(state).await?;
    managed_point(&*txn, actor, point_id).await?;
    // Each kiosk multiplies what one point can send: a few per point, no more.
    let limit = state.config.max_kiosks_per_point;
    let active = kiosk_device::Entity::find()
        .filter(kiosk_device::Column::ServicePointId.eq(point_id))
        .filter(kiosk_device::Column::RevokedAt.is_null())
        .count(&*txn)
        .await?;
    if active >= u64::from(limit) {
        return Err(AppError::Conflict(format!(
            "this service point has {active} active kiosks, the most allowed (SANAL_MAX_KIOSKS_PER_POINT = {limit}); revoke one first"
        )));
    }
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
    txn.finish(
        actor,
        now,
        Event {
            action: "KIOSK_CREATED",
            target: Some(("KIOSK", id)),
            details: json!({ "servicePointId": point_id }),
        },
    )
    .await?;
    Ok(KioskView {
        id,
        service_point_id: point_id,
        name: name.to_owned(),
        device_key: Some(key),
    })
}

/// What a poster's or kiosk's screen shows: the survey of a service point's open
/// channel.
#[derive(Debug, Clone)]
pub struct OpenSurveyView {
    /// Locale the texts are shown in.
    pub locale: crate::domain::Locale,
    /// Service name.
    pub service_name: crate::domain::LocalizedText,
    /// Institution name.
    pub institution_name: crate::domain::LocalizedText,
    /// The survey version to answer.
    pub survey: crate::services::surveys::VersionView,
}

/// The open channel of a poster code; an unknown code is a miss (NOT_FOUND,
/// counted against the guessing limits like an unknown token).
async fn find_open_channel(
    state: &AppState,
    actor: &Actor,
    point_code: &str,
) -> AppResult<open_channel::Model> {
    check_guessing(state, actor).await?;
    let code = point_code.trim();
    if code.is_empty() || code.len() > 40 {
        return Err(missed(state, actor).await);
    }
    match open_channel::Entity::find()
        .filter(open_channel::Column::Code.eq(code))
        .one(state.db.conn())
        .await?
    {
        Some(oc) => Ok(oc),
        None => Err(missed(state, actor).await),
    }
}

/// The survey a poster (or, with its device key, a kiosk) of a service point asks
/// (public). Unknown codes, and a `service_id` other than the poster's service,
/// answer NOT_FOUND and count as guesses, like tokens.
pub async fn get_open_survey(
    state: &AppState,
    actor: &Actor,
    point_code: &str,
    service_id: Option<Uuid>,
    device_key: Option<&str>,
    locale: Option<&str>,
) -> AppResult<OpenSurveyView> {
    let oc = find_open_channel(state, actor, point_code).await?;
    // A client that names the service gets its survey or nothing.
    if service_id.is_some_and(|s| s != oc.service_id) {
        return Err(missed(state, actor).await);
    }
    let conn = state.db.conn();
    let (_, service_name, institution_name) = names(conn, oc.service_id).await?;
    let (channel, ..) = open_source(state, actor, &oc, device_key).await?;
    let version_id = version_for(conn, oc.service_id, channel)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(OpenSurveyView {
        locale: pick_locale(locale),
        service_name,
        institution_name,
        survey: version_unchecked(conn, version_id).await?,
    })
}

/// Revokes a kiosk: its key answers UNAUTHENTICATED from now on. Idempotent;
/// audited, with the time it was first revoked kept.
pub async fn revoke_kiosk(state: &AppState, actor: &Actor, kiosk_id: Uuid) -> AppResult<KioskView> {
    authz::scope(actor, Action::ManageSurveys)?;
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    let k = kiosk_device::Entity::find_by_id(kiosk_id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    managed_point(&*txn, actor, k.service_point_id).await?;
    let view = KioskView {
        id: k.id,
        service_point_id: k.service_point_id,
        name: k.name.clone(),
        device_key: None,
    };
    if k.revoked_at.is_some() {
        txn.finish_unaudited("already revoked: nothing changed")
            .await?;
        return Ok(view);
    }
    let mut row: kiosk_device::ActiveModel = k.into();
    row.revoked_at = Set(Some(now));
    row.update(&*txn).await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "KIOSK_REVOKED",
            target: Some(("KIOSK", kiosk_id)),
            details: json!({ "servicePointId": view.service_point_id }),
        },
    )
    .await?;
    Ok(view)
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

/// Stores an open-channel response: origin `OPEN`, provenance `KIOSK` (with a device
/// key) or `POSTER`, dated the day it is given,
/// rate-limited per phone client (per point) and per kiosk.
/// (Its throttle is chosen by [`open_source`].)
pub async fn submit_open_response(
    state: &AppState,
    actor: &Actor,
    input: OpenInput,
) -> AppResult<Ack> {
    let now = state.clock.now();
    authz::refuse_integrations(actor)?;
    let oc = find_open_channel(state, actor, &input.point_code).await?;
    let conn = state.db.conn();
    let svc = crate::services::catalogue::service_of(conn, oc.service_id).await?;
    authz::may_answer(conn, actor, svc.institution_id).await?;
    let (channel, limit_key, limit, window) =
        open_source(state, actor, &oc, input.device_key.as_deref()).await?;
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
    let today = local_date(state, now);
    let submission = Submission {
        claim: None,
        version_id,
        service_id: oc.service_id,
        point_id: oc.service_point_id,
        institution_id: svc.institution_id,
        channel,
        provenance: if input.device_key.is_some() {
            Provenance::Kiosk
        } else {
            Provenance::Poster
        },
        respondent_kind: None,
        locale,
        date: today,
        answers,
        follow_up: None,
        bumps: limit_key
            .strip_prefix("open:kiosk:")
            .map(|kiosk| Bump {
                day: today,
                service_id: oc.service_id,
                institution_id: svc.institution_id,
                signal: crate::services::integrity::counter::KIOSK,
                source: kiosk.to_owned(),
            })
            .into_iter()
            .collect(),
    };
    state.writer.store(submission).await?;
    if let Some(d) = &dedupe {
        state.limiter.hit(d, 600, now);
    }
    Ok(ack)
}

/// Where an open-channel answer comes from: a registered kiosk of the point (its
/// device key), or a phone that scanned the poster. Gives the channel and the
/// throttle: (channel, limit key, limit, window in seconds).
async fn open_source(
    state: &AppState,
    actor: &Actor,
    oc: &open_channel::Model,
    device_key: Option<&str>,
) -> AppResult<(Channel, String, u32, i64)> {
    let cfg = &state.config;
    let Some(k) = device_key else {
        let client = actor.client_ip.as_deref().unwrap_or("-");
        return Ok((
            Channel::InPerson,
            format!("open:client:{client}:{}", oc.service_point_id),
            cfg.open_responses_per_client,
            3600,
        ));
    };
    let device = kiosk_device::Entity::find()
        .filter(kiosk_device::Column::KeyHash.eq(sha256_hex(k.trim())))
        .filter(kiosk_device::Column::RevokedAt.is_null())
        .one(state.db.conn())
        .await?
        .filter(|d| d.service_point_id == oc.service_point_id)
        .ok_or_else(|| AppError::unauthenticated("unknown kiosk device key"))?;
    Ok((
        Channel::Kiosk,
        format!("open:kiosk:{}", device.id),
        cfg.open_responses_per_kiosk,
        60,
    ))
}
