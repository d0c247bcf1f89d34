//! Reading responses and follow-up contacts (institution users).

use super::common::{Date, connection_type, ctx, page, parse_id};
use super::vocab::Channel;
use crate::services::responses::{self as resp, FollowUpView, ResponseFilter, ResponseView};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

connection_type!(ResponseConnection, ResponseEdge, Response, "responses");
connection_type!(
    FollowUpConnection,
    FollowUpEdge,
    FollowUp,
    "follow-up requests"
);

pub use super::vocab::ResponseOrigin;

/// One stored answer.
#[derive(SimpleObject)]
pub struct AnswerValue {
    /// Question key.
    pub question_key: String,
    /// Scale value.
    pub value: Option<i32>,
    /// Option keys.
    pub choices: Vec<String>,
    /// Text (comments, `other`).
    pub text: Option<String>,
    /// Answered "not applicable".
    pub not_applicable: bool,
}

/// An anonymous response: no time of day, no link to any invitation or person.
pub struct Response(pub ResponseView);

/// An anonymous response: no time of day, no link to any invitation or person.
#[Object]
impl Response {
    /// Random id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Survey version answered.
    async fn survey_version_id(&self) -> ID {
        ID(self.0.survey_version_id.to_string())
    }
    /// Service.
    async fn service_id(&self) -> ID {
        ID(self.0.service_id.to_string())
    }
    /// Service point.
    async fn service_point_id(&self) -> ID {
        ID(self.0.service_point_id.to_string())
    }
    /// Channel of the delivery (open channel: IN_PERSON for posters, KIOSK for kiosks).
    async fn channel(&self) -> Option<Channel> {
        Some(self.0.channel.into())
    }
    /// Invited or open channel.
    async fn origin(&self) -> ResponseOrigin {
        self.0.origin.into()
    }
    /// How the citizen came: national platform, the institution's own system, a QR
    /// poster or a kiosk.
    async fn provenance(&self) -> super::vocab::Provenance {
        self.0.provenance.into()
    }
    /// Locale answered in.
    async fn locale(&self) -> &str {
        &self.0.locale
    }
    /// Local date of the delivered service (open channel: of the response).
    async fn date(&self) -> Date {
        Date(self.0.date)
    }
    /// Answers.
    async fn answers(&self) -> Vec<AnswerValue> {
        answer_values(&self.0.answers)
    }
}

fn answer_values(answers: &[crate::domain::survey::Answer]) -> Vec<AnswerValue> {
    answers
        .iter()
        .map(|a| AnswerValue {
            question_key: a.question_key.clone(),
            value: a.value,
            choices: a.choices.clone(),
            text: a.text.clone(),
            not_applicable: a.not_applicable,
        })
        .collect()
}

/// Contact details a respondent left, with consent, to be contacted about their feedback.
pub struct FollowUp(pub FollowUpView);

/// Contact details a respondent left, with consent, to be contacted about their feedback.
#[Object]
impl FollowUp {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The answers left with this contact (shared by the respondent's consent; the
    /// response itself is not named, so it cannot be found among the others).
    async fn answers(&self) -> Vec<AnswerValue> {
        answer_values(&self.0.answers)
    }
    /// Service.
    async fn service_id(&self) -> ID {
        ID(self.0.service_id.to_string())
    }
    /// Phone or e-mail.
    async fn contact(&self) -> &str {
        &self.0.contact
    }
    /// Date it was left.
    async fn date(&self) -> Date {
        Date(self.0.date)
    }
}

/// Filters for `responses`.
#[derive(InputObject, Default)]
pub struct ResponseFilterInput {
    /// Institution, with its subtree.
    pub institution_id: Option<ID>,
    /// Service.
    pub service_id: Option<ID>,
    /// Service point.
    pub service_point_id: Option<ID>,
    /// Channel.
    pub channel: Option<Channel>,
    /// Invited or open channel.
    pub origin: Option<ResponseOrigin>,
    /// From this date (inclusive).
    pub from: Option<Date>,
    /// To this date (inclusive).
    pub to: Option<Date>,
    /// Only responses that answered this question…
    pub question_key: Option<String>,
    /// …with this value.
    pub value: Option<i32>,
}

/// Response queries.
#[derive(Default)]
pub struct ResponseQuery;

#[Object]
impl ResponseQuery {
    /// Responses of the caller's institutions (ADMIN, SUPERVISOR: all). Reading
    /// comments is recorded in the audit log.
    async fn responses(
        &self,
        c: &Context<'_>,
        filter: Option<ResponseFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ResponseConnection> {
        let (state, actor) = ctx(c)?;
        let f = filter.unwrap_or_default();
        let id = |i: &Option<ID>, n: &str| i.as_ref().map(|x| parse_id(n, x)).transpose();
        let filter = ResponseFilter {
            institution_id: id(&f.institution_id, "institutionId")?,
            service_id: id(&f.service_id, "serviceId")?,
            service_point_id: id(&f.service_point_id, "servicePointId")?,
            channel: f.channel.map(Into::into),
            origin: f.origin.map(Into::into),
            from: f.from.map(|d| d.0),
            to: f.to.map(|d| d.0),
            question_key: f.question_key,
            value: f.value,
        };
        let p = resp::list_responses(state, actor, filter, page(first, after)?).await?;
        Ok(ResponseConnection::from_page(p, |r| r.id, Response))
    }

    /// Follow-up contacts left for the caller's institutions (managers; reads are audited).
    async fn follow_ups(
        &self,
        c: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<FollowUpConnection> {
        let (state, actor) = ctx(c)?;
        let p = resp::list_follow_ups(state, actor, page(first, after)?).await?;
        Ok(FollowUpConnection::from_page(p, |f| f.id, FollowUp))
    }
}
