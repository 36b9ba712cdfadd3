//! The instance's own section of an export (`burgInstance`): a configured
//! instance moves into a fresh one, and every Get answers the same there.

use std::sync::Arc;

use burg_api::admin::*;
use burg_testkit::{Backend, Client, Protocol, TestServer, matrix};
use serde_json::{Value, json};

use crate::label_policy::{png, upload};
use crate::orgs::setup_request;

/// Configures every part of the instance the section carries, through the
/// API; answers the id of a user made an IAM member.
async fn configure(s: &TestServer, r: &Client) -> String {
    let calls = [
        ("SetRestrictions", json!({"disallowPublicOrgRegistration": true, "allowedLanguages": {"list": ["en", "de"]}})),
        ("SetDefaultLanguage", json!({"language": "de"})),
        ("UpdatePasswordComplexityPolicy", json!({"minLength": 12, "hasUppercase": true, "hasNumber": true})),
        ("UpdateLockoutPolicy", json!({"maxPasswordAttempts": 5, "maxOtpAttempts": 3})),
        ("UpdatePrivacyPolicy", json!({"tosLink": "https://example.com/tos", "supportEmail": "help@example.com"})),
        ("AddSecondFactorToLoginPolicy", json!({"type": "SECOND_FACTOR_TYPE_OTP_EMAIL"})),
        ("SetSecurityPolicy", json!({"enableIframeEmbedding": true, "allowedOrigins": ["https://a.example.com"]})),
        (
            "UpdateSecretGenerator",
            json!({"generatorType": "SECRET_GENERATOR_TYPE_INIT_CODE", "length": 10, "expiry": "172800s",
                   "includeLowerLetters": true, "includeUpperLetters": false, "includeDigits": true}),
        ),
        ("AddInstanceTrustedDomain", json!({"domain": "login.example.com"})),
        ("SetCustomLoginText", json!({"language": "de", "selectAccountText": {"title": "Konto wählen"}})),
        ("SetDefaultInitMessageText", json!({"language": "de", "title": "Willkommen", "subject": "Ihr Konto"})),
        (
            "UpdateLabelPolicy",
            json!({"primaryColor": "#5469d4", "backgroundColor": "#fafafa", "warnColor": "#cd3d56",
                                     "fontColor": "#000000", "primaryColorDark": "#bbbafa",
                                     "backgroundColorDark": "#111827", "warnColorDark": "#ff3b5b",
                                     "fontColorDark": "#ffffff", "hideLoginNameSuffix": true}),
        ),
    ];
    for (rpc, body) in calls {
        r.call_json("AdminService", rpc, body).await.unwrap_or_else(|e| panic!("{rpc}: {e:?}"));
    }
    // A logo, activated; then a preview that differs from the active
    // policy, with a second logo.
    assert_eq!(upload(s, &s.admin_token, "logo", "brand.png", &png(3_000)).await.0, 200);
    r.call_json("AdminService", "ActivateLabelPolicy", json!({})).await.unwrap();
    r.call_json("AdminService", "UpdateLabelPolicy", json!({"primaryColor": "#123456"})).await.unwrap();
    assert_eq!(upload(s, &s.admin_token, "logo", "brand2.png", &png(5_000)).await.0, 200);

    let org = r.call_json("AdminService", "SetUpOrg", serde_json::to_value(setup_request("Globex")).unwrap());
    let org = org.await.unwrap();
    let user = org["userId"].as_str().unwrap().to_string();
    let member = json!({"userId": user, "roles": ["IAM_OWNER_VIEWER"]});
    r.call_json("AdminService", "AddIAMMember", member).await.unwrap();

    // Notification providers, one active; an identity provider the login
    // policy offers.
    let smtp = json!({"senderAddress": "noreply@example.com", "senderName": "Example", "host": "smtp.example.com:587",
                      "user": "mailer", "password": "smtp-secret", "tls": true, "description": "main"});
    let smtp = r.call_json("AdminService", "AddSMTPConfig", smtp).await.unwrap();
    r.call_json("AdminService", "ActivateSMTPConfig", json!({"id": smtp["id"]})).await.unwrap();
    let twilio =
        json!({"sid": "AC0001", "token": "twilio-token", "senderNumber": "+41791234567", "description": "sms"});
    r.call_json("AdminService", "AddSMSProviderTwilio", twilio).await.unwrap();
    let github = json!({"name": "GitHub", "clientId": "gh-client", "clientSecret": "gh-secret", "scopes": ["read:user"],
                        "providerOptions": {"isLinkingAllowed": true, "isCreationAllowed": true}});
    let github = r.call_json("AdminService", "AddGitHubProvider", github).await.unwrap();
    r.call_json("AdminService", "AddIDPToLoginPolicy", json!({"idpId": github["id"]})).await.unwrap();
    // Configurations of the first IdP API, one of them inactive.
    let old = json!({"name": "Old OIDC", "clientId": "old-client", "clientSecret": "old-secret",
                     "issuer": "https://issuer.example.com", "scopes": ["openid", "email"],
                     "usernameMapping": "OIDC_MAPPING_FIELD_EMAIL", "autoRegister": true});
    r.call_json("AdminService", "AddOIDCIDP", old).await.unwrap();
    let jwt = json!({"name": "Old JWT", "jwtEndpoint": "https://jwt.example.com/jwt", "issuer": "https://jwt.example.com",
                     "keysEndpoint": "https://jwt.example.com/keys", "headerName": "x-auth"});
    let jwt = r.call_json("AdminService", "AddJWTIDP", jwt).await.unwrap();
    r.call_json("AdminService", "DeactivateIDP", json!({"idpId": jwt["idpId"]})).await.unwrap();
    // Feature flags (Feature API v2) and a custom domain, which only a
    // system user adds (over gRPC: ZITADEL gives it no REST route).
    let flags = json!({"userSchema": true, "loginV2": {"required": true, "baseUri": "https://login.example.com"}});
    r.call_json("FeatureService", "SetInstanceFeatures", flags).await.unwrap();
    let system = s.client_with_token(Protocol::Grpc, &s.token_with_roles(&["SYSTEM_OWNER"]).await).await;
    let domain = burg_api::zitadel::instance::v2::AddCustomDomainRequest {
        instance_id: s.app.instance_id().to_string(),
        custom_domain: "auth.example.com".into(),
    };
    let _: burg_api::zitadel::instance::v2::AddCustomDomainResponse =
        system.call("AddCustomDomain", domain).await.unwrap();
    user
}

