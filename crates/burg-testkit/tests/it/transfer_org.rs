//! Organizations built through the Management API move into a fresh
//! instance: every Get and List of what ZITADEL's export format carries
//! answers the same there as in the instance they came from.
//!
//! What the format does not carry (SAML apps, the IdP templates of the
//! second API, personal access tokens, org metadata, the notification and
//! password age policies, a label policy's unactivated preview, the states
//! of projects, apps, IdPs and actions: only users and organizations carry
//! one) is left out here, as ZITADEL's own export leaves it out.

use std::sync::Arc;

use burg_api::admin::*;
use burg_testkit::{Backend, Client, Protocol, TestServer, matrix};
use serde_json::{Value, json};

/// The ids of what `build` made, by name.
struct Built {
    acme: String,
    partner: String,
    alice: String,
    bot: String,
    pat: String,
    project: String,
    web: String,
    api: String,
    grant: String,
    oidc_idp: String,
    jwt_idp: String,
}

fn id(v: &Value, field: &str) -> String {
    v[field].as_str().unwrap_or_else(|| panic!("{field} in {v}")).to_string()
}

/// One organization with something in every section of an export, and a
/// second one its project is granted to; everything through the API.
async fn build(r: &Client) -> Built {
    let call = |c: &Client, rpc: &'static str, body: Value| {
        let c = c.clone();
        async move { c.call_json("ManagementService", rpc, body).await.unwrap_or_else(|e| panic!("{rpc}: {e:?}")) }
    };
    let acme = id(&call(r, "AddOrg", json!({"name": "Acme"})).await, "id");
    let partner = id(&call(r, "AddOrg", json!({"name": "Partner"})).await, "id");
    let m = r.with_org(&acme);

    // The organization, its domain and its policies.
    call(&m, "AddOrgDomain", json!({"domain": "acme.example.com"})).await;
    let domain_policy = json!({"orgId": acme, "userLoginMustBeDomain": false, "validateOrgDomains": true,
                               "smtpSenderAddressMatchesInstanceDomain": true});
    r.call_json("AdminService", "AddCustomDomainPolicy", domain_policy).await.unwrap();
    let oidc_idp = json!({"name": "Acme SSO", "stylingType": "STYLING_TYPE_GOOGLE", "clientId": "acme-client",
                          "clientSecret": "acme-secret", "issuer": "https://sso.acme.example.com",
                          "scopes": ["openid", "profile"], "displayNameMapping": "OIDC_MAPPING_FIELD_EMAIL",
                          "usernameMapping": "OIDC_MAPPING_FIELD_PREFERRED_USERNAME", "autoRegister": true});
    let oidc_idp = id(&call(&m, "AddOrgOIDCIDP", oidc_idp).await, "idpId");
    let jwt_idp = json!({"name": "Acme JWT", "jwtEndpoint": "https://jwt.acme.example.com/jwt",
                         "issuer": "https://jwt.acme.example.com", "keysEndpoint": "https://jwt.acme.example.com/keys",
                         "headerName": "x-acme-token"});
    let jwt_idp = id(&call(&m, "AddOrgJWTIDP", jwt_idp).await, "idpId");
    let login = json!({"allowUsernamePassword": true, "allowExternalIdp": true, "forceMfa": true,
                       "passwordlessType": "PASSWORDLESS_TYPE_ALLOWED", "hidePasswordReset": true,
                       "defaultRedirectUri": "https://acme.example.com/home", "passwordCheckLifetime": "864000s",
                       "externalLoginCheckLifetime": "432000s", "mfaInitSkipLifetime": "0s",
                       "secondFactorCheckLifetime": "64800s", "multiFactorCheckLifetime": "43200s",
                       "secondFactors": ["SECOND_FACTOR_TYPE_OTP"], "allowDomainDiscovery": true,
                       "disableLoginWithPhone": true});
    call(&m, "AddCustomLoginPolicy", login).await;
    call(&m, "AddSecondFactorToLoginPolicy", json!({"type": "SECOND_FACTOR_TYPE_U2F"})).await;
    call(&m, "AddMultiFactorToLoginPolicy", json!({"type": "MULTI_FACTOR_TYPE_U2F_WITH_VERIFICATION"})).await;
    call(&m, "AddIDPToLoginPolicy", json!({"idpId": oidc_idp, "ownerType": "IDP_OWNER_TYPE_ORG"})).await;
    let complexity = json!({"minLength": 10, "hasUppercase": true, "hasLowercase": true, "hasNumber": true});
    call(&m, "AddCustomPasswordComplexityPolicy", complexity).await;
    call(&m, "AddCustomLockoutPolicy", json!({"maxPasswordAttempts": 4, "maxOtpAttempts": 2})).await;
    let privacy = json!({"tosLink": "https://acme.example.com/tos", "privacyLink": "https://acme.example.com/privacy",
                         "helpLink": "https://acme.example.com/help", "supportEmail": "help@acme.example.com",
                         "docsLink": "https://acme.example.com/docs", "customLink": "https://acme.example.com/x",
                         "customLinkText": "More"});
    call(&m, "AddCustomPrivacyPolicy", privacy).await;
    let label = json!({"primaryColor": "#aa0000", "warnColor": "#ff0000", "backgroundColor": "#ffffff",
                       "fontColor": "#111111", "primaryColorDark": "#ffaaaa", "backgroundColorDark": "#000000",
                       "warnColorDark": "#ff5555", "fontColorDark": "#eeeeee", "hideLoginNameSuffix": true,
                       "disableWatermark": true, "themeMode": "THEME_MODE_DARK"});
    call(&m, "AddCustomLabelPolicy", label).await;
    // Activated, and not changed since: the format carries the active
    // policy only, so a preview that differs would not move.
    call(&m, "ActivateCustomLabelPolicy", json!({})).await;

    // Texts, in German.
    let login_texts = json!({"language": "de", "selectAccountText": {"title": "Konto wählen"},
                             "loginText": {"title": "Anmelden", "loginNameLabel": "Name"}});
    call(&m, "SetCustomLoginText", login_texts).await;
    for (rpc, subject) in [
        ("SetCustomInitMessageText", "Willkommen"),
        ("SetCustomPasswordResetMessageText", "Passwort"),
        ("SetCustomVerifyEmailMessageText", "E-Mail"),
        ("SetCustomVerifyPhoneMessageText", "Telefon"),
        ("SetCustomVerifySMSOTPMessageText", "SMS-Code"),
        ("SetCustomVerifyEmailOTPMessageText", "E-Mail-Code"),
        ("SetCustomDomainClaimedMessageCustomText", "Domain"),
        ("SetCustomPasswordlessRegistrationMessageCustomText", "Passkey"),
        ("SetCustomPasswordChangeMessageCustomText", "Geändert"),
        ("SetCustomInviteUserMessageCustomText", "Einladung"),
    ] {
        let text = json!({"language": "de", "title": subject, "subject": subject, "greeting": "Hallo",
                          "text": format!("{subject}: {{{{.Code}}}}"), "buttonText": "Los"});
        call(&m, rpc, text).await;
    }

    // Users: a human with a link to the SSO, metadata and a second one
    // deactivated; a machine with a key.
    let alice = json!({"userName": "alice", "profile": {"firstName": "Alice", "lastName": "Anders",
                       "nickName": "al", "preferredLanguage": "de", "gender": "GENDER_FEMALE"},
                       "email": {"email": "alice@acme.example.com", "isEmailVerified": true},
                       "phone": {"phone": "+41791234567", "isPhoneVerified": true},
                       "password": "Secr3t-Passw0rd!",
                       "idps": [{"configId": oidc_idp, "externalUserId": "sso-alice", "displayName": "Alice A"}]});
    let alice = id(&call(&m, "ImportHumanUser", alice).await, "userId");
    let carol = json!({"userName": "carol", "profile": {"firstName": "Carol", "lastName": "Clark"},
                       "email": {"email": "carol@acme.example.com", "isEmailVerified": true}, "password": "Secr3t-Passw0rd!"});
    let carol = id(&call(&m, "ImportHumanUser", carol).await, "userId");
    call(&m, "DeactivateUser", json!({"id": carol})).await;
    call(&m, "SetUserMetadata", json!({"id": alice, "key": "department", "value": "c2FsZXM="})).await;
    let bot = json!({"userName": "bot", "name": "Bot", "description": "runs the nightly jobs",
                     "accessTokenType": "ACCESS_TOKEN_TYPE_JWT"});
    let bot = id(&call(&m, "AddMachineUser", bot).await, "userId");
    let key = json!({"userId": bot, "type": "KEY_TYPE_JSON", "expirationDate": "2031-01-01T00:00:00Z"});
    call(&m, "AddMachineKey", key).await;
    call(&m, "AddOrgMember", json!({"userId": alice, "roles": ["ORG_OWNER"]})).await;

    // A project with roles, apps, a key, members, a grant and user grants.
    let project = json!({"name": "Portal", "projectRoleAssertion": true, "projectRoleCheck": true,
                         "privateLabelingSetting": "PRIVATE_LABELING_SETTING_ENFORCE_PROJECT_RESOURCE_OWNER_POLICY"});
    let project = id(&call(&m, "AddProject", project).await, "id");
    call(&m, "AddProject", json!({"name": "Legacy"})).await;
    for (key, name, group) in [("admin", "Administrator", "staff"), ("reader", "Reader", "")] {
        let role = json!({"projectId": project, "roleKey": key, "displayName": name, "group": group});
        call(&m, "AddProjectRole", role).await;
    }
    let web = json!({"projectId": project, "name": "web", "redirectUris": ["https://acme.example.com/cb"],
                     "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"],
                     "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE", "OIDC_GRANT_TYPE_REFRESH_TOKEN"],
                     "appType": "OIDC_APP_TYPE_WEB", "authMethodType": "OIDC_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT",
                     "postLogoutRedirectUris": ["https://acme.example.com/bye"], "devMode": true,
                     "accessTokenType": "OIDC_TOKEN_TYPE_JWT", "accessTokenRoleAssertion": true,
                     "idTokenRoleAssertion": true, "idTokenUserinfoAssertion": true, "clockSkew": "2s",
                     "additionalOrigins": ["https://app.acme.example.com"], "skipNativeAppSuccessPage": true,
                     "backChannelLogoutUri": "https://acme.example.com/logout"});
    let web = id(&call(&m, "AddOIDCApp", web).await, "appId");
    let app_key = json!({"projectId": project, "appId": web, "type": "KEY_TYPE_JSON",
                         "expirationDate": "2031-06-01T00:00:00Z"});
    call(&m, "AddAppKey", app_key).await;
    let api = json!({"projectId": project, "name": "api", "authMethodType": "API_AUTH_METHOD_TYPE_BASIC"});
    let api = id(&call(&m, "AddAPIApp", api).await, "appId");
    call(&m, "AddProjectMember", json!({"projectId": project, "userId": alice, "roles": ["PROJECT_OWNER"]})).await;
    let grant = json!({"projectId": project, "grantedOrgId": partner, "roleKeys": ["reader"]});
    let grant = id(&call(&m, "AddProjectGrant", grant).await, "grantId");
    let member = json!({"projectId": project, "grantId": grant, "userId": alice, "roles": ["PROJECT_GRANT_OWNER"]});
    call(&m, "AddProjectGrantMember", member).await;
    call(&m, "AddUserGrant", json!({"userId": alice, "projectId": project, "roleKeys": ["admin", "reader"]})).await;
    call(&m, "AddUserGrant", json!({"userId": bot, "projectId": project, "roleKeys": ["reader"]})).await;
    // A user of the partner is a member here, and is granted the project
    // in its own organization through the grant.
    let p = r.with_org(&partner);
    let pat = json!({"userName": "pat", "profile": {"firstName": "Pat", "lastName": "Partner"},
                     "email": {"email": "pat@partner.example.com", "isEmailVerified": true}});
    let pat = id(&call(&p, "ImportHumanUser", pat).await, "userId");
    call(&m, "AddOrgMember", json!({"userId": pat, "roles": ["ORG_USER_MANAGER"]})).await;
    call(&m, "AddProjectMember", json!({"projectId": project, "userId": pat, "roles": ["PROJECT_OWNER_VIEWER"]})).await;
    let granted = json!({"userId": pat, "projectId": project, "projectGrantId": grant, "roleKeys": ["reader"]});
    call(&p, "AddUserGrant", granted).await;

    // Actions and a flow that runs two of them.
    let mut actions = vec![];
    for (name, timeout, fail) in [("enrich", "10s", true), ("audit", "1.500s", false)] {
        let action = json!({"name": name, "script": format!("function {name}(ctx, api) {{}}"), "timeout": timeout,
                            "allowedToFail": fail});
        actions.push(id(&call(&m, "CreateAction", action).await, "id"));
    }
    call(&m, "SetTriggerActions", json!({"flowType": "1", "triggerType": "1", "actionIds": actions})).await;

    Built { acme, partner, alice, bot, pat, project, web, api, grant, oidc_idp, jwt_idp }
}

