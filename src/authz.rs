//! THE one place that says who may do what, plus the row filters for lists.
//!
//! Two answers are possible when something is refused:
//! - `FORBIDDEN` when the caller's role can never perform the operation;
//! - `NOT_FOUND` when the role could, but the object lies outside the caller's
//!   scope — exactly what a missing object answers, so nobody can probe ids.

use crate::auth::actor::{Actor, Caller, KeyActor, UserActor};
use crate::domain::role::{Assignment, Role, Scope};
use crate::error::{AppError, AppResult};
use entity::institution_closure as closure;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

/// Operations guarded by role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Create and change institutions: ADMIN.
    ManageInstitutions,
    /// Create and change services and service points: ADMIN, INSTITUTION_MANAGER (subtree).
    ManageCatalogue,
    /// Create and change users and their assignments: ADMIN, INSTITUTION_MANAGER (subtree).
    ManageUsers,
    /// List and revoke API keys: ADMIN, INSTITUTION_MANAGER (subtree).
    ManageApiKeys,
    /// Create API keys, choosing their kind and the institutions they cover: ADMIN
    /// only — an institution measured never makes the keys that issue its invitations.
    CreateApiKeys,
    /// Read the audit log: ADMIN, SUPERVISOR.
    ReadAuditLog,
    /// Create, edit, publish, archive and assign surveys: ADMIN, INSTITUTION_MANAGER (subtree).
    ManageSurveys,
    /// Read surveys and results (responses, comments): ADMIN, SUPERVISOR;
    /// INSTITUTION_MANAGER and INSTITUTION_STAFF in their subtree.
    ReadResults,
    /// Read respondents' follow-up contacts: ADMIN, INSTITUTION_MANAGER (subtree).
    ReadFollowUps,
    /// Close reporting periods and publish conclusions: ADMIN, SUPERVISOR.
    CloseAndPublish,
    /// Operate the system's data (rebuild rollups): ADMIN.
    Maintain,
    /// Correct data of a period that is closed (delivered counts), with a reason:
    /// SUPERVISOR only — not the institution measured, not the operator.
    CorrectClosedData,
    /// Let a question key be kept with new words: SUPERVISOR only.
    ApproveQuestionReuse,
    /// See integrity signals and quarantined cells: ADMIN, SUPERVISOR — never the
    /// institution measured.
    SuperviseIntegrity,
    /// Quarantine a service × day cell, or release it, with a reason: SUPERVISOR only.
    QuarantineCells,
    /// Choose which provenances count towards an institution's headline figure,
    /// with a reason: SUPERVISOR only.
    ChooseHeadline,
    /// Dismiss a finding of a published conclusion, with a reason: ADMIN,
    /// INSTITUTION_MANAGER (subtree).
    TriageFindings,
    /// Reopen a dismissed finding, with a reason: SUPERVISOR only.
    ReopenFindings,
    /// Create improvement actions, move them and record their progress: ADMIN,
    /// INSTITUTION_MANAGER (subtree).
    ManageImprovementActions,
    /// Verify or reject an improvement action's completion: ADMIN, SUPERVISOR.
    VerifyImprovementActions,
    /// Acknowledge, review, refer and answer citizens' suggestions, and write one
    /// down from a survey comment: ADMIN, INSTITUTION_MANAGER and INSTITUTION_STAFF (subtree).
    HandleSuggestions,
    /// Extend a suggestion's deadline and publish it: ADMIN, INSTITUTION_MANAGER (subtree).
    ManageSuggestions,
    /// Read a citizen's contact on a suggestion (each read audited): ADMIN,
    /// INSTITUTION_MANAGER (subtree).
    ReadSuggestionContacts,
    /// Keep the public holiday calendar: ADMIN.
    ManageHolidays,
    /// Register NGOs: ADMIN, SUPERVISOR.
    RegisterNgos,
    /// Accredit, suspend and withdraw NGOs: SUPERVISOR only.
    AccreditNgos,
    /// Draft and publish evaluation rubrics: SUPERVISOR only.
    ManageRubrics,
    /// Return, publish and waive the ties of NGO evaluations: SUPERVISOR only.
    ReviewEvaluations,
    /// Answer NGO evaluations of the institution officially: ADMIN,
    /// INSTITUTION_MANAGER (subtree).
    RespondToEvaluations,
    /// Draft and publish indicator frameworks, compute and publish scorecards:
    /// SUPERVISOR only — never the institutions scored, nor the operator.
    ManageScorecards,
}

