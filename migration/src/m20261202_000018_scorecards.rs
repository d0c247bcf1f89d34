//! Indicator frameworks (versioned weights of the scorecard components) and
//! scorecards (one per institution, period and framework version) — seeded with
//! the national framework: satisfaction 0.5, coverage 0.1, improvement 0.15,
//! responsiveness 0.15, independent evaluation 0.1.

use crate::helpers::{fk, index};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::prelude::Uuid;
use serde_json::{Value, json};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The national framework's id (fixed, so that every database has the same).
pub const NATIONAL_FRAMEWORK: Uuid = Uuid::from_u128(0x5341_4e41_4c00_4000_9000_0000_0000_0002);

fn t(mn: &str, en: &str) -> Value {
    json!({ "mn": mn, "en": en })
}

fn national() -> Value {
    let c = |component: &str, weight: f64, minimum: u64| json!({ "component": component, "weight": weight, "minimum": minimum });
    json!({
        "components": [
            c("SATISFACTION", 0.5, 10),
            c("COVERAGE", 0.1, 10),
            c("IMPROVEMENT", 0.15, 1),
            c("RESPONSIVENESS", 0.15, 3),
            c("INDEPENDENT_EVALUATION", 0.1, 1),
        ],
        "coverageTarget": 0.3,
    })
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("indicator_frameworks")
                .col(uuid("id").primary_key())
                .col(string_len("key", 40))
                .col(integer("version"))
                .col(json("name"))
                .col(json("description"))
                .col(json("spec"))
                .col(string("status"))
                .col(timestamp_with_time_zone_null("published_at"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("indicator_frameworks", &["key", "version"], true))
            .await?;
        m.create_table(
            Table::create()
                .table("scorecards")
                .col(uuid("id").primary_key())
                .col(uuid("institution_id"))
                .col(string("institution_kind"))
                .col(uuid("framework_id"))
                .col(string("period_kind"))
                .col(date("period_start"))
                .col(date("period_end"))
                .col(uuid("conclusion_id"))
                .col(string("status"))
                .col(json("content"))
                .col(double_null("total"))
                .col(boolean("rankable"))
                .col(integer_null("rank"))
                .col(integer("peers"))
                .col(string_null("content_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("published_at"))
                .col(uuid_null("published_by"))
                .foreign_key(&mut fk("scorecards", "institution_id", "institutions"))
                .foreign_key(&mut fk(
                    "scorecards",
                    "framework_id",
                    "indicator_frameworks",
                ))
                .foreign_key(&mut fk("scorecards", "conclusion_id", "conclusions"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "scorecards",
            &[
                "framework_id",
                "period_kind",
                "period_start",
                "institution_id",
            ],
            true,
        ))
        .await?;
        m.create_index(index(
            "scorecards",
            &["period_kind", "period_start", "status"],
            false,
        ))
        .await?;
        m.create_index(index(
            "scorecards",
            &["institution_id", "period_start"],
            false,
        ))
        .await?;
        let now = chrono::Utc::now();
        m.exec_stmt(
            Query::insert()
                .into_table("indicator_frameworks")
                .columns([
                    "id",
                    "key",
                    "version",
                    "name",
                    "description",
                    "spec",
                    "status",
                    "published_at",
                    "created_by",
                    "created_at",
                ])
                .values([
                    NATIONAL_FRAMEWORK.into(),
                    "national".into(),
                    1.into(),
                    t("Үндэсний гүйцэтгэлийн үзүүлэлт", "National performance indicator").into(),
                    t(
                        "Иргэний сэтгэл ханамж (0.5), хамрагдалт (0.1), сайжруулалт (0.15), санал хүсэлтэд хариу өгөх байдал (0.15), иргэний нийгмийн байгууллагын үнэлгээ (0.1).",
                        "Citizens' satisfaction (0.5), coverage (0.1), improvement (0.15), responsiveness to suggestions and requests (0.15), independent NGO evaluation (0.1).",
                    )
                    .into(),
                    national().into(),
                    "PUBLISHED".into(),
                    Some(now).into(),
                    Option::<Uuid>::None.into(),
                    now.into(),
                ])
                .map_err(|e| DbErr::Custom(e.to_string()))?
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("scorecards").to_owned())
            .await?;
        m.drop_table(Table::drop().table("indicator_frameworks").to_owned())
            .await
    }
}
