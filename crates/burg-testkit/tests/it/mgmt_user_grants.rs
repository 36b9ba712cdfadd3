//! The Management API's user grants and granted projects: imported and
//! added grants are one list, change alike and export alike; a granted
//! organization sees the projects granted to it and grants their roles.

use std::sync::Arc;

use burg_api::management::*;
use burg_api::zitadel::user::v1::{UserGrantQuery, UserGrantWithGrantedQuery, user_grant_query};
use burg_testkit::{Client, Protocol, TestServer, matrix};
use serde_json::json;
use tonic::Code;

const ORG: &str = "370000000000000201";
const PARTNER: &str = "370000000000000202";
const PROJECT: &str = "370000000000000203";
const HUMAN: &str = "370000000000000204";
const BOT: &str = "370000000000000205";
const PARTNER_USER: &str = "370000000000000206";
const PROJECT_GRANT: &str = "370000000000000207";
/// The imported grant's id: the import's key.
const IMPORTED: &str = "370000000000000203_370000000000000204";

async fn imported(s: &TestServer) {
    let doc = json!({"orgs": [
        {"orgId": PARTNER, "org": {"name": "Partner"},
         "machineUsers": [{"userId": PARTNER_USER, "user": {"userName": "partner-bot", "name": "Partner bot"}}]},
        {"orgId": ORG, "org": {"name": "Granters"},
         "humanUsers": [{"userId": HUMAN, "user": {"userName": "hana", "profile": {"firstName": "Hana", "lastName": "Ito"},
                                                    "email": {"email": "hana@example.com", "isEmailVerified": true}}}],
         "machineUsers": [{"userId": BOT, "user": {"userName": "bot", "name": "Bot"}}],
         "projects": [{"projectId": PROJECT, "project": {"name": "Shop"}}],
         "projectRoles": [{"projectId": PROJECT, "roleKey": "reader", "displayName": "Reader"},
                          {"projectId": PROJECT, "roleKey": "writer", "displayName": "Writer"}],
         "projectGrants": [{"grantId": PROJECT_GRANT,
                            "projectGrant": {"projectId": PROJECT, "grantedOrgId": PARTNER, "roleKeys": ["reader"]}}],
         "userGrants": [{"userId": HUMAN, "projectId": PROJECT, "roleKeys": ["reader"]}]}
    ]});
    let r = s.client(Protocol::Rest).await;
    let report = r.call_json("AdminService", "ImportData", json!({"dataOrgs": doc, "timeout": "1m"})).await.unwrap();
    assert!(report.get("errors").is_none(), "{report}");
}

async fn grants(c: &Client, queries: Vec<UserGrantQuery>) -> Vec<(String, String, Vec<String>, i32)> {
    let listed: ListUserGrantResponse =
        c.call("ListUserGrants", ListUserGrantRequest { query: None, queries }).await.unwrap();
    listed.result.into_iter().map(|g| (g.id, g.user_name, g.role_keys, g.state)).collect()
}

matrix!(user_grants_added_and_imported_alike);

