//! The business runs on China Standard Time (UTC+8, no daylight saving): incident numbers take
//! their date from it and every time shown is in it.
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

const CST_SECONDS: i32 = 8 * 3600;

pub fn business_offset() -> FixedOffset {
    // A constant well inside ±24 h: `east_opt` cannot refuse it.
    FixedOffset::east_opt(CST_SECONDS).expect("UTC+8 is a valid offset")
}

pub fn business_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&business_offset()).date_naive()
}

/// Midnight at the start of a business day.
pub fn start_of_day(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
        - chrono::Duration::seconds(i64::from(CST_SECONDS))
}

/// A day as a date input sends it (`2026-11-21`): exactly that shape, in 2000 to 9999 (what the
/// app can hold; `2026-1-5`, `+2026-11-01` or `-5000-01-01` are not dates here).
pub fn parse_day(raw: &str) -> Result<NaiveDate, super::Reason> {
    let raw = raw.trim();
    let shaped = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
        && raw[..4] >= *"2000";
    if !shaped {
        return Err(super::Reason::UnknownValue);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| super::Reason::UnknownValue)
}

/// The half-open span of business days `from` to `to` (both included) as instants.
pub fn day_span(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    (
        from.map(start_of_day),
        to.and_then(|d| d.succ_opt()).map(start_of_day),
    )
}

/// The business week (Monday to Sunday, China time) `at` falls in, named by its Monday.
pub fn week_of(at: DateTime<Utc>) -> NaiveDate {
    use chrono::Datelike;
    let day = business_date(at);
    day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// `2026-11-21 14:05`, in business time.
pub fn format_minute(at: DateTime<Utc>) -> String {
    at.with_timezone(&business_offset())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[cfg(test)]
mod week_tests {
    use super::*;

    #[test]
    fn a_week_starts_on_monday_in_china() {
        let monday = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        // Sunday 23:30 UTC is already Monday 07:30 in China.
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(week_of(at("2026-11-22T23:30:00Z")), monday);
        assert_eq!(week_of(at("2026-11-29T15:59:00Z")), monday);
        assert_eq!(
            week_of(at("2026-11-29T16:00:00Z")),
            monday + chrono::Duration::days(7)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_day_is_written_one_way() {
        assert_eq!(
            parse_day(" 2026-11-01 "),
            Ok(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap())
        );
        assert_eq!(
            parse_day("9999-12-31"),
            Ok(NaiveDate::from_ymd_opt(9999, 12, 31).unwrap())
        );
        for bad in [
            "2026-1-5",
            "26-11-01",
            "+2026-11-01",
            "-5000-01-01",
            "-262144-01-01",
            "1999-12-31",
            "2026-02-30",
            "2026/11/01",
            "２０２６-11-01",
            "",
        ] {
            assert!(parse_day(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_late_utc_evening_is_the_next_business_day() {
        let at = Utc.with_ymd_and_hms(2026, 11, 20, 17, 30, 0).unwrap();
        assert_eq!(
            business_date(at),
            NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
        );
        assert_eq!(format_minute(at), "2026-11-21 01:30");
    }
}
