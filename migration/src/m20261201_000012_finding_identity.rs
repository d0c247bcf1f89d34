//! Findings keep their identity across regenerations and revisions of their
//! conclusion, and get triaged.
//!
//! Until now a finding row belonged to one revision (its id was derived from the
//! conclusion's id), so a new revision made new findings and regenerating a draft
//! deleted them. Now `findings` holds one row per scope × period × kind × subject
//! (id: `entity::finding::stable_id`) with its triage state, and
//! `conclusion_findings` says which revision listed it with which figures. Existing
//! rows are carried over: every revision keeps the findings it listed.

use crate::helpers::{fk, index};
use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use std::collections::BTreeMap;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on SQLite too: the rows are carried over all or not at
    /// all, and every statement sees the tables the one before it made.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = m.get_database_backend();
        // Read what there is before the old table goes.
        let old = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT f.conclusion_id, f.kind, f.subject, f.detail, c.scope_kind, c.scope_id, \
                 c.institution_id, c.period_kind, c.period_start, c.revision, c.created_at, \
                 c.published_at FROM findings f JOIN conclusions c ON c.id = f.conclusion_id \
                 ORDER BY c.revision",
            ))
            .await?;
        m.drop_table(Table::drop().table("findings").to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table("findings")
                .col(uuid("id").primary_key())
                .col(string("scope_kind"))
                .col(uuid("scope_id"))
                .col(uuid("institution_id"))
                .col(string("period_kind"))
                .col(date("period_start"))
                .col(string("kind"))
                .col(string("subject"))
                .col(uuid("conclusion_id"))
                .col(json("detail"))
                .col(string("state"))
                .col(text_null("state_reason"))
                .col(timestamp_with_time_zone_null("state_changed_at"))
                .col(uuid_null("state_changed_by"))
                .col(timestamp_with_time_zone_null("published_at"))
                .col(timestamp_with_time_zone_null("open_limit_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("findings", "conclusion_id", "conclusions"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("findings", &["institution_id", "state"], false))
            .await?;
        m.create_index(index("findings", &["conclusion_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("conclusion_findings")
                .col(uuid("conclusion_id"))
                .col(uuid("finding_id"))
                .col(json("detail"))
                .primary_key(Index::create().col("conclusion_id").col("finding_id"))
                .foreign_key(&mut fk(
                    "conclusion_findings",
                    "conclusion_id",
                    "conclusions",
                ))
                .foreign_key(&mut fk("conclusion_findings", "finding_id", "findings"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("conclusion_findings", &["finding_id"], false))
            .await?;
        // Carry the old rows over, the latest revision's figures winning.
        let mut findings = BTreeMap::new();
        let mut members = vec![];
        for r in old {
            let kind: String = r.try_get("", "kind")?;
            let subject: String = r.try_get("", "subject")?;
            let scope_kind: String = r.try_get("", "scope_kind")?;
            let scope_id: sea_orm::prelude::Uuid = r.try_get("", "scope_id")?;
            let period_kind: String = r.try_get("", "period_kind")?;
            let period_start: sea_orm::prelude::Date = r.try_get("", "period_start")?;
            let id = entity::finding::stable_id(
                &scope_kind,
                scope_id,
                &period_kind,
                period_start,
                &kind,
                &subject,
            );
            let conclusion_id: sea_orm::prelude::Uuid = r.try_get("", "conclusion_id")?;
            let detail: serde_json::Value = r.try_get("", "detail")?;
            let published: Option<sea_orm::prelude::DateTimeUtc> = r.try_get("", "published_at")?;
            let created: sea_orm::prelude::DateTimeUtc = r.try_get("", "created_at")?;
            members.push((conclusion_id, id, detail.clone()));
            let first_published = findings
                .get(&id)
                .and_then(|f: &entity::finding::Model| f.published_at)
                .or(published);
            let first_created = findings
                .get(&id)
                .map_or(created, |f: &entity::finding::Model| f.created_at);
            findings.insert(
                id,
                entity::finding::Model {
                    id,
                    scope_kind,
                    scope_id,
                    institution_id: r.try_get("", "institution_id")?,
                    period_kind,
                    period_start,
                    kind,
                    subject,
                    conclusion_id,
                    detail,
                    state: "OPEN".into(),
                    state_reason: None,
                    state_changed_at: None,
                    state_changed_by: None,
                    published_at: first_published,
                    open_limit_at: first_published
                        .map(|t| t + chrono::Duration::days(entity::finding::OPEN_DAYS_LIMIT)),
                    created_at: first_created,
                },
            );
        }
        use sea_orm::{ActiveValue::Set, EntityTrait, IntoActiveModel};
        for chunk in findings.into_values().collect::<Vec<_>>().chunks(200) {
            entity::finding::Entity::insert_many(
                chunk
                    .iter()
                    .cloned()
                    .map(IntoActiveModel::into_active_model),
            )
            .exec_without_returning(db)
            .await?;
        }
        for chunk in members.chunks(500) {
            entity::conclusion_finding::Entity::insert_many(chunk.iter().map(|(c, f, d)| {
                entity::conclusion_finding::ActiveModel {
                    conclusion_id: Set(*c),
                    finding_id: Set(*f),
                    detail: Set(d.clone()),
                }
            }))
            .exec_without_returning(db)
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Back to one row per revision (ids derived from the conclusion): the
        // triage is lost, the findings each revision listed are kept.
        let db = m.get_connection();
        let backend = m.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT cf.conclusion_id, f.kind, f.subject, cf.detail FROM conclusion_findings cf \
                 JOIN findings f ON f.id = cf.finding_id",
            ))
            .await?;
        m.drop_table(Table::drop().table("conclusion_findings").to_owned())
            .await?;
        m.drop_table(Table::drop().table("findings").to_owned())
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
        for r in rows {
            let conclusion_id: sea_orm::prelude::Uuid = r.try_get("", "conclusion_id")?;
            let kind: String = r.try_get("", "kind")?;
            let subject: String = r.try_get("", "subject")?;
            let detail: serde_json::Value = r.try_get("", "detail")?;
            let id = sea_orm::prelude::Uuid::new_v5(
                &entity::finding::NAMESPACE,
                format!("{conclusion_id}|{kind}|{subject}").as_bytes(),
            );
            let mut insert = Query::insert();
            insert
                .into_table("findings")
                .columns(["id", "conclusion_id", "kind", "subject", "detail", "open"])
                .values([
                    id.into(),
                    conclusion_id.into(),
                    kind.into(),
                    subject.into(),
                    detail.into(),
                    true.into(),
                ])
                .map_err(|e| DbErr::Custom(e.to_string()))?;
            m.exec_stmt(insert).await?;
        }
        Ok(())
    }
}
