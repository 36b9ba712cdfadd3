//! The Management API's identity providers of an organization: the
//! templates (twelve kinds, `org.idp.*` events) and the configurations of
//! the first IdP API (`…OrgIDP…`), beside the instance's, kept apart from
//! other organizations', and the imported ones live.

use std::sync::Arc;

use burg_api::admin as a;
use burg_api::idp::{self as pb, provider_config::Config as C};
use burg_api::management::*;
use burg_testkit::{Client, Protocol, TestServer, in_process, matrix};
use serde_json::{Value, json};
use tonic::Code;

use crate::idps::cases::{self, Kind};
use crate::orgs::setup_request;

async fn set_up(c: &Client, name: &str) -> String {
    let r: a::SetUpOrgResponse = c.call("SetUpOrg", setup_request(name)).await.unwrap();
    r.org_id
}

/// The event types written on `aggregate`, in order.
async fn event_types(s: &TestServer, aggregate: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT event_type FROM events WHERE aggregate_id = $1 ORDER BY position")
        .bind(aggregate)
        .fetch_all(s.app.db().pool())
        .await
        .unwrap()
}

fn oidc(name: &str) -> AddGenericOidcProviderRequest {
    AddGenericOidcProviderRequest {
        name: name.into(),
        issuer: "https://accounts.example.com".into(),
        client_id: "org-client".into(),
        client_secret: "org-secret".into(),
        scopes: vec!["openid".into()],
        provider_options: Some(pb::Options { is_linking_allowed: true, ..Default::default() }),
        is_id_token_mapping: true,
        use_pkce: false,
    }
}

async fn get(c: &Client, id: &str) -> Result<pb::Provider, burg_testkit::ApiError> {
    c.call::<_, GetProviderByIdResponse>("GetProviderByID", GetProviderByIdRequest { id: id.into() })
        .await
        .map(|r| r.idp.unwrap())
}

async fn listed(c: &Client, queries: Vec<ProviderQuery>) -> Vec<(String, String, i32)> {
    let r: ListProvidersResponse =
        c.call("ListProviders", ListProvidersRequest { query: None, queries }).await.unwrap();
    r.result.into_iter().map(|p| (p.id, p.name, p.owner)).collect()
}

const SYSTEM: i32 = pb::IdpOwnerType::System as i32;
const ORG: i32 = pb::IdpOwnerType::Org as i32;

matrix!(org_templates_are_the_orgs_own);

