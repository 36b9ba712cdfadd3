//! Projections: the read tables, kept in step with the events inside the
//! transaction that appends them.
//!
//! Each module handles the events of one area and ignores the rest; an event
//! that no projection handles is still stored and listed.

use burg_domain::event::{Event, Payload};
use burg_domain::events::machine::MachineKeyAdded;
use burg_domain::events::user::{MetadataRemoved, MetadataSet};
use burg_domain::events::user_grant::UserGrantAdded;
use burg_domain::state::IdpProviderType;
use burg_domain::{Error, Result};
use sqlx::AnyConnection;

pub mod action;
pub mod app;
mod idp_config;
pub(crate) use idp_config::adopt_documents;
mod instance;
pub(crate) mod machine;
mod notify;
mod org;
pub(crate) mod project;
mod user;
pub mod user_grant;

pub(crate) async fn apply(conn: &mut AnyConnection, event: &Event) -> Result<()> {
    if let Some(doc) = as_document(event) {
        return org_object(conn, &doc).await;
    }
    if event.payload.get(OBJECT_KIND).is_some() {
        return org_object(conn, event).await;
    }
    if let Some(op) = burg_domain::texts::op_of(&event.event_type) {
        return crate::texts::apply(conn, event, op).await;
    }
    match event.aggregate_type.as_str() {
        "instance" => instance::apply(conn, event).await,
        "restrictions" => crate::texts::apply_restrictions(conn, event).await,
        "org" if action::handles(&event.event_type) => action::apply(conn, event).await,
        "org" => org::apply(conn, event).await,
        "action" => action::apply(conn, event).await,
        "project" if project::handles(&event.event_type) => project::apply(conn, event).await,
        "project" if app::handles(&event.event_type) => app::apply(conn, event).await,
        "user" if machine::handles(&event.event_type) => machine::apply(conn, event).await,
        "user" => user::apply(conn, event).await,
        "usergrant" if user_grant::handles(&event.event_type) => user_grant::apply(conn, event).await,
        "web_key" => crate::web_keys::apply(conn, event).await,
        _ => Ok(()),
    }
}

