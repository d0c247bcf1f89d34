//! What an improvement action comes from: a finding or a conclusion.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "improvement_action_origins")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub action_id: Uuid,
    /// `FINDING` or `CONCLUSION`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub origin_kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub origin_id: Uuid,
}

impl ActiveModelBehavior for ActiveModel {}
