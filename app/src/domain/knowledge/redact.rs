//! Customer data taken out of an incident's text before it becomes a knowledge-base draft:
//! resident ID numbers (recognised by their GB 11643 check digit), mainland mobile numbers,
//! bank card numbers (by the Luhn check), customer numbers (the incident's own, and any number
//! after a label such as 资金账号) and the customer's name. Digits may be full-width and broken
//! up by spaces or dashes, as people type them; each removal is listed (masked) so a person can
//! confirm it.
use crate::domain::customer::resident_card_check;
use serde::{Deserialize, Serialize};

named_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub enum RemovalKind {
        IdNumber = "id_number",
        Mobile = "mobile",
        BankCard = "bank_card",
        CustomerNumber = "customer_number",
        Name = "name",
    }
}

impl RemovalKind {
    /// What stands in the text where the value was.
    pub fn placeholder(self) -> &'static str {
        match self {
            RemovalKind::IdNumber => "[身份证号已隐去]",
            RemovalKind::Mobile => "[手机号已隐去]",
            RemovalKind::BankCard => "[银行卡号已隐去]",
            RemovalKind::CustomerNumber => "[客户号已隐去]",
            RemovalKind::Name => "[客户姓名已隐去]",
        }
    }
}

/// One value taken out, masked (`138****5678`), for the editor to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Removal {
    pub kind: RemovalKind,
    pub masked: String,
}

/// What is known of the incident's customer: removed wherever it appears, whatever its shape.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub names: Vec<String>,
    pub numbers: Vec<(RemovalKind, String)>,
}

/// Labels after which a number is customer data whatever its shape (an ID with a wrong check
/// digit, an old 15-digit ID, a card number mistyped): what it is, and how long it may be.
/// Longest first where one label ends another (身份证号码 before 身份证号).
const NUMBER_LABELS: &[(&str, RemovalKind, usize, usize)] = &[
    ("身份证号码", RemovalKind::IdNumber, 6, 20),
    ("身份证号", RemovalKind::IdNumber, 6, 20),
    ("身份证", RemovalKind::IdNumber, 6, 20),
    ("证件号码", RemovalKind::IdNumber, 6, 20),
    ("证件号", RemovalKind::IdNumber, 6, 20),
    ("护照号", RemovalKind::IdNumber, 6, 20),
    ("银行卡号", RemovalKind::BankCard, 8, 24),
    ("银行卡", RemovalKind::BankCard, 8, 24),
    ("卡号", RemovalKind::BankCard, 8, 24),
    ("手机号码", RemovalKind::Mobile, 7, 14),
    ("手机号", RemovalKind::Mobile, 7, 14),
    ("手机", RemovalKind::Mobile, 7, 14),
    ("联系电话", RemovalKind::Mobile, 7, 14),
    ("电话", RemovalKind::Mobile, 7, 14),
    ("客户号码", RemovalKind::CustomerNumber, 5, 20),
    ("客户号", RemovalKind::CustomerNumber, 5, 20),
    ("客户编号", RemovalKind::CustomerNumber, 5, 20),
    ("客户代码", RemovalKind::CustomerNumber, 5, 20),
    ("资金账号", RemovalKind::CustomerNumber, 5, 20),
    ("资金账户", RemovalKind::CustomerNumber, 5, 20),
    ("资金帐号", RemovalKind::CustomerNumber, 5, 20),
    ("证券账户", RemovalKind::CustomerNumber, 5, 20),
    ("证券账号", RemovalKind::CustomerNumber, 5, 20),
    ("股东账户", RemovalKind::CustomerNumber, 5, 20),
    ("股东账号", RemovalKind::CustomerNumber, 5, 20),
    ("股东代码", RemovalKind::CustomerNumber, 5, 20),
    ("账号", RemovalKind::CustomerNumber, 5, 20),
    ("帐号", RemovalKind::CustomerNumber, 5, 20),
    ("账户", RemovalKind::CustomerNumber, 5, 20),
    ("保单号", RemovalKind::CustomerNumber, 5, 20),
    ("合同号", RemovalKind::CustomerNumber, 5, 20),
];
/// Labels after which two to four Chinese characters are a person's name.
/// Longest first: 客户名称 before 客户名.
const NAME_LABELS: &[&str] = &[
    "客户姓名",
    "客户名称",
    "被保险人",
    "客户名",
    "投保人",
    "姓名",
    "户名",
];

