//! What an institution does about its findings: an improvement action.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "improvement_actions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub institution_id: Uuid,
    /// `LocalizedText` as JSON.
    pub title: Json,
    /// `LocalizedText` as JSON.
    pub description: Json,
    pub owner_id: Uuid,
    pub due_date: Date,
    /// `QUESTION`, `DRIVER`, `SKM_INDEX` or `RESPONSE_RATE`; none: no metric targeted.
    pub metric_kind: Option<String>,
    /// The question key or driver.
    pub metric_subject: Option<String>,
    /// `TOP_BOX`, `MEAN`, `NPS`, `SKM_INDEX` or `RESPONSE_RATE`.
    pub measure: Option<String>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub window_before_days: i32,
    pub window_after_days: i32,
    pub status: String,
    /// Why it was cancelled, or why its completion was rejected.
    pub status_reason: Option<String>,
    pub planned_on: Option<Date>,
    pub started_on: Option<Date>,
    pub completed_on: Option<Date>,
    pub verified_on: Option<Date>,
    pub cancelled_on: Option<Date>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
