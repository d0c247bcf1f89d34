//! A civil society organisation that evaluates public services, and its
//! accreditation (status, validity, the latest decision).
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ngos")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `LocalizedText` as JSON.
    pub name: Json,
    /// State registration number (unique).
    pub registration_number: String,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    /// https URL.
    pub website: Option<String>,
    /// `REGISTERED`, `ACCREDITED`, `SUSPENDED` or `WITHDRAWN`.
    pub status: String,
    pub accredited_from: Option<Date>,
    pub accredited_until: Option<Date>,
    /// The latest decision's note or reason.
    pub decision_note: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
