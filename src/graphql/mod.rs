//! The GraphQL API: thin resolvers that translate between GraphQL types and
//! service calls. No queries and no permission logic here.

pub mod accounts;
pub mod actions;
pub mod api_keys;
pub mod audit;
pub mod catalogue;
pub mod common;
pub mod conclusions;
pub mod evaluations;
pub mod figures;
pub mod findings;
pub mod guard;
pub mod integrity;
pub mod invitations;
pub mod loaders;
pub mod ngos;
pub mod public;
pub mod reports;
pub mod responses;
pub mod schema;
pub mod scorecards;
pub mod suggestions;
pub mod surveys;
pub mod users;
pub mod vocab;

pub use schema::{SanalSchema, build_schema, sdl};
