//! Reads of `orgs`, `org_domains` and `org_metadata`.

use burg_domain::Result;
use burg_domain::state::{DomainValidationType, OrgState};
use sqlx::any::AnyRow;

use crate::list::{Listed, Listing, Page, TextMatch, push_text};
use crate::row::{flag, number, text};
use crate::{Db, Reader, Sql, db_error, unknown_code};

/// `orgs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRow {
    pub id: String,
    pub name: String,
    pub state: OrgState,
    pub primary_domain: String,
    pub sequence: i64,
    pub creation_date: i64,
    pub change_date: i64,
}

const ORG_COLUMNS: &str = "id, name, state, primary_domain, sequence, creation_date, change_date";

fn org_from_row(row: &AnyRow) -> Result<OrgRow> {
    let s = |c: &str| text(row, c, "ORG-db001");
    let n = |c: &str| number(row, c, "ORG-db002");
    let state = n("state")?;
    Ok(OrgRow {
        id: s("id")?,
        name: s("name")?,
        state: OrgState::from_code(state).ok_or_else(|| unknown_code("ORG-db008", "orgs.state", state))?,
        primary_domain: s("primary_domain")?,
        sequence: n("sequence")?,
        creation_date: n("creation_date")?,
        change_date: n("change_date")?,
    })
}

/// Organization `id`, if it exists.
pub async fn get<'e>(on: impl Reader<'e>, instance: &str, id: &str) -> Result<Option<OrgRow>> {
    let row =
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ORG_COLUMNS} FROM orgs WHERE instance_id = $1 AND id = $2")))
            .bind(instance)
            .bind(id)
            .fetch_optional(on)
            .await
            .map_err(db_error("ORG-db003"))?;
    row.as_ref().map(org_from_row).transpose()
}

/// The state of organization `id`, if it exists.
pub async fn state<'e>(on: impl Reader<'e>, instance: &str, id: &str) -> Result<Option<OrgState>> {
    let state: Option<i64> = sqlx::query_scalar("SELECT state FROM orgs WHERE instance_id = $1 AND id = $2")
        .bind(instance)
        .bind(id)
        .fetch_optional(on)
        .await
        .map_err(db_error("USER-db004"))?;
    state.map(|s| OrgState::from_code(s).ok_or_else(|| unknown_code("ORG-db009", "orgs.state", s))).transpose()
}

/// Whether an organization is named `name` (case-insensitively).
pub async fn name_taken<'e>(on: impl Reader<'e>, instance: &str, name: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orgs WHERE instance_id = $1 AND lower(name) = lower($2)")
        .bind(instance)
        .bind(name)
        .fetch_one(on)
        .await
        .map_err(db_error("ORG-db005"))?;
    Ok(n > 0)
}

/// Whether an organization has verified `domain` (case-insensitively).
pub async fn verified_domain_taken<'e>(on: impl Reader<'e>, instance: &str, domain: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM org_domains WHERE instance_id = $1 AND lower(domain) = lower($2) AND is_verified = 1",
    )
    .bind(instance)
    .bind(domain)
    .fetch_one(on)
    .await
    .map_err(db_error("ORG-db006"))?;
    Ok(n > 0)
}

/// The id of the active organization named `name` (case-insensitively).
pub async fn active_named<'e>(on: impl Reader<'e>, instance: &str, name: &str) -> Result<Option<String>> {
    sqlx::query_scalar("SELECT id FROM orgs WHERE instance_id = $1 AND lower(name) = lower($2) AND state = $3")
        .bind(instance)
        .bind(name)
        .bind(OrgState::Active.code())
        .fetch_optional(on)
        .await
        .map_err(db_error("SETUP-db002"))
}

/// The id of the oldest active organization.
pub async fn oldest_active<'e>(on: impl Reader<'e>, instance: &str) -> Result<Option<String>> {
    sqlx::query_scalar("SELECT id FROM orgs WHERE instance_id = $1 AND state = $2 ORDER BY creation_date, id LIMIT 1")
        .bind(instance)
        .bind(OrgState::Active.code())
        .fetch_optional(on)
        .await
        .map_err(db_error("SETUP-db003"))
}

/// What the listed organizations must match (all of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgFilter {
    Name(TextMatch),
    PrimaryDomain(TextMatch),
    /// In this state; `None` is a state no organization is in.
    State(Option<OrgState>),
    Id(String),
    /// One of these ids (none: no organization).
    Ids(Vec<String>),
    /// Has a verified domain that matches (the Organization API v2's
    /// domain query).
    VerifiedDomain(TextMatch),
}

