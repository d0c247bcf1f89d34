//! Creating surveys and editing their draft (questions keep their key and scale
//! across published versions).

use super::{
    SurveyView, VersionView, invalid, managed_survey, stored_status, survey_view, version_view,
};
use crate::auth::Actor;
use crate::authz::{self, Action};
use crate::domain::LocalizedText;
use crate::domain::survey::{Question, SurveyContent, compatible, same_meaning};
use crate::domain::templates::{Template, template};
pub use crate::domain::vocab::SurveyStatus;
use crate::domain::vocab::VersionStatus;
use crate::error::{AppError, AppResult};
use crate::services::audit::Event;
use crate::state::AppState;
use entity::{question_reuse_approval as approvals, survey, survey_version};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

pub(super) async fn insert_survey(
    state: &AppState,
    actor: &Actor,
    institution_id: Uuid,
    content: SurveyContent,
    template_name: Option<&str>,
) -> AppResult<SurveyView> {
    let scope = authz::scope(actor, Action::ManageSurveys)?;
    content.check().map_err(invalid)?;
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    scope.require(&*txn, institution_id).await?;
    if entity::institution::Entity::find_by_id(institution_id)
        .one(&*txn)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    let id = crate::services::new_id();
    let row = survey::ActiveModel {
        id: Set(id),
        institution_id: Set(institution_id),
        status: Set(SurveyStatus::Draft.as_str().into()),
        title: Set(content.title.to_json()),
        search_text: Set(content.title.search_text()),
        template: Set(template_name.map(str::to_owned)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    survey_version::ActiveModel {
        id: Set(crate::services::new_id()),
        survey_id: Set(id),
        version: Set(1),
        status: Set(VersionStatus::Draft.as_str().into()),
        content: Set(content.to_json()),
        content_hash: Set(None),
        published_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "SURVEY_CREATED",
            target: Some(("SURVEY", id)),
            details: json!({ "institutionId": institution_id, "template": template_name }),
        },
    )
    .await?;
    Ok(survey_view(row))
}

/// Creates an empty draft survey.
pub async fn create_survey(
    state: &AppState,
    actor: &Actor,
    institution_id: Uuid,
    title: LocalizedText,
    description: Option<LocalizedText>,
    thank_you: Option<LocalizedText>,
) -> AppResult<SurveyView> {
    let content = SurveyContent {
        title,
        description,
        thank_you: thank_you.unwrap_or_else(|| template(Template::Faces3).thank_you),
        questions: vec![],
    };
    insert_survey(state, actor, institution_id, content, None).await
}

/// Creates a ready draft from a shipped template.
pub async fn create_from_template(
    state: &AppState,
    actor: &Actor,
    institution_id: Uuid,
    which: Template,
) -> AppResult<SurveyView> {
    insert_survey(
        state,
        actor,
        institution_id,
        template(which),
        Some(which.as_str()),
    )
    .await
}

/// A key may be reused by a later version only for the same question: the same
/// type, scale, driver and words (see [`same_meaning`]) — unless a SUPERVISOR
/// approved new words for that key in this version (`approved`); the type and
/// scale may never change under a key.
pub(super) fn check_compatible(
    content: &SurveyContent,
    published: &[survey_version::Model],
    approved: &[String],
) -> AppResult<()> {
    let mut errs = vec![];
    for p in published {
        let Some(old) = SurveyContent::from_json(&p.content) else {
            continue;
        };
        for q in &content.questions {
            let Some(o) = old.question(&q.key) else {
                continue;
            };
            let reason = if !compatible(o, q) {
                Some("another type or scale")
            } else if !same_meaning(o, q) && !approved.contains(&q.key) {
                Some("other words, labels, options or driver")
            } else {
                None
            };
            if let Some(what) = reason {
                errs.push(crate::error::InvalidField {
                    field: q.key.clone(),
                    reason: format!(
                        "version {} asked this key with {what}; a question that changes needs a new key (or a supervisor's approval of the new words)",
                        p.version
                    ),
                });
            }
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(invalid(errs))
    }
}

/// The keys a SUPERVISOR approved new words for in version `version` of a survey.
pub(super) async fn approved_keys(
    conn: &impl sea_orm::ConnectionTrait,
    survey_id: Uuid,
    version: i32,
) -> AppResult<Vec<String>> {
    Ok(approvals::Entity::find()
        .filter(approvals::Column::SurveyId.eq(survey_id))
        .filter(approvals::Column::Version.eq(version))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.question_key)
        .collect())
}

/// The questions of a national template are locked in every survey made from it:
/// kept, with the same meaning, so figures stay comparable across institutions.
/// Questions may be added.
fn check_template_locked(t: Template, content: &SurveyContent) -> AppResult<()> {
    let errs: Vec<_> = template(t)
        .questions
        .iter()
        .filter(|tq| !content.question(&tq.key).is_some_and(|q| same_meaning(tq, q)))
        .map(|tq| crate::error::InvalidField {
            field: tq.key.clone(),
            reason: format!(
                "a question of the national template {} is locked: it may be neither changed nor removed",
                t.as_str()
            ),
        })
        .collect();
    if errs.is_empty() {
        Ok(())
    } else {
        Err(invalid(errs))
    }
}

/// Applies `edit` to the survey's draft (starting a new draft from the newest
/// published version if there is none), checks and saves it.
pub(super) async fn edit_draft(
    state: &AppState,
    actor: &Actor,
    survey_id: Uuid,
    edit: impl FnOnce(&mut SurveyContent) -> AppResult<()>,
) -> AppResult<VersionView> {
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    let s = managed_survey(&*txn, actor, survey_id).await?;
    if stored_status(&s.status) == SurveyStatus::Archived {
        return Err(AppError::Conflict("this survey is archived".into()));
    }
    let versions = survey_version::Entity::find()
        .filter(survey_version::Column::SurveyId.eq(survey_id))
        .order_by_desc(survey_version::Column::Version)
        .all(&*txn)
        .await?;
    let newest = versions
        .first()
        .cloned()
        .ok_or_else(|| AppError::internal("survey without versions"))?;
    let draft = if newest.status == VersionStatus::Draft.as_str() {
        newest
    } else {
        survey_version::ActiveModel {
            id: Set(crate::services::new_id()),
            survey_id: Set(survey_id),
            version: Set(newest.version + 1),
            status: Set(VersionStatus::Draft.as_str().into()),
            content: Set(newest.content.clone()),
            content_hash: Set(None),
            published_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&*txn)
        .await?
    };
    let mut content = SurveyContent::from_json(&draft.content)
        .ok_or_else(|| AppError::internal("draft with unreadable content"))?;
    edit(&mut content)?;
    content.check().map_err(invalid)?;
    if let Some(t) = s.template.as_deref().and_then(Template::parse) {
        check_template_locked(t, &content)?;
    }
    let published: Vec<_> = versions
        .into_iter()
        .filter(|v| v.status == VersionStatus::Published.as_str())
        .collect();
    let approved = approved_keys(&*txn, survey_id, draft.version).await?;
    check_compatible(&content, &published, &approved)?;
    let mut row: survey_version::ActiveModel = draft.into();
    row.content = Set(content.to_json());
    row.updated_at = Set(now);
    let saved = row.update(&*txn).await?;
    let mut srow: survey::ActiveModel = s.into();
    srow.title = Set(content.title.to_json());
    srow.search_text = Set(content.title.search_text());
    srow.updated_at = Set(now);
    srow.update(&*txn).await?;
    txn.finish_unaudited("a draft edit; publishing freezes and audits the content")
        .await?;
    version_view(saved)
}

/// Changes to a survey's texts; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct SurveyChanges {
    /// New title.
    pub title: Option<LocalizedText>,
    /// New introduction (`Some(None)` clears it).
    pub description: Option<Option<LocalizedText>>,
    /// New thank-you text.
    pub thank_you: Option<LocalizedText>,
}

