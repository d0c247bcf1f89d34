//! Users and their role assignments.

use super::actors::load_assignments;
use super::audit::Event;
use super::sessions::revoke_user_sessions;
use crate::auth::Actor;
use crate::authz::{self, Action, InstitutionScope};
use crate::domain::password::NewPassword;
use crate::domain::role::{Assignment, Role};
use crate::domain::{Email, Page, PageRequest};
use crate::error::{AppError, AppResult};
use crate::services::write::ConflictOnUnique;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::{institution, role_assignment, user};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

/// A user as the API shows it (never the password hash).
#[derive(Debug, Clone)]
pub struct UserView {
    /// Id.
    pub id: Uuid,
    /// Login e-mail.
    pub email: String,
    /// Name shown in the interface.
    pub display_name: String,
    /// Whether the user may sign in.
    pub active: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Role assignments.
    pub assignments: Vec<Assignment>,
}

/// Builds the view of a user row (loads assignments).
pub async fn view(conn: &impl ConnectionTrait, u: user::Model) -> AppResult<UserView> {
    let assignments = load_assignments(conn, u.id).await?;
    Ok(view_with(u, assignments))
}

/// The view of a user row with its assignments already loaded.
fn view_with(u: user::Model, assignments: Vec<Assignment>) -> UserView {
    UserView {
        id: u.id,
        email: u.email,
        display_name: u.display_name,
        active: u.active,
        created_at: u.created_at,
        assignments,
    }
}

/// Input of [`create_user`].
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login e-mail.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Initial password.
    pub password: String,
    /// Role assignments.
    pub assignments: Vec<Assignment>,
}

/// Input of [`update_user`]; `None` leaves a field unchanged.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    /// New display name.
    pub display_name: Option<String>,
    /// Enable or disable sign-in (disabling ends every session at once).
    pub active: Option<bool>,
    /// Replaces all assignments.
    pub assignments: Option<Vec<Assignment>>,
}

fn parse_display_name(raw: &str) -> AppResult<String> {
    let s = raw.trim();
    if s.is_empty() || s.chars().count() > 200 || s.chars().any(char::is_control) {
        return Err(AppError::bad_input(
            "displayName",
            "must be 1-200 printable characters",
        ));
    }
    Ok(s.to_owned())
}

fn dedup(mut a: Vec<Assignment>) -> Vec<Assignment> {
    let mut seen = std::collections::HashSet::new();
    a.retain(|x| seen.insert(*x));
    a
}

async fn check_grants(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    assignments: &[Assignment],
) -> AppResult<()> {
    for a in assignments {
        authz::may_grant(conn, actor, a).await?;
        if let Some(i) = a.institution_id()
            && institution::Entity::find_by_id(i)
                .one(conn)
                .await?
                .is_none()
        {
            return Err(AppError::NotFound);
        }
        if let Some(n) = a.ngo_id()
            && entity::ngo::Entity::find_by_id(n)
                .one(conn)
                .await?
                .is_none()
        {
            return Err(AppError::NotFound);
        }
    }
    Ok(())
}

