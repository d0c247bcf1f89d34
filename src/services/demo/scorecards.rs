//! The demo's scorecards: the last complete quarter's institution conclusions
//! published by the supervisor, then that quarter's scorecards under the national
//! framework, so the public overview and the open data show real content.

use super::evaluations::{acting, user_by_email};
use crate::domain::period::{Period, PeriodKind};
use crate::domain::role::{Assignment, Role};
use crate::domain::scorecard::FrameworkStatus;
use crate::domain::vocab::{ConclusionStatus, ScopeKind};
use crate::error::{AppError, AppResult};
use crate::services::{conclusions, scorecards};
use crate::state::AppState;
use entity::{conclusion, indicator_framework};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

/// Publishes the last complete quarter's institution conclusions and its
/// scorecards; returns the number of scorecards (none when no quarter is complete).
pub(super) async fn seed(state: &AppState) -> AppResult<usize> {
    let sup_user = user_by_email(state, "supervisor@demo.sanal.mn").await?;
    let sup = acting(&sup_user, Assignment::parse(Role::Supervisor, None, None)?);
    let now = state.clock.now();
    let today = now.with_timezone(&state.config.timezone).date_naive();
    let mut quarter = Period::containing(PeriodKind::Quarter, today)?.previous();
    while let Some(q) = quarter {
        if conclusions::complete_at(state, &q).await? <= now {
            break;
        }
        quarter = q.previous();
    }
    let Some(quarter) = quarter else {
        return Ok(0);
    };
    let drafts = conclusion::Entity::find()
        .filter(conclusion::Column::ScopeKind.eq(ScopeKind::Institution.as_str()))
        .filter(conclusion::Column::PeriodKind.eq(PeriodKind::Quarter.as_str()))
        .filter(conclusion::Column::PeriodStart.eq(quarter.start))
        .filter(conclusion::Column::Status.eq(ConclusionStatus::Draft.as_str()))
        .all(state.db.conn())
        .await?;
    if drafts.is_empty() {
        return Ok(0);
    }
    for c in drafts {
        conclusions::publish(state, &sup, c.id).await?;
    }
    let national = indicator_framework::Entity::find()
        .filter(indicator_framework::Column::Key.eq("national"))
        .filter(indicator_framework::Column::Status.eq(FrameworkStatus::Published.as_str()))
        .order_by_asc(indicator_framework::Column::Version)
        .one(state.db.conn())
        .await?
        .ok_or_else(|| AppError::internal("the national framework is missing"))?;
    let cards =
        scorecards::publish(state, &sup, PeriodKind::Quarter, quarter.start, national.id).await?;
    Ok(cards.len())
}
