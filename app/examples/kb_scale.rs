//! The search at scale, in the process (see `bench/kb.sh` for the server's figures):
//! `kb_scale <folder> [articles]` builds an index of that many articles made from the judged
//! set's (each a title and three articles' paragraphs, reshuffled), then times every judged
//! query against it. Prints the build time, the index's size on disk, the resident memory it
//! added, and the query times' median and 95th percentile.
use app::server::knowledge::markdown::plain_text;
use app::server::knowledge::search::relevance::{read_lines, JudgedArticle, JudgedQuery};
use app::server::knowledge::search::{Analyzer, Engine, Entry, Request, Vocabulary, Weights};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

fn dir_bytes(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let folder = PathBuf::from(args.next().unwrap_or_else(|| "bench/kb-relevance".into()));
    let count: usize = args
        .next()
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(50_000);
    let articles: Vec<JudgedArticle> =
        read_lines(&std::fs::read_to_string(folder.join("articles.jsonl"))?)?;
    let mut queries: Vec<JudgedQuery> =
        read_lines(&std::fs::read_to_string(folder.join("queries.jsonl"))?)?;
    queries.extend(read_lines::<JudgedQuery>(&std::fs::read_to_string(
        folder.join("dev.jsonl"),
    )?)?);
    let paragraphs: Vec<Vec<String>> = articles
        .iter()
        .map(|a| {
            plain_text(&a.body)
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned)
                .collect()
        })
        .collect();
    // A small deterministic generator (no randomness to report).
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let before = rss_kib();
    let dir = std::env::temp_dir().join(format!("mss-kb-scale-{}", std::process::id()));
    let analyzer = Arc::new(Analyzer::new(&Vocabulary::seed()));
    let segmenter = rss_kib().saturating_sub(before);
    let engine = Engine::in_dir(&dir, analyzer, Weights::HELP)?;
    let started = Instant::now();
    let mut batch = Vec::with_capacity(5_000);
    for id in 0..count {
        let main = next(articles.len());
        let a = &articles[main];
        let mut body = Vec::new();
        for source in [main, next(articles.len()), next(articles.len())] {
            let p = &paragraphs[source];
            for _ in 0..p.len().min(4) {
                body.push(p[next(p.len())].clone());
            }
        }
        batch.push(Entry {
            id: id as i64,
            title: format!("{}（{}）", a.title, id % 97),
            body: body.join("\n"),
            tags: a.tags.clone(),
            system: a.system.clone(),
            category: a.category.clone(),
            published: id % 10 != 0,
        });
        if batch.len() == 5_000 || id + 1 == count {
            engine.apply(&batch, &[])?;
            batch.clear();
        }
    }
    let built = started.elapsed();
    let after_build = rss_kib();
    let mut times = Vec::new();
    for round in 0..3 {
        for q in &queries {
            let t = Instant::now();
            let hits = engine.search(&Request {
                text: &q.q,
                published_only: round % 2 == 0,
                limit: 10,
                ..Request::default()
            })?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(hits);
        }
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "{count} articles: built in {:.1} s; index {:.0} MB on disk; resident memory +{:.0} MB after the build, +{:.0} MB after the queries (of which the segmenter and its dictionary {:.0} MB, and the index's files as the system maps them)\n{} queries: median {:.1} ms, p95 {:.1} ms, max {:.1} ms (one thread)",
        built.as_secs_f64(),
        dir_bytes(&dir) as f64 / 1e6,
        (after_build.saturating_sub(before)) as f64 / 1024.0,
        (rss_kib().saturating_sub(before)) as f64 / 1024.0,
        segmenter as f64 / 1024.0,
        times.len(),
        pct(0.5),
        pct(0.95),
        times.last().copied().unwrap_or(0.0),
    );
    drop(engine);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
