//! Projects written through the Management API, kept where the import keeps
//! them: one `DataProject` document of the kind `project` per project in
//! `org_objects` (its state beside it), so that imported and created
//! projects are read, listed, changed and exported alike. Removing a
//! project removes the documents that belong to it (roles, members,
//! grants and their members, apps and their keys, user grants).

use burg_domain::event::{Event, Payload};
use burg_domain::events::project::*;
use burg_domain::{Error, Result};
use serde_json::{Value, json};
use sqlx::AnyConnection;

use crate::db_error;

/// The `org_objects` kind of a project (the import's name for it).
pub const PROJECT_KIND: &str = "project";
/// The kinds whose documents name a project (`projectId`, or the app's
/// `app.projectId`, or the grant's `projectGrant.projectId`).
const OWNED_KINDS: [(&str, &str); 9] = [
    ("project_role", "projectId"),
    ("project_member", "projectId"),
    ("project_grant", "projectGrant.projectId"),
    ("project_grant_member", "projectId"),
    ("oidc_app", "app.projectId"),
    ("api_app", "app.projectId"),
    ("saml_app", "app.projectId"),
    ("app_key", "projectId"),
    ("user_grant", "projectId"),
];

/// A `ProjectState` number: active.
pub const ACTIVE: i64 = 1;
/// A `ProjectState` number: inactive.
pub const INACTIVE: i64 = 2;

/// `zitadel.project.v1.PrivateLabelingSetting` by number, as the document
/// (proto3 JSON) names it; none for 0.
fn labeling_name(n: i32) -> Option<&'static str> {
    match n {
        1 => Some("PRIVATE_LABELING_SETTING_ENFORCE_PROJECT_RESOURCE_OWNER_POLICY"),
        2 => Some("PRIVATE_LABELING_SETTING_ALLOW_LOGIN_USER_RESOURCE_OWNER_POLICY"),
        _ => None,
    }
}

/// The document's `project` member from the values of its events; false
/// flags and the unspecified setting left out, as proto3 JSON does.
fn project_member(name: &str, assertion: bool, check: bool, has_check: bool, labeling: i32) -> Value {
    let mut p = json!({ "name": name });
    for (key, on) in [("projectRoleAssertion", assertion), ("projectRoleCheck", check), ("hasProjectCheck", has_check)]
    {
        if on {
            p[key] = json!(true);
        }
    }
    if let Some(l) = labeling_name(labeling) {
        p["privateLabelingSetting"] = json!(l);
    }
    p
}

fn flag(p: &Value, key: &str) -> bool {
    p.get(key).and_then(Value::as_bool).unwrap_or_default()
}

/// The number of a document's labeling setting.
fn labeling_of(p: &Value) -> i32 {
    match p.get("privateLabelingSetting").and_then(Value::as_str) {
        Some(s) if Some(s) == labeling_name(1) => 1,
        Some(s) if Some(s) == labeling_name(2) => 2,
        _ => 0,
    }
}

async fn stored(conn: &mut AnyConnection, e: &Event) -> Result<Option<Value>> {
    let data: Option<String> = sqlx::query_scalar(
        "SELECT data FROM org_objects WHERE instance_id = $1 AND org_id = $2 AND kind = $3 AND object_key = $4",
    )
    .bind(&e.instance_id)
    .bind(&e.resource_owner)
    .bind(PROJECT_KIND)
    .bind(&e.aggregate_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_error("PROJ-prj01"))?;
    data.map(|d| serde_json::from_str(&d).map_err(|_| Error::internal("PROJ-prj02", "a stored project is unreadable")))
        .transpose()
}

async fn write(conn: &mut AnyConnection, e: &Event, doc: &Value, state: Option<i64>) -> Result<()> {
    sqlx::query(
        "INSERT INTO org_objects (instance_id, org_id, kind, object_key, parent_key, data, sealed_secret, sequence, \
         creation_date, change_date, state) VALUES ($1, $2, $3, $4, '', $5, '', $6, $7, $7, $8) \
         ON CONFLICT (instance_id, org_id, kind, object_key) DO UPDATE SET data = excluded.data, \
         sequence = excluded.sequence, change_date = excluded.change_date",
    )
    .bind(&e.instance_id)
    .bind(&e.resource_owner)
    .bind(PROJECT_KIND)
    .bind(&e.aggregate_id)
    .bind(doc.to_string())
    .bind(e.sequence)
    .bind(e.created_at)
    .bind(state.unwrap_or(ACTIVE))
    .execute(&mut *conn)
    .await
    .map_err(db_error("PROJ-prj03"))?;
    Ok(())
}

