//! Projections: the read tables, kept in step with the events inside the
//! transaction that appends them.
//!
//! Each module handles the events of one area and ignores the rest; an event
//! that no projection handles is still stored and listed.

use burg_domain::Result;
use burg_domain::event::Event;
use sqlx::AnyConnection;

mod instance;
mod org;
mod user;

pub(crate) async fn apply(conn: &mut AnyConnection, event: &Event) -> Result<()> {
    if event.payload.get(OBJECT_KIND).is_some() {
        return org_object(conn, event).await;
    }
    match event.aggregate_type.as_str() {
        "instance" => instance::apply(conn, event).await,
        "org" => org::apply(conn, event).await,
        "user" => user::apply(conn, event).await,
        _ => Ok(()),
    }
}

/// Adds (`add`) or removes a login policy's identity-provider entry; the
/// policy's owner is the event's aggregate, the instance or an org.
pub(super) async fn policy_link(conn: &mut AnyConnection, e: &Event, add: bool) -> Result<()> {
    let idp = e.payload.get("idpConfigId").and_then(|v| v.as_str()).unwrap_or_default();
    let result = if add {
        let provider_type = e.payload.get("idpProviderType").and_then(|v| v.as_i64()).unwrap_or_default();
        sqlx::query(
            "INSERT INTO login_policy_idps (instance_id, owner_id, idp_id, owner_type, sequence, creation_date) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&e.instance_id)
        .bind(&e.aggregate_id)
        .bind(idp)
        .bind(provider_type)
        .bind(e.sequence)
        .bind(e.created_at)
        .execute(&mut *conn)
        .await
    } else {
        sqlx::query("DELETE FROM login_policy_idps WHERE instance_id = $1 AND owner_id = $2 AND idp_id = $3")
            .bind(&e.instance_id)
            .bind(&e.aggregate_id)
            .bind(idp)
            .execute(&mut *conn)
            .await
    };
    result.map_err(crate::db_error("PROJ-lnk01"))?;
    Ok(())
}

/// Roles are stored as a JSON array of strings.
pub(crate) fn roles_json(roles: &[String]) -> String {
    serde_json::to_string(roles).unwrap_or_else(|_| "[]".into())
}

/// Applies `events` in order; runs of organization-document events are
/// written with one multi-row statement each (imports bring thousands).
pub(crate) async fn apply_all(conn: &mut AnyConnection, events: &[Event]) -> Result<()> {
    let mut i = 0;
    while i < events.len() {
        let is_doc = |e: &Event| e.payload.get(OBJECT_KIND).is_some() && !e.event_type.ends_with(".removed");
        if !is_doc(&events[i]) {
            let e = &events[i];
            if e.aggregate_type == "user" && user::batchable(&e.event_type) {
                // A run of the same user event type.
                let mut end = i + 1;
                while end < events.len()
                    && end - i < USER_BATCH
                    && events[end].aggregate_type == "user"
                    && events[end].event_type == e.event_type
                {
                    end += 1;
                }
                if end - i > 1 {
                    user::apply_many(conn, &events[i..end]).await?;
                    i = end;
                    continue;
                }
            }
            apply(conn, e).await?;
            i += 1;
            continue;
        }
        // A run of document upserts with distinct keys.
        let mut keys = std::collections::HashSet::new();
        let mut end = i;
        while end < events.len() && end - i < DOC_BATCH && is_doc(&events[end]) {
            let e = &events[end];
            let key = (e.resource_owner.clone(), text(e, OBJECT_KIND), text(e, "key"));
            if !keys.insert(key) {
                break;
            }
            end += 1;
        }
        upsert_docs(conn, &events[i..end]).await?;
        i = end;
    }
    Ok(())
}

/// User events per statement (at most 16 values each).
const USER_BATCH: usize = 300;

/// Documents per statement (10 values each).
const DOC_BATCH: usize = 500;

fn text(e: &Event, member: &str) -> String {
    e.payload.get(member).and_then(|v| v.as_str()).unwrap_or_default().to_string()
}

async fn upsert_docs(conn: &mut AnyConnection, events: &[Event]) -> Result<()> {
    let mut sql = crate::Sql::new(
        "INSERT INTO org_objects (instance_id, org_id, kind, object_key, parent_key, data, sealed_secret, sequence, \
         creation_date, change_date) VALUES ",
    );
    for (i, e) in events.iter().enumerate() {
        let data = e.payload.get("data").map(|d| d.to_string()).unwrap_or_else(|| "{}".into());
        sql.push(if i == 0 { "(" } else { ", (" });
        sql.bind(&e.instance_id).push(", ").bind(&e.resource_owner).push(", ");
        sql.bind(text(e, OBJECT_KIND)).push(", ").bind(text(e, "key")).push(", ");
        let sealed = e.payload.get("sealedSecret").map(|s| s.to_string()).unwrap_or_default();
        sql.bind(text(e, "parent")).push(", ").bind(data).push(", ").bind(sealed).push(", ");
        sql.bind(e.sequence).push(", ").bind(e.created_at).push(", ").bind(e.created_at).push(")");
    }
    sql.push(
        " ON CONFLICT (instance_id, org_id, kind, object_key) DO UPDATE SET parent_key = excluded.parent_key, \
         data = excluded.data, sealed_secret = excluded.sealed_secret, sequence = excluded.sequence, \
         change_date = excluded.change_date",
    );
    sql.query_for(conn).execute(&mut *conn).await.map_err(crate::db_error("PROJ-obj03"))?;
    Ok(())
}

/// The payload member that marks an organization document event (see
/// `burg_domain::transfer`): such events keep `org_objects` in step.
const OBJECT_KIND: &str = "objectKind";

/// Upserts (or, for `removed` events, deletes) one organization document.
async fn org_object(conn: &mut AnyConnection, e: &Event) -> Result<()> {
    let text = |k: &str| e.payload.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    let (kind, key) = (text(OBJECT_KIND), text("key"));
    if e.event_type.ends_with(".removed") {
        sqlx::query("DELETE FROM org_objects WHERE instance_id = $1 AND org_id = $2 AND kind = $3 AND object_key = $4")
            .bind(&e.instance_id)
            .bind(&e.resource_owner)
            .bind(kind)
            .bind(key)
            .execute(&mut *conn)
            .await
            .map_err(crate::db_error("PROJ-obj01"))?;
        return Ok(());
    }
    upsert_docs(conn, std::slice::from_ref(e)).await
}
