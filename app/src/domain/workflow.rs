//! The desk's workflow: what each state of an incident allows, who may do it, and where it
//! leads. Pure rules, shared by both builds (the desk page offers only what `next` allows) and
//! tested for every pair of state and action.
//!
//! 待处理 new → 处理中 in progress (claimed) → 已转交 transferred (waiting on a group) → back to
//! 处理中 → 已答复 answered → 已关闭 closed (the reporter confirmed, or nobody objected for some
//! days). "Not solved" sends an answered incident back to 处理中; 已合并 merged folds a duplicate
//! into another.
use super::incident::{MessageBody, Status};
use super::report::{SystemCode, Urgency};
use super::{text_between, Code, Field, FieldError, Problems, Reason};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// What someone does to an incident. The names are the REST API's `action` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ActionKind {
    /// A handler takes a new incident.
    Claim,
    /// Gives it to a handler (taking a new one into work).
    Assign,
    /// Sets category, sub-category, system, priority, tags.
    Categorize,
    /// Hands it to a group (testing, development, operations, product) with a note.
    Transfer,
    /// The group hands it back with what it found (and, for a data fix, what was applied).
    Return,
    /// An internal note: never shown to the reporter.
    Note,
    /// A message to the reporter.
    Reply,
    /// The solution, to the reporter.
    Answer,
    /// Not solved: back into work, with why.
    Reopen,
    /// Done: the reporter confirmed (with a rating), or the desk closed it.
    Close,
    /// A duplicate folded into another incident.
    Merge,
}

impl ActionKind {
    pub const ALL: [ActionKind; 11] = [
        ActionKind::Claim,
        ActionKind::Assign,
        ActionKind::Categorize,
        ActionKind::Transfer,
        ActionKind::Return,
        ActionKind::Note,
        ActionKind::Reply,
        ActionKind::Answer,
        ActionKind::Reopen,
        ActionKind::Close,
        ActionKind::Merge,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Claim => "claim",
            ActionKind::Assign => "assign",
            ActionKind::Categorize => "categorize",
            ActionKind::Transfer => "transfer",
            ActionKind::Return => "return",
            ActionKind::Note => "note",
            ActionKind::Reply => "reply",
            ActionKind::Answer => "answer",
            ActionKind::Reopen => "reopen",
            ActionKind::Close => "close",
            ActionKind::Merge => "merge",
        }
    }

    pub fn parse(raw: &str) -> Result<ActionKind, Reason> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(Reason::Required);
        }
        ActionKind::ALL.into_iter().find(|a| a.as_str() == raw).ok_or(Reason::UnknownValue)
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
    ActionKind::ALL.into_iter().filter(|a| next(state, *a, actor).is_ok()).collect()
}

/// P1 (most urgent) to P4. The reporter's urgency suggests one; the desk decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Priority {
    P1,
    P2,
    #[default]
    P3,
    P4,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::P1, Priority::P2, Priority::P3, Priority::P4];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::P1 => "P1",
            Priority::P2 => "P2",
            Priority::P3 => "P3",
            Priority::P4 => "P4",
        }
    }

    pub fn parse(raw: &str) -> Result<Priority, Reason> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(Reason::Required);
        }
        Priority::ALL.into_iter().find(|p| p.as_str().eq_ignore_ascii_case(raw)).ok_or(Reason::UnknownValue)
    }

    /// What the reporter's urgency suggests: urgent is P2 (P1 is the desk's call: trading down
    /// for everyone), normal is P3.
    pub fn suggested(urgency: Urgency) -> Priority {
        match urgency {
            Urgency::Urgent => Priority::P2,
            Urgency::Normal => Priority::P3,
        }
    }
}

/// The three kinds of incident the team counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Category {
    /// 数据类: wrong or missing data, fixed by a script or a change.
    Data,
    /// 程序类: a defect in a program.
    Program,
    /// 咨询类: a question; answered with how things work.
    Consultation,
}

