//! Sanal: citizen satisfaction surveys for public services (GraphQL API).
//!
//! Three floors, data flowing one way: [`graphql`]/[`routes`] → [`services`]
//! (+ [`authz`]) → `entity` + [`domain`]. Nothing below imports anything above it
//! (`tests/layering.rs` checks). `docs/ARCHITECTURE.md` is the map: what each
//! module owns, and the walk for adding a feature.

pub mod auth;
pub mod authz;
pub mod cache;
pub mod clock;
pub mod config;
pub mod db;
pub mod delivery;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod group_commit;
pub mod ratelimit;
pub mod routes;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;
