//! What a citizen's link or short code shows: the invitation's state and its survey.

use super::{check_guessing, missed, names};
use crate::auth::Actor;
use crate::auth::secrets::sha256_hex;
use crate::domain::{Locale, LocalizedText};
use crate::error::{AppError, AppResult};
use crate::services::invitations::code_hash;
use crate::services::surveys::{VersionView, version_unchecked};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::invitation;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    /// May be answered.
    Open,
    /// Already answered.
    Responded,
    /// Closed.
    Expired,
}

/// What a citizen's app shows for an invitation.
#[derive(Debug, Clone)]
pub struct InvitationView {
    /// Status.
    pub status: InvitationStatus,
    /// When it closes.
    pub expires_at: DateTime<Utc>,
    /// Locale the texts are shown in.
    pub locale: Locale,
    /// Service name.
    pub service_name: LocalizedText,
    /// Institution name.
    pub institution_name: LocalizedText,
    /// The survey version to answer.
    pub survey: VersionView,
    /// The token (returned when the invitation was looked up by its short code).
    pub token: Option<String>,
}

pub(super) async fn find_invitation(
    state: &AppState,
    actor: &Actor,
    token: Option<&str>,
    code: Option<&str>,
) -> AppResult<invitation::Model> {
    crate::authz::may_look_up_invitations(actor)?;
    check_guessing(state, actor).await?;
    let q = match (token, code) {
        (Some(t), None) if !t.is_empty() && t.len() <= 100 => {
            invitation::Entity::find().filter(invitation::Column::TokenHash.eq(sha256_hex(t)))
        }
        (None, Some(c)) if !c.is_empty() && c.len() <= 20 => {
            invitation::Entity::find().filter(invitation::Column::CodeHash.eq(code_hash(c)))
        }
        (Some(_), Some(_)) | (None, None) => {
            return Err(AppError::bad_input(
                "token",
                "give either a token or a code",
            ));
        }
        _ => return Err(missed(state, actor).await),
    };
    match q.one(state.db.conn()).await? {
        Some(i) if i.invited => Ok(i),
        _ => Err(missed(state, actor).await),
    }
}

pub(super) fn status_of(i: &invitation::Model, now: DateTime<Utc>) -> InvitationStatus {
    if i.used_at.is_some() {
        InvitationStatus::Responded
    } else if i.expires_at <= now {
        InvitationStatus::Expired
    } else {
        InvitationStatus::Open
    }
}

/// Looks up an invitation by its token or its short code (public).
pub async fn get_invitation(
    state: &AppState,
    actor: &Actor,
    token: Option<&str>,
    code: Option<&str>,
    locale: Option<&str>,
) -> AppResult<InvitationView> {
    let i = find_invitation(state, actor, token, code).await?;
    let conn = state.db.conn();
    let version_id = i.survey_version_id.ok_or(AppError::NotFound)?;
    let survey = version_unchecked(conn, version_id).await?;
    let (_, service_name, institution_name) = names(conn, i.service_id).await?;
    Ok(InvitationView {
        status: status_of(&i, state.clock.now()),
        expires_at: i.expires_at,
        locale: locale
            .and_then(Locale::parse)
            .or_else(|| Locale::parse(&i.locale))
            .unwrap_or(Locale::Mn),
        service_name,
        institution_name,
        survey,
        token: code.map(|_| crate::services::invitations::derive_token(state, i.id)),
    })
}
