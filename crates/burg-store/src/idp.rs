//! Reads of `idp_templates` (identity-provider templates, stored whole) and
//! `login_policy_idps` (the providers a login policy offers).

use burg_domain::idp::{Kind, Template};
use burg_domain::state::IdpOwnerType;
use burg_domain::{Error, Result};
use sqlx::any::AnyRow;

use crate::list::{Listed, Listing, Page, TextMatch, push_text};
use crate::row::{number, text};
use crate::{Db, Reader, Sql, db_error, unknown_code};

/// A template as read from `idp_templates`.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateRow {
    pub template: Template,
    pub sequence: i64,
    pub creation_date: i64,
    pub change_date: i64,
    pub resource_owner: String,
    /// The instance's, or an organization's.
    pub owner: IdpOwnerType,
}

/// The columns [`template_from_row`] reads.
const TEMPLATE_COLUMNS: &str = "config, sequence, creation_date, change_date, resource_owner, owner_type";

fn template_from_row(row: &AnyRow) -> Result<TemplateRow> {
    let template: Template = serde_json::from_str(&text(row, "config", "IDP-db0001")?)
        .map_err(|e| Error::internal("IDP-db0002", format!("stored identity provider is unreadable: {e}")))?;
    let n = |c: &str| number(row, c, "IDP-db0003");
    Ok(TemplateRow {
        template,
        sequence: n("sequence")?,
        creation_date: n("creation_date")?,
        change_date: n("change_date")?,
        resource_owner: text(row, "resource_owner", "IDP-db0004")?,
        owner: {
            let code = number(row, "owner_type", "IDP-db0022")?;
            IdpOwnerType::from_code(code).ok_or_else(|| unknown_code("IDP-db0023", "idp_templates.owner_type", code))?
        },
    })
}

/// Template `id` of the instance, if there is one.
pub async fn get<'e>(on: impl Reader<'e>, instance: &str, id: &str) -> Result<Option<TemplateRow>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TEMPLATE_COLUMNS} FROM idp_templates WHERE instance_id = $1 AND id = $2"
    )))
    .bind(instance)
    .bind(id)
    .fetch_optional(on)
    .await
    .map_err(db_error("IDP-db0005"))?;
    row.as_ref().map(template_from_row).transpose()
}

/// What the listed templates must match (all of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateFilter {
    Id(String),
    Name(TextMatch),
    /// Held by one of these resource owners (the instance, an organization).
    OwnedBy(Vec<String>),
    OwnerType(IdpOwnerType),
}

/// A page of the instance's templates that match every filter, by
/// creation.
pub async fn list(db: &Db, instance: &str, filters: &[TemplateFilter], page: Page) -> Result<Listed<TemplateRow>> {
    let mut filter = Sql::new(" FROM idp_templates WHERE instance_id = ");
    filter.bind(instance);
    for f in filters {
        match f {
            TemplateFilter::Id(id) => {
                filter.push(" AND id = ").bind(id);
            }
            TemplateFilter::Name(m) => push_text(&mut filter, db.backend(), "name", m),
            TemplateFilter::OwnedBy(owners) => {
                filter.push(" AND resource_owner IN (");
                for (i, o) in owners.iter().enumerate() {
                    if i > 0 {
                        filter.push(", ");
                    }
                    filter.bind(o);
                }
                if owners.is_empty() {
                    filter.push("NULL");
                }
                filter.push(")");
            }
            TemplateFilter::OwnerType(t) => {
                filter.push(" AND owner_type = ").bind(t.code());
            }
        }
    }
    let select = format!("SELECT {TEMPLATE_COLUMNS}");
    // Ties (templates imported at once) broken by the id, in the page's
    // direction as the date.
    let order = format!("creation_date {}, id", if page.asc { "ASC" } else { "DESC" });
    Listing { select: &select, filter, order: &order }.run(db, page, template_from_row).await
}

/// A provider a login policy offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyLink {
    pub idp_id: String,
    /// The template's name.
    pub name: String,
    pub kind: Kind,
}

fn kind(code: i64, id: &'static str) -> Result<Kind> {
    Kind::from_provider_type(code).ok_or_else(|| unknown_code(id, "idp_templates.idp_type", code))
}

/// The providers the login policy of `owner` (the instance or an
/// organization) offers, in the order they were added.
pub async fn policy_links<'e>(on: impl Reader<'e>, instance: &str, owner: &str) -> Result<Vec<PolicyLink>> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT l.idp_id, t.name, t.idp_type FROM login_policy_idps l JOIN idp_templates t \
         ON t.instance_id = l.instance_id AND t.id = l.idp_id WHERE l.instance_id = $1 AND l.owner_id = $2 \
         ORDER BY l.creation_date",
    )
    .bind(instance)
    .bind(owner)
    .fetch_all(on)
    .await
    .map_err(db_error("POLICY-db004"))?;
    rows.into_iter()
        .map(|(idp_id, name, idp_type)| Ok(PolicyLink { idp_id, name, kind: kind(idp_type, "POLICY-db005")? }))
        .collect()
}

/// A page of [`policy_links`].
pub async fn list_policy_links(db: &Db, instance: &str, owner: &str, page: Page) -> Result<Listed<PolicyLink>> {
    let mut filter = Sql::new(
        " FROM login_policy_idps l JOIN idp_templates t ON t.instance_id = l.instance_id AND t.id = l.idp_id \
         WHERE l.instance_id = ",
    );
    filter.bind(instance).push(" AND l.owner_id = ").bind(owner);
    let select = "SELECT l.idp_id, t.name, t.idp_type";
    Listing { select, filter, order: "l.creation_date" }.run(db, page, policy_link_from_row).await
}

fn policy_link_from_row(row: &AnyRow) -> Result<PolicyLink> {
    Ok(PolicyLink {
        kind: kind(number(row, "idp_type", "IDP-db0012")?, "IDP-db0019")?,
        idp_id: text(row, "idp_id", "IDP-db0013")?,
        name: text(row, "name", "IDP-db0014")?,
    })
}

/// Whether the login policy of `owner` offers `idp_id`.
pub async fn policy_offers<'e>(on: impl Reader<'e>, instance: &str, owner: &str, idp_id: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_policy_idps WHERE instance_id = $1 AND owner_id = $2 AND idp_id = $3",
    )
    .bind(instance)
    .bind(owner)
    .bind(idp_id)
    .fetch_one(on)
    .await
    .map_err(db_error("IDP-db0015"))?;
    Ok(n > 0)
}

/// Every template whose resource owner is `owner`, by creation.
pub async fn all_templates<'e>(on: impl Reader<'e>, instance: &str, owner: &str) -> Result<Vec<TemplateRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TEMPLATE_COLUMNS} FROM idp_templates WHERE instance_id = $1 AND resource_owner = $2 \
         ORDER BY creation_date, id"
    )))
    .bind(instance)
    .bind(owner)
    .fetch_all(on)
    .await
    .map_err(db_error("IDP-db0021"))?;
    rows.iter().map(template_from_row).collect()
}
