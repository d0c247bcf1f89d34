//! Rollups maintained in the same transaction as each submission, so reports never
//! scan responses: a fine daily grain for drill-down (point, channel) and a coarse
//! monthly grain for period reports. Each keeps the institution at response time.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("rollup_daily")
                .col(date("day"))
                .col(uuid("service_point_id"))
                .col(uuid("service_id"))
                .col(uuid("institution_id"))
                .col(string("channel"))
                .col(string("origin"))
                .col(uuid("survey_version_id"))
                .col(string("question_key"))
                .col(string("bucket"))
                .col(big_integer("n"))
                .primary_key(
                    Index::create()
                        .col("day")
                        .col("service_point_id")
                        .col("service_id")
                        .col("institution_id")
                        .col("channel")
                        .col("origin")
                        .col("survey_version_id")
                        .col("question_key")
                        .col("bucket"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_rollup_daily_service_day")
                .table("rollup_daily")
                .col("service_id")
                .col("day")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("rollup_monthly")
                .col(date("month"))
                .col(uuid("service_id"))
                .col(uuid("institution_id"))
                .col(string("origin"))
                .col(uuid("survey_version_id"))
                .col(string("question_key"))
                .col(string("bucket"))
                .col(big_integer("n"))
                .primary_key(
                    Index::create()
                        .col("month")
                        .col("service_id")
                        .col("institution_id")
                        .col("origin")
                        .col("survey_version_id")
                        .col("question_key")
                        .col("bucket"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_rollup_monthly_institution_month")
                .table("rollup_monthly")
                .col("institution_id")
                .col("month")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("rollup_invitations_daily")
                .col(date("day"))
                .col(uuid("service_point_id"))
                .col(uuid("service_id"))
                .col(uuid("institution_id"))
                .col(big_integer("n"))
                .primary_key(
                    Index::create()
                        .col("day")
                        .col("service_point_id")
                        .col("service_id")
                        .col("institution_id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("rollup_invitations_monthly")
                .col(date("month"))
                .col(uuid("service_id"))
                .col(uuid("institution_id"))
                .col(big_integer("n"))
                .primary_key(
                    Index::create()
                        .col("month")
                        .col("service_id")
                        .col("institution_id"),
                )
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "rollup_invitations_monthly",
            "rollup_invitations_daily",
            "rollup_monthly",
            "rollup_daily",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