async fn org_templates_are_the_orgs_own(s: Arc<TestServer>, c: Client) {
    let alpha = set_up(&c, "Alpha").await;
    let beta = set_up(&c, "Beta").await;
    let (ca, cb) = (c.with_org(&alpha), c.with_org(&beta));
    // The instance's template, through the Admin API.
    let instance: a::AddGoogleProviderResponse = c
        .call(
            "AddGoogleProvider",
            a::AddGoogleProviderRequest { client_id: "g".into(), client_secret: "s".into(), ..Default::default() },
        )
        .await
        .unwrap();

    let added: AddGenericOidcProviderResponse = ca.call("AddGenericOIDCProvider", oidc("Corp SSO")).await.unwrap();
    assert_eq!(added.details.as_ref().unwrap().resource_owner, alpha);
    let got = get(&ca, &added.id).await.unwrap();
    assert_eq!((got.name.as_str(), got.owner, got.r#type), ("Corp SSO", ORG, pb::ProviderType::Oidc as i32));
    let Some(C::Oidc(o)) = got.config.unwrap().config else { panic!("an OIDC config") };
    assert_eq!((o.client_id.as_str(), o.is_id_token_mapping), ("org-client", true));

    // The organization lists its own and the instance's, each with its owner.
    assert_eq!(
        listed(&ca, vec![]).await,
        vec![(instance.id.clone(), String::new(), SYSTEM), (added.id.clone(), "Corp SSO".into(), ORG)]
    );
    let only_org = vec![ProviderQuery {
        query: Some(provider_query::Query::OwnerTypeQuery(pb::IdpOwnerTypeQuery { owner_type: ORG })),
    }];
    assert_eq!(listed(&ca, only_org.clone()).await, vec![(added.id.clone(), "Corp SSO".into(), ORG)]);
    assert!(listed(&cb, only_org).await.is_empty(), "another organization's are not listed");
    // The instance's reads do not see an organization's.
    let admin_list: a::ListProvidersResponse =
        c.call("ListProviders", a::ListProvidersRequest::default()).await.unwrap();
    assert_eq!(admin_list.result.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), vec![instance.id.as_str()]);
    let err = c
        .call::<_, a::GetProviderByIdResponse>("GetProviderByID", a::GetProviderByIdRequest { id: added.id.clone() })
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "QUERY-SAFrt"));
    // Nor does the organization get the instance's by id, as in ZITADEL.
    assert_eq!(get(&ca, &instance.id).await.unwrap_err().code, Code::NotFound);

    // Another organization neither reads, changes nor deletes it.
    assert_eq!(get(&cb, &added.id).await.unwrap_err().id, "QUERY-SAFrt");
    let update = UpdateGenericOidcProviderRequest {
        id: added.id.clone(),
        name: "Renamed".into(),
        issuer: "https://accounts.example.com".into(),
        client_id: "org-client-2".into(),
        ..Default::default()
    };
    let err =
        cb.call::<_, UpdateGenericOidcProviderResponse>("UpdateGenericOIDCProvider", update.clone()).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "ORG-Dg331"));
    let delete = DeleteProviderRequest { id: added.id.clone() };
    let err = cb.call::<_, DeleteProviderResponse>("DeleteProvider", delete.clone()).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "ORG-Se3tg"));
    // Nor does the Admin API change it.
    let admin_update: a::UpdateGenericOidcProviderRequest =
        serde_json::from_value(serde_json::to_value(&update).unwrap()).unwrap();
    let err =
        c.call::<_, a::UpdateGenericOidcProviderResponse>("UpdateGenericOIDCProvider", admin_update).await.unwrap_err();
    assert_eq!(err.code, Code::NotFound);

    // Its organization changes it; the secret left empty stays.
    let changed: UpdateGenericOidcProviderResponse = ca.call("UpdateGenericOIDCProvider", update).await.unwrap();
    assert_eq!(changed.details.unwrap().resource_owner, alpha);
    let got = get(&ca, &added.id).await.unwrap();
    let Some(C::Oidc(o)) = got.config.unwrap().config else { panic!("an OIDC config") };
    assert_eq!((got.name.as_str(), o.client_id.as_str()), ("Renamed", "org-client-2"));

    // Migrated to Google under the same id, then deleted.
    let migrate = MigrateGenericOidcProviderRequest {
        id: added.id.clone(),
        template: Some(migrate_generic_oidc_provider_request::Template::Google(AddGoogleProviderRequest {
            name: "Google".into(),
            client_id: "gc".into(),
            client_secret: "gs".into(),
            ..Default::default()
        })),
    };
    let _: MigrateGenericOidcProviderResponse = ca.call("MigrateGenericOIDCProvider", migrate).await.unwrap();
    assert_eq!(get(&ca, &added.id).await.unwrap().r#type, pb::ProviderType::Google as i32);
    let _: DeleteProviderResponse = ca.call("DeleteProvider", delete).await.unwrap();
    assert_eq!(get(&ca, &added.id).await.unwrap_err().code, Code::NotFound);
    assert_eq!(
        event_types(&s, &alpha).await.into_iter().filter(|t| t.starts_with("org.idp.")).collect::<Vec<_>>(),
        ["org.idp.oidc.added", "org.idp.oidc.changed", "org.idp.oidc.migrated.google", "org.idp.removed"]
    );
    assert_eq!(listed(&ca, vec![]).await, vec![(instance.id, String::new(), SYSTEM)]);
}

matrix!(org_idp_configs_are_the_orgs_own);