/// The answers of every Get and List of what the export carries, without
/// their details (dates and sequences are each instance's own). The
/// administrator who made or imported the organizations, their owner, is
/// each instance's own too: written `ADMIN`, of organization `HOME`.
async fn answers(r: &Client, b: &Built) -> Value {
    let members = r.call_json("AdminService", "ListIAMMembers", json!({})).await.unwrap();
    let admin = members["result"].as_array().unwrap().iter().find(|m| m["preferredLoginName"] == "burg-admin").unwrap();
    let names = [(id(admin, "userId"), "ADMIN"), (id(admin, "userResourceOwner"), "HOME")];
    let strip = |v: Value| strip(v, &names);
    let (project, grant) = (b.project.as_str(), b.grant.as_str());
    let mut reads = vec![
        ("GetMyOrg", json!({})),
        ("ListOrgDomains", json!({})),
        ("GetDomainPolicy", json!({})),
        ("GetLoginPolicy", json!({})),
        ("ListLoginPolicyIDPs", json!({})),
        ("ListLoginPolicySecondFactors", json!({})),
        ("ListLoginPolicyMultiFactors", json!({})),
        ("GetPasswordComplexityPolicy", json!({})),
        ("GetLockoutPolicy", json!({})),
        ("GetPrivacyPolicy", json!({})),
        ("GetLabelPolicy", json!({})),
        ("GetPreviewLabelPolicy", json!({})),
        ("ListOrgIDPs", json!({})),
        ("GetOrgIDPByID", json!({"id": b.oidc_idp})),
        ("GetOrgIDPByID", json!({"id": b.jwt_idp})),
        ("GetCustomLoginTexts", json!({"language": "de"})),
        ("ListUsers", json!({})),
        ("GetUserByID", json!({"id": b.alice})),
        ("GetUserByID", json!({"id": b.bot})),
        ("ListUserMetadata", json!({"id": b.alice})),
        ("ListHumanLinkedIDPs", json!({"userId": b.alice})),
        ("ListMachineKeys", json!({"userId": b.bot})),
        ("ListOrgMembers", json!({})),
        ("ListProjects", json!({})),
        ("GetProjectByID", json!({"id": project})),
        ("ListProjectRoles", json!({"projectId": project})),
        ("ListApps", json!({"projectId": project})),
        ("GetAppByID", json!({"projectId": project, "appId": b.web})),
        ("GetAppByID", json!({"projectId": project, "appId": b.api})),
        ("ListAppKeys", json!({"projectId": project, "appId": b.web})),
        ("ListProjectMembers", json!({"projectId": project})),
        ("ListProjectGrants", json!({"projectId": project})),
        ("GetProjectGrantByID", json!({"projectId": project, "grantId": grant})),
        ("ListProjectGrantMembers", json!({"projectId": project, "grantId": grant})),
        ("ListUserGrants", json!({})),
        ("ListActions", json!({})),
        ("GetFlow", json!({"type": "1"})),
    ];
    for text in [
        "Init",
        "PasswordReset",
        "VerifyEmail",
        "VerifyPhone",
        "VerifySMSOTP",
        "VerifyEmailOTP",
        "DomainClaimed",
        "PasswordlessRegistration",
        "PasswordChange",
        "InviteUser",
    ] {
        let rpc: &'static str = format!("GetCustom{text}MessageText").leak();
        reads.push((rpc, json!({"language": "de"})));
    }
    let acme = r.with_org(&b.acme);
    let mut all = vec![];
    for (rpc, body) in reads {
        let answer = acme.call_json("ManagementService", rpc, body).await.unwrap_or_else(|e| panic!("{rpc}: {e:?}"));
        all.push(json!({ rpc: strip(without_grant_ids(rpc, answer)) }));
    }
    // The granted organization sees the grant.
    let partner = r.with_org(&b.partner);
    for (rpc, body) in
        [("ListGrantedProjects", json!({})), ("ListUserGrants", json!({})), ("GetUserByID", json!({"id": b.pat}))]
    {
        let answer = partner.call_json("ManagementService", rpc, body).await.unwrap_or_else(|e| panic!("{rpc}: {e:?}"));
        all.push(json!({ rpc: strip(without_grant_ids(rpc, answer)) }));
    }
    Value::Array(all)
}

