//! The one scheduler of the whole app: jobs that run once per period (a business week, a
//! month) across every instance. Each instance looks every minute; the first to claim a job's
//! period in PostgreSQL runs it, the others see the claim and skip. A period missed while no
//! instance ran (a restart, a deploy) is run when one comes back. A claim whose instance died
//! mid-run (no `finished_at` after 30 minutes) or whose run failed (after 10 minutes) is taken
//! again, so a period is never skipped; jobs replace their period's results, so a second run
//! after such a crash does no harm.
use crate::server::AppState;
use crate::AppError;
use chrono::{DateTime, Utc};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

pub type JobFuture = Pin<Box<dyn Future<Output = Result<String, AppError>> + Send>>;

/// A job: its name, the period due at a moment (its key, e.g. the week's Monday), and its work
/// (given the period's key; returns a line for the log).
pub struct Job {
    pub name: &'static str,
    pub due: fn(DateTime<Utc>) -> Option<String>,
    pub run: fn(AppState, String) -> JobFuture,
}

/// Every scheduled job of the app.
pub const JOBS: &[Job] = &[crate::server::knowledge::hot::JOB];

/// Runs for as long as the instance does.
pub async fn run(state: AppState) {
    let minute = Duration::from_secs(60);
    // A few seconds after start (a deploy's instances come up together; one claim wins).
    let mut every =
        tokio::time::interval_at(tokio::time::Instant::now() + Duration::from_secs(5), minute);
    loop {
        every.tick().await;
        for job in JOBS {
            if let Err(e) = tick(&state, job, Utc::now()).await {
                tracing::warn!(job = job.name, error = ?e, "scheduled job failed");
            }
        }
    }
}

/// Runs `job` if a period is due at `now` and this instance claims it. Whether it ran.
pub async fn tick(state: &AppState, job: &Job, now: DateTime<Utc>) -> Result<bool, AppError> {
    let Some(period) = (job.due)(now) else {
        return Ok(false);
    };
    let Some(id) = claim(state, job.name, &period).await? else {
        return Ok(false);
    };
    finish(
        state,
        id,
        (job.run)(state.clone(), period.clone()).await,
        job.name,
        &period,
    )
    .await?;
    Ok(true)
}

/// Runs `job` for `period` now, whatever the schedule (an admin's "recompute"), recorded as
/// theirs.
pub async fn run_now(
    state: &AppState,
    job: &Job,
    period: String,
    admin: i64,
) -> Result<String, AppError> {
    let id = sqlx::query_scalar!(
        "INSERT INTO job_runs (job, period, claimed_by) VALUES ($1, $2, $3) RETURNING id",
        job.name,
        period,
        format!("admin:{admin}")
    )
    .fetch_one(&state.pool)
    .await?;
    let outcome = (job.run)(state.clone(), period.clone()).await;
    let summary = outcome.clone();
    finish(state, id, outcome, job.name, &period).await?;
    summary
}

async fn claim(state: &AppState, job: &str, period: &str) -> Result<Option<i64>, AppError> {
    Ok(sqlx::query_scalar!(
        "INSERT INTO job_runs (job, period, claimed_by) VALUES ($1, $2, 'scheduler')
         ON CONFLICT (job, period) WHERE claimed_by = 'scheduler'
         DO UPDATE SET error = NULL, finished_at = NULL, updated_at = now()
         WHERE (job_runs.finished_at IS NULL AND job_runs.error IS NULL
                AND job_runs.updated_at < now() - interval '30 minutes')
            OR (job_runs.error IS NOT NULL AND job_runs.updated_at < now() - interval '10 minutes')
         RETURNING id",
        job,
        period
    )
    .fetch_optional(&state.pool)
    .await?)
}

async fn finish(
    state: &AppState,
    id: i64,
    outcome: Result<String, AppError>,
    job: &str,
    period: &str,
) -> Result<(), AppError> {
    let error = match &outcome {
        Ok(summary) => {
            tracing::info!(job, period, summary, "scheduled job done");
            None
        }
        Err(e) => {
            tracing::warn!(job, period, error = ?e, "scheduled job failed; it is tried again in 10 minutes");
            Some(format!("{e:?}"))
        }
    };
    sqlx::query!(
        "UPDATE job_runs SET finished_at = CASE WHEN $2::text IS NULL THEN now() END, error = $2,
                updated_at = now()
         WHERE id = $1",
        id,
        error
    )
    .execute(&state.pool)
    .await?;
    Ok(())
}
