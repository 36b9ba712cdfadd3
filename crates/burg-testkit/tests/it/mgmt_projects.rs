//! The Management API's projects: created and imported projects are one
//! list, change alike and export alike.

use std::sync::Arc;

use burg_api::management::*;
use burg_api::object::{ListQuery, TextQueryMethod};
use burg_api::zitadel::project::v1::{ProjectNameQuery, ProjectQuery, project_query};
use burg_testkit::{Client, Protocol, TestServer, in_process, matrix};
use serde_json::{Value, json};
use tonic::Code;

const ORG: &str = "370000000000000001";
const IMPORTED: &str = "370000000000000002";

/// Imports an organization with one project, a role of it and an app.
async fn imported(s: &TestServer) {
    let doc = json!({"orgs": [{
        "orgId": ORG, "org": {"name": "Projectors"},
        "projects": [{"projectId": IMPORTED, "project": {"name": "Imported", "projectRoleCheck": true}}],
        "projectRoles": [{"projectId": IMPORTED, "roleKey": "reader", "displayName": "Reader"}],
        "apiApps": [{"appId": "370000000000000003",
                     "app": {"projectId": IMPORTED, "name": "api", "authMethodType": "API_AUTH_METHOD_TYPE_BASIC"}}]
    }]});
    let r = s.client(Protocol::Rest).await;
    let report = r.call_json("AdminService", "ImportData", json!({"dataOrgs": doc, "timeout": "1m"})).await.unwrap();
    assert!(report.get("errors").is_none(), "{report}");
}

async fn exported(s: &TestServer) -> Value {
    let r = s.client(Protocol::Rest).await;
    // Every organization: the grants and their members name the granted
    // ones, which an export of ORG alone would leave out (as ZITADEL's).
    let doc = r.call_json("AdminService", "ExportData", json!({})).await.unwrap();
    doc["orgs"].as_array().unwrap().iter().find(|o| o["orgId"] == ORG).cloned().unwrap()
}

matrix!(projects_created_and_imported_alike);

async fn projects_created_and_imported_alike(s: Arc<TestServer>, c: Client) {
    imported(&s).await;
    let c = c.with_org(ORG);
    let add = AddProjectRequest { name: "  Portal ".into(), has_project_check: true, ..Default::default() };
    let added: AddProjectResponse = c.call("AddProject", add).await.unwrap();
    assert_eq!(added.details.as_ref().unwrap().resource_owner, ORG);

    let list = |c: Client, name: &str| {
        let queries = if name.is_empty() {
            vec![]
        } else {
            vec![ProjectQuery {
                query: Some(project_query::Query::NameQuery(ProjectNameQuery {
                    name: name.into(),
                    method: TextQueryMethod::ContainsIgnoreCase as i32,
                })),
            }]
        };
        async move {
            let req = ListProjectsRequest { query: Some(ListQuery::default()), queries };
            let listed: ListProjectsResponse = c.call("ListProjects", req).await.unwrap();
            listed.result.into_iter().map(|p| (p.id, p.name, p.state)).collect::<Vec<_>>()
        }
    };
    assert_eq!(
        list(c.clone(), "").await,
        vec![(IMPORTED.into(), "Imported".into(), 1), (added.id.clone(), "Portal".into(), 1)]
    );
    assert_eq!(list(c.clone(), "PORTAL").await, vec![(added.id.clone(), "Portal".into(), 1)]);

    // The imported project changes as a created one does.
    let update = UpdateProjectRequest {
        id: IMPORTED.into(),
        name: "Imported too".into(),
        project_role_assertion: true,
        project_role_check: true,
        ..Default::default()
    };
    let _: UpdateProjectResponse = c.call("UpdateProject", update.clone()).await.unwrap();
    let err = c.call::<_, UpdateProjectResponse>("UpdateProject", update).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-2M0fs"));
    let got: GetProjectByIdResponse =
        c.call("GetProjectByID", GetProjectByIdRequest { id: IMPORTED.into() }).await.unwrap();
    let p = got.project.unwrap();
    assert_eq!((p.name.as_str(), p.project_role_assertion, p.project_role_check), ("Imported too", true, true));

    let _: DeactivateProjectResponse =
        c.call("DeactivateProject", DeactivateProjectRequest { id: added.id.clone() }).await.unwrap();
    let err = c
        .call::<_, DeactivateProjectResponse>("DeactivateProject", DeactivateProjectRequest { id: added.id.clone() })
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-mki55"));
    let got: GetProjectByIdResponse =
        c.call("GetProjectByID", GetProjectByIdRequest { id: added.id.clone() }).await.unwrap();
    assert_eq!(got.project.unwrap().state, 2);
    let _: ReactivateProjectResponse =
        c.call("ReactivateProject", ReactivateProjectRequest { id: added.id.clone() }).await.unwrap();

    // The export carries both, in the import's shape.
    let doc = exported(&s).await;
    let projects = doc["projects"].as_array().unwrap();
    let mine = projects.iter().find(|p| p["projectId"] == added.id.as_str()).unwrap();
    assert_eq!(mine["project"], json!({"name": "Portal", "hasProjectCheck": true}));
    let theirs = projects.iter().find(|p| p["projectId"] == IMPORTED).unwrap();
    assert_eq!(
        theirs["project"],
        json!({"name": "Imported too", "projectRoleAssertion": true, "projectRoleCheck": true})
    );

    // Changes of a project, oldest first.
    let changes: ListProjectChangesResponse = c
        .call(
            "ListProjectChanges",
            ListProjectChangesRequest {
                project_id: added.id.clone(),
                query: Some(burg_api::zitadel::change::v1::ChangeQuery { asc: true, ..Default::default() }),
            },
        )
        .await
        .unwrap();
    let types: Vec<String> = changes.result.iter().map(|ch| ch.event_type.as_ref().unwrap().key.clone()).collect();
    assert_eq!(
        types,
        ["project.added", "project.deactivated", "project.reactivated"].map(|t| format!("EventTypes.{t}")).to_vec()
    );

    // Removing the imported project takes its role and app along.
    let _: RemoveProjectResponse = c.call("RemoveProject", RemoveProjectRequest { id: IMPORTED.into() }).await.unwrap();
    let doc = exported(&s).await;
    assert_eq!(doc["projects"].as_array().map(Vec::len), Some(1));
    assert!(doc.get("projectRoles").is_none() && doc.get("apiApps").is_none(), "{doc}");
    let err = c
        .call::<_, GetProjectByIdResponse>("GetProjectByID", GetProjectByIdRequest { id: IMPORTED.into() })
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "QUERY-fk2fs"));
}

