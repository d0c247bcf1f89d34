//! Who is calling: the credentials of a request (a bearer access token or an API
//! key) resolved to an [`Actor`]. A credential that is present but invalid is an
//! error, never a silent fall-back to anonymous.

use crate::auth::secrets::sha256_hex;
use crate::auth::{Actor, Caller, KeyActor, UserActor};
use crate::domain::role::{Assignment, Role};
use crate::domain::vocab::IntegrationKind;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use entity::{api_key, api_key_institution, role_assignment, session, user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// Loads a user's role assignments.
pub async fn load_assignments(
    conn: &impl sea_orm::ConnectionTrait,
    user_id: Uuid,
) -> AppResult<Vec<Assignment>> {
    let rows = role_assignment::Entity::find()
        .filter(role_assignment::Column::UserId.eq(user_id))
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let role = Role::parse(&r.role)?;
            Assignment::parse(role, r.institution_id, r.ngo_id).ok()
        })
        .collect())
}

/// The role assignments of several users (one query).
pub async fn load_assignments_of(
    conn: &impl sea_orm::ConnectionTrait,
    user_ids: &[Uuid],
) -> AppResult<std::collections::HashMap<Uuid, Vec<Assignment>>> {
    let mut out: std::collections::HashMap<Uuid, Vec<Assignment>> =
        std::collections::HashMap::new();
    for r in role_assignment::Entity::find()
        .filter(role_assignment::Column::UserId.is_in(user_ids.iter().copied()))
        .all(conn)
        .await?
    {
        let Some(a) = Role::parse(&r.role)
            .and_then(|role| Assignment::parse(role, r.institution_id, r.ngo_id).ok())
        else {
            continue;
        };
        out.entry(r.user_id).or_default().push(a);
    }
    Ok(out)
}

/// Resolves the caller from the request's credentials. A credential that is present
/// but invalid is an error (never a silent fall-back to anonymous).
pub async fn resolve(
    state: &AppState,
    authorization: Option<&str>,
    api_key: Option<&str>,
    client_ip: Option<String>,
) -> AppResult<Actor> {
    let caller = match (authorization, api_key) {
        (Some(_), Some(_)) => {
            return Err(AppError::unauthenticated(
                "send either a bearer token or an API key, not both",
            ));
        }
        (Some(h), None) => Caller::User(resolve_bearer(state, h).await?),
        (None, Some(k)) => Caller::Key(resolve_key(state, k).await?),
        (None, None) => Caller::Anonymous,
    };
    Ok(Actor { caller, client_ip })
}

async fn resolve_bearer(state: &AppState, header: &str) -> AppResult<UserActor> {
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .ok_or_else(|| AppError::unauthenticated("Authorization must be 'Bearer <token>'"))?;
    let now = state.clock.now();
    let id = state.tokens.verify(token, now)?;
    let conn = state.db.conn();
    let gone = || AppError::unauthenticated("session ended; sign in again");
    let s = session::Entity::find_by_id(id.session_id)
        .one(conn)
        .await?
        .ok_or_else(gone)?;
    if s.user_id != id.user_id || s.revoked_at.is_some() || s.expires_at <= now {
        return Err(gone());
    }
    let u = user::Entity::find_by_id(id.user_id)
        .one(conn)
        .await?
        .ok_or_else(gone)?;
    if !u.active {
        return Err(gone());
    }
    Ok(UserActor {
        id: u.id,
        email: u.email,
        session_id: s.id,
        assignments: load_assignments(conn, u.id).await?,
    })
}

async fn resolve_key(state: &AppState, key: &str) -> AppResult<KeyActor> {
    let invalid = || AppError::unauthenticated("invalid API key");
    let key = key.trim();
    if key.is_empty() || key.len() > 200 {
        return Err(invalid());
    }
    let conn = state.db.conn();
    let k = api_key::Entity::find()
        .filter(api_key::Column::KeyHash.eq(sha256_hex(key)))
        .filter(api_key::Column::RevokedAt.is_null())
        .one(conn)
        .await?
        .ok_or_else(invalid)?;
    let institution_ids = api_key_institution::Entity::find()
        .filter(api_key_institution::Column::ApiKeyId.eq(k.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.institution_id)
        .collect();
    // An unknown stored kind is trusted least.
    let kind = IntegrationKind::parse(&k.kind).unwrap_or(IntegrationKind::InstitutionSystem);
    Ok(KeyActor {
        id: k.id,
        name: k.name,
        institution_ids,
        kind,
    })
}