/// A service account of organization `org` with a token; answers the token.
async fn service_account(r: &Client, org: &str) -> String {
    let m = r.with_org(org);
    let body = json!({"userName": "robot", "name": "Robot", "accessTokenType": "ACCESS_TOKEN_TYPE_BEARER"});
    let user = m.call_json("ManagementService", "AddMachineUser", body).await.unwrap();
    let user = user["userId"].as_str().unwrap().to_string();
    let grant = json!({"userId": user, "roles": ["IAM_OWNER_VIEWER"]});
    r.call_json("AdminService", "AddIAMMember", grant).await.unwrap();
    let pat = m.call_json("ManagementService", "AddPersonalAccessToken", json!({"userId": user})).await.unwrap();
    pat["token"].as_str().unwrap().to_string()
}

/// The answers of every Get of what the section carries, without their
/// details (dates and sequences are each instance's own) and with the
/// server's address and the instance's id (in asset URLs) written as
/// `BASE` and `INSTANCE`.
async fn answers(s: &TestServer, r: &Client) -> Value {
    let reads = [
        ("GetLoginPolicy", json!({})),
        ("ListLoginPolicySecondFactors", json!({})),
        ("ListLoginPolicyMultiFactors", json!({})),
        ("GetPasswordComplexityPolicy", json!({})),
        ("GetPasswordAgePolicy", json!({})),
        ("GetLockoutPolicy", json!({})),
        ("GetPrivacyPolicy", json!({})),
        ("GetNotificationPolicy", json!({})),
        ("GetDomainPolicy", json!({})),
        ("GetOIDCSettings", json!({})),
        ("GetSecurityPolicy", json!({})),
        ("GetLabelPolicy", json!({})),
        ("GetPreviewLabelPolicy", json!({})),
        ("GetDefaultLanguage", json!({})),
        ("GetAllowedLanguages", json!({})),
        ("GetRestrictions", json!({})),
        ("ListSecretGenerators", json!({})),
        ("ListInstanceTrustedDomains", json!({})),
        ("GetCustomLoginTexts", json!({"language": "de"})),
        ("GetCustomInitMessageText", json!({"language": "de"})),
        ("GetCustomPasswordResetMessageText", json!({"language": "en"})),
        ("ListEmailProviders", json!({})),
        ("ListSMSProviders", json!({})),
        ("ListProviders", json!({})),
        ("ListLoginPolicyIDPs", json!({})),
        ("ListIDPs", json!({})),
        ("GetDefaultOrg", json!({})),
        ("ListInstanceDomains", json!({})),
    ];
    let v2_reads = [("FeatureService", "GetInstanceFeatures", json!({}))];
    let mut all = serde_json::Map::new();
    let reads = reads.into_iter().map(|(rpc, body)| ("AdminService", rpc, body)).chain(v2_reads);
    for (service, rpc, body) in reads {
        let answer = r.call_json(service, rpc, body).await.unwrap_or_else(|e| panic!("{rpc}: {e:?}"));
        all.insert(rpc.into(), strip(answer, &[(&s.base_url(), "BASE"), (s.app.instance_id(), "INSTANCE")]));
    }
    Value::Object(all)
}

