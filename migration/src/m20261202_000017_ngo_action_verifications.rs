//! An accredited NGO's verification of an institution's completed improvement
//! action: confirmed or not, with evidence and the day of the visit. One per NGO
//! and action; it never changes the action's status.

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
                .table("ngo_action_verifications")
                .col(uuid("id").primary_key())
                .col(uuid("action_id"))
                .col(uuid("ngo_id"))
                .col(boolean("confirmed"))
                .col(text("evidence"))
                .col(json("links"))
                .col(date("visited_on"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "ngo_action_verifications",
                    "action_id",
                    "improvement_actions",
                ))
                .foreign_key(&mut fk("ngo_action_verifications", "ngo_id", "ngos"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ngo_action_verifications",
            &["action_id", "ngo_id"],
            true,
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("ngo_action_verifications").to_owned())
            .await
    }
}