/// The order of listed organizations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgOrder {
    Name,
    CreationDate,
}

/// A page of the organizations that match every filter.
pub async fn list(
    db: &Db,
    instance: &str,
    filters: &[OrgFilter],
    order: OrgOrder,
    page: Page,
) -> Result<Listed<OrgRow>> {
    let mut filter = Sql::new(" FROM orgs WHERE instance_id = ");
    filter.bind(instance);
    let backend = db.backend();
    for f in filters {
        match f {
            OrgFilter::Name(m) => push_text(&mut filter, backend, "name", m),
            OrgFilter::PrimaryDomain(m) => push_text(&mut filter, backend, "primary_domain", m),
            OrgFilter::State(Some(state)) => {
                filter.push(" AND state = ").bind(state.code());
            }
            OrgFilter::State(None) => {
                filter.push(" AND 1 = 0");
            }
            OrgFilter::Id(id) => {
                filter.push(" AND id = ").bind(id);
            }
            OrgFilter::Ids(ids) if ids.is_empty() => {
                filter.push(" AND 1 = 0");
            }
            OrgFilter::Ids(ids) => {
                filter.push(" AND id IN (");
                for (i, id) in ids.iter().enumerate() {
                    filter.push(if i == 0 { "" } else { ", " }).bind(id);
                }
                filter.push(")");
            }
            OrgFilter::VerifiedDomain(m) => {
                filter.push(" AND id IN (SELECT d.org_id FROM org_domains d WHERE d.instance_id = ").bind(instance);
                filter.push(" AND d.is_verified = 1");
                push_text(&mut filter, backend, "d.domain", m);
                filter.push(")");
            }
        }
    }
    let order = match order {
        OrgOrder::Name => "name",
        OrgOrder::CreationDate => "creation_date",
    };
    let select = format!("SELECT {ORG_COLUMNS}");
    Listing { select: &select, filter, order }.run(db, page, org_from_row).await
}

/// The active organization whose primary domain is `domain`.
pub async fn by_primary_domain<'e>(on: impl Reader<'e>, instance: &str, domain: &str) -> Result<Option<OrgRow>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ORG_COLUMNS} FROM orgs WHERE instance_id = $1 AND primary_domain = $2 AND state = $3"
    )))
    .bind(instance)
    .bind(domain)
    .bind(OrgState::Active.code())
    .fetch_optional(on)
    .await
    .map_err(db_error("ORG-db010"))?;
    row.as_ref().map(org_from_row).transpose()
}

/// `org_domains`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainRow {
    pub org_id: String,
    pub domain: String,
    pub is_verified: bool,
    pub is_primary: bool,
    pub validation_type: DomainValidationType,
    /// The sealed challenge (JSON) of a pending validation; empty when none.
    pub validation_code: String,
    pub sequence: i64,
    pub creation_date: i64,
    pub change_date: i64,
}

const DOMAIN_COLUMNS: &str = "org_id, domain, is_verified, is_primary, validation_type, validation_code, sequence, \
                              creation_date, change_date";

fn domain_from_row(row: &AnyRow) -> Result<DomainRow> {
    let s = |c: &str| text(row, c, "ORG-db011");
    let n = |c: &str| number(row, c, "ORG-db012");
    let kind = n("validation_type")?;
    Ok(DomainRow {
        org_id: s("org_id")?,
        domain: s("domain")?,
        is_verified: flag(row, "is_verified", "ORG-db013")?,
        is_primary: flag(row, "is_primary", "ORG-db022")?,
        validation_type: DomainValidationType::from_code(kind)
            .ok_or_else(|| unknown_code("ORG-db014", "org_domains.validation_type", kind))?,
        validation_code: s("validation_code")?,
        sequence: n("sequence")?,
        creation_date: n("creation_date")?,
        change_date: n("change_date")?,
    })
}

/// Domain `domain` of organization `org`, if it has it.
pub async fn domain<'e>(on: impl Reader<'e>, instance: &str, org: &str, domain: &str) -> Result<Option<DomainRow>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DOMAIN_COLUMNS} FROM org_domains WHERE instance_id = $1 AND org_id = $2 AND domain = $3"
    )))
    .bind(instance)
    .bind(org)
    .bind(domain)
    .fetch_optional(on)
    .await
    .map_err(db_error("ORG-db015"))?;
    row.as_ref().map(domain_from_row).transpose()
}

