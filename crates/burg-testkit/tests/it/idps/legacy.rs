//! The first IdP API (`AddOIDCIDP`, `AddJWTIDP`, …), which ZITADEL still
//! answers: add, get, list, update, the protocol updates, deactivate,
//! reactivate and remove, ZITADEL's events and error ids, and each
//! configuration seen as a template (as ZITADEL's template projection
//! shows it) by `GetProviderByID` and the login policy.

use std::sync::Arc;

use burg_api::admin::*;
use burg_api::idp as pb;
use burg_api::object::{ListQuery, TextQueryMethod};
use burg_testkit::{Client, TestServer, in_process, matrix};
use serde_json::{Value, json};
use tonic::Code;

/// The newest instance events, newest first: (type, payload; numbers
/// come as floats through `google.protobuf.Struct`).
async fn newest(c: &Client, n: u32) -> Vec<(String, Value)> {
    let r: ListEventsResponse =
        c.call("ListEvents", ListEventsRequest { limit: n, ..Default::default() }).await.unwrap();
    r.events
        .into_iter()
        .map(|e| {
            let payload = e.payload.map(|p| serde_json::to_value(p).unwrap()).unwrap_or(Value::Null);
            (e.r#type.unwrap().r#type, payload)
        })
        .collect()
}

fn oidc(name: &str) -> AddOidcidpRequest {
    AddOidcidpRequest {
        name: name.into(),
        styling_type: pb::IdpStylingType::StylingTypeGoogle as i32,
        client_id: "client".into(),
        client_secret: "very-secret-legacy".into(),
        issuer: "https://issuer.example".into(),
        scopes: vec!["openid".into(), "email".into()],
        display_name_mapping: pb::OidcMappingField::Email as i32,
        username_mapping: pb::OidcMappingField::PreferredUsername as i32,
        auto_register: true,
    }
}

fn jwt(name: &str) -> AddJwtidpRequest {
    AddJwtidpRequest {
        name: name.into(),
        styling_type: 0,
        jwt_endpoint: "https://jwt.example/token".into(),
        issuer: "https://jwt.example".into(),
        keys_endpoint: "https://jwt.example/keys".into(),
        header_name: "x-jwt".into(),
        auto_register: false,
    }
}

async fn get(c: &Client, id: &str) -> pb::Idp {
    let got: GetIdpByIdResponse = c.call("GetIDPByID", GetIdpByIdRequest { id: id.into() }).await.unwrap();
    got.idp.unwrap()
}

matrix!(legacy_idps_live_their_life);

async fn legacy_idps_live_their_life(s: Arc<TestServer>, c: Client) {
    let added: AddOidcidpResponse = c.call("AddOIDCIDP", oidc("Corporate")).await.unwrap();
    let id = added.idp_id.clone();
    let details = added.details.unwrap();
    assert_eq!(details.resource_owner, s.app.instance_id());
    assert!(details.creation_date.is_some() && details.change_date.is_none(), "add flavour of details");
    let events = newest(&c, 2).await;
    assert_eq!(events[1].0, "iam.idp.config.added");
    assert_eq!(
        events[1].1,
        json!({"idpConfigId": id, "name": "Corporate", "stylingType": 1.0, "autoRegister": true}),
        "idpType OIDC (0) is left out, as Go's omitempty does"
    );
    assert_eq!(events[0].0, "iam.idp.oidc.config.added");
    let payload = &events[0].1;
    assert_eq!(payload["clientId"], "client");
    assert_eq!(payload["scopes"], json!(["openid", "email"]));
    assert_eq!(
        (payload["idpDisplayNameMapping"].clone(), payload["usernameMapping"].clone()),
        (json!(2.0), json!(1.0))
    );
    // Sealed in the store; `ListEvents` shows the member without its value.
    assert_eq!(payload.get("clientSecret"), Some(&Value::Null), "{payload}");
    assert!(!payload.to_string().contains("very-secret-legacy"));

    let idp = get(&c, &id).await;
    assert_eq!((idp.name.as_str(), idp.state, idp.styling_type, idp.auto_register), ("Corporate", 1, 1, true));
    assert_eq!(idp.owner, pb::IdpOwnerType::System as i32);
    let Some(pb::idp::Config::OidcConfig(o)) = idp.config else { panic!("not OIDC: {:?}", idp.config) };
    assert_eq!(
        (o.client_id.as_str(), o.issuer.as_str(), o.display_name_mapping),
        ("client", "https://issuer.example", 2)
    );

    // As ZITADEL's template projection: the configuration is an OIDC template.
    let provider: GetProviderByIdResponse =
        c.call("GetProviderByID", GetProviderByIdRequest { id: id.clone() }).await.unwrap();
    let provider = provider.idp.unwrap();
    assert_eq!((provider.name.as_str(), provider.r#type), ("Corporate", pb::ProviderType::Oidc as i32));
    let options = provider.config.unwrap().options.unwrap();
    assert!(options.is_creation_allowed && options.is_linking_allowed && options.is_auto_creation);
    let _: AddIdpToLoginPolicyResponse =
        c.call("AddIDPToLoginPolicy", AddIdpToLoginPolicyRequest { idp_id: id.clone() }).await.unwrap();

    // A JWT configuration, and the list.
    let j: AddJwtidpResponse = c.call("AddJWTIDP", jwt("Tokens")).await.unwrap();
    let listed: ListIdPsResponse = c
        .call(
            "ListIDPs",
            ListIdPsRequest {
                sorting_column: pb::IdpFieldName::Name as i32,
                query: Some(ListQuery { asc: true, ..Default::default() }),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let names: Vec<_> = listed.result.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["Corporate", "Tokens"]);
    assert_eq!(listed.details.unwrap().total_result, 2);
    let by_name = ListIdPsRequest {
        queries: vec![IdpQuery {
            query: Some(idp_query::Query::IdpNameQuery(pb::IdpNameQuery {
                name: "tok".into(),
                method: TextQueryMethod::StartsWithIgnoreCase as i32,
            })),
        }],
        query: Some(ListQuery { limit: 5, ..Default::default() }),
        ..Default::default()
    };
    let listed: ListIdPsResponse = c.call("ListIDPs", by_name).await.unwrap();
    assert_eq!(listed.result.len(), 1);
    let Some(pb::idp::Config::JwtConfig(jc)) = &listed.result[0].config else { panic!("not JWT") };
    assert_eq!(jc.header_name, "x-jwt");

    // Updates: only what changed is written.
    let update = UpdateIdpRequest { idp_id: id.clone(), name: "Corp".into(), styling_type: 1, auto_register: true };
    let _: UpdateIdpResponse = c.call("UpdateIDP", update.clone()).await.unwrap();
    assert_eq!(newest(&c, 1).await[0].1, json!({"idpConfigId": id, "name": "Corp"}));
    let err = c.call::<_, UpdateIdpResponse>("UpdateIDP", update).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "INSTANCE-3k0fs"));
    let taken = UpdateIdpRequest { idp_id: id.clone(), name: "Tokens".into(), styling_type: 1, auto_register: true };
    let err = c.call::<_, UpdateIdpResponse>("UpdateIDP", taken).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::AlreadyExists, "V3-DKcYh"));

    let config = UpdateIdpoidcConfigRequest {
        idp_id: id.clone(),
        issuer: "https://issuer.example".into(),
        client_id: "client-2".into(),
        client_secret: String::new(),
        scopes: vec!["openid".into(), "email".into()],
        display_name_mapping: 2,
        username_mapping: 1,
    };
    let _: UpdateIdpoidcConfigResponse = c.call("UpdateIDPOIDCConfig", config.clone()).await.unwrap();
    assert_eq!(
        newest(&c, 1).await[0],
        ("iam.idp.oidc.config.changed".into(), json!({"idpConfigId": id, "clientId": "client-2"}))
    );
    let err = c.call::<_, UpdateIdpoidcConfigResponse>("UpdateIDPOIDCConfig", config.clone()).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "INSTANCE-d8kwF"));
    // A secret given is always written, sealed.
    let with_secret = UpdateIdpoidcConfigRequest { client_secret: "another-secret".into(), ..config };
    let _: UpdateIdpoidcConfigResponse = c.call("UpdateIDPOIDCConfig", with_secret).await.unwrap();
    let (_, payload) = newest(&c, 1).await.remove(0);
    assert!(payload.get("clientSecret").is_some() && !payload.to_string().contains("another-secret"));
    let provider: GetProviderByIdResponse =
        c.call("GetProviderByID", GetProviderByIdRequest { id: id.clone() }).await.unwrap();
    assert_eq!(provider.idp.unwrap().name, "Corp", "the template follows the configuration");

    // The protocol update of the other protocol does not find it.
    let err = c
        .call::<_, UpdateIdpjwtConfigResponse>(
            "UpdateIDPJWTConfig",
            UpdateIdpjwtConfigRequest {
                idp_id: id.clone(),
                jwt_endpoint: "https://a".into(),
                issuer: "https://a".into(),
                keys_endpoint: "https://a".into(),
                header_name: "h".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "INSTANCE-2m00d"));
    let jwt_update = UpdateIdpjwtConfigRequest {
        idp_id: j.idp_id.clone(),
        jwt_endpoint: "https://jwt.example/token".into(),
        issuer: "https://jwt.example".into(),
        keys_endpoint: "https://jwt.example/keys2".into(),
        header_name: "x-jwt".into(),
    };
    let _: UpdateIdpjwtConfigResponse = c.call("UpdateIDPJWTConfig", jwt_update).await.unwrap();
    assert_eq!(newest(&c, 1).await[0].1, json!({"idpConfigId": j.idp_id, "keysEndpoint": "https://jwt.example/keys2"}));

    // Deactivate and reactivate, each only from the other state.
    let _: DeactivateIdpResponse = c.call("DeactivateIDP", DeactivateIdpRequest { idp_id: id.clone() }).await.unwrap();
    assert_eq!(get(&c, &id).await.state, pb::IdpState::Inactive as i32);
    let err = c.call::<_, DeactivateIdpResponse>("DeactivateIDP", DeactivateIdpRequest { idp_id: id.clone() }).await;
    let err = err.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "INSTANCE-2n0fs"));
    let _: ReactivateIdpResponse = c.call("ReactivateIDP", ReactivateIdpRequest { idp_id: id.clone() }).await.unwrap();
    assert_eq!(get(&c, &id).await.state, pb::IdpState::Active as i32);

    // Remove: the configuration, its template and the login policy's link go.
    let removed: RemoveIdpResponse = c.call("RemoveIDP", RemoveIdpRequest { idp_id: id.clone() }).await.unwrap();
    assert!(removed.details.unwrap().change_date.is_some());
    let types: Vec<_> = newest(&c, 2).await.into_iter().map(|(t, _)| t).collect();
    assert_eq!(types, ["instance.policy.login.idpprovider.cascade.removed", "iam.idp.config.removed"]);
    let err = c.call::<_, GetIdpByIdResponse>("GetIDPByID", GetIdpByIdRequest { id: id.clone() }).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "QUERY-rhR2o"));
    let err = c.call::<_, GetProviderByIdResponse>("GetProviderByID", GetProviderByIdRequest { id: id.clone() }).await;
    assert_eq!(err.unwrap_err().code, Code::NotFound);
    let links: ListLoginPolicyIdPsResponse =
        c.call("ListLoginPolicyIDPs", ListLoginPolicyIdPsRequest::default()).await.unwrap();
    assert!(links.result.iter().all(|l| l.idp_id != id));
    // The name is free again.
    let _: AddOidcidpResponse = c.call("AddOIDCIDP", oidc("Corporate")).await.unwrap();
}

