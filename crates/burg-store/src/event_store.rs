//! Appending events: one write transaction, sequences per aggregate, and the
//! projections updated before commit.

use std::collections::HashMap;
use std::sync::Arc;

use burg_domain::event::{Event, NewEvent};
use burg_domain::{Error, Result};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row, Transaction};
use tokio::sync::OwnedMutexGuard;

use crate::db::{Backend, Db};
use crate::{Sql, db_error, is_unique_violation, projection};

/// Who caused a write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Editor {
    pub user_id: String,
    /// The API that took the call, e.g. `zitadel.admin.v1.AdminService`.
    pub service: String,
}

/// One write: events and projections commit together or not at all.
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    _serialize: Option<OwnedMutexGuard<()>>,
    instance_id: String,
    editor: Editor,
    now: i64,
    /// Aggregate type → aggregate id → the last sequence this transaction
    /// gave it (looked up by `&str`: no key is built per event).
    sequences: HashMap<&'static str, HashMap<String, i64>>,
    changes: Arc<crate::db::Changes>,
    backend: Backend,
    wrote: bool,
    fresh: bool,
}

/// Events per INSERT statement (10 values each).
const INSERT_BATCH: usize = 200;

impl Db {
    /// Starts a write for `instance_id` at time `now` (µs since the epoch).
    pub async fn begin_write(&self, instance_id: &str, editor: Editor, now: i64) -> Result<WriteTx> {
        let (tx, guard) = match self.backend() {
            Backend::Sqlite => {
                let guard = self.write_lock.clone().lock_owned().await;
                let tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(db_error("STORE-tx001"))?;
                (tx, Some(guard))
            }
            Backend::Postgres => (self.pool.begin().await.map_err(db_error("STORE-tx002"))?, None),
        };
        Ok(WriteTx {
            tx,
            _serialize: guard,
            instance_id: instance_id.to_string(),
            editor,
            now,
            sequences: HashMap::new(),
            changes: self.changes.clone(),
            backend: self.backend(),
            wrote: false,
            fresh: false,
        })
    }
}

impl WriteTx {
    /// The connection of this transaction, for reads that must see its writes.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    pub fn now(&self) -> i64 {
        self.now
    }

    pub fn instance_id(&self) -> &str {
        &self.instance_id
    }

    pub fn editor(&self) -> &Editor {
        &self.editor
    }

    /// The instance and the connection, borrowed together (for reads
    /// scoped to the instance).
    pub(crate) fn split(&mut self) -> (&str, &mut AnyConnection) {
        (&self.instance_id, &mut self.tx)
    }

    pub(crate) fn backend(&self) -> Backend {
        self.backend
    }

    /// Appends events in order and applies them to the projections.
    ///
    /// A concurrent writer that appended to the same aggregate first makes
    /// this fail with [`burg_domain::ErrorKind::Aborted`]; the caller may
    /// retry the whole command.
    pub async fn push(&mut self, events: Vec<NewEvent>) -> Result<Vec<Event>> {
        let mut stored = Vec::with_capacity(events.len());
        if !events.is_empty() && !self.wrote && self.backend == Backend::Postgres {
            // Delivered to the other nodes when (and only if) this commits.
            sqlx::query("SELECT pg_notify($1, '')")
                .bind(crate::db::CHANGES_CHANNEL)
                .execute(&mut *self.tx)
                .await
                .map_err(db_error("STORE-ntf01"))?;
        }
        self.wrote |= !events.is_empty();
        let mut numbered = Vec::with_capacity(events.len());
        for event in events {
            let sequence = self.next_sequence(event.aggregate.kind, &event.aggregate.id).await?;
            let ids = self.sequences.entry(event.aggregate.kind).or_default();
            match ids.get_mut(event.aggregate.id.as_str()) {
                Some(last) => *last = sequence,
                None => {
                    ids.insert(event.aggregate.id.clone(), sequence);
                }
            }
            numbered.push((event, sequence));
        }
        // One statement per batch of rows; a single event also learns its
        // position (batches leave it 0: nothing reads it back).
        let mut chunks = Vec::new();
        let mut numbered = numbered.into_iter().peekable();
        while numbered.peek().is_some() {
            chunks.push(numbered.by_ref().take(INSERT_BATCH).collect::<Vec<_>>());
        }
        let unique = |e: sqlx::Error| {
            if is_unique_violation(&e) {
                Error::aborted("STORE-ev002", "the object was changed concurrently; retry")
            } else {
                db_error("STORE-ev003")(e)
            }
        };
        let mut positions = Vec::with_capacity(chunks.len());
        // The INSERT of chunk `k`, if there is one.
        let build = |k: usize| chunks.get(k).map(|c| insert_events(&self.instance_id, &self.editor, self.now, c));
        let mut next = build(0).transpose()?;
        for (k, chunk) in chunks.iter().enumerate() {
            let Some(mut sql) = next.take() else { break };
            if chunk.len() == 1 {
                sql.push(" RETURNING position");
                let query = sql.query_for(&self.tx);
                positions.push(query.fetch_one(&mut *self.tx).await.and_then(|r| r.try_get(0)).map_err(unique)?);
                next = build(k + 1).transpose()?;
            } else {
                // The next statement is built while this one runs.
                let (done, built) = sql.execute_overlapped(&mut self.tx, || build(k + 1).transpose()).await;
                done.map_err(unique)?;
                next = built?;
                positions.push(0);
            }
        }
        for (chunk, position) in chunks.into_iter().zip(positions) {
            for (event, sequence) in chunk {
                stored.push(Event {
                    position,
                    instance_id: self.instance_id.clone(),
                    aggregate_type: event.aggregate.kind.to_string(),
                    aggregate_id: event.aggregate.id,
                    sequence,
                    event_type: event.event_type.to_string(),
                    payload: event.payload,
                    editor_user: self.editor.user_id.clone(),
                    editor_service: self.editor.service.clone(),
                    resource_owner: event.aggregate.resource_owner,
                    created_at: self.now,
                });
            }
        }
        projection::apply_all(&mut self.tx, &stored).await?;
        Ok(stored)
    }

    /// From now on in this transaction, aggregates it has not written yet
    /// are taken to have no events (their next sequence is 1) without
    /// asking the database. For imports into a new organization; should an
    /// aggregate exist after all, the unique key refuses the write.
    pub fn assume_new_aggregates(&mut self) {
        self.fresh = true;
    }

    async fn next_sequence(&mut self, kind: &str, id: &str) -> Result<i64> {
        if let Some(seq) = self.sequences.get(kind).and_then(|ids| ids.get(id)) {
            return Ok(seq + 1);
        }
        if self.fresh {
            return Ok(1);
        }
        let current: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(sequence) FROM events WHERE instance_id = $1 AND aggregate_type = $2 AND aggregate_id = $3",
        )
        .bind(&self.instance_id)
        .bind(kind)
        .bind(id)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db_error("STORE-seq01"))?;
        Ok(current.unwrap_or(0) + 1)
    }

    pub async fn commit(self) -> Result<()> {
        let changes = self.changes.clone();
        let result = self.tx.commit().await.map_err(|e| {
            if is_unique_violation(&e) {
                Error::aborted("STORE-tx003", "the object was changed concurrently; retry")
            } else {
                db_error("STORE-tx004")(e)
            }
        });
        // Before the caller answers: its next read must miss every cache.
        changes.bump();
        result
    }
}