async fn org_idp_configs_are_the_orgs_own(s: Arc<TestServer>, c: Client) {
    let alpha = set_up(&c, "Alpha").await;
    let beta = set_up(&c, "Beta").await;
    let (ca, cb) = (c.with_org(&alpha), c.with_org(&beta));
    let instance: a::AddJwtidpResponse = c
        .call(
            "AddJWTIDP",
            a::AddJwtidpRequest {
                name: "Instance JWT".into(),
                jwt_endpoint: "https://j.example/jwt".into(),
                issuer: "https://j.example".into(),
                keys_endpoint: "https://j.example/keys".into(),
                header_name: "x-jwt".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let add = AddOrgOidcidpRequest {
        name: "Org OIDC".into(),
        styling_type: pb::IdpStylingType::StylingTypeGoogle as i32,
        client_id: "client".into(),
        client_secret: "secret".into(),
        issuer: "https://o.example".into(),
        scopes: vec!["openid".into()],
        display_name_mapping: pb::OidcMappingField::Email as i32,
        username_mapping: pb::OidcMappingField::PreferredUsername as i32,
        auto_register: true,
    };
    let oidc: AddOrgOidcidpResponse = ca.call("AddOrgOIDCIDP", add.clone()).await.unwrap();
    assert_eq!(oidc.details.as_ref().unwrap().resource_owner, alpha);
    let err = ca.call::<_, AddOrgOidcidpResponse>("AddOrgOIDCIDP", add.clone()).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::AlreadyExists, "V3-DKcYh"), "names are unique per owner");
    let _: AddOrgOidcidpResponse = cb.call("AddOrgOIDCIDP", add).await.unwrap();

    let got: GetOrgIdpByIdResponse =
        ca.call("GetOrgIDPByID", GetOrgIdpByIdRequest { id: oidc.idp_id.clone() }).await.unwrap();
    let idp = got.idp.unwrap();
    assert_eq!((idp.name.as_str(), idp.owner, idp.auto_register), ("Org OIDC", ORG, true));
    let Some(pb::idp::Config::OidcConfig(o)) = idp.config else { panic!("an OIDC config") };
    assert_eq!((o.client_id.as_str(), o.display_name_mapping), ("client", pb::OidcMappingField::Email as i32));
    // The instance's is read too; another organization's is not.
    let got: GetOrgIdpByIdResponse =
        ca.call("GetOrgIDPByID", GetOrgIdpByIdRequest { id: instance.idp_id.clone() }).await.unwrap();
    assert_eq!(got.idp.unwrap().owner, SYSTEM);
    let err = cb
        .call::<_, GetOrgIdpByIdResponse>("GetOrgIDPByID", GetOrgIdpByIdRequest { id: oidc.idp_id.clone() })
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "QUERY-rhR2o"));

    let list = |c: Client, queries: Vec<IdpQuery>| async move {
        let query = Some(burg_api::object::ListQuery { asc: true, ..Default::default() });
        let r: ListOrgIdPsResponse =
            c.call("ListOrgIDPs", ListOrgIdPsRequest { queries, query, ..Default::default() }).await.unwrap();
        r.result.into_iter().map(|i| (i.id, i.owner)).collect::<Vec<_>>()
    };
    assert_eq!(list(ca.clone(), vec![]).await, vec![(instance.idp_id.clone(), SYSTEM), (oidc.idp_id.clone(), ORG)]);
    let system_only =
        vec![IdpQuery { query: Some(idp_query::Query::OwnerTypeQuery(pb::IdpOwnerTypeQuery { owner_type: SYSTEM })) }];
    assert_eq!(list(ca.clone(), system_only).await, vec![(instance.idp_id.clone(), SYSTEM)]);
    // As ZITADEL's template projection, the configuration is a template.
    assert!(listed(&ca, vec![]).await.contains(&(oidc.idp_id.clone(), "Org OIDC".into(), ORG)));

    let update = UpdateOrgIdpRequest {
        idp_id: oidc.idp_id.clone(),
        name: "Org OIDC 2".into(),
        styling_type: 0,
        auto_register: false,
    };
    let _: UpdateOrgIdpResponse = ca.call("UpdateOrgIDP", update.clone()).await.unwrap();
    let err = ca.call::<_, UpdateOrgIdpResponse>("UpdateOrgIDP", update.clone()).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "Org-jf9w"));
    let err = cb.call::<_, UpdateOrgIdpResponse>("UpdateOrgIDP", update).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "Org-1J9fs"));
    let oidc_update = UpdateOrgIdpoidcConfigRequest {
        idp_id: oidc.idp_id.clone(),
        client_id: "client-2".into(),
        client_secret: String::new(),
        issuer: "https://o.example".into(),
        scopes: vec!["openid".into()],
        display_name_mapping: pb::OidcMappingField::Email as i32,
        username_mapping: pb::OidcMappingField::PreferredUsername as i32,
    };
    let _: UpdateOrgIdpoidcConfigResponse = ca.call("UpdateOrgIDPOIDCConfig", oidc_update.clone()).await.unwrap();
    let err =
        ca.call::<_, UpdateOrgIdpoidcConfigResponse>("UpdateOrgIDPOIDCConfig", oidc_update.clone()).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "Org-10ods"));
    let jwt_update = UpdateOrgIdpjwtConfigRequest {
        idp_id: oidc.idp_id.clone(),
        jwt_endpoint: "https://x".into(),
        issuer: "x".into(),
        keys_endpoint: "https://x/k".into(),
        header_name: "h".into(),
    };
    let err = ca.call::<_, UpdateOrgIdpjwtConfigResponse>("UpdateOrgIDPJWTConfig", jwt_update).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "Org-67J9d"), "not a JWT configuration");

    let deactivate = DeactivateOrgIdpRequest { idp_id: oidc.idp_id.clone() };
    let _: DeactivateOrgIdpResponse = ca.call("DeactivateOrgIDP", deactivate.clone()).await.unwrap();
    let err = ca.call::<_, DeactivateOrgIdpResponse>("DeactivateOrgIDP", deactivate).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "Org-BBmd0"));
    let got: GetOrgIdpByIdResponse =
        ca.call("GetOrgIDPByID", GetOrgIdpByIdRequest { id: oidc.idp_id.clone() }).await.unwrap();
    assert_eq!(got.idp.unwrap().state, pb::IdpState::Inactive as i32);
    let reactivate = ReactivateOrgIdpRequest { idp_id: oidc.idp_id.clone() };
    let _: ReactivateOrgIdpResponse = ca.call("ReactivateOrgIDP", reactivate.clone()).await.unwrap();
    let err = ca.call::<_, ReactivateOrgIdpResponse>("ReactivateOrgIDP", reactivate).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "Org-5Mo0d"));

    // The instance's is not the organization's to remove.
    let err = ca
        .call::<_, RemoveOrgIdpResponse>("RemoveOrgIDP", RemoveOrgIdpRequest { idp_id: instance.idp_id.clone() })
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "Org-Yx9vd"));
    let remove = RemoveOrgIdpRequest { idp_id: oidc.idp_id.clone() };
    let _: RemoveOrgIdpResponse = ca.call("RemoveOrgIDP", remove.clone()).await.unwrap();
    let err = ca.call::<_, RemoveOrgIdpResponse>("RemoveOrgIDP", remove).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "QUERY-rhR2o"));
    assert_eq!(list(ca.clone(), vec![]).await, vec![(instance.idp_id.clone(), SYSTEM)]);
    assert_eq!(
        event_types(&s, &alpha).await.into_iter().filter(|t| t.starts_with("org.idp.")).collect::<Vec<_>>(),
        [
            "org.idp.config.added",
            "org.idp.oidc.config.added",
            "org.idp.config.changed",
            "org.idp.oidc.config.changed",
            "org.idp.config.deactivated",
            "org.idp.config.reactivated",
            "org.idp.config.removed",
        ]
    );
}

