//! Live updates: `GET /api/live`, a server-sent event stream of the changes the viewer may see.
//!
//! Each app instance holds one PostgreSQL connection that LISTENs: `mss_events` carries the id
//! of every committed timeline entry (a trigger sends it), `mss_reads` the incident whose thread
//! someone on the team has read. The instance loads what is new and broadcasts it to its
//! streams, so a change written through one instance reaches browsers connected to any other.
//! Entry ids follow commit order (see the migration), so a stream that reconnects with
//! `Last-Event-ID` gets exactly what it missed.
use super::auth::session_user;
use super::db::incidents::{sees, IncidentRef};
use super::AppState;
use crate::domain::incident::IncidentNumber;
use crate::domain::push::LiveMessage;
use crate::domain::user::{CurrentUser, Role};
use crate::AppError;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, Notify};
use tower_sessions::Session;

/// A committed timeline entry, with what deciding who may see it needs.
#[derive(Debug, Clone)]
pub struct Change {
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub internal: bool,
    pub reporter_id: i64,
    /// For an answer or a public reply: the incidents merged into this one and their
    /// reporters (in step), who follow it on their own incident's page.
    pub follower_numbers: Vec<String>,
    pub follower_ids: Vec<i64>,
}

#[derive(Debug, Clone)]
pub enum Signal {
    Change(Change),
    /// Someone on the team read the thread up to its latest entry.
    Read { number: String, reporter_id: i64 },
}

/// What an instance's streams listen to.
#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<Arc<Signal>>,
    /// The last entry broadcast: a new stream starts after it.
    last: Arc<AtomicI64>,
    /// Tells the push worker there are new entries.
    pub new_entries: Arc<Notify>,
}

impl Default for Hub {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(1024);
        Hub { tx, last: Arc::new(AtomicI64::new(0)), new_entries: Arc::new(Notify::new()) }
    }
}

