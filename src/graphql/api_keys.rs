//! API keys of service-delivery systems.

use super::common::{connection_type, ctx, page, parse_id, parse_ids};
use super::vocab::IntegrationKind;
use crate::services::api_keys::{self, ApiKeyView};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

connection_type!(ApiKeyConnection, ApiKeyEdge, ApiKey, "API keys");

/// A key a service-delivery system sends as `X-Api-Key`. The key itself is shown
/// only once, when created.
pub struct ApiKey(pub ApiKeyView);

/// A key a service-delivery system sends as `X-Api-Key`. The key itself is shown
/// only once, when created.
#[Object]
impl ApiKey {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Name, e.g. "e-Mongolia production".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// First characters of the key, to recognise it.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }
    /// Owning institution.
    async fn institution_id(&self) -> ID {
        ID(self.0.institution_id.to_string())
    }
    /// Institutions covered, each with its whole subtree (includes the owner).
    async fn institution_ids(&self) -> Vec<ID> {
        self.0
            .institution_ids
            .iter()
            .map(|i| ID(i.to_string()))
            .collect()
    }
    /// Created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// National platform or institution system: decides whether the key ever
    /// receives citizens' links.
    async fn kind(&self) -> IntegrationKind {
        self.0.kind.into()
    }
    /// When it was revoked, if it was.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// Whether the key still works.
    async fn active(&self) -> bool {
        self.0.revoked_at.is_none()
    }
}

/// A newly created key.
#[derive(SimpleObject)]
pub struct CreatedApiKey {
    /// The key: store it now, it is never shown again.
    pub key: String,
    /// The key's listing.
    pub api_key: ApiKey,
}

/// A new API key.
#[derive(InputObject)]
pub struct CreateApiKeyInput {
    /// Owning institution; the key covers its subtree.
    pub institution_id: ID,
    /// Name, e.g. "Queue system, Bayanzürkh branch".
    pub name: String,
    /// Whose system it is: a national platform receives citizens' links; an
    /// institution's own system never does (Sanal sends the link itself).
    pub kind: IntegrationKind,
    /// Further institutions (with subtrees) the key covers.
    pub also_covers: Option<Vec<ID>>,
}

/// API key queries.
#[derive(Default)]
pub struct ApiKeyQuery;

#[Object]
impl ApiKeyQuery {
    /// Keys of institutions the caller manages.
    async fn api_keys(
        &self,
        c: &Context<'_>,
        institution_id: Option<ID>,
        #[graphql(default = false)] include_revoked: bool,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ApiKeyConnection> {
        let (state, actor) = ctx(c)?;
        let inst = institution_id
            .as_ref()
            .map(|i| parse_id("institutionId", i))
            .transpose()?;
        let p = api_keys::list_api_keys(state, actor, inst, include_revoked, page(first, after)?)
            .await?;
        Ok(ApiKeyConnection::from_page(p, |k| k.id, ApiKey))
    }
}

/// API key mutations.
#[derive(Default)]
pub struct ApiKeyMutation;

#[Object]
impl ApiKeyMutation {
    /// Creates a key (ADMIN only: an institution measured never makes the keys that
    /// issue its invitations). The key is returned once; only its hash is stored.
    async fn create_api_key(
        &self,
        c: &Context<'_>,
        input: CreateApiKeyInput,
    ) -> Result<CreatedApiKey> {
        let (state, actor) = ctx(c)?;
        let created = api_keys::create_api_key(
            state,
            actor,
            parse_id("institutionId", &input.institution_id)?,
            &input.name,
            input.kind.into(),
            parse_ids("alsoCovers", &input.also_covers.unwrap_or_default())?,
        )
        .await?;
        Ok(CreatedApiKey {
            key: created.key,
            api_key: ApiKey(created.api_key),
        })
    }

    /// Revokes a key; it stops working at once.
    async fn revoke_api_key(&self, c: &Context<'_>, id: ID) -> Result<ApiKey> {
        let (state, actor) = ctx(c)?;
        Ok(ApiKey(
            api_keys::revoke_api_key(state, actor, parse_id("id", &id)?).await?,
        ))
    }

    /// Sets the institutions a key covers besides its owner (ADMIN).
    async fn set_api_key_coverage(
        &self,
        c: &Context<'_>,
        id: ID,
        institution_ids: Vec<ID>,
    ) -> Result<ApiKey> {
        let (state, actor) = ctx(c)?;
        let ids = parse_ids("institutionIds", &institution_ids)?;
        Ok(ApiKey(
            api_keys::set_api_key_coverage(state, actor, parse_id("id", &id)?, ids).await?,
        ))
    }
}
