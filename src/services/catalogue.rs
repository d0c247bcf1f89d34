//! Services and service points of institutions.
//!
//! Reading the catalogue is public (citizens see service names in invitations and
//! published results). An integration (API key) sees only what its key covers —
//! the services it may issue invitations for. Changing it takes ADMIN or an
//! INSTITUTION_MANAGER of the owning institution's subtree.

use super::audit::Event;
use super::institutions::check_region;
use crate::auth::{Actor, Caller};
use crate::authz::{self, Action, InstitutionScope};
use crate::domain::catalogue::{Channel, Code, ServicePointKind, parse_channels};
use crate::domain::{LocalizedText, Page, PageRequest};
use crate::error::{AppError, AppResult};
use crate::services::write::ConflictOnUnique;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::{institution, service, service_point};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

/// Longest service name / description, per locale.
pub const NAME_MAX: usize = 300;
/// Longest description, per locale.
pub const DESCRIPTION_MAX: usize = 4000;

/// A public service.
#[derive(Debug, Clone)]
pub struct Service {
    /// Id.
    pub id: Uuid,
    /// Owning institution.
    pub institution_id: Uuid,
    /// Code, unique within the institution.
    pub code: String,
    /// Name.
    pub name: LocalizedText,
    /// Description.
    pub description: Option<LocalizedText>,
    /// Channels offered.
    pub channels: Vec<Channel>,
    /// Whether it is in use.
    pub active: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn channels_from_json(v: &serde_json::Value) -> Vec<Channel> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str().and_then(Channel::parse))
                .collect()
        })
        .unwrap_or_default()
}

fn channels_to_json(c: &[Channel]) -> serde_json::Value {
    json!(c.iter().map(|c| c.as_str()).collect::<Vec<_>>())
}

