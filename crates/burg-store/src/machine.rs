//! Reads of a machine user's own parts: its row in `users` and its keys
//! (documents of the kind `machine_user_key` in `org_objects`; see
//! `projection::machine`).

use burg_domain::Result;

use crate::projection::machine::KEY_KIND;
use crate::{Reader, db_error};

/// A machine user as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineRow {
    pub user_name: String,
    pub name: String,
    pub description: String,
    pub access_token_type: i64,
    /// '' when it has no client secret.
    pub secret_hash: String,
    pub resource_owner: String,
}

/// Machine user `id`, if the user is one.
pub async fn machine<'e>(on: impl Reader<'e>, instance: &str, id: &str) -> Result<Option<MachineRow>> {
    let row: Option<(String, String, String, i64, String, String)> = sqlx::query_as(
        "SELECT username, machine_name, machine_description, access_token_type, machine_secret_hash, resource_owner \
         FROM users WHERE instance_id = $1 AND id = $2 AND user_type = $3",
    )
    .bind(instance)
    .bind(id)
    .bind(burg_domain::state::UserType::Machine.code())
    .fetch_optional(on)
    .await
    .map_err(db_error("MACH-db001"))?;
    Ok(row.map(|(user_name, name, description, access_token_type, secret_hash, resource_owner)| MachineRow {
        user_name,
        name,
        description,
        access_token_type,
        secret_hash,
        resource_owner,
    }))
}

/// A machine key as stored: the `DataMachineKey` JSON and its dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRow {
    pub data: String,
    pub sequence: i64,
    pub creation_date: i64,
    pub change_date: i64,
}

/// Key `key_id` of organization `org`, if there is one.
pub async fn key<'e>(on: impl Reader<'e>, instance: &str, org: &str, key_id: &str) -> Result<Option<KeyRow>> {
    let row: Option<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT data, sequence, creation_date, change_date FROM org_objects \
         WHERE instance_id = $1 AND org_id = $2 AND kind = $3 AND object_key = $4",
    )
    .bind(instance)
    .bind(org)
    .bind(KEY_KIND)
    .bind(key_id)
    .fetch_optional(on)
    .await
    .map_err(db_error("MACH-db002"))?;
    Ok(row.map(|(data, sequence, creation_date, change_date)| KeyRow { data, sequence, creation_date, change_date }))
}

/// Every machine key of organization `org`, by key id. An import's keys
/// name their user only inside the document; the caller picks a user's.
pub async fn keys<'e>(on: impl Reader<'e>, instance: &str, org: &str) -> Result<Vec<KeyRow>> {
    let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT data, sequence, creation_date, change_date FROM org_objects \
         WHERE instance_id = $1 AND org_id = $2 AND kind = $3 ORDER BY object_key",
    )
    .bind(instance)
    .bind(org)
    .bind(KEY_KIND)
    .fetch_all(on)
    .await
    .map_err(db_error("MACH-db003"))?;
    Ok(rows
        .into_iter()
        .map(|(data, sequence, creation_date, change_date)| KeyRow { data, sequence, creation_date, change_date })
        .collect())
}

/// The machine user whose user name is `user_name` (a client id of the
/// client credentials grant), with its id and state code.
pub async fn by_user_name<'e>(
    on: impl Reader<'e>,
    instance: &str,
    user_name: &str,
) -> Result<Option<(String, i64, MachineRow)>> {
    type Row = (String, i64, String, String, String, i64, String, String);
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, state, username, machine_name, machine_description, access_token_type, machine_secret_hash, \
         resource_owner FROM users WHERE instance_id = $1 AND username = $2 AND user_type = $3",
    )
    .bind(instance)
    .bind(user_name)
    .bind(burg_domain::state::UserType::Machine.code())
    .fetch_optional(on)
    .await
    .map_err(db_error("MACH-db010"))?;
    Ok(row.map(|(id, state, user_name, name, description, access_token_type, secret_hash, resource_owner)| {
        (id, state, MachineRow { user_name, name, description, access_token_type, secret_hash, resource_owner })
    }))
}

/// Machine key `key_id` of any organization, with the organization.
pub async fn key_anywhere<'e>(on: impl Reader<'e>, instance: &str, key_id: &str) -> Result<Option<(String, KeyRow)>> {
    let row: Option<(String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT org_id, data, sequence, creation_date, change_date FROM org_objects \
         WHERE instance_id = $1 AND kind = $2 AND object_key = $3",
    )
    .bind(instance)
    .bind(KEY_KIND)
    .bind(key_id)
    .fetch_optional(on)
    .await
    .map_err(db_error("MACH-db011"))?;
    Ok(row.map(|(org, data, sequence, creation_date, change_date)| {
        (org, KeyRow { data, sequence, creation_date, change_date })
    }))
}

/// The state code of user `id`, if the user exists.
pub async fn user_state<'e>(on: impl Reader<'e>, instance: &str, id: &str) -> Result<Option<i64>> {
    sqlx::query_scalar("SELECT state FROM users WHERE instance_id = $1 AND id = $2")
        .bind(instance)
        .bind(id)
        .fetch_optional(on)
        .await
        .map_err(db_error("MACH-db012"))
}
