//! The v2 services Terraform calls besides v1: the Settings API's security
//! settings, the Feature API's instance and system flags, and the Instance
//! API's custom and trusted domains, the Project and Application APIs'
//! projects and apps. The instance's domains, projects and apps have no
//! REST route in ZITADEL: they are called over gRPC in every case.

use std::sync::Arc;

use burg_api::admin::{GetSecurityPolicyRequest, GetSecurityPolicyResponse};
use burg_api::management as m;
use burg_api::zitadel::application::v2 as a2;
use burg_api::zitadel::feature::v2 as f;
use burg_api::zitadel::filter::v2::PaginationRequest;
use burg_api::zitadel::instance::v2 as i2;
use burg_api::zitadel::project::v2 as p2;
use burg_api::zitadel::settings::v2 as s2;
use burg_testkit::{Client, Protocol, TestServer, matrix};
use tonic::Code;

matrix!(
    security_settings_are_the_security_policy,
    feature_flags_set_reset_and_inherit,
    instance_domains_v2,
    projects_and_applications_v2
);

async fn security_settings_are_the_security_policy(_s: Arc<TestServer>, c: Client) {
    let set = s2::SetSecuritySettingsRequest {
        embedded_iframe: Some(s2::EmbeddedIframeSettings {
            enabled: true,
            allowed_origins: vec!["https://app.example.com".into()],
        }),
        enable_impersonation: true,
    };
    let answer: s2::SetSecuritySettingsResponse = c.call("SetSecuritySettings", set.clone()).await.unwrap();
    assert!(answer.details.unwrap().sequence > 0);
    let got: s2::GetSecuritySettingsResponse =
        c.call("GetSecuritySettings", s2::GetSecuritySettingsRequest {}).await.unwrap();
    let settings = got.settings.unwrap();
    assert_eq!(settings.embedded_iframe, set.embedded_iframe);
    assert!(settings.enable_impersonation);
    // The Admin API reads the same setting.
    let v1: GetSecurityPolicyResponse = c.call("GetSecurityPolicy", GetSecurityPolicyRequest {}).await.unwrap();
    let policy = v1.policy.unwrap();
    assert_eq!(
        (policy.enable_iframe_embedding, policy.allowed_origins, policy.enable_impersonation),
        (true, vec!["https://app.example.com".to_string()], true)
    );
    // The same values again change nothing: ZITADEL's precondition.
    let err = c.call::<_, s2::SetSecuritySettingsResponse>("SetSecuritySettings", set).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "POLICY-EWsf3"));
}

fn flag(enabled: bool, source: f::Source) -> Option<f::FeatureFlag> {
    Some(f::FeatureFlag { enabled, source: source as i32 })
}

