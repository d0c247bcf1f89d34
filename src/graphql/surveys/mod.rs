//! Surveys, versions, questions, templates, assignments and invitation settings.

mod inputs;
mod mutation;
mod query;
mod types;

pub use inputs::*;
pub use mutation::*;
pub use query::*;
pub use types::*;

pub use crate::graphql::vocab::{Driver, QuestionType};