pub(crate) fn handles(event_type: &str) -> bool {
    TYPES.contains(&event_type)
}

pub(crate) async fn apply(conn: &mut AnyConnection, e: &Event) -> Result<()> {
    match e.event_type.as_str() {
        ProjectAdded::TYPE => {
            let p: ProjectAdded = e.decode()?;
            let project = project_member(
                &p.name,
                p.project_role_assertion,
                p.project_role_check,
                p.has_project_check,
                p.private_labeling_setting,
            );
            write(conn, e, &json!({ "projectId": e.aggregate_id, "project": project }), Some(ACTIVE)).await?;
        }
        ProjectChanged::TYPE => {
            let c: ProjectChanged = e.decode()?;
            let Some(mut doc) = stored(conn, e).await? else { return Ok(()) };
            let p = doc.get("project").cloned().unwrap_or_default();
            let name = c.name.unwrap_or_else(|| p.get("name").and_then(Value::as_str).unwrap_or_default().into());
            doc["project"] = project_member(
                &name,
                c.project_role_assertion.unwrap_or_else(|| flag(&p, "projectRoleAssertion")),
                c.project_role_check.unwrap_or_else(|| flag(&p, "projectRoleCheck")),
                c.has_project_check.unwrap_or_else(|| flag(&p, "hasProjectCheck")),
                c.private_labeling_setting.unwrap_or_else(|| labeling_of(&p)),
            );
            write(conn, e, &doc, None).await?;
        }
        ProjectDeactivated::TYPE | ProjectReactivated::TYPE => {
            let state = if e.event_type == ProjectDeactivated::TYPE { INACTIVE } else { ACTIVE };
            set_doc_state(conn, e, PROJECT_KIND, &e.aggregate_id, state).await?;
        }
        ProjectRemoved::TYPE => remove(conn, e).await?,
        RoleAdded::TYPE => {
            let r: RoleAdded = e.decode()?;
            // Empty members left out, as proto3 JSON leaves them (an
            // imported role may have no display name).
            let mut doc = json!({"projectId": e.aggregate_id, "roleKey": r.key});
            for (member, value) in [("displayName", r.display_name), ("group", r.group)] {
                if !value.is_empty() {
                    doc[member] = json!(value);
                }
            }
            put_doc(conn, e, ROLE_KIND, &role_key(&e.aggregate_id, &r.key), &doc).await?;
        }
        RoleChanged::TYPE => {
            let r: RoleChanged = e.decode()?;
            let key = role_key(&e.aggregate_id, &r.key);
            let Some(mut doc) = doc_of(conn, e, ROLE_KIND, &key).await? else { return Ok(()) };
            if let Some(name) = r.display_name {
                doc["displayName"] = json!(name);
            }
            match r.group {
                Some(g) if g.is_empty() => drop(doc.as_object_mut().map(|o| o.remove("group"))),
                Some(g) => doc["group"] = json!(g),
                None => {}
            }
            put_doc(conn, e, ROLE_KIND, &key, &doc).await?;
        }
        RoleRemoved::TYPE => {
            let r: RoleRemoved = e.decode()?;
            delete_doc(conn, e, ROLE_KIND, &role_key(&e.aggregate_id, &r.key)).await?;
            // Grants of the project lose the role, as ZITADEL's cascades do.
            for (kind, path) in [("user_grant", "roleKeys"), ("project_grant", "projectGrant.roleKeys")] {
                let rows: Vec<(String, String)> = sqlx::query_as(
                    "SELECT object_key, data FROM org_objects WHERE instance_id = $1 AND org_id = $2 AND kind = $3",
                )
                .bind(&e.instance_id)
                .bind(&e.resource_owner)
                .bind(kind)
                .fetch_all(&mut *conn)
                .await
                .map_err(db_error("PROJ-prj07"))?;
                for (key, data) in rows {
                    let mut doc: Value = serde_json::from_str(&data).unwrap_or_default();
                    let project_path = if kind == "user_grant" { "projectId" } else { "projectGrant.projectId" };
                    if text_at(&doc, project_path) != e.aggregate_id {
                        continue;
                    }
                    let Some(list) = at_mut(&mut doc, path).and_then(Value::as_array_mut) else { continue };
                    let before = list.len();
                    list.retain(|k| k.as_str() != Some(r.key.as_str()));
                    if list.len() != before {
                        put_doc(conn, e, kind, &key, &doc).await?;
                    }
                }
            }
        }
        GrantAdded::TYPE => {
            let g: GrantAdded = e.decode()?;
            let mut doc = json!({"grantId": g.grant_id, "projectGrant": {
                "projectId": e.aggregate_id, "grantedOrgId": g.granted_org_id}});
            // No empty list, as proto3 JSON writes none.
            if !g.role_keys.is_empty() {
                doc["projectGrant"]["roleKeys"] = json!(g.role_keys);
            }
            put_doc(conn, e, GRANT_KIND, &g.grant_id, &doc).await?;
        }
        GrantChanged::TYPE => {
            let g: GrantChanged = e.decode()?;
            let Some(mut doc) = doc_of(conn, e, GRANT_KIND, &g.grant_id).await? else { return Ok(()) };
            doc["projectGrant"]["roleKeys"] = json!(g.role_keys);
            put_doc(conn, e, GRANT_KIND, &g.grant_id, &doc).await?;
        }
        GrantDeactivated::TYPE | GrantReactivated::TYPE => {
            let (grant, state) = if e.event_type == GrantDeactivated::TYPE {
                (e.decode::<GrantDeactivated>()?.grant_id, INACTIVE)
            } else {
                (e.decode::<GrantReactivated>()?.grant_id, ACTIVE)
            };
            set_doc_state(conn, e, GRANT_KIND, &grant, state).await?;
        }
        GrantRemoved::TYPE => {
            let g: GrantRemoved = e.decode()?;
            delete_doc(conn, e, GRANT_KIND, &g.grant_id).await?;
        }
        GrantMemberAdded::TYPE | GrantMemberChanged::TYPE => {
            let (user, grant, roles) = if e.event_type == GrantMemberAdded::TYPE {
                let m: GrantMemberAdded = e.decode()?;
                (m.user_id, m.grant_id, m.roles)
            } else {
                let m: GrantMemberChanged = e.decode()?;
                (m.user_id, m.grant_id, m.roles)
            };
            let doc = json!({"projectId": e.aggregate_id, "grantId": grant, "userId": user, "roles": roles});
            let key = format!("{}_{grant}_{user}", e.aggregate_id);
            put_doc(conn, e, GRANT_MEMBER_KIND, &key, &doc).await?;
        }
        GrantMemberRemoved::TYPE => {
            let m: GrantMemberRemoved = e.decode()?;
            let key = format!("{}_{}_{}", e.aggregate_id, m.grant_id, m.user_id);
            delete_doc(conn, e, GRANT_MEMBER_KIND, &key).await?;
        }
        MemberAdded::TYPE | MemberChanged::TYPE => {
            let (user, roles) = if e.event_type == MemberAdded::TYPE {
                let m: MemberAdded = e.decode()?;
                (m.user_id, m.roles)
            } else {
                let m: MemberChanged = e.decode()?;
                (m.user_id, m.roles)
            };
            let doc = json!({"projectId": e.aggregate_id, "userId": user, "roles": roles});
            put_doc(conn, e, MEMBER_KIND, &role_key(&e.aggregate_id, &user), &doc).await?;
        }
        MemberRemoved::TYPE => {
            let m: MemberRemoved = e.decode()?;
            delete_doc(conn, e, MEMBER_KIND, &role_key(&e.aggregate_id, &m.user_id)).await?;
        }
        _ => {}
    }
    Ok(())
}