async fn write_assignments(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    assignments: &[Assignment],
    now: DateTime<Utc>,
) -> AppResult<()> {
    // An NGO's lead keeps the lead while they keep that NGO.
    let leads: Vec<Option<Uuid>> = role_assignment::Entity::find()
        .filter(role_assignment::Column::UserId.eq(user_id))
        .filter(role_assignment::Column::Lead.eq(true))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.ngo_id)
        .collect();
    role_assignment::Entity::delete_many()
        .filter(role_assignment::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    for a in assignments {
        role_assignment::ActiveModel {
            id: Set(super::new_id()),
            user_id: Set(user_id),
            role: Set(a.role.as_str().to_owned()),
            institution_id: Set(a.institution_id()),
            ngo_id: Set(a.ngo_id()),
            lead: Set(a.ngo_id().is_some() && leads.contains(&a.ngo_id())),
            created_at: Set(now),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

fn assignments_json(a: &[Assignment]) -> serde_json::Value {
    json!(
        a.iter()
            .map(|a| json!({
                "role": a.role.as_str(),
                "institutionId": a.institution_id(),
                "ngoId": a.ngo_id(),
            }))
            .collect::<Vec<_>>()
    )
}

/// Creates a user. ADMIN: any roles; INSTITUTION_MANAGER: manager/staff roles in
/// their subtree.
pub async fn create_user(state: &AppState, actor: &Actor, input: NewUser) -> AppResult<UserView> {
    authz::scope(actor, Action::ManageUsers)?;
    let email = Email::parse(&input.email)?;
    let display_name = parse_display_name(&input.display_name)?;
    let password = NewPassword::parse_for(
        "password",
        &input.password,
        email.as_str(),
        Some(&display_name),
    )?;
    let assignments = dedup(input.assignments);
    check_grants(state.db.conn(), actor, &assignments).await?;
    let hash = state.passwords.hash(password.expose()).await?;
    create_user_unchecked(state, actor, email, display_name, hash, assignments).await
}

/// Inserts a user whose input and permissions were already checked.
pub(crate) async fn create_user_unchecked(
    state: &AppState,
    actor: &Actor,
    email: Email,
    display_name: String,
    password_hash: String,
    assignments: Vec<Assignment>,
) -> AppResult<UserView> {
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    // Same write transaction as the insert: nobody else can take the address between.
    let taken = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .count(&*txn)
        .await?
        > 0;
    if taken {
        return Err(AppError::Conflict(
            "a user with this e-mail already exists".into(),
        ));
    }
    let id = super::new_id();
    let row = user::ActiveModel {
        id: Set(id),
        email: Set(email.as_str().to_owned()),
        search_text: Set(search_text(email.as_str(), &display_name)),
        display_name: Set(display_name),
        password_hash: Set(password_hash),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        password_changed_at: Set(now),
    }
    .insert(&*txn)
    .await
    .conflict_on_unique("a user with this e-mail already exists")?;
    write_assignments(&*txn, id, &assignments, now).await?;
    let v = view(&*txn, row).await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "USER_CREATED",
            target: Some(("USER", id)),
            details: json!({ "email": email.as_str(), "assignments": assignments_json(&assignments) }),
        },
    )
    .await?;
    Ok(v)
}

async fn active_admins_other_than(conn: &impl ConnectionTrait, user_id: Uuid) -> AppResult<u64> {
    Ok(user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Id.ne(user_id))
        .filter(
            user::Column::Id.in_subquery(
                Query::select()
                    .column(role_assignment::Column::UserId)
                    .from(role_assignment::Entity)
                    .and_where(Expr::col(role_assignment::Column::Role).eq(Role::Admin.as_str()))
                    .to_owned(),
            ),
        )
        .count(conn)
        .await?)
}

/// Changes a user's name, active flag or assignments.
pub async fn update_user(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    changes: UserChanges,
) -> AppResult<UserView> {
    authz::scope(actor, Action::ManageUsers)?;
    let now = state.clock.now();
    let display_name = changes
        .display_name
        .as_deref()
        .map(parse_display_name)
        .transpose()?;
    let txn = crate::services::write::begin(state).await?;
    let u = user::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let current = load_assignments(&*txn, id).await?;
    authz::may_manage_user(&*txn, actor, &current).await?;
    let new_assignments = changes.assignments.map(dedup);
    if let Some(new) = &new_assignments {
        check_grants(&*txn, actor, new).await?;
    }

    let was_admin = u.active && current.iter().any(|a| a.role == Role::Admin);
    let stays_admin = changes.active.unwrap_or(u.active)
        && new_assignments
            .as_ref()
            .unwrap_or(&current)
            .iter()
            .any(|a| a.role == Role::Admin);
    if was_admin && !stays_admin && active_admins_other_than(&*txn, id).await? == 0 {
        return Err(AppError::Conflict(
            "this is the last active administrator; appoint another first".into(),
        ));
    }

    let mut details = serde_json::Map::new();
    let mut row: user::ActiveModel = u.clone().into();
    if let Some(n) = display_name {
        details.insert("displayName".into(), json!(n));
        row.search_text = Set(search_text(&u.email, &n));
        row.display_name = Set(n);
    }
    if let Some(a) = changes.active {
        details.insert("active".into(), json!(a));
        row.active = Set(a);
        if !a {
            revoke_user_sessions(&*txn, id, None, now, "user disabled").await?;
        }
    }
    row.updated_at = Set(now);
    let saved = row.update(&*txn).await?;
    if let Some(new) = &new_assignments {
        details.insert("assignments".into(), assignments_json(new));
        details.insert("previousAssignments".into(), assignments_json(&current));
        write_assignments(&*txn, id, new, now).await?;
    }
    let v = view(&*txn, saved).await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "USER_UPDATED",
            target: Some(("USER", id)),
            details: serde_json::Value::Object(details),
        },
    )
    .await?;
    Ok(v)
}

