//! Services: one module per domain area. Each public function takes the state, the
//! [`Actor`](crate::auth::Actor) and an input; checks authorization first (via
//! [`authz`](crate::authz)); runs its own transaction; returns domain types.

pub mod accounts;
pub mod actors;
pub(crate) mod answers;
pub mod api_keys;
pub mod audit;
pub mod bootstrap;
pub mod catalogue;
pub mod conclusions;
pub mod demo;
pub mod evaluations;
pub mod findings;
pub mod headline;
pub mod holidays;
pub mod improvement_actions;
pub mod institutions;
pub mod integrity;
pub mod invitation_links;
pub mod invitations;
pub mod jobs;
pub mod ngos;
pub mod open_data;
pub mod outbox;
pub mod pictures;
pub mod public;
pub mod regions;
pub mod reports;
pub mod responses;
pub mod rollups;
pub mod scorecards;
pub mod sessions;
pub mod suggestions;
pub mod surveys;
pub mod throttles;
pub mod users;
pub(crate) mod write;

/// A new time-ordered id (UUIDv7): keyset pagination sorts by it.
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

/// Runs a keyset-paginated query ordered by `id` (UUIDv7 ids sort by creation).
pub(crate) async fn fetch_page<E, C>(
    conn: &impl sea_orm::ConnectionTrait,
    query: sea_orm::Select<E>,
    id: C,
    page: crate::domain::PageRequest,
) -> crate::error::AppResult<crate::domain::Page<E::Model>>
where
    E: sea_orm::EntityTrait,
    C: sea_orm::ColumnTrait,
{
    use sea_orm::{QueryFilter, QueryOrder, QuerySelect};
    let query = match page.after {
        Some(after) => query.filter(id.gt(after)),
        None => query,
    };
    let rows = query
        .order_by_asc(id)
        .limit(page.fetch_limit())
        .all(conn)
        .await?;
    Ok(page.page(rows))
}

/// A filter: `column` (lower-cased search text) contains `text` literally. `%`, `_`
/// and `\` in the text are escaped, so "50%" finds "50%" and not "500".
pub(crate) fn contains_text(
    column: impl sea_orm::ColumnTrait,
    text: &str,
) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::LikeExpr;
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    column.like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}
