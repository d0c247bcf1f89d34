//! API keys of service-delivery systems. The key is shown once, at creation; only
//! its SHA-256 hash is stored. Only an ADMIN makes keys, choosing their kind
//! (national platform or institution system) and the institutions they cover;
//! managers may list and revoke their institutions' keys.

use super::audit::Event;
use crate::auth::Actor;
use crate::auth::secrets::{random_token, sha256_hex};
use crate::authz::{self, Action};
use crate::domain::vocab::IntegrationKind;
use crate::domain::{Page, PageRequest};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::{api_key, api_key_institution, institution};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

/// An API key as listed (never the key itself).
#[derive(Debug, Clone)]
pub struct ApiKeyView {
    /// Id.
    pub id: Uuid,
    /// Name given by its creator (e.g. "e-Mongolia production").
    pub name: String,
    /// First characters of the key, to recognise it.
    pub prefix: String,
    /// Owning institution.
    pub institution_id: Uuid,
    /// Institutions covered (each with its subtree), including the owner.
    pub institution_ids: Vec<Uuid>,
    /// National platform or institution system.
    pub kind: IntegrationKind,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A newly created key: the only time the secret is returned.
#[derive(Debug, Clone)]
pub struct CreatedApiKey {
    /// The secret, to send as `X-Api-Key`.
    pub key: String,
    /// Its listing.
    pub api_key: ApiKeyView,
}

async fn view(conn: &impl ConnectionTrait, k: api_key::Model) -> AppResult<ApiKeyView> {
    let institution_ids: Vec<Uuid> = api_key_institution::Entity::find()
        .filter(api_key_institution::Column::ApiKeyId.eq(k.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.institution_id)
        .collect();
    Ok(view_with(k, institution_ids))
}

/// The view of a key row with its coverage already loaded.
fn view_with(k: api_key::Model, mut institution_ids: Vec<Uuid>) -> ApiKeyView {
    institution_ids.sort();
    ApiKeyView {
        id: k.id,
        name: k.name,
        prefix: k.prefix,
        institution_id: k.institution_id,
        institution_ids,
        kind: IntegrationKind::parse(&k.kind).unwrap_or(IntegrationKind::InstitutionSystem),
        created_at: k.created_at,
        revoked_at: k.revoked_at,
    }
}

fn parse_name(raw: &str) -> AppResult<String> {
    let s = raw.trim();
    if s.is_empty() || s.chars().count() > 200 || s.chars().any(char::is_control) {
        return Err(AppError::bad_input(
            "name",
            "must be 1-200 printable characters",
        ));
    }
    Ok(s.to_owned())
}

async fn require_institutions(conn: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<()> {
    let found = institution::Entity::find()
        .filter(institution::Column::Id.is_in(ids.iter().copied()))
        .count(conn)
        .await?;
    if found != ids.len() as u64 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

async fn write_coverage(conn: &impl ConnectionTrait, key_id: Uuid, ids: &[Uuid]) -> AppResult<()> {
    api_key_institution::Entity::delete_many()
        .filter(api_key_institution::Column::ApiKeyId.eq(key_id))
        .exec(conn)
        .await?;
    let rows: Vec<_> = ids
        .iter()
        .map(|i| api_key_institution::ActiveModel {
            api_key_id: Set(key_id),
            institution_id: Set(*i),
        })
        .collect();
    api_key_institution::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Creates a key of `kind` for `institution_id` (ADMIN). `also_covers` widens it to
/// further institutions (a national platform serves many).
pub async fn create_api_key(
    state: &AppState,
    actor: &Actor,
    institution_id: Uuid,
    name: &str,
    kind: IntegrationKind,
    also_covers: Vec<Uuid>,
) -> AppResult<CreatedApiKey> {
    authz::require_global(actor, Action::CreateApiKeys)?;
    let name = parse_name(name)?;
    let mut covered = vec![institution_id];
    covered.extend(also_covers);
    covered.sort();
    covered.dedup();
    if covered.len() > 500 {
        return Err(AppError::bad_input(
            "alsoCovers",
            "at most 500 institutions",
        ));
    }
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    require_institutions(&*txn, &covered).await?;
    let key = format!("sk_{}", random_token(32));
    let id = super::new_id();
    let row = api_key::ActiveModel {
        id: Set(id),
        name: Set(name.clone()),
        prefix: Set(key.chars().take(10).collect()),
        key_hash: Set(sha256_hex(&key)),
        institution_id: Set(institution_id),
        kind: Set(kind.as_str().to_owned()),
        created_by: Set(actor.user_id()),
        created_at: Set(now),
        revoked_at: Set(None),
    }
    .insert(&*txn)
    .await?;
    write_coverage(&*txn, id, &covered).await?;
    let api_key = view(&*txn, row).await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "API_KEY_CREATED",
            target: Some(("API_KEY", id)),
            details: json!({ "name": name, "kind": kind, "institutionIds": covered }),
        },
    )
    .await?;
    Ok(CreatedApiKey { key, api_key })
}

/// Sets the institutions a key covers (ADMIN).
pub async fn set_api_key_coverage(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    institution_ids: Vec<Uuid>,
) -> AppResult<ApiKeyView> {
    authz::require_global(actor, Action::CreateApiKeys)?;
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    let k = api_key::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut covered = institution_ids;
    covered.push(k.institution_id);
    covered.sort();
    covered.dedup();
    require_institutions(&*txn, &covered).await?;
    write_coverage(&*txn, id, &covered).await?;
    let v = view(&*txn, k).await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "API_KEY_COVERAGE_CHANGED",
            target: Some(("API_KEY", id)),
            details: json!({ "institutionIds": covered }),
        },
    )
    .await?;
    Ok(v)
}

/// Revokes a key: it stops working at once. Revoking twice is harmless.
pub async fn revoke_api_key(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<ApiKeyView> {
    let scope = authz::scope(actor, Action::ManageApiKeys)?;
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    let k = api_key::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    scope.require(&*txn, k.institution_id).await?;
    api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::value(now))
        .filter(api_key::Column::Id.eq(id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(&*txn)
        .await?;
    let k = api_key::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let v = view(&*txn, k).await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "API_KEY_REVOKED",
            target: Some(("API_KEY", id)),
            details: json!({ "name": v.name }),
        },
    )
    .await?;
    Ok(v)
}

/// Keys owned by institutions in the caller's scope.
pub async fn list_api_keys(
    state: &AppState,
    actor: &Actor,
    institution_id: Option<Uuid>,
    include_revoked: bool,
    page: PageRequest,
) -> AppResult<Page<ApiKeyView>> {
    let scope = authz::scope(actor, Action::ManageApiKeys)?;
    let mut q = api_key::Entity::find().filter(scope.condition(api_key::Column::InstitutionId));
    if let Some(i) = institution_id {
        q = q.filter(api_key::Column::InstitutionId.eq(i));
    }
    if !include_revoked {
        q = q.filter(api_key::Column::RevokedAt.is_null());
    }
    let conn = state.db.conn();
    let page = super::fetch_page(conn, q, api_key::Column::Id, page).await?;
    // Every key's coverage in one query.
    let mut coverage: std::collections::HashMap<Uuid, Vec<Uuid>> = std::collections::HashMap::new();
    for r in api_key_institution::Entity::find()
        .filter(api_key_institution::Column::ApiKeyId.is_in(page.items.iter().map(|k| k.id)))
        .all(conn)
        .await?
    {
        coverage
            .entry(r.api_key_id)
            .or_default()
            .push(r.institution_id);
    }
    let items = page
        .items
        .into_iter()
        .map(|k| {
            let c = coverage.remove(&k.id).unwrap_or_default();
            view_with(k, c)
        })
        .collect();
    Ok(Page {
        items,
        has_next: page.has_next,
        has_previous: page.has_previous,
    })
}
