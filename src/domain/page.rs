//! Keyset pagination: `first` (default 20, at most 100) items after an opaque cursor.
//! Rows are ordered by their UUIDv7 id, which sorts by creation time.

use super::error::Invalid;
use base64::Engine;
use uuid::Uuid;

/// Default page size.
pub const DEFAULT_FIRST: u64 = 20;
/// Largest page a client may ask for.
pub const MAX_FIRST: u64 = 100;

/// A parsed page request.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    /// How many items.
    pub first: u64,
    /// Items strictly after this id.
    pub after: Option<Uuid>,
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items, in order.
    pub items: Vec<T>,
    /// Whether more items follow.
    pub has_next: bool,
    /// Whether this page started after a cursor.
    pub has_previous: bool,
}

const PREFIX: &str = "c1:";

impl PageRequest {
    /// Parses `first` / `after` from a client.
    pub fn parse(first: Option<i32>, after: Option<&str>) -> Result<Self, Invalid> {
        let first = match first {
            None => DEFAULT_FIRST,
            Some(n) if n < 0 => return Err(Invalid::field("first", "must not be negative")),
            Some(n) if n as u64 > MAX_FIRST => {
                return Err(Invalid::field(
                    "first",
                    format!("must be at most {MAX_FIRST}"),
                ));
            }
            Some(n) => n as u64,
        };
        let after = after.map(decode_cursor).transpose()?;
        Ok(Self { first, after })
    }

    /// Builds a page from up to `first + 1` fetched rows.
    pub fn page<T>(&self, mut rows: Vec<T>) -> Page<T> {
        let has_next = rows.len() as u64 > self.first;
        rows.truncate(self.first as usize);
        Page {
            items: rows,
            has_next,
            has_previous: self.after.is_some(),
        }
    }

    /// How many rows to fetch (one more than asked, to know if more follow).
    pub fn fetch_limit(&self) -> u64 {
        self.first + 1
    }
}

/// The opaque cursor of a row id.
pub fn encode_cursor(id: Uuid) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{PREFIX}{id}"))
}

fn decode_cursor(c: &str) -> Result<Uuid, Invalid> {
    let bad = || Invalid::field("after", "not a cursor returned by this API");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .map_err(|_| bad())?;
    let s = String::from_utf8(bytes).map_err(|_| bad())?;
    let id = s.strip_prefix(PREFIX).ok_or_else(bad)?;
    Uuid::parse_str(id).map_err(|_| bad())
}

impl<T> Page<T> {
    /// Transforms the items.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            has_next: self.has_next,
            has_previous: self.has_previous,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let id = Uuid::now_v7();
        let p = PageRequest::parse(Some(5), Some(&encode_cursor(id))).unwrap();
        assert_eq!(p.after, Some(id));
        assert!(PageRequest::parse(None, Some("nonsense")).is_err());
    }

    #[test]
    fn page_size_defaults_to_twenty_and_is_capped_at_one_hundred() {
        assert_eq!(PageRequest::parse(None, None).unwrap().first, 20);
        assert!(PageRequest::parse(Some(101), None).is_err());
        assert!(PageRequest::parse(Some(-1), None).is_err());
    }
}
