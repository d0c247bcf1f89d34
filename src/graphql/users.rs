//! Users and role assignments.

use super::common::{connection_type, ctx, mirror_enum, page, parse_id};
use crate::domain::role::Assignment;
use crate::error::AppResult;
use crate::services::users::{self, NewUser, UserChanges, UserFilter, UserView};
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};

connection_type!(UserConnection, UserEdge, User, "users");

mirror_enum!(
    /// What a user may do; see the README's role table.
    Role => crate::domain::role::Role {
        /// System operator: everything.
        Admin,
        /// Authority of Government Supervision analyst: reads all institutions, publishes conclusions.
        Supervisor,
        /// Manages an institution's (and its sub-institutions') services, surveys, users and API keys.
        InstitutionManager,
        /// Reads an institution's results, answers suggestions, updates assigned actions.
        InstitutionStaff,
        /// Member of an accredited NGO: submits evaluations, reads published data.
        NgoReviewer,
        /// Registered citizen: follows own suggestions.
        Citizen,
    }
);

/// A person who signs in.
pub struct User(pub UserView);

/// A role held by a user, and where it applies.
pub struct RoleAssignment(pub Assignment);

/// A role held by a user, and where it applies.
#[Object]
impl RoleAssignment {
    /// The role.
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    /// For institution roles: the institution (its whole subtree is covered).
    async fn institution_id(&self) -> Option<ID> {
        self.0.institution_id().map(|i| ID(i.to_string()))
    }
    /// For NGO reviewers: the NGO.
    async fn ngo_id(&self) -> Option<ID> {
        self.0.ngo_id().map(|i| ID(i.to_string()))
    }
}

/// A person who signs in.
#[Object]
impl User {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Login e-mail (lower-case).
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// Name shown in interfaces.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// Whether the user may sign in.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// When the account was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Roles held, each with its scope.
    async fn assignments(&self) -> Vec<RoleAssignment> {
        self.0
            .assignments
            .iter()
            .copied()
            .map(RoleAssignment)
            .collect()
    }
}

/// A role to give, with its scope.
#[derive(InputObject, Clone)]
pub struct RoleAssignmentInput {
    /// The role.
    pub role: Role,
    /// Required for INSTITUTION_MANAGER and INSTITUTION_STAFF; not allowed otherwise.
    pub institution_id: Option<ID>,
    /// For NGO_REVIEWER: the NGO.
    pub ngo_id: Option<ID>,
}

fn parse_assignments(list: Vec<RoleAssignmentInput>) -> AppResult<Vec<Assignment>> {
    if list.len() > 50 {
        return Err(crate::error::AppError::bad_input(
            "assignments",
            "at most 50",
        ));
    }
    list.into_iter()
        .map(|a| {
            Assignment::parse(
                a.role.into(),
                a.institution_id
                    .as_ref()
                    .map(|i| parse_id("institutionId", i))
                    .transpose()?,
                a.ngo_id
                    .as_ref()
                    .map(|i| parse_id("ngoId", i))
                    .transpose()?,
            )
            .map_err(Into::into)
        })
        .collect()
}

/// A new user.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// Login e-mail.
    pub email: String,
    /// Name shown in interfaces.
    pub display_name: String,
    /// Initial password, at least 12 characters.
    pub password: String,
    /// Roles to give.
    pub assignments: Vec<RoleAssignmentInput>,
}

/// Changes to a user; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateUserInput {
    /// New display name.
    pub display_name: Option<String>,
    /// False disables sign-in and ends every session at once.
    pub active: Option<bool>,
    /// Replaces all role assignments.
    pub assignments: Option<Vec<RoleAssignmentInput>>,
}

/// Filters for `users`.
#[derive(InputObject, Default)]
pub struct UserFilterInput {
    /// E-mail or name contains this (case-insensitive).
    pub text: Option<String>,
    /// Holds a role at this institution.
    pub institution_id: Option<ID>,
    /// Holds this role.
    pub role: Option<Role>,
    /// Active or disabled users only.
    pub active: Option<bool>,
}

/// User queries.
#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// Users the caller manages: ADMIN sees all; an INSTITUTION_MANAGER sees users
    /// holding a role in their subtree.
    async fn users(
        &self,
        c: &Context<'_>,
        filter: Option<UserFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<UserConnection> {
        let (state, actor) = ctx(c)?;
        let f = filter.unwrap_or_default();
        let filter = UserFilter {
            text: f.text,
            institution_id: f
                .institution_id
                .as_ref()
                .map(|i| parse_id("institutionId", i))
                .transpose()?,
            role: f.role.map(Into::into),
            active: f.active,
        };
        let p = users::list_users(state, actor, filter, page(first, after)?).await?;
        Ok(UserConnection::from_page(p, |u| u.id, User))
    }

    /// One user the caller manages.
    async fn user(&self, c: &Context<'_>, id: ID) -> Result<User> {
        let (state, actor) = ctx(c)?;
        Ok(User(
            users::get_user(state, actor, parse_id("id", &id)?).await?,
        ))
    }
}

/// User mutations.
#[derive(Default)]
pub struct UserMutation;

#[Object]
impl UserMutation {
    /// Creates a user. Only ADMIN gives ADMIN, SUPERVISOR, NGO_REVIEWER or CITIZEN;
    /// a manager gives manager and staff roles inside their own subtree.
    async fn create_user(&self, c: &Context<'_>, input: CreateUserInput) -> Result<User> {
        let (state, actor) = ctx(c)?;
        let input = NewUser {
            email: input.email,
            display_name: input.display_name,
            password: input.password,
            assignments: parse_assignments(input.assignments)?,
        };
        Ok(User(users::create_user(state, actor, input).await?))
    }

    /// Changes a user's name, active flag or role assignments.
    async fn update_user(&self, c: &Context<'_>, id: ID, input: UpdateUserInput) -> Result<User> {
        let (state, actor) = ctx(c)?;
        let changes = UserChanges {
            display_name: input.display_name,
            active: input.active,
            assignments: input.assignments.map(parse_assignments).transpose()?,
        };
        Ok(User(
            users::update_user(state, actor, parse_id("id", &id)?, changes).await?,
        ))
    }
}