fn strip(v: Value, names: &[(&str, &str)]) -> Value {
    match v {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(k, _)| k != "details").map(|(k, v)| (k, strip(v, names))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(|v| strip(v, names)).collect()),
        Value::String(text) => Value::String(names.iter().fold(text, |t, (from, to)| t.replace(from, to))),
        other => other,
    }
}

async fn file(s: &TestServer, path: &str) -> Vec<u8> {
    let url = format!("{}/assets/v1/instance/policy/label/{path}", s.base_url());
    let response = burg_testkit::http_client().get(url).bearer_auth(&s.admin_token).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.bytes().await.unwrap().to_vec()
}

matrix!(an_instance_moves_whole);

async fn an_instance_moves_whole(s: Arc<TestServer>, c: Client) {
    let r = s.client(Protocol::Rest).await;
    let member = configure(&s, &r).await;
    let orgs: Value = r.call_json("AdminService", "ListOrgs", json!({})).await.unwrap();
    let globex = orgs["result"].as_array().unwrap().iter().find(|o| o["name"] == "Globex").unwrap()["id"].clone();
    let robot = service_account(&r, globex.as_str().unwrap()).await;
    r.call_json("AdminService", "SetDefaultOrg", json!({"orgId": globex})).await.unwrap();
    let before = answers(&s, &r).await;

    // A default export has no instance section; an opted-in one has.
    let req = ExportDataRequest {
        org_ids: vec![globex.as_str().unwrap().into()],
        with_passwords: true,
        timeout: "5m".into(),
        ..Default::default()
    };
    let plain: ExportDataResponse = c.call("ExportData", req.clone()).await.unwrap();
    assert!(plain.burg_instance.is_none());
    let exported: ExportDataResponse =
        c.call("ExportData", ExportDataRequest { burg_with_instance: true, ..req.clone() }).await.unwrap();
    assert_eq!(exported.orgs.len(), 1);
    let section = serde_json::to_string(&exported.burg_instance).unwrap();
    for secret in ["smtp-secret", "twilio-token", "gh-secret", "old-secret"] {
        assert!(section.contains(secret), "{secret} travels with the passwords");
    }
    // Without the passwords, no secret leaves.
    let without = ExportDataRequest { with_passwords: false, burg_with_instance: true, ..req.clone() };
    let without: ExportDataResponse = c.call("ExportData", without).await.unwrap();
    let text = serde_json::to_string(&without.burg_instance).unwrap();
    for secret in ["smtp-secret", "twilio-token", "gh-secret", "old-secret", "BEGIN RSA"] {
        assert!(!text.contains(secret), "{secret} left without the passwords");
    }
    assert!(text.contains("tokenHash") && text.contains("gh-client"), "{text}");

    // A fresh instance on the same backend takes it in.
    let backend =
        if s.app.db().backend() == burg_store::Backend::Postgres { Backend::Postgres } else { Backend::Sqlite };
    let fresh = TestServer::start(backend).await.unwrap();
    let fc = fresh.client(c.protocol).await;
    let fr = fresh.client(Protocol::Rest).await;
    assert_ne!(answers(&fresh, &fr).await, before, "the fresh instance starts with other values");
    let import = ImportDataRequest {
        data: Some(import_data_request::Data::DataOrgs(ImportDataOrg {
            orgs: exported.orgs.clone(),
            burg_instance: exported.burg_instance.clone(),
        })),
        timeout: "5m".into(),
    };
    let report: ImportDataResponse = fc.call("ImportData", import.clone()).await.unwrap();
    // The source's administrator is in no organization of the document:
    // left out and reported, as an organization's members are.
    assert!(report.errors.iter().all(|e| e.r#type == "instance_iam_member" && e.id != member), "{:?}", report.errors);
    assert_eq!(answers(&fresh, &fr).await, before);
    assert_eq!(file(&fresh, "logo").await, file(&s, "logo").await);
    assert_eq!(file(&fresh, "logo/_preview").await, file(&s, "logo/_preview").await);
    let members: Value = fr.call_json("AdminService", "ListIAMMembers", json!({})).await.unwrap();
    let moved = members["result"].as_array().unwrap().iter().find(|m| m["userId"] == member.as_str()).cloned();
    assert_eq!(moved.unwrap()["roles"], json!(["IAM_OWNER_VIEWER"]));
    // The service account's token works on the new instance.
    let as_robot = fresh.client_with_token(Protocol::Rest, &robot).await;
    let policy = as_robot.call_json("AdminService", "GetLockoutPolicy", json!({})).await.unwrap();
    assert_eq!(policy["policy"]["maxPasswordAttempts"], "5");

    // Again, from a file this time: nothing to change, nothing written.
    let to_file = ExportDataRequest {
        burg_with_instance: true,
        local_output: Some(export_data_request::LocalOutput { path: "moved.json".into() }),
        ..req
    };
    let _: ExportDataResponse = c.call("ExportData", to_file).await.unwrap();
    std::fs::create_dir_all(fresh.data_dir().join("transfer")).unwrap();
    std::fs::copy(s.data_dir().join("transfer/moved.json"), fresh.data_dir().join("transfer/moved.json")).unwrap();
    let events = fresh.event_count().await;
    let again = crate::transfer::import_local(&fc, "moved.json").await.unwrap();
    let instance_errors = |r: &ImportDataResponse| {
        r.errors.iter().filter(|e| e.r#type.starts_with("instance_")).cloned().collect::<Vec<_>>()
    };
    assert_eq!(instance_errors(&again), instance_errors(&report));
    assert_eq!(fresh.event_count().await, events);
    fresh.stop().await;
}

matrix!(a_refused_section_changes_nothing);

async fn a_refused_section_changes_nothing(s: Arc<TestServer>, c: Client) {
    let r = s.client(Protocol::Rest).await;
    let exported: ExportDataResponse = c
        .call("ExportData", ExportDataRequest { burg_with_instance: true, timeout: "5m".into(), ..Default::default() })
        .await
        .unwrap();
    let mut section = serde_json::to_value(exported.burg_instance.unwrap()).unwrap();
    section["defaultLanguage"] = json!("de");
    section["settings"]["policy.lockout"]["maxPasswordAttempts"] = json!(9);
    section["settings"]["policy.label"]["preview"]["primaryColor"] = json!("blue-ish");
    let before = answers(&s, &r).await;
    let events = s.event_count().await;
    let import = ImportDataRequest {
        data: Some(import_data_request::Data::DataOrgs(ImportDataOrg {
            orgs: vec![],
            burg_instance: Some(serde_json::from_value(section).unwrap()),
        })),
        timeout: "5m".into(),
    };
    let report: ImportDataResponse = c.call("ImportData", import).await.unwrap();
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(report.errors[0].r#type, "instance_setting");
    assert_eq!(report.errors[0].id, "policy.label");
    assert!(report.errors[0].message.contains("primaryColor"), "{}", report.errors[0].message);
    assert_eq!(s.event_count().await, events);
    assert_eq!(answers(&s, &r).await, before);
}
