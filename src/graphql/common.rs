//! Shapes shared by every area: multilingual text, ids, connections, context access.

use crate::auth::Actor;
use crate::domain::page::encode_cursor;
use crate::domain::{Locale, LocalizedText, Page, PageRequest};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use uuid::Uuid;

/// The application state and the caller of this request.
pub fn ctx<'a>(c: &Context<'a>) -> AppResult<(&'a AppState, &'a Actor)> {
    let state = c
        .data::<AppState>()
        .map_err(|_| AppError::internal("AppState missing from schema data"))?;
    let actor = c
        .data::<Actor>()
        .map_err(|_| AppError::internal("Actor missing from request data"))?;
    Ok((state, actor))
}

/// Parses an `ID` argument as a UUID.
pub fn parse_id(field: &str, id: &ID) -> AppResult<Uuid> {
    Uuid::parse_str(id.as_str()).map_err(|_| AppError::bad_input(field, "is not a valid id"))
}

/// Parses a list of `ID`s.
pub fn parse_ids(field: &str, ids: &[ID]) -> AppResult<Vec<Uuid>> {
    ids.iter().map(|i| parse_id(field, i)).collect()
}

/// A page request from `first` / `after`.
pub fn page(first: Option<i32>, after: Option<String>) -> AppResult<PageRequest> {
    Ok(PageRequest::parse(first, after.as_deref())?)
}

/// Where a page sits in the whole list.
#[derive(SimpleObject, Clone)]
pub struct PageInfo {
    /// Whether more items follow; ask again with `after: endCursor`.
    pub has_next_page: bool,
    /// Whether this page started after a cursor.
    pub has_previous_page: bool,
    /// Cursor of the first item of this page.
    pub start_cursor: Option<String>,
    /// Cursor of the last item of this page.
    pub end_cursor: Option<String>,
}

/// A page of items with their cursors, built from a service page.
pub fn edges<T, E>(
    page: Page<T>,
    id: impl Fn(&T) -> Uuid,
    edge: impl Fn(String, T) -> E,
) -> (Vec<E>, PageInfo) {
    let cursors: Vec<String> = page.items.iter().map(|i| encode_cursor(id(i))).collect();
    let info = PageInfo {
        has_next_page: page.has_next,
        has_previous_page: page.has_previous,
        start_cursor: cursors.first().cloned(),
        end_cursor: cursors.last().cloned(),
    };
    let edges = page
        .items
        .into_iter()
        .zip(cursors)
        .map(|(item, c)| edge(c, item))
        .collect();
    (edges, info)
}

/// Declares `XConnection` / `XEdge` for a node type, with descriptions.
macro_rules! connection_type {
    ($conn:ident, $edge:ident, $node:ty, $what:literal) => {
        #[doc = concat!("A page of ", $what, " (keyset pagination: pass `pageInfo.endCursor` as `after`).")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $conn {
            /// The items of this page, each with its cursor.
            pub edges: Vec<$edge>,
            /// Where this page sits in the whole list.
            pub page_info: $crate::graphql::common::PageInfo,
        }

        #[doc = concat!("One of ", $what, ", with its cursor.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// Opaque cursor of this item.
            pub cursor: String,
            /// The item.
            pub node: $node,
        }

        impl $conn {
            /// Builds the connection from a service page.
            pub fn from_page<T>(
                page: $crate::domain::Page<T>,
                id: impl Fn(&T) -> uuid::Uuid,
                wrap: impl Fn(T) -> $node,
            ) -> Self {
                let (edges, page_info) =
                    $crate::graphql::common::edges(page, id, |cursor, item| $edge { cursor, node: wrap(item) });
                Self { edges, page_info }
            }
        }
    };
}
pub(crate) use connection_type;

/// A text in several languages. `mn` (Mongolian, Cyrillic) is always present and is
/// the fallback for any locale that is missing.
pub struct LocalizedTextObject(pub LocalizedText);

