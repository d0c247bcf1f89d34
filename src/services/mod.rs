//! Services: one module per domain area. Each public function takes the state, the
//! [`Actor`](crate::auth::Actor) and an input; checks authorization first (via
//! [`authz`](crate::authz)); runs its own transaction; returns domain types.

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod bootstrap;
pub mod catalogue;
pub mod institutions;
pub mod regions;
pub mod users;

/// A new time-ordered id (UUIDv7): keyset pagination sorts by it.
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
