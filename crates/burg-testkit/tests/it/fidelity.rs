//! Answers that follow ZITADEL's own, case by case (issue 17): codes,
//! defaults and values, with ZITADEL's error ids where it has one.

use std::sync::Arc;

use burg_api::admin::set_up_org_request::{self as setup, human};
use burg_api::admin::*;
use burg_api::management::{
    AddMachineUserRequest, AddMachineUserResponse, AddPersonalAccessTokenRequest, AddPersonalAccessTokenResponse,
    GetUserByIdRequest, GetUserByIdResponse, ListPersonalAccessTokensRequest, ListPersonalAccessTokensResponse,
    RemovePersonalAccessTokenRequest, RemovePersonalAccessTokenResponse,
};
use burg_api::object::{ListQuery, ObjectDetails};
use burg_api::wkt::Duration;
use burg_testkit::{ApiError, Client, TestServer, in_process, matrix};
use tonic::Code;

in_process!(
    instance_answers_as_zitadel,
    lists_languages_and_login_policy_as_zitadel,
    set_up_org_checks_as_zitadel,
    members_and_tokens_answer_zitadel_ids,
    idp_writes_answer_zitadels_details,
);

/// The identity-provider writes answer ZITADEL's `details` flavours: an
/// add or a migration only a creation date, a change (one that changes
/// nothing too) or a removal only a change date.
async fn idp_writes_answer_zitadels_details(_s: Arc<TestServer>, c: Client) {
    let add = AddGenericOidcProviderRequest {
        name: "Corp".into(),
        issuer: "https://issuer.example.com".into(),
        client_id: "client".into(),
        client_secret: "secret".into(),
        ..Default::default()
    };
    let added: AddGenericOidcProviderResponse = c.call("AddGenericOIDCProvider", add).await.unwrap();
    assert!(is_add(&added.details), "{:?}", added.details);
    let update = |name: &str| UpdateGenericOidcProviderRequest {
        id: added.id.clone(),
        name: name.into(),
        issuer: "https://issuer.example.com".into(),
        client_id: "client".into(),
        ..Default::default()
    };
    let changed: UpdateGenericOidcProviderResponse =
        c.call("UpdateGenericOIDCProvider", update("Corp 2")).await.unwrap();
    assert!(is_change(&changed.details), "{:?}", changed.details);
    let same: UpdateGenericOidcProviderResponse = c.call("UpdateGenericOIDCProvider", update("Corp 2")).await.unwrap();
    assert!(is_change(&same.details), "{:?}", same.details);
    assert_eq!(same.details, changed.details, "nothing changed: the stored change");
    let google = AddGoogleProviderRequest { client_id: "g".into(), client_secret: "s".into(), ..Default::default() };
    let migrate = MigrateGenericOidcProviderRequest {
        id: added.id.clone(),
        template: Some(migrate_generic_oidc_provider_request::Template::Google(google)),
    };
    let migrated: MigrateGenericOidcProviderResponse = c.call("MigrateGenericOIDCProvider", migrate).await.unwrap();
    assert!(is_add(&migrated.details), "{:?}", migrated.details);
    let deleted: DeleteProviderResponse =
        c.call("DeleteProvider", DeleteProviderRequest { id: added.id.clone() }).await.unwrap();
    assert!(is_change(&deleted.details), "{:?}", deleted.details);
}
matrix!(users_and_orgs_are_stored_as_zitadel_stores_them);

fn code_and_id<T: std::fmt::Debug>(r: Result<T, ApiError>) -> (Code, String) {
    let e = r.unwrap_err();
    (e.code, e.id)
}

fn expect<T: std::fmt::Debug>(r: Result<T, ApiError>, code: Code, id: &str) {
    assert_eq!(code_and_id(r), (code, id.to_string()));
}

/// A SetUpOrg request for org `name` whose first user is `user_name`.
fn org_with_user(name: &str, user_name: &str) -> SetUpOrgRequest {
    SetUpOrgRequest {
        org: Some(setup::Org { name: name.into(), domain: String::new() }),
        user: Some(setup::User::Human(setup::Human {
            user_name: user_name.into(),
            profile: Some(human::Profile { first_name: "Ada".into(), last_name: "Admin".into(), ..Default::default() }),
            email: Some(human::Email { email: "ada@example.com".into(), is_email_verified: true }),
            phone: None,
            password: String::new(),
        })),
        roles: vec![],
    }
}

/// `f` applied to the first user of `req`.
fn with_human(mut req: SetUpOrgRequest, f: impl FnOnce(&mut setup::Human)) -> SetUpOrgRequest {
    if let Some(setup::User::Human(h)) = &mut req.user {
        f(h);
    }
    req
}

/// The string members of the first event of type `event_type` on
/// aggregate `id`.
async fn payload_of(c: &Client, id: &str, event_type: &str) -> serde_json::Map<String, serde_json::Value> {
    let events: ListEventsResponse = c
        .call(
            "ListEvents",
            ListEventsRequest { aggregate_id: id.into(), event_types: vec![event_type.into()], ..Default::default() },
        )
        .await
        .unwrap();
    let payload = events.events[0].payload.clone().unwrap_or_default();
    let json = serde_json::to_value(&payload).unwrap();
    json.as_object().cloned().unwrap_or_default()
}

