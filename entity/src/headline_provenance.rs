//! Which provenances count towards an institution's headline figure (a
//! SUPERVISOR's choice; no row means all of them).
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "headline_provenances")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub institution_id: Uuid,
    /// Stable provenance names, comma-separated, sorted.
    pub provenances: String,
    pub reason: String,
    pub set_by: Option<Uuid>,
    pub set_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