/// Whether an organization other than `org` has verified `domain`
/// (case-insensitively).
pub async fn domain_verified_elsewhere<'e>(
    on: impl Reader<'e>,
    instance: &str,
    org: &str,
    domain: &str,
) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM org_domains WHERE instance_id = $1 AND org_id <> $2 AND lower(domain) = lower($3) \
         AND is_verified = 1",
    )
    .bind(instance)
    .bind(org)
    .bind(domain)
    .fetch_one(on)
    .await
    .map_err(db_error("ORG-db016"))?;
    Ok(n > 0)
}

/// What the listed domains must match (all of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainFilter {
    Name(TextMatch),
}

/// The order of listed domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainOrder {
    Name,
    CreationDate,
}

/// A page of organization `org`'s domains.
pub async fn list_domains(
    db: &Db,
    instance: &str,
    org: &str,
    filters: &[DomainFilter],
    order: DomainOrder,
    page: Page,
) -> Result<Listed<DomainRow>> {
    let mut filter = Sql::new(" FROM org_domains WHERE instance_id = ");
    filter.bind(instance);
    filter.push(" AND org_id = ").bind(org);
    let backend = db.backend();
    for f in filters {
        match f {
            DomainFilter::Name(m) => push_text(&mut filter, backend, "domain", m),
        }
    }
    let order = match order {
        DomainOrder::Name => "domain",
        DomainOrder::CreationDate => "creation_date",
    };
    let select = format!("SELECT {DOMAIN_COLUMNS}");
    Listing { select: &select, filter, order }.run(db, page, domain_from_row).await
}

/// `org_metadata`: the value as base64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataRow {
    pub key: String,
    pub value: String,
    pub sequence: i64,
    pub creation_date: i64,
    pub change_date: i64,
}

const METADATA_COLUMNS: &str = "meta_key, meta_value, sequence, creation_date, change_date";

fn metadata_from_row(row: &AnyRow) -> Result<MetadataRow> {
    let n = |c: &str| number(row, c, "ORG-db017");
    Ok(MetadataRow {
        key: text(row, "meta_key", "ORG-db018")?,
        value: text(row, "meta_value", "ORG-db023")?,
        sequence: n("sequence")?,
        creation_date: n("creation_date")?,
        change_date: n("change_date")?,
    })
}

/// Organization `org`'s metadata `key`, if set.
pub async fn metadata<'e>(on: impl Reader<'e>, instance: &str, org: &str, key: &str) -> Result<Option<MetadataRow>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {METADATA_COLUMNS} FROM org_metadata WHERE instance_id = $1 AND org_id = $2 AND meta_key = $3"
    )))
    .bind(instance)
    .bind(org)
    .bind(key)
    .fetch_optional(on)
    .await
    .map_err(db_error("ORG-db019"))?;
    row.as_ref().map(metadata_from_row).transpose()
}

/// What the listed metadata must match (all of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataFilter {
    Key(TextMatch),
}

/// A page of organization `org`'s metadata, by key.
pub async fn list_metadata(
    db: &Db,
    instance: &str,
    org: &str,
    filters: &[MetadataFilter],
    page: Page,
) -> Result<Listed<MetadataRow>> {
    let mut filter = Sql::new(" FROM org_metadata WHERE instance_id = ");
    filter.bind(instance);
    filter.push(" AND org_id = ").bind(org);
    let backend = db.backend();
    for f in filters {
        match f {
            MetadataFilter::Key(m) => push_text(&mut filter, backend, "meta_key", m),
        }
    }
    let select = format!("SELECT {METADATA_COLUMNS}");
    Listing { select: &select, filter, order: "meta_key" }.run(db, page, metadata_from_row).await
}

/// Organization `org`'s verified domains, the primary one first.
pub async fn verified_domains<'e>(on: impl Reader<'e>, instance: &str, org: &str) -> Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT domain FROM org_domains WHERE instance_id = $1 AND org_id = $2 AND is_verified = 1 \
         ORDER BY is_primary DESC, domain",
    )
    .bind(instance)
    .bind(org)
    .fetch_all(on)
    .await
    .map_err(db_error("ORG-db040"))
}

/// The organization that has verified `domain`, if one has.
pub async fn with_verified_domain<'e>(on: impl Reader<'e>, instance: &str, domain: &str) -> Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT org_id FROM org_domains WHERE instance_id = $1 AND lower(domain) = lower($2) AND is_verified = 1",
    )
    .bind(instance)
    .bind(domain)
    .fetch_optional(on)
    .await
    .map_err(db_error("ORG-db041"))
}
