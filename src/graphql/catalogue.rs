//! Regions, institutions, services and service points.

use super::common::{
    LocalizedTextInput, LocalizedTextObject, connection_type, ctx, mirror_enum, page, parse_id,
};
use super::loaders::{self, AssignmentsKey, InstitutionKey, SettingsKey};
use super::vocab::Channel;
use crate::error::AppResult;
use crate::services::catalogue::{
    self as cat, NewService, NewServicePoint, ServiceChanges, ServiceFilter, ServicePointChanges,
    ServicePointFilter,
};
use crate::services::institutions::{
    self as inst, InstitutionChanges, InstitutionFilter, NewInstitution,
};
use crate::services::regions;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, Utc};

connection_type!(
    InstitutionConnection,
    InstitutionEdge,
    Institution,
    "institutions"
);
connection_type!(ServiceConnection, ServiceEdge, Service, "services");
connection_type!(
    ServicePointConnection,
    ServicePointEdge,
    ServicePoint,
    "service points"
);

mirror_enum!(
    /// What kind of body an institution is.
    InstitutionKind => crate::domain::catalogue::InstitutionKind {
        /// A ministry.
        Ministry,
        /// An agency.
        Agency,
        /// A local unit (aimag, soum or district office, branch).
        LocalUnit,
        /// Any other public service provider.
        Other,
    }
);

mirror_enum!(
    /// What kind of place a service point is.
    ServicePointKind => crate::domain::catalogue::ServicePointKind {
        /// A branch office.
        Branch,
        /// One counter or window.
        Counter,
        /// An online portal.
        OnlinePortal,
        /// A call centre.
        CallCentre,
        /// A self-service kiosk.
        Kiosk,
    }
);

fn id(u: uuid::Uuid) -> ID {
    ID(u.to_string())
}

/// An administrative unit (aimag, the capital, a district…).
pub struct Region(pub regions::Region);

/// An administrative unit (aimag, the capital, a district…).
#[Object]
impl Region {
    /// Code: ISO 3166-2:MN for aimags and the capital (`MN-073`, `MN-1`); `MN-1-01`… for the capital's districts.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// The region this one belongs to.
    async fn parent_code(&self) -> Option<&str> {
        self.0.parent_code.as_deref()
    }
    /// `CAPITAL`, `AIMAG`, `DISTRICT`, `SOUM` or `BAG`/`KHOROO`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    /// Name.
    async fn name(&self) -> LocalizedTextObject {
        LocalizedTextObject(self.0.name.clone())
    }
}

/// A ministry, agency or local unit, in a tree.
pub struct Institution(pub inst::Institution);