async fn user_grants_added_and_imported_alike(s: Arc<TestServer>, c: Client) {
    imported(&s).await;
    let own = c.clone().with_org(ORG);

    let listed: ListUserGrantResponse =
        own.call("ListUserGrants", ListUserGrantRequest { query: None, queries: vec![] }).await.unwrap();
    let g = &listed.result[0];
    assert_eq!(listed.result.len(), 1);
    assert_eq!(
        (g.id.as_str(), g.user_name.as_str(), g.first_name.as_str(), g.email.as_str(), g.project_name.as_str()),
        (IMPORTED, "hana", "Hana", "hana@example.com", "Shop")
    );
    assert_eq!((g.org_id.as_str(), g.org_name.as_str(), g.granted_org_id.as_str()), (ORG, "Granters", ORG));

    let add = AddUserGrantRequest {
        user_id: BOT.into(),
        project_id: PROJECT.into(),
        project_grant_id: String::new(),
        role_keys: vec!["writer".into()],
    };
    let added: AddUserGrantResponse = own.call("AddUserGrant", add.clone()).await.unwrap();
    let err = own.call::<_, AddUserGrantResponse>("AddUserGrant", add.clone()).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::AlreadyExists, "V3-DKcYh"));
    let unknown_role = AddUserGrantRequest { role_keys: vec!["admin".into()], user_id: HUMAN.into(), ..add.clone() };
    let err = own.call::<_, AddUserGrantResponse>("AddUserGrant", unknown_role).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-mm9F4"));
    let unknown_user = AddUserGrantRequest { user_id: "1".into(), ..add.clone() };
    let err = own.call::<_, AddUserGrantResponse>("AddUserGrant", unknown_user).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-4f8sg"));
    let unknown_project = AddUserGrantRequest { project_id: "1".into(), ..add };
    let err = own.call::<_, AddUserGrantResponse>("AddUserGrant", unknown_project).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-4m9ff"));

    // The imported grant changes as an added one does.
    let update = UpdateUserGrantRequest {
        user_id: HUMAN.into(),
        grant_id: IMPORTED.into(),
        role_keys: vec!["reader".into(), "writer".into()],
    };
    let _: UpdateUserGrantResponse = own.call("UpdateUserGrant", update.clone()).await.unwrap();
    let err = own.call::<_, UpdateUserGrantResponse>("UpdateUserGrant", update).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-Rs8fy"));
    let off = DeactivateUserGrantRequest { user_id: BOT.into(), grant_id: added.user_grant_id.clone() };
    let _: DeactivateUserGrantResponse = own.call("DeactivateUserGrant", off.clone()).await.unwrap();
    let err = own.call::<_, DeactivateUserGrantResponse>("DeactivateUserGrant", off).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-1S9gx"));
    assert_eq!(
        grants(&own, vec![]).await,
        vec![
            (IMPORTED.to_string(), "hana".to_string(), vec!["reader".to_string(), "writer".to_string()], 1),
            (added.user_grant_id.clone(), "bot".to_string(), vec!["writer".to_string()], 2)
        ]
    );
    let on = ReactivateUserGrantRequest { user_id: BOT.into(), grant_id: added.user_grant_id.clone() };
    let _: ReactivateUserGrantResponse = own.call("ReactivateUserGrant", on).await.unwrap();
    let got: GetUserGrantByIdResponse = own
        .call(
            "GetUserGrantByID",
            GetUserGrantByIdRequest { user_id: BOT.into(), grant_id: added.user_grant_id.clone() },
        )
        .await
        .unwrap();
    let got = got.user_grant.unwrap();
    assert_eq!((got.state, got.display_name.as_str(), got.user_type), (1, "Bot", 2));

    // The granted organization sees the project and the roles granted.
    let partner = c.clone().with_org(PARTNER);
    let granted: ListGrantedProjectsResponse =
        partner.call("ListGrantedProjects", ListGrantedProjectsRequest { query: None, queries: vec![] }).await.unwrap();
    let p = &granted.result[0];
    assert_eq!(
        (p.grant_id.as_str(), p.project_name.as_str(), p.project_owner_id.as_str(), p.project_owner_name.as_str()),
        (PROJECT_GRANT, "Shop", ORG, "Granters")
    );
    let one: GetGrantedProjectByIdResponse = partner
        .call(
            "GetGrantedProjectByID",
            GetGrantedProjectByIdRequest { project_id: PROJECT.into(), grant_id: PROJECT_GRANT.into() },
        )
        .await
        .unwrap();
    assert_eq!(one.granted_project.unwrap().granted_role_keys, ["reader"]);
    let roles: ListGrantedProjectRolesResponse = partner
        .call(
            "ListGrantedProjectRoles",
            ListGrantedProjectRolesRequest {
                project_id: PROJECT.into(),
                grant_id: PROJECT_GRANT.into(),
                query: None,
                queries: vec![],
            },
        )
        .await
        .unwrap();
    assert_eq!(roles.result.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), ["reader"]);
    let err = own
        .call::<_, GetGrantedProjectByIdResponse>(
            "GetGrantedProjectByID",
            GetGrantedProjectByIdRequest { project_id: PROJECT.into(), grant_id: PROJECT_GRANT.into() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "QUERY-n98GGs"));

    // It grants the granted roles to its own users, and no others.
    let theirs = AddUserGrantRequest {
        user_id: PARTNER_USER.into(),
        project_id: PROJECT.into(),
        project_grant_id: String::new(),
        role_keys: vec!["reader".into()],
    };
    let partner_grant: AddUserGrantResponse = partner.call("AddUserGrant", theirs.clone()).await.unwrap();
    let too_much = AddUserGrantRequest { role_keys: vec!["writer".into()], ..theirs };
    let err = partner.call::<_, AddUserGrantResponse>("AddUserGrant", too_much).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-mm9F4"));
    let got: GetUserGrantByIdResponse = partner
        .call(
            "GetUserGrantByID",
            GetUserGrantByIdRequest { user_id: PARTNER_USER.into(), grant_id: partner_grant.user_grant_id.clone() },
        )
        .await
        .unwrap();
    let got = got.user_grant.unwrap();
    assert_eq!((got.project_grant_id.as_str(), got.project_name.as_str()), (PROJECT_GRANT, "Shop"));

    // The owner lists the grants others hold on its projects on request.
    let with_granted = vec![UserGrantQuery {
        query: Some(user_grant_query::Query::WithGrantedQuery(UserGrantWithGrantedQuery { with_granted: true })),
    }];
    let all = grants(&own, with_granted).await;
    assert_eq!(all.len(), 3);
    assert!(all.iter().any(|g| g.0 == partner_grant.user_grant_id));

    // The export carries both of the organization's grants.
    let r = s.client(Protocol::Rest).await;
    let doc = r.call_json("AdminService", "ExportData", json!({"orgIds": [ORG]})).await.unwrap();
    let exported = doc["orgs"][0]["userGrants"].as_array().unwrap().clone();
    assert!(exported.contains(&json!({"userId": BOT, "projectId": PROJECT, "roleKeys": ["writer"]})), "{exported:?}");
    assert!(exported.contains(&json!({"userId": HUMAN, "projectId": PROJECT, "roleKeys": ["reader", "writer"]})));

    let bulk = BulkRemoveUserGrantRequest { grant_id: vec![added.user_grant_id.clone(), IMPORTED.into()] };
    let _: BulkRemoveUserGrantResponse = own.call("BulkRemoveUserGrant", bulk).await.unwrap();
    assert!(grants(&own, vec![]).await.is_empty());
    let again = RemoveUserGrantRequest { user_id: BOT.into(), grant_id: added.user_grant_id };
    let err = own.call::<_, RemoveUserGrantResponse>("RemoveUserGrant", again).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "COMMAND-1My0t"));
    let err = own
        .call::<_, BulkRemoveUserGrantResponse>("BulkRemoveUserGrant", BulkRemoveUserGrantRequest { grant_id: vec![] })
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::InvalidArgument);
}
