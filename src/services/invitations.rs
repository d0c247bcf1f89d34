//! Invitations issued by service-delivery systems (API keys), right after a
//! service is delivered; and delivered-service counts.
//!
//! One delivered transaction ↔ one invitation row ↔ at most one response. Issuing
//! again for the same `(service, transactionRef)` returns the same answer — same
//! token, code and sampling decision — because the token and code are derived from
//! the invitation id with a server key (only their SHA-256 is stored) and sampling
//! is a keyed hash of the transaction reference. The answer is only `invited`
//! true/false: why someone was not invited (sampling, cooldown) is never told,
//! since it would reveal their other services.
//!
//! Separation of duties: whoever is measured must not both issue and answer. Only
//! a `NATIONAL_PLATFORM` key (made by an ADMIN) ever receives a token, code or
//! link, and only for invitations it issued itself. An `INSTITUTION_SYSTEM` key
//! passes the citizen's phone or e-mail, Sanal sends the link itself from the
//! [`outbox`](super::outbox), and the key gets `invited` and the expiry — on the
//! first issue, on every re-issue and through every look-up.

use super::audit::Event;
use super::surveys::{invitation_settings, version_for};
use crate::auth::Actor;
use crate::auth::secrets::{hex, hmac_sha256, purpose_key, sha256_hex};
use crate::authz;
use crate::delivery::Contact;
use crate::domain::Locale;
use crate::domain::catalogue::Channel;
use crate::domain::ids::{ServiceId, ServicePointId};
use crate::domain::vocab::{IntegrationKind, Provenance};
use crate::error::{AppError, AppResult};
use crate::services::write::ConflictOnUnique;
use crate::state::AppState;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{delivered_count, invitation, recontact_cooldown, service, service_point};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

/// What a service-delivery system sends after delivering a service.
#[derive(Debug, Clone)]
pub struct IssueInput {
    /// The service delivered.
    pub service_id: ServiceId,
    /// Where.
    pub service_point_id: ServicePointId,
    /// How.
    pub channel: Channel,
    /// The delivering system's id of the transaction.
    pub transaction_ref: String,
    /// When it was delivered.
    pub delivered_at: DateTime<Utc>,
    /// Preferred locale of the citizen.
    pub locale: Option<String>,
    /// Phone or register number, used only for the recontact cooldown (stored as a keyed hash).
    pub respondent_id: Option<String>,
    /// Where Sanal sends the link itself (required of institution systems); also
    /// the respondent for the cooldown when `respondent_id` is not given.
    pub contact: Option<Contact>,
    /// Whom the delivering system served; carried to the response as a segment.
    pub respondent_kind: Option<crate::domain::vocab::RespondentKind>,
}

/// The answer to an issue request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// Whether the citizen is invited.
    pub invited: bool,
    /// Secret token (URL-safe, 256 bits) for the survey link.
    pub token: Option<String>,
    /// Short code for SMS or voice (`XXXX-XXXX`).
    pub code: Option<String>,
    /// The survey link.
    pub link: Option<String>,
    /// When the invitation closes (delivery + expiry).
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether Sanal sends the link to the contact given.
    pub sent_by_sanal: bool,
}

pub use super::invitation_links::{code_hash, derive_code, derive_token, normalize_code};

fn respondent_hmac(state: &AppState, raw: &str) -> AppResult<String> {
    let norm: String = raw
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '+')
        .flat_map(char::to_uppercase)
        .collect();
    if norm.len() < 4 || norm.len() > 64 {
        return Err(AppError::bad_input(
            "respondentId",
            "must be a phone or register number",
        ));
    }
    Ok(hex(&hmac_sha256(
        &purpose_key(state.config.hmac_root(), "respondent"),
        norm.as_bytes(),
    )))
}

fn sampled(state: &AppState, service_id: Uuid, transaction_ref: &str, rate: f64) -> bool {
    let mac = hmac_sha256(
        &purpose_key(state.config.hmac_root(), "sampling"),
        format!("{service_id}:{transaction_ref}").as_bytes(),
    );
    let x = u32::from_be_bytes([mac[0], mac[1], mac[2], mac[3]]);
    f64::from(x) / (f64::from(u32::MAX) + 1.0) < rate
}