/// The `org_objects` kind of a project grant's member (the import's),
/// keyed `projectId_grantId_userId`.
pub const GRANT_MEMBER_KIND: &str = "project_grant_member";

/// The `org_objects` kind of a project grant (the import's), keyed by its id.
pub const GRANT_KIND: &str = "project_grant";

/// The `org_objects` kind of a project member (the import's), keyed
/// `projectId_userId`.
pub const MEMBER_KIND: &str = "project_member";

/// The `org_objects` kind of a project role (the import's).
pub const ROLE_KIND: &str = "project_role";

/// A role's document key: the import's `projectId_roleKey`.
pub fn role_key(project: &str, key: &str) -> String {
    format!("{project}_{key}")
}

fn text_at<'v>(doc: &'v Value, path: &str) -> &'v str {
    path.split('.').try_fold(doc, |v, part| v.get(part)).and_then(Value::as_str).unwrap_or_default()
}

fn at_mut<'v>(doc: &'v mut Value, path: &str) -> Option<&'v mut Value> {
    path.split('.').try_fold(doc, |v, part| v.get_mut(part))
}

pub(crate) async fn doc_of(conn: &mut AnyConnection, e: &Event, kind: &str, key: &str) -> Result<Option<Value>> {
    let data: Option<String> = sqlx::query_scalar(
        "SELECT data FROM org_objects WHERE instance_id = $1 AND org_id = $2 AND kind = $3 AND object_key = $4",
    )
    .bind(&e.instance_id)
    .bind(&e.resource_owner)
    .bind(kind)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_error("PROJ-prj08"))?;
    Ok(data.and_then(|d| serde_json::from_str(&d).ok()))
}

