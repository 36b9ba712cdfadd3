//! ExportData and ImportData: every section round-trips, ids are kept,
//! re-imports are idempotent, bad documents change nothing.

use std::sync::Arc;

use burg_api::admin::*;
use burg_testkit::{Client, Protocol, TestServer, matrix};
use serde_json::{Value, json};
use tonic::Code;

/// A small, seeded random source (no dependency, same document per seed).
pub struct Seeded(u64);

impl Seeded {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn word(&mut self, prefix: &str) -> String {
        format!("{prefix}{:x}", self.next() % 0xfffff)
    }
    pub fn flag(&mut self) -> bool {
        self.next().is_multiple_of(2)
    }
}

/// A bcrypt hash of "Secr3t-Passw0rd!" (cost 4), as an exported one looks.
pub const BCRYPT: &str = "$2a$04$x1HxC91DV0gStsbF.0h3VeT6Yq8FjPjjYx1y0Vv6ZJ2s1OgNbzG6i";

/// An organization with every section filled; ids are derived from
/// `org_no` so that several orgs do not collide.
pub fn generated_org(seed: u64, org_no: u32, users: u32) -> Value {
    let mut r = Seeded(seed.wrapping_mul(2654435761).wrapping_add(u64::from(org_no)) | 1);
    let org_id = format!("{}", 300_000_000_000_000_000u64 + u64::from(org_no) * 1_000_000);
    let id = |n: u64| format!("{}", 300_000_000_000_000_000u64 + u64::from(org_no) * 1_000_000 + n);
    let project = id(1);
    let (oidc_app, api_app, action, grant) = (id(2), id(3), id(4), id(5));
    let mut humans = Vec::new();
    let mut machines = Vec::new();
    let mut metadata = Vec::new();
    let mut links = Vec::new();
    let mut user_grants = Vec::new();
    let mut machine_keys = Vec::new();
    for u in 0..users {
        let uid = id(1000 + u64::from(u));
        if u % 5 == 4 {
            machines.push(json!({
                "userId": uid,
                "user": {"userName": r.word("svc-"), "name": r.word("Service "), "description": "a machine",
                         "accessTokenType": "ACCESS_TOKEN_TYPE_JWT"},
                "state": if u % 2 == 0 { "USER_STATE_INACTIVE" } else { "USER_STATE_ACTIVE" }
            }));
            machine_keys.push(json!({
                "keyId": id(500_000 + u64::from(u)), "userId": uid, "type": "KEY_TYPE_JSON",
                "expirationDate": "2030-01-01T00:00:00Z", "publicKey": public_key()
            }));
            continue;
        }
        let mut user = json!({
            "userName": r.word("user-"),
            "profile": {"firstName": r.word("First"), "lastName": r.word("Last"), "nickName": "nick",
                        "displayName": "Display", "preferredLanguage": "de", "gender": "GENDER_FEMALE"},
            "email": {"email": format!("{}@example.com", r.word("u")), "isEmailVerified": r.flag()},
            "hashedPassword": {"value": BCRYPT},
            "otpCode": r.word("OTPSECRET"),
        });
        if r.flag() {
            user["phone"] = json!({"phone": "+41791234567", "isPhoneVerified": true});
        }
        if r.flag() {
            user["passwordChangeRequired"] = json!(true);
        }
        // The state the user ends in: ZITADEL's import makes a user without
        // a verified address initial; inactive and locked ones are kept so.
        let state = match u % 7 {
            3 => "USER_STATE_INACTIVE",
            5 => "USER_STATE_LOCKED",
            _ if user["email"]["isEmailVerified"] == true => "USER_STATE_ACTIVE",
            _ => "USER_STATE_INITIAL",
        };
        humans.push(json!({"userId": uid, "user": user, "state": state}));
        metadata.push(json!({"id": uid, "key": r.word("key"), "value": "aGVsbG8="}));
        links.push(
            json!({"userId": uid, "idpId": id(6), "providedUserId": r.word("ext-"), "providedUserName": "ext name"}),
        );
        user_grants.push(json!({"userId": uid, "projectId": project, "roleKeys": ["admin"]}));
    }
    let admin_user = humans.first().map(|h| h["userId"].clone()).unwrap_or(json!(id(1000)));
    let message = |lang: &str| json!({"language": lang, "title": "Title", "subject": "Subject", "text": "Text"});
    json!({
        "orgId": org_id,
        "org": {"name": format!("Generated Org {org_no} {}", r.word(""))},
        "orgState": "ORG_STATE_ACTIVE",
        "domainPolicy": {"orgId": org_id, "userLoginMustBeDomain": true, "validateOrgDomains": true},
        "labelPolicy": {"primaryColor": "#5469d4", "warnColor": "#cd3d56", "hideLoginNameSuffix": true},
        "lockoutPolicy": {"maxPasswordAttempts": 5, "maxOtpAttempts": 3},
        "loginPolicy": {"allowUsernamePassword": true, "allowExternalIdp": true, "passwordlessType": "PASSWORDLESS_TYPE_ALLOWED",
                        "passwordCheckLifetime": "864000s", "secondFactors": ["SECOND_FACTOR_TYPE_OTP"],
                        "idps": [{"idpId": id(6), "ownerType": "IDP_OWNER_TYPE_ORG"}]},
        "passwordComplexityPolicy": {"minLength": "10", "hasUppercase": true, "hasNumber": true},
        "privacyPolicy": {"tosLink": "https://example.com/tos", "supportEmail": "help@example.com"},
        "projects": [{"projectId": project, "project": {"name": r.word("Project "), "projectRoleAssertion": true}}],
        "projectRoles": [{"projectId": project, "roleKey": "admin", "displayName": "Administrator", "group": "staff"},
                         {"projectId": project, "roleKey": "viewer", "displayName": "Viewer"}],
        "apiApps": [{"appId": api_app, "app": {"projectId": project, "name": "API", "authMethodType": "API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}}],
        "oidcApps": [{"appId": oidc_app, "app": {"projectId": project, "name": "Web", "redirectUris": ["https://app.example.com/cb"],
                      "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"], "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE"],
                      "appType": "OIDC_APP_TYPE_USER_AGENT", "clockSkew": "1s", "devMode": true}}],
        "humanUsers": humans,
        "machineUsers": machines,
        "triggerActions": [{"flowType": "1", "triggerType": "1", "actionIds": [action]}],
        "actions": [{"actionId": action, "action": {"name": "enrich", "script": "function enrich(ctx, api) {}", "timeout": "10s", "allowedToFail": true}}],
        "projectGrants": [{"grantId": grant, "projectGrant": {"projectId": project, "grantedOrgId": "299999999999999999", "roleKeys": ["viewer"]}}],
        "userGrants": user_grants,
        "orgMembers": [{"userId": admin_user, "roles": ["ORG_OWNER"]}],
        "projectMembers": [{"projectId": project, "userId": admin_user, "roles": ["PROJECT_OWNER"]}],
        "projectGrantMembers": [{"projectId": project, "grantId": grant, "userId": admin_user, "roles": ["PROJECT_GRANT_OWNER"]}],
        "userMetadata": metadata,
        "loginTexts": [{"language": "de", "selectAccountText": {"title": "Konto wählen", "description": "Bitte wählen"}}],
        "initMessages": [message("de"), message("en")],
        "passwordResetMessages": [message("de")],
        "verifyEmailMessages": [message("fr")],
        "verifyPhoneMessages": [message("it")],
        "domainClaimedMessages": [message("de")],
        "passwordlessRegistrationMessages": [message("de")],
        "oidcIdps": [{"idpId": id(6), "idp": {"name": "Corporate", "clientId": "corp", "clientSecret": "corp-secret",
                      "issuer": "https://login.example.com", "scopes": ["openid"], "displayNameMapping": "OIDC_MAPPING_FIELD_EMAIL"}}],
        "jwtIdps": [{"idpId": id(7), "idp": {"name": "JWT", "jwtEndpoint": "https://jwt.example.com", "issuer": "https://jwt.example.com",
                     "keysEndpoint": "https://jwt.example.com/keys", "headerName": "x-jwt"}}],
        "userLinks": links,
        "domains": [{"orgId": org_id, "domainName": format!("org{org_no}.example.com"), "isVerified": true, "isPrimary": true},
                    {"orgId": org_id, "domainName": format!("other{org_no}.example.com")}],
        "appKeys": [{"id": id(8), "projectId": project, "appId": api_app, "clientId": "api-client", "type": "KEY_TYPE_JSON",
                     "expirationDate": "2031-01-01T00:00:00Z", "publicKey": "cHVibGljIGtleQ=="}],
        "machineKeys": machine_keys,
        "verifySmsOtpMessages": [{"language": "de", "text": "Code {{.OTP}}"}],
        "verifyEmailOtpMessages": [message("de")],
        "inviteUserMessages": [message("de")],
    })
}

/// A document as the API decodes it (proto3 JSON into the messages).
pub fn decode_orgs(orgs: &[Value]) -> Vec<DataOrg> {
    orgs.iter().map(|o| serde_json::from_value(o.clone()).expect("generated org decodes")).collect()
}

/// `org` as an export of the organizations `exported` writes it: as
/// ZITADEL's, without the grants to other organizations and what names
/// those grants (the generated documents grant to an organization that
/// is in none of them), with every lifetime of the login policy, and
/// without the two flags of a human that ZITADEL's export leaves out.
/// Each entry of an import report as (type, id, error id), sorted.
fn reported(errors: &[ImportDataError]) -> Vec<(String, String, String)> {
    let mut got: Vec<(String, String, String)> = errors
        .iter()
        .map(|e| {
            let error_id = e.message.trim_start_matches("ID=").split(' ').next().unwrap_or_default();
            (e.r#type.clone(), e.id.clone(), error_id.to_string())
        })
        .collect();
    got.sort();
    got
}

/// A real RSA public key in PEM, in base64 as documents carry it (made
/// once per test process).
pub(crate) fn public_key() -> &'static str {
    static KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let (_, public) = burg_domain::machine_key::new_key_pair(1024).unwrap();
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, public.as_bytes())
    })
}

fn as_exported(org: &DataOrg, exported: &[String]) -> DataOrg {
    let mut org = org.clone();
    if let Some(p) = org.login_policy.as_mut() {
        for lifetime in [
            &mut p.password_check_lifetime,
            &mut p.external_login_check_lifetime,
            &mut p.mfa_init_skip_lifetime,
            &mut p.second_factor_check_lifetime,
            &mut p.multi_factor_check_lifetime,
        ] {
            lifetime.get_or_insert_with(Default::default);
        }
    }
    // ZITADEL's export writes neither flag (and an imported hash never has
    // to be changed).
    for user in org.human_users.iter_mut().filter_map(|h| h.user.as_mut()) {
        user.password_change_required = false;
        user.request_passwordless_registration = false;
    }
    // The export names each link's provider and its older type.
    let oidc = org.oidc_idps.iter().map(|i| (&i.idp_id, i.idp.as_ref().map(|p| p.name.clone()), 1));
    let jwt = org.jwt_idps.iter().map(|i| (&i.idp_id, i.idp.as_ref().map(|p| p.name.clone()), 2));
    let providers: Vec<_> = oidc.chain(jwt).map(|(id, name, t)| (id.clone(), name.unwrap_or_default(), t)).collect();
    for link in &mut org.user_links {
        if let Some((_, name, idp_type)) = providers.iter().find(|p| p.0 == link.idp_id) {
            (link.idp_name, link.idp_type) = (name.clone(), *idp_type);
        }
    }
    // The organization's domain made from its name (the instance's domain
    // is `localhost`), verified; the document's primary domain took over.
    let name = org.org.as_ref().map(|o| o.name.trim().to_string()).unwrap_or_default();
    let generated = burg_domain::validate::org_domain_name(&name, "localhost").unwrap();
    if !org.domains.iter().any(|d| d.domain_name == generated) {
        org.domains.push(burg_api::zitadel::org::v1::Domain {
            org_id: org.org_id.clone(),
            domain_name: generated,
            is_verified: true,
            ..Default::default()
        });
    }
    let (kept, dropped): (Vec<_>, Vec<_>) = org
        .project_grants
        .into_iter()
        .partition(|g| g.project_grant.as_ref().is_some_and(|g| exported.contains(&g.granted_org_id)));
    org.project_grants = kept;
    let gone = |id: &str| dropped.iter().any(|g| g.grant_id == id);
    org.project_grant_members.retain(|m| !gone(&m.grant_id));
    org.user_grants.retain(|g| !gone(&g.project_grant_id));
    org
}

