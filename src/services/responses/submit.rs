//! Answering an invitation: exactly once, whatever the number of concurrent tries.

use super::lookup::find_invitation;
use super::{Ack, answer_errors, submission_hash};
use crate::auth::Actor;
use crate::authz;
use crate::domain::Locale;
use crate::domain::catalogue::Channel;
use crate::domain::submission::{Bump, Claim, Outcome, Submission};
use crate::domain::survey::{Answer, validate_answers};
use crate::domain::vocab::Provenance;
use crate::error::{AppError, AppResult};
use crate::services::surveys::version_unchecked;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::invitation;
use sea_orm::EntityTrait;

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
    let svc = crate::services::catalogue::service_of(conn, i.service_id).await?;
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

    let fast = crate::services::integrity::is_fast(i.issued_at, now);
    let submission = Submission {
        claim: Some(Claim {
            invitation_id: i.id,
            submission_hash: hash.clone(),
            now,
            used_on: crate::services::invitations::start_of_local_day(state, now),
        }),
        version_id,
        service_id: i.service_id,
        point_id: i.service_point_id,
        institution_id: svc.institution_id,
        channel: Channel::parse(&i.channel)
            .ok_or_else(|| AppError::internal("stored invitation: unknown channel"))?,
        // An unknown stored provenance is trusted least.
        provenance: Provenance::parse(&i.provenance).unwrap_or(Provenance::InstitutionSystem),
        respondent_kind: i
            .respondent_kind
            .as_deref()
            .and_then(crate::domain::vocab::RespondentKind::parse),
        locale,
        date: i.delivery_date,
        answers,
        follow_up,
        bumps: fast
            .then(|| Bump {
                day: i.delivery_date,
                service_id: i.service_id,
                institution_id: svc.institution_id,
                signal: crate::services::integrity::counter::FAST_ANSWER,
                source: String::new(),
            })
            .into_iter()
            .collect(),
    };
    // The group writer's conditional update is the one place that decides who
    // answers: of any number of concurrent submissions exactly one changes the row.
    if state.writer.store(submission).await? == Outcome::Lost {
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
    Ok(ack)
}