/// `text` without the customer data in it, and what was removed (in order of appearance).
pub fn redact(text: &str, known: &Known) -> (String, Vec<Removal>) {
    let chars: Vec<char> = text.chars().collect();
    let mut spans: Vec<(usize, usize, RemovalKind, String)> = Vec::new();
    numbers(&chars, known, &mut spans);
    names(&chars, known, &mut spans);
    spans.sort_by_key(|s| (s.0, std::cmp::Reverse(s.1)));
    let mut out = String::with_capacity(text.len());
    let mut removed = Vec::new();
    let mut at = 0;
    for (from, to, kind, value) in spans {
        if from < at {
            // Overlapping one already removed: whatever reaches past it goes too.
            at = at.max(to);
            continue;
        }
        out.extend(&chars[at..from]);
        out.push_str(kind.placeholder());
        removed.push(Removal {
            kind,
            masked: masked(kind, &value),
        });
        at = to;
    }
    out.extend(&chars[at..]);
    (out, removed)
}

/// A digit, ASCII or full-width.
fn digit(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8),
        '０'..='９' => Some(b'0' + (c as u32 - '０' as u32) as u8),
        _ => None,
    }
}

fn is_check_x(c: char) -> bool {
    matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ')
}

/// What people put between groups of digits.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{3000}' | '\u{a0}' | '-' | '－' | '‐' | '‑' | '–' | '—' | '_' | '.' | '·'
    )
}

/// A run of digit groups: each group's character span and its digits (ASCII).
struct Group {
    from: usize,
    to: usize,
    digits: String,
}

fn numbers(chars: &[char], known: &Known, spans: &mut Vec<(usize, usize, RemovalKind, String)>) {
    let known_numbers: Vec<(RemovalKind, String)> = known
        .numbers
        .iter()
        .map(|(kind, n)| {
            (
                *kind,
                n.chars()
                    .filter_map(|c| {
                        digit(c)
                            .map(char::from)
                            .or_else(|| is_check_x(c).then_some('X'))
                    })
                    .collect::<String>(),
            )
        })
        .filter(|(_, n)| n.len() >= 4)
        .collect();
    let mut i = 0;
    while i < chars.len() {
        if digit(chars[i]).is_none() {
            i += 1;
            continue;
        }
        let start = i;
        let mut groups: Vec<Group> = Vec::new();
        loop {
            let from = i;
            let mut digits = String::new();
            while let Some(d) = chars.get(i).copied().and_then(digit) {
                digits.push(char::from(d));
                i += 1;
            }
            // An ID's check character ends the run.
            let mut ended = false;
            if chars.get(i).copied().is_some_and(is_check_x)
                && !chars.get(i + 1).is_some_and(|c| c.is_ascii_alphanumeric())
            {
                digits.push('X');
                i += 1;
                ended = true;
            }
            groups.push(Group {
                from,
                to: i,
                digits,
            });
            if ended {
                break;
            }
            // Up to three separators (` - `), then more digits, continue the run.
            let mut j = i;
            while j < chars.len() && j - i < 3 && is_separator(chars[j]) {
                j += 1;
            }
            if j > i && chars.get(j).copied().and_then(digit).is_some() {
                i = j;
            } else {
                break;
            }
        }
        let label = number_label(chars, start);
        let mut g = 0;
        'groups: while g < groups.len() {
            for h in (g..groups.len()).rev() {
                let digits: String = groups[g..=h].iter().map(|x| x.digits.as_str()).collect();
                if let Some(kind) = classify(&digits, &known_numbers, label.filter(|_| g == 0)) {
                    spans.push((groups[g].from, groups[h].to, kind, digits));
                    g = h + 1;
                    continue 'groups;
                }
            }
            g += 1;
        }
    }
}

