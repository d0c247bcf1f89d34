//! Start-up tasks: fix the reporting time zone in the database, create the first
//! administrator.

use crate::auth::Actor;
use crate::domain::Email;
use crate::domain::password::NewPassword;
use crate::domain::role::{Assignment, Role, Scope};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono_tz::Tz;
use entity::{role_assignment, setting, user};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

const TIMEZONE_KEY: &str = "reporting_timezone";

/// Stores the reporting zone when the database is new; refuses a different one
/// later, since every period would shift.
pub async fn fix_reporting_timezone(state: &AppState, tz: Tz) -> AppResult<()> {
    let txn = crate::services::write::begin(state).await?;
    match setting::Entity::find_by_id(TIMEZONE_KEY.to_owned())
        .one(&*txn)
        .await?
    {
        Some(s) if s.value == tz.name() => {}
        Some(s) => {
            return Err(AppError::Conflict(format!(
                "this database reports in {}, but SANAL_TIMEZONE is {}; the reporting zone \
                 cannot change once data exists (every period would shift)",
                s.value,
                tz.name()
            )));
        }
        None => {
            setting::Entity::insert(setting::ActiveModel {
                key: Set(TIMEZONE_KEY.to_owned()),
                value: Set(tz.name().to_owned()),
            })
            .exec_without_returning(&*txn)
            .await?;
        }
    }
    txn.finish_unaudited("start-up: the reporting zone is fixed once, before anyone signs in")
        .await
}

/// Whether an active administrator exists (the start-up log says how to create one if not).
pub async fn admin_exists(state: &AppState) -> AppResult<bool> {
    Ok(user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .filter(
            user::Column::Id.in_subquery(
                Query::select()
                    .column(role_assignment::Column::UserId)
                    .from(role_assignment::Entity)
                    .and_where(Expr::col(role_assignment::Column::Role).eq(Role::Admin.as_str()))
                    .to_owned(),
            ),
        )
        .count(state.db.conn())
        .await?
        > 0)
}

/// Creates an administrator (CLI `create-admin`, or the environment at start).
pub async fn create_admin(state: &AppState, email: &str, password: &str) -> AppResult<()> {
    let email = Email::parse(email)?;
    let password = NewPassword::parse_for("password", password, email.as_str(), None)?;
    let hash = state.passwords.hash(password.expose()).await?;
    let system = Actor::anonymous(None);
    let admin = Assignment {
        role: Role::Admin,
        scope: Scope::Global,
    };
    super::users::create_user_unchecked(
        state,
        &system,
        email,
        "Administrator".into(),
        hash,
        vec![admin],
    )
    .await
    .map(|_| ())
}

/// Creates the first administrator from `SANAL_ADMIN_EMAIL` / `SANAL_ADMIN_PASSWORD`
/// when no active administrator exists. Returns whether one was created.
pub async fn ensure_admin_from_config(state: &AppState) -> AppResult<bool> {
    let (Some(email), Some(password)) = (&state.config.admin_email, &state.config.admin_password)
    else {
        return Ok(false);
    };
    if admin_exists(state).await? {
        return Ok(false);
    }
    create_admin(state, email, password).await?;
    Ok(true)
}