/// Filters of [`list_users`].
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// E-mail or name contains (case-insensitive).
    pub text: Option<String>,
    /// Holds an assignment at this institution.
    pub institution_id: Option<Uuid>,
    /// Holds this role.
    pub role: Option<Role>,
    /// Active or not.
    pub active: Option<bool>,
}

fn holds(cond: Condition) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(role_assignment::Column::UserId)
        .from(role_assignment::Entity)
        .cond_where(cond)
        .to_owned()
}

/// Users the caller manages: ADMIN all; managers those with an assignment in their subtree.
pub async fn list_users(
    state: &AppState,
    actor: &Actor,
    filter: UserFilter,
    page: PageRequest,
) -> AppResult<Page<UserView>> {
    let scope = authz::scope(actor, Action::ManageUsers)?;
    let mut q = user::Entity::find();
    if let InstitutionScope::Subtrees(_) = &scope {
        q = q.filter(user::Column::Id.in_subquery(holds(
            scope.condition(role_assignment::Column::InstitutionId),
        )));
    }
    if let Some(i) = filter.institution_id {
        q = q.filter(user::Column::Id.in_subquery(holds(
            Condition::all().add(role_assignment::Column::InstitutionId.eq(i)),
        )));
    }
    if let Some(r) = filter.role {
        q = q.filter(user::Column::Id.in_subquery(holds(
            Condition::all().add(role_assignment::Column::Role.eq(r.as_str())),
        )));
    }
    if let Some(a) = filter.active {
        q = q.filter(user::Column::Active.eq(a));
    }
    if let Some(t) = filter
        .text
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
    {
        q = q.filter(super::contains_text(user::Column::SearchText, &t));
    }
    let conn = state.db.conn();
    let page = super::fetch_page(conn, q, user::Column::Id, page).await?;
    // One query for every assignment of the page, one for the caller's subtree.
    let ids: Vec<Uuid> = page.items.iter().map(|u| u.id).collect();
    let mut assignments = super::actors::load_assignments_of(conn, &ids).await?;
    let members = scope.members(conn).await?;
    let items = page
        .items
        .into_iter()
        .map(|u| {
            let a = assignments.remove(&u.id).unwrap_or_default();
            within(members.as_ref(), view_with(u, a))
        })
        .collect();
    Ok(Page {
        items,
        has_next: page.has_next,
        has_previous: page.has_previous,
    })
}

/// One user the caller manages (others answer `NOT_FOUND`).
pub async fn get_user(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<UserView> {
    let scope = authz::scope(actor, Action::ManageUsers)?;
    let conn = state.db.conn();
    let u = user::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let current = load_assignments(conn, id).await?;
    match &scope {
        InstitutionScope::All => {}
        scope => {
            let mut visible = false;
            for a in &current {
                if let Some(i) = a.institution_id() {
                    visible |= scope.contains(conn, i).await?;
                }
            }
            if !visible {
                return Err(AppError::NotFound);
            }
        }
    }
    let members = scope.members(conn).await?;
    Ok(within(members.as_ref(), view_with(u, current)))
}

/// The user as a caller with `scope` may see them: a manager sees only the
/// assignments inside their subtree, not what the same person holds elsewhere.
fn within(members: Option<&std::collections::HashSet<Uuid>>, mut v: UserView) -> UserView {
    if let Some(m) = members {
        v.assignments
            .retain(|a| a.institution_id().is_some_and(|i| m.contains(&i)));
    }
    v
}

/// Lower-cased e-mail and name, for case-insensitive search in any script
/// (SQLite's `lower()` only knows ASCII).
fn search_text(email: &str, display_name: &str) -> String {
    format!("{email} \u{1f} {}", display_name.to_lowercase())
}
