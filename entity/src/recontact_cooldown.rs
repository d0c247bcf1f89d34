//! Who (as a keyed hash) may not be invited again until when; no link to any invitation.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recontact_cooldowns")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub respondent_hmac: String,
    pub until: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
