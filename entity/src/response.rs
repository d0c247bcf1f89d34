//! An anonymous survey response: no timestamp, no link to invitation, transaction or person.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "responses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub survey_version_id: Uuid,
    pub service_id: Uuid,
    pub service_point_id: Uuid,
    pub institution_id: Uuid,
    pub channel: String,
    pub origin: String,
    /// How the citizen came: `NATIONAL_PLATFORM`, `INSTITUTION_SYSTEM`, `POSTER`, `KIOSK`.
    pub provenance: String,
    pub locale: String,
    pub response_date: Date,
    /// `INDIVIDUAL` or `LEGAL_ENTITY` when the delivering system said so: a
    /// coarse segment, no identity.
    pub respondent_kind: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
