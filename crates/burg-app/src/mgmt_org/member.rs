//! An organization's members: who holds which organization role.

use burg_api::management::{
    AddOrgMemberRequest, AddOrgMemberResponse, ListOrgMemberRolesRequest, ListOrgMemberRolesResponse,
    ListOrgMembersRequest, ListOrgMembersResponse, RemoveOrgMemberRequest, RemoveOrgMemberResponse,
    UpdateOrgMemberRequest, UpdateOrgMemberResponse,
};
use burg_api::object::ObjectDetails;
use burg_api::zitadel::member::v1::{Member, search_query::Query};
use burg_domain::event::NewEvent;
use burg_domain::events::org as oe;
use burg_domain::permission::{SELF_MANAGEMENT_GLOBAL, org_member_roles_valid, org_roles};
use burg_domain::{Error, ErrorKind, Result};
use burg_store::members::{IamMemberFilter, IamMemberOrder};

use super::org_aggregate;
use crate::list::{list_details, text_match, v1_page};
use crate::{App, Ctx, added_details, changed_details, details, retry, unchanged_details};

/// An org member's user and roles as ZITADEL's `AddOrgMember` checks them
/// (the RPC and the import): both given, and `ORG_` roles or
/// `SELF_MANAGEMENT_GLOBAL` alone. `prefix` goes before the field names in
/// the answer (`orgMembers.` for an import document).
pub(crate) fn org_member_valid(user_id: &str, roles: &[String], prefix: &str) -> Result<()> {
    if user_id.is_empty() || roles.is_empty() {
        return Err(Error::invalid_argument(
            crate::shared_ids::MEMBER_INVALID,
            format!("`{prefix}userId` and at least one of `{prefix}roles` are required"),
        ));
    }
    if !org_member_roles_valid(roles) {
        return Err(Error::invalid_argument(
            "Org-4N8es",
            format!(
                "`{prefix}roles` must be organization roles (ORG_…), or SELF_MANAGEMENT_GLOBAL alone; given: {}",
                roles.join(", ")
            ),
        ));
    }
    Ok(())
}

impl App {
    /// The `ORG_*` roles, and `SELF_MANAGEMENT_GLOBAL` in the default
    /// organization (ZITADEL's `GetOrgMemberRoles` for its global org).
    pub async fn list_org_member_roles(
        &self,
        ctx: &Ctx,
        _req: ListOrgMemberRolesRequest,
    ) -> Result<ListOrgMemberRolesResponse> {
        let mut result: Vec<String> = org_roles().map(str::to_string).collect();
        if self.instance_row(self.db.pool()).await?.default_org_id == ctx.org() {
            result.push(SELF_MANAGEMENT_GLOBAL.to_string());
        }
        Ok(ListOrgMemberRolesResponse { result })
    }

    pub async fn list_org_members(&self, ctx: &Ctx, req: ListOrgMembersRequest) -> Result<ListOrgMembersResponse> {
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
        let page = v1_page(req.query.as_ref())?;
        let org = ctx.org();
        let listed = burg_store::members::list_org_members(
            &self.db,
            &self.instance_id,
            org,
            &filters,
            IamMemberOrder::UserId,
            page,
        )
        .await?;
        let result = listed
            .rows
            .into_iter()
            .map(|m| Member {
                user_id: m.user_id,
                details: details(m.sequence, m.creation_date, m.change_date, org),
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
        Ok(ListOrgMembersResponse { details: list_details(listed.total, 0, self.now()), result })
    }

    pub async fn add_org_member(&self, ctx: &Ctx, req: AddOrgMemberRequest) -> Result<AddOrgMemberResponse> {
        org_member_valid(&req.user_id, &req.roles, "")?;
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = self.org_of_write(tx.conn(), ctx.org()).await?;
            self.require_user(tx.conn(), &req.user_id).await.map_err(|e| {
                if e.kind == ErrorKind::NotFound {
                    Error::failed_precondition(
                        crate::shared_ids::MEMBER_USER_NOT_FOUND,
                        format!("user {:?} not found", req.user_id),
                    )
                } else {
                    e
                }
            })?;
            if burg_store::members::org_roles(tx.conn(), &self.instance_id, &org.id, &req.user_id).await?.is_some() {
                return Err(Error::already_exists(
                    crate::shared_ids::MEMBER_EXISTS,
                    format!("user {} is already a member of the organization", req.user_id),
                ));
            }
            let event = oe::MemberAdded { user_id: req.user_id.clone(), roles: req.roles.clone() };
            let events = tx.push(vec![NewEvent::new(&org_aggregate(&org.id), &event)?]).await?;
            tx.commit().await?;
            Ok(AddOrgMemberResponse { details: added_details(&events) })
        })
        .await
    }

    pub async fn update_org_member(&self, ctx: &Ctx, req: UpdateOrgMemberRequest) -> Result<UpdateOrgMemberResponse> {
        if req.user_id.is_empty() || req.roles.is_empty() {
            return Err(Error::invalid_argument("Org-LiaZi", "`userId` and at least one of `roles` are required"));
        }
        if !req.roles.iter().all(|r| org_roles().any(|k| k == r)) {
            return Err(Error::invalid_argument(
                "IAM-m9fG8",
                format!("`roles` must be organization roles (ORG_…); given: {}", req.roles.join(", ")),
            ));
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            let member = burg_store::members::org_member(tx.conn(), &self.instance_id, &org, &req.user_id)
                .await?
                .ok_or_else(|| {
                    Error::not_found("Org-D8JxR", format!("user {} is not a member of the organization", req.user_id))
                })?;
            // As ZITADEL: the same roles in the same order change nothing.
            if member.roles == req.roles {
                return Ok(UpdateOrgMemberResponse {
                    details: unchanged_details(member.sequence, member.change_date, &org),
                });
            }
            let event = oe::MemberChanged { user_id: req.user_id.clone(), roles: req.roles.clone() };
            let events = tx.push(vec![NewEvent::new(&org_aggregate(&org), &event)?]).await?;
            tx.commit().await?;
            Ok(UpdateOrgMemberResponse { details: changed_details(&events) })
        })
        .await
    }

    /// As ZITADEL: removing someone who is no member succeeds.
    pub async fn remove_org_member(&self, ctx: &Ctx, req: RemoveOrgMemberRequest) -> Result<RemoveOrgMemberResponse> {
        if req.user_id.is_empty() {
            return Err(Error::invalid_argument("Org-LiaZi", "`userId` is required"));
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            if burg_store::members::org_roles(tx.conn(), &self.instance_id, &org, &req.user_id).await?.is_none() {
                return Ok(RemoveOrgMemberResponse {
                    details: Some(ObjectDetails { resource_owner: org.clone(), ..Default::default() }),
                });
            }
            let event = oe::MemberRemoved { user_id: req.user_id.clone() };
            let events = tx.push(vec![NewEvent::new(&org_aggregate(&org), &event)?]).await?;
            tx.commit().await?;
            Ok(RemoveOrgMemberResponse { details: changed_details(&events) })
        })
        .await
    }
}
