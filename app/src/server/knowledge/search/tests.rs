use super::relevance::{engines, read_lines, score, JudgedArticle, JudgedQuery};
use super::*;

fn entry(id: i64, title: &str, body: &str) -> Entry {
    Entry {
        id,
        title: title.into(),
        body: body.into(),
        tags: Vec::new(),
        system: "custody".into(),
        category: "consultation".into(),
        published: true,
    }
}

fn engine(entries: &[Entry]) -> Engine {
    let engine = Engine::in_memory(Arc::new(Analyzer::new(&Vocabulary::seed())), Weights::HELP)
        .expect("index");
    engine.apply(entries, &[]).expect("apply");
    engine
}

fn hits(engine: &Engine, text: &str, limit: usize) -> Vec<Hit> {
    engine
        .search(&Request {
            text,
            limit,
            ..Request::default()
        })
        .expect("search")
}

fn ids(engine: &Engine, text: &str) -> Vec<i64> {
    hits(engine, text, 10).into_iter().map(|h| h.id).collect()
}

fn sample() -> Vec<Entry> {
    vec![
        entry(
            1,
            "银证转账失败：余额不足(9003)",
            "客户从银行转入证券账户时提示余额不足，请先确认银行卡可用余额。",
        ),
        entry(
            2,
            "融资融券开户条件",
            "开通融资融券需要前20个交易日日均资产不低于50万元，并完成风险测评。",
        ),
        entry(
            3,
            "开户时人脸识别失败",
            "人脸比对未通过，请正对屏幕，保持光线充足后重试。",
        ),
        entry(
            4,
            "工单一直待处理怎么办",
            "提交后状态显示待处理，一般两个工作日内有人跟进。",
        ),
        entry(
            5,
            "App 在 iOS 17 上闪退",
            "升级到 iOS17 后打开 App 即退出，请更新到最新版本。",
        ),
    ]
}

#[test]
fn traditional_characters_find_simplified_articles() {
    let engine = engine(&sample());
    assert_eq!(ids(&engine, "開戶 人臉識別").first(), Some(&3));
    assert_eq!(ids(&engine, "銀證轉賬 餘額不足").first(), Some(&1));
}

#[test]
fn full_width_and_case_fold() {
    let engine = engine(&sample());
    assert_eq!(ids(&engine, "ＡＰＰ闪退 ＩＯＳ１７").first(), Some(&5));
    assert_eq!(ids(&engine, "app闪退 ios17").first(), Some(&5));
}

#[test]
fn a_homophone_typo_finds_the_word() {
    let engine = engine(&sample());
    assert_eq!(ids(&engine, "融资熔券 开户条件").first(), Some(&2));
    assert_eq!(ids(&engine, "人脸识拔").first(), Some(&3));
}

#[test]
fn a_word_inside_a_longer_word_is_found() {
    let engine = engine(&sample());
    assert_eq!(ids(&engine, "处理").first(), Some(&4));
}

#[test]
fn synonyms_find_each_other() {
    let engine = engine(&sample());
    assert_eq!(ids(&engine, "两融").first(), Some(&2), "两融 = 融资融券");
    assert_eq!(ids(&engine, "刷脸").first(), Some(&3), "刷脸 = 人脸识别");
}

#[test]
fn every_word_of_a_query_counts() {
    let engine = engine(&[
        entry(1, "转账限额", "银行单日限额说明。"),
        entry(2, "转账时间", "银证转账的服务时间。"),
        entry(3, "限额与时间", "转账的限额和时间一并说明。"),
    ]);
    assert_eq!(ids(&engine, "转账 限额 时间").first(), Some(&3));
}

#[test]
fn filters_and_unpublished_articles() {
    let mut entries = sample();
    entries[0].published = false;
    entries[1].system = "trading".into();
    let engine = engine(&entries);
    let published = engine
        .search(&Request {
            text: "余额不足",
            published_only: true,
            limit: 10,
            ..Request::default()
        })
        .expect("search");
    assert!(published.iter().all(|h| h.id != 1), "a draft is not found");
    let trading = engine
        .search(&Request {
            text: "融资融券 人脸识别",
            system: Some("trading"),
            limit: 10,
            ..Request::default()
        })
        .expect("search");
    assert_eq!(trading.iter().map(|h| h.id).collect::<Vec<_>>(), vec![2]);
}

#[test]
fn changes_replace_and_remove_articles() {
    let engine = engine(&sample());
    engine
        .apply(&[entry(3, "视频见证预约", "视频见证需要提前预约。")], &[1])
        .expect("apply");
    assert_eq!(engine.len(), 4);
    assert!(ids(&engine, "人脸识别").is_empty(), "the old text is gone");
    assert_eq!(ids(&engine, "视频见证"), vec![3]);
    assert!(ids(&engine, "余额不足 9003").is_empty(), "removed");
}