/// The type and payload of each `org.policy.…` event of organization
/// `org`, sorted (the import writes them in another order).
async fn policy_events(r: &Client, org: &str) -> Vec<(String, Value)> {
    let query = json!({"aggregateId": org, "aggregateTypes": ["org"], "limit": 1000});
    let listed = r.call_json("AdminService", "ListEvents", query).await.unwrap();
    let mut events: Vec<(String, Value)> = listed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["type"]["type"].as_str().unwrap().to_string(), e["payload"].clone()))
        .filter(|(t, _)| t.starts_with("org.policy."))
        .collect();
    events.sort_by_key(|(t, p)| format!("{t} {p}"));
    assert!(events.iter().any(|(t, _)| t == "org.policy.label.activated"), "{events:?}");
    events
}

/// A user grant's id, which the format does not carry (ZITADEL's import
/// gives each one a new id), left out of `rpc`'s `answer`.
fn without_grant_ids(rpc: &str, mut answer: Value) -> Value {
    if rpc == "ListUserGrants"
        && let Some(grants) = answer["result"].as_array_mut()
    {
        grants.iter_mut().filter_map(Value::as_object_mut).for_each(|g| drop(g.remove("id")));
    }
    answer
}

fn strip(v: Value, names: &[(String, &str)]) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| k != "details")
                .map(|(k, v)| {
                    let mut v = strip(v, names);
                    // A list's order is the order things were made in,
                    // which a move does not keep (ZITADEL's is unspecified).
                    if let (Value::Array(items), "result") = (&mut v, k.as_str()) {
                        items.sort_by_key(|item| item.to_string());
                    }
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| strip(v, names)).collect()),
        Value::String(text) => Value::String(names.iter().fold(text, |t, (from, to)| t.replace(from.as_str(), to))),
        other => other,
    }
}

