//! A public holiday: every year on a date (no year), or on one date of one year
//! (Tsagaan Sar, Chinggis Khaan's birthday). Deadlines count working days by it.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "public_holidays")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// None: every year.
    pub year: Option<i32>,
    pub month: i32,
    pub day: i32,
    /// `LocalizedText` as JSON.
    pub name: Json,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
