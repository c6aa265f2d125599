//! Service levels: the due times a priority sets, and how close an incident is to them.
use super::*;
use crate::domain::Reason;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// Service-level targets of one priority, in minutes of calendar time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaTarget {
    pub priority: Priority,
    pub first_response_minutes: i32,
    pub resolution_minutes: i32,
}

impl SlaTarget {
    /// The defaults: P1 30 min / 4 h, P2 2 h / 1 day, P3 4 h / 3 days, P4 1 day / 5 days.
    pub fn default_for(priority: Priority) -> SlaTarget {
        let (first, resolve) = match priority {
            Priority::P1 => (30, 4 * 60),
            Priority::P2 => (2 * 60, 24 * 60),
            Priority::P3 => (4 * 60, 3 * 24 * 60),
            Priority::P4 => (24 * 60, 5 * 24 * 60),
        };
        SlaTarget {
            priority,
            first_response_minutes: first,
            resolution_minutes: resolve,
        }
    }

    pub fn first_response_due(&self, created: DateTime<Utc>) -> DateTime<Utc> {
        created + TimeDelta::minutes(i64::from(self.first_response_minutes))
    }

    pub fn resolution_due(&self, created: DateTime<Utc>) -> DateTime<Utc> {
        created + TimeDelta::minutes(i64::from(self.resolution_minutes))
    }
}

named_enum! {
    /// Where an open incident stands against its next due time.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub enum SlaState {
        OnTrack = "on_track",
        /// Less than a quarter of the target time is left.
        DueSoon = "due_soon",
        Late = "late",
    }
}

impl SlaState {
    pub fn parse(raw: &str) -> Result<SlaState, Reason> {
        SlaState::from_name(raw.trim()).ok_or(Reason::UnknownValue)
    }

    /// Late once `now` passes `due` (the due minute itself is on time); due soon within the
    /// last quarter of `target_minutes`.
    pub fn at(now: DateTime<Utc>, due: DateTime<Utc>, target_minutes: i32) -> SlaState {
        if now > due {
            SlaState::Late
        } else if due - now <= soon_window(target_minutes) {
            SlaState::DueSoon
        } else {
            SlaState::OnTrack
        }
    }
}

/// How long before a due time an incident counts as due soon: a quarter of its target.
pub fn soon_window(target_minutes: i32) -> TimeDelta {
    TimeDelta::seconds(i64::from(target_minutes) * 60 / 4)
}

/// Whether a solution given at `answered` met a resolution due at `due` (the due minute itself
/// counts as on time).
pub fn on_time(answered: DateTime<Utc>, due: DateTime<Utc>) -> bool {
    answered <= due
}
