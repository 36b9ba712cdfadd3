//! User grants through the Management API: a user's roles on one of the
//! organization's projects, or on a project another organization granted
//! to it; added, changed, deactivated, reactivated, removed (one or many),
//! read and listed with the names of their user, organization and project.
//!
//! A grant is read from its `user_grant` document in `org_objects`, where
//! the import keeps grants too (keyed `projectId_userId`; added grants are
//! keyed by their id), so imported and added grants are one list and
//! export alike. The events are ZITADEL's `user.grant.*` on the `usergrant`
//! aggregate (`burg_domain::events::user_grant`); ids are from
//! `command/user_grant.go` (its long-standing precondition check).

use burg_api::management::*;
use burg_api::zitadel::user::v1::{Type as WireUserType, UserGrant, UserGrantState, user_grant_query::Query};
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::user_grant::*;
use burg_domain::state::UserType;
use burg_domain::{Error, Result};
use burg_store::Conn;
use burg_store::documents::DocRow;
use burg_store::list::TextMatch;
use serde_json::Value;

use crate::list::{list_details, text_match, v1_page};
use crate::{App, Ctx, added_details, changed_details, details, in_tx, retry};

const KIND: &str = burg_store::projection::user_grant::KIND;
const ACTIVE: i64 = 1;
/// `Errors.UserGrant.NotFound` of a removal.
const REMOVE_NOT_FOUND: &str = "COMMAND-1My0t";
const INACTIVE: i64 = 2;

/// A grant as stored, with the organization it belongs to.
struct Stored {
    org: String,
    row: DocRow,
    doc: Value,
}

impl Stored {
    fn of(org: String, row: DocRow) -> Stored {
        Stored { doc: serde_json::from_str(&row.data).unwrap_or_default(), org, row }
    }

    fn text(&self, key: &str) -> &str {
        self.doc.get(key).and_then(Value::as_str).unwrap_or_default()
    }

    fn roles(&self) -> Vec<String> {
        serde_json::from_value(self.doc.get("roleKeys").cloned().unwrap_or_default()).unwrap_or_default()
    }

    /// The aggregate its events are on: its id, or `orgId_key` for an
    /// imported grant (as the import wrote it).
    fn aggregate(&self) -> Aggregate {
        let id =
            if self.row.key.contains('_') { format!("{}_{}", self.org, self.row.key) } else { self.row.key.clone() };
        Aggregate::new(aggregate::USER_GRANT, id, &self.org)
    }
}

/// The names a grant is answered with, looked up once per list.
#[derive(Default)]
struct Names {
    orgs: std::collections::HashMap<String, (String, String)>,
    projects: std::collections::HashMap<(String, String), String>,
}

impl App {
    async fn stored_grant(&self, conn: &mut Conn, org: &str, id: &str) -> Result<Option<Stored>> {
        let row = burg_store::documents::get(&mut *conn, &self.instance_id, org, KIND, id).await?;
        Ok(row.map(|row| Stored::of(org.to_string(), row)))
    }

    /// The role keys a grant on `project` may hold in organization `org`,
    /// and the project grant it goes through (none for an own project):
    /// ZITADEL's `checkUserGrantPreCondition`.
    pub(crate) async fn grantable_roles(
        &self,
        conn: &mut Conn,
        org: &str,
        project: &str,
        project_grant: &str,
    ) -> Result<(Vec<String>, String)> {
        let own = burg_store::documents::get(&mut *conn, &self.instance_id, org, "project", project).await?;
        if own.is_some() && project_grant.is_empty() {
            let roles = burg_store::documents::all(&mut *conn, &self.instance_id, org, "project_role").await?;
            let keys = roles
                .into_iter()
                .filter_map(|r| serde_json::from_str::<Value>(&r.data).ok())
                .filter(|d| d["projectId"].as_str() == Some(project))
                .filter_map(|d| d["roleKey"].as_str().map(str::to_string))
                .collect();
            return Ok((keys, String::new()));
        }
        let grants = burg_store::documents::of_kind(&mut *conn, &self.instance_id, "project_grant").await?;
        for (_, row) in grants {
            let d: Value = serde_json::from_str(&row.data).unwrap_or_default();
            let g = &d["projectGrant"];
            if g["projectId"].as_str() == Some(project)
                && g["grantedOrgId"].as_str() == Some(org)
                && (project_grant.is_empty() || project_grant == row.key)
            {
                let keys = serde_json::from_value(g["roleKeys"].clone()).unwrap_or_default();
                return Ok((keys, row.key));
            }
        }
        Err(Error::failed_precondition(
            "COMMAND-4m9ff",
            format!("project {project:?} is not granted to the organization"),
        ))
    }

