//! A validated survey response on its way to the database: what the group
//! writer stores, and what became of it.

use crate::domain::Locale;
use crate::domain::catalogue::Channel;
use crate::domain::survey::Answer;
use crate::domain::vocab::{Provenance, RespondentKind};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// The invitation a submission consumes: the conditional update that decides it.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The invitation.
    pub invitation_id: Uuid,
    /// Hash of the client submission id (a retry gets the same acknowledgement).
    pub submission_hash: Option<String>,
    /// The submission's time: an invitation expired by then is not consumed.
    pub now: DateTime<Utc>,
    /// What `used_at` records: the start of the local day, nothing finer.
    pub used_on: DateTime<Utc>,
}

/// An integrity counter to raise with the response (see
/// [`integrity`](crate::services::integrity)).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Bump {
    /// Day of the cell.
    pub day: NaiveDate,
    /// Service of the cell.
    pub service_id: Uuid,
    /// Institution of the cell.
    pub institution_id: Uuid,
    /// Which counter.
    pub signal: &'static str,
    /// Its source (a kiosk id), or empty.
    pub source: String,
}

/// A validated response, ready to store.
#[derive(Debug, Clone)]
pub struct Submission {
    /// The invitation consumed (none on the open channel).
    pub claim: Option<Claim>,
    /// Survey version answered.
    pub version_id: Uuid,
    /// Service.
    pub service_id: Uuid,
    /// Service point.
    pub point_id: Uuid,
    /// Institution at response time.
    pub institution_id: Uuid,
    /// Channel.
    pub channel: Channel,
    /// How the citizen came.
    pub provenance: Provenance,
    /// Whom the delivering system served (invited responses, when it said).
    pub respondent_kind: Option<RespondentKind>,
    /// Locale answered in.
    pub locale: Locale,
    /// Local date of the service (open channel: of the submission).
    pub date: NaiveDate,
    /// Validated answers.
    pub answers: Vec<Answer>,
    /// Contact left with consent.
    pub follow_up: Option<String>,
    /// Integrity counters to raise.
    pub bumps: Vec<Bump>,
}

/// What became of a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Stored, durably.
    Stored,
    /// Its invitation was not consumed (used, expired, or taken by another
    /// submission); nothing was stored.
    Lost,
}