/// Adds a login policy's identity-provider entry; the policy's owner is the
/// event's aggregate, the instance or an org.
pub(super) async fn add_policy_link(conn: &mut AnyConnection, e: &Event) -> Result<()> {
    let idp = e.payload.get("idpConfigId").and_then(|v| v.as_str()).unwrap_or_default();
    let code = e.payload.get("idpProviderType").and_then(|v| v.as_i64()).unwrap_or_default();
    let provider_type = IdpProviderType::from_event_code(code).ok_or_else(|| {
        Error::internal("PROJ-lnk03", format!("{} names an unknown idpProviderType {code}", e.event_type))
    })?;
    sqlx::query(
        "INSERT INTO login_policy_idps (instance_id, owner_id, idp_id, owner_type, sequence, creation_date) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&e.instance_id)
    .bind(&e.aggregate_id)
    .bind(idp)
    .bind(provider_type.code())
    .bind(e.sequence)
    .bind(e.created_at)
    .execute(&mut *conn)
    .await
    .map_err(crate::db_error("PROJ-lnk01"))?;
    Ok(())
}

/// The kind of an imported organization login policy document.
const LOGIN_POLICY_DOC: &str = "login_policy";

/// The providers an imported login policy names (its `idps`, each with
/// its owner type), offered by the organization's policy as an
/// `AddIDPToLoginPolicy` would: the document's `data` among `events`, or
/// a stored document's (`org`, `data`, `sequence`, `created_at`).
async fn links_from_documents(conn: &mut AnyConnection, events: &[Event]) -> Result<()> {
    for e in events {
        if e.payload.get(OBJECT_KIND).and_then(|v| v.as_str()) != Some(LOGIN_POLICY_DOC) {
            continue;
        }
        let data = e.payload.get("data").cloned().unwrap_or_default();
        links_of_policy(conn, &e.instance_id, &e.resource_owner, &data, e.sequence, e.created_at).await?;
    }
    Ok(())
}

async fn links_of_policy(
    conn: &mut AnyConnection,
    instance: &str,
    org: &str,
    policy: &serde_json::Value,
    sequence: i64,
    created_at: i64,
) -> Result<()> {
    let idps = policy.get("idps").and_then(|v| v.as_array()).cloned().unwrap_or_default();
    // One after the other, so that they list in the document's order.
    for (i, idp) in idps.iter().enumerate() {
        let Some(id) = idp.get("idpId").and_then(|v| v.as_str()).filter(|id| !id.is_empty()) else { continue };
        let owner_type = IdpProviderType::of_owner_type(&idp["ownerType"]);
        sqlx::query(
            "INSERT INTO login_policy_idps (instance_id, owner_id, idp_id, owner_type, sequence, creation_date) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (instance_id, owner_id, idp_id) DO NOTHING",
        )
        .bind(instance)
        .bind(org)
        .bind(id)
        .bind(owner_type.code())
        .bind(sequence)
        .bind(created_at + i as i64)
        .execute(&mut *conn)
        .await
        .map_err(crate::db_error("PROJ-lnk05"))?;
    }
    Ok(())
}

/// The providers the organization login policy documents of an earlier
/// release's import name, which it did not offer (see
/// [`links_from_documents`]); run once per store, as a link removed since
/// must stay removed. Returns how many documents named some.
pub(crate) async fn adopt_policy_links(conn: &mut AnyConnection) -> Result<u64> {
    let rows: Vec<(String, String, String, i64, i64)> =
        sqlx::query_as("SELECT instance_id, org_id, data, sequence, creation_date FROM org_objects WHERE kind = $1")
            .bind(LOGIN_POLICY_DOC)
            .fetch_all(&mut *conn)
            .await
            .map_err(crate::db_error("PROJ-lnk06"))?;
    let mut adopted = 0;
    for (instance, org, data, sequence, created_at) in rows {
        let policy: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
        if policy.get("idps").and_then(|v| v.as_array()).is_some_and(|a| !a.is_empty()) {
            links_of_policy(conn, &instance, &org, &policy, sequence, created_at).await?;
            adopted += 1;
        }
    }
    Ok(adopted)
}

/// Removes every login policy's entry of a template that is removed (as
/// ZITADEL's link projection does on `instance.idp.removed`).
pub(super) async fn remove_policy_links_to(conn: &mut AnyConnection, instance: &str, idp: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_policy_idps WHERE instance_id = $1 AND idp_id = $2")
        .bind(instance)
        .bind(idp)
        .execute(&mut *conn)
        .await
        .map_err(crate::db_error("PROJ-lnk04"))?;
    Ok(())
}

/// Removes a login policy's identity-provider entry.
pub(super) async fn remove_policy_link(conn: &mut AnyConnection, e: &Event) -> Result<()> {
    let idp = e.payload.get("idpConfigId").and_then(|v| v.as_str()).unwrap_or_default();
    sqlx::query("DELETE FROM login_policy_idps WHERE instance_id = $1 AND owner_id = $2 AND idp_id = $3")
        .bind(&e.instance_id)
        .bind(&e.aggregate_id)
        .bind(idp)
        .execute(&mut *conn)
        .await
        .map_err(crate::db_error("PROJ-lnk02"))?;
    Ok(())
}

/// Roles are stored as a JSON array of strings.
pub(crate) fn roles_json(roles: &[String]) -> String {
    serde_json::to_string(roles).unwrap_or_else(|_| "[]".into())
}

/// Applies `events` in order; runs of organization-document events and of
/// user events of one type are written with one multi-row statement each
/// (imports bring thousands), and users added here have their row written
/// with what the flag and link events after them set (see `user::folds`).
pub(crate) async fn apply_all(conn: &mut AnyConnection, events: &[Event]) -> Result<()> {
    // Some of ZITADEL's events keep documents too, many at a time.
    let documents: Vec<Event>;
    let events = if events.iter().any(keeps_a_document) {
        documents = events.iter().map(|e| as_document(e).unwrap_or_else(|| e.clone())).collect();
        &documents[..]
    } else {
        events
    };
    let folds = user::folds(events);
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
                user::apply_many(conn, &events[i..end], &folds).await?;
                i = end;
                continue;
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
        idp_config::from_documents(conn, &events[i..end]).await?;
        links_from_documents(conn, &events[i..end]).await?;
        i = end;
    }
    Ok(())
}

/// User events per statement (at most 18 values each).
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

