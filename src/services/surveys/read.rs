//! Reading surveys and their versions.

use super::{SurveyView, VersionView, survey_view, version_view};
use crate::auth::Actor;
use crate::authz::{self, Action};
pub use crate::domain::vocab::SurveyStatus;
use crate::domain::vocab::VersionStatus;
use crate::domain::{Page, PageRequest};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use entity::{survey, survey_version};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

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
        q = q.filter(crate::services::contains_text(
            survey::Column::SearchText,
            &t,
        ));
    }
    Ok(
        crate::services::fetch_page(state.db.conn(), q, survey::Column::Id, page)
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

/// One version the caller may read. A published version is public: it is what
/// citizens are asked, and anyone may check what a figure was measured with.
/// Drafts stay with the institution.
pub async fn get_version(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<VersionView> {
    let found = survey_version::Entity::find_by_id(id)
        .one(state.db.conn())
        .await?;
    if let Some(v) = found
        .as_ref()
        .filter(|v| v.status == VersionStatus::Published.as_str())
    {
        return version_view(v.clone());
    }
    // Otherwise the role first: a caller who may never read drafts learns
    // nothing about ids.
    authz::scope(actor, Action::ReadResults)?;
    let v = found.ok_or(AppError::NotFound)?;
    get_survey(state, actor, v.survey_id).await?;
    version_view(v)
}

/// Most published versions kept in memory; past it the cache starts afresh.
const MAX_CACHED_VERSIONS: usize = 1024;

/// Published versions by id. A published version never changes (its content is
/// frozen and hashed; only a draft is ever edited, and drafts are never cached),
/// so an entry is never stale, on any instance; ids are random, so one map serves
/// every database in the process.
static PUBLISHED: std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<Uuid, std::sync::Arc<VersionView>>>,
> = std::sync::LazyLock::new(Default::default);

/// A version by id, without access checks (for invitations shown to citizens);
/// published versions come from memory after their first read.
pub(crate) async fn version_unchecked(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> AppResult<VersionView> {
    let cached = PUBLISHED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(&id)
        .cloned();
    if let Some(v) = cached {
        return Ok((*v).clone());
    }
    let v = survey_version::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let v = version_view(v)?;
    if !v.draft {
        let mut map = PUBLISHED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= MAX_CACHED_VERSIONS {
            map.clear();
        }
        map.insert(id, std::sync::Arc::new(v.clone()));
    }
    Ok(v)
}

/// Every version of several surveys, newest first, keyed by survey; surveys the
/// caller may not read are left out (batched loading of `Survey.versions`).
pub async fn versions_of(
    state: &AppState,
    actor: &Actor,
    survey_ids: &[Uuid],
) -> AppResult<std::collections::HashMap<Uuid, Vec<VersionView>>> {
    let scope = authz::scope(actor, Action::ReadResults)?;
    let conn = state.db.conn();
    let members = scope.members(conn).await?;
    let visible: Vec<Uuid> = survey::Entity::find()
        .filter(survey::Column::Id.is_in(survey_ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .filter(|s| {
            members
                .as_ref()
                .is_none_or(|m| m.contains(&s.institution_id))
        })
        .map(|s| s.id)
        .collect();
    let mut out: std::collections::HashMap<Uuid, Vec<VersionView>> =
        std::collections::HashMap::new();
    for v in survey_version::Entity::find()
        .filter(survey_version::Column::SurveyId.is_in(visible.iter().copied()))
        .order_by_desc(survey_version::Column::Version)
        .all(conn)
        .await?
    {
        out.entry(v.survey_id).or_default().push(version_view(v)?);
    }
    for id in visible {
        out.entry(id).or_default();
    }
    Ok(out)
}
