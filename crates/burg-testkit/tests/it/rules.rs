//! The proto's `validate` rules, checked before any handler as ZITADEL's
//! validation interceptor checks them: InvalidArgument with the text
//! protoc-gen-validate gives, and nothing written.

use std::sync::Arc;

use burg_api::admin::*;
use burg_api::management::{ImportHumanUserRequest, import_human_user_request};
use burg_api::validate::ERROR_ID;
use burg_testkit::{ApiError, Client, TestServer, in_process};
use tonic::Code;

in_process!(rules_answer_as_zitadel_and_write_nothing);

fn refused(err: &ApiError, message: &str) {
    assert_eq!(
        (err.code, err.id.as_str(), err.message.as_str()),
        (Code::InvalidArgument, ERROR_ID, message),
        "{err:?}"
    );
    assert_eq!(err.http_status, Some(400));
}

async fn rules_answer_as_zitadel_and_write_nothing(s: Arc<TestServer>, c: Client) {
    let before = s.event_count().await;

    // A plain field.
    let err = c
        .call::<_, AddIamMemberResponse>("AddIAMMember", AddIamMemberRequest { user_id: String::new(), roles: vec![] })
        .await
        .unwrap_err();
    refused(&err, "invalid AddIAMMemberRequest.UserId: value length must be between 1 and 200 runes, inclusive");

    // Runes, not bytes: 200 two-byte letters pass the rule (and fail later
    // for another reason, not this one).
    let err = c
        .call::<_, AddIamMemberResponse>(
            "AddIAMMember",
            AddIamMemberRequest { user_id: "ä".repeat(200), roles: vec![] },
        )
        .await
        .unwrap_err();
    assert_ne!(err.id, ERROR_ID, "{err:?}");

    // A required nested message, and a field inside one.
    let err = c.call::<_, SetUpOrgResponse>("SetUpOrg", SetUpOrgRequest::default()).await.unwrap_err();
    refused(&err, "invalid SetUpOrgRequest.Org: value is required");
    let mut setup = crate::orgs::setup_request("Rules");
    setup.org.as_mut().unwrap().name = "x".repeat(201);
    let err = c.call::<_, SetUpOrgResponse>("SetUpOrg", setup).await.unwrap_err();
    refused(
        &err,
        "invalid SetUpOrgRequest.Org: embedded message failed validation | caused by: \
         invalid SetUpOrgRequest_Org.Name: value length must be between 1 and 200 runes, inclusive",
    );

    // Inside a oneof, two levels down: the phone needs its `+`.
    let mut setup = crate::orgs::setup_request("Rules");
    if let Some(set_up_org_request::User::Human(human)) = setup.user.as_mut() {
        human.phone =
            Some(set_up_org_request::human::Phone { phone: "079 555 01 01".into(), is_phone_verified: false });
    }
    let err = c.call::<_, SetUpOrgResponse>("SetUpOrg", setup).await.unwrap_err();
    refused(
        &err,
        "invalid SetUpOrgRequest.Human: embedded message failed validation | caused by: \
         invalid SetUpOrgRequest_Human.Phone: embedded message failed validation | caused by: \
         invalid SetUpOrgRequest_Human_Phone.Phone: value does not have prefix \"+\"",
    );

    // Item counts and item rules of a repeated field.
    let oidc = |scopes: Vec<String>| AddGenericOidcProviderRequest {
        name: "OIDC".into(),
        issuer: "https://issuer.example.com".into(),
        client_id: "client".into(),
        client_secret: "secret".into(),
        scopes,
        ..Default::default()
    };
    let err = c
        .call::<_, AddGenericOidcProviderResponse>("AddGenericOIDCProvider", oidc(vec!["openid".into(); 21]))
        .await
        .unwrap_err();
    refused(&err, "invalid AddGenericOIDCProviderRequest.Scopes: value must contain no more than 20 item(s)");
    let err = c
        .call::<_, AddGenericOidcProviderResponse>("AddGenericOIDCProvider", oidc(vec!["openid".into(), String::new()]))
        .await
        .unwrap_err();
    refused(
        &err,
        "invalid AddGenericOIDCProviderRequest.Scopes[1]: value length must be between 1 and 100 runes, inclusive",
    );
    let err = c
        .call::<_, ListEventsResponse>(
            "ListEvents",
            ListEventsRequest { event_types: vec!["org.added".into(); 31], ..Default::default() },
        )
        .await
        .unwrap_err();
    refused(&err, "invalid ListEventsRequest.EventTypes: value must contain no more than 30 item(s)");

    // An enum number the enum does not define: JSON reads it (proto3 enums
    // are open, as in ZITADEL's gateway) and the field's rule refuses it.
    let err =
        c.call_json("AdminService", "UpdateLoginPolicy", serde_json::json!({"passwordlessType": 7})).await.unwrap_err();
    refused(&err, "invalid UpdateLoginPolicyRequest.PasswordlessType: value must be one of the defined enum values");

    // An inline import is checked whole before anything is imported: one
    // user's phone refuses the call.
    let user = ImportHumanUserRequest {
        user_name: "jane".into(),
        profile: Some(import_human_user_request::Profile {
            first_name: "Jane".into(),
            last_name: "Doe".into(),
            ..Default::default()
        }),
        email: Some(import_human_user_request::Email { email: "jane@example.com".into(), is_email_verified: true }),
        phone: Some(import_human_user_request::Phone { phone: "0795550101".into(), is_phone_verified: false }),
        ..Default::default()
    };
    let org = DataOrg {
        org_id: "70000000000000001".into(),
        org: Some(burg_api::management::AddOrgRequest { name: "Imported".into() }),
        human_users: vec![burg_api::zitadel::v1::v1::DataHumanUser {
            user_id: "70000000000000002".into(),
            user: Some(user),
            ..Default::default()
        }],
        ..Default::default()
    };
    let request = ImportDataRequest {
        data: Some(import_data_request::Data::DataOrgs(ImportDataOrg { orgs: vec![org], ..Default::default() })),
        timeout: "1m".into(),
    };
    let err = c.call::<_, ImportDataResponse>("ImportData", request).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, ERROR_ID), "{err:?}");
    assert!(
        err.message.starts_with(
            "invalid ImportDataRequest.DataOrgs: embedded message failed validation | caused by: \
             invalid ImportDataOrg.Orgs[0]: embedded message failed validation | caused by: \
             invalid DataOrg.HumanUsers[0]: embedded message failed validation"
        ),
        "{err:?}"
    );
    assert!(
        err.message.ends_with("invalid ImportHumanUserRequest_Phone.Phone: value does not have prefix \"+\""),
        "{err:?}"
    );

    assert_eq!(s.event_count().await, before, "a request that breaks a rule writes nothing");
}