/// Only a `changeDate` (ZITADEL's change converters).
fn is_change(d: &Option<ObjectDetails>) -> bool {
    d.as_ref().is_some_and(|d| d.creation_date.is_none() && d.change_date.is_some() && d.sequence > 0)
}

/// Only a `creationDate` (ZITADEL's add converters).
fn is_add(d: &Option<ObjectDetails>) -> bool {
    d.as_ref().is_some_and(|d| d.creation_date.is_some() && d.change_date.is_none() && d.sequence > 0)
}

async fn instance_answers_as_zitadel(s: Arc<TestServer>, c: Client) {
    // A new instance's login policy: ZITADEL's defaults.
    let policy: GetLoginPolicyResponse = c.call("GetLoginPolicy", GetLoginPolicyRequest {}).await.unwrap();
    assert!(policy.policy.unwrap().allow_domain_discovery, "cmd/defaults.yaml: AllowDomainDiscovery true");

    // IsOrgUnique without a name or a domain asks nothing.
    let err = c.call::<_, IsOrgUniqueResponse>("IsOrgUnique", IsOrgUniqueRequest::default()).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "QUERY-DGqfd"));

    // A machine user with an id that exists: a precondition.
    let add = |user_name: &str, user_id: Option<String>| AddMachineUserRequest {
        user_name: user_name.into(),
        name: "Robot".into(),
        user_id,
        ..Default::default()
    };
    let robot: AddMachineUserResponse = c.call("AddMachineUser", add("robot", None)).await.unwrap();
    let err = c
        .call::<_, AddMachineUserResponse>("AddMachineUser", add("robot-2", Some(robot.user_id.clone())))
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-k2una"));

    // A token without an expiry lasts until ZITADEL's 9999-12-31T23:59:59Z,
    // with ZITADEL's three scopes.
    let _: AddPersonalAccessTokenResponse = c
        .call(
            "AddPersonalAccessToken",
            AddPersonalAccessTokenRequest { user_id: robot.user_id.clone(), ..Default::default() },
        )
        .await
        .unwrap();
    let tokens: ListPersonalAccessTokensResponse = c
        .call(
            "ListPersonalAccessTokens",
            ListPersonalAccessTokensRequest { user_id: robot.user_id.clone(), ..Default::default() },
        )
        .await
        .unwrap();
    let token = &tokens.result[0];
    assert_eq!(token.expiration_date.unwrap().to_micros(), 253_402_300_799_000_000);
    assert_eq!(token.scopes, ["openid", "urn:zitadel:iam:user:metadata", "urn:zitadel:iam:user:resourceowner"]);
    let err = c
        .call::<_, AddPersonalAccessTokenResponse>(
            "AddPersonalAccessToken",
            AddPersonalAccessTokenRequest { user_id: "404".into(), ..Default::default() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-Dggw2"));
    let none: ListPersonalAccessTokensResponse = c
        .call(
            "ListPersonalAccessTokens",
            ListPersonalAccessTokensRequest { user_id: "404".into(), ..Default::default() },
        )
        .await
        .unwrap();
    assert!(none.result.is_empty(), "an unknown user's tokens: an empty list");

    // A member may start without roles.
    let _: AddIamMemberResponse =
        c.call("AddIAMMember", AddIamMemberRequest { user_id: robot.user_id.clone(), roles: vec![] }).await.unwrap();
    let members: ListIamMembersResponse = c.call("ListIAMMembers", ListIamMembersRequest::default()).await.unwrap();
    assert!(members.result.iter().any(|m| m.user_id == robot.user_id && m.roles.is_empty()));
    assert!(s.event_count().await > 0);
}

in_process!(import_reports_members_and_grants_of_unknown_users);

/// ZITADEL's import reports an org member, user grant or project member
/// whose user exists nowhere as an error of its own (with ZITADEL's id for
/// the item) and imports the rest; a user of a later organization of the
/// same document is known.
async fn import_reports_members_and_grants_of_unknown_users(s: Arc<TestServer>, c: Client) {
    use burg_api::management::{AddMachineUserRequest, AddOrgMemberRequest, AddOrgRequest, AddUserGrantRequest};
    use burg_api::zitadel::v1::v1::DataMachineUser;
    let machine = |id: &str, name: &str| DataMachineUser {
        user_id: id.into(),
        user: Some(AddMachineUserRequest { user_name: name.into(), name: name.into(), ..Default::default() }),
        ..Default::default()
    };
    let member = |user: &str| AddOrgMemberRequest { user_id: user.into(), roles: vec!["ORG_OWNER".into()] };
    let first = DataOrg {
        org_id: "71000000000000001".into(),
        org: Some(AddOrgRequest { name: "First".into() }),
        machine_users: vec![machine("71000000000000011", "robot-one")],
        // Its own user, a user of the next organization, and a ghost.
        org_members: vec![member("71000000000000011"), member("71000000000000021"), member("ghost")],
        user_grants: vec![AddUserGrantRequest {
            user_id: "ghost".into(),
            project_id: "71000000000000099".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let second = DataOrg {
        org_id: "71000000000000002".into(),
        org: Some(AddOrgRequest { name: "Second".into() }),
        machine_users: vec![machine("71000000000000021", "robot-two")],
        ..Default::default()
    };
    let request = ImportDataRequest {
        data: Some(import_data_request::Data::DataOrgs(ImportDataOrg {
            orgs: vec![first, second],
            ..Default::default()
        })),
        timeout: "1m".into(),
    };
    let answer: ImportDataResponse = c.call("ImportData", request).await.unwrap();
    let orgs = answer.success.unwrap().orgs;
    assert_eq!(orgs.len(), 2, "both organizations are imported: {orgs:?}");
    assert_eq!(orgs[0].org_members, ["71000000000000011", "71000000000000021"]);
    assert!(orgs[0].user_grants.is_empty());
    let errors: Vec<(&str, &str)> = answer.errors.iter().map(|e| (e.r#type.as_str(), e.id.as_str())).collect();
    assert_eq!(
        errors,
        [("org_member", "71000000000000001_ghost"), ("user_grant", "71000000000000001_71000000000000099_ghost")]
    );
    assert_eq!(answer.errors[0].message, "ID=ORG-GoXOn Message=Errors.User.NotFound");
    assert_eq!(answer.errors[1].message, "ID=COMMAND-uXHNj Message=Errors.User.NotFound");
    assert!(s.event_count().await > 0);
}

in_process!(import_answers_zitadels_own_cases);

/// The cases of ZITADEL's own ImportData integration test, with its ids
/// (UUIDs), expecting its answers exactly: the success entries, and for a
/// project grant or project grant member given twice, an error entry with
/// ZITADEL's type, composed id and `ID=… Message=…` text while the rest of
/// the organization is imported.
async fn import_answers_zitadels_own_cases(_s: Arc<TestServer>, c: Client) {
    use serde_json::{Value, json};
    let id = |kind: u8, n: u8| format!("{kind:08x}-0000-4000-8000-{n:012x}");
    let (org, project, user, grant) = (|n| id(1, n), |n| id(2, n), |n| id(3, n), |n| id(4, n));
    let human = |n: u8| {
        json!({"userId": user(n), "user": {"userName": format!("user-{n}"),
            "profile": {"firstName": "Ada", "lastName": "Lovelace", "displayName": format!("user-{n}"), "preferredLanguage": "en"},
            "email": {"email": format!("user-{n}@example.com"), "isEmailVerified": true}}})
    };
    let roles = |p: u8, keys: &[&str]| -> Vec<Value> {
        keys.iter().map(|k| json!({"projectId": project(p), "roleKey": k, "displayName": k})).collect()
    };
    let project_grant = |g: u8, p: u8, o: u8, keys: &[&str]| json!({"grantId": grant(g), "projectGrant": {"projectId": project(p), "grantedOrgId": org(o), "roleKeys": keys}});
    let import = |orgs: Value| {
        let c = c.clone();
        async move {
            let request: ImportDataRequest =
                serde_json::from_value(json!({"dataOrgs": {"orgs": orgs}, "timeout": "1m"})).unwrap();
            let answer: ImportDataResponse = c.call("ImportData", request).await.unwrap();
            serde_json::to_value(answer).unwrap()
        }
    };

    // "success"
    let answer = import(json!([
        {"orgId": org(0), "org": {"name": "Org 0"},
         "projects": [{"projectId": project(0), "project": {"name": "P0", "projectRoleAssertion": true}},
                      {"projectId": project(1), "project": {"name": "P1"}}],
         "projectRoles": ([roles(0, &["role1", "role2"]), roles(1, &["role3", "role4"])].concat()),
         "humanUsers": [human(0), human(1)],
         "projectGrants": [project_grant(0, 0, 1, &["role1", "role2"]), project_grant(1, 1, 1, &["role3", "role4"]),
                           project_grant(2, 0, 2, &["role1", "role2"]), project_grant(3, 1, 2, &["role3", "role4"])]},
        {"orgId": org(1), "org": {"name": "Org 1"},
         "userGrants": [{"userId": user(0), "projectId": project(0), "projectGrantId": grant(0)},
                        {"userId": user(0), "projectId": project(1), "projectGrantId": grant(1)}]},
        {"orgId": org(2), "org": {"name": "Org 2"},
         "userGrants": [{"userId": user(1), "projectId": project(0), "projectGrantId": grant(2)},
                        {"userId": user(1), "projectId": project(1), "projectGrantId": grant(3)}]},
    ]))
    .await;
    let success_grant = |g: u8, p: u8, o: u8| json!({"grantId": grant(g), "projectId": project(p), "orgId": org(o)});
    assert_eq!(
        answer,
        json!({"success": {"orgs": [
            {"orgId": org(0), "projectIds": [project(0), project(1)],
             "projectRoles": [format!("{}_role1", project(0)), format!("{}_role2", project(0)),
                              format!("{}_role3", project(1)), format!("{}_role4", project(1))],
             "humanUserIds": [user(0), user(1)],
             "projectGrants": [success_grant(0, 0, 1), success_grant(1, 1, 1), success_grant(2, 0, 2), success_grant(3, 1, 2)]},
            {"orgId": org(1), "userGrants": [{"projectId": project(0), "userId": user(0)}, {"projectId": project(1), "userId": user(0)}]},
            {"orgId": org(2), "userGrants": [{"projectId": project(0), "userId": user(1)}, {"projectId": project(1), "userId": user(1)}]},
        ]}})
    );

    // "duplicate project grant error"
    let answer = import(json!([
        {"orgId": org(4), "org": {"name": "Org 4"}},
        {"orgId": org(3), "org": {"name": "Org 3"},
         "projects": [{"projectId": project(2), "project": {"name": "P2", "projectRoleAssertion": true}},
                      {"projectId": project(3), "project": {"name": "P3"}}],
         "projectRoles": ([roles(2, &["role1", "role2"]), roles(3, &["role3", "role4"])].concat()),
         "projectGrants": [project_grant(4, 2, 4, &["role1", "role2"]), project_grant(4, 2, 4, &["role1", "role2"])]},
    ]))
    .await;
    assert_eq!(
        answer,
        json!({
            "errors": [{"type": "project_grant", "id": format!("{}_{}_{}", org(3), project(2), org(4)),
                        "message": "ID=V3-DKcYh Message=Errors.Project.Grant.AlreadyExists"}],
            "success": {"orgs": [
                {"orgId": org(4)},
                {"orgId": org(3), "projectIds": [project(2), project(3)],
                 "projectRoles": [format!("{}_role1", project(2)), format!("{}_role2", project(2)),
                                  format!("{}_role3", project(3)), format!("{}_role4", project(3))],
                 "projectGrants": [success_grant(4, 2, 4)]},
            ]}
        })
    );

    // "duplicate project grant member error"
    let member =
        json!({"projectId": project(4), "grantId": grant(5), "userId": user(2), "roles": ["PROJECT_GRANT_OWNER"]});
    let answer = import(json!([
        {"orgId": org(6), "org": {"name": "Org 6"}},
        {"orgId": org(5), "org": {"name": "Org 5"},
         "projects": [{"projectId": project(4), "project": {"name": "P4", "projectRoleAssertion": true}}],
         "projectRoles": roles(4, &["role1", "role2"]),
         "humanUsers": [human(2)],
         "projectGrants": [project_grant(5, 4, 6, &["role1", "role2"])],
         "projectGrantMembers": [member.clone(), member]},
    ]))
    .await;
    assert_eq!(
        answer,
        json!({
            "errors": [{"type": "project_grant_member", "id": format!("{}_{}_{}_{}", org(5), project(4), grant(5), user(2)),
                        "message": "ID=PROJECT-37fug Message=Errors.AlreadyExists"}],
            "success": {"orgs": [
                {"orgId": org(6)},
                {"orgId": org(5), "projectIds": [project(4)],
                 "projectRoles": [format!("{}_role1", project(4)), format!("{}_role2", project(4))],
                 "humanUserIds": [user(2)],
                 "projectGrants": [success_grant(5, 4, 6)],
                 "projectGrantMembers": [{"projectId": project(4), "grantId": grant(5), "userId": user(2)}]},
            ]}
        })
    );
}

in_process!(import_report_ids_are_zitadels);

/// Report entries name items as ZITADEL's report does: a one-per-org
/// policy by its organization. Texts are set, so a stored text with
/// other content gives no entry.
async fn import_report_ids_are_zitadels(_s: Arc<TestServer>, c: Client) {
    use serde_json::json;
    let org = "72000000000000001";
    let doc = |link: &str, title: &str| {
        json!({"dataOrgs": {"orgs": [{"orgId": org, "org": {"name": "Texts"},
            "privacyPolicy": {"tosLink": link},
            "loginTexts": [{"language": "de", "selectAccountText": {"title": title}}]}]}, "timeout": "1m"})
    };
    let first: ImportDataResponse = c
        .call("ImportData", serde_json::from_value::<ImportDataRequest>(doc("https://a.example", "A")).unwrap())
        .await
        .unwrap();
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    let again: ImportDataResponse = c
        .call("ImportData", serde_json::from_value::<ImportDataRequest>(doc("https://b.example", "B")).unwrap())
        .await
        .unwrap();
    let entries: Vec<(&str, &str)> = again.errors.iter().map(|e| (e.r#type.as_str(), e.id.as_str())).collect();
    assert!(entries.contains(&("privacy_policy", org)), "{entries:?}");
    // A text is set again, as ZITADEL's SetOrgLoginText sets it: no entry.
    assert!(!entries.iter().any(|(kind, _)| *kind == "login_texts"), "{entries:?}");
    assert!(again.errors.iter().all(|e| e.message.starts_with("ID=")), "{:?}", again.errors);
}

async fn lists_languages_and_login_policy_as_zitadel(s: Arc<TestServer>, c: Client) {
    // v1 lists: no limit means ZITADEL's maximum, 1000; more is refused.
    let robot: AddMachineUserResponse = c
        .call(
            "AddMachineUser",
            AddMachineUserRequest { user_name: "pats".into(), name: "P".into(), ..Default::default() },
        )
        .await
        .unwrap();
    for _ in 0..101 {
        let _: AddPersonalAccessTokenResponse = c
            .call(
                "AddPersonalAccessToken",
                AddPersonalAccessTokenRequest { user_id: robot.user_id.clone(), ..Default::default() },
            )
            .await
            .unwrap();
    }
    let list = |limit: u32| ListPersonalAccessTokensRequest {
        user_id: robot.user_id.clone(),
        query: Some(ListQuery { offset: 0, limit, asc: true }),
    };
    let all: ListPersonalAccessTokensResponse = c.call("ListPersonalAccessTokens", list(0)).await.unwrap();
    assert_eq!(all.result.len(), 101, "no limit: up to 1000, not 100");
    // (Over REST a request with path or query parameters and a non-zero
    // limit does not decode at all, GATEWAY-json2: the others are asked.)
    let over = Some(ListQuery { offset: 0, limit: 1001, asc: false });
    let r = c.call::<_, ListIamMembersResponse>(
        "ListIAMMembers",
        ListIamMembersRequest { query: over, ..Default::default() },
    );
    expect(r.await, Code::InvalidArgument, "QUERY-4M0fs");
    let ctx = burg_app::Ctx::system("test");
    let domains = ListInstanceDomainsRequest { query: over, ..Default::default() };
    let err = s.app.list_instance_domains(&ctx, domains).await.unwrap_err();
    assert_eq!((err.kind, err.id), (burg_domain::ErrorKind::InvalidArgument, "QUERY-4M0fs"));
    let r = c.call::<_, ListLoginPolicyIdPsResponse>("ListLoginPolicyIDPs", ListLoginPolicyIdPsRequest { query: over });
    expect(r.await, Code::InvalidArgument, "QUERY-4M0fs");
    // ListEvents keeps clamping.
    let events: ListEventsResponse =
        c.call("ListEvents", ListEventsRequest { limit: 5000, ..Default::default() }).await.unwrap();
    assert!(!events.events.is_empty());
    assert!(events.events.iter().all(|e| e.editor.as_ref().unwrap().service == "zitadel"), "editor.service");

    // Languages: the login's translations, parsed as given.
    let supported: GetSupportedLanguagesResponse =
        c.call("GetSupportedLanguages", GetSupportedLanguagesRequest {}).await.unwrap();
    assert_eq!(supported.languages.len(), 35);
    assert!(["ar", "ca", "zh-TW", "vi", "th"].iter().all(|l| supported.languages.iter().any(|s| s == l)));
    let set = |l: &str| SetDefaultLanguageRequest { language: l.into() };
    expect(
        c.call::<_, SetDefaultLanguageResponse>("SetDefaultLanguage", set(" de ")).await,
        Code::InvalidArgument,
        "API-39nnf",
    );
    expect(
        c.call::<_, SetDefaultLanguageResponse>("SetDefaultLanguage", set("xx")).await,
        Code::InvalidArgument,
        "LANG-lg4DP",
    );
    expect(
        c.call::<_, SetDefaultLanguageResponse>("SetDefaultLanguage", set("und")).await,
        Code::InvalidArgument,
        "LANG-3M9f2",
    );
    let changed: SetDefaultLanguageResponse = c.call("SetDefaultLanguage", set("zh-tw")).await.unwrap();
    assert!(is_change(&changed.details), "{:?}", changed.details);
    let lang: GetDefaultLanguageResponse = c.call("GetDefaultLanguage", GetDefaultLanguageRequest {}).await.unwrap();
    assert_eq!(lang.language, "zh-TW");
    expect(
        c.call::<_, SetDefaultLanguageResponse>("SetDefaultLanguage", set("ZH-TW")).await,
        Code::FailedPrecondition,
        "INST-DS3rq",
    );

    // The login policy: ZITADEL's redirect rule, any lifetime, its ids.
    let current: GetLoginPolicyResponse = c.call("GetLoginPolicy", GetLoginPolicyRequest {}).await.unwrap();
    let p = current.policy.unwrap();
    let update = UpdateLoginPolicyRequest {
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
    expect(
        c.call::<_, UpdateLoginPolicyResponse>("UpdateLoginPolicy", update.clone()).await,
        Code::FailedPrecondition,
        "INSTANCE-5M9vdd",
    );
    for bad in ["portal.example.com/home", "https:///no-host", "http:no-host"] {
        let r = c
            .call::<_, UpdateLoginPolicyResponse>(
                "UpdateLoginPolicy",
                UpdateLoginPolicyRequest { default_redirect_uri: bad.into(), ..update.clone() },
            )
            .await;
        expect(r, Code::InvalidArgument, "IAM-SFdqd");
    }
    let long = format!("https://portal.example.com/{}", "a".repeat(300));
    for (uri, mfa) in [("myapp://callback", Duration { seconds: -60, nanos: 0 }), (long.as_str(), Duration::default())]
    {
        let changed: UpdateLoginPolicyResponse = c
            .call(
                "UpdateLoginPolicy",
                UpdateLoginPolicyRequest {
                    default_redirect_uri: uri.into(),
                    mfa_init_skip_lifetime: Some(mfa),
                    ..update.clone()
                },
            )
            .await
            .unwrap();
        assert!(is_change(&changed.details));
        let got: GetLoginPolicyResponse = c.call("GetLoginPolicy", GetLoginPolicyRequest {}).await.unwrap();
        let got = got.policy.unwrap();
        assert_eq!((got.default_redirect_uri.as_str(), got.mfa_init_skip_lifetime), (uri, Some(mfa)));
    }
}

async fn set_up_org_checks_as_zitadel(s: Arc<TestServer>, c: Client) {
    let base = || org_with_user("Checked", "checker");
    let before = s.event_count().await;
    for (req, code, id) in [
        (
            SetUpOrgRequest { org: Some(setup::Org { name: "   ".into(), domain: String::new() }), ..base() },
            Code::InvalidArgument,
            "ORG-mruNY",
        ),
        (
            SetUpOrgRequest { org: Some(setup::Org { name: "!!!".into(), domain: String::new() }), ..base() },
            Code::InvalidArgument,
            "ORG-RrfXY",
        ),
        (
            SetUpOrgRequest { org: Some(setup::Org { name: "Dom".into(), domain: "  ".into() }), ..base() },
            Code::InvalidArgument,
            "ORG-r3h4J",
        ),
        (with_human(base(), |h| h.user_name = "  ".into()), Code::InvalidArgument, "V2-zzad3"),
        (
            with_human(base(), |h| h.profile.as_mut().unwrap().first_name = " ".into()),
            Code::InvalidArgument,
            "USER-UCej2",
        ),
        (
            with_human(base(), |h| h.profile.as_mut().unwrap().last_name = " ".into()),
            Code::InvalidArgument,
            "USER-4hB7d",
        ),
        // An empty email breaks the proto's `email` rule first (PGV: "mail:
        // no address"), before the command's EMAIL-spblu.
        (with_human(base(), |h| h.email.as_mut().unwrap().email = String::new()), Code::InvalidArgument, "VALID-rules"),
        (
            with_human(base(), |h| h.email.as_mut().unwrap().email = " ada@example.com".into()),
            Code::InvalidArgument,
            "EMAIL-599BI",
        ),
        (
            with_human(base(), |h| h.email.as_mut().unwrap().email = "äda@example.com".into()),
            Code::InvalidArgument,
            "EMAIL-599BI",
        ),
        (
            with_human(base(), |h| {
                h.phone = Some(human::Phone { phone: "+999 1234567".into(), is_phone_verified: false })
            }),
            Code::InvalidArgument,
            "PHONE-so0wa",
        ),
        (with_human(base(), |h| h.password = "äbcdefg1".into()), Code::InvalidArgument, "DOMAIN-VoaRj"),
        (with_human(base(), |h| h.password = "Ab1!".into()), Code::InvalidArgument, "DOMAIN-HuJf6"),
        (with_human(base(), |h| h.password = "ABCDEFG1!".into()), Code::InvalidArgument, "DOMAIN-co3Xw"),
        (with_human(base(), |h| h.password = "Abcdefgh!".into()), Code::InvalidArgument, "DOMAIN-ZBv4H"),
        (with_human(base(), |h| h.password = "Abcdefgh1".into()), Code::InvalidArgument, "DOMAIN-ZDLwA"),
        (
            SetUpOrgRequest { roles: vec!["ORG_OWNER".into(), "SELF_MANAGEMENT_GLOBAL".into()], ..base() },
            Code::InvalidArgument,
            "Org-4N8es",
        ),
        (SetUpOrgRequest { roles: vec!["IAM_OWNER".into()], ..base() }, Code::InvalidArgument, "Org-4N8es"),
    ] {
        let r = c.call::<_, SetUpOrgResponse>("SetUpOrg", req.clone()).await;
        assert_eq!(code_and_id(r), (code, id.to_string()), "{req:?}");
    }
    assert_eq!(s.event_count().await, before, "refused setups write nothing");

    // What ZITADEL takes: a dotless email host, a password counted in
    // bytes whose `ö` is a symbol, ZITADEL's newer roles.
    for (i, (roles, password)) in [
        (vec!["SELF_MANAGEMENT_GLOBAL"], "Passwört1"),
        (vec!["ORG_SETTINGS_MANAGER", "ORG_USER_SELF_MANAGER"], "Ab1!äöü"),
    ]
    .into_iter()
    .enumerate()
    {
        let req = SetUpOrgRequest {
            roles: roles.iter().map(|r| r.to_string()).collect(),
            ..with_human(org_with_user(&format!("Taken {i}"), &format!("taker-{i}")), |h| {
                h.email.as_mut().unwrap().email = "admin@localhost".into();
                h.password = password.into();
            })
        };
        let created: SetUpOrgResponse = c.call("SetUpOrg", req).await.unwrap();
        assert!(is_add(&created.details), "{:?}", created.details);
        let member = payload_of(&c, &created.org_id, "org.member.added").await;
        assert_eq!(member["roles"], serde_json::json!(roles));
        // An event without payload (the email's verification) answers none.
        let verified: ListEventsResponse = c
            .call(
                "ListEvents",
                ListEventsRequest {
                    aggregate_id: created.user_id.clone(),
                    event_types: vec!["user.human.email.verified".into()],
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(verified.events.len(), 1);
        assert_eq!(verified.events[0].payload, None);
    }
}

async fn members_and_tokens_answer_zitadel_ids(s: Arc<TestServer>, c: Client) {
    let roles: ListIamMemberRolesResponse =
        c.call("ListIAMMemberRoles", ListIamMemberRolesRequest::default()).await.unwrap();
    assert_eq!(
        roles.roles,
        [
            "IAM_OWNER",
            "IAM_OWNER_VIEWER",
            "IAM_ORG_MANAGER",
            "IAM_USER_MANAGER",
            "IAM_ADMIN_IMPERSONATOR",
            "IAM_END_USER_IMPERSONATOR",
            "IAM_LOGIN_CLIENT"
        ]
    );
    // ZITADEL's login client may add instance members.
    let login_client = c.with_token(&s.token_with_roles(&["IAM_LOGIN_CLIENT"]).await);
    let robot: AddMachineUserResponse = c
        .call(
            "AddMachineUser",
            AddMachineUserRequest { user_name: "member".into(), name: "M".into(), ..Default::default() },
        )
        .await
        .unwrap();
    let add = |roles: &[&str]| AddIamMemberRequest {
        user_id: robot.user_id.clone(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
    };
    expect(
        c.call::<_, AddIamMemberResponse>("AddIAMMember", add(&["ORG_OWNER"])).await,
        Code::InvalidArgument,
        "INSTANCE-4m0fS",
    );
    let added: AddIamMemberResponse = login_client.call("AddIAMMember", add(&["IAM_OWNER_VIEWER"])).await.unwrap();
    assert!(is_change(&added.details), "{:?}", added.details);
    expect(
        c.call::<_, AddIamMemberResponse>("AddIAMMember", add(&["IAM_OWNER"])).await,
        Code::AlreadyExists,
        "INSTA-pFDwe",
    );
    let update = |user_id: &str, roles: &[&str]| UpdateIamMemberRequest {
        user_id: user_id.into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
    };
    expect(
        c.call::<_, UpdateIamMemberResponse>("UpdateIAMMember", update("404", &["IAM_OWNER"])).await,
        Code::NotFound,
        "INSTANCE-D8JxR",
    );
    expect(
        c.call::<_, UpdateIamMemberResponse>("UpdateIAMMember", update(&robot.user_id, &[])).await,
        Code::InvalidArgument,
        "INSTANCE-LiaZi",
    );
    expect(
        c.call::<_, UpdateIamMemberResponse>("UpdateIAMMember", update(&robot.user_id, &["ORG_OWNER"])).await,
        Code::InvalidArgument,
        "INSTANCE-3m9fs",
    );
    let same: UpdateIamMemberResponse =
        c.call("UpdateIAMMember", update(&robot.user_id, &["IAM_OWNER_VIEWER"])).await.unwrap();
    assert!(is_change(&same.details), "the unchanged answer is a change's too: {:?}", same.details);

    // The default org: ZITADEL's ids for the current one and an unknown one.
    let default: GetDefaultOrgResponse = c.call("GetDefaultOrg", GetDefaultOrgRequest {}).await.unwrap();
    let default_id = default.org.unwrap().id;
    expect(
        c.call::<_, SetDefaultOrgResponse>("SetDefaultOrg", SetDefaultOrgRequest { org_id: default_id.clone() }).await,
        Code::FailedPrecondition,
        "INST-SDfw2",
    );
    expect(
        c.call::<_, RemoveOrgResponse>("RemoveOrg", RemoveOrgRequest { org_id: default_id.clone() }).await,
        Code::FailedPrecondition,
        "COMMA-wG9p1",
    );
    expect(
        c.call::<_, RemoveOrgResponse>("RemoveOrg", RemoveOrgRequest { org_id: "404".into() }).await,
        Code::NotFound,
        "COMMA-aps2n",
    );
    expect(
        c.call::<_, RemoveIdpFromLoginPolicyResponse>(
            "RemoveIDPFromLoginPolicy",
            RemoveIdpFromLoginPolicyRequest { idp_id: "404".into() },
        )
        .await,
        Code::NotFound,
        "INSTANCE-39fjs",
    );

    // Personal access tokens.
    let past = burg_api::wkt::Timestamp::from_micros(1_000_000);
    expect(
        c.call::<_, AddPersonalAccessTokenResponse>(
            "AddPersonalAccessToken",
            AddPersonalAccessTokenRequest { user_id: robot.user_id.clone(), expiration_date: Some(past) },
        )
        .await,
        Code::InvalidArgument,
        "DOMAIN-dv3t5",
    );
    let token: AddPersonalAccessTokenResponse = c
        .call(
            "AddPersonalAccessToken",
            AddPersonalAccessTokenRequest { user_id: robot.user_id.clone(), ..Default::default() },
        )
        .await
        .unwrap();
    assert!(is_add(&token.details), "{:?}", token.details);
    let remove =
        |token_id: &str| RemovePersonalAccessTokenRequest { user_id: robot.user_id.clone(), token_id: token_id.into() };
    expect(
        c.call::<_, RemovePersonalAccessTokenResponse>("RemovePersonalAccessToken", remove("404")).await,
        Code::NotFound,
        "COMMAND-4m77G",
    );
    let removed: RemovePersonalAccessTokenResponse =
        c.call("RemovePersonalAccessToken", remove(&token.token_id)).await.unwrap();
    assert!(is_change(&removed.details), "{:?}", removed.details);
    let human: SetUpOrgResponse = c.call("SetUpOrg", org_with_user("Humans", "a-human")).await.unwrap();
    expect(
        c.with_org(&human.org_id)
            .call::<_, AddPersonalAccessTokenResponse>(
                "AddPersonalAccessToken",
                AddPersonalAccessTokenRequest { user_id: human.user_id.clone(), ..Default::default() },
            )
            .await,
        Code::FailedPrecondition,
        "COMMAND-Df2f1",
    );
}

async fn users_and_orgs_are_stored_as_zitadel_stores_them(s: Arc<TestServer>, c: Client) {
    // The instance: its external domain is not a generated one, and the
    // setup's administrator also owns the default organization.
    let domains: ListInstanceDomainsResponse =
        c.call("ListInstanceDomains", ListInstanceDomainsRequest::default()).await.unwrap();
    assert!(domains.result.iter().all(|d| d.primary && !d.generated));
    let default: GetDefaultOrgResponse = c.call("GetDefaultOrg", GetDefaultOrgRequest {}).await.unwrap();
    let default_id = default.org.unwrap().id;
    let owner = payload_of(&c, &default_id, "org.member.added").await;
    assert_eq!(owner["roles"], serde_json::json!(["ORG_OWNER"]));

    // SetUpOrg trims and normalises, and orders its events as ZITADEL.
    let req = SetUpOrgRequest {
        org: Some(setup::Org { name: "  Müller & Co  ".into(), domain: " mueller.example ".into() }),
        user: Some(setup::User::Human(setup::Human {
            user_name: "  Ada@Mueller.Example  ".into(),
            profile: Some(human::Profile {
                first_name: " Ada ".into(),
                last_name: " Lovelace ".into(),
                preferred_language: "DE".into(),
                ..Default::default()
            }),
            email: Some(human::Email { email: "ada@localhost".into(), is_email_verified: false }),
            phone: Some(human::Phone { phone: "+41 44 668 18 00".into(), is_phone_verified: true }),
            password: String::new(),
        })),
        roles: vec![],
    };
    let created: SetUpOrgResponse = c.call("SetUpOrg", req).await.unwrap();
    let org: GetOrgByIdResponse = c.call("GetOrgByID", GetOrgByIdRequest { id: created.org_id.clone() }).await.unwrap();
    let org = org.org.unwrap();
    assert_eq!((org.name.as_str(), org.primary_domain.as_str()), ("Müller & Co", "müller--co.localhost"));
    let user = payload_of(&c, &created.user_id, "user.human.added").await;
    for (member, value) in [
        ("userName", "Ada@Mueller.Example"),
        ("firstName", "Ada"),
        ("lastName", "Lovelace"),
        ("displayName", "Ada Lovelace"),
        ("preferredLanguage", "de"),
        ("phone", "+41446681800"),
        ("email", "ada@localhost"),
    ] {
        assert_eq!(user[member], value, "{member}");
    }
    // ZITADEL's AddHumanCommand: an unverified address gets an
    // initialization code (sealed in the event), and the user is initial.
    let events: ListEventsResponse = c
        .call(
            "ListEvents",
            ListEventsRequest { aggregate_id: created.user_id.clone(), asc: true, ..Default::default() },
        )
        .await
        .unwrap();
    let types: Vec<String> = events.events.iter().map(|e| e.r#type.clone().unwrap().r#type).collect();
    assert_eq!(types, ["user.human.added", "user.human.initialization.code.added", "user.human.phone.verified"]);
    let got: GetUserByIdResponse = c
        .with_org(&created.org_id)
        .call("GetUserByID", GetUserByIdRequest { id: created.user_id.clone() })
        .await
        .unwrap();
    assert_eq!(got.user.unwrap().state, burg_api::zitadel::user::v1::UserState::Initial as i32);
    let events: ListEventsResponse = c
        .call("ListEvents", ListEventsRequest { aggregate_id: created.org_id.clone(), asc: true, ..Default::default() })
        .await
        .unwrap();
    let types: Vec<String> = events.events.iter().map(|e| e.r#type.clone().unwrap().r#type).collect();
    assert_eq!(
        types,
        [
            "org.added",
            "org.domain.added",
            "org.domain.verified",
            "org.domain.primary.set",
            "org.member.added",
            "org.domain.added",
            "org.domain.verified"
        ]
    );
    assert_eq!(
        events.events[5].payload.as_ref().map(|p| serde_json::to_value(p).unwrap()["domain"].clone()),
        Some("mueller.example".into())
    );
    let nameless: SetUpOrgResponse = c
        .call(
            "SetUpOrg",
            with_human(org_with_user("Nameless", "nameless"), |h| {
                h.profile.as_mut().unwrap().preferred_language = String::new()
            }),
        )
        .await
        .unwrap();
    assert_eq!(payload_of(&c, &nameless.user_id, "user.human.added").await["preferredLanguage"], "und");

    // Usernames are unique across the instance, in any case.
    let machine =
        |user_name: &str| AddMachineUserRequest { user_name: user_name.into(), name: "R".into(), ..Default::default() };
    let _: AddMachineUserResponse = c.with_org(&created.org_id).call("AddMachineUser", machine("robot")).await.unwrap();
    expect(
        c.with_org(&default_id).call::<_, AddMachineUserResponse>("AddMachineUser", machine("ROBOT")).await,
        Code::AlreadyExists,
        "V3-DKcYh",
    );
    expect(
        c.call::<_, SetUpOrgResponse>("SetUpOrg", org_with_user("Other", "Robot")).await,
        Code::AlreadyExists,
        "V3-DKcYh",
    );
    expect(
        c.call::<_, SetUpOrgResponse>("SetUpOrg", org_with_user("müller & co", "fresh")).await,
        Code::AlreadyExists,
        "V3-DKcYh",
    );
    // A username in a domain another organization verified is not free.
    expect(
        c.call::<_, SetUpOrgResponse>("SetUpOrg", org_with_user("Claimer", "eve@mueller.example")).await,
        Code::InvalidArgument,
        "COMMAND-SFd21",
    );
    let machine_added: AddMachineUserResponse =
        c.with_org(&created.org_id).call("AddMachineUser", machine("robot-2")).await.unwrap();
    assert!(is_change(&machine_added.details), "{:?}", machine_added.details);
    let _ = s;
}