async fn feature_flags_set_reset_and_inherit(s: Arc<TestServer>, c: Client) {
    let get = |inheritance| f::GetInstanceFeaturesRequest { inheritance };
    // A new instance has login_default_org set, as ZITADEL's setup does.
    let fresh: f::GetInstanceFeaturesResponse = c.call("GetInstanceFeatures", get(false)).await.unwrap();
    assert_eq!(fresh.login_default_org, flag(true, f::Source::Instance));
    assert_eq!(fresh.user_schema, flag(false, f::Source::Unspecified));

    let set = f::SetInstanceFeaturesRequest {
        user_schema: Some(true),
        improved_performance: vec![f::ImprovedPerformance::Project as i32],
        login_v2: Some(f::LoginV2 { required: true, base_uri: Some("https://login.example.com/ui/v2".into()) }),
        ..Default::default()
    };
    let first: f::SetInstanceFeaturesResponse = c.call("SetInstanceFeatures", set.clone()).await.unwrap();
    let got: f::GetInstanceFeaturesResponse = c.call("GetInstanceFeatures", get(false)).await.unwrap();
    assert_eq!(got.user_schema, flag(true, f::Source::Instance));
    let paths = got.improved_performance.unwrap();
    assert_eq!(paths.execution_paths, vec![f::ImprovedPerformance::Project as i32]);
    let login_v2 = got.login_v2.unwrap();
    assert_eq!((login_v2.required, login_v2.base_uri.as_deref()), (true, Some("https://login.example.com/ui/v2")));
    // Setting the same values writes nothing: the same details come back.
    let again: f::SetInstanceFeaturesResponse = c.call("SetInstanceFeatures", set).await.unwrap();
    assert_eq!(again.details.unwrap().sequence, first.details.unwrap().sequence);
    // A request that names no flag is refused.
    let err = c
        .call::<_, f::SetInstanceFeaturesResponse>("SetInstanceFeatures", f::SetInstanceFeaturesRequest::default())
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "COMMAND-Vigh1"));

    // System flags: an instance owner may read them, not set them.
    let err = c
        .call::<_, f::SetSystemFeaturesResponse>(
            "SetSystemFeatures",
            f::SetSystemFeaturesRequest { permission_check_v2: Some(true), ..Default::default() },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
    let system = c.with_token(&s.token_with_roles(&["SYSTEM_OWNER"]).await);
    let _: f::SetSystemFeaturesResponse = system
        .call(
            "SetSystemFeatures",
            f::SetSystemFeaturesRequest { permission_check_v2: Some(true), ..Default::default() },
        )
        .await
        .unwrap();
    let sys: f::GetSystemFeaturesResponse = c.call("GetSystemFeatures", f::GetSystemFeaturesRequest {}).await.unwrap();
    assert_eq!(sys.permission_check_v2, flag(true, f::Source::System));
    // The instance inherits what it does not set itself, only when asked.
    let own: f::GetInstanceFeaturesResponse = c.call("GetInstanceFeatures", get(false)).await.unwrap();
    assert_eq!(own.permission_check_v2, flag(false, f::Source::Unspecified));
    let inherited: f::GetInstanceFeaturesResponse = c.call("GetInstanceFeatures", get(true)).await.unwrap();
    assert_eq!(inherited.permission_check_v2, flag(true, f::Source::System));
    assert_eq!(inherited.user_schema, flag(true, f::Source::Instance));

    // A reset drops every instance flag, login_default_org included.
    let _: f::ResetInstanceFeaturesResponse =
        c.call("ResetInstanceFeatures", f::ResetInstanceFeaturesRequest {}).await.unwrap();
    let reset: f::GetInstanceFeaturesResponse = c.call("GetInstanceFeatures", get(false)).await.unwrap();
    assert_eq!(reset.user_schema, flag(false, f::Source::Unspecified));
    assert_eq!(reset.login_default_org, flag(false, f::Source::Unspecified));
    let _: f::ResetSystemFeaturesResponse =
        system.call("ResetSystemFeatures", f::ResetSystemFeaturesRequest {}).await.unwrap();
    let sys: f::GetSystemFeaturesResponse = c.call("GetSystemFeatures", f::GetSystemFeaturesRequest {}).await.unwrap();
    assert_eq!(sys.permission_check_v2, flag(false, f::Source::Unspecified));
}

