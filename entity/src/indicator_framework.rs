//! One version of an indicator framework: the weighted components of the
//! scorecards. A published version never changes; a change is a new version.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "indicator_frameworks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The framework's stable key; (key, version) is unique.
    pub key: String,
    pub version: i32,
    /// `LocalizedText` as JSON.
    pub name: Json,
    /// `LocalizedText` as JSON.
    pub description: Json,
    /// Components, weights, minimums and the coverage target (`domain::scorecard::Spec`).
    pub spec: Json,
    /// `DRAFT` or `PUBLISHED`.
    pub status: String,
    pub published_at: Option<DateTimeUtc>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
