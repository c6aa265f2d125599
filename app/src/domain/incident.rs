use super::{text_between, Field, FieldError, Problems, Reason};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

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

/// 资金账号/客户号: digits only. The length becomes configurable with the full reporter form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerNumber(String);

impl CustomerNumber {
    pub const MIN_LEN: u32 = 6;
    pub const MAX_LEN: u32 = 20;

    pub fn parse(raw: &str) -> Result<CustomerNumber, Reason> {
        let value: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let len = value.chars().count() as u32;
        if value.is_empty() {
            Err(Reason::Required)
        } else if !value.bytes().all(|b| b.is_ascii_digit()) {
            Err(Reason::DigitsOnly)
        } else if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&len) {
            Err(Reason::LengthBetween { min: Self::MIN_LEN, max: Self::MAX_LEN })
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

/// The report form as posted: raw strings, exactly what the user typed. Kept whole on an error so
/// nothing is lost.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewIncidentForm {
    #[serde(default)]
    pub customer_name: String,
    #[serde(default)]
    pub customer_number: String,
    #[serde(default)]
    pub description: String,
    /// Made when the form was opened; the same key always yields the same incident.
    #[serde(default)]
    pub idempotency_key: String,
}

/// A report that has everything the incident team needs.
#[derive(Debug, Clone, PartialEq)]
pub struct NewIncident {
    pub customer_name: CustomerName,
    pub customer_number: CustomerNumber,
    pub description: Description,
    pub idempotency_key: Uuid,
}

impl NewIncidentForm {
    pub fn parse(&self) -> Result<NewIncident, Vec<FieldError>> {
        let mut p = Problems::default();
        let customer_name = p.check(Field::CustomerName, CustomerName::parse(&self.customer_name));
        let customer_number =
            p.check(Field::CustomerNumber, CustomerNumber::parse(&self.customer_number));
        let description = p.check(Field::Description, Description::parse(&self.description));
        let idempotency_key = p.check(
            Field::IdempotencyKey,
            Uuid::parse_str(self.idempotency_key.trim()).map_err(|_| Reason::Required),
        );
        let all = customer_name
            .zip(customer_number)
            .zip(description.zip(idempotency_key))
            .map(|((customer_name, customer_number), (description, idempotency_key))| {
                NewIncident { customer_name, customer_number, description, idempotency_key }
            });
        p.into_result(all)
    }
}

/// One line of a list: the reporter's "my incidents" or the desk's queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentSummary {
    pub number: String,
    pub status: Status,
    pub customer_name: String,
    pub customer_number: String,
    /// The start of the description, for the list.
    pub excerpt: String,
    pub reporter_name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Submitted,
}

impl EventKind {
    pub fn parse(raw: &str) -> Option<EventKind> {
        match raw {
            "submitted" => Some(EventKind::Submitted),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub kind: EventKind,
    pub actor_name: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentDetail {
    pub summary: IncidentSummary,
    pub description: String,
    pub reporter_login: String,
    pub timeline: Vec<TimelineEntry>,
}

/// A page of a list, newest first, and where the next one starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

    fn form() -> NewIncidentForm {
        NewIncidentForm {
            customer_name: " 张三 ".into(),
            customer_number: "3100 1234 56".into(),
            description: "客户开户时人脸识别一直失败，提示超时".into(),
            idempotency_key: Uuid::nil().to_string(),
        }
    }

    #[test]
    fn a_good_form_parses_and_is_normalised() {
        let incident = form().parse().unwrap();
        assert_eq!(incident.customer_name.as_str(), "张三");
        assert_eq!(incident.customer_number.as_str(), "3100123456");
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = NewIncidentForm {
            customer_name: "".into(),
            customer_number: "12a".into(),
            description: "交易不了".into(),
            idempotency_key: "".into(),
        };
        let errors = bad.parse().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| (e.field, e.reason)).collect();
        assert_eq!(
            fields,
            vec![
                (Field::CustomerName, Reason::Required),
                (Field::CustomerNumber, Reason::DigitsOnly),
                (Field::Description, Reason::TooShort { min: 10 }),
                (Field::IdempotencyKey, Reason::Required),
            ]
        );
    }

    #[test]
    fn customer_number_length_is_bounded() {
        assert_eq!(
            CustomerNumber::parse("12345"),
            Err(Reason::LengthBetween { min: 6, max: 20 })
        );
        assert!(CustomerNumber::parse("123456").is_ok());
        assert!(CustomerNumber::parse(&"1".repeat(21)).is_err());
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
