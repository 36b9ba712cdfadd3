//! `idp_configs`, and the template each configuration also is
//! (`idp_templates`), from the events of ZITADEL's first IdP API; the
//! templates of both scopes from their own events; and an organization's
//! configurations as its export documents (`org_objects` of the kinds
//! `oidc_idp` and `jwt_idp`): an import's documents become configurations,
//! and the events of the Management API keep the documents in step, so
//! that imported and added configurations are read, changed and exported
//! alike.

use burg_domain::crypto::Sealed;
use burg_domain::event::Event;
use burg_domain::idp_config::{self, IdpConfig, Protocol, Reduced};
use burg_domain::state::{IdpOwnerType, IdpState};
use burg_domain::{Error, Result, idp_events};
use sqlx::AnyConnection;

use crate::db_error;

pub(super) async fn apply(conn: &mut AnyConnection, e: &Event, owner: IdpOwnerType) -> Result<()> {
    let inst = &e.instance_id;
    let id = idp_config::config_id(&e.payload);
    let stored = crate::idp_config::get(&mut *conn, inst, id).await?.map(|row| row.config);
    match idp_config::reduce(&e.event_type, &e.payload, stored)? {
        None => Ok(()),
        Some(Reduced::Remove(id)) => {
            sqlx::query("DELETE FROM idp_configs WHERE instance_id = $1 AND id = $2")
                .bind(inst)
                .bind(&id)
                .execute(&mut *conn)
                .await
                .map_err(db_error("PROJ-idc01"))?;
            if owner == IdpOwnerType::Org {
                sqlx::query(
                    "DELETE FROM org_objects WHERE instance_id = $1 AND org_id = $2 AND kind IN ($3, $4) \
                     AND object_key = $5",
                )
                .bind(inst)
                .bind(&e.resource_owner)
                .bind(idp_config::DOC_OIDC)
                .bind(idp_config::DOC_JWT)
                .bind(&id)
                .execute(&mut *conn)
                .await
                .map_err(db_error("PROJ-idc07"))?;
            }
            remove_template(conn, inst, &id).await
        }
        Some(Reduced::Write(config)) => {
            write(conn, e, owner, &config).await?;
            if owner == IdpOwnerType::Org {
                write_document(conn, e, &config).await?;
            }
            match config.template() {
                Some(template) => write_template(conn, e, owner, &template).await,
                None => Ok(()),
            }
        }
    }
}

/// The configurations of the import's documents among `events` (the
/// `oidc_idp` and `jwt_idp` kinds; an OIDC one's client secret sealed
/// beside its document), each with its template.
pub(super) async fn from_documents(conn: &mut AnyConnection, events: &[Event]) -> Result<()> {
    for e in events {
        let kind = e.payload.get(super::OBJECT_KIND).and_then(|v| v.as_str()).unwrap_or_default();
        if kind != idp_config::DOC_OIDC && kind != idp_config::DOC_JWT {
            continue;
        }
        let sealed: Option<Sealed> = e.payload.get("sealedSecret").and_then(|s| serde_json::from_value(s.clone()).ok());
        let data = e.payload.get("data").cloned().unwrap_or_default();
        let Some(config) = idp_config::from_document(kind, &data, sealed) else { continue };
        write(conn, e, IdpOwnerType::Org, &config).await?;
        if let Some(template) = config.template() {
            write_template(conn, e, IdpOwnerType::Org, &template).await?;
        }
    }
    Ok(())
}

/// The configurations of documents kept before the first IdP API was
/// served: an earlier release's import stored an organization's
/// `oidcIdps` and `jwtIdps` only as documents. Each document without its
/// configuration becomes one (and its template), with the document's id,
/// sequence and time, as an import's document does today; run when the
/// store is opened, it finds nothing to do once done. Returns how many
/// were adopted.
pub(crate) async fn adopt_documents(conn: &mut AnyConnection) -> Result<u64> {
    let rows: Vec<(String, String, String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT o.instance_id, o.org_id, o.kind, o.data, o.sealed_secret, o.sequence, o.creation_date \
         FROM org_objects o WHERE o.kind IN ($1, $2) AND NOT EXISTS \
         (SELECT 1 FROM idp_configs c WHERE c.instance_id = o.instance_id AND c.id = o.object_key)",
    )
    .bind(idp_config::DOC_OIDC)
    .bind(idp_config::DOC_JWT)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error("PROJ-idc10"))?;
    let mut adopted = 0;
    for (instance_id, org, kind, data, sealed, sequence, created_at) in rows {
        let data: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
        let sealed: Option<Sealed> = serde_json::from_str(&sealed).ok();
        let Some(config) = idp_config::from_document(&kind, &data, sealed) else { continue };
        let e = Event {
            position: 0,
            instance_id,
            aggregate_type: burg_domain::event::aggregate::ORG.to_string(),
            aggregate_id: org.clone(),
            sequence,
            event_type: format!("{kind} document"),
            payload: serde_json::Value::Null,
            editor_user: String::new(),
            editor_service: String::new(),
            resource_owner: org,
            created_at,
        };
        write(conn, &e, IdpOwnerType::Org, &config).await?;
        if let Some(template) = config.template() {
            write_template(conn, &e, IdpOwnerType::Org, &template).await?;
        }
        adopted += 1;
    }
    Ok(adopted)
}

