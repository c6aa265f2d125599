//! The help center's search: a tantivy index in each instance (BM25), fed from PostgreSQL.
//!
//! Why tantivy in the instance rather than tokens in PostgreSQL: PostgreSQL ranks with
//! `ts_rank` (no BM25, no per-field weights worth the name) and cannot segment Chinese; storing
//! our own tokens there would still leave ranking to us. tantivy gives BM25 over several fields,
//! fast queries of hundreds of terms (a pasted description) and snippets; each instance builds
//! its own index from the articles at start-up and follows changes through the database's
//! notifications, so several instances and a restart need nothing more.
//!
//! A query is taken apart by the same [`Analyzer`] as the articles and built by hand: each word
//! (and its synonyms) is looked for in the title, the tags and the body, the best of the three
//! counting; the text's character pairs and pinyin syllable pairs add a little, so a word inside a
//! longer one and a homophone typo still find their article.
pub mod analyzer;
pub mod relevance;
pub mod vocabulary;

pub use analyzer::Analyzer;
pub use vocabulary::Vocabulary;

use analyzer::{FieldTokenizer, Kind};
use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, Mutex};
use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, INDEXED, STORED,
    STRING,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// An article as the index holds it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub title: String,
    /// The body's text (see `markdown::plain_text`).
    pub body: String,
    pub tags: Vec<String>,
    pub system: String,
    pub category: String,
    /// Reporters find published articles only.
    pub published: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Request<'a> {
    pub text: &'a str,
    pub system: Option<&'a str>,
    pub category: Option<&'a str>,
    pub published_only: bool,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: i64,
    pub score: f32,
    /// A piece of the body around what matched.
    pub snippet: String,
    /// What matched in the snippet, as character ranges.
    pub highlights: Vec<(usize, usize)>,
}

/// How much each kind of match counts.
#[derive(Debug, Clone, Copy)]
pub struct Weights {
    pub title: f32,
    pub tags: f32,
    pub body: f32,
    /// A synonym's match, against the word itself.
    pub synonym: f32,
    /// Per matching pair of characters.
    pub grams: f32,
    /// Per matching pair of syllables.
    pub sounds: f32,
}

impl Weights {
    /// The help center's (chosen on `bench/kb-relevance/dev.jsonl`, never on the scored set).
    pub const HELP: Weights = Weights {
        title: 1.5,
        tags: 1.5,
        body: 1.0,
        synonym: 0.9,
        grams: 0.3,
        sounds: 0.3,
    };
    /// Title and body alike, the words alone: the baseline of the relevance bench.
    pub const BASELINE: Weights = Weights {
        title: 1.0,
        tags: 0.0,
        body: 1.0,
        synonym: 0.0,
        grams: 0.0,
        sounds: 0.0,
    };
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    system: Field,
    category: Field,
    published: Field,
    title: Field,
    tags: Field,
    body: Field,
    grams: Field,
    sounds: Field,
}

const WORDS: &str = "mss_words";
const GRAMS: &str = "mss_grams";
const SOUNDS: &str = "mss_sounds";
/// A snippet's length in characters.
const SNIPPET_CHARS: usize = 90;
/// The part of a body the snippet is chosen from, in bytes (about 200 Chinese characters), so a
/// long article costs no more than a short one.
const WINDOW_BYTES: usize = 600;

pub struct Engine {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    analyzer: Arc<Analyzer>,
    weights: Weights,
}

fn schema() -> (Schema, Fields) {
    let text = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqs),
        )
    };
    let mut s = Schema::builder();
    let fields = Fields {
        id: s.add_u64_field("id", INDEXED | STORED),
        system: s.add_text_field("system", STRING),
        category: s.add_text_field("category", STRING),
        published: s.add_text_field("published", STRING),
        title: s.add_text_field("title", text(WORDS).set_stored()),
        tags: s.add_text_field("tags", text(WORDS)),
        body: s.add_text_field("body", text(WORDS).set_stored()),
        grams: s.add_text_field("grams", text(GRAMS)),
        sounds: s.add_text_field("sounds", text(SOUNDS)),
    };
    (s.build(), fields)
}

impl Engine {
    /// An empty index in memory.
    pub fn in_memory(analyzer: Arc<Analyzer>, weights: Weights) -> tantivy::Result<Engine> {
        let (schema, fields) = schema();
        Engine::open(Index::create_in_ram(schema), fields, analyzer, weights)
    }

