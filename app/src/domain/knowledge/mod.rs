//! The knowledge base: articles the team writes (often from a solved incident), what a save
//! sends, and what the help center and the desk show of them.
pub mod links;
pub mod redact;

use crate::domain::incident::workflow::{Category, Tag, Tags};
use crate::domain::{text_between, Code, Field, FieldError, Problems, Reason};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

named_enum! {
    /// Where an article stands: drafts and archived articles are the team's alone.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
    #[serde(rename_all = "snake_case")]
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub enum ArticleStatus {
        #[default]
        Draft = "draft",
        Published = "published",
        Archived = "archived",
    }
}

impl ArticleStatus {
    pub fn parse(raw: &str) -> Result<ArticleStatus, Reason> {
        match raw.trim() {
            "" => Ok(ArticleStatus::Draft),
            other => ArticleStatus::from_name(other).ok_or(Reason::UnknownValue),
        }
    }
}

/// An article's title: 2 to 120 characters.
pub const TITLE_CHARS: (usize, usize) = (2, 120);
/// An article's body (Markdown): up to 100,000 characters.
pub const BODY_CHARS: usize = 100_000;

/// What a save sends (the editor's form, the API's JSON), before it is checked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ArticleInput {
    pub title: String,
    /// Markdown: numbered steps, tables, images (`![](/api/v1/screenshots/…)`) and flow
    /// charts in a fenced `dot` block.
    pub body: String,
    /// A system's code (`trading`).
    pub system: String,
    /// `data`, `program` or `consultation`.
    pub category: Option<String>,
    /// A sub-category's code of that category.
    pub subcategory: Option<String>,
    /// A list, or one string separated by commas.
    pub tags: Option<Tags>,
    /// `draft` (default) or `published`; `archived` on an update.
    pub status: Option<String>,
    /// On an update: the version the edit started from (409 when another save came first).
    pub version: Option<i32>,
}

/// A save, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleDraft {
    pub title: String,
    pub body: String,
    pub system: Code,
    pub category: Option<Category>,
    pub subcategory: Option<Code>,
    pub tags: Vec<Tag>,
    pub status: ArticleStatus,
}

impl ArticleInput {
    /// Every field's problem at once.
    pub fn parse(&self) -> Result<ArticleDraft, Vec<FieldError>> {
        let mut p = Problems::default();
        let title = p.check(
            Field::Title,
            text_between(&self.title, TITLE_CHARS.0, TITLE_CHARS.1),
        );
        let body = p.check(Field::Body, text_between(&self.body, 1, BODY_CHARS));
        let system = p.check(Field::System, Code::parse(&self.system));
        let category = p
            .check(
                Field::Category,
                blank_or(self.category.as_deref(), Category::parse),
            )
            .flatten();
        let subcategory = p
            .check(
                Field::Subcategory,
                blank_or(self.subcategory.as_deref(), Code::parse),
            )
            .flatten();
        if subcategory.is_some()
            && category.is_none()
            && !p.0.iter().any(|e| e.field == Field::Category)
        {
            p.0.push(FieldError {
                field: Field::Category,
                reason: Reason::Required,
            });
        }
        let tags = p.check(
            Field::Tags,
            match &self.tags {
                None => Ok(Vec::new()),
                Some(Tags::Text(raw)) => Tag::parse_list(raw),
                Some(Tags::List(list)) => Tag::parse_list(&list.join(",")),
            },
        );
        let status = p.check(
            Field::Status,
            ArticleStatus::parse(self.status.as_deref().unwrap_or("")),
        );
        let draft = (|| {
            Some(ArticleDraft {
                title: title?,
                body: body?,
                system: system?,
                category,
                subcategory,
                tags: tags?,
                status: status?,
            })
        })();
        p.into_result(draft)
    }

    /// The version an update names (required there).
    pub fn parse_version(&self) -> Result<i32, FieldError> {
        match self.version {
            Some(v) if v > 0 => Ok(v),
            Some(_) => Err(FieldError {
                field: Field::Version,
                reason: Reason::UnknownValue,
            }),
            None => Err(FieldError {
                field: Field::Version,
                reason: Reason::Required,
            }),
        }
    }
}

fn blank_or<T>(
    raw: Option<&str>,
    parse: impl Fn(&str) -> Result<T, Reason>,
) -> Result<Option<T>, Reason> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => parse(value).map(Some),
    }
}

/// An incident an article came from or solved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LinkedIncident {
    pub id: i64,
    pub number: String,
    /// `source` (written from it) or `solved` (sent as its answer).
    pub relation: String,
}

