//! The desk's queue: which incidents, in what order, from where. `QueueQuery` is the raw query
//! string (kept as typed, so the filter form shows it again); `QueueFilter` is it parsed.
use super::incident::workflow::{Category, Priority, SlaState};
use super::incident::{IncidentNumber, Status};
use super::{Code, Field, FieldError, Problems, Reason};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The queue's URL parameters, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    pub status: Option<String>,
    pub category: Option<String>,
    pub system: Option<String>,
    pub priority: Option<String>,
    /// `me`, `unassigned`, or a handler's login.
    pub assignee: Option<String>,
    pub group: Option<String>,
    pub sla: Option<String>,
    /// Created on or after this business date (`2026-11-01`).
    pub from: Option<String>,
    /// Created on or before this business date.
    pub to: Option<String>,
    /// An incident number, a customer number, a customer name, or words of the description.
    pub q: Option<String>,
    pub sort: Option<String>,
    pub cursor: Option<String>,
}

/// Which incidents by state: the open ones (the default), or one state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StateFilter {
    Open,
    All,
    Only(Status),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssigneeFilter {
    Me,
    Unassigned,
    Login(super::accounts::Login),
}

/// What a search term looks like, which decides where it is looked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Search {
    Number(IncidentNumber),
    /// Digits: a customer number.
    CustomerNumber(String),
    /// Anything else: a customer's name, or words in the description.
    Text(String),
}

impl Search {
    pub fn parse(raw: &str) -> Option<Search> {
        let cleaned = super::without_control_characters(raw);
        let term = cleaned.trim();
        if term.is_empty() {
            return None;
        }
        if let Ok(number) = IncidentNumber::parse(term) {
            return Some(Search::Number(number));
        }
        if term.len() >= 4 && term.bytes().all(|b| b.is_ascii_digit()) {
            return Some(Search::CustomerNumber(term.to_owned()));
        }
        Some(Search::Text(term.chars().take(50).collect()))
    }
}

named_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
    pub enum Sort {
        /// Newest first.
        #[default]
        Newest = "newest",
        /// Waiting longest first.
        Oldest = "oldest",
        /// P1 first, then oldest.
        Priority = "priority",
        /// Soonest due first (open incidents with a due time).
        Due = "due",
    }
}

impl Sort {
    pub fn parse(raw: &str) -> Result<Sort, Reason> {
        match raw.trim() {
            "" => Ok(Sort::Newest),
            other => Sort::from_name(other).ok_or(Reason::UnknownValue),
        }
    }
}

/// Where a page of the queue starts: after the last row's sort key and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCursor {
    /// The sort key of the last row: microseconds (times) or the priority's rank and the time.
    pub key: i64,
    pub at: i64,
    pub id: i64,
}

impl QueueCursor {
    pub fn encode(&self) -> String {
        format!("{}_{}_{}", self.key, self.at, self.id)
    }
    pub fn parse(raw: &str) -> Result<QueueCursor, Reason> {
        let mut parts = raw
            .split('_')
            .map(|p| p.parse::<i64>().map_err(|_| Reason::UnknownValue));
        let (Some(key), Some(at), Some(id), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Reason::UnknownValue);
        };
        let at = at?;
        // A time between 2000 and 9999: what the app can have written, and PostgreSQL can hold.
        if !(946_684_800_000_000..=253_402_300_799_000_000).contains(&at) {
            return Err(Reason::UnknownValue);
        }
        Ok(QueueCursor {
            key: key?,
            at,
            id: id?,
        })
    }
}

/// The queue's filters, parsed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueFilter {
    pub state: StateFilter,
    pub category: Option<Category>,
    pub system: Option<Code>,
    pub priority: Option<Priority>,
    pub assignee: Option<AssigneeFilter>,
    pub group: Option<Code>,
    pub sla: Option<SlaState>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub search: Option<Search>,
    pub sort: Sort,
    pub after: Option<QueueCursor>,
}

