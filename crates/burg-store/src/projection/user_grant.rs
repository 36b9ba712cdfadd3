//! User grants written through the Management API, kept where the import
//! keeps them: one document of the kind `user_grant` per grant in
//! `org_objects`, in `AddUserGrantRequest`'s shape (what `DataOrg` carries),
//! with its state beside it. An added grant's key is its id; an imported
//! one's is the import's `projectId_userId`, and its events are on the
//! aggregate `orgId_key`, as the import wrote them.

use burg_domain::Result;
use burg_domain::event::{Event, Payload};
use burg_domain::events::user_grant::*;
use serde_json::json;
use sqlx::AnyConnection;

use super::project::{delete_doc, doc_of, put_doc, set_doc_state};

/// The `org_objects` kind of user grants.
pub const KIND: &str = "user_grant";

pub(crate) fn handles(event_type: &str) -> bool {
    TYPES.contains(&event_type)
}

/// The document key of a grant event's aggregate.
pub fn key_of(aggregate_id: &str, org: &str) -> String {
    aggregate_id.strip_prefix(&format!("{org}_")).unwrap_or(aggregate_id).to_string()
}

/// An added grant's document (`AddUserGrantRequest`'s shape).
pub(crate) fn document(g: &UserGrantAdded) -> serde_json::Value {
    let mut doc = json!({"userId": g.user_id, "projectId": g.project_id});
    if !g.project_grant_id.is_empty() {
        doc["projectGrantId"] = json!(g.project_grant_id);
    }
    if !g.role_keys.is_empty() {
        doc["roleKeys"] = json!(g.role_keys);
    }
    doc
}

pub(crate) async fn apply(conn: &mut AnyConnection, e: &Event) -> Result<()> {
    let key = key_of(&e.aggregate_id, &e.resource_owner);
    match e.event_type.as_str() {
        UserGrantAdded::TYPE => put_doc(conn, e, KIND, &key, &document(&e.decode()?)).await?,
        UserGrantChanged::TYPE => {
            let g: UserGrantChanged = e.decode()?;
            let Some(mut doc) = doc_of(conn, e, KIND, &key).await? else { return Ok(()) };
            match doc.as_object_mut() {
                Some(d) if g.role_keys.is_empty() => drop(d.remove("roleKeys")),
                Some(d) => drop(d.insert("roleKeys".into(), json!(g.role_keys))),
                None => {}
            }
            put_doc(conn, e, KIND, &key, &doc).await?;
        }
        UserGrantDeactivated::TYPE | UserGrantReactivated::TYPE => {
            let state = if e.event_type == UserGrantDeactivated::TYPE { 2 } else { 1 };
            set_doc_state(conn, e, KIND, &key, state).await?;
        }
        UserGrantRemoved::TYPE => delete_doc(conn, e, KIND, &key).await?,
        _ => {}
    }
    Ok(())
}