/// An article as the desk, the help center and the API show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Article {
    pub id: i64,
    pub title: String,
    /// The Markdown as written.
    pub body: String,
    /// The body as safe HTML: sanitized, its flow charts drawn as SVG images.
    pub html: String,
    /// The system's code, and its name in the reader's language.
    pub system: String,
    pub system_name: String,
    pub category: Option<Category>,
    pub subcategory: Option<String>,
    pub subcategory_name: Option<String>,
    pub tags: Vec<String>,
    pub status: ArticleStatus,
    pub author: String,
    /// The latest revision's number: an update names it.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    /// The team's only (empty for reporters).
    pub incidents: Vec<LinkedIncident>,
    /// For a draft written from an incident: what was taken out of it, for a person to confirm
    /// (the team's only).
    pub redactions: Vec<redact::Removal>,
}

/// One line of an article's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Revision {
    pub number: i32,
    pub title: String,
    pub editor: String,
    pub created_at: DateTime<Utc>,
    /// A rollback: the revision whose content it restored.
    pub restored_from: Option<i32>,
}

named_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub enum DiffOp {
        Equal = "equal",
        Insert = "insert",
        Delete = "delete",
    }
}

/// A run of characters a comparison kept, added or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DiffPart {
    pub op: DiffOp,
    pub text: String,
}

/// Two versions of an article compared, character by character.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Comparison {
    pub title: Vec<DiffPart>,
    pub body: Vec<DiffPart>,
}

/// What a save that came too late learns: the article as it is now, and what saving the
/// caller's text over it would change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Stale {
    pub current: Article,
    /// From the current version to the caller's.
    pub diff: Comparison,
}

/// A search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Found {
    pub id: i64,
    pub title: String,
    /// A piece of the body around what matched.
    pub snippet: String,
    /// What matched in the snippet, as character ranges `[from, to)`.
    pub highlights: Vec<(usize, usize)>,
    pub system: String,
    pub score: f32,
}

/// A draft written from a solved incident, with what was taken out of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct IncidentDraft {
    pub article: Article,
    pub removed: Vec<redact::Removal>,
}

/// One line of a help-center list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleLine {
    pub id: i64,
    pub title: String,
    pub system_name: String,
    /// The body's first words, as text.
    pub excerpt: String,
    pub updated_at: DateTime<Utc>,
}

/// A system's tile on the help center's home.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemTile {
    pub code: String,
    pub name: String,
    /// Its published articles.
    pub articles: i64,
}

/// The help center's home: a tile per system, the week's hot questions, what changed lately.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HelpHome {
    pub systems: Vec<SystemTile>,
    pub hot: Vec<ArticleLine>,
    pub recent: Vec<ArticleLine>,
}

/// A system's published articles, optionally of one category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HelpList {
    pub system: SystemTile,
    pub category: Option<Category>,
    /// How many articles each category has in the system.
    pub counts: Vec<(Category, i64)>,
    pub items: Vec<ArticleLine>,
    /// The next page's cursor, if there is one.
    pub next: Option<String>,
}

/// An article page: the article, related ones, and the reader's vote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HelpArticle {
    pub article: Article,
    pub related: Vec<ArticleLine>,
    /// "这篇解答有帮助吗？" as this reader answered it.
    pub vote: Option<bool>,
}

/// The desk editor's form, as a browser sends it (every field text).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EditorForm {
    /// Empty for a new article.
    pub id: String,
    pub title: String,
    pub body: String,
    pub system: String,
    pub category: String,
    pub subcategory: String,
    /// Separated by commas.
    pub tags: String,
    pub status: String,
    pub version: String,
}

impl EditorForm {
    /// The same save as the API's.
    pub fn input(&self) -> ArticleInput {
        let some = |s: &str| (!s.trim().is_empty()).then(|| s.to_owned());
        ArticleInput {
            title: self.title.clone(),
            body: self.body.clone(),
            system: self.system.clone(),
            category: some(&self.category),
            subcategory: some(&self.subcategory),
            tags: Some(Tags::Text(self.tags.clone())),
            status: some(&self.status),
            version: self.version.trim().parse().ok(),
        }
    }

    pub fn from_article(a: &Article) -> EditorForm {
        EditorForm {
            id: a.id.to_string(),
            title: a.title.clone(),
            body: a.body.clone(),
            system: a.system.clone(),
            category: a
                .category
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            subcategory: a.subcategory.clone().unwrap_or_default(),
            tags: a.tags.join("，"),
            status: a.status.as_str().to_owned(),
            version: a.version.to_string(),
        }
    }
}

/// What a save from the desk's editor did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EditorSaved {
    Done {
        id: i64,
        version: i32,
    },
    /// Someone saved first: nothing was written.
    Stale(Box<Stale>),
}

/// One line of the desk's article list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeskArticle {
    pub id: i64,
    pub title: String,
    pub system_name: String,
    pub status: ArticleStatus,
    pub author: String,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

