//! A survey link Sanal still has to send to a citizen itself (invitations of
//! institution systems). The contact is kept only until the message is sent or
//! given up; then the row is deleted.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "delivery_outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub invitation_id: Uuid,
    /// `PHONE` or `EMAIL`.
    pub contact_kind: String,
    pub contact: String,
    pub locale: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub last_error: Option<String>,
    /// The invitation's expiry: nothing is sent after it.
    pub expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
