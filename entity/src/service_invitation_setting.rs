//! Per-service invitation sampling, expiry and recontact cooldown.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_invitation_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub service_id: Uuid,
    pub sampling_ppm: i32,
    pub expiry_days: i32,
    pub cooldown_days: i32,
}

impl ActiveModelBehavior for ActiveModel {}
