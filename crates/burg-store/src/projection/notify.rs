//! `notification_providers`, from the `instance.smtp.config.*` and
//! `instance.sms.config*` events.

use burg_domain::event::Event;
use burg_domain::notify::{self, Change, ProviderState};
use burg_domain::{Error, Result};
use sqlx::AnyConnection;

use crate::db_error;

pub(super) async fn apply(conn: &mut AnyConnection, e: &Event) -> Result<()> {
    let (inst, seq, at) = (&e.instance_id, e.sequence, e.created_at);
    match notify::change_of(&e.event_type, &e.payload)? {
        Change::Added(p) => {
            let config = encode(&p.config)?;
            sqlx::query(
                "INSERT INTO notification_providers (instance_id, id, channel, resource_owner, state, description, \
                 config, sequence, creation_date, change_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
            )
            .bind(inst)
            .bind(&p.id)
            .bind(p.config.channel().code())
            .bind(&e.resource_owner)
            .bind(ProviderState::Inactive.code())
            .bind(&p.description)
            .bind(config)
            .bind(seq)
            .bind(at)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-ntf01"))?;
        }
        Change::Changed { id, description } => {
            let stored: Option<(String, String)> = sqlx::query_as(
                "SELECT config, description FROM notification_providers WHERE instance_id = $1 AND id = $2",
            )
            .bind(inst)
            .bind(&id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_error("PROJ-ntf02"))?;
            // As ZITADEL's projection: a change of nothing stored changes nothing.
            let Some((config, stored_description)) = stored else { return Ok(()) };
            let config: notify::Config = serde_json::from_str(&config)
                .map_err(|err| Error::internal("PROJ-ntf03", format!("a stored provider is unreadable: {err}")))?;
            let next = notify::apply_change(&e.event_type, &e.payload, &config)?;
            sqlx::query(
                "UPDATE notification_providers SET config = $1, description = $2, sequence = $3, change_date = $4 \
                 WHERE instance_id = $5 AND id = $6",
            )
            .bind(encode(&next)?)
            .bind(description.unwrap_or(stored_description))
            .bind(seq)
            .bind(at)
            .bind(inst)
            .bind(&id)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-ntf04"))?;
        }
        Change::Activated { id, channel } => {
            // The channel's other active provider becomes inactive.
            sqlx::query(
                "UPDATE notification_providers SET state = $1, sequence = $2, change_date = $3 \
                 WHERE instance_id = $4 AND channel = $5 AND state = $6 AND id <> $7",
            )
            .bind(ProviderState::Inactive.code())
            .bind(seq)
            .bind(at)
            .bind(inst)
            .bind(channel.code())
            .bind(ProviderState::Active.code())
            .bind(&id)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-ntf05"))?;
            set_state(conn, e, &id, ProviderState::Active).await?;
        }
        Change::Deactivated { id } => set_state(conn, e, &id, ProviderState::Inactive).await?,
        Change::Removed { id } => {
            sqlx::query("DELETE FROM notification_providers WHERE instance_id = $1 AND id = $2")
                .bind(inst)
                .bind(&id)
                .execute(&mut *conn)
                .await
                .map_err(db_error("PROJ-ntf06"))?;
        }
    }
    Ok(())
}

async fn set_state(conn: &mut AnyConnection, e: &Event, id: &str, state: ProviderState) -> Result<()> {
    sqlx::query(
        "UPDATE notification_providers SET state = $1, sequence = $2, change_date = $3 \
         WHERE instance_id = $4 AND id = $5",
    )
    .bind(state.code())
    .bind(e.sequence)
    .bind(e.created_at)
    .bind(&e.instance_id)
    .bind(id)
    .execute(&mut *conn)
    .await
    .map_err(db_error("PROJ-ntf07"))?;
    Ok(())
}

fn encode(config: &notify::Config) -> Result<String> {
    serde_json::to_string(config)
        .map_err(|err| Error::internal("PROJ-ntf08", format!("cannot encode a notification provider: {err}")))
}