/// Sets the state of document `key` of `kind` (the documents of kinds that
/// have one: 1 active, 2 inactive).
pub(crate) async fn set_doc_state(
    conn: &mut AnyConnection,
    e: &Event,
    kind: &str,
    key: &str,
    state: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE org_objects SET state = $1, sequence = $2, change_date = $3 \
         WHERE instance_id = $4 AND org_id = $5 AND kind = $6 AND object_key = $7",
    )
    .bind(state)
    .bind(e.sequence)
    .bind(e.created_at)
    .bind(&e.instance_id)
    .bind(&e.resource_owner)
    .bind(kind)
    .bind(key)
    .execute(&mut *conn)
    .await
    .map_err(db_error("PROJ-prj04"))?;
    Ok(())
}

/// Writes a document of `kind` under `key` (its state kept when it exists).
pub(crate) async fn put_doc(conn: &mut AnyConnection, e: &Event, kind: &str, key: &str, doc: &Value) -> Result<()> {
    sqlx::query(
        "INSERT INTO org_objects (instance_id, org_id, kind, object_key, parent_key, data, sealed_secret, sequence, \
         creation_date, change_date) VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8, $8) \
         ON CONFLICT (instance_id, org_id, kind, object_key) DO UPDATE SET data = excluded.data, \
         sequence = excluded.sequence, change_date = excluded.change_date",
    )
    .bind(&e.instance_id)
    .bind(&e.resource_owner)
    .bind(kind)
    .bind(key)
    .bind(&e.aggregate_id)
    .bind(doc.to_string())
    .bind(e.sequence)
    .bind(e.created_at)
    .execute(&mut *conn)
    .await
    .map_err(db_error("PROJ-prj09"))?;
    Ok(())
}

pub(crate) async fn delete_doc(conn: &mut AnyConnection, e: &Event, kind: &str, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM org_objects WHERE instance_id = $1 AND org_id = $2 AND kind = $3 AND object_key = $4")
        .bind(&e.instance_id)
        .bind(&e.resource_owner)
        .bind(kind)
        .bind(key)
        .execute(&mut *conn)
        .await
        .map_err(db_error("PROJ-prj10"))?;
    Ok(())
}

/// Removes the project's document and every document that names it.
async fn remove(conn: &mut AnyConnection, e: &Event) -> Result<()> {
    let mut doomed = vec![(PROJECT_KIND.to_string(), e.aggregate_id.clone())];
    for (kind, path) in OWNED_KINDS {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT object_key, data FROM org_objects WHERE instance_id = $1 AND org_id = $2 AND kind = $3",
        )
        .bind(&e.instance_id)
        .bind(&e.resource_owner)
        .bind(kind)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error("PROJ-prj05"))?;
        for (key, data) in rows {
            let doc: Value = serde_json::from_str(&data).unwrap_or_default();
            let project = path.split('.').try_fold(&doc, |v, part| v.get(part)).and_then(Value::as_str);
            if project == Some(e.aggregate_id.as_str()) {
                doomed.push((kind.to_string(), key));
            }
        }
    }
    for (kind, key) in doomed {
        sqlx::query("DELETE FROM org_objects WHERE instance_id = $1 AND org_id = $2 AND kind = $3 AND object_key = $4")
            .bind(&e.instance_id)
            .bind(&e.resource_owner)
            .bind(kind)
            .bind(key)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-prj06"))?;
    }
    Ok(())
}
