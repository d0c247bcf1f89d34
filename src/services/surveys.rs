//! Surveys: drafts edited by managers, published as immutable versions (number,
//! time, SHA-256 of canonical content), assigned to services; plus each service's
//! invitation settings (sampling, expiry, recontact cooldown).

use super::audit::Event;
use crate::auth::Actor;
use crate::auth::secrets::sha256_hex;
use crate::authz::{self, Action, InstitutionScope};
use crate::domain::catalogue::Channel;
use crate::domain::survey::{Question, SurveyContent, compatible};
use crate::domain::templates::{Template, template};
use crate::domain::{Locale, LocalizedText, Page, PageRequest};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::{
    service, service_invitation_setting as settings, service_survey_assignment as assignment,
    survey, survey_version,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

pub use crate::domain::vocab::SurveyStatus;
use crate::domain::vocab::VersionStatus;

/// A survey's stored status (only ever written from [`SurveyStatus`]).
fn stored_status(s: &str) -> SurveyStatus {
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

fn survey_view(m: survey::Model) -> SurveyView {
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

fn version_view(m: survey_version::Model) -> AppResult<VersionView> {
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

fn invalid(errs: Vec<crate::error::InvalidField>) -> AppError {
    AppError::invalid(errs)
}

async fn insert_survey(
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
    let id = super::new_id();
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
        id: Set(super::new_id()),
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

/// Loads a survey the caller may manage, for writing.
async fn managed_survey(
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

async fn published_versions(
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

/// A key may be reused by a later version only with the same type and scale.
fn check_compatible(content: &SurveyContent, published: &[survey_version::Model]) -> AppResult<()> {
    let mut errs = vec![];
    for p in published {
        let Some(old) = SurveyContent::from_json(&p.content) else {
            continue;
        };
        for q in &content.questions {
            if let Some(o) = old.question(&q.key)
                && !compatible(o, q)
            {
                errs.push(crate::error::InvalidField {
                    field: q.key.clone(),
                    reason: format!(
                        "version {} used this key with another type or scale; choose a new key",
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

/// Applies `edit` to the survey's draft (starting a new draft from the newest
/// published version if there is none), checks and saves it.
async fn edit_draft(
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
            id: Set(super::new_id()),
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
    let published: Vec<_> = versions
        .into_iter()
        .filter(|v| v.status == VersionStatus::Published.as_str())
        .collect();
    check_compatible(&content, &published)?;
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

/// Filters of [`list_surveys`].
#[derive(Debug, Clone, Default)]
pub struct SurveyFilter {
    /// Of this institution.
    pub institution_id: Option<Uuid>,
    /// In this state.
    pub status: Option<SurveyStatus>,
    /// Title contains.
    pub text: Option<String>,
}

/// Surveys the caller may read (ADMIN, SUPERVISOR: all; institution users: subtree).
pub async fn list_surveys(
    state: &AppState,
    actor: &Actor,
    f: SurveyFilter,
    page: PageRequest,
) -> AppResult<Page<SurveyView>> {
    let scope = authz::scope(actor, Action::ReadResults)?;
    let mut q = survey::Entity::find().filter(scope.condition(survey::Column::InstitutionId));
    if let Some(i) = f.institution_id {
        q = q.filter(survey::Column::InstitutionId.eq(i));
    }
    if let Some(s) = f.status {
        q = q.filter(survey::Column::Status.eq(s.as_str()));
    }
    if let Some(t) = f
        .text
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
    {
        q = q.filter(super::contains_text(survey::Column::SearchText, &t));
    }
    Ok(
        super::fetch_page(state.db.conn(), q, survey::Column::Id, page)
            .await?
            .map(survey_view),
    )
}

/// One survey the caller may read.
pub async fn get_survey(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<SurveyView> {
    let scope = authz::scope(actor, Action::ReadResults)?;
    let conn = state.db.conn();
    let s = survey::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    scope.require(conn, s.institution_id).await?;
    Ok(survey_view(s))
}

/// Every version of a survey, newest first.
pub async fn survey_versions(
    state: &AppState,
    actor: &Actor,
    survey_id: Uuid,
) -> AppResult<Vec<VersionView>> {
    get_survey(state, actor, survey_id).await?;
    survey_version::Entity::find()
        .filter(survey_version::Column::SurveyId.eq(survey_id))
        .order_by_desc(survey_version::Column::Version)
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(version_view)
        .collect()
}

/// One version the caller may read.
pub async fn get_version(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<VersionView> {
    // The role first: a caller who may never read surveys learns nothing about ids.
    authz::scope(actor, Action::ReadResults)?;
    let v = survey_version::Entity::find_by_id(id)
        .one(state.db.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    get_survey(state, actor, v.survey_id).await?;
    version_view(v)
}

/// A version by id, without access checks (for invitations shown to citizens).
pub(crate) async fn version_unchecked(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> AppResult<VersionView> {
    let v = survey_version::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    version_view(v)
}

/// Which published version a service uses on a channel.
#[derive(Debug, Clone)]
pub struct AssignmentView {
    /// Service.
    pub service_id: Uuid,
    /// Channel, or none for every channel without its own assignment.
    pub channel: Option<Channel>,
    /// The version used.
    pub survey_version_id: Uuid,
    /// When assigned.
    pub assigned_at: DateTime<Utc>,
}

const ANY: &str = "ANY";

/// Assigns a published version to a service (optionally for one channel).
pub async fn assign_survey(
    state: &AppState,
    actor: &Actor,
    service_id: Uuid,
    version_id: Uuid,
    channel: Option<Channel>,
) -> AppResult<AssignmentView> {
    let scope = authz::scope(actor, Action::ManageSurveys)?;
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    let svc = service::Entity::find_by_id(service_id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    scope.require(&*txn, svc.institution_id).await?;
    let v = survey_version::Entity::find_by_id(version_id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let s = survey::Entity::find_by_id(v.survey_id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    scope.require(&*txn, s.institution_id).await?;
    if v.status != VersionStatus::Published.as_str() {
        return Err(AppError::bad_input(
            "surveyVersionId",
            "only a published version can be assigned",
        ));
    }
    if stored_status(&s.status) == SurveyStatus::Archived {
        return Err(AppError::bad_input(
            "surveyVersionId",
            "this survey is archived",
        ));
    }
    let owns = InstitutionScope::Subtrees(vec![s.institution_id])
        .contains(&*txn, svc.institution_id)
        .await?;
    if !owns {
        return Err(AppError::bad_input(
            "surveyVersionId",
            "the survey must belong to the service's institution or one above it",
        ));
    }
    let ch = channel.map_or(ANY, Channel::as_str).to_owned();
    assignment::Entity::delete_many()
        .filter(assignment::Column::ServiceId.eq(service_id))
        .filter(assignment::Column::Channel.eq(ch.clone()))
        .exec(&*txn)
        .await?;
    assignment::Entity::insert(assignment::ActiveModel {
        service_id: Set(service_id),
        channel: Set(ch.clone()),
        survey_version_id: Set(version_id),
        assigned_at: Set(now),
    })
    .exec_without_returning(&*txn)
    .await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "SURVEY_ASSIGNED",
            target: Some(("SERVICE", service_id)),
            details: json!({ "surveyVersionId": version_id, "channel": ch }),
        },
    )
    .await?;
    Ok(AssignmentView {
        service_id,
        channel,
        survey_version_id: version_id,
        assigned_at: now,
    })
}

/// A service's survey assignments (public, like the catalogue).
pub async fn assignments(state: &AppState, service_id: Uuid) -> AppResult<Vec<AssignmentView>> {
    Ok(assignment::Entity::find()
        .filter(assignment::Column::ServiceId.eq(service_id))
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(|a| AssignmentView {
            service_id: a.service_id,
            channel: Channel::parse(&a.channel),
            survey_version_id: a.survey_version_id,
            assigned_at: a.assigned_at,
        })
        .collect())
}

/// The version a service uses on `channel` now, if any (channel-specific first),
/// provided its survey is not archived.
pub(crate) async fn version_for(
    conn: &impl ConnectionTrait,
    service_id: Uuid,
    channel: Channel,
) -> AppResult<Option<Uuid>> {
    let rows = assignment::Entity::find()
        .filter(assignment::Column::ServiceId.eq(service_id))
        .filter(assignment::Column::Channel.is_in([channel.as_str(), ANY]))
        .all(conn)
        .await?;
    let pick = rows
        .iter()
        .find(|a| a.channel == channel.as_str())
        .or_else(|| rows.iter().find(|a| a.channel == ANY));
    let Some(a) = pick else { return Ok(None) };
    let v = survey_version::Entity::find_by_id(a.survey_version_id)
        .one(conn)
        .await?;
    let Some(v) = v else { return Ok(None) };
    let s = survey::Entity::find_by_id(v.survey_id).one(conn).await?;
    Ok(
        s.filter(|s| stored_status(&s.status) != SurveyStatus::Archived)
            .map(|_| v.id),
    )
}

/// How a service invites.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InvitationSettings {
    /// Share of deliveries invited, in [0, 1].
    pub sampling_rate: f64,
    /// Days an invitation stays open after the delivery.
    pub expiry_days: i32,
    /// Days before the same person may be invited again.
    pub cooldown_days: i32,
}

impl Default for InvitationSettings {
    fn default() -> Self {
        Self {
            sampling_rate: 1.0,
            expiry_days: 7,
            cooldown_days: 30,
        }
    }
}

/// Most days an invitation may stay open.
pub const MAX_EXPIRY_DAYS: i32 = 30;

/// A service's invitation settings (defaults when never set).
pub async fn invitation_settings(
    conn: &impl ConnectionTrait,
    service_id: Uuid,
) -> AppResult<InvitationSettings> {
    Ok(settings::Entity::find_by_id(service_id)
        .one(conn)
        .await?
        .map(|s| InvitationSettings {
            sampling_rate: f64::from(s.sampling_ppm) / 1_000_000.0,
            expiry_days: s.expiry_days,
            cooldown_days: s.cooldown_days,
        })
        .unwrap_or_default())
}

/// Sets a service's invitation settings.
pub async fn set_invitation_settings(
    state: &AppState,
    actor: &Actor,
    service_id: Uuid,
    s: InvitationSettings,
) -> AppResult<InvitationSettings> {
    let scope = authz::scope(actor, Action::ManageSurveys)?;
    if !(0.0..=1.0).contains(&s.sampling_rate) || s.sampling_rate.is_nan() {
        return Err(AppError::bad_input(
            "samplingRate",
            "must be between 0 and 1",
        ));
    }
    if !(1..=MAX_EXPIRY_DAYS).contains(&s.expiry_days) {
        return Err(AppError::bad_input(
            "expiryDays",
            format!("must be 1-{MAX_EXPIRY_DAYS}"),
        ));
    }
    if !(0..=365).contains(&s.cooldown_days) {
        return Err(AppError::bad_input("cooldownDays", "must be 0-365"));
    }
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    let svc = service::Entity::find_by_id(service_id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    scope.require(&*txn, svc.institution_id).await?;
    settings::Entity::delete_by_id(service_id)
        .exec(&*txn)
        .await?;
    settings::Entity::insert(settings::ActiveModel {
        service_id: Set(service_id),
        sampling_ppm: Set((s.sampling_rate * 1_000_000.0).round() as i32),
        expiry_days: Set(s.expiry_days),
        cooldown_days: Set(s.cooldown_days),
    })
    .exec_without_returning(&*txn)
    .await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "INVITATION_SETTINGS_CHANGED",
            target: Some(("SERVICE", service_id)),
            details: json!({ "samplingRate": s.sampling_rate, "expiryDays": s.expiry_days, "cooldownDays": s.cooldown_days }),
        },
    )
    .await?;
    invitation_settings(state.db.conn(), service_id).await
}

/// The locale to show: requested if supported, else `mn`.
pub fn pick_locale(requested: Option<&str>) -> Locale {
    requested.and_then(Locale::parse).unwrap_or(Locale::Mn)
}
