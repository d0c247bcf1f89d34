//! Per service × day counts that feed integrity signals and are never figures:
//! `FAST_ANSWER` (answers within seconds of issue), `KEY` (invitations per issuing
//! key, `source` = key id), `KIOSK` (answers per kiosk, `source` = device id).
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "integrity_counts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    #[sea_orm(primary_key, auto_increment = false)]
    pub service_id: Uuid,
    pub institution_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub signal: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub source: String,
    pub n: i64,
}

impl ActiveModelBehavior for ActiveModel {}
