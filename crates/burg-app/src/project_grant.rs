//! Project grants through the Management API: a project of the call's
//! organization granted to another organization with some of its roles.
//! Read from the import's `DataProjectGrant` documents, which ZITADEL's
//! `project.grant.*` events keep up to date (see `project`).

use burg_api::management::{
    AddProjectGrantMemberRequest, AddProjectGrantMemberResponse, AddProjectGrantRequest, AddProjectGrantResponse,
    DeactivateProjectGrantRequest, DeactivateProjectGrantResponse, GetGrantedProjectByIdRequest,
    GetGrantedProjectByIdResponse, GetProjectGrantByIdRequest, GetProjectGrantByIdResponse,
    ListAllProjectGrantsRequest, ListAllProjectGrantsResponse, ListGrantedProjectRolesRequest,
    ListGrantedProjectRolesResponse, ListGrantedProjectsRequest, ListGrantedProjectsResponse,
    ListProjectGrantChangesRequest, ListProjectGrantChangesResponse, ListProjectGrantMemberRolesRequest,
    ListProjectGrantMemberRolesResponse, ListProjectGrantMembersRequest, ListProjectGrantMembersResponse,
    ListProjectGrantsRequest, ListProjectGrantsResponse, ReactivateProjectGrantRequest, ReactivateProjectGrantResponse,
    RemoveProjectGrantMemberRequest, RemoveProjectGrantMemberResponse, RemoveProjectGrantRequest,
    RemoveProjectGrantResponse, UpdateProjectGrantMemberRequest, UpdateProjectGrantMemberResponse,
    UpdateProjectGrantRequest, UpdateProjectGrantResponse,
};
use burg_api::zitadel::project::v1::{
    GrantedProject, ProjectGrantState, all_project_grant_query, project_grant_query, project_query,
};
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::project::{
    GrantAdded, GrantChanged, GrantDeactivated, GrantMemberAdded, GrantMemberChanged, GrantMemberRemoved,
    GrantReactivated, GrantRemoved,
};
use burg_domain::{Error, Result};
use burg_store::Conn;
use burg_store::documents::DocRow;
use burg_store::list::TextMatch;
use serde_json::Value;

use crate::list::{list_details, text_match, v1_page};
use crate::{App, Ctx, added_details, changed_details, details, retry};

const KIND: &str = "project_grant";
const ACTIVE: i64 = 1;
const INACTIVE: i64 = 2;
/// `projectGrantWriteModelByID`: no such grant of the project.
const GRANT_NOT_FOUND: &str = crate::shared_ids::PROJECT_PART_NOT_FOUND;
/// `checkProjectGrantPreCondition`: a role the project does not have.
const UNKNOWN_ROLE: &str = "COMMAND-6m9gd";
/// Deactivating an inactive grant, reactivating an active one.
const WRONG_STATE: &str = "PROJECT-47fu8";
/// `Errors.Project.Grant.NotFound` of ZITADEL's grant queries.
const GRANT_QUERY_NOT_FOUND: &str = "QUERY-n98GGs";

/// A grant as stored.
struct Grant {
    row: DocRow,
    doc: Value,
}

impl Grant {
    fn text(&self, path: &str) -> &str {
        path.split('.').try_fold(&self.doc, |v, p| v.get(p)).and_then(Value::as_str).unwrap_or_default()
    }

    fn project_id(&self) -> &str {
        self.text("projectGrant.projectId")
    }

    fn roles(&self) -> Vec<String> {
        serde_json::from_value(self.doc["projectGrant"]["roleKeys"].clone()).unwrap_or_default()
    }
}

impl App {
    async fn grant(&self, conn: &mut Conn, org: &str, project: &str, grant: &str) -> Result<Option<Grant>> {
        let row = burg_store::documents::get(conn, &self.instance_id, org, KIND, grant).await?;
        Ok(row
            .map(|row| Grant { doc: serde_json::from_str(&row.data).unwrap_or_default(), row })
            .filter(|g| g.project_id() == project))
    }

