//! The week's hot questions: once a week (claimed in PostgreSQL by one instance, see
//! `infra::scheduler`), the published articles are ranked by what readers did with them in the
//! four weeks before: reads, "helpful" votes (×3) and incidents linked (×5), each week counting
//! half as much as the one after it. The help center shows the top five; the team's page the
//! top twenty with the week's counts and the change from the week before.
use crate::domain::knowledge::{HotQuestion, HotWeek};
use crate::domain::time::week_of;
use crate::i18n::Locale;
use crate::server::infra::error::internal;
use crate::server::infra::locale::pick;
use crate::server::infra::scheduler::{Job, JobFuture};
use crate::server::AppState;
use crate::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

/// How many questions a week keeps.
pub const TOP: i64 = 20;

pub const JOB: Job = Job {
    name: "kb.hot_questions",
    due: |now| Some(week_of(now).to_string()),
    run: run_job,
};

fn run_job(state: AppState, period: String) -> JobFuture {
    Box::pin(async move {
        let week = NaiveDate::parse_from_str(&period, "%Y-%m-%d").map_err(internal)?;
        let n = compute(&state.pool, week).await?;
        Ok(format!("{n} hot questions for the week of {week}"))
    })
}

/// Ranks the week starting on `week` (a Monday) from the four weeks before it; replaces what
/// that week had. Two runs of the same week (the scheduler's and an admin's) take turns. How
/// many it ranked.
pub async fn compute(pool: &PgPool, week: NaiveDate) -> Result<usize, AppError> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtextextended('kb.hot:' || $1::text, 0))",
        week.to_string()
    )
    .execute(&mut *tx)
    .await?;
    let rows = sqlx::query!(
        r#"WITH events AS (
               SELECT article_id, day AS at, views AS views, 0 AS helpful, 0 AS incidents
               FROM kb_views WHERE day >= $1::date - 28 AND day < $1::date
               UNION ALL
               SELECT article_id, (updated_at AT TIME ZONE 'Asia/Shanghai')::date, 0, 1, 0
               FROM kb_feedback
               WHERE helpful AND updated_at >= ($1::date - 28)::timestamp AT TIME ZONE 'Asia/Shanghai'
                 AND updated_at < $1::date::timestamp AT TIME ZONE 'Asia/Shanghai'
               UNION ALL
               SELECT article_id, (created_at AT TIME ZONE 'Asia/Shanghai')::date, 0, 0, 1
               FROM kb_article_incidents
               WHERE created_at >= ($1::date - 28)::timestamp AT TIME ZONE 'Asia/Shanghai'
                 AND created_at < $1::date::timestamp AT TIME ZONE 'Asia/Shanghai'
           )
           SELECT e.article_id AS "id!",
                  sum((e.views + 3 * e.helpful + 5 * e.incidents)
                      * power(0.5, floor(($1::date - e.at - 1) / 7)))::float8 AS "score!",
                  coalesce(sum(e.views) FILTER (WHERE e.at >= $1::date - 7), 0)::int AS "views!",
                  coalesce(sum(e.helpful) FILTER (WHERE e.at >= $1::date - 7), 0)::int AS "helpful!",
                  coalesce(sum(e.incidents) FILTER (WHERE e.at >= $1::date - 7), 0)::int AS "incidents!"
           FROM events e JOIN kb_articles a ON a.id = e.article_id
           WHERE a.status = 'published' AND a.deleted_at IS NULL
           GROUP BY e.article_id
           ORDER BY 2 DESC, 1
           LIMIT $2"#,
        week as _,
        TOP
    )
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM kb_hot WHERE week = $1", week as _)
        .execute(&mut *tx)
        .await?;
    for (rank, r) in rows.iter().enumerate() {
        sqlx::query!(
            "INSERT INTO kb_hot (week, article_id, rank, score, views, helpful, incidents)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            week as _,
            r.id,
            rank as i32 + 1,
            r.score,
            r.views,
            r.helpful,
            r.incidents
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}

/// The latest week ranked, with each question's rank the week before.
pub async fn latest(pool: &PgPool, locale: Locale) -> Result<HotWeek, AppError> {
    let run = sqlx::query!(
        r#"SELECT period, claimed_by, finished_at AS "finished_at: DateTime<Utc>" FROM job_runs
           WHERE job = $1 AND finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 1"#,
        JOB.name
    )
    .fetch_optional(pool)
    .await?;
    let week = sqlx::query_scalar!(r#"SELECT max(week) AS "week: NaiveDate" FROM kb_hot"#)
        .fetch_one(pool)
        .await?;
    let Some(week) = week else {
        return Ok(HotWeek {
            week: None,
            computed_at: run.as_ref().and_then(|r| r.finished_at),
            computed_by: run.map(|r| r.claimed_by),
            items: Vec::new(),
        });
    };
    let items = sqlx::query!(
        r#"SELECT h.article_id, a.title, s.name_zh, s.name_en, h.rank, p.rank AS "previous_rank?",
                  h.views, h.helpful, h.incidents, h.score
           FROM kb_hot h JOIN kb_articles a ON a.id = h.article_id JOIN systems s ON s.id = a.system_id
           LEFT JOIN kb_hot p ON p.article_id = h.article_id AND p.week = h.week - 7
           WHERE h.week = $1 AND a.deleted_at IS NULL ORDER BY h.rank"#,
        week as _
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| HotQuestion {
        id: r.article_id,
        title: r.title,
        system_name: pick(locale, r.name_zh, r.name_en),
        rank: r.rank,
        previous_rank: r.previous_rank,
        views: r.views,
        helpful: r.helpful,
        incidents: r.incidents,
        score: r.score,
    })
    .collect();
    let this_week = run.filter(|r| r.period == week.to_string());
    Ok(HotWeek {
        week: Some(week),
        computed_at: this_week.as_ref().and_then(|r| r.finished_at),
        computed_by: this_week.map(|r| r.claimed_by),
        items,
    })
}
