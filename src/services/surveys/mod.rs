//! Surveys: drafts edited by managers, published as immutable versions (number,
//! time, SHA-256 of canonical content), assigned to services; plus each service's
//! invitation settings (sampling, expiry, recontact cooldown).

mod assign;
mod edit;
mod publish;
mod read;
mod sampling;

pub use assign::*;
pub use edit::*;
pub use publish::*;
pub use read::*;
pub use sampling::*;

use crate::auth::Actor;
use crate::authz::{self, Action};
use crate::domain::LocalizedText;
use crate::domain::survey::SurveyContent;
pub use crate::domain::vocab::SurveyStatus;
use crate::domain::vocab::VersionStatus;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::{survey, survey_version};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// A survey's stored status (only ever written from [`SurveyStatus`]).
pub(super) fn stored_status(s: &str) -> SurveyStatus {
    SurveyStatus::parse(s).unwrap_or(SurveyStatus::Draft)
}

/// A survey.
#[derive(Debug, Clone)]
pub struct SurveyView {
    /// Id.
    pub id: Uuid,
    /// Owning institution.
    pub institution_id: Uuid,
    /// Lifecycle.
    pub status: SurveyStatus,
    /// Title (of the newest version).
    pub title: LocalizedText,
    /// Template it was created from.
    pub template: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// One version of a survey.
#[derive(Debug, Clone)]
pub struct VersionView {
    /// Id.
    pub id: Uuid,
    /// Survey.
    pub survey_id: Uuid,
    /// 1, 2, …
    pub version: i32,
    /// Whether it is the editable draft (false: frozen).
    pub draft: bool,
    /// Content.
    pub content: SurveyContent,
    /// SHA-256 of the canonical content (published versions).
    pub content_hash: Option<String>,
    /// When it was published.
    pub published_at: Option<DateTime<Utc>>,
}

pub(super) fn survey_view(m: survey::Model) -> SurveyView {
    SurveyView {
        id: m.id,
        institution_id: m.institution_id,
        status: stored_status(&m.status),
        title: LocalizedText::from_json(&m.title),
        template: m.template,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

pub(super) fn version_view(m: survey_version::Model) -> AppResult<VersionView> {
    let content = SurveyContent::from_json(&m.content).ok_or_else(|| {
        AppError::internal(format!("survey version {} has unreadable content", m.id))
    })?;
    Ok(VersionView {
        id: m.id,
        survey_id: m.survey_id,
        version: m.version,
        draft: m.status == VersionStatus::Draft.as_str(),
        content,
        content_hash: m.content_hash,
        published_at: m.published_at,
    })
}

pub(super) fn invalid(errs: Vec<crate::error::InvalidField>) -> AppError {
    AppError::invalid(errs)
}

/// Loads a survey the caller may manage, for writing.
pub(super) async fn managed_survey(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> AppResult<survey::Model> {
    let scope = authz::scope(actor, Action::ManageSurveys)?;
    let s = survey::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    scope.require(conn, s.institution_id).await?;
    Ok(s)
}

pub(super) async fn published_versions(
    conn: &impl ConnectionTrait,
    survey_id: Uuid,
) -> AppResult<Vec<survey_version::Model>> {
    Ok(survey_version::Entity::find()
        .filter(survey_version::Column::SurveyId.eq(survey_id))
        .filter(survey_version::Column::Status.eq(VersionStatus::Published.as_str()))
        .order_by_desc(survey_version::Column::Version)
        .all(conn)
        .await?)
}
