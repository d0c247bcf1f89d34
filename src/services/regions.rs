//! Administrative units (aimags, the capital, districts…), held as data.

use crate::domain::LocalizedText;
use crate::error::AppResult;
use crate::state::AppState;
use entity::region;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

/// A region.
#[derive(Debug, Clone)]
pub struct Region {
    /// Code (ISO 3166-2:MN for aimags and the capital).
    pub code: String,
    /// Parent region code.
    pub parent_code: Option<String>,
    /// `CAPITAL`, `AIMAG`, `DISTRICT`, `SOUM`, …
    pub kind: String,
    /// Name.
    pub name: LocalizedText,
}

/// All regions, or the children of `parent`.
pub async fn list(state: &AppState, parent: Option<String>) -> AppResult<Vec<Region>> {
    let mut q = region::Entity::find();
    q = match parent {
        Some(p) => q.filter(region::Column::ParentCode.eq(p)),
        None => q,
    };
    Ok(q.order_by_asc(region::Column::SortOrder)
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(|r| Region {
            code: r.code,
            parent_code: r.parent_code,
            kind: r.kind,
            name: LocalizedText::from_json(&r.name),
        })
        .collect())
}