/// The answer to the issuing key: the link only to a national platform, and only
/// for an invitation of a national platform (never, whoever asks, for one an
/// institution's system issued).
fn answer(state: &AppState, key: IntegrationKind, row: &invitation::Model, sent: bool) -> Issued {
    if !row.invited {
        return Issued {
            invited: false,
            token: None,
            code: None,
            link: None,
            expires_at: None,
            sent_by_sanal: false,
        };
    }
    let may_see_link = key == IntegrationKind::NationalPlatform
        && row.provenance == Provenance::NationalPlatform.as_str();
    if !may_see_link {
        return Issued {
            invited: true,
            token: None,
            code: None,
            link: None,
            expires_at: Some(row.expires_at),
            sent_by_sanal: sent,
        };
    }
    let token = derive_token(state, row.id);
    Issued {
        invited: true,
        link: Some(format!("{}{}", state.config.public_base_url, token)),
        token: Some(token),
        code: Some(derive_code(state, row.id)),
        expires_at: Some(row.expires_at),
        sent_by_sanal: sent,
    }
}

/// The local calendar day of an instant in the reporting zone.
pub fn local_date(state: &AppState, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&state.config.timezone).date_naive()
}

/// The instant the local day of `at` began: what is recorded where a finer time
/// could link records (an invitation's use, a purged delivery).
pub fn start_of_local_day(state: &AppState, at: DateTime<Utc>) -> DateTime<Utc> {
    day_start(state, local_date(state, at))
}