async fn instance_domains_v2(s: Arc<TestServer>, _c: Client) {
    // ZITADEL publishes no REST route for these: gRPC.
    let c = s.client(Protocol::Grpc).await;
    let list_custom = || i2::ListCustomDomainsRequest {
        pagination: Some(PaginationRequest { offset: 0, limit: 0, asc: true }),
        sorting_column: i2::DomainFieldName::Domain as i32,
        ..Default::default()
    };
    let before: i2::ListCustomDomainsResponse = c.call("ListCustomDomains", list_custom()).await.unwrap();
    assert_eq!(before.domains.len(), 1, "{before:?}");
    assert!(before.domains[0].primary);
    let instance_id = before.domains[0].instance_id.clone();
    assert_eq!(before.pagination.unwrap().applied_limit, 100);

    let add =
        |domain: &str| i2::AddCustomDomainRequest { instance_id: instance_id.clone(), custom_domain: domain.into() };
    // Custom domains are the system's to give.
    let err = c.call::<_, i2::AddCustomDomainResponse>("AddCustomDomain", add("auth.example.com")).await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
    let system = c.with_token(&s.token_with_roles(&["SYSTEM_OWNER"]).await);
    let added: i2::AddCustomDomainResponse = system.call("AddCustomDomain", add("auth.example.com")).await.unwrap();
    assert!(added.creation_date.is_some());
    let err =
        system.call::<_, i2::AddCustomDomainResponse>("AddCustomDomain", add("auth.example.com")).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::AlreadyExists, "INST-i2nl"));
    let err = system.call::<_, i2::AddCustomDomainResponse>("AddCustomDomain", add("bad domain")).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "INST-S3v3w"));
    let other = i2::AddCustomDomainRequest { instance_id: "1".into(), custom_domain: "x.example.com".into() };
    let err = system.call::<_, i2::AddCustomDomainResponse>("AddCustomDomain", other).await.unwrap_err();
    assert_eq!(err.code, Code::NotFound);

    let filtered = i2::ListCustomDomainsRequest {
        filters: vec![i2::CustomDomainFilter {
            filter: Some(i2::custom_domain_filter::Filter::DomainFilter(i2::DomainFilter {
                domain: "auth.example.com".into(),
                method: 0,
            })),
        }],
        ..list_custom()
    };
    let listed: i2::ListCustomDomainsResponse = c.call("ListCustomDomains", filtered).await.unwrap();
    assert_eq!(listed.domains.len(), 1);
    assert_eq!((listed.domains[0].domain.as_str(), listed.domains[0].generated), ("auth.example.com", false));
    assert_eq!(listed.pagination.unwrap().total_result, 1);

    let remove =
        |domain: &str| i2::RemoveCustomDomainRequest { instance_id: instance_id.clone(), custom_domain: domain.into() };
    let removed: i2::RemoveCustomDomainResponse =
        system.call("RemoveCustomDomain", remove("auth.example.com")).await.unwrap();
    assert!(removed.deletion_date.is_some());
    let err = system
        .call::<_, i2::RemoveCustomDomainResponse>("RemoveCustomDomain", remove("auth.example.com"))
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "INSTANCE-8ls9f"));

    // Trusted domains: the instance owner's, the Admin API's list.
    let trusted =
        |domain: &str| i2::AddTrustedDomainRequest { instance_id: String::new(), trusted_domain: domain.into() };
    let _: i2::AddTrustedDomainResponse = c.call("AddTrustedDomain", trusted("login.example.com")).await.unwrap();
    let _: i2::AddTrustedDomainResponse = c.call("AddTrustedDomain", trusted("api.example.com")).await.unwrap();
    let list = i2::ListTrustedDomainsRequest {
        sorting_column: i2::TrustedDomainFieldName::Domain as i32,
        pagination: Some(PaginationRequest { offset: 0, limit: 1, asc: true }),
        ..Default::default()
    };
    let page: i2::ListTrustedDomainsResponse = c.call("ListTrustedDomains", list).await.unwrap();
    assert_eq!(page.trusted_domain.iter().map(|d| d.domain.as_str()).collect::<Vec<_>>(), ["api.example.com"]);
    let p = page.pagination.unwrap();
    assert_eq!((p.total_result, p.applied_limit), (2, 1));
    let v1: burg_api::admin::ListInstanceTrustedDomainsResponse = c
        .call("ListInstanceTrustedDomains", burg_api::admin::ListInstanceTrustedDomainsRequest::default())
        .await
        .unwrap();
    assert_eq!(v1.result.len(), 2);
    let gone = i2::RemoveTrustedDomainRequest { instance_id: String::new(), trusted_domain: "api.example.com".into() };
    let _: i2::RemoveTrustedDomainResponse = c.call("RemoveTrustedDomain", gone.clone()).await.unwrap();
    let err = c.call::<_, i2::RemoveTrustedDomainResponse>("RemoveTrustedDomain", gone).await.unwrap_err();
    assert_eq!(err.code, Code::NotFound);
    let viewer = c.with_token(&s.token_with_roles(&["IAM_OWNER_VIEWER"]).await);
    let err =
        viewer.call::<_, i2::AddTrustedDomainResponse>("AddTrustedDomain", trusted("x.example.com")).await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
}

