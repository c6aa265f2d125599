//! The search's own words: the domain dictionary (terms the segmenter must keep whole, such as
//! 三方存管) and the synonym groups (两融 = 融资融券). Admins extend both; the seed below is what
//! a new installation starts with.
use std::collections::HashSet;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vocabulary {
    pub terms: Vec<String>,
    /// Each group's words, the canonical one first.
    pub synonyms: Vec<Vec<String>>,
}

impl Vocabulary {
    /// The brokerage and insurance vocabulary a new installation starts with.
    pub fn seed() -> Vocabulary {
        Vocabulary {
            terms: parse_terms(include_str!("seed/terms.txt")),
            synonyms: parse_synonyms(include_str!("seed/synonyms.txt")),
        }
    }
}

/// One term a line; blank lines and `#` comments skipped, duplicates dropped.
pub fn parse_terms(text: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| seen.insert(l.to_string()))
        .map(str::to_owned)
        .collect()
}

/// One group a line, its words separated by `=`.
pub fn parse_synonyms(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.split('=')
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|group| group.len() >= 2)
        .collect()
}
