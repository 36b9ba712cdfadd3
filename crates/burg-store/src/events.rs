//! Reading the event store back: the instance's events, filtered, with the
//! display name of the user who wrote each (`ListEvents`).

use burg_domain::Result;
use burg_domain::event::Event;

use crate::event_store::{EVENT_COLUMNS, event_from_row};
use crate::row::text;
use crate::{Db, Sql, db_error};

/// Which events to read; every filter given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventQuery {
    /// Events whose own (per-aggregate) sequence is greater.
    pub sequence_above: Option<i64>,
    pub editor_user: Option<String>,
    /// Any of these types (all when empty).
    pub event_types: Vec<String>,
    /// Any of these aggregate types (all when empty).
    pub aggregate_types: Vec<String>,
    pub aggregate_id: Option<String>,
    pub resource_owner: Option<String>,
    /// Written at or after, µs since the epoch.
    pub since: Option<i64>,
    /// Written at or before, µs since the epoch.
    pub until: Option<i64>,
    /// In the order they were written, else newest first.
    pub asc: bool,
    pub limit: i64,
}

/// An event and the display name of its editor ("" when the editor is no
/// user, or no longer one).
#[derive(Debug, Clone, PartialEq)]
pub struct ListedEvent {
    pub event: Event,
    pub editor_name: String,
}

/// The events of `instance` that `query` selects.
pub async fn list(db: &Db, instance: &str, query: &EventQuery) -> Result<Vec<ListedEvent>> {
    let mut sql = Sql::new(format!(
        "SELECT {}, COALESCE(u.display_name, '') AS editor_name FROM events e \
         LEFT JOIN users u ON u.instance_id = e.instance_id AND u.id = e.editor_user WHERE e.instance_id = ",
        EVENT_COLUMNS.split(", ").map(|c| format!("e.{c}")).collect::<Vec<_>>().join(", ")
    ));
    sql.bind(instance);
    if let Some(sequence) = query.sequence_above {
        sql.push(" AND e.sequence > ").bind(sequence);
    }
    if let Some(editor) = &query.editor_user {
        sql.push(" AND e.editor_user = ").bind(editor);
    }
    push_in(&mut sql, "e.event_type", &query.event_types);
    push_in(&mut sql, "e.aggregate_type", &query.aggregate_types);
    if let Some(id) = &query.aggregate_id {
        sql.push(" AND e.aggregate_id = ").bind(id);
    }
    if let Some(owner) = &query.resource_owner {
        sql.push(" AND e.resource_owner = ").bind(owner);
    }
    if let Some(since) = query.since {
        sql.push(" AND e.created_at >= ").bind(since);
    }
    if let Some(until) = query.until {
        sql.push(" AND e.created_at <= ").bind(until);
    }
    sql.push(if query.asc { " ORDER BY e.position ASC" } else { " ORDER BY e.position DESC" });
    sql.push(" LIMIT ").bind(query.limit);
    let rows = sql.query().fetch_all(db.pool()).await.map_err(db_error("EVENT-db001"))?;
    rows.iter()
        .map(|row| {
            Ok(ListedEvent { event: event_from_row(row)?, editor_name: text(row, "editor_name", "EVENT-db002")? })
        })
        .collect()
}

fn push_in(sql: &mut Sql, column: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    sql.push(" AND ").push(column).push(" IN (");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(v);
    }
    sql.push(")");
}

/// An event of an aggregate's history with what a change list shows of its
/// editor (its id, when the editor is no user, or no longer one).
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRow {
    pub event: Event,
    pub editor_name: String,
    pub editor_login_name: String,
}

/// The events of aggregate `aggregate_type`/`aggregate_id` after
/// `sequence` (all when 0), oldest or newest first, at most `limit`.
pub async fn changes(
    db: &Db,
    instance: &str,
    aggregate_type: &str,
    aggregate_id: &str,
    sequence: i64,
    asc: bool,
    limit: i64,
) -> Result<Vec<ChangeRow>> {
    let mut sql = Sql::new(format!(
        "SELECT {}, COALESCE(u.display_name, e.editor_user) AS editor_name, \
         COALESCE(u.username, e.editor_user) AS editor_login \
         FROM events e LEFT JOIN users u ON u.instance_id = e.instance_id AND u.id = e.editor_user \
         WHERE e.instance_id = ",
        EVENT_COLUMNS.split(", ").map(|c| format!("e.{c}")).collect::<Vec<_>>().join(", ")
    ));
    sql.bind(instance);
    sql.push(" AND e.aggregate_type = ").bind(aggregate_type);
    sql.push(" AND e.aggregate_id = ").bind(aggregate_id);
    if sequence > 0 {
        sql.push(" AND e.sequence > ").bind(sequence);
    }
    sql.push(if asc { " ORDER BY e.sequence ASC" } else { " ORDER BY e.sequence DESC" });
    sql.push(" LIMIT ").bind(limit);
    let rows = sql.query().fetch_all(db.pool()).await.map_err(db_error("EVENT-db003"))?;
    rows.iter()
        .map(|row| {
            Ok(ChangeRow {
                event: event_from_row(row)?,
                editor_name: text(row, "editor_name", "EVENT-db004")?,
                editor_login_name: text(row, "editor_login", "EVENT-db005")?,
            })
        })
        .collect()
}

/// Whether aggregate `aggregate_type`/`aggregate_id` has any event (an
/// object that was removed still has its events).
pub async fn aggregate_exists<'e>(
    on: impl crate::Reader<'e>,
    instance: &str,
    aggregate_type: &str,
    aggregate_id: &str,
) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE instance_id = $1 AND aggregate_type = $2 \
         AND aggregate_id = $3 LIMIT 1) e",
    )
    .bind(instance)
    .bind(aggregate_type)
    .bind(aggregate_id)
    .fetch_one(on)
    .await
    .map_err(db_error("EVENT-db006"))?;
    Ok(n > 0)
}

/// The newest event of aggregate `aggregate_type`/`aggregate_id` whose type
/// is one of `types`: what a write model that only these types change
/// holds now (a user's newest verification code, say).
pub async fn newest_of(
    conn: &mut sqlx::AnyConnection,
    instance: &str,
    aggregate_type: &str,
    aggregate_id: &str,
    types: &[&str],
) -> Result<Option<Event>> {
    let mut sql = Sql::new(format!("SELECT {EVENT_COLUMNS} FROM events WHERE instance_id = "));
    sql.bind(instance);
    sql.push(" AND aggregate_type = ").bind(aggregate_type);
    sql.push(" AND aggregate_id = ").bind(aggregate_id);
    let types: Vec<String> = types.iter().map(|t| t.to_string()).collect();
    push_in(&mut sql, "event_type", &types);
    sql.push(" ORDER BY sequence DESC LIMIT 1");
    let row = sql.query_for(conn).fetch_optional(&mut *conn).await.map_err(db_error("EVENT-db007"))?;
    row.as_ref().map(event_from_row).transpose()
}