impl QueueQuery {
    pub fn parse(&self) -> Result<QueueFilter, Vec<FieldError>> {
        let mut p = Problems::default();
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let search = given(&self.q).and_then(|q| Search::parse(&q));
        let state = match given(&self.status).as_deref() {
            // A search looks through history too, unless a state is asked for.
            None if search.is_some() => StateFilter::All,
            None | Some("open") => StateFilter::Open,
            Some("all") => StateFilter::All,
            Some(other) => p
                .check(Field::Status, Status::parse(other))
                .map(StateFilter::Only)
                .unwrap_or(StateFilter::Open),
        };
        let category =
            given(&self.category).and_then(|v| p.check(Field::Category, Category::parse(&v)));
        let system = given(&self.system).and_then(|v| p.check(Field::System, Code::parse(&v)));
        let priority =
            given(&self.priority).and_then(|v| p.check(Field::Priority, Priority::parse(&v)));
        let assignee = given(&self.assignee).and_then(|v| match v.as_str() {
            "me" => Some(AssigneeFilter::Me),
            "unassigned" => Some(AssigneeFilter::Unassigned),
            login => p
                .check(Field::Assignee, super::accounts::Login::parse(login))
                .map(AssigneeFilter::Login),
        });
        let group = given(&self.group).and_then(|v| p.check(Field::Group, Code::parse(&v)));
        let sla = given(&self.sla).and_then(|v| p.check(Field::Sla, SlaState::parse(&v)));
        let from_day =
            given(&self.from).and_then(|v| p.check(Field::From, super::time::parse_day(&v)));
        let to_day = given(&self.to).and_then(|v| p.check(Field::To, super::time::parse_day(&v)));
        let (from, to) = super::time::day_span(from_day, to_day);
        let sort = p
            .check(
                Field::Sort,
                Sort::parse(self.sort.as_deref().unwrap_or_default()),
            )
            .unwrap_or_default();
        let after =
            given(&self.cursor).and_then(|c| p.check(Field::Cursor, QueueCursor::parse(&c)));
        let filter = QueueFilter {
            state,
            category,
            system,
            priority,
            assignee,
            group,
            sla,
            from,
            to,
            search,
            sort,
            after,
        };
        p.into_result(Some(filter))
    }

    /// This query with another cursor (the next page's link), as a query string.
    pub fn with_cursor(&self, cursor: Option<String>) -> String {
        let mut q = self.clone();
        q.cursor = cursor;
        let pairs: Vec<(&str, &Option<String>)> = vec![
            ("status", &q.status),
            ("category", &q.category),
            ("system", &q.system),
            ("priority", &q.priority),
            ("assignee", &q.assignee),
            ("group", &q.group),
            ("sla", &q.sla),
            ("from", &q.from),
            ("to", &q.to),
            ("q", &q.q),
            ("sort", &q.sort),
            ("cursor", &q.cursor),
        ];
        pairs
            .into_iter()
            .filter_map(|(k, v)| {
                v.as_deref()
                    .filter(|v| !v.is_empty())
                    .map(|v| format!("{k}={}", crate::paths::encode_query(v)))
            })
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// The most incidents one bulk action takes (a page of the queue is 30).
pub const BULK_MAX: usize = 100;

/// A bulk action from the queue, as posted: what to do, and the picked incidents, each as
/// `number:version` (the version its row showed, for the optimistic check).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BulkForm {
    pub action: String,
    /// `picks[i]=MSS-20261121-0001:3`, one per ticked row.
    pub picks: Vec<String>,
    pub assignee: String,
    pub category: String,
    /// The queue's query string, to go back to.
    pub back: String,
}

/// A checked bulk action: claim, assign, categorise or close, for each picked incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Bulk {
    pub action: super::incident::workflow::Action,
    pub picks: Vec<(IncidentNumber, i32)>,
}

fn pick(raw: &str) -> Result<(IncidentNumber, i32), Reason> {
    let (number, version) = raw.trim().rsplit_once(':').ok_or(Reason::UnknownValue)?;
    let number = IncidentNumber::parse(number).map_err(|_| Reason::UnknownValue)?;
    let version = version.parse::<i32>().map_err(|_| Reason::UnknownValue)?;
    Ok((number, version))
}