in_process!(project_errors);

async fn project_errors(_s: Arc<TestServer>, c: Client) {
    let err = c
        .call::<_, AddProjectResponse>("AddProject", AddProjectRequest { name: "   ".into(), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "PROJECT-IOVCC"));
    let missing = UpdateProjectRequest { id: "1".into(), name: "x".into(), ..Default::default() };
    let err = c.call::<_, UpdateProjectResponse>("UpdateProject", missing).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "COMMAND-3M9sd"));
    let err = c
        .call::<_, DeactivateProjectResponse>("DeactivateProject", DeactivateProjectRequest { id: "1".into() })
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "COMMAND-112M9"));
    let err =
        c.call::<_, RemoveProjectResponse>("RemoveProject", RemoveProjectRequest { id: "1".into() }).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "COMMAND-3M9sd"));
    // Another organization's projects are not listed.
    let added: AddProjectResponse =
        c.call("AddProject", AddProjectRequest { name: "Mine".into(), ..Default::default() }).await.unwrap();
    let other = vec![ProjectQuery {
        query: Some(project_query::Query::ProjectResourceOwnerQuery(
            burg_api::zitadel::project::v1::ProjectResourceOwnerQuery { resource_owner: "elsewhere".into() },
        )),
    }];
    let listed: ListProjectsResponse =
        c.call("ListProjects", ListProjectsRequest { query: None, queries: other }).await.unwrap();
    assert!(listed.result.is_empty());
    let listed: ListProjectsResponse =
        c.call("ListProjects", ListProjectsRequest { query: None, queries: vec![] }).await.unwrap();
    assert_eq!(listed.result.iter().map(|p| p.id.clone()).collect::<Vec<_>>(), vec![added.id]);
}

matrix!(project_roles_created_and_imported_alike);