    /// An empty index in `dir`: the index of a running instance, on disk so that the operating
    /// system, not the heap, holds what is not in use. An index already there (an earlier run's)
    /// is deleted first; a folder holding anything else is refused, never emptied.
    pub fn in_dir(
        dir: &std::path::Path,
        analyzer: Arc<Analyzer>,
        weights: Weights,
    ) -> tantivy::Result<Engine> {
        if dir.exists() {
            let empty = std::fs::read_dir(dir)?.next().is_none();
            if !empty && !dir.join("meta.json").exists() {
                return Err(tantivy::TantivyError::InvalidArgument(format!(
                    "{} holds something other than a search index",
                    dir.display()
                )));
            }
            std::fs::remove_dir_all(dir)?;
        }
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        Engine::open(
            Index::create_in_dir(dir, schema)?,
            fields,
            analyzer,
            weights,
        )
    }

    fn open(
        index: Index,
        fields: Fields,
        analyzer: Arc<Analyzer>,
        weights: Weights,
    ) -> tantivy::Result<Engine> {
        for (name, kind) in [
            (WORDS, Kind::Words),
            (GRAMS, Kind::Grams),
            (SOUNDS, Kind::Sounds),
        ] {
            index.tokenizers().register(
                name,
                TextAnalyzer::from(FieldTokenizer::new(analyzer.clone(), kind)),
            );
        }
        let writer: IndexWriter = index.writer_with_num_threads(1, 20_000_000)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Engine {
            reader,
            writer: Mutex::new(writer),
            fields,
            analyzer,
            weights,
        })
    }

    pub fn analyzer(&self) -> &Arc<Analyzer> {
        &self.analyzer
    }

    /// Adds or replaces these articles and drops `removed`, then makes it all searchable.
    pub fn apply(&self, entries: &[Entry], removed: &[i64]) -> tantivy::Result<()> {
        let f = self.fields;
        let mut writer = self
            .writer
            .lock()
            .map_err(|_| tantivy::TantivyError::InternalError("index writer poisoned".into()))?;
        for id in removed.iter().copied().chain(entries.iter().map(|e| e.id)) {
            writer.delete_term(Term::from_field_u64(f.id, id as u64));
        }
        for e in entries {
            let tags = e.tags.join(" ");
            let all = format!("{}\n{}\n{}", e.title, tags, e.body);
            writer.add_document(doc!(
                f.id => e.id as u64,
                f.system => e.system.as_str(),
                f.category => e.category.as_str(),
                f.published => if e.published { "yes" } else { "no" },
                f.title => e.title.as_str(),
                f.tags => tags,
                f.body => e.body.as_str(),
                f.grams => all.as_str(),
                f.sounds => all,
            ))?;
        }
        writer.commit()?;
        drop(writer);
        self.reader.reload()
    }

    /// How many articles the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The best `limit` articles for the request, best first.
    pub fn search(&self, request: &Request) -> tantivy::Result<Vec<Hit>> {
        let f = self.fields;
        let w = self.weights;
        let analyzer = &self.analyzer;
        let mut seen = HashSet::new();
        let words: Vec<String> = analyzer
            .words(request.text)
            .into_iter()
            .map(|p| p.text)
            .filter(|t| seen.insert(t.clone()))
            .collect();
        let searcher = self.reader.searcher();
        let words = words_worth_looking_for(&searcher, f.body, words)?;
        let mut shoulds: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // Every word the snippet may highlight.
        let mut highlight: BTreeSet<String> = BTreeSet::new();
        for word in &words {
            let mut disjuncts: Vec<Box<dyn Query>> = Vec::new();
            let itself = std::slice::from_ref(word);
            let alternatives = std::iter::once((itself, 1.0)).chain(
                analyzer
                    .synonyms(word)
                    .map(|s| (s.words.as_slice(), w.synonym)),
            );
            for (terms, weight) in alternatives {
                if weight <= 0.0 || terms.is_empty() {
                    continue;
                }
                for term in terms {
                    highlight.insert(term.clone());
                }
                for (field, boost) in [(f.title, w.title), (f.tags, w.tags), (f.body, w.body)] {
                    if boost <= 0.0 {
                        continue;
                    }
                    let mut term_queries: Vec<Box<dyn Query>> = terms
                        .iter()
                        .map(|t| -> Box<dyn Query> {
                            Box::new(TermQuery::new(
                                Term::from_field_text(field, t),
                                IndexRecordOption::WithFreqs,
                            ))
                        })
                        .collect();
                    let query: Box<dyn Query> = if term_queries.len() == 1 {
                        term_queries.remove(0)
                    } else {
                        Box::new(BooleanQuery::intersection(term_queries))
                    };
                    disjuncts.push(Box::new(BoostQuery::new(query, boost * weight)));
                }
            }
            if !disjuncts.is_empty() {
                shoulds.push((
                    Occur::Should,
                    Box::new(DisjunctionMaxQuery::with_tie_breaker(disjuncts, 0.1)),
                ));
            }
        }
        for (field, weight, pieces) in [
            (f.grams, w.grams, analyzer.grams(request.text)),
            (f.sounds, w.sounds, analyzer.sounds(request.text)),
        ] {
            if weight <= 0.0 {
                continue;
            }
            let mut seen = HashSet::new();
            let pieces: Vec<_> = pieces
                .into_iter()
                .filter(|p| seen.insert(p.text.clone()))
                .collect();
            for piece in pairs_worth_looking_for(&searcher, field, pieces)? {
                shoulds.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(
                            Term::from_field_text(field, &piece.text),
                            IndexRecordOption::WithFreqs,
                        )),
                        weight,
                    )),
                ));
            }
        }
        if shoulds.is_empty() {
            return Ok(Vec::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(BooleanQuery::new(shoulds)))];
        // Drafts and archived articles are left out rather than published ones required: a
        // required filter that most articles pass would drive the search, testing each of them
        // against the query's words (at 50,000 articles, a third of a reader's search).
        if request.published_only {
            clauses.push((
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.published, "no"),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        let filters = [(f.system, request.system), (f.category, request.category)];
        for (field, value) in filters {
            if let Some(value) = value {
                clauses.push((
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(
                        Box::new(TermQuery::new(
                            Term::from_field_text(field, value),
                            IndexRecordOption::Basic,
                        )),
                        0.0,
                    )),
                ));
            }
        }
        let query = BooleanQuery::new(clauses);
        let top = searcher.search(
            &query,
            &TopDocs::with_limit(request.limit.max(1)).order_by_score(),
        )?;
        let terms: Vec<String> = highlight.into_iter().collect();
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let Some(id) = doc.get_first(f.id).and_then(|v| v.as_u64()) else {
                continue;
            };
            let body = doc.get_first(f.body).and_then(|v| v.as_str()).unwrap_or("");
            let (snippet, highlights) = snippet(window(body, &terms), &terms);
            hits.push(Hit {
                id: id as i64,
                score,
                snippet,
                highlights,
            });
        }
        Ok(hits)
    }
}

