//! Scoring the search on a judged set (`bench/kb-relevance`): MRR@10 and Recall@5, overall and
//! per kind of query, for the help center's search and for a plain baseline (jieba's own
//! dictionary, BM25 over title and body, nothing else). Used by `bench/kb-relevance.sh` and by
//! a test that keeps the figures from falling.
use super::{Analyzer, Engine, Entry, Request, Vocabulary, Weights};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone, Deserialize)]
pub struct JudgedArticle {
    pub key: String,
    pub title: String,
    pub system: String,
    pub category: String,
    #[serde(default)]
    pub subcategory: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub body: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct JudgedQuery {
    pub q: String,
    pub kind: String,
    /// The articles that answer it, best first.
    pub answers: Vec<String>,
}

/// Reads one JSON object a line.
pub fn read_lines<T: serde::de::DeserializeOwned>(text: &str) -> Result<Vec<T>, serde_json::Error> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect()
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Score {
    pub queries: usize,
    pub mrr10: f64,
    pub recall5: f64,
}

/// Scores by kind of query, and `"all"`.
pub type Scores = BTreeMap<String, Score>;

/// An engine holding the judged articles (ids are their positions).
pub fn engine(
    articles: &[JudgedArticle],
    analyzer: Analyzer,
    weights: Weights,
) -> tantivy::Result<Engine> {
    let engine = Engine::in_memory(Arc::new(analyzer), weights)?;
    let entries: Vec<Entry> = articles
        .iter()
        .enumerate()
        .map(|(i, a)| Entry {
            id: i as i64,
            title: a.title.clone(),
            body: crate::server::knowledge::markdown::plain_text(&a.body),
            tags: a.tags.clone(),
            system: a.system.clone(),
            category: a.category.clone(),
            published: true,
        })
        .collect();
    engine.apply(&entries, &[])?;
    Ok(engine)
}

/// The help center's engine (with `weights`, `Weights::HELP` but when tuning) and the baseline's, on the same articles.
pub fn engines(articles: &[JudgedArticle], weights: Weights) -> tantivy::Result<(Engine, Engine)> {
    Ok((
        engine(articles, Analyzer::new(&Vocabulary::seed()), weights)?,
        engine(articles, Analyzer::plain(), Weights::BASELINE)?,
    ))
}

pub fn score(
    engine: &Engine,
    articles: &[JudgedArticle],
    queries: &[JudgedQuery],
) -> tantivy::Result<Scores> {
    let mut sums: BTreeMap<String, (usize, f64, f64)> = BTreeMap::new();
    for query in queries {
        let hits = engine.search(&Request {
            text: &query.q,
            limit: 10,
            ..Request::default()
        })?;
        let keys: Vec<&str> = hits
            .iter()
            .filter_map(|h| articles.get(h.id as usize).map(|a| a.key.as_str()))
            .collect();
        let answers = |key: &&str| query.answers.iter().any(|a| a == key);
        let rank = keys.iter().position(answers);
        let reciprocal = rank.map_or(0.0, |r| 1.0 / (r + 1) as f64);
        let found = keys.iter().take(5).filter(|k| answers(k)).count();
        let recall = found as f64 / query.answers.len().max(1) as f64;
        for kind in [query.kind.as_str(), "all"] {
            let sum = sums.entry(kind.to_owned()).or_default();
            sum.0 += 1;
            sum.1 += reciprocal;
            sum.2 += recall;
        }
    }
    Ok(sums
        .into_iter()
        .map(|(kind, (n, rr, recall))| {
            (
                kind,
                Score {
                    queries: n,
                    mrr10: rr / n as f64,
                    recall5: recall / n as f64,
                },
            )
        })
        .collect())
}

/// The table the bench prints (Markdown, for the README).
pub fn table(ours: &Scores, baseline: &Scores) -> String {
    let mut out = String::from(
        "| queries | n | MRR@10 | Recall@5 | baseline MRR@10 | baseline Recall@5 |\n|---|---|---|---|---|---|\n",
    );
    let mut kinds: Vec<&String> = ours.keys().filter(|k| *k != "all").collect();
    let all = "all".to_owned();
    kinds.push(&all);
    for kind in kinds {
        let (o, b) = (
            ours.get(kind).copied().unwrap_or_default(),
            baseline.get(kind).copied().unwrap_or_default(),
        );
        out.push_str(&format!(
            "| {kind} | {} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
            o.queries, o.mrr10, o.recall5, b.mrr10, b.recall5
        ));
    }
    out
}
