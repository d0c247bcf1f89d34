//! NGOs that evaluate public services: registration, accreditation decisions,
//! membership, and the versioned rubrics evaluations are scored on.
//!
//! Who: ADMIN and SUPERVISOR register NGOs; a SUPERVISOR decides accreditation
//! (accredit for a validity period with a note; suspend or withdraw with a reason)
//! and keeps the rubrics; an NGO's lead reviewer (or ADMIN) adds and removes its
//! members. Everyone reads the accredited NGOs and the published rubrics.
//!
//! Threats: an institution cannot become its own evaluator (its officers cannot
//! be made NGO reviewers), an NGO cannot extend its own accreditation, and a
//! published rubric never changes under the evaluations scored on it.

use crate::auth::Actor;
use crate::authz::{self, Action};
use crate::domain::ngo::{self as domain, AccreditationMove, Criterion};
use crate::domain::vocab::{AccreditationStatus, RubricStatus};
use crate::domain::{LocalizedText, Page, PageRequest, Role};
use crate::error::{AppError, AppResult};
use crate::services::audit::Event;
use crate::services::write::ConflictOnUnique;
use crate::state::AppState;
use chrono::NaiveDate;
use entity::{ngo, role_assignment, rubric, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    ModelTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

/// Longest NGO name, in characters.
pub const NAME_MAX: usize = 300;
/// Longest decision note or reason, in characters.
pub const NOTE_MAX: usize = 2_000;
/// Longest accreditation, in days (five years).
pub const VALIDITY_MAX_DAYS: i64 = 5 * 366;

/// An NGO to register.
#[derive(Debug, Clone)]
pub struct NewNgo {
    /// Its name.
    pub name: LocalizedText,
    /// State registration number (unique).
    pub registration_number: String,
    /// Contact e-mail.
    pub contact_email: Option<String>,
    /// Contact phone.
    pub contact_phone: Option<String>,
    /// Website (https).
    pub website: Option<String>,
}

/// An NGO with its status.
#[derive(Debug, Clone)]
pub struct NgoView {
    /// The row.
    pub row: ngo::Model,
    /// Its accreditation status.
    pub status: AccreditationStatus,
    /// Accredited and within its validity today.
    pub may_evaluate: bool,
}

fn today(state: &AppState) -> NaiveDate {
    state
        .clock
        .now()
        .with_timezone(&state.config.timezone)
        .date_naive()
}

fn view(state: &AppState, row: ngo::Model) -> AppResult<NgoView> {
    let status = AccreditationStatus::parse(&row.status)
        .ok_or_else(|| AppError::internal("stored NGO: unknown status"))?;
    let may_evaluate = domain::may_evaluate(
        status,
        row.accredited_from,
        row.accredited_until,
        today(state),
    );
    Ok(NgoView {
        row,
        status,
        may_evaluate,
    })
}

fn note(field: &str, raw: &str) -> AppResult<String> {
    Ok(crate::domain::text::explanation(field, raw, NOTE_MAX)?)
}

/// Registers an NGO (ADMIN, SUPERVISOR): `REGISTERED`, not yet accredited.
pub async fn register(state: &AppState, actor: &Actor, n: NewNgo) -> AppResult<NgoView> {
    authz::require_global(actor, Action::RegisterNgos)?;
    let number =
        crate::domain::text::single_line("registrationNumber", &n.registration_number, 40)?;
    let contact = match (n.contact_phone.as_deref(), n.contact_email.as_deref()) {
        (None, None) => None,
        (p, e) => Some(
            crate::delivery::parse_contact(p, e).map_err(|m| AppError::bad_input("contact", m))?,
        ),
    };
    let (phone, email) = match contact {
        Some(crate::delivery::Contact::Phone(p)) => (Some(p), None),
        Some(crate::delivery::Contact::Email(e)) => (None, Some(e)),
        None => (None, None),
    };
    let website = n
        .website
        .as_deref()
        .map(|w| crate::domain::text::https_link("website", w))
        .transpose()?;
    let now = state.clock.now();
    let txn = super::write::begin(state).await?;
    let id = super::new_id();
    let row = ngo::ActiveModel {
        id: Set(id),
        name: Set(n.name.to_json()),
        registration_number: Set(number),
        contact_email: Set(email),
        contact_phone: Set(phone),
        website: Set(website),
        status: Set(AccreditationStatus::Registered.as_str().into()),
        accredited_from: Set(None),
        accredited_until: Set(None),
        decision_note: Set(None),
        decided_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*txn)
    .await
    .conflict_on_unique("an NGO with that registration number is registered")?;
    txn.finish(
        actor,
        now,
        Event {
            action: "NGO_REGISTERED",
            target: Some(("NGO", id)),
            details: json!({ "registrationNumber": row.registration_number }),
        },
    )
    .await?;
    view(state, row)
}

/// A SUPERVISOR's accreditation decision: accredit `from`–`until` with a note, or
/// suspend or withdraw with a reason. `CONFLICT` for a decision the status does not allow.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    m: AccreditationMove,
    validity: Option<(NaiveDate, NaiveDate)>,
    why: &str,
) -> AppResult<NgoView> {
    authz::require_global(actor, Action::AccreditNgos)?;
    let why = note(
        match m {
            AccreditationMove::Accredit => "note",
            _ => "reason",
        },
        why,
    )?;
    if m == AccreditationMove::Accredit {
        match validity {
            Some((from, until))
                if from <= until && (until - from).num_days() <= VALIDITY_MAX_DAYS => {}
            Some(_) => {
                return Err(AppError::bad_input(
                    "until",
                    "must be on or after from, within five years",
                ));
            }
            None => {
                return Err(AppError::bad_input(
                    "from",
                    "an accreditation has a validity period",
                ));
            }
        }
    }
    let now = state.clock.now();
    let txn = super::write::begin(state).await?;
    let row = ngo::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let from = AccreditationStatus::parse(&row.status)
        .ok_or_else(|| AppError::internal("stored NGO: unknown status"))?;
    let to = domain::next(from, m).ok_or_else(|| {
        AppError::Conflict(format!("a {} NGO cannot be decided so", from.as_str()))
    })?;
    let mut a: ngo::ActiveModel = row.into();
    a.status = Set(to.as_str().into());
    if let Some((f, u)) = validity.filter(|_| m == AccreditationMove::Accredit) {
        a.accredited_from = Set(Some(f));
        a.accredited_until = Set(Some(u));
    }
    a.decision_note = Set(Some(why.clone()));
    a.decided_at = Set(Some(now));
    a.updated_at = Set(now);
    let row = a.update(&*txn).await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "NGO_ACCREDITATION",
            target: Some(("NGO", id)),
            details: json!({
                "from": from.as_str(),
                "to": to.as_str(),
                "validFrom": row.accredited_from,
                "validUntil": row.accredited_until,
                "note": why,
            }),
        },
    )
    .await?;
    view(state, row)
}

