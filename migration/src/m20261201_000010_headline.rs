//! Which provenances count towards an institution's published headline figure, as a
//! SUPERVISOR chose them (no row: all of them).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("headline_provenances")
                .col(uuid("institution_id").primary_key())
                .col(string("provenances"))
                .col(text("reason"))
                .col(uuid_null("set_by"))
                .col(timestamp_with_time_zone("set_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("headline_provenances").to_owned())
            .await
    }
}