/// Writes an organization's configuration as its export document, the
/// sealed client secret beside it.
async fn write_document(conn: &mut AnyConnection, e: &Event, config: &IdpConfig) -> Result<()> {
    let Some((kind, data)) = idp_config::to_document(config) else { return Ok(()) };
    let sealed = match &config.protocol {
        Some(Protocol::Oidc { client_secret: Some(s), .. }) => serde_json::to_string(s)
            .map_err(|err| Error::internal("PROJ-idc08", format!("cannot encode a sealed secret: {err}")))?,
        _ => String::new(),
    };
    sqlx::query(
        "INSERT INTO org_objects (instance_id, org_id, kind, object_key, parent_key, data, sealed_secret, sequence, \
         creation_date, change_date) VALUES ($1, $2, $3, $4, '', $5, $6, $7, $8, $8) \
         ON CONFLICT (instance_id, org_id, kind, object_key) DO UPDATE SET data = excluded.data, \
         sealed_secret = excluded.sealed_secret, sequence = excluded.sequence, change_date = excluded.change_date",
    )
    .bind(&e.instance_id)
    .bind(&e.resource_owner)
    .bind(kind)
    .bind(&config.id)
    .bind(data.to_string())
    .bind(sealed)
    .bind(e.sequence)
    .bind(e.created_at)
    .execute(&mut *conn)
    .await
    .map_err(db_error("PROJ-idc09"))?;
    Ok(())
}

/// A template event of either scope: the event's members become the
/// whole template, a new one or the stored one with what changed.
pub(super) async fn template(conn: &mut AnyConnection, e: &Event, owner: IdpOwnerType) -> Result<()> {
    let t = e.event_type.as_str();
    let stored = match idp_events::template_event(t) {
        Some(idp_events::TemplateEvent::Changed(_)) => {
            let id = e.payload.get("id").and_then(|v| v.as_str()).unwrap_or_default();
            crate::idp::get(&mut *conn, &e.instance_id, id).await?.map(|row| row.template)
        }
        _ => None,
    };
    let template = idp_events::project(t, &e.payload, stored.as_ref())?;
    write_template(conn, e, owner, &template).await
}

/// Removes template `id` and every login policy's link to it.
pub(super) async fn remove_template(conn: &mut AnyConnection, inst: &str, id: &str) -> Result<()> {
    sqlx::query("DELETE FROM idp_templates WHERE instance_id = $1 AND id = $2")
        .bind(inst)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(db_error("PROJ-idc02"))?;
    super::remove_policy_links_to(conn, inst, id).await
}

async fn write(conn: &mut AnyConnection, e: &Event, owner: IdpOwnerType, config: &IdpConfig) -> Result<()> {
    let document = serde_json::to_string(config)
        .map_err(|err| Error::internal("PROJ-idc03", format!("cannot encode {}: {err}", e.event_type)))?;
    sqlx::query(
        "INSERT INTO idp_configs (instance_id, id, resource_owner, owner_type, name, state, config, sequence, \
         creation_date, change_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
         ON CONFLICT (instance_id, id) DO UPDATE SET name = excluded.name, state = excluded.state, \
         config = excluded.config, sequence = excluded.sequence, change_date = excluded.change_date",
    )
    .bind(&e.instance_id)
    .bind(&config.id)
    .bind(&e.resource_owner)
    .bind(owner.code())
    .bind(&config.name)
    .bind(i64::from(config.state))
    .bind(document)
    .bind(e.sequence)
    .bind(e.created_at)
    .execute(&mut *conn)
    .await
    .map_err(db_error("PROJ-idc04"))?;
    Ok(())
}

async fn write_template(
    conn: &mut AnyConnection,
    e: &Event,
    owner: IdpOwnerType,
    template: &burg_domain::idp::Template,
) -> Result<()> {
    let document = serde_json::to_string(template)
        .map_err(|err| Error::internal("PROJ-idc05", format!("cannot encode {}: {err}", e.event_type)))?;
    sqlx::query(
        "INSERT INTO idp_templates (instance_id, id, resource_owner, owner_type, name, idp_type, state, config, \
         sequence, creation_date, change_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
         ON CONFLICT (instance_id, id) DO UPDATE SET name = excluded.name, idp_type = excluded.idp_type, \
         config = excluded.config, sequence = excluded.sequence, change_date = excluded.change_date",
    )
    .bind(&e.instance_id)
    .bind(&template.id)
    .bind(&e.resource_owner)
    .bind(owner.code())
    .bind(&template.name)
    .bind(i64::from(template.kind().provider_type()))
    .bind(IdpState::Active.code())
    .bind(document)
    .bind(e.sequence)
    .bind(e.created_at)
    .execute(&mut *conn)
    .await
    .map_err(db_error("PROJ-idc06"))?;
    Ok(())
}
