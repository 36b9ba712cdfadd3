//! What an import compares its items with: the stored rows under the same
//! identity, read through the import's write transaction (so that they
//! include what it wrote so far). Users and links are looked up a batch at
//! a time.

use std::collections::{HashMap, HashSet};

use burg_domain::Result;
use sqlx::Row;

use crate::members::roles;
use crate::{Sql, WriteTx, db_error};

/// A stored domain of the name an import brings: the one of its own
/// organization, or a verified one of any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDomain {
    pub org_id: String,
    pub verified: bool,
    pub primary: bool,
}

/// A stored user, as an import compares it with one of the same id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredUser {
    pub org_id: String,
    pub user_name: String,
}

/// The name of organization `org_id`, when it is stored.
pub async fn org_name(tx: &mut WriteTx, org_id: &str) -> Result<Option<String>> {
    let (instance, conn) = tx.split();
    sqlx::query_scalar("SELECT name FROM orgs WHERE instance_id = $1 AND id = $2")
        .bind(instance)
        .bind(org_id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error("IMPORT-db001"))
}

/// Whether an organization is named `name` (case-insensitively).
pub async fn org_name_taken(tx: &mut WriteTx, name: &str) -> Result<bool> {
    let (instance, conn) = tx.split();
    let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orgs WHERE instance_id = $1 AND lower(name) = lower($2)")
        .bind(instance)
        .bind(name)
        .fetch_one(&mut *conn)
        .await
        .map_err(db_error("IMPORT-db002"))?;
    Ok(taken > 0)
}

/// Whether the aggregate has any event (a removed organization keeps its
/// history).
pub async fn has_history(tx: &mut WriteTx, aggregate_type: &str, aggregate_id: &str) -> Result<bool> {
    let (instance, conn) = tx.split();
    let events: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE instance_id = $1 AND aggregate_type = $2 AND aggregate_id = $3",
    )
    .bind(instance)
    .bind(aggregate_type)
    .bind(aggregate_id)
    .fetch_one(&mut *conn)
    .await
    .map_err(db_error("IMPORT-db009"))?;
    Ok(events > 0)
}

/// The aggregates of `aggregate_type` among `ids` that have events (a
/// removed user leaves no row but keeps its history); one statement per
/// 100 ids.
pub async fn with_history<'i>(
    tx: &mut WriteTx,
    aggregate_type: &str,
    ids: impl Iterator<Item = &'i str>,
) -> Result<HashSet<String>> {
    let ids: Vec<&str> = ids.collect();
    let (instance, conn) = tx.split();
    let mut found = HashSet::new();
    for chunk in ids.chunks(USERS_PER_LOOKUP) {
        let mut sql = Sql::new("SELECT DISTINCT aggregate_id FROM events WHERE instance_id = ");
        sql.bind(instance).push(" AND aggregate_type = ").bind(aggregate_type).push(" AND aggregate_id IN ");
        sql.bind_list(chunk.iter().copied());
        let rows = sql.query_for(conn).fetch_all(&mut *conn).await.map_err(db_error("IMPORT-db014"))?;
        for row in rows {
            found.insert(row.try_get("aggregate_id").map_err(db_error("IMPORT-db015"))?);
        }
    }
    Ok(found)
}

/// Domain `domain` as stored in organization `org_id` (if it has it), and
/// whether another organization has it verified.
pub async fn domain(tx: &mut WriteTx, org_id: &str, domain: &str) -> Result<(Option<StoredDomain>, bool)> {
    let (instance, conn) = tx.split();
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT org_id, is_verified, is_primary FROM org_domains WHERE instance_id = $1 AND domain = $2 \
         AND (org_id = $3 OR is_verified = 1)",
    )
    .bind(instance)
    .bind(domain)
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error("IMPORT-db003"))?;
    let here = rows.iter().find(|r| r.0 == org_id).map(|(org_id, verified, primary)| StoredDomain {
        org_id: org_id.clone(),
        verified: *verified == 1,
        primary: *primary == 1,
    });
    let elsewhere = rows.iter().any(|r| r.0 != org_id && r.1 == 1);
    Ok((here, elsewhere))
}

/// The roles of member `user_id` of organization `org_id`, when it is one.
pub async fn member_roles(tx: &mut WriteTx, org_id: &str, user_id: &str) -> Result<Option<Vec<String>>> {
    let (instance, conn) = tx.split();
    let stored: Option<String> =
        sqlx::query_scalar("SELECT roles FROM org_members WHERE instance_id = $1 AND org_id = $2 AND user_id = $3")
            .bind(instance)
            .bind(org_id)
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_error("IMPORT-db005"))?;
    Ok(stored.map(|r| roles(&r)))
}

