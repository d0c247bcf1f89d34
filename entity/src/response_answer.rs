//! One answer of a response.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "response_answers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub response_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub question_key: String,
    pub value: Option<i32>,
    pub choices: Option<Json>,
    pub text: Option<String>,
    pub not_applicable: bool,
}

impl ActiveModelBehavior for ActiveModel {}