async fn project_roles_created_and_imported_alike(s: Arc<TestServer>, c: Client) {
    imported(&s).await;
    let c = c.with_org(ORG);
    let keys = |c: Client, query: Option<&str>| {
        let queries = query
            .map(|k| {
                vec![burg_api::zitadel::project::v1::RoleQuery {
                    query: Some(burg_api::zitadel::project::v1::role_query::Query::KeyQuery(
                        burg_api::zitadel::project::v1::RoleKeyQuery {
                            key: k.into(),
                            method: TextQueryMethod::StartsWith as i32,
                        },
                    )),
                }]
            })
            .unwrap_or_default();
        async move {
            let req = ListProjectRolesRequest { project_id: IMPORTED.into(), query: None, queries };
            let listed: ListProjectRolesResponse = c.call("ListProjectRoles", req).await.unwrap();
            listed.result.into_iter().map(|r| (r.key, r.display_name, r.group)).collect::<Vec<_>>()
        }
    };
    assert_eq!(keys(c.clone(), None).await, vec![("reader".into(), "Reader".into(), String::new())]);
    let add = AddProjectRoleRequest {
        project_id: IMPORTED.into(),
        role_key: "writer".into(),
        display_name: "Writer".into(),
        group: "staff".into(),
    };
    let _: AddProjectRoleResponse = c.call("AddProjectRole", add.clone()).await.unwrap();
    let err = c.call::<_, AddProjectRoleResponse>("AddProjectRole", add).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::AlreadyExists, "V3-DKcYh"));
    let role = |key: &str| bulk_add_project_roles_request::Role {
        key: key.into(),
        display_name: key.to_uppercase(),
        group: String::new(),
    };
    let bulk = BulkAddProjectRolesRequest { project_id: IMPORTED.into(), roles: vec![role("wa"), role("wb")] };
    let _: BulkAddProjectRolesResponse = c.call("BulkAddProjectRoles", bulk).await.unwrap();
    assert_eq!(keys(c.clone(), Some("w")).await.len(), 3);

    // The imported role changes as an added one does.
    let update = UpdateProjectRoleRequest {
        project_id: IMPORTED.into(),
        role_key: "reader".into(),
        display_name: "Readers".into(),
        group: "staff".into(),
    };
    let _: UpdateProjectRoleResponse = c.call("UpdateProjectRole", update.clone()).await.unwrap();
    let err = c.call::<_, UpdateProjectRoleResponse>("UpdateProjectRole", update).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-5M0cs"));
    assert_eq!(keys(c.clone(), Some("r")).await, vec![("reader".into(), "Readers".into(), "staff".into())]);

    let doc = exported(&s).await;
    let roles: Vec<&str> =
        doc["projectRoles"].as_array().unwrap().iter().map(|r| r["roleKey"].as_str().unwrap()).collect();
    assert_eq!(roles, ["reader", "wa", "wb", "writer"], "the export lists by key");
    let writer = doc["projectRoles"].as_array().unwrap().iter().find(|r| r["roleKey"] == "writer").unwrap();
    assert_eq!(writer, &json!({"projectId": IMPORTED, "roleKey": "writer", "displayName": "Writer", "group": "staff"}));

    let remove = RemoveProjectRoleRequest { project_id: IMPORTED.into(), role_key: "reader".into() };
    let _: RemoveProjectRoleResponse = c.call("RemoveProjectRole", remove.clone()).await.unwrap();
    let err = c.call::<_, RemoveProjectRoleResponse>("RemoveProjectRole", remove).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "COMMAND-m9vMf"));
    assert_eq!(keys(c.clone(), Some("r")).await, vec![]);
    let no_project = AddProjectRoleRequest {
        project_id: "1".into(),
        role_key: "x".into(),
        display_name: "X".into(),
        group: String::new(),
    };
    let err = c.call::<_, AddProjectRoleResponse>("AddProjectRole", no_project).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMA-VCnwD"));
}

matrix!(project_members_created_and_imported_alike);

