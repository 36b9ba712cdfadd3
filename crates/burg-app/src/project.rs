//! Projects through the Management API: add, change, deactivate,
//! reactivate, remove, get, list and their changes, in the call's
//! organization.
//!
//! A project is read from its `DataProject` document (`burg_store::documents`,
//! kind `project`), where the import keeps projects too, so imported and
//! created projects are one list; the events are ZITADEL's
//! (`project.added`, …, see `burg_domain::events::project`).

use burg_api::management::{
    AddProjectRequest, AddProjectResponse, DeactivateProjectRequest, DeactivateProjectResponse, GetProjectByIdRequest,
    GetProjectByIdResponse, ListProjectChangesRequest, ListProjectChangesResponse, ListProjectsRequest,
    ListProjectsResponse, ReactivateProjectRequest, ReactivateProjectResponse, RemoveProjectRequest,
    RemoveProjectResponse, UpdateProjectRequest, UpdateProjectResponse,
};
use burg_api::zitadel::project::v1::{PrivateLabelingSetting, Project, ProjectState, project_query::Query};
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::project::{
    ProjectAdded, ProjectChanged, ProjectDeactivated, ProjectReactivated, ProjectRemoved,
};
use burg_domain::{Error, Result};
use burg_store::Conn;
use burg_store::documents::DocRow;
use serde_json::Value;

use crate::list::{list_details, text_match, v1_page};
use crate::{App, Ctx, added_details, changed_details, details, retry};

/// The `org_objects` kind of projects.
const KIND: &str = "project";
/// `domain.ProjectState`.
const ACTIVE: i64 = 1;
const INACTIVE: i64 = 2;

/// ZITADEL's `Errors.Project.NotFound` of its change, reactivation and
/// removal commands.
const NOT_FOUND: &str = "COMMAND-3M9sd";

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
        let name = req.name.trim().to_string();
        if name.is_empty() {
            return Err(Error::invalid_argument("PROJECT-IOVCC", "`name` must not be empty"));
        }
        let id = self.new_id();
        let events = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
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
            return Err(Error::invalid_argument("COMMAND-4m9vS", "`name` must not be empty"));
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
                return Err(Error::failed_precondition("COMMAND-2M0fs", "the project has these values already"));
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
            .ok_or_else(|| Error::not_found("QUERY-fk2fs", format!("project {:?} not found", req.id)))?;
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
        let matching: Vec<Stored> =
            rows.into_iter().map(Stored::of).filter(|p| names.iter().all(|m| m.matches(p.name()))).collect();
        let total = matching.len() as i64;
        let result = matching
            .iter()
            .skip(usize::try_from(page.offset).unwrap_or(usize::MAX))
            .take(usize::try_from(page.limit).unwrap_or(usize::MAX))
            .map(|p| p.wire(org))
            .collect();
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