/// Whether `actor` sees every NGO (ADMIN, SUPERVISOR).
fn sees_all(actor: &Actor) -> bool {
    authz::require_global(actor, Action::RegisterNgos).is_ok()
}

/// The NGOs of the calling reviewer.
fn own_ngos(actor: &Actor) -> Vec<Uuid> {
    match authz::require_user(actor) {
        Ok(u) => u
            .assignments
            .iter()
            .filter(|a| a.role == Role::NgoReviewer)
            .filter_map(|a| a.ngo_id())
            .collect(),
        Err(_) => vec![],
    }
}

/// NGOs: everyone sees those accredited and valid today; ADMIN and SUPERVISOR
/// see all (optionally of one status); reviewers also see their own.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    status: Option<AccreditationStatus>,
    page: PageRequest,
) -> AppResult<Page<NgoView>> {
    let today = today(state);
    let mut q = ngo::Entity::find();
    if !sees_all(actor) {
        q = q.filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(ngo::Column::Status.eq(AccreditationStatus::Accredited.as_str()))
                        .add(ngo::Column::AccreditedFrom.lte(today))
                        .add(ngo::Column::AccreditedUntil.gte(today)),
                )
                .add(ngo::Column::Id.is_in(own_ngos(actor))),
        );
    }
    if let Some(s) = status {
        q = q.filter(ngo::Column::Status.eq(s.as_str()));
    }
    let page = super::fetch_page(state.db.conn(), q, ngo::Column::Id, page).await?;
    let items = page
        .items
        .into_iter()
        .map(|r| view(state, r))
        .collect::<AppResult<Vec<_>>>()?;
    Ok(Page {
        items,
        has_next: page.has_next,
        has_previous: page.has_previous,
    })
}