    /// Fails with `AddProjectGrantMember`'s answer unless `org` has grant
    /// `grant` of `project`.
    pub(crate) async fn require_grant(&self, conn: &mut Conn, org: &str, project: &str, grant: &str) -> Result<()> {
        match self.grant(conn, org, project, grant).await? {
            Some(_) => Ok(()),
            None => Err(Error::not_found(GRANT_NOT_FOUND, format!("grant {grant:?} not found"))),
        }
    }

    /// The grant as the wire's `GrantedProject`, with the names of its
    /// project and organizations.
    async fn granted(&self, conn: &mut Conn, org: &str, g: &Grant) -> Result<GrantedProject> {
        let project = burg_store::documents::get(&mut *conn, &self.instance_id, org, "project", g.project_id()).await?;
        let project_name = project
            .and_then(|p| serde_json::from_str::<Value>(&p.data).ok())
            .and_then(|d| d["project"]["name"].as_str().map(str::to_string))
            .unwrap_or_default();
        let org_name = |row: Option<burg_store::orgs::OrgRow>| row.map(|o| o.name).unwrap_or_default();
        let granted_org_id = g.text("projectGrant.grantedOrgId").to_string();
        let granted_org_name = org_name(burg_store::orgs::get(&mut *conn, &self.instance_id, &granted_org_id).await?);
        let project_owner_name = org_name(burg_store::orgs::get(&mut *conn, &self.instance_id, org).await?);
        Ok(GrantedProject {
            grant_id: g.row.key.clone(),
            granted_org_id,
            granted_org_name,
            granted_role_keys: g.roles(),
            state: if g.row.state == INACTIVE { ProjectGrantState::Inactive } else { ProjectGrantState::Active } as i32,
            project_id: g.project_id().to_string(),
            project_name,
            project_owner_id: org.to_string(),
            project_owner_name,
            details: details(g.row.sequence, g.row.creation_date, g.row.change_date, org),
        })
    }

    /// The project's role keys, or `COMMAND-m9gsd` when it is not the
    /// organization's.
    async fn project_role_keys(&self, conn: &mut Conn, org: &str, project: &str) -> Result<Vec<String>> {
        if burg_store::documents::get(&mut *conn, &self.instance_id, org, "project", project).await?.is_none() {
            return Err(Error::failed_precondition("COMMAND-m9gsd", format!("project {project:?} not found")));
        }
        let roles = burg_store::documents::all(&mut *conn, &self.instance_id, org, "project_role").await?;
        Ok(roles
            .into_iter()
            .filter_map(|r| serde_json::from_str::<Value>(&r.data).ok())
            .filter(|d| d["projectId"].as_str() == Some(project))
            .filter_map(|d| d["roleKey"].as_str().map(str::to_string))
            .collect())
    }