/// The INSERT of numbered `events`, written by `editor` at `now`.
fn insert_events(instance_id: &str, editor: &Editor, now: i64, events: &[(NewEvent, i64)]) -> Result<Sql> {
    let mut sql = Sql::new(
        "INSERT INTO events (instance_id, aggregate_type, aggregate_id, sequence, event_type, payload, \
         editor_user, editor_service, resource_owner, created_at) VALUES ",
    );
    for (i, (event, sequence)) in events.iter().enumerate() {
        let payload = serde_json::to_string(&event.payload)
            .map_err(|e| Error::internal("STORE-ev001", format!("cannot encode payload: {e}")))?;
        sql.push(if i == 0 { "(" } else { ", (" });
        sql.bind(instance_id).push(", ").bind(event.aggregate.kind).push(", ");
        sql.bind(&event.aggregate.id).push(", ").bind(*sequence).push(", ");
        sql.bind(event.event_type).push(", ").bind(payload).push(", ");
        sql.bind(&editor.user_id).push(", ").bind(&editor.service).push(", ");
        sql.bind(&event.aggregate.resource_owner).push(", ").bind(now).push(")");
    }
    Ok(sql)
}

/// Reads an event row selected with [`EVENT_COLUMNS`].
pub fn event_from_row(row: &AnyRow) -> Result<Event> {
    let payload: String = row.try_get("payload").map_err(db_error("STORE-row01"))?;
    Ok(Event {
        position: row.try_get("position").map_err(db_error("STORE-row02"))?,
        instance_id: row.try_get("instance_id").map_err(db_error("STORE-row03"))?,
        aggregate_type: row.try_get("aggregate_type").map_err(db_error("STORE-row04"))?,
        aggregate_id: row.try_get("aggregate_id").map_err(db_error("STORE-row05"))?,
        sequence: row.try_get("sequence").map_err(db_error("STORE-row06"))?,
        event_type: row.try_get("event_type").map_err(db_error("STORE-row07"))?,
        payload: serde_json::from_str(&payload)
            .map_err(|e| Error::internal("STORE-row08", format!("stored payload is not JSON: {e}")))?,
        editor_user: row.try_get("editor_user").map_err(db_error("STORE-row09"))?,
        editor_service: row.try_get("editor_service").map_err(db_error("STORE-row10"))?,
        resource_owner: row.try_get("resource_owner").map_err(db_error("STORE-row11"))?,
        created_at: row.try_get("created_at").map_err(db_error("STORE-row12"))?,
    })
}

/// The columns [`event_from_row`] reads.
pub const EVENT_COLUMNS: &str = "position, instance_id, aggregate_type, aggregate_id, sequence, event_type, payload, \
     editor_user, editor_service, resource_owner, created_at";
