//! Text as the search sees it, the same for an article and a query.
//!
//! Every character is first folded on its own (full-width to half-width, traditional to
//! simplified by OpenCC's character table, upper to lower case), so a folded text has exactly
//! the characters of the original and every token can point back into what the author wrote
//! (highlights). Then three kinds of tokens come out of it:
//! - **words**: jieba's search mode (a long word and the dictionary words inside it: 待处理 gives
//!   处理 too), with the domain dictionary added; letters and digits run together (`ios17`) also
//!   give their parts (`ios`, `17`);
//! - **grams**: every two neighbouring Chinese characters, so a word is found inside a longer one
//!   whatever the dictionary knows;
//! - **sounds**: every two neighbouring syllables in pinyin without tones, so a homophone typo
//!   (三方存官) still meets the word it stands for (三方存管: `sanfang`, `fangcun`, `cunguan`).
use super::vocabulary::Vocabulary;
use jieba_rs::Jieba;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock};

/// A token and where it stands in the original text (byte offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub from: usize,
    pub to: usize,
}

/// One character as the search compares it.
pub fn fold(c: char) -> char {
    static T2S: LazyLock<HashMap<char, char>> = LazyLock::new(|| {
        hanconv::RawDictionary::TSCharacters
            .iter()
            .filter_map(|(traditional, simplified)| {
                let mut t = traditional.chars();
                let (t, none) = (t.next()?, t.next());
                let s = simplified.chars().next()?;
                none.is_none().then_some((t, s))
            })
            .collect()
    });
    let c = match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    let c = T2S.get(&c).copied().unwrap_or(c);
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// A text folded character by character, with each character's byte offset in the original.
struct Folded {
    text: String,
    /// The original byte offset of each folded character, and the original's length last.
    starts: Vec<usize>,
}

impl Folded {
    fn new(original: &str, folding: bool) -> Folded {
        let mut text = String::with_capacity(original.len());
        let mut starts = Vec::with_capacity(original.len() / 2 + 1);
        for (at, c) in original.char_indices() {
            text.push(if folding { fold(c) } else { c });
            starts.push(at);
        }
        starts.push(original.len());
        Folded { text, starts }
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// Words that say nothing about what is asked (they would only add noise to a long description).
const STOP_WORDS: &[&str] = &[
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
    "哦",
    "是",
    "在",
    "和",
    "与",
    "及",
    "或",
    "也",
    "都",
    "就",
    "还",
    "又",
    "把",
    "被",
    "让",
    "给",
    "我",
    "你",
    "他",
    "她",
    "它",
    "我们",
    "你们",
    "他们",
    "这",
    "那",
    "这个",
    "那个",
    "什么",
    "怎么",
    "怎么办",
    "为什么",
    "如何",
    "一下",
    "请问",
    "一个",
    "有",
    "着",
    "过",
    "个",
    "说",
    "要",
    "会",
    "能",
    "想",
    "等",
    "问",
    "知道",
    "能不能",
    "客户",
    "a",
    "an",
    "the",
    "to",
    "of",
    "is",
];

/// The runs of letters and of digits in an ASCII word (`t+0` → `t`, `0`; `ios17` → `ios`, `17`).
fn ascii_runs(word: &str) -> Vec<(usize, usize)> {
    let class = |b: u8| match b {
        b'0'..=b'9' => 1,
        b'a'..=b'z' | b'A'..=b'Z' => 2,
        _ => 0,
    };
    let bytes = word.as_bytes();
    let mut runs = Vec::new();
    let mut start = 0;
    for i in 1..=bytes.len() {
        if i == bytes.len() || class(bytes[i]) != class(bytes[start]) {
            if class(bytes[start]) != 0 {
                runs.push((start, i));
            }
            start = i;
        }
    }
    runs
}

/// How text becomes tokens: the segmenter with its dictionary, whether characters are folded.
pub struct Analyzer {
    jieba: Jieba,
    folding: bool,
    stop_words: HashSet<&'static str>,
    /// Each synonym's group, by the group's words as they are tokenized.
    synonyms: HashMap<String, usize>,
    groups: Vec<Vec<Synonym>>,
}

/// A word of a synonym group, and the words the index holds it as (worked out once: a query
/// looks them up for each of its words).
#[derive(Debug, Clone)]
pub struct Synonym {
    pub word: String,
    pub words: Vec<String>,
}

impl Analyzer {
    /// The analyzer of the help center: folding, the domain dictionary, the synonyms.
    pub fn new(vocabulary: &Vocabulary) -> Analyzer {
        let mut jieba = Jieba::new();
        let words = vocabulary
            .terms
            .iter()
            .chain(vocabulary.synonyms.iter().flatten());
        for word in words {
            let folded: String = word.chars().map(fold).collect();
            // A word the dictionary would cut in two stays whole; its parts stay words too.
            jieba.add_word(&folded, None, Some("n"));
        }
        let mut analyzer = Analyzer {
            jieba,
            folding: true,
            stop_words: STOP_WORDS.iter().copied().collect(),
            synonyms: HashMap::new(),
            groups: Vec::new(),
        };
        for group in &vocabulary.synonyms {
            let members: Vec<String> = group
                .iter()
                .map(|w| w.chars().map(fold).collect::<String>())
                .filter(|w| !w.trim().is_empty())
                .collect();
            if members.len() < 2 {
                continue;
            }
            let index = analyzer.groups.len();
            for member in &members {
                analyzer.synonyms.entry(member.clone()).or_insert(index);
            }
            let group = members
                .into_iter()
                .map(|word| Synonym {
                    words: analyzer.whole_words(&word),
                    word,
                })
                .collect();
            analyzer.groups.push(group);
        }
        analyzer
    }

    /// jieba's own dictionary and nothing else (no folding, no stop words, no synonyms): the baseline the relevance bench compares with.
    pub fn plain() -> Analyzer {
        Analyzer {
            jieba: Jieba::new(),
            folding: false,
            stop_words: HashSet::new(),
            synonyms: HashMap::new(),
            groups: Vec::new(),
        }
    }

    /// The words of `text` (search mode: a long word's dictionary words come just before it).
    pub fn words(&self, text: &str) -> Vec<Piece> {
        let folded = Folded::new(text, self.folding);
        let mut pieces = Vec::new();
        for token in self.jieba.cut_for_search(&folded.text, true) {
            let word = token.word;
            if !word.chars().any(char::is_alphanumeric)
                || word.chars().any(char::is_whitespace)
                || self.stop_words.contains(&word)
            {
                continue;
            }
            let span = |from: usize, to: usize| Piece {
                text: word[from..to].to_owned(),
                // ASCII: the word's byte `i` is its character `i`.
                from: folded.starts[token.start + from],
                to: folded.starts[token.start + to],
            };
            pieces.push(Piece {
                text: word.to_owned(),
                from: folded.starts[token.start],
                to: folded.starts[token.end],
            });
            // `ios17` is also `ios` and `17`; `e2031` also `2031`.
            if word.is_ascii() {
                let runs = ascii_runs(word);
                if runs.len() > 1 {
                    pieces.extend(
                        runs.into_iter()
                            .filter(|(from, to)| to - from >= 2)
                            .map(|(from, to)| span(from, to)),
                    );
                }
            }
        }
        pieces
    }

    /// The other words of a word's synonym group (none when it has no group).
    pub fn synonyms<'a>(&'a self, word: &'a str) -> impl Iterator<Item = &'a Synonym> + 'a {
        self.synonyms
            .get(word)
            .map(|&group| self.groups[group].as_slice())
            .unwrap_or_default()
            .iter()
            .filter(move |s| s.word != word)
    }

    /// The words a synonym stands for as a whole (`三方存管转账` is one word to the index).
    fn whole_words(&self, word: &str) -> Vec<String> {
        self.jieba
            .cut(word, false)
            .into_iter()
            .map(|t| t.word.trim().to_owned())
            .filter(|w| !w.is_empty() && w.chars().any(char::is_alphanumeric))
            .collect()
    }

    /// Every two neighbouring Chinese characters (one alone, when a run is a single character).
    pub fn grams(&self, text: &str) -> Vec<Piece> {
        let folded = Folded::new(text, self.folding);
        let chars: Vec<char> = folded.text.chars().collect();
        let mut pieces = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if !is_han(chars[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < chars.len() && is_han(chars[i]) {
                i += 1;
            }
            if i - start == 1 {
                pieces.push(Piece {
                    text: chars[start].to_string(),
                    from: folded.starts[start],
                    to: folded.starts[start + 1],
                });
            }
            for k in start..i.saturating_sub(1) {
                pieces.push(Piece {
                    text: chars[k..k + 2].iter().collect(),
                    from: folded.starts[k],
                    to: folded.starts[k + 2],
                });
            }
        }
        pieces
    }

    /// Every two neighbouring syllables of the Chinese runs, in pinyin without tones.
    pub fn sounds(&self, text: &str) -> Vec<Piece> {
        use pinyin::ToPinyin;
        let folded = Folded::new(text, self.folding);
        let mut pieces = Vec::new();
        let mut run: Vec<(&'static str, usize, usize)> = Vec::new();
        let flush = |run: &mut Vec<(&'static str, usize, usize)>, pieces: &mut Vec<Piece>| {
            for pair in run.windows(2) {
                pieces.push(Piece {
                    text: format!("{}{}", pair[0].0, pair[1].0),
                    from: pair[0].1,
                    to: pair[1].2,
                });
            }
            run.clear();
        };
        for (index, c) in folded.text.chars().enumerate() {
            match c.to_pinyin() {
                Some(p) if is_han(c) => {
                    run.push((p.plain(), folded.starts[index], folded.starts[index + 1]))
                }
                _ => flush(&mut run, &mut pieces),
            }
        }
        flush(&mut run, &mut pieces);
        pieces
    }
}

/// The analyzer as tantivy's tokenizer of a field (for indexing and for snippets).
#[derive(Clone)]
pub struct FieldTokenizer {
    analyzer: Arc<Analyzer>,
    kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Words,
    Grams,
    Sounds,
}

impl FieldTokenizer {
    pub fn new(analyzer: Arc<Analyzer>, kind: Kind) -> FieldTokenizer {
        FieldTokenizer { analyzer, kind }
    }
}

pub struct Pieces {
    tokens: std::vec::IntoIter<tantivy::tokenizer::Token>,
    current: tantivy::tokenizer::Token,
}

impl tantivy::tokenizer::Tokenizer for FieldTokenizer {
    type TokenStream<'a> = Pieces;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Pieces {
        let mut pieces = match self.kind {
            Kind::Words => self.analyzer.words(text),
            Kind::Grams => self.analyzer.grams(text),
            Kind::Sounds => self.analyzer.sounds(text),
        };
        // In the text's order: search mode gives a word's parts before the word, and tantivy's
        // snippets expect no token to start before the one ahead of it.
        pieces.sort_by_key(|p| (p.from, p.to));
        let tokens: Vec<_> = pieces
            .into_iter()
            .enumerate()
            .map(|(position, p)| tantivy::tokenizer::Token {
                offset_from: p.from,
                offset_to: p.to,
                position,
                text: p.text,
                position_length: 1,
            })
            .collect();
        Pieces {
            tokens: tokens.into_iter(),
            current: Default::default(),
        }
    }
}

impl tantivy::tokenizer::TokenStream for Pieces {
    fn advance(&mut self) -> bool {
        match self.tokens.next() {
            Some(token) => {
                self.current = token;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &tantivy::tokenizer::Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        &mut self.current
    }
}
