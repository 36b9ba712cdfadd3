//! Reads of `notification_providers`: the instance's email and SMS
//! providers, each kept whole as a `burg_domain::notify::Config` document.

use burg_domain::notify::{Channel, Config, ProviderState};
use burg_domain::{Error, Result};
use sqlx::any::AnyRow;

use crate::list::{Listed, Listing, Page};
use crate::row::{number, text};
use crate::{Db, Reader, Sql, db_error, unknown_code};

/// A provider as read.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderRow {
    pub id: String,
    pub state: ProviderState,
    pub description: String,
    pub config: Config,
    pub resource_owner: String,
    pub sequence: i64,
    pub creation_date: i64,
    pub change_date: i64,
}

const COLUMNS: &str = "id, state, description, config, resource_owner, sequence, creation_date, change_date";

fn from_row(row: &AnyRow) -> Result<ProviderRow> {
    let config: Config = serde_json::from_str(&text(row, "config", "NOTIFY-db001")?)
        .map_err(|e| Error::internal("NOTIFY-db002", format!("a stored notification provider is unreadable: {e}")))?;
    let n = |c: &str| number(row, c, "NOTIFY-db003");
    let code = n("state")?;
    Ok(ProviderRow {
        id: text(row, "id", "NOTIFY-db004")?,
        state: ProviderState::from_code(code)
            .ok_or_else(|| unknown_code("NOTIFY-db005", "notification_providers.state", code))?,
        description: text(row, "description", "NOTIFY-db006")?,
        config,
        resource_owner: text(row, "resource_owner", "NOTIFY-db007")?,
        sequence: n("sequence")?,
        creation_date: n("creation_date")?,
        change_date: n("change_date")?,
    })
}

/// Provider `id` of `channel`, if there is one.
pub async fn get<'e>(on: impl Reader<'e>, instance: &str, channel: Channel, id: &str) -> Result<Option<ProviderRow>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM notification_providers WHERE instance_id = $1 AND channel = $2 AND id = $3"
    )))
    .bind(instance)
    .bind(channel.code())
    .bind(id)
    .fetch_optional(on)
    .await
    .map_err(db_error("NOTIFY-db008"))?;
    row.as_ref().map(from_row).transpose()
}

/// The active provider of `channel`, if there is one.
pub async fn active<'e>(on: impl Reader<'e>, instance: &str, channel: Channel) -> Result<Option<ProviderRow>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM notification_providers WHERE instance_id = $1 AND channel = $2 AND state = $3 \
         ORDER BY change_date DESC LIMIT 1"
    )))
    .bind(instance)
    .bind(channel.code())
    .bind(ProviderState::Active.code())
    .fetch_optional(on)
    .await
    .map_err(db_error("NOTIFY-db009"))?;
    row.as_ref().map(from_row).transpose()
}

/// A page of the providers of `channel`, by creation.
pub async fn list(db: &Db, instance: &str, channel: Channel, page: Page) -> Result<Listed<ProviderRow>> {
    let mut filter = Sql::new(" FROM notification_providers WHERE instance_id = ");
    filter.bind(instance).push(" AND channel = ").bind(channel.code());
    let select = format!("SELECT {COLUMNS}");
    Listing { select: &select, filter, order: "creation_date" }.run(db, page, from_row).await
}

/// Whether `domain` is one of the instance's domains.
pub async fn is_instance_domain<'e>(on: impl Reader<'e>, instance: &str, domain: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM instance_domains WHERE instance_id = $1 AND domain = $2")
        .bind(instance)
        .bind(domain)
        .fetch_one(on)
        .await
        .map_err(db_error("NOTIFY-db010"))?;
    Ok(n > 0)
}

/// Every provider of the instance, email ones first, by creation.
pub async fn all<'e>(on: impl Reader<'e>, instance: &str) -> Result<Vec<ProviderRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM notification_providers WHERE instance_id = $1 ORDER BY channel, creation_date, id"
    )))
    .bind(instance)
    .fetch_all(on)
    .await
    .map_err(db_error("NOTIFY-db011"))?;
    rows.iter().map(from_row).collect()
}
