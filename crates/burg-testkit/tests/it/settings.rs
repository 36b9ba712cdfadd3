//! The settings mechanism at both scopes, through the login policy: an
//! organization reads the instance's value until it has its own, changes
//! only its own, and goes back to the instance's when reset. (The
//! organization-level RPCs come with the Management API; the mechanism is
//! called here as they will call it.)

use std::sync::Arc;

use burg_api::admin::*;
use burg_app::Ctx;
use burg_app::settings::Scope;
use burg_domain::ErrorKind;
use burg_domain::events::instance::LoginPolicy;
use burg_testkit::{Client, TestServer, matrix};

matrix!(an_org_setting_overrides_the_instance_until_it_is_reset);

async fn an_org_setting_overrides_the_instance_until_it_is_reset(s: Arc<TestServer>, c: Client) {
    let org: SetUpOrgResponse = c.call("SetUpOrg", crate::orgs::setup_request("Settled")).await.unwrap();
    let (app, ctx, scope) = (&s.app, Ctx::system("test"), Scope::Org(&org.org_id));

    let inherited = app.read_setting::<LoginPolicy>(scope).await.unwrap();
    assert!(inherited.is_default);
    assert_eq!(inherited.value, LoginPolicy::instance_default());

    let own = LoginPolicy { allow_register: false, force_mfa: true, ..LoginPolicy::instance_default() };
    app.add_org_setting(&ctx, &org.org_id, own.clone(), "TEST-exist1").await.unwrap();
    let err = app.add_org_setting(&ctx, &org.org_id, own.clone(), "TEST-exist1").await.unwrap_err();
    assert_eq!((err.kind, err.id), (ErrorKind::AlreadyExists, "TEST-exist1"));
    let read = app.read_setting::<LoginPolicy>(scope).await.unwrap();
    assert!(!read.is_default);
    assert_eq!(read.value, own);
    assert_eq!(read.details.unwrap().resource_owner, org.org_id);

    // A change of the instance's value leaves the organization's alone.
    let instance = app.read_setting::<LoginPolicy>(Scope::Instance).await.unwrap().value;
    let _: UpdateLoginPolicyResponse = c
        .call(
            "UpdateLoginPolicy",
            UpdateLoginPolicyRequest {
                allow_username_password: true,
                allow_register: true,
                allow_external_idp: true,
                passwordless_type: instance.passwordless_type,
                hide_password_reset: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(app.read_setting::<LoginPolicy>(scope).await.unwrap().value, own);

    // Its own value changes; the same value again is refused.
    let lifted = |p: &LoginPolicy| LoginPolicy { force_mfa: false, ..p.clone() };
    app.change_setting(&ctx, scope, lifted, "TEST-same1", "TEST-none1").await.unwrap();
    assert!(!app.read_setting::<LoginPolicy>(scope).await.unwrap().value.force_mfa);
    let err = app.change_setting(&ctx, scope, lifted, "TEST-same1", "TEST-none1").await.unwrap_err();
    assert_eq!((err.kind, err.id), (ErrorKind::FailedPrecondition, "TEST-same1"));

    // Reset: the instance's value applies again, whatever it is now.
    app.reset_org_setting::<LoginPolicy>(&ctx, &org.org_id, "TEST-none1").await.unwrap();
    let back = app.read_setting::<LoginPolicy>(scope).await.unwrap();
    assert!(back.is_default);
    assert!(back.value.hide_password_reset, "the instance's current value");
    assert_eq!(back.value, app.read_setting::<LoginPolicy>(Scope::Instance).await.unwrap().value);
    let err = app.reset_org_setting::<LoginPolicy>(&ctx, &org.org_id, "TEST-none1").await.unwrap_err();
    assert_eq!((err.kind, err.id), (ErrorKind::NotFound, "TEST-none1"));
    let err = app.change_setting(&ctx, scope, lifted, "TEST-same1", "TEST-none1").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "no own value to change");

    // The org's events are ZITADEL's, on the org's aggregate.
    let events: ListEventsResponse = c
        .call("ListEvents", ListEventsRequest { aggregate_id: org.org_id.clone(), asc: true, ..Default::default() })
        .await
        .unwrap();
    let types: Vec<String> = events.events.iter().filter_map(|e| e.r#type.as_ref().map(|t| t.r#type.clone())).collect();
    let policy: Vec<&str> = types.iter().map(String::as_str).filter(|t| t.starts_with("org.policy.login")).collect();
    assert_eq!(
        policy,
        [
            "org.policy.login.added",
            "org.policy.login.secondfactor.added",
            "org.policy.login.secondfactor.added",
            "org.policy.login.multifactor.added",
            "org.policy.login.changed",
            "org.policy.login.removed"
        ]
    );
    let listed: ListEventTypesResponse = c.call("ListEventTypes", ListEventTypesRequest {}).await.unwrap();
    assert!(listed.event_types.iter().any(|t| t.r#type == "org.policy.login.removed"));
}