    /// Fails unless every key is one the grant may hold.
    pub(crate) fn require_roles(wanted: &[String], allowed: &[String]) -> Result<()> {
        match wanted.iter().find(|k| !allowed.contains(k)) {
            Some(k) => Err(Error::failed_precondition("COMMAND-mm9F4", format!("the project has no role {k:?}"))),
            None => Ok(()),
        }
    }

    pub async fn add_user_grant(&self, ctx: &Ctx, req: AddUserGrantRequest) -> Result<AddUserGrantResponse> {
        if req.user_id.is_empty() || req.project_id.is_empty() {
            return Err(Error::invalid_argument(
                crate::shared_ids::USER_GRANT_INVALID,
                "`userId` and `projectId` are needed",
            ));
        }
        let id = self.new_id();
        let events = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            if burg_store::users::user(tx.conn(), &self.instance_id, &req.user_id).await?.is_none() {
                return Err(Error::failed_precondition("COMMAND-4f8sg", format!("user {:?} not found", req.user_id)));
            }
            let (allowed, project_grant) =
                self.grantable_roles(tx.conn(), &org, &req.project_id, &req.project_grant_id).await?;
            Self::require_roles(&req.role_keys, &allowed)?;
            let existing = burg_store::documents::all(tx.conn(), &self.instance_id, &org, KIND).await?;
            let taken = existing.into_iter().map(|row| Stored::of(org.clone(), row)).any(|g| {
                g.text("userId") == req.user_id
                    && g.text("projectId") == req.project_id
                    && g.text("projectGrantId") == project_grant
            });
            if taken {
                return Err(Error::already_exists("V3-DKcYh", "the user has a grant on this project already"));
            }
            let added = UserGrantAdded {
                user_id: req.user_id.clone(),
                project_id: req.project_id.clone(),
                project_grant_id: project_grant,
                role_keys: req.role_keys.clone(),
            };
            let on = Aggregate::new(aggregate::USER_GRANT, &id, &org);
            let events = tx.push(vec![NewEvent::new(&on, &added)?]).await?;
            tx.commit().await?;
            Ok(events)
        })
        .await?;
        Ok(AddUserGrantResponse { user_grant_id: id, details: added_details(&events) })
    }

    /// Grant `id` of the call's organization, or `missing`.
    async fn require_user_grant(&self, conn: &mut Conn, ctx: &Ctx, id: &str, missing: &'static str) -> Result<Stored> {
        self.stored_grant(conn, ctx.org(), id)
            .await?
            .ok_or_else(|| Error::not_found(missing, format!("user grant {id:?} not found")))
    }

    pub async fn update_user_grant(&self, ctx: &Ctx, req: UpdateUserGrantRequest) -> Result<UpdateUserGrantResponse> {
        let events = in_tx!(self, ctx, |conn| {
            let g = self.require_user_grant(conn, ctx, &req.grant_id, crate::shared_ids::NOT_FOUND_3M9SD).await?;
            if g.roles() == req.role_keys {
                return Err(Error::failed_precondition("COMMAND-Rs8fy", "the grant has these roles already"));
            }
            let (allowed, _) =
                self.grantable_roles(conn, &g.org, g.text("projectId"), g.text("projectGrantId")).await?;
            Self::require_roles(&req.role_keys, &allowed)?;
            let changed = UserGrantChanged { user_id: g.text("userId").to_string(), role_keys: req.role_keys.clone() };
            Ok(vec![NewEvent::new(&g.aggregate(), &changed)?])
        })?;
        Ok(UpdateUserGrantResponse { details: changed_details(&events) })
    }

    pub async fn deactivate_user_grant(
        &self,
        ctx: &Ctx,
        req: DeactivateUserGrantRequest,
    ) -> Result<DeactivateUserGrantResponse> {
        let events = in_tx!(self, ctx, |conn| {
            let g = self.require_user_grant(conn, ctx, &req.grant_id, crate::shared_ids::NOT_FOUND_3M9SD).await?;
            if g.row.state != ACTIVE {
                return Err(Error::failed_precondition("COMMAND-1S9gx", "the user grant is not active"));
            }
            Ok(vec![NewEvent::new(&g.aggregate(), &UserGrantDeactivated {})?])
        })?;
        Ok(DeactivateUserGrantResponse { details: changed_details(&events) })
    }

    pub async fn reactivate_user_grant(
        &self,
        ctx: &Ctx,
        req: ReactivateUserGrantRequest,
    ) -> Result<ReactivateUserGrantResponse> {
        let events = in_tx!(self, ctx, |conn| {
            let g = self.require_user_grant(conn, ctx, &req.grant_id, "COMMAND-Lp0gs").await?;
            if g.row.state != INACTIVE {
                return Err(Error::failed_precondition("COMMAND-1ML0v", "the user grant is not inactive"));
            }
            Ok(vec![NewEvent::new(&g.aggregate(), &UserGrantReactivated {})?])
        })?;
        Ok(ReactivateUserGrantResponse { details: changed_details(&events) })
    }

    pub async fn remove_user_grant(&self, ctx: &Ctx, req: RemoveUserGrantRequest) -> Result<RemoveUserGrantResponse> {
        let events = in_tx!(self, ctx, |conn| {
            let g = self.require_user_grant(conn, ctx, &req.grant_id, REMOVE_NOT_FOUND).await?;
            Ok(vec![NewEvent::new(&g.aggregate(), &UserGrantRemoved {})?])
        })?;
        Ok(RemoveUserGrantResponse { details: changed_details(&events) })
    }

    /// Removes every grant named, all or none.
    pub async fn bulk_remove_user_grant(
        &self,
        ctx: &Ctx,
        req: BulkRemoveUserGrantRequest,
    ) -> Result<BulkRemoveUserGrantResponse> {
        if req.grant_id.is_empty() {
            return Err(Error::invalid_argument("COMMAND-5M0sd", "`grantId` must name at least one grant"));
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let mut events = Vec::new();
            for id in &req.grant_id {
                let g = self.require_user_grant(tx.conn(), ctx, id, REMOVE_NOT_FOUND).await?;
                events.push(NewEvent::new(&g.aggregate(), &UserGrantRemoved {})?);
            }
            tx.push(events).await?;
            tx.commit().await?;
            Ok(BulkRemoveUserGrantResponse {})
        })
        .await
    }

    /// A grant as the wire's `UserGrant`, with the names it is answered with.
    async fn user_grant_wire(&self, conn: &mut Conn, g: &Stored, names: &mut Names) -> Result<UserGrant> {
        let user = burg_store::users::user(&mut *conn, &self.instance_id, g.text("userId")).await?;
        let mut org_names = async |conn: &mut Conn, id: &str| -> Result<(String, String)> {
            if let Some(n) = names.orgs.get(id) {
                return Ok(n.clone());
            }
            let row = burg_store::orgs::get(&mut *conn, &self.instance_id, id).await?;
            let n = row.map(|o| (o.name, o.primary_domain)).unwrap_or_default();
            names.orgs.insert(id.to_string(), n.clone());
            Ok(n)
        };
        let (org_name, org_domain) = org_names(conn, &g.org).await?;
        let user_org = user.as_ref().map(|u| u.resource_owner.clone()).unwrap_or_default();
        let (granted_org_name, granted_org_domain) = org_names(conn, &user_org).await?;
        let project_id = g.text("projectId").to_string();
        let project_owner = self.project_owner(conn, &g.org, &project_id, g.text("projectGrantId")).await?;
        let key = (project_owner.clone(), project_id.clone());
        let project_name = match names.projects.get(&key) {
            Some(n) => n.clone(),
            None => {
                let doc =
                    burg_store::documents::get(&mut *conn, &self.instance_id, &project_owner, "project", &project_id)
                        .await?;
                let name = doc
                    .and_then(|d| serde_json::from_str::<Value>(&d.data).ok())
                    .and_then(|d| d["project"]["name"].as_str().map(str::to_string))
                    .unwrap_or_default();
                names.projects.insert(key, name.clone());
                name
            }
        };
        let login = match &user {
            Some(u) => self.login_names(&u.resource_owner).await?.of(&u.username).1,
            None => String::new(),
        };
        let u = user.as_ref();
        let text = |f: fn(&burg_store::users::UserRow) -> &String| u.map(|u| f(u).clone()).unwrap_or_default();
        let machine = u.is_some_and(|u| u.user_type == UserType::Machine);
        Ok(UserGrant {
            id: g.row.key.clone(),
            details: details(g.row.sequence, g.row.creation_date, g.row.change_date, &g.org),
            role_keys: g.roles(),
            state: if g.row.state == INACTIVE { UserGrantState::Inactive } else { UserGrantState::Active } as i32,
            user_id: g.text("userId").to_string(),
            user_name: text(|u| &u.username),
            first_name: text(|u| &u.first_name),
            last_name: text(|u| &u.last_name),
            email: text(|u| &u.email),
            display_name: if machine { text(|u| &u.machine_name) } else { text(|u| &u.display_name) },
            org_id: g.org.clone(),
            org_name,
            org_domain,
            project_id,
            project_name,
            project_grant_id: g.text("projectGrantId").to_string(),
            avatar_url: String::new(),
            preferred_login_name: login,
            user_type: if machine { WireUserType::Machine } else { WireUserType::Human } as i32,
            granted_org_id: user_org,
            granted_org_name,
            granted_org_domain,
        })
    }

    /// The organization that owns a grant's project: the grant's own, or
    /// the one whose project grant it goes through.
    async fn project_owner(&self, conn: &mut Conn, org: &str, project: &str, project_grant: &str) -> Result<String> {
        if project_grant.is_empty() {
            return Ok(org.to_string());
        }
        let grants = burg_store::documents::of_kind(&mut *conn, &self.instance_id, "project_grant").await?;
        Ok(grants
            .into_iter()
            .find(|(_, row)| row.key == project_grant)
            .map(|(owner, _)| owner)
            .filter(|_| !project.is_empty())
            .unwrap_or_else(|| org.to_string()))
    }

    pub async fn get_user_grant_by_id(
        &self,
        ctx: &Ctx,
        req: GetUserGrantByIdRequest,
    ) -> Result<GetUserGrantByIdResponse> {
        let mut conn = self.db.acquire("UGRANT-db01").await?;
        let g = self
            .stored_grant(&mut conn, ctx.org(), &req.grant_id)
            .await?
            .filter(|g| g.text("userId") == req.user_id)
            .ok_or_else(|| Error::not_found("QUERY-wIPkA", format!("user grant {:?} not found", req.grant_id)))?;
        let user_grant = self.user_grant_wire(&mut conn, &g, &mut Names::default()).await?;
        Ok(GetUserGrantByIdResponse { user_grant: Some(user_grant) })
    }

    /// The organization's grants (with `withGranted`, also the grants other
    /// organizations hold on its projects) that match every query, oldest
    /// first.
    pub async fn list_user_grants(&self, ctx: &Ctx, req: ListUserGrantRequest) -> Result<ListUserGrantResponse> {
        let page = v1_page(req.query.as_ref())?;
        let org = ctx.org().to_string();
        let mut with_granted = false;
        let mut filters: Vec<(&'static str, TextMatch)> = Vec::new();
        let mut exact: Vec<(&'static str, String)> = Vec::new();
        let mut user_type = None;
        for q in &req.queries {
            match &q.query {
                Some(Query::ProjectIdQuery(q)) => exact.push(("projectId", q.project_id.clone())),
                Some(Query::UserIdQuery(q)) => exact.push(("userId", q.user_id.clone())),
                Some(Query::ProjectGrantIdQuery(q)) => exact.push(("projectGrantId", q.project_grant_id.clone())),
                Some(Query::WithGrantedQuery(q)) => with_granted = q.with_granted,
                Some(Query::RoleKeyQuery(q)) => filters.push(("roleKey", text_match(&q.role_key, q.method)?)),
                Some(Query::UserNameQuery(q)) => filters.push(("userName", text_match(&q.user_name, q.method)?)),
                Some(Query::FirstNameQuery(q)) => filters.push(("firstName", text_match(&q.first_name, q.method)?)),
                Some(Query::LastNameQuery(q)) => filters.push(("lastName", text_match(&q.last_name, q.method)?)),
                Some(Query::EmailQuery(q)) => filters.push(("email", text_match(&q.email, q.method)?)),
                Some(Query::OrgNameQuery(q)) => filters.push(("orgName", text_match(&q.org_name, q.method)?)),
                Some(Query::OrgDomainQuery(q)) => filters.push(("orgDomain", text_match(&q.org_domain, q.method)?)),
                Some(Query::ProjectNameQuery(q)) => {
                    filters.push(("projectName", text_match(&q.project_name, q.method)?))
                }
                Some(Query::DisplayNameQuery(q)) => {
                    filters.push(("displayName", text_match(&q.display_name, q.method)?))
                }
                Some(Query::UserTypeQuery(q)) => user_type = Some(q.r#type),
                None => {}
            }
        }
        let mut conn = self.db.acquire("UGRANT-db02").await?;
        let mut grants: Vec<Stored> = burg_store::documents::all(&mut *conn, &self.instance_id, &org, KIND)
            .await?
            .into_iter()
            .map(|row| Stored::of(org.clone(), row))
            .collect();
        if with_granted {
            let own_projects: Vec<String> = burg_store::documents::all(&mut *conn, &self.instance_id, &org, "project")
                .await?
                .into_iter()
                .map(|r| r.key)
                .collect();
            for (owner, row) in burg_store::documents::of_kind(&mut *conn, &self.instance_id, KIND).await? {
                let g = Stored::of(owner, row);
                if g.org != org && own_projects.iter().any(|p| p == g.text("projectId")) {
                    grants.push(g);
                }
            }
        }
        grants.retain(|g| exact.iter().all(|(k, v)| g.text(k) == v));
        let mut names = Names::default();
        let mut result = Vec::new();
        for g in &grants {
            let w = self.user_grant_wire(&mut conn, g, &mut names).await?;
            let field = |k: &str| -> Vec<&str> {
                match k {
                    "roleKey" => w.role_keys.iter().map(String::as_str).collect(),
                    "userName" => vec![&w.user_name],
                    "firstName" => vec![&w.first_name],
                    "lastName" => vec![&w.last_name],
                    "email" => vec![&w.email],
                    "orgName" => vec![&w.org_name],
                    "orgDomain" => vec![&w.org_domain],
                    "projectName" => vec![&w.project_name],
                    _ => vec![&w.display_name],
                }
            };
            let keep = filters.iter().all(|(k, m)| field(k).iter().any(|v| m.matches(v)))
                && user_type.is_none_or(|t| t == 0 || t == w.user_type);
            if keep {
                result.push(w);
            }
        }
        let total = result.len() as i64;
        let result = page.of(result).collect();
        Ok(ListUserGrantResponse { details: list_details(total, 0, self.now()), result })
    }
}