const IMPORTED_ORG: &str = "380000000000000001";
const IMPORTED_OIDC: &str = "380000000000000002";
const IMPORTED_JWT: &str = "380000000000000003";

fn imported_idps() -> Value {
    json!({
        "oidcIdps": [{"idpId": IMPORTED_OIDC, "idp": {"name": "Imported OIDC", "stylingType": "STYLING_TYPE_GOOGLE",
            "clientId": "ic", "clientSecret": "is", "issuer": "https://imported.example", "scopes": ["openid"],
            "displayNameMapping": "OIDC_MAPPING_FIELD_EMAIL", "autoRegister": true}}],
        "jwtIdps": [{"idpId": IMPORTED_JWT, "idp": {"name": "Imported JWT", "jwtEndpoint": "https://j.example/jwt",
            "issuer": "https://j.example", "keysEndpoint": "https://j.example/keys", "headerName": "x-jwt"}}],
    })
}

async fn export(s: &TestServer) -> Value {
    let r = s.client(Protocol::Rest).await;
    let doc = r.call_json("AdminService", "ExportData", json!({"orgIds": [IMPORTED_ORG]})).await.unwrap();
    doc["orgs"][0].clone()
}

matrix!(imported_idp_configs_are_live);

async fn imported_idp_configs_are_live(s: Arc<TestServer>, c: Client) {
    let mut org = json!({"orgId": IMPORTED_ORG, "org": {"name": "Importers"}});
    for (k, v) in imported_idps().as_object().unwrap() {
        org[k] = v.clone();
    }
    let r = s.client(Protocol::Rest).await;
    let report =
        r.call_json("AdminService", "ImportData", json!({"dataOrgs": {"orgs": [org]}, "timeout": "1m"})).await.unwrap();
    assert!(report.get("errors").is_none(), "{report}");
    let before = export(&s).await;
    assert_eq!(before["jwtIdps"], imported_idps()["jwtIdps"], "exported as imported");
    let mut oidc_without_secret = imported_idps()["oidcIdps"].clone();
    oidc_without_secret[0]["idp"].as_object_mut().unwrap().remove("clientSecret");
    assert_eq!(before["oidcIdps"], oidc_without_secret, "exported as imported, without the secret");

    let c = c.with_org(IMPORTED_ORG);
    // Read by the document's ids, as configurations and as templates.
    let got: GetOrgIdpByIdResponse =
        c.call("GetOrgIDPByID", GetOrgIdpByIdRequest { id: IMPORTED_OIDC.into() }).await.unwrap();
    let idp = got.idp.unwrap();
    assert_eq!(
        (idp.name.as_str(), idp.styling_type, idp.auto_register, idp.owner),
        ("Imported OIDC", pb::IdpStylingType::StylingTypeGoogle as i32, true, ORG)
    );
    let r: ListOrgIdPsResponse = c.call("ListOrgIDPs", ListOrgIdPsRequest::default()).await.unwrap();
    let mut ids: Vec<&str> = r.result.iter().map(|i| i.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, [IMPORTED_OIDC, IMPORTED_JWT]);
    let templates = listed(&c, vec![]).await;
    assert!(templates.contains(&(IMPORTED_OIDC.into(), "Imported OIDC".into(), ORG)), "{templates:?}");
    assert!(templates.contains(&(IMPORTED_JWT.into(), "Imported JWT".into(), ORG)), "{templates:?}");
    // The organization's login policy offers it as its own.
    let policy = AddCustomLoginPolicyRequest { allow_external_idp: true, ..Default::default() };
    let _: AddCustomLoginPolicyResponse = c.call("AddCustomLoginPolicy", policy).await.unwrap();
    let link = AddIdpToLoginPolicyRequest { idp_id: IMPORTED_OIDC.into(), owner_type: ORG };
    let _: AddIdpToLoginPolicyResponse = c.call("AddIDPToLoginPolicy", link).await.unwrap();
    let links: ListLoginPolicyIdPsResponse =
        c.call("ListLoginPolicyIDPs", ListLoginPolicyIdPsRequest::default()).await.unwrap();
    assert_eq!(links.result.iter().map(|l| l.idp_id.as_str()).collect::<Vec<_>>(), [IMPORTED_OIDC]);

    // Changed and removed as an added one is; the export shows it.
    let update = UpdateOrgIdpRequest {
        idp_id: IMPORTED_OIDC.into(),
        name: "Renamed OIDC".into(),
        styling_type: pb::IdpStylingType::StylingTypeGoogle as i32,
        auto_register: false,
    };
    let _: UpdateOrgIdpResponse = c.call("UpdateOrgIDP", update).await.unwrap();
    let jwt = UpdateOrgIdpjwtConfigRequest {
        idp_id: IMPORTED_JWT.into(),
        jwt_endpoint: "https://j2.example/jwt".into(),
        issuer: "https://j.example".into(),
        keys_endpoint: "https://j.example/keys".into(),
        header_name: "x-jwt".into(),
    };
    let _: UpdateOrgIdpjwtConfigResponse = c.call("UpdateOrgIDPJWTConfig", jwt).await.unwrap();
    let after = export(&s).await;
    assert_eq!(
        after["oidcIdps"],
        json!([{"idpId": IMPORTED_OIDC, "idp": {"name": "Renamed OIDC", "stylingType": "STYLING_TYPE_GOOGLE",
            "clientId": "ic", "issuer": "https://imported.example", "scopes": ["openid"],
            "displayNameMapping": "OIDC_MAPPING_FIELD_EMAIL"}}])
    );
    assert_eq!(after["jwtIdps"][0]["idp"]["jwtEndpoint"], "https://j2.example/jwt");
    let _: RemoveOrgIdpResponse =
        c.call("RemoveOrgIDP", RemoveOrgIdpRequest { idp_id: IMPORTED_JWT.into() }).await.unwrap();
    let after = export(&s).await;
    assert!(after.get("jwtIdps").is_none_or(|j| j.as_array().is_some_and(|a| a.is_empty())), "{after}");
    // An added one is exported beside the imported one.
    let add = AddOrgJwtidpRequest {
        name: "Added JWT".into(),
        jwt_endpoint: "https://a.example/jwt".into(),
        issuer: "https://a.example".into(),
        keys_endpoint: "https://a.example/keys".into(),
        header_name: "x-a".into(),
        ..Default::default()
    };
    let added: AddOrgJwtidpResponse = c.call("AddOrgJWTIDP", add).await.unwrap();
    let after = export(&s).await;
    assert_eq!(
        after["jwtIdps"],
        json!([{"idpId": added.idp_id, "idp": {"name": "Added JWT", "jwtEndpoint": "https://a.example/jwt",
            "issuer": "https://a.example", "keysEndpoint": "https://a.example/keys", "headerName": "x-a"}}])
    );
}

