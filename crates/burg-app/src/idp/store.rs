//! The `idp_templates` read table: a template read back, the name check,
//! and the event that writes a template whole.

use burg_domain::event::{Event, NewEvent};
use burg_domain::idp::Template;
use burg_domain::{Error, Result};
use burg_store::WriteTx;
use sqlx::Row;

use super::Scope;
use crate::auth::db_err;
use crate::{App, details};

/// A template as read from `idp_templates`.
pub(crate) struct Stored {
    pub(super) template: Template,
    sequence: i64,
    created: i64,
    changed: i64,
    owner: String,
}

impl Stored {
    pub(super) fn details(&self) -> Option<burg_api::object::ObjectDetails> {
        details(self.sequence, self.created, self.changed, &self.owner)
    }
}

/// The columns [`stored_from_row`] reads.
pub(super) const STORED_COLUMNS: &str = "config, sequence, creation_date, change_date, resource_owner";

pub(super) fn stored_from_row(row: &sqlx::any::AnyRow) -> Result<Stored> {
    let config: String = row.try_get("config").map_err(|e| db_err("IDP-db0001", e))?;
    let template: Template = serde_json::from_str(&config)
        .map_err(|e| Error::internal("IDP-db0002", format!("stored identity provider is unreadable: {e}")))?;
    let n = |c: &str| -> Result<i64> { row.try_get(c).map_err(|e| db_err("IDP-db0003", e)) };
    Ok(Stored {
        template,
        sequence: n("sequence")?,
        created: n("creation_date")?,
        changed: n("change_date")?,
        owner: row.try_get("resource_owner").map_err(|e| db_err("IDP-db0004", e))?,
    })
}

impl App {
    /// The template `id` of the instance, if there is one.
    pub(crate) async fn load_template(&self, conn: &mut sqlx::AnyConnection, id: &str) -> Result<Option<Stored>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {STORED_COLUMNS} FROM idp_templates WHERE instance_id = $1 AND id = $2"
        )))
        .bind(&self.instance_id)
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(|e| db_err("IDP-db0005", e))?;
        row.as_ref().map(stored_from_row).transpose()
    }

    /// Pushes `template` whole as an `event_type` event of `scope`.
    pub(super) async fn push_template(
        &self,
        tx: &mut WriteTx,
        scope: Scope,
        event_type: &'static str,
        template: &Template,
    ) -> Result<Vec<Event>> {
        let payload = serde_json::to_value(template)
            .map_err(|e| Error::internal("IDP-enc001", format!("cannot encode the identity provider: {e}")))?;
        tx.push(vec![NewEvent { aggregate: scope.aggregate(self), event_type, payload }]).await
    }
}
