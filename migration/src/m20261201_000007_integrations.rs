//! Separation of duties for invitations: every API key has a kind chosen by an
//! ADMIN, every invitation remembers the provenance its answer will carry, and
//! links that Sanal sends itself wait in a durable outbox until they are sent.
//!
//! Keys made before this migration become `INSTITUTION_SYSTEM` — the kind trusted
//! least — so no existing key keeps receiving citizens' links by default.

use crate::helpers::index;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("api_keys")
                .add_column(string("kind").default("INSTITUTION_SYSTEM"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("invitations")
                .add_column(string("provenance").default("INSTITUTION_SYSTEM"))
                .to_owned(),
        )
        .await?;
        // One row per link still to send; deleted once sent or given up, so the
        // contact lives here only for minutes.
        m.create_table(
            Table::create()
                .table("delivery_outbox")
                .col(uuid("id").primary_key())
                .col(uuid("invitation_id"))
                .col(string("contact_kind"))
                .col(string("contact"))
                .col(string("locale"))
                .col(integer("attempts").default(0))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(string_null("last_error"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("delivery_outbox", &["next_attempt_at"], false))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("delivery_outbox").to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table("invitations")
                .drop_column("provenance")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("api_keys")
                .drop_column("kind")
                .to_owned(),
        )
        .await
    }
}
