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
//!   (at response time), channel, origin (`INVITED` / `OPEN`) and provenance (how
//!   the citizen came: national platform, institution system, poster, kiosk — one
//!   of four segments, as coarse as the channel), locale, the local
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
//! - A contact an institution's system passed so that Sanal sends the link lives
//!   only in the delivery outbox until it is sent, then is deleted (see
//!   [`outbox`](super::outbox)); it is never on the invitation.
//! - Follow-up contact details are stored only with explicit consent, in their own
//!   table, readable only by the institution's managers.
//!
//! Nobody — no role, no API key — can change or delete a response through the API.

mod lookup;
mod open;
mod read;
mod submit;

pub use lookup::*;
pub use open::*;
pub use read::*;
pub use submit::*;

pub(crate) use super::catalogue::names;
use crate::auth::Actor;
use crate::auth::secrets::sha256_hex;
use crate::domain::Locale;
use crate::domain::catalogue::Channel;
use crate::domain::survey::Answer;
use crate::domain::vocab::Provenance;
use crate::error::{AppError, AppResult, InvalidField};
use crate::state::AppState;
use chrono::NaiveDate;
use entity::{follow_up, response, response_answer};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde_json::json;
use uuid::Uuid;

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

/// The acknowledgement of an accepted response (no response id, by design).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    /// Thank-you text in the response's locale.
    pub thank_you: String,
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
    channel: Channel,
    provenance: Provenance,
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
        channel: Set(r.channel.as_str().to_owned()),
        origin: Set(r.provenance.origin().as_str().to_owned()),
        provenance: Set(r.provenance.as_str().to_owned()),
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
            provenance: r.provenance,
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
