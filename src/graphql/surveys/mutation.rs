//! Survey mutations.

use super::inputs::*;
use super::types::*;
use crate::domain::survey::{MAX_QUESTIONS, QUESTION_TEXT_MAX};
use crate::error::{AppError, AppResult};
use crate::graphql::common::{ctx, parse_id};
use crate::services::surveys::{self as svc, InvitationSettings, SurveyChanges};
use async_graphql::{Context, ID, MaybeUndefined, Object, Result};

/// Survey mutations (ADMIN, or a manager of the institution's subtree).
#[derive(Default)]
pub struct SurveyMutation;

pub(super) fn sid(id: &ID) -> AppResult<uuid::Uuid> {
    parse_id("surveyId", id)
}

#[Object]
impl SurveyMutation {
    /// Creates an empty draft survey.
    async fn create_survey(&self, c: &Context<'_>, input: CreateSurveyInput) -> Result<Survey> {
        let (state, actor) = ctx(c)?;
        let s = svc::create_survey(
            state,
            actor,
            parse_id("institutionId", &input.institution_id)?,
            input.title.parse("title", QUESTION_TEXT_MAX)?,
            input
                .description
                .map(|d| d.parse("description", 4000))
                .transpose()?,
            input
                .thank_you
                .map(|t| t.parse("thankYou", QUESTION_TEXT_MAX))
                .transpose()?,
        )
        .await?;
        Ok(Survey(s))
    }

    /// Creates a ready draft from a shipped template.
    async fn create_survey_from_template(
        &self,
        c: &Context<'_>,
        institution_id: ID,
        template: SurveyTemplate,
    ) -> Result<Survey> {
        let (state, actor) = ctx(c)?;
        Ok(Survey(
            svc::create_from_template(
                state,
                actor,
                parse_id("institutionId", &institution_id)?,
                template.into(),
            )
            .await?,
        ))
    }

    /// Changes the draft's texts (starts a new draft if the survey is published).
    async fn update_survey(
        &self,
        c: &Context<'_>,
        id: ID,
        input: UpdateSurveyInput,
    ) -> Result<SurveyVersion> {
        let (state, actor) = ctx(c)?;
        let changes = SurveyChanges {
            title: input
                .title
                .map(|t| t.parse("title", QUESTION_TEXT_MAX))
                .transpose()?,
            description: match input.description {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(d) => Some(Some(d.parse("description", 4000)?)),
            },
            thank_you: input
                .thank_you
                .map(|t| t.parse("thankYou", QUESTION_TEXT_MAX))
                .transpose()?,
        };
        Ok(SurveyVersion(
            svc::update_survey(state, actor, sid(&id)?, changes).await?,
        ))
    }

    /// Adds a question to the draft at `position` (0-based; default last).
    async fn add_question(
        &self,
        c: &Context<'_>,
        survey_id: ID,
        question: QuestionInput,
        position: Option<i32>,
    ) -> Result<SurveyVersion> {
        let (state, actor) = ctx(c)?;
        let pos = position
            .map(|p| {
                usize::try_from(p)
                    .map_err(|_| AppError::bad_input("position", "must not be negative"))
            })
            .transpose()?;
        Ok(SurveyVersion(
            svc::add_question(state, actor, sid(&survey_id)?, question.parse()?, pos).await?,
        ))
    }

    /// Replaces the draft's question `key` (the key stays).
    async fn update_question(
        &self,
        c: &Context<'_>,
        survey_id: ID,
        key: String,
        question: QuestionInput,
    ) -> Result<SurveyVersion> {
        let (state, actor) = ctx(c)?;
        Ok(SurveyVersion(
            svc::update_question(state, actor, sid(&survey_id)?, &key, question.parse()?).await?,
        ))
    }

    /// Removes question `key` from the draft.
    async fn remove_question(
        &self,
        c: &Context<'_>,
        survey_id: ID,
        key: String,
    ) -> Result<SurveyVersion> {
        let (state, actor) = ctx(c)?;
        Ok(SurveyVersion(
            svc::remove_question(state, actor, sid(&survey_id)?, &key).await?,
        ))
    }

    /// Puts the draft's questions in this order (every key once).
    async fn reorder_questions(
        &self,
        c: &Context<'_>,
        survey_id: ID,
        keys: Vec<String>,
    ) -> Result<SurveyVersion> {
        let (state, actor) = ctx(c)?;
        if keys.len() > MAX_QUESTIONS {
            return Err(AppError::bad_input("keys", "too many keys").into());
        }
        Ok(SurveyVersion(
            svc::reorder_questions(state, actor, sid(&survey_id)?, keys).await?,
        ))
    }

    /// Freezes the draft as an immutable published version.
    async fn publish_survey(&self, c: &Context<'_>, id: ID) -> Result<SurveyVersion> {
        let (state, actor) = ctx(c)?;
        Ok(SurveyVersion(
            svc::publish_survey(state, actor, sid(&id)?).await?,
        ))
    }

    /// Lets the survey's next version keep `key` with new words (SUPERVISOR only,
    /// with a reason; audited). The type and scale still may not change, and
    /// questions of national templates stay locked.
    async fn approve_question_reuse(
        &self,
        c: &Context<'_>,
        survey_id: ID,
        key: String,
        reason: String,
    ) -> Result<QuestionReuseApproval> {
        let (state, actor) = ctx(c)?;
        let a = svc::approve_question_reuse(state, actor, sid(&survey_id)?, &key, &reason).await?;
        Ok(QuestionReuseApproval {
            survey_id: ID(a.survey_id.to_string()),
            version: a.version,
            key: a.question_key,
            reason: a.reason,
            approved_at: a.approved_at,
        })
    }

    /// Stops new use of a survey.
    async fn archive_survey(&self, c: &Context<'_>, id: ID) -> Result<Survey> {
        let (state, actor) = ctx(c)?;
        Ok(Survey(svc::archive_survey(state, actor, sid(&id)?).await?))
    }

    /// Sets which published version a service uses (on one channel, or on all
    /// channels without their own assignment).
    async fn assign_survey(
        &self,
        c: &Context<'_>,
        service_id: ID,
        survey_version_id: ID,
        channel: Option<crate::graphql::vocab::Channel>,
    ) -> Result<SurveyAssignment> {
        let (state, actor) = ctx(c)?;
        let a = svc::assign_survey(
            state,
            actor,
            parse_id("serviceId", &service_id)?,
            parse_id("surveyVersionId", &survey_version_id)?,
            channel.map(Into::into),
        )
        .await?;
        Ok(a.into())
    }

    /// Sets a service's sampling rate, invitation expiry and recontact cooldown.
    async fn set_invitation_settings(
        &self,
        c: &Context<'_>,
        service_id: ID,
        input: InvitationSettingsObject,
    ) -> Result<InvitationSettingsObject> {
        let (state, actor) = ctx(c)?;
        let s = InvitationSettings {
            sampling_rate: input.sampling_rate,
            expiry_days: input.expiry_days,
            cooldown_days: input.cooldown_days,
        };
        Ok(
            svc::set_invitation_settings(state, actor, parse_id("serviceId", &service_id)?, s)
                .await?
                .into(),
        )
    }
}