/// On a large index, the words of a long text (a pasted description) worth a query's time: the
/// 24 found in the fewest articles. A common word costs the most (every article it is in is
/// scored) and weighs the least; a query of fewer words keeps them all, and so does a small index.
fn words_worth_looking_for(
    searcher: &tantivy::Searcher,
    body: Field,
    words: Vec<String>,
) -> tantivy::Result<Vec<String>> {
    const LARGE: u64 = 1_000;
    const MOST: usize = 24;
    if words.len() <= MOST || searcher.num_docs() < LARGE {
        return Ok(words);
    }
    let mut rated = Vec::with_capacity(words.len());
    for word in words {
        rated.push((
            searcher.doc_freq(&Term::from_field_text(body, &word))?,
            word,
        ));
    }
    rated.sort_by_key(|(df, _)| *df);
    rated.truncate(MOST);
    Ok(rated.into_iter().map(|(_, word)| word).collect())
}

/// On a large index, the character or syllable pairs worth a query's time: those in more than
/// a fifth of the articles (客户, 提示) are left out, and of a long text (a pasted description)
/// only the 16 rarest are kept. They cost the most and weigh the least (BM25 gives a common term
/// little); a small index (under 1,000 articles) keeps every pair.
fn pairs_worth_looking_for(
    searcher: &tantivy::Searcher,
    field: Field,
    pieces: Vec<analyzer::Piece>,
) -> tantivy::Result<Vec<analyzer::Piece>> {
    const LARGE: u64 = 1_000;
    const MOST: usize = 16;
    let docs = searcher.num_docs();
    if docs < LARGE {
        return Ok(pieces);
    }
    let mut rated = Vec::with_capacity(pieces.len());
    for piece in pieces {
        let df = searcher.doc_freq(&Term::from_field_text(field, &piece.text))?;
        if df > 0 && df <= docs / 5 {
            rated.push((df, piece));
        }
    }
    rated.sort_by_key(|(df, _)| *df);
    rated.truncate(MOST);
    Ok(rated.into_iter().map(|(_, piece)| piece).collect())
}

