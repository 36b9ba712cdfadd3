//! IAM members: who holds which instance role.

use burg_api::admin::{
    AddIamMemberRequest, AddIamMemberResponse, ListIamMemberRolesResponse, ListIamMembersRequest,
    ListIamMembersResponse, RemoveIamMemberRequest, RemoveIamMemberResponse, UpdateIamMemberRequest,
    UpdateIamMemberResponse,
};
use burg_api::zitadel::member::v1::{Member, MemberFieldColumnName, search_query::Query};
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::instance as ie;
use burg_domain::permission::instance_roles;
use burg_domain::{Error, ErrorKind, Result, validate};
use burg_store::Sql;
use sqlx::Row;

use crate::auth::{db_err, parse_roles};
use crate::list::{Page, list_details, push_text_match};
use crate::{App, Ctx, details, details_of, retry};

impl App {
    pub async fn list_iam_member_roles(
        &self,
        _ctx: &Ctx,
        _req: burg_api::admin::ListIamMemberRolesRequest,
    ) -> Result<ListIamMemberRolesResponse> {
        let roles: Vec<String> = instance_roles().map(str::to_string).collect();
        Ok(ListIamMemberRolesResponse { details: crate::list::list_details(roles.len() as i64, 0, self.now()), roles })
    }

    pub async fn list_iam_members(&self, _ctx: &Ctx, req: ListIamMembersRequest) -> Result<ListIamMembersResponse> {
        let mut filter = Sql::new(
            " FROM iam_members m JOIN users u ON u.instance_id = m.instance_id AND u.id = m.user_id WHERE m.instance_id = ",
        );
        filter.bind(&self.instance_id);
        let backend = self.db.backend();
        for q in &req.queries {
            match &q.query {
                Some(Query::FirstNameQuery(f)) => {
                    push_text_match(&mut filter, backend, "u.first_name", &f.first_name, f.method)?
                }
                Some(Query::LastNameQuery(l)) => {
                    push_text_match(&mut filter, backend, "u.last_name", &l.last_name, l.method)?
                }
                Some(Query::EmailQuery(e)) => push_text_match(&mut filter, backend, "u.email", &e.email, e.method)?,
                Some(Query::UserIdQuery(u)) => {
                    filter.push(" AND m.user_id = ").bind(&u.user_id);
                }
                None => {}
            }
        }
        let order = match MemberFieldColumnName::try_from(req.sorting_column).unwrap_or_default() {
            MemberFieldColumnName::MemberFieldNameCreationDate => "m.creation_date",
            MemberFieldColumnName::MemberFieldNameChangeDate => "m.change_date",
            MemberFieldColumnName::MemberFieldNameUserResourceOwner => "u.resource_owner",
            _ => "m.user_id",
        };
        let (total, rows) = self
            .count_and_fetch(
                "SELECT COUNT(*)",
                "SELECT m.user_id, m.roles, m.sequence, m.creation_date, m.change_date, u.username, u.email, \
                 u.first_name, u.last_name, u.display_name, u.user_type, u.resource_owner",
                filter,
                Page::of(req.query.as_ref()),
                order,
            )
            .await?;
        let mut result = Vec::with_capacity(rows.len());
        for row in rows {
            let s = |c: &str| -> Result<String> { row.try_get(c).map_err(|e| db_err("MEMB-db001", e)) };
            let n = |c: &str| -> Result<i64> { row.try_get(c).map_err(|e| db_err("MEMB-db002", e)) };
            result.push(Member {
                user_id: s("user_id")?,
                details: details(n("sequence")?, n("creation_date")?, n("change_date")?, &self.instance_id),
                roles: parse_roles(Some(&s("roles")?)),
                preferred_login_name: s("username")?,
                email: s("email")?,
                first_name: s("first_name")?,
                last_name: s("last_name")?,
                display_name: s("display_name")?,
                avatar_url: String::new(),
                user_type: n("user_type")? as i32,
                user_resource_owner: s("resource_owner")?,
            });
        }
        let seq = self.instance_row(self.db.pool()).await?.sequence;
        Ok(ListIamMembersResponse { details: list_details(total, seq, self.now()), result })
    }

