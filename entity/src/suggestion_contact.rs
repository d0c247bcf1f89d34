//! How to reach the citizen who sent a suggestion, given with consent; erased a
//! while after the suggestion closes.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "suggestion_contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub suggestion_id: Uuid,
    /// `PHONE` or `EMAIL`.
    pub kind: String,
    pub value: String,
    pub consented_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
