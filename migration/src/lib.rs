//! Database migrations. One file per change; a landed migration is never edited.

pub use sea_orm_migration::prelude::*;

mod helpers;
mod m20261128_000001_foundation;
mod m20261128_000002_surveys_and_responses;
mod m20261128_000003_rollups;
mod m20261128_000004_conclusions;
mod m20261201_000005_late_data;
mod m20261201_000006_question_reuse_approvals;
mod m20261201_000007_integrations;
mod m20261201_000008_provenance;
mod m20261201_000009_integrity;
mod m20261201_000010_headline;
mod m20261201_000011_shared_throttles;
mod m20261201_000012_finding_identity;
mod m20261201_000013_improvement_actions;
mod m20261202_000014_suggestions;
mod m20261202_000015_ngos;
mod m20261202_000016_ngo_evaluations;
mod m20261202_000017_ngo_action_verifications;
mod m20261202_000018_scorecards;
mod m20261202_000019_respondent_kinds;
mod m20261202_000020_conclusion_disclosure;

/// All of Sanal's migrations, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_foundation::Migration),
            Box::new(m20261128_000002_surveys_and_responses::Migration),
            Box::new(m20261128_000003_rollups::Migration),
            Box::new(m20261128_000004_conclusions::Migration),
            Box::new(m20261201_000005_late_data::Migration),
            Box::new(m20261201_000006_question_reuse_approvals::Migration),
            Box::new(m20261201_000007_integrations::Migration),
            Box::new(m20261201_000008_provenance::Migration),
            Box::new(m20261201_000009_integrity::Migration),
            Box::new(m20261201_000010_headline::Migration),
            Box::new(m20261201_000011_shared_throttles::Migration),
            Box::new(m20261201_000012_finding_identity::Migration),
            Box::new(m20261201_000013_improvement_actions::Migration),
            Box::new(m20261202_000014_suggestions::Migration),
            Box::new(m20261202_000015_ngos::Migration),
            Box::new(m20261202_000016_ngo_evaluations::Migration),
            Box::new(m20261202_000017_ngo_action_verifications::Migration),
            Box::new(m20261202_000018_scorecards::Migration),
            Box::new(m20261202_000019_respondent_kinds::Migration),
            Box::new(m20261202_000020_conclusion_disclosure::Migration),
        ]
    }
}
