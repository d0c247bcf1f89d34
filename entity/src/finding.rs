//! Something a conclusion found automatically (a low driver, a significant drop, …).
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "findings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub conclusion_id: Uuid,
    pub kind: String,
    pub subject: String,
    pub detail: Json,
    pub open: bool,
}

impl ActiveModelBehavior for ActiveModel {}
