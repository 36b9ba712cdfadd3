//! A machine user's own events: its name and description and its client
//! secret go to `users`; its keys are kept as documents of the kind
//! `machine_user_key` in `org_objects`, in the shape of an exported
//! `DataMachineKey`, so that keys an import brought in and keys added
//! through the API are read, listed and exported alike.

use burg_domain::event::{Event, Payload};
use burg_domain::events::machine::*;
use burg_domain::{Error, Result};
use sqlx::AnyConnection;

use crate::db_error;

/// The `org_objects` kind of a machine key (the import's name for it).
pub const KEY_KIND: &str = "machine_user_key";

/// A key's document (`DataMachineKey`'s shape) of user `user`; none for an
/// expiry beyond what RFC 3339 can say.
pub(crate) fn key_document(k: &MachineKeyAdded, user: &str) -> Option<serde_json::Value> {
    Some(serde_json::json!({
        "keyId": k.key_id,
        "userId": user,
        "type": "KEY_TYPE_JSON",
        "expirationDate": k.expiration_date.to_rfc3339()?,
        "publicKey": k.public_key,
    }))
}

pub(crate) fn handles(event_type: &str) -> bool {
    TYPES.contains(&event_type)
}

pub(crate) async fn apply(conn: &mut AnyConnection, e: &Event) -> Result<()> {
    let (inst, user) = (&e.instance_id, &e.aggregate_id);
    match e.event_type.as_str() {
        MachineChanged::TYPE => {
            let p: MachineChanged = e.decode()?;
            sqlx::query(
                "UPDATE users SET machine_name = COALESCE($1, machine_name), display_name = COALESCE($1, display_name), \
                 machine_description = COALESCE($2, machine_description), \
                 access_token_type = COALESCE($3, access_token_type), sequence = $4, change_date = $5 \
                 WHERE instance_id = $6 AND id = $7",
            )
            .bind(p.name)
            .bind(p.description)
            .bind(p.access_token_type.map(i64::from))
            .bind(e.sequence)
            .bind(e.created_at)
            .bind(inst)
            .bind(user)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-mac01"))?;
        }
        MachineSecretSet::TYPE | MachineSecretRemoved::TYPE => {
            let hash = if e.event_type == MachineSecretSet::TYPE {
                e.decode::<MachineSecretSet>()?.hashed_secret
            } else {
                String::new()
            };
            sqlx::query(
                "UPDATE users SET machine_secret_hash = $1, sequence = $2, change_date = $3 \
                 WHERE instance_id = $4 AND id = $5",
            )
            .bind(hash)
            .bind(e.sequence)
            .bind(e.created_at)
            .bind(inst)
            .bind(user)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-mac02"))?;
        }
        MachineKeyAdded::TYPE => {
            let p: MachineKeyAdded = e.decode()?;
            let data = key_document(&p, user)
                .ok_or_else(|| Error::internal("PROJ-mac03", "a key's expiration is out of range"))?;
            sqlx::query(
                "INSERT INTO org_objects (instance_id, org_id, kind, object_key, parent_key, data, sealed_secret, \
                 sequence, creation_date, change_date) VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8, $8)",
            )
            .bind(inst)
            .bind(&e.resource_owner)
            .bind(KEY_KIND)
            .bind(&p.key_id)
            .bind(user)
            .bind(data.to_string())
            .bind(e.sequence)
            .bind(e.created_at)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-mac04"))?;
        }
        MachineKeyRemoved::TYPE => {
            let p: MachineKeyRemoved = e.decode()?;
            sqlx::query(
                "DELETE FROM org_objects WHERE instance_id = $1 AND org_id = $2 AND kind = $3 AND object_key = $4",
            )
            .bind(inst)
            .bind(&e.resource_owner)
            .bind(KEY_KIND)
            .bind(&p.key_id)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-mac05"))?;
        }
        _ => {}
    }
    Ok(())
}
