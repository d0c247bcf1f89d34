//! Which published version a service uses, per channel.

use super::stored_status;
use crate::auth::Actor;
use crate::authz::{self, Action, InstitutionScope};
use crate::domain::Locale;
use crate::domain::catalogue::Channel;
pub use crate::domain::vocab::SurveyStatus;
use crate::domain::vocab::VersionStatus;
use crate::error::{AppError, AppResult};
use crate::services::audit::Event;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::{service, service_survey_assignment as assignment, survey, survey_version};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

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

pub(super) const ANY: &str = "ANY";

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

/// The locale to show: requested if supported, else `mn`.
pub fn pick_locale(requested: Option<&str>) -> Locale {
    requested.and_then(Locale::parse).unwrap_or(Locale::Mn)
}

/// The assignments of several services, keyed by service (batched loading).
pub async fn assignments_of(
    state: &AppState,
    service_ids: &[Uuid],
) -> AppResult<std::collections::HashMap<Uuid, Vec<AssignmentView>>> {
    let mut out: std::collections::HashMap<Uuid, Vec<AssignmentView>> =
        std::collections::HashMap::new();
    for a in assignment::Entity::find()
        .filter(assignment::Column::ServiceId.is_in(service_ids.iter().copied()))
        .all(state.db.conn())
        .await?
    {
        out.entry(a.service_id).or_default().push(AssignmentView {
            service_id: a.service_id,
            channel: Channel::parse(&a.channel),
            survey_version_id: a.survey_version_id,
            assigned_at: a.assigned_at,
        });
    }
    Ok(out)
}