fn classify(
    digits: &str,
    known: &[(RemovalKind, String)],
    label: Option<(RemovalKind, usize, usize)>,
) -> Option<RemovalKind> {
    if let Some((kind, _)) = known.iter().find(|(_, n)| n == digits) {
        return Some(*kind);
    }
    let b = digits.as_bytes();
    if b.len() == 18 && resident_card_check(&b[..17]) == Some(b[17]) {
        return Some(RemovalKind::IdNumber);
    }
    if !digits.contains('X') {
        let mobile = |d: &[u8]| d.len() == 11 && d[0] == b'1' && (b'3'..=b'9').contains(&d[1]);
        if mobile(b) || (b.len() == 13 && b.starts_with(b"86") && mobile(&b[2..])) {
            return Some(RemovalKind::Mobile);
        }
        if (13..=19).contains(&b.len()) && luhn(b) {
            return Some(RemovalKind::BankCard);
        }
    }
    match label {
        Some((kind, min, max)) if (min..=max).contains(&b.len()) => Some(kind),
        _ => None,
    }
}

/// What the label just before `at` says the number is, if there is one.
fn number_label(chars: &[char], at: usize) -> Option<(RemovalKind, usize, usize)> {
    NUMBER_LABELS
        .iter()
        .find(|(label, ..)| follows_label(chars, at, &[label]))
        .map(|(_, kind, min, max)| (*kind, *min, *max))
}

fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let v = u32::from(b - b'0');
            match (i % 2, v * 2) {
                (1, d) if d > 9 => d - 9,
                (1, d) => d,
                _ => v,
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Whether one of `labels` ends just before `at` (spaces, colons and `是`/`为` between).
fn follows_label(chars: &[char], at: usize, labels: &[&str]) -> bool {
    let mut end = at;
    while end > 0
        && matches!(
            chars[end - 1],
            ' ' | '\u{3000}' | ':' | '：' | '是' | '为' | '=' | '（' | '(' | '#' | '＃'
        )
    {
        end -= 1;
    }
    labels.iter().any(|label| {
        let n = label.chars().count();
        end >= n && chars[end - n..end].iter().copied().eq(label.chars())
    })
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

fn names(chars: &[char], known: &Known, spans: &mut Vec<(usize, usize, RemovalKind, String)>) {
    // The incident's own customer, also with spaces between the characters.
    for name in &known.names {
        let name: Vec<char> = name.chars().filter(|c| !c.is_whitespace()).collect();
        if name.len() < 2 {
            continue;
        }
        let mut i = 0;
        while i < chars.len() {
            if let Some(end) = name_at(chars, i, &name) {
                spans.push((i, end, RemovalKind::Name, name.iter().collect()));
                i = end;
            } else {
                i += 1;
            }
        }
    }
    // A name after a label (姓名：王小明): two to four Chinese characters, or three where more
    // follow without a break (姓名王小明反映…).
    let mut i = 0;
    while i < chars.len() {
        let Some(label) = NAME_LABELS.iter().find(|l| starts_with_at(chars, i, l)) else {
            i += 1;
            continue;
        };
        let mut j = i + label.chars().count();
        while j < chars.len() && matches!(chars[j], ' ' | '\u{3000}' | ':' | '：' | '是' | '为')
        {
            j += 1;
        }
        let run = chars[j..].iter().take_while(|c| is_han(**c)).count();
        let len = if run <= 4 { run } else { 3 };
        if len >= 2 {
            spans.push((
                j,
                j + len,
                RemovalKind::Name,
                chars[j..j + len].iter().collect(),
            ));
        }
        i = j.max(i + 1);
    }
}

fn starts_with_at(chars: &[char], at: usize, word: &str) -> bool {
    (at..)
        .zip(word.chars())
        .all(|(i, want)| chars.get(i) == Some(&want))
}

/// Where `name` ends if it starts at `at`, single spaces allowed between its characters.
fn name_at(chars: &[char], at: usize, name: &[char]) -> Option<usize> {
    let mut i = at;
    for (n, want) in name.iter().enumerate() {
        if n > 0 && chars.get(i).is_some_and(|c| matches!(c, ' ' | '\u{3000}')) {
            i += 1;
        }
        if chars.get(i) != Some(want) {
            return None;
        }
        i += 1;
    }
    Some(i)
}

fn masked(kind: RemovalKind, value: &str) -> String {
    let (head, tail) = match kind {
        RemovalKind::IdNumber => (6, 4),
        RemovalKind::Mobile => (3, 4),
        RemovalKind::BankCard => (4, 4),
        RemovalKind::CustomerNumber => (2, 2),
        RemovalKind::Name => (1, 0),
    };
    crate::domain::customer::mask(value, head, tail)
}

#[cfg(test)]
mod tests;
