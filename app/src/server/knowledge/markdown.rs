//! Article bodies: CommonMark (pulldown-cmark).
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
    for event in Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    ) {
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
