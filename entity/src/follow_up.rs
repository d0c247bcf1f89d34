//! Contact details a respondent left, with consent, to be contacted about their feedback.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "follow_ups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub response_id: Uuid,
    pub institution_id: Uuid,
    pub service_id: Uuid,
    pub contact: String,
    pub created_date: Date,
}

impl ActiveModelBehavior for ActiveModel {}