async fn project_members_created_and_imported_alike(s: Arc<TestServer>, c: Client) {
    // An imported member, and a user to add.
    let doc = json!({"orgs": [{
        "orgId": ORG, "org": {"name": "Projectors"},
        "projects": [{"projectId": IMPORTED, "project": {"name": "Imported"}}],
        "machineUsers": [{"userId": "370000000000000010", "user": {"userName": "svc-a", "name": "A"}},
                         {"userId": "370000000000000011", "user": {"userName": "svc-b", "name": "B"}}],
        "projectMembers": [{"projectId": IMPORTED, "userId": "370000000000000010", "roles": ["PROJECT_OWNER"]}]
    }]});
    let r = s.client(Protocol::Rest).await;
    let report = r.call_json("AdminService", "ImportData", json!({"dataOrgs": doc, "timeout": "1m"})).await.unwrap();
    assert!(report.get("errors").is_none(), "{report}");
    let c = c.with_org(ORG);
    let members = |c: Client| async move {
        let req = ListProjectMembersRequest { project_id: IMPORTED.into(), query: None, queries: vec![] };
        let listed: ListProjectMembersResponse = c.call("ListProjectMembers", req).await.unwrap();
        listed.result.into_iter().map(|m| (m.user_id, m.roles, m.preferred_login_name)).collect::<Vec<_>>()
    };
    let a = ("370000000000000010".to_string(), vec!["PROJECT_OWNER".to_string()], "svc-a".to_string());
    assert_eq!(members(c.clone()).await, vec![a.clone()]);

    let add = AddProjectMemberRequest {
        project_id: IMPORTED.into(),
        user_id: "370000000000000011".into(),
        roles: vec!["PROJECT_OWNER_VIEWER".into()],
    };
    let _: AddProjectMemberResponse = c.call("AddProjectMember", add.clone()).await.unwrap();
    let err = c.call::<_, AddProjectMemberResponse>("AddProjectMember", add).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::AlreadyExists, "PROJECT-PtXi1"));
    let bad = AddProjectMemberRequest {
        project_id: IMPORTED.into(),
        user_id: "370000000000000011".into(),
        roles: vec!["ORG_OWNER".into()],
    };
    let err = c.call::<_, AddProjectMemberResponse>("AddProjectMember", bad).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "PROJECT-3m9ds"));

    // The imported member changes as an added one does.
    let update = UpdateProjectMemberRequest {
        project_id: IMPORTED.into(),
        user_id: "370000000000000010".into(),
        roles: vec!["PROJECT_OWNER_VIEWER".into()],
    };
    let _: UpdateProjectMemberResponse = c.call("UpdateProjectMember", update.clone()).await.unwrap();
    let err = c.call::<_, UpdateProjectMemberResponse>("UpdateProjectMember", update).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "PROJECT-LiaZi"));
    let doc = exported(&s).await;
    let exported_members: Vec<(&str, &Value)> = doc["projectMembers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["userId"].as_str().unwrap(), &m["roles"]))
        .collect();
    let viewer = json!(["PROJECT_OWNER_VIEWER"]);
    assert_eq!(exported_members, vec![("370000000000000010", &viewer), ("370000000000000011", &viewer)]);

    let remove = RemoveProjectMemberRequest { project_id: IMPORTED.into(), user_id: "370000000000000010".into() };
    let _: RemoveProjectMemberResponse = c.call("RemoveProjectMember", remove.clone()).await.unwrap();
    let err = c.call::<_, RemoveProjectMemberResponse>("RemoveProjectMember", remove).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "PROJECT-D8JxR"));
    assert_eq!(members(c.clone()).await.len(), 1);
    let roles: ListProjectMemberRolesResponse =
        c.call("ListProjectMemberRoles", ListProjectMemberRolesRequest {}).await.unwrap();
    assert!(roles.result.contains(&"PROJECT_OWNER".to_string()));
    assert!(!roles.result.iter().any(|r| r.starts_with("PROJECT_GRANT")));
}

matrix!(project_members_act_on_their_project);

