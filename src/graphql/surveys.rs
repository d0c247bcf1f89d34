//! Surveys, versions, questions, templates, assignments and invitation settings.

use super::common::{
    LocalizedTextInput, LocalizedTextObject, connection_type, ctx, page, parse_id,
};
pub use super::vocab::{Driver, QuestionType};
use crate::domain::survey::{self as dom, MAX_QUESTIONS, QUESTION_TEXT_MAX};
use crate::domain::templates::{self, Template};
use crate::error::{AppError, AppResult};
use crate::services::surveys::{
    self as svc, InvitationSettings, SurveyChanges, SurveyFilter, SurveyView, VersionView,
};
use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

connection_type!(SurveyConnection, SurveyEdge, Survey, "surveys");

/// Lifecycle of a survey.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum SurveyStatus {
    /// Never published; may be edited.
    Draft,
    /// Has a published version; editing starts a new draft version.
    Published,
    /// No new use.
    Archived,
}

impl From<svc::SurveyStatus> for SurveyStatus {
    fn from(s: svc::SurveyStatus) -> Self {
        match s {
            svc::SurveyStatus::Draft => Self::Draft,
            svc::SurveyStatus::Published => Self::Published,
            svc::SurveyStatus::Archived => Self::Archived,
        }
    }
}

impl From<SurveyStatus> for svc::SurveyStatus {
    fn from(s: SurveyStatus) -> Self {
        match s {
            SurveyStatus::Draft => Self::Draft,
            SurveyStatus::Published => Self::Published,
            SurveyStatus::Archived => Self::Archived,
        }
    }
}

/// Templates shipped with Sanal; their keys, scales and drivers never change.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum SurveyTemplate {
    /// Indonesia's SKM: the nine service elements on 1–4, plus a comment.
    #[graphql(name = "SKM_9")]
    Skm9,
    /// US OMB A-11 v1: seven drivers on a 5-point agree scale, plus a comment.
    #[graphql(name = "A11_V1")]
    A11V1,
    /// US OMB A-11 v2: trust thumbs, what went well / didn't, a comment.
    #[graphql(name = "A11_V2")]
    A11V2,
    /// Three faces and a comment (counters, kiosks).
    #[graphql(name = "FACES_3")]
    Faces3,
}

impl From<SurveyTemplate> for Template {
    fn from(t: SurveyTemplate) -> Self {
        match t {
            SurveyTemplate::Skm9 => Self::Skm9,
            SurveyTemplate::A11V1 => Self::A11V1,
            SurveyTemplate::A11V2 => Self::A11V2,
            SurveyTemplate::Faces3 => Self::Faces3,
        }
    }
}

impl From<Template> for SurveyTemplate {
    fn from(t: Template) -> Self {
        match t {
            Template::Skm9 => Self::Skm9,
            Template::A11V1 => Self::A11V1,
            Template::A11V2 => Self::A11V2,
            Template::Faces3 => Self::Faces3,
        }
    }
}

/// An option of a choice question.
#[derive(SimpleObject)]
pub struct ChoiceOption {
    /// Stable key, sent back in `choices`.
    pub key: String,
    /// Label.
    pub label: LocalizedTextObject,
}

/// Show a question only when an earlier answer matches.
#[derive(SimpleObject, Clone)]
pub struct ShowIf {
    /// The earlier question.
    pub question_key: String,
    /// Shown when that scale answer's value is one of these.
    pub values: Vec<i32>,
    /// Shown when that choice answer includes one of these options.
    pub choices: Vec<String>,
}

impl From<&dom::ShowIf> for ShowIf {
    fn from(s: &dom::ShowIf) -> Self {
        Self {
            question_key: s.question_key.clone(),
            values: s.values.clone(),
            choices: s.choices.clone(),
        }
    }
}

/// A question of a survey version.
pub struct Question(pub dom::Question);

