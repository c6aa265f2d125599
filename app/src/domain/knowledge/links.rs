//! Articles named in a message: `[title](/help/articles/42)` as the desk inserts them, or an
//! article's address pasted (with or without the site). The reporter's thread shows each as a
//! card that opens the article; an answer that names one counts as an incident it solved.
use crate::paths;

/// An article named in a text, at `from..to` (bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleRef {
    pub from: usize,
    pub to: usize,
    pub id: i64,
    pub title: Option<String>,
}

/// The Markdown link the desk inserts for an article.
pub fn article_link(id: i64, title: &str) -> String {
    let title: String = title.chars().filter(|c| !matches!(c, '[' | ']')).collect();
    format!("[{title}]({})", paths::help_article(id))
}

/// The Markdown that shows screenshot `id` (an image uploaded from the editor) in an article.
pub fn image_markdown(id: i64) -> String {
    format!(
        "![]({})",
        crate::domain::incident::views::Screenshot::new(id, 0, 0).url
    )
}

/// Every article named in `text`, in order.
pub fn article_refs(text: &str) -> Vec<ArticleRef> {
    let marker = format!("{}/", paths::HELP_ARTICLES.path());
    let mut refs: Vec<ArticleRef> = Vec::new();
    let mut search_from = 0;
    while let Some(found) = text[search_from..].find(&marker) {
        let at = search_from + found;
        let digits_from = at + marker.len();
        let digits = text[digits_from..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        search_from = digits_from;
        let Some(id) = text[digits_from..digits_from + digits]
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
        else {
            continue;
        };
        let mut from = at;
        let mut to = digits_from + digits;
        // The site before it (`https://mss.example.com/help/articles/42`).
        let before = text[..from]
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace() || *c == '(');
        if let Some((start, c)) = before {
            let host = &text[start + c.len_utf8()..from];
            if host.starts_with("http://") || host.starts_with("https://") {
                from = start + c.len_utf8();
            }
        } else if text[..from].starts_with("http://") || text[..from].starts_with("https://") {
            from = 0;
        }
        let mut title = None;
        // `[title](…)` around it.
        if text[..from].ends_with("](") && text[to..].starts_with(')') {
            if let Some(open) = text[..from - 2].rfind('[') {
                let t = &text[open + 1..from - 2];
                if !t.contains(['[', ']', '\n']) {
                    title = Some(t.to_owned()).filter(|t| !t.trim().is_empty());
                    from = open;
                    to += 1;
                }
            }
        }
        if refs.last().is_some_and(|r| r.to > from) {
            continue;
        }
        refs.push(ArticleRef {
            from,
            to,
            id,
            title,
        });
        search_from = to;
    }
    refs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_addresses_are_found() {
        let link = article_link(42, "两融[开通]条件");
        assert_eq!(link, "[两融开通条件](/help/articles/42)");
        let text = format!(
            "请看 {link}，或 https://mss.example.com/help/articles/7 。/help/articles/x 不算"
        );
        let refs = article_refs(&text);
        assert_eq!(refs.len(), 2);
        assert_eq!(
            (refs[0].id, refs[0].title.as_deref()),
            (42, Some("两融开通条件"))
        );
        assert_eq!(&text[refs[0].from..refs[0].to], link);
        assert_eq!(refs[1].id, 7);
        assert_eq!(
            &text[refs[1].from..refs[1].to],
            "https://mss.example.com/help/articles/7"
        );
        assert!(article_refs("没有链接").is_empty());
        // Whatever stands before it, even a full-width or non-breaking space.
        for text in [
            "请看　/help/articles/7",
            "请看\u{a0}https://x.cn/help/articles/7",
            "（/help/articles/7）",
        ] {
            assert_eq!(article_refs(text).len(), 1, "{text}");
        }
    }
}