/// A project member's roles count on its project only, as ZITADEL's
/// `check_field_name`: a PROJECT_OWNER changes its project and not another,
/// lists only its projects, creates none; a viewer only reads.
async fn project_members_act_on_their_project(_s: Arc<TestServer>, c: Client) {
    let added = |name: &str| AddProjectRequest { name: name.into(), ..Default::default() };
    let mine: AddProjectResponse = c.call("AddProject", added("Mine")).await.unwrap();
    let other: AddProjectResponse = c.call("AddProject", added("Other")).await.unwrap();
    let token_of = |user_name: &'static str, role: &'static str| {
        let c = c.clone();
        let project = mine.id.clone();
        async move {
            let machine =
                AddMachineUserRequest { user_name: user_name.into(), name: "Bot".into(), ..Default::default() };
            let machine: AddMachineUserResponse = c.call("AddMachineUser", machine).await.unwrap();
            let member = AddProjectMemberRequest {
                project_id: project,
                user_id: machine.user_id.clone(),
                roles: vec![role.into()],
            };
            let _: AddProjectMemberResponse = c.call("AddProjectMember", member).await.unwrap();
            let pat = AddPersonalAccessTokenRequest { user_id: machine.user_id, ..Default::default() };
            let pat: AddPersonalAccessTokenResponse = c.call("AddPersonalAccessToken", pat).await.unwrap();
            c.with_token(&pat.token)
        }
    };
    let owner = token_of("owner-bot", "PROJECT_OWNER").await;
    let viewer = token_of("viewer-bot", "PROJECT_OWNER_VIEWER").await;
    let denied = |err: burg_testkit::ApiError| (err.code, err.id);

    let got: GetProjectByIdResponse =
        owner.call("GetProjectByID", GetProjectByIdRequest { id: mine.id.clone() }).await.unwrap();
    assert_eq!(got.project.unwrap().name, "Mine");
    let err = owner.call::<_, GetProjectByIdResponse>("GetProjectByID", GetProjectByIdRequest { id: other.id.clone() });
    assert_eq!(denied(err.await.unwrap_err()), (Code::PermissionDenied, "AUTH-3jknH".into()));
    let rename = |id: &str| UpdateProjectRequest { id: id.into(), name: "Renamed".into(), ..Default::default() };
    let _: UpdateProjectResponse = owner.call("UpdateProject", rename(&mine.id)).await.unwrap();
    let err = owner.call::<_, UpdateProjectResponse>("UpdateProject", rename(&other.id)).await.unwrap_err();
    assert_eq!(denied(err), (Code::PermissionDenied, "AUTH-3jknH".into()));
    let role = |id: &str| AddProjectRoleRequest {
        project_id: id.into(),
        role_key: "reader".into(),
        display_name: "Reader".into(),
        ..Default::default()
    };
    let _: AddProjectRoleResponse = owner.call("AddProjectRole", role(&mine.id)).await.unwrap();
    let err = owner.call::<_, AddProjectRoleResponse>("AddProjectRole", role(&other.id)).await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
    let listed: ListProjectsResponse = owner.call("ListProjects", ListProjectsRequest::default()).await.unwrap();
    assert_eq!(listed.result.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), [mine.id.as_str()]);
    let err = owner.call::<_, AddProjectResponse>("AddProject", added("Third")).await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied, "a project member creates no project");

    let got: GetProjectByIdResponse =
        viewer.call("GetProjectByID", GetProjectByIdRequest { id: mine.id.clone() }).await.unwrap();
    assert_eq!(got.project.unwrap().name, "Renamed");
    let err = viewer.call::<_, UpdateProjectResponse>("UpdateProject", rename(&mine.id)).await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied, "a viewer changes nothing");
    let all: ListProjectsResponse = c.call("ListProjects", ListProjectsRequest::default()).await.unwrap();
    assert_eq!(all.result.len(), 2, "the org owner sees every project");
}

matrix!(project_grants_created_and_imported_alike);

