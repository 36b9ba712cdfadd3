//! The Management API's applications: created and imported apps are one
//! list, change alike and export alike; secrets are shown once.

use std::sync::Arc;

use burg_api::management::*;
use burg_api::object::{ListQuery, TextQueryMethod};
use burg_api::wkt::Duration;
use burg_api::zitadel::app::v1::{
    ApiAuthMethodType, AppNameQuery, AppQuery, OidcAppType, OidcAuthMethodType, OidcGrantType, OidcResponseType, app,
    app_query,
};
use burg_api::zitadel::authn::v1::KeyType;
use burg_testkit::{Client, Protocol, TestServer, in_process, matrix};
use serde_json::{Value, json};
use tonic::Code;

const ORG: &str = "370000000000000101";
const PROJECT: &str = "370000000000000102";
const WEB: &str = "370000000000000103";
const API: &str = "370000000000000104";

/// Imports an organization with a project, an OIDC app and an API app that
/// signs with keys.
async fn imported(s: &TestServer) {
    let doc = json!({"orgs": [{
        "orgId": ORG, "org": {"name": "Appliers"},
        "projects": [{"projectId": PROJECT, "project": {"name": "Shop"}}],
        "oidcApps": [{"appId": WEB, "app": {
            "projectId": PROJECT, "name": "web", "redirectUris": ["https://web.example/cb"],
            "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"], "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE"],
            "appType": "OIDC_APP_TYPE_USER_AGENT", "authMethodType": "OIDC_AUTH_METHOD_TYPE_NONE"}}],
        "apiApps": [{"appId": API, "app": {
            "projectId": PROJECT, "name": "api", "authMethodType": "API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}}]
    }]});
    let r = s.client(Protocol::Rest).await;
    let report = r.call_json("AdminService", "ImportData", json!({"dataOrgs": doc, "timeout": "1m"})).await.unwrap();
    assert!(report.get("errors").is_none(), "{report}");
}

async fn exported(s: &TestServer) -> Value {
    let r = s.client(Protocol::Rest).await;
    let doc = r.call_json("AdminService", "ExportData", json!({"orgIds": [ORG]})).await.unwrap();
    doc["orgs"][0].clone()
}

fn portal() -> AddOidcAppRequest {
    AddOidcAppRequest {
        project_id: PROJECT.into(),
        name: "portal".into(),
        redirect_uris: vec![" https://portal.example/cb ".into()],
        auth_method_type: OidcAuthMethodType::Basic as i32,
        clock_skew: Some(Duration { seconds: 1, nanos: 500_000_000 }),
        additional_origins: vec!["https://cdn.example".into()],
        ..Default::default()
    }
}

async fn get(c: &Client, app_id: &str) -> burg_api::zitadel::app::v1::App {
    let req = GetAppByIdRequest { project_id: PROJECT.into(), app_id: app_id.into() };
    let got: GetAppByIdResponse = c.call("GetAppByID", req).await.unwrap();
    got.app.unwrap()
}

fn oidc(a: &burg_api::zitadel::app::v1::App) -> &burg_api::zitadel::app::v1::OidcConfig {
    match a.config.as_ref().unwrap() {
        app::Config::OidcConfig(c) => c,
        other => panic!("not an OIDC app: {other:?}"),
    }
}

matrix!(apps_created_and_imported_alike);

async fn apps_created_and_imported_alike(s: Arc<TestServer>, c: Client) {
    imported(&s).await;
    let c = c.with_org(ORG);

    // An OIDC app with a secret, shown once; the v1 defaults fill the
    // response and grant types.
    let added: AddOidcAppResponse = c.call("AddOIDCApp", portal()).await.unwrap();
    assert!(!added.client_id.is_empty() && added.client_secret.len() >= 32, "{added:?}");
    assert!(!added.none_compliant, "{:?}", added.compliance_problems);
    let a = get(&c, &added.app_id).await;
    assert_eq!((a.name.as_str(), a.state), ("portal", 1));
    let cfg = oidc(&a);
    assert_eq!(cfg.client_id, added.client_id);
    assert_eq!(cfg.redirect_uris, ["https://portal.example/cb"], "trimmed");
    assert_eq!(cfg.response_types, [OidcResponseType::Code as i32]);
    assert_eq!(cfg.grant_types, [OidcGrantType::AuthorizationCode as i32]);
    assert_eq!(cfg.clock_skew, Some(Duration { seconds: 1, nanos: 500_000_000 }));
    assert_eq!(cfg.allowed_origins, ["https://portal.example", "https://cdn.example"]);

    // The imported app is read like the created one; without a client id
    // of its own it answers with its app id.
    let web = get(&c, WEB).await;
    assert_eq!(oidc(&web).client_id, WEB);
    assert_eq!(oidc(&web).app_type, OidcAppType::UserAgent as i32);
    assert!(!oidc(&web).none_compliant);

    let list = |c: Client, name: &str| {
        let queries = if name.is_empty() {
            vec![]
        } else {
            vec![AppQuery {
                query: Some(app_query::Query::NameQuery(AppNameQuery {
                    name: name.into(),
                    method: TextQueryMethod::StartsWithIgnoreCase as i32,
                })),
            }]
        };
        async move {
            let req = ListAppsRequest { project_id: PROJECT.into(), query: Some(ListQuery::default()), queries };
            let listed: ListAppsResponse = c.call("ListApps", req).await.unwrap();
            listed.result.into_iter().map(|a| a.name).collect::<Vec<_>>()
        }
    };
    assert_eq!(list(c.clone(), "").await, ["web", "api", "portal"]);
    assert_eq!(list(c.clone(), "PO").await, ["portal"]);

    // The imported app's configuration changes as a created one's does.
    let update = UpdateOidcAppConfigRequest {
        project_id: PROJECT.into(),
        app_id: WEB.into(),
        redirect_uris: vec!["https://web.example/cb".into(), "https://web.example/cb2".into()],
        app_type: OidcAppType::UserAgent as i32,
        auth_method_type: OidcAuthMethodType::None as i32,
        dev_mode: true,
        ..Default::default()
    };
    let _: UpdateOidcAppConfigResponse = c.call("UpdateOIDCAppConfig", update.clone()).await.unwrap();
    let err = c.call::<_, UpdateOidcAppConfigResponse>("UpdateOIDCAppConfig", update).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-1m88i"));
    let web = get(&c, WEB).await;
    assert!(oidc(&web).dev_mode);
    assert_eq!(oidc(&web).redirect_uris.len(), 2);

    let rename = UpdateAppRequest { project_id: PROJECT.into(), app_id: WEB.into(), name: "storefront".into() };
    let _: UpdateAppResponse = c.call("UpdateApp", rename.clone()).await.unwrap();
    let err = c.call::<_, UpdateAppResponse>("UpdateApp", rename).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-2m8vx"));

    let off = DeactivateAppRequest { project_id: PROJECT.into(), app_id: added.app_id.clone() };
    let _: DeactivateAppResponse = c.call("DeactivateApp", off.clone()).await.unwrap();
    let err = c.call::<_, DeactivateAppResponse>("DeactivateApp", off).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-dsh35"));
    assert_eq!(get(&c, &added.app_id).await.state, 2);
    let on = ReactivateAppRequest { project_id: PROJECT.into(), app_id: added.app_id.clone() };
    let _: ReactivateAppResponse = c.call("ReactivateApp", on).await.unwrap();

    let regen = RegenerateOidcClientSecretRequest { project_id: PROJECT.into(), app_id: added.app_id.clone() };
    let again: RegenerateOidcClientSecretResponse = c.call("RegenerateOIDCClientSecret", regen).await.unwrap();
    assert!(!again.client_secret.is_empty() && again.client_secret != added.client_secret);

    // Keys of the imported API app, with the key file ZITADEL hands out.
    let key = AddAppKeyRequest {
        project_id: PROJECT.into(),
        app_id: API.into(),
        r#type: KeyType::Json as i32,
        expiration_date: None,
    };
    let k: AddAppKeyResponse = c.call("AddAppKey", key).await.unwrap();
    let file: Value = serde_json::from_slice(&k.key_details).unwrap();
    assert_eq!(
        (file["type"].as_str(), file["appId"].as_str(), file["clientId"].as_str()),
        (Some("application"), Some(API), Some(API))
    );
    assert_eq!(file["keyId"], k.id.as_str());
    assert!(file["key"].as_str().unwrap().starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    let listed: ListAppKeysResponse = c
        .call("ListAppKeys", ListAppKeysRequest { query: None, app_id: API.into(), project_id: PROJECT.into() })
        .await
        .unwrap();
    assert_eq!(listed.result.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(), [k.id.as_str()]);
    let got: GetAppKeyResponse = c
        .call("GetAppKey", GetAppKeyRequest { project_id: PROJECT.into(), app_id: API.into(), key_id: k.id.clone() })
        .await
        .unwrap();
    assert_eq!(got.key.unwrap().r#type, KeyType::Json as i32);

    // The export carries both apps in the import's shape, the created one
    // with its client id (burg's field), and the key.
    let doc = exported(&s).await;
    let apps = doc["oidcApps"].as_array().unwrap();
    let mine = apps.iter().find(|a| a["appId"] == added.app_id.as_str()).unwrap();
    assert_eq!(mine["burgClientId"], added.client_id.as_str());
    assert_eq!(
        mine["app"],
        json!({"projectId": PROJECT, "name": "portal", "redirectUris": ["https://portal.example/cb"],
               "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"], "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE"],
               "clockSkew": "1.500s", "additionalOrigins": ["https://cdn.example"]})
    );
    let theirs = apps.iter().find(|a| a["appId"] == WEB).unwrap();
    assert_eq!((theirs["app"]["name"].as_str(), theirs["app"]["devMode"].as_bool()), (Some("storefront"), Some(true)));
    assert!(!doc.to_string().contains(&added.client_secret), "no secret in an export");
    assert_eq!(doc["appKeys"][0]["id"], k.id.as_str());

    let remove_key = RemoveAppKeyRequest { project_id: PROJECT.into(), app_id: API.into(), key_id: k.id.clone() };
    let _: RemoveAppKeyResponse = c.call("RemoveAppKey", remove_key.clone()).await.unwrap();
    let err = c.call::<_, RemoveAppKeyResponse>("RemoveAppKey", remove_key).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "COMMAND-4m77G"));

    let changes: ListAppChangesResponse = c
        .call(
            "ListAppChanges",
            ListAppChangesRequest {
                project_id: PROJECT.into(),
                app_id: added.app_id.clone(),
                query: Some(burg_api::zitadel::change::v1::ChangeQuery { asc: true, ..Default::default() }),
            },
        )
        .await
        .unwrap();
    let types: Vec<String> = changes.result.iter().map(|ch| ch.event_type.as_ref().unwrap().key.clone()).collect();
    assert_eq!(
        types,
        [
            "project.application.added",
            "project.application.config.oidc.added",
            "project.application.deactivated",
            "project.application.reactivated",
            "project.application.config.oidc.secret.changed"
        ]
        .map(|t| format!("EventTypes.{t}"))
        .to_vec()
    );

    let remove = RemoveAppRequest { project_id: PROJECT.into(), app_id: added.app_id.clone() };
    let _: RemoveAppResponse = c.call("RemoveApp", remove.clone()).await.unwrap();
    let err = c.call::<_, RemoveAppResponse>("RemoveApp", remove).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "COMMAND-0po9s"));
    let req = GetAppByIdRequest { project_id: PROJECT.into(), app_id: added.app_id.clone() };
    let err = c.call::<_, GetAppByIdResponse>("GetAppByID", req).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "QUERY-pCP8P"));
}

