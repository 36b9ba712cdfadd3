//! Reads of `instances` and `instance_domains`.

use burg_domain::Result;
use sqlx::any::AnyRow;

use crate::list::{Listed, Listing, Page, TextMatch, push_text};
use crate::row::{flag, number, text};
use crate::{Db, Reader, Sql, db_error};

/// `instances`: an instance's own row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceRow {
    pub name: String,
    pub default_language: String,
    /// "" until the instance has its default organization.
    pub default_org_id: String,
    pub sequence: i64,
    pub creation_date: i64,
    pub change_date: i64,
}

/// The row of instance `id`, if it exists.
pub async fn get<'e>(on: impl Reader<'e>, id: &str) -> Result<Option<InstanceRow>> {
    let row = sqlx::query(
        "SELECT name, default_language, default_org_id, sequence, creation_date, change_date FROM instances WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(on)
    .await
    .map_err(db_error("INST-db001"))?;
    let Some(row) = row else { return Ok(None) };
    let n = |c: &str| number(&row, c, "INST-db002");
    Ok(Some(InstanceRow {
        name: text(&row, "name", "INST-db003")?,
        default_language: text(&row, "default_language", "INST-db004")?,
        default_org_id: text(&row, "default_org_id", "INST-db005")?,
        sequence: n("sequence")?,
        creation_date: n("creation_date")?,
        change_date: n("change_date")?,
    }))
}

/// `instance_domains`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainRow {
    pub domain: String,
    pub primary: bool,
    pub generated: bool,
    pub sequence: i64,
    pub creation_date: i64,
    pub change_date: i64,
}

/// What the listed domains must match (all of them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainFilter {
    Domain(TextMatch),
    Generated(bool),
    Primary(bool),
}

/// The order of listed domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainOrder {
    Domain,
    Primary,
    Generated,
    CreationDate,
}

/// A page of the instance's domains that match every filter.
pub async fn list_domains(
    db: &Db,
    instance: &str,
    filters: &[DomainFilter],
    order: DomainOrder,
    page: Page,
) -> Result<Listed<DomainRow>> {
    let mut filter = Sql::new(" FROM instance_domains WHERE instance_id = ");
    filter.bind(instance);
    for f in filters {
        match f {
            DomainFilter::Domain(m) => push_text(&mut filter, db.backend(), "domain", m),
            DomainFilter::Generated(generated) => {
                filter.push(" AND is_generated = ").bind(*generated);
            }
            DomainFilter::Primary(primary) => {
                filter.push(" AND is_primary = ").bind(*primary);
            }
        }
    }
    let order = match order {
        DomainOrder::Primary => "is_primary",
        DomainOrder::Generated => "is_generated",
        DomainOrder::CreationDate => "creation_date",
        DomainOrder::Domain => "domain",
    };
    let select = "SELECT domain, is_primary, is_generated, sequence, creation_date, change_date";
    Listing { select, filter, order }.run(db, page, domain_from_row).await
}

fn domain_from_row(row: &AnyRow) -> Result<DomainRow> {
    let n = |c: &str| number(row, c, "INST-db010");
    Ok(DomainRow {
        domain: text(row, "domain", "INST-db011")?,
        primary: flag(row, "is_primary", "INST-db012")?,
        generated: flag(row, "is_generated", "INST-db013")?,
        sequence: n("sequence")?,
        creation_date: n("creation_date")?,
        change_date: n("change_date")?,
    })
}

/// The instance's primary domain (else its oldest), if it has any.
pub async fn primary_domain<'e>(on: impl Reader<'e>, instance: &str) -> Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT domain FROM instance_domains WHERE instance_id = $1 ORDER BY is_primary DESC, creation_date LIMIT 1",
    )
    .bind(instance)
    .fetch_optional(on)
    .await
    .map_err(db_error("ORG-db007"))
}

/// Whether the instance's domain `domain` was generated; `None` when the
/// instance has no such domain.
pub async fn domain_generated<'e>(on: impl Reader<'e>, instance: &str, domain: &str) -> Result<Option<bool>> {
    let row: Option<AnyRow> =
        sqlx::query("SELECT is_generated FROM instance_domains WHERE instance_id = $1 AND domain = $2")
            .bind(instance)
            .bind(domain)
            .fetch_optional(on)
            .await
            .map_err(db_error("INST-db020"))?;
    row.map(|row| flag(&row, "is_generated", "INST-db021")).transpose()
}

/// Whether the instance has the domain `domain`.
pub async fn has_domain<'e>(on: impl Reader<'e>, instance: &str, domain: &str) -> Result<bool> {
    Ok(domain_generated(on, instance, domain).await?.is_some())
}

/// Every domain of the instance with whether it was generated, by name.
pub async fn all_domains<'e>(on: impl Reader<'e>, instance: &str) -> Result<Vec<(String, bool)>> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT domain, is_generated FROM instance_domains WHERE instance_id = $1 ORDER BY domain")
            .bind(instance)
            .fetch_all(on)
            .await
            .map_err(db_error("INST-db022"))?;
    Ok(rows.into_iter().map(|(domain, generated)| (domain, generated != 0)).collect())
}
