//! The hourly jobs (and once at start): clear what could link expired invitations
//! to anything, close complete reporting periods (catching up after downtime),
//! close suggestion answers nobody replied to and erase expired citizen contacts,
//! forget throttle counts that are over. With several instances on one
//! PostgreSQL, one instance runs them at a time (an advisory lock); the others
//! skip that hour's turn. Each job is idempotent, so a turn that finds nothing to
//! do does nothing.

use super::conclusions::JobRun;
use crate::error::AppResult;
use crate::state::AppState;

/// The advisory lock of the hourly jobs (an arbitrary constant, the same in every
/// instance: "SAN" and 1), within the schema Sanal runs in.
pub const HOURLY_LOCK: i32 = 0x5341_4E01;

/// What one turn of the hourly jobs did.
#[derive(Debug)]
pub struct HourlyRun {
    /// Invitations purged.
    pub purged: u64,
    /// Periods closed and conclusions made.
    pub closing: JobRun,
    /// Suggestions closed for want of a reply, and contacts erased.
    pub suggestions: super::suggestions::Housekeeping,
}

/// Runs the hourly jobs, unless another instance is running them (`None`).
pub async fn run_hourly(state: &AppState) -> AppResult<Option<HourlyRun>> {
    let Some(lock) = state.db.exclusive(HOURLY_LOCK).await? else {
        return Ok(None);
    };
    let purged = super::invitations::purge_expired(state).await;
    let closing = super::conclusions::close_due_periods(state).await;
    let suggestions = super::suggestions::housekeeping(state).await;
    let forgotten = super::throttles::forget_expired(state).await;
    lock.release().await;
    forgotten?;
    Ok(Some(HourlyRun {
        purged: purged?,
        closing: closing?,
        suggestions: suggestions?,
    }))
}
