//! What admins manage: accounts, the lists the desk picks from (systems, transfer groups,
//! categories), canned replies and service-level targets; and their search of the audit trail.
//! Each form arrives raw and is parsed here once, for both builds.
use super::accounts::{DisplayName, Login, NewPassword, Role};
use super::incident::workflow::{Category, Priority};
use super::{text_between, Code, Field, FieldError, Problems, Reason};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A WeCom (企业微信) user id: what WeCom's address book calls `userid` (letters, digits, `_`,
/// `.`, `@`, `-`; at most 64). Kept as typed: WeCom compares it without case, and so do we.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WecomUserId(String);

impl WecomUserId {
    /// Empty means none.
    pub fn parse_optional(raw: &str) -> Result<Option<WecomUserId>, Reason> {
        let value = raw.trim();
        if value.is_empty() {
            return Ok(None);
        }
        if value.chars().count() > 64 {
            return Err(Reason::TooLong { max: 64 });
        }
        if value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '@' | '-'))
        {
            Ok(Some(WecomUserId(value.to_owned())))
        } else {
            Err(Reason::LoginChars)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The groups ticked on a user's form, as posted (`groups[0]=testing&groups[2]=operations`).
fn group_codes(raw: &[String]) -> Result<Vec<Code>, Reason> {
    let mut codes: Vec<Code> = Vec::new();
    for code in raw.iter().filter(|c| !c.trim().is_empty()) {
        let code = Code::parse(code)?;
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    Ok(codes)
}

/// The account form: creating one (`password` required) or changing one (`password` ignored;
/// passwords are reset with their own form).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserForm {
    pub login: String,
    pub display_name: String,
    pub role: String,
    #[serde(default)]
    pub wecom_user_id: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub groups: Vec<String>,
    /// `on` when ticked: on duty, @-mentioned in the robot's message for P1 and urgent incidents.
    #[serde(default)]
    pub on_duty: String,
}

/// An account's settings, checked.
#[derive(Debug)]
pub struct UserChange {
    pub login: Login,
    pub display_name: DisplayName,
    pub role: Role,
    pub wecom_user_id: Option<WecomUserId>,
    pub groups: Vec<Code>,
    pub on_duty: bool,
}

impl std::fmt::Debug for UserForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserForm")
            .field("login", &self.login)
            .field("display_name", &self.display_name)
            .field("role", &self.role)
            .field("wecom_user_id", &self.wecom_user_id)
            .field("password", &super::Redacted(&self.password))
            .field("groups", &self.groups)
            .field("on_duty", &self.on_duty)
            .finish()
    }
}

impl UserForm {
    fn parse_common(&self, p: &mut Problems) -> Option<UserChange> {
        let login = p.check(Field::Login, Login::parse(&self.login));
        let display_name = p.check(Field::DisplayName, DisplayName::parse(&self.display_name));
        let role = p.check(
            Field::Role,
            if self.role.trim().is_empty() {
                Err(Reason::Required)
            } else {
                Role::parse(&self.role)
            },
        );
        let wecom = p.check(
            Field::WecomUserId,
            WecomUserId::parse_optional(&self.wecom_user_id),
        );
        // Transfer groups are for members: ticked for another role, they are refused (an
        // account changed away from member leaves its groups: untick them).
        let groups = p.check(
            Field::Group,
            group_codes(&self.groups).and_then(|groups| match role {
                Some(role) if role != Role::Member && !groups.is_empty() => {
                    Err(Reason::MembersOnly)
                }
                _ => Ok(groups),
            }),
        );
        let on_duty = !self.on_duty.trim().is_empty();
        Some(UserChange {
            login: login?,
            display_name: display_name?,
            role: role?,
            wecom_user_id: wecom?,
            groups: groups?,
            on_duty,
        })
    }

    /// A new account: everything, with a password of at least 8 characters.
    pub fn parse_new(&self) -> Result<(UserChange, NewPassword), Vec<FieldError>> {
        let mut p = Problems::default();
        let change = self.parse_common(&mut p);
        let password = p.check(Field::Password, NewPassword::parse(&self.password));
        p.into_result(change.zip(password))
    }

    /// Changes to an existing account (named by `login`, which does not change).
    pub fn parse_change(&self) -> Result<UserChange, Vec<FieldError>> {
        let mut p = Problems::default();
        let change = self.parse_common(&mut p);
        p.into_result(change)
    }
}

/// An account as the admin's list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub wecom_user_id: Option<String>,
    /// Group codes.
    pub groups: Vec<String>,
    pub on_duty: bool,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

named_enum! {
    /// The lists admins keep: the systems a report names, the groups incidents are transferred
    /// to, and the categories with their sub-categories.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum ListKind {
        System = "system",
        Group = "group",
        Category = "category",
    }
}

impl ListKind {
    pub fn parse(raw: &str) -> Result<ListKind, Reason> {
        ListKind::from_name(raw.trim()).ok_or(Reason::UnknownValue)
    }
}

