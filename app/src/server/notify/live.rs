//! Live updates: `GET /api/live`, a server-sent event stream of the changes the viewer may see,
//! fed by the instance's one listener of the timeline (`events`).
use crate::domain::accounts::{CurrentUser, Role};
use crate::domain::incident::IncidentNumber;
use crate::domain::notify::LiveMessage;
use crate::server::accounts::auth::session_user;
use crate::server::notify::events::{changes_after, Change, Signal};
use crate::server::report::detail::{sees, IncidentRef};
use crate::server::AppState;
use crate::AppError;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sqlx::PgPool;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;
use tower_sessions::Session;

#[derive(Deserialize)]
pub struct LiveQuery {
    /// The last entry the page saw (the browser's `Last-Event-ID` wins when it reconnects).
    after: Option<i64>,
}

/// `GET /api/live`: the signed-in viewer's stream. Without `after` it starts from now.
pub async fn stream(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Query(query): Query<LiveQuery>,
) -> Response {
    let viewer = match session_user(&state, &session).await {
        Ok(Some(user)) => user,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(e) => return failed(&e),
    };
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .or(query.after);
    // Subscribe before loading the backlog, so nothing falls between the two.
    let (rx, last) = state.events.subscribe();
    let mut feed = Feed {
        rx,
        pool: state.pool.clone(),
        viewer,
        last,
        backlog: VecDeque::new(),
        state,
        session,
        checked: tokio::time::Instant::now(),
    };
    if let Some(after) = resume.filter(|a| *a >= 0) {
        feed.last = after;
        if let Err(e) = feed.reload().await {
            return failed(&AppError::from(e));
        }
    }
    let events = futures::stream::unfold(feed, |mut feed| async move {
        feed.next()
            .await
            .map(|event| (Ok::<_, Infallible>(event), feed))
    });
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

struct Feed {
    rx: broadcast::Receiver<Arc<Signal>>,
    pool: PgPool,
    viewer: CurrentUser,
    /// The last entry considered for this stream (sent or not visible to the viewer).
    last: i64,
    backlog: VecDeque<Event>,
    /// The stream lasts only as long as its session: checked again every minute (disabling the
    /// account or resetting its password ends it; a changed role applies from then on).
    state: AppState,
    session: Session,
    checked: tokio::time::Instant,
}

impl Feed {
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.backlog.pop_front() {
                return Some(event);
            }
            let due = self.checked + Duration::from_secs(self.state.settings.live_recheck_secs);
            let received = tokio::select! {
                received = self.rx.recv() => received,
                _ = tokio::time::sleep_until(due) => {
                    self.checked = tokio::time::Instant::now();
                    match session_user(&self.state, &self.session).await {
                        // The account as it is now: a role changed meanwhile decides from here on.
                        Ok(Some(user)) => {
                            self.viewer = user;
                            continue;
                        }
                        _ => return None,
                    }
                }
            };
            match received {
                Ok(signal) => match &*signal {
                    Signal::Change(change) if change.id > self.last => {
                        self.last = change.id;
                        let events = self.events_for(change).await;
                        self.backlog.extend(events);
                    }
                    Signal::Change(_) => {}
                    Signal::Read {
                        number,
                        reporter_id,
                    } if *reporter_id == self.viewer.id => {
                        return Some(message_event(
                            "read",
                            &LiveMessage {
                                id: None,
                                incident: number.clone(),
                                kind: "read".into(),
                            },
                        ));
                    }
                    Signal::Read { .. } => {}
                },
                // Too slow to keep up: load what was missed from the database instead.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    if self.reload().await.is_err() {
                        return None;
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    /// Loads what the stream missed. More than `REPLAY` entries behind (a phone offline for
    /// days, a burst the stream could not keep up with), it does not replay them one by one:
    /// it tells the page that anything may have changed (`incident` `*`), so it loads again,
    /// and goes on from now. Either way there is no silent gap.
    async fn reload(&mut self) -> Result<(), sqlx::Error> {
        const REPLAY: i64 = 1000;
        let missed = changes_after(&self.pool, self.last, REPLAY).await?;
        if missed.len() as i64 == REPLAY {
            self.backlog.clear();
            self.last =
                sqlx::query_scalar!("SELECT coalesce(max(id), 0) AS \"id!\" FROM incident_events")
                    .fetch_one(&self.pool)
                    .await?;
            self.backlog.push_back(message_event(
                "change",
                &LiveMessage {
                    id: None,
                    incident: "*".into(),
                    kind: "reset".into(),
                },
            ));
            return Ok(());
        }
        for change in missed {
            self.last = change.id;
            let events = self.events_for(&change).await;
            self.backlog.extend(events);
        }
        Ok(())
    }

    /// What the viewer hears of a change. The reporter: their own incidents' thread (never
    /// internal entries), and the answers to an incident theirs was merged into, as a change to
    /// theirs (its page shows those answers). The desk: every change. A group member: what they
    /// may open.
    async fn events_for(&self, change: &Change) -> Vec<Event> {
        match self.viewer.role {
            Role::Handler | Role::Admin => vec![change_event(change, &change.number)],
            Role::Reporter => {
                let own = (change.reporter_id == self.viewer.id && !change.internal)
                    .then_some(&change.number);
                let followed = change
                    .follower_numbers
                    .iter()
                    .zip(&change.follower_ids)
                    .filter(|(_, id)| **id == self.viewer.id)
                    .map(|(n, _)| n);
                own.into_iter()
                    .chain(followed)
                    .map(|number| change_event(change, number))
                    .collect()
            }
            Role::Member => {
                let Ok(number) = IncidentNumber::parse(&change.number) else {
                    return Vec::new();
                };
                match sees(&self.pool, &self.viewer, &IncidentRef::Number(number)).await {
                    Ok(Some(_)) => vec![change_event(change, &change.number)],
                    _ => Vec::new(),
                }
            }
        }
    }
}

fn failed(error: &AppError) -> Response {
    StatusCode::from_u16(error.status())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        .into_response()
}

/// `change`, told as a change to the incident `number` (its own, or one merged into it).
fn change_event(change: &Change, number: &str) -> Event {
    let message = LiveMessage {
        id: Some(change.id),
        incident: number.to_owned(),
        kind: change.kind.as_str().to_owned(),
    };
    message_event("change", &message).id(change.id.to_string())
}

fn message_event(name: &str, message: &LiveMessage) -> Event {
    let data = serde_json::to_string(message).unwrap_or_default();
    Event::default().event(name).data(data)
}

/// `viewer` has seen `detail`'s thread to its end. When a team member reads further than before,
/// every instance tells the reporter's pages (their messages show "read").
pub async fn seen(
    pool: &PgPool,
    viewer: &CurrentUser,
    detail: &crate::domain::incident::views::IncidentDetail,
) -> Result<(), AppError> {
    let Some(last) = detail.timeline.last().map(|e| e.id) else {
        return Ok(());
    };
    let advanced =
        crate::server::report::detail::mark_read(pool, viewer.id, detail.id, last).await?;
    if advanced && viewer.role != Role::Reporter {
        sqlx::query!("SELECT pg_notify('mss_reads', $1)", detail.id.to_string())
            .execute(pool)
            .await?;
    }
    Ok(())
}
