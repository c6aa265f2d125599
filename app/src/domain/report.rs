//! The report form: what a reporter sends about an affected customer, and the rules it must
//! meet. `ReportForm` holds the raw text exactly as typed (kept whole on an error); `parse`
//! turns it into a `NewIncident` or names every problem at once. The browser runs the same
//! `parse` for instant feedback; the server's run is the one that counts.
use super::customer::{CustomerName, CustomerNumber};
use super::customer::{IdKind, IdNumber, Phone};
use super::incident::{Channel, Description, SystemCode, Urgency};
use super::time::{business_date, business_offset};
use super::{Field, FieldError, Problems, Reason};
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Screenshots a report (or a follow-up message) may carry.
pub const MAX_SCREENSHOTS: usize = 9;
/// Bytes one uploaded file may have, checked while it is read.
pub const MAX_FILE_MB: u32 = 10;
/// The form input naming a screenshot kept from a refused post (no JavaScript).
pub const KEPT_SCREENSHOT: &str = "kept_screenshot";

/// When it happened. Empty means now; a phone's `datetime-local` value (`2026-11-22T09:30`) is
/// business time (UTC+8); the API may send RFC 3339. Not in the future (a few minutes of clock
/// drift aside), nor before 2000.
pub fn parse_occurred_at(raw: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, Reason> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(now);
    }
    let at = DateTime::parse_from_rfc3339(raw)
        .map(|d| d.with_timezone(&Utc))
        .or_else(|_| {
            ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
                .and_then(|naive| naive.and_local_timezone(business_offset()).single())
                .map(|d| d.with_timezone(&Utc))
                .ok_or(Reason::UnknownValue)
        })?;
    if at > now + TimeDelta::minutes(5) {
        Err(Reason::InFuture)
    } else if at.timestamp() < 946_684_800 {
        Err(Reason::UnknownValue)
    } else {
        Ok(at)
    }
}

/// A `datetime-local` value for `at`, in business time (`2026-11-22T09:30`).
pub fn datetime_local(at: DateTime<Utc>) -> String {
    at.with_timezone(&business_offset())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// What the deployment requires of a report (`MSS_REPORT_REQUIRED`, `MSS_CUSTOMER_NO_LENGTH`).
/// Sent to the browser with the form so it checks by the same rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRules {
    pub require_name: bool,
    pub require_customer_no: bool,
    pub require_id: bool,
    pub require_phone: bool,
    pub customer_no_min: u32,
    pub customer_no_max: u32,
}

impl Default for ReportRules {
    fn default() -> Self {
        ReportRules {
            require_name: true,
            require_customer_no: true,
            require_id: false,
            require_phone: false,
            customer_no_min: CustomerNumber::MIN_LEN,
            customer_no_max: CustomerNumber::MAX_LEN,
        }
    }
}

impl ReportRules {
    pub fn required(&self, field: Field) -> bool {
        match field {
            Field::CustomerName => self.require_name,
            Field::CustomerNumber => self.require_customer_no,
            Field::IdNumber => self.require_id,
            Field::Phone => self.require_phone,
            Field::System | Field::Description => true,
            _ => false,
        }
    }

    /// An optional input left empty is `None`; a required one is a `Required` problem.
    fn optional<T>(
        &self,
        field: Field,
        raw: &str,
        parse: impl FnOnce(&str) -> Result<T, Reason>,
    ) -> Result<Option<T>, Reason> {
        if raw.trim().is_empty() && !self.required(field) {
            Ok(None)
        } else {
            parse(raw).map(Some)
        }
    }

    pub fn check_customer_no(&self, raw: &str) -> Result<Option<CustomerNumber>, Reason> {
        self.optional(Field::CustomerNumber, raw, |r| {
            CustomerNumber::parse_between(r, self.customer_no_min, self.customer_no_max)
        })
    }

    pub fn check_name(&self, raw: &str) -> Result<Option<CustomerName>, Reason> {
        self.optional(Field::CustomerName, raw, CustomerName::parse)
    }

    pub fn check_id(
        &self,
        kind: IdKind,
        raw: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<IdNumber>, Reason> {
        self.optional(Field::IdNumber, raw, |r| {
            IdNumber::parse(kind, r, business_date(now))
        })
    }

    pub fn check_phone(&self, raw: &str) -> Result<Option<Phone>, Reason> {
        self.optional(Field::Phone, raw, Phone::parse)
    }
}

/// The report as sent: raw text, exactly as typed, whatever the client (form or API). `Debug`
/// hides the ID and phone numbers.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportForm {
    pub customer_name: String,
    pub customer_no: String,
    pub id_type: String,
    pub id_number: String,
    pub phone: String,
    pub system: String,
    pub channel: String,
    pub occurred_at: String,
    pub urgency: String,
    pub description: String,
    /// Made when the form was opened; the same key always yields the same incident.
    pub idempotency_key: String,
}

