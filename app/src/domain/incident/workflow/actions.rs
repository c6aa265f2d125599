//! One workflow action as the desk (or the reporter) asks for it: parsed from the form or the
//! API's JSON into an `Action`, every field's problem at once.
use super::*;
use crate::domain::incident::MessageBody;
use crate::domain::incident::SystemCode;
use crate::domain::{text_between, Code, Field, FieldError, Problems, Reason};
use serde::{Deserialize, Serialize};

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
    Assign {
        assignee: crate::domain::accounts::Login,
    },
    Categorize(Triage),
    Transfer {
        group: Code,
        body: MessageBody,
    },
    Return {
        body: MessageBody,
        change: Option<String>,
    },
    Note {
        body: MessageBody,
    },
    Reply {
        body: MessageBody,
    },
    Answer {
        body: MessageBody,
    },
    Reopen {
        body: MessageBody,
    },
    Close {
        rating: Option<Rating>,
        comment: Option<MessageBody>,
    },
    Merge {
        into: String,
    },
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
        matches!(
            self,
            Action::Note { .. } | Action::Transfer { .. } | Action::Return { .. }
        )
    }

    /// The action and the version it was made against.
    pub fn parse_versioned(req: &ActionRequest) -> Result<(Action, i32), Vec<FieldError>> {
        let version = req.version.ok_or(FieldError {
            field: Field::Version,
            reason: Reason::Required,
        });
        match (Action::parse(req), version) {
            (Ok(action), Ok(version)) => Ok((action, version)),
            (action, version) => Err(action
                .err()
                .unwrap_or_default()
                .into_iter()
                .chain(version.err())
                .collect()),
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
                .check(
                    Field::Assignee,
                    crate::domain::accounts::Login::parse(&text(&req.assignee)),
                )
                .map(|assignee| Action::Assign { assignee }),
            Some(ActionKind::Categorize) => {
                let optional = |raw: &Option<String>| {
                    raw.as_deref()
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                };
                let category = optional(&req.category)
                    .and_then(|c| p.check(Field::Category, Category::parse(&c)));
                let subcategory = optional(&req.subcategory)
                    .and_then(|c| p.check(Field::Subcategory, Code::parse(&c)));
                let system = optional(&req.system)
                    .and_then(|c| p.check(Field::System, SystemCode::parse(&c)));
                let priority = optional(&req.priority)
                    .and_then(|c| p.check(Field::Priority, Priority::parse(&c)));
                let tags = match &req.tags {
                    None => None,
                    Some(Tags::Text(raw)) => p.check(Field::Tags, Tag::parse_list(raw)),
                    Some(Tags::List(list)) => {
                        p.check(Field::Tags, Tag::parse_list(&list.join(",")))
                    }
                };
                let triage = Triage {
                    category,
                    subcategory,
                    system,
                    priority,
                    tags,
                };
                if triage == Triage::default() && p.0.is_empty() {
                    p.0.push(FieldError {
                        field: Field::Category,
                        reason: Reason::Required,
                    });
                }
                Some(Action::Categorize(triage))
            }
            Some(ActionKind::Transfer) => {
                let group = p.check(Field::Group, Code::parse(&text(&req.group)));
                let body = p.check(Field::Body, MessageBody::parse(&text(&req.body)));
                group
                    .zip(body)
                    .map(|(group, body)| Action::Transfer { group, body })
            }
            Some(ActionKind::Return) => {
                let body = p.check(Field::Body, MessageBody::parse(&text(&req.body)));
                let change = match req
                    .change
                    .as_deref()
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                {
                    None => Some(None),
                    Some(c) => p.check(Field::Change, text_between(c, 1, MAX_CHANGE).map(Some)),
                };
                body.zip(change)
                    .map(|(body, change)| Action::Return { body, change })
            }
            Some(
                k
                @ (ActionKind::Note | ActionKind::Reply | ActionKind::Answer | ActionKind::Reopen),
            ) => p
                .check(Field::Body, MessageBody::parse(&text(&req.body)))
                .map(|body| match k {
                    ActionKind::Note => Action::Note { body },
                    ActionKind::Reply => Action::Reply { body },
                    ActionKind::Answer => Action::Answer { body },
                    _ => Action::Reopen { body },
                }),
            Some(ActionKind::Close) => {
                let rating = p.check(Field::Rating, Rating::parse(&text(&req.rating)));
                let comment = match req.body.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                    None => Some(None),
                    Some(c) => p.check(Field::Body, MessageBody::parse(c).map(Some)),
                };
                rating
                    .zip(comment)
                    .map(|(rating, comment)| Action::Close { rating, comment })
            }
            Some(ActionKind::Merge) => p
                .check(Field::Into, text_between(&text(&req.into), 1, 40))
                .map(|into| Action::Merge { into }),
        };
        p.into_result(action)
    }
}
