//! Authentication: who is calling (passwords, access tokens, refresh tokens, API keys).

pub mod actor;
pub mod password;
pub mod secrets;
pub mod tokens;

pub use actor::{Actor, Caller, KeyActor, UserActor};