/// Whether `e` is one of ZITADEL's events that keep one document each
/// and come many at a time from an import: a user's metadata set or
/// removed, a machine key added, a user grant added ([`as_document`]).
fn keeps_a_document(e: &Event) -> bool {
    e.payload.get(OBJECT_KIND).is_none()
        && matches!(
            (e.aggregate_type.as_str(), e.event_type.as_str()),
            ("user", MetadataSet::TYPE | MetadataRemoved::TYPE | MachineKeyAdded::TYPE)
                | ("usergrant", UserGrantAdded::TYPE)
        )
}

/// Such an event in the form of the document event it keeps (the form the
/// import's and earlier releases' events have), so that a run of them is
/// written many rows at a time; none for any other event, or one whose
/// payload the projection's own path must refuse.
fn as_document(e: &Event) -> Option<Event> {
    use serde_json::json;
    if !keeps_a_document(e) {
        return None;
    }
    let doc = |kind: &str, key: String, parent: &str, data: Option<serde_json::Value>| {
        let mut payload = json!({OBJECT_KIND: kind, "key": key, "parent": parent});
        if let Some(data) = data {
            payload["data"] = data;
        }
        payload
    };
    let payload = match e.event_type.as_str() {
        MetadataSet::TYPE | MetadataRemoved::TYPE => {
            let key = e.payload.get("key")?.as_str()?;
            let data = (e.event_type == MetadataSet::TYPE)
                .then(|| json!({"id": e.aggregate_id, "key": key, "value": e.payload.get("value")}));
            doc(crate::users::METADATA_KIND, crate::users::metadata_object_key(&e.aggregate_id, key), "", data)
        }
        MachineKeyAdded::TYPE => {
            let k: MachineKeyAdded = e.decode().ok()?;
            let data = machine::key_document(&k, &e.aggregate_id)?;
            doc(machine::KEY_KIND, k.key_id, &e.aggregate_id, Some(data))
        }
        _ => {
            let g: UserGrantAdded = e.decode().ok()?;
            let key = user_grant::key_of(&e.aggregate_id, &e.resource_owner);
            doc(user_grant::KIND, key, &e.aggregate_id, Some(user_grant::document(&g)))
        }
    };
    Some(Event { payload, ..e.clone() })
}

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
    upsert_docs(conn, std::slice::from_ref(e)).await?;
    idp_config::from_documents(conn, std::slice::from_ref(e)).await?;
    links_from_documents(conn, std::slice::from_ref(e)).await
}

#[cfg(test)]
mod tests {
    use burg_domain::event::{Aggregate, Event, NewEvent};
    use burg_domain::events::user::*;

    use crate::{Db, DbOptions, Editor};

    /// A small deterministic generator (xorshift), so that a failing case
    /// can be replayed by its number.
    struct Dice(u64);

    impl Dice {
        fn roll(&mut self, sides: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % sides
        }
    }

    /// A random history of a few users: some added by an earlier write,
    /// then one batch of adds, flags, links and other changes.
    fn history(dice: &mut Dice) -> (Vec<NewEvent>, Vec<NewEvent>) {
        let users = 1 + dice.roll(4);
        let (mut earlier, mut batch) = (Vec::new(), Vec::new());
        let mut exists = vec![false; users as usize];
        let mut seen = vec![false; users as usize];
        let mut link = 0;
        for _ in 0..(2 + dice.roll(14)) {
            let u = dice.roll(users) as usize;
            let agg = Aggregate::new("user", format!("u{u}"), "org1");
            let added = |name: String| HumanAdded {
                user_name: name,
                email: format!("u{u}@example.com"),
                ..serde_json::from_value(serde_json::json!({
                    "userName": "", "firstName": "F", "lastName": "L", "nickName": "", "displayName": "",
                    "preferredLanguage": "", "gender": 0, "email": "", "phone": "", "changeRequired": false
                }))
                .expect("a HumanAdded")
            };
            let event = if !exists[u] {
                exists[u] = true;
                let event = NewEvent::new(&agg, &added(format!("user{u}"))).expect("event");
                if !std::mem::replace(&mut seen[u], true) && dice.roll(3) == 0 {
                    earlier.push(event);
                    continue;
                }
                event
            } else {
                match dice.roll(8) {
                    0 => NewEvent::new(&agg, &EmailVerified {}),
                    1 => NewEvent::new(&agg, &PhoneVerified {}),
                    2 => NewEvent::new(&agg, &PasswordlessCodeRequested {}),
                    3 | 4 => {
                        link += 1;
                        let e = ExternalIdpAdded {
                            idp_config_id: "idp1".into(),
                            user_id: format!("ext{link}"),
                            display_name: String::new(),
                        };
                        NewEvent::new(&agg, &e)
                    }
                    5 => NewEvent::new(&agg, &OtpAdded { otp_secret: None }),
                    6 => NewEvent::new(&agg, &UserDeactivated {}),
                    _ => {
                        exists[u] = false;
                        NewEvent::new(&agg, &UserRemoved { user_name: format!("user{u}") })
                    }
                }
                .expect("event")
            };
            batch.push(event);
        }
        (earlier, batch)
    }