    pub async fn add_project_grant(&self, ctx: &Ctx, req: AddProjectGrantRequest) -> Result<AddProjectGrantResponse> {
        let grant_id = self.new_id();
        let events = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            let keys = self.project_role_keys(tx.conn(), &org, &req.project_id).await?;
            if burg_store::orgs::get(tx.conn(), &self.instance_id, &req.granted_org_id).await?.is_none() {
                return Err(Error::failed_precondition("COMMAND-3m9gg", "the granted organization does not exist"));
            }
            if req.role_keys.iter().any(|k| !keys.contains(k)) {
                return Err(Error::failed_precondition(UNKNOWN_ROLE, "`roleKeys` names a role the project lacks"));
            }
            let grants = burg_store::documents::all(tx.conn(), &self.instance_id, &org, KIND).await?;
            let taken = grants.iter().filter_map(|g| serde_json::from_str::<Value>(&g.data).ok()).any(|d| {
                d["projectGrant"]["projectId"].as_str() == Some(req.project_id.as_str())
                    && d["projectGrant"]["grantedOrgId"].as_str() == Some(req.granted_org_id.as_str())
            });
            if taken {
                return Err(Error::already_exists("V3-DKcYh", "the project is granted to that organization already"));
            }
            let on = Aggregate::new(aggregate::PROJECT, &req.project_id, &org);
            let added = GrantAdded {
                grant_id: grant_id.clone(),
                granted_org_id: req.granted_org_id.clone(),
                role_keys: req.role_keys.clone(),
            };
            let events = tx.push(vec![NewEvent::new(&on, &added)?]).await?;
            tx.commit().await?;
            Ok(events)
        })
        .await?;
        Ok(AddProjectGrantResponse { grant_id, details: added_details(&events) })
    }

    pub async fn update_project_grant(
        &self,
        ctx: &Ctx,
        req: UpdateProjectGrantRequest,
    ) -> Result<UpdateProjectGrantResponse> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            let g = self
                .grant(tx.conn(), &org, &req.project_id, &req.grant_id)
                .await?
                .ok_or_else(|| Error::not_found(GRANT_NOT_FOUND, format!("grant {:?} not found", req.grant_id)))?;
            let keys = self.project_role_keys(tx.conn(), &org, &req.project_id).await?;
            if req.role_keys.iter().any(|k| !keys.contains(k)) {
                return Err(Error::failed_precondition(UNKNOWN_ROLE, "`roleKeys` names a role the project lacks"));
            }
            if g.roles() == req.role_keys {
                return Err(Error::failed_precondition("PROJECT-0o0pL", "the grant has these roles already"));
            }
            let on = Aggregate::new(aggregate::PROJECT, &req.project_id, &org);
            let changed = GrantChanged { grant_id: req.grant_id.clone(), role_keys: req.role_keys.clone() };
            let events = tx.push(vec![NewEvent::new(&on, &changed)?]).await?;
            tx.commit().await?;
            Ok(UpdateProjectGrantResponse { details: changed_details(&events) })
        })
        .await
    }

    pub async fn deactivate_project_grant(
        &self,
        ctx: &Ctx,
        req: DeactivateProjectGrantRequest,
    ) -> Result<DeactivateProjectGrantResponse> {
        let details = self.set_grant_state(ctx, &req.project_id, &req.grant_id, INACTIVE).await?;
        Ok(DeactivateProjectGrantResponse { details })
    }

    pub async fn reactivate_project_grant(
        &self,
        ctx: &Ctx,
        req: ReactivateProjectGrantRequest,
    ) -> Result<ReactivateProjectGrantResponse> {
        let details = self.set_grant_state(ctx, &req.project_id, &req.grant_id, ACTIVE).await?;
        Ok(ReactivateProjectGrantResponse { details })
    }

    async fn set_grant_state(
        &self,
        ctx: &Ctx,
        project: &str,
        grant: &str,
        to: i64,
    ) -> Result<Option<burg_api::object::ObjectDetails>> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            self.require_project(tx.conn(), &org, project).await?;
            let g = self
                .grant(tx.conn(), &org, project, grant)
                .await?
                .ok_or_else(|| Error::not_found(GRANT_NOT_FOUND, format!("grant {grant:?} not found")))?;
            if g.row.state == to {
                return Err(Error::failed_precondition(WRONG_STATE, "the grant is in that state already"));
            }
            let on = Aggregate::new(aggregate::PROJECT, project, &org);
            let grant_id = grant.to_string();
            let event = if to == INACTIVE {
                NewEvent::new(&on, &GrantDeactivated { grant_id })?
            } else {
                NewEvent::new(&on, &GrantReactivated { grant_id })?
            };
            let events = tx.push(vec![event]).await?;
            tx.commit().await?;
            Ok(changed_details(&events))
        })
        .await
    }

    pub async fn remove_project_grant(
        &self,
        ctx: &Ctx,
        req: RemoveProjectGrantRequest,
    ) -> Result<RemoveProjectGrantResponse> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            if burg_store::documents::get(tx.conn(), &self.instance_id, &org, "project", &req.project_id)
                .await?
                .is_none()
            {
                return Err(Error::failed_precondition(
                    "PROJECT-6mf9s",
                    format!("project {:?} not found", req.project_id),
                ));
            }
            let g = self
                .grant(tx.conn(), &org, &req.project_id, &req.grant_id)
                .await?
                .ok_or_else(|| Error::not_found(GRANT_NOT_FOUND, format!("grant {:?} not found", req.grant_id)))?;
            let on = Aggregate::new(aggregate::PROJECT, &req.project_id, &org);
            let removed = GrantRemoved {
                grant_id: req.grant_id.clone(),
                granted_org_id: g.text("projectGrant.grantedOrgId").to_string(),
            };
            let events = tx.push(vec![NewEvent::new(&on, &removed)?]).await?;
            tx.commit().await?;
            Ok(RemoveProjectGrantResponse { details: changed_details(&events) })
        })
        .await
    }

    pub async fn get_project_grant_by_id(
        &self,
        ctx: &Ctx,
        req: GetProjectGrantByIdRequest,
    ) -> Result<GetProjectGrantByIdResponse> {
        let org = ctx.org();
        let mut conn = self.db.acquire("GRANT-db01").await?;
        let g = self
            .grant(&mut conn, org, &req.project_id, &req.grant_id)
            .await?
            .ok_or_else(|| Error::not_found(GRANT_QUERY_NOT_FOUND, format!("grant {:?} not found", req.grant_id)))?;
        Ok(GetProjectGrantByIdResponse { project_grant: Some(self.granted(&mut conn, org, &g).await?) })
    }

    /// The grants of other organizations' projects to `org`, each with
    /// the organization that owns its project.
    async fn grants_to(&self, conn: &mut Conn, org: &str) -> Result<Vec<(String, Grant)>> {
        let rows = burg_store::documents::of_kind(&mut *conn, &self.instance_id, KIND).await?;
        Ok(rows
            .into_iter()
            .map(|(owner, row)| (owner, Grant { doc: serde_json::from_str(&row.data).unwrap_or_default(), row }))
            .filter(|(_, g)| g.text("projectGrant.grantedOrgId") == org)
            .collect())
    }

    /// The grant `grant_id` of project `project` to the call's
    /// organization, with its project's owner.
    async fn grant_to(&self, conn: &mut Conn, ctx: &Ctx, project: &str, grant_id: &str) -> Result<(String, Grant)> {
        self.grants_to(conn, ctx.org())
            .await?
            .into_iter()
            .find(|(_, g)| g.row.key == grant_id && g.project_id() == project)
            .ok_or_else(|| Error::not_found(GRANT_QUERY_NOT_FOUND, format!("grant {grant_id:?} not found")))
    }

    /// The projects other organizations granted to the call's
    /// organization, as it sees them.
    pub async fn list_granted_projects(
        &self,
        ctx: &Ctx,
        req: ListGrantedProjectsRequest,
    ) -> Result<ListGrantedProjectsResponse> {
        let page = v1_page(req.query.as_ref())?;
        let mut names: Vec<TextMatch> = Vec::new();
        let mut owners = Vec::new();
        for q in &req.queries {
            match &q.query {
                Some(project_query::Query::NameQuery(n)) => names.push(text_match(&n.name, n.method)?),
                Some(project_query::Query::ProjectResourceOwnerQuery(o)) => owners.push(o.resource_owner.clone()),
                None => {}
            }
        }
        let mut conn = self.db.acquire("GRANT-db05").await?;
        let mut result = Vec::new();
        // A caller let through on its project grant memberships sees those grants.
        let visible = |grant: &str| ctx.scope.as_ref().is_none_or(|s| s.ids.iter().any(|id| id == grant));
        for (owner, g) in self.grants_to(&mut conn, ctx.org()).await? {
            if !visible(&g.row.key) {
                continue;
            }
            let p = self.granted(&mut conn, &owner, &g).await?;
            if names.iter().all(|m| m.matches(&p.project_name)) && owners.iter().all(|o| *o == owner) {
                result.push(p);
            }
        }
        let total = result.len() as i64;
        let result = page.of(result).collect();
        Ok(ListGrantedProjectsResponse { details: list_details(total, 0, self.now()), result })
    }

    pub async fn get_granted_project_by_id(
        &self,
        ctx: &Ctx,
        req: GetGrantedProjectByIdRequest,
    ) -> Result<GetGrantedProjectByIdResponse> {
        let mut conn = self.db.acquire("GRANT-db06").await?;
        let (owner, g) = self.grant_to(&mut conn, ctx, &req.project_id, &req.grant_id).await?;
        Ok(GetGrantedProjectByIdResponse { granted_project: Some(self.granted(&mut conn, &owner, &g).await?) })
    }

    /// The roles of a granted project that the grant gives.
    pub async fn list_granted_project_roles(
        &self,
        ctx: &Ctx,
        req: ListGrantedProjectRolesRequest,
    ) -> Result<ListGrantedProjectRolesResponse> {
        let page = v1_page(req.query.as_ref())?;
        let mut conn = self.db.acquire("GRANT-db07").await?;
        let (owner, g) = self.grant_to(&mut conn, ctx, &req.project_id, &req.grant_id).await?;
        drop(conn);
        let roles = self.roles_matching(&owner, &req.project_id, &req.queries, Some(&g.roles())).await?;
        let total = roles.len() as i64;
        let result = page.of(roles).collect();
        Ok(ListGrantedProjectRolesResponse { details: list_details(total, 0, self.now()), result })
    }

    /// The organization's grants that `keep` selects, as one page.
    async fn list_grants(
        &self,
        org: &str,
        page: burg_store::list::Page,
        keep: impl Fn(&GrantedProject) -> bool,
    ) -> Result<(i64, Vec<GrantedProject>)> {
        let mut conn = self.db.acquire("GRANT-db02").await?;
        let rows = burg_store::documents::all(&mut *conn, &self.instance_id, org, KIND).await?;
        let mut all = Vec::new();
        for row in rows {
            let g = Grant { doc: serde_json::from_str(&row.data).unwrap_or_default(), row };
            let wire = self.granted(&mut conn, org, &g).await?;
            if keep(&wire) {
                all.push(wire);
            }
        }
        let total = all.len() as i64;
        let result = page.of(all).collect();
        Ok((total, result))
    }

    pub async fn list_project_grants(
        &self,
        ctx: &Ctx,
        req: ListProjectGrantsRequest,
    ) -> Result<ListProjectGrantsResponse> {
        let page = v1_page(req.query.as_ref())?;
        let (mut names, mut roles): (Vec<TextMatch>, Vec<TextMatch>) = (Vec::new(), Vec::new());
        for q in &req.queries {
            match &q.query {
                Some(project_grant_query::Query::ProjectNameQuery(n)) => names.push(text_match(&n.name, n.method)?),
                Some(project_grant_query::Query::RoleKeyQuery(r)) => roles.push(text_match(&r.role_key, r.method)?),
                None => {}
            }
        }
        let (total, result) = self
            .list_grants(ctx.org(), page, |g| g.project_id == req.project_id && grant_matches(g, &names, &roles))
            .await?;
        Ok(ListProjectGrantsResponse { details: list_details(total, 0, self.now()), result })
    }

    pub async fn list_all_project_grants(
        &self,
        ctx: &Ctx,
        req: ListAllProjectGrantsRequest,
    ) -> Result<ListAllProjectGrantsResponse> {
        let page = v1_page(req.query.as_ref())?;
        let (mut names, mut roles, mut projects, mut orgs) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for q in &req.queries {
            match &q.query {
                Some(all_project_grant_query::Query::ProjectNameQuery(n)) => names.push(text_match(&n.name, n.method)?),
                Some(all_project_grant_query::Query::RoleKeyQuery(r)) => roles.push(text_match(&r.role_key, r.method)?),
                Some(all_project_grant_query::Query::ProjectIdQuery(p)) => projects.push(p.project_id.clone()),
                Some(all_project_grant_query::Query::GrantedOrgIdQuery(o)) => orgs.push(o.granted_org_id.clone()),
                None => {}
            }
        }
        let (total, result) = self
            .list_grants(ctx.org(), page, |g| {
                grant_matches(g, &names, &roles)
                    && projects.iter().all(|p| *p == g.project_id)
                    && orgs.iter().all(|o| *o == g.granted_org_id)
            })
            .await?;
        Ok(ListAllProjectGrantsResponse { details: list_details(total, 0, self.now()), result })
    }

    pub async fn list_project_grant_changes(
        &self,
        ctx: &Ctx,
        req: ListProjectGrantChangesRequest,
    ) -> Result<ListProjectGrantChangesResponse> {
        // ZITADEL lists the project aggregate's changes for a grant.
        let mut conn = self.db.acquire("GRANT-db03").await?;
        if self.grant(&mut conn, ctx.org(), &req.project_id, &req.grant_id).await?.is_none() {
            return Ok(ListProjectGrantChangesResponse { result: Vec::new() });
        }
        drop(conn);
        let result = self.changes(aggregate::PROJECT, &req.project_id, req.query.unwrap_or_default()).await?;
        Ok(ListProjectGrantChangesResponse { result })
    }
}

