//! What goes wrong when outside input does not parse: the domain's own error, free
//! of the API and the database. Services turn it into `AppError::BadUserInput`.

use serde::Serialize;

/// One problem with one part of an input, e.g. one answer of a survey response.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InvalidField {
    /// Which input (field name, or a question key) is wrong.
    pub field: String,
    /// Why, in English, stable enough to show.
    pub reason: String,
}

/// An input that does not parse, with every problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub Vec<InvalidField>);

impl Invalid {
    /// One bad field.
    pub fn field(field: &str, reason: impl Into<String>) -> Self {
        Self(vec![InvalidField {
            field: field.to_owned(),
            reason: reason.into(),
        }])
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|i| format!("{}: {}", i.field, i.reason))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for Invalid {}

/// What parsing outside input gives.
pub type Parsed<T> = Result<T, Invalid>;
