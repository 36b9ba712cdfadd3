//! Day-to-day instance administration: organizations, instance settings,
//! IAM members and the event list, with their paging edges, text queries
//! and errors.

use std::sync::Arc;

use burg_api::admin::*;
use burg_api::object::{ListQuery, TextQueryMethod};
use burg_api::zitadel::member::v1 as member;
use burg_api::zitadel::org::v1::{
    OrgDomainQuery, OrgFieldName, OrgIdQuery, OrgNameQuery, OrgQuery, OrgState, OrgStateQuery, org_query,
};
use burg_testkit::{Client, Protocol, TestServer, matrix};
use tonic::Code;

use crate::orgs::setup_request;

matrix!(
    org_lists_page_sort_and_match,
    removing_an_org_takes_what_belongs_to_it,
    instance_domains_and_languages,
    iam_member_lists_and_role_changes,
    event_list_filters,
    login_policy_keeps_every_field,
);

fn page(offset: u64, limit: u32, asc: bool) -> Option<ListQuery> {
    Some(ListQuery { offset, limit, asc })
}

fn by_name(name: &str, method: TextQueryMethod) -> OrgQuery {
    OrgQuery { query: Some(org_query::Query::NameQuery(OrgNameQuery { name: name.into(), method: method as i32 })) }
}

async fn names(c: &Client, req: ListOrgsRequest) -> (u64, Vec<String>) {
    let list: ListOrgsResponse = c.call("ListOrgs", req).await.unwrap();
    (list.details.unwrap().total_result, list.result.into_iter().map(|o| o.name).collect())
}

