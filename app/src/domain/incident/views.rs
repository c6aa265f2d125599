//! Read models: what the pages and the API show of incidents (summaries, details, timelines,
//! queue pages), as the server assembles them.
use super::{Channel, Urgency};
use super::{EventKind, Status};
use crate::domain::customer::IdKind;
use crate::domain::{Field, Reason};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One line of a list: the reporter's "my incidents" or the desk's queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IncidentSummary {
    pub id: i64,
    pub number: String,
    pub status: Status,
    pub version: i32,
    /// The affected system's name, in the reader's language.
    pub system: String,
    pub urgency: Urgency,
    pub customer_name: Option<String>,
    pub customer_number: Option<String>,
    /// The start of the description, for the list.
    pub excerpt: String,
    pub reporter_name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// For the desk's queue: priority, who holds it, and its next due time.
    pub priority: crate::domain::incident::workflow::Priority,
    pub assignee_name: Option<String>,
    pub sla_due_at: Option<DateTime<Utc>>,
    pub sla_state: Option<crate::domain::incident::workflow::SlaState>,
    /// What the viewer has not read yet: for the reporter, the team's entries; for the desk,
    /// the reporter's messages.
    pub unread: i64,
}

/// The desk's queue: a page, and how many open incidents are in each state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Queue {
    pub page: Page<IncidentSummary>,
    pub counts: Vec<(Status, i64)>,
    /// Who the bulk bar can assign to (empty for a group member, who has no bulk actions).
    pub handlers: Vec<Named>,
}

/// A stored screenshot, served only to those who may see its incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Screenshot {
    pub id: i64,
    pub url: String,
    pub thumb_url: String,
    pub width: u32,
    pub height: u32,
}

impl Screenshot {
    pub fn new(id: i64, width: u32, height: u32) -> Screenshot {
        use crate::paths::rest;
        let url = |route: &str| format!("{}{}", rest::BASE, route.replace("{id}", &id.to_string()));
        Screenshot {
            id,
            url: url(rest::SCREENSHOT),
            thumb_url: url(rest::THUMBNAIL),
            width,
            height,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    pub id: i64,
    pub kind: EventKind,
    /// Who did it; `None`: the system.
    pub actor_name: Option<String>,
    /// Whether the reporter wrote it (their side of the thread).
    pub by_reporter: bool,
    pub body: Option<String>,
    /// Seen only by the team (notes, transfers, returns).
    pub internal: bool,
    /// What the entry changed, named for people: the group, the assignee, the applied script.
    pub detail: Option<String>,
    pub screenshots: Vec<Screenshot>,
    pub at: DateTime<Utc>,
}

/// The affected customer as shown: ID and phone numbers masked (110101********1234,
/// 138****5678) everywhere they are shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CustomerView {
    pub name: Option<String>,
    pub customer_no: Option<String>,
    pub id_type: Option<IdKind>,
    pub id_number_masked: Option<String>,
    pub phone_masked: Option<String>,
}

/// One incident, as its page and the API show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IncidentDetail {
    pub id: i64,
    pub number: String,
    pub status: Status,
    pub version: i32,
    pub customer: CustomerView,
    pub system: SystemOption,
    pub channel: Channel,
    pub occurred_at: DateTime<Utc>,
    pub urgency: Urgency,
    pub description: String,
    pub reporter_name: String,
    pub reporter_login: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The report's own screenshots (a message's are on its timeline entry).
    pub screenshots: Vec<Screenshot>,
    pub timeline: Vec<TimelineEntry>,
    /// The team has read the thread up to this entry (the reporter's "read" marks).
    pub team_read_upto: Option<i64>,
    /// What the viewer may do to it now.
    pub actions: Vec<crate::domain::incident::workflow::ActionKind>,
    /// The incident this one was folded into, and that one's answers to its reporter: the
    /// reporter of a duplicate follows the survivor (without seeing its customer).
    pub merged_into: Option<MergedInto>,
    /// The reporter's rating of the answer, once confirmed.
    pub rating: Option<u8>,
    /// What the team sees: triage, assignment, service levels, the audit trail.
    pub desk: Option<DeskFacts>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MergedInto {
    pub number: String,
    pub status: Status,
    /// The survivor's replies and answers (never its notes or its customer).
    pub answers: Vec<TimelineEntry>,
}

