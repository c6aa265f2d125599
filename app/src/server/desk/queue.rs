//! The desk's queue: the filtered, sorted, keyset-paginated list, and its counts.
use crate::domain::accounts::{CurrentUser, Role};
use crate::domain::incident::Status;
use crate::domain::{Field, Reason};
use crate::server::infra::recent::Recent;
use crate::AppError;
use chrono::Utc;
use sqlx::PgPool;

/// The desk's queue: `filter`ed, sorted, one page after its cursor. A group member sees only
/// what waits on their groups. Built per filter (one
/// plan per shape, each served by an index) rather than one query full of `$n IS NULL OR …`.
pub async fn queue(
    pool: &PgPool,
    viewer: &CurrentUser,
    filter: &crate::domain::desk::QueueFilter,
    locale: crate::i18n::Locale,
) -> Result<
    crate::domain::incident::views::Page<crate::domain::incident::views::IncidentSummary>,
    AppError,
> {
    use crate::domain::desk::{AssigneeFilter, QueueCursor, Search, Sort, StateFilter};
    use crate::domain::incident::workflow::SlaState;
    use crate::server::report::list::{Row, PAGE_SIZE};
    use sqlx::QueryBuilder;

    // Names are looked up per row of the page (scalar subqueries, run for the 31 rows only):
    // planning a five-way join on every request cost more than running the query.
    let mut q = QueryBuilder::<sqlx::Postgres>::new(
        "SELECT i.id, i.number, i.status, i.version,
                (SELECT s.name_zh FROM systems s WHERE s.id = i.system_id) AS system_zh,
                (SELECT s.name_en FROM systems s WHERE s.id = i.system_id) AS system_en,
                i.urgency, i.customer_name, i.customer_number, i.description,
                (SELECT u.display_name FROM users u WHERE u.id = i.reporter_id) AS reporter_name,
                i.created_at, i.updated_at, i.priority,
                (SELECT a.display_name FROM users a WHERE a.id = i.assignee_id) AS assignee_name, i.sla_due_at,
                (SELECT CASE WHEN i.first_responded_at IS NULL THEN t.first_response_minutes ELSE t.resolution_minutes END
                 FROM sla_targets t WHERE t.priority = i.priority) AS sla_target,
                (SELECT count(*) FROM incident_events e
                 WHERE e.incident_id = i.id AND e.actor_id = i.reporter_id AND e.kind IN ('message', 'reopened')
                   AND e.id > coalesce((SELECT r.last_event_id FROM incident_reads r WHERE r.incident_id = i.id AND r.user_id = ",
    );
    // The reporter's messages the viewer has not read yet.
    q.push_bind(viewer.id)
        .push("), 0)) AS unread FROM incidents i WHERE true");
    match viewer.role {
        Role::Handler | Role::Admin => {}
        // What waits on one of their groups (`incident_visible`'s group clause, kept apart here
        // so the group index serves it).
        Role::Member => {
            q.push(" AND i.status = 'transferred' AND i.group_id IN (SELECT group_id FROM group_members WHERE user_id = ")
                .push_bind(viewer.id)
                .push(")");
        }
        Role::Reporter => return Err(AppError::Forbidden),
    }
    match filter.state {
        StateFilter::Open => {
            q.push(" AND i.status IN ('new', 'in_progress', 'transferred', 'answered')");
        }
        StateFilter::All => {}
        StateFilter::Only(status) => {
            q.push(" AND i.status = ").push_bind(status.as_str());
        }
    }
    if let Some(category) = filter.category {
        q.push(" AND i.category_id = (SELECT id FROM categories WHERE code = ")
            .push_bind(category.as_str())
            .push(")");
    }
    if let Some(system) = &filter.system {
        q.push(" AND i.system_id = (SELECT id FROM systems WHERE code = ")
            .push_bind(system.as_str().to_owned())
            .push(")");
    }
    if let Some(priority) = filter.priority {
        q.push(" AND i.priority = ").push_bind(priority.as_str());
    }
    match &filter.assignee {
        None => {}
        Some(AssigneeFilter::Me) => {
            q.push(" AND i.assignee_id = ").push_bind(viewer.id);
        }
        Some(AssigneeFilter::Unassigned) => {
            q.push(" AND i.assignee_id IS NULL");
        }
        Some(AssigneeFilter::Login(login)) => {
            q.push(" AND i.assignee_id = (SELECT id FROM users WHERE lower(login) = ")
                .push_bind(login.as_str().to_owned())
                .push(")");
        }
    }
    if let Some(group) = &filter.group {
        q.push(" AND i.group_id = (SELECT id FROM groups WHERE code = ")
            .push_bind(group.as_str().to_owned())
            .push(")");
    }
    // Due soon: within the last quarter of the target (minutes × 15 seconds) before the due time.
    let soon = "make_interval(secs => (SELECT CASE WHEN i.first_responded_at IS NULL THEN t.first_response_minutes ELSE t.resolution_minutes END
                                       FROM sla_targets t WHERE t.priority = i.priority) * 15)";
    match filter.sla {
        None => {}
        Some(SlaState::Late) => {
            q.push(" AND i.sla_due_at < now()");
        }
        Some(SlaState::DueSoon) => {
            q.push(format!(
                " AND i.sla_due_at >= now() AND i.sla_due_at <= now() + {soon}"
            ));
        }
        Some(SlaState::OnTrack) => {
            q.push(format!(" AND i.sla_due_at > now() + {soon}"));
        }
    }
    if let Some(from) = filter.from {
        q.push(" AND i.created_at >= ").push_bind(from);
    }
    if let Some(to) = filter.to {
        q.push(" AND i.created_at < ").push_bind(to);
    }
    match &filter.search {
        None => {}
        Some(Search::Number(number)) => {
            q.push(" AND i.number = ")
                .push_bind(number.as_str().to_owned());
        }
        Some(Search::CustomerNumber(digits)) => {
            q.push(" AND i.customer_number = ")
                .push_bind(digits.clone());
        }
        Some(Search::Text(text)) => {
            let like = format!(
                "%{}%",
                text.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            q.push(" AND (i.customer_name = ")
                .push_bind(text.clone())
                .push(" OR (");
            // Two characters or more: through the index of character pairs, confirmed by LIKE.
            if text.chars().filter(|c| !c.is_whitespace()).count() >= 2 {
                q.push("i.description_grams @> text_bigrams(")
                    .push_bind(text.clone())
                    .push(") AND ");
            }
            q.push("i.description LIKE ").push_bind(like).push("))");
        }
    }
    let micros = |at: chrono::DateTime<Utc>| at.timestamp_micros();
    let from_micros = |m: i64| {
        chrono::DateTime::from_timestamp_micros(m)
            .ok_or(AppError::field(Field::Cursor, Reason::UnknownValue))
    };
    match (filter.sort, &filter.after) {
        (Sort::Newest, Some(c)) => {
            q.push(" AND (i.created_at, i.id) < (")
                .push_bind(from_micros(c.at)?)
                .push(", ")
                .push_bind(c.id)
                .push(")");
        }
        (Sort::Oldest, Some(c)) => {
            q.push(" AND (i.created_at, i.id) > (")
                .push_bind(from_micros(c.at)?)
                .push(", ")
                .push_bind(c.id)
                .push(")");
        }
        (Sort::Priority, Some(c)) => {
            let rank = u8::try_from(c.key)
                .ok()
                .filter(|k| (1..=4).contains(k))
                .ok_or(AppError::field(Field::Cursor, Reason::UnknownValue))?;
            q.push(" AND (i.priority, i.created_at, i.id) > (")
                .push_bind(format!("P{rank}"))
                .push(", ")
                .push_bind(from_micros(c.at)?)
                .push(", ")
                .push_bind(c.id)
                .push(")");
        }
        (Sort::Due, Some(c)) => {
            q.push(" AND (i.sla_due_at, i.id) > (")
                .push_bind(from_micros(c.at)?)
                .push(", ")
                .push_bind(c.id)
                .push(")");
        }
        (_, None) => {}
    }
    if filter.sort == Sort::Due {
        q.push(" AND i.sla_due_at IS NOT NULL");
    }
    q.push(match filter.sort {
        Sort::Newest => " ORDER BY i.created_at DESC, i.id DESC",
        Sort::Oldest => " ORDER BY i.created_at, i.id",
        Sort::Priority => " ORDER BY i.priority, i.created_at, i.id",
        Sort::Due => " ORDER BY i.sla_due_at, i.id",
    });
    q.push(" LIMIT ").push_bind(PAGE_SIZE + 1);
    let rows: Vec<Row> = q.build_query_as().fetch_all(pool).await?;
    let next_cursor = (rows.len() as i64 > PAGE_SIZE)
        .then(|| rows.get(PAGE_SIZE as usize - 1))
        .flatten()
        .map(|r| {
            let (key, at) = match filter.sort {
                Sort::Newest | Sort::Oldest => (0, micros(r.created_at)),
                Sort::Priority => (
                    i64::from(
                        r.priority
                            .trim_start_matches('P')
                            .parse::<u8>()
                            .unwrap_or(4),
                    ),
                    micros(r.created_at),
                ),
                Sort::Due => (0, r.sla_due_at.map(micros).unwrap_or_default()),
            };
            QueueCursor { key, at, id: r.id }.encode()
        });
    let items = rows
        .iter()
        .take(PAGE_SIZE as usize)
        .map(|r| r.summary(locale))
        .collect::<Result<_, _>>()?;
    Ok(crate::domain::incident::views::Page { items, next_cursor })
}

/// How many incidents each open state holds, desk-wide: for the queue's tabs. Counting 100,000
/// open incidents takes tens of milliseconds, so an instance counts at most every `FRESH` and
/// serves the same figures in between.
pub async fn open_counts(
    pool: &PgPool,
    cache: &Recent<Vec<(Status, i64)>>,
) -> Result<Vec<(Status, i64)>, AppError> {
    cache
        .get_or(async {
            let rows = sqlx::query!(
                r#"SELECT status, count(*) AS "n!" FROM incidents
           WHERE status IN ('new', 'in_progress', 'transferred', 'answered') GROUP BY status"#
            )
            .fetch_all(pool)
            .await?;
            Ok(rows
                .into_iter()
                .filter_map(|r| Status::parse(&r.status).ok().map(|s| (s, r.n)))
                .collect())
        })
        .await
}
