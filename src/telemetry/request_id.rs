//! Request ids: taken from the client's `X-Request-Id` when it is a sane token,
//! generated otherwise, returned on every response and written into every log
//! record and GraphQL error of the request, so a user can quote it.

use std::fmt;

/// The header that carries the id both ways.
pub const HEADER: &str = "x-request-id";
/// Longest id accepted from a client.
pub const MAX_LEN: usize = 64;

/// The id of one HTTP request: 1–64 characters of `[A-Za-z0-9._-]`, so it is safe
/// in a header, a log line and a JSON string as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    /// The client's id if it is sane, a new one (UUIDv7: sortable by time) otherwise.
    pub fn from_header(value: Option<&str>) -> Self {
        value.and_then(Self::parse).unwrap_or_else(Self::generate)
    }

    /// A client-supplied id, if it is 1–64 characters of `[A-Za-z0-9._-]`.
    pub fn parse(value: &str) -> Option<Self> {
        let ok = (1..=MAX_LEN).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        ok.then(|| Self(value.to_owned()))
    }

    /// A new id.
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7().to_string())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sane_client_id_is_kept() {
        for id in ["abc", "A-1_b.2", &"x".repeat(64)] {
            assert_eq!(RequestId::from_header(Some(id)).as_str(), id);
        }
    }

    #[test]
    fn an_insane_client_id_is_replaced_by_a_uuid() {
        for bad in ["", "a b", "a\nb", "ü", "a/b", "a\"b", &"x".repeat(65)] {
            let id = RequestId::from_header(Some(bad));
            assert_ne!(id.as_str(), bad);
            assert!(uuid::Uuid::parse_str(id.as_str()).is_ok(), "{id}");
        }
        assert!(uuid::Uuid::parse_str(RequestId::from_header(None).as_str()).is_ok());
    }
}
