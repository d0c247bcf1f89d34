//! Administrative units (aimag, capital, district, soum) loaded as data with their codes.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "regions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub parent_code: Option<String>,
    pub kind: String,
    pub name: Json,
    pub sort_order: i32,
}

impl ActiveModelBehavior for ActiveModel {}
