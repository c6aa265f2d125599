use super::customer::IdKind;
use super::report::{Channel, SystemOption, Urgency};
use super::{text_between, Field, Reason};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// `MSS-20261121-0042`: the business date it was reported on and that day's sequence number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IncidentNumber(String);

impl IncidentNumber {
    pub fn new(date: NaiveDate, seq: u32) -> IncidentNumber {
        IncidentNumber(format!("MSS-{}-{seq:04}", date.format("%Y%m%d")))
    }

    pub fn parse(raw: &str) -> Result<IncidentNumber, Reason> {
        let upper = raw.trim().to_ascii_uppercase();
        let mut parts = upper.splitn(3, '-');
        let ok = parts.next() == Some("MSS")
            && parts
                .next()
                .is_some_and(|d| NaiveDate::parse_from_str(d, "%Y%m%d").is_ok() && d.len() == 8)
            && parts
                .next()
                .is_some_and(|s| (4..=9).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()));
        if ok {
            Ok(IncidentNumber(upper))
        } else {
            Err(Reason::UnknownValue)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IncidentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an incident is in its life. The transitions between them arrive with the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Status {
    New,
    InProgress,
    Transferred,
    Answered,
    Closed,
    Merged,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::New,
        Status::InProgress,
        Status::Transferred,
        Status::Answered,
        Status::Closed,
        Status::Merged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::InProgress => "in_progress",
            Status::Transferred => "transferred",
            Status::Answered => "answered",
            Status::Closed => "closed",
            Status::Merged => "merged",
        }
    }

    pub fn parse(raw: &str) -> Result<Status, Reason> {
        Status::ALL.into_iter().find(|s| s.as_str() == raw).ok_or(Reason::UnknownValue)
    }
}

/// The affected customer's name as the reporter knows it (Chinese names, 少数民族 names with `·`,
/// foreign names with spaces all pass).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerName(String);

