//! `web_keys`: the instance's signing keys, projected from `web_key.*`.

use burg_domain::event::{Event, Payload};
use burg_domain::events::web_key::*;
use burg_domain::{Error, Result};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::row::{number, text};
use crate::{Reader, db_error};

/// ZITADEL's `domain.WebKeyState`.
pub const INITIAL: i64 = 1;
pub const ACTIVE: i64 = 2;
pub const INACTIVE: i64 = 3;

/// One key. `private_key` is the sealed value's JSON, `config` the event's.
#[derive(Clone, PartialEq, Eq)]
pub struct WebKeyRow {
    pub id: String,
    pub state: i64,
    pub config_type: String,
    pub config: String,
    pub private_key: String,
    pub public_key: String,
    pub creation_date: i64,
    pub change_date: i64,
}

impl std::fmt::Debug for WebKeyRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebKeyRow").field("id", &self.id).field("state", &self.state).finish_non_exhaustive()
    }
}

fn read(row: &AnyRow) -> Result<WebKeyRow> {
    let t = |c: &str| text(row, c, "WEBKEY-db02");
    let n = |c: &str| number(row, c, "WEBKEY-db03");
    Ok(WebKeyRow {
        id: t("id")?,
        state: n("state")?,
        config_type: t("config_type")?,
        config: t("config")?,
        private_key: t("private_key")?,
        public_key: t("public_key")?,
        creation_date: n("creation_date")?,
        change_date: n("change_date")?,
    })
}

/// Every key of the instance, the oldest first.
pub async fn list<'e>(on: impl Reader<'e>, instance: &str) -> Result<Vec<WebKeyRow>> {
    let rows = sqlx::query(
        "SELECT id, state, config_type, config, private_key, public_key, creation_date, change_date \
         FROM web_keys WHERE instance_id = $1 ORDER BY creation_date, id",
    )
    .bind(instance)
    .fetch_all(on)
    .await
    .map_err(db_error("WEBKEY-db01"))?;
    rows.iter().map(read).collect()
}

pub(crate) async fn apply(conn: &mut AnyConnection, e: &Event) -> Result<()> {
    let state = |state: i64| {
        sqlx::query(
            "UPDATE web_keys SET state = $1, sequence = $2, change_date = $3 WHERE instance_id = $4 AND id = $5",
        )
        .bind(state)
        .bind(e.sequence)
        .bind(e.created_at)
        .bind(&e.instance_id)
        .bind(&e.aggregate_id)
    };
    let done = match e.event_type.as_str() {
        WebKeyAdded::TYPE => {
            let p: WebKeyAdded = e.decode()?;
            let private = p.private_key.as_ref().and_then(|s| serde_json::to_string(s).ok()).unwrap_or_default();
            sqlx::query(
                "INSERT INTO web_keys (instance_id, id, state, config_type, config, private_key, public_key, \
                 sequence, creation_date, change_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
            )
            .bind(&e.instance_id)
            .bind(&e.aggregate_id)
            .bind(INITIAL)
            .bind(p.config_type)
            .bind(p.config.to_string())
            .bind(private)
            .bind(p.public_key.to_string())
            .bind(e.sequence)
            .bind(e.created_at)
            .execute(&mut *conn)
            .await
        }
        WebKeyActivated::TYPE => {
            // The key active before is inactive from here (its own
            // `deactivated` follows in the same command).
            sqlx::query("UPDATE web_keys SET state = $1 WHERE instance_id = $2 AND state = $3 AND id <> $4")
                .bind(INACTIVE)
                .bind(&e.instance_id)
                .bind(ACTIVE)
                .bind(&e.aggregate_id)
                .execute(&mut *conn)
                .await
                .map_err(db_error("WEBKEY-db05"))?;
            state(ACTIVE).execute(&mut *conn).await.map_err(|err| {
                if crate::is_unique_violation(&err) {
                    // Another node activated a key meanwhile: try again.
                    Error::aborted("WEBKEY-db06", "another web key was activated at the same time")
                } else {
                    db_error("WEBKEY-db07")(err)
                }
            })?;
            return Ok(());
        }
        WebKeyDeactivated::TYPE => state(INACTIVE).execute(&mut *conn).await,
        WebKeyRemoved::TYPE => {
            sqlx::query("DELETE FROM web_keys WHERE instance_id = $1 AND id = $2")
                .bind(&e.instance_id)
                .bind(&e.aggregate_id)
                .execute(&mut *conn)
                .await
        }
        _ => return Ok(()),
    };
    done.map_err(db_error("WEBKEY-db04"))?;
    Ok(())
}
