//! Sign-in, sessions and passwords.
//!
//! A session is a refresh-token family. Each refresh token is used once and
//! replaced (rotation). Using a spent token again within the reuse interval (two
//! parallel refreshes of one app) yields another fresh token of the same family;
//! later re-use is treated as theft and revokes the whole family. Access tokens
//! name their session, so revoking it (logout, theft, a disabled user) stops them
//! at once.

use super::audit::Event;
use super::sessions::{create_session, issue_refresh, revoke_session, revoke_user_sessions};
use super::users::{self, UserView};
use crate::auth::Actor;
use crate::auth::secrets::sha256_hex;
use crate::authz;
use crate::domain::Email;
use crate::domain::password::NewPassword;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use entity::{refresh_token, session, user};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

/// Tokens handed to a client after sign-in or refresh.
#[derive(Debug, Clone)]
pub struct SessionTokens {
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// When the access token expires.
    pub access_token_expires_at: DateTime<Utc>,
    /// Opaque, single-use refresh token.
    pub refresh_token: String,
    /// When the refresh token (and the session) expires.
    pub refresh_token_expires_at: DateTime<Utc>,
    /// The signed-in user.
    pub user: UserView,
}

const BAD_LOGIN: &str = "invalid e-mail or password";

fn client_of(actor: &Actor) -> &str {
    actor.client_ip.as_deref().unwrap_or("-")
}

/// Signs in with e-mail and password.
pub async fn login(
    state: &AppState,
    actor: &Actor,
    email: &str,
    password: &str,
) -> AppResult<SessionTokens> {
    let now = state.clock.now();
    let email = Email::parse(email)?;
    // Counted as a failure before the password is checked (see ratelimit::login).
    let attempt =
        super::throttles::login_begin(state, email.as_str(), client_of(actor), now).await?;
    if password.len() > crate::domain::password::MAX_BYTES {
        return Err(AppError::unauthenticated(BAD_LOGIN));
    }

    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(state.db.conn())
        .await?;
    let ok = match &found {
        // An unknown account costs the same work as a wrong password.
        None => state.passwords.verify_dummy(password).await?,
        Some(u) => state.passwords.verify(password, &u.password_hash).await? && u.active,
    };
    let Some(u) = found.filter(|_| ok) else {
        let txn = crate::services::write::begin(state).await?;
        txn.finish_as(
            ("ANONYMOUS", None, email.as_str().to_owned()),
            actor.client_ip.clone(),
            now,
            Event {
                action: "LOGIN_FAILED",
                target: None,
                details: json!({ "email": email.as_str() }),
            },
        )
        .await?;
        return Err(AppError::unauthenticated(BAD_LOGIN));
    };
    super::throttles::login_succeeded(state, attempt).await?;

    let txn = crate::services::write::begin(state).await?;
    let (session_id, refresh, refresh_exp) = create_session(&*txn, state, u.id, now).await?;
    let who = ("USER", Some(u.id), u.email.clone());
    let view = users::view(&*txn, u).await?;
    txn.finish_as(
        who,
        actor.client_ip.clone(),
        now,
        Event {
            action: "LOGIN_SUCCEEDED",
            target: Some(("SESSION", session_id)),
            details: json!({}),
        },
    )
    .await?;
    let (access, access_exp) = state.tokens.issue(view.id, session_id, now)?;
    Ok(SessionTokens {
        access_token: access,
        access_token_expires_at: access_exp,
        refresh_token: refresh,
        refresh_token_expires_at: refresh_exp,
        user: view,
    })
}

