//! The desk's workflow: what each state of an incident allows, who may do it, and where it
//! leads. Pure rules, shared by both builds (the desk page offers only what `next` allows) and
//! tested for every pair of state and action.
//!
//! 待处理 new → 处理中 in progress (claimed) → 已转交 transferred (waiting on a group) → back to
//! 处理中 → 已答复 answered → 已关闭 closed (the reporter confirmed, or nobody objected for some
//! days). "Not solved" sends an answered incident back to 处理中; 已合并 merged folds a duplicate
//! into another.
use super::Status;
use crate::domain::Reason;
use serde::{Deserialize, Serialize};

mod actions;
mod options;
mod service_level;
mod triage;
pub use actions::{Action, ActionRequest, Tags, Triage, MAX_CHANGE};
pub use options::{CannedReply, CategoryOption, DeskOptions};
pub use service_level::{on_time, soon_window, SlaState, SlaTarget};
pub use triage::{Category, Priority, Rating, Tag};

named_enum! {
    /// What someone does to an incident. The names are the REST API's `action` values.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub enum ActionKind {
        /// A handler takes a new incident.
        Claim = "claim",
        /// Gives it to a handler (taking a new one into work).
        Assign = "assign",
        /// Sets category, sub-category, system, priority, tags.
        Categorize = "categorize",
        /// Hands it to a group (testing, development, operations, product) with a note.
        Transfer = "transfer",
        /// The group hands it back with what it found (and, for a data fix, what was applied).
        Return = "return",
        /// An internal note: never shown to the reporter.
        Note = "note",
        /// A message to the reporter.
        Reply = "reply",
        /// The solution, to the reporter.
        Answer = "answer",
        /// Not solved: back into work, with why.
        Reopen = "reopen",
        /// Done: the reporter confirmed (with a rating), or the desk closed it.
        Close = "close",
        /// A duplicate folded into another incident.
        Merge = "merge",
    }
}

impl ActionKind {
    pub fn parse(raw: &str) -> Result<ActionKind, Reason> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(Reason::Required);
        }
        ActionKind::from_name(raw).ok_or(Reason::UnknownValue)
    }
}

/// Who is acting, as the workflow sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The incident's own reporter.
    Reporter,
    /// A member of the group the incident is transferred to (testing, development, …).
    GroupMember,
    /// A handler or admin: the incident team.
    Desk,
}

/// Why an action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// This actor may never do this (403).
    NotYours,
    /// Not in the incident's present state (422).
    NotNow,
}

impl Status {
    /// Still being worked on (not closed or merged).
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Closed | Status::Merged)
    }
}

/// Whether `actor` may ever take `action`, whatever the state (else 403).
pub fn may_ever(action: ActionKind, actor: Actor) -> bool {
    use ActionKind as A;
    match actor {
        Actor::Desk => true,
        Actor::Reporter => matches!(action, A::Reopen | A::Close),
        Actor::GroupMember => matches!(action, A::Note | A::Return),
    }
}

/// Where `action` by `actor` takes an incident in `state`, or why it may not.
pub fn next(state: Status, action: ActionKind, actor: Actor) -> Result<Status, Refusal> {
    use ActionKind as A;
    use Status as S;
    if !may_ever(action, actor) {
        return Err(Refusal::NotYours);
    }
    let to = match (action, state) {
        (A::Claim, S::New) => S::InProgress,
        (A::Assign, S::New) => S::InProgress,
        (A::Assign, s @ (S::InProgress | S::Transferred | S::Answered)) => s,
        (A::Categorize, s) if s != S::Merged => s,
        (A::Transfer, S::InProgress | S::Transferred) => S::Transferred,
        (A::Return, S::Transferred) => S::InProgress,
        (A::Note, s) if s != S::Merged => s,
        (A::Reply, s) if s.is_open() => s,
        (A::Answer, S::New | S::InProgress) => S::Answered,
        (A::Reopen, S::Answered) => S::InProgress,
        // Reopening a closed incident is the team's call, not the reporter's.
        (A::Reopen, S::Closed) if actor == Actor::Desk => S::InProgress,
        (A::Close, S::Answered) => S::Closed,
        // The team may close what needs no answer (a test, a report sent twice by mistake).
        (A::Close, S::New | S::InProgress | S::Transferred) if actor == Actor::Desk => S::Closed,
        (A::Merge, s) if s.is_open() => S::Merged,
        _ => return Err(Refusal::NotNow),
    };
    // A group member acts only while the incident waits on their group.
    if actor == Actor::GroupMember && state != S::Transferred {
        return Err(Refusal::NotNow);
    }
    Ok(to)
}

/// The actions `actor` can take on an incident in `state`: what the page offers.
pub fn available(state: Status, actor: Actor) -> Vec<ActionKind> {
    ActionKind::ALL
        .into_iter()
        .filter(|a| next(state, *a, actor).is_ok())
        .collect()
}

#[cfg(test)]
mod tests;