/// An incident's thread as its viewer may see it, loaded again when it changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thread {
    pub entries: Vec<TimelineEntry>,
    pub team_read_upto: Option<i64>,
    pub version: i32,
}

/// A list entry named for people: its code and its name in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Named {
    pub code: String,
    pub name: String,
}

/// The team's view of an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DeskFacts {
    pub priority: crate::domain::incident::workflow::Priority,
    pub category: Option<Named>,
    pub subcategory: Option<Named>,
    pub tags: Vec<String>,
    /// The handler holding it: login and name.
    pub assignee: Option<Named>,
    /// The group it is (or was last) transferred to.
    pub group: Option<Named>,
    pub first_response_due: DateTime<Utc>,
    pub resolution_due: DateTime<Utc>,
    pub first_responded_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    /// Set when answered: whether within the resolution target (及时解决).
    pub resolved_on_time: Option<bool>,
    /// The next due time while open, and where it stands.
    pub sla_due_at: Option<DateTime<Utc>>,
    pub sla_state: Option<crate::domain::incident::workflow::SlaState>,
    pub rating_comment: Option<String>,
    pub audit: Vec<AuditEntry>,
}

/// One line of the append-only audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    pub action: String,
    /// `None`: the system.
    pub actor_name: Option<String>,
    /// What changed, as recorded (JSON text).
    pub detail: String,
    pub at: DateTime<Utc>,
}

/// A page of a list, newest first, and where the next one starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Keyset position in a newest-first list: the last row's creation time and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: DateTime<Utc>,
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}_{}", self.created_at.timestamp_micros(), self.id)
    }

    pub fn parse(raw: &str) -> Result<Cursor, Reason> {
        let (micros, id) = raw.split_once('_').ok_or(Reason::UnknownValue)?;
        let micros: i64 = micros.parse().map_err(|_| Reason::UnknownValue)?;
        let id: i64 = id.parse().map_err(|_| Reason::UnknownValue)?;
        // Between 2000 and 9999: what the app can have written, and PostgreSQL can hold.
        if !(946_684_800_000_000..=253_402_300_799_000_000).contains(&micros) {
            return Err(Reason::UnknownValue);
        }
        let created_at = DateTime::from_timestamp_micros(micros).ok_or(Reason::UnknownValue)?;
        Ok(Cursor { created_at, id })
    }

    /// A `cursor` query parameter: absent or empty means the first page.
    pub fn parse_param(raw: Option<&str>) -> Result<Option<Cursor>, crate::AppError> {
        raw.filter(|c| !c.is_empty())
            .map(|c| Cursor::parse(c).map_err(|r| crate::AppError::field(Field::Cursor, r)))
            .transpose()
    }
}

/// The first characters of a text, cut on a character boundary.
pub fn excerpt(text: &str, chars: usize) -> String {
    let mut out: String = text.chars().take(chars).collect();
    if text.chars().nth(chars).is_some() {
        out.push('…');
    }
    out
}

/// One entry of the systems list, named in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SystemOption {
    pub code: String,
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_refuses_garbage() {
        let c = Cursor {
            created_at: DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap(),
            id: 7,
        };
        assert_eq!(Cursor::parse(&c.encode()), Ok(c));
        assert!(Cursor::parse("x_1").is_err());
        assert!(Cursor::parse("12").is_err());
        assert!(Cursor::parse("-250000000000000000_1").is_err());
    }

    #[test]
    fn excerpt_cuts_on_characters() {
        assert_eq!(excerpt("股票交易不了", 4), "股票交易…");
        assert_eq!(excerpt("短", 4), "短");
    }
}
