//! Projects through the Management API: add, change, deactivate,
//! reactivate, remove, get, list and their changes, in the call's
//! organization.
//!
//! A project is read from its `DataProject` document (`burg_store::documents`,
//! kind `project`), where the import keeps projects too, so imported and
//! created projects are one list; the events are ZITADEL's
//! (`project.added`, …, see `burg_domain::events::project`).

use burg_api::management::{
    AddProjectMemberRequest, AddProjectMemberResponse, AddProjectRequest, AddProjectResponse, AddProjectRoleRequest,
    AddProjectRoleResponse, BulkAddProjectRolesRequest, BulkAddProjectRolesResponse, DeactivateProjectRequest,
    DeactivateProjectResponse, GetProjectByIdRequest, GetProjectByIdResponse, ListProjectChangesRequest,
    ListProjectChangesResponse, ListProjectMemberRolesRequest, ListProjectMemberRolesResponse,
    ListProjectMembersRequest, ListProjectMembersResponse, ListProjectRolesRequest, ListProjectRolesResponse,
    ListProjectsRequest, ListProjectsResponse, ReactivateProjectRequest, ReactivateProjectResponse,
    RemoveProjectMemberRequest, RemoveProjectMemberResponse, RemoveProjectRequest, RemoveProjectResponse,
    RemoveProjectRoleRequest, RemoveProjectRoleResponse, UpdateProjectMemberRequest, UpdateProjectMemberResponse,
    UpdateProjectRequest, UpdateProjectResponse, UpdateProjectRoleRequest, UpdateProjectRoleResponse,
};
use burg_api::zitadel::project::v1::{
    PrivateLabelingSetting, Project, ProjectState, Role, project_query::Query, role_query,
};
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::project::{
    MemberAdded, MemberChanged, MemberRemoved, ProjectAdded, ProjectChanged, ProjectDeactivated, ProjectReactivated,
    ProjectRemoved, RoleAdded, RoleChanged, RoleRemoved,
};
use burg_domain::{Error, Result};
use burg_store::Conn;
use burg_store::documents::DocRow;
use serde_json::Value;

use crate::list::{list_details, text_match, v1_page};
use crate::{App, Ctx, added_details, changed_details, details, retry};

/// The `org_objects` kind of projects.
pub(crate) const KIND: &str = "project";
/// `domain.ProjectState`.
const ACTIVE: i64 = 1;
const INACTIVE: i64 = 2;

/// ZITADEL's `Errors.Project.NotFound` of its change, reactivation and
/// removal commands.
const NOT_FOUND: &str = crate::shared_ids::NOT_FOUND_3M9SD;

/// ZITADEL's `Errors.Project.NotFound` of its project query.
pub(crate) const QUERY_NOT_FOUND: &str = "QUERY-fk2fs";

/// ZITADEL's `Errors.Project.Invalid` of a project's change and of a role.
const INVALID: &str = crate::shared_ids::PROJECT_OR_APP_INVALID;

/// A project as read: its id, settings, state and details.
struct Stored {
    row: DocRow,
    project: Value,
}

impl Stored {
    fn of(row: DocRow) -> Stored {
        let doc: Value = serde_json::from_str(&row.data).unwrap_or_default();
        Stored { project: doc.get("project").cloned().unwrap_or_default(), row }
    }

    fn name(&self) -> &str {
        self.project.get("name").and_then(Value::as_str).unwrap_or_default()
    }

    fn flag(&self, key: &str) -> bool {
        self.project.get(key).and_then(Value::as_bool).unwrap_or_default()
    }

    fn labeling(&self) -> i32 {
        let name = self.project.get("privateLabelingSetting").and_then(Value::as_str).unwrap_or_default();
        PrivateLabelingSetting::from_str_name(name).map_or(0, |l| l as i32)
    }

    fn wire(&self, org: &str) -> Project {
        Project {
            id: self.row.key.clone(),
            details: details(self.row.sequence, self.row.creation_date, self.row.change_date, org),
            name: self.name().to_string(),
            state: if self.row.state == INACTIVE { ProjectState::Inactive } else { ProjectState::Active } as i32,
            project_role_assertion: self.flag("projectRoleAssertion"),
            project_role_check: self.flag("projectRoleCheck"),
            has_project_check: self.flag("hasProjectCheck"),
            private_labeling_setting: self.labeling(),
        }
    }
}

