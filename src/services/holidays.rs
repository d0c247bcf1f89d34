//! The public holiday calendar that deadlines count working days by: data an
//! ADMIN keeps. Mongolia's fixed-date holidays are seeded by the migration; the
//! lunar ones (Tsagaan Sar, Chinggis Khaan's birthday) are entered each year.

use crate::auth::Actor;
use crate::authz::{self, Action};
use crate::domain::LocalizedText;
use crate::domain::suggestion::HolidayCalendar;
use crate::error::{AppError, AppResult};
use crate::services::audit::Event;
use crate::state::AppState;
use chrono::NaiveDate;
use entity::public_holiday as ph;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, ModelTrait,
    QueryFilter, QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

/// Longest holiday name, in characters.
pub const NAME_MAX: usize = 200;

/// A holiday to add: every year on `month`/`day`, or on that date of `year` only.
#[derive(Debug, Clone)]
pub struct NewHoliday {
    /// None: every year.
    pub year: Option<i32>,
    /// 1–12.
    pub month: u32,
    /// 1–31 (a real date of that month).
    pub day: u32,
    /// Its name.
    pub name: LocalizedText,
}

/// The whole calendar (a small table: one statement).
pub async fn calendar(conn: &impl ConnectionTrait) -> AppResult<HolidayCalendar> {
    let rows = ph::Entity::find().all(conn).await?;
    Ok(HolidayCalendar::new(rows.into_iter().filter_map(|r| {
        Some((
            r.year,
            u32::try_from(r.month).ok()?,
            u32::try_from(r.day).ok()?,
        ))
    })))
}

/// The holidays of `year` (those of every year and those of that year), by date.
/// Anyone may read them.
pub async fn list(state: &AppState, year: i32) -> AppResult<Vec<(NaiveDate, ph::Model)>> {
    if !(2000..=2100).contains(&year) {
        return Err(AppError::bad_input("year", "must be 2000-2100"));
    }
    let rows = ph::Entity::find()
        .filter(
            Condition::any()
                .add(ph::Column::Year.is_null())
                .add(ph::Column::Year.eq(year)),
        )
        .order_by_asc(ph::Column::Month)
        .order_by_asc(ph::Column::Day)
        .all(state.db.conn())
        .await?;
    let mut out: Vec<(NaiveDate, ph::Model)> = rows
        .into_iter()
        .filter_map(|r| {
            let d = NaiveDate::from_ymd_opt(
                year,
                u32::try_from(r.month).ok()?,
                u32::try_from(r.day).ok()?,
            )?;
            Some((d, r))
        })
        .collect();
    out.sort_by_key(|(d, r)| (*d, r.id));
    Ok(out)
}

/// Adds a holiday (ADMIN). `CONFLICT` if that date already is one.
pub async fn add(state: &AppState, actor: &Actor, h: NewHoliday) -> AppResult<ph::Model> {
    authz::require_global(actor, Action::ManageHolidays)?;
    if let Some(y) = h.year
        && !(2000..=2100).contains(&y)
    {
        return Err(AppError::bad_input("year", "must be 2000-2100"));
    }
    // A date every year must exist in a leap year; a dated one in its year.
    if NaiveDate::from_ymd_opt(h.year.unwrap_or(2028), h.month, h.day).is_none() {
        return Err(AppError::bad_input("day", "no such date"));
    }
    let (month, day) = (h.month as i32, h.day as i32);
    let now = state.clock.now();
    let txn = super::write::begin(state).await?;
    let same = ph::Entity::find()
        .filter(ph::Column::Month.eq(month))
        .filter(ph::Column::Day.eq(day))
        .all(&*txn)
        .await?;
    if same.iter().any(|r| r.year.is_none() || r.year == h.year) {
        return Err(AppError::Conflict("that day is a holiday already".into()));
    }
    let row = ph::ActiveModel {
        id: Set(super::new_id()),
        year: Set(h.year),
        month: Set(month),
        day: Set(day),
        name: Set(h.name.to_json()),
        created_at: Set(now),
    };
    let row = ph::Entity::insert(row).exec_with_returning(&*txn).await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "HOLIDAY_ADDED",
            target: Some(("HOLIDAY", row.id)),
            details: json!({ "year": h.year, "month": month, "day": day }),
        },
    )
    .await?;
    Ok(row)
}

/// Removes a holiday (ADMIN).
pub async fn remove(state: &AppState, actor: &Actor, id: Uuid) -> AppResult<()> {
    authz::require_global(actor, Action::ManageHolidays)?;
    let now = state.clock.now();
    let txn = super::write::begin(state).await?;
    let row = ph::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let details = json!({ "year": row.year, "month": row.month, "day": row.day });
    row.delete(&*txn).await?;
    txn.finish(
        actor,
        now,
        Event {
            action: "HOLIDAY_REMOVED",
            target: Some(("HOLIDAY", id)),
            details,
        },
    )
    .await
}
