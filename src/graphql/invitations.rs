//! Invitations (integrations), the public invitation view and submitting responses.

use super::common::{Date, ctx, parse_id};
use super::surveys::{QuestionType, ShowIf};
use super::vocab::{Channel, RespondentKind};
use crate::domain::Locale;
use crate::domain::ids::{ServiceId, ServicePointId};
use crate::domain::survey::Answer;
use crate::services::invitations::{self as inv, IssueInput, Issued};
use crate::services::responses::{
    self as resp, FollowUpInput as FollowUp, InvitationStatus as Status, InvitationView, OpenInput,
    SubmitInput,
};
use crate::services::surveys::VersionView;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

/// What the delivering system reports right after delivering a service.
#[derive(InputObject)]
pub struct IssueInvitationInput {
    /// The service delivered.
    pub service_id: ID,
    /// Where it was delivered.
    pub service_point_id: ID,
    /// How it was delivered.
    pub channel: Channel,
    /// The delivering system's id of the transaction (1-200 characters). Sending it
    /// again returns the same answer.
    pub transaction_ref: String,
    /// When it was delivered: not in the future, not older than the expiry window.
    pub delivered_at: DateTime<Utc>,
    /// Preferred locale of the citizen (`mn`, `en`, `mn-Mong`, `kk`).
    pub locale: Option<String>,
    /// Phone or register number, used only to avoid asking the same person too
    /// often; stored as a keyed hash, never in clear.
    pub respondent_id: Option<String>,
    /// The citizen's phone or e-mail: Sanal sends the link itself. Required of an
    /// institution's own system (`INSTITUTION_SYSTEM` key), which never receives a
    /// token, code or link. Kept only until the message is sent; the cooldown uses
    /// its keyed hash when `respondentId` is not given.
    pub contact: Option<CitizenContact>,
    /// Whom the service was delivered to: a citizen or a legal entity. Carried to
    /// the response as a coarse segment (never an identity); reports split by it.
    pub respondent_kind: Option<RespondentKind>,
}

/// How Sanal reaches the citizen with their link: exactly one of the two.
#[derive(InputObject)]
pub struct CitizenContact {
    /// Mobile number: 8 digits (Mongolia), or `+` and 8-15 digits; spaces and
    /// dashes are ignored. Sent by SMS.
    pub phone: Option<String>,
    /// E-mail address. Sent by e-mail.
    pub email: Option<String>,
}

/// The answer to `issueInvitation`. Why a citizen was not invited is never told.
/// The token, code and link go only to a national platform's key: an institution's
/// own system gets `invited`, `expiresAt` and `sentBySanal`.
#[derive(SimpleObject)]
pub struct IssuedInvitation {
    /// Whether the citizen is invited.
    pub invited: bool,
    /// Secret token for the survey link (invited, national platform only).
    pub token: Option<String>,
    /// Short code for SMS or voice, `XXXX-XXXX` (invited, national platform only).
    pub code: Option<String>,
    /// The survey link: `SANAL_PUBLIC_BASE_URL` + token (invited, national platform only).
    pub link: Option<String>,
    /// When the invitation closes, counted from delivery (when invited).
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether Sanal sends the link to the contact given (when invited).
    pub sent_by_sanal: bool,
}

impl From<Issued> for IssuedInvitation {
    fn from(i: Issued) -> Self {
        Self {
            invited: i.invited,
            token: i.token,
            code: i.code,
            link: i.link,
            expires_at: i.expires_at,
            sent_by_sanal: i.sent_by_sanal,
        }
    }
}

/// Where an invitation stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum InvitationStatus {
    /// May be answered.
    Open,
    /// Already answered.
    Responded,
    /// Closed.
    Expired,
}

/// An option of a choice question, in the requested language.
#[derive(SimpleObject)]
pub struct PublicOption {
    /// Key to send back in `choices`.
    pub key: String,
    /// Label.
    pub label: String,
}