impl App {
    async fn project(&self, conn: &mut Conn, org: &str, id: &str) -> Result<Option<Stored>> {
        Ok(burg_store::documents::get(conn, &self.instance_id, org, KIND, id).await?.map(Stored::of))
    }

    pub async fn add_project(&self, ctx: &Ctx, req: AddProjectRequest) -> Result<AddProjectResponse> {
        self.add_project_as(ctx, req, None).await
    }

    /// Adds a project with the id given (the v2 API may name one) or a new one.
    pub(crate) async fn add_project_as(
        &self,
        ctx: &Ctx,
        req: AddProjectRequest,
        given_id: Option<String>,
    ) -> Result<AddProjectResponse> {
        let name = req.name.trim().to_string();
        if name.is_empty() {
            return Err(Error::invalid_argument(crate::shared_ids::PROJECT_INVALID, "`name` must not be empty"));
        }
        let id = given_id.clone().unwrap_or_else(|| self.new_id());
        let events = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            if given_id.is_some()
                && burg_store::documents::owner_of(tx.conn(), &self.instance_id, &[KIND], &id).await?.is_some()
            {
                return Err(Error::already_exists(
                    crate::shared_ids::PROJECT_EXISTS,
                    format!("a project with id {id:?} exists"),
                ));
            }
            self.require_active_org(tx.conn(), &org).await?;
            let added = ProjectAdded {
                name: name.clone(),
                project_role_assertion: req.project_role_assertion,
                project_role_check: req.project_role_check,
                has_project_check: req.has_project_check,
                private_labeling_setting: req.private_labeling_setting,
            };
            let on = Aggregate::new(aggregate::PROJECT, &id, &org);
            let events = tx.push(vec![NewEvent::new(&on, &added)?]).await?;
            tx.commit().await?;
            Ok(events)
        })
        .await?;
        Ok(AddProjectResponse { id, details: added_details(&events) })
    }

    pub async fn update_project(&self, ctx: &Ctx, req: UpdateProjectRequest) -> Result<UpdateProjectResponse> {
        let name = req.name.trim().to_string();
        if name.is_empty() {
            return Err(Error::invalid_argument(INVALID, "`name` must not be empty"));
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            let p = self
                .project(tx.conn(), &org, &req.id)
                .await?
                .ok_or_else(|| Error::not_found(NOT_FOUND, format!("project {:?} not found", req.id)))?;
            let differs = |a: bool, b: bool| (a != b).then_some(b);
            let changed = ProjectChanged {
                name: (p.name() != name).then(|| name.clone()),
                project_role_assertion: differs(p.flag("projectRoleAssertion"), req.project_role_assertion),
                project_role_check: differs(p.flag("projectRoleCheck"), req.project_role_check),
                has_project_check: differs(p.flag("hasProjectCheck"), req.has_project_check),
                private_labeling_setting: (p.labeling() != req.private_labeling_setting)
                    .then_some(req.private_labeling_setting),
            };
            if changed == ProjectChanged::default() {
                return Err(Error::failed_precondition(
                    crate::shared_ids::NO_CHANGES,
                    "the project has these values already",
                ));
            }
            let on = Aggregate::new(aggregate::PROJECT, &req.id, &org);
            let events = tx.push(vec![NewEvent::new(&on, &changed)?]).await?;
            tx.commit().await?;
            Ok(UpdateProjectResponse { details: changed_details(&events) })
        })
        .await
    }

    pub async fn deactivate_project(
        &self,
        ctx: &Ctx,
        req: DeactivateProjectRequest,
    ) -> Result<DeactivateProjectResponse> {
        let details = self.set_project_state(ctx, &req.id, INACTIVE).await?;
        Ok(DeactivateProjectResponse { details })
    }

    pub async fn reactivate_project(
        &self,
        ctx: &Ctx,
        req: ReactivateProjectRequest,
    ) -> Result<ReactivateProjectResponse> {
        let details = self.set_project_state(ctx, &req.id, ACTIVE).await?;
        Ok(ReactivateProjectResponse { details })
    }

    /// Deactivates (`to` inactive) or reactivates a project, with ZITADEL's
    /// answers for a project that is not there or already so.
    async fn set_project_state(&self, ctx: &Ctx, id: &str, to: i64) -> Result<Option<burg_api::object::ObjectDetails>> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            let Some(p) = self.project(tx.conn(), &org, id).await? else {
                let missing = if to == INACTIVE { "COMMAND-112M9" } else { NOT_FOUND };
                return Err(Error::not_found(missing, format!("project {id:?} not found")));
            };
            if p.row.state == to {
                return Err(if to == INACTIVE {
                    Error::failed_precondition("COMMAND-mki55", "the project is not active")
                } else {
                    Error::failed_precondition("COMMAND-5M9bs", "the project is not inactive")
                });
            }
            let on = Aggregate::new(aggregate::PROJECT, id, &org);
            let event = if to == INACTIVE {
                NewEvent::new(&on, &ProjectDeactivated {})?
            } else {
                NewEvent::new(&on, &ProjectReactivated {})?
            };
            let events = tx.push(vec![event]).await?;
            tx.commit().await?;
            Ok(changed_details(&events))
        })
        .await
    }

    /// Removes a project and, with it, its roles, members, grants, apps
    /// and user grants.
    pub async fn remove_project(&self, ctx: &Ctx, req: RemoveProjectRequest) -> Result<RemoveProjectResponse> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            let p = self
                .project(tx.conn(), &org, &req.id)
                .await?
                .ok_or_else(|| Error::not_found(NOT_FOUND, format!("project {:?} not found", req.id)))?;
            let on = Aggregate::new(aggregate::PROJECT, &req.id, &org);
            let events = tx.push(vec![NewEvent::new(&on, &ProjectRemoved { name: p.name().to_string() })?]).await?;
            tx.commit().await?;
            Ok(RemoveProjectResponse { details: changed_details(&events) })
        })
        .await
    }

    pub async fn get_project_by_id(&self, ctx: &Ctx, req: GetProjectByIdRequest) -> Result<GetProjectByIdResponse> {
        let org = ctx.org();
        let mut conn = self.db.acquire("PROJECT-db01").await?;
        let p = self
            .project(&mut conn, org, &req.id)
            .await?
            .ok_or_else(|| Error::not_found(QUERY_NOT_FOUND, format!("project {:?} not found", req.id)))?;
        Ok(GetProjectByIdResponse { project: Some(p.wire(org)) })
    }

    /// The organization's projects that match every query, oldest first.
    pub async fn list_projects(&self, ctx: &Ctx, req: ListProjectsRequest) -> Result<ListProjectsResponse> {
        let page = v1_page(req.query.as_ref())?;
        let org = ctx.org();
        let mut names = Vec::new();
        let mut other_owner = false;
        for q in &req.queries {
            match &q.query {
                Some(Query::NameQuery(n)) => names.push(text_match(&n.name, n.method)?),
                Some(Query::ProjectResourceOwnerQuery(o)) => other_owner |= o.resource_owner != org,
                None => {}
            }
        }
        let rows = if other_owner {
            Vec::new()
        } else {
            burg_store::documents::all(self.db.pool(), &self.instance_id, org, KIND).await?
        };
        // A caller let through on its project memberships sees those projects.
        let visible = |p: &Stored| ctx.scope.as_ref().is_none_or(|s| s.ids.contains(&p.row.key));
        let matching: Vec<Stored> = rows
            .into_iter()
            .map(Stored::of)
            .filter(|p| names.iter().all(|m| m.matches(p.name())) && visible(p))
            .collect();
        let total = matching.len() as i64;
        let result = page.of(matching.iter()).map(|p| p.wire(org)).collect();
        Ok(ListProjectsResponse { details: list_details(total, 0, self.now()), result })
    }

    pub async fn list_project_changes(
        &self,
        ctx: &Ctx,
        req: ListProjectChangesRequest,
    ) -> Result<ListProjectChangesResponse> {
        let mut conn = self.db.acquire("PROJECT-db02").await?;
        if self.project(&mut conn, ctx.org(), &req.project_id).await?.is_none() {
            return Ok(ListProjectChangesResponse { result: Vec::new() });
        }
        drop(conn);
        let result = self.changes(aggregate::PROJECT, &req.project_id, req.query.unwrap_or_default()).await?;
        Ok(ListProjectChangesResponse { result })
    }
}

