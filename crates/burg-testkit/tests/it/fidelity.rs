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
