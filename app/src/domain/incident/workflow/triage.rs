//! What the desk decides about an incident: its priority, category and tags, and the
//! reporter's rating of the answer.
use crate::domain::incident::Urgency;
use crate::domain::{text_between, Reason};
use serde::{Deserialize, Serialize};

named_enum! {
    /// P1 (most urgent) to P4. The reporter's urgency suggests one; the desk decides.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub enum Priority {
        P1 = "P1",
        P2 = "P2",
        #[default]
        P3 = "P3",
        P4 = "P4",
    }
}

impl Priority {
    pub fn parse(raw: &str) -> Result<Priority, Reason> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(Reason::Required);
        }
        Priority::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(raw))
            .ok_or(Reason::UnknownValue)
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

named_enum! {
    /// The three kinds of incident the team counts by.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub enum Category {
        /// 数据类: wrong or missing data, fixed by a script or a change.
        Data = "data",
        /// 程序类: a defect in a program.
        Program = "program",
        /// 咨询类: a question; answered with how things work.
        Consultation = "consultation",
    }
}

impl Category {
    pub fn parse(raw: &str) -> Result<Category, Reason> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(Reason::Required);
        }
        Category::from_name(raw).ok_or(Reason::UnknownValue)
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
        for part in raw
            .split([',', '，'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let tag = Tag::parse(part)?;
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        if tags.len() > Tag::MAX_TAGS {
            return Err(Reason::TooMany {
                max: Tag::MAX_TAGS as u32,
            });
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
