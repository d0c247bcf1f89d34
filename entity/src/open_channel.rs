//! The QR-poster code of a service point (open channel) and the service it asks about.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "open_channels")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub service_point_id: Uuid,
    #[sea_orm(unique)]
    pub code: String,
    pub service_id: Uuid,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