/// The first differing read of two `answers`, for a readable failure.
fn first_difference(before: &Value, after: &Value) -> Option<String> {
    let (Value::Array(before), Value::Array(after)) = (before, after) else { return Some("shape".into()) };
    before.iter().zip(after).find(|(b, a)| b != a).map(|(b, a)| format!("before {b}\nafter  {a}"))
}

matrix!(organizations_built_through_the_api_move_whole);

async fn organizations_built_through_the_api_move_whole(s: Arc<TestServer>, c: Client) {
    let r = s.client(Protocol::Rest).await;
    let built = build(&r).await;
    let before = answers(&r, &built).await;

    let export = ExportDataRequest {
        org_ids: vec![built.acme.clone(), built.partner.clone()],
        with_passwords: true,
        with_otp: true,
        timeout: "5m".into(),
        ..Default::default()
    };
    let exported: ExportDataResponse = c.call("ExportData", export.clone()).await.unwrap();
    assert_eq!(exported.orgs.len(), 2);

    let backend =
        if s.app.db().backend() == burg_store::Backend::Postgres { Backend::Postgres } else { Backend::Sqlite };
    let fresh = TestServer::start(backend).await.unwrap();
    let fc = fresh.client(c.protocol).await;
    let fr = fresh.client(Protocol::Rest).await;
    let import = ImportDataRequest {
        data: Some(import_data_request::Data::DataOrgs(ImportDataOrg {
            orgs: exported.orgs.clone(),
            ..Default::default()
        })),
        timeout: "5m".into(),
    };
    let report: ImportDataResponse = fc.call("ImportData", import.clone()).await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let after = answers(&fr, &built).await;
    assert!(first_difference(&before, &after).is_none(), "{}", first_difference(&before, &after).unwrap());

    // The policies moved as the API writes them: the same events, with the
    // same payloads (the label policy activated, the login policy's
    // factors and providers each an event of its own).
    assert_eq!(policy_events(&fr, &built.acme).await, policy_events(&r, &built.acme).await);

    // The moved organizations export as the document they came from, and a
    // second import writes nothing.
    let again: ExportDataResponse = fc.call("ExportData", export.clone()).await.unwrap();
    assert_eq!(again.orgs, exported.orgs);
    let events = fresh.event_count().await;
    let report: ImportDataResponse = fc.call("ImportData", import).await.unwrap();
    let kept = |e: &ImportDataError| e.message.contains(if e.r#type == "org" { "ORG-lapo2m" } else { "IMPORT-exists" });
    assert!(report.errors.iter().all(kept), "{:?}", report.errors);
    assert_eq!(report.errors.iter().filter(|e| e.r#type == "org").count(), 2);
    assert_eq!(fresh.event_count().await, events);

    // An export of one of the two keeps only what names nothing of the
    // other, as ZITADEL's: no grant to the partner and no member from it;
    // the partner alone loses its user's grant on the other's project.
    let alone = |org: &str| ExportDataRequest { org_ids: vec![org.to_string()], ..export.clone() };
    let acme: ExportDataResponse = fc.call("ExportData", alone(&built.acme)).await.unwrap();
    let acme = serde_json::to_value(&acme.orgs[0]).unwrap();
    let whole = serde_json::to_value(exported.orgs.iter().find(|o| o.org_id == built.acme).unwrap()).unwrap();
    assert_eq!(whole["projectGrants"].as_array().map(Vec::len), Some(1));
    assert_eq!(acme.get("projectGrants"), None, "{acme}");
    assert_eq!(acme.get("projectGrantMembers"), None, "{acme}");
    let users = |org: &Value, list: &str| -> Vec<String> {
        let items = org[list].as_array().cloned().unwrap_or_default();
        let mut users: Vec<String> = items.iter().map(|m| m["userId"].as_str().unwrap().to_string()).collect();
        users.sort();
        users
    };
    for list in ["orgMembers", "projectMembers"] {
        let mut both = vec![built.alice.clone(), built.pat.clone()];
        both.sort();
        assert_eq!(users(&whole, list), both, "{list}");
        assert_eq!(users(&acme, list), vec![built.alice.clone()], "{list}");
    }
    assert_eq!(users(&acme, "userGrants").len(), 2);
    let partner: ExportDataResponse = fc.call("ExportData", alone(&built.partner)).await.unwrap();
    let partner = serde_json::to_value(&partner.orgs[0]).unwrap();
    let whole = serde_json::to_value(exported.orgs.iter().find(|o| o.org_id == built.partner).unwrap()).unwrap();
    assert_eq!(users(&whole, "userGrants"), vec![built.pat.clone()]);
    assert_eq!(partner.get("userGrants"), None, "{partner}");

    // What moved is live: it changes as what was made there would.
    let m = fr.with_org(&built.acme);
    let app = json!({"projectId": built.project, "appId": built.api});
    m.call_json("ManagementService", "DeactivateApp", app.clone()).await.unwrap();
    let got = m.call_json("ManagementService", "GetAppByID", app).await.unwrap();
    assert_eq!(got["app"]["state"], "APP_STATE_INACTIVE");
    fresh.stop().await;
}