impl Category {
    pub const ALL: [Category; 3] = [Category::Data, Category::Program, Category::Consultation];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Data => "data",
            Category::Program => "program",
            Category::Consultation => "consultation",
        }
    }

    pub fn parse(raw: &str) -> Result<Category, Reason> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(Reason::Required);
        }
        Category::ALL.into_iter().find(|c| c.as_str() == raw).ok_or(Reason::UnknownValue)
    }
}

/// A tag: 1 to 20 characters, no commas (they separate tags in the form).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Tag(String);

impl Tag {
    pub const MAX_TAGS: usize = 10;

    pub fn parse(raw: &str) -> Result<Tag, Reason> {
        let value = text_between(raw, 1, 20)?;
        if value.contains([',', '，']) {
            return Err(Reason::UnknownValue);
        }
        Ok(Tag(value))
    }

    /// Tags as typed in one input: separated by commas (`,` or `，`), blanks and repeats dropped.
    pub fn parse_list(raw: &str) -> Result<Vec<Tag>, Reason> {
        let mut tags: Vec<Tag> = Vec::new();
        for part in raw.split([',', '，']).map(str::trim).filter(|p| !p.is_empty()) {
            let tag = Tag::parse(part)?;
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        if tags.len() > Tag::MAX_TAGS {
            return Err(Reason::TooMany { max: Tag::MAX_TAGS as u32 });
        }
        Ok(tags)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A rating of the answer, 1 to 5 stars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating(u8);

impl Rating {
    pub fn parse(raw: &str) -> Result<Option<Rating>, Reason> {
        match raw.trim() {
            "" => Ok(None),
            other => match other.parse::<u8>() {
                Ok(n @ 1..=5) => Ok(Some(Rating(n))),
                _ => Err(Reason::UnknownValue),
            },
        }
    }
    pub fn stars(self) -> u8 {
        self.0
    }
}

/// An action as it arrives (a form or the API's JSON): every field raw and optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ActionRequest {
    pub action: String,
    /// The incident's version the caller saw (optimistic check).
    pub version: Option<i32>,
    pub assignee: Option<String>,
    pub category: Option<String>,
    pub subcategory: Option<String>,
    pub system: Option<String>,
    pub priority: Option<String>,
    /// A list (API) or one comma-separated string (form): see `Tags`.
    pub tags: Option<Tags>,
    pub group: Option<String>,
    pub body: Option<String>,
    /// For `return`: the script or change applied (a data fix by operations).
    pub change: Option<String>,
    /// For `merge`: the incident (number or id) this one joins.
    pub into: Option<String>,
    /// For `close` by the reporter: 1 to 5.
    pub rating: Option<String>,
}

/// Tags as the API sends them (a list) or a form does (one string).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Tags {
    List(Vec<String>),
    Text(String),
}

/// What `categorize` changes; absent fields stay as they are.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Triage {
    pub category: Option<Category>,
    /// A sub-category's code (admin-managed, under the category).
    pub subcategory: Option<Code>,
    pub system: Option<SystemCode>,
    pub priority: Option<Priority>,
    pub tags: Option<Vec<Tag>>,
}

/// A parsed action: everything it needs, checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Action {
    Claim,
    Assign { assignee: super::user::Login },
    Categorize(Triage),
    Transfer { group: Code, body: MessageBody },
    Return { body: MessageBody, change: Option<String> },
    Note { body: MessageBody },
    Reply { body: MessageBody },
    Answer { body: MessageBody },
    Reopen { body: MessageBody },
    Close { rating: Option<Rating>, comment: Option<MessageBody> },
    Merge { into: String },
}

