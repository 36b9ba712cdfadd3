//! Reads of `iam_members` (who holds which instance role) and
//! `org_members` (organization roles).

use burg_domain::Result;
use burg_domain::state::UserType;
use sqlx::any::AnyRow;

use crate::list::{Listed, Listing, Page, TextMatch, push_text};
use crate::row::{number, text};
use crate::{Db, Reader, Sql, db_error, unknown_code};

/// Roles stored as a JSON array of strings (none when unreadable).
pub(crate) fn roles(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

/// An IAM member as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamMemberRow {
    pub roles: Vec<String>,
    pub sequence: i64,
    pub creation_date: i64,
    pub change_date: i64,
}

/// IAM member `user_id`, if the user is one.
pub async fn iam_member<'e>(on: impl Reader<'e>, instance: &str, user_id: &str) -> Result<Option<IamMemberRow>> {
    let row: Option<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT roles, sequence, creation_date, change_date FROM iam_members WHERE instance_id = $1 AND user_id = $2",
    )
    .bind(instance)
    .bind(user_id)
    .fetch_optional(on)
    .await
    .map_err(db_error("MEMB-db012"))?;
    Ok(row.map(|(json, sequence, creation_date, change_date)| IamMemberRow {
        roles: roles(&json),
        sequence,
        creation_date,
        change_date,
    }))
}

/// Member `user_id` of organization `org_id`, if the user is one.
pub async fn org_member<'e>(
    on: impl Reader<'e>,
    instance: &str,
    org_id: &str,
    user_id: &str,
) -> Result<Option<IamMemberRow>> {
    let row: Option<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT roles, sequence, creation_date, change_date FROM org_members \
         WHERE instance_id = $1 AND org_id = $2 AND user_id = $3",
    )
    .bind(instance)
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(on)
    .await
    .map_err(db_error("MEMB-db041"))?;
    Ok(row.map(|(json, sequence, creation_date, change_date)| IamMemberRow {
        roles: roles(&json),
        sequence,
        creation_date,
        change_date,
    }))
}

/// The instance roles of `user_id`, when it is an IAM member.
pub async fn iam_roles<'e>(on: impl Reader<'e>, instance: &str, user_id: &str) -> Result<Option<Vec<String>>> {
    let json: Option<String> =
        sqlx::query_scalar("SELECT roles FROM iam_members WHERE instance_id = $1 AND user_id = $2")
            .bind(instance)
            .bind(user_id)
            .fetch_optional(on)
            .await
            .map_err(db_error("MEMB-db010"))?;
    Ok(json.map(|j| roles(&j)))
}

/// The roles of `user_id` in organization `org_id`, when it is a member.
pub async fn org_roles<'e>(
    on: impl Reader<'e>,
    instance: &str,
    org_id: &str,
    user_id: &str,
) -> Result<Option<Vec<String>>> {
    let json: Option<String> =
        sqlx::query_scalar("SELECT roles FROM org_members WHERE instance_id = $1 AND org_id = $2 AND user_id = $3")
            .bind(instance)
            .bind(org_id)
            .bind(user_id)
            .fetch_optional(on)
            .await
            .map_err(db_error("MEMB-db013"))?;
    Ok(json.map(|j| roles(&j)))
}

/// Every role a user holds: on the instance, and per organization.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserRoles {
    /// Empty when the user is no IAM member.
    pub instance: Vec<String>,
    /// (organization id, roles there).
    pub orgs: Vec<(String, Vec<String>)>,
    /// Memberships of projects and project grants.
    pub objects: Vec<ObjectRoles>,
}

/// A membership of one project (its id) or one project grant (the grant's
/// id), and the organizations whose calls it counts in: the project's
/// owner, and for a grant also the granted organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRoles {
    pub object_id: String,
    pub orgs: Vec<String>,
    pub roles: Vec<String>,
}

/// The roles of `user_id`, instance-wide and in each organization.
pub async fn roles_of_user(db: &Db, instance: &str, user_id: &str) -> Result<UserRoles> {
    let iam = iam_roles(db.pool(), instance, user_id).await?.unwrap_or_default();
    let rows = sqlx::query("SELECT org_id, roles FROM org_members WHERE instance_id = $1 AND user_id = $2")
        .bind(instance)
        .bind(user_id)
        .fetch_all(db.pool())
        .await
        .map_err(db_error("AUTH-db007"))?;
    let mut orgs = Vec::with_capacity(rows.len());
    for row in rows {
        let org = text(&row, "org_id", "AUTH-db008")?;
        orgs.push((org, roles(&text(&row, "roles", "AUTH-db009")?)));
    }
    let objects = object_roles(db, instance, user_id).await?;
    Ok(UserRoles { instance: iam, orgs, objects })
}

