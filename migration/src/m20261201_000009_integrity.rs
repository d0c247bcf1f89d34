//! Integrity of the measurement: what supervisors need to see figures being
//! manufactured, and to set a manufactured day aside.
//! - `invitations.issued_at`: when the invitation was issued (cleared by the purge),
//!   so an answer given seconds later can be counted;
//! - `integrity_counts`: per service × day, counts that are never figures —
//!   answers within seconds of issue, invitations per issuing key, answers per kiosk;
//! - `quarantined_cells`: service × day cells a SUPERVISOR excluded from figures,
//!   with the reason; releasing one keeps the record.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("invitations")
                .add_column(timestamp_with_time_zone_null("issued_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("integrity_counts")
                .col(date("day"))
                .col(uuid("service_id"))
                .col(uuid("institution_id"))
                .col(string("signal"))
                .col(string("source"))
                .col(big_integer("n"))
                .primary_key(
                    Index::create()
                        .col("day")
                        .col("service_id")
                        .col("signal")
                        .col("source"),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("quarantined_cells")
                .col(uuid("service_id"))
                .col(date("day"))
                .col(text("reason"))
                .col(uuid_null("quarantined_by"))
                .col(timestamp_with_time_zone("quarantined_at"))
                .col(timestamp_with_time_zone_null("released_at"))
                .col(uuid_null("released_by"))
                .col(text_null("release_reason"))
                .primary_key(Index::create().col("service_id").col("day"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("quarantined_cells").to_owned())
            .await?;
        m.drop_table(Table::drop().table("integrity_counts").to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table("invitations")
                .drop_column("issued_at")
                .to_owned(),
        )
        .await
    }
}
