//! A supervisor's approval to keep a question's key in a survey's next version
//! although its words change (the reason is kept; the type and scale may not change).
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "question_reuse_approvals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub survey_id: Uuid,
    /// The version number the approval is for (the draft being edited, or the next).
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub question_key: String,
    pub reason: String,
    pub approved_by: Option<Uuid>,
    pub approved_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
