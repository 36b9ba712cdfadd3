//! A project's applications, kept where the import keeps them: one
//! document per application in `org_objects` (`oidc_app` and `api_app` in
//! `DataOIDCApplication`'s and `DataAPIApplication`'s shape, `saml_app`
//! burg's own, as exports carry no SAML apps), keyed by the app's id, with
//! its state and its client secret's hash beside it; keys are `app_key`
//! documents in `DataAppKey`'s shape. The client id is the document's
//! `burgClientId` (burg's field of those messages; an imported app without
//! one is answered with its app id).

use burg_domain::app::{self, OidcValues};
use burg_domain::event::{Event, Payload};
use burg_domain::events::app::*;
use burg_domain::{Error, Result};
use serde_json::{Value, json};
use sqlx::AnyConnection;

use super::project::{delete_doc, doc_of, put_doc, set_doc_state};
use crate::db_error;

pub const OIDC_KIND: &str = "oidc_app";
pub const API_KIND: &str = "api_app";
pub const SAML_KIND: &str = "saml_app";
pub const KEY_KIND: &str = "app_key";
/// The kinds an application can be, in the order they are looked up.
pub const APP_KINDS: [&str; 3] = [OIDC_KIND, API_KIND, SAML_KIND];
/// A just-added application, until its configuration names its kind (the
/// two events are pushed together).
const PENDING_KIND: &str = "app_pending";
/// The document member of burg's own client id.
pub const CLIENT_ID: &str = "burgClientId";
/// The document member of a SAML app's entity id.
pub const ENTITY_ID: &str = "burgEntityId";

/// `AppState` numbers.
const ACTIVE: i64 = 1;
const INACTIVE: i64 = 2;

pub(crate) fn handles(event_type: &str) -> bool {
    TYPES.contains(&event_type)
}

/// The kind and document of application `app_id` of the event's project.
async fn find(conn: &mut AnyConnection, e: &Event, app_id: &str) -> Result<Option<(&'static str, Value)>> {
    for kind in APP_KINDS {
        if let Some(doc) = doc_of(conn, e, kind, app_id).await? {
            return Ok(Some((kind, doc)));
        }
    }
    Ok(None)
}

/// Sets the hash of an app's client secret.
async fn set_secret(conn: &mut AnyConnection, e: &Event, kind: &str, key: &str, hash: &str) -> Result<()> {
    sqlx::query(
        "UPDATE org_objects SET secret_hash = $1, sequence = $2, change_date = $3 \
         WHERE instance_id = $4 AND org_id = $5 AND kind = $6 AND object_key = $7",
    )
    .bind(hash)
    .bind(e.sequence)
    .bind(e.created_at)
    .bind(&e.instance_id)
    .bind(&e.resource_owner)
    .bind(kind)
    .bind(key)
    .execute(&mut *conn)
    .await
    .map_err(db_error("PROJ-app01"))?;
    Ok(())
}

/// Writes a configured application's document (replacing the pending one).
async fn configure(conn: &mut AnyConnection, e: &Event, kind: &str, app_id: &str, mut doc: Value) -> Result<()> {
    let name = match doc_of(conn, e, PENDING_KIND, app_id).await? {
        Some(p) => {
            delete_doc(conn, e, PENDING_KIND, app_id).await?;
            p.get("name").and_then(Value::as_str).unwrap_or_default().to_string()
        }
        None => String::new(),
    };
    doc["app"]["name"] = json!(name);
    put_doc(conn, e, kind, app_id, &doc).await
}

