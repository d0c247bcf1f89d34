//! Something a conclusion found automatically (a low driver, a significant drop, …),
//! with its triage. A finding is the same across regenerations and revisions of its
//! conclusion: same scope, period, kind and subject → same id ([`stable_id`]), so
//! whatever links to it never breaks. Which revision listed it, with which figures,
//! is in `conclusion_findings`.
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "findings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub scope_kind: String,
    pub scope_id: Uuid,
    pub institution_id: Uuid,
    pub period_kind: String,
    pub period_start: Date,
    pub kind: String,
    pub subject: String,
    /// The latest revision of the conclusion that lists it.
    pub conclusion_id: Uuid,
    /// Its figures in that revision.
    pub detail: Json,
    /// `OPEN`, `ADDRESSED` or `DISMISSED`.
    pub state: String,
    /// Why it was dismissed or reopened.
    pub state_reason: Option<String>,
    pub state_changed_at: Option<DateTimeUtc>,
    pub state_changed_by: Option<Uuid>,
    /// When a conclusion listing it was first published (none: drafts only).
    pub published_at: Option<DateTimeUtc>,
    /// `published_at` + [`OPEN_DAYS_LIMIT`]: still open after it, it counts against
    /// its institution.
    pub open_limit_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

/// Days after its first publication by which a finding should have left `OPEN`.
pub const OPEN_DAYS_LIMIT: i64 = 60;

/// Namespace of finding ids. Never change it, nor [`stable_id`]: stored ids and
/// links to them depend on both.
pub const NAMESPACE: Uuid = Uuid::from_u128(0x5a4e_414c_0001_4000_8000_6669_6e64_696e);

/// The id of the finding of `kind` about `subject` in a scope and period
/// (UUIDv5 over all six): the same whatever revision of the conclusion lists it.
pub fn stable_id(
    scope_kind: &str,
    scope_id: Uuid,
    period_kind: &str,
    period_start: Date,
    kind: &str,
    subject: &str,
) -> Uuid {
    let name = format!("{scope_kind}|{scope_id}|{period_kind}|{period_start}|{kind}|{subject}");
    Uuid::new_v5(&NAMESPACE, name.as_bytes())
}