/// A term the segmenter keeps whole (三方存管), added by an admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub id: i64,
    pub term: String,
}

/// Words that mean the same (两融 = 融资融券), the canonical one first, added by an admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynonymGroup {
    pub id: i64,
    pub words: Vec<String>,
}

/// The search's words: what admins added, and how many are built in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchWords {
    pub terms: Vec<Term>,
    pub synonyms: Vec<SynonymGroup>,
    pub built_in_terms: usize,
    pub built_in_synonyms: usize,
}

/// A term as an admin adds it: 2 to 20 characters, no spaces or `=`.
pub fn parse_term(raw: &str) -> Result<String, Reason> {
    let term = text_between(raw, 2, 20)?;
    if term
        .chars()
        .any(|c| c.is_whitespace() || c == '=' || c == ',' || c == '，')
    {
        return Err(Reason::UnknownValue);
    }
    Ok(term)
}

/// A synonym group as an admin types it: `两融 = 融资融券` (or commas), 2 to 10 distinct terms.
pub fn parse_synonyms(raw: &str) -> Result<Vec<String>, Reason> {
    let mut words: Vec<String> = Vec::new();
    for part in raw
        .split(['=', ',', '，', '＝'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let word = text_between(part, 1, 20)?;
        if !words.contains(&word) {
            words.push(word);
        }
    }
    match words.len() {
        0 => Err(Reason::Required),
        1 => Err(Reason::TooShort { min: 2 }),
        n if n > 10 => Err(Reason::TooMany { max: 10 }),
        _ => Ok(words),
    }
}

/// One of a week's hot questions, for the team's weekly meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HotQuestion {
    pub id: i64,
    pub title: String,
    pub system_name: String,
    pub rank: i32,
    /// Its rank the week before (`None`: new in the list).
    pub previous_rank: Option<i32>,
    /// The week before's counts: reads, "helpful" votes, incidents it came from or solved.
    pub views: i32,
    pub helpful: i32,
    pub incidents: i32,
    /// The weighted score the ranking is by (older weeks count less).
    pub score: f64,
}

/// A week's hot questions, as the weekly job ranked them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HotWeek {
    /// The week's Monday (`None`: never computed).
    pub week: Option<chrono::NaiveDate>,
    /// When and by whom it was computed (`scheduler` or an admin).
    pub computed_at: Option<DateTime<Utc>>,
    pub computed_by: Option<String>,
    pub items: Vec<HotQuestion>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ArticleInput {
        ArticleInput {
            title: "两融账户开通条件".into(),
            body: "1. 资产满 50 万\n2. 交易满半年".into(),
            system: "trading".into(),
            category: Some("consultation".into()),
            subcategory: Some("consultation_rules".into()),
            tags: Some(Tags::Text("两融，开户".into())),
            status: None,
            version: None,
        }
    }

    #[test]
    fn a_complete_save_parses_as_a_draft() {
        let draft = input().parse().unwrap();
        assert_eq!(draft.status, ArticleStatus::Draft);
        assert_eq!(draft.category, Some(Category::Consultation));
        assert_eq!(
            draft.tags.iter().map(Tag::as_str).collect::<Vec<_>>(),
            ["两融", "开户"]
        );
    }

    #[test]
    fn every_problem_at_once() {
        let bad = ArticleInput {
            title: "两".into(),
            body: " ".into(),
            system: "交易".into(),
            category: Some("other".into()),
            status: Some("live".into()),
            ..input()
        };
        let fields: Vec<Field> = bad.parse().unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                Field::Title,
                Field::Body,
                Field::System,
                Field::Category,
                Field::Status
            ]
        );
    }

    #[test]
    fn a_subcategory_needs_its_category() {
        let bad = ArticleInput {
            category: None,
            ..input()
        };
        let errors = bad.parse().unwrap_err();
        assert_eq!(
            errors,
            [FieldError {
                field: Field::Category,
                reason: Reason::Required
            }]
        );
    }

    #[test]
    fn admins_words_are_checked() {
        assert_eq!(parse_term(" 港股通 "), Ok("港股通".into()));
        assert_eq!(parse_term("港 股"), Err(Reason::UnknownValue));
        assert_eq!(
            parse_synonyms("两融 = 融资融券，两融"),
            Ok(vec!["两融".into(), "融资融券".into()])
        );
        assert_eq!(parse_synonyms("两融"), Err(Reason::TooShort { min: 2 }));
    }

    #[test]
    fn an_update_names_its_version() {
        assert_eq!(
            input().parse_version().unwrap_err().reason,
            Reason::Required
        );
        let with = ArticleInput {
            version: Some(3),
            ..input()
        };
        assert_eq!(with.parse_version(), Ok(3));
    }
}
