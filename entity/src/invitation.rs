//! One delivered transaction and its (possible) survey invitation. Linking fields are purged after expiry.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invitations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub service_id: Uuid,
    pub service_point_id: Uuid,
    pub institution_id: Uuid,
    pub channel: String,
    pub transaction_ref: Option<String>,
    pub payload_hash: Option<String>,
    pub invited: bool,
    pub survey_version_id: Option<Uuid>,
    pub token_hash: Option<String>,
    pub code_hash: Option<String>,
    pub locale: String,
    pub delivered_at: DateTimeUtc,
    pub delivery_date: Date,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub submission_hash: Option<String>,
    pub purged_at: Option<DateTimeUtc>,
    /// Provenance its answer will carry (from the issuing key's kind).
    pub provenance: String,
    /// When it was issued (integrity signals: answers within seconds); purged.
    pub issued_at: Option<DateTimeUtc>,
    /// `INDIVIDUAL` or `LEGAL_ENTITY`, as the delivering system said; carried to the response.
    pub respondent_kind: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