const SP_METADATA: &str = r#"<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sp.example/metadata">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
      Location="https://sp.example/acs" index="0"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>"#;

in_process!(app_errors_and_other_kinds);

async fn app_errors_and_other_kinds(_s: Arc<TestServer>, c: Client) {
    let project: AddProjectResponse =
        c.call("AddProject", AddProjectRequest { name: "Shop".into(), ..Default::default() }).await.unwrap();
    let pid = project.id.clone();

    // A response type whose grant is missing; a project that is not there.
    let bad = AddOidcAppRequest {
        project_id: pid.clone(),
        response_types: vec![OidcResponseType::IdToken as i32],
        grant_types: vec![OidcGrantType::AuthorizationCode as i32],
        ..portal()
    };
    let err = c.call::<_, AddOidcAppResponse>("AddOIDCApp", bad).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "PROJECT-1n8df"));
    let elsewhere = AddOidcAppRequest { project_id: "1".into(), ..portal() };
    let err = c.call::<_, AddOidcAppResponse>("AddOIDCApp", elsewhere).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMA-VCnwD"));
    let skew =
        AddOidcAppRequest { project_id: pid.clone(), clock_skew: Some(Duration { seconds: 6, nanos: 0 }), ..portal() };
    let err = c.call::<_, AddOidcAppResponse>("AddOIDCApp", skew).await.unwrap_err();
    assert_eq!(err.code, Code::InvalidArgument);
    assert!(err.message.to_lowercase().contains("clockskew"), "{}", err.message);

    // A native app with plain http is added, and told it is not compliant.
    let native = AddOidcAppRequest {
        project_id: pid.clone(),
        app_type: OidcAppType::Native as i32,
        redirect_uris: vec!["http://app.example/cb".into()],
        auth_method_type: OidcAuthMethodType::None as i32,
        ..portal()
    };
    let added: AddOidcAppResponse = c.call("AddOIDCApp", native).await.unwrap();
    assert!(added.none_compliant && added.client_secret.is_empty());
    let keys: Vec<&str> = added.compliance_problems.iter().map(|p| p.key.as_str()).collect();
    assert!(keys.contains(&"Application.OIDC.V1.Native.RedirectUris.MustBeHttpLocalhost"), "{keys:?}");
    // Keys need private key JWT.
    let key = AddAppKeyRequest {
        project_id: pid.clone(),
        app_id: added.app_id.clone(),
        r#type: KeyType::Json as i32,
        expiration_date: None,
    };
    let err = c.call::<_, AddAppKeyResponse>("AddAppKey", key).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-Dff54"));

    // An API app with a secret; its configuration is not OIDC.
    let api = AddApiAppRequest {
        project_id: pid.clone(),
        name: "backend".into(),
        auth_method_type: ApiAuthMethodType::Basic as i32,
    };
    let api: AddApiAppResponse = c.call("AddAPIApp", api).await.unwrap();
    assert!(!api.client_secret.is_empty());
    let not_oidc =
        UpdateOidcAppConfigRequest { project_id: pid.clone(), app_id: api.app_id.clone(), ..Default::default() };
    let err = c.call::<_, UpdateOidcAppConfigResponse>("UpdateOIDCAppConfig", not_oidc).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "COMMAND-GBr34"));
    let to_jwt = UpdateApiAppConfigRequest {
        project_id: pid.clone(),
        app_id: api.app_id.clone(),
        auth_method_type: ApiAuthMethodType::PrivateKeyJwt as i32,
    };
    let _: UpdateApiAppConfigResponse = c.call("UpdateAPIAppConfig", to_jwt).await.unwrap();
    let regen = RegenerateApiClientSecretRequest { project_id: pid.clone(), app_id: api.app_id.clone() };
    let fresh: RegenerateApiClientSecretResponse = c.call("RegenerateAPIClientSecret", regen).await.unwrap();
    assert!(!fresh.client_secret.is_empty() && fresh.client_secret != api.client_secret);
    let regen = RegenerateOidcClientSecretRequest { project_id: pid.clone(), app_id: api.app_id.clone() };
    let err = c.call::<_, RegenerateOidcClientSecretResponse>("RegenerateOIDCClientSecret", regen).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "COMMAND-Ghrh3"));

    // A SAML app from its metadata; its entity id is the instance's once.
    let saml = AddSamlAppRequest {
        project_id: pid.clone(),
        name: "sp".into(),
        metadata: Some(add_saml_app_request::Metadata::MetadataXml(SP_METADATA.as_bytes().to_vec())),
        login_version: None,
    };
    let sp: AddSamlAppResponse = c.call("AddSAMLApp", saml.clone()).await.unwrap();
    let err = c.call::<_, AddSamlAppResponse>("AddSAMLApp", saml).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::AlreadyExists, "V3-DKcYh"));
    let got: GetAppByIdResponse =
        c.call("GetAppByID", GetAppByIdRequest { project_id: pid.clone(), app_id: sp.app_id.clone() }).await.unwrap();
    match got.app.unwrap().config.unwrap() {
        app::Config::SamlConfig(cfg) => assert_eq!(
            cfg.metadata,
            Some(burg_api::zitadel::app::v1::saml_config::Metadata::MetadataXml(SP_METADATA.as_bytes().to_vec()))
        ),
        other => panic!("not SAML: {other:?}"),
    }
    let not_metadata = AddSamlAppRequest {
        project_id: pid.clone(),
        name: "sp2".into(),
        metadata: Some(add_saml_app_request::Metadata::MetadataXml(b"<html/>".to_vec())),
        login_version: None,
    };
    let err = c.call::<_, AddSamlAppResponse>("AddSAMLApp", not_metadata).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "SAML-bquso"));

    // Removing the project takes its apps along.
    let _: RemoveProjectResponse = c.call("RemoveProject", RemoveProjectRequest { id: pid.clone() }).await.unwrap();
    let err = c
        .call::<_, GetAppByIdResponse>("GetAppByID", GetAppByIdRequest { project_id: pid, app_id: sp.app_id })
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::NotFound);
}
