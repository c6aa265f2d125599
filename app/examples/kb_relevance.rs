//! Prints the relevance table of the help center's search on `bench/kb-relevance` (see
//! `bench/kb-relevance.sh`): `kb_relevance <folder> [queries.jsonl|dev.jsonl]`.
use app::server::knowledge::search::relevance::{
    engines, read_lines, score, table, JudgedArticle, JudgedQuery,
};
use app::server::knowledge::search::Weights;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let folder = PathBuf::from(args.next().unwrap_or_else(|| "bench/kb-relevance".into()));
    let set = args.next().unwrap_or_else(|| "queries.jsonl".into());
    let articles: Vec<JudgedArticle> =
        read_lines(&std::fs::read_to_string(folder.join("articles.jsonl"))?)?;
    let queries: Vec<JudgedQuery> = read_lines(&std::fs::read_to_string(folder.join(&set))?)?;
    // Tuning, on the dev set only: KB_WEIGHTS=title,tags,body,synonym,grams,sounds
    let weights = match std::env::var("KB_WEIGHTS") {
        Ok(w) => {
            let v: Vec<f32> = w.split(',').map(str::parse).collect::<Result<_, _>>()?;
            let [title, tags, body, synonym, grams, sounds] = v[..] else {
                return Err("KB_WEIGHTS wants six numbers".into());
            };
            Weights {
                title,
                tags,
                body,
                synonym,
                grams,
                sounds,
            }
        }
        Err(_) => Weights::HELP,
    };
    let (ours, baseline) = engines(&articles, weights)?;
    let (o, b) = (
        score(&ours, &articles, &queries)?,
        score(&baseline, &articles, &queries)?,
    );
    println!(
        "{} articles, {} queries ({set})\n\n{}",
        articles.len(),
        queries.len(),
        table(&o, &b)
    );
    if std::env::var_os("KB_MISSES").is_some() {
        misses(&ours, &articles, &queries)?;
    }
    Ok(())
}

/// The queries whose best answer is not first (tuning on the dev set only).
fn misses(
    engine: &app::server::knowledge::search::Engine,
    articles: &[JudgedArticle],
    queries: &[JudgedQuery],
) -> Result<(), Box<dyn std::error::Error>> {
    use app::server::knowledge::search::Request;
    for q in queries {
        let hits = engine.search(&Request {
            text: &q.q,
            limit: 5,
            ..Request::default()
        })?;
        let keys: Vec<String> = hits
            .iter()
            .filter_map(|h| articles.get(h.id as usize))
            .map(|a| format!("{} {}", a.key, a.title))
            .collect();
        if !keys
            .first()
            .is_some_and(|k| q.answers.iter().any(|a| k.starts_with(a.as_str())))
        {
            println!(
                "[{}] {} → want {:?}\n    got {:?}",
                q.kind, q.q, q.answers, keys
            );
        }
    }
    Ok(())
}
