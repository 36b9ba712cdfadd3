//! ZITADEL's published Rust client, the `zitadel` crate from crates.io,
//! against burg as an application written for ZITADEL uses it: its client
//! builder with an interceptor that sends a personal access token, the
//! organization header per request, and ZITADEL's own generated messages
//! decoding burg's answers. A field burg encodes with another number or
//! type than ZITADEL's proto would fail to decode here or read as empty.

use burg_testkit::{Backend, Protocol, TestServer};
use serde_json::json;
use tonic::{Code, Request, Status};
use zitadel::api::clients::ClientBuilder;
use zitadel::api::zitadel::{
    admin::v1 as admin, app::v1 as app, management::v1 as mgmt, org::v2 as org_v2, user::v1 as user, v1 as common,
};

/// Adds the personal access token to every call, as ZITADEL's
/// `AccessTokenInterceptor` does.
fn bearer(token: &str) -> impl FnMut(Request<()>) -> Result<Request<()>, Status> + Clone + use<> {
    let value: tonic::metadata::MetadataValue<_> = format!("Bearer {token}").parse().unwrap();
    move |mut request: Request<()>| {
        request.metadata_mut().insert("authorization", value.clone());
        Ok(request)
    }
}

/// A request to the organization `org`, as clients send it.
fn in_org<T>(org: &str, message: T) -> Request<T> {
    let mut request = Request::new(message);
    request.metadata_mut().insert("x-zitadel-orgid", org.parse().unwrap());
    request
}

