//! The Management API's organization family: the call's organization,
//! its domains (and their challenges), metadata, members and changes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use burg_api::admin::{
    AddCustomDomainPolicyRequest, AddCustomDomainPolicyResponse, DataOrg, ExportDataRequest, ExportDataResponse,
    ImportDataOrg, ImportDataRequest, ImportDataResponse, SetUpOrgResponse, import_data_request,
};
use burg_api::management::*;
use burg_api::zitadel::member::v1::{SearchQuery, UserIdQuery, search_query};
use burg_api::zitadel::metadata::v1::{MetadataKeyQuery, MetadataQuery, metadata_query};
use burg_api::zitadel::org::v1::{DomainValidationType, OrgState};
use burg_testkit::{Client, TestServer, in_process, matrix};
use serde_json::json;
use tonic::Code;

use crate::orgs::setup_request;

matrix!(
    an_org_is_read_renamed_deactivated_and_removed,
    metadata_is_set_listed_and_removed,
    domains_are_added_proven_and_removed,
    members_are_added_changed_and_removed,
    an_imported_org_is_changed_and_exported,
);
in_process!(bad_requests_change_nothing, an_org_owner_works_in_its_own_org_only);

async fn set_up(c: &Client, name: &str) -> SetUpOrgResponse {
    c.call("SetUpOrg", setup_request(name)).await.unwrap()
}

async fn my_org(c: &Client) -> burg_api::zitadel::org::v1::Org {
    let got: GetMyOrgResponse = c.call("GetMyOrg", GetMyOrgRequest {}).await.unwrap();
    got.org.unwrap()
}

async fn an_org_is_read_renamed_deactivated_and_removed(_s: Arc<TestServer>, c: Client) {
    let acme = set_up(&c, "Acme").await;
    let a = c.with_org(&acme.org_id);
    let org = my_org(&a).await;
    assert_eq!(
        (org.id.as_str(), org.name.as_str(), org.primary_domain.as_str()),
        (acme.org_id.as_str(), "Acme", "acme.localhost")
    );
    let found: GetOrgByDomainGlobalResponse =
        c.call("GetOrgByDomainGlobal", GetOrgByDomainGlobalRequest { domain: "acme.localhost".into() }).await.unwrap();
    assert_eq!(found.org.unwrap().id, acme.org_id);

    // Renaming moves the generated domain along, primary as it was.
    let renamed: UpdateOrgResponse = a.call("UpdateOrg", UpdateOrgRequest { name: " Acme Two ".into() }).await.unwrap();
    let details = renamed.details.unwrap();
    assert_eq!(details.resource_owner, acme.org_id);
    assert!(details.creation_date.is_some() && details.change_date.is_none(), "ZITADEL's add flavour");
    let org = my_org(&a).await;
    assert_eq!((org.name.as_str(), org.primary_domain.as_str()), ("Acme Two", "acme-two.localhost"));
    let domains: ListOrgDomainsResponse = a.call("ListOrgDomains", ListOrgDomainsRequest::default()).await.unwrap();
    let names: Vec<&str> = domains.result.iter().map(|d| d.domain_name.as_str()).collect();
    assert_eq!(names, ["acme-two.localhost"]);
    assert!(domains.result[0].is_primary && domains.result[0].is_verified);
    let same = a.call::<_, UpdateOrgResponse>("UpdateOrg", UpdateOrgRequest { name: "Acme Two".into() }).await;
    assert_eq!(same.unwrap_err().id, "ORG-4VSdf");

    let _: DeactivateOrgResponse = a.call("DeactivateOrg", DeactivateOrgRequest {}).await.unwrap();
    assert_eq!(my_org(&a).await.state, OrgState::Inactive as i32);
    let again = a.call::<_, DeactivateOrgResponse>("DeactivateOrg", DeactivateOrgRequest {}).await.unwrap_err();
    assert_eq!((again.code, again.id.as_str()), (Code::FailedPrecondition, "EVENT-Dbs2g"));
    let _: ReactivateOrgResponse = a.call("ReactivateOrg", ReactivateOrgRequest {}).await.unwrap();
    assert_eq!(my_org(&a).await.state, OrgState::Active as i32);

    // The org aggregate's history, oldest first and newest first.
    let changes: ListOrgChangesResponse = a
        .call(
            "ListOrgChanges",
            ListOrgChangesRequest {
                query: Some(burg_api::zitadel::change::v1::ChangeQuery { sequence: 0, limit: 0, asc: true }),
            },
        )
        .await
        .unwrap();
    let types: Vec<String> = changes.result.iter().map(|ch| ch.event_type.clone().unwrap().key).collect();
    assert_eq!(types[0], "EventTypes.org.added");
    assert!(types.contains(&"EventTypes.org.changed".to_string()), "{types:?}");
    assert_eq!(types.last().unwrap(), "EventTypes.org.reactivated");
    assert!(changes.result.iter().all(|ch| ch.resource_owner_id == acme.org_id));
    let first_seq = changes.result[0].sequence;
    let newest: ListOrgChangesResponse = a
        .call(
            "ListOrgChanges",
            ListOrgChangesRequest {
                query: Some(burg_api::zitadel::change::v1::ChangeQuery { sequence: 0, limit: 2, asc: false }),
            },
        )
        .await
        .unwrap();
    assert_eq!(newest.result.len(), 2);
    assert_eq!(newest.result[0].event_type.clone().unwrap().key, "EventTypes.org.reactivated");
    let after: ListOrgChangesResponse = a
        .call(
            "ListOrgChanges",
            ListOrgChangesRequest {
                query: Some(burg_api::zitadel::change::v1::ChangeQuery { sequence: first_seq, limit: 1, asc: true }),
            },
        )
        .await
        .unwrap();
    assert_eq!(after.result[0].sequence, first_seq + 1);
    // Descending only reverses: still the events after the sequence.
    let newest_after: ListOrgChangesResponse = a
        .call(
            "ListOrgChanges",
            ListOrgChangesRequest {
                query: Some(burg_api::zitadel::change::v1::ChangeQuery { sequence: first_seq, limit: 0, asc: false }),
            },
        )
        .await
        .unwrap();
    assert_eq!(newest_after.result.len(), changes.result.len() - 1);
    assert_eq!(newest_after.result.last().unwrap().sequence, first_seq + 1);

    // A new organization owned by the caller, then removed.
    let added: AddOrgResponse = c.call("AddOrg", AddOrgRequest { name: "Fresh".into() }).await.unwrap();
    let f = c.with_org(&added.id);
    assert_eq!(my_org(&f).await.primary_domain, "fresh.localhost");
    let members: ListOrgMembersResponse = f.call("ListOrgMembers", ListOrgMembersRequest::default()).await.unwrap();
    assert_eq!(members.result.len(), 1);
    assert_eq!(members.result[0].roles, ["ORG_OWNER"]);
    let removed: RemoveOrgResponse = f.call("RemoveOrg", RemoveOrgRequest {}).await.unwrap();
    assert!(removed.details.unwrap().change_date.is_some());
    let gone = f.call::<_, GetMyOrgResponse>("GetMyOrg", GetMyOrgRequest {}).await.unwrap_err();
    assert_eq!(gone.code, Code::NotFound);
    let dup = c.call::<_, AddOrgResponse>("AddOrg", AddOrgRequest { name: "acme two".into() }).await.unwrap_err();
    assert_eq!((dup.code, dup.id.as_str()), (Code::AlreadyExists, "V3-DKcYh"));
}

