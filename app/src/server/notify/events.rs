//! The one listener of the timeline: each app instance holds one PostgreSQL connection that
//! LISTENs. `mss_events` carries the id of every committed timeline entry (a trigger sends it),
//! `mss_reads` the incident whose thread someone on the team has read, `mss_kb` that an article
//! or the search's words changed (the search index catches up, see `knowledge::index`). The instance loads what
//! is new and hands it to its live streams (`live`) and wakes its push worker (`push`), so a
//! change written through one instance reaches browsers connected to any other. Entry ids follow
//! commit order (see the migration), so a stream that reconnects with `Last-Event-ID` gets
//! exactly what it missed.
use crate::domain::incident::EventKind;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, Notify};

/// A committed timeline entry, with what deciding who may see it needs.
#[derive(Debug, Clone)]
pub struct Change {
    pub id: i64,
    pub number: String,
    pub kind: EventKind,
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
    Read {
        number: String,
        reporter_id: i64,
    },
}

/// What an instance's streams listen to.
#[derive(Clone)]
pub struct Hub {
    tx: broadcast::Sender<Arc<Signal>>,
    /// The last entry broadcast: a new stream starts after it.
    last: Arc<AtomicI64>,
    /// Tells the push worker there are new entries.
    pub new_entries: Arc<Notify>,
    /// Tells the search index an article or the search's words changed (`mss_kb`).
    pub knowledge: Arc<Notify>,
}

impl Default for Hub {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(1024);
        Hub {
            tx,
            last: Arc::new(AtomicI64::new(0)),
            new_entries: Arc::new(Notify::new()),
            knowledge: Arc::new(Notify::new()),
        }
    }
}

impl Hub {
    /// A new stream's receiver, and the last entry broadcast before it (the stream starts after).
    pub fn subscribe(&self) -> (broadcast::Receiver<Arc<Signal>>, i64) {
        (self.tx.subscribe(), self.last.load(Ordering::SeqCst))
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
    listener
        .listen_all(["mss_events", "mss_reads", "mss_kb"])
        .await?;
    if hub.last.load(Ordering::SeqCst) == 0 {
        let newest =
            sqlx::query_scalar!("SELECT coalesce(max(id), 0) AS \"id!\" FROM incident_events")
                .fetch_one(pool)
                .await?;
        hub.last.store(newest, Ordering::SeqCst);
    }
    // Whatever committed while nobody listened.
    catch_up(pool, hub).await?;
    loop {
        // A safety net: if a notification were ever lost, the next round still finds the entry.
        match tokio::time::timeout(Duration::from_secs(5), listener.try_recv()).await {
            Err(_) => catch_up(pool, hub).await?,
            Ok(Ok(Some(note))) if note.channel() == "mss_kb" => hub.knowledge.notify_one(),
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
        let Some(newest) = changes.last().map(|c| c.id) else {
            return Ok(());
        };
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
    if let Some(row) = sqlx::query!(
        "SELECT number, reporter_id FROM incidents WHERE id = $1",
        incident
    )
    .fetch_optional(pool)
    .await?
    {
        let _ = hub.tx.send(Arc::new(Signal::Read {
            number: row.number,
            reporter_id: row.reporter_id,
        }));
    }
    Ok(())
}

/// Entries after `after`, oldest first.
pub async fn changes_after(
    pool: &PgPool,
    after: i64,
    limit: i64,
) -> Result<Vec<Change>, sqlx::Error> {
    sqlx::query_as!(
        Change,
        r#"SELECT e.id, i.number, e.kind AS "kind: EventKind", e.internal, i.reporter_id,
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