impl std::fmt::Debug for ReportForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use super::Redacted;
        f.debug_struct("ReportForm")
            .field("customer_name", &self.customer_name)
            .field("customer_no", &self.customer_no)
            .field("id_type", &self.id_type)
            .field("id_number", &Redacted(&self.id_number))
            .field("phone", &Redacted(&self.phone))
            .field("system", &self.system)
            .field("channel", &self.channel)
            .field("occurred_at", &self.occurred_at)
            .field("urgency", &self.urgency)
            .field("description", &self.description)
            .field("idempotency_key", &self.idempotency_key)
            .finish()
    }
}

impl ReportForm {
    /// Stores one posted input by its name (`Field::as_str`); `false` for a name it has none for.
    pub fn set(&mut self, name: &str, value: String) -> bool {
        let slot = match Field::from_name(name) {
            Some(Field::CustomerName) => &mut self.customer_name,
            Some(Field::CustomerNumber) => &mut self.customer_no,
            Some(Field::IdType) => &mut self.id_type,
            Some(Field::IdNumber) => &mut self.id_number,
            Some(Field::Phone) => &mut self.phone,
            Some(Field::System) => &mut self.system,
            Some(Field::Channel) => &mut self.channel,
            Some(Field::OccurredAt) => &mut self.occurred_at,
            Some(Field::Urgency) => &mut self.urgency,
            Some(Field::Description) => &mut self.description,
            Some(Field::IdempotencyKey) => &mut self.idempotency_key,
            _ => return false,
        };
        *slot = value;
        true
    }

    pub fn id_kind(&self) -> Result<IdKind, Reason> {
        match self.id_type.trim() {
            "" => Ok(IdKind::default()),
            other => IdKind::parse(other),
        }
    }

    /// Every field's problem at once, or the report.
    pub fn parse(
        &self,
        rules: &ReportRules,
        now: DateTime<Utc>,
    ) -> Result<NewIncident, Vec<FieldError>> {
        let mut p = Problems::default();
        let name = p.check(Field::CustomerName, rules.check_name(&self.customer_name));
        let number = p.check(
            Field::CustomerNumber,
            rules.check_customer_no(&self.customer_no),
        );
        let kind = p.check(Field::IdType, self.id_kind());
        let id = match kind {
            Some(kind) => p.check(Field::IdNumber, rules.check_id(kind, &self.id_number, now)),
            None => None,
        };
        let phone = p.check(Field::Phone, rules.check_phone(&self.phone));
        let system = p.check(Field::System, SystemCode::parse(&self.system));
        let channel = p.check(Field::Channel, Channel::parse(&self.channel));
        let occurred_at = p.check(Field::OccurredAt, parse_occurred_at(&self.occurred_at, now));
        let urgency = p.check(Field::Urgency, Urgency::parse(&self.urgency));
        let description = p.check(Field::Description, Description::parse(&self.description));
        let idempotency_key = p.check(
            Field::IdempotencyKey,
            Uuid::parse_str(self.idempotency_key.trim()).map_err(|_| Reason::Required),
        );
        let all = (|| {
            Some(NewIncident {
                customer: Customer {
                    name: name?,
                    number: number?,
                    id: id.unwrap_or(None),
                    phone: phone?,
                },
                system: system?,
                channel: channel?,
                occurred_at: occurred_at?,
                urgency: urgency?,
                description: description?,
                idempotency_key: idempotency_key?,
            })
        })();
        p.into_result(all)
    }
}

/// The affected customer: each part present only when given (or required).
#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    pub name: Option<CustomerName>,
    pub number: Option<CustomerNumber>,
    pub id: Option<IdNumber>,
    pub phone: Option<Phone>,
}