/// A ministry, agency or local unit, in a tree.
#[Object]
impl Institution {
    /// Id.
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    /// Parent institution's id (none at the top level).
    async fn parent_id(&self) -> Option<ID> {
        self.0.parent_id.map(id)
    }
    /// The parent institution.
    async fn parent(&self, c: &Context<'_>) -> Result<Option<Institution>> {
        let Some(p) = self.0.parent_id else {
            return Ok(None);
        };
        Ok(loaders::of(c)?
            .load_one(InstitutionKey(p))
            .await?
            .map(Institution))
    }
    /// Kind.
    async fn kind(&self) -> InstitutionKind {
        self.0.kind.into()
    }
    /// Short unique code (upper-case).
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Name.
    async fn name(&self) -> LocalizedTextObject {
        LocalizedTextObject(self.0.name.clone())
    }
    /// Region code (see `regions`).
    async fn region_code(&self) -> Option<&str> {
        self.0.region_code.as_deref()
    }
    /// Whether it is in use.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// Created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A public service an institution delivers.
pub struct Service(pub cat::Service);

/// A public service an institution delivers.
#[Object]
impl Service {
    /// Id.
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    /// Owning institution's id.
    async fn institution_id(&self) -> ID {
        id(self.0.institution_id)
    }
    /// Owning institution.
    async fn institution(&self, c: &Context<'_>) -> Result<Institution> {
        loaders::of(c)?
            .load_one(InstitutionKey(self.0.institution_id))
            .await?
            .map(Institution)
            .ok_or_else(|| crate::error::AppError::NotFound.into())
    }
    /// Code, unique within the institution.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Name.
    async fn name(&self) -> LocalizedTextObject {
        LocalizedTextObject(self.0.name.clone())
    }
    /// Description.
    async fn description(&self) -> Option<LocalizedTextObject> {
        self.0.description.clone().map(LocalizedTextObject)
    }
    /// Channels the service is offered on.
    async fn channels(&self) -> Vec<Channel> {
        self.0.channels.iter().map(|c| (*c).into()).collect()
    }
    /// Whether it is in use.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// Created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Which published survey versions this service uses, per channel.
    async fn survey_assignments(
        &self,
        c: &Context<'_>,
    ) -> Result<Vec<super::surveys::SurveyAssignment>> {
        Ok(loaders::of(c)?
            .load_one(AssignmentsKey(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// How this service invites citizens (sampling, expiry, cooldown).
    async fn invitation_settings(
        &self,
        c: &Context<'_>,
    ) -> Result<super::surveys::InvitationSettingsObject> {
        Ok(loaders::of(c)?
            .load_one(SettingsKey(self.0.id))
            .await?
            .unwrap_or_default()
            .into())
    }
}

/// A place where services are delivered: a branch, a counter, a portal, a kiosk.
pub struct ServicePoint(pub cat::ServicePoint);

/// A place where services are delivered: a branch, a counter, a portal, a kiosk.
#[Object]
impl ServicePoint {
    /// Id.
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    /// Owning institution's id.
    async fn institution_id(&self) -> ID {
        id(self.0.institution_id)
    }
    /// Owning institution.
    async fn institution(&self, c: &Context<'_>) -> Result<Institution> {
        loaders::of(c)?
            .load_one(InstitutionKey(self.0.institution_id))
            .await?
            .map(Institution)
            .ok_or_else(|| crate::error::AppError::NotFound.into())
    }
    /// Code, unique within the institution.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Kind.
    async fn kind(&self) -> ServicePointKind {
        self.0.kind.into()
    }
    /// Name.
    async fn name(&self) -> LocalizedTextObject {
        LocalizedTextObject(self.0.name.clone())
    }
    /// Region code.
    async fn region_code(&self) -> Option<&str> {
        self.0.region_code.as_deref()
    }
    /// Whether it is in use.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// Created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A new institution.
#[derive(InputObject)]
pub struct CreateInstitutionInput {
    /// Parent institution; omit for a top-level body.
    pub parent_id: Option<ID>,
    /// Kind.
    pub kind: InstitutionKind,
    /// Short unique code: 1-64 of A-Z, 0-9, '.', '_', '-'.
    pub code: String,
    /// Name (`mn` required).
    pub name: LocalizedTextInput,
    /// Region code (see `regions`).
    pub region_code: Option<String>,
}

/// Changes to an institution; omitted fields stay as they are, `null` clears.
#[derive(InputObject)]
pub struct UpdateInstitutionInput {
    /// New parent (moves the whole subtree); `null` makes it top-level.
    pub parent_id: MaybeUndefined<ID>,
    /// New kind.
    pub kind: Option<InstitutionKind>,
    /// New code.
    pub code: Option<String>,
    /// New name.
    pub name: Option<LocalizedTextInput>,
    /// New region; `null` clears it.
    pub region_code: MaybeUndefined<String>,
    /// Activate or deactivate.
    pub active: Option<bool>,
}

/// Filters for `institutions`.
#[derive(InputObject, Default)]
pub struct InstitutionFilterInput {
    /// Direct children of this institution.
    pub parent_id: Option<ID>,
    /// Only top-level institutions.
    pub top_level_only: Option<bool>,
    /// This institution and everything below it.
    pub within: Option<ID>,
    /// In this region or one of its sub-regions.
    pub region_code: Option<String>,
    /// Code or name in any language contains this (case-insensitive, any script).
    pub text: Option<String>,
    /// Active or inactive only.
    pub active: Option<bool>,
}

/// A new service.
#[derive(InputObject)]
pub struct CreateServiceInput {
    /// Owning institution.
    pub institution_id: ID,
    /// Code, unique within the institution.
    pub code: String,
    /// Name (`mn` required).
    pub name: LocalizedTextInput,
    /// Description.
    pub description: Option<LocalizedTextInput>,
    /// Channels offered (at least one).
    pub channels: Vec<Channel>,
}

/// Changes to a service; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateServiceInput {
    /// New code.
    pub code: Option<String>,
    /// New name.
    pub name: Option<LocalizedTextInput>,
    /// New description; `null` clears it.
    pub description: MaybeUndefined<LocalizedTextInput>,
    /// New channels.
    pub channels: Option<Vec<Channel>>,
    /// Activate or deactivate.
    pub active: Option<bool>,
}

/// Filters for `services`.
#[derive(InputObject, Default)]
pub struct ServiceFilterInput {
    /// Of this institution.
    pub institution_id: Option<ID>,
    /// With `institutionId`: also its sub-institutions' services.
    pub include_sub_institutions: Option<bool>,
    /// Code or name contains this (case-insensitive, any script).
    pub text: Option<String>,
    /// Offered on this channel.
    pub channel: Option<Channel>,
    /// Active or inactive only.
    pub active: Option<bool>,
}

/// A new service point.
#[derive(InputObject)]
pub struct CreateServicePointInput {
    /// Owning institution.
    pub institution_id: ID,
    /// Code, unique within the institution.
    pub code: String,
    /// Kind.
    pub kind: ServicePointKind,
    /// Name (`mn` required).
    pub name: LocalizedTextInput,
    /// Region code.
    pub region_code: Option<String>,
}

/// Changes to a service point; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateServicePointInput {
    /// New name.
    pub name: Option<LocalizedTextInput>,
    /// New kind.
    pub kind: Option<ServicePointKind>,
    /// New region; `null` clears it.
    pub region_code: MaybeUndefined<String>,
    /// Activate or deactivate.
    pub active: Option<bool>,
}

/// Filters for `servicePoints`.
#[derive(InputObject, Default)]
pub struct ServicePointFilterInput {
    /// Of this institution.
    pub institution_id: Option<ID>,
    /// With `institutionId`: also its sub-institutions' points.
    pub include_sub_institutions: Option<bool>,
    /// In this region.
    pub region_code: Option<String>,
    /// Active or inactive only.
    pub active: Option<bool>,
}

fn maybe<T, U>(
    m: MaybeUndefined<T>,
    f: impl FnOnce(T) -> AppResult<U>,
) -> AppResult<Option<Option<U>>> {
    Ok(match m {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(f(v)?)),
    })
}

fn opt_id(field: &str, i: &Option<ID>) -> AppResult<Option<uuid::Uuid>> {
    i.as_ref().map(|i| parse_id(field, i)).transpose()
}

/// Catalogue queries (public).
#[derive(Default)]
pub struct CatalogueQuery;

#[Object]
impl CatalogueQuery {
    /// Administrative units, or the children of `parentCode`.
    async fn regions(&self, c: &Context<'_>, parent_code: Option<String>) -> Result<Vec<Region>> {
        let (state, _) = ctx(c)?;
        Ok(regions::list(state, parent_code)
            .await?
            .into_iter()
            .map(Region)
            .collect())
    }

    /// Institutions (public catalogue).
    async fn institutions(
        &self,
        c: &Context<'_>,
        filter: Option<InstitutionFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<InstitutionConnection> {
        let (state, _) = ctx(c)?;
        let f = filter.unwrap_or_default();
        let filter = InstitutionFilter {
            parent_id: opt_id("parentId", &f.parent_id)?,
            top_level_only: f.top_level_only.unwrap_or(false),
            within: opt_id("within", &f.within)?,
            region_code: f.region_code,
            text: f.text,
            active: f.active,
        };
        let p = inst::list_institutions(state, filter, page(first, after)?).await?;
        Ok(InstitutionConnection::from_page(p, |i| i.id, Institution))
    }

    /// One institution.
    async fn institution(&self, c: &Context<'_>, id: ID) -> Result<Institution> {
        let (state, _) = ctx(c)?;
        Ok(Institution(
            inst::get_institution(state, parse_id("id", &id)?).await?,
        ))
    }

    /// Services (public catalogue; an API key sees only the services it covers).
    async fn services(
        &self,
        c: &Context<'_>,
        filter: Option<ServiceFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ServiceConnection> {
        let (state, actor) = ctx(c)?;
        let f = filter.unwrap_or_default();
        let filter = ServiceFilter {
            institution_id: opt_id("institutionId", &f.institution_id)?,
            include_sub_institutions: f.include_sub_institutions.unwrap_or(false),
            text: f.text,
            channel: f.channel.map(Into::into),
            active: f.active,
        };
        let p = cat::list_services(state, actor, filter, page(first, after)?).await?;
        Ok(ServiceConnection::from_page(p, |s| s.id, Service))
    }

    /// One service.
    async fn service(&self, c: &Context<'_>, id: ID) -> Result<Service> {
        let (state, actor) = ctx(c)?;
        Ok(Service(
            cat::get_service(state, actor, parse_id("id", &id)?).await?,
        ))
    }

    /// Service points (public catalogue; an API key sees only those it covers).
    async fn service_points(
        &self,
        c: &Context<'_>,
        filter: Option<ServicePointFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ServicePointConnection> {
        let (state, actor) = ctx(c)?;
        let f = filter.unwrap_or_default();
        let filter = ServicePointFilter {
            institution_id: opt_id("institutionId", &f.institution_id)?,
            include_sub_institutions: f.include_sub_institutions.unwrap_or(false),
            region_code: f.region_code,
            active: f.active,
        };
        let p = cat::list_service_points(state, actor, filter, page(first, after)?).await?;
        Ok(ServicePointConnection::from_page(p, |s| s.id, ServicePoint))
    }

    /// One service point.
    async fn service_point(&self, c: &Context<'_>, id: ID) -> Result<ServicePoint> {
        let (state, actor) = ctx(c)?;
        Ok(ServicePoint(
            cat::get_service_point(state, actor, parse_id("id", &id)?).await?,
        ))
    }
}

/// Catalogue mutations.
#[derive(Default)]
pub struct CatalogueMutation;

#[Object]
impl CatalogueMutation {
    /// Creates an institution (ADMIN).
    async fn create_institution(
        &self,
        c: &Context<'_>,
        input: CreateInstitutionInput,
    ) -> Result<Institution> {
        let (state, actor) = ctx(c)?;
        let input = NewInstitution {
            parent_id: opt_id("parentId", &input.parent_id)?,
            kind: input.kind.into(),
            code: input.code,
            name: input.name.parse("name", inst::NAME_MAX)?,
            region_code: input.region_code,
        };
        Ok(Institution(
            inst::create_institution(state, actor, input).await?,
        ))
    }

    /// Changes an institution (ADMIN); changing `parentId` moves its whole subtree.
    async fn update_institution(
        &self,
        c: &Context<'_>,
        id: ID,
        input: UpdateInstitutionInput,
    ) -> Result<Institution> {
        let (state, actor) = ctx(c)?;
        let changes = InstitutionChanges {
            parent_id: maybe(input.parent_id, |p| parse_id("parentId", &p))?,
            kind: input.kind.map(Into::into),
            code: input.code,
            name: input
                .name
                .map(|n| n.parse("name", inst::NAME_MAX))
                .transpose()?,
            region_code: maybe(input.region_code, Ok)?,
            active: input.active,
        };
        Ok(Institution(
            inst::update_institution(state, actor, parse_id("id", &id)?, changes).await?,
        ))
    }

    /// Creates a service (ADMIN, or a manager of the institution's subtree).
    async fn create_service(&self, c: &Context<'_>, input: CreateServiceInput) -> Result<Service> {
        let (state, actor) = ctx(c)?;
        let input = NewService {
            institution_id: parse_id("institutionId", &input.institution_id)?,
            code: input.code,
            name: input.name.parse("name", cat::NAME_MAX)?,
            description: input
                .description
                .map(|d| d.parse("description", cat::DESCRIPTION_MAX))
                .transpose()?,
            channels: input.channels.into_iter().map(Into::into).collect(),
        };
        Ok(Service(cat::create_service(state, actor, input).await?))
    }

    /// Changes a service (ADMIN, or a manager of the owning institution's subtree).
    async fn update_service(
        &self,
        c: &Context<'_>,
        id: ID,
        input: UpdateServiceInput,
    ) -> Result<Service> {
        let (state, actor) = ctx(c)?;
        let changes = ServiceChanges {
            code: input.code,
            name: input
                .name
                .map(|n| n.parse("name", cat::NAME_MAX))
                .transpose()?,
            description: maybe(input.description, |d| {
                d.parse("description", cat::DESCRIPTION_MAX)
            })?,
            channels: input
                .channels
                .map(|c| c.into_iter().map(Into::into).collect()),
            active: input.active,
        };
        Ok(Service(
            cat::update_service(state, actor, parse_id("id", &id)?, changes).await?,
        ))
    }

    /// Creates a service point (ADMIN, or a manager of the institution's subtree).
    async fn create_service_point(
        &self,
        c: &Context<'_>,
        input: CreateServicePointInput,
    ) -> Result<ServicePoint> {
        let (state, actor) = ctx(c)?;
        let input = NewServicePoint {
            institution_id: parse_id("institutionId", &input.institution_id)?,
            code: input.code,
            kind: input.kind.into(),
            name: input.name.parse("name", cat::NAME_MAX)?,
            region_code: input.region_code,
        };
        Ok(ServicePoint(
            cat::create_service_point(state, actor, input).await?,
        ))
    }

    /// Changes a service point.
    async fn update_service_point(
        &self,
        c: &Context<'_>,
        id: ID,
        input: UpdateServicePointInput,
    ) -> Result<ServicePoint> {
        let (state, actor) = ctx(c)?;
        let changes = ServicePointChanges {
            name: input
                .name
                .map(|n| n.parse("name", cat::NAME_MAX))
                .transpose()?,
            kind: input.kind.map(Into::into),
            region_code: maybe(input.region_code, Ok)?,
            active: input.active,
        };
        Ok(ServicePoint(
            cat::update_service_point(state, actor, parse_id("id", &id)?, changes).await?,
        ))
    }
}