/// Longest record of an applied script or change.
pub const MAX_CHANGE: usize = 4000;

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Claim => ActionKind::Claim,
            Action::Assign { .. } => ActionKind::Assign,
            Action::Categorize(_) => ActionKind::Categorize,
            Action::Transfer { .. } => ActionKind::Transfer,
            Action::Return { .. } => ActionKind::Return,
            Action::Note { .. } => ActionKind::Note,
            Action::Reply { .. } => ActionKind::Reply,
            Action::Answer { .. } => ActionKind::Answer,
            Action::Reopen { .. } => ActionKind::Reopen,
            Action::Close { .. } => ActionKind::Close,
            Action::Merge { .. } => ActionKind::Merge,
        }
    }

    /// Text the reporter reads (replies, answers, the reporter's own words); notes, transfers
    /// and returns stay inside the team.
    pub fn is_internal(&self) -> bool {
        matches!(self, Action::Note { .. } | Action::Transfer { .. } | Action::Return { .. })
    }

    /// The action and the version it was made against.
    pub fn parse_versioned(req: &ActionRequest) -> Result<(Action, i32), Vec<FieldError>> {
        let version = req.version.ok_or(FieldError { field: Field::Version, reason: Reason::Required });
        match (Action::parse(req), version) {
            (Ok(action), Ok(version)) => Ok((action, version)),
            (action, version) => Err(action.err().unwrap_or_default().into_iter().chain(version.err()).collect()),
        }
    }

    pub fn parse(req: &ActionRequest) -> Result<Action, Vec<FieldError>> {
        let mut p = Problems::default();
        let kind = p.check(Field::Action, ActionKind::parse(&req.action));
        let text = |raw: &Option<String>| raw.as_deref().unwrap_or_default().to_owned();
        let action = match kind {
            None => None,
            Some(ActionKind::Claim) => Some(Action::Claim),
            Some(ActionKind::Assign) => p
                .check(Field::Assignee, super::user::Login::parse(&text(&req.assignee)))
                .map(|assignee| Action::Assign { assignee }),
            Some(ActionKind::Categorize) => {
                let optional = |raw: &Option<String>| raw.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
                let category = optional(&req.category).and_then(|c| p.check(Field::Category, Category::parse(&c)));
                let subcategory = optional(&req.subcategory).and_then(|c| p.check(Field::Subcategory, Code::parse(&c)));
                let system = optional(&req.system).and_then(|c| p.check(Field::System, SystemCode::parse(&c)));
                let priority = optional(&req.priority).and_then(|c| p.check(Field::Priority, Priority::parse(&c)));
                let tags = match &req.tags {
                    None => None,
                    Some(Tags::Text(raw)) => p.check(Field::Tags, Tag::parse_list(raw)),
                    Some(Tags::List(list)) => p.check(Field::Tags, Tag::parse_list(&list.join(","))),
                };
                let triage = Triage { category, subcategory, system, priority, tags };
                if triage == Triage::default() && p.0.is_empty() {
                    p.0.push(FieldError { field: Field::Category, reason: Reason::Required });
                }
                Some(Action::Categorize(triage))
            }
            Some(ActionKind::Transfer) => {
                let group = p.check(Field::Group, Code::parse(&text(&req.group)));
                let body = p.check(Field::Body, MessageBody::parse(&text(&req.body)));
                group.zip(body).map(|(group, body)| Action::Transfer { group, body })
            }
            Some(ActionKind::Return) => {
                let body = p.check(Field::Body, MessageBody::parse(&text(&req.body)));
                let change = match req.change.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                    None => Some(None),
                    Some(c) => p.check(Field::Change, text_between(c, 1, MAX_CHANGE).map(Some)),
                };
                body.zip(change).map(|(body, change)| Action::Return { body, change })
            }
            Some(k @ (ActionKind::Note | ActionKind::Reply | ActionKind::Answer | ActionKind::Reopen)) => {
                p.check(Field::Body, MessageBody::parse(&text(&req.body))).map(|body| match k {
                    ActionKind::Note => Action::Note { body },
                    ActionKind::Reply => Action::Reply { body },
                    ActionKind::Answer => Action::Answer { body },
                    _ => Action::Reopen { body },
                })
            }
            Some(ActionKind::Close) => {
                let rating = p.check(Field::Rating, Rating::parse(&text(&req.rating)));
                let comment = match req.body.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                    None => Some(None),
                    Some(c) => p.check(Field::Body, MessageBody::parse(c).map(Some)),
                };
                rating.zip(comment).map(|(rating, comment)| Action::Close { rating, comment })
            }
            Some(ActionKind::Merge) => p
                .check(Field::Into, text_between(&text(&req.into), 1, 40))
                .map(|into| Action::Merge { into }),
        };
        p.into_result(action)
    }
}

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
        SlaTarget { priority, first_response_minutes: first, resolution_minutes: resolve }
    }

    pub fn first_response_due(&self, created: DateTime<Utc>) -> DateTime<Utc> {
        created + TimeDelta::minutes(i64::from(self.first_response_minutes))
    }

    pub fn resolution_due(&self, created: DateTime<Utc>) -> DateTime<Utc> {
        created + TimeDelta::minutes(i64::from(self.resolution_minutes))
    }
}

