//! Domain types that parse: a value that exists is valid. Pure, no database.

pub mod catalogue;
pub mod email;
pub mod localized;
pub mod metrics;
pub mod page;
pub mod password;
pub mod period;
pub mod role;
pub mod survey;
pub mod templates;
pub mod text;

pub use email::Email;
pub use localized::{Locale, LocalizedText};
pub use page::{Page, PageRequest};
pub use role::Role;
