//! Late data: each closed period remembers a fingerprint of the data its
//! conclusions were made from, so the job concludes again when data for an
//! already-closed period arrives later (including a period closed with none).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("period_closings")
                .add_column(string_null("fingerprint"))
                .to_owned(),
        )
        .await?;
        // The job sums delivered counts by day every hour.
        m.create_index(
            Index::create()
                .name("ix_delivered_counts_day")
                .table("delivered_counts")
                .col("day")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_delivered_counts_day")
                .table("delivered_counts")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("period_closings")
                .drop_column("fingerprint")
                .to_owned(),
        )
        .await
    }
}
