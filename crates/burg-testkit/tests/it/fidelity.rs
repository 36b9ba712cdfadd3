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
    assert!(answer.errors[0].message.contains("ORG-GoXOn"), "{:?}", answer.errors[0]);
    assert!(answer.errors[1].message.contains("COMMAND-uXHNj"), "{:?}", answer.errors[1]);
    assert!(s.event_count().await > 0);
}