/// One entry of a list, as the admin's page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListEntry {
    pub id: i64,
    pub kind: ListKind,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub position: i32,
    pub active: bool,
    /// A sub-category's category (`data`, `program`, `consultation`); `None` for everything else.
    pub parent: Option<Category>,
}

impl ListEntry {
    /// The three categories themselves are the domain's: renamed and reordered, never retired.
    pub fn fixed(&self) -> bool {
        self.kind == ListKind::Category && self.parent.is_none()
    }
}

/// A list entry's form: a new one when `id` is empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListEntryForm {
    pub kind: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default)]
    pub position: String,
    /// A checkbox: present ("on") when ticked.
    #[serde(default)]
    pub active: Option<String>,
    /// A new sub-category's category.
    #[serde(default)]
    pub parent: String,
}

#[derive(Debug)]
pub enum ListEntryChange {
    New {
        kind: ListKind,
        code: Code,
        parent: Option<Category>,
        names: EntryNames,
    },
    Edit {
        kind: ListKind,
        id: i64,
        names: EntryNames,
        active: bool,
    },
}

#[derive(Debug)]
pub struct EntryNames {
    pub name_zh: String,
    pub name_en: String,
    pub position: i32,
}

/// A position in a list: empty is 0; otherwise a whole number up to 9999.
fn position(raw: &str) -> Result<i32, Reason> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(0);
    }
    match raw.parse::<i32>() {
        Ok(n) if (0..=9999).contains(&n) => Ok(n),
        _ => Err(Reason::NumberBetween { min: 0, max: 9999 }),
    }
}

impl ListEntryForm {
    pub fn parse(&self) -> Result<ListEntryChange, Vec<FieldError>> {
        let mut p = Problems::default();
        let kind = p.check(Field::Kind, ListKind::parse(&self.kind));
        let name_zh = p.check(Field::NameZh, text_between(&self.name_zh, 1, 40));
        let name_en = p.check(Field::NameEn, text_between(&self.name_en, 1, 60));
        let position = p.check(Field::Position, position(&self.position));
        let names = name_zh
            .zip(name_en)
            .zip(position)
            .map(|((name_zh, name_en), position)| EntryNames {
                name_zh,
                name_en,
                position,
            });
        if self.id.trim().is_empty() {
            let code = p.check(Field::Code, Code::parse(&self.code));
            let parent = match kind {
                Some(ListKind::Category) => p
                    .check(Field::Category, Category::parse(&self.parent))
                    .map(Some),
                _ => Some(None),
            };
            // The three category codes belong to the categories themselves.
            if let (Some(ListKind::Category), Some(c)) = (kind, &code) {
                if Category::parse(c.as_str()).is_ok() {
                    p.0.push(FieldError {
                        field: Field::Code,
                        reason: Reason::Taken,
                    });
                }
            }
            let new =
                kind.zip(code)
                    .zip(parent)
                    .zip(names)
                    .map(|(((kind, code), parent), names)| ListEntryChange::New {
                        kind,
                        code,
                        parent,
                        names,
                    });
            p.into_result(new)
        } else {
            let id = p.check(
                Field::Id,
                self.id
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| Reason::UnknownValue),
            );
            let active = self
                .active
                .as_deref()
                .is_some_and(|v| !v.is_empty() && v != "false");
            let edit = kind
                .zip(id)
                .zip(names)
                .map(|((kind, id), names)| ListEntryChange::Edit {
                    kind,
                    id,
                    names,
                    active,
                });
            p.into_result(edit)
        }
    }
}

/// A canned reply as the admin's page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CannedRow {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub position: i32,
    pub active: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CannedForm {
    /// Empty: a new one.
    #[serde(default)]
    pub id: String,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub active: Option<String>,
}

#[derive(Debug)]
pub struct CannedChange {
    pub id: Option<i64>,
    pub title: String,
    pub body: String,
    pub position: i32,
    pub active: bool,
}

/// The variables a canned reply may use; anything else in braces is probably a typo.
pub const CANNED_VARIABLES: [&str; 2] = ["{customer_name}", "{number}"];

fn canned_body(raw: &str) -> Result<String, Reason> {
    let body = text_between(raw, 1, 2000)?;
    // Every `{…}` must be one of the variables.
    let mut rest = body.as_str();
    while let Some(start) = rest.find('{') {
        let tail = &rest[start..];
        match CANNED_VARIABLES.iter().find(|v| tail.starts_with(**v)) {
            Some(v) => rest = &tail[v.len()..],
            None => return Err(Reason::UnknownVariable),
        }
    }
    Ok(body)
}

impl CannedForm {
    pub fn parse(&self) -> Result<CannedChange, Vec<FieldError>> {
        let mut p = Problems::default();
        let id = if self.id.trim().is_empty() {
            Some(None)
        } else {
            p.check(
                Field::Id,
                self.id
                    .trim()
                    .parse::<i64>()
                    .map(Some)
                    .map_err(|_| Reason::UnknownValue),
            )
        };
        let title = p.check(Field::Title, text_between(&self.title, 1, 40));
        let body = p.check(Field::Body, canned_body(&self.body));
        let position = p.check(Field::Position, position(&self.position));
        // A new reply starts in use; an existing one is in use when its box is ticked.
        let active = id.flatten().is_none()
            || self
                .active
                .as_deref()
                .is_some_and(|v| !v.is_empty() && v != "false");
        let change =
            id.zip(title)
                .zip(body)
                .zip(position)
                .map(|(((id, title), body), position)| CannedChange {
                    id,
                    title,
                    body,
                    position,
                    active,
                });
        p.into_result(change)
    }
}

