//! Reads of the organization documents in `org_objects` that the
//! Management API serves as they are (projects, …): one kind's documents of
//! an organization, each with its state and dates.

use burg_domain::Result;

use crate::{Reader, db_error};

/// A document as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocRow {
    pub key: String,
    /// The item's proto3 JSON.
    pub data: String,
    pub state: i64,
    pub sequence: i64,
    pub creation_date: i64,
    pub change_date: i64,
}

type Row = (String, String, i64, i64, i64, i64);

fn doc((key, data, state, sequence, creation_date, change_date): Row) -> DocRow {
    DocRow { key, data, state, sequence, creation_date, change_date }
}

/// Document `key` of `kind` of organization `org`, if there is one.
pub async fn get<'e>(on: impl Reader<'e>, instance: &str, org: &str, kind: &str, key: &str) -> Result<Option<DocRow>> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT object_key, data, state, sequence, creation_date, change_date FROM org_objects \
         WHERE instance_id = $1 AND org_id = $2 AND kind = $3 AND object_key = $4",
    )
    .bind(instance)
    .bind(org)
    .bind(kind)
    .bind(key)
    .fetch_optional(on)
    .await
    .map_err(db_error("DOCS-db001"))?;
    Ok(row.map(doc))
}

/// Every document of `kind` of organization `org`, oldest first.
pub async fn all<'e>(on: impl Reader<'e>, instance: &str, org: &str, kind: &str) -> Result<Vec<DocRow>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT object_key, data, state, sequence, creation_date, change_date FROM org_objects \
         WHERE instance_id = $1 AND org_id = $2 AND kind = $3 ORDER BY creation_date, object_key",
    )
    .bind(instance)
    .bind(org)
    .bind(kind)
    .fetch_all(on)
    .await
    .map_err(db_error("DOCS-db002"))?;
    Ok(rows.into_iter().map(doc).collect())
}

/// Every document of `kind` in the instance with its organization, of
/// every organization (for a value unique in the instance, as a SAML app's
/// entity id, or what is granted to another organization).
pub async fn of_kind<'e>(on: impl Reader<'e>, instance: &str, kind: &str) -> Result<Vec<(String, DocRow)>> {
    let rows: Vec<(String, String, String, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT org_id, object_key, data, state, sequence, creation_date, change_date FROM org_objects \
         WHERE instance_id = $1 AND kind = $2 ORDER BY creation_date, object_key",
    )
    .bind(instance)
    .bind(kind)
    .fetch_all(on)
    .await
    .map_err(db_error("DOCS-db003"))?;
    Ok(rows.into_iter().map(|(org, k, d, st, seq, c, ch)| (org, doc((k, d, st, seq, c, ch)))).collect())
}

/// The organization and kind of the document `key` of one of `kinds`, in
/// any organization of the instance: for the v2 APIs, which name a project
/// or an app by its id alone.
pub async fn owner_of<'e>(
    on: impl Reader<'e>,
    instance: &str,
    kinds: &[&str],
    key: &str,
) -> Result<Option<(String, String)>> {
    let mut sql = crate::Sql::new("SELECT org_id, kind FROM org_objects WHERE instance_id = ");
    sql.bind(instance).push(" AND object_key = ").bind(key).push(" AND kind IN (");
    for (i, kind) in kinds.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(*kind);
    }
    sql.push(") ORDER BY creation_date LIMIT 1");
    let row = sql.query().fetch_optional(on).await.map_err(db_error("DOCS-db020"))?;
    row.map(|row| Ok((crate::row::text(&row, "org_id", "DOCS-db021")?, crate::row::text(&row, "kind", "DOCS-db022")?)))
        .transpose()
}

/// The secret hash of the application of one of `kinds` whose client id
/// (the document's member `member`, or its key for an app imported without
/// one) is `client_id`; `None` when there is no such app.
pub async fn secret_of_client<'e>(
    on: impl Reader<'e>,
    instance: &str,
    kinds: &[&str],
    member: &str,
    client_id: &str,
) -> Result<Option<String>> {
    let fragment = format!("%{}%", serde_json::json!({ member: client_id }).to_string().trim_matches(['{', '}']));
    let mut sql = crate::Sql::new("SELECT object_key, data, secret_hash FROM org_objects WHERE instance_id = ");
    sql.bind(instance).push(" AND kind IN (");
    for (i, kind) in kinds.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(*kind);
    }
    sql.push(") AND (data LIKE ").bind(fragment).push(" OR object_key = ").bind(client_id).push(")");
    let rows = sql.query().fetch_all(on).await.map_err(db_error("DOCS-db030"))?;
    for row in rows {
        let key = crate::row::text(&row, "object_key", "DOCS-db031")?;
        let data: serde_json::Value =
            serde_json::from_str(&crate::row::text(&row, "data", "DOCS-db032")?).unwrap_or_default();
        let own = data.get(member).and_then(serde_json::Value::as_str).filter(|id| !id.is_empty());
        if own.map_or(key == client_id, |id| id == client_id) {
            return Ok(Some(crate::row::text(&row, "secret_hash", "DOCS-db033")?));
        }
    }
    Ok(None)
}
