//! The merged schema, built once at start-up, with its limits.

use super::guard::{Guard, GuardSettings};
use super::{
    accounts, actions, api_keys, audit, catalogue, conclusions, evaluations, findings, integrity,
    invitations, ngos, public, reports, responses, scorecards, suggestions, surveys, users,
};
use crate::state::AppState;
use async_graphql::{EmptySubscription, MergedObject, SDLExportOptions, Schema};

/// Every query.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    accounts::AccountQuery,
    users::UserQuery,
    catalogue::CatalogueQuery,
    api_keys::ApiKeyQuery,
    audit::AuditQuery,
    surveys::SurveyQuery,
    invitations::InvitationQuery,
    responses::ResponseQuery,
    reports::ReportQuery,
    conclusions::ConclusionQuery,
    findings::FindingQuery,
    actions::ActionQuery,
    integrity::IntegrityQuery,
    suggestions::SuggestionQuery,
    ngos::NgoQuery,
    evaluations::EvaluationQuery,
    scorecards::ScorecardQuery,
    public::PublicQuery,
);

/// Every mutation.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    accounts::AccountMutation,
    users::UserMutation,
    catalogue::CatalogueMutation,
    api_keys::ApiKeyMutation,
    surveys::SurveyMutation,
    invitations::InvitationMutation,
    reports::ReportMutation,
    conclusions::ConclusionMutation,
    findings::FindingMutation,
    actions::ActionMutation,
    integrity::IntegrityMutation,
    suggestions::SuggestionMutation,
    ngos::NgoMutation,
    evaluations::EvaluationMutation,
    scorecards::ScorecardMutation,
);

/// The Sanal schema.
pub type SanalSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Deepest selection allowed.
pub const MAX_DEPTH: usize = 15;
/// Most complex query allowed: each field counts 1, report fields count their work
/// (see [`super::reports::report_cost`]).
pub const MAX_COMPLEXITY: usize = 3_000;
/// Deepest recursion of fragments / nested values while parsing.
pub const MAX_RECURSIVE_DEPTH: usize = 32;
/// Most directives on one field.
pub const MAX_DIRECTIVES: usize = 5;

fn builder() -> async_graphql::SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
    .limit_recursive_depth(MAX_RECURSIVE_DEPTH)
    .limit_directives(MAX_DIRECTIVES)
}

/// Builds the schema (once, at start-up) with the guard's limits. Production mode
/// turns introspection and "did you mean …" suggestions off.
pub fn build_schema(state: AppState) -> SanalSchema {
    let production = state.config.production;
    let guard = Guard(GuardSettings {
        timeout: state.config.operation_timeout,
    });
    let b = builder().data(state).extension(guard);
    if production {
        b.disable_introspection().disable_suggestions().finish()
    } else {
        b.finish()
    }
}

/// The schema in SDL, sorted — what `schema.graphql` holds.
pub fn sdl() -> String {
    builder().finish().sdl_with_options(
        SDLExportOptions::new()
            .sorted_fields()
            .sorted_arguments()
            .sorted_enum_items(),
    )
}
