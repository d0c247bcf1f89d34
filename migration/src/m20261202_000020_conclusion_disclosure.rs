//! The cells each conclusion's public view withholds beyond its own small cells,
//! chosen over all conclusions of its period together so that no withheld figure is
//! the difference of published ones (an institution's figure minus its other
//! services'). Not part of the hashed content: it is how the frozen figures are
//! shown, and it only ever grows for a published conclusion.

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
        m.alter_table(
            Table::alter()
                .table("conclusions")
                .add_column(json_null("public_withheld"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("conclusions")
                .drop_column("public_withheld")
                .to_owned(),
        )
        .await
    }
}