    type UserRow = (String, i64, i64, i64, i64, i64, i64, i64, String);
    type LinkRow = (String, String, i64);

    async fn tables(db: &Db) -> (Vec<UserRow>, Vec<LinkRow>) {
        let users = sqlx::query_as(
            "SELECT id, state, email_verified, phone_verified, passwordless_requested, sequence, creation_date, \
             change_date, email FROM users ORDER BY id",
        )
        .fetch_all(db.pool())
        .await
        .expect("users");
        let links = sqlx::query_as(
            "SELECT user_id, external_user_id, sequence FROM user_idp_links ORDER BY user_id, external_user_id",
        )
        .fetch_all(db.pool())
        .await
        .expect("links");
        (users, links)
    }

    /// `batch` as stored after `earlier`: numbered per aggregate.
    fn as_stored(earlier: &[NewEvent], batch: &[NewEvent]) -> Vec<Event> {
        let mut last = std::collections::HashMap::new();
        let mut numbered = Vec::new();
        for e in earlier.iter().chain(batch) {
            let sequence = last.entry(e.aggregate.id.clone()).or_insert(0);
            *sequence += 1;
            numbered.push(*sequence);
        }
        batch
            .iter()
            .zip(&numbered[earlier.len()..])
            .map(|(e, &sequence)| Event {
                position: 0,
                instance_id: "inst1".into(),
                aggregate_type: e.aggregate.kind.into(),
                aggregate_id: e.aggregate.id.clone(),
                sequence,
                event_type: e.event_type.into(),
                payload: e.payload.clone(),
                editor_user: String::new(),
                editor_service: String::new(),
                resource_owner: e.aggregate.resource_owner.clone(),
                created_at: 2_000,
            })
            .collect()
    }

    /// Writes `earlier`, then `batch` either as one batch (projected
    /// together, users folded) or event by event through [`super::apply`].
    async fn project(path: &std::path::Path, earlier: &[NewEvent], batch: &[NewEvent], together: bool) -> Db {
        let db = Db::open_sqlite(path, &DbOptions::default()).await.expect("open");
        db.migrate().await.expect("migrate");
        let mut tx = db.begin_write("inst1", Editor::default(), 1_000).await.expect("begin");
        tx.push(earlier.to_vec()).await.expect("earlier");
        tx.commit().await.expect("commit");
        let mut tx = db.begin_write("inst1", Editor::default(), 2_000).await.expect("begin");
        if together {
            tx.push(batch.to_vec()).await.expect("batch");
        } else {
            // Stored as one batch, projected one event at a time.
            let stored = as_stored(earlier, batch);
            for e in &stored {
                super::apply(tx.conn(), e).await.expect("apply");
            }
        }
        tx.commit().await.expect("commit");
        db
    }

    #[tokio::test]
    async fn a_batch_projects_as_its_events_one_by_one() {
        let dir = std::env::temp_dir().join(format!("burg-fold-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
        let mut folded = 0;
        for case in 0..120 {
            let (earlier, batch) = history(&mut dice);
            folded += super::user::folds(&as_stored(&earlier, &batch)).len();
            let together = project(&dir.join(format!("{case}-a.db")), &earlier, &batch, true).await;
            let alone = project(&dir.join(format!("{case}-b.db")), &earlier, &batch, false).await;
            let (a, b) = (tables(&together).await, tables(&alone).await);
            let events: Vec<_> = batch.iter().map(|e| (e.event_type, &e.aggregate.id)).collect();
            assert_eq!(a, b, "case {case}: {events:?}");
            together.close().await;
            alone.close().await;
        }
        // The generator must reach the fold, or this test shows nothing.
        assert!(folded > 50, "only {folded} users were folded");
        std::fs::remove_dir_all(&dir).ok();
    }
}
