//! Which findings a revision of a conclusion lists, with their figures in it.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conclusion_findings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub conclusion_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub finding_id: Uuid,
    pub detail: Json,
}

impl ActiveModelBehavior for ActiveModel {}
