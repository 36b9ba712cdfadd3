//! `idp_configs`, and the template each configuration also is
//! (`idp_templates`), from the events of ZITADEL's first IdP API.

use burg_domain::event::Event;
use burg_domain::idp_config::{self, IdpConfig, Reduced};
use burg_domain::state::{IdpOwnerType, IdpState};
use burg_domain::{Error, Result};
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
            sqlx::query("DELETE FROM idp_templates WHERE instance_id = $1 AND id = $2")
                .bind(inst)
                .bind(&id)
                .execute(&mut *conn)
                .await
                .map_err(db_error("PROJ-idc02"))?;
            super::remove_policy_links_to(conn, inst, &id).await
        }
        Some(Reduced::Write(config)) => {
            write(conn, e, owner, &config).await?;
            match config.template() {
                Some(template) => write_template(conn, e, owner, &template).await,
                None => Ok(()),
            }
        }
    }
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