impl From<service::Model> for Service {
    fn from(m: service::Model) -> Self {
        Self {
            id: m.id,
            institution_id: m.institution_id,
            code: m.code,
            name: LocalizedText::from_json(&m.name),
            description: m.description.as_ref().map(LocalizedText::from_json),
            channels: channels_from_json(&m.channels),
            active: m.active,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// A place where services are delivered.
#[derive(Debug, Clone)]
pub struct ServicePoint {
    /// Id.
    pub id: Uuid,
    /// Owning institution.
    pub institution_id: Uuid,
    /// Code, unique within the institution.
    pub code: String,
    /// Kind.
    pub kind: ServicePointKind,
    /// Name.
    pub name: LocalizedText,
    /// Region code.
    pub region_code: Option<String>,
    /// Whether it is in use.
    pub active: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<service_point::Model> for ServicePoint {
    fn from(m: service_point::Model) -> Self {
        Self {
            id: m.id,
            institution_id: m.institution_id,
            code: m.code,
            kind: ServicePointKind::parse(&m.kind).unwrap_or(ServicePointKind::Branch),
            name: LocalizedText::from_json(&m.name),
            region_code: m.region_code,
            active: m.active,
            created_at: m.created_at,
        }
    }
}

/// Input of [`create_service`].
#[derive(Debug, Clone)]
pub struct NewService {
    /// Owning institution.
    pub institution_id: Uuid,
    /// Code.
    pub code: String,
    /// Name.
    pub name: LocalizedText,
    /// Description.
    pub description: Option<LocalizedText>,
    /// Channels offered.
    pub channels: Vec<Channel>,
}

/// Input of [`update_service`]; `None` leaves a field unchanged.
#[derive(Debug, Clone, Default)]
pub struct ServiceChanges {
    /// New code.
    pub code: Option<String>,
    /// New name.
    pub name: Option<LocalizedText>,
    /// New description (`Some(None)` clears it).
    pub description: Option<Option<LocalizedText>>,
    /// New channels.
    pub channels: Option<Vec<Channel>>,
    /// Activate or deactivate.
    pub active: Option<bool>,
}

/// Input of [`create_service_point`].
#[derive(Debug, Clone)]
pub struct NewServicePoint {
    /// Owning institution.
    pub institution_id: Uuid,
    /// Code.
    pub code: String,
    /// Kind.
    pub kind: ServicePointKind,
    /// Name.
    pub name: LocalizedText,
    /// Region code.
    pub region_code: Option<String>,
}

/// Input of [`update_service_point`].
#[derive(Debug, Clone, Default)]
pub struct ServicePointChanges {
    /// New name.
    pub name: Option<LocalizedText>,
    /// New kind.
    pub kind: Option<ServicePointKind>,
    /// New region (`Some(None)` clears it).
    pub region_code: Option<Option<String>>,
    /// Activate or deactivate.
    pub active: Option<bool>,
}

fn search_text(code: &str, name: &LocalizedText) -> String {
    format!("{} \u{1f} {}", code.to_lowercase(), name.search_text())
}

async fn require_institution(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<()> {
    if institution::Entity::find_by_id(id)
        .one(conn)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    Ok(())
}

fn duplicate(what: &str) -> String {
    format!("this institution already has a {what} with this code")
}

/// `CONFLICT` if another service of the institution has `code`.
async fn code_free(
    conn: &impl ConnectionTrait,
    institution_id: Uuid,
    code: &Code,
    except: Uuid,
) -> AppResult<()> {
    let taken = service::Entity::find()
        .filter(service::Column::InstitutionId.eq(institution_id))
        .filter(service::Column::Code.eq(code.as_str()))
        .filter(service::Column::Id.ne(except))
        .count(conn)
        .await?
        > 0;
    if taken {
        return Err(AppError::Conflict(duplicate("service")));
    }
    Ok(())
}

/// Creates a service.
pub async fn create_service(
    state: &AppState,
    actor: &Actor,
    input: NewService,
) -> AppResult<Service> {
    let scope = authz::scope(actor, Action::ManageCatalogue)?;
    let code = Code::parse("code", &input.code)?;
    let channels = parse_channels("channels", &input.channels)?;
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    scope.require(&*txn, input.institution_id).await?;
    require_institution(&*txn, input.institution_id).await?;
    let taken = service::Entity::find()
        .filter(service::Column::InstitutionId.eq(input.institution_id))
        .filter(service::Column::Code.eq(code.as_str()))
        .count(&*txn)
        .await?
        > 0;
    if taken {
        return Err(AppError::Conflict(duplicate("service")));
    }
    let id = super::new_id();
    let row = service::ActiveModel {
        id: Set(id),
        institution_id: Set(input.institution_id),
        code: Set(code.as_str().to_owned()),
        search_text: Set(search_text(code.as_str(), &input.name)),
        name: Set(input.name.to_json()),
        description: Set(input.description.as_ref().map(LocalizedText::to_json)),
        channels: Set(channels_to_json(&channels)),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*txn)
    .await
    .conflict_on_unique(&duplicate("service"))?;
    txn.finish(
        actor,
        now,
        Event {
            action: "SERVICE_CREATED",
            target: Some(("SERVICE", id)),
            details: json!({ "institutionId": input.institution_id, "code": code.as_str() }),
        },
    )
    .await?;
    Ok(row.into())
}

/// Changes a service.
pub async fn update_service(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    changes: ServiceChanges,
) -> AppResult<Service> {
    let scope = authz::scope(actor, Action::ManageCatalogue)?;
    let code = changes
        .code
        .as_deref()
        .map(|c| Code::parse("code", c))
        .transpose()?;
    let channels = changes
        .channels
        .as_deref()
        .map(|c| parse_channels("channels", c))
        .transpose()?;
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    let current = service::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    scope.require(&*txn, current.institution_id).await?;
    let mut row: service::ActiveModel = current.clone().into();
    let mut details = serde_json::Map::new();
    if let Some(c) = &code {
        code_free(&*txn, current.institution_id, c, id).await?;
        details.insert("code".into(), json!(c.as_str()));
        row.code = Set(c.as_str().to_owned());
    }
    if let Some(n) = &changes.name {
        details.insert("name".into(), n.to_json());
        row.name = Set(n.to_json());
    }
    let name = changes
        .name
        .clone()
        .unwrap_or_else(|| LocalizedText::from_json(&current.name));
    let final_code = code
        .as_ref()
        .map_or(current.code.as_str(), |c| c.as_str())
        .to_owned();
    row.search_text = Set(search_text(&final_code, &name));
    if let Some(d) = &changes.description {
        details.insert(
            "description".into(),
            json!(d.as_ref().map(LocalizedText::to_json)),
        );
        row.description = Set(d.as_ref().map(LocalizedText::to_json));
    }
    if let Some(c) = &channels {
        details.insert("channels".into(), channels_to_json(c));
        row.channels = Set(channels_to_json(c));
    }
    if let Some(a) = changes.active {
        details.insert("active".into(), json!(a));
        row.active = Set(a);
    }
    row.updated_at = Set(now);
    let saved = row
        .update(&*txn)
        .await
        .conflict_on_unique(&duplicate("service"))?;
    txn.finish(
        actor,
        now,
        Event {
            action: "SERVICE_UPDATED",
            target: Some(("SERVICE", id)),
            details: serde_json::Value::Object(details),
        },
    )
    .await?;
    Ok(saved.into())
}

/// The part of the catalogue `actor` may read: everything, or an API key's subtrees.
fn read_scope(actor: &Actor) -> InstitutionScope {
    match &actor.caller {
        Caller::Key(k) => authz::key_scope(k),
        _ => InstitutionScope::All,
    }
}

/// Filters of [`list_services`].
#[derive(Debug, Clone, Default)]
pub struct ServiceFilter {
    /// Of this institution…
    pub institution_id: Option<Uuid>,
    /// …and, when true, of everything below it.
    pub include_sub_institutions: bool,
    /// Code or name contains, case-insensitively.
    pub text: Option<String>,
    /// Offered on this channel.
    pub channel: Option<Channel>,
    /// Active or not.
    pub active: Option<bool>,
}

/// Lists services.
pub async fn list_services(
    state: &AppState,
    actor: &Actor,
    filter: ServiceFilter,
    page: PageRequest,
) -> AppResult<Page<Service>> {
    let mut q =
        service::Entity::find().filter(read_scope(actor).condition(service::Column::InstitutionId));
    if let Some(i) = filter.institution_id {
        q = if filter.include_sub_institutions {
            q.filter(InstitutionScope::Subtrees(vec![i]).condition(service::Column::InstitutionId))
        } else {
            q.filter(service::Column::InstitutionId.eq(i))
        };
    }
    if let Some(t) = filter
        .text
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
    {
        q = q.filter(super::contains_text(service::Column::SearchText, &t));
    }
    if let Some(c) = filter.channel {
        // `channels` is a JSON array: PostgreSQL has no LIKE on json, so compare its text.
        use sea_orm::sea_query::{Alias, Expr, ExprTrait};
        q = q.filter(
            Expr::col(service::Column::Channels)
                .cast_as(Alias::new("TEXT"))
                .like(format!("%\"{}\"%", c.as_str())),
        );
    }
    if let Some(a) = filter.active {
        q = q.filter(service::Column::Active.eq(a));
    }
    Ok(
        super::fetch_page(state.db.conn(), q, service::Column::Id, page)
            .await?
            .map(Service::from),
    )
}

/// One service (an API key sees only those it covers).
pub async fn get_service(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<Service> {
    let conn = state.db.conn();
    let s = service::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    read_scope(actor).require(conn, s.institution_id).await?;
    Ok(s.into())
}

/// Creates a service point.
pub async fn create_service_point(
    state: &AppState,
    actor: &Actor,
    input: NewServicePoint,
) -> AppResult<ServicePoint> {
    let scope = authz::scope(actor, Action::ManageCatalogue)?;
    let code = Code::parse("code", &input.code)?;
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    scope.require(&*txn, input.institution_id).await?;
    require_institution(&*txn, input.institution_id).await?;
    check_region(&*txn, &input.region_code).await?;
    let taken = service_point::Entity::find()
        .filter(service_point::Column::InstitutionId.eq(input.institution_id))
        .filter(service_point::Column::Code.eq(code.as_str()))
        .count(&*txn)
        .await?
        > 0;
    if taken {
        return Err(AppError::Conflict(duplicate("service point")));
    }
    let id = super::new_id();
    let row = service_point::ActiveModel {
        id: Set(id),
        institution_id: Set(input.institution_id),
        code: Set(code.as_str().to_owned()),
        kind: Set(input.kind.as_str().to_owned()),
        name: Set(input.name.to_json()),
        region_code: Set(input.region_code.clone()),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*txn)
    .await
    .conflict_on_unique(&duplicate("service point"))?;
    txn.finish(
        actor,
        now,
        Event {
            action: "SERVICE_POINT_CREATED",
            target: Some(("SERVICE_POINT", id)),
            details: json!({ "institutionId": input.institution_id, "code": code.as_str() }),
        },
    )
    .await?;
    Ok(row.into())
}

/// Changes a service point.
pub async fn update_service_point(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    changes: ServicePointChanges,
) -> AppResult<ServicePoint> {
    let scope = authz::scope(actor, Action::ManageCatalogue)?;
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    let current = service_point::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    scope.require(&*txn, current.institution_id).await?;
    let mut row: service_point::ActiveModel = current.into();
    let mut details = serde_json::Map::new();
    if let Some(n) = &changes.name {
        details.insert("name".into(), n.to_json());
        row.name = Set(n.to_json());
    }
    if let Some(k) = changes.kind {
        details.insert("kind".into(), json!(k.as_str()));
        row.kind = Set(k.as_str().to_owned());
    }
    if let Some(r) = changes.region_code {
        check_region(&*txn, &r).await?;
        details.insert("regionCode".into(), json!(r));
        row.region_code = Set(r);
    }
    if let Some(a) = changes.active {
        details.insert("active".into(), json!(a));
        row.active = Set(a);
    }
    row.updated_at = Set(now);
    let saved = row.update(&*txn).await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "SERVICE_POINT_UPDATED",
            target: Some(("SERVICE_POINT", id)),
            details: serde_json::Value::Object(details),
        },
    )
    .await?;
    Ok(saved.into())
}

/// Filters of [`list_service_points`].
#[derive(Debug, Clone, Default)]
pub struct ServicePointFilter {
    /// Of this institution…
    pub institution_id: Option<Uuid>,
    /// …and, when true, of everything below it.
    pub include_sub_institutions: bool,
    /// In this region.
    pub region_code: Option<String>,
    /// Active or not.
    pub active: Option<bool>,
}

/// Lists service points.
pub async fn list_service_points(
    state: &AppState,
    actor: &Actor,
    filter: ServicePointFilter,
    page: PageRequest,
) -> AppResult<Page<ServicePoint>> {
    let mut q = service_point::Entity::find()
        .filter(read_scope(actor).condition(service_point::Column::InstitutionId));
    if let Some(i) = filter.institution_id {
        q = if filter.include_sub_institutions {
            q.filter(
                InstitutionScope::Subtrees(vec![i]).condition(service_point::Column::InstitutionId),
            )
        } else {
            q.filter(service_point::Column::InstitutionId.eq(i))
        };
    }
    if let Some(r) = filter.region_code {
        q = q.filter(service_point::Column::RegionCode.eq(r));
    }
    if let Some(a) = filter.active {
        q = q.filter(service_point::Column::Active.eq(a));
    }
    Ok(
        super::fetch_page(state.db.conn(), q, service_point::Column::Id, page)
            .await?
            .map(ServicePoint::from),
    )
}

/// One service point (an API key sees only those it covers).
pub async fn get_service_point(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
) -> AppResult<ServicePoint> {
    let conn = state.db.conn();
    let p = service_point::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    read_scope(actor).require(conn, p.institution_id).await?;
    Ok(p.into())
}

/// A service by id, read fresh (its institution decides where a response counts).
pub(crate) async fn service_of(
    conn: &impl ConnectionTrait,
    service_id: Uuid,
) -> AppResult<service::Model> {
    service::Entity::find_by_id(service_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// How long an institution's name shown to citizens may lag a rename.
const NAME_TTL: std::time::Duration = std::time::Duration::from_secs(60);
/// Most institution names kept; past it the cache starts afresh.
const MAX_CACHED_NAMES: usize = 4096;

/// Institutions' names for citizens' screens, by id, with when they were read.
/// Display only: which institution a response counts for comes from the service,
/// read fresh each time.
static INSTITUTION_NAMES: std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<Uuid, (LocalizedText, std::time::Instant)>>,
> = std::sync::LazyLock::new(Default::default);

async fn institution_name(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<LocalizedText> {
    let cached = INSTITUTION_NAMES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(&id)
        .filter(|(_, at)| at.elapsed() < NAME_TTL)
        .map(|(n, _)| n.clone());
    if let Some(n) = cached {
        return Ok(n);
    }
    let inst = institution::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let name = LocalizedText::from_json(&inst.name);
    let mut map = INSTITUTION_NAMES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if map.len() >= MAX_CACHED_NAMES {
        map.clear();
    }
    map.insert(id, (name.clone(), std::time::Instant::now()));
    Ok(name)
}

/// A service with its name and its institution's name (citizens' screens and
/// messages; the institution's name may lag a rename by up to a minute).
pub(crate) async fn names(
    conn: &impl ConnectionTrait,
    service_id: Uuid,
) -> AppResult<(service::Model, LocalizedText, LocalizedText)> {
    let svc = service_of(conn, service_id).await?;
    let inn = institution_name(conn, svc.institution_id).await?;
    let sn = LocalizedText::from_json(&svc.name);
    Ok((svc, sn, inn))
}