/// A question as the citizen's app shows it, in the requested language.
#[derive(SimpleObject)]
pub struct PublicQuestion {
    /// Key to send back in the answer.
    pub key: String,
    /// Kind: decides which answer field to use.
    #[graphql(name = "type")]
    pub kind: QuestionType,
    /// Question text.
    pub text: String,
    /// Help text.
    pub help: Option<String>,
    /// Whether an answer is required when shown.
    pub required: bool,
    /// Scale minimum.
    pub min: i32,
    /// Scale maximum.
    pub max: i32,
    /// Labels per scale point, `min` first.
    pub labels: Vec<String>,
    /// Options (choice questions).
    pub options: Vec<PublicOption>,
    /// Whether `other` with text may be chosen.
    pub allow_other: bool,
    /// Whether "not applicable" may be answered.
    pub allow_not_applicable: bool,
    /// Longest text answer.
    pub max_length: i32,
    /// Show only when an earlier answer matches.
    pub show_if: Option<ShowIf>,
}

/// What a citizen sees for an invitation.
pub struct PublicInvitation(pub InvitationView);

/// What a citizen sees for an invitation.
#[Object]
impl PublicInvitation {
    /// Whether it can still be answered.
    async fn status(&self) -> InvitationStatus {
        match self.0.status {
            Status::Open => InvitationStatus::Open,
            Status::Responded => InvitationStatus::Responded,
            Status::Expired => InvitationStatus::Expired,
        }
    }
    /// When it closes.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    /// Locale of the texts below (requested, else the invitation's, else `mn`).
    async fn locale(&self) -> &str {
        self.0.locale.tag()
    }
    /// The token, when the invitation was looked up by its short code: use it to submit.
    async fn token(&self) -> Option<&str> {
        self.0.token.as_deref()
    }
    /// Survey version to answer (send nothing else back; answers refer to keys).
    async fn survey_version_id(&self) -> ID {
        ID(self.0.survey.id.to_string())
    }
    /// Service delivered.
    async fn service_name(&self) -> &str {
        self.0.service_name.get(self.0.locale)
    }
    /// Institution that delivered it.
    async fn institution_name(&self) -> &str {
        self.0.institution_name.get(self.0.locale)
    }
    /// Survey title.
    async fn title(&self) -> &str {
        self.0.survey.content.title.get(self.0.locale)
    }
    /// Introduction.
    async fn description(&self) -> Option<&str> {
        self.0
            .survey
            .content
            .description
            .as_ref()
            .map(|d| d.get(self.0.locale))
    }
    /// Questions, in order.
    async fn questions(&self) -> Vec<PublicQuestion> {
        public_questions(&self.0.survey, self.0.locale)
    }
}

/// A survey version's questions as a citizen's screen shows them, in one locale.
fn public_questions(survey: &VersionView, l: Locale) -> Vec<PublicQuestion> {
    survey
        .content
        .questions
        .iter()
        .map(|q| PublicQuestion {
            key: q.key.clone(),
            kind: q.kind.into(),
            text: q.text.get(l).to_owned(),
            help: q.help.as_ref().map(|h| h.get(l).to_owned()),
            required: q.required,
            min: q.min,
            max: q.max,
            labels: q.labels.iter().map(|x| x.get(l).to_owned()).collect(),
            options: q
                .options
                .iter()
                .map(|o| PublicOption {
                    key: o.key.clone(),
                    label: o.label.get(l).to_owned(),
                })
                .collect(),
            allow_other: q.allow_other,
            allow_not_applicable: q.allow_not_applicable,
            max_length: q.max_length as i32,
            show_if: q.show_if.as_ref().map(Into::into),
        })
        .collect()
}

/// The survey of a service point's open channel (a view over the service's result).
pub struct OpenSurvey(pub resp::OpenSurveyView);

