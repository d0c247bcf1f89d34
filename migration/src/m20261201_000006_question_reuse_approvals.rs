//! A supervisor's approvals to keep a question's key although its words change.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("question_reuse_approvals")
                .col(uuid("survey_id"))
                .col(integer("version"))
                .col(string("question_key"))
                .col(text("reason"))
                .col(uuid_null("approved_by"))
                .col(timestamp_with_time_zone("approved_at"))
                .primary_key(
                    Index::create()
                        .col("survey_id")
                        .col("version")
                        .col("question_key"),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("question_reuse_approvals").to_owned())
            .await
    }
}
