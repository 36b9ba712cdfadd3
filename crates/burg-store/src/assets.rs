//! `assets`: uploaded files (the label policy's logos, icons and font),
//! written beside the event that names them.

use burg_domain::Result;
use sqlx::AnyConnection;
use sqlx::Row;

use crate::{Reader, db_error};

/// A stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetRow {
    pub content_type: String,
    pub data: Vec<u8>,
    /// A digest of `data`, for `ETag`.
    pub hash: String,
    pub change_date: i64,
}

/// Stores a file under `owner` and `key` (a new key each upload).
#[allow(clippy::too_many_arguments)]
pub async fn put(
    conn: &mut AnyConnection,
    instance: &str,
    owner: &str,
    key: &str,
    content_type: &str,
    data: &[u8],
    hash: &str,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO assets (instance_id, owner_id, asset_key, content_type, data, hash, change_date) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (instance_id, owner_id, asset_key) DO UPDATE SET content_type = excluded.content_type, \
         data = excluded.data, hash = excluded.hash, change_date = excluded.change_date",
    )
    .bind(instance)
    .bind(owner)
    .bind(key)
    .bind(content_type)
    .bind(data.to_vec())
    .bind(hash)
    .bind(at)
    .execute(conn)
    .await
    .map_err(db_error("ASSET-db01"))?;
    Ok(())
}

/// The file `owner` holds under `key`, if any.
pub async fn get<'e>(on: impl Reader<'e>, instance: &str, owner: &str, key: &str) -> Result<Option<AssetRow>> {
    let row = sqlx::query(
        "SELECT content_type, data, hash, change_date FROM assets \
         WHERE instance_id = $1 AND owner_id = $2 AND asset_key = $3",
    )
    .bind(instance)
    .bind(owner)
    .bind(key)
    .fetch_optional(on)
    .await
    .map_err(db_error("ASSET-db02"))?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(AssetRow {
        content_type: row.try_get("content_type").map_err(db_error("ASSET-db03"))?,
        data: row.try_get("data").map_err(db_error("ASSET-db04"))?,
        hash: row.try_get("hash").map_err(db_error("ASSET-db05"))?,
        change_date: row.try_get("change_date").map_err(db_error("ASSET-db06"))?,
    }))
}

/// Removes the file `owner` holds under `key` (none: nothing happens).
pub async fn remove(conn: &mut AnyConnection, instance: &str, owner: &str, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM assets WHERE instance_id = $1 AND owner_id = $2 AND asset_key = $3")
        .bind(instance)
        .bind(owner)
        .bind(key)
        .execute(conn)
        .await
        .map_err(db_error("ASSET-db07"))?;
    Ok(())
}