/// The Management API's RPC names of a kind: Add, Update.
fn rpc_names(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Oidc => ("AddGenericOIDCProvider", "UpdateGenericOIDCProvider"),
        Kind::OAuth => ("AddGenericOAuthProvider", "UpdateGenericOAuthProvider"),
        Kind::Jwt => ("AddJWTProvider", "UpdateJWTProvider"),
        Kind::Ldap => ("AddLDAPProvider", "UpdateLDAPProvider"),
        Kind::Saml => ("AddSAMLProvider", "UpdateSAMLProvider"),
        Kind::Azure => ("AddAzureADProvider", "UpdateAzureADProvider"),
        Kind::Google => ("AddGoogleProvider", "UpdateGoogleProvider"),
        Kind::GitHub => ("AddGitHubProvider", "UpdateGitHubProvider"),
        Kind::GitHubEs => ("AddGitHubEnterpriseServerProvider", "UpdateGitHubEnterpriseServerProvider"),
        Kind::GitLab => ("AddGitLabProvider", "UpdateGitLabProvider"),
        Kind::GitLabSelfHosted => ("AddGitLabSelfHostedProvider", "UpdateGitLabSelfHostedProvider"),
        Kind::Apple => ("AddAppleProvider", "UpdateAppleProvider"),
    }
}