/// The survey of a service point's open channel, as a poster's or kiosk's screen
/// shows it: answer it with `submitOpenResponse(pointCode)`.
#[Object]
impl OpenSurvey {
    /// Locale of the texts below (requested, else `mn`).
    async fn locale(&self) -> &str {
        self.0.locale.tag()
    }
    /// Survey version to answer (answers refer to question keys).
    async fn survey_version_id(&self) -> ID {
        ID(self.0.survey.id.to_string())
    }
    /// Service the poster asks about.
    async fn service_name(&self) -> &str {
        self.0.service_name.get(self.0.locale)
    }
    /// Institution that delivers it.
    async fn institution_name(&self) -> &str {
        self.0.institution_name.get(self.0.locale)
    }
    /// Survey title.
    async fn title(&self) -> &str {
        self.0.survey.content.title.get(self.0.locale)
    }
    /// Introduction.
    async fn description(&self) -> Option<&str> {
        self.0
            .survey
            .content
            .description
            .as_ref()
            .map(|d| d.get(self.0.locale))
    }
    /// Questions, in order.
    async fn questions(&self) -> Vec<PublicQuestion> {
        public_questions(&self.0.survey, self.0.locale)
    }
}

/// One answer. RATING, NPS and FACES use `value` (faces 1–3); THUMBS uses `value`
/// 1 = up, 0 = down; choice questions use `choices` (option keys) plus `text` for
/// `other`; TEXT uses `text`.
#[derive(InputObject)]
pub struct AnswerInput {
    /// The question's key.
    pub question_key: String,
    /// Scale value.
    pub value: Option<i32>,
    /// Option keys.
    #[graphql(default)]
    pub choices: Vec<String>,
    /// Text.
    pub text: Option<String>,
    /// "Not applicable" (where offered).
    #[graphql(default)]
    pub not_applicable: bool,
}

impl From<AnswerInput> for Answer {
    fn from(a: AnswerInput) -> Self {
        Self {
            question_key: a.question_key,
            value: a.value,
            choices: a.choices,
            text: a.text,
            not_applicable: a.not_applicable,
        }
    }
}

/// Contact details for follow-up, kept apart from the answers and only with consent.
#[derive(InputObject)]
pub struct FollowUpInput {
    /// Phone number or e-mail.
    pub contact: String,
    /// Explicit consent to be contacted about this feedback.
    pub consent: bool,
}

/// A response to an invitation.
#[derive(InputObject)]
pub struct SubmitResponseInput {
    /// The invitation token.
    pub token: String,
    /// Answers.
    pub answers: Vec<AnswerInput>,
    /// Locale the survey was answered in.
    pub locale: Option<String>,
    /// Id made by the app for this submission: retrying with it returns the same success.
    pub client_submission_id: Option<String>,
    /// Optional follow-up contact (with consent).
    pub follow_up: Option<FollowUpInput>,
}

/// A response through a service point's open channel (QR poster or kiosk).
#[derive(InputObject)]
pub struct SubmitOpenResponseInput {
    /// The code printed on the service point's poster.
    pub point_code: String,
    /// A kiosk's device key, when sent from a kiosk.
    pub device_key: Option<String>,
    /// Answers.
    pub answers: Vec<AnswerInput>,
    /// Locale answered in.
    pub locale: Option<String>,
    /// Id made by the client for this submission: a retry is acknowledged, not stored twice.
    pub client_submission_id: Option<String>,
}

/// The acknowledgement of an accepted response. There is no response id, by design.
#[derive(SimpleObject)]
pub struct SubmissionAck {
    /// Always true.
    pub accepted: bool,
    /// Thank-you text in the response's language.
    pub thank_you: String,
}

/// A service point's open channel.
#[derive(SimpleObject)]
pub struct OpenChannel {
    /// Service point.
    pub service_point_id: ID,
    /// Code of the poster (`openSurvey(pointCode)`, `submitOpenResponse(pointCode)`).
    pub code: String,
    /// Address to print as the poster's QR code: `SANAL_PUBLIC_POSTER_BASE_URL`
    /// followed by the code; it opens the survey client.
    pub url: String,
    /// Service the poster asks about.
    pub service_id: ID,
}