async fn the_rust_client_gets_zitadels_answers(backend: Backend) {
    let Some(s) = TestServer::start_or_skip(backend).await else { return };
    let base = s.base_url();
    let builder = || ClientBuilder::new(&base).with_interceptor(bearer(&s.admin_token));
    let mut admin_client = builder().build_admin_client().await.unwrap();
    let mut mgmt_client = builder().build_management_client().await.unwrap();
    let mut org_client = builder().build_organization_client().await.unwrap();
    let rest = s.client(Protocol::Rest).await;

    // The instance and its defaults, in ZITADEL's messages.
    let instance = admin_client.get_my_instance(admin::GetMyInstanceRequest {}).await.unwrap().into_inner();
    let expected = rest.call_json("AdminService", "GetMyInstance", json!({})).await.unwrap();
    assert_eq!(instance.instance.unwrap().id, expected["instance"]["id"].as_str().unwrap());
    let complexity = admin_client
        .get_password_complexity_policy(admin::GetPasswordComplexityPolicyRequest {})
        .await
        .unwrap()
        .into_inner()
        .policy
        .unwrap();
    assert_eq!((complexity.min_length, complexity.has_uppercase, complexity.has_symbol), (8, true, true));
    let login =
        admin_client.get_login_policy(admin::GetLoginPolicyRequest {}).await.unwrap().into_inner().policy.unwrap();
    assert!(login.allow_username_password && login.allow_domain_discovery, "ZITADEL's defaults: {login:?}");
    assert_eq!(login.password_check_lifetime.unwrap().seconds, 240 * 3600);

    // An organization with its first owner.
    let human = admin::set_up_org_request::Human {
        user_name: "rust-owner".into(),
        profile: Some(admin::set_up_org_request::human::Profile {
            first_name: "Rust".into(),
            last_name: "Owner".into(),
            ..Default::default()
        }),
        email: Some(admin::set_up_org_request::human::Email {
            email: "owner@rust.example".into(),
            is_email_verified: true,
        }),
        password: "Secr3t-Passw0rd!".into(),
        ..Default::default()
    };
    let org = admin_client
        .set_up_org(admin::SetUpOrgRequest {
            org: Some(admin::set_up_org_request::Org { name: "Rust Org".into(), domain: String::new() }),
            user: Some(admin::set_up_org_request::User::Human(human)),
            roles: vec![],
        })
        .await
        .unwrap()
        .into_inner();
    let org_id = org.org_id.clone();
    assert_eq!(org.details.unwrap().resource_owner, org_id);

    // A user with a password and a verified address is active; one without
    // either waits for its initialization code.
    let add = |user_name: &str, verified: bool| mgmt::AddHumanUserRequest {
        user_name: user_name.into(),
        profile: Some(mgmt::add_human_user_request::Profile {
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            preferred_language: "en".into(),
            ..Default::default()
        }),
        email: Some(mgmt::add_human_user_request::Email {
            email: format!("{user_name}@rust.example"),
            is_email_verified: verified,
        }),
        initial_password: if verified { "Secr3t-Passw0rd!".into() } else { String::new() },
        ..Default::default()
    };
    let ada = mgmt_client.add_human_user(in_org(&org_id, add("rust-ada", true))).await.unwrap().into_inner();
    let bob = mgmt_client.add_human_user(in_org(&org_id, add("rust-bob", false))).await.unwrap().into_inner();
    let read = |id: &str| mgmt::GetUserByIdRequest { id: id.into() };
    let got = mgmt_client.get_user_by_id(in_org(&org_id, read(&ada.user_id))).await.unwrap().into_inner().user.unwrap();
    assert_eq!((got.user_name.as_str(), got.state), ("rust-ada", user::UserState::Active as i32));
    assert_eq!(got.details.as_ref().unwrap().resource_owner, org_id, "x-zitadel-orgid chose the organization");
    let Some(user::user::Type::Human(got_human)) = got.r#type else { panic!("a human: {got:?}") };
    assert_eq!(got_human.profile.as_ref().unwrap().display_name, "Ada Lovelace");
    let email = got_human.email.unwrap();
    assert_eq!((email.email.as_str(), email.is_email_verified), ("rust-ada@rust.example", true));
    let got = mgmt_client.get_user_by_id(in_org(&org_id, read(&bob.user_id))).await.unwrap().into_inner().user.unwrap();
    assert_eq!(got.state, user::UserState::Initial as i32, "{got:?}");

    // A list query of ZITADEL's, and its details.
    let listed = mgmt_client
        .list_users(in_org(
            &org_id,
            mgmt::ListUsersRequest {
                queries: vec![user::SearchQuery {
                    query: Some(user::search_query::Query::UserNameQuery(user::UserNameQuery {
                        user_name: "rust-".into(),
                        method: common::TextQueryMethod::StartsWith as i32,
                    })),
                }],
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let mut names: Vec<_> = listed.result.iter().map(|u| u.user_name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["rust-ada", "rust-bob", "rust-owner"]);
    assert_eq!(listed.details.unwrap().total_result, 3);

    // Metadata round-trips as bytes.
    mgmt_client
        .set_user_metadata(in_org(
            &org_id,
            mgmt::SetUserMetadataRequest { id: ada.user_id.clone(), key: "team".into(), value: b"engines".to_vec() },
        ))
        .await
        .unwrap();
    let metadata = mgmt_client
        .get_user_metadata(in_org(
            &org_id,
            mgmt::GetUserMetadataRequest { id: ada.user_id.clone(), key: "team".into() },
        ))
        .await
        .unwrap()
        .into_inner()
        .metadata
        .unwrap();
    assert_eq!(metadata.value, b"engines");

    // A project with a role and an OIDC application.
    let project = mgmt_client
        .add_project(in_org(&org_id, mgmt::AddProjectRequest { name: "Rust Project".into(), ..Default::default() }))
        .await
        .unwrap()
        .into_inner();
    mgmt_client
        .add_project_role(in_org(
            &org_id,
            mgmt::AddProjectRoleRequest {
                project_id: project.id.clone(),
                role_key: "reader".into(),
                display_name: "Reader".into(),
                group: "docs".into(),
            },
        ))
        .await
        .unwrap();
    let roles = mgmt_client
        .list_project_roles(in_org(
            &org_id,
            mgmt::ListProjectRolesRequest { project_id: project.id.clone(), ..Default::default() },
        ))
        .await
        .unwrap()
        .into_inner();
    let role = &roles.result[0];
    assert_eq!((role.key.as_str(), role.display_name.as_str(), role.group.as_str()), ("reader", "Reader", "docs"));
    let added_app = mgmt_client
        .add_oidc_app(in_org(
            &org_id,
            mgmt::AddOidcAppRequest {
                project_id: project.id.clone(),
                name: "web".into(),
                redirect_uris: vec!["http://localhost:3000/callback".into()],
                response_types: vec![app::OidcResponseType::Code as i32],
                grant_types: vec![app::OidcGrantType::AuthorizationCode as i32],
                app_type: app::OidcAppType::Web as i32,
                auth_method_type: app::OidcAuthMethodType::Basic as i32,
                dev_mode: true,
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(!added_app.client_id.is_empty() && !added_app.client_secret.is_empty());
    let got_app = mgmt_client
        .get_app_by_id(in_org(
            &org_id,
            mgmt::GetAppByIdRequest { project_id: project.id.clone(), app_id: added_app.app_id.clone() },
        ))
        .await
        .unwrap()
        .into_inner()
        .app
        .unwrap();
    assert_eq!((got_app.name.as_str(), got_app.state), ("web", app::AppState::Active as i32));
    let Some(app::app::Config::OidcConfig(oidc)) = got_app.config else { panic!("an OIDC app: {got_app:?}") };
    assert_eq!(oidc.client_id, added_app.client_id);
    assert_eq!(oidc.redirect_uris, ["http://localhost:3000/callback"]);
    assert!(oidc.dev_mode);
    assert_eq!(oidc.auth_method_type, app::OidcAuthMethodType::Basic as i32);

    // A service account's key file, as ZITADEL's SDKs read it.
    let machine = mgmt_client
        .add_machine_user(in_org(
            &org_id,
            mgmt::AddMachineUserRequest { user_name: "rust-robot".into(), name: "Robot".into(), ..Default::default() },
        ))
        .await
        .unwrap()
        .into_inner();
    let key = mgmt_client
        .add_machine_key(in_org(
            &org_id,
            mgmt::AddMachineKeyRequest {
                user_id: machine.user_id.clone(),
                r#type: zitadel::api::zitadel::authn::v1::KeyType::Json as i32,
                ..Default::default()
            },
        ))
        .await
        .unwrap()
        .into_inner();
    let key_file: serde_json::Value = serde_json::from_slice(&key.key_details).unwrap();
    assert_eq!(key_file["type"], "serviceaccount");
    assert_eq!(key_file["keyId"], key.key_id.as_str());
    assert_eq!(key_file["userId"], machine.user_id.as_str());
    assert!(key_file["key"].as_str().unwrap().starts_with("-----BEGIN RSA PRIVATE KEY-----"));

    // Errors carry ZITADEL's codes.
    let unknown = mgmt_client.get_user_by_id(in_org(&org_id, read("1"))).await.unwrap_err();
    assert_eq!(unknown.code(), Code::NotFound, "{unknown:?}");
    // The id's rule (1 to 200 characters) is checked before the query.
    let empty = mgmt_client.get_user_by_id(in_org(&org_id, read(""))).await.unwrap_err();
    assert_eq!(empty.code(), Code::InvalidArgument, "{empty:?}");
    let anonymous = ClientBuilder::new(&base).build_admin_client().await.unwrap();
    let refused = anonymous.clone().get_my_instance(admin::GetMyInstanceRequest {}).await.unwrap_err();
    assert_eq!(refused.code(), Code::Unauthenticated, "{refused:?}");

    // The organization API v2, which the Terraform provider creates
    // organizations with.
    let created = org_client
        .add_organization(org_v2::AddOrganizationRequest { name: "Rust Org Two".into(), admins: vec![] })
        .await
        .unwrap()
        .into_inner();
    let found = org_client
        .list_organizations(org_v2::ListOrganizationsRequest {
            queries: vec![org_v2::SearchQuery {
                query: Some(org_v2::search_query::Query::NameQuery(org_v2::OrganizationNameQuery {
                    name: "Rust Org".into(),
                    method: zitadel::api::zitadel::object::v2::TextQueryMethod::StartsWith as i32,
                })),
            }],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let mut orgs: Vec<_> = found.result.iter().map(|o| (o.name.as_str(), o.id.as_str())).collect();
    orgs.sort();
    assert_eq!(orgs, [("Rust Org", org_id.as_str()), ("Rust Org Two", created.organization_id.as_str())]);
    assert!(found.result.iter().all(|o| o.state == org_v2::OrganizationState::Active as i32));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_client_gets_zitadels_answers_on_sqlite() {
    the_rust_client_gets_zitadels_answers(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_client_gets_zitadels_answers_on_postgres() {
    the_rust_client_gets_zitadels_answers(Backend::Postgres).await;
}
