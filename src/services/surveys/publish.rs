//! Publishing a draft as an immutable version, and archiving a survey.

use super::edit::{approved_keys, check_compatible};
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
use entity::{question_reuse_approval as approvals, survey, survey_version};
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
    let approved = approved_keys(&*txn, id, draft.version).await?;
    check_compatible(&content, &published_versions(&*txn, id).await?, &approved)?;
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

/// A supervisor's approval of new words under an old question key.
#[derive(Debug, Clone)]
pub struct ReuseApproval {
    /// Survey.
    pub survey_id: Uuid,
    /// The version it applies to (the draft being edited, or the next one).
    pub version: i32,
    /// The question key.
    pub question_key: String,
    /// Why the answers to the new words may be pooled with the old ones.
    pub reason: String,
    /// When.
    pub approved_at: chrono::DateTime<chrono::Utc>,
}

/// Lets the survey's next version (its current draft, or the draft an edit will
/// start) keep `key` with new words (SUPERVISOR only, with a reason; audited). The
/// type and scale still may not change, and national template questions stay
/// locked. Approving again replaces the reason.
pub async fn approve_question_reuse(
    state: &AppState,
    actor: &Actor,
    survey_id: Uuid,
    key: &str,
    reason: &str,
) -> AppResult<ReuseApproval> {
    crate::authz::require_global(actor, crate::authz::Action::ApproveQuestionReuse)?;
    let reason = crate::domain::text::reason(reason)?;
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    survey::Entity::find_by_id(survey_id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let versions = survey_version::Entity::find()
        .filter(survey_version::Column::SurveyId.eq(survey_id))
        .all(&*txn)
        .await?;
    let asked = versions.iter().any(|v| {
        v.status == VersionStatus::Published.as_str()
            && SurveyContent::from_json(&v.content).is_some_and(|c| c.question(key).is_some())
    });
    if !asked {
        return Err(AppError::bad_input(
            "key",
            "no published version of this survey asks this key: there is nothing to reuse",
        ));
    }
    let newest = versions
        .iter()
        .map(|v| (v.version, v.status.as_str()))
        .max();
    let version = match newest {
        Some((n, s)) if s == VersionStatus::Draft.as_str() => n,
        Some((n, _)) => n + 1,
        None => 1,
    };
    approvals::Entity::delete_by_id((survey_id, version, key.to_owned()))
        .exec(&*txn)
        .await?;
    approvals::Entity::insert(approvals::ActiveModel {
        survey_id: Set(survey_id),
        version: Set(version),
        question_key: Set(key.to_owned()),
        reason: Set(reason.clone()),
        approved_by: Set(actor.user_id()),
        approved_at: Set(now),
    })
    .exec_without_returning(&*txn)
    .await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "QUESTION_REUSE_APPROVED",
            target: Some(("SURVEY", survey_id)),
            details: json!({ "key": key, "version": version, "reason": reason }),
        },
    )
    .await?;
    Ok(ReuseApproval {
        survey_id,
        version,
        question_key: key.to_owned(),
        reason,
        approved_at: now,
    })
}
