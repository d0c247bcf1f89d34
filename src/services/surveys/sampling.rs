//! Invitation settings of a service: sampling, expiry, cooldown.

use crate::auth::Actor;
use crate::authz::{self, Action};
use crate::error::{AppError, AppResult};
use crate::services::audit::Event;
use crate::state::AppState;
use entity::{service, service_invitation_setting as settings};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde_json::json;
use uuid::Uuid;

/// How a service invites.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InvitationSettings {
    /// Share of deliveries invited, in [0, 1].
    pub sampling_rate: f64,
    /// Days an invitation stays open after the delivery.
    pub expiry_days: i32,
    /// Days before the same person may be invited again.
    pub cooldown_days: i32,
}

impl Default for InvitationSettings {
    fn default() -> Self {
        Self {
            sampling_rate: 1.0,
            expiry_days: 7,
            cooldown_days: 30,
        }
    }
}

/// A service's invitation settings (defaults when never set).
pub async fn invitation_settings(
    conn: &impl ConnectionTrait,
    service_id: Uuid,
) -> AppResult<InvitationSettings> {
    Ok(settings::Entity::find_by_id(service_id)
        .one(conn)
        .await?
        .map(|s| InvitationSettings {
            sampling_rate: f64::from(s.sampling_ppm) / 1_000_000.0,
            expiry_days: s.expiry_days,
            cooldown_days: s.cooldown_days,
        })
        .unwrap_or_default())
}

/// Sets a service's invitation settings.
pub async fn set_invitation_settings(
    state: &AppState,
    actor: &Actor,
    service_id: Uuid,
    s: InvitationSettings,
) -> AppResult<InvitationSettings> {
    let scope = authz::scope(actor, Action::ManageSurveys)?;
    if !(0.0..=1.0).contains(&s.sampling_rate) || s.sampling_rate.is_nan() {
        return Err(AppError::bad_input(
            "samplingRate",
            "must be between 0 and 1",
        ));
    }
    // National limits: an institution may not keep invitations open longer (to let
    // backdated answers in) or invite the same person more often.
    let (max_expiry, min_cooldown) = (state.config.max_expiry_days, state.config.min_cooldown_days);
    if !(1..=max_expiry).contains(&s.expiry_days) {
        return Err(AppError::bad_input(
            "expiryDays",
            format!("must be 1-{max_expiry} (the national limit)"),
        ));
    }
    if !(min_cooldown..=365).contains(&s.cooldown_days) {
        return Err(AppError::bad_input(
            "cooldownDays",
            format!("must be {min_cooldown}-365 (the national limit)"),
        ));
    }
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    let svc = service::Entity::find_by_id(service_id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    scope.require(&*txn, svc.institution_id).await?;
    settings::Entity::delete_by_id(service_id)
        .exec(&*txn)
        .await?;
    settings::Entity::insert(settings::ActiveModel {
        service_id: Set(service_id),
        sampling_ppm: Set((s.sampling_rate * 1_000_000.0).round() as i32),
        expiry_days: Set(s.expiry_days),
        cooldown_days: Set(s.cooldown_days),
    })
    .exec_without_returning(&*txn)
    .await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "INVITATION_SETTINGS_CHANGED",
            target: Some(("SERVICE", service_id)),
            details: json!({ "samplingRate": s.sampling_rate, "expiryDays": s.expiry_days, "cooldownDays": s.cooldown_days }),
        },
    )
    .await?;
    invitation_settings(state.db.conn(), service_id).await
}

/// The invitation settings of several services (defaults where none were set).
pub async fn invitation_settings_of(
    conn: &impl ConnectionTrait,
    service_ids: &[Uuid],
) -> AppResult<std::collections::HashMap<Uuid, InvitationSettings>> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let mut out: std::collections::HashMap<Uuid, InvitationSettings> = service_ids
        .iter()
        .map(|id| (*id, InvitationSettings::default()))
        .collect();
    for s in settings::Entity::find()
        .filter(settings::Column::ServiceId.is_in(service_ids.iter().copied()))
        .all(conn)
        .await?
    {
        out.insert(
            s.service_id,
            InvitationSettings {
                sampling_rate: f64::from(s.sampling_ppm) / 1_000_000.0,
                expiry_days: s.expiry_days,
                cooldown_days: s.cooldown_days,
            },
        );
    }
    Ok(out)
}