/// ZITADEL's id for an organization's update that names no template of
/// the kind.
fn update_missing(kind: Kind) -> &'static str {
    match kind {
        Kind::Oidc => "ORG-Dg331",
        Kind::OAuth => "ORG-JNsd3",
        Kind::Jwt => "ORG-Bhju5",
        Kind::Ldap => "ORG-ASF3F",
        Kind::Saml => "ORG-z82dddndql",
        Kind::Azure => "ORG-BHz3q",
        Kind::Google => "ORG-Dqrg1",
        Kind::GitHub => "ORG-Dr1gs",
        Kind::GitHubEs => "ORG-GBr42",
        Kind::GitLab => "ORG-HBReq",
        Kind::GitLabSelfHosted => "ORG-D2tg1",
        Kind::Apple => "ORG-SG3bh",
    }
}

in_process!(every_kind_at_org_scope, org_template_errors, org_idp_permissions);

async fn every_kind_at_org_scope(s: Arc<TestServer>, c: Client) {
    let alpha = set_up(&c, "Alpha").await;
    let beta = set_up(&c, "Beta").await;
    let (ca, cb) = (c.with_org(&alpha), c.with_org(&beta));
    for kind in cases::ALL {
        let (add, update) = rpc_names(kind);
        let added = ca.call_json("ManagementService", add, cases::add_json(kind)).await.unwrap();
        assert_eq!(added["details"]["resourceOwner"], alpha.as_str(), "{kind:?}");
        let id = added["id"].as_str().unwrap().to_string();
        let got = get(&ca, &id).await.unwrap();
        assert_eq!((got.owner, got.r#type), (ORG, kind.provider_type() as i32), "{kind:?}");
        let mut change = cases::update_json(kind, &id);
        change["providerOptions"] = json!({"isLinkingAllowed": true});
        let changed = ca.call_json("ManagementService", update, change.clone()).await.unwrap();
        assert_eq!(changed["details"]["resourceOwner"], alpha.as_str(), "{kind:?}");
        assert!(get(&ca, &id).await.unwrap().config.unwrap().options.unwrap().is_linking_allowed, "{kind:?}");
        let err = cb.call_json("ManagementService", update, change).await.unwrap_err();
        assert_eq!((err.code, err.id.as_str()), (Code::NotFound, update_missing(kind)), "{kind:?}");
        let added_type = event_types(&s, &alpha).await;
        assert!(added_type.iter().any(|t| t.starts_with("org.idp.") && t.ends_with(".added")), "{kind:?}");
    }
    // The SAML service provider's certificate of an organization's template.
    let saml = ca.call_json("ManagementService", "AddSAMLProvider", cases::add_json(Kind::Saml)).await.unwrap();
    let id = saml["id"].as_str().unwrap();
    let before = s.app.saml_sp_certificate(id).await.unwrap();
    let _: RegenerateSamlProviderCertificateResponse = ca
        .call("RegenerateSAMLProviderCertificate", RegenerateSamlProviderCertificateRequest { id: id.into() })
        .await
        .unwrap();
    assert_ne!(s.app.saml_sp_certificate(id).await.unwrap(), before);
    let err = cb
        .call::<_, RegenerateSamlProviderCertificateResponse>(
            "RegenerateSAMLProviderCertificate",
            RegenerateSamlProviderCertificateRequest { id: id.into() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "ORG-4dw21ch9o9"));
}

async fn org_template_errors(s: Arc<TestServer>, c: Client) {
    let before = s.event_count().await;
    // The organization's ids for what the instance's code checks.
    let cases = [
        (
            "AddGenericOIDCProvider",
            json!({"name": " ", "issuer": "i", "clientId": "c", "clientSecret": "s"}),
            "ORG-Sgtj5",
        ),
        (
            "AddGenericOIDCProvider",
            json!({"name": "n", "issuer": "i", "clientId": "c", "clientSecret": " "}),
            "ORG-Sfdf4",
        ),
        (
            "AddGenericOAuthProvider",
            json!({"name": "n", "clientId": "c", "clientSecret": "s", "authorizationEndpoint": "a",
                "tokenEndpoint": "t", "userEndpoint": "u", "idAttribute": " "}),
            "ORG-sadf3d",
        ),
        (
            "UpdateGenericOAuthProvider",
            json!({"id": "1", "name": " ", "clientId": "c", "authorizationEndpoint": "a",
                "tokenEndpoint": "t", "userEndpoint": "u", "idAttribute": "i"}),
            "ORG-D32ef",
        ),
        ("UpdateGoogleProvider", json!({"id": " ", "clientId": "c"}), "ORG-S32t1"),
        (
            "AddLDAPProvider",
            json!({"name": "n", "servers": ["ldap://l"], "baseDn": " ", "bindDn": "b", "bindPassword": "p",
                "userBase": "u", "userObjectClasses": ["o"], "userFilters": ["f"]}),
            "ORG-sv31s",
        ),
        ("AddSAMLProvider", json!({"name": " ", "metadataXml": "eA=="}), "ORG-957lr0f8u3"),
        ("AddSAMLProvider", json!({"name": "n"}), "ORG-78isv6m53a"),
    ];
    for (rpc, body, id) in cases {
        let err = c.call_json("ManagementService", rpc, body.clone()).await.unwrap_err();
        assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, id), "{rpc} {body}");
    }
    let migrate = json!({"id": "1", "azure": {"name": "n", "clientId": "c", "clientSecret": "s"}});
    let err = c.call_json("ManagementService", "MigrateGenericOIDCProvider", migrate).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "INST-Dg239201"));
    let err = c.call_json("ManagementService", "ListProviders", json!({"queries": [{}]})).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "ORG-Dr2aa"));
    let err = c.call_json("ManagementService", "ListOrgIDPs", json!({"queries": [{}]})).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "MANAG-WtLPV"));
    assert_eq!(s.event_count().await, before, "nothing written");
}

