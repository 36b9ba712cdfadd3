//! Who may call what: every RPC of the route table, for six callers, gives
//! the code the permission table says. The table is the proto's
//! `auth_option` per RPC; a new RPC is covered as soon as it is routed.

use std::sync::Arc;

use burg_api::management::*;
use burg_api::routes::{ROUTES, Route};
use burg_domain::permission::permissions_of;
use burg_testkit::{Client, Protocol, TestServer, matrix};
use tonic::Code;

matrix!(every_route_answers_each_caller_as_the_permission_table_says, org_scoped_calls_stay_in_their_org);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    NoToken,
    BadToken,
    RevokedToken,
    IamOwnerViewer,
    IamOwner,
    /// ORG_OWNER of one organization, no instance role.
    OrgOwner,
}

/// Whether `c` can call `route`: a v2 RPC without a REST route is reached
/// over gRPC and gRPC-Web only.
fn reachable(c: &Client, route: &Route) -> bool {
    !route.http_method.is_empty() || matches!(c.protocol, Protocol::Grpc | Protocol::GrpcWeb)
}

/// What the permission table promises `caller` on `route`: `None` when the
/// call passes authorization (whatever the request then gives, an unserved
/// RPC's Unimplemented included), else the code it is refused with.
fn expected(caller: Caller, route: &Route) -> Option<Code> {
    let open = route.permission.is_none();
    // A v2 RPC that names its organization in the request is checked by
    // the app, after the request's own rules: here any valid token passes.
    let any_valid_token = route.permission == Some("authenticated") || route.org_in_request();
    let permission = route.permission.unwrap_or_default();
    let holds = |role: &str| open || any_valid_token || permissions_of([role]).contains(permission);
    match caller {
        Caller::NoToken | Caller::BadToken | Caller::RevokedToken => (!open).then_some(Code::Unauthenticated),
        // The instance owner holds every permission but the system's.
        Caller::IamOwner => (!holds("IAM_OWNER")).then_some(Code::PermissionDenied),
        Caller::IamOwnerViewer => (!holds("IAM_OWNER_VIEWER")).then_some(Code::PermissionDenied),
        // An org's owner holds the org-level permissions of its role in its
        // own org (where org-scoped calls go without a header), none on the
        // instance.
        Caller::OrgOwner => {
            let in_its_org = route.service == "ManagementService" && holds("ORG_OWNER");
            (!(open || any_valid_token || in_its_org)).then_some(Code::PermissionDenied)
        }
    }
}

/// A token that was valid and is revoked.
async fn revoked_token(s: &TestServer, c: &Client) -> String {
    let sa = s.app.create_service_account(Some("revoked"), &["IAM_OWNER".into()], None, None).await.unwrap();
    let tokens: ListPersonalAccessTokensResponse = c
        .call(
            "ListPersonalAccessTokens",
            ListPersonalAccessTokensRequest { user_id: sa.user_id.clone(), ..Default::default() },
        )
        .await
        .unwrap();
    let _: RemovePersonalAccessTokenResponse = c
        .call(
            "RemovePersonalAccessToken",
            RemovePersonalAccessTokenRequest { user_id: sa.user_id.clone(), token_id: tokens.result[0].id.clone() },
        )
        .await
        .unwrap();
    sa.token.expose().to_string()
}

