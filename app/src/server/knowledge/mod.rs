//! The knowledge base and the help center: articles, their revisions, and the search.
pub mod markdown;
pub mod search;
