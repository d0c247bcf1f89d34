//! An NGO's evaluation of an institution on a rubric version, with its life, its
//! hash once published, and the institution's official response.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ngo_evaluations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub ngo_id: Uuid,
    pub institution_id: Uuid,
    pub rubric_id: Uuid,
    pub period_start: Date,
    pub period_end: Date,
    /// Services evaluated (JSON array of ids; empty: the institution as a whole).
    pub service_ids: Json,
    /// Service points evaluated (JSON array of ids).
    pub service_point_ids: Json,
    /// `DRAFT`, `SUBMITTED`, `RETURNED`, `PUBLISHED` or `WITHDRAWN`.
    pub status: String,
    /// 1, 2, … (a correction of a published evaluation is a new revision).
    pub revision: i32,
    /// The published evaluation this revision corrects.
    pub supersedes_id: Option<Uuid>,
    /// What the correction changed.
    pub change_note: Option<String>,
    /// The conflict-of-interest declaration: ties declared, and which.
    pub declared_ties: bool,
    pub ties: Option<String>,
    /// A SUPERVISOR's waiver of declared ties.
    pub waiver_reason: Option<String>,
    /// `domain::evaluation::Content` as JSON.
    pub content: Json,
    /// Weighted mean on 1–5, and on 0–100.
    pub score: Option<f64>,
    pub score_100: Option<f64>,
    pub return_comment: Option<String>,
    /// SHA-256 of the canonical published evaluation.
    pub content_hash: Option<String>,
    pub submitted_at: Option<DateTimeUtc>,
    pub published_at: Option<DateTimeUtc>,
    /// Last day for the institution's official response.
    pub response_due: Option<Date>,
    /// The official response as JSON.
    pub response: Option<Json>,
    pub responded_at: Option<DateTimeUtc>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