/// A kiosk device of a service point.
#[derive(SimpleObject)]
pub struct KioskDevice {
    /// Id.
    pub id: ID,
    /// Service point.
    pub service_point_id: ID,
    /// Name.
    pub name: String,
    /// The device key, shown only now; the kiosk sends it with each response.
    pub device_key: Option<String>,
}

/// Public invitation queries.
#[derive(Default)]
pub struct InvitationQuery;

#[Object]
impl InvitationQuery {
    /// The survey behind an invitation, by its token or its short code (no account
    /// needed). Unknown tokens answer NOT_FOUND; repeated misses are rate-limited.
    async fn invitation(
        &self,
        c: &Context<'_>,
        token: Option<String>,
        code: Option<String>,
        locale: Option<String>,
    ) -> Result<PublicInvitation> {
        let (state, actor) = ctx(c)?;
        Ok(PublicInvitation(
            resp::get_invitation(
                state,
                actor,
                token.as_deref(),
                code.as_deref(),
                locale.as_deref(),
            )
            .await?,
        ))
    }

    /// The survey of a service point's open channel, by the code on its poster (no
    /// account needed); `serviceId`, when given, must be the poster's service; a
    /// kiosk adds its device key to get the kiosk's survey. Unknown codes answer
    /// NOT_FOUND; repeated misses are rate-limited.
    async fn open_survey(
        &self,
        c: &Context<'_>,
        point_code: String,
        service_id: Option<ID>,
        device_key: Option<String>,
        locale: Option<String>,
    ) -> Result<OpenSurvey> {
        let (state, actor) = ctx(c)?;
        let service_id = match service_id {
            Some(s) => Some(parse_id("serviceId", &s)?),
            None => None,
        };
        Ok(OpenSurvey(
            resp::get_open_survey(
                state,
                actor,
                &point_code,
                service_id,
                device_key.as_deref(),
                locale.as_deref(),
            )
            .await?,
        ))
    }
}

/// Invitation and response mutations.
#[derive(Default)]
pub struct InvitationMutation;

#[Object]
impl InvitationMutation {
    /// Issues the invitation for a delivered transaction (API key covering the
    /// service's institution). Idempotent per `(serviceId, transactionRef)`.
    async fn issue_invitation(
        &self,
        c: &Context<'_>,
        input: IssueInvitationInput,
    ) -> Result<IssuedInvitation> {
        let (state, actor) = ctx(c)?;
        let input = IssueInput {
            service_id: ServiceId(parse_id("serviceId", &input.service_id)?),
            service_point_id: ServicePointId(parse_id("servicePointId", &input.service_point_id)?),
            channel: input.channel.into(),
            transaction_ref: input.transaction_ref,
            delivered_at: crate::domain::period::instant("deliveredAt", input.delivered_at)?,
            locale: input.locale,
            respondent_id: input.respondent_id,
            contact: input
                .contact
                .map(|c| {
                    crate::delivery::parse_contact(c.phone.as_deref(), c.email.as_deref())
                        .map_err(|e| crate::error::AppError::bad_input("contact", e))
                })
                .transpose()?,
            respondent_kind: input.respondent_kind.map(Into::into),
        };
        Ok(inv::issue_invitation(state, actor, input).await?.into())
    }

    /// Sets (not adds) how many times a service was delivered at a point on a day:
    /// the denominator of response rates. Returns the count. CONFLICT once the
    /// day's period is complete (a SUPERVISOR corrects it then).
    async fn report_delivered_services(
        &self,
        c: &Context<'_>,
        service_id: ID,
        service_point_id: ID,
        date: Date,
        count: i32,
    ) -> Result<i32> {
        let (state, actor) = ctx(c)?;
        inv::report_delivered(
            state,
            actor,
            ServiceId(parse_id("serviceId", &service_id)?),
            ServicePointId(parse_id("servicePointId", &service_point_id)?),
            date.0,
            i64::from(count),
        )
        .await?;
        Ok(count)
    }

