//! Citizens' suggestions and requests (with their contacts apart, so that erasing
//! a contact is deleting a row, and their supports), and the public holiday
//! calendar their deadlines count working days by, seeded with Mongolia's
//! fixed-date public holidays.

use crate::helpers::{fk, index};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::prelude::Uuid;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Mongolia's public holidays on fixed dates (Labour Law, art. 74): month, day,
/// name in Mongolian and in English. Tsagaan Sar and Chinggis Khaan's birthday
/// follow the lunar calendar: an ADMIN enters them each year.
const FIXED_HOLIDAYS: &[(i32, i32, &str, &str)] = &[
    (1, 1, "Шинэ жил", "New Year's Day"),
    (3, 8, "Эмэгтэйчүүдийн баяр", "International Women's Day"),
    (6, 1, "Хүүхдийн баяр", "Children's Day"),
    (7, 11, "Үндэсний их баяр наадам", "Naadam"),
    (7, 12, "Үндэсний их баяр наадам", "Naadam"),
    (7, 13, "Үндэсний их баяр наадам", "Naadam"),
    (7, 14, "Үндэсний их баяр наадам", "Naadam"),
    (7, 15, "Үндэсний их баяр наадам", "Naadam"),
    (
        11,
        26,
        "Бүгд Найрамдах Улс тунхагласан өдөр",
        "Republic Day",
    ),
    (
        12,
        29,
        "Үндэсний эрх чөлөө, тусгаар тогтнолоо сэргээсний баяр",
        "National Freedom and Independence Day",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("public_holidays")
                .col(uuid("id").primary_key())
                .col(integer_null("year"))
                .col(integer("month"))
                .col(integer("day"))
                .col(json("name"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("public_holidays", &["month", "day"], false))
            .await?;
        let now = chrono::Utc::now();
        for (i, (month, day, mn, en)) in FIXED_HOLIDAYS.iter().enumerate() {
            let id = Uuid::from_u128(0x5341_4e41_4c00_4000_8000_0000_0000_0000 + i as u128);
            let name = serde_json::json!({ "mn": mn, "en": en });
            m.exec_stmt(
                Query::insert()
                    .into_table("public_holidays")
                    .columns(["id", "year", "month", "day", "name", "created_at"])
                    .values([
                        id.into(),
                        Option::<i32>::None.into(),
                        (*month).into(),
                        (*day).into(),
                        name.into(),
                        now.into(),
                    ])
                    .map_err(|e| DbErr::Custom(e.to_string()))?
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table("suggestions")
                .col(uuid("id").primary_key())
                .col(string_len("tracking_code", 16))
                .col(uuid("institution_id"))
                .col(uuid("received_by_id"))
                .col(uuid_null("service_id"))
                .col(uuid_null("service_point_id"))
                .col(string("kind"))
                .col(string("source"))
                .col(text("body"))
                .col(string_null("language"))
                .col(string("status"))
                .col(text_null("status_reason"))
                .col(uuid_null("citizen_id"))
                .col(string_null("dedupe_key"))
                .col(timestamp_with_time_zone("received_at"))
                .col(date("received_on"))
                .col(date("ack_due"))
                .col(date("answer_due"))
                .col(integer_null("extension_days"))
                .col(text_null("extension_reason"))
                .col(date_null("acknowledged_on"))
                .col(date_null("first_answered_on"))
                .col(boolean_null("answered_in_time"))
                .col(date_null("answered_on"))
                .col(string_null("answer_outcome"))
                .col(json_null("answer_text"))
                .col(text_null("answer_reason"))
                .col(string_null("answer_role"))
                .col(uuid_null("answer_institution_id"))
                .col(uuid_null("answered_by"))
                .col(date_null("reopened_on"))
                .col(text_null("reopen_reason"))
                .col(boolean_null("resolved"))
                .col(date_null("confirmed_on"))
                .col(date_null("closed_on"))
                .col(timestamp_with_time_zone_null("published_at"))
                .col(text_null("public_body"))
                .col(integer("supports"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("suggestions", "institution_id", "institutions"))
                .foreign_key(&mut fk("suggestions", "service_id", "services"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("suggestions", &["tracking_code"], true))
            .await?;
        m.create_index(index(
            "suggestions",
            &["institution_id", "received_on"],
            false,
        ))
        .await?;
        m.create_index(index("suggestions", &["citizen_id"], false))
            .await?;
        m.create_index(index("suggestions", &["dedupe_key"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("suggestion_contacts")
                .col(uuid("suggestion_id").primary_key())
                .col(string("kind"))
                .col(string("value"))
                .col(timestamp_with_time_zone("consented_at"))
                .foreign_key(&mut fk(
                    "suggestion_contacts",
                    "suggestion_id",
                    "suggestions",
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("suggestion_supports")
                .col(uuid("suggestion_id"))
                .col(string_len("supporter", 64))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("suggestion_id").col("supporter"))
                .foreign_key(&mut fk(
                    "suggestion_supports",
                    "suggestion_id",
                    "suggestions",
                ))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "suggestion_supports",
            "suggestion_contacts",
            "suggestions",
            "public_holidays",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