/// One translation of a text.
#[derive(SimpleObject)]
pub struct Translation {
    /// BCP 47 tag: `mn`, `en`, `mn-Mong` (traditional Mongol script) or `kk`.
    pub locale: String,
    /// The text.
    pub text: String,
}

/// A text in several languages. `mn` (Mongolian, Cyrillic) is always present and is
/// the fallback for any locale that is missing.
#[Object(name = "LocalizedText")]
impl LocalizedTextObject {
    /// Mongolian (Cyrillic).
    async fn mn(&self) -> &str {
        self.0.get(Locale::Mn)
    }
    /// English, if given.
    async fn en(&self) -> Option<&str> {
        self.0.exact(Locale::En)
    }
    /// Mongolian in traditional Mongol script, if given.
    async fn mn_mong(&self) -> Option<&str> {
        self.0.exact(Locale::MnMong)
    }
    /// Kazakh, if given.
    async fn kk(&self) -> Option<&str> {
        self.0.exact(Locale::Kk)
    }
    /// The text in `locale` (a BCP 47 tag), falling back to Mongolian.
    async fn text(&self, #[graphql(default = "mn")] locale: String) -> &str {
        self.0.get(Locale::parse(&locale).unwrap_or(Locale::Mn))
    }
    /// Every translation present.
    async fn translations(&self) -> Vec<Translation> {
        self.0
            .entries()
            .map(|(l, t)| Translation {
                locale: l.tag().into(),
                text: t.into(),
            })
            .collect()
    }
}

/// A text in several languages; `mn` is required, the others optional.
#[derive(InputObject, Clone)]
pub struct LocalizedTextInput {
    /// Mongolian (Cyrillic). Required.
    pub mn: String,
    /// English.
    pub en: Option<String>,
    /// Mongolian in traditional Mongol script.
    pub mn_mong: Option<String>,
    /// Kazakh.
    pub kk: Option<String>,
}

impl LocalizedTextInput {
    /// Parses into a domain text, each translation at most `max_chars`.
    pub fn parse(self, field: &str, max_chars: usize) -> AppResult<LocalizedText> {
        Ok(LocalizedText::parse(
            field,
            [
                (Locale::Mn, Some(self.mn)),
                (Locale::En, self.en),
                (Locale::MnMong, self.mn_mong),
                (Locale::Kk, self.kk),
            ],
            max_chars,
        )?)
    }
}

/// A calendar day, `YYYY-MM-DD`, in the reporting time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub chrono::NaiveDate);

/// A calendar day, `YYYY-MM-DD` (years 1900–9999), in the reporting time zone.
#[async_graphql::Scalar(name = "Date")]
impl async_graphql::ScalarType for Date {
    fn parse(value: async_graphql::Value) -> async_graphql::InputValueResult<Self> {
        match &value {
            async_graphql::Value::String(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .filter(|d| crate::domain::period::in_range(*d))
                .map(Date)
                .ok_or_else(|| {
                    async_graphql::InputValueError::custom(
                        "expected a date as YYYY-MM-DD between 1900-01-01 and 9999-12-31",
                    )
                }),
            _ => Err(async_graphql::InputValueError::expected_type(value)),
        }
    }
    fn to_value(&self) -> async_graphql::Value {
        async_graphql::Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// Declares a GraphQL enum mirroring a domain enum, with conversions both ways.
macro_rules! mirror_enum {
    ($(#[$m:meta])* $name:ident => $domain:path { $($(#[$vm:meta])* $v:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq, Debug)]
        pub enum $name { $($(#[$vm])* $v),+ }
        impl From<$name> for $domain {
            fn from(v: $name) -> Self { match v { $($name::$v => <$domain>::$v),+ } }
        }
        impl From<$domain> for $name {
            fn from(v: $domain) -> Self { match v { $(<$domain>::$v => $name::$v),+ } }
        }
    };
}
pub(crate) use mirror_enum;
