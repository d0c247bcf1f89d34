//! Calendar periods already closed by the conclusion job (one row each, so instances
//! never double up), with a fingerprint of the data they were concluded from.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "period_closings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub period_kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub period_start: Date,
    pub closed_at: DateTimeUtc,
    /// Counts and sums of the period's rollups and delivered counts when it was last
    /// concluded; when they differ, late data arrived (NULL: concluded before this
    /// was kept).
    pub fingerprint: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