async fn org_lists_page_sort_and_match(_s: Arc<TestServer>, c: Client) {
    let mut ids = Vec::new();
    for name in ["Echo", "Alpha", "Delta", "Bravo", "Charlie"] {
        let org: SetUpOrgResponse = c.call("SetUpOrg", setup_request(name)).await.unwrap();
        ids.push(org.org_id);
    }
    let sorted = |offset, limit, asc| ListOrgsRequest {
        query: page(offset, limit, asc),
        sorting_column: OrgFieldName::Name as i32,
        queries: vec![by_name("a", TextQueryMethod::ContainsIgnoreCase)],
    };
    // "a" (any case) is in every name but Echo and the default org's.
    let (total, got) = names(&c, sorted(0, 0, true)).await;
    assert_eq!((total, got), (4, vec!["Alpha".into(), "Bravo".into(), "Charlie".into(), "Delta".into()]));
    let (total, got) = names(&c, sorted(1, 2, true)).await;
    assert_eq!((total, got), (4, vec!["Bravo".into(), "Charlie".into()]), "offset and limit");
    let (total, got) = names(&c, sorted(0, 1, false)).await;
    assert_eq!((total, got), (4, vec!["Delta".into()]), "descending");
    let (total, got) = names(&c, sorted(10, 5, true)).await;
    assert_eq!((total, got), (4, vec![]), "an offset beyond the end gives an empty page and the total");
    let (total, _) = names(&c, ListOrgsRequest { query: page(0, 1000, true), ..Default::default() }).await;
    assert_eq!(total, 6, "ZITADEL's maximum, 1000, may be asked for");
    // As ZITADEL's v1 lists: a limit above the maximum is refused.
    let err = c
        .call::<_, ListOrgsResponse>("ListOrgs", ListOrgsRequest { query: page(0, 1001, true), ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "QUERY-4M0fs"));

    for (method, text, expected) in [
        (TextQueryMethod::Equals, "Alpha", vec!["Alpha"]),
        (TextQueryMethod::Equals, "alpha", vec![]),
        (TextQueryMethod::EqualsIgnoreCase, "ALPHA", vec!["Alpha"]),
        (TextQueryMethod::StartsWith, "Ch", vec!["Charlie"]),
        (TextQueryMethod::StartsWith, "ch", vec![]),
        (TextQueryMethod::StartsWithIgnoreCase, "ch", vec!["Charlie"]),
        (TextQueryMethod::Contains, "lt", vec!["Delta"]),
        (TextQueryMethod::ContainsIgnoreCase, "ECH", vec!["Echo"]),
        (TextQueryMethod::EndsWith, "o", vec!["Bravo", "Echo"]),
        (TextQueryMethod::EndsWithIgnoreCase, "HA", vec!["Alpha"]),
    ] {
        let req = ListOrgsRequest {
            sorting_column: OrgFieldName::Name as i32,
            query: page(0, 0, true),
            queries: vec![by_name(text, method)],
        };
        let (_, got) = names(&c, req).await;
        assert_eq!(got, expected, "{method:?} {text:?}");
    }
    // An unknown method number (gRPC; JSON cannot even spell it).
    if c.protocol == Protocol::Grpc {
        let bad = c
            .call::<_, ListOrgsResponse>(
                "ListOrgs",
                ListOrgsRequest {
                    queries: vec![OrgQuery {
                        query: Some(org_query::Query::NameQuery(OrgNameQuery { name: "a".into(), method: 99 })),
                    }],
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(bad.code, Code::InvalidArgument);
    }

    let query =
        |q: org_query::Query| ListOrgsRequest { queries: vec![OrgQuery { query: Some(q) }], ..Default::default() };
    let (_, got) = names(&c, query(org_query::Query::IdQuery(OrgIdQuery { id: ids[3].clone() }))).await;
    assert_eq!(got, vec!["Bravo"]);
    let domain = OrgDomainQuery { domain: "delta.".into(), method: TextQueryMethod::StartsWith as i32 };
    let (_, got) = names(&c, query(org_query::Query::DomainQuery(domain))).await;
    assert_eq!(got, vec!["Delta"]);
    let active = OrgStateQuery { state: OrgState::Active as i32 };
    let (total, _) = names(&c, query(org_query::Query::StateQuery(active))).await;
    assert_eq!(total, 6);
    let inactive = OrgStateQuery { state: OrgState::Inactive as i32 };
    let (total, _) = names(&c, query(org_query::Query::StateQuery(inactive))).await;
    assert_eq!(total, 0);
    let err = c.call::<_, GetOrgByIdResponse>("GetOrgByID", GetOrgByIdRequest { id: "404".into() }).await.unwrap_err();
    assert_eq!(err.code, Code::NotFound);
    // ZITADEL: a reference inside a write is a precondition.
    let err = c.call::<_, SetDefaultOrgResponse>("SetDefaultOrg", SetDefaultOrgRequest { org_id: "404".into() }).await;
    assert_eq!(err.unwrap_err().code, Code::FailedPrecondition);
    let err = c.call::<_, SetDefaultOrgResponse>("SetDefaultOrg", SetDefaultOrgRequest { org_id: String::new() }).await;
    // Over REST an empty path segment matches no route.
    let empty = if c.protocol == Protocol::Rest { Code::NotFound } else { Code::InvalidArgument };
    assert_eq!(err.unwrap_err().code, empty);
}

async fn removing_an_org_takes_what_belongs_to_it(s: Arc<TestServer>, c: Client) {
    let org: SetUpOrgResponse = c.call("SetUpOrg", setup_request("Doomed")).await.unwrap();
    // A service account of the org that is also an instance owner.
    let sa = s
        .app
        .create_service_account(Some("doomed-robot"), &["IAM_OWNER".into()], Some(&org.org_id), None)
        .await
        .unwrap();
    let robot = c.with_token(sa.token.expose());
    let _: GetMyInstanceResponse = robot.call("GetMyInstance", GetMyInstanceRequest {}).await.unwrap();
    let members: ListIamMembersResponse = c.call("ListIAMMembers", ListIamMembersRequest::default()).await.unwrap();
    assert_eq!(members.details.unwrap().total_result, 2);

    let removed: RemoveOrgResponse =
        c.call("RemoveOrg", RemoveOrgRequest { org_id: org.org_id.clone() }).await.unwrap();
    assert_eq!(removed.details.unwrap().resource_owner, s.app.instance_id(), "as ZITADEL answers");
    let err = robot.call::<_, GetMyInstanceResponse>("GetMyInstance", GetMyInstanceRequest {}).await.unwrap_err();
    assert_eq!(err.code, Code::Unauthenticated, "the org's users and their tokens are gone");
    let members: ListIamMembersResponse = c.call("ListIAMMembers", ListIamMembersRequest::default()).await.unwrap();
    assert_eq!(members.details.unwrap().total_result, 1, "and their memberships");
    let err = c.call::<_, RemoveOrgResponse>("RemoveOrg", RemoveOrgRequest { org_id: org.org_id.clone() }).await;
    let err = err.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "COMMA-aps2n"));
    let events: ListEventsResponse = c
        .call("ListEvents", ListEventsRequest { aggregate_id: org.org_id.clone(), asc: true, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(events.events.last().unwrap().r#type.as_ref().unwrap().r#type, "org.removed");

    // As ZITADEL, nothing keeps an instance owner: the org that holds
    // every one of them may go, and its owners with it.
    let keeper: SetUpOrgResponse = c.call("SetUpOrg", setup_request("Keeper")).await.unwrap();
    let owner = s
        .app
        .create_service_account(Some("keeper-robot"), &["IAM_OWNER".into()], Some(&keeper.org_id), None)
        .await
        .unwrap();
    let owner = c.with_token(owner.token.expose());
    let list: ListIamMembersResponse = c.call("ListIAMMembers", ListIamMembersRequest::default()).await.unwrap();
    let first = list.result.iter().find(|m| m.user_resource_owner != keeper.org_id).unwrap().user_id.clone();
    let _: RemoveIamMemberResponse =
        owner.call("RemoveIAMMember", RemoveIamMemberRequest { user_id: first }).await.unwrap();
    let removed: RemoveOrgResponse =
        owner.call("RemoveOrg", RemoveOrgRequest { org_id: keeper.org_id.clone() }).await.unwrap();
    assert_eq!(removed.details.unwrap().resource_owner, s.app.instance_id());
    let ctx = burg_app::Ctx::system("test");
    let members = s.app.list_iam_members(&ctx, ListIamMembersRequest::default()).await.unwrap();
    assert_eq!(members.details.unwrap().total_result, 0, "no instance member is left");
}

async fn instance_domains_and_languages(s: Arc<TestServer>, c: Client) {
    let domains: ListInstanceDomainsResponse =
        c.call("ListInstanceDomains", ListInstanceDomainsRequest::default()).await.unwrap();
    assert_eq!(domains.details.unwrap().total_result, 1);
    let domain = &domains.result[0];
    assert!(domain.primary && !domain.generated, "as ZITADEL's setup: the external domain is not a generated one");
    assert_eq!(domain.details.as_ref().unwrap().resource_owner, s.app.instance_id());
    let beyond: ListInstanceDomainsResponse = c
        .call("ListInstanceDomains", ListInstanceDomainsRequest { query: page(5, 0, false), ..Default::default() })
        .await
        .unwrap();
    assert!(beyond.result.is_empty());
    assert_eq!(beyond.details.unwrap().total_result, 1);

    let supported: GetSupportedLanguagesResponse =
        c.call("GetSupportedLanguages", GetSupportedLanguagesRequest {}).await.unwrap();
    for lang in ["en", "de", "fr", "it", "ja", "zh"] {
        assert!(supported.languages.iter().any(|l| l == lang), "{lang} is supported");
    }
    let _: SetDefaultLanguageResponse =
        c.call("SetDefaultLanguage", SetDefaultLanguageRequest { language: "de".into() }).await.unwrap();
    let lang: GetDefaultLanguageResponse = c.call("GetDefaultLanguage", GetDefaultLanguageRequest {}).await.unwrap();
    assert_eq!(lang.language, "de");
    let instance: GetMyInstanceResponse = c.call("GetMyInstance", GetMyInstanceRequest {}).await.unwrap();
    assert!(instance.instance.unwrap().details.unwrap().sequence >= 6, "the change is an instance event");
    for bad in ["", "xx", "english"] {
        let err = c.call::<_, SetDefaultLanguageResponse>(
            "SetDefaultLanguage",
            SetDefaultLanguageRequest { language: bad.into() },
        );
        // REST has no route for an empty path segment.
        let code = if bad.is_empty() && c.protocol == Protocol::Rest { Code::NotFound } else { Code::InvalidArgument };
        assert_eq!(err.await.unwrap_err().code, code, "{bad:?}");
    }

    let roles: ListIamMemberRolesResponse =
        c.call("ListIAMMemberRoles", ListIamMemberRolesRequest::default()).await.unwrap();
    for role in ["IAM_OWNER", "IAM_OWNER_VIEWER", "IAM_ORG_MANAGER", "IAM_USER_MANAGER"] {
        assert!(roles.roles.iter().any(|r| r == role), "{role}");
    }
    assert_eq!(roles.details.unwrap().total_result, roles.roles.len() as u64);
}

async fn iam_member_lists_and_role_changes(s: Arc<TestServer>, c: Client) {
    let mut users = Vec::new();
    for name in ["m-one", "m-two", "m-three"] {
        let sa = s.app.create_service_account(Some(name), &[], None, None).await.unwrap();
        let _: AddIamMemberResponse = c
            .call(
                "AddIAMMember",
                AddIamMemberRequest { user_id: sa.user_id.clone(), roles: vec!["IAM_OWNER_VIEWER".into()] },
            )
            .await
            .unwrap();
        users.push(sa);
    }
    let list = |query: Option<ListQuery>, queries: Vec<member::SearchQuery>| {
        let c = c.clone();
        async move {
            let r: ListIamMembersResponse =
                c.call("ListIAMMembers", ListIamMembersRequest { query, queries, sorting_column: 0 }).await.unwrap();
            (r.details.unwrap().total_result, r.result)
        }
    };
    let (total, all) = list(page(0, 0, true), vec![]).await;
    assert_eq!((total, all.len()), (4, 4));
    let (total, one) = list(page(1, 1, true), vec![]).await;
    assert_eq!((total, one.len()), (4, 1));
    assert_eq!(one[0].user_id, all[1].user_id, "pages follow the same order");
    let (total, none) = list(page(4, 10, true), vec![]).await;
    assert_eq!((total, none.len()), (4, 0));
    let by_id = member::SearchQuery {
        query: Some(member::search_query::Query::UserIdQuery(member::UserIdQuery {
            user_id: users[1].user_id.clone(),
        })),
    };
    let (total, found) = list(None, vec![by_id]).await;
    assert_eq!(total, 1);
    assert_eq!(found[0].roles, vec!["IAM_OWNER_VIEWER".to_string()]);
    assert_eq!(found[0].preferred_login_name, "m-two");

    // A role change takes effect at once.
    let viewer = c.with_token(users[0].token.expose());
    let _: ListOrgsResponse = viewer.call("ListOrgs", ListOrgsRequest::default()).await.unwrap();
    let err = viewer.call::<_, SetUpOrgResponse>("SetUpOrg", setup_request("Nope")).await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
    let updated: UpdateIamMemberResponse = c
        .call(
            "UpdateIAMMember",
            UpdateIamMemberRequest { user_id: users[0].user_id.clone(), roles: vec!["IAM_OWNER".into()] },
        )
        .await
        .unwrap();
    let updated = updated.details.unwrap();
    assert!(updated.sequence > 0);
    let _: SetUpOrgResponse = viewer.call("SetUpOrg", setup_request("Now")).await.unwrap();
    // As ZITADEL: the same roles again change nothing and answer the
    // member's details; the same roles in another order are a change.
    let before = s.event_count().await;
    let same: UpdateIamMemberResponse = c
        .call(
            "UpdateIAMMember",
            UpdateIamMemberRequest { user_id: users[0].user_id.clone(), roles: vec!["IAM_OWNER".into()] },
        )
        .await
        .unwrap();
    assert_eq!(same.details.unwrap().sequence, updated.sequence);
    assert_eq!(s.event_count().await, before);
    let two = vec!["IAM_OWNER".to_string(), "IAM_OWNER_VIEWER".to_string()];
    for roles in [two.clone(), two.iter().rev().cloned().collect()] {
        let _: UpdateIamMemberResponse = c
            .call("UpdateIAMMember", UpdateIamMemberRequest { user_id: users[0].user_id.clone(), roles })
            .await
            .unwrap();
    }
    assert_eq!(s.event_count().await, before + 2, "another order is another member.changed");
    for (user_id, roles, code) in [
        ("404".to_string(), vec!["IAM_OWNER".to_string()], Code::NotFound),
        (users[1].user_id.clone(), vec![], Code::InvalidArgument),
        (users[1].user_id.clone(), vec!["ORG_OWNER".to_string()], Code::InvalidArgument),
    ] {
        let err = c
            .call::<_, UpdateIamMemberResponse>("UpdateIAMMember", UpdateIamMemberRequest { user_id, roles })
            .await
            .unwrap_err();
        assert_eq!(err.code, code);
    }
}

async fn event_list_filters(s: Arc<TestServer>, c: Client) {
    let before: ListEventsResponse =
        c.call("ListEvents", ListEventsRequest { limit: 1, ..Default::default() }).await.unwrap();
    let anchor = before.events[0].creation_date.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let org: SetUpOrgResponse = c.call("SetUpOrg", setup_request("Evented")).await.unwrap();
    let _: SetDefaultLanguageResponse =
        c.call("SetDefaultLanguage", SetDefaultLanguageRequest { language: "fr".into() }).await.unwrap();
    let list = |req: ListEventsRequest| {
        let c = c.clone();
        async move {
            let r: ListEventsResponse = c.call("ListEvents", req).await.unwrap();
            r.events
        }
    };
    let type_of = |e: &burg_api::zitadel::event::v1::Event| e.r#type.as_ref().unwrap().r#type.clone();

    // Newest first by default; ascending on request.
    let newest = list(ListEventsRequest { limit: 1, ..Default::default() }).await;
    assert_eq!(type_of(&newest[0]), "instance.default.language.set");
    let all_asc = list(ListEventsRequest { asc: true, ..Default::default() }).await;
    assert_eq!(type_of(&all_asc[0]), "instance.added");
    let all_desc = list(ListEventsRequest::default()).await;
    assert_eq!(all_asc.len(), all_desc.len());
    assert_eq!(all_asc.first(), all_desc.last());

    // The org's aggregate, alone.
    let of_org = list(ListEventsRequest {
        aggregate_id: org.org_id.clone(),
        aggregate_types: vec!["org".into()],
        asc: true,
        ..Default::default()
    })
    .await;
    assert_eq!(type_of(&of_org[0]), "org.added");
    let sequences: Vec<u64> = of_org.iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, (1..=sequences.len() as u64).collect::<Vec<_>>(), "per-aggregate sequences, no gaps");
    let later = list(ListEventsRequest {
        aggregate_id: org.org_id.clone(),
        aggregate_types: vec!["org".into()],
        sequence: 1,
        asc: true,
        ..Default::default()
    })
    .await;
    assert_eq!(later.len(), of_org.len() - 1, "sequence: strictly greater");
    assert_eq!(later[0].sequence, 2);
    let owned = list(ListEventsRequest { resource_owner: org.org_id.clone(), ..Default::default() }).await;
    assert!(owned.len() > of_org.len(), "the org's user events too");
    assert!(owned.iter().all(|e| e.aggregate.as_ref().unwrap().resource_owner == org.org_id));

    // Editor: the admin's service account made the last writes.
    let editor = newest[0].editor.as_ref().unwrap().user_id.clone();
    assert!(!editor.is_empty());
    let by_editor = list(ListEventsRequest { editor_user_id: editor.clone(), ..Default::default() }).await;
    assert!(!by_editor.is_empty() && by_editor.iter().all(|e| e.editor.as_ref().unwrap().user_id == editor));
    assert!(by_editor.len() < all_desc.len(), "the bootstrap events have another editor");
    let by_types = list(ListEventsRequest {
        event_types: vec!["org.added".into(), "instance.default.language.set".into()],
        ..Default::default()
    })
    .await;
    assert!(by_types.len() >= 3, "the default org, Evented and the language");
    assert!(by_types.iter().all(|e| ["org.added", "instance.default.language.set"].contains(&type_of(e).as_str())));

    // Time: `from` is an anchor, `range` a window.
    use list_events_request::{CreationDateFilter, CreationDateRange};
    let after = list(ListEventsRequest {
        asc: true,
        creation_date_filter: Some(CreationDateFilter::From(anchor)),
        ..Default::default()
    })
    .await;
    assert!(after.iter().all(|e| e.creation_date.unwrap() >= anchor));
    assert!(after.iter().any(|e| type_of(e) == "org.added"));
    let before_anchor =
        list(ListEventsRequest { creation_date_filter: Some(CreationDateFilter::From(anchor)), ..Default::default() })
            .await;
    assert!(before_anchor.iter().all(|e| e.creation_date.unwrap() <= anchor));
    let at_anchor = all_desc.iter().filter(|e| e.creation_date.unwrap() == anchor).count();
    assert!(at_anchor >= 1);
    assert_eq!(after.len() + before_anchor.len(), all_desc.len() + at_anchor, "events at the anchor are in both");
    let window = list(ListEventsRequest {
        creation_date_filter: Some(CreationDateFilter::Range(CreationDateRange {
            since: Some(anchor),
            until: Some(anchor),
        })),
        ..Default::default()
    })
    .await;
    assert!(!window.is_empty() && window.iter().all(|e| e.creation_date.unwrap() == anchor));
    let _ = s;
}

async fn login_policy_keeps_every_field(_s: Arc<TestServer>, c: Client) {
    use burg_api::wkt::Duration;
    let hours = |h: i64| Some(Duration { seconds: h * 3600, nanos: 0 });
    let update = UpdateLoginPolicyRequest {
        allow_username_password: false,
        allow_register: true,
        allow_external_idp: false,
        force_mfa: true,
        passwordless_type: 1,
        hide_password_reset: true,
        ignore_unknown_usernames: true,
        default_redirect_uri: "https://portal.example.com/home".into(),
        password_check_lifetime: hours(240),
        external_login_check_lifetime: hours(12),
        mfa_init_skip_lifetime: hours(720),
        second_factor_check_lifetime: hours(18),
        multi_factor_check_lifetime: hours(6),
        allow_domain_discovery: true,
        disable_login_with_email: true,
        disable_login_with_phone: true,
        force_mfa_local_only: true,
    };
    let changed: UpdateLoginPolicyResponse = c.call("UpdateLoginPolicy", update.clone()).await.unwrap();
    let sequence = changed.details.unwrap().sequence;
    let got: GetLoginPolicyResponse = c.call("GetLoginPolicy", GetLoginPolicyRequest {}).await.unwrap();
    let p = got.policy.unwrap();
    assert_eq!(p.details.unwrap().sequence, sequence, "read your write");
    let back = UpdateLoginPolicyRequest {
        allow_username_password: p.allow_username_password,
        allow_register: p.allow_register,
        allow_external_idp: p.allow_external_idp,
        force_mfa: p.force_mfa,
        passwordless_type: p.passwordless_type,
        hide_password_reset: p.hide_password_reset,
        ignore_unknown_usernames: p.ignore_unknown_usernames,
        default_redirect_uri: p.default_redirect_uri,
        password_check_lifetime: p.password_check_lifetime,
        external_login_check_lifetime: p.external_login_check_lifetime,
        mfa_init_skip_lifetime: p.mfa_init_skip_lifetime,
        second_factor_check_lifetime: p.second_factor_check_lifetime,
        multi_factor_check_lifetime: p.multi_factor_check_lifetime,
        allow_domain_discovery: p.allow_domain_discovery,
        disable_login_with_email: p.disable_login_with_email,
        disable_login_with_phone: p.disable_login_with_phone,
        force_mfa_local_only: p.force_mfa_local_only,
    };
    assert_eq!(back, update, "every field as written");
    assert!(p.is_default);
    let events: ListEventsResponse =
        c.call("ListEvents", ListEventsRequest { limit: 1, ..Default::default() }).await.unwrap();
    assert_eq!(events.events[0].r#type.as_ref().unwrap().r#type, "instance.policy.login.changed");

    // As ZITADEL: a negative lifetime is taken as it is.
    let negative =
        UpdateLoginPolicyRequest { password_check_lifetime: Some(Duration { seconds: -1, nanos: 0 }), ..update };
    let _: UpdateLoginPolicyResponse = c.call("UpdateLoginPolicy", negative).await.unwrap();
    let got: GetLoginPolicyResponse = c.call("GetLoginPolicy", GetLoginPolicyRequest {}).await.unwrap();
    assert_eq!(got.policy.unwrap().password_check_lifetime, Some(Duration { seconds: -1, nanos: 0 }));
}
