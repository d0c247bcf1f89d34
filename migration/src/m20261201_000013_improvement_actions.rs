//! Improvement actions: what an institution does about its findings, with a
//! progress timeline and what it came from.

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
                .table("improvement_actions")
                .col(uuid("id").primary_key())
                .col(uuid("institution_id"))
                .col(json("title"))
                .col(json("description"))
                .col(uuid("owner_id"))
                .col(date("due_date"))
                .col(string_null("metric_kind"))
                .col(string_null("metric_subject"))
                .col(string_null("measure"))
                .col(double_null("baseline"))
                .col(double_null("target"))
                .col(integer("window_before_days"))
                .col(integer("window_after_days"))
                .col(string("status"))
                .col(text_null("status_reason"))
                .col(date_null("planned_on"))
                .col(date_null("started_on"))
                .col(date_null("completed_on"))
                .col(date_null("verified_on"))
                .col(date_null("cancelled_on"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "improvement_actions",
                    "institution_id",
                    "institutions",
                ))
                .foreign_key(&mut fk("improvement_actions", "owner_id", "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "improvement_actions",
            &["institution_id", "status"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("improvement_action_services")
                .col(uuid("action_id"))
                .col(uuid("service_id"))
                .primary_key(Index::create().col("action_id").col("service_id"))
                .foreign_key(&mut fk(
                    "improvement_action_services",
                    "action_id",
                    "improvement_actions",
                ))
                .foreign_key(&mut fk(
                    "improvement_action_services",
                    "service_id",
                    "services",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("improvement_action_services", &["service_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("improvement_action_origins")
                .col(uuid("action_id"))
                .col(string("origin_kind"))
                .col(uuid("origin_id"))
                .primary_key(
                    Index::create()
                        .col("action_id")
                        .col("origin_kind")
                        .col("origin_id"),
                )
                .foreign_key(&mut fk(
                    "improvement_action_origins",
                    "action_id",
                    "improvement_actions",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "improvement_action_origins",
            &["origin_kind", "origin_id"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("improvement_action_updates")
                .col(uuid("id").primary_key())
                .col(uuid("action_id"))
                .col(date("day"))
                .col(integer("percent"))
                .col(text("note"))
                .col(json("evidence"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "improvement_action_updates",
                    "action_id",
                    "improvement_actions",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("improvement_action_updates", &["action_id"], false))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "improvement_action_updates",
            "improvement_action_origins",
            "improvement_action_services",
            "improvement_actions",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
