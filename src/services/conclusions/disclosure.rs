//! The public view of a period's conclusions, chosen for all of them together (see
//! [`crate::domain::disclosure`]): the cells each withholds beyond its own small
//! ones, so that no withheld figure is the difference of published ones — an
//! institution's figure minus its other services', say. Chosen again whenever the
//! period is closed (and, for conclusions made before this existed, by the hourly
//! job); stored beside each conclusion, outside its hashed content. A published
//! conclusion's set only grows: what the public could not see stays unseen.

use crate::auth::Actor;
use crate::domain::disclosure::{Cell, Scope, across_scopes};
use crate::domain::figures::Snapshot;
use crate::domain::period::PeriodKind;
use crate::domain::vocab::{ConclusionStatus, ScopeKind};
use crate::error::{AppError, AppResult};
use crate::services::audit::Event;
use crate::state::AppState;
use chrono::NaiveDate;
use entity::{conclusion, institution};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// The cells a stored conclusion withholds beyond its own small ones.
pub(crate) fn withheld_cells(v: Option<&serde_json::Value>) -> AppResult<BTreeSet<Cell>> {
    match v {
        None | Some(serde_json::Value::Null) => Ok(BTreeSet::new()),
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|e| AppError::internal(format!("stored withheld cells: {e}"))),
    }
}

/// A stored conclusion's figures as the public sees them.
pub(crate) fn public_snapshot(
    content: serde_json::Value,
    withheld: Option<&serde_json::Value>,
) -> AppResult<Snapshot> {
    let mut s: Snapshot = serde_json::from_value(content)
        .map_err(|e| AppError::internal(format!("stored conclusion: {e}")))?;
    s.suppress_for_public_withholding(&withheld_cells(withheld)?);
    Ok(s)
}

/// Chooses the public view of every conclusion of a period together, and stores
/// what changed (audited when anything did). Returns how many conclusions changed.
pub async fn refresh(state: &AppState, kind: PeriodKind, start: NaiveDate) -> AppResult<u32> {
    let conn = state.db.conn();
    let rows = conclusion::Entity::find()
        .filter(conclusion::Column::PeriodKind.eq(kind.as_str()))
        .filter(conclusion::Column::PeriodStart.eq(start))
        .all(conn)
        .await?;
    // The latest revision of each scope: the figures that hold together now.
    let mut latest: BTreeMap<(String, Uuid), conclusion::Model> = BTreeMap::new();
    let mut older: Vec<conclusion::Model> = vec![];
    for r in rows {
        let key = (r.scope_kind.clone(), r.scope_id);
        match latest.get(&key) {
            Some(l) if l.revision >= r.revision => older.push(r),
            _ => {
                if let Some(previous) = latest.insert(key, r) {
                    older.push(previous);
                }
            }
        }
    }
    let latest: Vec<conclusion::Model> = latest.into_values().collect();
    let snapshots = latest
        .iter()
        .map(|c| super::stored::<Snapshot>("snapshot", c.content.clone()))
        .collect::<AppResult<Vec<_>>>()?;
    let is_institution = |c: &conclusion::Model| c.scope_kind == ScopeKind::Institution.as_str();
    let index: HashMap<Uuid, usize> = latest
        .iter()
        .enumerate()
        .filter(|(_, c)| is_institution(c))
        .map(|(i, c)| (c.scope_id, i))
        .collect();
    let parent_of: HashMap<Uuid, Option<Uuid>> = institution::Entity::find()
        .select_only()
        .columns([institution::Column::Id, institution::Column::ParentId])
        .filter(institution::Column::Id.is_in(index.keys().copied()))
        .into_tuple::<(Uuid, Option<Uuid>)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let scopes: Vec<Scope<'_>> = latest
        .iter()
        .zip(&snapshots)
        .map(|(c, snapshot)| {
            let parent = if is_institution(c) {
                parent_of.get(&c.scope_id).copied().flatten()
            } else {
                Some(c.institution_id)
            };
            Scope {
                snapshot,
                parent: parent.and_then(|p| index.get(&p).copied()),
            }
        })
        .collect();
    // A draft was never public: its view is chosen afresh. A published one keeps
    // every cell it withheld.
    let already = latest
        .iter()
        .map(|c| {
            if c.status == ConclusionStatus::Published.as_str() {
                withheld_cells(c.public_withheld.as_ref())
            } else {
                Ok(BTreeSet::new())
            }
        })
        .collect::<AppResult<Vec<_>>>()?;
    let chosen = across_scopes(&scopes, &already);
    let mut changes: Vec<(Uuid, serde_json::Value)> = vec![];
    let mut by_scope: HashMap<(String, Uuid), serde_json::Value> = HashMap::new();
    for (c, cells) in latest.iter().zip(&chosen) {
        let v = serde_json::to_value(cells).map_err(AppError::internal)?;
        if c.public_withheld.as_ref() != Some(&v) {
            changes.push((c.id, v.clone()));
        }
        by_scope.insert((c.scope_kind.clone(), c.scope_id), v);
    }
    // Earlier revisions stored before views were chosen take their scope's.
    for c in older.iter().filter(|c| c.public_withheld.is_none()) {
        if let Some(v) = by_scope.get(&(c.scope_kind.clone(), c.scope_id)) {
            changes.push((c.id, v.clone()));
        }
    }
    if changes.is_empty() {
        return Ok(0);
    }
    let changed = u32::try_from(changes.len()).unwrap_or(u32::MAX);
    let txn = crate::services::write::begin(state).await?;
    for (id, v) in changes {
        conclusion::Entity::update_many()
            .col_expr(conclusion::Column::PublicWithheld, Expr::value(v))
            .filter(conclusion::Column::Id.eq(id))
            .exec(&*txn)
            .await?;
    }
    let label = crate::domain::period::Period::calendar(kind, start)?.label();
    txn.finish(
        &Actor::system("sanal conclusions"),
        state.clock.now(),
        Event {
            action: "CONCLUSION_DISCLOSURE_CHOSEN",
            target: None,
            details: json!({ "period": label, "conclusions": changed }),
        },
    )
    .await?;
    Ok(changed)
}

/// Chooses the public view of every period with a conclusion that has none yet
/// (conclusions made before views were chosen). Returns the periods done.
pub async fn backfill(state: &AppState) -> AppResult<u32> {
    let periods: Vec<(String, NaiveDate)> = conclusion::Entity::find()
        .select_only()
        .columns([
            conclusion::Column::PeriodKind,
            conclusion::Column::PeriodStart,
        ])
        .filter(conclusion::Column::PublicWithheld.is_null())
        .distinct()
        .into_tuple()
        .all(state.db.conn())
        .await?;
    let mut done = 0;
    for (kind, start) in periods {
        let kind = PeriodKind::parse(&kind)
            .ok_or_else(|| AppError::internal("stored conclusion: unknown period kind"))?;
        refresh(state, kind, start).await?;
        done += 1;
    }
    Ok(done)
}