/// The comparable JSON of an org: arrays sorted; hashes, OTP secrets and
/// IdP client secrets removed unless `with_secrets`.
fn canonical(org: &DataOrg, with_secrets: bool) -> Value {
    let mut v = serde_json::to_value(org).unwrap();
    if !with_secrets && let Some(idps) = v.get_mut("oidcIdps").and_then(Value::as_array_mut) {
        for idp in idps {
            idp["idp"].as_object_mut().unwrap().remove("clientSecret");
        }
    }
    if !with_secrets && let Some(users) = v.get_mut("humanUsers").and_then(Value::as_array_mut) {
        for u in users {
            let user = u["user"].as_object_mut().unwrap();
            user.remove("hashedPassword");
            user.remove("otpCode");
        }
    }
    sort_arrays(&mut v);
    v
}

fn sort_arrays(v: &mut Value) {
    match v {
        Value::Array(items) => {
            items.iter_mut().for_each(sort_arrays);
            items.sort_by_key(|i| i.to_string());
        }
        Value::Object(map) => map.values_mut().for_each(sort_arrays),
        _ => {}
    }
}

async fn import(c: &Client, orgs: Vec<DataOrg>) -> ImportDataResponse {
    c.call(
        "ImportData",
        ImportDataRequest {
            data: Some(import_data_request::Data::DataOrgs(ImportDataOrg { orgs, ..Default::default() })),
            timeout: "5m".into(),
        },
    )
    .await
    .unwrap()
}

async fn export(c: &Client, req: ExportDataRequest) -> ExportDataResponse {
    c.call("ExportData", ExportDataRequest { timeout: "5m".into(), ..req }).await.unwrap()
}

matrix!(
    import_then_export_gives_the_document_back,
    reimport_is_idempotent_and_changes_are_answered_alone,
    bad_documents_change_nothing,
    v1_documents_import_in_todays_form,
    states_move_with_the_document,
    imported_humans_are_normalised_as_zitadel,
    users_are_refused_one_by_one,
    users_go_into_a_stored_organization,
    links_and_keys_are_checked_one_by_one,
    domains_are_added_one_by_one,
    grants_and_members_find_their_project,
    empty_fields_are_answered_alone,
);

