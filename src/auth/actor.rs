//! Who is calling: resolved once per request from `Authorization: Bearer <jwt>` or
//! `X-Api-Key: <key>` (by [`services::actors`](crate::services::actors)), then
//! passed to every service call.

use crate::domain::role::{Assignment, Role};
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
    /// National platform or the institution's own system.
    pub kind: crate::domain::vocab::IntegrationKind,
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
