//! Which provenances count towards an institution's published headline figure.
//!
//! By default every provenance counts and the headline is `COMBINED`. A SUPERVISOR
//! may narrow it per institution, with a reason (audited) — for instance to leave
//! out kiosk answers while a kiosk's share is under review. Reports and
//! conclusions of the institution (and of its services) then carry a `HEADLINE`
//! figure set over those provenances beside the others, and findings use it. The
//! institution's own choice never counts: it is the one measured.

use super::audit::Event;
use crate::auth::Actor;
use crate::authz::{self, Action};
use crate::domain::vocab::Provenance;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::{headline_provenance as headline, institution, service};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde_json::json;
use uuid::Uuid;

/// An institution's headline setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadlineView {
    /// Institution.
    pub institution_id: Uuid,
    /// Provenances counted (all four when none was chosen).
    pub provenances: Vec<Provenance>,
    /// Why, when a supervisor chose.
    pub reason: Option<String>,
    /// When it was chosen.
    pub set_at: Option<DateTime<Utc>>,
}

fn parse_list(s: &str) -> Vec<Provenance> {
    let mut v: Vec<Provenance> = s.split(',').filter_map(Provenance::parse).collect();
    v.sort();
    v.dedup();
    v
}

/// The provenances counted for `institution_id`'s headline; `None` when all count.
pub(crate) async fn narrowed(
    conn: &impl ConnectionTrait,
    institution_id: Uuid,
) -> AppResult<Option<Vec<Provenance>>> {
    Ok(headline::Entity::find_by_id(institution_id)
        .one(conn)
        .await?
        .map(|h| parse_list(&h.provenances))
        .filter(|v| !v.is_empty() && v.len() < Provenance::ALL.len()))
}

/// The same, for the institution a service belongs to.
pub(crate) async fn narrowed_for_service(
    conn: &impl ConnectionTrait,
    service_id: Uuid,
) -> AppResult<Option<Vec<Provenance>>> {
    match service::Entity::find_by_id(service_id).one(conn).await? {
        Some(s) => narrowed(conn, s.institution_id).await,
        None => Ok(None),
    }
}

/// An institution's headline setting (anyone: which answers a published figure
/// counts is public).
pub async fn get_headline(state: &AppState, institution_id: Uuid) -> AppResult<HeadlineView> {
    let conn = state.db.conn();
    institution::Entity::find_by_id(institution_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let row = headline::Entity::find_by_id(institution_id)
        .one(conn)
        .await?;
    Ok(match row {
        Some(h) => HeadlineView {
            institution_id,
            provenances: parse_list(&h.provenances),
            reason: Some(h.reason),
            set_at: Some(h.set_at),
        },
        None => HeadlineView {
            institution_id,
            provenances: Provenance::ALL.to_vec(),
            reason: None,
            set_at: None,
        },
    })
}

/// Chooses which provenances count towards an institution's headline (SUPERVISOR),
/// saying why. Choosing all four returns to the default.
pub async fn set_headline(
    state: &AppState,
    actor: &Actor,
    institution_id: Uuid,
    provenances: Vec<Provenance>,
    reason: &str,
) -> AppResult<HeadlineView> {
    authz::require_global(actor, Action::ChooseHeadline)?;
    let reason = crate::domain::text::reason(reason)?;
    let mut list = provenances;
    list.sort();
    list.dedup();
    if list.is_empty() {
        return Err(AppError::bad_input(
            "provenances",
            "at least one provenance must count",
        ));
    }
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    institution::Entity::find_by_id(institution_id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    headline::Entity::delete_by_id(institution_id)
        .exec(&*txn)
        .await?;
    let names: Vec<&str> = list.iter().map(|p| p.as_str()).collect();
    headline::Entity::insert(headline::ActiveModel {
        institution_id: Set(institution_id),
        provenances: Set(names.join(",")),
        reason: Set(reason.clone()),
        set_by: Set(actor.user_id()),
        set_at: Set(now),
    })
    .exec_without_returning(&*txn)
    .await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "HEADLINE_PROVENANCES_SET",
            target: Some(("INSTITUTION", institution_id)),
            details: json!({ "provenances": names, "reason": reason }),
        },
    )
    .await?;
    Ok(HeadlineView {
        institution_id,
        provenances: list,
        reason: Some(reason),
        set_at: Some(now),
    })
}
