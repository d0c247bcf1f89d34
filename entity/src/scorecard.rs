//! An institution's scorecard for a period under one framework version: every
//! component's inputs, score, weight and contribution, the total and the rank
//! among peers of the same kind. Published scorecards are frozen and hashed.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "scorecards")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub institution_id: Uuid,
    /// The institution's kind when computed: its peer group.
    pub institution_kind: String,
    pub framework_id: Uuid,
    pub period_kind: String,
    pub period_start: Date,
    pub period_end: Date,
    /// The published conclusion the satisfaction and coverage components read.
    pub conclusion_id: Uuid,
    /// `DRAFT` or `PUBLISHED`.
    pub status: String,
    /// `domain::scorecard::Card` as JSON.
    pub content: Json,
    pub total: Option<f64>,
    pub rankable: bool,
    pub rank: Option<i32>,
    /// Scorecards of the same kind, framework and period (ranked or not).
    pub peers: i32,
    /// SHA-256 of the canonical content, set on publication.
    pub content_hash: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
    pub published_by: Option<Uuid>,
}

impl ActiveModelBehavior for ActiveModel {}
