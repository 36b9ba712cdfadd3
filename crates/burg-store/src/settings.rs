//! The `settings` table: one settings document per owner (the instance,
//! or an organization with its own value) and kind. See
//! [`burg_domain::settings`].

use burg_domain::Result;
use burg_domain::event::Event;
use burg_domain::settings::SettingOp;
use sqlx::AnyConnection;

use crate::db_error;

/// A stored settings document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingRow {
    pub owner_id: String,
    /// The document's JSON.
    pub data: String,
    pub sequence: i64,
    pub creation_date: i64,
    pub change_date: i64,
}

/// The document of `kind` that `owner` holds, if any.
pub async fn load(conn: &mut AnyConnection, instance: &str, owner: &str, kind: &str) -> Result<Option<SettingRow>> {
    let row: Option<(String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT owner_id, data, sequence, creation_date, change_date FROM settings \
         WHERE instance_id = $1 AND owner_id = $2 AND kind = $3",
    )
    .bind(instance)
    .bind(owner)
    .bind(kind)
    .fetch_optional(conn)
    .await
    .map_err(db_error("SETTING-db01"))?;
    Ok(row.map(|(owner_id, data, sequence, creation_date, change_date)| SettingRow {
        owner_id,
        data,
        sequence,
        creation_date,
        change_date,
    }))
}

/// The imported document of `object_kind` (`org_objects.kind`, such as
/// `login_policy`) that organization `org` holds: how earlier releases
/// kept an imported organization's policy. Its JSON and details as a
/// [`SettingRow`].
pub async fn org_document(
    conn: &mut AnyConnection,
    instance: &str,
    org: &str,
    object_kind: &str,
) -> Result<Option<SettingRow>> {
    let row: Option<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT data, sequence, creation_date, change_date FROM org_objects \
         WHERE instance_id = $1 AND org_id = $2 AND kind = $3 AND object_key = ''",
    )
    .bind(instance)
    .bind(org)
    .bind(object_kind)
    .fetch_optional(conn)
    .await
    .map_err(db_error("SETTING-db16"))?;
    Ok(row.map(|(data, sequence, creation_date, change_date)| SettingRow {
        owner_id: org.to_string(),
        data,
        sequence,
        creation_date,
        change_date,
    }))
}

/// The kinds of which `owner` holds a document.
pub async fn kinds(conn: &mut AnyConnection, instance: &str, owner: &str) -> Result<Vec<String>> {
    sqlx::query_scalar("SELECT kind FROM settings WHERE instance_id = $1 AND owner_id = $2")
        .bind(instance)
        .bind(owner)
        .fetch_all(conn)
        .await
        .map_err(db_error("SETTING-db05"))
}

/// Projects a setting's event: its aggregate's document of `kind` becomes
/// what the event makes of the stored one
/// ([`burg_domain::settings::reduce`]), or is removed.
pub(crate) async fn apply(conn: &mut AnyConnection, e: &Event, kind: &str, op: SettingOp) -> Result<()> {
    let result = match op {
        SettingOp::Set => {
            let stored = load(&mut *conn, &e.instance_id, &e.aggregate_id, kind).await?;
            let data = burg_domain::settings::reduce(
                kind,
                stored.as_ref().map(|r| r.data.as_str()),
                &e.event_type,
                &e.payload,
                e.sequence,
                e.created_at,
            )?;
            sqlx::query(
                "INSERT INTO settings (instance_id, owner_id, kind, data, sequence, creation_date, change_date) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) \
                 ON CONFLICT (instance_id, owner_id, kind) DO UPDATE SET data = excluded.data, \
                 sequence = excluded.sequence, change_date = excluded.change_date",
            )
            .bind(&e.instance_id)
            .bind(&e.aggregate_id)
            .bind(kind)
            .bind(data)
            .bind(e.sequence)
            .bind(e.created_at)
            .execute(&mut *conn)
            .await
        }
        SettingOp::Remove => {
            sqlx::query("DELETE FROM settings WHERE instance_id = $1 AND owner_id = $2 AND kind = $3")
                .bind(&e.instance_id)
                .bind(&e.aggregate_id)
                .bind(kind)
                .execute(&mut *conn)
                .await
        }
    };
    result.map_err(db_error("SETTING-db02"))?;
    Ok(())
}

/// Moves the details of the aggregate's document of `kind` to the event
/// (an event about the document's parts, such as a login policy's IdPs).
pub(crate) async fn touch(conn: &mut AnyConnection, e: &Event, kind: &str) -> Result<()> {
    sqlx::query(
        "UPDATE settings SET sequence = $1, change_date = $2 WHERE instance_id = $3 AND owner_id = $4 AND kind = $5",
    )
    .bind(e.sequence)
    .bind(e.created_at)
    .bind(&e.instance_id)
    .bind(&e.aggregate_id)
    .bind(kind)
    .execute(&mut *conn)
    .await
    .map_err(db_error("SETTING-db03"))?;
    Ok(())
}