/// Listens until the task is dropped; reconnects after a lost connection, and after any gap
/// (a lost connection, a missed notification) loads everything since the last entry it saw.
pub async fn listen(pool: PgPool, hub: Hub) {
    loop {
        if let Err(e) = listen_once(&pool, &hub).await {
            tracing::warn!(error = %e, "live updates: the listening connection failed; reconnecting");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn listen_once(pool: &PgPool, hub: &Hub) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen_all(["mss_events", "mss_reads"]).await?;
    if hub.last.load(Ordering::SeqCst) == 0 {
        let newest = sqlx::query_scalar!("SELECT coalesce(max(id), 0) AS \"id!\" FROM incident_events").fetch_one(pool).await?;
        hub.last.store(newest, Ordering::SeqCst);
    }
    // Whatever committed while nobody listened.
    catch_up(pool, hub).await?;
    loop {
        // A safety net: if a notification were ever lost, the next round still finds the entry.
        match tokio::time::timeout(Duration::from_secs(5), listener.try_recv()).await {
            Err(_) => catch_up(pool, hub).await?,
            Ok(Ok(Some(note))) if note.channel() == "mss_reads" => {
                if let Ok(incident) = note.payload().parse::<i64>() {
                    read_signal(pool, hub, incident).await?;
                }
            }
            Ok(Ok(Some(_))) => catch_up(pool, hub).await?,
            // The connection dropped: `try_recv` reconnects on the next call; catch up then.
            Ok(Ok(None)) => {
                tracing::warn!("live updates: listening connection lost; reconnecting");
                catch_up(pool, hub).await?;
            }
            Ok(Err(e)) => return Err(e),
        }
    }
}

async fn catch_up(pool: &PgPool, hub: &Hub) -> Result<(), sqlx::Error> {
    loop {
        let after = hub.last.load(Ordering::SeqCst);
        let changes = changes_after(pool, after, 500).await?;
        let Some(newest) = changes.last().map(|c| c.id) else { return Ok(()) };
        for change in changes.iter().cloned() {
            // No stream listening is fine: nothing to tell.
            let _ = hub.tx.send(Arc::new(Signal::Change(change)));
        }
        hub.last.store(newest, Ordering::SeqCst);
        hub.new_entries.notify_one();
        if changes.len() < 500 {
            return Ok(());
        }
    }
}

async fn read_signal(pool: &PgPool, hub: &Hub, incident: i64) -> Result<(), sqlx::Error> {
    if let Some(row) = sqlx::query!("SELECT number, reporter_id FROM incidents WHERE id = $1", incident).fetch_optional(pool).await? {
        let _ = hub.tx.send(Arc::new(Signal::Read { number: row.number, reporter_id: row.reporter_id }));
    }
    Ok(())
}

/// Entries after `after`, oldest first.
pub async fn changes_after(pool: &PgPool, after: i64, limit: i64) -> Result<Vec<Change>, sqlx::Error> {
    sqlx::query_as!(
        Change,
        r#"SELECT e.id, i.number, e.kind, e.internal, i.reporter_id,
                  f.numbers AS "follower_numbers!", f.ids AS "follower_ids!"
           FROM incident_events e JOIN incidents i ON i.id = e.incident_id
           CROSS JOIN LATERAL (
               SELECT coalesce(array_agg(m.number ORDER BY m.id), '{}') AS numbers, coalesce(array_agg(m.reporter_id ORDER BY m.id), '{}') AS ids
               FROM incidents m WHERE m.merged_into_id = i.id AND e.kind IN ('reply', 'answered') AND NOT e.internal) f
           WHERE e.id > $1 ORDER BY e.id LIMIT $2"#,
        after,
        limit
    )
    .fetch_all(pool)
    .await
}

#[derive(Deserialize)]
pub struct LiveQuery {
    /// The last entry the page saw (the browser's `Last-Event-ID` wins when it reconnects).
    after: Option<i64>,
}

/// `GET /api/live`: the signed-in viewer's stream. Without `after` it starts from now.
pub async fn stream(State(state): State<AppState>, session: Session, headers: HeaderMap, Query(query): Query<LiveQuery>) -> Response {
    let viewer = match session_user(&state, &session).await {
        Ok(Some(user)) => user,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(e) => return failed(&e),
    };
    let resume = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<i64>().ok()).or(query.after);
    // Subscribe before loading the backlog, so nothing falls between the two.
    let rx = state.live.tx.subscribe();
    let last = state.live.last.load(Ordering::SeqCst);
    let mut feed = Feed { rx, pool: state.pool.clone(), viewer, last, backlog: VecDeque::new(), state, session, checked: tokio::time::Instant::now() };
    if let Some(after) = resume.filter(|a| *a >= 0) {
        feed.last = after;
        if let Err(e) = feed.reload().await {
            return failed(&AppError::from(e));
        }
    }
    let events = futures::stream::unfold(feed, |mut feed| async move { feed.next().await.map(|event| (Ok::<_, Infallible>(event), feed)) });
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
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
                    Signal::Read { number, reporter_id } if *reporter_id == self.viewer.id => {
                        return Some(message_event("read", &LiveMessage { id: None, incident: number.clone(), kind: "read".into() }));
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
            self.last = sqlx::query_scalar!("SELECT coalesce(max(id), 0) AS \"id!\" FROM incident_events").fetch_one(&self.pool).await?;
            self.backlog.push_back(message_event("change", &LiveMessage { id: None, incident: "*".into(), kind: "reset".into() }));
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
                let own = (change.reporter_id == self.viewer.id && !change.internal).then_some(&change.number);
                let followed = change.follower_numbers.iter().zip(&change.follower_ids).filter(|(_, id)| **id == self.viewer.id).map(|(n, _)| n);
                own.into_iter().chain(followed).map(|number| change_event(change, number)).collect()
            }
            Role::Member => {
                let Ok(number) = IncidentNumber::parse(&change.number) else { return Vec::new() };
                match sees(&self.pool, &self.viewer, &IncidentRef::Number(number)).await {
                    Ok(Some(_)) => vec![change_event(change, &change.number)],
                    _ => Vec::new(),
                }
            }
        }
    }
}

fn failed(error: &AppError) -> Response {
    StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR).into_response()
}

/// `change`, told as a change to the incident `number` (its own, or one merged into it).
fn change_event(change: &Change, number: &str) -> Event {
    let message = LiveMessage { id: Some(change.id), incident: number.to_owned(), kind: change.kind.clone() };
    message_event("change", &message).id(change.id.to_string())
}

fn message_event(name: &str, message: &LiveMessage) -> Event {
    let data = serde_json::to_string(message).unwrap_or_default();
    Event::default().event(name).data(data)
}

/// `viewer` has seen `detail`'s thread to its end. When a team member reads further than before,
/// every instance tells the reporter's pages (their messages show "read").
pub async fn seen(pool: &PgPool, viewer: &CurrentUser, detail: &crate::domain::incident::IncidentDetail) -> Result<(), AppError> {
    let Some(last) = detail.timeline.last().map(|e| e.id) else { return Ok(()) };
    let advanced = super::db::incidents::mark_read(pool, viewer.id, detail.id, last).await?;
    if advanced && viewer.role != Role::Reporter {
        sqlx::query!("SELECT pg_notify('mss_reads', $1)", detail.id.to_string()).execute(pool).await?;
    }
    Ok(())
}