pub(crate) async fn apply(conn: &mut AnyConnection, e: &Event) -> Result<()> {
    let project = e.aggregate_id.as_str();
    match e.event_type.as_str() {
        AppAdded::TYPE => {
            let a: AppAdded = e.decode()?;
            put_doc(conn, e, PENDING_KIND, &a.app_id, &json!({"name": a.name})).await?;
        }
        OidcConfigAdded::TYPE => {
            let c: OidcConfigAdded = e.decode()?;
            let values = OidcValues::from_added(&c);
            let doc = json!({"appId": c.app_id, "app": values.to_doc(project, ""), CLIENT_ID: c.client_id});
            configure(conn, e, OIDC_KIND, &c.app_id, doc).await?;
            set_secret(conn, e, OIDC_KIND, &c.app_id, &c.hashed_secret).await?;
        }
        ApiConfigAdded::TYPE => {
            let c: ApiConfigAdded = e.decode()?;
            let mut app = json!({"projectId": project});
            if c.auth_method_type != 0 {
                app["authMethodType"] = enum_name(c.auth_method_type, app::API_AUTH_METHODS);
            }
            let doc = json!({"appId": c.app_id, "app": app, CLIENT_ID: c.client_id});
            configure(conn, e, API_KIND, &c.app_id, doc).await?;
            set_secret(conn, e, API_KIND, &c.app_id, &c.hashed_secret).await?;
        }
        SamlConfigAdded::TYPE => {
            let c: SamlConfigAdded = e.decode()?;
            let mut app = json!({"projectId": project});
            saml_members(
                &mut app,
                Some(&c.metadata),
                Some(&c.metadata_url),
                Some((c.login_version, &c.login_base_uri)),
            );
            let doc = json!({"appId": c.app_id, "app": app, ENTITY_ID: c.entity_id});
            configure(conn, e, SAML_KIND, &c.app_id, doc).await?;
        }
        AppChanged::TYPE => {
            let c: AppChanged = e.decode()?;
            if let Some((kind, mut doc)) = find(conn, e, &c.app_id).await? {
                doc["app"]["name"] = json!(c.name);
                put_doc(conn, e, kind, &c.app_id, &doc).await?;
            }
        }
        AppDeactivated::TYPE | AppReactivated::TYPE => {
            let (app_id, state) = if e.event_type == AppDeactivated::TYPE {
                (e.decode::<AppDeactivated>()?.app_id, INACTIVE)
            } else {
                (e.decode::<AppReactivated>()?.app_id, ACTIVE)
            };
            if let Some((kind, _)) = find(conn, e, &app_id).await? {
                set_doc_state(conn, e, kind, &app_id, state).await?;
            }
        }
        AppRemoved::TYPE => {
            let r: AppRemoved = e.decode()?;
            for kind in APP_KINDS {
                delete_doc(conn, e, kind, &r.app_id).await?;
            }
            let keys: Vec<(String, String)> = sqlx::query_as(
                "SELECT object_key, data FROM org_objects WHERE instance_id = $1 AND org_id = $2 AND kind = $3",
            )
            .bind(&e.instance_id)
            .bind(&e.resource_owner)
            .bind(KEY_KIND)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_error("PROJ-app02"))?;
            for (key, data) in keys {
                let doc: Value = serde_json::from_str(&data).unwrap_or_default();
                if doc.get("appId").and_then(Value::as_str) == Some(r.app_id.as_str()) {
                    delete_doc(conn, e, KEY_KIND, &key).await?;
                }
            }
        }
        OidcConfigChanged::TYPE => {
            let c: OidcConfigChanged = e.decode()?;
            let Some(mut doc) = doc_of(conn, e, OIDC_KIND, &c.app_id).await? else { return Ok(()) };
            let name = doc["app"].get("name").and_then(Value::as_str).unwrap_or_default().to_string();
            let mut values = OidcValues::from_doc(&doc["app"]);
            values.apply(&c);
            doc["app"] = values.to_doc(project, &name);
            put_doc(conn, e, OIDC_KIND, &c.app_id, &doc).await?;
        }
        OidcSecretChanged::TYPE => {
            let c: OidcSecretChanged = e.decode()?;
            set_secret(conn, e, OIDC_KIND, &c.app_id, &c.hashed_secret).await?;
        }
        ApiConfigChanged::TYPE => {
            let c: ApiConfigChanged = e.decode()?;
            let Some(mut doc) = doc_of(conn, e, API_KIND, &c.app_id).await? else { return Ok(()) };
            match c.auth_method_type {
                Some(0) => drop(doc["app"].as_object_mut().map(|a| a.remove("authMethodType"))),
                Some(n) => doc["app"]["authMethodType"] = enum_name(n, app::API_AUTH_METHODS),
                None => {}
            }
            put_doc(conn, e, API_KIND, &c.app_id, &doc).await?;
        }
        ApiSecretChanged::TYPE => {
            let c: ApiSecretChanged = e.decode()?;
            set_secret(conn, e, API_KIND, &c.app_id, &c.hashed_secret).await?;
        }
        SamlConfigChanged::TYPE => {
            let c: SamlConfigChanged = e.decode()?;
            let Some(mut doc) = doc_of(conn, e, SAML_KIND, &c.app_id).await? else { return Ok(()) };
            if let Some(id) = &c.entity_id {
                doc[ENTITY_ID] = json!(id);
            }
            let login = c.login_version.map(|v| {
                let (_, old_base) = app::login_version_of(doc["app"].get("loginVersion"));
                (v, c.login_base_uri.clone().unwrap_or(old_base))
            });
            saml_members(
                &mut doc["app"],
                c.metadata.as_deref(),
                c.metadata_url.as_deref(),
                login.as_ref().map(|(v, b)| (*v, b.as_str())),
            );
            put_doc(conn, e, SAML_KIND, &c.app_id, &doc).await?;
        }
        AppKeyAdded::TYPE => {
            let k: AppKeyAdded = e.decode()?;
            let expiration = k
                .expiration_date
                .to_rfc3339()
                .ok_or_else(|| Error::internal("PROJ-app03", "an application key's expiry is out of range"))?;
            let doc = json!({
                "id": k.key_id, "projectId": project, "appId": k.app_id, "clientId": k.client_id,
                "type": if k.r#type == 1 { json!("KEY_TYPE_JSON") } else { json!(k.r#type) },
                "expirationDate": expiration, "publicKey": k.public_key,
            });
            put_doc(conn, e, KEY_KIND, &k.key_id, &doc).await?;
        }
        AppKeyRemoved::TYPE => {
            let k: AppKeyRemoved = e.decode()?;
            delete_doc(conn, e, KEY_KIND, &k.key_id).await?;
        }
        _ => {}
    }
    Ok(())
}

fn enum_name(n: i32, names: &[&str]) -> Value {
    usize::try_from(n).ok().and_then(|i| names.get(i)).map_or_else(|| json!(n), |name| json!(name))
}

/// Sets a SAML app document's metadata (`metadataXml`, base64 as the
/// event carries it; `metadataUrl` where it was fetched from) and login
/// version, for the members given.
fn saml_members(app: &mut Value, xml: Option<&str>, url: Option<&str>, login: Option<(i32, &str)>) {
    let Some(m) = app.as_object_mut() else { return };
    for (key, value) in [("metadataXml", xml), ("metadataUrl", url)] {
        match value {
            Some("") => drop(m.remove(key)),
            Some(v) => drop(m.insert(key.into(), json!(v))),
            None => {}
        }
    }
    if let Some((version, base)) = login {
        match app::login_version_doc(version, base) {
            Some(v) => drop(m.insert("loginVersion".into(), v)),
            None => drop(m.remove("loginVersion")),
        }
    }
}