fn grant_matches(g: &GrantedProject, names: &[TextMatch], roles: &[TextMatch]) -> bool {
    names.iter().all(|m| m.matches(&g.project_name))
        && roles.iter().all(|m| g.granted_role_keys.iter().any(|k| m.matches(k)))
}

/// The `org_objects` kind of a grant's members, keyed
/// `projectId_grantId_userId`.
const MEMBER_KIND: &str = "project_grant_member";

/// The roles a project grant's member may hold (ZITADEL's `PROJECT_GRANT*`
/// roles of `InternalAuthZ`).
const GRANT_MEMBER_ROLES: [&str; 2] = ["PROJECT_GRANT_OWNER", "PROJECT_GRANT_OWNER_VIEWER"];

fn grant_roles_valid(roles: &[String]) -> bool {
    roles.iter().all(|r| GRANT_MEMBER_ROLES.contains(&r.as_str()))
}

/// A grant member's roles as ZITADEL's `AddProjectGrantMember` checks them
/// (the RPC and the import): some, and each a grant member's role; `field`
/// names them in the answer.
pub(crate) fn grant_member_roles(roles: &[String], field: &str) -> Result<()> {
    if roles.is_empty() {
        return Err(Error::invalid_argument(
            crate::shared_ids::GRANT_MEMBER_INVALID,
            format!("`{field}` must not be empty"),
        ));
    }
    if !grant_roles_valid(roles) {
        return Err(Error::invalid_argument("PROJECT-m9gKK", format!("`{field}` holds a role grants do not have")));
    }
    Ok(())
}

