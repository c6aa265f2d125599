use super::{text_between, Reason};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

pub mod views;
pub mod workflow;

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
            && parts.next().is_some_and(|s| {
                (4..=9).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
            });
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

named_enum! {
    /// Where an incident is in its life. The transitions between them arrive with the desk.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub enum Status {
        New = "new",
        InProgress = "in_progress",
        Transferred = "transferred",
        Answered = "answered",
        Closed = "closed",
        Merged = "merged",
    }
}

impl Status {
    pub fn parse(raw: &str) -> Result<Status, Reason> {
        Status::from_name(raw).ok_or(Reason::UnknownValue)
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

named_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub enum EventKind {
        Submitted = "submitted",
        /// A follow-up message from the reporter.
        Message = "message",
        /// The reporter confirmed the solution.
        Confirmed = "confirmed",
        /// The solution did not help (the reporter's reason), or the desk took it back into work.
        Reopened = "reopened",
        Claimed = "claimed",
        Assigned = "assigned",
        /// Category, system, priority or tags changed (internal).
        Categorized = "categorized",
        /// Handed to a group (internal).
        Transferred = "transferred",
        /// The group handed it back with what it found (internal).
        Returned = "returned",
        /// An internal note.
        Note = "note",
        /// The desk's message to the reporter.
        Reply = "reply",
        /// The solution.
        Answered = "answered",
        /// Closed by the desk, or by the system when nobody objected to an answer.
        Closed = "closed",
        /// Folded into another incident.
        Merged = "merged",
        /// Another incident was folded into this one (internal).
        Absorbed = "absorbed",
        /// The service-level due time is close (internal).
        SlaDueSoon = "sla_due_soon",
        /// The service-level due time passed (internal).
        SlaBreached = "sla_breached",
    }
}

named_enum! {
    /// How urgent the reporter says it is; suggests a priority to the desk.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
    #[serde(rename_all = "snake_case")]
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub enum Urgency {
        #[default]
        Normal = "normal",
        Urgent = "urgent",
    }
}

impl Urgency {
    pub fn parse(raw: &str) -> Result<Urgency, Reason> {
        match raw.trim() {
            "" => Ok(Urgency::Normal),
            other => Urgency::from_name(other).ok_or(Reason::UnknownValue),
        }
    }
}

named_enum! {
    /// Where the customer met the problem.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
    #[serde(rename_all = "snake_case")]
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub enum Channel {
        /// 手机 App.
        #[default]
        App = "app",
        /// 网上交易 / 官网.
        Web = "web",
        /// 营业部柜台.
        Branch = "branch",
        /// 微信小程序.
        MiniProgram = "mini_program",
        /// 客服热线.
        CallCenter = "call_center",
        Other = "other",
    }
}

impl Channel {
    pub fn parse(raw: &str) -> Result<Channel, Reason> {
        match raw.trim() {
            "" => Ok(Channel::App),
            other => Channel::from_name(other).ok_or(Reason::UnknownValue),
        }
    }
}

/// An affected system's code (admin-managed list: `trading`, `account_opening`).
pub type SystemCode = super::Code;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn description_counts_chinese_characters() {
        assert!(Description::parse(&"股".repeat(10)).is_ok());
        assert_eq!(
            Description::parse(&"股".repeat(9)),
            Err(Reason::TooShort { min: 10 })
        );
        assert_eq!(
            Description::parse(&"股".repeat(2001)),
            Err(Reason::TooLong { max: 2000 })
        );
    }

    #[test]
    fn incident_numbers_format_and_parse() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let number = IncidentNumber::new(date, 42);
        assert_eq!(number.as_str(), "MSS-20261121-0042");
        assert_eq!(IncidentNumber::parse("mss-20261121-0042"), Ok(number));
        assert_eq!(
            IncidentNumber::new(date, 12345).as_str(),
            "MSS-20261121-12345"
        );
        for bad in [
            "",
            "MSS-2026-0042",
            "MSS-20261321-0042",
            "XYZ-20261121-0042",
            "MSS-20261121-42",
        ] {
            assert!(IncidentNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn statuses_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Ok(s));
        }
    }
}
