//! Sign-in, sessions, passwords and `me`.

use super::common::ctx;
use super::users::User;
use crate::services::accounts::{self, SessionTokens};
use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

/// Tokens of a signed-in session.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Access token (JWT) for `Authorization: Bearer …`; lives at most 15 minutes.
    pub access_token: String,
    /// When the access token expires.
    pub access_token_expires_at: DateTime<Utc>,
    /// Opaque refresh token for `refreshSession`; single use: each refresh returns a new one.
    pub refresh_token: String,
    /// When the session ends and the refresh token stops working.
    pub refresh_token_expires_at: DateTime<Utc>,
    /// The signed-in user.
    pub user: User,
}

impl From<SessionTokens> for AuthPayload {
    fn from(t: SessionTokens) -> Self {
        Self {
            access_token: t.access_token,
            access_token_expires_at: t.access_token_expires_at,
            refresh_token: t.refresh_token,
            refresh_token_expires_at: t.refresh_token_expires_at,
            user: User(t.user),
        }
    }
}

/// Account queries.
#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The signed-in user.
    async fn me(&self, c: &Context<'_>) -> Result<User> {
        let (state, actor) = ctx(c)?;
        Ok(User(accounts::me(state, actor).await?))
    }
}

/// Account mutations.
#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Signs in. Wrong e-mail and wrong password answer alike (`UNAUTHENTICATED`);
    /// repeated failures per account and per client answer `RATE_LIMITED`.
    async fn login(&self, c: &Context<'_>, email: String, password: String) -> Result<AuthPayload> {
        let (state, actor) = ctx(c)?;
        Ok(accounts::login(state, actor, &email, &password)
            .await?
            .into())
    }

    /// Exchanges a refresh token for a new access token and a new refresh token.
    /// Re-using a spent refresh token (after a short grace period for parallel
    /// requests) ends the whole session.
    async fn refresh_session(&self, c: &Context<'_>, refresh_token: String) -> Result<AuthPayload> {
        let (state, actor) = ctx(c)?;
        Ok(accounts::refresh(state, actor, &refresh_token)
            .await?
            .into())
    }

    /// Ends the current session; its tokens stop working at once. Returns true.
    async fn logout(&self, c: &Context<'_>) -> Result<bool> {
        let (state, actor) = ctx(c)?;
        accounts::logout(state, actor).await?;
        Ok(true)
    }

    /// Changes the caller's password (at least 12 characters) and ends their other
    /// sessions. Returns true.
    async fn change_password(
        &self,
        c: &Context<'_>,
        current_password: String,
        new_password: String,
    ) -> Result<bool> {
        let (state, actor) = ctx(c)?;
        accounts::change_password(state, actor, &current_password, &new_password).await?;
        Ok(true)
    }
}