impl Action {
    /// Roles that may perform this action, and whether the role is limited to its
    /// institution subtree.
    fn roles(self) -> &'static [(Role, bool)] {
        use Role::*;
        match self {
            Self::ManageInstitutions
            | Self::CreateApiKeys
            | Self::Maintain
            | Self::ManageHolidays => &[(Admin, false)],
            Self::CloseAndPublish => &[(Admin, false), (Supervisor, false)],
            Self::CorrectClosedData
            | Self::ApproveQuestionReuse
            | Self::QuarantineCells
            | Self::ChooseHeadline
            | Self::ReopenFindings
            | Self::AccreditNgos
            | Self::ManageRubrics
            | Self::ReviewEvaluations
            | Self::ManageScorecards => &[(Supervisor, false)],
            Self::SuperviseIntegrity | Self::VerifyImprovementActions | Self::RegisterNgos => {
                &[(Admin, false), (Supervisor, false)]
            }
            Self::ManageCatalogue | Self::ManageUsers | Self::ManageApiKeys => {
                &[(Admin, false), (InstitutionManager, true)]
            }
            Self::ReadAuditLog => &[(Admin, false), (Supervisor, false)],
            Self::ManageSurveys
            | Self::ReadFollowUps
            | Self::TriageFindings
            | Self::ManageImprovementActions
            | Self::ManageSuggestions
            | Self::ReadSuggestionContacts
            | Self::RespondToEvaluations => &[(Admin, false), (InstitutionManager, true)],
            Self::HandleSuggestions => &[
                (Admin, false),
                (InstitutionManager, true),
                (InstitutionStaff, true),
            ],
            Self::ReadResults => &[
                (Admin, false),
                (Supervisor, false),
                (InstitutionManager, true),
                (InstitutionStaff, true),
            ],
        }
    }
}

/// Which institutions an actor may act on: everything, or some subtrees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstitutionScope {
    /// Every institution.
    All,
    /// The given institutions and everything below them.
    Subtrees(Vec<Uuid>),
}

/// The signed-in user, or `UNAUTHENTICATED` (anonymous) / `FORBIDDEN` (API key).
pub fn require_user(actor: &Actor) -> AppResult<&UserActor> {
    match &actor.caller {
        Caller::User(u) => Ok(u),
        Caller::Anonymous => Err(AppError::unauthenticated("sign in to do this")),
        Caller::Key(_) => Err(AppError::Forbidden),
    }
}

/// The calling integration, or `UNAUTHENTICATED` / `FORBIDDEN`.
pub fn require_key(actor: &Actor) -> AppResult<&KeyActor> {
    match &actor.caller {
        Caller::Key(k) => Ok(k),
        Caller::Anonymous => Err(AppError::unauthenticated("an API key is required")),
        Caller::User(_) => Err(AppError::Forbidden),
    }
}

/// Where `actor` may perform `action`; `FORBIDDEN` if nowhere.
pub fn scope(actor: &Actor, action: Action) -> AppResult<InstitutionScope> {
    let user = require_user(actor)?;
    let mut roots = Vec::new();
    for (role, scoped) in action.roles() {
        if !scoped && user.has_role(*role) {
            return Ok(InstitutionScope::All);
        }
        if *scoped {
            roots.extend(user.institutions_with(&[*role]));
        }
    }
    if roots.is_empty() {
        return Err(AppError::Forbidden);
    }
    roots.sort();
    roots.dedup();
    Ok(InstitutionScope::Subtrees(roots))
}

/// Succeeds only for callers allowed `action` everywhere.
pub fn require_global(actor: &Actor, action: Action) -> AppResult<()> {
    match scope(actor, action)? {
        InstitutionScope::All => Ok(()),
        InstitutionScope::Subtrees(_) => Err(AppError::Forbidden),
    }
}

/// The catalogue an integration may read: its institutions' subtrees.
pub fn key_scope(key: &KeyActor) -> InstitutionScope {
    InstitutionScope::Subtrees(key.institution_ids.clone())
}

/// The ids of `roots` and of every institution below them (a subquery).
pub fn subtree_ids(roots: &[Uuid]) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(closure::Column::DescendantId)
        .from(closure::Entity)
        .and_where(Expr::col(closure::Column::AncestorId).is_in(roots.iter().copied()))
        .to_owned()
}

/// Row filter of a list's `institutionId` / `withSubtree` arguments: `column` is
/// `institution_id`, or (with its subtree) any institution at or below it.
pub fn institution_filter(
    column: impl ColumnTrait,
    institution_id: Uuid,
    with_subtree: bool,
) -> SimpleExpr {
    if with_subtree {
        column.in_subquery(subtree_ids(&[institution_id]))
    } else {
        column.eq(institution_id)
    }
}

impl InstitutionScope {
    /// Row filter: `column` (an institution id) lies in this scope.
    pub fn condition(&self, column: impl ColumnTrait) -> Condition {
        match self {
            Self::All => Condition::all(),
            Self::Subtrees(roots) => Condition::all().add(column.in_subquery(subtree_ids(roots))),
        }
    }