/// What Terraform's `zitadel_project_v2` and `zitadel_application_v2` do:
/// create, read, update, read, delete, over the v2 RPCs; the objects are the
/// Management API's.
async fn projects_and_applications_v2(s: Arc<TestServer>, _c: Client) {
    let c = s.client(Protocol::Grpc).await;
    let org: m::GetMyOrgResponse = c.call("GetMyOrg", m::GetMyOrgRequest {}).await.unwrap();
    let org_id = org.org.unwrap().id;
    let create = p2::CreateProjectRequest {
        organization_id: org_id.clone(),
        project_id: None,
        name: "Shop".into(),
        project_role_assertion: true,
        authorization_required: false,
        project_access_required: false,
        private_labeling_setting: p2::PrivateLabelingSetting::EnforceProjectResourceOwnerPolicy as i32,
    };
    let created: p2::CreateProjectResponse = c.call("CreateProject", create.clone()).await.unwrap();
    assert!(created.creation_date.is_some());
    let project_id = created.project_id;
    let get = || p2::GetProjectRequest { project_id: project_id.clone() };
    let got = c.call::<_, p2::GetProjectResponse>("GetProject", get()).await.unwrap().project.unwrap();
    assert_eq!((got.name.as_str(), got.organization_id.as_str()), ("Shop", org_id.as_str()));
    assert_eq!(got.state, p2::ProjectState::Active as i32);
    assert!(got.project_role_assertion && !got.authorization_required);
    assert_eq!(got.private_labeling_setting, 1);
    // Only what the request names changes.
    let update = p2::UpdateProjectRequest {
        project_id: project_id.clone(),
        name: Some("Shop 2".into()),
        authorization_required: Some(true),
        ..Default::default()
    };
    let updated: p2::UpdateProjectResponse = c.call("UpdateProject", update.clone()).await.unwrap();
    let got = c.call::<_, p2::GetProjectResponse>("GetProject", get()).await.unwrap().project.unwrap();
    assert_eq!((got.name.as_str(), got.authorization_required, got.project_role_assertion), ("Shop 2", true, true));
    // The same change again changes nothing and is no error.
    let again: p2::UpdateProjectResponse = c.call("UpdateProject", update).await.unwrap();
    assert_eq!(again.change_date, updated.change_date);
    // The Management API reads the same project.
    let v1: m::GetProjectByIdResponse =
        c.with_org(&org_id).call("GetProjectByID", m::GetProjectByIdRequest { id: project_id.clone() }).await.unwrap();
    assert_eq!(v1.project.unwrap().name, "Shop 2");
    // A project id given by the caller; twice is AlreadyExists.
    let named = p2::CreateProjectRequest { project_id: Some("shop-fixed".into()), ..create.clone() };
    let fixed: p2::CreateProjectResponse = c.call("CreateProject", named.clone()).await.unwrap();
    assert_eq!(fixed.project_id, "shop-fixed");
    let err = c.call::<_, p2::CreateProjectResponse>("CreateProject", named).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::AlreadyExists, "COMMAND-opamwu"));
    // Another organization's owner may not work in this one.
    let other: burg_api::admin::SetUpOrgResponse =
        c.call("SetUpOrg", crate::orgs::setup_request("Elsewhere")).await.unwrap();
    let roles = ["ORG_OWNER".to_string()];
    let stranger = s.app.create_service_account(Some("stranger"), &roles, Some(&other.org_id), None).await.unwrap();
    let stranger = c.with_token(stranger.token.expose());
    let err = stranger.call::<_, p2::CreateProjectResponse>("CreateProject", create).await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
    let err = stranger.call::<_, p2::GetProjectResponse>("GetProject", get()).await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);

    // An OIDC app: created with a secret shown once, read in v2's numbers.
    let oidc = a2::CreateOidcApplicationRequest {
        redirect_uris: vec!["https://shop.example.com/callback".into()],
        response_types: vec![a2::OidcResponseType::Code as i32],
        grant_types: vec![a2::OidcGrantType::AuthorizationCode as i32],
        application_type: a2::OidcApplicationType::OidcAppTypeWeb as i32,
        auth_method_type: a2::OidcAuthMethodType::Basic as i32,
        ..Default::default()
    };
    let create_app = a2::CreateApplicationRequest {
        project_id: project_id.clone(),
        application_id: String::new(),
        name: "web".into(),
        application_type: Some(a2::create_application_request::ApplicationType::OidcConfiguration(oidc)),
    };
    let app: a2::CreateApplicationResponse = c.call("CreateApplication", create_app.clone()).await.unwrap();
    let Some(a2::create_application_response::ApplicationType::OidcConfiguration(config)) = app.application_type else {
        panic!("an OIDC answer");
    };
    assert!(!config.client_id.is_empty() && !config.client_secret.is_empty());
    let get_app = || a2::GetApplicationRequest { application_id: app.application_id.clone() };
    let read = c.call::<_, a2::GetApplicationResponse>("GetApplication", get_app()).await.unwrap().application.unwrap();
    assert_eq!((read.name.as_str(), read.project_id.as_str()), ("web", project_id.as_str()));
    let Some(a2::application::Configuration::OidcConfiguration(o)) = read.configuration else { panic!("OIDC") };
    assert_eq!(o.response_types, vec![a2::OidcResponseType::Code as i32]);
    assert_eq!((o.client_id.as_str(), o.redirect_uris.len()), (config.client_id.as_str(), 1));

    // A change names the new redirect URIs and name; the rest stays.
    let change = a2::UpdateApplicationRequest {
        application_id: app.application_id.clone(),
        project_id: project_id.clone(),
        name: "web shop".into(),
        application_type: Some(a2::update_application_request::ApplicationType::OidcConfiguration(
            a2::UpdateOidcApplicationConfigurationRequest {
                redirect_uris: vec!["https://shop.example.com/cb2".into()],
                development_mode: Some(true),
                ..Default::default()
            },
        )),
    };
    let changed: a2::UpdateApplicationResponse = c.call("UpdateApplication", change).await.unwrap();
    assert!(changed.change_date.is_some());
    let read = c.call::<_, a2::GetApplicationResponse>("GetApplication", get_app()).await.unwrap().application.unwrap();
    let Some(a2::application::Configuration::OidcConfiguration(o)) = read.configuration else { panic!("OIDC") };
    assert_eq!(read.name, "web shop");
    assert_eq!((o.redirect_uris, o.development_mode), (vec!["https://shop.example.com/cb2".to_string()], true));
    assert_eq!(o.grant_types, vec![a2::OidcGrantType::AuthorizationCode as i32]);

    let secret: a2::GenerateClientSecretResponse = c
        .call(
            "GenerateClientSecret",
            a2::GenerateClientSecretRequest {
                application_id: app.application_id.clone(),
                project_id: project_id.clone(),
            },
        )
        .await
        .unwrap();
    assert!(!secret.client_secret.is_empty() && secret.client_secret != config.client_secret);

    // An API app with an id of the caller's choosing.
    let api = a2::CreateApplicationRequest {
        application_id: "api-1".into(),
        name: "backend".into(),
        application_type: Some(a2::create_application_request::ApplicationType::ApiConfiguration(
            a2::CreateApiApplicationRequest { auth_method_type: a2::ApiAuthMethodType::Basic as i32 },
        )),
        ..create_app.clone()
    };
    let api_app: a2::CreateApplicationResponse = c.call("CreateApplication", api.clone()).await.unwrap();
    assert_eq!(api_app.application_id, "api-1");
    let err = c.call::<_, a2::CreateApplicationResponse>("CreateApplication", api).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "PROJECT-mabu12"));
    let none = a2::CreateApplicationRequest { application_type: None, ..create_app };
    let err = c.call::<_, a2::CreateApplicationResponse>("CreateApplication", none).await.unwrap_err();
    assert_eq!(err.code, Code::InvalidArgument);

    let delete =
        a2::DeleteApplicationRequest { application_id: app.application_id.clone(), project_id: project_id.clone() };
    let deleted: a2::DeleteApplicationResponse = c.call("DeleteApplication", delete).await.unwrap();
    assert!(deleted.deletion_date.is_some());
    let err = c.call::<_, a2::GetApplicationResponse>("GetApplication", get_app()).await.unwrap_err();
    assert_eq!(err.code, Code::NotFound);

    let _: p2::DeleteProjectResponse =
        c.call("DeleteProject", p2::DeleteProjectRequest { project_id: project_id.clone() }).await.unwrap();
    let err = c.call::<_, p2::GetProjectResponse>("GetProject", get()).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "QUERY-fk2fs"));
}