/// What ZITADEL's import leaves to its commands is answered item by item
/// in a file, and the organization goes on: an item without its id gets a
/// new one where the command makes one, a field the command needs is its
/// "invalid", a text needs a defined and supported language, and metadata
/// is set as `SetUserMetadata` sets it (an empty value where none is
/// stored changes nothing; the last of two values holds).
async fn empty_fields_are_answered_alone(s: Arc<TestServer>, c: Client) {
    use burg_api::management::{ListUserMetadataRequest, ListUserMetadataResponse};
    let id = |n: u64| format!("{}", 460_000_000_000_000_000u64 + n);
    let (org, project, machine) = (id(1), id(2), id(3));
    let expiry = "2031-01-01T00:00:00Z";
    let doc = json!({"orgs": [{
        "orgId": org, "org": {"name": "Holes"},
        "machineUsers": [{"userId": machine, "user": {"userName": "holes-svc", "name": "Svc"}}],
        "userMetadata": [
            {"id": machine, "key": "", "value": ""},
            {"id": machine, "key": "empty", "value": ""},
            {"id": machine, "key": "", "value": "aGk="},
            {"id": machine, "key": "twice", "value": "b25l"},
            {"id": machine, "key": "twice", "value": "dHdv"},
        ],
        "machineKeys": [{"keyId": id(4), "userId": "", "type": "KEY_TYPE_JSON", "expirationDate": expiry},
                        {"keyId": id(8), "userId": machine, "type": "KEY_TYPE_JSON", "expirationDate": expiry,
                         "publicKey": public_key()}],
        "projects": [{"projectId": project, "project": {"name": "Kept"}},
                     {"projectId": id(5), "project": {"name": " "}},
                     {"project": {"name": "Fresh"}}],
        "projectRoles": [{"projectId": project, "roleKey": "", "displayName": "Nobody"},
                         {"projectId": project, "roleKey": "plain"}],
        "actions": [{"action": {"name": "no-id", "script": "function f() {}", "timeout": "1.500s"}}],
        "projectMembers": [{"projectId": project, "userId": machine, "roles": ["PROJECT_OWNER"]}],
        "userGrants": [{"projectId": project, "userId": machine, "roleKeys": ["plain"]}],
        "appKeys": [{"id": id(6), "projectId": project, "appId": "", "type": "KEY_TYPE_JSON", "expirationDate": expiry}],
        "projectGrants": [{"grantId": id(7), "projectGrant": {"projectId": project, "grantedOrgId": ""}}],
        "loginTexts": [{"language": ""}],
        "initMessages": [{"language": "xx", "title": "Title"}],
    }]});
    std::fs::create_dir_all(s.data_dir().join("transfer")).unwrap();
    std::fs::write(s.data_dir().join("transfer/holes.json"), serde_json::to_vec(&doc).unwrap()).unwrap();
    let report = import_local(&c, "holes.json").await.unwrap();
    let mut want: Vec<(String, String, String)> = [
        ("user_metadata", format!("{machine}_"), "META-2m00f"),
        ("machine_user_key", id(4), "COMMAND-xuiwk2"),
        ("project", id(5), "PROJECT-IOVCC"),
        ("project_role", format!("{project}_"), "COMMAND-4m9vS"),
        ("app_key", id(6), "COMMAND-029sn"),
        ("project_grant", format!("{org}_{project}_"), "COMMAND-PPhHpWGRAE"),
        ("login_texts", format!("{org}_"), "LANG-3M9f2"),
        ("init_message", format!("{org}_xx"), "LANG-lg4DP"),
    ]
    .into_iter()
    .map(|(t, i, e)| (t.to_string(), i, e.to_string()))
    .collect();
    want.sort();
    assert_eq!(reported(&report.errors), want);
    let success = report.success.unwrap();
    assert_eq!(success.orgs.len(), 1);
    let landed = &success.orgs[0];
    // The project and the action without an id got new ones.
    assert_eq!(landed.project_ids.len(), 2, "{:?}", landed.project_ids);
    assert_eq!(landed.project_ids[0], project);
    assert!(![String::new(), project.clone(), id(5)].contains(&landed.project_ids[1]), "{:?}", landed.project_ids);
    assert_eq!(landed.action_ids.len(), 1);
    assert!(!landed.action_ids[0].is_empty());
    assert_eq!(landed.project_roles, [format!("{project}_plain")]);
    let listed: ListUserMetadataResponse = c
        .with_org(&org)
        .call("ListUserMetadata", ListUserMetadataRequest { id: machine.clone(), ..Default::default() })
        .await
        .unwrap();
    let pairs: Vec<(String, Vec<u8>)> = listed.result.into_iter().map(|m| (m.key, m.value)).collect();
    assert_eq!(pairs, [("twice".to_string(), b"two".to_vec())]);
    // Projects, roles, members and actions are written with the events
    // ZITADEL's commands write, members as ZITADEL names them.
    let payload = |aggregate: String, event_type: &'static str| {
        let c = c.clone();
        async move {
            let listed: burg_api::admin::ListEventsResponse = c
                .call(
                    "ListEvents",
                    burg_api::admin::ListEventsRequest {
                        aggregate_id: aggregate,
                        event_types: vec![event_type.into()],
                        asc: true,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            let payloads: Vec<Value> = listed
                .events
                .iter()
                .map(|e| serde_json::to_value(e.payload.clone().unwrap_or_default()).unwrap())
                .collect();
            payloads
        }
    };
    assert_eq!(
        payload(machine.clone(), "user.metadata.set").await,
        [json!({"key": "twice", "value": "b25l"}), json!({"key": "twice", "value": "dHdv"})]
    );
    let key = payload(machine.clone(), "user.machine.key.added").await;
    assert_eq!(key.len(), 1, "{key:?}");
    assert_eq!((&key[0]["keyId"], &key[0]["publicKey"]), (&json!(id(8)), &json!(public_key())));
    assert_eq!(key[0]["type"].as_f64(), Some(1.0));
    assert!(key[0]["expirationDate"].as_str().is_some_and(|d| d.starts_with("2031-01-01T00:00:00")), "{key:?}");
    assert_eq!(payload(project.clone(), "project.added").await, [json!({"name": "Kept"})]);
    assert_eq!(
        payload(format!("{org}_{project}_{machine}"), "user.grant.added").await,
        [json!({"userId": machine, "projectId": project, "roleKeys": ["plain"]})]
    );
    assert_eq!(payload(project.clone(), "project.role.added").await, [json!({"key": "plain"})]);
    assert_eq!(
        payload(project.clone(), "project.member.added").await,
        [json!({"userId": machine, "roles": ["PROJECT_OWNER"]})]
    );
    let mut action = payload(landed.action_ids[0].clone(), "action.added").await;
    assert_eq!(action.len(), 1);
    // Nanoseconds, as Go writes a duration (a number in the answer's Struct).
    assert_eq!(action[0].as_object_mut().unwrap().remove("timeout").and_then(|t| t.as_f64()), Some(1.5e9));
    assert_eq!(action[0], json!({"name": "no-id", "script": "function f() {}", "allowedToFail": false}));
}

/// Apps, roles, app keys, flows' triggers, user grants, project members
/// and project grant members name their project (or app, action, grant)
/// and roles, checked as
/// ZITADEL's commands check them after what came before them; one given
/// twice is "already exists": each refused alone.
async fn grants_and_members_find_their_project(s: Arc<TestServer>, c: Client) {
    let id = |n: u64| format!("{}", 450_000_000_000_000_000u64 + n);
    let (owner, granted, project, grant) = (id(1), id(2), id(3), id(4));
    let human = |n: u64| {
        json!({"userId": id(n), "user": {"userName": format!("granted{n}"),
            "profile": {"firstName": "Gr", "lastName": "Ant"},
            "email": {"email": format!("granted{n}@example.com"), "isEmailVerified": true}}})
    };
    let user_grant = |user: u64, project: &str, grant: &str, roles: &[&str]| json!({"userId": id(user), "projectId": project, "projectGrantId": grant, "roleKeys": roles});
    let api_app = |app: &str, project: &str| {
        json!({"appId": app, "app": {"projectId": project, "name": "API",
            "authMethodType": "API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"}})
    };
    let app_key = |key: &str, project: &str, app: &str| {
        json!({"id": key, "projectId": project, "appId": app, "type": "KEY_TYPE_JSON",
            "expirationDate": "2040-01-01T00:00:00Z", "publicKey": public_key()})
    };
    let doc = json!({"orgs": [
        {"orgId": owner, "org": {"name": "Project Owner"},
         "humanUsers": [human(10), human(11)],
         // Longer than the API's rules allow: ZITADEL's file import takes it.
         "projects": [{"projectId": project, "project": {"name": "Shop ".repeat(60)}}],
         "projectRoles": [{"projectId": project, "roleKey": "admin", "displayName": "Admin"},
                          {"projectId": project, "roleKey": "clerk", "displayName": "Clerk"},
                          {"projectId": project, "roleKey": "admin", "displayName": "Admin again"},
                          {"projectId": "no-such-project", "roleKey": "admin", "displayName": "Admin"}],
         "apiApps": [api_app(&id(5), &project), api_app(&id(5), &project), api_app(&id(6), "no-such-project")],
         "oidcApps": [{"appId": id(7), "app": {"projectId": "no-such-project", "name": "Web",
                       "redirectUris": ["https://app.example.com/cb"], "responseTypes": ["OIDC_RESPONSE_TYPE_CODE"],
                       "grantTypes": ["OIDC_GRANT_TYPE_AUTHORIZATION_CODE"], "appType": "OIDC_APP_TYPE_WEB"}}],
         "appKeys": [app_key(&id(8), &project, &id(5)), app_key(&id(8), &project, &id(5)), app_key(&id(9), &project, &id(7))],
         "actions": [{"actionId": id(12), "action": {"name": "enrich", "timeout": "10s",
                      "script": format!("function enrich(ctx, api) {{ {} }}", "let a = 1; ".repeat(1500))}},
                     {"actionId": id(13), "action": {"name": "enrich", "script": "function enrich(ctx, api) {}"}}],
         "triggerActions": [
             {"flowType": "1", "triggerType": "1", "actionIds": [id(12)]},
             {"flowType": "9", "triggerType": "1", "actionIds": [id(12)]},
             {"flowType": "1", "triggerType": "4", "actionIds": [id(12)]},
             {"flowType": "2", "triggerType": "4", "actionIds": ["no-such-action"]},
             {"flowType": "1", "triggerType": "2", "actionIds": []},
         ],
         "projectGrants": [{"grantId": grant, "projectGrant": {"projectId": project, "grantedOrgId": granted, "roleKeys": ["clerk"]}}],
         "userGrants": [
             user_grant(10, &project, "", &["admin"]),
             user_grant(11, "", "", &[]),
             user_grant(11, "no-such-project", "", &[]),
             user_grant(11, &project, "", &["cook"]),
         ],
         "projectMembers": [
             {"projectId": project, "userId": id(10), "roles": ["PROJECT_OWNER"]},
             {"projectId": "no-such-project", "userId": id(11), "roles": ["PROJECT_OWNER"]},
             // The user is checked before the project, as ZITADEL's AddProjectMember.
             {"projectId": "no-such-project", "userId": "no-such-user", "roles": ["PROJECT_OWNER"]},
             {"projectId": project, "userId": "", "roles": ["PROJECT_OWNER"]},
         ],
         "projectGrantMembers": [
             {"projectId": project, "grantId": grant, "userId": id(10), "roles": ["PROJECT_GRANT_OWNER"]},
             {"projectId": project, "grantId": "no-such-grant", "userId": id(11), "roles": ["PROJECT_GRANT_OWNER"]},
             {"projectId": project, "grantId": "", "userId": id(11), "roles": ["PROJECT_GRANT_OWNER"]},
         ]},
        {"orgId": granted, "org": {"name": "Project Taker"},
         "humanUsers": [human(20)],
         "userGrants": [user_grant(20, &project, &grant, &["clerk"]), user_grant(20, &project, &grant, &["admin"])]},
    ]});
    std::fs::create_dir_all(s.data_dir().join("transfer")).unwrap();
    std::fs::write(s.data_dir().join("transfer/grants.json"), serde_json::to_vec(&doc).unwrap()).unwrap();
    let report = import_local(&c, "grants.json").await.unwrap();
    let got = reported(&report.errors);
    let mut want: Vec<(String, String, String)> = [
        ("user_grant", format!("{owner}__{}", id(11)), "COMMAND-kVfMa"),
        ("user_grant", format!("{owner}_no-such-project_{}", id(11)), "COMMAND-4m9ff"),
        ("user_grant", format!("{owner}_{project}_{}", id(11)), "COMMAND-mm9F4"),
        ("user_grant", format!("{granted}_{project}_{}", id(20)), "COMMAND-mm9F4"),
        ("project_member", format!("{owner}_no-such-project_{}", id(11)), "COMMA-VCnwD"),
        ("project_member", format!("{owner}_no-such-project_no-such-user"), "COMMAND-uXHNj"),
        ("project_member", format!("{owner}_{project}_"), "PROJECT-W8m4l"),
        ("project_grant_member", format!("{owner}_{project}__{}", id(11)), "PROJECT-8fi7G"),
        ("project_grant_member", format!("{owner}_{project}_no-such-grant_{}", id(11)), "PROJECT-D8JxR"),
        ("project_role", format!("{project}_admin"), "V3-DKcYh"),
        ("project_role", "no-such-project_admin".to_string(), "COMMA-VCnwD"),
        ("api_app", id(5), "PROJECT-mabu12"),
        ("api_app", id(6), "COMMA-VCnwD"),
        ("oidc_app", id(7), "COMMA-VCnwD"),
        ("app_key", id(8), "COMMAND-so20alo"),
        ("app_key", id(9), "COMMAND-sak24"),
        ("action", id(13), "V3-DKcYh"),
        ("trigger_action", "9_1".to_string(), "COMMAND-Dfhj5"),
        ("trigger_action", "1_4".to_string(), "COMMAND-Dfgh6"),
        ("trigger_action", "2_4".to_string(), "COMMAND-dg422"),
        ("trigger_action", "1_2".to_string(), "COMMAND-Nfh52"),
    ]
    .into_iter()
    .map(|(t, i, e)| (t.to_string(), i, e.to_string()))
    .collect();
    want.sort();
    assert_eq!(got, want);
    let success = report.success.expect("a success list");
    let grants = |n: usize| success.orgs[n].user_grants.iter().map(|g| g.user_id.clone()).collect::<Vec<_>>();
    assert_eq!((grants(0), grants(1)), (vec![id(10)], vec![id(20)]));
    let members = success.orgs[0].project_members.iter().map(|m| m.user_id.clone()).collect::<Vec<_>>();
    assert_eq!(members, [id(10)]);
    assert_eq!((&success.orgs[0].api_app_ids, &success.orgs[0].app_keys), (&vec![id(5)], &vec![id(8)]));
    assert!(success.orgs[0].oidc_app_ids.is_empty());
    assert_eq!((&success.orgs[0].project_ids, &success.orgs[0].action_ids), (&vec![project.clone()], &vec![id(12)]));
    let triggers: Vec<(String, String)> =
        success.orgs[0].trigger_actions.iter().map(|t| (t.flow_type.clone(), t.trigger_type.clone())).collect();
    assert_eq!(triggers, [("1".to_string(), "1".to_string())]);
    let grant_members = success.orgs[0].project_grant_members.iter().map(|m| m.user_id.clone()).collect::<Vec<_>>();
    assert_eq!(grant_members, [id(10)]);
}

/// Domains as ZITADEL's import adds them, each alone: trimmed, verified at
/// once unless the organization's domain policy validates domains, one
/// given twice or verified by another organization reported, and a primary
/// domain that is not verified reported as `domain_isprimary`.
async fn domains_are_added_one_by_one(s: Arc<TestServer>, c: Client) {
    use burg_api::management::{
        AddOrgDomainRequest, AddOrgDomainResponse, AddOrgRequest, AddOrgResponse, ListOrgDomainsRequest,
        ListOrgDomainsResponse,
    };
    let other: AddOrgResponse = c.call("AddOrg", AddOrgRequest { name: "Holder".into() }).await.unwrap();
    let taken = AddOrgDomainRequest { domain: "taken.example.com".into() };
    let _: AddOrgDomainResponse = c.with_org(&other.id).call("AddOrgDomain", taken).await.unwrap();
    // A new organization gets its domain from its name, as AddOrg gives it.
    let holder: ListOrgDomainsResponse =
        c.with_org(&other.id).call("ListOrgDomains", ListOrgDomainsRequest::default()).await.unwrap();
    let suffix =
        holder.result.iter().find_map(|d| d.domain_name.strip_prefix("holder.")).expect("generated").to_string();
    let generated = |org: &str| format!("{org}.{suffix}");
    let id = |n: u64| format!("{}", 440_000_000_000_000_000u64 + n);
    let (open, validated) = (id(1), id(2));
    let domain = |name: &str, verified: bool, primary: bool| json!({"domainName": name, "isVerified": verified, "isPrimary": primary});
    let doc = json!({"orgs": [
        {"orgId": open, "org": {"name": "Open"}, "domains": [
            domain(" open.example.com ", false, true),
            domain("open.example.com", false, false),
            domain("  ", false, false),
            domain("taken.example.com", true, false),
            domain(&generated("open"), true, true),
        ]},
        {"orgId": validated, "org": {"name": "Validated"},
         "domainPolicy": {"userLoginMustBeDomain": false, "validateOrgDomains": true},
         "domains": [domain("checked.example.com", false, true), domain("proven.example.com", true, true),
                     domain(&generated("validated"), false, false), domain("taken.example.com", true, false)]},
    ]});
    std::fs::create_dir_all(s.data_dir().join("transfer")).unwrap();
    std::fs::write(s.data_dir().join("transfer/domains.json"), serde_json::to_vec(&doc).unwrap()).unwrap();
    let report = import_local(&c, "domains.json").await.unwrap();
    let got = reported(&report.errors);
    let mut want: Vec<(String, String, String)> = [
        ("domain", format!("{open}_open.example.com"), "V2-e1wse"),
        ("domain", format!("{open}_  "), "ORG-r3h4J"),
        ("domain", format!("{open}_taken.example.com"), "V3-DKcYh"),
        ("domain", format!("{validated}_{}", generated("validated")), "V2-e1wse"),
        // Added unverified under the validating policy; verifying it hits
        // the other organization's verified domain.
        ("domain_isverified", format!("{validated}_taken.example.com"), "V3-DKcYh"),
        ("domain_isprimary", format!("{validated}_checked.example.com"), "ORG-Ggd32"),
    ]
    .into_iter()
    .map(|(t, i, e)| (t.to_string(), i, e.to_string()))
    .collect();
    want.sort();
    assert_eq!(got, want);
    let listed = |org: String| {
        let c = c.with_org(&org);
        async move {
            let r: ListOrgDomainsResponse = c.call("ListOrgDomains", ListOrgDomainsRequest::default()).await.unwrap();
            let mut d: Vec<(String, bool, bool)> =
                r.result.into_iter().map(|d| (d.domain_name, d.is_verified, d.is_primary)).collect();
            d.sort();
            d
        }
    };
    let has = |list: &[(String, bool, bool)], name: &str| list.iter().find(|d| d.0 == name).cloned();
    let open_domains = listed(open.clone()).await;
    assert_eq!(
        has(&open_domains, "open.example.com"),
        Some(("open.example.com".into(), true, true)),
        "{open_domains:?}"
    );
    assert_eq!(has(&open_domains, "taken.example.com"), None);
    // Added verified and primary with the organization (the document's
    // verified entry for it is taken as done); another became primary
    // after it.
    assert_eq!(has(&open_domains, &generated("open")), Some((generated("open"), true, false)));
    assert_eq!(open_domains.len(), 2, "{open_domains:?}");
    let validated_domains = listed(validated.clone()).await;
    assert_eq!(has(&validated_domains, "checked.example.com"), Some(("checked.example.com".into(), false, false)));
    assert_eq!(has(&validated_domains, "proven.example.com"), Some(("proven.example.com".into(), true, true)));
    assert_eq!(has(&validated_domains, &generated("validated")), Some((generated("validated"), true, false)));
    assert_eq!(has(&validated_domains, "taken.example.com"), Some(("taken.example.com".into(), false, false)));
}

/// User links, the links a human brings and machine keys are checked as
/// ZITADEL's commands check them, each alone: the user must be one of the
/// organization, the provider stored (or the organization's, for a link),
/// a provider that creates no users takes no new human, a key must be a
/// public key with an expiry ahead, and a second link or key is "already
/// exists". The export names each link's provider and its type.
async fn links_and_keys_are_checked_one_by_one(s: Arc<TestServer>, c: Client) {
    use burg_api::management::{AddMachineUserRequest, AddMachineUserResponse, AddOrgRequest, AddOrgResponse};
    let options = |creates: bool| {
        Some(burg_api::idp::Options { is_linking_allowed: true, is_creation_allowed: creates, ..Default::default() })
    };
    let oidc = AddGenericOidcProviderRequest {
        name: "Corporate".into(),
        issuer: "https://issuer.example.com".into(),
        client_id: "corp".into(),
        client_secret: "s".into(),
        provider_options: options(true),
        ..Default::default()
    };
    let oidc: AddGenericOidcProviderResponse = c.call("AddGenericOIDCProvider", oidc).await.unwrap();
    let github = AddGitHubProviderRequest {
        name: "Hub".into(),
        client_id: "hub".into(),
        client_secret: "s".into(),
        provider_options: options(false),
        ..Default::default()
    };
    let github: AddGitHubProviderResponse = c.call("AddGitHubProvider", github).await.unwrap();
    let other: AddOrgResponse = c.call("AddOrg", AddOrgRequest { name: "Elsewhere".into() }).await.unwrap();
    let stranger =
        AddMachineUserRequest { user_name: "stranger".into(), name: "Stranger".into(), ..Default::default() };
    let stranger: AddMachineUserResponse = c.with_org(&other.id).call("AddMachineUser", stranger).await.unwrap();
    let stranger = stranger.user_id;

    let id = |n: u64| format!("{}", 430_000_000_000_000_000u64 + n);
    let (org_id, doc_idp) = (id(1), id(2));
    let human = |n: u64, links: Value| {
        json!({"userId": id(n), "user": {"userName": format!("linked{n}"),
            "profile": {"firstName": "Li", "lastName": "Nk"},
            "email": {"email": format!("linked{n}@example.com"), "isEmailVerified": true},
            "hashedPassword": {"value": BCRYPT}, "idps": links}})
    };
    let public = public_key();
    let key = |n: u64, user: &str, public: &str, expiry: Option<&str>| {
        let mut key = json!({"keyId": id(n), "userId": user, "type": "KEY_TYPE_JSON", "publicKey": public});
        if let Some(expiry) = expiry {
            key["expirationDate"] = json!(expiry);
        }
        key
    };
    let link =
        |user: &str, idp: &str, external: &str| json!({"userId": user, "idpId": idp, "providedUserId": external});
    // A human its command refuses: its OTP secret finds no user either.
    let mut h11 = human(11, json!([{"configId": "no-such-idp", "externalUserId": "e11"}]));
    h11["user"]["otpCode"] = json!("OTPSECRET11");
    let doc = json!({"orgs": [{
        "orgId": org_id,
        "org": {"name": "Linked"},
        "oidcIdps": [{"idpId": doc_idp, "idp": {"name": "Own", "clientId": "own", "issuer": "https://own.example.com"}},
                     {"idpId": doc_idp, "idp": {"name": "Own again", "clientId": "own", "issuer": "https://own.example.com"}}],
        "loginPolicy": {"allowExternalIdp": true, "idps": [{"idpId": doc_idp, "ownerType": "IDP_OWNER_TYPE_ORG"},
                        {"idpId": "no-such-idp", "ownerType": "IDP_OWNER_TYPE_SYSTEM"}]},
        "humanUsers": [
            human(10, json!([{"configId": doc_idp, "externalUserId": "e10", "displayName": "ten"}])),
            h11,
            human(12, json!([{"configId": github.id, "externalUserId": "e12"}])),
            human(13, json!([{"configId": doc_idp, "externalUserId": ""}])),
            human(14, json!([])),
        ],
        "machineUsers": [{"userId": id(20), "user": {"userName": "keyed", "name": "Keyed"}}],
        "userLinks": [
            link(&id(14), &doc_idp, "x14"),
            link(&id(14), &oidc.id, "y14"),
            link(&id(14), &github.id, "z14"),
            link(&stranger, &doc_idp, "x-stranger"),
            link(&id(14), "no-such-idp", "x-none"),
            link(&id(14), &doc_idp, "e10"),
            link(&id(14), &doc_idp, "x14"),
            link("", &doc_idp, "x-nobody"),
        ],
        "machineKeys": [
            key(30, &id(20), public, Some("2040-01-01T00:00:00Z")),
            key(31, &id(20), "bm90IGEga2V5", Some("2040-01-01T00:00:00Z")),
            key(32, &id(20), public, None),
            key(33, &id(20), public, Some("2001-01-01T00:00:00Z")),
            key(34, &stranger, public, Some("2040-01-01T00:00:00Z")),
            key(30, &id(20), public, Some("2041-01-01T00:00:00Z")),
            key(35, &id(20), "", Some("2040-01-01T00:00:00Z")),
        ],
        "userMetadata": [{"id": stranger, "key": "k", "value": "dmFsdWU="}],
    }]});
    std::fs::create_dir_all(s.data_dir().join("transfer")).unwrap();
    std::fs::write(s.data_dir().join("transfer/links.json"), serde_json::to_vec(&doc).unwrap()).unwrap();
    let report = import_local(&c, "links.json").await.unwrap();
    let success = report.success.expect("a success list");
    assert_eq!(success.orgs.len(), 1, "the organization is imported: {:?}", report.errors);
    assert_eq!(success.orgs[0].human_user_ids, [id(10), id(14)]);
    assert_eq!(success.orgs[0].machine_keys, [id(30), id(35)]);
    let written: Vec<(&str, &str)> =
        success.orgs[0].user_links.iter().map(|l| (l.idp_id.as_str(), l.external_user_id.as_str())).collect();
    assert_eq!(written, [(doc_idp.as_str(), "x14"), (oidc.id.as_str(), "y14"), (github.id.as_str(), "z14")]);
    let got = reported(&report.errors);
    let mut want: Vec<(String, String, String)> = [
        ("human_user", id(11), "COMMAND-39nfs"),
        ("human_user_otp", id(11), "COMMAND-uXHNj"),
        ("login_policy", org_id.clone(), "Org-FEd32"),
        ("oidc_idp", doc_idp.clone(), "Org-1J8fs"),
        ("human_user", id(12), "COMMAND-SJI3g"),
        ("human_user", id(13), "COMMAND-6m9Kd"),
        ("user_link", format!("{stranger}_{doc_idp}"), "COMMAND-vzktar7b7f"),
        ("user_link", format!("{}_no-such-idp", id(14)), "COMMAND-39nf2"),
        ("user_link", format!("{}_{doc_idp}", id(14)), "V3-DKcYh"),
        ("user_link", format!("{}_{doc_idp}", id(14)), "V3-DKcYh"),
        ("user_link", format!("_{doc_idp}"), "COMMAND-03j8f"),
        ("machine_user_key", id(31), "COMMAND-5F3h1"),
        ("machine_user_key", id(32), "DOMAIN-dv3t5"),
        ("machine_user_key", id(33), "DOMAIN-dv3t5"),
        ("machine_user_key", id(34), "COMMAND-bnipwm1"),
        ("machine_user_key", id(30), "COMMAND-091mops"),
        ("user_metadata", format!("{stranger}_k"), "COMMAND-uXHNj"),
    ]
    .into_iter()
    .map(|(t, i, e)| (t.to_string(), i, e.to_string()))
    .collect();
    want.sort();
    assert_eq!(got, want);

    // The export names each link's provider and its older type: OIDC by
    // name, a GitHub template by ZITADEL's number for it.
    let exported = export(&c, ExportDataRequest { org_ids: vec![org_id.clone()], ..Default::default() }).await;
    let mut links: Vec<(String, String, String, i32)> = exported.orgs[0]
        .user_links
        .iter()
        .map(|l| (l.user_id.clone(), l.provided_user_id.clone(), l.idp_name.clone(), l.idp_type))
        .collect();
    links.sort();
    assert_eq!(
        links,
        [
            (id(10), "e10".to_string(), "Own".to_string(), 1),
            (id(14), "x14".to_string(), "Own".to_string(), 1),
            (id(14), "y14".to_string(), "Corporate".to_string(), 1),
            (id(14), "z14".to_string(), "Hub".to_string(), 6),
        ]
    );
    // A key that came without its public half got a new pair (ZITADEL's
    // AddUserMachineKey): the export carries the public key.
    let made = exported.orgs[0].machine_keys.iter().find(|k| k.key_id == id(35)).expect("key 35 exported");
    assert!(
        burg_domain::machine_key::is_public_key(&made.public_key),
        "{:?}",
        String::from_utf8_lossy(&made.public_key)
    );
    // The user's own list names the older type only for OIDC and JWT
    // (ZITADEL's `IDPTypeToPb`).
    use burg_api::management::{ListHumanLinkedIdPsRequest, ListHumanLinkedIdPsResponse};
    let listed: ListHumanLinkedIdPsResponse = c
        .with_org(&org_id)
        .call("ListHumanLinkedIDPs", ListHumanLinkedIdPsRequest { user_id: id(14), query: None })
        .await
        .unwrap();
    let mut types: Vec<(String, i32)> = listed.result.iter().map(|l| (l.idp_name.clone(), l.idp_type)).collect();
    types.sort();
    assert_eq!(types, [("Corporate".to_string(), 1), ("Hub".to_string(), 0), ("Own".to_string(), 1)]);
    // Imported again, the links and the key are there already.
    let report = import_local(&c, "links.json").await.unwrap();
    let again =
        |kind: &str| report.errors.iter().filter(|e| e.r#type == kind && e.message.contains("IMPORT-exists")).count();
    assert_eq!((again("user_link"), again("machine_user_key")), (4, 1), "{:?}", report.errors);
    // The key given without a public key is not the stored one with it.
    let key35 = report.errors.iter().find(|e| e.r#type == "machine_user_key" && e.id == id(35));
    assert!(key35.is_some_and(|e| e.message.starts_with("ID=COMMAND-091mops")), "{:?}", report.errors);
}

/// ZITADEL's documented bulk upload: users for an organization that
/// exists, with no `org` section. ZITADEL's `AddOrgWithID` reports the
/// organization (`ORG-lapo2m`) and the import goes on into it; a removed
/// organization's id is refused, and so is a new organization without a
/// name or with another's.
async fn users_go_into_a_stored_organization(s: Arc<TestServer>, c: Client) {
    use burg_api::management::{AddOrgRequest, AddOrgResponse, GetUserByIdRequest, GetUserByIdResponse};
    let added: AddOrgResponse = c.call("AddOrg", AddOrgRequest { name: "Bulk Target".into() }).await.unwrap();
    let org_id = added.id;
    let user = |id: &str, name: &str| {
        json!({"userId": id, "user": {"userName": name, "profile": {"firstName": "Road", "lastName": "Runner"},
            "email": {"email": format!("{name}@example.com"), "isEmailVerified": true},
            "hashedPassword": {"value": BCRYPT}}})
    };
    let doc = json!({"orgs": [{"orgId": org_id, "humanUsers": [user("420000000000000001", "roadrunner")]}]});
    let request = |doc: &Value| -> ImportDataRequest {
        serde_json::from_value(json!({"dataOrgs": doc, "timeout": "10m"})).unwrap()
    };
    let report: ImportDataResponse = c.call("ImportData", request(&doc)).await.unwrap();
    let org_entry = |r: &ImportDataResponse| {
        r.errors.iter().map(|e| (e.r#type.clone(), e.id.clone(), e.message.clone())).collect::<Vec<_>>()
    };
    assert_eq!(
        org_entry(&report),
        [("org".to_string(), org_id.clone(), "ID=ORG-lapo2m Message=Errors.Org.AlreadyExisting".to_string())]
    );
    assert_eq!(report.success.unwrap().orgs[0].human_user_ids, ["420000000000000001"]);
    let got: GetUserByIdResponse =
        c.with_org(&org_id).call("GetUserByID", GetUserByIdRequest { id: "420000000000000001".into() }).await.unwrap();
    assert_eq!(got.user.unwrap().user_name, "roadrunner");
    let got: GetOrgByIdResponse = c.call("GetOrgByID", GetOrgByIdRequest { id: org_id.clone() }).await.unwrap();
    assert_eq!(got.org.unwrap().name, "Bulk Target", "the stored organization keeps its name");
    // Metadata is set: a second value under the key replaces the first.
    for (value, plain) in [("cmVk", "red"), ("Ymx1ZQ==", "blue")] {
        let doc = json!({"orgs": [{"orgId": org_id,
            "userMetadata": [{"id": "420000000000000001", "key": "team", "value": value}]}]});
        let report: ImportDataResponse = c.call("ImportData", request(&doc)).await.unwrap();
        assert_eq!(report.errors.len(), 1, "only the organization: {:?}", report.errors);
        let exported = export(&c, ExportDataRequest { org_ids: vec![org_id.clone()], ..Default::default() }).await;
        let stored: Vec<(String, String)> = exported.orgs[0]
            .user_metadata
            .iter()
            .map(|m| (m.key.clone(), String::from_utf8_lossy(&m.value).into_owned()))
            .collect();
        assert_eq!(stored, [("team".to_string(), plain.to_string())]);
    }

    // An OTP secret goes to the organization's user under the id, as
    // ZITADEL's ImportHumanTOTP adds it apart, unless that user has one.
    let factors = || async {
        use burg_api::management::{ListHumanAuthFactorsRequest, ListHumanAuthFactorsResponse};
        let listed: ListHumanAuthFactorsResponse = c
            .with_org(&org_id)
            .call("ListHumanAuthFactors", ListHumanAuthFactorsRequest { user_id: "420000000000000001".into() })
            .await
            .unwrap();
        listed.result.len()
    };
    assert_eq!(factors().await, 0);
    let mut with_otp = user("420000000000000001", "roadrunner");
    with_otp["user"]["otpCode"] = json!("OTPSECRETROADRUNNER");
    let report: ImportDataResponse =
        c.call("ImportData", request(&json!({"orgs": [{"orgId": org_id, "humanUsers": [with_otp]}]}))).await.unwrap();
    let ids = |r: &ImportDataResponse| {
        reported(&r.errors).into_iter().map(|(t, _, id)| format!("{t} {id}")).collect::<Vec<_>>()
    };
    assert_eq!(ids(&report), ["human_user IMPORT-exists", "org ORG-lapo2m"]);
    assert_eq!(factors().await, 1, "the stored user has the secret");
    let mut renamed = user("420000000000000001", "coyote");
    renamed["user"]["otpCode"] = json!("OTPSECRETCOYOTE");
    let report: ImportDataResponse =
        c.call("ImportData", request(&json!({"orgs": [{"orgId": org_id, "humanUsers": [renamed]}]}))).await.unwrap();
    assert_eq!(ids(&report), ["human_user COMMAND-ziuna", "human_user_otp COMMAND-do9se", "org ORG-lapo2m"]);

    // A removed user's id is taken for good (ZITADEL's ImportHuman finds
    // its history).
    let in_org = c.with_org(&org_id);
    let remove = burg_api::management::RemoveUserRequest { id: "420000000000000001".into() };
    let _: burg_api::management::RemoveUserResponse = in_org.call("RemoveUser", remove).await.unwrap();
    let report: ImportDataResponse = c.call("ImportData", request(&doc)).await.unwrap();
    let mut got = org_entry(&report);
    got.sort();
    assert_eq!(
        got,
        [
            (
                "human_user".to_string(),
                "420000000000000001".to_string(),
                "ID=COMMAND-ziuna Message=Errors.User.AlreadyExisting".to_string()
            ),
            ("org".to_string(), org_id.clone(), "ID=ORG-lapo2m Message=Errors.Org.AlreadyExisting".to_string()),
        ]
    );

    // A removed organization's id, and new ones without a name or with a
    // taken one, are refused whole.
    let _: RemoveOrgResponse = c.call("RemoveOrg", RemoveOrgRequest { org_id: org_id.clone() }).await.unwrap();
    let _: AddOrgResponse = c.call("AddOrg", AddOrgRequest { name: "Bulk Taken".into() }).await.unwrap();
    let events = s.event_count().await;
    let refused = json!({"orgs": [
        {"orgId": org_id, "org": {"name": "Reborn"}, "humanUsers": [user("420000000000000002", "reborn")]},
        {"orgId": "420000000000000003", "org": {"name": "  "}},
        {"orgId": "420000000000000004", "org": {"name": " Bulk Taken "}},
    ]});
    let report: ImportDataResponse = c.call("ImportData", request(&refused)).await.unwrap();
    let mut got: Vec<(String, String)> = report
        .errors
        .iter()
        .map(|e| (e.id.clone(), e.message.split(' ').next().unwrap_or_default().to_string()))
        .collect();
    got.sort();
    let mut want = vec![
        (org_id.clone(), "ID=ORG-lapo2m".to_string()),
        ("420000000000000003".to_string(), "ID=COMM-deLSk".to_string()),
        ("420000000000000004".to_string(), "ID=V3-DKcYh".to_string()),
    ];
    want.sort();
    assert_eq!(got, want, "{:?}", report.errors);
    assert!(report.success.is_none_or(|s| s.orgs.is_empty()));
    assert_eq!(s.event_count().await, events, "nothing written");
}

/// A user its command refuses is reported alone and the organization goes
/// on, as ZITADEL's import goes on (the file's users get no proto rules,
/// only the command's checks); what names a refused user finds no user.
async fn users_are_refused_one_by_one(s: Arc<TestServer>, c: Client) {
    use burg_api::management::{
        AddMachineUserRequest, AddMachineUserResponse, GetUserByIdRequest, GetUserByIdResponse,
    };
    let taken = AddMachineUserRequest { user_name: "Taken".into(), name: "Taken".into(), ..Default::default() };
    let _: AddMachineUserResponse = c.call("AddMachineUser", taken).await.unwrap();
    let id = |n: u64| format!("{}", 410_000_000_000_000_000u64 + n);
    let org_id = id(1);
    let human = |n: u64, user_name: &str, first: &str, extra: Value| {
        let mut user = json!({"userName": user_name, "profile": {"firstName": first, "lastName": "Doe"},
            "email": {"email": format!("u{n}@example.com"), "isEmailVerified": true}, "hashedPassword": {"value": BCRYPT}});
        user.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        json!({"userId": id(n), "user": user})
    };
    let doc = json!({"orgs": [{
        "orgId": org_id,
        "org": {"name": "One by one"},
        "humanUsers": [
            human(2, "ada", "Ada", json!({"passwordChangeRequired": true})),
            human(3, "bad-phone", "Bea", json!({"phone": {"phone": "+999 1234567"}})),
            human(4, "ADA", "Ada", json!({})),
            human(2, "ada2", "Ada", json!({})),
            human(5, "weak", "Wes", json!({"hashedPassword": {"value": ""}, "password": "weak"})),
            human(6, " taken ", "Tad", json!({})),
            human(7, "", "Nil", json!({})),
            human(8, "nameless", "", json!({})),
            human(11, "hash", "Has", json!({"hashedPassword": {"value": "not-a-hash"}})),
            // Refused, then given again well: the second entry is the user.
            human(12, "retry", "Ret", json!({"phone": {"phone": "+999 1234567"}})),
            human(12, "retry", "Ret", json!({})),
        ],
        "machineUsers": [
            {"userId": id(9), "user": {"userName": "svc", "name": ""}},
            {"userId": id(10), "user": {"userName": "svc-ok", "name": "Service"}},
        ],
        "userLinks": [{"userId": id(3), "idpId": "idp-x", "providedUserId": "ext-3", "providedUserName": "bea"}],
        "userMetadata": [{"id": id(3), "key": "k", "value": "dmFsdWU="}, {"id": id(12), "key": "k", "value": "dmFsdWU="}],
        "orgMembers": [
            {"userId": id(3), "roles": ["ORG_OWNER"]},
            {"userId": id(2), "roles": ["ORG_EMPEROR"]},
            {"userId": id(10), "roles": []},
        ],
        "projects": [{"projectId": id(20), "project": {"name": "Roles"}}],
        "projectMembers": [
            {"projectId": id(20), "userId": id(2), "roles": []},
            {"projectId": id(20), "userId": id(10), "roles": ["OWNER"]},
        ],
        "projectGrantMembers": [{"projectId": id(20), "grantId": id(21), "userId": id(2), "roles": ["PROJECT_OWNER"]}],
    }]});
    std::fs::create_dir_all(s.data_dir().join("transfer")).unwrap();
    std::fs::write(s.data_dir().join("transfer/one-by-one.json"), serde_json::to_vec(&doc).unwrap()).unwrap();
    let report = import_local(&c, "one-by-one.json").await.unwrap();

    let success = report.success.expect("a success list");
    assert_eq!(success.orgs.len(), 1, "the organization is imported: {:?}", report.errors);
    assert_eq!(success.orgs[0].human_user_ids, [id(2), id(12)]);
    assert_eq!(success.orgs[0].user_metadata.len(), 1, "the metadata of the user given again is written");
    assert_eq!(success.orgs[0].machine_user_ids, [id(10)]);
    let mut got = reported(&report.errors);
    let mut want: Vec<(String, String, String)> = [
        ("human_user", id(3), "PHONE-so0wa"),
        ("human_user", id(4), "V3-DKcYh"),
        ("human_user", id(2), "COMMAND-ziuna"),
        ("human_user", id(5), "DOMAIN-HuJf6"),
        ("human_user", id(6), "V3-DKcYh"),
        ("human_user", id(7), "COMMAND-00p2b"),
        ("human_user", id(8), "PROFILE-RF5z2"),
        ("human_user", id(11), "PASSW-fmt00"),
        ("human_user", id(12), "PHONE-so0wa"),
        ("machine_user", id(9), "COMMAND-bs9Ds"),
        ("user_link", format!("{}_idp-x", id(3)), "COMMAND-vzktar7b7f"),
        ("user_metadata", String::new(), "COMMAND-uXHNj"),
        ("org_member", format!("{org_id}_{}", id(3)), "ORG-GoXOn"),
        ("org_member", format!("{org_id}_{}", id(2)), "Org-4N8es"),
        ("org_member", format!("{org_id}_{}", id(10)), "ORG-4Mlfs"),
        ("project_member", format!("{org_id}_{}_{}", id(20), id(2)), "PROJECT-W8m4l"),
        ("project_member", format!("{org_id}_{}_{}", id(20), id(10)), "PROJECT-3m9ds"),
        ("project_grant_member", format!("{org_id}_{}_{}_{}", id(20), id(21), id(2)), "PROJECT-m9gKK"),
    ]
    .into_iter()
    .map(|(t, i, e)| (t.to_string(), i, e.to_string()))
    .collect();
    // The metadata's report id is compared apart.
    let metadata = got.iter().position(|g| g.0 == "user_metadata").expect("the metadata is reported");
    assert!(got[metadata].1.starts_with(&id(3)), "{:?}", got[metadata]);
    got[metadata].1.clear();
    want.sort();
    assert_eq!(got, want);

    let in_org = c.with_org(&org_id);
    let user = |n: u64| in_org.call::<_, GetUserByIdResponse>("GetUserByID", GetUserByIdRequest { id: id(n) });
    let ada = user(2).await.unwrap().user.unwrap();
    assert_eq!(ada.user_name, "ada", "the first of two entries with one id is the one written");
    for n in [3, 4, 5, 6, 7, 8, 9, 11] {
        assert_eq!(user(n).await.unwrap_err().code, Code::NotFound, "user {n}");
    }
    // An imported hash never has to be changed (ZITADEL's ImportHuman).
    let events: burg_api::admin::ListEventsResponse = c
        .call(
            "ListEvents",
            burg_api::admin::ListEventsRequest {
                aggregate_id: id(2),
                event_types: vec!["user.human.added".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let payload = events.events[0].payload.clone().expect("a payload");
    let payload = serde_json::to_value(payload).unwrap();
    assert_eq!(payload.get("changeRequired"), None, "{payload}");
}

/// An imported human's display name is made as ZITADEL's
/// `EnsureDisplayName` makes it, its language is a normalised tag and its
/// phone number E.164; a number with no valid country code refuses the
/// user alone.
async fn imported_humans_are_normalised_as_zitadel(_s: Arc<TestServer>, c: Client) {
    let org_id = "390000000000000001";
    let user_id = "390000000000000002";
    let doc = |phone: &str| {
        json!({"orgs": [{"orgId": org_id, "org": {"name": "Normal"}, "humanUsers": [{"userId": user_id,
            "user": {"userName": "norm", "profile": {"firstName": "Nora", "lastName": "Mal", "preferredLanguage": "DE"},
                     "email": {"email": "norm@example.com", "isEmailVerified": true}, "hashedPassword": {"value": BCRYPT},
                     "phone": {"phone": phone, "isPhoneVerified": true}}}]}]})
    };
    let import = |doc: Value| -> ImportDataRequest {
        serde_json::from_value(json!({"dataOrgs": doc, "timeout": "1m"})).unwrap()
    };
    let refused: ImportDataResponse = c.call("ImportData", import(doc("+999 1234567"))).await.unwrap();
    let error = refused.errors.iter().find(|e| e.r#type == "human_user").expect("the user is refused");
    assert!(error.message.contains("PHONE-so0wa"), "{error:?}");
    let org = &refused.success.expect("a success list").orgs[0];
    assert!(org.human_user_ids.is_empty(), "the organization is imported without the user: {org:?}");

    let report: ImportDataResponse = c.call("ImportData", import(doc("+41 79 123 45 67"))).await.unwrap();
    assert!(report.errors.iter().all(|e| e.r#type == "org"), "only the stored organization: {:?}", report.errors);
    let got: burg_api::management::GetUserByIdResponse = c
        .with_org(org_id)
        .call("GetUserByID", burg_api::management::GetUserByIdRequest { id: user_id.into() })
        .await
        .unwrap();
    let Some(burg_api::zitadel::user::v1::user::Type::Human(human)) = got.user.unwrap().r#type else {
        panic!("a human")
    };
    let profile = human.profile.unwrap();
    assert_eq!((profile.display_name.as_str(), profile.preferred_language.as_str()), ("Nora Mal", "de"));
    assert_eq!(human.phone.unwrap().phone, "+41791234567");
}

/// An inactive organization is deactivated as it is imported, and its
/// users keep their states; the export writes them back, as ZITADEL's
/// (PR #9992). A second import leaves the stored organization as it is.
async fn states_move_with_the_document(s: Arc<TestServer>, c: Client) {
    let org_id = "380000000000000001";
    let doc = json!({"orgs": [{
        "orgId": org_id,
        "org": {"name": "Dormant"},
        "orgState": "ORG_STATE_INACTIVE",
        "humanUsers": [{"userId": "380000000000000002", "state": "USER_STATE_LOCKED",
            "user": {"userName": "locked", "profile": {"firstName": "L", "lastName": "K"},
                     "email": {"email": "locked@example.com", "isEmailVerified": true}, "hashedPassword": {"value": BCRYPT}}}],
        "machineUsers": [{"userId": "380000000000000003", "state": "USER_STATE_INACTIVE",
            "user": {"userName": "idle", "name": "Idle"}}]
    }]});
    let request =
        || -> ImportDataRequest { serde_json::from_value(json!({"dataOrgs": doc, "timeout": "1m"})).unwrap() };
    let report: ImportDataResponse = c.call("ImportData", request()).await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let org: burg_api::admin::GetOrgByIdResponse =
        c.call("GetOrgByID", burg_api::admin::GetOrgByIdRequest { id: org_id.into() }).await.unwrap();
    assert_eq!(org.org.unwrap().state, burg_api::zitadel::org::v1::OrgState::Inactive as i32);
    let in_org = c.with_org(org_id);
    use burg_api::zitadel::user::v1::UserState;
    for (id, state) in [("380000000000000002", UserState::Locked), ("380000000000000003", UserState::Inactive)] {
        let got: burg_api::management::GetUserByIdResponse =
            in_org.call("GetUserByID", burg_api::management::GetUserByIdRequest { id: id.into() }).await.unwrap();
        assert_eq!(got.user.unwrap().state, state as i32, "{id}");
    }
    let exported = export(&c, ExportDataRequest { org_ids: vec![org_id.into()], ..Default::default() }).await;
    let got = serde_json::to_value(&exported.orgs[0]).unwrap();
    assert_eq!(got["orgState"], "ORG_STATE_INACTIVE");
    assert_eq!(got["humanUsers"][0]["state"], "USER_STATE_LOCKED");
    assert_eq!(got["machineUsers"][0]["state"], "USER_STATE_INACTIVE");

    let again: ImportDataResponse = c.call("ImportData", request()).await.unwrap();
    assert_eq!(again.errors.len(), 3, "the organization and its two users are there: {:?}", again.errors);
    let r = s.client(burg_testkit::Protocol::Rest).await;
    let events = r
        .call_json(
            "AdminService",
            "ListEvents",
            json!({"limit": 100, "eventTypes": ["org.deactivated", "user.locked", "user.deactivated"]}),
        )
        .await
        .unwrap();
    let types: Vec<&str> =
        events["events"].as_array().unwrap().iter().map(|e| e["type"]["type"].as_str().unwrap()).collect();
    assert_eq!(types.len(), 3, "once each: {types:?}");
}

/// A document of ZITADEL's v1 format: the org IAM policy, and the login
/// policy's factors and IdPs (the organization's OIDC IdP) listed beside it.
fn v1_document(org_id: &str) -> Value {
    json!({"orgs": [{
        "orgId": org_id,
        "org": {"name": format!("Old {org_id}")},
        "iamPolicy": {"orgId": org_id, "userLoginMustBeDomain": true},
        "loginPolicy": {"allowUsernamePassword": true, "allowExternalIdp": true, "passwordCheckLifetime": "1s"},
        "inviteUserMessages": [{"language": "de", "title": "Willkommen"}],
        "secondFactors": [{"type": "SECOND_FACTOR_TYPE_OTP"}, {"type": "SECOND_FACTOR_TYPE_U2F"}],
        "multiFactors": [{"type": "MULTI_FACTOR_TYPE_U2F_WITH_VERIFICATION"}],
        "idps": [{"idpId": format!("{org_id}9"), "ownerType": "IDP_OWNER_TYPE_ORG"}],
        "oidcIdps": [{"idpId": format!("{org_id}9"), "idp": {"name": "Old SSO", "clientId": "old", "clientSecret": "s",
                      "issuer": "https://old.example.com"}}],
        "humanUsers": [{"userId": format!("{org_id}1"), "user": {"userName": "old", "profile": {"firstName": "O", "lastName": "D"},
            "email": {"email": "old@example.com", "isEmailVerified": true}}}],
        "actions": [{"actionId": format!("{org_id}7"), "action": {"name": "old", "script": "function old(ctx, api) {}"}}],
        "triggerActions": [{"flowType": "FLOW_TYPE_EXTERNAL_AUTHENTICATION", "triggerType": "TRIGGER_TYPE_POST_AUTHENTICATION",
                            "actionIds": [format!("{org_id}7")]}]
    }, {
        // Factors without a login policy have nowhere to go.
        "orgId": format!("{org_id}8"),
        "org": {"name": format!("Old {org_id} bare")},
        "secondFactors": [{"type": "SECOND_FACTOR_TYPE_OTP"}],
    }]})
}

/// ZITADEL's `dataOrgsV1ToDataOrgs`: the domain policy's other flags and the
/// login policy's lifetimes are the instance's defaults, factors need a
/// login policy, invite texts stay behind.
async fn v1_documents_import_in_todays_form(s: Arc<TestServer>, c: Client) {
    let defaults = UpdateDomainPolicyRequest { validate_org_domains: true, ..Default::default() };
    let _: UpdateDomainPolicyResponse = c.call("UpdateDomainPolicy", defaults).await.unwrap();
    let inline: ImportDataRequest =
        serde_json::from_value(json!({"dataOrgsv1": v1_document("370000000000000001"), "timeout": "1m"})).unwrap();
    let file = s.dir.path().join("transfer").join("old.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, v1_document("370000000000000002").to_string()).unwrap();
    let local: ImportDataRequest =
        serde_json::from_value(json!({"dataOrgsv1Local": {"path": "old.json"}, "timeout": "1m"})).unwrap();
    for (request, org_id) in [(inline, "370000000000000001"), (local, "370000000000000002")] {
        let report: ImportDataResponse = c.call("ImportData", request).await.unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let exported = export(&c, ExportDataRequest { org_ids: vec![org_id.into()], ..Default::default() }).await;
        let org = serde_json::to_value(&exported.orgs[0]).unwrap();
        assert_eq!(org["domainPolicy"]["userLoginMustBeDomain"], true);
        assert_eq!(org["domainPolicy"]["validateOrgDomains"], true, "the instance's default");
        assert!(org.get("inviteUserMessages").is_none(), "{org}");
        let policy = &org["loginPolicy"];
        assert_eq!(policy["passwordCheckLifetime"], "864000s", "the instance's default");
        assert_eq!(policy["allowExternalIdp"], true);
        assert_eq!(policy["secondFactors"], json!(["SECOND_FACTOR_TYPE_OTP", "SECOND_FACTOR_TYPE_U2F"]));
        assert_eq!(policy["multiFactors"], json!(["MULTI_FACTOR_TYPE_U2F_WITH_VERIFICATION"]));
        assert_eq!(policy["idps"], json!([{"idpId": format!("{org_id}9"), "ownerType": "IDP_OWNER_TYPE_ORG"}]));
        assert_eq!(org["humanUsers"][0]["user"]["userName"], "old");
        // v1 names the flow by enum name; the export writes its id, as ZITADEL's does.
        assert_eq!(
            (&org["triggerActions"][0]["flowType"], &org["triggerActions"][0]["triggerType"]),
            (&json!("1"), &json!("1"))
        );
        let bare = format!("{org_id}8");
        let exported = export(&c, ExportDataRequest { org_ids: vec![bare], ..Default::default() }).await;
        assert!(exported.orgs[0].login_policy.is_none(), "{:?}", exported.orgs[0]);
    }
}

async fn import_then_export_gives_the_document_back(s: Arc<TestServer>, c: Client) {
    let viewer = c.with_token(&s.token_with_roles(&["IAM_OWNER_VIEWER"]).await);
    for seed in [1u64, 7, 42] {
        let input: Vec<Value> = (0..2).map(|n| generated_org(seed, n + (seed as u32) * 10, 6)).collect();
        let orgs = decode_orgs(&input);
        let report = import(&c, orgs.clone()).await;
        assert!(report.errors.is_empty(), "seed {seed}: {:?}", report.errors);
        let success = report.success.unwrap();
        assert_eq!(success.orgs.len(), 2);
        let first = &success.orgs[0];
        assert_eq!(first.org_id, orgs[0].org_id);
        assert_eq!(first.human_user_ids.len(), orgs[0].human_users.len());
        assert_eq!(first.machine_user_ids.len(), orgs[0].machine_users.len());
        assert_eq!(first.project_ids, vec![orgs[0].projects[0].project_id.clone()]);
        assert_eq!(first.oidc_ipds, vec![orgs[0].oidc_idps[0].idp_id.clone()]);
        assert_eq!(first.user_metadata.len(), orgs[0].user_metadata.len());

        let ids: Vec<String> = orgs.iter().map(|o| o.org_id.clone()).collect();
        let full = export(
            &c,
            ExportDataRequest { org_ids: ids.clone(), with_passwords: true, with_otp: true, ..Default::default() },
        )
        .await;
        assert_eq!(full.orgs.len(), 2);
        for (given, got) in orgs.iter().zip(&full.orgs) {
            let given = as_exported(given, &ids);
            assert_eq!(canonical(got, true), canonical(&given, true), "seed {seed}: the export is the import");
        }
        for (with_passwords, with_otp) in [(true, false), (false, true)] {
            let err = viewer
                .call::<_, ExportDataResponse>(
                    "ExportData",
                    ExportDataRequest { with_passwords, with_otp, ..Default::default() },
                )
                .await
                .unwrap_err();
            assert_eq!(err.code, Code::PermissionDenied, "credentials need iam.write");
        }
        let plain = export(&viewer, ExportDataRequest { org_ids: ids.clone(), ..Default::default() }).await;
        for (given, got) in orgs.iter().zip(&plain.orgs) {
            assert!(got.oidc_idps.iter().all(|i| i.idp.as_ref().unwrap().client_secret.is_empty()));
            assert!(got.human_users.iter().all(|h| {
                let u = h.user.as_ref().unwrap();
                u.hashed_password.is_none() && u.otp_code.is_empty()
            }));
            assert_eq!(canonical(got, false), canonical(&as_exported(given, &ids), false));
        }
        let one = export(
            &c,
            ExportDataRequest { org_ids: ids.clone(), excluded_org_ids: vec![ids[0].clone()], ..Default::default() },
        )
        .await;
        assert_eq!(one.orgs.iter().map(|o| o.org_id.clone()).collect::<Vec<_>>(), vec![ids[1].clone()]);
    }
    // The org admin's imported role works: ORG_OWNER in the imported org.
    let all = export(&c, ExportDataRequest::default()).await;
    assert_eq!(all.orgs.len(), 7, "the default org and six imported");

    // ListEventTypes names every type the store now holds (audit filters
    // written for ZITADEL pick from it).
    assert_eq!(s.unlisted_event_types(&c).await, Vec::<String>::new());
}

async fn reimport_is_idempotent_and_changes_are_answered_alone(s: Arc<TestServer>, c: Client) {
    let orgs = decode_orgs(&[generated_org(3, 1, 4)]);
    let first = import(&c, orgs.clone()).await;
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    let events_before = s.event_count().await;

    let again = import(&c, orgs.clone()).await;
    assert!(!again.errors.is_empty());
    assert!(
        again.errors.iter().all(|e| e.message.contains(if e.r#type == "org" { "ORG-lapo2m" } else { "IMPORT-exists" })),
        "identical objects are reported as existing: {:?}",
        again.errors
    );
    assert!(again.errors.iter().any(|e| e.r#type == "human_user"));
    assert!(!orgs[0].user_links.is_empty());
    assert_eq!(
        again.errors.iter().filter(|e| e.r#type == "user_link").count(),
        orgs[0].user_links.len(),
        "every stored link is reported as existing: {:?}",
        again.errors
    );
    assert_eq!(s.event_count().await, events_before, "nothing written twice");

    let mut changed = orgs.clone();
    changed[0].projects[0].project.as_mut().unwrap().name = "Renamed".into();
    changed[0].actions[0].action.as_mut().unwrap().script = "function other() {}".into();
    changed[0].lockout_policy.as_mut().unwrap().max_password_attempts = 9;
    // A project, an action and a policy stored with other content are
    // each reported with their command's answer and left as they are.
    let conflict = import(&c, changed).await;
    let answered = |kind: &str| {
        let e = conflict.errors.iter().find(|e| e.r#type == kind).unwrap_or_else(|| panic!("{kind}"));
        (e.id.clone(), e.message.split(' ').next().unwrap_or_default().to_string())
    };
    assert_eq!(answered("project"), (orgs[0].projects[0].project_id.clone(), "ID=COMMAND-opamwu".to_string()));
    assert_eq!(answered("action"), (orgs[0].actions[0].action_id.clone(), "ID=COMMAND-nau2k".to_string()));
    assert_eq!(answered("lockout_policy"), (orgs[0].org_id.clone(), "ID=ORG-0olDf".to_string()));
    assert!(!conflict.errors.iter().any(|e| e.message.contains("IMPORT-conflict")), "{:?}", conflict.errors);
    assert_eq!(s.event_count().await, events_before, "nothing is changed");
    // The same external account, now linked to another user, is reported
    // alone, as ZITADEL's unique constraint answers it.
    let mut relinked = orgs.clone();
    let other_user =
        relinked[0].human_users.iter().map(|u| u.user_id.clone()).find(|id| *id != relinked[0].user_links[0].user_id);
    relinked[0].user_links[0].user_id = other_user.expect("a second user");
    let report = import(&c, relinked).await;
    let taken = |e: &&ImportDataError| e.r#type == "user_link" && e.message.starts_with("ID=V3-DKcYh");
    assert_eq!(report.errors.iter().filter(taken).count(), 1, "{:?}", report.errors);
    assert!(!report.errors.iter().any(|e| e.message.contains("IMPORT-conflict")), "{:?}", report.errors);
    assert_eq!(s.event_count().await, events_before, "nothing new was written");
    let exported = export(&c, ExportDataRequest { org_ids: vec![orgs[0].org_id.clone()], ..Default::default() }).await;
    assert_eq!(
        exported.orgs[0].projects[0].project.as_ref().unwrap().name,
        orgs[0].projects[0].project.as_ref().unwrap().name
    );
    // Texts are set (ZITADEL's SetOrgLoginText): another text for a
    // language replaces the stored one, and of two in one document the
    // last holds.
    let mut retexted = orgs.clone();
    let mut second = retexted[0].login_texts[0].clone();
    retexted[0].login_texts[0].select_account_text.as_mut().unwrap().title = "Zuerst".into();
    second.select_account_text.as_mut().unwrap().title = "Anderes Konto".into();
    retexted[0].login_texts.push(second);
    let report = import(&c, retexted).await;
    assert!(!report.errors.iter().any(|e| e.r#type == "login_texts"), "{:?}", report.errors);
    let exported = export(&c, ExportDataRequest { org_ids: vec![orgs[0].org_id.clone()], ..Default::default() }).await;
    let titles: Vec<&str> = exported.orgs[0]
        .login_texts
        .iter()
        .filter_map(|t| t.select_account_text.as_ref().map(|s| s.title.as_str()))
        .collect();
    assert_eq!(titles, ["Anderes Konto"]);
}

async fn bad_documents_change_nothing(s: Arc<TestServer>, c: Client) {
    let events_before = s.event_count().await;
    let base = generated_org(9, 2, 3);
    type Case = (&'static str, Box<dyn Fn(&mut Value) + Send + Sync>, &'static str);
    // An inline document is a request: a breach of the proto's rules
    // anywhere in it refuses the whole call, as ZITADEL's validation does.
    let rule_cases: Vec<Case> = vec![
        ("no org name", Box::new(|o: &mut Value| o["org"] = json!({})), "invalid AddOrgRequest.Name"),
        (
            "long name",
            Box::new(|o: &mut Value| o["projects"][0]["project"]["name"] = json!("x".repeat(201))),
            "invalid AddProjectRequest.Name",
        ),
        (
            "missing role key",
            Box::new(|o: &mut Value| {
                o["projectRoles"][0].as_object_mut().unwrap().remove("roleKey").map(|_| ()).unwrap()
            }),
            "invalid AddProjectRoleRequest.RoleKey",
        ),
        (
            "bad email",
            Box::new(|o: &mut Value| o["humanUsers"][0]["user"]["email"]["email"] = json!("not-an-email")),
            "invalid ImportHumanUserRequest_Email.Email: value must be a valid email address",
        ),
        (
            "long metadata",
            Box::new(|o: &mut Value| o["userMetadata"][0]["key"] = json!("k".repeat(201))),
            "invalid SetUserMetadataRequest.Key",
        ),
    ];
    for (what, break_it, expect) in rule_cases {
        let mut bad = base.clone();
        break_it(&mut bad);
        let good = generated_org(9, 3, 2);
        let request = ImportDataRequest {
            data: Some(import_data_request::Data::DataOrgs(ImportDataOrg {
                orgs: decode_orgs(&[bad, good]),
                ..Default::default()
            })),
            timeout: "1m".into(),
        };
        let err = c.call::<_, ImportDataResponse>("ImportData", request).await.unwrap_err();
        assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "VALID-rules"), "{what}: {err:?}");
        assert!(err.message.contains(expect), "{what}: expected {expect}: {}", err.message);
        assert_eq!(s.event_count().await, events_before, "{what}: nothing is imported");
    }
    // What the rules do not cover is answered item by item: a project
    // without an id gets a new one (ZITADEL's AddProject makes one), and
    // what names it by the old id is reported alone.
    let mut bad = base.clone();
    let old_project = bad["projects"][0]["projectId"].as_str().unwrap().to_string();
    bad["projects"][0].as_object_mut().unwrap().remove("projectId");
    let report = import(&c, decode_orgs(&[bad])).await;
    let success = report.success.unwrap();
    assert_eq!(success.orgs.len(), 1, "the organization lands: {:?}", report.errors);
    let projects = &success.orgs[0].project_ids;
    assert_eq!(projects.len(), 1, "{projects:?}");
    assert!(!projects[0].is_empty() && projects[0] != old_project, "{projects:?}");
    let roles: Vec<&str> = report
        .errors
        .iter()
        .filter(|e| e.r#type == "project_role")
        .map(|e| e.message.split(' ').next().unwrap_or_default())
        .collect();
    assert_eq!(roles, ["ID=COMMA-VCnwD", "ID=COMMA-VCnwD"], "{:?}", report.errors);
    let _: RemoveOrgResponse =
        c.call("RemoveOrg", RemoveOrgRequest { org_id: base["orgId"].as_str().unwrap().into() }).await.unwrap();
    let exported = export(&c, ExportDataRequest::default()).await;
    assert_eq!(exported.orgs.len(), 1, "only the default org is there");
    let _ = events_before;

    if c.protocol == Protocol::Rest {
        // Wrong types and broken base64 fail the decoding: 400, field named.
        for (body, field) in [
            (json!({"dataOrgs": {"orgs": [{"orgId": 5}]}, "timeout": "1m"}), "orgId"),
            (
                json!({"dataOrgs": {"orgs": [{"orgId": "1", "org": {"name": "A"},
                     "userMetadata": [{"id": "1", "key": "k", "value": "%%%"}]}]}, "timeout": "1m"}),
                "value",
            ),
        ] {
            let response = burg_testkit::http_client()
                .post(format!("{}/admin/v1/import", c.base_url()))
                .bearer_auth(c.token())
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 400);
            let text = response.text().await.unwrap();
            assert!(text.contains(field), "{text}");
        }
    }
    let bad_timeout = c
        .call::<_, ImportDataResponse>(
            "ImportData",
            ImportDataRequest {
                data: Some(import_data_request::Data::DataOrgs(ImportDataOrg { orgs: vec![], ..Default::default() })),
                timeout: "soon".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(bad_timeout.code, Code::InvalidArgument);
}

/// Local files: export to the transfer directory, import into a fresh
/// server from there; paths outside are refused; a timeout leaves nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_files_move_an_instance() {
    let Some(a) = TestServer::start_or_skip(burg_testkit::Backend::Sqlite).await else { return };
    let ca = a.client(Protocol::Grpc).await;
    let orgs = decode_orgs(&[generated_org(5, 1, 5), generated_org(5, 2, 5)]);
    let report = import(&ca, orgs.clone()).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let ids: Vec<String> = orgs.iter().map(|o| o.org_id.clone()).collect();
    let exported: ExportDataResponse = ca
        .call(
            "ExportData",
            ExportDataRequest {
                org_ids: ids.clone(),
                with_passwords: true,
                with_otp: true,
                local_output: Some(export_data_request::LocalOutput { path: "backups/instance.json".into() }),
                timeout: "1m".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(exported.orgs.is_empty(), "no response output asked for");
    let file = a.dir.path().join("transfer/backups/instance.json");
    let bytes = std::fs::read(&file).unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(file.parent().unwrap()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary files remain");

    for path in ["../escape.json", "/etc/burg.json"] {
        let err = ca
            .call::<_, ExportDataResponse>(
                "ExportData",
                ExportDataRequest {
                    local_output: Some(export_data_request::LocalOutput { path: path.into() }),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, Code::InvalidArgument, "{path}");
    }
    let err = ca
        .call::<_, ExportDataResponse>(
            "ExportData",
            ExportDataRequest {
                local_output: Some(export_data_request::LocalOutput { path: "late.json".into() }),
                timeout: "1ns".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::DeadlineExceeded);
    assert!(!a.dir.path().join("transfer/late.json").exists());
    assert_eq!(
        std::fs::read_dir(a.dir.path().join("transfer")).unwrap().count(),
        1,
        "only backups/: the timed-out export left no partial file"
    );

    let Some(b) = TestServer::start_or_skip(burg_testkit::Backend::Sqlite).await else { return };
    std::fs::create_dir_all(b.dir.path().join("transfer")).unwrap();
    std::fs::write(b.dir.path().join("transfer/in.json"), &bytes).unwrap();
    let cb = b.client(Protocol::Rest).await;
    // A file is checked whole before anything is written, item by item:
    // a bad item of the second organization keeps the first out too, and
    // the error names the item.
    let events_before = b.event_count().await;
    for (section, field, bad) in [
        ("humanUsers", "/user/profile/gender", json!("GENDER_NO_SUCH")),
        ("userMetadata", "/value", json!("not base64!")),
        ("humanUsers", "/user/userName", json!(42)),
    ] {
        let mut doc: Value = serde_json::from_slice(&bytes).unwrap();
        let items = doc["orgs"][1][section].as_array_mut().unwrap();
        let last = items.len() - 1;
        *items[last].pointer_mut(field).unwrap_or_else(|| panic!("{section}{field}")) = bad;
        std::fs::write(b.dir.path().join("transfer/bad.json"), serde_json::to_vec(&doc).unwrap()).unwrap();
        let err = import_local(&cb, "bad.json").await.unwrap_err();
        assert_eq!(err.code, Code::InvalidArgument, "{section}{field}: {err:?}");
        assert!(err.message.contains("organization 1 "), "{}", err.message);
        assert!(err.message.contains(&format!("{section}[{last}]")), "{}", err.message);
        assert_eq!(b.event_count().await, events_before, "{section}{field}: nothing written");
    }
    let report = import_local(&cb, "in.json").await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let moved = export(
        &cb,
        ExportDataRequest { org_ids: ids.clone(), with_passwords: true, with_otp: true, ..Default::default() },
    )
    .await;
    for (given, got) in orgs.iter().zip(&moved.orgs) {
        assert_eq!(canonical(got, true), canonical(&as_exported(given, &ids), true));
    }
    a.stop().await;
    b.stop().await;
}

/// Imports the file at `path` of the server's import directory.
pub(crate) async fn import_local(c: &Client, path: &str) -> Result<ImportDataResponse, burg_testkit::ApiError> {
    let input = import_data_request::LocalInput { path: path.into() };
    let data = Some(import_data_request::Data::DataOrgsLocal(input));
    c.call("ImportData", ImportDataRequest { data, timeout: "1m".into() }).await
}

/// Exports to S3 and GCS at once, then imports from each into a fresh
/// server: both documents give the instance back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_and_gcs_outputs_and_inputs() {
    use burg_testkit::emulators;
    let Some(s3) = emulators::s3("burg-exports").await else { return };
    let Some(gcs) = emulators::gcs("burg-exports").await else { return };
    let Some(a) = TestServer::start_or_skip(burg_testkit::Backend::Sqlite).await else { return };
    let ca = a.client(Protocol::Grpc).await;
    let orgs = decode_orgs(&[generated_org(11, 1, 5)]);
    assert!(import(&ca, orgs.clone()).await.errors.is_empty());
    let ids = vec![orgs[0].org_id.clone()];
    let s3_endpoint = s3.endpoint.trim_start_matches("http://").to_string();
    let service_account = emulators::gcs_service_account(&gcs.endpoint);
    let exported: ExportDataResponse = ca
        .call(
            "ExportData",
            ExportDataRequest {
                org_ids: ids.clone(),
                with_passwords: true,
                with_otp: true,
                response_output: true,
                s3_output: Some(export_data_request::S3Output {
                    path: "nightly/instance.json".into(),
                    endpoint: s3_endpoint.clone(),
                    access_key_id: "test".into(),
                    secret_access_key: "test-secret".into(),
                    ssl: false,
                    bucket: "burg-exports".into(),
                }),
                gcs_output: Some(export_data_request::GcsOutput {
                    bucket: "burg-exports".into(),
                    serviceaccount_json: service_account.clone(),
                    path: "nightly/instance.json".into(),
                }),
                timeout: "1m".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(exported.orgs.len(), 1, "the response output too");

    let inputs = [
        import_data_request::Data::DataOrgsS3(import_data_request::S3Input {
            path: "nightly/instance.json".into(),
            endpoint: s3_endpoint,
            access_key_id: "test".into(),
            secret_access_key: "test-secret".into(),
            ssl: false,
            bucket: "burg-exports".into(),
        }),
        import_data_request::Data::DataOrgsGcs(import_data_request::GcsInput {
            bucket: "burg-exports".into(),
            serviceaccount_json: service_account,
            path: "nightly/instance.json".into(),
        }),
    ];
    for input in inputs {
        let Some(b) = TestServer::start_or_skip(burg_testkit::Backend::Sqlite).await else { return };
        let cb = b.client(Protocol::Rest).await;
        let report: ImportDataResponse =
            cb.call("ImportData", ImportDataRequest { data: Some(input), timeout: "1m".into() }).await.unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let moved = export(
            &cb,
            ExportDataRequest { org_ids: ids.clone(), with_passwords: true, with_otp: true, ..Default::default() },
        )
        .await;
        assert_eq!(canonical(&moved.orgs[0], true), canonical(&as_exported(&orgs[0], &ids), true));
        b.stop().await;
    }

    // A missing object is a clear error.
    let err = ca
        .call::<_, ImportDataResponse>(
            "ImportData",
            ImportDataRequest {
                data: Some(import_data_request::Data::DataOrgsGcs(import_data_request::GcsInput {
                    bucket: "burg-exports".into(),
                    serviceaccount_json: emulators::gcs_service_account(&gcs.endpoint),
                    path: "nope.json".into(),
                })),
                timeout: "1m".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::InvalidArgument);
    a.stop().await;
}

/// One write that touches two organizations (deleting an IdP removes the
/// links of users in both, in one transaction) lands during exports: each
/// export holds both organizations' links or neither.
async fn an_export_is_one_snapshot(backend: burg_testkit::Backend) {
    let Some(s) = TestServer::start_or_skip(backend).await else { return };
    let ctx = burg_app::Ctx::system("test");
    const USERS: u64 = 3000;
    let mut during = 0;
    // Rounds go on (to 12) until a delete has landed during an export: on
    // a loaded machine the delete may lose the race in several rounds.
    let mut rounds = 0;
    for round in 0..12u64 {
        rounds += 1;
        let idp: AddGenericOidcProviderResponse = s
            .client(Protocol::Grpc)
            .await
            .call(
                "AddGenericOIDCProvider",
                AddGenericOidcProviderRequest {
                    name: format!("Snapshot {round}"),
                    issuer: "https://issuer.example.com".into(),
                    client_id: "c".into(),
                    client_secret: "s".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let org = |o: u64| {
            let base = 360_000_000_000_000_000u64 + round * 100_000_000 + o * 1_000_000;
            let humans: Vec<Value> = (1..=USERS)
                .map(|u| {
                    json!({"userId": (base + u).to_string(), "user": {"userName": format!("u{round}-{o}-{u}"),
                    "profile": {"firstName": "F", "lastName": "L"}, "email": {"email": format!("u{u}@example.com")}}})
                })
                .collect();
            // One linked user per organization: the delete is quick, the
            // export of all the users is not.
            let links =
                vec![json!({"userId": (base + 1).to_string(), "idpId": idp.id, "providedUserId": format!("{o}")})];
            json!({"orgId": base.to_string(), "org": {"name": format!("Snap {round}-{o}")}, "humanUsers": humans, "userLinks": links})
        };
        let orgs = decode_orgs(&[org(0), org(1)]);
        let ids: Vec<String> = orgs.iter().map(|o| o.org_id.clone()).collect();
        let request = ImportDataRequest {
            data: Some(import_data_request::Data::DataOrgs(ImportDataOrg { orgs, ..Default::default() })),
            timeout: String::new(),
        };
        let report = s.app.import_data(&ctx, request).await.unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);

        let export = {
            let (app, ctx, ids) = (s.app.clone(), ctx.clone(), ids.clone());
            tokio::spawn(async move {
                let exported =
                    app.export_data(&ctx, ExportDataRequest { org_ids: ids, ..Default::default() }).await.unwrap();
                (exported, std::time::Instant::now())
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(round * 10)).await;
        s.app.delete_provider(&ctx, DeleteProviderRequest { id: idp.id.clone() }).await.unwrap();
        let deleted = std::time::Instant::now();
        let (exported, finished) = export.await.unwrap();
        let links: Vec<usize> = exported.orgs.iter().map(|o| o.user_links.len()).collect();
        assert_eq!(exported.orgs.len(), 2);
        assert!(links == [1, 1] || links == [0, 0], "round {round}: links per org {links:?}");
        during += usize::from(deleted < finished);
        if during > 0 && rounds >= 3 {
            break;
        }
    }
    // The delete committed while an export was still reading in some
    // rounds, or the check above proved nothing.
    assert!(during > 0, "no delete landed during an export");
    eprintln!("{backend:?}: the delete committed during {during} of {rounds} exports");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_is_one_snapshot_sqlite() {
    an_export_is_one_snapshot(burg_testkit::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_is_one_snapshot_postgres() {
    an_export_is_one_snapshot(burg_testkit::Backend::Postgres).await;
}
