//! A (role, scope) pair held by a user; the scope is an institution subtree or an NGO.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "role_assignments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub role: String,
    pub institution_id: Option<Uuid>,
    pub ngo_id: Option<Uuid>,
    /// An NGO's lead reviewer: adds and removes the NGO's members.
    pub lead: bool,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