/// Exchanges a refresh token for new tokens (rotation; see the module docs).
pub async fn refresh(state: &AppState, actor: &Actor, token: &str) -> AppResult<SessionTokens> {
    let now = state.clock.now();
    let invalid = || AppError::unauthenticated("invalid or expired refresh token");
    if token.len() > 200 {
        return Err(invalid());
    }
    let txn = crate::services::write::begin(state).await?;
    let Some(rt) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(sha256_hex(token)))
        .one(&*txn)
        .await?
    else {
        return Err(invalid());
    };
    let s = session::Entity::find_by_id(rt.session_id)
        .one(&*txn)
        .await?
        .ok_or_else(invalid)?;
    if s.revoked_at.is_some() || s.expires_at <= now || rt.expires_at <= now {
        return Err(invalid());
    }
    let u = user::Entity::find_by_id(s.user_id)
        .one(&*txn)
        .await?
        .ok_or_else(invalid)?;
    if !u.active {
        return Err(invalid());
    }
    // Spend the token with a conditional update: of two racing refreshes exactly
    // one spends it; the other sees it spent and falls under the reuse rule.
    let spent = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(rt.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&*txn)
        .await?
        .rows_affected
        == 1;
    if !spent {
        let used_at = match rt.used_at {
            Some(t) => t,
            None => refresh_token::Entity::find_by_id(rt.id)
                .one(&*txn)
                .await?
                .and_then(|r| r.used_at)
                .unwrap_or(now),
        };
        if now - used_at > Duration::seconds(state.config.refresh_reuse_secs) {
            revoke_session(&*txn, s.id, now, "refresh token reuse").await?;
            txn.finish_as(
                ("USER", Some(u.id), u.email.clone()),
                actor.client_ip.clone(),
                now,
                Event {
                    action: "REFRESH_TOKEN_REUSED",
                    target: Some(("SESSION", s.id)),
                    details: json!({ "sessionRevoked": true }),
                },
            )
            .await?;
            return Err(invalid());
        }
    }
    let new_token = issue_refresh(&*txn, s.id, s.expires_at, now).await?;
    let view = users::view(&*txn, u).await?;
    txn.finish_unaudited("a refresh continues a session whose sign-in was audited")
        .await?;
    let (access, access_exp) = state.tokens.issue(view.id, s.id, now)?;
    Ok(SessionTokens {
        access_token: access,
        access_token_expires_at: access_exp,
        refresh_token: new_token,
        refresh_token_expires_at: s.expires_at,
        user: view,
    })
}

/// Ends the caller's session: its refresh and access tokens stop working at once.
pub async fn logout(state: &AppState, actor: &Actor) -> AppResult<()> {
    let user = authz::require_user(actor)?;
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    revoke_session(&*txn, user.session_id, now, "logout").await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "LOGOUT",
            target: Some(("SESSION", user.session_id)),
            details: json!({}),
        },
    )
    .await
}

/// Changes the caller's password; every other session of theirs ends.
pub async fn change_password(
    state: &AppState,
    actor: &Actor,
    current: &str,
    new: &str,
) -> AppResult<()> {
    let me = authz::require_user(actor)?;
    let now = state.clock.now();
    let attempt = super::throttles::login_begin(state, &me.email, client_of(actor), now).await?;
    let u = user::Entity::find_by_id(me.id)
        .one(state.db.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    if current.len() > crate::domain::password::MAX_BYTES
        || !state.passwords.verify(current, &u.password_hash).await?
    {
        return Err(AppError::bad_input("currentPassword", "is not correct"));
    }
    super::throttles::login_succeeded(state, attempt).await?;
    let new = NewPassword::parse_for("newPassword", new, &u.email, Some(&u.display_name))?;
    if current == new.expose() {
        return Err(AppError::bad_input(
            "newPassword",
            "must differ from the current password",
        ));
    }
    let hash = state.passwords.hash(new.expose()).await?;
    let txn = crate::services::write::begin(state).await?;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::PasswordChangedAt, Expr::value(now))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(me.id))
        .exec(&*txn)
        .await?;
    revoke_user_sessions(&*txn, me.id, Some(me.session_id), now, "password changed").await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "PASSWORD_CHANGED",
            target: Some(("USER", me.id)),
            details: json!({}),
        },
    )
    .await
}

/// The signed-in user.
pub async fn me(state: &AppState, actor: &Actor) -> AppResult<UserView> {
    let me = authz::require_user(actor)?;
    let u = user::Entity::find_by_id(me.id)
        .one(state.db.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    users::view(state.db.conn(), u).await
}
