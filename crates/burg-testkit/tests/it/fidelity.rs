//! Answers that follow ZITADEL's own, case by case (issue 17): codes,
//! defaults and values, with ZITADEL's error ids where it has one.

use std::sync::Arc;

use burg_api::admin::*;
use burg_api::management::{
    AddMachineUserRequest, AddMachineUserResponse, AddPersonalAccessTokenRequest, AddPersonalAccessTokenResponse,
    ListPersonalAccessTokensRequest, ListPersonalAccessTokensResponse,
};
use burg_testkit::{Client, TestServer, in_process};
use tonic::Code;

in_process!(instance_answers_as_zitadel);

async fn instance_answers_as_zitadel(s: Arc<TestServer>, c: Client) {
    // A new instance's login policy: ZITADEL's defaults.
    let policy: GetLoginPolicyResponse = c.call("GetLoginPolicy", GetLoginPolicyRequest {}).await.unwrap();
    assert!(policy.policy.unwrap().allow_domain_discovery, "cmd/defaults.yaml: AllowDomainDiscovery true");

    // IsOrgUnique without a name or a domain asks nothing.
    let err = c.call::<_, IsOrgUniqueResponse>("IsOrgUnique", IsOrgUniqueRequest::default()).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "QUERY-DGqfd"));

    // A machine user with an id that exists: a precondition.
    let add = |user_name: &str, user_id: Option<String>| AddMachineUserRequest {
        user_name: user_name.into(),
        name: "Robot".into(),
        user_id,
        ..Default::default()
    };
    let robot: AddMachineUserResponse = c.call("AddMachineUser", add("robot", None)).await.unwrap();
    let err = c
        .call::<_, AddMachineUserResponse>("AddMachineUser", add("robot-2", Some(robot.user_id.clone())))
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-k2una"));

    // A token without an expiry lasts until ZITADEL's 9999-12-31T23:59:59Z,
    // with ZITADEL's three scopes.
    let _: AddPersonalAccessTokenResponse = c
        .call(
            "AddPersonalAccessToken",
            AddPersonalAccessTokenRequest { user_id: robot.user_id.clone(), ..Default::default() },
        )
        .await
        .unwrap();
    let tokens: ListPersonalAccessTokensResponse = c
        .call(
            "ListPersonalAccessTokens",
            ListPersonalAccessTokensRequest { user_id: robot.user_id.clone(), ..Default::default() },
        )
        .await
        .unwrap();
    let token = &tokens.result[0];
    assert_eq!(token.expiration_date.unwrap().to_micros(), 253_402_300_799_000_000);
    assert_eq!(token.scopes, ["openid", "urn:zitadel:iam:user:metadata", "urn:zitadel:iam:user:resourceowner"]);
    let err = c
        .call::<_, AddPersonalAccessTokenResponse>(
            "AddPersonalAccessToken",
            AddPersonalAccessTokenRequest { user_id: "404".into(), ..Default::default() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-Dggw2"));
    let none: ListPersonalAccessTokensResponse = c
        .call(
            "ListPersonalAccessTokens",
            ListPersonalAccessTokensRequest { user_id: "404".into(), ..Default::default() },
        )
        .await
        .unwrap();
    assert!(none.result.is_empty(), "an unknown user's tokens: an empty list");

    // A member may start without roles.
    let _: AddIamMemberResponse =
        c.call("AddIAMMember", AddIamMemberRequest { user_id: robot.user_id.clone(), roles: vec![] }).await.unwrap();
    let members: ListIamMembersResponse = c.call("ListIAMMembers", ListIamMembersRequest::default()).await.unwrap();
    assert!(members.result.iter().any(|m| m.user_id == robot.user_id && m.roles.is_empty()));
    assert!(s.event_count().await > 0);
}

in_process!(import_reports_members_and_grants_of_unknown_users);

/// ZITADEL's import reports an org member, user grant or project member
/// whose user exists nowhere as an error of its own (with ZITADEL's id for
/// the item) and imports the rest; a user of a later organization of the
/// same document is known.
async fn import_reports_members_and_grants_of_unknown_users(s: Arc<TestServer>, c: Client) {
    use burg_api::management::{AddMachineUserRequest, AddOrgMemberRequest, AddOrgRequest, AddUserGrantRequest};
    use burg_api::zitadel::v1::v1::DataMachineUser;
    let machine = |id: &str, name: &str| DataMachineUser {
        user_id: id.into(),
        user: Some(AddMachineUserRequest { user_name: name.into(), name: name.into(), ..Default::default() }),
        ..Default::default()
    };
    let member = |user: &str| AddOrgMemberRequest { user_id: user.into(), roles: vec!["ORG_OWNER".into()] };
    let first = DataOrg {
        org_id: "71000000000000001".into(),
        org: Some(AddOrgRequest { name: "First".into() }),
        machine_users: vec![machine("71000000000000011", "robot-one")],
        // Its own user, a user of the next organization, and a ghost.
        org_members: vec![member("71000000000000011"), member("71000000000000021"), member("ghost")],
        user_grants: vec![AddUserGrantRequest {
            user_id: "ghost".into(),
            project_id: "71000000000000099".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let second = DataOrg {
        org_id: "71000000000000002".into(),
        org: Some(AddOrgRequest { name: "Second".into() }),
        machine_users: vec![machine("71000000000000021", "robot-two")],
        ..Default::default()
    };
    let request = ImportDataRequest {
        data: Some(import_data_request::Data::DataOrgs(ImportDataOrg { orgs: vec![first, second] })),
        timeout: "1m".into(),
    };
    let answer: ImportDataResponse = c.call("ImportData", request).await.unwrap();
    let orgs = answer.success.unwrap().orgs;
    assert_eq!(orgs.len(), 2, "both organizations are imported: {orgs:?}");
    assert_eq!(orgs[0].org_members, ["71000000000000011", "71000000000000021"]);
    assert!(orgs[0].user_grants.is_empty());
    let errors: Vec<(&str, &str)> = answer.errors.iter().map(|e| (e.r#type.as_str(), e.id.as_str())).collect();
    assert_eq!(
        errors,
        [("org_member", "71000000000000001_ghost"), ("user_grant", "71000000000000001_71000000000000099_ghost")]
    );
    assert_eq!(answer.errors[0].message, "ID=ORG-GoXOn Message=Errors.User.NotFound");
    assert_eq!(answer.errors[1].message, "ID=COMMAND-uXHNj Message=Errors.User.NotFound");
    assert!(s.event_count().await > 0);
}

in_process!(import_answers_zitadels_own_cases);

/// The cases of ZITADEL's own ImportData integration test, with its ids
/// (UUIDs), expecting its answers exactly: the success entries, and for a
/// project grant or project grant member given twice, an error entry with
/// ZITADEL's type, composed id and `ID=… Message=…` text while the rest of
/// the organization is imported.
async fn import_answers_zitadels_own_cases(_s: Arc<TestServer>, c: Client) {
    use serde_json::{Value, json};
    let id = |kind: u8, n: u8| format!("{kind:08x}-0000-4000-8000-{n:012x}");
    let (org, project, user, grant) = (|n| id(1, n), |n| id(2, n), |n| id(3, n), |n| id(4, n));
    let human = |n: u8| {
        json!({"userId": user(n), "user": {"userName": format!("user-{n}"),
            "profile": {"firstName": "Ada", "lastName": "Lovelace", "displayName": format!("user-{n}"), "preferredLanguage": "en"},
            "email": {"email": format!("user-{n}@example.com"), "isEmailVerified": true}}})
    };
    let roles = |p: u8, keys: &[&str]| -> Vec<Value> {
        keys.iter().map(|k| json!({"projectId": project(p), "roleKey": k, "displayName": k})).collect()
    };
    let project_grant = |g: u8, p: u8, o: u8, keys: &[&str]| json!({"grantId": grant(g), "projectGrant": {"projectId": project(p), "grantedOrgId": org(o), "roleKeys": keys}});
    let import = |orgs: Value| {
        let c = c.clone();
        async move {
            let request: ImportDataRequest =
                serde_json::from_value(json!({"dataOrgs": {"orgs": orgs}, "timeout": "1m"})).unwrap();
            let answer: ImportDataResponse = c.call("ImportData", request).await.unwrap();
            serde_json::to_value(answer).unwrap()
        }
    };

    // "success"
    let answer = import(json!([
        {"orgId": org(0), "org": {"name": "Org 0"},
         "projects": [{"projectId": project(0), "project": {"name": "P0", "projectRoleAssertion": true}},
                      {"projectId": project(1), "project": {"name": "P1"}}],
         "projectRoles": ([roles(0, &["role1", "role2"]), roles(1, &["role3", "role4"])].concat()),
         "humanUsers": [human(0), human(1)],
         "projectGrants": [project_grant(0, 0, 1, &["role1", "role2"]), project_grant(1, 1, 1, &["role3", "role4"]),
                           project_grant(2, 0, 2, &["role1", "role2"]), project_grant(3, 1, 2, &["role3", "role4"])]},
        {"orgId": org(1), "org": {"name": "Org 1"},
         "userGrants": [{"userId": user(0), "projectId": project(0), "projectGrantId": grant(0)},
                        {"userId": user(0), "projectId": project(1), "projectGrantId": grant(1)}]},
        {"orgId": org(2), "org": {"name": "Org 2"},
         "userGrants": [{"userId": user(1), "projectId": project(0), "projectGrantId": grant(2)},
                        {"userId": user(1), "projectId": project(1), "projectGrantId": grant(3)}]},
    ]))
    .await;
    let success_grant = |g: u8, p: u8, o: u8| json!({"grantId": grant(g), "projectId": project(p), "orgId": org(o)});
    assert_eq!(
        answer,
        json!({"success": {"orgs": [
            {"orgId": org(0), "projectIds": [project(0), project(1)],
             "projectRoles": [format!("{}_role1", project(0)), format!("{}_role2", project(0)),
                              format!("{}_role3", project(1)), format!("{}_role4", project(1))],
             "humanUserIds": [user(0), user(1)],
             "projectGrants": [success_grant(0, 0, 1), success_grant(1, 1, 1), success_grant(2, 0, 2), success_grant(3, 1, 2)]},
            {"orgId": org(1), "userGrants": [{"projectId": project(0), "userId": user(0)}, {"projectId": project(1), "userId": user(0)}]},
            {"orgId": org(2), "userGrants": [{"projectId": project(0), "userId": user(1)}, {"projectId": project(1), "userId": user(1)}]},
        ]}})
    );

    // "duplicate project grant error"
    let answer = import(json!([
        {"orgId": org(4), "org": {"name": "Org 4"}},
        {"orgId": org(3), "org": {"name": "Org 3"},
         "projects": [{"projectId": project(2), "project": {"name": "P2", "projectRoleAssertion": true}},
                      {"projectId": project(3), "project": {"name": "P3"}}],
         "projectRoles": ([roles(2, &["role1", "role2"]), roles(3, &["role3", "role4"])].concat()),
         "projectGrants": [project_grant(4, 2, 4, &["role1", "role2"]), project_grant(4, 2, 4, &["role1", "role2"])]},
    ]))
    .await;
    assert_eq!(
        answer,
        json!({
            "errors": [{"type": "project_grant", "id": format!("{}_{}_{}", org(3), project(2), org(4)),
                        "message": "ID=V3-DKcYh Message=Errors.Project.Grant.AlreadyExists"}],
            "success": {"orgs": [
                {"orgId": org(4)},
                {"orgId": org(3), "projectIds": [project(2), project(3)],
                 "projectRoles": [format!("{}_role1", project(2)), format!("{}_role2", project(2)),
                                  format!("{}_role3", project(3)), format!("{}_role4", project(3))],
                 "projectGrants": [success_grant(4, 2, 4)]},
            ]}
        })
    );

    // "duplicate project grant member error"
    let member =
        json!({"projectId": project(4), "grantId": grant(5), "userId": user(2), "roles": ["PROJECT_GRANT_OWNER"]});
    let answer = import(json!([
        {"orgId": org(6), "org": {"name": "Org 6"}},
        {"orgId": org(5), "org": {"name": "Org 5"},
         "projects": [{"projectId": project(4), "project": {"name": "P4", "projectRoleAssertion": true}}],
         "projectRoles": roles(4, &["role1", "role2"]),
         "humanUsers": [human(2)],
         "projectGrants": [project_grant(5, 4, 6, &["role1", "role2"])],
         "projectGrantMembers": [member.clone(), member]},
    ]))
    .await;
    assert_eq!(
        answer,
        json!({
            "errors": [{"type": "project_grant_member", "id": format!("{}_{}_{}_{}", org(5), project(4), grant(5), user(2)),
                        "message": "ID=PROJECT-37fug Message=Errors.AlreadyExists"}],
            "success": {"orgs": [
                {"orgId": org(6)},
                {"orgId": org(5), "projectIds": [project(4)],
                 "projectRoles": [format!("{}_role1", project(4)), format!("{}_role2", project(4))],
                 "humanUserIds": [user(2)],
                 "projectGrants": [success_grant(5, 4, 6)],
                 "projectGrantMembers": [{"projectId": project(4), "grantId": grant(5), "userId": user(2)}]},
            ]}
        })
    );
}

in_process!(import_report_ids_are_zitadels);

/// Report entries name items as ZITADEL's report does: a one-per-org
/// policy by its organization, a text by `<org>_<language>`.
async fn import_report_ids_are_zitadels(_s: Arc<TestServer>, c: Client) {
    use serde_json::json;
    let org = "72000000000000001";
    let doc = |link: &str, title: &str| {
        json!({"dataOrgs": {"orgs": [{"orgId": org, "org": {"name": "Texts"},
            "privacyPolicy": {"tosLink": link},
            "loginTexts": [{"language": "de", "selectAccountText": {"title": title}}]}]}, "timeout": "1m"})
    };
    let first: ImportDataResponse = c
        .call("ImportData", serde_json::from_value::<ImportDataRequest>(doc("https://a.example", "A")).unwrap())
        .await
        .unwrap();
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    let again: ImportDataResponse = c
        .call("ImportData", serde_json::from_value::<ImportDataRequest>(doc("https://b.example", "B")).unwrap())
        .await
        .unwrap();
    let entries: Vec<(&str, &str)> = again.errors.iter().map(|e| (e.r#type.as_str(), e.id.as_str())).collect();
    assert!(entries.contains(&("privacy_policy", org)), "{entries:?}");
    assert!(entries.contains(&("login_texts", &format!("{org}_de"))), "{entries:?}");
    assert!(again.errors.iter().all(|e| e.message.starts_with("ID=")), "{:?}", again.errors);
}