/// The `org_objects` kind of project roles, keyed `projectId_roleKey`.
const ROLE_KIND: &str = "project_role";

/// The role document key of `key` in `project`.
fn role_doc_key(project: &str, key: &str) -> String {
    format!("{project}_{key}")
}

fn role_of(row: &DocRow, org: &str) -> Role {
    let doc: Value = serde_json::from_str(&row.data).unwrap_or_default();
    let text = |k: &str| doc.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    Role {
        key: text("roleKey"),
        details: details(row.sequence, row.creation_date, row.change_date, org),
        display_name: text("displayName"),
        group: text("group"),
    }
}

impl App {
    /// Fails with ZITADEL's `checkProjectExists` answer unless the project
    /// is one of `org`'s.
    pub(crate) async fn require_project(&self, conn: &mut Conn, org: &str, id: &str) -> Result<()> {
        match self.project(conn, org, id).await? {
            Some(_) => Ok(()),
            None => Err(Error::failed_precondition("COMMA-VCnwD", format!("project {id:?} not found"))),
        }
    }

    /// Adds roles to a project: one `project.role.added` each; a key the
    /// project has (or the request repeats) is AlreadyExists, as ZITADEL's
    /// unique constraint answers.
    async fn add_roles(
        &self,
        ctx: &Ctx,
        project: &str,
        roles: &[(String, String, String)],
    ) -> Result<Vec<burg_domain::event::Event>> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            self.require_project(tx.conn(), &org, project).await?;
            let on = Aggregate::new(aggregate::PROJECT, project, &org);
            let mut events = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for (key, display_name, group) in roles {
                let stored = burg_store::documents::get(
                    tx.conn(),
                    &self.instance_id,
                    &org,
                    ROLE_KIND,
                    &role_doc_key(project, key),
                )
                .await?;
                if stored.is_some() || !seen.insert(key.clone()) {
                    return Err(Error::already_exists("V3-DKcYh", format!("the project has the role {key:?} already")));
                }
                let added = RoleAdded { key: key.clone(), display_name: display_name.clone(), group: group.clone() };
                events.push(NewEvent::new(&on, &added)?);
            }
            if events.is_empty() {
                return Err(Error::invalid_argument(INVALID, "`roles` must not be empty"));
            }
            let events = tx.push(events).await?;
            tx.commit().await?;
            Ok(events)
        })
        .await
    }

    pub async fn add_project_role(&self, ctx: &Ctx, req: AddProjectRoleRequest) -> Result<AddProjectRoleResponse> {
        let role = (req.role_key.clone(), req.display_name.clone(), req.group.clone());
        let events = self.add_roles(ctx, &req.project_id, &[role]).await?;
        Ok(AddProjectRoleResponse { details: added_details(&events) })
    }

    pub async fn bulk_add_project_roles(
        &self,
        ctx: &Ctx,
        req: BulkAddProjectRolesRequest,
    ) -> Result<BulkAddProjectRolesResponse> {
        let roles: Vec<_> =
            req.roles.iter().map(|r| (r.key.clone(), r.display_name.clone(), r.group.clone())).collect();
        let events = self.add_roles(ctx, &req.project_id, &roles).await?;
        Ok(BulkAddProjectRolesResponse { details: changed_details(&events) })
    }

    pub async fn update_project_role(
        &self,
        ctx: &Ctx,
        req: UpdateProjectRoleRequest,
    ) -> Result<UpdateProjectRoleResponse> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            self.require_project(tx.conn(), &org, &req.project_id).await?;
            let key = role_doc_key(&req.project_id, &req.role_key);
            let row = burg_store::documents::get(tx.conn(), &self.instance_id, &org, ROLE_KIND, &key)
                .await?
                .ok_or_else(|| Error::not_found("COMMAND-vv8M9", format!("role {:?} not found", req.role_key)))?;
            let role = role_of(&row, &org);
            let changed = RoleChanged {
                key: req.role_key.clone(),
                display_name: (role.display_name != req.display_name).then(|| req.display_name.clone()),
                group: (role.group != req.group).then(|| req.group.clone()),
            };
            if changed.display_name.is_none() && changed.group.is_none() {
                return Err(Error::failed_precondition("COMMAND-5M0cs", "the role has these values already"));
            }
            let on = Aggregate::new(aggregate::PROJECT, &req.project_id, &org);
            let events = tx.push(vec![NewEvent::new(&on, &changed)?]).await?;
            tx.commit().await?;
            Ok(UpdateProjectRoleResponse { details: changed_details(&events) })
        })
        .await
    }

    /// Removes a role; the project's grants lose it too.
    pub async fn remove_project_role(
        &self,
        ctx: &Ctx,
        req: RemoveProjectRoleRequest,
    ) -> Result<RemoveProjectRoleResponse> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            let key = role_doc_key(&req.project_id, &req.role_key);
            if burg_store::documents::get(tx.conn(), &self.instance_id, &org, ROLE_KIND, &key).await?.is_none() {
                return Err(Error::not_found("COMMAND-m9vMf", format!("role {:?} not found", req.role_key)));
            }
            let on = Aggregate::new(aggregate::PROJECT, &req.project_id, &org);
            let events = tx.push(vec![NewEvent::new(&on, &RoleRemoved { key: req.role_key.clone() })?]).await?;
            tx.commit().await?;
            Ok(RemoveProjectRoleResponse { details: changed_details(&events) })
        })
        .await
    }

    /// A project's roles that match every query, oldest first.
    /// The roles of project `project` of `owner` that match every query
    /// (and, with `only`, have one of those keys), by key.
    pub(crate) async fn roles_matching(
        &self,
        owner: &str,
        project: &str,
        queries: &[burg_api::zitadel::project::v1::RoleQuery],
        only: Option<&[String]>,
    ) -> Result<Vec<Role>> {
        let mut keys = Vec::new();
        let mut names = Vec::new();
        for q in queries {
            match &q.query {
                Some(role_query::Query::KeyQuery(k)) => keys.push(text_match(&k.key, k.method)?),
                Some(role_query::Query::DisplayNameQuery(n)) => names.push(text_match(&n.display_name, n.method)?),
                None => {}
            }
        }
        let rows = burg_store::documents::all(self.db.pool(), &self.instance_id, owner, ROLE_KIND).await?;
        Ok(rows
            .iter()
            .filter(|r| {
                let doc: Value = serde_json::from_str(&r.data).unwrap_or_default();
                doc.get("projectId").and_then(Value::as_str) == Some(project)
            })
            .map(|r| role_of(r, owner))
            .filter(|r| only.is_none_or(|only| only.contains(&r.key)))
            .filter(|r| keys.iter().all(|m| m.matches(&r.key)) && names.iter().all(|m| m.matches(&r.display_name)))
            .collect())
    }

    pub async fn list_project_roles(
        &self,
        ctx: &Ctx,
        req: ListProjectRolesRequest,
    ) -> Result<ListProjectRolesResponse> {
        let page = v1_page(req.query.as_ref())?;
        let roles = self.roles_matching(ctx.org(), &req.project_id, &req.queries, None).await?;
        let total = roles.len() as i64;
        let result = page.of(roles).collect();
        Ok(ListProjectRolesResponse { details: list_details(total, 0, self.now()), result })
    }
}