    /// Corrects a delivered count, also of a closed period (SUPERVISOR only), saying
    /// why. Audited with the count it replaces; the period is concluded again from
    /// the corrected data. Returns the count.
    async fn correct_delivered_services(
        &self,
        c: &Context<'_>,
        service_id: ID,
        service_point_id: ID,
        date: Date,
        count: i32,
        reason: String,
    ) -> Result<i32> {
        let (state, actor) = ctx(c)?;
        inv::correct_delivered(
            state,
            actor,
            ServiceId(parse_id("serviceId", &service_id)?),
            ServicePointId(parse_id("servicePointId", &service_point_id)?),
            date.0,
            i64::from(count),
            &reason,
        )
        .await?;
        Ok(count)
    }

    /// Answers an invitation (no account needed). Exactly one response per
    /// invitation; a retry with the same `clientSubmissionId` returns the same success.
    async fn submit_response(
        &self,
        c: &Context<'_>,
        input: SubmitResponseInput,
    ) -> Result<SubmissionAck> {
        let (state, actor) = ctx(c)?;
        let input = SubmitInput {
            token: input.token,
            answers: input.answers.into_iter().map(Into::into).collect(),
            locale: input.locale,
            client_submission_id: input.client_submission_id,
            follow_up: input.follow_up.map(|f| FollowUp {
                contact: f.contact,
                consent: f.consent,
            }),
        };
        let ack = resp::submit_response(state, actor, input).await?;
        Ok(SubmissionAck {
            accepted: true,
            thank_you: ack.thank_you,
        })
    }

    /// Answers through a service point's QR poster or kiosk (origin OPEN; reported
    /// apart from invited responses; rate-limited per client and per kiosk).
    async fn submit_open_response(
        &self,
        c: &Context<'_>,
        input: SubmitOpenResponseInput,
    ) -> Result<SubmissionAck> {
        let (state, actor) = ctx(c)?;
        let input = OpenInput {
            point_code: input.point_code,
            device_key: input.device_key,
            answers: input.answers.into_iter().map(Into::into).collect(),
            locale: input.locale,
            client_submission_id: input.client_submission_id,
        };
        let ack = resp::submit_open_response(state, actor, input).await?;
        Ok(SubmissionAck {
            accepted: true,
            thank_you: ack.thank_you,
        })
    }

    /// Opens a service point's open channel for a service; returns the poster code.
    async fn enable_open_channel(
        &self,
        c: &Context<'_>,
        service_point_id: ID,
        service_id: ID,
    ) -> Result<OpenChannel> {
        let (state, actor) = ctx(c)?;
        let o = resp::enable_open_channel(
            state,
            actor,
            ServicePointId(parse_id("servicePointId", &service_point_id)?),
            ServiceId(parse_id("serviceId", &service_id)?),
        )
        .await?;
        Ok(OpenChannel {
            service_point_id: ID(o.service_point_id.to_string()),
            url: format!("{}{}", state.config.public_poster_base_url, o.code),
            code: o.code,
            service_id: ID(o.service_id.to_string()),
        })
    }

    /// Registers a kiosk at a service point; its device key is returned once.
    async fn create_kiosk_device(
        &self,
        c: &Context<'_>,
        service_point_id: ID,
        name: String,
    ) -> Result<KioskDevice> {
        let (state, actor) = ctx(c)?;
        let k = resp::create_kiosk(
            state,
            actor,
            parse_id("servicePointId", &service_point_id)?,
            &name,
        )
        .await?;
        Ok(k.into())
    }

    /// Revokes a kiosk device: its key is refused from now on (idempotent).
    async fn revoke_kiosk_device(&self, c: &Context<'_>, id: ID) -> Result<KioskDevice> {
        let (state, actor) = ctx(c)?;
        Ok(resp::revoke_kiosk(state, actor, parse_id("id", &id)?)
            .await?
            .into())
    }
}

impl From<resp::KioskView> for KioskDevice {
    fn from(k: resp::KioskView) -> Self {
        Self {
            id: ID(k.id.to_string()),
            service_point_id: ID(k.service_point_id.to_string()),
            name: k.name,
            device_key: k.device_key,
        }
    }
}
