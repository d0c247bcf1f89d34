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
//!   of four segments, as coarse as the channel), the respondent kind when the
//!   delivering system gave one (individual or legal entity), locale, the local
//!   **date** of the delivered service (open channel: of the submission) and the
//!   answers. Ids are random UUIDv4 (no time in them); there is no per-response
//!   timestamp, no invitation id, transaction reference, respondent hash, client
//!   submission id or IP address. A test checks these columns against an allow-list.
//! - The invitation records only that it was used (`used_at`, the start of the
//!   local day, nothing finer) and a hash of the client submission id so a retry
//!   gets the same acknowledgement.
//! - Responses are stored by the [group writer](writer): a group's invitations are
//!   marked used in invitation-id order, its responses inserted in a random order of
//!   their own, in one transaction. PostgreSQL's `xmin` and the physical order
//!   (`ctid`, SQLite's `rowid`) therefore point to a group, not to one invitation.
//! - After an invitation's expiry window, [`purge_expired`](super::invitations::purge_expired)
//!   clears every field that could link it (token and code hashes, transaction
//!   reference, payload and submission hashes, time of issue) and keeps of its
//!   delivery and use only the day; it then vacuums (PostgreSQL) or truncates the
//!   write-ahead log (SQLite, which runs with `secure_delete`), so the cleared
//!   values are not left in old row versions or free pages. The respondent's keyed
//!   hash never sits on the invitation: cooldowns live in a table of (hash, until)
//!   only, and `until` is a local midnight one or two days (at random) after the
//!   cooldown, so it gives back neither the delivery's time nor surely its day.
//! - What remains: a day-granular join between "an invitation of service S at point
//!   P was used" and "a response for S at P on that day". On a day with a single
//!   delivery at a point, that identifies the transaction; reports therefore
//!   suppress small cells (see the reporting work), and exports never include both.
//!   Groups are as large as the traffic makes them: a lone submission at night is a
//!   group of one, and the order of groups stays in the files, so such a response
//!   is linkable by physical order (and by `xmin` until its invitation is purged).
//!   `tests/unlinkability.rs` replays each attack on 24 concurrent answers.
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
mod writer;

pub use lookup::*;
pub use open::*;
pub use read::*;
pub use submit::*;
pub use writer::store_group_fn;

pub(crate) use super::catalogue::names;
use crate::auth::Actor;
use crate::auth::secrets::sha256_hex;
use crate::error::{AppError, AppResult, InvalidField};
use crate::state::AppState;

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
/// this protects, and the operation gate bounds how many run at once.) The count is
/// shared by every instance on PostgreSQL.
async fn check_guessing(state: &AppState, actor: &Actor) -> AppResult<()> {
    crate::services::throttles::window_check(
        state,
        &miss_key(actor),
        state.config.invitation_misses_per_client,
        state.clock.now(),
    )
    .await
}

/// Counts a miss and gives the `NOT_FOUND` to answer.
async fn missed(state: &AppState, actor: &Actor) -> AppError {
    let counted = crate::services::throttles::window_hit(
        state,
        &miss_key(actor),
        MISS_WINDOW,
        state.clock.now(),
    )
    .await;
    match counted {
        Ok(()) => AppError::NotFound,
        Err(e) => e,
    }
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