/// One NGO, as [`list`] would show it.
pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<NgoView> {
    let row = ngo::Entity::find_by_id(id)
        .one(state.db.conn())
        .await?
        .ok_or(AppError::NotFound)?;
    let v = view(state, row)?;
    if v.may_evaluate || sees_all(actor) || own_ngos(actor).contains(&id) {
        Ok(v)
    } else {
        Err(AppError::NotFound)
    }
}

/// `FORBIDDEN` unless `actor` is ADMIN or a lead reviewer of `ngo_id`.
async fn may_manage_members(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    ngo_id: Uuid,
) -> AppResult<()> {
    let user = authz::require_user(actor)?;
    if user.has_role(Role::Admin) {
        return Ok(());
    }
    if !user.has_role(Role::NgoReviewer) {
        return Err(AppError::Forbidden);
    }
    let lead = role_assignment::Entity::find()
        .filter(role_assignment::Column::UserId.eq(user.id))
        .filter(role_assignment::Column::Role.eq(Role::NgoReviewer.as_str()))
        .filter(role_assignment::Column::NgoId.eq(ngo_id))
        .filter(role_assignment::Column::Lead.eq(true))
        .count(conn)
        .await?
        > 0;
    if lead {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Makes `user_id` a reviewer of `ngo_id` (its lead reviewer, or ADMIN; only ADMIN
/// names a lead). Refused for a user who works for an institution (they would
/// evaluate their own side), or who already reviews for an NGO.
pub async fn add_member(
    state: &AppState,
    actor: &Actor,
    ngo_id: Uuid,
    user_id: Uuid,
    lead: bool,
) -> AppResult<()> {
    let now = state.clock.now();
    let txn = super::write::begin(state).await?;
    may_manage_members(&*txn, actor, ngo_id).await?;
    if lead && authz::require_global(actor, Action::ManageInstitutions).is_err() {
        return Err(AppError::Forbidden);
    }
    if ngo::Entity::find_by_id(ngo_id).one(&*txn).await?.is_none() {
        return Err(AppError::NotFound);
    }
    if user::Entity::find_by_id(user_id)
        .one(&*txn)
        .await?
        .is_none()
    {
        return Err(AppError::bad_input("userId", "no such user"));
    }
    let held = role_assignment::Entity::find()
        .filter(role_assignment::Column::UserId.eq(user_id))
        .all(&*txn)
        .await?;
    if held
        .iter()
        .any(|a| Role::parse(&a.role).is_some_and(|r| r.is_institutional()))
    {
        return Err(AppError::bad_input(
            "userId",
            "an institution's officer cannot review for an NGO",
        ));
    }
    if held.iter().any(|a| a.role == Role::NgoReviewer.as_str()) {
        return Err(AppError::Conflict(
            "the user already reviews for an NGO".into(),
        ));
    }
    role_assignment::ActiveModel {
        id: Set(super::new_id()),
        user_id: Set(user_id),
        role: Set(Role::NgoReviewer.as_str().into()),
        institution_id: Set(None),
        ngo_id: Set(Some(ngo_id)),
        lead: Set(lead),
        created_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "NGO_MEMBER_ADDED",
            target: Some(("NGO", ngo_id)),
            details: json!({ "userId": user_id, "lead": lead }),
        },
    )
    .await
}

/// Ends `user_id`'s membership of `ngo_id` (its lead reviewer, or ADMIN).
pub async fn remove_member(
    state: &AppState,
    actor: &Actor,
    ngo_id: Uuid,
    user_id: Uuid,
) -> AppResult<()> {
    let now = state.clock.now();
    let txn = super::write::begin(state).await?;
    may_manage_members(&*txn, actor, ngo_id).await?;
    let row = role_assignment::Entity::find()
        .filter(role_assignment::Column::UserId.eq(user_id))
        .filter(role_assignment::Column::Role.eq(Role::NgoReviewer.as_str()))
        .filter(role_assignment::Column::NgoId.eq(ngo_id))
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    row.delete(&*txn).await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "NGO_MEMBER_REMOVED",
            target: Some(("NGO", ngo_id)),
            details: json!({ "userId": user_id }),
        },
    )
    .await
}

/// A rubric version as stored.
#[derive(Debug, Clone)]
pub struct RubricView {
    /// The row.
    pub row: rubric::Model,
    /// Its status.
    pub status: RubricStatus,
    /// Its criteria.
    pub criteria: Vec<Criterion>,
}