/// `user_id`'s memberships of projects (`project_member` documents, keyed
/// `projectId_userId`) and project grants (`project_grant_member`, keyed
/// `projectId_grantId_userId`).
async fn object_roles(db: &Db, instance: &str, user_id: &str) -> Result<Vec<ObjectRoles>> {
    let rows = sqlx::query(
        "SELECT org_id, kind, data FROM org_objects WHERE instance_id = $1 \
         AND kind IN ('project_member', 'project_grant_member') AND object_key LIKE $2",
    )
    .bind(instance)
    .bind(format!("%_{user_id}"))
    .fetch_all(db.pool())
    .await
    .map_err(db_error("AUTH-db011"))?;
    let mut out = Vec::new();
    for row in rows {
        let org = text(&row, "org_id", "AUTH-db012")?;
        let kind = text(&row, "kind", "AUTH-db013")?;
        let data: serde_json::Value = serde_json::from_str(&text(&row, "data", "AUTH-db014")?).unwrap_or_default();
        let field = |name: &str| data.get(name).and_then(serde_json::Value::as_str).unwrap_or_default().to_string();
        if field("userId") != user_id {
            continue;
        }
        let roles: Vec<String> = data
            .get("roles")
            .and_then(serde_json::Value::as_array)
            .map(|r| r.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        if kind == "project_member" {
            out.push(ObjectRoles { object_id: field("projectId"), orgs: vec![org], roles });
            continue;
        }
        let grant_id = field("grantId");
        let grant: Option<String> = sqlx::query_scalar(
            "SELECT data FROM org_objects WHERE instance_id = $1 AND org_id = $2 AND kind = 'project_grant' \
             AND object_key = $3",
        )
        .bind(instance)
        .bind(&org)
        .bind(&grant_id)
        .fetch_optional(db.pool())
        .await
        .map_err(db_error("AUTH-db015"))?;
        let granted = grant
            .and_then(|d| serde_json::from_str::<serde_json::Value>(&d).ok())
            .and_then(|d| d.pointer("/projectGrant/grantedOrgId").and_then(|v| v.as_str().map(str::to_string)));
        let orgs = std::iter::once(org).chain(granted).collect();
        out.push(ObjectRoles { object_id: grant_id, orgs, roles });
    }
    Ok(out)
}

/// An IAM member with its user, as the member list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedIamMember {
    pub user_id: String,
    pub roles: Vec<String>,
    pub sequence: i64,
    pub creation_date: i64,
    pub change_date: i64,
    pub user_name: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub user_type: UserType,
    /// The user's organization.
    pub resource_owner: String,
}

/// What the listed IAM members must match (all of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IamMemberFilter {
    FirstName(TextMatch),
    LastName(TextMatch),
    Email(TextMatch),
    UserId(String),
}

/// The order of listed IAM members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IamMemberOrder {
    UserId,
    CreationDate,
    ChangeDate,
    UserResourceOwner,
}

/// A page of the IAM members that match every filter.
pub async fn list_iam_members(
    db: &Db,
    instance: &str,
    filters: &[IamMemberFilter],
    order: IamMemberOrder,
    page: Page,
) -> Result<Listed<ListedIamMember>> {
    let mut filter = Sql::new(
        " FROM iam_members m JOIN users u ON u.instance_id = m.instance_id AND u.id = m.user_id WHERE m.instance_id = ",
    );
    filter.bind(instance);
    list_members(db, filter, filters, order, page).await
}

/// A page of organization `org`'s members that match every filter (the
/// IAM members' filters and orders, on `org_members`).
pub async fn list_org_members(
    db: &Db,
    instance: &str,
    org: &str,
    filters: &[IamMemberFilter],
    order: IamMemberOrder,
    page: Page,
) -> Result<Listed<ListedIamMember>> {
    let mut filter = Sql::new(
        " FROM org_members m JOIN users u ON u.instance_id = m.instance_id AND u.id = m.user_id WHERE m.instance_id = ",
    );
    filter.bind(instance);
    filter.push(" AND m.org_id = ").bind(org);
    list_members(db, filter, filters, order, page).await
}

