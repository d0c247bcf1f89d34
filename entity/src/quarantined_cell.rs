//! A service × day cell a SUPERVISOR excluded from figures, with the reason;
//! released cells keep their record.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quarantined_cells")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub service_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    pub reason: String,
    pub quarantined_by: Option<Uuid>,
    pub quarantined_at: DateTimeUtc,
    pub released_at: Option<DateTimeUtc>,
    pub released_by: Option<Uuid>,
    pub release_reason: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