fn rubric_view(row: rubric::Model) -> AppResult<RubricView> {
    let status = RubricStatus::parse(&row.status)
        .ok_or_else(|| AppError::internal("stored rubric: unknown status"))?;
    let criteria: Vec<Criterion> = serde_json::from_value(row.criteria.clone())
        .map_err(|e| AppError::internal(format!("stored rubric: {e}")))?;
    Ok(RubricView {
        row,
        status,
        criteria,
    })
}

/// A new rubric version.
#[derive(Debug, Clone)]
pub struct NewRubric {
    /// The rubric's key (a new key starts at version 1).
    pub key: String,
    /// Name.
    pub name: LocalizedText,
    /// Description.
    pub description: LocalizedText,
    /// Criteria.
    pub criteria: Vec<Criterion>,
}

/// Drafts the next version of a rubric (a SUPERVISOR). `CONFLICT` while a draft
/// of that rubric is open.
pub async fn draft_rubric(state: &AppState, actor: &Actor, r: NewRubric) -> AppResult<RubricView> {
    authz::require_global(actor, Action::ManageRubrics)?;
    let key = r.key.trim().to_owned();
    if key.is_empty()
        || key.len() > 40
        || !key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(AppError::bad_input("key", "1-40 of a-z, 0-9 and _"));
    }
    domain::check_criteria(&r.criteria)?;
    let now = state.clock.now();
    let txn = super::write::begin(state).await?;
    let versions = rubric::Entity::find()
        .filter(rubric::Column::Key.eq(key.clone()))
        .order_by_desc(rubric::Column::Version)
        .all(&*txn)
        .await?;
    if versions
        .iter()
        .any(|v| v.status == RubricStatus::Draft.as_str())
    {
        return Err(AppError::Conflict(
            "that rubric has an open draft: publish it first".into(),
        ));
    }
    let version = versions.first().map_or(1, |v| v.version + 1);
    let id = super::new_id();
    let row = rubric::ActiveModel {
        id: Set(id),
        key: Set(key.clone()),
        version: Set(version),
        name: Set(r.name.to_json()),
        description: Set(r.description.to_json()),
        criteria: Set(json!(r.criteria)),
        status: Set(RubricStatus::Draft.as_str().into()),
        published_at: Set(None),
        created_by: Set(actor.user_id()),
        created_at: Set(now),
    }
    .insert(&*txn)
    .await
    .conflict_on_unique("that version exists")?;
    txn.finish(
        actor,
        now,
        Event {
            action: "RUBRIC_DRAFTED",
            target: Some(("RUBRIC", id)),
            details: json!({ "key": key, "version": version }),
        },
    )
    .await?;
    rubric_view(row)
}

/// Publishes a rubric draft (a SUPERVISOR): from then on it never changes.
pub async fn publish_rubric(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<RubricView> {
    authz::require_global(actor, Action::ManageRubrics)?;
    let now = state.clock.now();
    let txn = super::write::begin(state).await?;
    let row = rubric::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.status != RubricStatus::Draft.as_str() {
        return Err(AppError::Conflict(
            "a published rubric never changes: draft a new version".into(),
        ));
    }
    let mut a: rubric::ActiveModel = row.into();
    a.status = Set(RubricStatus::Published.as_str().into());
    a.published_at = Set(Some(now));
    let row = a.update(&*txn).await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "RUBRIC_PUBLISHED",
            target: Some(("RUBRIC", id)),
            details: json!({ "key": row.key, "version": row.version }),
        },
    )
    .await?;
    rubric_view(row)
}

/// Rubrics: published versions for everyone; drafts too for ADMIN and SUPERVISOR.
pub async fn rubrics(state: &AppState, actor: &Actor) -> AppResult<Vec<RubricView>> {
    let mut q = rubric::Entity::find();
    if !sees_all(actor) {
        q = q.filter(rubric::Column::Status.eq(RubricStatus::Published.as_str()));
    }
    q.order_by_asc(rubric::Column::Key)
        .order_by_asc(rubric::Column::Version)
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(rubric_view)
        .collect()
}

/// One rubric version, as [`rubrics`] would show it.
pub async fn rubric(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<RubricView> {
    let row = rubric::Entity::find_by_id(id)
        .one(state.db.conn())
        .await?
        .filter(|r| r.status == RubricStatus::Published.as_str() || sees_all(actor))
        .ok_or(AppError::NotFound)?;
    rubric_view(row)
}
