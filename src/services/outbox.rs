//! The delivery outbox: survey links Sanal sends to citizens itself, for
//! invitations issued by an institution's own system (which must never see the
//! link, or it could answer in the citizen's place).
//!
//! A row is written in the invitation's own transaction, so a committed invitation
//! is never without its message; it is sent after the commit by [`run_once`] —
//! called by a background loop woken at once after each issue and every few
//! seconds — and deleted as soon as it is sent, or given up (a permanent refusal,
//! [`MAX_ATTEMPTS`] failures, or the invitation expired or already answered). The
//! citizen's contact lives only in that row: Sanal keeps nothing of it afterwards
//! but the keyed hash used for recontact cooldowns.
//!
//! Several instances may run the loop on one database: a row is claimed by moving
//! its `next_attempt_at` forward with a compare-and-set, so each message is sent by
//! one instance at a time.
//!
//! In development (not `SANAL_PRODUCTION`), a contact kind with no adapter
//! configured is "sent" to the log instead (the link, with the contact masked), so
//! the flow can be followed on a fresh machine.

use super::invitation_links::{derive_code, derive_token};
use crate::delivery::{Contact, Outgoing};
use crate::domain::Locale;
use crate::domain::vocab::ContactKind;
use crate::error::AppResult;
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use entity::{delivery_outbox as outbox, invitation};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

/// Attempts before a message is given up.
pub const MAX_ATTEMPTS: i32 = 8;
/// Messages taken in one pass.
const BATCH: u64 = 50;
/// How long a claimed message is left to its sender before another may retry it.
const LEASE_SECS: i64 = 120;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct OutboxRun {
    /// Messages the adapters accepted (or, in development, logged).
    pub sent: u64,
    /// Messages that failed and wait for a retry.
    pub retrying: u64,
    /// Messages dropped: refused for good, too many failures, or no longer needed.
    pub given_up: u64,
}