/// A question of a survey version.
#[Object]
impl Question {
    /// Stable key, kept across versions (answers refer to it).
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// Kind of question.
    #[graphql(name = "type")]
    async fn kind(&self) -> QuestionType {
        self.0.kind.into()
    }
    /// Question text.
    async fn text(&self) -> LocalizedTextObject {
        LocalizedTextObject(self.0.text.clone())
    }
    /// Help text.
    async fn help(&self) -> Option<LocalizedTextObject> {
        self.0.help.clone().map(LocalizedTextObject)
    }
    /// Whether an answer is required when the question is shown.
    async fn required(&self) -> bool {
        self.0.required
    }
    /// Driver measured.
    async fn driver(&self) -> Option<Driver> {
        self.0.driver.map(Into::into)
    }
    /// Scale minimum (scale questions).
    async fn min(&self) -> i32 {
        self.0.min
    }
    /// Scale maximum (scale questions).
    async fn max(&self) -> i32 {
        self.0.max
    }
    /// Labels per scale point, `min` first.
    async fn labels(&self) -> Vec<LocalizedTextObject> {
        self.0
            .labels
            .iter()
            .cloned()
            .map(LocalizedTextObject)
            .collect()
    }
    /// Options (choice questions).
    async fn options(&self) -> Vec<ChoiceOption> {
        self.0
            .options
            .iter()
            .map(|o| ChoiceOption {
                key: o.key.clone(),
                label: LocalizedTextObject(o.label.clone()),
            })
            .collect()
    }
    /// Whether the option `other` with free text is offered.
    async fn allow_other(&self) -> bool {
        self.0.allow_other
    }
    /// Whether "not applicable" may be answered.
    async fn allow_not_applicable(&self) -> bool {
        self.0.allow_not_applicable
    }
    /// Longest text answer in characters (TEXT questions and `other`).
    async fn max_length(&self) -> i32 {
        self.0.max_length as i32
    }
    /// Display condition.
    async fn show_if(&self) -> Option<ShowIf> {
        self.0.show_if.as_ref().map(Into::into)
    }
}

/// Status of a survey version.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum VersionStatus {
    /// Being edited.
    Draft,
    /// Frozen; responses point to it.
    Published,
}

/// One version of a survey. A published version never changes.
pub struct SurveyVersion(pub VersionView);

/// One version of a survey. A published version never changes.
#[Object]
impl SurveyVersion {
    /// Id (responses point to it).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Survey.
    async fn survey_id(&self) -> ID {
        ID(self.0.survey_id.to_string())
    }
    /// 1, 2, …
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Draft or published.
    async fn status(&self) -> VersionStatus {
        if self.0.draft {
            VersionStatus::Draft
        } else {
            VersionStatus::Published
        }
    }
    /// Title.
    async fn title(&self) -> LocalizedTextObject {
        LocalizedTextObject(self.0.content.title.clone())
    }
    /// Introduction shown before the questions.
    async fn description(&self) -> Option<LocalizedTextObject> {
        self.0.content.description.clone().map(LocalizedTextObject)
    }
    /// Shown after a response is accepted.
    async fn thank_you(&self) -> LocalizedTextObject {
        LocalizedTextObject(self.0.content.thank_you.clone())
    }
    /// Questions, in order.
    async fn questions(&self) -> Vec<Question> {
        self.0
            .content
            .questions
            .iter()
            .cloned()
            .map(Question)
            .collect()
    }
    /// SHA-256 (hex) of the canonical content, set when published.
    async fn content_hash(&self) -> Option<&str> {
        self.0.content_hash.as_deref()
    }
    /// When it was published.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
}

/// A survey owned by an institution.
pub struct Survey(pub SurveyView);

/// A survey owned by an institution.
#[Object]
impl Survey {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Owning institution.
    async fn institution_id(&self) -> ID {
        ID(self.0.institution_id.to_string())
    }
    /// Lifecycle.
    async fn status(&self) -> SurveyStatus {
        self.0.status.into()
    }
    /// Title of the newest version.
    async fn title(&self) -> LocalizedTextObject {
        LocalizedTextObject(self.0.title.clone())
    }
    /// Template it was created from.
    async fn template(&self) -> Option<&str> {
        self.0.template.as_deref()
    }
    /// Created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Every version, newest first.
    async fn versions(&self, c: &Context<'_>) -> Result<Vec<SurveyVersion>> {
        let (state, actor) = ctx(c)?;
        Ok(svc::survey_versions(state, actor, self.0.id)
            .await?
            .into_iter()
            .map(SurveyVersion)
            .collect())
    }
    /// The draft being edited, if any.
    async fn draft(&self, c: &Context<'_>) -> Result<Option<SurveyVersion>> {
        let (state, actor) = ctx(c)?;
        Ok(svc::survey_versions(state, actor, self.0.id)
            .await?
            .into_iter()
            .find(|v| v.draft)
            .map(SurveyVersion))
    }
    /// The newest published version, if any.
    async fn latest_published(&self, c: &Context<'_>) -> Result<Option<SurveyVersion>> {
        let (state, actor) = ctx(c)?;
        Ok(svc::survey_versions(state, actor, self.0.id)
            .await?
            .into_iter()
            .find(|v| !v.draft)
            .map(SurveyVersion))
    }
}