async fn every_route_answers_each_caller_as_the_permission_table_says(s: Arc<TestServer>, c: Client) {
    let org: burg_api::admin::SetUpOrgResponse =
        c.call("SetUpOrg", crate::orgs::setup_request("Probed")).await.unwrap();
    let org_owner =
        s.app.create_service_account(Some("org-owner"), &["ORG_OWNER".into()], Some(&org.org_id), None).await.unwrap();
    let callers = [
        (Caller::NoToken, String::new()),
        (Caller::BadToken, "not-a-token".to_string()),
        (Caller::RevokedToken, revoked_token(&s, &c).await),
        (Caller::IamOwnerViewer, s.token_with_roles(&["IAM_OWNER_VIEWER"]).await),
        (Caller::IamOwner, c.token().to_string()),
        (Caller::OrgOwner, org_owner.token.expose().to_string()),
    ];
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (caller, token) in &callers {
        let client = c.with_token(token);
        // The Management API's RemoveOrg removes the caller's own
        // organization (the org owner's, with its users): it goes last.
        let removes_own_org = |r: &&Route| r.service == "ManagementService" && r.method == "RemoveOrg";
        let ordered = ROUTES.iter().filter(|r| !removes_own_org(r)).chain(ROUTES.iter().filter(removes_own_org));
        for route in ordered.filter(|r| reachable(&c, r)) {
            let answer = client.probe(route).await;
            let got = answer.as_ref().err().map(|e| e.code);
            let authorized = !matches!(got, Some(Code::Unauthenticated | Code::PermissionDenied));
            match expected(*caller, route) {
                None if authorized => {}
                Some(code) if got == Some(code) => {
                    if c.protocol == Protocol::Rest {
                        let status = answer.unwrap_err().http_status;
                        let want = if code == Code::Unauthenticated { 401 } else { 403 };
                        assert_eq!(status, Some(want), "{caller:?} {}", route.method);
                    }
                }
                want => wrong.push(format!("{caller:?} {}: expected {want:?}, got {answer:?}", route.method)),
            }
            checked += 1;
        }
    }
    assert!(wrong.is_empty(), "{} of {checked} answers differ from the table:\n{}", wrong.len(), wrong.join("\n"));
    assert_eq!(checked, ROUTES.iter().filter(|r| reachable(&c, r)).count() * callers.len());
    assert!(ROUTES.iter().any(|r| r.service == "AdminService") && ROUTES.iter().any(|r| r.service != "AdminService"));
}

async fn org_scoped_calls_stay_in_their_org(s: Arc<TestServer>, c: Client) {
    let a: burg_api::admin::SetUpOrgResponse = c.call("SetUpOrg", crate::orgs::setup_request("Alpha")).await.unwrap();
    let b: burg_api::admin::SetUpOrgResponse = c.call("SetUpOrg", crate::orgs::setup_request("Beta")).await.unwrap();
    let owner = s.app.create_service_account(Some("alpha-owner"), &["ORG_OWNER".into()], Some(&a.org_id), None).await;
    let owner = c.with_token(owner.unwrap().token.expose());
    let add = |user_name: &str| AddMachineUserRequest {
        user_name: user_name.into(),
        name: "Robot".into(),
        ..Default::default()
    };

    // Without a header the caller's own org; with its own org's id the same.
    let own: AddMachineUserResponse = owner.call("AddMachineUser", add("r1")).await.unwrap();
    assert_eq!(own.details.unwrap().resource_owner, a.org_id);
    let own: AddMachineUserResponse = owner.with_org(&a.org_id).call("AddMachineUser", add("r2")).await.unwrap();
    assert_eq!(own.details.unwrap().resource_owner, a.org_id);
    // Another org is out of reach, and so are its users.
    let err = owner.with_org(&b.org_id).call::<_, AddMachineUserResponse>("AddMachineUser", add("r3")).await;
    assert_eq!(err.unwrap_err().code, Code::PermissionDenied);
    let err = owner
        .with_org(&b.org_id)
        .call::<_, AddPersonalAccessTokenResponse>(
            "AddPersonalAccessToken",
            AddPersonalAccessTokenRequest { user_id: b.user_id.clone(), ..Default::default() },
        )
        .await;
    assert_eq!(err.unwrap_err().code, Code::PermissionDenied);
    // The instance owner may work in any org through the header.
    let there: AddMachineUserResponse = c.with_org(&b.org_id).call("AddMachineUser", add("r4")).await.unwrap();
    assert_eq!(there.details.unwrap().resource_owner, b.org_id);
    let err = owner
        .call::<_, AddPersonalAccessTokenResponse>(
            "AddPersonalAccessToken",
            AddPersonalAccessTokenRequest { user_id: there.user_id.clone(), ..Default::default() },
        )
        .await;
    // ZITADEL: the user is not in the caller's org, a precondition of the write.
    assert_eq!(err.unwrap_err().code, Code::FailedPrecondition, "a user of another org is not in the caller's org");
    // And its tokens are not listed there: an empty list, as ZITADEL answers.
    let listed: ListPersonalAccessTokensResponse = owner
        .call(
            "ListPersonalAccessTokens",
            ListPersonalAccessTokensRequest { user_id: there.user_id.clone(), ..Default::default() },
        )
        .await
        .unwrap();
    assert!(listed.result.is_empty());
}
