//! The departures of `docs/departures.md` that no other test pins: each
//! answers as that table says, not as ZITADEL does.

use std::sync::Arc;

use burg_api::admin::*;
use burg_testkit::{Client, TestServer, in_process};
use serde_json::json;
use tonic::Code;

in_process!(
    set_up_org_without_a_human_is_refused,
    import_reports_roles_and_actions_apart,
    aggregate_types_are_burgs,
    each_credential_leaves_under_its_own_flag,
);

/// ZITADEL's handler does not check for the first user and fails on its
/// absence; burg says which field is missing, and writes nothing.
async fn set_up_org_without_a_human_is_refused(s: Arc<TestServer>, c: Client) {
    let events = s.event_count().await;
    let request = SetUpOrgRequest { user: None, ..crate::orgs::setup_request("Headless") };
    let err = c.call::<_, SetUpOrgResponse>("SetUpOrg", request).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "ORG-setup1"));
    assert!(err.message.contains("human"), "{}", err.message);
    assert_eq!(s.event_count().await, events);
}

/// ZITADEL's report adds the imported action ids to `projectRoles` too;
/// burg lists each where it belongs.
async fn import_reports_roles_and_actions_apart(_s: Arc<TestServer>, c: Client) {
    let (org, project, action) = ("380000000000000001", "380000000000000002", "380000000000000003");
    let doc = json!({"orgs": [{
        "orgId": org, "org": {"name": "Reported"},
        "projects": [{"projectId": project, "project": {"name": "Portal"}}],
        "projectRoles": [{"projectId": project, "roleKey": "reader", "displayName": "Reader"}],
        "actions": [{"actionId": action, "action": {"name": "noop", "script": "function noop(ctx, api) {}"}}]
    }]});
    let report = c.call_json("AdminService", "ImportData", json!({"dataOrgs": doc, "timeout": "1m"})).await.unwrap();
    let success = &report["success"]["orgs"][0];
    assert_eq!(success["projectRoles"], json!([format!("{project}_reader")]), "{report}");
    assert_eq!(success["actionIds"], json!([action]), "{report}");
}

/// ZITADEL lists every aggregate type its event store registers; burg
/// lists the ones it writes, and nothing it does not.
async fn aggregate_types_are_burgs(_s: Arc<TestServer>, c: Client) {
    let listed: ListAggregateTypesResponse = c.call("ListAggregateTypes", ListAggregateTypesRequest {}).await.unwrap();
    let mut types: Vec<String> = listed.aggregate_types.into_iter().map(|t| t.r#type).collect();
    types.sort();
    let burgs = ["action", "feature", "instance", "org", "project", "restrictions", "user", "usergrant", "web_key"];
    assert_eq!(types, burgs);
}

/// ZITADEL's export writes an org IdP's client secret under any flag, or
/// none; burg writes OTP secrets under `withOtp` and IdP client secrets
/// only under `withPasswords`.
async fn each_credential_leaves_under_its_own_flag(_s: Arc<TestServer>, c: Client) {
    let (org, idp, user) = ("380000000000000011", "380000000000000012", "380000000000000013");
    let otp = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    let doc = json!({"orgs": [{
        "orgId": org, "org": {"name": "Credentials"},
        "oidcIdps": [{"idpId": idp, "idp": {"name": "Corp", "clientId": "corp", "clientSecret": "canary-idp-secret",
            "issuer": "https://idp.example.com", "scopes": ["openid"]}}],
        "humanUsers": [{"userId": user, "user": {"userName": "otp", "profile": {"firstName": "O", "lastName": "T"},
            "email": {"email": "otp@example.com", "isEmailVerified": true}, "otpCode": otp,
            "hashedPassword": {"value": crate::transfer::BCRYPT}}}]
    }]});
    let report = c.call_json("AdminService", "ImportData", json!({"dataOrgs": doc, "timeout": "1m"})).await.unwrap();
    assert_eq!(report["errors"], serde_json::Value::Null, "{report}");
    let export = |flags: serde_json::Value| {
        let mut body = json!({"orgIds": [org], "timeout": "1m"});
        body.as_object_mut().unwrap().extend(flags.as_object().unwrap().clone());
        let c = &c;
        async move { c.call_json("AdminService", "ExportData", body).await.unwrap() }
    };
    let secret = |e: &serde_json::Value| e["orgs"][0]["oidcIdps"][0]["idp"]["clientSecret"].clone();
    let code = |e: &serde_json::Value| e["orgs"][0]["humanUsers"][0]["user"]["otpCode"].clone();

    let with_otp = export(json!({"withOtp": true})).await;
    assert_eq!(code(&with_otp), json!(otp), "{with_otp}");
    assert_eq!(secret(&with_otp), serde_json::Value::Null, "no IdP secret under withOtp alone: {with_otp}");
    let with_passwords = export(json!({"withPasswords": true})).await;
    assert_eq!(secret(&with_passwords), json!("canary-idp-secret"));
    assert_eq!(code(&with_passwords), serde_json::Value::Null, "no OTP secret under withPasswords alone");
    let neither = export(json!({})).await;
    assert_eq!((secret(&neither), code(&neither)), (serde_json::Value::Null, serde_json::Value::Null));
}
