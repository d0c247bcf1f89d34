//! Domain types that parse: a value that exists is valid. Pure: no database, no
//! API — nothing here imports sea-orm, async-graphql or any module above (a test
//! in `tests/layering.rs` keeps it so); errors are [`Invalid`].

pub mod action;
pub mod bucket;
pub mod catalogue;
pub mod disclosure;
pub mod email;
pub mod error;
pub mod evaluation;
pub mod figures;
pub mod finding;
pub mod ids;
pub mod localized;
pub mod metrics;
pub mod ngo;
pub mod page;
pub mod password;
pub mod period;
pub mod role;
pub mod scorecard;
pub mod submission;
pub mod suggestion;
pub mod survey;
pub mod templates;
pub mod text;
pub mod vocab;

pub use email::Email;
pub use error::{Invalid, InvalidField, Parsed};
pub use localized::{Locale, LocalizedText};
pub use page::{Page, PageRequest};
pub use role::Role;
