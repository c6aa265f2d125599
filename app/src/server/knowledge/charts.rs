//! Flow charts written as text (Graphviz DOT), drawn on the server as SVG so they read on a
//! phone without JavaScript. Graphviz's `dot` runs as a child process: the reference layout
//! engine (pure-Rust ones draw diamonds as ellipses and crash on some inputs), installed by
//! the scripts from Debian's `graphviz`. Each drawing has a time limit, a size limit and no
//! access to files; two draw at a time. Where `dot` is missing or a chart cannot be drawn, the
//! page shows its source with a note instead.
use base64::Engine as _;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Semaphore;

/// A chart's source may be this long.
const MAX_SOURCE: usize = 20_000;
/// And its SVG this large.
const MAX_SVG: usize = 2 * 1024 * 1024;
const TIME_LIMIT: Duration = Duration::from_secs(3);

pub struct Charts {
    dot: Option<PathBuf>,
    running: Semaphore,
}

impl Charts {
    /// Finds `dot` on the PATH (or at `MSS_DOT`); without it, charts show as their source.
    pub fn find() -> Charts {
        let dot = std::env::var_os("MSS_DOT").map(PathBuf::from).or_else(|| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join("dot"))
                    .find(|p| p.is_file())
            })
        });
        if dot.is_none() {
            tracing::warn!("Graphviz `dot` was not found: flow charts in articles show as their source (install the `graphviz` package)");
        }
        Charts {
            dot,
            running: Semaphore::new(2),
        }
    }

    /// The chart as a figure: its SVG as an image, or its source with a note.
    pub async fn figure(&self, source: &str) -> String {
        match self.draw(source).await {
            Ok(svg) => format!(
                "<figure class=\"kb-chart\"><img alt=\"{}\" src=\"data:image/svg+xml;base64,{}\"></figure>",
                escape(&labels(source)),
                base64::engine::general_purpose::STANDARD.encode(svg)
            ),
            Err(why) => {
                tracing::info!(why, "a flow chart could not be drawn");
                format!(
                    "<figure class=\"kb-chart kb-chart-source\"><figcaption>流程图无法绘制（{}），以下为原文</figcaption><pre><code>{}</code></pre></figure>",
                    escape(why),
                    escape(source)
                )
            }
        }
    }

    async fn draw(&self, source: &str) -> Result<Vec<u8>, &'static str> {
        let dot = self.dot.as_ref().ok_or("未安装 Graphviz")?;
        if source.len() > MAX_SOURCE {
            return Err("过长");
        }
        if refers_to_files(source) {
            return Err("不允许引用文件");
        }
        let _turn = self.running.acquire().await.map_err(|_| "服务停止中")?;
        let mut child = tokio::process::Command::new(dot)
            .args([
                "-Tsvg",
                "-Gfontname=sans-serif",
                "-Nfontname=sans-serif",
                "-Efontname=sans-serif",
                "-Gcharset=UTF-8",
            ])
            // Nothing of the server's environment; Graphviz reads image files only from
            // GV_FILE_PATH (nowhere), which it honours only with SERVER_NAME set.
            .env_clear()
            .env("SERVER_NAME", "mss")
            .env("GV_FILE_PATH", "/nonexistent/")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|_| "无法启动 Graphviz")?;
        let mut stdin = child.stdin.take().ok_or("无法启动 Graphviz")?;
        let mut stdout = child.stdout.take().ok_or("无法启动 Graphviz")?;
        let source = source.to_owned();
        let work = async move {
            let write = async move {
                let _ = stdin.write_all(source.as_bytes()).await;
                drop(stdin);
            };
            let read = async move {
                let mut svg = Vec::new();
                let mut limited = (&mut stdout).take(MAX_SVG as u64 + 1);
                limited.read_to_end(&mut svg).await.map(|_| svg)
            };
            let ((), svg) = tokio::join!(write, read);
            let status = child.wait().await;
            (svg, status)
        };
        match tokio::time::timeout(TIME_LIMIT, work).await {
            Err(_) => Err("超时"),
            Ok((Ok(svg), Ok(status))) if status.success() && svg.len() <= MAX_SVG => Ok(svg),
            Ok((Ok(svg), _)) if svg.len() > MAX_SVG => Err("过大"),
            Ok(_) => Err("语法有误"),
        }
    }
}

/// Whether the source names files (images, shapes, fonts): refused, whatever `GV_FILE_PATH`
/// would allow.
fn refers_to_files(source: &str) -> bool {
    let lower = source.to_lowercase();
    ["image", "shapefile", "fontpath", "imagepath", "stylesheet"]
        .iter()
        .any(|attr| {
            lower.match_indices(attr).any(|(at, _)| {
                lower[at + attr.len()..]
                    .trim_start_matches(|c: char| c.is_whitespace() || c == '"')
                    .starts_with('=')
            })
        })
}

/// A chart's labels (its quoted strings, each once), for the image's alternative text.
fn labels(source: &str) -> String {
    let mut labels: Vec<&str> = Vec::new();
    for label in source.split('"').skip(1).step_by(2) {
        if !label.trim().is_empty() && !labels.contains(&label) {
            labels.push(label);
        }
    }
    if labels.is_empty() {
        "流程图".to_owned()
    } else {
        format!("流程图：{}", labels.join("、"))
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_may_not_name_files() {
        assert!(refers_to_files("digraph { a [image=\"/etc/passwd\"] }"));
        assert!(refers_to_files("digraph { a [shapefile=\"x\"] }"));
        assert!(!refers_to_files("digraph { \"开户\" -> \"视频见证\" }"));
        assert!(!refers_to_files(
            "digraph { a [label=\"上传 image 截图\"] }"
        ));
    }

    #[test]
    fn the_alternative_text_reads_the_labels() {
        assert_eq!(
            labels("digraph { \"开户\" -> \"视频见证\"; \"视频见证\" -> \"审核\" }"),
            "流程图：开户、视频见证、审核"
        );
        assert_eq!(escape("<a href=\"x\">"), "&lt;a href=&quot;x&quot;&gt;");
    }
}