/// One priority's targets, in calendar minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaRow {
    pub priority: Priority,
    pub first_response_minutes: i32,
    pub resolution_minutes: i32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SlaForm {
    pub priority: String,
    pub first_response_minutes: String,
    pub resolution_minutes: String,
}

/// At most a year.
const MAX_MINUTES: i32 = 525_600;

fn minutes(raw: &str) -> Result<i32, Reason> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Reason::Required);
    }
    match raw.parse::<i32>() {
        Ok(n) if (1..=MAX_MINUTES).contains(&n) => Ok(n),
        _ => Err(Reason::NumberBetween {
            min: 1,
            max: MAX_MINUTES as u32,
        }),
    }
}

impl SlaForm {
    pub fn parse(&self) -> Result<SlaRow, Vec<FieldError>> {
        let mut p = Problems::default();
        let priority = p.check(Field::Priority, Priority::parse(&self.priority));
        let first = p.check(
            Field::FirstResponseMinutes,
            minutes(&self.first_response_minutes),
        );
        let resolution = p.check(Field::ResolutionMinutes, minutes(&self.resolution_minutes));
        if let (Some(f), Some(r)) = (first, resolution) {
            if r < f {
                p.0.push(FieldError {
                    field: Field::ResolutionMinutes,
                    reason: Reason::BeforeFirstResponse,
                });
            }
        }
        let row = priority.zip(first).zip(resolution).map(
            |((priority, first_response_minutes), resolution_minutes)| SlaRow {
                priority,
                first_response_minutes,
                resolution_minutes,
            },
        );
        p.into_result(row)
    }
}

/// The admin's search of the audit trail, as its URL has it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// An incident's number.
    #[serde(default)]
    pub incident: Option<String>,
    /// Who did it (a login).
    #[serde(default)]
    pub actor: Option<String>,
    /// What was done (`claim`, `reveal`, `user.disable`, …).
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    /// The id of the last line of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditFilter {
    pub incident: Option<super::incident::IncidentNumber>,
    pub actor: Option<Login>,
    pub action: Option<String>,
    /// From the start of the first day to the end of the last (business days).
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub before_id: Option<i64>,
}

fn optional<T>(
    raw: &Option<String>,
    parse: impl Fn(&str) -> Result<T, Reason>,
) -> Result<Option<T>, Reason> {
    match raw.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => parse(v).map(Some),
        None => Ok(None),
    }
}

impl AuditQuery {
    pub fn parse(&self) -> Result<AuditFilter, Vec<FieldError>> {
        let mut p = Problems::default();
        let incident = p.check(
            Field::Incident,
            optional(&self.incident, |v| {
                super::incident::IncidentNumber::parse(v).map_err(|_| Reason::UnknownValue)
            }),
        );
        let actor = p.check(Field::Actor, optional(&self.actor, Login::parse));
        let action = p.check(
            Field::Action,
            optional(&self.action, |v| {
                let ok = v.len() <= 40
                    && v.chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.');
                if ok {
                    Ok(v.to_owned())
                } else {
                    Err(Reason::UnknownValue)
                }
            }),
        );
        let from = p.check(Field::From, optional(&self.from, super::time::parse_day));
        let to = p.check(Field::To, optional(&self.to, super::time::parse_day));
        let before_id = p.check(
            Field::Cursor,
            optional(&self.cursor, |v| {
                v.parse::<i64>().map_err(|_| Reason::UnknownValue)
            }),
        );
        let filter = incident
            .zip(actor)
            .zip(action)
            .zip(from)
            .zip(to)
            .zip(before_id)
            .map(|(((((incident, actor), action), from), to), before_id)| {
                let (from, to) = super::time::day_span(from, to);
                AuditFilter {
                    incident,
                    actor,
                    action,
                    from,
                    to,
                    before_id,
                }
            });
        p.into_result(filter)
    }

    /// The query string of this search starting after `cursor`.
    pub fn with_cursor(&self, cursor: Option<i64>) -> String {
        let pairs = [
            ("incident", &self.incident),
            ("actor", &self.actor),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ];
        let mut parts: Vec<String> = pairs
            .iter()
            .filter_map(|(k, v)| {
                v.as_deref()
                    .filter(|v| !v.is_empty())
                    .map(|v| format!("{k}={}", crate::paths::encode_query(v)))
            })
            .collect();
        if let Some(c) = cursor {
            parts.push(format!("cursor={c}"));
        }
        parts.join("&")
    }
}

/// One line of the audit trail in the admin's search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// `None`: the system.
    pub actor: Option<String>,
    pub action: String,
    pub incident: Option<String>,
    pub detail: String,
}

#[cfg(test)]
mod tests;
