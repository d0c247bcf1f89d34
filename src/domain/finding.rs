//! The triage of a finding, as a pure transition table.
//!
//! A finding of a **published** conclusion is `OPEN` until its institution either
//! links it to an improvement action (`ADDRESSED`) or dismisses it with a reason
//! (`DISMISSED`). A supervisor may reopen a dismissal, with a reason; a finding
//! whose last improvement action is cancelled is open again. A dismissed finding
//! may still be addressed (the institution acts after all); nothing else moves.

use super::vocab::FindingState;

/// Something that moves a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Triage {
    /// An improvement action links it.
    Address,
    /// The institution dismisses it, with a reason.
    Dismiss,
    /// A supervisor reopens a dismissal, with a reason.
    Reopen,
    /// The last improvement action linking it was cancelled or unlinked.
    Unaddress,
}

impl Triage {
    /// Every triage move.
    pub const ALL: [Triage; 4] = [
        Triage::Address,
        Triage::Dismiss,
        Triage::Reopen,
        Triage::Unaddress,
    ];

    /// Whether this move must say why.
    pub fn needs_reason(self) -> bool {
        matches!(self, Triage::Dismiss | Triage::Reopen)
    }
}

/// The state `t` moves `from` to; `None` when it may not.
pub fn next(from: FindingState, t: Triage) -> Option<FindingState> {
    use FindingState::*;
    match (from, t) {
        (Open | Dismissed | Addressed, Triage::Address) => Some(Addressed),
        (Open, Triage::Dismiss) => Some(Dismissed),
        (Dismissed, Triage::Reopen) => Some(Open),
        (Addressed, Triage::Unaddress) => Some(Open),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FindingState::*;

    #[test]
    fn every_state_and_move_pair_is_decided_by_the_table() {
        let expected = |from: FindingState, t: Triage| match (from, t) {
            (Open, Triage::Address) => Some(Addressed),
            (Open, Triage::Dismiss) => Some(Dismissed),
            (Open, Triage::Reopen) => None,
            (Open, Triage::Unaddress) => None,
            (Addressed, Triage::Address) => Some(Addressed),
            (Addressed, Triage::Dismiss) => None,
            (Addressed, Triage::Reopen) => None,
            (Addressed, Triage::Unaddress) => Some(Open),
            (Dismissed, Triage::Address) => Some(Addressed),
            (Dismissed, Triage::Dismiss) => None,
            (Dismissed, Triage::Reopen) => Some(Open),
            (Dismissed, Triage::Unaddress) => None,
        };
        let mut pairs = 0;
        for from in FindingState::ALL {
            for t in Triage::ALL {
                assert_eq!(next(*from, t), expected(*from, t), "{from:?} × {t:?}");
                pairs += 1;
            }
        }
        assert_eq!(pairs, 12);
    }

    #[test]
    fn only_a_dismissal_and_a_reopening_need_a_reason() {
        let with: Vec<Triage> = Triage::ALL
            .into_iter()
            .filter(|t| t.needs_reason())
            .collect();
        assert_eq!(with, [Triage::Dismiss, Triage::Reopen]);
    }
}
