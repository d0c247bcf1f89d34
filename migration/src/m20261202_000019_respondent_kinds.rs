//! The kind of respondent the delivering system served — an individual citizen or
//! a legal entity — on the invitation, carried to the response as a coarse
//! segment (no identity). Empty for responses before it existed and for the open
//! channel.

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
        for table in ["invitations", "responses"] {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .add_column(string_len_null("respondent_kind", 20))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["invitations", "responses"] {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .drop_column("respondent_kind")
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