impl BulkForm {
    pub fn parse(&self) -> Result<Bulk, Vec<FieldError>> {
        use super::incident::workflow::{Action, ActionKind, ActionRequest};
        let mut p = Problems::default();
        let kind = p.check(
            Field::Action,
            ActionKind::parse(&self.action).and_then(|k| match k {
                ActionKind::Claim
                | ActionKind::Assign
                | ActionKind::Categorize
                | ActionKind::Close => Ok(k),
                _ => Err(Reason::UnknownValue),
            }),
        );
        let action = kind.and_then(|kind| {
            let request = ActionRequest {
                action: kind.as_str().to_owned(),
                assignee: Some(self.assignee.clone()),
                category: Some(self.category.clone()),
                ..Default::default()
            };
            match Action::parse(&request) {
                Ok(action) => Some(action),
                Err(errors) => {
                    p.0.extend(errors);
                    None
                }
            }
        });
        let picked: Vec<&String> = self.picks.iter().filter(|v| !v.trim().is_empty()).collect();
        let picks = if picked.is_empty() {
            p.check(Field::Picks, Err(Reason::Required))
        } else if picked.len() > BULK_MAX {
            p.check(
                Field::Picks,
                Err(Reason::TooMany {
                    max: BULK_MAX as u32,
                }),
            )
        } else {
            p.check(
                Field::Picks,
                picked
                    .into_iter()
                    .map(|v| pick(v))
                    .collect::<Result<Vec<_>, _>>(),
            )
        };
        p.into_result(
            action
                .zip(picks)
                .map(|(action, picks)| Bulk { action, picks }),
        )
    }
}

/// How a bulk action went: the incidents it changed, and the ones it could not (with the
/// error's code: `conflict` when someone changed it first, `not_allowed_now`, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BulkOutcome {
    pub done: Vec<String>,
    pub refused: Vec<(String, String)>,
}

impl BulkOutcome {
    /// As the queue's URL carries it back: `bulk_done=2&bulk_refused=MSS-…~conflict,…`.
    pub fn to_query(&self) -> String {
        let refused: Vec<String> = self
            .refused
            .iter()
            .map(|(n, c)| format!("{n}~{c}"))
            .collect();
        format!(
            "bulk_done={}&bulk_refused={}",
            self.done.len(),
            refused.join(",")
        )
    }

    /// Read back from the URL: how many were done, and which were refused why.
    pub fn from_query(
        done: Option<&str>,
        refused: Option<&str>,
    ) -> Option<(usize, Vec<(String, String)>)> {
        let done = done?.parse::<usize>().ok()?;
        let refused = refused
            .unwrap_or_default()
            .split(',')
            .filter_map(|r| r.split_once('~').map(|(n, c)| (n.to_owned(), c.to_owned())))
            .collect();
        Some((done, refused))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_query_is_the_open_queue_newest_first() {
        let f = QueueQuery::default().parse().unwrap();
        assert_eq!(f.state, StateFilter::Open);
        assert_eq!(f.sort, Sort::Newest);
        assert!(f.search.is_none() && f.after.is_none());
    }

    #[test]
    fn a_search_looks_through_history_unless_a_state_is_asked_for() {
        let q = QueueQuery {
            q: Some("310012345678".into()),
            ..Default::default()
        };
        assert_eq!(q.parse().unwrap().state, StateFilter::All);
        let q = QueueQuery {
            q: Some("310012345678".into()),
            status: Some("new".into()),
            ..Default::default()
        };
        assert_eq!(q.parse().unwrap().state, StateFilter::Only(Status::New));
    }

    #[test]
    fn searches_go_where_they_look_like_they_belong() {
        assert!(matches!(
            Search::parse("mss-20261122-0001"),
            Some(Search::Number(_))
        ));
        assert_eq!(
            Search::parse(" 310012345678 "),
            Some(Search::CustomerNumber("310012345678".into()))
        );
        assert_eq!(
            Search::parse("开户失败"),
            Some(Search::Text("开户失败".into()))
        );
        assert_eq!(Search::parse("  "), None);
        assert_eq!(
            Search::parse("开户\0失败"),
            Some(Search::Text("开户失败".into())),
            "NUL is not searched for"
        );
    }

    #[test]
    fn dates_are_business_days() {
        let q = QueueQuery {
            from: Some("2026-11-01".into()),
            to: Some("2026-11-01".into()),
            ..Default::default()
        };
        let f = q.parse().unwrap();
        assert_eq!(f.from.unwrap().to_rfc3339(), "2026-10-31T16:00:00+00:00");
        assert_eq!(f.to.unwrap().to_rfc3339(), "2026-11-01T16:00:00+00:00");
    }

    #[test]
    fn bad_values_are_named() {
        let q = QueueQuery {
            priority: Some("P7".into()),
            sla: Some("soon".into()),
            from: Some("yesterday".into()),
            ..Default::default()
        };
        let fields: Vec<Field> = q
            .parse()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, [Field::Priority, Field::Sla, Field::From]);
    }