async fn project_grants_created_and_imported_alike(s: Arc<TestServer>, c: Client) {
    const PARTNER: &str = "370000000000000020";
    const OTHER: &str = "370000000000000021";
    let doc = json!({"orgs": [
        {"orgId": PARTNER, "org": {"name": "Partner"}},
        {"orgId": OTHER, "org": {"name": "Other"}},
        {"orgId": ORG, "org": {"name": "Projectors"},
         "projects": [{"projectId": IMPORTED, "project": {"name": "Imported"}}],
         "projectRoles": [{"projectId": IMPORTED, "roleKey": "reader", "displayName": "Reader"},
                          {"projectId": IMPORTED, "roleKey": "writer", "displayName": "Writer"}],
         "projectGrants": [{"grantId": "370000000000000022",
                            "projectGrant": {"projectId": IMPORTED, "grantedOrgId": PARTNER, "roleKeys": ["reader"]}}]}
    ]});
    let r = s.client(Protocol::Rest).await;
    let report = r.call_json("AdminService", "ImportData", json!({"dataOrgs": doc, "timeout": "1m"})).await.unwrap();
    assert!(report.get("errors").is_none(), "{report}");
    let c = c.with_org(ORG);

    let add = AddProjectGrantRequest {
        project_id: IMPORTED.into(),
        granted_org_id: OTHER.into(),
        role_keys: vec!["writer".into()],
    };
    let added: AddProjectGrantResponse = c.call("AddProjectGrant", add.clone()).await.unwrap();
    let err = c.call::<_, AddProjectGrantResponse>("AddProjectGrant", add).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::AlreadyExists, "V3-DKcYh"));
    let unknown = AddProjectGrantRequest {
        project_id: IMPORTED.into(),
        granted_org_id: PARTNER.into(),
        role_keys: vec!["admin".into()],
    };
    let err = c.call::<_, AddProjectGrantResponse>("AddProjectGrant", unknown).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-6m9gd"));

    let listed: ListProjectGrantsResponse = c
        .call(
            "ListProjectGrants",
            ListProjectGrantsRequest { project_id: IMPORTED.into(), query: None, queries: vec![] },
        )
        .await
        .unwrap();
    let grants: Vec<(String, String, Vec<String>, String)> = listed
        .result
        .into_iter()
        .map(|g| (g.grant_id, g.granted_org_name, g.granted_role_keys, g.project_name))
        .collect();
    assert_eq!(
        grants,
        vec![
            ("370000000000000022".into(), "Partner".into(), vec!["reader".into()], "Imported".into()),
            (added.grant_id.clone(), "Other".into(), vec!["writer".into()], "Imported".into()),
        ]
    );

    // The imported grant changes as an added one does.
    let update = UpdateProjectGrantRequest {
        project_id: IMPORTED.into(),
        grant_id: "370000000000000022".into(),
        role_keys: vec!["reader".into(), "writer".into()],
    };
    let _: UpdateProjectGrantResponse = c.call("UpdateProjectGrant", update.clone()).await.unwrap();
    let err = c.call::<_, UpdateProjectGrantResponse>("UpdateProjectGrant", update).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "PROJECT-0o0pL"));
    let deactivate =
        DeactivateProjectGrantRequest { project_id: IMPORTED.into(), grant_id: "370000000000000022".into() };
    let _: DeactivateProjectGrantResponse = c.call("DeactivateProjectGrant", deactivate.clone()).await.unwrap();
    let err = c.call::<_, DeactivateProjectGrantResponse>("DeactivateProjectGrant", deactivate).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "PROJECT-47fu8"));
    let got: GetProjectGrantByIdResponse = c
        .call(
            "GetProjectGrantByID",
            GetProjectGrantByIdRequest { project_id: IMPORTED.into(), grant_id: "370000000000000022".into() },
        )
        .await
        .unwrap();
    let g = got.project_grant.unwrap();
    assert_eq!((g.state, g.granted_role_keys.len(), g.project_owner_id.as_str()), (2, 2, ORG));

    // A removed role leaves the grants; the export shows what is left.
    let remove_role = RemoveProjectRoleRequest { project_id: IMPORTED.into(), role_key: "writer".into() };
    let _: RemoveProjectRoleResponse = c.call("RemoveProjectRole", remove_role).await.unwrap();
    let remove = RemoveProjectGrantRequest { project_id: IMPORTED.into(), grant_id: added.grant_id.clone() };
    let _: RemoveProjectGrantResponse = c.call("RemoveProjectGrant", remove.clone()).await.unwrap();
    let err = c.call::<_, RemoveProjectGrantResponse>("RemoveProjectGrant", remove).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "PROJECT-D8JxR"));
    let doc = exported(&s).await;
    assert_eq!(
        doc["projectGrants"],
        json!([{"grantId": "370000000000000022",
                "projectGrant": {"projectId": IMPORTED, "grantedOrgId": PARTNER, "roleKeys": ["reader"]}}])
    );
    let all: ListAllProjectGrantsResponse =
        c.call("ListAllProjectGrants", ListAllProjectGrantsRequest { query: None, queries: vec![] }).await.unwrap();
    assert_eq!(all.result.len(), 1);
}

matrix!(project_grant_members);