/// Where a word of the query is in a text: from, to, and which word.
type Place = (usize, usize, usize);

/// Where the stretch of `span` that holds the most different words starts (0 when there are
/// none). Sorts `places` by where they start, the longer first.
fn densest(places: &mut [Place], span: usize) -> usize {
    places.sort_unstable_by_key(|&(from, to, _)| (from, std::cmp::Reverse(to)));
    let mut best = (0, 0);
    for (n, &(at, _, _)) in places.iter().enumerate() {
        let mut words: Vec<usize> = places[n..]
            .iter()
            .take_while(|&&(_, to, _)| to <= at + span)
            .map(|&(_, _, word)| word)
            .collect();
        words.sort_unstable();
        words.dedup();
        if words.len() > best.1 {
            best = (at, words.len());
        }
    }
    best.0
}

/// The `WINDOW_BYTES` of a long body where the most of the query's words are (its start when
/// none is found as written, e.g. in traditional characters).
fn window<'a>(body: &'a str, terms: &[String]) -> &'a str {
    if body.len() <= WINDOW_BYTES {
        return body;
    }
    // Where each word occurs (its first few places), in bytes.
    let mut places: Vec<Place> = terms
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.is_empty())
        .flat_map(|(i, t)| {
            body.match_indices(t.as_str())
                .take(8)
                .map(move |(at, _)| (at, at + t.len(), i))
        })
        .collect();
    // A little before the first word, on character boundaries.
    let mut start = densest(&mut places, WINDOW_BYTES).saturating_sub(WINDOW_BYTES / 8);
    while !body.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (start + WINDOW_BYTES).min(body.len());
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    &body[start..end]
}

/// The body's piece of about 90 characters with the most of the query's words (its start when
/// none is there), and where those words are in it, in characters. The words are found in the
/// folded text (traditional characters, full-width letters and capitals match), without
/// segmenting it again: that was a quarter of a search's time at 50,000 articles.
fn snippet(body: &str, terms: &[String]) -> (String, Vec<(usize, usize)>) {
    let text: Vec<char> = body.chars().collect();
    let folded: Vec<char> = text.iter().map(|&c| analyzer::fold(c)).collect();
    // Each word's first few places, in characters.
    let mut places: Vec<Place> = Vec::new();
    for (i, term) in terms.iter().enumerate() {
        let term: Vec<char> = term.chars().collect();
        if term.is_empty() || term.len() > folded.len() {
            continue;
        }
        let found = (0..=folded.len() - term.len())
            .filter(|&at| folded[at..at + term.len()] == term[..])
            .take(8)
            .map(|at| (at, at + term.len(), i));
        places.extend(found);
    }
    // A few characters before the first word, without white space at either end.
    let mut start = densest(&mut places, SNIPPET_CHARS).saturating_sub(SNIPPET_CHARS / 6);
    let mut end = (start + SNIPPET_CHARS).min(text.len());
    while start < end && text[start].is_whitespace() {
        start += 1;
    }
    while end > start && text[end - 1].is_whitespace() {
        end -= 1;
    }
    let mut highlights = Vec::new();
    let mut free_from = start;
    for &(from, to, _) in &places {
        if from >= free_from && to <= end {
            // Words side by side (银行 and 卡) are marked as one.
            match highlights.last_mut() {
                Some((_, last)) if *last == from - start => *last = to - start,
                _ => highlights.push((from - start, to - start)),
            }
            free_from = to;
        }
    }
    (text[start..end].iter().collect(), highlights)
}

#[cfg(test)]
mod tests;
