//! NGO evaluations of institutions: their content on a rubric version, the
//! conflict-of-interest declaration, the life up to publication (frozen and
//! hashed), revisions, and the institution's official response.

use crate::helpers::{fk, index};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("ngo_evaluations")
                .col(uuid("id").primary_key())
                .col(uuid("ngo_id"))
                .col(uuid("institution_id"))
                .col(uuid("rubric_id"))
                .col(date("period_start"))
                .col(date("period_end"))
                .col(json("service_ids"))
                .col(json("service_point_ids"))
                .col(string("status"))
                .col(integer("revision"))
                .col(uuid_null("supersedes_id"))
                .col(text_null("change_note"))
                .col(boolean("declared_ties"))
                .col(text_null("ties"))
                .col(text_null("waiver_reason"))
                .col(json("content"))
                .col(double_null("score"))
                .col(double_null("score_100"))
                .col(text_null("return_comment"))
                .col(string_null("content_hash"))
                .col(timestamp_with_time_zone_null("submitted_at"))
                .col(timestamp_with_time_zone_null("published_at"))
                .col(date_null("response_due"))
                .col(json_null("response"))
                .col(timestamp_with_time_zone_null("responded_at"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("ngo_evaluations", "ngo_id", "ngos"))
                .foreign_key(&mut fk("ngo_evaluations", "institution_id", "institutions"))
                .foreign_key(&mut fk("ngo_evaluations", "rubric_id", "rubrics"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ngo_evaluations",
            &["institution_id", "period_start"],
            false,
        ))
        .await?;
        m.create_index(index("ngo_evaluations", &["ngo_id", "status"], false))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("ngo_evaluations").to_owned())
            .await
    }
}
