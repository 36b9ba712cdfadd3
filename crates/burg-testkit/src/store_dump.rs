//! A whole store as data: every row of every table, so that a store one
//! release wrote can be recorded once and loaded into a fresh database of
//! either backend by a later release (`TestServer::start_on_dump`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sqlx::{Column, Row};

/// Tables by name; each row a map of column to value (a string or an
/// integer: burg stores nothing else).
pub type Tables = BTreeMap<String, Vec<BTreeMap<String, serde_json::Value>>>;

/// A recorded store with what a test needs to use it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreDump {
    /// The master key the store's secrets are sealed with.
    pub master_key: String,
    /// The IAM_OWNER token the store's first start wrote.
    pub admin_token: String,
    /// Whatever the recording wants to hand on (ids, tokens, secrets).
    pub notes: BTreeMap<String, String>,
    pub tables: Tables,
}

/// Every row of every burg table of an SQLite database, in insertion order
/// (events by position).
pub async fn dump_sqlite(pool: &sqlx::AnyPool) -> Tables {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE '_sqlx%' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .expect("table names");
    let mut tables = Tables::new();
    for name in names {
        let order = if name == "events" { " ORDER BY position" } else { " ORDER BY rowid" };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {name}{order}")))
            .fetch_all(pool)
            .await
            .expect("rows");
        let rows = rows
            .iter()
            .map(|row| {
                row.columns()
                    .iter()
                    .map(|c| {
                        let i = c.ordinal();
                        let value = match row.try_get::<i64, _>(i) {
                            Ok(n) => serde_json::Value::from(n),
                            Err(_) => serde_json::Value::from(row.try_get::<String, _>(i).expect("text or integer")),
                        };
                        (c.name().to_string(), value)
                    })
                    .collect()
            })
            .collect();
        tables.insert(name, rows);
    }
    tables
}

/// Inserts `tables` into a migrated, empty database. Event positions are
/// not copied: the events are inserted in their recorded order, and the
/// database numbers them again.
pub async fn load(pool: &sqlx::AnyPool, postgres: bool, tables: &Tables) {
    for (name, rows) in tables {
        for row in rows {
            let columns: Vec<&String> = row.keys().filter(|c| !(name == "events" && *c == "position")).collect();
            let marks: Vec<String> =
                (1..=columns.len()).map(|i| if postgres { format!("${i}") } else { "?".into() }).collect();
            let sql = format!(
                "INSERT INTO {name} ({}) VALUES ({})",
                columns.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "),
                marks.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for column in &columns {
                query = match &row[*column] {
                    serde_json::Value::Number(n) => query.bind(n.as_i64().expect("an integer")),
                    serde_json::Value::String(s) => query.bind(s.clone()),
                    other => panic!("{name}.{column} holds {other}, neither text nor an integer"),
                };
            }
            query.execute(pool).await.unwrap_or_else(|e| panic!("insert into {name}: {e}"));
        }
    }
}