async fn metadata_is_set_listed_and_removed(_s: Arc<TestServer>, c: Client) {
    let org = set_up(&c, "Meta").await;
    let m = c.with_org(&org.org_id);
    let set = |key: &str, value: &[u8]| SetOrgMetadataRequest { key: key.into(), value: value.to_vec() };
    let done: SetOrgMetadataResponse = m.call("SetOrgMetadata", set("color", b"blue")).await.unwrap();
    assert_eq!(done.details.unwrap().resource_owner, org.org_id);
    let bulk = BulkSetOrgMetadataRequest {
        metadata: vec![
            bulk_set_org_metadata_request::Metadata { key: "size".into(), value: b"XL".to_vec() },
            bulk_set_org_metadata_request::Metadata { key: "shape".into(), value: vec![0, 159, 255] },
        ],
    };
    let _: BulkSetOrgMetadataResponse = m.call("BulkSetOrgMetadata", bulk).await.unwrap();
    let _: SetOrgMetadataResponse = m.call("SetOrgMetadata", set("color", b"green")).await.unwrap();

    let got: GetOrgMetadataResponse =
        m.call("GetOrgMetadata", GetOrgMetadataRequest { key: "color".into() }).await.unwrap();
    assert_eq!(got.metadata.unwrap().value, b"green");
    let ascending = ListOrgMetadataRequest {
        query: Some(burg_api::object::ListQuery { asc: true, ..Default::default() }),
        ..Default::default()
    };
    let all: ListOrgMetadataResponse = m.call("ListOrgMetadata", ascending).await.unwrap();
    assert_eq!(all.details.unwrap().total_result, 3);
    let keys: Vec<(&str, &[u8])> = all.result.iter().map(|md| (md.key.as_str(), md.value.as_slice())).collect();
    assert_eq!(keys, [("color", &b"green"[..]), ("shape", &[0, 159, 255][..]), ("size", &b"XL"[..])]);
    let starting: ListOrgMetadataResponse = m
        .call(
            "ListOrgMetadata",
            ListOrgMetadataRequest {
                queries: vec![MetadataQuery {
                    query: Some(metadata_query::Query::KeyQuery(MetadataKeyQuery { key: "s".into(), method: 2 })),
                }],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(starting.result.len(), 2);
    // Another organization sees none of it.
    let other = set_up(&c, "Other").await;
    let none: ListOrgMetadataResponse =
        c.with_org(&other.org_id).call("ListOrgMetadata", ListOrgMetadataRequest::default()).await.unwrap();
    assert!(none.result.is_empty());

    let _: RemoveOrgMetadataResponse =
        m.call("RemoveOrgMetadata", RemoveOrgMetadataRequest { key: "color".into() }).await.unwrap();
    let err =
        m.call::<_, GetOrgMetadataResponse>("GetOrgMetadata", GetOrgMetadataRequest { key: "color".into() }).await;
    assert_eq!(err.unwrap_err().id, "QUERY-Rph32");
    let missing = m
        .call::<_, BulkRemoveOrgMetadataResponse>(
            "BulkRemoveOrgMetadata",
            BulkRemoveOrgMetadataRequest { keys: vec!["size".into(), "color".into()] },
        )
        .await
        .unwrap_err();
    assert_eq!((missing.code, missing.id.as_str()), (Code::NotFound, "META-2npds"));
    let _: BulkRemoveOrgMetadataResponse = m
        .call("BulkRemoveOrgMetadata", BulkRemoveOrgMetadataRequest { keys: vec!["size".into(), "shape".into()] })
        .await
        .unwrap();
    let all: ListOrgMetadataResponse = m.call("ListOrgMetadata", ListOrgMetadataRequest::default()).await.unwrap();
    assert!(all.result.is_empty());
}

/// A plain-HTTP server on 127.0.0.1 that answers the challenge files it is
/// given; its `host:port`.
pub(crate) async fn challenge_server(files: Arc<Mutex<HashMap<String, String>>>) -> String {
    use axum::extract::{Path, State};
    use axum::http::StatusCode;
    async fn serve(
        State(files): State<Arc<Mutex<HashMap<String, String>>>>,
        Path(file): Path<String>,
    ) -> Result<String, StatusCode> {
        files.lock().unwrap().get(&file).cloned().ok_or(StatusCode::NOT_FOUND)
    }
    let app =
        axum::Router::new().route("/.well-known/zitadel-challenge/{file}", axum::routing::get(serve)).with_state(files);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr.to_string()
}

async fn domains_are_added_proven_and_removed(_s: Arc<TestServer>, c: Client) {
    let org = set_up(&c, "Dom").await;
    let d = c.with_org(&org.org_id);
    // Without the policy asking for it, a domain is verified at once.
    let _: AddOrgDomainResponse =
        d.call("AddOrgDomain", AddOrgDomainRequest { domain: "dom.example".into() }).await.unwrap();
    let _: SetPrimaryOrgDomainResponse =
        d.call("SetPrimaryOrgDomain", SetPrimaryOrgDomainRequest { domain: "dom.example".into() }).await.unwrap();
    assert_eq!(my_org(&d).await.primary_domain, "dom.example");
    let primary = d
        .call::<_, RemoveOrgDomainResponse>("RemoveOrgDomain", RemoveOrgDomainRequest { domain: "dom.example".into() });
    assert_eq!(primary.await.unwrap_err().id, "ORG-Sjdi3");

    // With it, the domain waits for its challenge.
    let _: AddCustomDomainPolicyResponse = c
        .call(
            "AddCustomDomainPolicy",
            AddCustomDomainPolicyRequest {
                org_id: org.org_id.clone(),
                validate_org_domains: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let files = Arc::new(Mutex::new(HashMap::new()));
    let host = challenge_server(files.clone()).await;
    let _: AddOrgDomainResponse = d.call("AddOrgDomain", AddOrgDomainRequest { domain: host.clone() }).await.unwrap();
    let listed: ListOrgDomainsResponse = d.call("ListOrgDomains", ListOrgDomainsRequest::default()).await.unwrap();
    let pending = listed.result.iter().find(|x| x.domain_name == host).unwrap();
    assert!(!pending.is_verified && !pending.is_primary);
    let unverified = d.call::<_, SetPrimaryOrgDomainResponse>(
        "SetPrimaryOrgDomain",
        SetPrimaryOrgDomainRequest { domain: host.clone() },
    );
    assert_eq!(unverified.await.unwrap_err().id, "ORG-Ggd32");
    let early =
        d.call::<_, ValidateOrgDomainResponse>("ValidateOrgDomain", ValidateOrgDomainRequest { domain: host.clone() });
    assert_eq!(early.await.unwrap_err().id, "ORG-SFBB3");

    let generate =
        GenerateOrgDomainValidationRequest { domain: host.clone(), r#type: DomainValidationType::Http as i32 };
    let challenge: GenerateOrgDomainValidationResponse =
        d.call("GenerateOrgDomainValidation", generate.clone()).await.unwrap();
    assert_eq!(challenge.token.len(), 32);
    assert_eq!(challenge.url, format!("http://{host}/.well-known/zitadel-challenge/{}.txt", challenge.token));
    // Not served yet: ZITADEL's NotFound; a wrong answer does not match.
    let err =
        d.call::<_, ValidateOrgDomainResponse>("ValidateOrgDomain", ValidateOrgDomainRequest { domain: host.clone() });
    assert_eq!(err.await.unwrap_err().id, "ORG-F4zhw");
    files.lock().unwrap().insert(format!("{}.txt", challenge.token), "not the token".into());
    let err =
        d.call::<_, ValidateOrgDomainResponse>("ValidateOrgDomain", ValidateOrgDomainRequest { domain: host.clone() });
    assert_eq!(err.await.unwrap_err().id, "ORG-GH422");
    files.lock().unwrap().insert(format!("{}.txt", challenge.token), challenge.token.clone());
    let ok: ValidateOrgDomainResponse =
        d.call("ValidateOrgDomain", ValidateOrgDomainRequest { domain: host.clone() }).await.unwrap();
    assert_eq!(ok.details.unwrap().resource_owner, org.org_id);
    let listed: ListOrgDomainsResponse = d.call("ListOrgDomains", ListOrgDomainsRequest::default()).await.unwrap();
    let proven = listed.result.iter().find(|x| x.domain_name == host).unwrap();
    assert!(proven.is_verified);
    assert_eq!(proven.validation_type, DomainValidationType::Http as i32);
    let again = d.call::<_, GenerateOrgDomainValidationResponse>("GenerateOrgDomainValidation", generate);
    assert_eq!(again.await.unwrap_err().id, "ORG-HGw21");

    // The events name what happened, the token stays out of them.
    let changes: ListOrgChangesResponse =
        d.call("ListOrgChanges", ListOrgChangesRequest { query: None }).await.unwrap();
    let types: Vec<String> = changes.result.iter().map(|ch| ch.event_type.clone().unwrap().key).collect();
    for t in ["org.domain.verification.added", "org.domain.verification.failed", "org.domain.verified"] {
        assert!(types.contains(&format!("EventTypes.{t}")), "{t} in {types:?}");
    }
    assert!(changes.result.iter().all(|ch| !ch.editor_id.is_empty()), "every change names its editor");
    let events: burg_api::admin::ListEventsResponse = c
        .call(
            "ListEvents",
            burg_api::admin::ListEventsRequest {
                event_types: vec!["org.domain.verification.added".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(events.events.len(), 1);
    let payload = serde_json::to_string(&events.events[0].payload).unwrap();
    assert!(payload.contains("validationType") && !payload.contains(&challenge.token), "{payload}");

    // A verified domain is one organization's only.
    let other = set_up(&c, "Other").await;
    let taken = c
        .with_org(&other.org_id)
        .call::<_, AddOrgDomainResponse>("AddOrgDomain", AddOrgDomainRequest { domain: "dom.example".into() })
        .await
        .unwrap_err();
    assert_eq!((taken.code, taken.id.as_str()), (Code::AlreadyExists, "V3-DKcYh"));
    let _: RemoveOrgDomainResponse =
        d.call("RemoveOrgDomain", RemoveOrgDomainRequest { domain: host.clone() }).await.unwrap();
    let listed: ListOrgDomainsResponse = d.call("ListOrgDomains", ListOrgDomainsRequest::default()).await.unwrap();
    assert!(listed.result.iter().all(|x| x.domain_name != host));
    let gone = d.call::<_, RemoveOrgDomainResponse>("RemoveOrgDomain", RemoveOrgDomainRequest { domain: host });
    assert_eq!(gone.await.unwrap_err().id, "ORG-GDfA3");
}

async fn members_are_added_changed_and_removed(s: Arc<TestServer>, c: Client) {
    let org = set_up(&c, "Crew").await;
    let m = c.with_org(&org.org_id);
    let roles: ListOrgMemberRolesResponse = m.call("ListOrgMemberRoles", ListOrgMemberRolesRequest {}).await.unwrap();
    assert!(roles.result.contains(&"ORG_OWNER".to_string()) && roles.result.contains(&"ORG_USER_MANAGER".to_string()));
    assert!(roles.result.iter().all(|r| r.starts_with("ORG_")), "{:?}", roles.result);

    let sa = s.app.create_service_account(Some("crew-helper"), &[], None, None).await.unwrap();
    let add = AddOrgMemberRequest { user_id: sa.user_id.clone(), roles: vec!["ORG_USER_MANAGER".into()] };
    let added: AddOrgMemberResponse = m.call("AddOrgMember", add.clone()).await.unwrap();
    assert_eq!(added.details.unwrap().resource_owner, org.org_id);
    let dup = m.call::<_, AddOrgMemberResponse>("AddOrgMember", add).await.unwrap_err();
    assert_eq!((dup.code, dup.id.as_str()), (Code::AlreadyExists, "ORG-poWwe"));
    let by_user = |id: &str| ListOrgMembersRequest {
        queries: vec![SearchQuery {
            query: Some(search_query::Query::UserIdQuery(UserIdQuery { user_id: id.into() })),
        }],
        ..Default::default()
    };
    let listed: ListOrgMembersResponse = m.call("ListOrgMembers", by_user(&sa.user_id)).await.unwrap();
    assert_eq!(listed.result.len(), 1);
    assert_eq!(listed.result[0].roles, ["ORG_USER_MANAGER"]);
    assert_eq!(listed.result[0].preferred_login_name, "crew-helper");
    let all: ListOrgMembersResponse = m.call("ListOrgMembers", ListOrgMembersRequest::default()).await.unwrap();
    assert_eq!(all.details.unwrap().total_result, 2, "the first user and the helper");

    let change = UpdateOrgMemberRequest {
        user_id: sa.user_id.clone(),
        roles: vec!["ORG_OWNER_VIEWER".into(), "ORG_USER_MANAGER".into()],
    };
    let changed: UpdateOrgMemberResponse = m.call("UpdateOrgMember", change.clone()).await.unwrap();
    let unchanged: UpdateOrgMemberResponse = m.call("UpdateOrgMember", change).await.unwrap();
    assert_eq!(changed.details.unwrap().sequence, unchanged.details.unwrap().sequence, "the same roles change nothing");
    let listed: ListOrgMembersResponse = m.call("ListOrgMembers", by_user(&sa.user_id)).await.unwrap();
    assert_eq!(listed.result[0].roles, ["ORG_OWNER_VIEWER", "ORG_USER_MANAGER"]);
    // The new member may now read the organization.
    let helper = c.with_token(sa.token.expose()).with_org(&org.org_id);
    assert_eq!(my_org(&helper).await.id, org.org_id);

    let _: RemoveOrgMemberResponse =
        m.call("RemoveOrgMember", RemoveOrgMemberRequest { user_id: sa.user_id.clone() }).await.unwrap();
    let listed: ListOrgMembersResponse = m.call("ListOrgMembers", by_user(&sa.user_id)).await.unwrap();
    assert!(listed.result.is_empty());
    let again: RemoveOrgMemberResponse =
        m.call("RemoveOrgMember", RemoveOrgMemberRequest { user_id: sa.user_id.clone() }).await.unwrap();
    assert_eq!(again.details.unwrap().resource_owner, org.org_id);
    let denied = helper.call::<_, GetMyOrgResponse>("GetMyOrg", GetMyOrgRequest {}).await.unwrap_err();
    assert_eq!(denied.code, Code::PermissionDenied);
}

async fn an_imported_org_is_changed_and_exported(s: Arc<TestServer>, c: Client) {
    let org_id = "371000000000000001";
    let doc: DataOrg = serde_json::from_value(json!({
        "orgId": org_id,
        "org": {"name": "Imported"},
        "humanUsers": [{"userId": "371000000000000002", "user": {"userName": "imp", "profile": {"firstName": "I", "lastName": "M"},
            "email": {"email": "imp@example.com", "isEmailVerified": true}}}],
        "orgMembers": [{"userId": "371000000000000002", "roles": ["ORG_OWNER"]}]
    }))
    .unwrap();
    let report: ImportDataResponse = c
        .call(
            "ImportData",
            ImportDataRequest {
                data: Some(import_data_request::Data::DataOrgs(ImportDataOrg {
                    orgs: vec![doc],
                    ..Default::default()
                })),
                timeout: "1m".into(),
            },
        )
        .await
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let i = c.with_org(org_id);
    assert_eq!(my_org(&i).await.name, "Imported");
    let members: ListOrgMembersResponse = i.call("ListOrgMembers", ListOrgMembersRequest::default()).await.unwrap();
    // The document's member, and the importer as the owner of the new
    // organization (ZITADEL's AddOrgWithID).
    let mut members: Vec<_> =
        members.result.iter().map(|m| (m.preferred_login_name.as_str(), m.roles.join(","))).collect();
    members.sort();
    assert_eq!(members, [("burg-admin", "ORG_OWNER".into()), ("imp", "ORG_OWNER".to_string())]);

    let _: UpdateOrgResponse = i.call("UpdateOrg", UpdateOrgRequest { name: "Imported Again".into() }).await.unwrap();
    let sa = s.app.create_service_account(Some("imp-helper"), &[], None, None).await.unwrap();
    let _: AddOrgMemberResponse = i
        .call(
            "AddOrgMember",
            AddOrgMemberRequest { user_id: sa.user_id.clone(), roles: vec!["ORG_OWNER_VIEWER".into()] },
        )
        .await
        .unwrap();
    let _: UpdateOrgMemberResponse = i
        .call(
            "UpdateOrgMember",
            UpdateOrgMemberRequest { user_id: "371000000000000002".into(), roles: vec!["ORG_USER_MANAGER".into()] },
        )
        .await
        .unwrap();

    let exported: ExportDataResponse = c
        .call(
            "ExportData",
            // Every organization: the new member is a user of another one.
            ExportDataRequest { timeout: "1m".into(), ..Default::default() },
        )
        .await
        .unwrap();
    let org = serde_json::to_value(exported.orgs.iter().find(|o| o.org_id == org_id).unwrap()).unwrap();
    assert_eq!(org["org"]["name"], "Imported Again");
    let mut members: Vec<(String, serde_json::Value)> = org["orgMembers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["userId"].as_str().unwrap().to_string(), m["roles"].clone()))
        .collect();
    members.sort_by(|a, b| a.0.cmp(&b.0));
    // The importer owns the organization it imported.
    let iam = s.client(burg_testkit::Protocol::Rest).await;
    let iam = iam.call_json("AdminService", "ListIAMMembers", json!({})).await.unwrap();
    let admin = iam["result"].as_array().unwrap().iter().find(|m| m["preferredLoginName"] == "burg-admin").unwrap();
    let mut want = vec![
        ("371000000000000002".to_string(), json!(["ORG_USER_MANAGER"])),
        (sa.user_id.clone(), json!(["ORG_OWNER_VIEWER"])),
        (admin["userId"].as_str().unwrap().to_string(), json!(["ORG_OWNER"])),
    ];
    want.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(members, want);
}

async fn bad_requests_change_nothing(_s: Arc<TestServer>, c: Client) {
    let org = set_up(&c, "Strict").await;
    let o = c.with_org(&org.org_id);
    let id = |e: burg_testkit::ApiError| (e.code, e.id);
    let blank = o.call::<_, UpdateOrgResponse>("UpdateOrg", UpdateOrgRequest { name: "  ".into() }).await.unwrap_err();
    assert_eq!(id(blank), (Code::InvalidArgument, "EVENT-Mf9sd".into()));
    let blank = o.call::<_, AddOrgDomainResponse>("AddOrgDomain", AddOrgDomainRequest { domain: " ".into() });
    assert_eq!(id(blank.await.unwrap_err()), (Code::InvalidArgument, "ORG-r3h4J".into()));
    let dup =
        o.call::<_, AddOrgDomainResponse>("AddOrgDomain", AddOrgDomainRequest { domain: "strict.localhost".into() });
    assert_eq!(id(dup.await.unwrap_err()), (Code::AlreadyExists, "V2-e1wse".into()));
    let no_roles = AddOrgMemberRequest { user_id: org.user_id.clone(), roles: vec![] };
    let err = o.call::<_, AddOrgMemberResponse>("AddOrgMember", no_roles).await.unwrap_err();
    assert_eq!(id(err), (Code::InvalidArgument, "ORG-4Mlfs".into()));
    let bad = AddOrgMemberRequest { user_id: org.user_id.clone(), roles: vec!["IAM_OWNER".into()] };
    let err = o.call::<_, AddOrgMemberResponse>("AddOrgMember", bad).await.unwrap_err();
    assert_eq!(id(err), (Code::InvalidArgument, "Org-4N8es".into()));
    let nobody = AddOrgMemberRequest { user_id: "404".into(), roles: vec!["ORG_OWNER".into()] };
    let err = o.call::<_, AddOrgMemberResponse>("AddOrgMember", nobody).await.unwrap_err();
    assert_eq!(id(err), (Code::FailedPrecondition, "ORG-GoXOn".into()));
    let global = UpdateOrgMemberRequest { user_id: org.user_id.clone(), roles: vec!["SELF_MANAGEMENT_GLOBAL".into()] };
    let err = o.call::<_, UpdateOrgMemberResponse>("UpdateOrgMember", global).await.unwrap_err();
    assert_eq!(id(err), (Code::InvalidArgument, "IAM-m9fG8".into()));
    let stranger = UpdateOrgMemberRequest { user_id: "404".into(), roles: vec!["ORG_OWNER".into()] };
    let err = o.call::<_, UpdateOrgMemberResponse>("UpdateOrgMember", stranger).await.unwrap_err();
    assert_eq!(id(err), (Code::NotFound, "Org-D8JxR".into()));
    let err = o.call::<_, BulkSetOrgMetadataResponse>("BulkSetOrgMetadata", BulkSetOrgMetadataRequest::default());
    assert_eq!(id(err.await.unwrap_err()), (Code::FailedPrecondition, "META-9mm2d".into()));
    let err = o.call::<_, RemoveOrgMetadataResponse>("RemoveOrgMetadata", RemoveOrgMetadataRequest { key: "x".into() });
    assert_eq!(id(err.await.unwrap_err()), (Code::NotFound, "META-mcnw3".into()));
    let empty = SetOrgMetadataRequest { key: "k".into(), value: vec![] };
    let err = o.call::<_, SetOrgMetadataResponse>("SetOrgMetadata", empty).await.unwrap_err();
    assert_eq!(err.code, Code::InvalidArgument);
    // The instance owner names an organization that does not exist.
    let ghost = c.with_org("404");
    let err = ghost.call::<_, SetOrgMetadataResponse>(
        "SetOrgMetadata",
        SetOrgMetadataRequest { key: "k".into(), value: b"v".to_vec() },
    );
    assert_eq!(id(err.await.unwrap_err()), (Code::FailedPrecondition, "COMMAND-QXPGs".into()));
    let err = ghost.call::<_, GetMyOrgResponse>("GetMyOrg", GetMyOrgRequest {}).await.unwrap_err();
    assert_eq!(id(err), (Code::NotFound, "QUERY-iTTGJ".into()));
    let none: ListOrgChangesResponse =
        ghost.call("ListOrgChanges", ListOrgChangesRequest { query: None }).await.unwrap();
    assert!(none.result.is_empty());
    let err = c.call::<_, RemoveOrgResponse>("RemoveOrg", RemoveOrgRequest {}).await.unwrap_err();
    assert_eq!(id(err), (Code::FailedPrecondition, "COMMA-wG9p1".into()), "the caller's own org is the default one");

    // Nothing of that was written.
    let changes: ListOrgChangesResponse =
        o.call("ListOrgChanges", ListOrgChangesRequest { query: None }).await.unwrap();
    let types: Vec<String> = changes.result.iter().map(|ch| ch.event_type.clone().unwrap().key).collect();
    assert!(types.iter().all(|t| !t.contains("metadata") && !t.contains("member.changed")), "{types:?}");
    let org_now = my_org(&o).await;
    assert_eq!(org_now.name, "Strict");
}

async fn an_org_owner_works_in_its_own_org_only(s: Arc<TestServer>, c: Client) {
    let a = set_up(&c, "Alpha").await;
    let b = set_up(&c, "Beta").await;
    let owner = s.app.create_service_account(Some("alpha-owner"), &["ORG_OWNER".into()], Some(&a.org_id), None).await;
    let owner = c.with_token(owner.unwrap().token.expose());
    assert_eq!(my_org(&owner).await.id, a.org_id);
    let _: SetOrgMetadataResponse =
        owner.call("SetOrgMetadata", SetOrgMetadataRequest { key: "k".into(), value: b"v".to_vec() }).await.unwrap();
    let err = owner.with_org(&b.org_id).call::<_, GetMyOrgResponse>("GetMyOrg", GetMyOrgRequest {}).await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
    let err = owner
        .with_org(&b.org_id)
        .call::<_, UpdateOrgResponse>("UpdateOrg", UpdateOrgRequest { name: "Mine".into() })
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
    let viewer = c.with_token(&s.token_with_roles(&["IAM_OWNER_VIEWER"]).await).with_org(&b.org_id);
    assert_eq!(my_org(&viewer).await.id, b.org_id);
    let err = viewer.call::<_, DeactivateOrgResponse>("DeactivateOrg", DeactivateOrgRequest {}).await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
    assert_eq!(my_org(&c.with_org(&b.org_id)).await.state, OrgState::Active as i32);
}

/// A name server on 127.0.0.1 (TCP only) that answers TXT questions from
/// `records` (name → TXT strings), NXDOMAIN for other names; its port.
async fn name_server(records: Arc<Mutex<HashMap<String, Vec<String>>>>) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else { return };
            let records = records.clone();
            tokio::spawn(async move {
                let len = stream.read_u16().await.unwrap();
                let mut q = vec![0; usize::from(len)];
                stream.read_exact(&mut q).await.unwrap();
                // The name of the one question, label by label.
                let (mut at, mut labels) = (12, Vec::new());
                while q[at] != 0 {
                    let n = usize::from(q[at]);
                    labels.push(String::from_utf8_lossy(&q[at + 1..at + 1 + n]).into_owned());
                    at += 1 + n;
                }
                let question_end = at + 5;
                let found = records.lock().unwrap().get(&labels.join(".")).cloned();
                let mut a = q[..2].to_vec();
                a.extend_from_slice(&(if found.is_some() { 0x8180u16 } else { 0x8183 }).to_be_bytes());
                a.extend_from_slice(&[0, 1]);
                a.extend_from_slice(&(found.as_ref().map_or(0, Vec::len) as u16).to_be_bytes());
                a.extend_from_slice(&[0, 0, 0, 0]);
                a.extend_from_slice(&q[12..question_end]);
                for record in found.unwrap_or_default() {
                    a.extend_from_slice(&[0xC0, 12, 0, 16, 0, 1, 0, 0, 0, 60]);
                    a.extend_from_slice(&(record.len() as u16 + 1).to_be_bytes());
                    a.push(record.len() as u8);
                    a.extend_from_slice(record.as_bytes());
                }
                stream.write_all(&(a.len() as u16).to_be_bytes()).await.unwrap();
                stream.write_all(&a).await.unwrap();
            });
        }
    });
    port
}

async fn dns_challenges_are_looked_up(backend: burg_testkit::Backend) {
    let records = Arc::new(Mutex::new(HashMap::new()));
    let port = name_server(records.clone()).await;
    let config = burg_app::AppConfig {
        domain_check: burg_app::DomainCheck {
            http_scheme: "http".into(),
            name_server: Some(("127.0.0.1".into(), port)),
        },
        ..burg_testkit::test_app_config()
    };
    let Some(s) = TestServer::start_or_skip_with(backend, config).await else { return };
    let c = s.client(burg_testkit::Protocol::Rest).await;
    let org = set_up(&c, "Dns").await;
    let d = c.with_org(&org.org_id);
    let _: AddCustomDomainPolicyResponse = c
        .call(
            "AddCustomDomainPolicy",
            AddCustomDomainPolicyRequest {
                org_id: org.org_id.clone(),
                validate_org_domains: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let _: AddOrgDomainResponse =
        d.call("AddOrgDomain", AddOrgDomainRequest { domain: "dns.example".into() }).await.unwrap();
    let challenge: GenerateOrgDomainValidationResponse = d
        .call(
            "GenerateOrgDomainValidation",
            GenerateOrgDomainValidationRequest {
                domain: "dns.example".into(),
                r#type: DomainValidationType::Dns as i32,
            },
        )
        .await
        .unwrap();
    assert_eq!(challenge.url, "_zitadel-challenge.dns.example");
    let validate = || {
        d.call::<_, ValidateOrgDomainResponse>(
            "ValidateOrgDomain",
            ValidateOrgDomainRequest { domain: "dns.example".into() },
        )
    };
    assert_eq!(validate().await.unwrap_err().id, "ORG-G241f", "no such name");
    records.lock().unwrap().insert(challenge.url.clone(), vec!["v=spf1 -all".into()]);
    assert_eq!(validate().await.unwrap_err().id, "ORG-G28if", "a record, not the token");
    records.lock().unwrap().insert(challenge.url.clone(), vec!["v=spf1 -all".into(), challenge.token.clone()]);
    let ok = validate().await.unwrap();
    assert_eq!(ok.details.unwrap().resource_owner, org.org_id);
    let listed: ListOrgDomainsResponse = d.call("ListOrgDomains", ListOrgDomainsRequest::default()).await.unwrap();
    let proven = listed.result.iter().find(|x| x.domain_name == "dns.example").unwrap();
    assert!(proven.is_verified);
    assert_eq!(proven.validation_type, DomainValidationType::Dns as i32);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_challenges_are_looked_up_sqlite() {
    dns_challenges_are_looked_up(burg_testkit::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_challenges_are_looked_up_postgres() {
    dns_challenges_are_looked_up(burg_testkit::Backend::Postgres).await;
}