/// Queues a link for `invitation_id` (in the invitation's transaction).
pub(crate) async fn enqueue(
    conn: &impl ConnectionTrait,
    invitation_id: Uuid,
    contact: &Contact,
    locale: Locale,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (kind, value) = match contact {
        Contact::Phone(p) => (ContactKind::Phone, p.clone()),
        Contact::Email(e) => (ContactKind::Email, e.clone()),
    };
    outbox::Entity::insert(outbox::ActiveModel {
        id: Set(super::new_id()),
        invitation_id: Set(invitation_id),
        contact_kind: Set(kind.as_str().to_owned()),
        contact: Set(value),
        locale: Set(locale.tag().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        expires_at: Set(expires_at),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Whether this server can send to `contact` (an adapter is configured, or it is
/// a development server, which logs instead).
pub fn can_send(state: &AppState, contact: &Contact) -> bool {
    state.deliverer.can_send(contact) || !state.config.production
}

/// Sends what is due; returns what happened.
pub async fn run_once(state: &AppState) -> AppResult<OutboxRun> {
    let now = state.clock.now();
    let conn = state.db.conn();
    let due = outbox::Entity::find()
        .filter(outbox::Column::NextAttemptAt.lte(now))
        .order_by_asc(outbox::Column::NextAttemptAt)
        .limit(BATCH)
        .all(conn)
        .await?;
    let mut run = OutboxRun::default();
    for row in due {
        if !claim(state, &row, now).await? {
            continue;
        }
        match attempt(state, &row, now).await? {
            Outcome::Sent => run.sent += 1,
            Outcome::Retry => run.retrying += 1,
            Outcome::GiveUp => run.given_up += 1,
        }
    }
    if run != OutboxRun::default() {
        metrics::counter!("sanal_outbox_sent_total").increment(run.sent);
        metrics::counter!("sanal_outbox_retries_total").increment(run.retrying);
        metrics::counter!("sanal_outbox_given_up_total").increment(run.given_up);
    }
    Ok(run)
}

/// Takes `row` for this instance for [`LEASE_SECS`]; false if another did first.
async fn claim(state: &AppState, row: &outbox::Model, now: DateTime<Utc>) -> AppResult<bool> {
    let taken = outbox::Entity::update_many()
        .col_expr(
            outbox::Column::NextAttemptAt,
            Expr::value(now + Duration::seconds(LEASE_SECS)),
        )
        .filter(outbox::Column::Id.eq(row.id))
        .filter(outbox::Column::NextAttemptAt.eq(row.next_attempt_at))
        .exec(state.db.conn())
        .await?
        .rows_affected;
    Ok(taken == 1)
}

enum Outcome {
    Sent,
    Retry,
    GiveUp,
}

async fn attempt(state: &AppState, row: &outbox::Model, now: DateTime<Utc>) -> AppResult<Outcome> {
    let conn = state.db.conn();
    let inv = invitation::Entity::find_by_id(row.invitation_id)
        .one(conn)
        .await?;
    let Some(inv) = inv.filter(|i| i.used_at.is_none() && i.expires_at > now && i.invited) else {
        // Answered, expired or gone: nothing worth sending.
        delete(state, row.id).await?;
        return Ok(Outcome::GiveUp);
    };
    let contact = match ContactKind::parse(&row.contact_kind) {
        Some(ContactKind::Phone) => Contact::Phone(row.contact.clone()),
        Some(ContactKind::Email) => Contact::Email(row.contact.clone()),
        None => {
            delete(state, row.id).await?;
            return Ok(Outcome::GiveUp);
        }
    };
    let locale = Locale::parse(&row.locale).unwrap_or(Locale::Mn);
    let msg = compose(state, &inv, contact, locale).await?;
    if !state.deliverer.can_send(&msg.contact) {
        if state.config.production {
            // Configuration changed since the invitation was issued.
            tracing::warn!(
                invitation_outbox = %row.id,
                "no adapter for this contact kind any more; message dropped"
            );
            delete(state, row.id).await?;
            return Ok(Outcome::GiveUp);
        }
        tracing::info!(
            to = %masked(&msg.contact),
            link = %msg.text.lines().last().unwrap_or_default(),
            "development server: no delivery adapter configured, the survey link is logged instead of sent"
        );
        delete(state, row.id).await?;
        return Ok(Outcome::Sent);
    }
    match state.deliverer.send(&msg).await {
        Ok(()) => {
            delete(state, row.id).await?;
            Ok(Outcome::Sent)
        }
        Err(e) if e.retryable && row.attempts + 1 < MAX_ATTEMPTS => {
            let next = now + backoff(row.attempts + 1);
            let error: String = e.message.chars().take(500).collect();
            outbox::Entity::update_many()
                .col_expr(outbox::Column::Attempts, Expr::value(row.attempts + 1))
                .col_expr(outbox::Column::NextAttemptAt, Expr::value(next))
                .col_expr(outbox::Column::LastError, Expr::value(Some(error)))
                .filter(outbox::Column::Id.eq(row.id))
                .exec(conn)
                .await?;
            tracing::warn!(attempt = row.attempts + 1, error = %e.message, "sending a survey link failed; will retry");
            Ok(Outcome::Retry)
        }
        Err(e) => {
            tracing::warn!(attempts = row.attempts + 1, error = %e.message, "sending a survey link failed for good; given up");
            delete(state, row.id).await?;
            Ok(Outcome::GiveUp)
        }
    }
}

/// Wait before attempt `n + 1`: 30 s doubling, at most an hour.
fn backoff(n: i32) -> Duration {
    let secs = 30_i64.saturating_mul(1_i64 << n.clamp(0, 7));
    Duration::seconds(secs.min(3600))
}

async fn delete(state: &AppState, id: Uuid) -> AppResult<()> {
    outbox::Entity::delete_by_id(id)
        .exec(state.db.conn())
        .await?;
    Ok(())
}

/// The last characters of a contact, for logs.
fn masked(c: &Contact) -> String {
    let s = match c {
        Contact::Phone(p) => p,
        Contact::Email(e) => e.split('@').nth(1).unwrap_or_default(),
    };
    let tail: String = s
        .chars()
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    match c {
        Contact::Phone(_) => format!("***{tail}"),
        Contact::Email(_) => format!("***@…{tail}"),
    }
}

/// The message: who asks, about what, the link (last line) and the short code.
async fn compose(
    state: &AppState,
    inv: &invitation::Model,
    contact: Contact,
    l: Locale,
) -> AppResult<Outgoing> {
    let (_, service, institution) =
        super::catalogue::names(state.db.conn(), inv.service_id).await?;
    let link = format!(
        "{}{}",
        state.config.public_base_url,
        derive_token(state, inv.id)
    );
    let code = derive_code(state, inv.id);
    let until = inv
        .expires_at
        .with_timezone(&state.config.timezone)
        .format("%Y-%m-%d");
    let (service, institution) = (service.get(l), institution.get(l));
    let (subject, text) = match l {
        Locale::En => (
            format!("{institution}: how was the service?"),
            format!(
                "{institution} asks for your opinion of \"{service}\" (anonymous, 2 minutes, until {until}). Code {code}.\n{link}"
            ),
        ),
        Locale::Kk => (
            format!("{institution}: қызмет қалай болды?"),
            format!(
                "{institution} «{service}» қызметі туралы пікіріңізді сұрайды (жасырын, {until} дейін). Код {code}.\n{link}"
            ),
        ),
        // Traditional script is shown in the survey itself; messages go in Cyrillic.
        Locale::Mn | Locale::MnMong => (
            format!("{institution}: үйлчилгээ ямар байсан бэ?"),
            format!(
                "{institution} «{service}» үйлчилгээний талаарх таны саналыг хүсч байна (нэргүй, {until} хүртэл). Код {code}.\n{link}"
            ),
        ),
    };
    Ok(Outgoing {
        contact,
        subject,
        text,
    })
}

/// Forgets queued messages of invitations that have expired (the purge).
pub(crate) async fn purge_expired(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    Ok(outbox::Entity::delete_many()
        .filter(outbox::Column::ExpiresAt.lte(now))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Runs the outbox until the process stops: at once when woken, else every
/// `poll`.
pub async fn run_loop(state: AppState, poll: std::time::Duration) {
    loop {
        tokio::select! {
            () = state.outbox_wake.notified() => {}
            () = tokio::time::sleep(poll) => {}
        }
        // Drain what is due, a batch at a time.
        loop {
            match run_once(&state).await {
                Ok(run) if run.sent + run.given_up + run.retrying >= BATCH => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "the delivery outbox failed; will try again");
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_thirty_seconds_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(60));
        assert_eq!(backoff(0), Duration::seconds(30));
        assert_eq!(backoff(7), Duration::seconds(3600));
        assert_eq!(backoff(100), Duration::seconds(3600));
    }

    #[test]
    fn logs_show_only_the_end_of_a_contact() {
        assert_eq!(masked(&Contact::Phone("+97699112233".into())), "***233");
        assert_eq!(masked(&Contact::Email("bat@mail.mn".into())), "***@….mn");
    }
}
