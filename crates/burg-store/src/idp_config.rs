//! Reads of `idp_configs`: identity-provider configurations of ZITADEL's
//! first IdP API, stored whole (`burg_domain::idp_config::IdpConfig`).

use burg_domain::idp_config::IdpConfig;
use burg_domain::{Error, Result};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::list::{Listed, Listing, Page, TextMatch, push_text};
use crate::row::{number, text};
use crate::{Db, Reader, Sql, db_error};

/// A configuration as read from `idp_configs`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigRow {
    pub config: IdpConfig,
    pub owner_type: i64,
    pub sequence: i64,
    pub creation_date: i64,
    pub change_date: i64,
    pub resource_owner: String,
}

const COLUMNS: &str = "config, owner_type, sequence, creation_date, change_date, resource_owner";

fn from_row(row: &AnyRow) -> Result<ConfigRow> {
    let config: IdpConfig = serde_json::from_str(&text(row, "config", "IDPC-db001")?)
        .map_err(|e| Error::internal("IDPC-db002", format!("stored identity provider is unreadable: {e}")))?;
    let n = |c: &str| number(row, c, "IDPC-db003");
    Ok(ConfigRow {
        config,
        owner_type: n("owner_type")?,
        sequence: n("sequence")?,
        creation_date: n("creation_date")?,
        change_date: n("change_date")?,
        resource_owner: text(row, "resource_owner", "IDPC-db004")?,
    })
}

/// The provider name and `ProviderType` a user link shows, from the
/// link's template (`template_name`, `template_type`, NULL when it has
/// none) or else its configuration (`config`, the stored JSON, NULL when
/// none): a configuration without a client secret has no template. Empty
/// and 0 for a provider that is gone.
pub fn link_provider(template_name: Option<String>, template_type: Option<i64>, config: Option<&str>) -> (String, i64) {
    if let (Some(name), Some(idp_type)) = (template_name, template_type) {
        return (name, idp_type);
    }
    match config.and_then(|c| serde_json::from_str::<IdpConfig>(c).ok()) {
        Some(config) => {
            let idp_type = config.kind().map_or(0, |k| i64::from(k.provider_type()));
            (config.name, idp_type)
        }
        None => (String::new(), 0),
    }
}

/// Reads the link's provider from `row` (for a query of
/// `user_idp_links l` that selects `t.name AS template_name, t.idp_type AS
/// template_type, c.config AS legacy_config` after `LEFT JOIN idp_templates
/// t` and `LEFT JOIN idp_configs c` on the link's instance and `idp_id`).
pub fn link_provider_of(row: &AnyRow) -> (String, i64) {
    let name: Option<String> = row.try_get("template_name").ok().flatten();
    let idp_type: Option<i64> = row.try_get("template_type").ok().flatten();
    let config: Option<String> = row.try_get("legacy_config").ok().flatten();
    link_provider(name, idp_type, config.as_deref())
}

/// Configuration `id` of the instance, whoever owns it.
pub async fn get<'e>(on: impl Reader<'e>, instance: &str, id: &str) -> Result<Option<ConfigRow>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM idp_configs WHERE instance_id = $1 AND id = $2"
    )))
    .bind(instance)
    .bind(id)
    .fetch_optional(on)
    .await
    .map_err(db_error("IDPC-db005"))?;
    row.as_ref().map(from_row).transpose()
}

/// Whether `owner` has a configuration named exactly `name` (ZITADEL keeps
/// these names unique per owner).
pub async fn name_taken<'e>(on: impl Reader<'e>, instance: &str, owner: &str, name: &str) -> Result<bool> {
    let row = sqlx::query(
        "SELECT 1 AS one FROM idp_configs WHERE instance_id = $1 AND resource_owner = $2 AND name = $3 LIMIT 1",
    )
    .bind(instance)
    .bind(owner)
    .bind(name)
    .fetch_optional(on)
    .await
    .map_err(db_error("IDPC-db006"))?;
    Ok(row.is_some())
}

/// What the listed configurations must match (all of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigFilter {
    Id(String),
    Name(TextMatch),
    /// `idp_configs.owner_type`: 1 the instance's, 2 an organization's.
    OwnerType(i64),
}

/// How a list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigOrder {
    Created,
    Name,
}

/// A page of the configurations of `owners` (the instance, an
/// organization) that match every filter.
pub async fn list(
    db: &Db,
    instance: &str,
    owners: &[&str],
    filters: &[ConfigFilter],
    order: ConfigOrder,
    page: Page,
) -> Result<Listed<ConfigRow>> {
    let mut filter = Sql::new(" FROM idp_configs WHERE instance_id = ");
    filter.bind(instance).push(" AND resource_owner IN (");
    for (i, owner) in owners.iter().enumerate() {
        filter.push(if i == 0 { "" } else { ", " }).bind(*owner);
    }
    filter.push(if owners.is_empty() { "NULL)" } else { ")" });
    for f in filters {
        match f {
            ConfigFilter::Id(id) => {
                filter.push(" AND id = ").bind(id);
            }
            ConfigFilter::Name(m) => push_text(&mut filter, db.backend(), "name", m),
            ConfigFilter::OwnerType(t) => {
                filter.push(" AND owner_type = ").bind(*t);
            }
        }
    }
    let select = format!("SELECT {COLUMNS}");
    // Ties (configurations imported at once) broken by the id, so that
    // every backend lists alike; `Listing` gives the last column the
    // page's direction.
    let direction = if page.asc { "ASC" } else { "DESC" };
    let order = match order {
        ConfigOrder::Created => format!("creation_date {direction}, id"),
        ConfigOrder::Name => format!("name {direction}, id"),
    };
    Listing { select: &select, filter, order: &order }.run(db, page, from_row).await
}

/// The ids of every configuration of the first IdP API.
pub async fn ids<'e>(on: impl Reader<'e>, instance: &str) -> Result<Vec<String>> {
    sqlx::query_scalar("SELECT id FROM idp_configs WHERE instance_id = $1")
        .bind(instance)
        .fetch_all(on)
        .await
        .map_err(db_error("IDPCFG-db09"))
}

/// Every configuration `owner` holds, by creation.
pub async fn all_of<'e>(on: impl Reader<'e>, instance: &str, owner: &str) -> Result<Vec<ConfigRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM idp_configs WHERE instance_id = $1 AND resource_owner = $2 ORDER BY creation_date, id"
    )))
    .bind(instance)
    .bind(owner)
    .fetch_all(on)
    .await
    .map_err(db_error("IDPCFG-db10"))?;
    rows.iter().map(from_row).collect()
}