impl App {
    pub async fn list_project_grant_member_roles(
        &self,
        _ctx: &Ctx,
        _req: ListProjectGrantMemberRolesRequest,
    ) -> Result<ListProjectGrantMemberRolesResponse> {
        let result: Vec<String> = GRANT_MEMBER_ROLES.iter().map(|r| r.to_string()).collect();
        Ok(ListProjectGrantMemberRolesResponse { details: list_details(result.len() as i64, 0, self.now()), result })
    }

    pub async fn list_project_grant_members(
        &self,
        ctx: &Ctx,
        req: ListProjectGrantMembersRequest,
    ) -> Result<ListProjectGrantMembersResponse> {
        let keep = |d: &Value| {
            d["projectId"].as_str() == Some(req.project_id.as_str())
                && d["grantId"].as_str() == Some(req.grant_id.as_str())
        };
        let (total, result) =
            self.list_member_docs(ctx.org(), MEMBER_KIND, keep, &req.queries, req.query.as_ref()).await?;
        Ok(ListProjectGrantMembersResponse { details: list_details(total, 0, self.now()), result })
    }

    pub async fn add_project_grant_member(
        &self,
        ctx: &Ctx,
        req: AddProjectGrantMemberRequest,
    ) -> Result<AddProjectGrantMemberResponse> {
        grant_member_roles(&req.roles, "roles")?;
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            // ZITADEL's order: the user, then the grant.
            if burg_store::users::get(tx.conn(), &self.instance_id, &req.user_id).await?.is_none() {
                return Err(Error::failed_precondition(
                    crate::shared_ids::USER_NOT_FOUND,
                    format!("user {:?} not found", req.user_id),
                ));
            }
            self.require_grant(tx.conn(), &org, &req.project_id, &req.grant_id).await?;
            let key = format!("{}_{}_{}", req.project_id, req.grant_id, req.user_id);
            if burg_store::documents::get(tx.conn(), &self.instance_id, &org, MEMBER_KIND, &key).await?.is_some() {
                return Err(Error::already_exists("PROJECT-16dVN", "the user is a member of the grant already"));
            }
            let on = Aggregate::new(aggregate::PROJECT, &req.project_id, &org);
            let added = GrantMemberAdded {
                user_id: req.user_id.clone(),
                grant_id: req.grant_id.clone(),
                roles: req.roles.clone(),
            };
            let events = tx.push(vec![NewEvent::new(&on, &added)?]).await?;
            tx.commit().await?;
            Ok(AddProjectGrantMemberResponse { details: added_details(&events) })
        })
        .await
    }

    pub async fn update_project_grant_member(
        &self,
        ctx: &Ctx,
        req: UpdateProjectGrantMemberRequest,
    ) -> Result<UpdateProjectGrantMemberResponse> {
        if req.roles.is_empty() {
            return Err(Error::invalid_argument("PROJECT-109fs", "`roles` must not be empty"));
        }
        if !grant_roles_valid(&req.roles) {
            return Err(Error::invalid_argument("PROJECT-m0sDf", "`roles` holds a role grants do not have"));
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            let key = format!("{}_{}_{}", req.project_id, req.grant_id, req.user_id);
            let row = burg_store::documents::get(tx.conn(), &self.instance_id, &org, MEMBER_KIND, &key)
                .await?
                .ok_or_else(|| {
                    Error::not_found(crate::shared_ids::GRANT_MEMBER_NOT_FOUND, "the user is no member of the grant")
                })?;
            let doc: Value = serde_json::from_str(&row.data).unwrap_or_default();
            let roles: Vec<String> =
                serde_json::from_value(doc.get("roles").cloned().unwrap_or_default()).unwrap_or_default();
            if roles == req.roles {
                return Err(Error::failed_precondition("PROJECT-2n8vx", "the member has these roles already"));
            }
            let on = Aggregate::new(aggregate::PROJECT, &req.project_id, &org);
            let changed = GrantMemberChanged {
                user_id: req.user_id.clone(),
                grant_id: req.grant_id.clone(),
                roles: req.roles.clone(),
            };
            let events = tx.push(vec![NewEvent::new(&on, &changed)?]).await?;
            tx.commit().await?;
            Ok(UpdateProjectGrantMemberResponse { details: changed_details(&events) })
        })
        .await
    }

    pub async fn remove_project_grant_member(
        &self,
        ctx: &Ctx,
        req: RemoveProjectGrantMemberRequest,
    ) -> Result<RemoveProjectGrantMemberResponse> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            let key = format!("{}_{}_{}", req.project_id, req.grant_id, req.user_id);
            if burg_store::documents::get(tx.conn(), &self.instance_id, &org, MEMBER_KIND, &key).await?.is_none() {
                return Err(Error::not_found(
                    crate::shared_ids::GRANT_MEMBER_NOT_FOUND,
                    "the user is no member of the grant",
                ));
            }
            let on = Aggregate::new(aggregate::PROJECT, &req.project_id, &org);
            let removed = GrantMemberRemoved { user_id: req.user_id.clone(), grant_id: req.grant_id.clone() };
            let events = tx.push(vec![NewEvent::new(&on, &removed)?]).await?;
            tx.commit().await?;
            Ok(RemoveProjectGrantMemberResponse { details: changed_details(&events) })
        })
        .await
    }
}