#[test]
fn snippets_highlight_what_matched() {
    let engine = engine(&sample());
    let hit = &hits(&engine, "人脸比对", 1)[0];
    let marked: Vec<String> = hit
        .highlights
        .iter()
        .map(|&(a, b)| hit.snippet.chars().skip(a).take(b - a).collect())
        .collect();
    assert!(marked.iter().any(|m| m.contains("比对")), "{hit:?}");
}

#[test]
fn snippets_come_from_where_a_long_article_matches() {
    let mut body = "开户流程说明，请按页面提示逐步操作。".repeat(120);
    body.push_str("如果三方存管银行卡变更失败，请先撤销原有签约再重新绑定。");
    body.push_str(&"其他说明。".repeat(200));
    let engine = engine(&[entry(1, "业务说明", &body)]);
    let hit = &hits(&engine, "三方存管 银行卡变更", 1)[0];
    assert!(hit.snippet.contains("银行卡变更失败"), "{hit:?}");
    assert!(!hit.highlights.is_empty(), "{hit:?}");
    // Any window, however the bytes fall, ends on a character.
    for terms in [vec![], vec!["不在文中".to_owned()], vec!["其他".to_owned()]] {
        assert!(super::window(&body, &terms).len() <= super::WINDOW_BYTES);
    }
}

#[test]
fn snippets_mark_words_however_they_are_written() {
    let (snippet, highlights) = super::snippet(
        "  說明：ＡＰＰ閃退時，請先升級App。  ",
        &["app".to_owned(), "闪退".to_owned(), "升级".to_owned()],
    );
    assert_eq!(snippet, "說明：ＡＰＰ閃退時，請先升級App。");
    let marked: Vec<String> = highlights
        .iter()
        .map(|&(a, b)| snippet.chars().skip(a).take(b - a).collect())
        .collect();
    assert_eq!(marked, ["ＡＰＰ閃退", "升級App"]);
    let (start, none) = super::snippet("没有要找的词。", &["开户".to_owned()]);
    assert_eq!((start.as_str(), none), ("没有要找的词。", vec![]));
}

#[test]
fn nothing_to_look_for_finds_nothing() {
    let engine = engine(&sample());
    assert!(ids(&engine, "  ，。！？ ").is_empty());
    assert!(ids(&engine, "").is_empty());
}

/// The judged set of `bench/kb-relevance` (scored, never tuned on): the help center's search
/// keeps its figures (README, *Knowledge search relevance*).
#[test]
fn relevance_on_the_judged_set() {
    let articles: Vec<JudgedArticle> = read_lines(include_str!(
        "../../../../../bench/kb-relevance/articles.jsonl"
    ))
    .expect("articles");
    let queries: Vec<JudgedQuery> = read_lines(include_str!(
        "../../../../../bench/kb-relevance/queries.jsonl"
    ))
    .expect("queries");
    let (ours, baseline) = engines(&articles, Weights::HELP).expect("engines");
    let ours = score(&ours, &articles, &queries).expect("score");
    let baseline = score(&baseline, &articles, &queries).expect("score");
    let all = ours["all"];
    assert!(all.mrr10 >= 0.85, "MRR@10 {all:?}");
    for (kind, s) in &ours {
        assert!(s.mrr10 >= 0.65, "{kind}: {s:?}");
    }
    assert!(
        all.mrr10 >= baseline["all"].mrr10 + 0.1,
        "ours {all:?}, baseline {:?}",
        baseline["all"]
    );
}

#[test]
fn an_index_folder_is_reused_but_no_other_folder_is_emptied() {
    let analyzer = Arc::new(Analyzer::plain());
    let base = std::env::temp_dir().join(format!("mss-kb-dir-test-{}", std::process::id()));
    let other = base.join("not-an-index");
    std::fs::create_dir_all(&other).expect("folder");
    std::fs::write(other.join("keep.txt"), "mine").expect("file");
    assert!(Engine::in_dir(&other, analyzer.clone(), Weights::HELP).is_err());
    assert!(other.join("keep.txt").exists(), "nothing was deleted");

    let index = base.join("index");
    let first = Engine::in_dir(&index, analyzer.clone(), Weights::HELP).expect("new folder");
    first.apply(&sample(), &[]).expect("apply");
    drop(first);
    let second = Engine::in_dir(&index, analyzer, Weights::HELP).expect("an earlier index");
    assert!(second.is_empty(), "started afresh");
    drop(second);
    std::fs::remove_dir_all(&base).expect("clean up");
}
