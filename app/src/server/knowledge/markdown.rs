//! Article bodies: CommonMark (pulldown-cmark), as text for the search and as safe HTML for
//! the pages.
use super::charts::Charts;
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// Whether a fenced block is a flow chart (Graphviz DOT).
pub fn is_chart(info: &str) -> bool {
    matches!(
        info.split_whitespace().next(),
        Some("dot") | Some("graphviz")
    )
}

/// What a reader reads of a body, for the search and for snippets: its text without Markdown,
/// a flow chart's labels (its quoted strings) instead of its source, one line a block.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut chart: Option<String> = None;
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if is_chart(&info) => {
                chart = Some(String::new())
            }
            Event::End(TagEnd::CodeBlock) if chart.is_some() => {
                let source = chart.take().unwrap_or_default();
                for label in source.split('"').skip(1).step_by(2) {
                    out.push_str(label);
                    out.push(' ');
                }
                out.push('\n');
            }
            Event::Text(text) | Event::Code(text) => match chart.as_mut() {
                Some(source) => source.push_str(&text),
                None => out.push_str(&text),
            },
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::CodeBlock,
            ) => out.push('\n'),
            Event::End(TagEnd::TableCell) => out.push(' '),
            _ => {}
        }
    }
    out
}

/// The body as the page shows it: CommonMark with tables, sanitized (no script, no event
/// handler, no style, no iframe or other embedded content; images only from this site, where
/// the screenshot endpoint checks who may see them; links open safely), and each fenced `dot`
/// block drawn as an SVG image by `charts`.
pub async fn render(markdown: &str, charts: &Charts) -> String {
    // A chart's place is held by a paragraph no author can predict, then filled once the HTML
    // is clean: the SVG (an image, where no script runs) never passes the sanitizer.
    let token = format!("mss-chart-{}", uuid::Uuid::new_v4().simple());
    // Parsing and sanitizing a body (up to 100,000 characters) is CPU work: off the runtime.
    let (markdown, placeholder) = (markdown.to_owned(), token.clone());
    let (mut clean, sources) =
        match tokio::task::spawn_blocking(move || clean_html(&markdown, &placeholder)).await {
            Ok(done) => done,
            Err(e) => {
                tracing::error!(error = %e, "rendering an article body failed");
                return String::new();
            }
        };
    for (n, source) in sources.iter().enumerate() {
        let figure = charts.figure(source).await;
        clean = clean.replacen(&format!("<p>{token}-{n}</p>"), &figure, 1);
    }
    clean
}

/// The body as sanitized HTML with each chart as a `<p>{token}-{n}</p>` placeholder, and the
/// charts' sources.
fn clean_html(markdown: &str, token: &str) -> (String, Vec<String>) {
    let mut sources: Vec<String> = Vec::new();
    let mut chart: Option<String> = None;
    let mut events = Vec::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if is_chart(&info) => {
                chart = Some(String::new())
            }
            Event::End(TagEnd::CodeBlock) if chart.is_some() => {
                sources.push(chart.take().unwrap_or_default());
                events.push(Event::Html(
                    format!("<p>{token}-{}</p>\n", sources.len() - 1).into(),
                ));
            }
            Event::Text(text) if chart.is_some() => {
                if let Some(source) = chart.as_mut() {
                    source.push_str(&text);
                }
            }
            other => events.push(other),
        }
    }
    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    (sanitizer().clean(&html).to_string(), sources)
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: std::sync::LazyLock<ammonia::Builder<'static>> =
        std::sync::LazyLock::new(|| {
            let mut b = ammonia::Builder::default();
            b.url_relative(ammonia::UrlRelative::PassThrough)
                .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
                .link_rel(Some("noopener noreferrer nofollow"))
                .add_tag_attributes("img", ["loading"])
                .add_tag_attributes("input", ["type", "checked", "disabled"])
                .add_tags(["input"])
                .attribute_filter(|element, attribute, value| match (element, attribute) {
                    // Images from this site only (screenshots, behind sign-in): a foreign image
                    // would tell another server who reads what.
                    ("img", "src") if is_screenshot(value) => Some(value.into()),
                    ("img", "src") => None,
                    ("input", "type") if value == "checkbox" => Some(value.into()),
                    ("input", "type") => None,
                    _ => Some(value.into()),
                });
            b
        });
    &BUILDER
}

/// `/api/v1/screenshots/12` or `…/12/thumb`, exactly: the only images an article shows.
fn is_screenshot(src: &str) -> bool {
    let prefix = format!("{}/screenshots/", crate::paths::rest::BASE);
    let Some(rest) = src.strip_prefix(&prefix) else {
        return false;
    };
    let id = rest.strip_suffix("/thumb").unwrap_or(rest);
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    #[test]
    fn images_come_from_the_screenshot_endpoint_only() {
        for ok in ["/api/v1/screenshots/12", "/api/v1/screenshots/12/thumb"] {
            assert!(super::is_screenshot(ok), "{ok}");
        }
        for bad in [
            "/\\evil.com/p.png",
            "//evil.com/x",
            "/api/v1/screenshots/1/../../me",
            "/api/v1/me",
            "https://evil.com/a.png",
            "/api/v1/screenshots/",
        ] {
            assert!(!super::is_screenshot(bad), "{bad}");
        }
    }
}
