//! Provenance on every response and in the rollups: how the citizen reached the
//! survey (national platform, institution system, QR poster, kiosk), so figures are
//! shown per provenance beside the combined one.
//!
//! The rollups' `origin` column becomes `provenance` (the origin — invited or open
//! — follows from it). Data from before this migration cannot tell its provenance:
//! invited answers are counted as `INSTITUTION_SYSTEM` (the kind trusted least) and
//! open-channel answers as `POSTER`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const ROLLUPS: [&str; 2] = ["rollup_daily", "rollup_monthly"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("responses")
                .add_column(string("provenance").default("INSTITUTION_SYSTEM"))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared("UPDATE responses SET provenance = 'POSTER' WHERE origin = 'OPEN'")
            .await?;
        for t in ROLLUPS {
            m.alter_table(
                Table::alter()
                    .table(t)
                    .rename_column("origin", "provenance")
                    .to_owned(),
            )
            .await?;
            db.execute_unprepared(&format!(
                "UPDATE {t} SET provenance = CASE provenance WHEN 'OPEN' THEN 'POSTER' ELSE 'INSTITUTION_SYSTEM' END"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for t in ROLLUPS {
            db.execute_unprepared(&format!(
                "UPDATE {t} SET provenance = CASE WHEN provenance IN ('POSTER', 'KIOSK') THEN 'OPEN' ELSE 'INVITED' END"
            ))
            .await?;
            m.alter_table(
                Table::alter()
                    .table(t)
                    .rename_column("provenance", "origin")
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table("responses")
                .drop_column("provenance")
                .to_owned(),
        )
        .await
    }
}