    #[test]
    fn cursors_round_trip() {
        let c = QueueCursor {
            key: 2,
            at: 1_800_000_000_000_000,
            id: 9,
        };
        assert_eq!(QueueCursor::parse(&c.encode()), Ok(c));
        assert!(QueueCursor::parse("1_2").is_err());
        assert!(QueueCursor::parse("1_2_3_4").is_err());
        assert!(
            QueueCursor::parse("1_-99999999999999999_3").is_err(),
            "a time PostgreSQL cannot hold"
        );
    }

    #[test]
    fn the_next_page_keeps_the_filters() {
        let q = QueueQuery {
            status: Some("new".into()),
            q: Some("开户 失败".into()),
            ..Default::default()
        };
        let link = q.with_cursor(Some("1_2_3".into()));
        assert!(link.starts_with("status=new&q="), "{link}");
        assert!(link.ends_with("&cursor=1_2_3"), "{link}");
    }

    #[test]
    fn bulk_actions_take_picked_rows_with_their_versions() {
        use crate::domain::incident::workflow::{Action, Category as C};
        let form = BulkForm {
            action: "categorize".into(),
            picks: vec![
                "MSS-20261121-0001:3".into(),
                "".into(),
                "MSS-20261121-0002:1".into(),
            ],
            category: "data".into(),
            ..Default::default()
        };
        let bulk = form.parse().unwrap();
        assert_eq!(bulk.picks.len(), 2);
        assert_eq!(bulk.picks[0].1, 3);
        assert!(matches!(bulk.action, Action::Categorize(ref t) if t.category == Some(C::Data)));
        let none = BulkForm {
            action: "claim".into(),
            ..Default::default()
        };
        assert_eq!(none.parse().unwrap_err()[0].field, Field::Picks);
        let reply = BulkForm {
            action: "reply".into(),
            picks: vec!["MSS-20261121-0001:3".into()],
            ..Default::default()
        };
        assert_eq!(reply.parse().unwrap_err()[0].field, Field::Action);
        let assign = BulkForm {
            action: "assign".into(),
            picks: vec!["MSS-20261121-0001".into()],
            ..Default::default()
        };
        let fields: Vec<Field> = assign
            .parse()
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, [Field::Assignee, Field::Picks]);
        let many = BulkForm {
            action: "close".into(),
            picks: vec!["MSS-20261121-0001:1".into(); 101],
            ..Default::default()
        };
        assert_eq!(
            many.parse().unwrap_err()[0].reason,
            Reason::TooMany { max: 100 }
        );
        let outcome = BulkOutcome {
            done: vec!["a".into(), "b".into()],
            refused: vec![("MSS-20261121-0003".into(), "conflict".into())],
        };
        let q = outcome.to_query();
        assert_eq!(q, "bulk_done=2&bulk_refused=MSS-20261121-0003~conflict");
        assert_eq!(
            BulkOutcome::from_query(Some("2"), Some("MSS-20261121-0003~conflict")),
            Some((2, vec![("MSS-20261121-0003".into(), "conflict".into())]))
        );
    }
}
