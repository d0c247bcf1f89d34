//! Sessions: refresh-token families. Creating one, issuing its next refresh token,
//! and revoking one or all of a user's (sign-out, password change, a disabled user,
//! a stolen token). Used by `accounts` (signing in) and `users` (disabling).

use crate::auth::secrets::{random_token, sha256_hex};
use crate::error::AppResult;
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use entity::{refresh_token, session};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

pub(crate) async fn create_session(
    conn: &impl ConnectionTrait,
    state: &AppState,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<(Uuid, String, DateTime<Utc>)> {
    let session_id = super::new_id();
    let expires = now + Duration::seconds(state.config.refresh_token_ttl_secs);
    session::ActiveModel {
        id: Set(session_id),
        user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(expires),
        revoked_at: Set(None),
        revoked_reason: Set(None),
    }
    .insert(conn)
    .await?;
    let token = issue_refresh(conn, session_id, expires, now).await?;
    Ok((session_id, token, expires))
}

pub(crate) async fn issue_refresh(
    conn: &impl ConnectionTrait,
    session_id: Uuid,
    expires: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let token = format!("rt_{}", random_token(32));
    refresh_token::ActiveModel {
        id: Set(super::new_id()),
        session_id: Set(session_id),
        token_hash: Set(sha256_hex(&token)),
        created_at: Set(now),
        expires_at: Set(expires),
        used_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(token)
}

pub(crate) async fn revoke_session(
    conn: &impl ConnectionTrait,
    session_id: Uuid,
    now: DateTime<Utc>,
    reason: &str,
) -> AppResult<()> {
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .col_expr(session::Column::RevokedReason, Expr::value(reason))
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Revokes every session of a user except `keep` (password change, disabling).
pub async fn revoke_user_sessions(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    keep: Option<Uuid>,
    now: DateTime<Utc>,
    reason: &str,
) -> AppResult<()> {
    let mut q = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .col_expr(session::Column::RevokedReason, Expr::value(reason))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null());
    if let Some(k) = keep {
        q = q.filter(session::Column::Id.ne(k));
    }
    q.exec(conn).await?;
    Ok(())
}