impl CustomerName {
    pub fn parse(raw: &str) -> Result<CustomerName, Reason> {
        text_between(raw, 1, 50).map(CustomerName)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 资金账号/客户号: digits only, of a length the deployment sets (`MSS_CUSTOMER_NO_LENGTH`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerNumber(String);

impl CustomerNumber {
    pub const MIN_LEN: u32 = 6;
    pub const MAX_LEN: u32 = 20;

    pub fn parse_between(raw: &str, min: u32, max: u32) -> Result<CustomerNumber, Reason> {
        let value: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let len = value.chars().count() as u32;
        if value.is_empty() {
            Err(Reason::Required)
        } else if !value.bytes().all(|b| b.is_ascii_digit()) {
            Err(Reason::DigitsOnly)
        } else if !(min..=max).contains(&len) {
            Err(Reason::LengthBetween { min, max })
        } else {
            Ok(CustomerNumber(value))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What happened, in the reporter's words: 10 to 2,000 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Description(String);

impl Description {
    pub const MIN: usize = 10;
    pub const MAX: usize = 2000;

    pub fn parse(raw: &str) -> Result<Description, Reason> {
        text_between(raw, Self::MIN, Self::MAX).map(Description)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A follow-up message's text, or why a solution did not help: 1 to 2,000 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageBody(String);

impl MessageBody {
    pub const MAX: usize = 2000;
    pub fn parse(raw: &str) -> Result<MessageBody, Reason> {
        text_between(raw, 1, Self::MAX).map(MessageBody)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

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
    pub priority: crate::domain::workflow::Priority,
    pub assignee_name: Option<String>,
    pub sla_due_at: Option<DateTime<Utc>>,
    pub sla_state: Option<crate::domain::workflow::SlaState>,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum EventKind {
    Submitted,
    /// A follow-up message from the reporter.
    Message,
    /// The reporter confirmed the solution.
    Confirmed,
    /// The solution did not help (the reporter's reason), or the desk took it back into work.
    Reopened,
    Claimed,
    Assigned,
    /// Category, system, priority or tags changed (internal).
    Categorized,
    /// Handed to a group (internal).
    Transferred,
    /// The group handed it back with what it found (internal).
    Returned,
    /// An internal note.
    Note,
    /// The desk's message to the reporter.
    Reply,
    /// The solution.
    Answered,
    /// Closed by the desk, or by the system when nobody objected to an answer.
    Closed,
    /// Folded into another incident.
    Merged,
    /// Another incident was folded into this one (internal).
    Absorbed,
    /// The service-level due time is close (internal).
    SlaDueSoon,
    /// The service-level due time passed (internal).
    SlaBreached,
}

impl EventKind {
    pub const ALL: [EventKind; 17] = [
        EventKind::Submitted,
        EventKind::Message,
        EventKind::Confirmed,
        EventKind::Reopened,
        EventKind::Claimed,
        EventKind::Assigned,
        EventKind::Categorized,
        EventKind::Transferred,
        EventKind::Returned,
        EventKind::Note,
        EventKind::Reply,
        EventKind::Answered,
        EventKind::Closed,
        EventKind::Merged,
        EventKind::Absorbed,
        EventKind::SlaDueSoon,
        EventKind::SlaBreached,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Submitted => "submitted",
            EventKind::Message => "message",
            EventKind::Confirmed => "confirmed",
            EventKind::Reopened => "reopened",
            EventKind::Claimed => "claimed",
            EventKind::Assigned => "assigned",
            EventKind::Categorized => "categorized",
            EventKind::Transferred => "transferred",
            EventKind::Returned => "returned",
            EventKind::Note => "note",
            EventKind::Reply => "reply",
            EventKind::Answered => "answered",
            EventKind::Closed => "closed",
            EventKind::Merged => "merged",
            EventKind::Absorbed => "absorbed",
            EventKind::SlaDueSoon => "sla_due_soon",
            EventKind::SlaBreached => "sla_breached",
        }
    }
    pub fn parse(raw: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == raw)
    }
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
        Screenshot { id, url: format!("/api/v1/screenshots/{id}"), thumb_url: format!("/api/v1/screenshots/{id}/thumb"), width, height }
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
    pub actions: Vec<crate::domain::workflow::ActionKind>,
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
    pub priority: crate::domain::workflow::Priority,
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
    pub sla_state: Option<crate::domain::workflow::SlaState>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_number_length_is_bounded() {
        assert_eq!(CustomerNumber::parse_between("12345", 6, 20), Err(Reason::LengthBetween { min: 6, max: 20 }));
        assert!(CustomerNumber::parse_between("123456", 6, 20).is_ok());
        assert!(CustomerNumber::parse_between(&"1".repeat(21), 6, 20).is_err());
        assert_eq!(CustomerNumber::parse_between("12a", 6, 20), Err(Reason::DigitsOnly));
    }

    #[test]
    fn description_counts_chinese_characters() {
        assert!(Description::parse(&"股".repeat(10)).is_ok());
        assert_eq!(Description::parse(&"股".repeat(9)), Err(Reason::TooShort { min: 10 }));
        assert_eq!(Description::parse(&"股".repeat(2001)), Err(Reason::TooLong { max: 2000 }));
    }

    #[test]
    fn incident_numbers_format_and_parse() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let number = IncidentNumber::new(date, 42);
        assert_eq!(number.as_str(), "MSS-20261121-0042");
        assert_eq!(IncidentNumber::parse("mss-20261121-0042"), Ok(number));
        assert_eq!(IncidentNumber::new(date, 12345).as_str(), "MSS-20261121-12345");
        for bad in ["", "MSS-2026-0042", "MSS-20261321-0042", "XYZ-20261121-0042", "MSS-20261121-42"] {
            assert!(IncidentNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cursor_round_trips_and_refuses_garbage() {
        let c = Cursor { created_at: DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap(), id: 7 };
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

    #[test]
    fn statuses_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Ok(s));
        }
    }
}
