//! Foundation: settings, regions, institutions (closure table), users, role
//! assignments, sessions, refresh tokens, API keys, services, service points and
//! the append-only audit log.

use crate::helpers::{fk, index};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn ts(col: &'static str) -> ColumnDef {
    timestamp_with_time_zone(col)
}
fn ts_null(col: &'static str) -> ColumnDef {
    timestamp_with_time_zone_null(col)
}

/// Aimags (ISO 3166-2:MN codes), the capital and its nine districts (Sanal
/// codes `MN-1-01` … `MN-1-09`, in the order the capital's statistics list them).
const REGIONS: &[(&str, Option<&str>, &str, &str, &str)] = &[
    ("MN-1", None, "CAPITAL", "Улаанбаатар", "Ulaanbaatar"),
    ("MN-073", None, "AIMAG", "Архангай", "Arkhangai"),
    ("MN-071", None, "AIMAG", "Баян-Өлгий", "Bayan-Ölgii"),
    ("MN-069", None, "AIMAG", "Баянхонгор", "Bayankhongor"),
    ("MN-067", None, "AIMAG", "Булган", "Bulgan"),
    ("MN-065", None, "AIMAG", "Говь-Алтай", "Govi-Altai"),
    ("MN-064", None, "AIMAG", "Говьсүмбэр", "Govisümber"),
    ("MN-037", None, "AIMAG", "Дархан-Уул", "Darkhan-Uul"),
    ("MN-063", None, "AIMAG", "Дорноговь", "Dornogovi"),
    ("MN-061", None, "AIMAG", "Дорнод", "Dornod"),
    ("MN-059", None, "AIMAG", "Дундговь", "Dundgovi"),
    ("MN-057", None, "AIMAG", "Завхан", "Zavkhan"),
    ("MN-035", None, "AIMAG", "Орхон", "Orkhon"),
    ("MN-055", None, "AIMAG", "Өвөрхангай", "Övörkhangai"),
    ("MN-053", None, "AIMAG", "Өмнөговь", "Ömnögovi"),
    ("MN-051", None, "AIMAG", "Сүхбаатар", "Sükhbaatar"),
    ("MN-049", None, "AIMAG", "Сэлэнгэ", "Selenge"),
    ("MN-047", None, "AIMAG", "Төв", "Töv"),
    ("MN-046", None, "AIMAG", "Увс", "Uvs"),
    ("MN-043", None, "AIMAG", "Ховд", "Khovd"),
    ("MN-041", None, "AIMAG", "Хөвсгөл", "Khövsgöl"),
    ("MN-039", None, "AIMAG", "Хэнтий", "Khentii"),
    ("MN-1-01", Some("MN-1"), "DISTRICT", "Багануур", "Baganuur"),
    (
        "MN-1-02",
        Some("MN-1"),
        "DISTRICT",
        "Багахангай",
        "Bagakhangai",
    ),
    ("MN-1-03", Some("MN-1"), "DISTRICT", "Баянгол", "Bayangol"),
    (
        "MN-1-04",
        Some("MN-1"),
        "DISTRICT",
        "Баянзүрх",
        "Bayanzürkh",
    ),
    ("MN-1-05", Some("MN-1"), "DISTRICT", "Налайх", "Nalaikh"),
    (
        "MN-1-06",
        Some("MN-1"),
        "DISTRICT",
        "Сонгинохайрхан",
        "Songinokhairkhan",
    ),
    (
        "MN-1-07",
        Some("MN-1"),
        "DISTRICT",
        "Сүхбаатар",
        "Sükhbaatar",
    ),
    ("MN-1-08", Some("MN-1"), "DISTRICT", "Хан-Уул", "Khan-Uul"),
    (
        "MN-1-09",
        Some("MN-1"),
        "DISTRICT",
        "Чингэлтэй",
        "Chingeltei",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("settings")
                .col(string("key").primary_key())
                .col(text("value"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("regions")
                .col(string("code").primary_key())
                .col(string_null("parent_code"))
                .col(string("kind"))
                .col(json("name"))
                .col(integer("sort_order"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_regions_parent")
                        .from("regions", "parent_code")
                        .to("regions", "code"),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("institutions")
                .col(uuid("id").primary_key())
                .col(uuid_null("parent_id"))
                .col(string("kind"))
                .col(string_uniq("code"))
                .col(json("name"))
                .col(text("search_text"))
                .col(string_null("region_code"))
                .col(boolean("active"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("institutions", "parent_id", "institutions"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_institutions_region")
                        .from("institutions", "region_code")
                        .to("regions", "code"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index("institutions", &["parent_id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("institution_closure")
                .col(uuid("ancestor_id"))
                .col(uuid("descendant_id"))
                .col(integer("depth"))
                .primary_key(Index::create().col("ancestor_id").col("descendant_id"))
                .foreign_key(&mut fk(
                    "institution_closure",
                    "ancestor_id",
                    "institutions",
                ))
                .foreign_key(&mut fk(
                    "institution_closure",
                    "descendant_id",
                    "institutions",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "institution_closure",
            &["descendant_id", "ancestor_id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("users")
                .col(uuid("id").primary_key())
                .col(string_uniq("email"))
                .col(string("display_name"))
                .col(text("search_text"))
                .col(text("password_hash"))
                .col(boolean("active"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .col(ts("password_changed_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("role_assignments")
                .col(uuid("id").primary_key())
                .col(uuid("user_id"))
                .col(string("role"))
                .col(uuid_null("institution_id"))
                .col(uuid_null("ngo_id"))
                .col(ts("created_at"))
                .foreign_key(
                    &mut fk("role_assignments", "user_id", "users")
                        .on_delete(ForeignKeyAction::Cascade)
                        .to_owned(),
                )
                .foreign_key(&mut fk(
                    "role_assignments",
                    "institution_id",
                    "institutions",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("role_assignments", &["user_id"], false))
            .await?;
        m.create_index(index("role_assignments", &["institution_id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("sessions")
                .col(uuid("id").primary_key())
                .col(uuid("user_id"))
                .col(ts("created_at"))
                .col(ts("expires_at"))
                .col(ts_null("revoked_at"))
                .col(string_null("revoked_reason"))
                .foreign_key(&mut fk("sessions", "user_id", "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("sessions", &["user_id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("refresh_tokens")
                .col(uuid("id").primary_key())
                .col(uuid("session_id"))
                .col(string_uniq("token_hash"))
                .col(ts("created_at"))
                .col(ts("expires_at"))
                .col(ts_null("used_at"))
                .foreign_key(&mut fk("refresh_tokens", "session_id", "sessions"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("refresh_tokens", &["session_id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("api_keys")
                .col(uuid("id").primary_key())
                .col(string("name"))
                .col(string("prefix"))
                .col(string_uniq("key_hash"))
                .col(uuid("institution_id"))
                .col(uuid_null("created_by"))
                .col(ts("created_at"))
                .col(ts_null("revoked_at"))
                .foreign_key(&mut fk("api_keys", "institution_id", "institutions"))
                .foreign_key(&mut fk("api_keys", "created_by", "users"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("api_keys", &["institution_id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("api_key_institutions")
                .col(uuid("api_key_id"))
                .col(uuid("institution_id"))
                .primary_key(Index::create().col("api_key_id").col("institution_id"))
                .foreign_key(&mut fk("api_key_institutions", "api_key_id", "api_keys"))
                .foreign_key(&mut fk(
                    "api_key_institutions",
                    "institution_id",
                    "institutions",
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("services")
                .col(uuid("id").primary_key())
                .col(uuid("institution_id"))
                .col(string("code"))
                .col(json("name"))
                .col(json_null("description"))
                .col(json("channels"))
                .col(text("search_text"))
                .col(boolean("active"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("services", "institution_id", "institutions"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("services", &["institution_id", "code"], true))
            .await?;

        m.create_table(
            Table::create()
                .table("service_points")
                .col(uuid("id").primary_key())
                .col(uuid("institution_id"))
                .col(string("code"))
                .col(string("kind"))
                .col(json("name"))
                .col(string_null("region_code"))
                .col(boolean("active"))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .foreign_key(&mut fk("service_points", "institution_id", "institutions"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_service_points_region")
                        .from("service_points", "region_code")
                        .to("regions", "code"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index("service_points", &["institution_id", "code"], true))
            .await?;

        m.create_table(
            Table::create()
                .table("audit_log")
                .col(uuid("id").primary_key())
                .col(ts("at"))
                .col(string("actor_kind"))
                .col(uuid_null("actor_id"))
                .col(string("actor_label"))
                .col(string("action"))
                .col(string_null("target_kind"))
                .col(uuid_null("target_id"))
                .col(json("details"))
                .col(string_null("client_ip"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("audit_log", &["action"], false))
            .await?;
        m.create_index(index("audit_log", &["target_id"], false))
            .await?;

        let conn = m.get_connection();
        match m.get_database_backend() {
            DbBackend::Postgres => {
                conn.execute_unprepared(
                    "CREATE FUNCTION sanal_audit_append_only() RETURNS trigger AS $$ \
                     BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql; \
                     CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log \
                     FOR EACH ROW EXECUTE FUNCTION sanal_audit_append_only();",
                )
                .await?;
            }
            _ => {
                conn.execute_unprepared(
                    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log \
                     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;",
                )
                .await?;
                conn.execute_unprepared(
                    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log \
                     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;",
                )
                .await?;
            }
        }

        let mut insert = Query::insert();
        insert
            .into_table("regions")
            .columns(["code", "parent_code", "kind", "name", "sort_order"]);
        for (i, (code, parent, kind, mn, en)) in REGIONS.iter().enumerate() {
            let name = serde_json::json!({ "mn": mn, "en": en });
            insert
                .values([
                    (*code).into(),
                    parent.map(|p| p.to_owned()).into(),
                    (*kind).into(),
                    name.into(),
                    <i32 as std::convert::TryFrom<usize>>::try_from(i)
                        .unwrap_or(i32::MAX)
                        .into(),
                ])
                .map_err(|e| DbErr::Custom(e.to_string()))?;
        }
        m.exec_stmt(insert).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "audit_log",
            "service_points",
            "services",
            "api_key_institutions",
            "api_keys",
            "refresh_tokens",
            "sessions",
            "role_assignments",
            "users",
            "institution_closure",
            "institutions",
            "regions",
            "settings",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        if m.get_database_backend() == DbBackend::Postgres {
            m.get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS sanal_audit_append_only()")
                .await?;
        }
        Ok(())
    }
}