/// A shipped template, to preview before creating a survey from it.
#[derive(SimpleObject)]
pub struct SurveyTemplateInfo {
    /// Which template.
    pub template: SurveyTemplate,
    /// Title.
    pub title: LocalizedTextObject,
    /// Questions.
    pub questions: Vec<Question>,
}

/// An option of a choice question.
#[derive(InputObject)]
pub struct ChoiceOptionInput {
    /// Stable key: 1-64 of a-z, 0-9, '_' (not `other`, which `allowOther` adds).
    pub key: String,
    /// Label.
    pub label: LocalizedTextInput,
}

/// Show a question only when an earlier answer matches.
#[derive(InputObject)]
pub struct ShowIfInput {
    /// The earlier question's key.
    pub question_key: String,
    /// Scale values that show this question.
    #[graphql(default)]
    pub values: Vec<i32>,
    /// Option keys that show this question.
    #[graphql(default)]
    pub choices: Vec<String>,
}

/// A question to add or replace.
#[derive(InputObject)]
pub struct QuestionInput {
    /// Stable key: 1-64 of a-z, 0-9, '_', starting with a letter.
    pub key: String,
    /// Kind of question.
    #[graphql(name = "type")]
    pub kind: QuestionType,
    /// Question text (`mn` required).
    pub text: LocalizedTextInput,
    /// Help text.
    pub help: Option<LocalizedTextInput>,
    /// Whether an answer is required when shown (default true).
    #[graphql(default = true)]
    pub required: bool,
    /// Driver measured.
    pub driver: Option<Driver>,
    /// RATING: scale minimum (0-10). NPS, THUMBS and FACES have fixed scales.
    #[graphql(default = 1)]
    pub min: i32,
    /// RATING: scale maximum (0-10).
    #[graphql(default = 5)]
    pub max: i32,
    /// Labels per scale point, `min` first (none, or one per point).
    #[graphql(default)]
    pub labels: Vec<LocalizedTextInput>,
    /// Options (choice questions), 1-50.
    #[graphql(default)]
    pub options: Vec<ChoiceOptionInput>,
    /// Offer the option `other` with free text (choice questions).
    #[graphql(default)]
    pub allow_other: bool,
    /// Allow "not applicable" (scale questions).
    #[graphql(default)]
    pub allow_not_applicable: bool,
    /// Longest text answer (default 2,000; at most 10,000).
    pub max_length: Option<i32>,
    /// Display condition.
    pub show_if: Option<ShowIfInput>,
}

impl QuestionInput {
    fn parse(self) -> AppResult<dom::Question> {
        let f = |t: LocalizedTextInput| t.parse("text", QUESTION_TEXT_MAX);
        Ok(dom::Question {
            key: self.key.trim().to_owned(),
            kind: self.kind.into(),
            text: f(self.text)?,
            help: self.help.map(f).transpose()?,
            required: self.required,
            driver: self.driver.map(Into::into),
            min: self.min,
            max: self.max,
            labels: self.labels.into_iter().map(f).collect::<AppResult<_>>()?,
            options: self
                .options
                .into_iter()
                .map(|o| {
                    Ok(dom::ChoiceOption {
                        key: o.key.trim().to_owned(),
                        label: f(o.label)?,
                    })
                })
                .collect::<AppResult<_>>()?,
            allow_other: self.allow_other,
            allow_not_applicable: self.allow_not_applicable,
            max_length: u32::try_from(self.max_length.unwrap_or(0))
                .map_err(|_| AppError::bad_input("maxLength", "must not be negative"))?,
            show_if: self.show_if.map(|s| dom::ShowIf {
                question_key: s.question_key,
                values: s.values,
                choices: s.choices,
            }),
        })
    }
}

/// A new survey.
#[derive(InputObject)]
pub struct CreateSurveyInput {
    /// Owning institution.
    pub institution_id: ID,
    /// Title (`mn` required).
    pub title: LocalizedTextInput,
    /// Introduction.
    pub description: Option<LocalizedTextInput>,
    /// Thank-you text (a standard one when omitted).
    pub thank_you: Option<LocalizedTextInput>,
}

