//! What the desk's forms pick from (categories, groups, systems, handlers, canned replies).
use serde::{Deserialize, Serialize};

/// A category and its sub-categories, for the triage form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryOption {
    pub category: crate::domain::incident::views::Named,
    pub subcategories: Vec<crate::domain::incident::views::Named>,
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
        self.body
            .replace("{customer_name}", customer_name)
            .replace("{number}", number)
    }
}

/// What the desk's forms pick from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DeskOptions {
    pub categories: Vec<CategoryOption>,
    pub groups: Vec<crate::domain::incident::views::Named>,
    pub systems: Vec<crate::domain::incident::views::Named>,
    /// Handlers and admins: who an incident can be assigned to (login, name).
    pub handlers: Vec<crate::domain::incident::views::Named>,
    pub canned: Vec<CannedReply>,
}