/// Changes the draft's texts.
pub async fn update_survey(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    ch: SurveyChanges,
) -> AppResult<VersionView> {
    edit_draft(state, actor, id, |c| {
        if let Some(t) = ch.title {
            c.title = t;
        }
        if let Some(d) = ch.description {
            c.description = d;
        }
        if let Some(t) = ch.thank_you {
            c.thank_you = t;
        }
        Ok(())
    })
    .await
}

/// Adds a question to the draft, at `position` (default: last).
pub async fn add_question(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    question: Question,
    position: Option<usize>,
) -> AppResult<VersionView> {
    let q = question.normalize().map_err(invalid)?;
    edit_draft(state, actor, id, |c| {
        if c.question(&q.key).is_some() {
            return Err(AppError::bad_input(
                &q.key,
                "this key is already used in the survey",
            ));
        }
        let at = position.unwrap_or(c.questions.len()).min(c.questions.len());
        c.questions.insert(at, q);
        Ok(())
    })
    .await
}

/// Replaces the draft's question `key` (the key itself stays).
pub async fn update_question(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    key: &str,
    question: Question,
) -> AppResult<VersionView> {
    let mut q = question.normalize().map_err(invalid)?;
    q.key = key.to_owned();
    edit_draft(state, actor, id, |c| {
        let slot = c
            .questions
            .iter_mut()
            .find(|x| x.key == key)
            .ok_or(AppError::NotFound)?;
        *slot = q;
        Ok(())
    })
    .await
}

/// Removes question `key` from the draft.
pub async fn remove_question(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    key: &str,
) -> AppResult<VersionView> {
    edit_draft(state, actor, id, |c| {
        let before = c.questions.len();
        c.questions.retain(|q| q.key != key);
        if c.questions.len() == before {
            return Err(AppError::NotFound);
        }
        Ok(())
    })
    .await
}

/// Puts the draft's questions in the given order (every key exactly once).
pub async fn reorder_questions(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    keys: Vec<String>,
) -> AppResult<VersionView> {
    edit_draft(state, actor, id, |c| {
        let mut sorted_new = keys.clone();
        sorted_new.sort();
        let mut sorted_old: Vec<String> = c.questions.iter().map(|q| q.key.clone()).collect();
        sorted_old.sort();
        if sorted_new != sorted_old {
            return Err(AppError::bad_input(
                "keys",
                "list every question key exactly once",
            ));
        }
        let mut by_key: std::collections::HashMap<String, Question> =
            c.questions.drain(..).map(|q| (q.key.clone(), q)).collect();
        c.questions = keys.iter().filter_map(|k| by_key.remove(k)).collect();
        Ok(())
    })
    .await
}
