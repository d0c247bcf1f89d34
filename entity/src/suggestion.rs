//! A citizen's suggestion, request, complaint or praise, and the institution's
//! official answer. The citizen's contact lives apart (`suggestion_contacts`).
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "suggestions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `XXXXX-XXXXX`, Crockford base 32, unique.
    pub tracking_code: String,
    /// The institution holding it now (a referral moves it).
    pub institution_id: Uuid,
    /// The institution it was first sent to.
    pub received_by_id: Uuid,
    pub service_id: Option<Uuid>,
    pub service_point_id: Option<Uuid>,
    /// `SUGGESTION`, `REQUEST`, `COMPLAINT` or `PRAISE`.
    pub kind: String,
    /// `CITIZEN` or `SURVEY_COMMENT`.
    pub source: String,
    /// Exactly as written.
    pub body: String,
    /// The language it says it is written in (a locale tag), if given.
    pub language: Option<String>,
    pub status: String,
    /// Why it was referred.
    pub status_reason: Option<String>,
    /// The signed-in citizen who sent it.
    pub citizen_id: Option<Uuid>,
    /// Hash of what makes two submissions the same (for folding duplicates).
    pub dedupe_key: Option<String>,
    pub received_at: DateTimeUtc,
    /// Local day received.
    pub received_on: Date,
    /// Last day to acknowledge.
    pub ack_due: Date,
    /// Last day to answer (extended, if it was).
    pub answer_due: Date,
    pub extension_days: Option<i32>,
    pub extension_reason: Option<String>,
    pub acknowledged_on: Option<Date>,
    pub first_answered_on: Option<Date>,
    /// Whether the first answer came by its deadline.
    pub answered_in_time: Option<bool>,
    /// The day of the latest answer.
    pub answered_on: Option<Date>,
    pub answer_outcome: Option<String>,
    /// `LocalizedText` as JSON.
    pub answer_text: Option<Json>,
    /// Why it was declined.
    pub answer_reason: Option<String>,
    /// The answering officer's role.
    pub answer_role: Option<String>,
    pub answer_institution_id: Option<Uuid>,
    /// Who answered (never shown outside the institution).
    pub answered_by: Option<Uuid>,
    pub reopened_on: Option<Date>,
    pub reopen_reason: Option<String>,
    /// The citizen's confirmation: resolved or not; none: no reply.
    pub resolved: Option<bool>,
    pub confirmed_on: Option<Date>,
    pub closed_on: Option<Date>,
    pub published_at: Option<DateTimeUtc>,
    /// The redacted text the public reads.
    pub public_body: Option<String>,
    pub supports: i32,
    /// The officer who wrote it down from a survey comment.
    pub created_by: Option<Uuid>,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