async fn list_members(
    db: &Db,
    mut filter: Sql,
    filters: &[IamMemberFilter],
    order: IamMemberOrder,
    page: Page,
) -> Result<Listed<ListedIamMember>> {
    let backend = db.backend();
    for f in filters {
        match f {
            IamMemberFilter::FirstName(m) => push_text(&mut filter, backend, "u.first_name", m),
            IamMemberFilter::LastName(m) => push_text(&mut filter, backend, "u.last_name", m),
            IamMemberFilter::Email(m) => push_text(&mut filter, backend, "u.email", m),
            IamMemberFilter::UserId(id) => {
                filter.push(" AND m.user_id = ").bind(id);
            }
        }
    }
    let order = match order {
        IamMemberOrder::CreationDate => "m.creation_date",
        IamMemberOrder::ChangeDate => "m.change_date",
        IamMemberOrder::UserResourceOwner => "u.resource_owner",
        IamMemberOrder::UserId => "m.user_id",
    };
    let select = "SELECT m.user_id, m.roles, m.sequence, m.creation_date, m.change_date, u.username, u.email, \
                  u.first_name, u.last_name, u.display_name, u.user_type, u.resource_owner";
    Listing { select, filter, order }.run(db, page, listed_member).await
}

fn listed_member(row: &AnyRow) -> Result<ListedIamMember> {
    let s = |c: &str| text(row, c, "MEMB-db001");
    let n = |c: &str| number(row, c, "MEMB-db002");
    let user_type = n("user_type")?;
    Ok(ListedIamMember {
        user_id: s("user_id")?,
        roles: roles(&s("roles")?),
        sequence: n("sequence")?,
        creation_date: n("creation_date")?,
        change_date: n("change_date")?,
        user_name: s("username")?,
        email: s("email")?,
        first_name: s("first_name")?,
        last_name: s("last_name")?,
        display_name: s("display_name")?,
        user_type: UserType::from_code(user_type)
            .ok_or_else(|| unknown_code("MEMB-db003", "users.user_type", user_type))?,
        resource_owner: s("resource_owner")?,
    })
}

/// Every IAM member's user id and roles, by user id.
pub async fn all_iam_members<'e>(on: impl Reader<'e>, instance: &str) -> Result<Vec<(String, Vec<String>)>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT user_id, roles FROM iam_members WHERE instance_id = $1 ORDER BY user_id")
            .bind(instance)
            .fetch_all(on)
            .await
            .map_err(db_error("MEMB-db015"))?;
    Ok(rows.into_iter().map(|(user, json)| (user, roles(&json))).collect())
}

/// A member's user as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberUser {
    pub user_name: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub user_type: UserType,
    pub resource_owner: String,
}

/// The user `id` as a member list shows it, if it exists.
pub async fn member_user<'e>(on: impl Reader<'e>, instance: &str, id: &str) -> Result<Option<MemberUser>> {
    let row: Option<(String, String, String, String, String, i64, String)> = sqlx::query_as(
        "SELECT username, email, first_name, last_name, display_name, user_type, resource_owner FROM users \
         WHERE instance_id = $1 AND id = $2",
    )
    .bind(instance)
    .bind(id)
    .fetch_optional(on)
    .await
    .map_err(db_error("MEMB-db016"))?;
    row.map(|(user_name, email, first_name, last_name, display_name, code, resource_owner)| {
        Ok(MemberUser {
            user_name,
            email,
            first_name,
            last_name,
            display_name,
            user_type: UserType::from_code(code).ok_or_else(|| unknown_code("MEMB-db017", "users.user_type", code))?,
            resource_owner,
        })
    })
    .transpose()
}

/// The organizations whose member user `user_id` is, by id.
pub async fn orgs_of_member<'e>(on: impl Reader<'e>, instance: &str, user_id: &str) -> Result<Vec<String>> {
    sqlx::query_scalar("SELECT org_id FROM org_members WHERE instance_id = $1 AND user_id = $2 ORDER BY org_id")
        .bind(instance)
        .bind(user_id)
        .fetch_all(on)
        .await
        .map_err(db_error("MEMBER-db040"))
}