in_process!(legacy_idp_errors_are_zitadels);

async fn legacy_idp_errors_are_zitadels(s: Arc<TestServer>, c: Client) {
    let _: AddOidcidpResponse = c.call("AddOIDCIDP", oidc("Twice")).await.unwrap();
    let before = s.event_count().await;
    let err = c.call::<_, AddJwtidpResponse>("AddJWTIDP", jwt("Twice")).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::AlreadyExists, "V3-DKcYh"), "names are unique per owner");
    // Names are compared as given: another case is another name.
    let _: AddJwtidpResponse = c.call("AddJWTIDP", jwt("twice")).await.unwrap();
    let before_unknown = s.event_count().await;
    assert_eq!(before_unknown, before + 2);

    let unknown = "123456789";
    let cases: Vec<(&str, Result<(), burg_testkit::ApiError>, Code, &str)> = vec![
        (
            "UpdateIDP",
            c.call::<_, UpdateIdpResponse>(
                "UpdateIDP",
                UpdateIdpRequest { idp_id: unknown.into(), name: "x".into(), ..Default::default() },
            )
            .await
            .map(drop),
            Code::NotFound,
            "INSTANCE-m0e3r",
        ),
        (
            "UpdateIDPOIDCConfig",
            c.call::<_, UpdateIdpoidcConfigResponse>(
                "UpdateIDPOIDCConfig",
                UpdateIdpoidcConfigRequest {
                    idp_id: unknown.into(),
                    issuer: "i".into(),
                    client_id: "c".into(),
                    ..Default::default()
                },
            )
            .await
            .map(drop),
            Code::NotFound,
            "INSTANCE-67J9d",
        ),
        (
            "DeactivateIDP",
            c.call::<_, DeactivateIdpResponse>("DeactivateIDP", DeactivateIdpRequest { idp_id: unknown.into() })
                .await
                .map(drop),
            Code::FailedPrecondition,
            "INSTANCE-2n0fs",
        ),
        (
            "ReactivateIDP",
            c.call::<_, ReactivateIdpResponse>("ReactivateIDP", ReactivateIdpRequest { idp_id: unknown.into() })
                .await
                .map(drop),
            Code::FailedPrecondition,
            "INSTANCE-5Mo0d",
        ),
        (
            "RemoveIDP",
            c.call::<_, RemoveIdpResponse>("RemoveIDP", RemoveIdpRequest { idp_id: unknown.into() }).await.map(drop),
            Code::NotFound,
            "INSTANCE-4M0xy",
        ),
        (
            "ListIDPs",
            c.call::<_, ListIdPsResponse>(
                "ListIDPs",
                ListIdPsRequest { queries: vec![IdpQuery { query: None }], ..Default::default() },
            )
            .await
            .map(drop),
            Code::InvalidArgument,
            "ADMIN-VmqQu",
        ),
    ];
    for (rpc, result, code, id) in cases {
        let err = result.unwrap_err();
        assert_eq!((err.code, err.id.as_str()), (code, id), "{rpc}");
    }
    // The proto's rules: a secret is required on add.
    let err = c
        .call::<_, AddOidcidpResponse>("AddOIDCIDP", AddOidcidpRequest { client_secret: String::new(), ..oidc("New") })
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "VALID-rules"));
    assert_eq!(s.event_count().await, before_unknown, "nothing written by a refused call");
}