/// The stored JSON text of document `kind`/`key` of organization `org_id`.
pub async fn object_data(tx: &mut WriteTx, org_id: &str, kind: &str, key: &str) -> Result<Option<String>> {
    let (instance, conn) = tx.split();
    sqlx::query_scalar(
        "SELECT data FROM org_objects WHERE instance_id = $1 AND org_id = $2 AND kind = $3 AND object_key = $4",
    )
    .bind(instance)
    .bind(org_id)
    .bind(kind)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_error("IMPORT-db006"))
}

/// The names among `names` that a stored user of the instance has (of
/// organization `org` only, when given), compared case-insensitively; each
/// answered in lower case. One statement per 100 names.
pub async fn taken_user_names<'n>(
    tx: &mut WriteTx,
    org: Option<&str>,
    names: impl Iterator<Item = &'n str>,
) -> Result<std::collections::HashSet<String>> {
    let names: Vec<&str> = names.collect();
    let (instance, conn) = tx.split();
    let mut taken = std::collections::HashSet::new();
    for chunk in names.chunks(USERS_PER_LOOKUP) {
        // `id` too: with `username` alone SQLite reads a covering index of
        // every user of the instance instead of the one by login name.
        let mut sql = Sql::new("SELECT id, username FROM users WHERE instance_id = ");
        sql.bind(instance);
        if let Some(org) = org {
            sql.push(" AND resource_owner = ").bind(org);
        }
        sql.push(" AND lower(username) IN (");
        for (i, name) in chunk.iter().enumerate() {
            sql.push(if i == 0 { "lower(" } else { ", lower(" }).bind(*name).push(")");
        }
        sql.push(")");
        let rows = sql.query_for(conn).fetch_all(&mut *conn).await.map_err(db_error("IMPORT-db008"))?;
        for row in rows {
            let name: String = row.try_get("username").map_err(db_error("IMPORT-db013"))?;
            taken.insert(name.to_lowercase());
        }
    }
    Ok(taken)
}

/// Ids per statement of [`users`].
const USERS_PER_LOOKUP: usize = 100;

/// The stored users among `ids`, by id; one statement per 100 ids.
pub async fn users<'i>(tx: &mut WriteTx, ids: impl Iterator<Item = &'i str>) -> Result<HashMap<String, StoredUser>> {
    let ids: Vec<&str> = ids.collect();
    let (instance, conn) = tx.split();
    let mut known = HashMap::new();
    for chunk in ids.chunks(USERS_PER_LOOKUP) {
        let mut sql = Sql::new("SELECT id, resource_owner, username FROM users WHERE instance_id = ");
        sql.bind(instance).push(" AND id IN ").bind_list(chunk.iter().copied());
        let rows = sql.query_for(conn).fetch_all(&mut *conn).await.map_err(db_error("IMPORT-db007"))?;
        for row in rows {
            let s = |c: &str| -> Result<String> { row.try_get(c).map_err(db_error("IMPORT-db010")) };
            known.insert(s("id")?, StoredUser { org_id: s("resource_owner")?, user_name: s("username")? });
        }
    }
    Ok(known)
}

/// Whether stored user `user_id` has a one-time password secret.
pub async fn has_otp(tx: &mut WriteTx, user_id: &str) -> Result<bool> {
    let (instance, conn) = tx.split();
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT CASE WHEN otp_secret = '' THEN 0 ELSE 1 END FROM users WHERE instance_id = $1 AND id = $2",
    )
    .bind(instance)
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_error("IMPORT-db016"))?;
    Ok(found == Some(1))
}

/// The stored links among `pairs` of (IdP id, external user id), to the
/// user each belongs to; one statement per IdP.
pub async fn links<'p>(
    tx: &mut WriteTx,
    pairs: impl Iterator<Item = (&'p str, &'p str)>,
) -> Result<HashMap<(String, String), String>> {
    let mut by_idp: HashMap<&str, Vec<&str>> = HashMap::new();
    for (idp, external) in pairs {
        by_idp.entry(idp).or_default().push(external);
    }
    let (instance, conn) = tx.split();
    let mut known = HashMap::new();
    for (idp, externals) in by_idp {
        let mut sql = Sql::new("SELECT external_user_id, user_id FROM user_idp_links WHERE instance_id = ");
        sql.bind(instance).push(" AND idp_id = ").bind(idp).push(" AND external_user_id IN ");
        sql.bind_list(externals.iter().copied());
        let rows = sql.query_for(conn).fetch_all(&mut *conn).await.map_err(db_error("IMPORT-db004"))?;
        for row in rows {
            let s = |c: &str| -> Result<String> { row.try_get(c).map_err(db_error("IMPORT-db011")) };
            known.insert((idp.to_string(), s("external_user_id")?), s("user_id")?);
        }
    }
    Ok(known)
}
