//! Who is calling: resolved once per request from `Authorization: Bearer <jwt>` or
//! `X-Api-Key: <key>`, then passed to every service call.

use crate::auth::secrets::sha256_hex;
use crate::domain::role::{Assignment, Role};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use entity::{api_key, api_key_institution, role_assignment, session, user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// The caller of one request, with the client address (for rate limits and audit).
#[derive(Debug, Clone)]
pub struct Actor {
    /// Who.
    pub caller: Caller,
    /// Client address as seen by the server (or the proxy, when trusted).
    pub client_ip: Option<String>,
}

/// The kinds of caller.
#[derive(Debug, Clone)]
pub enum Caller {
    /// No credential: citizens answering with an invitation, public data.
    Anonymous,
    /// A signed-in user.
    User(UserActor),
    /// A service-delivery system with an API key.
    Key(KeyActor),
}

/// A signed-in user and their role assignments.
#[derive(Debug, Clone)]
pub struct UserActor {
    /// User id.
    pub id: Uuid,
    /// Login e-mail.
    pub email: String,
    /// Current session.
    pub session_id: Uuid,
    /// Role assignments.
    pub assignments: Vec<Assignment>,
}

impl UserActor {
    /// Whether the user holds `role` anywhere.
    pub fn has_role(&self, role: Role) -> bool {
        self.assignments.iter().any(|a| a.role == role)
    }

    /// Institutions where the user holds one of `roles`.
    pub fn institutions_with(&self, roles: &[Role]) -> Vec<Uuid> {
        self.assignments
            .iter()
            .filter(|a| roles.contains(&a.role))
            .filter_map(|a| a.institution_id())
            .collect()
    }
}

/// An integration (API key) and the institutions it covers (with their subtrees).
#[derive(Debug, Clone)]
pub struct KeyActor {
    /// Key id.
    pub id: Uuid,
    /// Key name.
    pub name: String,
    /// Covered institutions (subtree roots).
    pub institution_ids: Vec<Uuid>,
}

impl Actor {
    /// An anonymous caller.
    pub fn anonymous(client_ip: Option<String>) -> Self {
        Self {
            caller: Caller::Anonymous,
            client_ip,
        }
    }

    /// The system itself acting with ADMIN rights (start-up jobs, the demo);
    /// `label` is what the audit log shows as the actor.
    pub fn system(label: &str) -> Self {
        Self {
            caller: Caller::User(UserActor {
                id: Uuid::nil(),
                email: label.to_owned(),
                session_id: Uuid::nil(),
                assignments: vec![Assignment {
                    role: Role::Admin,
                    scope: crate::domain::role::Scope::Global,
                }],
            }),
            client_ip: None,
        }
    }

    /// The user id, if a user is calling.
    pub fn user_id(&self) -> Option<Uuid> {
        match &self.caller {
            Caller::User(u) => Some(u.id),
            _ => None,
        }
    }

    /// The key a caller's concurrent work is counted under: the user, the API key,
    /// or (anonymous) the client address.
    pub fn throttle_key(&self) -> String {
        match &self.caller {
            Caller::User(u) => format!("user:{}", u.id),
            Caller::Key(k) => format!("key:{}", k.id),
            Caller::Anonymous => format!("ip:{}", self.client_ip.as_deref().unwrap_or("-")),
        }
    }

    /// Who, as written into the audit log: (kind, id, label).
    pub fn audit_identity(&self) -> (&'static str, Option<Uuid>, String) {
        match &self.caller {
            Caller::Anonymous => ("ANONYMOUS", None, String::new()),
            Caller::User(u) => ("USER", Some(u.id), u.email.clone()),
            Caller::Key(k) => ("API_KEY", Some(k.id), k.name.clone()),
        }
    }
}

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
    Ok(KeyActor {
        id: k.id,
        name: k.name,
        institution_ids,
    })
}