/// The `org_objects` kind of project members, keyed `projectId_userId`.
const MEMBER_KIND: &str = "project_member";

/// The roles a project member may hold (ZITADEL's `PROJECT*` roles of
/// `InternalAuthZ`), the granted-project ones last.
const PROJECT_MEMBER_ROLES: [&str; 6] = [
    "PROJECT_OWNER",
    "PROJECT_OWNER_VIEWER",
    "PROJECT_OWNER_GLOBAL",
    "PROJECT_OWNER_VIEWER_GLOBAL",
    "PROJECT_GRANT_OWNER",
    "PROJECT_GRANT_OWNER_VIEWER",
];

/// ZITADEL's `ChangeProjectMember`: the member is invalid, or its roles
/// are the same (one id for both).
const MEMBER_INVALID: &str = "PROJECT-LiaZi";
/// `projectMemberWriteModelByID`: the user is no member.
const MEMBER_NOT_FOUND: &str = crate::shared_ids::PROJECT_PART_NOT_FOUND;

fn roles_valid(roles: &[String]) -> bool {
    roles.iter().all(|r| PROJECT_MEMBER_ROLES.contains(&r.as_str()))
}

/// A project member's roles as ZITADEL's `AddProjectMember` checks them
/// (the RPC and the import): some, and each a project member's role;
/// `field` names them in the answer.
pub(crate) fn project_member_roles(roles: &[String], field: &str) -> Result<()> {
    if roles.is_empty() {
        return Err(Error::invalid_argument(
            crate::shared_ids::PROJECT_MEMBER_INVALID,
            format!("`{field}` must not be empty"),
        ));
    }
    if !roles_valid(roles) {
        return Err(Error::invalid_argument("PROJECT-3m9ds", format!("`{field}` holds a role projects do not have")));
    }
    Ok(())
}

