//! Throttles shared by every server instance on one PostgreSQL: failed sign-ins
//! (per account, per client, per pair) and windowed event counters (invitation
//! guessing). Keys are hashes: no e-mail address or client address is stored.
//! SQLite (one instance) keeps its throttles in memory and leaves these empty.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("throttle_failures")
                .col(string_len("key", 64).primary_key())
                .col(integer("count"))
                .col(timestamp_with_time_zone("first_at"))
                .col(timestamp_with_time_zone("last_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("throttle_windows")
                .col(string_len("key", 64).primary_key())
                .col(integer("count"))
                .col(timestamp_with_time_zone("ends_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("throttle_windows").to_owned())
            .await?;
        m.drop_table(Table::drop().table("throttle_failures").to_owned())
            .await
    }
}