    /// Same as [`Self::condition`], as an expression.
    pub fn expr(&self, column: impl ColumnTrait) -> SimpleExpr {
        match self {
            Self::All => Expr::value(true),
            Self::Subtrees(roots) => column.in_subquery(subtree_ids(roots)),
        }
    }

    /// Whether `institution_id` lies in this scope (one indexed lookup).
    pub async fn contains(
        &self,
        conn: &impl ConnectionTrait,
        institution_id: Uuid,
    ) -> AppResult<bool> {
        match self {
            Self::All => Ok(true),
            Self::Subtrees(roots) => Ok(closure::Entity::find()
                .filter(closure::Column::DescendantId.eq(institution_id))
                .filter(closure::Column::AncestorId.is_in(roots.iter().copied()))
                .count(conn)
                .await?
                > 0),
        }
    }

    /// Every institution in this scope (one query), or `None` for all of them: for
    /// checking many objects at once.
    pub async fn members(
        &self,
        conn: &impl ConnectionTrait,
    ) -> AppResult<Option<std::collections::HashSet<Uuid>>> {
        match self {
            Self::All => Ok(None),
            Self::Subtrees(roots) => Ok(Some(
                closure::Entity::find()
                    .filter(closure::Column::AncestorId.is_in(roots.iter().copied()))
                    .all(conn)
                    .await?
                    .into_iter()
                    .map(|c| c.descendant_id)
                    .collect(),
            )),
        }
    }

    /// `NOT_FOUND` unless `institution_id` lies in this scope.
    pub async fn require(
        &self,
        conn: &impl ConnectionTrait,
        institution_id: Uuid,
    ) -> AppResult<()> {
        if self.contains(conn, institution_id).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }
}

/// Whether `actor` may answer a survey about a service of `institution_id`.
/// Integrations never answer (`FORBIDDEN`): they issue. The people of the
/// institution measured (its managers and staff, or those of an institution above
/// it) never answer for it (`FORBIDDEN`): the figures judge them. Everyone else —
/// above all the anonymous citizen — may.
pub async fn may_answer(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    institution_id: Uuid,
) -> AppResult<()> {
    match &actor.caller {
        Caller::Key(_) => Err(AppError::Forbidden),
        Caller::Anonymous => Ok(()),
        Caller::User(u) => {
            let roots = u.institutions_with(&[Role::InstitutionManager, Role::InstitutionStaff]);
            if roots.is_empty() {
                return Ok(());
            }
            if InstitutionScope::Subtrees(roots)
                .contains(conn, institution_id)
                .await?
            {
                Err(AppError::Forbidden)
            } else {
                Ok(())
            }
        }
    }
}

/// Integrations never answer surveys: `FORBIDDEN` before anything is looked up.
pub fn refuse_integrations(actor: &Actor) -> AppResult<()> {
    match actor.caller {
        Caller::Key(_) => Err(AppError::Forbidden),
        _ => Ok(()),
    }
}

/// Whether `actor` may look an invitation up by its token or code: everyone but an
/// institution's own system (`FORBIDDEN`), which must never hold a citizen's link.
pub fn may_look_up_invitations(actor: &Actor) -> AppResult<()> {
    match &actor.caller {
        Caller::Key(k) if k.kind == crate::domain::vocab::IntegrationKind::InstitutionSystem => {
            Err(AppError::Forbidden)
        }
        _ => Ok(()),
    }
}

/// Whether `actor` may give (or take away) `assignment`.
/// ADMIN: any. INSTITUTION_MANAGER: manager/staff roles inside their subtree
/// (`FORBIDDEN` for other roles, `NOT_FOUND` for other institutions).
pub async fn may_grant(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    assignment: &Assignment,
) -> AppResult<()> {
    match scope(actor, Action::ManageUsers)? {
        InstitutionScope::All => Ok(()),
        s @ InstitutionScope::Subtrees(_) => match assignment.scope {
            Scope::Institution(i) if assignment.role.is_institutional() => s.require(conn, i).await,
            _ => Err(AppError::Forbidden),
        },
    }
}

/// Whether `actor` may manage the user holding `assignments`: ADMIN any; a manager
/// only users whose every assignment is an institution role inside their subtree.
pub async fn may_manage_user(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    assignments: &[Assignment],
) -> AppResult<()> {
    match scope(actor, Action::ManageUsers)? {
        InstitutionScope::All => Ok(()),
        s @ InstitutionScope::Subtrees(_) => {
            if assignments.is_empty() {
                return Err(AppError::NotFound);
            }
            for a in assignments {
                match a.scope {
                    Scope::Institution(i) if a.role.is_institutional() => {
                        s.require(conn, i).await?
                    }
                    _ => return Err(AppError::NotFound),
                }
            }
            Ok(())
        }
    }
}