async fn project_grant_members(s: Arc<TestServer>, c: Client) {
    const PARTNER: &str = "370000000000000030";
    const GRANT: &str = "370000000000000031";
    const USER: &str = "370000000000000032";
    let doc = json!({"orgs": [
        {"orgId": PARTNER, "org": {"name": "Partner"},
         "machineUsers": [{"userId": USER, "user": {"userName": "partner-svc", "name": "P"}}]},
        {"orgId": ORG, "org": {"name": "Projectors"},
         "projects": [{"projectId": IMPORTED, "project": {"name": "Imported"}}],
         "projectGrants": [{"grantId": GRANT,
                            "projectGrant": {"projectId": IMPORTED, "grantedOrgId": PARTNER, "roleKeys": []}}]}
    ]});
    let r = s.client(Protocol::Rest).await;
    let report = r.call_json("AdminService", "ImportData", json!({"dataOrgs": doc, "timeout": "1m"})).await.unwrap();
    assert!(report.get("errors").is_none(), "{report}");
    let c = c.with_org(ORG);
    let add = AddProjectGrantMemberRequest {
        project_id: IMPORTED.into(),
        grant_id: GRANT.into(),
        user_id: USER.into(),
        roles: vec!["PROJECT_GRANT_OWNER".into()],
    };
    let _: AddProjectGrantMemberResponse = c.call("AddProjectGrantMember", add.clone()).await.unwrap();
    let err = c.call::<_, AddProjectGrantMemberResponse>("AddProjectGrantMember", add).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::AlreadyExists, "PROJECT-16dVN"));
    let update = UpdateProjectGrantMemberRequest {
        project_id: IMPORTED.into(),
        grant_id: GRANT.into(),
        user_id: USER.into(),
        roles: vec!["PROJECT_GRANT_OWNER_VIEWER".into()],
    };
    let _: UpdateProjectGrantMemberResponse = c.call("UpdateProjectGrantMember", update.clone()).await.unwrap();
    let err = c.call::<_, UpdateProjectGrantMemberResponse>("UpdateProjectGrantMember", update).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "PROJECT-2n8vx"));
    let listed: ListProjectGrantMembersResponse = c
        .call(
            "ListProjectGrantMembers",
            ListProjectGrantMembersRequest {
                project_id: IMPORTED.into(),
                grant_id: GRANT.into(),
                query: None,
                queries: vec![],
            },
        )
        .await
        .unwrap();
    let members: Vec<(String, Vec<String>, String)> =
        listed.result.into_iter().map(|m| (m.user_id, m.roles, m.user_resource_owner)).collect();
    assert_eq!(members, vec![(USER.into(), vec!["PROJECT_GRANT_OWNER_VIEWER".into()], PARTNER.into())]);

    // The member's role counts on its grant, in the granted organization.
    let pat = AddPersonalAccessTokenRequest { user_id: USER.into(), ..Default::default() };
    let pat: AddPersonalAccessTokenResponse = c.with_org(PARTNER).call("AddPersonalAccessToken", pat).await.unwrap();
    let member = c.with_token(&pat.token).with_org(PARTNER);
    let granted: ListGrantedProjectsResponse =
        member.call("ListGrantedProjects", ListGrantedProjectsRequest::default()).await.unwrap();
    assert_eq!(granted.result.iter().map(|g| g.grant_id.as_str()).collect::<Vec<_>>(), [GRANT]);
    let get = |grant: &str| GetGrantedProjectByIdRequest { project_id: IMPORTED.into(), grant_id: grant.into() };
    let got: GetGrantedProjectByIdResponse = member.call("GetGrantedProjectByID", get(GRANT)).await.unwrap();
    assert_eq!(got.granted_project.unwrap().project_name, "Imported");
    let err = member.call::<_, GetGrantedProjectByIdResponse>("GetGrantedProjectByID", get("4711")).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::PermissionDenied, "AUTH-3jknH"));

    let doc = exported(&s).await;
    assert_eq!(
        doc["projectGrantMembers"],
        json!([{"projectId": IMPORTED, "grantId": GRANT, "userId": USER, "roles": ["PROJECT_GRANT_OWNER_VIEWER"]}])
    );
    let remove =
        RemoveProjectGrantMemberRequest { project_id: IMPORTED.into(), grant_id: GRANT.into(), user_id: USER.into() };
    let _: RemoveProjectGrantMemberResponse = c.call("RemoveProjectGrantMember", remove.clone()).await.unwrap();
    let err = c.call::<_, RemoveProjectGrantMemberResponse>("RemoveProjectGrantMember", remove).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "PROJECT-37fug"));
    let roles: ListProjectGrantMemberRolesResponse =
        c.call("ListProjectGrantMemberRoles", ListProjectGrantMemberRolesRequest::default()).await.unwrap();
    assert_eq!(roles.result, vec!["PROJECT_GRANT_OWNER".to_string(), "PROJECT_GRANT_OWNER_VIEWER".to_string()]);
}
