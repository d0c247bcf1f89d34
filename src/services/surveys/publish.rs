//! Publishing a draft as an immutable version, and archiving a survey.

use super::edit::check_compatible;
use super::{
    SurveyView, VersionView, invalid, managed_survey, published_versions, stored_status,
    survey_view, version_view,
};
use crate::auth::Actor;
use crate::auth::secrets::sha256_hex;
use crate::domain::survey::SurveyContent;
pub use crate::domain::vocab::SurveyStatus;
use crate::domain::vocab::VersionStatus;
use crate::error::{AppError, AppResult};
use crate::services::audit::Event;
use crate::state::AppState;
use entity::{survey, survey_version};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

/// Freezes the draft as a published version. Editing afterwards starts a new draft.
pub async fn publish_survey(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<VersionView> {
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    let s = managed_survey(&*txn, actor, id).await?;
    if stored_status(&s.status) == SurveyStatus::Archived {
        return Err(AppError::Conflict("this survey is archived".into()));
    }
    let draft = survey_version::Entity::find()
        .filter(survey_version::Column::SurveyId.eq(id))
        .filter(survey_version::Column::Status.eq(VersionStatus::Draft.as_str()))
        .one(&*txn)
        .await?
        .ok_or_else(|| {
            AppError::Conflict("there is no draft to publish; edit the survey first".into())
        })?;
    let content = SurveyContent::from_json(&draft.content)
        .ok_or_else(|| AppError::internal("unreadable draft"))?;
    if content.questions.is_empty() {
        return Err(AppError::bad_input(
            "questions",
            "a survey needs at least one question",
        ));
    }
    content.check().map_err(invalid)?;
    check_compatible(&content, &published_versions(&*txn, id).await?)?;
    let hash = sha256_hex(&content.canonical_json());
    let mut row: survey_version::ActiveModel = draft.into();
    row.status = Set(VersionStatus::Published.as_str().into());
    row.content_hash = Set(Some(hash.clone()));
    row.published_at = Set(Some(now));
    row.updated_at = Set(now);
    let saved = row.update(&*txn).await?;
    let version = saved.version;
    let mut srow: survey::ActiveModel = s.into();
    srow.status = Set(SurveyStatus::Published.as_str().into());
    srow.updated_at = Set(now);
    srow.update(&*txn).await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "SURVEY_PUBLISHED",
            target: Some(("SURVEY", id)),
            details: json!({ "version": version, "contentHash": hash }),
        },
    )
    .await?;
    version_view(saved)
}

/// Stops new use: no new assignments; services using it stop inviting.
pub async fn archive_survey(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<SurveyView> {
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    let s = managed_survey(&*txn, actor, id).await?;
    let mut row: survey::ActiveModel = s.into();
    row.status = Set(SurveyStatus::Archived.as_str().into());
    row.updated_at = Set(now);
    let saved = row.update(&*txn).await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "SURVEY_ARCHIVED",
            target: Some(("SURVEY", id)),
            details: json!({}),
        },
    )
    .await?;
    Ok(survey_view(saved))
}
