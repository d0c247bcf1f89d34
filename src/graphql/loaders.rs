//! Batched loading of nested objects (async-graphql's DataLoader): the
//! institution of every service and point, parents, survey versions, service
//! assignments, invitation settings and the improvement actions of findings are each fetched with one query per page,
//! not one per item. One loader per request (its cache lives as long as the
//! request), built with the caller so the batched reads keep their authorization.

use crate::auth::Actor;
use crate::error::AppError;
use crate::services::institutions::{self as inst, Institution};
use crate::services::surveys::{self as svc, AssignmentView, InvitationSettings, VersionView};
use crate::state::AppState;
use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use std::collections::HashMap;
use uuid::Uuid;

/// An institution, by id.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct InstitutionKey(pub Uuid);
/// Every version of a survey.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct VersionsKey(pub Uuid);
/// The survey assignments of a service.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AssignmentsKey(pub Uuid);
/// The invitation settings of a service.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SettingsKey(pub Uuid);

/// The improvement actions addressing a finding (those the caller may read).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FindingActionsKey(pub Uuid);

/// The batched reads of one request.
pub struct Batch {
    state: AppState,
    actor: Actor,
}

/// The per-request loader.
pub type Loaders = DataLoader<Batch>;

/// A loader for one request of `actor`.
pub fn loaders(state: AppState, actor: Actor) -> Loaders {
    DataLoader::new(Batch { state, actor }, tokio::spawn)
}

/// The loader of this request.
pub fn of<'a>(c: &Context<'a>) -> Result<&'a Loaders, AppError> {
    c.data::<Loaders>()
        .map_err(|_| AppError::internal("loaders missing from request data"))
}

fn ids<K: Copy>(keys: &[K], id: impl Fn(K) -> Uuid) -> Vec<Uuid> {
    keys.iter().map(|k| id(*k)).collect()
}

impl Loader<InstitutionKey> for Batch {
    type Value = Institution;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[InstitutionKey],
    ) -> Result<HashMap<InstitutionKey, Institution>, AppError> {
        Ok(inst::institutions_by_ids(&self.state, &ids(keys, |k| k.0))
            .await?
            .into_iter()
            .map(|i| (InstitutionKey(i.id), i))
            .collect())
    }
}

impl Loader<VersionsKey> for Batch {
    type Value = Vec<VersionView>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[VersionsKey],
    ) -> Result<HashMap<VersionsKey, Vec<VersionView>>, AppError> {
        Ok(
            svc::versions_of(&self.state, &self.actor, &ids(keys, |k| k.0))
                .await?
                .into_iter()
                .map(|(id, v)| (VersionsKey(id), v))
                .collect(),
        )
    }
}

impl Loader<AssignmentsKey> for Batch {
    type Value = Vec<AssignmentView>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[AssignmentsKey],
    ) -> Result<HashMap<AssignmentsKey, Vec<AssignmentView>>, AppError> {
        let mut found = svc::assignments_of(&self.state, &ids(keys, |k| k.0)).await?;
        Ok(keys
            .iter()
            .map(|k| (*k, found.remove(&k.0).unwrap_or_default()))
            .collect())
    }
}

impl Loader<SettingsKey> for Batch {
    type Value = InvitationSettings;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[SettingsKey],
    ) -> Result<HashMap<SettingsKey, InvitationSettings>, AppError> {
        Ok(
            svc::invitation_settings_of(self.state.db.conn(), &ids(keys, |k| k.0))
                .await?
                .into_iter()
                .map(|(id, s)| (SettingsKey(id), s))
                .collect(),
        )
    }
}

impl Loader<FindingActionsKey> for Batch {
    type Value = Vec<crate::services::improvement_actions::ActionView>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[FindingActionsKey],
    ) -> Result<HashMap<FindingActionsKey, Self::Value>, AppError> {
        let mut found = crate::services::improvement_actions::actions_for_findings(
            &self.state,
            &self.actor,
            &ids(keys, |k| k.0),
        )
        .await?;
        Ok(keys
            .iter()
            .map(|k| (*k, found.remove(&k.0).unwrap_or_default()))
            .collect())
    }
}
