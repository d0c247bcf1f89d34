//! What the API shows of surveys: surveys, versions, questions, templates,
//! assignments and invitation settings.

use crate::domain::survey::{self as dom};
use crate::domain::templates::Template;
use crate::graphql::common::{LocalizedTextObject, connection_type};
use crate::graphql::vocab::{Dimension, Driver, QuestionType};
use crate::services::surveys::{self as svc, InvitationSettings, SurveyView, VersionView};
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
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
    /// The commitment's dimension this question measures, if any.
    async fn dimension(&self) -> Option<Dimension> {
        self.0.dimension.map(Into::into)
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
        Ok(versions(c, self.0.id)
            .await?
            .into_iter()
            .map(SurveyVersion)
            .collect())
    }
    /// The draft being edited, if any.
    async fn draft(&self, c: &Context<'_>) -> Result<Option<SurveyVersion>> {
        Ok(versions(c, self.0.id)
            .await?
            .into_iter()
            .find(|v| v.draft)
            .map(SurveyVersion))
    }
    /// The newest published version, if any.
    async fn latest_published(&self, c: &Context<'_>) -> Result<Option<SurveyVersion>> {
        Ok(versions(c, self.0.id)
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

/// Which published survey version a service uses.
#[derive(SimpleObject)]
pub struct SurveyAssignment {
    /// Service.
    pub service_id: ID,
    /// Channel, or null for every channel without its own assignment.
    pub channel: Option<crate::graphql::vocab::Channel>,
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

/// Every version of a survey, newest first, through the request's loader (one
/// query for all the surveys of a page); `NOT_FOUND` if the caller may not read it.
async fn versions(c: &Context<'_>, survey_id: uuid::Uuid) -> Result<Vec<VersionView>> {
    use crate::graphql::loaders::{self, VersionsKey};
    loaders::of(c)?
        .load_one(VersionsKey(survey_id))
        .await?
        .ok_or_else(|| crate::error::AppError::NotFound.into())
}

/// A supervisor's approval to keep a question's key with new words in a survey's
/// next version.
#[derive(async_graphql::SimpleObject)]
pub struct QuestionReuseApproval {
    /// Survey.
    pub survey_id: async_graphql::ID,
    /// The version it applies to (the current draft, or the next one).
    pub version: i32,
    /// The question key.
    pub key: String,
    /// Why answers to the new words may be pooled with the old ones.
    pub reason: String,
    /// When.
    pub approved_at: chrono::DateTime<chrono::Utc>,
}