/// The instant a local calendar day began (the earliest, should a zone's clocks
/// jump at midnight).
pub fn day_start(state: &AppState, day: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    state
        .config
        .timezone
        .from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

async fn require_catalogue(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    service_id: ServiceId,
    point_id: ServicePointId,
) -> AppResult<(service::Model, service_point::Model)> {
    let (service_id, point_id) = (service_id.uuid(), point_id.uuid());
    let key = authz::require_key(actor)?;
    let scope = authz::key_scope(key);
    let svc = service::Entity::find_by_id(service_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    scope.require(conn, svc.institution_id).await?;
    let point = service_point::Entity::find_by_id(point_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    scope.require(conn, point.institution_id).await?;
    Ok((svc, point))
}

/// Issues (or returns the already issued) invitation for a delivered transaction.
pub async fn issue_invitation(
    state: &AppState,
    actor: &Actor,
    input: IssueInput,
) -> AppResult<Issued> {
    let key = authz::require_key(actor)?;
    let (kind, key_id) = (key.kind, key.id);
    let now = state.clock.now();
    let tref = crate::domain::text::single_line("transactionRef", &input.transaction_ref, 200)?;
    if let Some(c) = &input.contact {
        if !super::outbox::can_send(state, c) {
            return Err(AppError::bad_input(
                "contact",
                "this server is not configured to send to this kind of contact; give the other kind",
            ));
        }
    } else if kind == IntegrationKind::InstitutionSystem {
        return Err(AppError::bad_input(
            "contact",
            "an institution's own system passes the citizen's phone or e-mail; Sanal sends the link itself",
        ));
    }
    let sends = input.contact.is_some();
    let locale = input
        .locale
        .as_deref()
        .and_then(Locale::parse)
        .unwrap_or(Locale::Mn);
    let contact_value = input.contact.as_ref().map(|c| match c {
        Contact::Phone(v) | Contact::Email(v) => v.as_str(),
    });
    let respondent = input
        .respondent_id
        .as_deref()
        .or(contact_value.filter(|_| input.respondent_id.is_none()))
        .map(|r| respondent_hmac(state, r))
        .transpose()?;
    // The contact is part of what was issued: re-issuing with another is a CONFLICT.
    let contact_hash = contact_value.map(|c| {
        hex(&hmac_sha256(
            &purpose_key(state.config.hmac_root(), "contact"),
            c.as_bytes(),
        ))
    });
    let mut payload = vec![
        serde_json::json!(input.service_point_id),
        serde_json::json!(input.channel.as_str()),
        serde_json::json!(input.delivered_at.timestamp_millis()),
        serde_json::json!(locale.tag()),
        serde_json::json!(respondent),
        serde_json::json!(contact_hash),
    ];
    // Only when given: invitations issued before it existed keep their hash.
    if let Some(k) = input.respondent_kind {
        payload.push(serde_json::json!(k.as_str()));
    }
    let payload_hash = sha256_hex(&serde_json::Value::Array(payload).to_string());

    let txn = crate::services::write::begin(state).await?;
    let (svc, _point) =
        require_catalogue(&*txn, actor, input.service_id, input.service_point_id).await?;
    if let Some(row) = already_issued(&*txn, svc.id, &tref, &payload_hash).await? {
        return Ok(answer(state, kind, &row, sends));
    }
    let limits = (state.config.max_expiry_days, state.config.min_cooldown_days);
    let plan = plan(&*txn, &svc, &input, now, limits).await?;
    let invited = sampled(state, svc.id, &tref, plan.sampling_rate)
        && !cooling_down(
            &*txn,
            respondent.as_deref(),
            input.delivered_at,
            cooldown_end(state, input.delivered_at, plan.cooldown_days),
        )
        .await?;
    let id = Uuid::new_v4();
    let row = invitation::ActiveModel {
        id: Set(id),
        service_id: Set(svc.id),
        service_point_id: Set(input.service_point_id.uuid()),
        institution_id: Set(svc.institution_id),
        channel: Set(input.channel.as_str().into()),
        transaction_ref: Set(Some(tref)),
        payload_hash: Set(Some(payload_hash)),
        invited: Set(invited),
        survey_version_id: Set(invited.then_some(plan.version_id)),
        token_hash: Set(invited.then(|| sha256_hex(&derive_token(state, id)))),
        code_hash: Set(invited.then(|| code_hash(&derive_code(state, id)))),
        locale: Set(locale.tag().into()),
        delivered_at: Set(input.delivered_at),
        delivery_date: Set(local_date(state, input.delivered_at)),
        expires_at: Set(plan.expires_at),
        used_at: Set(None),
        submission_hash: Set(None),
        purged_at: Set(None),
        provenance: Set(Provenance::from(kind).as_str().to_owned()),
        issued_at: Set(Some(now)),
        respondent_kind: Set(input.respondent_kind.map(|k| k.as_str().to_owned())),
    }
    .insert(&*txn)
    .await
    .conflict_on_unique("this transactionRef is being issued concurrently; retry")?;
    if row.invited {
        super::rollups::add_invitation(
            &*txn,
            row.delivery_date,
            row.service_point_id,
            row.service_id,
            row.institution_id,
        )
        .await?;
        if let Some(c) = &input.contact {
            super::outbox::enqueue(&*txn, row.id, c, locale, row.expires_at, now).await?;
        }
        super::integrity::bump(
            &*txn,
            row.delivery_date,
            row.service_id,
            row.institution_id,
            super::integrity::counter::KEY,
            &key_id.to_string(),
        )
        .await?;
    }
    txn.finish_unaudited(
        "invitations come at national volume and must not be traceable; the key's use is in the request log",
    )
    .await?;
    if row.invited && sends {
        state.outbox_wake.notify_one();
    }
    Ok(answer(state, kind, &row, sends))
}

/// The invitation already issued for this transaction, if any: the same one when
/// the details match (idempotent retries), `CONFLICT` when they differ.
async fn already_issued(
    conn: &impl ConnectionTrait,
    service_id: Uuid,
    tref: &str,
    payload_hash: &str,
) -> AppResult<Option<invitation::Model>> {
    let existing = invitation::Entity::find()
        .filter(invitation::Column::ServiceId.eq(service_id))
        .filter(invitation::Column::TransactionRef.eq(tref))
        .one(conn)
        .await?;
    match existing {
        Some(row) if row.payload_hash.as_deref() == Some(payload_hash) => Ok(Some(row)),
        Some(_) => Err(AppError::Conflict(
            "this transactionRef was already issued with different details".into(),
        )),
        None => Ok(None),
    }
}

/// What an invitation for this delivery would be: its survey version, expiry and
/// the service's sampling and cooldown.
struct Plan {
    version_id: Uuid,
    expires_at: DateTime<Utc>,
    sampling_rate: f64,
    cooldown_days: i32,
}

/// `state_limits`: the national (maximum expiry, minimum cooldown) in days.
async fn plan(
    conn: &impl ConnectionTrait,
    svc: &service::Model,
    input: &IssueInput,
    now: DateTime<Utc>,
    state_limits: (i32, i32),
) -> AppResult<Plan> {
    let offered: Vec<String> = serde_json::from_value(svc.channels.clone()).unwrap_or_default();
    if !offered.iter().any(|c| c == input.channel.as_str()) {
        return Err(AppError::bad_input(
            "channel",
            "this service is not offered on this channel",
        ));
    }
    let settings = invitation_settings(conn, svc.id).await?;
    if input.delivered_at > now + Duration::minutes(2) {
        return Err(AppError::bad_input("deliveredAt", "is in the future"));
    }
    // Settings made before a national limit was lowered never exceed it.
    let expiry_days = settings.expiry_days.min(state_limits.0);
    let expires_at = input.delivered_at + Duration::days(i64::from(expiry_days));
    if expires_at <= now {
        return Err(AppError::bad_input(
            "deliveredAt",
            "is older than the invitation expiry window",
        ));
    }
    let Some(version_id) = version_for(conn, svc.id, input.channel).await? else {
        return Err(AppError::bad_input(
            "serviceId",
            "no published survey is assigned to this service for this channel",
        ));
    };
    Ok(Plan {
        version_id,
        expires_at,
        sampling_rate: settings.sampling_rate,
        cooldown_days: settings.cooldown_days.max(state_limits.1),
    })
}

/// When a cooldown that starts with a delivery at `delivered_at` ends: the start
/// of a local day, one or two days (at random) after the day `cooldown_days` later,
/// so never sooner than the floor and never a time that gives back the delivery
/// (`until − cooldown` is not the delivered time, nor even surely its day).
/// `None` when there is no cooldown.
fn cooldown_end(
    state: &AppState,
    delivered_at: DateTime<Utc>,
    cooldown_days: i32,
) -> Option<DateTime<Utc>> {
    use rand::RngExt;
    if cooldown_days <= 0 {
        return None;
    }
    let jitter: i64 = rand::rng().random_range(1..=2);
    let day = local_date(state, delivered_at)
        .checked_add_signed(Duration::days(i64::from(cooldown_days) + jitter))?;
    Some(day_start(state, day))
}

/// Whether the respondent was invited too recently; if not, starts their cooldown
/// (until `until`).
async fn cooling_down(
    conn: &impl ConnectionTrait,
    respondent: Option<&str>,
    delivered_at: DateTime<Utc>,
    until: Option<DateTime<Utc>>,
) -> AppResult<bool> {
    let Some(r) = respondent else {
        return Ok(false);
    };
    let cooling = recontact_cooldown::Entity::find_by_id(r.to_owned())
        .one(conn)
        .await?
        .is_some_and(|c| c.until > delivered_at);
    if let (false, Some(until)) = (cooling, until) {
        recontact_cooldown::Entity::delete_by_id(r.to_owned())
            .exec(conn)
            .await?;
        recontact_cooldown::Entity::insert(recontact_cooldown::ActiveModel {
            respondent_hmac: Set(r.to_owned()),
            until: Set(until),
        })
        .exec_without_returning(conn)
        .await?;
    }
    Ok(cooling)
}

/// Sets how many times a service was delivered at a point on a day (integrations;
/// the denominator of response rates). Refused once the day's period is complete:
/// after that only a SUPERVISOR corrects it ([`correct_delivered`]).
pub async fn report_delivered(
    state: &AppState,
    actor: &Actor,
    service_id: ServiceId,
    point_id: ServicePointId,
    day: NaiveDate,
    count: i64,
) -> AppResult<i64> {
    authz::require_key(actor)?;
    check_delivered(state, day, count)?;
    let month =
        crate::domain::period::Period::containing(crate::domain::period::PeriodKind::Month, day)?;
    let complete = crate::services::conclusions::complete_at(state, &month).await?;
    if state.clock.now() >= complete {
        return Err(AppError::Conflict(format!(
            "{} is closed: its delivered counts are final; a SUPERVISOR may correct them with a reason",
            month.label()
        )));
    }
    let txn = crate::services::write::begin(state).await?;
    require_catalogue(&*txn, actor, service_id, point_id).await?;
    let previous =
        write_delivered(&*txn, service_id, point_id, day, count, state.clock.now()).await?;
    txn.finish(
        actor,
        state.clock.now(),
        Event {
            action: "DELIVERED_COUNT_REPORTED",
            target: Some(("SERVICE", service_id.uuid())),
            details: json!({ "servicePointId": point_id, "date": day, "count": count, "previous": previous }),
        },
    )
    .await?;
    Ok(count)
}

/// A SUPERVISOR's correction of a delivered count, also of a closed period, with a
/// reason (audited, with the count it replaces). The next closing concludes the
/// period again from the corrected data (late data).
pub async fn correct_delivered(
    state: &AppState,
    actor: &Actor,
    service_id: ServiceId,
    point_id: ServicePointId,
    day: NaiveDate,
    count: i64,
    reason: &str,
) -> AppResult<i64> {
    authz::require_global(actor, authz::Action::CorrectClosedData)?;
    check_delivered(state, day, count)?;
    let reason = crate::domain::text::reason(reason)?;
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    // Both must exist (a supervisor's scope is every institution).
    service::Entity::find_by_id(service_id.uuid())
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    service_point::Entity::find_by_id(point_id.uuid())
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let previous = write_delivered(&*txn, service_id, point_id, day, count, now).await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "DELIVERED_COUNT_CORRECTED",
            target: Some(("SERVICE", service_id.uuid())),
            details: json!({ "servicePointId": point_id, "date": day, "count": count, "previous": previous, "reason": reason }),
        },
    )
    .await?;
    Ok(count)
}

fn check_delivered(state: &AppState, day: NaiveDate, count: i64) -> AppResult<()> {
    let today = local_date(state, state.clock.now());
    if day > today || day < today - Duration::days(400) {
        return Err(AppError::bad_input(
            "date",
            "must be within the last 400 days, not in the future",
        ));
    }
    if !(0..=10_000_000).contains(&count) {
        return Err(AppError::bad_input("count", "must be 0-10,000,000"));
    }
    Ok(())
}

/// Replaces a day's delivered count; returns the count it replaced.
async fn write_delivered(
    conn: &impl ConnectionTrait,
    service_id: ServiceId,
    point_id: ServicePointId,
    day: NaiveDate,
    count: i64,
    now: DateTime<Utc>,
) -> AppResult<Option<i64>> {
    let (service_id, point_id) = (service_id.uuid(), point_id.uuid());
    let previous = delivered_count::Entity::find()
        .filter(delivered_count::Column::ServiceId.eq(service_id))
        .filter(delivered_count::Column::ServicePointId.eq(point_id))
        .filter(delivered_count::Column::Day.eq(day))
        .one(conn)
        .await?
        .map(|d| d.count);
    delivered_count::Entity::delete_many()
        .filter(delivered_count::Column::ServiceId.eq(service_id))
        .filter(delivered_count::Column::ServicePointId.eq(point_id))
        .filter(delivered_count::Column::Day.eq(day))
        .exec(conn)
        .await?;
    delivered_count::Entity::insert(delivered_count::ActiveModel {
        service_id: Set(service_id),
        service_point_id: Set(point_id),
        day: Set(day),
        count: Set(count),
        reported_at: Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(previous)
}

/// Clears what could link an expired invitation to anything (token and code hashes,
/// transaction reference, payload and submission hashes, the time it was issued), and forgets expired
/// cooldowns. Returns how many invitations were purged.
pub async fn purge_expired(state: &AppState) -> AppResult<u64> {
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    // By delivery day: what remains of a purged invitation is its day, at the day's
    // start (delivered and, if it was, used), nothing finer.
    let days: Vec<NaiveDate> = invitation::Entity::find()
        .select_only()
        .column(invitation::Column::DeliveryDate)
        .distinct()
        .filter(invitation::Column::ExpiresAt.lte(now))
        .filter(invitation::Column::PurgedAt.is_null())
        .into_tuple()
        .all(&*txn)
        .await?;
    let mut purged = 0;
    for day in days {
        let start = day_start(state, day);
        purged += invitation::Entity::update_many()
            .col_expr(
                invitation::Column::TransactionRef,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                invitation::Column::PayloadHash,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                invitation::Column::TokenHash,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                invitation::Column::CodeHash,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                invitation::Column::SubmissionHash,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                invitation::Column::IssuedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(invitation::Column::DeliveredAt, Expr::value(start))
            .col_expr(
                invitation::Column::UsedAt,
                Expr::case(
                    invitation::Column::UsedAt.is_null(),
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .finally(Expr::value(start))
                .into(),
            )
            .col_expr(invitation::Column::PurgedAt, Expr::value(now))
            .filter(invitation::Column::DeliveryDate.eq(day))
            .filter(invitation::Column::ExpiresAt.lte(now))
            .filter(invitation::Column::PurgedAt.is_null())
            .exec(&*txn)
            .await?
            .rows_affected;
    }
    recontact_cooldown::Entity::delete_many()
        .filter(recontact_cooldown::Column::Until.lte(now))
        .exec(&*txn)
        .await?;
    super::outbox::purge_expired(&*txn, now).await?;
    txn.finish_unaudited("the purge: what it clears must not be kept anywhere")
        .await?;
    // Every run: a vacuum cannot remove versions an open transaction may still
    // see, so the next run finishes what this one could not.
    forget_old_versions(state).await?;
    Ok(purged)
}

/// Makes what the purge cleared unreadable in the database files too: PostgreSQL
/// keeps the old row versions until a vacuum; SQLite (with `secure_delete`, which
/// zeroes freed space) keeps old pages in its write-ahead log until a checkpoint.
async fn forget_old_versions(state: &AppState) -> AppResult<()> {
    use sea_orm::DbBackend;
    let sql = match state.db.backend() {
        DbBackend::Postgres => "VACUUM invitations, recontact_cooldowns, delivery_outbox",
        DbBackend::Sqlite => "PRAGMA wal_checkpoint(TRUNCATE)",
        _ => return Ok(()),
    };
    state.db.conn().execute_unprepared(sql).await?;
    Ok(())
}