impl App {
    /// The roles of an owned project's members (the granted-project roles
    /// are the project grant members').
    pub async fn list_project_member_roles(
        &self,
        _ctx: &Ctx,
        _req: ListProjectMemberRolesRequest,
    ) -> Result<ListProjectMemberRolesResponse> {
        let result: Vec<String> =
            PROJECT_MEMBER_ROLES.iter().filter(|r| !r.starts_with("PROJECT_GRANT")).map(|r| r.to_string()).collect();
        Ok(ListProjectMemberRolesResponse { details: list_details(result.len() as i64, 0, self.now()), result })
    }

    pub async fn add_project_member(
        &self,
        ctx: &Ctx,
        req: AddProjectMemberRequest,
    ) -> Result<AddProjectMemberResponse> {
        project_member_roles(&req.roles, "roles")?;
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            // ZITADEL's order: the user, then the project.
            if burg_store::users::get(tx.conn(), &self.instance_id, &req.user_id).await?.is_none() {
                return Err(Error::failed_precondition(
                    crate::shared_ids::USER_NOT_FOUND,
                    format!("user {:?} not found", req.user_id),
                ));
            }
            self.require_project(tx.conn(), &org, &req.project_id).await?;
            let key = role_doc_key(&req.project_id, &req.user_id);
            if burg_store::documents::get(tx.conn(), &self.instance_id, &org, MEMBER_KIND, &key).await?.is_some() {
                return Err(Error::already_exists(
                    crate::shared_ids::PROJECT_MEMBER_EXISTS,
                    "the user is a member of the project already",
                ));
            }
            let on = Aggregate::new(aggregate::PROJECT, &req.project_id, &org);
            let added = MemberAdded { user_id: req.user_id.clone(), roles: req.roles.clone() };
            let events = tx.push(vec![NewEvent::new(&on, &added)?]).await?;
            tx.commit().await?;
            Ok(AddProjectMemberResponse { details: added_details(&events) })
        })
        .await
    }

    pub async fn update_project_member(
        &self,
        ctx: &Ctx,
        req: UpdateProjectMemberRequest,
    ) -> Result<UpdateProjectMemberResponse> {
        if req.roles.is_empty() {
            return Err(Error::invalid_argument(MEMBER_INVALID, "`roles` must not be empty"));
        }
        if !roles_valid(&req.roles) {
            return Err(Error::invalid_argument("PROJECT-3m9d", "`roles` holds a role projects do not have"));
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            let key = role_doc_key(&req.project_id, &req.user_id);
            let row = burg_store::documents::get(tx.conn(), &self.instance_id, &org, MEMBER_KIND, &key)
                .await?
                .ok_or_else(|| Error::not_found(MEMBER_NOT_FOUND, "the user is no member of the project"))?;
            let doc: Value = serde_json::from_str(&row.data).unwrap_or_default();
            let roles: Vec<String> =
                serde_json::from_value(doc.get("roles").cloned().unwrap_or_default()).unwrap_or_default();
            if roles == req.roles {
                return Err(Error::failed_precondition(MEMBER_INVALID, "the member has these roles already"));
            }
            let on = Aggregate::new(aggregate::PROJECT, &req.project_id, &org);
            let changed = MemberChanged { user_id: req.user_id.clone(), roles: req.roles.clone() };
            let events = tx.push(vec![NewEvent::new(&on, &changed)?]).await?;
            tx.commit().await?;
            Ok(UpdateProjectMemberResponse { details: changed_details(&events) })
        })
        .await
    }

    pub async fn remove_project_member(
        &self,
        ctx: &Ctx,
        req: RemoveProjectMemberRequest,
    ) -> Result<RemoveProjectMemberResponse> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            let key = role_doc_key(&req.project_id, &req.user_id);
            if burg_store::documents::get(tx.conn(), &self.instance_id, &org, MEMBER_KIND, &key).await?.is_none() {
                return Err(Error::not_found(MEMBER_NOT_FOUND, "the user is no member of the project"));
            }
            let on = Aggregate::new(aggregate::PROJECT, &req.project_id, &org);
            let events = tx.push(vec![NewEvent::new(&on, &MemberRemoved { user_id: req.user_id.clone() })?]).await?;
            tx.commit().await?;
            Ok(RemoveProjectMemberResponse { details: changed_details(&events) })
        })
        .await
    }

    /// A project's members with their users, by user id.
    pub async fn list_project_members(
        &self,
        ctx: &Ctx,
        req: ListProjectMembersRequest,
    ) -> Result<ListProjectMembersResponse> {
        let project = req.project_id.clone();
        let (total, result) = self
            .list_member_docs(
                ctx.org(),
                MEMBER_KIND,
                |d| d["projectId"].as_str() == Some(project.as_str()),
                &req.queries,
                req.query.as_ref(),
            )
            .await?;
        Ok(ListProjectMembersResponse { details: list_details(total, 0, self.now()), result })
    }

    /// The member documents of `kind` that `keep` selects, with their
    /// users, matching every query, by user id, as one page.
    pub(crate) async fn list_member_docs(
        &self,
        org: &str,
        kind: &str,
        keep: impl Fn(&Value) -> bool,
        queries: &[burg_api::zitadel::member::v1::SearchQuery],
        query: Option<&burg_api::object::ListQuery>,
    ) -> Result<(i64, Vec<burg_api::zitadel::member::v1::Member>)> {
        use burg_api::zitadel::member::v1::{Member, search_query::Query as MemberQuery};
        let page = v1_page(query)?;
        let mut conn = self.db.acquire("PROJECT-db03").await?;
        let rows = burg_store::documents::all(&mut *conn, &self.instance_id, org, kind).await?;
        let mut members = Vec::new();
        for row in rows {
            let doc: Value = serde_json::from_str(&row.data).unwrap_or_default();
            if !keep(&doc) {
                continue;
            }
            let user_id = doc.get("userId").and_then(Value::as_str).unwrap_or_default().to_string();
            let Some(user) = burg_store::members::member_user(&mut *conn, &self.instance_id, &user_id).await? else {
                continue;
            };
            let roles: Vec<String> =
                serde_json::from_value(doc.get("roles").cloned().unwrap_or_default()).unwrap_or_default();
            members.push(Member {
                user_id,
                details: details(row.sequence, row.creation_date, row.change_date, org),
                roles,
                preferred_login_name: user.user_name,
                email: user.email,
                first_name: user.first_name,
                last_name: user.last_name,
                display_name: user.display_name,
                avatar_url: String::new(),
                user_type: user.user_type.code() as i32,
                user_resource_owner: user.resource_owner,
            });
        }
        for q in queries {
            let keep: Box<dyn Fn(&Member) -> bool> = match &q.query {
                Some(MemberQuery::FirstNameQuery(f)) => {
                    let m = text_match(&f.first_name, f.method)?;
                    Box::new(move |x| m.matches(&x.first_name))
                }
                Some(MemberQuery::LastNameQuery(l)) => {
                    let m = text_match(&l.last_name, l.method)?;
                    Box::new(move |x| m.matches(&x.last_name))
                }
                Some(MemberQuery::EmailQuery(e)) => {
                    let m = text_match(&e.email, e.method)?;
                    Box::new(move |x| m.matches(&x.email))
                }
                Some(MemberQuery::UserIdQuery(u)) => {
                    let id = u.user_id.clone();
                    Box::new(move |x| x.user_id == id)
                }
                None => Box::new(|_| true),
            };
            members.retain(|m| keep(m));
        }
        members.sort_by(|a, b| a.user_id.cmp(&b.user_id));
        let total = members.len() as i64;
        let result = page.of(members).collect();
        Ok((total, result))
    }
}