/// Changes to a survey's texts (in its draft).
#[derive(InputObject)]
pub struct UpdateSurveyInput {
    /// New title.
    pub title: Option<LocalizedTextInput>,
    /// New introduction; `null` clears it.
    pub description: MaybeUndefined<LocalizedTextInput>,
    /// New thank-you text.
    pub thank_you: Option<LocalizedTextInput>,
}

/// Filters for `surveys`.
#[derive(InputObject, Default)]
pub struct SurveyFilterInput {
    /// Of this institution.
    pub institution_id: Option<ID>,
    /// In this state.
    pub status: Option<SurveyStatus>,
    /// Title contains this (case-insensitive, any script).
    pub text: Option<String>,
}

/// Which published survey version a service uses.
#[derive(SimpleObject)]
pub struct SurveyAssignment {
    /// Service.
    pub service_id: ID,
    /// Channel, or null for every channel without its own assignment.
    pub channel: Option<super::vocab::Channel>,
    /// The version used.
    pub survey_version_id: ID,
    /// When assigned.
    pub assigned_at: DateTime<Utc>,
}

impl From<svc::AssignmentView> for SurveyAssignment {
    fn from(a: svc::AssignmentView) -> Self {
        Self {
            service_id: ID(a.service_id.to_string()),
            channel: a.channel.map(Into::into),
            survey_version_id: ID(a.survey_version_id.to_string()),
            assigned_at: a.assigned_at,
        }
    }
}

/// How a service invites citizens.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "InvitationSettingsInput")]
pub struct InvitationSettingsObject {
    /// Share of deliveries invited, 0–1 (default 1).
    pub sampling_rate: f64,
    /// Days an invitation stays open after the delivery, 1–30 (default 7).
    pub expiry_days: i32,
    /// Days before the same person may be invited again, 0–365 (default 30).
    pub cooldown_days: i32,
}

impl From<InvitationSettings> for InvitationSettingsObject {
    fn from(s: InvitationSettings) -> Self {
        Self {
            sampling_rate: s.sampling_rate,
            expiry_days: s.expiry_days,
            cooldown_days: s.cooldown_days,
        }
    }
}

/// Survey queries.
#[derive(Default)]
pub struct SurveyQuery;

#[Object]
impl SurveyQuery {
    /// Surveys of the caller's institutions (ADMIN, SUPERVISOR: all).
    async fn surveys(
        &self,
        c: &Context<'_>,
        filter: Option<SurveyFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<SurveyConnection> {
        let (state, actor) = ctx(c)?;
        let f = filter.unwrap_or_default();
        let filter = SurveyFilter {
            institution_id: f
                .institution_id
                .as_ref()
                .map(|i| parse_id("institutionId", i))
                .transpose()?,
            status: f.status.map(Into::into),
            text: f.text,
        };
        let p = svc::list_surveys(state, actor, filter, page(first, after)?).await?;
        Ok(SurveyConnection::from_page(p, |s| s.id, Survey))
    }

    /// One survey.
    async fn survey(&self, c: &Context<'_>, id: ID) -> Result<Survey> {
        let (state, actor) = ctx(c)?;
        Ok(Survey(
            svc::get_survey(state, actor, parse_id("id", &id)?).await?,
        ))
    }

    /// One survey version.
    async fn survey_version(&self, c: &Context<'_>, id: ID) -> Result<SurveyVersion> {
        let (state, actor) = ctx(c)?;
        Ok(SurveyVersion(
            svc::get_version(state, actor, parse_id("id", &id)?).await?,
        ))
    }

    /// The templates shipped with Sanal.
    async fn survey_templates(&self) -> Vec<SurveyTemplateInfo> {
        Template::ALL
            .iter()
            .map(|t| {
                let c = templates::template(*t);
                SurveyTemplateInfo {
                    template: (*t).into(),
                    title: LocalizedTextObject(c.title),
                    questions: c.questions.into_iter().map(Question).collect(),
                }
            })
            .collect()
    }
}

/// Survey mutations (ADMIN, or a manager of the institution's subtree).
#[derive(Default)]
pub struct SurveyMutation;

fn sid(id: &ID) -> AppResult<uuid::Uuid> {
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
        channel: Option<super::vocab::Channel>,
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
