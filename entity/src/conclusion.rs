//! A frozen snapshot of a period's figures for an institution (with its subtree) or a service.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conclusions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub scope_kind: String,
    pub scope_id: Uuid,
    pub institution_id: Uuid,
    pub period_kind: String,
    pub period_start: Date,
    pub period_end: Date,
    pub revision: i32,
    pub status: String,
    pub content: Json,
    pub content_hash: String,
    pub institution_comment: Option<String>,
    pub changes: Option<Json>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
    pub published_by: Option<Uuid>,
    /// Cells the public view withholds beyond the snapshot's own small cells
    /// (chosen over the whole period; see `domain::disclosure`). Null: not yet chosen.
    pub public_withheld: Option<Json>,
}

impl ActiveModelBehavior for ActiveModel {}
