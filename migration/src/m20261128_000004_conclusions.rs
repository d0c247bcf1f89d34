//! Conclusions: frozen snapshots of a period's figures per institution and per
//! service, with findings; and the record of which periods were closed.

use crate::helpers::{fk, index};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("conclusions")
                .col(uuid("id").primary_key())
                .col(string("scope_kind"))
                .col(uuid("scope_id"))
                .col(uuid("institution_id"))
                .col(string("period_kind"))
                .col(date("period_start"))
                .col(date("period_end"))
                .col(integer("revision"))
                .col(string("status"))
                .col(json("content"))
                .col(string("content_hash"))
                .col(text_null("institution_comment"))
                .col(json_null("changes"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("published_at"))
                .col(uuid_null("published_by"))
                .foreign_key(&mut fk("conclusions", "institution_id", "institutions"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "conclusions",
            &[
                "scope_kind",
                "scope_id",
                "period_kind",
                "period_start",
                "revision",
            ],
            true,
        ))
        .await?;
        m.create_index(index(
            "conclusions",
            &["institution_id", "period_start"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("findings")
                .col(uuid("id").primary_key())
                .col(uuid("conclusion_id"))
                .col(string("kind"))
                .col(string("subject"))
                .col(json("detail"))
                .col(boolean("open"))
                .foreign_key(&mut fk("findings", "conclusion_id", "conclusions"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("findings", &["conclusion_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("period_closings")
                .col(string("period_kind"))
                .col(date("period_start"))
                .col(timestamp_with_time_zone("closed_at"))
                .primary_key(Index::create().col("period_kind").col("period_start"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["period_closings", "findings", "conclusions"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