/// Where an open incident stands against its next due time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum SlaState {
    OnTrack,
    /// Less than a quarter of the target time is left.
    DueSoon,
    Late,
}

impl SlaState {
    pub const ALL: [SlaState; 3] = [SlaState::OnTrack, SlaState::DueSoon, SlaState::Late];

    pub fn as_str(self) -> &'static str {
        match self {
            SlaState::OnTrack => "on_track",
            SlaState::DueSoon => "due_soon",
            SlaState::Late => "late",
        }
    }

    pub fn parse(raw: &str) -> Result<SlaState, Reason> {
        SlaState::ALL.into_iter().find(|s| s.as_str() == raw.trim()).ok_or(Reason::UnknownValue)
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

/// A category and its sub-categories, for the triage form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryOption {
    pub category: super::incident::Named,
    pub subcategories: Vec<super::incident::Named>,
}

/// A reply the team sends again and again. `{customer_name}` and `{number}` are filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedReply {
    pub id: i64,
    pub title: String,
    pub body: String,
}

impl CannedReply {
    /// The body with its variables filled in for one incident.
    pub fn fill(&self, customer_name: &str, number: &str) -> String {
        self.body.replace("{customer_name}", customer_name).replace("{number}", number)
    }
}

/// What the desk's forms pick from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DeskOptions {
    pub categories: Vec<CategoryOption>,
    pub groups: Vec<super::incident::Named>,
    pub systems: Vec<super::incident::Named>,
    /// Handlers and admins: who an incident can be assigned to (login, name).
    pub handlers: Vec<super::incident::Named>,
    pub canned: Vec<CannedReply>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ActionKind as A;
    use Status as S;

    /// Every pair of state and action, for each kind of actor: the whole table, written out.
    #[test]
    fn every_state_and_action_for_the_desk() {
        let table: [(Status, [Option<Status>; 11]); 6] = [
            //            claim             assign            categorize        transfer             return            note              reply             answer           reopen            close          merge
            (S::New, [Some(S::InProgress), Some(S::InProgress), Some(S::New), None, None, Some(S::New), Some(S::New), Some(S::Answered), None, Some(S::Closed), Some(S::Merged)]),
            (S::InProgress, [None, Some(S::InProgress), Some(S::InProgress), Some(S::Transferred), None, Some(S::InProgress), Some(S::InProgress), Some(S::Answered), None, Some(S::Closed), Some(S::Merged)]),
            (S::Transferred, [None, Some(S::Transferred), Some(S::Transferred), Some(S::Transferred), Some(S::InProgress), Some(S::Transferred), Some(S::Transferred), None, None, Some(S::Closed), Some(S::Merged)]),
            (S::Answered, [None, Some(S::Answered), Some(S::Answered), None, None, Some(S::Answered), Some(S::Answered), None, Some(S::InProgress), Some(S::Closed), Some(S::Merged)]),
            (S::Closed, [None, None, Some(S::Closed), None, None, Some(S::Closed), None, None, Some(S::InProgress), None, None]),
            (S::Merged, [None, None, None, None, None, None, None, None, None, None, None]),
        ];
        for (state, row) in table {
            for (action, want) in ActionKind::ALL.into_iter().zip(row) {
                let got = next(state, action, Actor::Desk).ok();
                assert_eq!(got, want, "desk: {state:?} + {action:?}");
                if want.is_none() {
                    assert_eq!(next(state, action, Actor::Desk), Err(Refusal::NotNow));
                }
            }
        }
    }

    #[test]
    fn every_state_and_action_for_the_reporter() {
        for state in Status::ALL {
            for action in ActionKind::ALL {
                let got = next(state, action, Actor::Reporter);
                let want = match (action, state) {
                    (A::Reopen, S::Answered) => Ok(S::InProgress),
                    (A::Close, S::Answered) => Ok(S::Closed),
                    (A::Reopen | A::Close, _) => Err(Refusal::NotNow),
                    _ => Err(Refusal::NotYours),
                };
                assert_eq!(got, want, "reporter: {state:?} + {action:?}");
            }
        }
    }

    #[test]
    fn every_state_and_action_for_a_group_member() {
        for state in Status::ALL {
            for action in ActionKind::ALL {
                let got = next(state, action, Actor::GroupMember);
                let want = match (action, state) {
                    (A::Note, S::Transferred) => Ok(S::Transferred),
                    (A::Return, S::Transferred) => Ok(S::InProgress),
                    (A::Note | A::Return, _) => Err(Refusal::NotNow),
                    _ => Err(Refusal::NotYours),
                };
                assert_eq!(got, want, "member: {state:?} + {action:?}");
            }
        }
    }

    #[test]
    fn available_lists_what_next_allows() {
        assert_eq!(available(S::Merged, Actor::Desk), vec![]);
        assert_eq!(available(S::Answered, Actor::Reporter), vec![A::Reopen, A::Close]);
        assert_eq!(available(S::Transferred, Actor::GroupMember), vec![A::Return, A::Note]);
    }

    #[test]
    fn action_names_round_trip() {
        for a in ActionKind::ALL {
            assert_eq!(ActionKind::parse(a.as_str()), Ok(a));
            assert_eq!(serde_json::to_value(a).unwrap(), serde_json::json!(a.as_str()));
        }
        assert_eq!(ActionKind::parse("delete"), Err(Reason::UnknownValue));
        assert_eq!(ActionKind::parse(" "), Err(Reason::Required));
    }

    fn request(json: serde_json::Value) -> ActionRequest {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn actions_parse_what_they_need() {
        let claim = Action::parse(&request(serde_json::json!({"action": "claim", "version": 3})));
        assert_eq!(claim, Ok(Action::Claim));
        let note = Action::parse(&request(serde_json::json!({"action": "note", "version": 1})));
        assert_eq!(note, Err(vec![FieldError { field: Field::Body, reason: Reason::Required }]));
        let transfer = Action::parse(&request(serde_json::json!({"action": "transfer", "group": "Ops!", "body": "查日志"})));
        assert_eq!(transfer, Err(vec![FieldError { field: Field::Group, reason: Reason::UnknownValue }]));
        let assign = Action::parse(&request(serde_json::json!({"action": "assign", "assignee": "Zhang.San"})));
        assert!(matches!(assign, Ok(Action::Assign { assignee }) if assignee.as_str() == "zhang.san"));
    }

    #[test]
    fn categorize_takes_tags_as_a_list_or_a_line() {
        let listed = Action::parse(&request(serde_json::json!({"action": "categorize", "tags": ["行情", "港股"]})));
        let typed = Action::parse(&request(serde_json::json!({"action": "categorize", "tags": "行情，港股, 行情"})));
        assert_eq!(listed, typed);
        let Ok(Action::Categorize(triage)) = listed else { panic!("{listed:?}") };
        assert_eq!(triage.tags.map(|t| t.len()), Some(2));
        let nothing = Action::parse(&request(serde_json::json!({"action": "categorize"})));
        assert_eq!(nothing, Err(vec![FieldError { field: Field::Category, reason: Reason::Required }]));
        let bad = Action::parse(&request(serde_json::json!({"action": "categorize", "category": "bug", "priority": "P9"})));
        assert_eq!(
            bad,
            Err(vec![
                FieldError { field: Field::Category, reason: Reason::UnknownValue },
                FieldError { field: Field::Priority, reason: Reason::UnknownValue },
            ])
        );
    }

    #[test]
    fn close_takes_an_optional_rating_of_one_to_five() {
        let rated = Action::parse(&request(serde_json::json!({"action": "close", "rating": "5", "body": "很快"})));
        assert!(matches!(rated, Ok(Action::Close { rating: Some(r), comment: Some(_) }) if r.stars() == 5));
        assert_eq!(Action::parse(&request(serde_json::json!({"action": "close"}))), Ok(Action::Close { rating: None, comment: None }));
        for bad in ["0", "6", "x"] {
            let refused = Action::parse(&request(serde_json::json!({"action": "close", "rating": bad})));
            assert_eq!(refused, Err(vec![FieldError { field: Field::Rating, reason: Reason::UnknownValue }]), "{bad}");
        }
    }

    #[test]
    fn notes_transfers_and_returns_stay_internal() {
        let body = MessageBody::parse("x").unwrap();
        assert!(Action::Note { body: body.clone() }.is_internal());
        assert!(Action::Return { body: body.clone(), change: None }.is_internal());
        assert!(!Action::Reply { body: body.clone() }.is_internal());
        assert!(!Action::Answer { body }.is_internal());
    }

    #[test]
    fn canned_replies_fill_their_variables() {
        let canned = CannedReply { id: 1, title: "t".into(), body: "{customer_name}您好，{number} 已修复；{number}".into() };
        assert_eq!(canned.fill("张三", "MSS-20261122-0001"), "张三您好，MSS-20261122-0001 已修复；MSS-20261122-0001");
        assert_eq!(canned.fill("", "N"), "您好，N 已修复；N");
    }

    #[test]
    fn urgency_suggests_a_priority() {
        assert_eq!(Priority::suggested(Urgency::Urgent), Priority::P2);
        assert_eq!(Priority::suggested(Urgency::Normal), Priority::P3);
        assert_eq!(Priority::parse("p1"), Ok(Priority::P1));
        assert!(Priority::P1 < Priority::P4);
    }

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + TimeDelta::minutes(minutes)
    }

    #[test]
    fn default_targets_follow_the_policy() {
        let minutes = |p| {
            let t = SlaTarget::default_for(p);
            (t.first_response_minutes, t.resolution_minutes)
        };
        assert_eq!(minutes(Priority::P1), (30, 240));
        assert_eq!(minutes(Priority::P2), (120, 1440));
        assert_eq!(minutes(Priority::P3), (240, 4320));
        assert_eq!(minutes(Priority::P4), (1440, 7200));
        let p1 = SlaTarget::default_for(Priority::P1);
        assert_eq!(p1.first_response_due(at(0)), at(30));
        assert_eq!(p1.resolution_due(at(0)), at(240));
    }

    #[test]
    fn sla_state_at_the_boundaries() {
        // P1 first response: due at 30 min; due soon from 22.5 min on; late after 30.
        let due = at(30);
        assert_eq!(SlaState::at(at(0), due, 30), SlaState::OnTrack);
        assert_eq!(SlaState::at(at(22), due, 30), SlaState::OnTrack);
        assert_eq!(SlaState::at(at(22) + TimeDelta::seconds(30), due, 30), SlaState::DueSoon);
        assert_eq!(SlaState::at(due, due, 30), SlaState::DueSoon);
        assert_eq!(SlaState::at(due + TimeDelta::seconds(1), due, 30), SlaState::Late);
    }

    #[test]
    fn on_time_includes_the_due_minute() {
        assert!(on_time(at(240), at(240)));
        assert!(on_time(at(239), at(240)));
        assert!(!on_time(at(240) + TimeDelta::seconds(1), at(240)));
    }
}
