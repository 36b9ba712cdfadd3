//! The Organization API v2 (`zitadel.org.v2.OrganizationService`):
//! organizations added (with their admins), listed, renamed and deleted,
//! their domains and metadata; each RPC checked in the organization its
//! request names.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use burg_api::admin::{AddCustomDomainPolicyRequest, AddCustomDomainPolicyResponse};
use burg_api::management as m;
use burg_api::zitadel::filter::v2::PaginationRequest;
use burg_api::zitadel::metadata::v2 as md2;
use burg_api::zitadel::object::v2::{ListQuery, TextQueryMethod};
use burg_api::zitadel::org::v2 as o2;
use burg_api::zitadel::user::v2 as u2;
use burg_testkit::{Client, Protocol, TestServer, in_process, matrix};
use tonic::Code;

use crate::mgmt_orgs::challenge_server;

matrix!(organizations_are_added_listed_renamed_and_deleted, domains_v2, metadata_v2, admins_of_a_new_organization);
in_process!(each_rpc_is_checked_in_the_named_organization, bad_requests_are_refused);

async fn add(c: &Client, name: &str) -> o2::AddOrganizationResponse {
    c.call("AddOrganization", o2::AddOrganizationRequest { name: name.into(), ..Default::default() }).await.unwrap()
}

fn by_id(id: &str) -> o2::ListOrganizationsRequest {
    o2::ListOrganizationsRequest {
        queries: vec![o2::SearchQuery {
            query: Some(o2::search_query::Query::IdQuery(o2::OrganizationIdQuery { id: id.into() })),
        }],
        ..Default::default()
    }
}

async fn list(c: &Client, request: o2::ListOrganizationsRequest) -> o2::ListOrganizationsResponse {
    c.call("ListOrganizations", request).await.unwrap()
}

async fn domains(c: &Client, org: &str) -> Vec<o2::Domain> {
    let request = o2::ListOrganizationDomainsRequest { organization_id: org.into(), ..Default::default() };
    let listed: o2::ListOrganizationDomainsResponse = c.call("ListOrganizationDomains", request).await.unwrap();
    listed.domains
}

async fn metadata(c: &Client, org: &str) -> Vec<(String, Vec<u8>)> {
    let request = o2::ListOrganizationMetadataRequest { organization_id: org.into(), ..Default::default() };
    let listed: o2::ListOrganizationMetadataResponse = c.call("ListOrganizationMetadata", request).await.unwrap();
    assert_eq!(listed.pagination.unwrap().total_result, listed.metadata.len() as u64);
    listed.metadata.into_iter().map(|m| (m.key, m.value)).collect()
}

fn entry(key: &str, value: &str) -> o2::Metadata {
    o2::Metadata { key: key.into(), value: value.as_bytes().to_vec() }
}

fn code_and_id<T: std::fmt::Debug>(answer: Result<T, burg_testkit::ApiError>) -> (Code, String) {
    let err = answer.unwrap_err();
    (err.code, err.id)
}

