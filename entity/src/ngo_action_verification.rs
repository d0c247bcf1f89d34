//! An accredited NGO's verification of a completed improvement action.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ngo_action_verifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub action_id: Uuid,
    pub ngo_id: Uuid,
    /// Whether the NGO found it done.
    pub confirmed: bool,
    pub evidence: String,
    /// https links, as a JSON array.
    pub links: Json,
    pub visited_on: Date,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
