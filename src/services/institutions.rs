//! Institutions: a tree (ministry → agency → local unit) kept with a closure table,
//! so "this institution and everything below it" is one indexed query.

use super::audit::Event;
use crate::auth::Actor;
use crate::authz::{self, Action};
use crate::domain::catalogue::{Code, InstitutionKind};
use crate::domain::{LocalizedText, Page, PageRequest};
use crate::error::{AppError, AppResult};
use crate::services::write::ConflictOnUnique;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::{institution, institution_closure as closure, region};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

/// Longest institution name, per locale.
pub const NAME_MAX: usize = 300;

/// An institution.
#[derive(Debug, Clone)]
pub struct Institution {
    /// Id.
    pub id: Uuid,
    /// Parent institution (none for a top-level body).
    pub parent_id: Option<Uuid>,
    /// Kind.
    pub kind: InstitutionKind,
    /// Short unique code.
    pub code: String,
    /// Name.
    pub name: LocalizedText,
    /// Region code.
    pub region_code: Option<String>,
    /// Whether it is in use.
    pub active: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<institution::Model> for Institution {
    fn from(m: institution::Model) -> Self {
        Self {
            id: m.id,
            parent_id: m.parent_id,
            kind: InstitutionKind::parse(&m.kind).unwrap_or(InstitutionKind::Other),
            code: m.code,
            name: LocalizedText::from_json(&m.name),
            region_code: m.region_code,
            active: m.active,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// Input of [`create_institution`].
#[derive(Debug, Clone)]
pub struct NewInstitution {
    /// Parent (none: top level).
    pub parent_id: Option<Uuid>,
    /// Kind.
    pub kind: InstitutionKind,
    /// Code (unique).
    pub code: String,
    /// Name.
    pub name: LocalizedText,
    /// Region code.
    pub region_code: Option<String>,
}

/// Input of [`update_institution`]; `None` leaves a field unchanged.
#[derive(Debug, Clone, Default)]
pub struct InstitutionChanges {
    /// New parent: `Some(None)` makes it top-level.
    pub parent_id: Option<Option<Uuid>>,
    /// New kind.
    pub kind: Option<InstitutionKind>,
    /// New code.
    pub code: Option<String>,
    /// New name.
    pub name: Option<LocalizedText>,
    /// New region: `Some(None)` clears it.
    pub region_code: Option<Option<String>>,
    /// Activate or deactivate.
    pub active: Option<bool>,
}

/// `BAD_USER_INPUT` unless the region code is in the region list.
pub async fn check_region(conn: &impl ConnectionTrait, code: &Option<String>) -> AppResult<()> {
    if let Some(c) = code
        && region::Entity::find_by_id(c.clone())
            .one(conn)
            .await?
            .is_none()
    {
        return Err(AppError::bad_input(
            "regionCode",
            format!("unknown region code {c:?}"),
        ));
    }
    Ok(())
}

async fn code_taken(
    conn: &impl ConnectionTrait,
    code: &str,
    except: Option<Uuid>,
) -> AppResult<bool> {
    let mut q = institution::Entity::find().filter(institution::Column::Code.eq(code));
    if let Some(id) = except {
        q = q.filter(institution::Column::Id.ne(id));
    }
    Ok(q.count(conn).await? > 0)
}

/// The message of a code that is taken.
const CODE_TAKEN: &str = "an institution with this code already exists";

/// Creates an institution (ADMIN).
pub async fn create_institution(
    state: &AppState,
    actor: &Actor,
    input: NewInstitution,
) -> AppResult<Institution> {
    authz::require_global(actor, Action::ManageInstitutions)?;
    let code = Code::parse("code", &input.code)?;
    let now = state.clock.now();
    let txn = crate::services::write::begin(state).await?;
    check_region(&*txn, &input.region_code).await?;
    let ancestors = match input.parent_id {
        Some(p) => {
            let rows = closure::Entity::find()
                .filter(closure::Column::DescendantId.eq(p))
                .all(&*txn)
                .await?;
            if rows.is_empty() {
                return Err(AppError::bad_input("parentId", "no such institution"));
            }
            rows
        }
        None => vec![],
    };
    if code_taken(&*txn, code.as_str(), None).await? {
        return Err(AppError::Conflict(CODE_TAKEN.into()));
    }
    let id = super::new_id();
    let row = institution::ActiveModel {
        id: Set(id),
        parent_id: Set(input.parent_id),
        kind: Set(input.kind.as_str().to_owned()),
        code: Set(code.as_str().to_owned()),
        search_text: Set(search_text(code.as_str(), &input.name)),
        name: Set(input.name.to_json()),
        region_code: Set(input.region_code.clone()),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*txn)
    .await
    .conflict_on_unique(CODE_TAKEN)?;
    let mut links = vec![closure::ActiveModel {
        ancestor_id: Set(id),
        descendant_id: Set(id),
        depth: Set(0),
    }];
    links.extend(ancestors.iter().map(|a| closure::ActiveModel {
        ancestor_id: Set(a.ancestor_id),
        descendant_id: Set(id),
        depth: Set(a.depth + 1),
    }));
    closure::Entity::insert_many(links)
        .exec_without_returning(&*txn)
        .await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "INSTITUTION_CREATED",
            target: Some(("INSTITUTION", id)),
            details: json!({ "code": code.as_str(), "parentId": input.parent_id }),
        },
    )
    .await?;
    Ok(row.into())
}

fn search_text(code: &str, name: &LocalizedText) -> String {
    format!("{} \u{1f} {}", code.to_lowercase(), name.search_text())
}

/// Moves `id`'s subtree under `new_parent` in the closure table.
async fn reparent(
    conn: &impl ConnectionTrait,
    id: Uuid,
    new_parent: Option<Uuid>,
) -> AppResult<()> {
    let subtree = closure::Entity::find()
        .filter(closure::Column::AncestorId.eq(id))
        .all(conn)
        .await?;
    let sub_ids: Vec<Uuid> = subtree.iter().map(|r| r.descendant_id).collect();
    if let Some(p) = new_parent
        && sub_ids.contains(&p)
    {
        return Err(AppError::bad_input(
            "parentId",
            "an institution cannot be moved under itself or its own sub-institution",
        ));
    }
    // Cut the links from the old ancestors to every node of the subtree.
    closure::Entity::delete_many()
        .filter(closure::Column::DescendantId.is_in(sub_ids.clone()))
        .filter(closure::Column::AncestorId.is_not_in(sub_ids.clone()))
        .exec(conn)
        .await?;
    if let Some(p) = new_parent {
        let supers = closure::Entity::find()
            .filter(closure::Column::DescendantId.eq(p))
            .all(conn)
            .await?;
        if supers.is_empty() {
            return Err(AppError::bad_input("parentId", "no such institution"));
        }
        let mut links = Vec::with_capacity(supers.len() * subtree.len());
        for s in &supers {
            for d in &subtree {
                links.push(closure::ActiveModel {
                    ancestor_id: Set(s.ancestor_id),
                    descendant_id: Set(d.descendant_id),
                    depth: Set(s.depth + d.depth + 1),
                });
            }
        }
        for chunk in links.chunks(200) {
            closure::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(conn)
                .await?;
        }
    }
    Ok(())
}

/// Changes an institution (ADMIN), including moving it in the tree.
pub async fn update_institution(
    state: &AppState,
    actor: &Actor,
    id: Uuid,
    changes: InstitutionChanges,
) -> AppResult<Institution> {
    authz::require_global(actor, Action::ManageInstitutions)?;
    let now = state.clock.now();
    let code = changes
        .code
        .as_deref()
        .map(|c| Code::parse("code", c))
        .transpose()?;
    let txn = crate::services::write::begin(state).await?;
    let current = institution::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut row: institution::ActiveModel = current.clone().into();
    let mut details = serde_json::Map::new();
    if let Some(c) = &code {
        if code_taken(&*txn, c.as_str(), Some(id)).await? {
            return Err(AppError::Conflict(CODE_TAKEN.into()));
        }
        details.insert("code".into(), json!(c.as_str()));
        row.code = Set(c.as_str().to_owned());
    }
    if let Some(k) = changes.kind {
        details.insert("kind".into(), json!(k.as_str()));
        row.kind = Set(k.as_str().to_owned());
    }
    let name = changes
        .name
        .clone()
        .unwrap_or_else(|| LocalizedText::from_json(&current.name));
    if let Some(n) = &changes.name {
        details.insert("name".into(), n.to_json());
        row.name = Set(n.to_json());
    }
    let final_code = code
        .as_ref()
        .map_or(current.code.as_str(), |c| c.as_str())
        .to_owned();
    row.search_text = Set(search_text(&final_code, &name));
    if let Some(r) = changes.region_code {
        check_region(&*txn, &r).await?;
        details.insert("regionCode".into(), json!(r));
        row.region_code = Set(r);
    }
    if let Some(a) = changes.active {
        details.insert("active".into(), json!(a));
        row.active = Set(a);
    }
    if let Some(p) = changes.parent_id
        && p != current.parent_id
    {
        reparent(&*txn, id, p).await?;
        details.insert("parentId".into(), json!(p));
        row.parent_id = Set(p);
    }
    row.updated_at = Set(now);
    let saved = row.update(&*txn).await.conflict_on_unique(CODE_TAKEN)?;
    txn.finish(
        actor,
        now,
        Event {
            action: "INSTITUTION_UPDATED",
            target: Some(("INSTITUTION", id)),
            details: serde_json::Value::Object(details),
        },
    )
    .await?;
    Ok(saved.into())
}

/// Filters of [`list_institutions`].
#[derive(Debug, Clone, Default)]
pub struct InstitutionFilter {
    /// Direct children of this institution.
    pub parent_id: Option<Uuid>,
    /// Only top-level institutions.
    pub top_level_only: bool,
    /// This institution and everything below it.
    pub within: Option<Uuid>,
    /// In this region or one of its sub-regions.
    pub region_code: Option<String>,
    /// Code or name (any locale) contains, case-insensitively.
    pub text: Option<String>,
    /// Active or not.
    pub active: Option<bool>,
}

/// Lists institutions. The catalogue is public: everyone may read it.
pub async fn list_institutions(
    state: &AppState,
    filter: InstitutionFilter,
    page: PageRequest,
) -> AppResult<Page<Institution>> {
    let mut q = institution::Entity::find();
    if let Some(p) = filter.parent_id {
        q = q.filter(institution::Column::ParentId.eq(p));
    }
    if filter.top_level_only {
        q = q.filter(institution::Column::ParentId.is_null());
    }
    if let Some(w) = filter.within {
        q = q.filter(authz::InstitutionScope::Subtrees(vec![w]).condition(institution::Column::Id));
    }
    if let Some(r) = filter.region_code {
        q = q.filter(
            institution::Column::RegionCode.in_subquery(
                Query::select()
                    .column(region::Column::Code)
                    .from(region::Entity)
                    .cond_where(
                        Condition::any()
                            .add(Expr::col(region::Column::Code).eq(r.clone()))
                            .add(Expr::col(region::Column::ParentCode).eq(r)),
                    )
                    .to_owned(),
            ),
        );
    }
    if let Some(t) = filter
        .text
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
    {
        q = q.filter(super::contains_text(institution::Column::SearchText, &t));
    }
    if let Some(a) = filter.active {
        q = q.filter(institution::Column::Active.eq(a));
    }
    Ok(
        super::fetch_page(state.db.conn(), q, institution::Column::Id, page)
            .await?
            .map(Institution::from),
    )
}

/// One institution.
pub async fn get_institution(state: &AppState, id: Uuid) -> AppResult<Institution> {
    institution::Entity::find_by_id(id)
        .one(state.db.conn())
        .await?
        .map(Institution::from)
        .ok_or(AppError::NotFound)
}

/// Several institutions by id (for batched loading).
pub async fn institutions_by_ids(state: &AppState, ids: &[Uuid]) -> AppResult<Vec<Institution>> {
    Ok(institution::Entity::find()
        .filter(institution::Column::Id.is_in(ids.iter().copied()))
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(Institution::from)
        .collect())
}
