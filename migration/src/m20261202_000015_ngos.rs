//! NGOs and their accreditation, NGO membership leads, and the versioned rubrics
//! NGO evaluations are scored on — seeded with the national default rubric: the
//! commitment's four dimensions (quality, availability, transparency, openness),
//! responsiveness to citizens' suggestions and requests, and accessibility.

use crate::helpers::index;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::prelude::Uuid;
use serde_json::{Value, json};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The national default rubric's id (fixed, so that every database has the same).
pub const NATIONAL_RUBRIC: Uuid = Uuid::from_u128(0x5341_4e41_4c00_4000_9000_0000_0000_0001);

fn t(mn: &str, en: &str) -> Value {
    json!({ "mn": mn, "en": en })
}

/// One criterion: key, weight, name, what it assesses, and its five levels (1–5).
fn criterion(
    key: &str,
    weight: f64,
    name: (&str, &str),
    what: (&str, &str),
    levels: [(&str, &str); 5],
) -> Value {
    json!({
        "key": key,
        "weight": weight,
        "name": t(name.0, name.1),
        "description": t(what.0, what.1),
        "levels": levels.iter().map(|(mn, en)| t(mn, en)).collect::<Vec<_>>(),
    })
}

fn national_rubric() -> Value {
    json!([
        criterion(
            "quality",
            0.2,
            ("Чанар", "Quality"),
            (
                "Үйлчилгээ стандартын дагуу, алдаагүй, эелдэг, хугацаандаа хүрч байгаа эсэх.",
                "Whether the service is delivered to standard, without errors, courteously and on time.",
            ),
            [
                (
                    "Стандарт ихэнхдээ зөрчигдөж, алдаа түгээмэл.",
                    "The standard is mostly broken; errors are common."
                ),
                (
                    "Стандарт олонтаа зөрчигддөг.",
                    "The standard is often broken."
                ),
                (
                    "Стандарт ихэвчлэн мөрдөгддөг, зарим алдаатай.",
                    "The standard is usually met, with some errors."
                ),
                (
                    "Стандарт мөрдөгдөж, алдаа ховор.",
                    "The standard is met; errors are rare."
                ),
                (
                    "Стандартаас давсан, алдаагүй, тууштай.",
                    "Above the standard, error-free and consistent."
                ),
            ],
        ),
        criterion(
            "availability",
            0.2,
            ("Хүртээмж", "Availability"),
            (
                "Үйлчилгээг цаг, газар, сувгийн хувьд авахад хялбар эсэх; хүлээх хугацаа.",
                "Whether the service is easy to obtain in time, place and channel; waiting times.",
            ),
            [
                (
                    "Авахад маш хэцүү, удаан хүлээлгэдэг.",
                    "Very hard to obtain; long waits."
                ),
                ("Авахад хэцүү, хүлээлт их.", "Hard to obtain; much waiting."),
                (
                    "Ихэнх иргэн боломжийн хугацаанд авдаг.",
                    "Most citizens obtain it in reasonable time."
                ),
                (
                    "Олон сувгаар, богино хүлээлттэй.",
                    "Several channels; short waits."
                ),
                (
                    "Хаанаас ч, хүлээлтгүй, цахимаар бүрэн.",
                    "From anywhere, without waiting, fully online."
                ),
            ],
        ),
        criterion(
            "transparency",
            0.15,
            ("Ил тод байдал", "Transparency"),
            (
                "Шаардлага, төлбөр, хугацаа, шийдвэрийн үндэслэл нээлттэй, ойлгомжтой эсэх.",
                "Whether requirements, fees, times and the grounds of decisions are public and clear.",
            ),
            [
                (
                    "Мэдээлэл байхгүй эсвэл буруу.",
                    "Information is missing or wrong."
                ),
                (
                    "Мэдээлэл дутуу, ойлгомжгүй.",
                    "Information is incomplete and unclear."
                ),
                ("Үндсэн мэдээлэл нээлттэй.", "The essentials are public."),
                (
                    "Бүрэн, ойлгомжтой, шинэчлэгдсэн.",
                    "Complete, clear and up to date."
                ),
                (
                    "Бүрэн нээлттэй, шийдвэр бүр үндэслэлтэй, хянах боломжтой.",
                    "Fully open; every decision reasoned and traceable."
                ),
            ],
        ),
        criterion(
            "openness",
            0.15,
            ("Нээлттэй байдал", "Openness"),
            (
                "Иргэн, олон нийтийн оролцоо, санал хүсэлтийг хүлээн авч, үр дүнгээ нийтэлдэг эсэх.",
                "Whether citizens and the public take part, feedback is welcomed and results are published.",
            ),
            [
                (
                    "Санал авдаггүй, үр дүн нийтэлдэггүй.",
                    "No feedback taken; no results published."
                ),
                ("Албан ёсны төдий.", "Only formally."),
                (
                    "Санал авч, зарим үр дүнг нийтэлдэг.",
                    "Feedback taken; some results published."
                ),
                (
                    "Тогтмол оролцуулж, үр дүнгээ нийтэлдэг.",
                    "Regular participation; results published."
                ),
                (
                    "Иргэдтэй хамтран шийдвэр гаргадаг.",
                    "Decisions are made together with citizens."
                ),
            ],
        ),
        criterion(
            "responsiveness",
            0.15,
            (
                "Санал хүсэлтэд хариу өгөх байдал",
                "Responsiveness to suggestions and requests"
            ),
            (
                "Иргэдийн санал, хүсэлт, гомдолд хугацаандаа, үндэслэлтэй хариулж, арга хэмжээ авдаг эсэх.",
                "Whether citizens' suggestions, requests and complaints are answered on time, with reasons, and acted on.",
            ),
            [
                ("Хариу өгдөггүй.", "No answers."),
                ("Хожуу, ерөнхий хариу.", "Late, generic answers."),
                (
                    "Ихэнхдээ хугацаандаа хариулдаг.",
                    "Mostly answered on time."
                ),
                (
                    "Хугацаандаа, үндэслэлтэй, арга хэмжээтэй.",
                    "On time, reasoned, with actions."
                ),
                (
                    "Хариу бүр хэмжигдэх үр дүнд хүрдэг.",
                    "Every answer leads to a measured result."
                ),
            ],
        ),
        criterion(
            "accessibility",
            0.15,
            ("Хүртээмжтэй байдал", "Accessibility"),
            (
                "Хөгжлийн бэрхшээлтэй иргэд, хөдөөгийн иргэд, монгол бичиг болон казах хэлээр үйлчлүүлэгчдэд хүртээмжтэй эсэх.",
                "Whether persons with disabilities, rural residents, and Mongolian-script and Kazakh speakers are served.",
            ),
            [
                (
                    "Саад ихтэй, өөр хэлээр үйлчилдэггүй.",
                    "Many barriers; no other language."
                ),
                ("Зарим саадыг арилгасан.", "Some barriers removed."),
                ("Үндсэн хүртээмж хангагдсан.", "Basic access is in place."),
                (
                    "Ихэнх бүлэгт бүрэн хүртээмжтэй.",
                    "Fully accessible to most groups."
                ),
                (
                    "Бүх бүлэгт саадгүй, олон хэлээр.",
                    "Barrier-free for all groups, in several languages."
                ),
            ],
        ),
    ])
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("ngos")
                .col(uuid("id").primary_key())
                .col(json("name"))
                .col(string_len("registration_number", 40))
                .col(string_null("contact_email"))
                .col(string_null("contact_phone"))
                .col(string_null("website"))
                .col(string("status"))
                .col(date_null("accredited_from"))
                .col(date_null("accredited_until"))
                .col(text_null("decision_note"))
                .col(timestamp_with_time_zone_null("decided_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ngos", &["registration_number"], true))
            .await?;
        m.alter_table(
            Table::alter()
                .table("role_assignments")
                .add_column(boolean("lead").default(false))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("rubrics")
                .col(uuid("id").primary_key())
                .col(string_len("key", 40))
                .col(integer("version"))
                .col(json("name"))
                .col(json("description"))
                .col(json("criteria"))
                .col(string("status"))
                .col(timestamp_with_time_zone_null("published_at"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("rubrics", &["key", "version"], true))
            .await?;
        let now = chrono::Utc::now();
        m.exec_stmt(
            Query::insert()
                .into_table("rubrics")
                .columns([
                    "id",
                    "key",
                    "version",
                    "name",
                    "description",
                    "criteria",
                    "status",
                    "published_at",
                    "created_by",
                    "created_at",
                ])
                .values([
                    NATIONAL_RUBRIC.into(),
                    "national".into(),
                    1.into(),
                    t("Үндэсний үнэлгээний аргачлал", "National evaluation rubric").into(),
                    t(
                        "Төрийн үйлчилгээг иргэний нийгмийн байгууллага үнэлэх үндэсний аргачлал: чанар, хүртээмж, ил тод, нээлттэй байдал, санал хүсэлтэд хариу өгөх байдал, хүртээмжтэй байдал.",
                        "The national rubric for civil society evaluations of public services: quality, availability, transparency, openness, responsiveness to suggestions and requests, accessibility.",
                    )
                    .into(),
                    national_rubric().into(),
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
        m.drop_table(Table::drop().table("rubrics").to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table("role_assignments")
                .drop_column("lead")
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table("ngos").to_owned()).await
    }
}