/// A report that has everything the incident team needs.
#[derive(Debug, Clone, PartialEq)]
pub struct NewIncident {
    pub customer: Customer,
    pub system: SystemCode,
    pub channel: Channel,
    pub occurred_at: DateTime<Utc>,
    pub urgency: Urgency,
    pub description: Description,
    pub idempotency_key: Uuid,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_id_and_phone_numbers() {
        let shown = format!(
            "{:?}",
            ReportForm {
                id_number: "11010519491231002X".into(),
                phone: "13800135678".into(),
                ..form()
            }
        );
        assert!(
            !shown.contains("11010519491231002X") && !shown.contains("13800135678"),
            "{shown}"
        );
        assert!(shown.contains("<18 characters hidden>"), "{shown}");
    }
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 6, 0, 0).unwrap()
    }

    fn form() -> ReportForm {
        ReportForm {
            customer_name: " 张三 ".into(),
            customer_no: "3100 1234 56".into(),
            id_type: "resident_id".into(),
            id_number: "11010519491231002x".into(),
            phone: "138 0013 5678".into(),
            system: "trading".into(),
            channel: "app".into(),
            occurred_at: "2026-11-22T09:30".into(),
            urgency: "urgent".into(),
            description: "客户开户时人脸识别一直失败，提示超时".into(),
            idempotency_key: Uuid::nil().to_string(),
        }
    }

    #[test]
    fn a_good_report_parses_and_is_normalised() {
        let r = form().parse(&ReportRules::default(), now()).unwrap();
        assert_eq!(r.customer.name.unwrap().as_str(), "张三");
        assert_eq!(r.customer.number.unwrap().as_str(), "3100123456");
        assert_eq!(r.customer.id.unwrap().expose(), "11010519491231002X");
        assert_eq!(r.customer.phone.unwrap().expose(), "13800135678");
        assert_eq!(r.urgency, Urgency::Urgent);
        // 09:30 in Beijing is 01:30 UTC.
        assert_eq!(
            r.occurred_at,
            Utc.with_ymd_and_hms(2026, 11, 22, 1, 30, 0).unwrap()
        );
    }

    #[test]
    fn optional_parts_may_be_left_empty_but_not_wrong() {
        let mut f = form();
        f.id_number.clear();
        f.phone.clear();
        f.occurred_at.clear();
        f.urgency.clear();
        f.id_type.clear();
        let r = f.parse(&ReportRules::default(), now()).unwrap();
        assert!(r.customer.id.is_none() && r.customer.phone.is_none());
        assert_eq!(r.occurred_at, now());
        assert_eq!(r.urgency, Urgency::Normal);

        let mut f = form();
        f.id_number = "110105194912310021".into();
        f.phone = "12345".into();
        let errors = f.parse(&ReportRules::default(), now()).unwrap_err();
        assert_eq!(
            errors,
            vec![
                FieldError {
                    field: Field::IdNumber,
                    reason: Reason::IdChecksum
                },
                FieldError {
                    field: Field::Phone,
                    reason: Reason::PhoneFormat
                },
            ]
        );
    }

    #[test]
    fn what_is_required_is_configurable() {
        let rules = ReportRules {
            require_name: false,
            require_customer_no: false,
            require_id: true,
            require_phone: true,
            ..ReportRules::default()
        };
        let mut f = form();
        f.customer_name.clear();
        f.customer_no.clear();
        f.id_number.clear();
        f.phone.clear();
        let fields: Vec<_> = f
            .parse(&rules, now())
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.reason))
            .collect();
        assert_eq!(
            fields,
            vec![
                (Field::IdNumber, Reason::Required),
                (Field::Phone, Reason::Required)
            ]
        );
        let short = ReportRules {
            customer_no_min: 12,
            customer_no_max: 12,
            ..ReportRules::default()
        };
        assert_eq!(
            short.check_customer_no("3100123456"),
            Err(Reason::LengthBetween { min: 12, max: 12 })
        );
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = ReportForm {
            customer_no: "12a".into(),
            id_type: "driving_licence".into(),
            system: "Trading!".into(),
            channel: "fax".into(),
            occurred_at: "2026-11-23T09:00".into(),
            urgency: "very".into(),
            description: "交易不了".into(),
            ..ReportForm::default()
        };
        let fields: Vec<_> = bad
            .parse(&ReportRules::default(), now())
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.reason))
            .collect();
        assert_eq!(
            fields,
            vec![
                (Field::CustomerName, Reason::Required),
                (Field::CustomerNumber, Reason::DigitsOnly),
                (Field::IdType, Reason::UnknownValue),
                (Field::System, Reason::UnknownValue),
                (Field::Channel, Reason::UnknownValue),
                (Field::OccurredAt, Reason::InFuture),
                (Field::Urgency, Reason::UnknownValue),
                (Field::Description, Reason::TooShort { min: 10 }),
                (Field::IdempotencyKey, Reason::Required),
            ]
        );
    }

    #[test]
    fn occurred_at_reads_phones_and_the_api() {
        assert_eq!(
            parse_occurred_at("2026-11-22T01:30:00Z", now()),
            Ok(Utc.with_ymd_and_hms(2026, 11, 22, 1, 30, 0).unwrap())
        );
        assert_eq!(
            parse_occurred_at("2026-11-22T14:03+08:00", now()),
            Err(Reason::UnknownValue)
        );
        assert_eq!(
            parse_occurred_at("2026-11-22T14:03:00+08:00", now()),
            Ok(now() + TimeDelta::minutes(3))
        );
        assert_eq!(
            parse_occurred_at("1999-01-01T00:00", now()),
            Err(Reason::UnknownValue)
        );
        assert_eq!(
            parse_occurred_at("yesterday", now()),
            Err(Reason::UnknownValue)
        );
        assert_eq!(datetime_local(now()), "2026-11-22T14:00");
    }

    #[test]
    fn inputs_are_found_by_their_names() {
        let mut f = ReportForm::default();
        assert!(f.set("customer.id_number", "x".into()));
        assert!(f.set("occurred_at", "y".into()));
        assert!(!f.set("screenshots", "z".into()));
        assert_eq!((f.id_number.as_str(), f.occurred_at.as_str()), ("x", "y"));
    }

    #[test]
    fn codes_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Ok(c));
        }
        for u in Urgency::ALL {
            assert_eq!(Urgency::parse(u.as_str()), Ok(u));
        }
        assert!(SystemCode::parse("account_opening").is_ok());
        assert_eq!(SystemCode::parse(""), Err(Reason::Required));
    }
}
