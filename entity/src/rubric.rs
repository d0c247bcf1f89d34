//! One version of an evaluation rubric (methodology): criteria with anchored
//! levels and weights. A published version never changes; a change is a new one.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rubrics")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The rubric's stable key; (key, version) is unique.
    pub key: String,
    pub version: i32,
    /// `LocalizedText` as JSON.
    pub name: Json,
    /// `LocalizedText` as JSON.
    pub description: Json,
    /// The criteria, as JSON (see `domain::ngo::Criterion`).
    pub criteria: Json,
    /// `DRAFT` or `PUBLISHED`.
    pub status: String,
    pub published_at: Option<DateTimeUtc>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
