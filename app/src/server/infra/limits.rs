//! Per-account limits on what costs the server work or the team's attention: reports, uploaded
//! files, follow-up messages and desk actions. Each allows a burst and then a steady rate (GCRA,
//! by the `governor` crate), per account and per instance: one account's loop cannot saturate
//! an instance's CPU, fill the store or the team's group robot, and everyone else goes on
//! untouched. Past its limit a request is answered 429 with `Retry-After` and a translated
//! sentence, before any work is done.
use crate::AppError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::num::NonZeroU32;
use std::time::Duration;

/// What is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Report,
    /// One uploaded file (a screenshot): counted per file, before it is decoded.
    Upload,
    Message,
    Action,
}

/// A burst, then `per_hour` a hour: `MSS_LIMIT_REPORTS=20,60/h` (also `/min`, `/s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub burst: u32,
    /// The steady rate: one more every `every`.
    pub every: Duration,
}

impl Limit {
    /// `burst` at once, then `per_hour` an hour (at least one, at most one a millisecond).
    pub const fn new(burst: u32, per_hour: u64) -> Limit {
        let per_hour = if per_hour == 0 {
            1
        } else if per_hour > 3_600_000 {
            3_600_000
        } else {
            per_hour
        };
        Limit {
            burst,
            every: Duration::from_millis(3_600_000 / per_hour),
        }
    }

    /// `BURST,COUNT/UNIT`, e.g. `20,60/h`, `10,1/min`, `5,2/s`. Everything above zero.
    pub fn parse(raw: &str) -> Result<Limit, String> {
        let (burst, rate) = raw
            .trim()
            .split_once(',')
            .ok_or("use BURST,COUNT/UNIT, e.g. 20,60/h")?;
        let burst: u32 = burst
            .trim()
            .parse()
            .map_err(|_| "the burst must be a whole number")?;
        let (count, unit) = rate
            .trim()
            .split_once('/')
            .ok_or("the rate must be COUNT/UNIT, e.g. 60/h")?;
        let count: u64 = count
            .trim()
            .parse()
            .map_err(|_| "the rate's count must be a whole number")?;
        let unit_ms: u64 = match unit.trim() {
            "s" => 1_000,
            "min" => 60_000,
            "h" => 3_600_000,
            other => return Err(format!("unknown unit `{other}`: use s, min or h")),
        };
        if burst == 0 || count == 0 || count > unit_ms {
            return Err(
                "the burst and the rate must be above zero (and at most one a millisecond)".into(),
            );
        }
        Ok(Limit {
            burst,
            every: Duration::from_millis(unit_ms / count),
        })
    }

    fn quota(self) -> Quota {
        let burst = NonZeroU32::new(self.burst).unwrap_or(NonZeroU32::MIN);
        Quota::with_period(self.every)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst)
    }
}

/// The limits a deployment sets (`MSS_LIMIT_*`), with defaults far above what a person does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSettings {
    pub reports: Limit,
    pub uploads: Limit,
    pub messages: Limit,
    pub actions: Limit,
}

impl Default for LimitSettings {
    fn default() -> Self {
        LimitSettings {
            // An outage hour: twenty customers at once, then one a minute.
            reports: Limit::new(20, 60),
            // Nine photos a report, a few reports: 60 at once, then one every ten seconds.
            uploads: Limit::new(60, 360),
            messages: Limit::new(30, 240),
            // The desk works fast (bulk actions count once).
            actions: Limit::new(120, 3600),
        }
    }
}

pub struct Limits {
    reports: DefaultKeyedRateLimiter<i64>,
    uploads: DefaultKeyedRateLimiter<i64>,
    messages: DefaultKeyedRateLimiter<i64>,
    actions: DefaultKeyedRateLimiter<i64>,
    clock: DefaultClock,
}

impl Limits {
    pub fn new(settings: &LimitSettings) -> Limits {
        Limits {
            reports: DefaultKeyedRateLimiter::keyed(settings.reports.quota()),
            uploads: DefaultKeyedRateLimiter::keyed(settings.uploads.quota()),
            messages: DefaultKeyedRateLimiter::keyed(settings.messages.quota()),
            actions: DefaultKeyedRateLimiter::keyed(settings.actions.quota()),
            clock: DefaultClock::default(),
        }
    }

    fn limiter(&self, kind: Kind) -> &DefaultKeyedRateLimiter<i64> {
        match kind {
            Kind::Report => &self.reports,
            Kind::Upload => &self.uploads,
            Kind::Message => &self.messages,
            Kind::Action => &self.actions,
        }
    }

    /// Counts one `kind` for `account`, or says how long until it may.
    pub fn check(&self, kind: Kind, account: i64) -> Result<(), AppError> {
        self.limiter(kind).check_key(&account).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            tracing::warn!(
                account,
                ?kind,
                wait_ms = wait.as_millis() as u64,
                "limit reached"
            );
            AppError::RateLimited {
                retry_after_secs: wait.as_millis().div_ceil(1000).max(1) as u64,
            }
        })
    }

    /// Forgets accounts whose every limit is full again (run now and then: memory stays flat).
    pub fn forget_idle(&self) {
        for kind in [Kind::Report, Kind::Upload, Kind::Message, Kind::Action] {
            let limiter = self.limiter(kind);
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_written_as_a_burst_and_a_rate() {
        assert_eq!(
            Limit::parse("20,60/h"),
            Ok(Limit {
                burst: 20,
                every: Duration::from_secs(60)
            })
        );
        assert_eq!(
            Limit::parse(" 5 , 2/s "),
            Ok(Limit {
                burst: 5,
                every: Duration::from_millis(500)
            })
        );
        assert_eq!(
            Limit::parse("10,1/min"),
            Ok(Limit {
                burst: 10,
                every: Duration::from_secs(60)
            })
        );
        for bad in [
            "",
            "20",
            "0,60/h",
            "20,0/h",
            "20,60/day",
            "x,1/h",
            "20,2000/s",
        ] {
            assert!(Limit::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_burst_then_the_rate_per_account() {
        let limits = Limits::new(&LimitSettings {
            reports: Limit::parse("3,1/h").unwrap(),
            ..LimitSettings::default()
        });
        for _ in 0..3 {
            assert!(limits.check(Kind::Report, 1).is_ok());
        }
        match limits.check(Kind::Report, 1) {
            Err(AppError::RateLimited { retry_after_secs }) => assert!(
                (3000..=3600).contains(&retry_after_secs),
                "{retry_after_secs}"
            ),
            other => panic!("{other:?}"),
        }
        assert!(
            limits.check(Kind::Report, 2).is_ok(),
            "another account is not slowed"
        );
        assert!(
            limits.check(Kind::Message, 1).is_ok(),
            "another kind neither"
        );
    }
}
