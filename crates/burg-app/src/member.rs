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
use burg_store::members::{IamMemberFilter, IamMemberOrder};

use crate::list::{list_details, text_match, v1_page};
use crate::{App, Ctx, changed_details, details, retry, unchanged_details};

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
        let mut filters = Vec::with_capacity(req.queries.len());
        for q in &req.queries {
            match &q.query {
                Some(Query::FirstNameQuery(f)) => {
                    filters.push(IamMemberFilter::FirstName(text_match(&f.first_name, f.method)?))
                }
                Some(Query::LastNameQuery(l)) => {
                    filters.push(IamMemberFilter::LastName(text_match(&l.last_name, l.method)?))
                }
                Some(Query::EmailQuery(e)) => filters.push(IamMemberFilter::Email(text_match(&e.email, e.method)?)),
                Some(Query::UserIdQuery(u)) => filters.push(IamMemberFilter::UserId(u.user_id.clone())),
                None => {}
            }
        }
        let order = match MemberFieldColumnName::try_from(req.sorting_column).unwrap_or_default() {
            MemberFieldColumnName::MemberFieldNameCreationDate => IamMemberOrder::CreationDate,
            MemberFieldColumnName::MemberFieldNameChangeDate => IamMemberOrder::ChangeDate,
            MemberFieldColumnName::MemberFieldNameUserResourceOwner => IamMemberOrder::UserResourceOwner,
            _ => IamMemberOrder::UserId,
        };
        let page = v1_page(req.query.as_ref())?;
        let listed = burg_store::members::list_iam_members(&self.db, &self.instance_id, &filters, order, page).await?;
        let result = listed
            .rows
            .into_iter()
            .map(|m| Member {
                user_id: m.user_id,
                details: details(m.sequence, m.creation_date, m.change_date, &self.instance_id),
                roles: m.roles,
                preferred_login_name: m.user_name,
                email: m.email,
                first_name: m.first_name,
                last_name: m.last_name,
                display_name: m.display_name,
                avatar_url: String::new(),
                user_type: m.user_type.code() as i32,
                user_resource_owner: m.resource_owner,
            })
            .collect();
        let seq = self.instance_row(self.db.pool()).await?.sequence;
        Ok(ListIamMembersResponse { details: list_details(listed.total, seq, self.now()), result })
    }

    pub async fn add_iam_member(&self, ctx: &Ctx, req: AddIamMemberRequest) -> Result<AddIamMemberResponse> {
        validate::name("userId", &req.user_id)?;
        // As ZITADEL: a member may start without roles.
        check_known_roles(&req.roles, "INSTANCE-4m0fS")?;
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            // A reference inside a write: ZITADEL's FailedPrecondition.
            self.require_user(tx.conn(), &req.user_id).await.map_err(|e| {
                if e.kind == ErrorKind::NotFound {
                    Error::failed_precondition(
                        crate::shared_ids::IAM_MEMBER_USER_NOT_FOUND,
                        format!("user {:?} not found", req.user_id),
                    )
                } else {
                    e
                }
            })?;
            if burg_store::members::iam_roles(tx.conn(), &self.instance_id, &req.user_id).await?.is_some() {
                return Err(Error::already_exists(
                    "INSTA-pFDwe",
                    format!("user {} is already an IAM member", req.user_id),
                ));
            }
            let inst = Aggregate::new(aggregate::INSTANCE, &self.instance_id, &self.instance_id);
            let event = ie::MemberAdded { user_id: req.user_id.clone(), roles: req.roles.clone() };
            let events = tx.push(vec![NewEvent::new(&inst, &event)?]).await?;
            tx.commit().await?;
            Ok(AddIamMemberResponse { details: changed_details(&events) })
        })
        .await
    }

    pub async fn update_iam_member(&self, ctx: &Ctx, req: UpdateIamMemberRequest) -> Result<UpdateIamMemberResponse> {
        validate::name("userId", &req.user_id)?;
        check_roles(&req.roles)?;
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let member =
                burg_store::members::iam_member(tx.conn(), &self.instance_id, &req.user_id).await?.ok_or_else(
                    || Error::not_found("INSTANCE-D8JxR", format!("user {} is not an IAM member", req.user_id)),
                )?;
            let current = member.roles;
            // As ZITADEL: the same roles in the same order change nothing
            // and answer the member's details; another order is a change.
            if current == req.roles {
                return Ok(UpdateIamMemberResponse {
                    details: unchanged_details(member.sequence, member.change_date, &self.instance_id),
                });
            }
            let inst = Aggregate::new(aggregate::INSTANCE, &self.instance_id, &self.instance_id);
            let event = ie::MemberChanged { user_id: req.user_id.clone(), roles: req.roles.clone() };
            let events = tx.push(vec![NewEvent::new(&inst, &event)?]).await?;
            tx.commit().await?;
            Ok(UpdateIamMemberResponse { details: changed_details(&events) })
        })
        .await
    }

    pub async fn remove_iam_member(&self, ctx: &Ctx, req: RemoveIamMemberRequest) -> Result<RemoveIamMemberResponse> {
        validate::name("userId", &req.user_id)?;
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            // As ZITADEL: any member may go, the last IAM_OWNER included.
            if burg_store::members::iam_roles(tx.conn(), &self.instance_id, &req.user_id).await?.is_none() {
                // As ZITADEL: removing someone who is no member succeeds.
                return Ok(RemoveIamMemberResponse {
                    details: Some(burg_api::object::ObjectDetails {
                        resource_owner: self.instance_id.clone(),
                        ..Default::default()
                    }),
                });
            }
            let inst = Aggregate::new(aggregate::INSTANCE, &self.instance_id, &self.instance_id);
            let event = ie::MemberRemoved { user_id: req.user_id.clone() };
            let events = tx.push(vec![NewEvent::new(&inst, &event)?]).await?;
            tx.commit().await?;
            Ok(RemoveIamMemberResponse { details: changed_details(&events) })
        })
        .await
    }
}

/// At least one role, each an instance role (UpdateIAMMember).
pub(crate) fn check_roles(roles: &[String]) -> Result<()> {
    if roles.is_empty() {
        return Err(Error::invalid_argument("INSTANCE-LiaZi", "`roles` must name at least one role"));
    }
    check_known_roles(roles, "INSTANCE-3m9fs")
}

/// Each role an instance role; else InvalidArgument with `id` (ZITADEL's
/// differs between AddIAMMember and UpdateIAMMember).
fn check_known_roles(roles: &[String], id: &'static str) -> Result<()> {
    for role in roles {
        if !instance_roles().any(|r| r == role) {
            return Err(Error::invalid_argument(
                id,
                format!("`roles`: {role:?} is not an instance role; see ListIAMMemberRoles"),
            ));
        }
    }
    Ok(())
}