async fn organizations_are_added_listed_renamed_and_deleted(s: Arc<TestServer>, c: Client) {
    let orbit = add(&c, "Orbit").await;
    assert!(!orbit.organization_id.is_empty());
    assert!(orbit.created_admins.is_empty());
    let details = orbit.details.unwrap();
    assert_eq!(details.resource_owner, orbit.organization_id);
    assert!(details.sequence > 0 && details.change_date.is_some());

    // Over REST the answer is ZITADEL's 201.
    if c.protocol == Protocol::Rest {
        let answer = burg_testkit::http_client()
            .post(format!("{}/v2/organizations", s.base_url()))
            .bearer_auth(c.token())
            .json(&serde_json::json!({"name": "Rested"}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 201);
        let body: serde_json::Value = answer.json().await.unwrap();
        assert!(body["organizationId"].as_str().is_some_and(|id| !id.is_empty()), "{body}");
    }

    // A given id is kept; `organizationId` wins over the deprecated `orgId`.
    #[allow(deprecated)]
    let custom = o2::AddOrganizationRequest {
        name: "Custom".into(),
        organization_id: Some("custom-org-id".into()),
        org_id: Some("ignored-org-id".into()),
        admins: vec![],
    };
    let added: o2::AddOrganizationResponse = c.call("AddOrganization", custom.clone()).await.unwrap();
    assert_eq!(added.organization_id, "custom-org-id");
    let again = c.call::<_, o2::AddOrganizationResponse>("AddOrganization", custom).await;
    assert_eq!(code_and_id(again), (Code::FailedPrecondition, "COMMAND-poaj2".into()));
    let same_name = c
        .call::<_, o2::AddOrganizationResponse>(
            "AddOrganization",
            o2::AddOrganizationRequest { name: "orbit".into(), ..Default::default() },
        )
        .await;
    assert_eq!(code_and_id(same_name), (Code::AlreadyExists, "V3-DKcYh".into()));

    // Read back by id, name, domain, state and as the default.
    let got = list(&c, by_id(&orbit.organization_id)).await;
    assert_eq!(got.details.unwrap().total_result, 1);
    let org = &got.result[0];
    assert_eq!((org.id.as_str(), org.name.as_str()), (orbit.organization_id.as_str(), "Orbit"));
    assert_eq!(org.state, o2::OrganizationState::Active as i32);
    assert!(org.primary_domain.starts_with("orbit."), "{}", org.primary_domain);
    assert_eq!(org.details.as_ref().unwrap().resource_owner, orbit.organization_id);
    let primary = org.primary_domain.clone();

    let named = list(
        &c,
        o2::ListOrganizationsRequest {
            queries: vec![o2::SearchQuery {
                query: Some(o2::search_query::Query::NameQuery(o2::OrganizationNameQuery {
                    name: "CUS".into(),
                    method: TextQueryMethod::StartsWithIgnoreCase as i32,
                })),
            }],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(named.result.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(), ["custom-org-id"]);
    let by_domain = list(
        &c,
        o2::ListOrganizationsRequest {
            queries: vec![o2::SearchQuery {
                query: Some(o2::search_query::Query::DomainQuery(o2::OrganizationDomainQuery {
                    domain: primary.clone(),
                    method: TextQueryMethod::Equals as i32,
                })),
            }],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(by_domain.result.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(), [orbit.organization_id.as_str()]);
    let default = list(
        &c,
        o2::ListOrganizationsRequest {
            queries: vec![o2::SearchQuery {
                query: Some(o2::search_query::Query::DefaultQuery(o2::DefaultOrganizationQuery {})),
            }],
            ..Default::default()
        },
    )
    .await;
    let default_org: burg_api::admin::GetDefaultOrgResponse =
        c.call("GetDefaultOrg", burg_api::admin::GetDefaultOrgRequest {}).await.unwrap();
    assert_eq!(default.result.len(), 1);
    assert_eq!(default.result[0].id, default_org.org.unwrap().id);
    let by_name = list(
        &c,
        o2::ListOrganizationsRequest {
            sorting_column: o2::OrganizationFieldName::Name as i32,
            query: Some(ListQuery { offset: 0, limit: 2, asc: true }),
            queries: vec![o2::SearchQuery {
                query: Some(o2::search_query::Query::StateQuery(o2::OrganizationStateQuery {
                    state: o2::OrganizationState::Active as i32,
                })),
            }],
        },
    )
    .await;
    assert_eq!(by_name.result.len(), 2);
    assert!(by_name.details.unwrap().total_result >= 3);
    assert!(by_name.result[0].name <= by_name.result[1].name);

    // Renamed: the generated domain follows the name.
    let renamed: o2::UpdateOrganizationResponse = c
        .call(
            "UpdateOrganization",
            o2::UpdateOrganizationRequest { organization_id: orbit.organization_id.clone(), name: "Orbit Two".into() },
        )
        .await
        .unwrap();
    assert!(renamed.change_date.is_some());
    let got = list(&c, by_id(&orbit.organization_id)).await;
    assert_eq!(got.result[0].name, "Orbit Two");
    assert!(got.result[0].primary_domain.starts_with("orbit-two."), "{}", got.result[0].primary_domain);
    let unchanged = c
        .call::<_, o2::UpdateOrganizationResponse>(
            "UpdateOrganization",
            o2::UpdateOrganizationRequest { organization_id: orbit.organization_id.clone(), name: "Orbit Two".into() },
        )
        .await;
    assert_eq!(code_and_id(unchanged), (Code::FailedPrecondition, "ORG-4VSdf".into()));
    let missing = c
        .call::<_, o2::UpdateOrganizationResponse>(
            "UpdateOrganization",
            o2::UpdateOrganizationRequest { organization_id: "no-such-org".into(), name: "X".into() },
        )
        .await;
    assert_eq!(code_and_id(missing), (Code::NotFound, "ORG-1MRds".into()));

    // Deleted; deleting what is gone is no error and names no date.
    let delete = |id: &str| o2::DeleteOrganizationRequest { organization_id: id.into() };
    let deleted: o2::DeleteOrganizationResponse = c.call("DeleteOrganization", delete("custom-org-id")).await.unwrap();
    assert!(deleted.deletion_date.is_some());
    assert!(list(&c, by_id("custom-org-id")).await.result.is_empty());
    let again: o2::DeleteOrganizationResponse = c.call("DeleteOrganization", delete("custom-org-id")).await.unwrap();
    assert_eq!(again.deletion_date, None);
    let never: o2::DeleteOrganizationResponse = c.call("DeleteOrganization", delete("never-was")).await.unwrap();
    assert_eq!(never.deletion_date, None);
    // A removed organization's id is not given out again.
    let reused = c
        .call::<_, o2::AddOrganizationResponse>(
            "AddOrganization",
            o2::AddOrganizationRequest {
                name: "Reborn".into(),
                organization_id: Some("custom-org-id".into()),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(code_and_id(reused), (Code::FailedPrecondition, "COMMAND-poaj2".into()));
    let default_id = default.result[0].id.clone();
    let refused = c.call::<_, o2::DeleteOrganizationResponse>("DeleteOrganization", delete(&default_id)).await;
    assert_eq!(code_and_id(refused), (Code::FailedPrecondition, "COMMA-wG9p1".into()));
}

async fn domains_v2(_s: Arc<TestServer>, c: Client) {
    let org = add(&c, "Domains").await.organization_id;
    let added: o2::AddOrganizationDomainResponse = c
        .call(
            "AddOrganizationDomain",
            o2::AddOrganizationDomainRequest { organization_id: org.clone(), domain: "dom.example".into() },
        )
        .await
        .unwrap();
    assert!(added.creation_date.is_some());
    // Without the policy asking for a proof, the domain is verified at once.
    let listed = domains(&c, &org).await;
    assert_eq!(listed.len(), 2);
    let dom = listed.iter().find(|d| d.domain == "dom.example").unwrap();
    assert_eq!(dom.organization_id, org);
    assert!(dom.is_verified && !dom.is_primary);
    assert!(listed.iter().any(|d| d.is_primary && d.domain.starts_with("domains.")));
    let twice = c
        .call::<_, o2::AddOrganizationDomainResponse>(
            "AddOrganizationDomain",
            o2::AddOrganizationDomainRequest { organization_id: org.clone(), domain: "dom.example".into() },
        )
        .await;
    assert_eq!(code_and_id(twice), (Code::AlreadyExists, "V2-e1wse".into()));
    // Filtered and ordered.
    let filtered: o2::ListOrganizationDomainsResponse = c
        .call(
            "ListOrganizationDomains",
            o2::ListOrganizationDomainsRequest {
                organization_id: org.clone(),
                filters: vec![o2::DomainSearchFilter {
                    filter: Some(o2::domain_search_filter::Filter::DomainFilter(o2::OrganizationDomainQuery {
                        domain: ".example".into(),
                        method: TextQueryMethod::EndsWith as i32,
                    })),
                }],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(filtered.domains.iter().map(|d| d.domain.as_str()).collect::<Vec<_>>(), ["dom.example"]);
    assert_eq!(filtered.pagination.unwrap().total_result, 1);
    let newest_first: o2::ListOrganizationDomainsResponse = c
        .call(
            "ListOrganizationDomains",
            o2::ListOrganizationDomainsRequest {
                organization_id: org.clone(),
                pagination: Some(PaginationRequest { offset: 0, limit: 1, asc: false }),
                sorting_column: o2::DomainFieldName::CreationDate as i32,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(newest_first.domains.iter().map(|d| d.domain.as_str()).collect::<Vec<_>>(), ["dom.example"]);
    let page = newest_first.pagination.unwrap();
    assert_eq!((page.total_result, page.applied_limit), (2, 1));

    // With the policy asking for it, the domain waits for its proof.
    let _: AddCustomDomainPolicyResponse = c
        .call(
            "AddCustomDomainPolicy",
            AddCustomDomainPolicyRequest { org_id: org.clone(), validate_org_domains: true, ..Default::default() },
        )
        .await
        .unwrap();
    let files = Arc::new(Mutex::new(HashMap::new()));
    let host = challenge_server(files.clone()).await;
    let _: o2::AddOrganizationDomainResponse = c
        .call(
            "AddOrganizationDomain",
            o2::AddOrganizationDomainRequest { organization_id: org.clone(), domain: host.clone() },
        )
        .await
        .unwrap();
    assert!(!domains(&c, &org).await.iter().find(|d| d.domain == host).unwrap().is_verified);
    let generate = o2::GenerateOrganizationDomainValidationRequest {
        organization_id: org.clone(),
        domain: host.clone(),
        r#type: o2::DomainValidationType::Http as i32,
    };
    let challenge: o2::GenerateOrganizationDomainValidationResponse =
        c.call("GenerateOrganizationDomainValidation", generate).await.unwrap();
    assert_eq!(challenge.token.len(), 32);
    assert_eq!(challenge.url, format!("http://{host}/.well-known/zitadel-challenge/{}.txt", challenge.token));
    let verify = o2::VerifyOrganizationDomainRequest { organization_id: org.clone(), domain: host.clone() };
    let early = c.call::<_, o2::VerifyOrganizationDomainResponse>("VerifyOrganizationDomain", verify.clone()).await;
    assert_eq!(code_and_id(early), (Code::NotFound, "ORG-F4zhw".into()));
    files.lock().unwrap().insert(format!("{}.txt", challenge.token), challenge.token.clone());
    let verified: o2::VerifyOrganizationDomainResponse =
        c.call("VerifyOrganizationDomain", verify.clone()).await.unwrap();
    assert!(verified.change_date.is_some());
    let proven = domains(&c, &org).await.into_iter().find(|d| d.domain == host).unwrap();
    assert!(proven.is_verified);
    assert_eq!(proven.validation_type, o2::DomainValidationType::Http as i32);

    // Deleted (the domain comes in the query string over REST).
    let delete =
        |domain: &str| o2::DeleteOrganizationDomainRequest { organization_id: org.clone(), domain: domain.into() };
    let deleted: o2::DeleteOrganizationDomainResponse =
        c.call("DeleteOrganizationDomain", delete(&host)).await.unwrap();
    assert!(deleted.deletion_date.is_some());
    assert!(domains(&c, &org).await.iter().all(|d| d.domain != host));
    let gone = c.call::<_, o2::DeleteOrganizationDomainResponse>("DeleteOrganizationDomain", delete(&host)).await;
    assert_eq!(code_and_id(gone), (Code::NotFound, "ORG-GDfA3".into()));
    let primary = domains(&c, &org).await.into_iter().find(|d| d.is_primary).unwrap().domain;
    let kept = c.call::<_, o2::DeleteOrganizationDomainResponse>("DeleteOrganizationDomain", delete(&primary)).await;
    assert_eq!(code_and_id(kept), (Code::FailedPrecondition, "ORG-Sjdi3".into()));
}

async fn metadata_v2(_s: Arc<TestServer>, c: Client) {
    let org = add(&c, "Meta").await.organization_id;
    let set = |entries: Vec<o2::Metadata>| o2::SetOrganizationMetadataRequest {
        organization_id: org.clone(),
        metadata: entries,
    };
    let answer: o2::SetOrganizationMetadataResponse = c
        .call("SetOrganizationMetadata", set(vec![entry("k1", "v1"), entry("k2", "v2"), entry("k3", "v3")]))
        .await
        .unwrap();
    assert!(answer.set_date.is_some());
    let expected = |keys: &[&str]| -> Vec<(String, Vec<u8>)> {
        keys.iter().map(|k| (k.to_string(), k.replace('k', "v").into_bytes())).collect()
    };
    assert_eq!(metadata(&c, &org).await, expected(&["k1", "k2", "k3"]));
    // A key set again takes the new value.
    let _: o2::SetOrganizationMetadataResponse =
        c.call("SetOrganizationMetadata", set(vec![entry("k1", "changed")])).await.unwrap();
    let filtered: o2::ListOrganizationMetadataResponse = c
        .call(
            "ListOrganizationMetadata",
            o2::ListOrganizationMetadataRequest {
                organization_id: org.clone(),
                filters: vec![md2::MetadataSearchFilter {
                    filter: Some(md2::metadata_search_filter::Filter::KeyFilter(md2::MetadataKeyFilter {
                        key: "k1".into(),
                        method: burg_api::zitadel::filter::v2::TextFilterMethod::Equals as i32,
                    })),
                }],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(filtered.metadata.len(), 1);
    assert_eq!(filtered.metadata[0].value, b"changed");
    assert!(filtered.metadata[0].creation_date.is_some() && filtered.metadata[0].change_date.is_some());

    // Deleted, two keys at once (repeated in the query string over REST).
    let delete = |keys: &[&str]| o2::DeleteOrganizationMetadataRequest {
        organization_id: org.clone(),
        keys: keys.iter().map(|k| k.to_string()).collect(),
    };
    let deleted: o2::DeleteOrganizationMetadataResponse =
        c.call("DeleteOrganizationMetadata", delete(&["k1", "k3"])).await.unwrap();
    assert!(deleted.deletion_date.is_some());
    assert_eq!(metadata(&c, &org).await, expected(&["k2"]));
    let missing = c.call::<_, o2::DeleteOrganizationMetadataResponse>("DeleteOrganizationMetadata", delete(&["k9"]));
    assert_eq!(code_and_id(missing.await), (Code::NotFound, "META-2npds".into()));
    let none = c.call::<_, o2::DeleteOrganizationMetadataResponse>("DeleteOrganizationMetadata", delete(&[]));
    assert_eq!(code_and_id(none.await), (Code::FailedPrecondition, "META-9mw2d".into()));
    let empty = c.call::<_, o2::SetOrganizationMetadataResponse>("SetOrganizationMetadata", set(vec![]));
    assert_eq!(code_and_id(empty.await), (Code::FailedPrecondition, "META-9mm2d".into()));
    let no_value =
        c.call::<_, o2::SetOrganizationMetadataResponse>("SetOrganizationMetadata", set(vec![entry("k", "")]));
    assert_eq!(code_and_id(no_value.await), (Code::InvalidArgument, "META-2ml0f".into()));
    let nowhere = c
        .call::<_, o2::SetOrganizationMetadataResponse>(
            "SetOrganizationMetadata",
            o2::SetOrganizationMetadataRequest {
                organization_id: "no-such-org".into(),
                metadata: vec![entry("k", "v")],
            },
        )
        .await;
    assert_eq!(code_and_id(nowhere), (Code::FailedPrecondition, "COMMAND-QXPGs".into()));
    assert_eq!(metadata(&c, &org).await, expected(&["k2"]));
}

fn human(user_name: &str, verification: u2::set_human_email::Verification) -> u2::AddHumanUserRequest {
    u2::AddHumanUserRequest {
        username: Some(user_name.into()),
        profile: Some(u2::SetHumanProfile {
            given_name: "Grace".into(),
            family_name: "Hopper".into(),
            ..Default::default()
        }),
        email: Some(u2::SetHumanEmail { email: "grace@example.com".into(), verification: Some(verification) }),
        ..Default::default()
    }
}

fn admin(user: o2::add_organization_request::admin::UserType, roles: &[&str]) -> o2::add_organization_request::Admin {
    o2::add_organization_request::Admin { user_type: Some(user), roles: roles.iter().map(|r| r.to_string()).collect() }
}

async fn admins_of_a_new_organization(s: Arc<TestServer>, c: Client) {
    use o2::add_organization_request::admin::UserType;
    use u2::set_human_email::Verification;
    let helper = s.app.create_service_account(Some("org-helper"), &[], None, None).await.unwrap();
    let mut new_admin = human("grace", Verification::ReturnCode(u2::ReturnEmailVerificationCode {}));
    new_admin.password_type = Some(u2::add_human_user_request::PasswordType::Password(u2::Password {
        password: "Secr3t-Passw0rd!".into(),
        change_required: true,
    }));
    new_admin.metadata = vec![u2::SetMetadataEntry { key: "team".into(), value: b"compilers".to_vec() }];
    let added: o2::AddOrganizationResponse = c
        .call(
            "AddOrganization",
            o2::AddOrganizationRequest {
                name: "Admins".into(),
                admins: vec![
                    admin(UserType::UserId(helper.user_id.clone()), &[]),
                    admin(UserType::Human(new_admin), &[]),
                ],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // Only the new user is a created admin; its code is answered.
    assert_eq!(added.created_admins.len(), 1);
    let created = &added.created_admins[0];
    assert!(!created.user_id.is_empty());
    assert!(created.email_code.as_ref().is_some_and(|code| !code.is_empty()), "{created:?}");
    assert_eq!(created.phone_code, None);

    let in_org = c.with_org(&added.organization_id);
    let members: m::ListOrgMembersResponse =
        in_org.call("ListOrgMembers", m::ListOrgMembersRequest::default()).await.unwrap();
    let mut roles: Vec<(String, Vec<String>)> = members.result.into_iter().map(|m| (m.user_id, m.roles)).collect();
    roles.sort();
    let mut want = vec![
        (helper.user_id.clone(), vec!["ORG_OWNER".to_string()]),
        (created.user_id.clone(), vec!["ORG_OWNER".to_string()]),
    ];
    want.sort();
    assert_eq!(roles, want);
    let user: m::GetUserByIdResponse =
        in_org.call("GetUserByID", m::GetUserByIdRequest { id: created.user_id.clone() }).await.unwrap();
    let user = user.user.unwrap();
    assert_eq!(user.user_name, "grace");
    assert_eq!(user.details.unwrap().resource_owner, added.organization_id);
    let Some(burg_api::zitadel::user::v1::user::Type::Human(h)) = user.r#type else { panic!("a human") };
    assert_eq!(h.profile.unwrap().display_name, "Grace Hopper");
    let email = h.email.unwrap();
    assert_eq!((email.email.as_str(), email.is_email_verified), ("grace@example.com", false));
    // The code answered verifies the address (user API v2).
    let verify = u2::VerifyEmailRequest {
        user_id: created.user_id.clone(),
        verification_code: created.email_code.clone().unwrap_or_default(),
    };
    let _: u2::VerifyEmailResponse = c.call("VerifyEmail", verify).await.unwrap();
    let meta: m::ListUserMetadataResponse = in_org
        .call("ListUserMetadata", m::ListUserMetadataRequest { id: created.user_id.clone(), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(
        meta.result.iter().map(|m| (m.key.as_str(), m.value.as_slice())).collect::<Vec<_>>(),
        [("team", b"compilers".as_slice())]
    );

    // The existing user, now ORG_OWNER there, may rename it.
    let helper_client = c.with_token(helper.token.expose());
    let _: o2::UpdateOrganizationResponse = helper_client
        .call(
            "UpdateOrganization",
            o2::UpdateOrganizationRequest {
                organization_id: added.organization_id.clone(),
                name: "Admins Renamed".into(),
            },
        )
        .await
        .unwrap();

    // A verified admin with its own id, its username defaulting to the email.
    let mut verified = human("", Verification::IsVerified(true));
    verified.username = None;
    verified.user_id = Some("grace-admin-id".into());
    let second: o2::AddOrganizationResponse = c
        .call(
            "AddOrganization",
            o2::AddOrganizationRequest {
                name: "Verified".into(),
                admins: vec![admin(UserType::Human(verified.clone()), &["ORG_OWNER_VIEWER"])],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(second.created_admins.len(), 1);
    assert_eq!(second.created_admins[0].user_id, "grace-admin-id");
    assert_eq!(second.created_admins[0].email_code, None);
    let user: m::GetUserByIdResponse = c
        .with_org(&second.organization_id)
        .call("GetUserByID", m::GetUserByIdRequest { id: "grace-admin-id".into() })
        .await
        .unwrap();
    assert_eq!(user.user.unwrap().user_name, "grace@example.com");

    // Refused, and nothing written.
    let with_admins =
        |name: &str, admins| o2::AddOrganizationRequest { name: name.into(), admins, ..Default::default() };
    let cases = [
        (with_admins("A1", vec![o2::add_organization_request::Admin::default()]), Code::Unimplemented, "ORGv2-SD2r1"),
        (
            with_admins("A2", vec![admin(UserType::UserId("no-such-user".into()), &[])]),
            Code::FailedPrecondition,
            "ORG-GoXOn",
        ),
        (
            with_admins("A3", vec![admin(UserType::UserId(helper.user_id.clone()), &["IAM_OWNER"])]),
            Code::InvalidArgument,
            "Org-4N8es",
        ),
        (
            with_admins("A4", vec![admin(UserType::Human(verified.clone()), &[])]),
            Code::FailedPrecondition,
            "COMMAND-k2unb",
        ),
        (
            with_admins(
                "A5",
                vec![
                    admin(UserType::UserId(helper.user_id.clone()), &[]),
                    admin(UserType::UserId(helper.user_id.clone()), &[]),
                ],
            ),
            Code::AlreadyExists,
            "ORG-poWwe",
        ),
        (
            with_admins("A6", vec![admin(UserType::Human(u2::AddHumanUserRequest::default()), &[])]),
            Code::InvalidArgument,
            "VALID-rules",
        ),
    ];
    for (request, code, id) in cases {
        let name = request.name.clone();
        let refused = c.call::<_, o2::AddOrganizationResponse>("AddOrganization", request).await;
        assert_eq!(code_and_id(refused), (code, id.to_string()), "{name}");
        let named = list(
            &c,
            o2::ListOrganizationsRequest {
                queries: vec![o2::SearchQuery {
                    query: Some(o2::search_query::Query::NameQuery(o2::OrganizationNameQuery {
                        name: name.clone(),
                        method: TextQueryMethod::Equals as i32,
                    })),
                }],
                ..Default::default()
            },
        )
        .await;
        assert!(named.result.is_empty(), "{name} was not added");
    }
}

async fn each_rpc_is_checked_in_the_named_organization(s: Arc<TestServer>, c: Client) {
    let a = add(&c, "Alpha").await.organization_id;
    let b = add(&c, "Beta").await.organization_id;
    let _: o2::SetOrganizationMetadataResponse = c
        .call(
            "SetOrganizationMetadata",
            o2::SetOrganizationMetadataRequest { organization_id: b.clone(), metadata: vec![entry("secret", "b")] },
        )
        .await
        .unwrap();
    let owner = s.app.create_service_account(Some("alpha-owner"), &["ORG_OWNER".into()], Some(&a), None).await;
    let owner = c.with_token(owner.unwrap().token.expose());

    // Its own organization: renamed, its metadata set and read.
    let _: o2::UpdateOrganizationResponse = owner
        .call(
            "UpdateOrganization",
            o2::UpdateOrganizationRequest { organization_id: a.clone(), name: "Alpha 2".into() },
        )
        .await
        .unwrap();
    let _: o2::SetOrganizationMetadataResponse = owner
        .call(
            "SetOrganizationMetadata",
            o2::SetOrganizationMetadataRequest { organization_id: a.clone(), metadata: vec![entry("mine", "a")] },
        )
        .await
        .unwrap();
    assert_eq!(metadata(&owner, &a).await, vec![("mine".to_string(), b"a".to_vec())]);

    // Another organization: every write refused, the lists empty.
    let denied = |answer: Result<(), burg_testkit::ApiError>, what: &str| {
        assert_eq!(answer.map_err(|e| e.code), Err(Code::PermissionDenied), "{what}");
    };
    denied(
        owner
            .call::<_, o2::UpdateOrganizationResponse>(
                "UpdateOrganization",
                o2::UpdateOrganizationRequest { organization_id: b.clone(), name: "Mine now".into() },
            )
            .await
            .map(drop),
        "UpdateOrganization",
    );
    denied(
        owner
            .call::<_, o2::DeleteOrganizationResponse>(
                "DeleteOrganization",
                o2::DeleteOrganizationRequest { organization_id: b.clone() },
            )
            .await
            .map(drop),
        "DeleteOrganization",
    );
    denied(
        owner
            .call::<_, o2::AddOrganizationDomainResponse>(
                "AddOrganizationDomain",
                o2::AddOrganizationDomainRequest { organization_id: b.clone(), domain: "b.example".into() },
            )
            .await
            .map(drop),
        "AddOrganizationDomain",
    );
    denied(
        owner
            .call::<_, o2::DeleteOrganizationDomainResponse>(
                "DeleteOrganizationDomain",
                o2::DeleteOrganizationDomainRequest { organization_id: b.clone(), domain: "beta.example".into() },
            )
            .await
            .map(drop),
        "DeleteOrganizationDomain",
    );
    denied(
        owner
            .call::<_, o2::GenerateOrganizationDomainValidationResponse>(
                "GenerateOrganizationDomainValidation",
                o2::GenerateOrganizationDomainValidationRequest {
                    organization_id: b.clone(),
                    domain: "b.example".into(),
                    r#type: o2::DomainValidationType::Dns as i32,
                },
            )
            .await
            .map(drop),
        "GenerateOrganizationDomainValidation",
    );
    denied(
        owner
            .call::<_, o2::VerifyOrganizationDomainResponse>(
                "VerifyOrganizationDomain",
                o2::VerifyOrganizationDomainRequest { organization_id: b.clone(), domain: "b.example".into() },
            )
            .await
            .map(drop),
        "VerifyOrganizationDomain",
    );
    denied(
        owner
            .call::<_, o2::SetOrganizationMetadataResponse>(
                "SetOrganizationMetadata",
                o2::SetOrganizationMetadataRequest { organization_id: b.clone(), metadata: vec![entry("k", "v")] },
            )
            .await
            .map(drop),
        "SetOrganizationMetadata",
    );
    denied(
        owner
            .call::<_, o2::DeleteOrganizationMetadataResponse>(
                "DeleteOrganizationMetadata",
                o2::DeleteOrganizationMetadataRequest { organization_id: b.clone(), keys: vec!["secret".into()] },
            )
            .await
            .map(drop),
        "DeleteOrganizationMetadata",
    );
    denied(
        owner
            .call::<_, o2::AddOrganizationResponse>(
                "AddOrganization",
                o2::AddOrganizationRequest { name: "Gamma".into(), ..Default::default() },
            )
            .await
            .map(drop),
        "AddOrganization",
    );
    assert!(domains(&owner, &b).await.is_empty());
    assert!(metadata(&owner, &b).await.is_empty());
    let seen = list(&owner, o2::ListOrganizationsRequest::default()).await;
    assert_eq!(seen.result.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(), [a.as_str()]);
    assert_eq!(seen.details.unwrap().total_result, 1);
    assert!(list(&owner, by_id(&b)).await.result.is_empty());
    // B is untouched.
    assert_eq!(list(&c, by_id(&b)).await.result[0].name, "Beta");
    assert_eq!(metadata(&c, &b).await, vec![("secret".to_string(), b"b".to_vec())]);

    // An instance viewer reads everything and changes nothing.
    let viewer = c.with_token(&s.token_with_roles(&["IAM_OWNER_VIEWER"]).await);
    assert!(list(&viewer, o2::ListOrganizationsRequest::default()).await.result.len() >= 3);
    assert_eq!(metadata(&viewer, &b).await.len(), 1);
    denied(
        viewer
            .call::<_, o2::UpdateOrganizationResponse>(
                "UpdateOrganization",
                o2::UpdateOrganizationRequest { organization_id: b.clone(), name: "Viewed".into() },
            )
            .await
            .map(drop),
        "viewer's UpdateOrganization",
    );

    // Its own organization the owner may delete.
    let deleted: o2::DeleteOrganizationResponse =
        owner.call("DeleteOrganization", o2::DeleteOrganizationRequest { organization_id: a.clone() }).await.unwrap();
    assert!(deleted.deletion_date.is_some());
}

async fn bad_requests_are_refused(_s: Arc<TestServer>, c: Client) {
    let org = add(&c, "Strict").await.organization_id;
    let empty = c.call::<_, o2::AddOrganizationResponse>("AddOrganization", o2::AddOrganizationRequest::default());
    assert_eq!(code_and_id(empty.await), (Code::InvalidArgument, "VALID-rules".into()));
    let blank = c.call::<_, o2::AddOrganizationResponse>(
        "AddOrganization",
        o2::AddOrganizationRequest { name: "   ".into(), ..Default::default() },
    );
    let err = blank.await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "ORG-mruNY"));
    assert!(err.message.contains("`name`"), "{}", err.message);

    let no_query =
        o2::ListOrganizationsRequest { queries: vec![o2::SearchQuery { query: None }], ..Default::default() };
    let err = c.call::<_, o2::ListOrganizationsResponse>("ListOrganizations", no_query).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "ORG-vR9nC"));
    assert!(err.message.contains("queries[0]"), "{}", err.message);

    let no_filter = o2::ListOrganizationDomainsRequest {
        organization_id: org.clone(),
        filters: vec![o2::DomainSearchFilter { filter: None }],
        ..Default::default()
    };
    let err = c.call::<_, o2::ListOrganizationDomainsResponse>("ListOrganizationDomains", no_filter).await;
    assert_eq!(code_and_id(err), (Code::InvalidArgument, "ORG-Ags89".into()));
    let too_many = o2::ListOrganizationDomainsRequest {
        organization_id: org.clone(),
        pagination: Some(PaginationRequest { offset: 0, limit: 1001, asc: true }),
        ..Default::default()
    };
    let err = c.call::<_, o2::ListOrganizationDomainsResponse>("ListOrganizationDomains", too_many).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "QUERY-4M0fs"));
    assert!(err.message.contains("pagination.limit"), "{}", err.message);
    let no_meta_filter = o2::ListOrganizationMetadataRequest {
        organization_id: org.clone(),
        filters: vec![md2::MetadataSearchFilter { filter: None }],
        ..Default::default()
    };
    let err = c.call::<_, o2::ListOrganizationMetadataResponse>("ListOrganizationMetadata", no_meta_filter).await;
    assert_eq!(code_and_id(err), (Code::InvalidArgument, "METAD-fdg23".into()));

    let untyped = o2::GenerateOrganizationDomainValidationRequest {
        organization_id: org.clone(),
        domain: "x.example".into(),
        r#type: o2::DomainValidationType::Unspecified as i32,
    };
    let err = c
        .call::<_, o2::GenerateOrganizationDomainValidationResponse>("GenerateOrganizationDomainValidation", untyped)
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "VALID-rules"));
    assert!(err.message.contains("Type"), "{}", err.message);
    let unknown = o2::GenerateOrganizationDomainValidationRequest {
        organization_id: org.clone(),
        domain: "x.example".into(),
        r#type: o2::DomainValidationType::Http as i32,
    };
    let err =
        c.call::<_, o2::GenerateOrganizationDomainValidationResponse>("GenerateOrganizationDomainValidation", unknown);
    assert_eq!(code_and_id(err.await), (Code::NotFound, "ORG-AGD31".into()));
    let nowhere =
        o2::AddOrganizationDomainRequest { organization_id: "no-such-org".into(), domain: "x.example".into() };
    let err = c.call::<_, o2::AddOrganizationDomainResponse>("AddOrganizationDomain", nowhere).await;
    assert_eq!(code_and_id(err), (Code::FailedPrecondition, "COMMAND-QXPGs".into()));
    let unnamed = o2::UpdateOrganizationRequest { organization_id: org.clone(), name: String::new() };
    let err = c.call::<_, o2::UpdateOrganizationResponse>("UpdateOrganization", unnamed).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "VALID-rules"));
    assert!(err.message.contains("UpdateOrganizationRequest.Name"), "{}", err.message);
    // A phone marked unverified is refused by the proto's rule.
    let mut grace = human("g2", u2::set_human_email::Verification::IsVerified(true));
    grace.phone = Some(u2::SetHumanPhone {
        phone: "+41791234567".into(),
        verification: Some(u2::set_human_phone::Verification::IsVerified(false)),
    });
    let request = o2::AddOrganizationRequest {
        name: "Phoned".into(),
        admins: vec![admin(o2::add_organization_request::admin::UserType::Human(grace), &[])],
        ..Default::default()
    };
    let err = c.call::<_, o2::AddOrganizationResponse>("AddOrganization", request).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "VALID-rules"));
    assert!(err.message.contains("IsVerified") && err.message.contains("true"), "{}", err.message);
}