    pub async fn add_iam_member(&self, ctx: &Ctx, req: AddIamMemberRequest) -> Result<AddIamMemberResponse> {
        validate::name("userId", &req.user_id)?;
        // As ZITADEL: a member may start without roles.
        check_known_roles(&req.roles)?;
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            // A reference inside a write: ZITADEL's FailedPrecondition.
            self.require_user(tx.conn(), &req.user_id).await.map_err(|e| {
                if e.kind == ErrorKind::NotFound {
                    Error::failed_precondition("INSTA-GSXOn", format!("user {:?} not found", req.user_id))
                } else {
                    e
                }
            })?;
            if self.member_roles(tx.conn(), &req.user_id).await?.is_some() {
                return Err(Error::already_exists(
                    "MEMB-add01",
                    format!("user {} is already an IAM member", req.user_id),
                ));
            }
            let inst = Aggregate::new(aggregate::INSTANCE, &self.instance_id, &self.instance_id);
            let event = ie::MemberAdded { user_id: req.user_id.clone(), roles: req.roles.clone() };
            let events = tx.push(vec![NewEvent::new(&inst, &event)?]).await?;
            tx.commit().await?;
            Ok(AddIamMemberResponse { details: details_of(&events) })
        })
        .await
    }

    pub async fn update_iam_member(&self, ctx: &Ctx, req: UpdateIamMemberRequest) -> Result<UpdateIamMemberResponse> {
        validate::name("userId", &req.user_id)?;
        check_roles(&req.roles)?;
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let member = self
                .member(tx.conn(), &req.user_id)
                .await?
                .ok_or_else(|| Error::not_found("MEMB-upd01", format!("user {} is not an IAM member", req.user_id)))?;
            let current = member.roles;
            // As ZITADEL: the same roles in the same order change nothing
            // and answer the member's details; another order is a change.
            if current == req.roles {
                return Ok(UpdateIamMemberResponse {
                    details: details(member.sequence, member.creation_date, member.change_date, &self.instance_id),
                });
            }
            if current.iter().any(|r| r == OWNER) && !req.roles.iter().any(|r| r == OWNER) {
                self.keep_an_owner(tx.conn(), Leaving::User(&req.user_id)).await?;
            }
            let inst = Aggregate::new(aggregate::INSTANCE, &self.instance_id, &self.instance_id);
            let event = ie::MemberChanged { user_id: req.user_id.clone(), roles: req.roles.clone() };
            let events = tx.push(vec![NewEvent::new(&inst, &event)?]).await?;
            tx.commit().await?;
            Ok(UpdateIamMemberResponse { details: details_of(&events) })
        })
        .await
    }

    pub async fn remove_iam_member(&self, ctx: &Ctx, req: RemoveIamMemberRequest) -> Result<RemoveIamMemberResponse> {
        validate::name("userId", &req.user_id)?;
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let Some(current) = self.member_roles(tx.conn(), &req.user_id).await? else {
                // As ZITADEL: removing someone who is no member succeeds.
                return Ok(RemoveIamMemberResponse {
                    details: Some(burg_api::object::ObjectDetails {
                        resource_owner: self.instance_id.clone(),
                        ..Default::default()
                    }),
                });
            };
            if current.iter().any(|r| r == OWNER) {
                self.keep_an_owner(tx.conn(), Leaving::User(&req.user_id)).await?;
            }
            let inst = Aggregate::new(aggregate::INSTANCE, &self.instance_id, &self.instance_id);
            let event = ie::MemberRemoved { user_id: req.user_id.clone() };
            let events = tx.push(vec![NewEvent::new(&inst, &event)?]).await?;
            tx.commit().await?;
            Ok(RemoveIamMemberResponse { details: details_of(&events) })
        })
        .await
    }

    /// Fails unless an IAM_OWNER remains once `leaving` (a user, or an
    /// organization with all its users) is gone: an instance must keep one.
    pub(crate) async fn keep_an_owner(&self, conn: &mut sqlx::AnyConnection, leaving: Leaving<'_>) -> Result<()> {
        let (column, id, what) = match leaving {
            Leaving::User(id) => ("m.user_id", id, format!("user {id} is the last {OWNER}")),
            Leaving::Org(id) => ("u.resource_owner", id, format!("organization {id} holds every {OWNER}")),
        };
        let mut sql = Sql::new(
            "SELECT m.roles FROM iam_members m JOIN users u ON u.instance_id = m.instance_id AND u.id = m.user_id \
             WHERE m.instance_id = ",
        );
        sql.bind(&self.instance_id).push(" AND ").push(column).push(" <> ").bind(id);
        let others = sql.query().fetch_all(conn).await.map_err(|e| db_err("MEMB-db011", e))?;
        let roles = others.iter().filter_map(|row| row.try_get::<String, _>("roles").ok());
        if roles.map(|r| parse_roles(Some(&r))).any(|r| r.iter().any(|r| r == OWNER)) {
            return Ok(());
        }
        Err(Error::failed_precondition(
            "MEMB-own01",
            format!("{what}; add another owner first, an instance must keep one"),
        ))
    }

    /// An IAM member's roles and details.
    async fn member(&self, conn: &mut sqlx::AnyConnection, user_id: &str) -> Result<Option<MemberRow>> {
        let row: Option<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT roles, sequence, creation_date, change_date FROM iam_members WHERE instance_id = $1 AND user_id = $2",
        )
        .bind(&self.instance_id)
        .bind(user_id)
        .fetch_optional(conn)
        .await
        .map_err(|e| db_err("MEMB-db012", e))?;
        Ok(row.map(|(roles, sequence, creation_date, change_date)| MemberRow {
            roles: parse_roles(Some(&roles)),
            sequence,
            creation_date,
            change_date,
        }))
    }

    async fn member_roles(&self, conn: &mut sqlx::AnyConnection, user_id: &str) -> Result<Option<Vec<String>>> {
        let roles: Option<String> =
            sqlx::query_scalar("SELECT roles FROM iam_members WHERE instance_id = $1 AND user_id = $2")
                .bind(&self.instance_id)
                .bind(user_id)
                .fetch_optional(conn)
                .await
                .map_err(|e| db_err("MEMB-db010", e))?;
        Ok(roles.map(|r| parse_roles(Some(&r))))
    }
}

const OWNER: &str = "IAM_OWNER";

/// Who is about to lose its instance roles.
#[derive(Clone, Copy)]
pub(crate) enum Leaving<'a> {
    User(&'a str),
    Org(&'a str),
}

/// An IAM member as stored.
struct MemberRow {
    roles: Vec<String>,
    sequence: i64,
    creation_date: i64,
    change_date: i64,
}

/// At least one role, each an instance role (UpdateIAMMember).
fn check_roles(roles: &[String]) -> Result<()> {
    if roles.is_empty() {
        return Err(Error::invalid_argument("MEMB-rol01", "`roles` must name at least one role"));
    }
    check_known_roles(roles)
}

/// Each role an instance role.
fn check_known_roles(roles: &[String]) -> Result<()> {
    for role in roles {
        if !instance_roles().any(|r| r == role) {
            return Err(Error::invalid_argument(
                "MEMB-rol02",
                format!("`roles`: {role:?} is not an instance role; see ListIAMMemberRoles"),
            ));
        }
    }
    Ok(())
}
