//! The login policy's links to providers and users' links to accounts,
//! and what a delete takes along.

use std::sync::Arc;

use burg_api::admin::*;
use burg_api::idp as pb;
use burg_testkit::{Client, TestServer, matrix};
use tonic::Code;

use super::admin_ctx;
use super::cases::*;

matrix!(delete_takes_policy_entries_and_user_links_along, login_policy_links);

async fn delete_takes_policy_entries_and_user_links_along(s: Arc<TestServer>, c: Client) {
    let keep = add(&c, Kind::Google, "Keep", "secret").await.unwrap();
    let doomed = add(&c, Kind::Oidc, "Doomed", "secret").await.unwrap();
    for id in [&keep, &doomed] {
        let _: AddIdpToLoginPolicyResponse =
            c.call("AddIDPToLoginPolicy", AddIdpToLoginPolicyRequest { idp_id: id.to_string() }).await.unwrap();
    }
    let user = crate::orgs::human_user(&c, "linked").await;
    let ctx = admin_ctx(&s);
    s.app.add_user_idp_link(&ctx, &user, &doomed, "ext-1", "Linked at Doomed").await.unwrap();
    s.app.add_user_idp_link(&ctx, &user, &keep, "ext-2", "Linked at Keep").await.unwrap();
    let dup = s.app.add_user_idp_link(&ctx, &user, &doomed, "ext-1", "again").await.unwrap_err();
    assert_eq!(dup.kind, burg_domain::ErrorKind::AlreadyExists);

    let _: DeleteProviderResponse =
        c.call("DeleteProvider", DeleteProviderRequest { id: doomed.clone() }).await.unwrap();

    let links: ListLoginPolicyIdPsResponse =
        c.call("ListLoginPolicyIDPs", ListLoginPolicyIdPsRequest::default()).await.unwrap();
    let ids: Vec<&str> = links.result.iter().map(|l| l.idp_id.as_str()).collect();
    assert_eq!(ids, vec![keep.as_str()]);
    assert_eq!(s.app.user_idp_links(&user).await.unwrap(), vec![(keep.clone(), "ext-2".to_string())]);

    // As ZITADEL: no event for the policy's link (the projection of
    // `instance.idp.removed` deletes it); the user's link has its own.
    let events: ListEventsResponse =
        c.call("ListEvents", ListEventsRequest { limit: 10, ..Default::default() }).await.unwrap();
    let types: Vec<&str> = events.events.iter().map(|e| e.r#type.as_ref().unwrap().r#type.as_str()).collect();
    assert_eq!(
        &types[..3],
        &["instance.idp.removed", "user.human.externalidp.cascade.removed", "user.human.externalidp.added"],
        "newest first"
    );
}

async fn login_policy_links(_s: Arc<TestServer>, c: Client) {
    let policy: GetLoginPolicyResponse = c.call("GetLoginPolicy", GetLoginPolicyRequest {}).await.unwrap();
    let policy = policy.policy.unwrap();
    assert!(policy.is_default && policy.allow_external_idp && policy.idps.is_empty());

    let id = add(&c, Kind::Oidc, "Policy OIDC", "secret").await.unwrap();
    let added: AddIdpToLoginPolicyResponse =
        c.call("AddIDPToLoginPolicy", AddIdpToLoginPolicyRequest { idp_id: id.clone() }).await.unwrap();
    assert!(added.details.is_some());
    let again = c.call::<_, AddIdpToLoginPolicyResponse>(
        "AddIDPToLoginPolicy",
        AddIdpToLoginPolicyRequest { idp_id: id.clone() },
    );
    assert_eq!(again.await.unwrap_err().code, Code::AlreadyExists);
    let unknown = c.call::<_, AddIdpToLoginPolicyResponse>(
        "AddIDPToLoginPolicy",
        AddIdpToLoginPolicyRequest { idp_id: "42".into() },
    );
    // ZITADEL: a reference inside a write is a precondition.
    let unknown = unknown.await.unwrap_err();
    assert_eq!((unknown.code, unknown.id.as_str()), (Code::FailedPrecondition, "INSTANCE-m8fsd"));

    let links: ListLoginPolicyIdPsResponse =
        c.call("ListLoginPolicyIDPs", ListLoginPolicyIdPsRequest::default()).await.unwrap();
    assert_eq!(links.details.unwrap().total_result, 1);
    assert_eq!(
        links.result,
        vec![pb::IdpLoginPolicyLink {
            idp_id: id.clone(),
            idp_name: "Policy OIDC".into(),
            idp_type: pb::IdpType::Oidc as i32
        }]
    );
    let policy: GetLoginPolicyResponse = c.call("GetLoginPolicy", GetLoginPolicyRequest {}).await.unwrap();
    assert_eq!(policy.policy.unwrap().idps.len(), 1);

    let _: RemoveIdpFromLoginPolicyResponse =
        c.call("RemoveIDPFromLoginPolicy", RemoveIdpFromLoginPolicyRequest { idp_id: id.clone() }).await.unwrap();
    let gone = c.call::<_, RemoveIdpFromLoginPolicyResponse>(
        "RemoveIDPFromLoginPolicy",
        RemoveIdpFromLoginPolicyRequest { idp_id: id.clone() },
    );
    assert_eq!(gone.await.unwrap_err().code, Code::NotFound);

    // The policy itself.
    let update = UpdateLoginPolicyRequest {
        allow_username_password: true,
        allow_external_idp: true,
        passwordless_type: 1,
        password_check_lifetime: Some(burg_api::wkt::Duration { seconds: 3600, nanos: 0 }),
        ..Default::default()
    };
    let _: UpdateLoginPolicyResponse = c.call("UpdateLoginPolicy", update.clone()).await.unwrap();
    let unchanged = c.call::<_, UpdateLoginPolicyResponse>("UpdateLoginPolicy", update).await.unwrap_err();
    assert_eq!(unchanged.code, Code::FailedPrecondition);
    let policy = c.call::<_, GetLoginPolicyResponse>("GetLoginPolicy", GetLoginPolicyRequest {}).await.unwrap();
    let policy = policy.policy.unwrap();
    assert!(!policy.allow_register);
    assert_eq!(policy.password_check_lifetime, Some(burg_api::wkt::Duration { seconds: 3600, nanos: 0 }));
}