async fn org_idp_permissions(s: Arc<TestServer>, c: Client) {
    let alpha = set_up(&c, "Alpha").await;
    let beta = set_up(&c, "Beta").await;
    let account = |roles: &[&str], org: &str| {
        let (s, roles, org) = (s.clone(), roles.iter().map(|r| r.to_string()).collect::<Vec<_>>(), org.to_string());
        async move { s.app.create_service_account(None, &roles, Some(&org), None).await.unwrap().token.expose().to_string() }
    };
    let owner = c.with_token(&account(&["ORG_OWNER"], &alpha).await);
    let added: AddGenericOidcProviderResponse = owner.call("AddGenericOIDCProvider", oidc("Owned")).await.unwrap();
    let _: AddOrgJwtidpResponse = owner
        .call(
            "AddOrgJWTIDP",
            AddOrgJwtidpRequest {
                name: "J".into(),
                jwt_endpoint: "https://j".into(),
                issuer: "j".into(),
                keys_endpoint: "https://j/k".into(),
                header_name: "h".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // An owner of one organization works on its own only.
    let err = owner
        .with_org(&beta)
        .call::<_, AddGenericOidcProviderResponse>("AddGenericOIDCProvider", oidc("Elsewhere"))
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
    // A viewer reads but does not write.
    let viewer = c.with_token(&account(&["ORG_OWNER_VIEWER"], &alpha).await);
    assert_eq!(get(&viewer, &added.id).await.unwrap().name, "Owned");
    let _: ListOrgIdPsResponse = viewer.call("ListOrgIDPs", ListOrgIdPsRequest::default()).await.unwrap();
    let err =
        viewer.call::<_, AddGenericOidcProviderResponse>("AddGenericOIDCProvider", oidc("Viewer")).await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
    let err = viewer
        .call::<_, DeleteProviderResponse>("DeleteProvider", DeleteProviderRequest { id: added.id.clone() })
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
    // A member without an IdP role reads nothing of them.
    let users = c.with_token(&account(&["ORG_USER_MANAGER"], &alpha).await);
    let err =
        users.call::<_, ListProvidersResponse>("ListProviders", ListProvidersRequest::default()).await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
    let err = users.call::<_, ListOrgIdPsResponse>("ListOrgIDPs", ListOrgIdPsRequest::default()).await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
}
