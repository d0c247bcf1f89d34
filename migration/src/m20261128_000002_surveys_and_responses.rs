//! Surveys and their frozen versions, service assignments and invitation settings,
//! invitations, delivered counts, open-channel kiosks, and anonymous responses.
//!
//! Responses deliberately carry no timestamp and no link to an invitation,
//! transaction, person or submission: see `src/services/responses.rs`.

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
                .table("surveys")
                .col(uuid("id").primary_key())
                .col(uuid("institution_id"))
                .col(string("status"))
                .col(json("title"))
                .col(text("search_text"))
                .col(string_null("template"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("surveys", "institution_id", "institutions"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("surveys", &["institution_id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("survey_versions")
                .col(uuid("id").primary_key())
                .col(uuid("survey_id"))
                .col(integer("version"))
                .col(string("status"))
                .col(json("content"))
                .col(string_null("content_hash"))
                .col(timestamp_with_time_zone_null("published_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("survey_versions", "survey_id", "surveys"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("survey_versions", &["survey_id", "version"], true))
            .await?;

        m.create_table(
            Table::create()
                .table("service_survey_assignments")
                .col(uuid("service_id"))
                .col(string("channel"))
                .col(uuid("survey_version_id"))
                .col(timestamp_with_time_zone("assigned_at"))
                .primary_key(Index::create().col("service_id").col("channel"))
                .foreign_key(&mut fk(
                    "service_survey_assignments",
                    "service_id",
                    "services",
                ))
                .foreign_key(&mut fk(
                    "service_survey_assignments",
                    "survey_version_id",
                    "survey_versions",
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("service_invitation_settings")
                .col(uuid("service_id").primary_key())
                .col(integer("sampling_ppm"))
                .col(integer("expiry_days"))
                .col(integer("cooldown_days"))
                .foreign_key(&mut fk(
                    "service_invitation_settings",
                    "service_id",
                    "services",
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("open_channels")
                .col(uuid("service_point_id").primary_key())
                .col(string_uniq("code"))
                .col(uuid("service_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "open_channels",
                    "service_point_id",
                    "service_points",
                ))
                .foreign_key(&mut fk("open_channels", "service_id", "services"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("kiosk_devices")
                .col(uuid("id").primary_key())
                .col(uuid("service_point_id"))
                .col(string("name"))
                .col(string_uniq("key_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut fk(
                    "kiosk_devices",
                    "service_point_id",
                    "service_points",
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("invitations")
                .col(uuid("id").primary_key())
                .col(uuid("service_id"))
                .col(uuid("service_point_id"))
                .col(uuid("institution_id"))
                .col(string("channel"))
                .col(string_null("transaction_ref"))
                .col(string_null("payload_hash"))
                .col(boolean("invited"))
                .col(uuid_null("survey_version_id"))
                .col(string_null("token_hash"))
                .col(string_null("code_hash"))
                .col(string("locale"))
                .col(timestamp_with_time_zone("delivered_at"))
                .col(date("delivery_date"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .col(string_null("submission_hash"))
                .col(timestamp_with_time_zone_null("purged_at"))
                .foreign_key(&mut fk("invitations", "service_id", "services"))
                .foreign_key(&mut fk("invitations", "service_point_id", "service_points"))
                .foreign_key(&mut fk(
                    "invitations",
                    "survey_version_id",
                    "survey_versions",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "invitations",
            &["service_id", "transaction_ref"],
            true,
        ))
        .await?;
        m.create_index(index("invitations", &["token_hash"], true))
            .await?;
        m.create_index(index("invitations", &["code_hash"], true))
            .await?;
        m.create_index(index("invitations", &["expires_at"], false))
            .await?;
        m.create_index(index(
            "invitations",
            &["service_id", "delivery_date"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("recontact_cooldowns")
                .col(string("respondent_hmac").primary_key())
                .col(timestamp_with_time_zone("until"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("delivered_counts")
                .col(uuid("service_id"))
                .col(uuid("service_point_id"))
                .col(date("day"))
                .col(big_integer("count"))
                .col(timestamp_with_time_zone("reported_at"))
                .primary_key(
                    Index::create()
                        .col("service_id")
                        .col("service_point_id")
                        .col("day"),
                )
                .foreign_key(&mut fk("delivered_counts", "service_id", "services"))
                .foreign_key(&mut fk(
                    "delivered_counts",
                    "service_point_id",
                    "service_points",
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("responses")
                .col(uuid("id").primary_key())
                .col(uuid("survey_version_id"))
                .col(uuid("service_id"))
                .col(uuid("service_point_id"))
                .col(uuid("institution_id"))
                .col(string("channel"))
                .col(string("origin"))
                .col(string("locale"))
                .col(date("response_date"))
                .foreign_key(&mut fk("responses", "survey_version_id", "survey_versions"))
                .foreign_key(&mut fk("responses", "service_id", "services"))
                .foreign_key(&mut fk("responses", "service_point_id", "service_points"))
                .foreign_key(&mut fk("responses", "institution_id", "institutions"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("responses", &["service_id", "response_date"], false))
            .await?;
        m.create_index(index(
            "responses",
            &["institution_id", "response_date"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("response_answers")
                .col(uuid("response_id"))
                .col(string("question_key"))
                .col(integer_null("value"))
                .col(json_null("choices"))
                .col(text_null("text"))
                .col(boolean("not_applicable"))
                .primary_key(Index::create().col("response_id").col("question_key"))
                .foreign_key(&mut fk("response_answers", "response_id", "responses"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("follow_ups")
                .col(uuid("id").primary_key())
                .col(uuid("response_id"))
                .col(uuid("institution_id"))
                .col(uuid("service_id"))
                .col(string("contact"))
                .col(date("created_date"))
                .foreign_key(&mut fk("follow_ups", "response_id", "responses"))
                .foreign_key(&mut fk("follow_ups", "institution_id", "institutions"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("follow_ups", &["institution_id"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "follow_ups",
            "response_answers",
            "responses",
            "delivered_counts",
            "recontact_cooldowns",
            "invitations",
            "kiosk_devices",
            "open_channels",
            "service_invitation_settings",
            "service_survey_assignments",
            "survey_versions",
            "surveys",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
