//! The Management API's message and login texts of an organization:
//! imported texts are the organization's own, read, changed, reset and
//! exported alike; without its own, an organization reads the instance's.

use std::sync::Arc;

use burg_api::admin;
use burg_api::management::*;
use burg_api::zitadel::text::v1::SelectAccountScreenText;
use burg_testkit::{Client, Protocol, TestServer, in_process, matrix};
use serde_json::{Value, json};
use tonic::Code;

const ORG: &str = "380000000000000001";

async fn imported(s: &TestServer) {
    let doc = json!({"orgs": [{
        "orgId": ORG, "org": {"name": "Texters"},
        "loginTexts": [{"language": "de", "selectAccountText": {"title": "Konto wählen", "description": "Bitte wählen"}}],
        "initMessages": [{"language": "de", "title": "Willkommen", "subject": "Hallo", "text": "Code {{.Code}}"}]
    }]});
    let r = s.client(Protocol::Rest).await;
    let report = r.call_json("AdminService", "ImportData", json!({"dataOrgs": doc, "timeout": "1m"})).await.unwrap();
    assert!(report.get("errors").is_none(), "{report}");
}

async fn exported(s: &TestServer) -> Value {
    let r = s.client(Protocol::Rest).await;
    let doc = r.call_json("AdminService", "ExportData", json!({"orgIds": [ORG]})).await.unwrap();
    doc["orgs"][0].clone()
}

matrix!(org_texts_imported_changed_exported);

async fn org_texts_imported_changed_exported(s: Arc<TestServer>, c: Client) {
    imported(&s).await;
    // The instance's own English title, which the organization falls back to.
    let inst = admin::SetDefaultInitMessageTextRequest {
        language: "en".into(),
        title: "Instance title".into(),
        ..Default::default()
    };
    let _: admin::SetDefaultInitMessageTextResponse = c.call("SetDefaultInitMessageText", inst).await.unwrap();
    let o = c.with_org(ORG);

    let get = |o: Client, language: &str| {
        let req = GetCustomInitMessageTextRequest { language: language.into() };
        async move {
            let got: GetCustomInitMessageTextResponse = o.call("GetCustomInitMessageText", req).await.unwrap();
            got.custom_text.unwrap()
        }
    };
    // The imported German texts are the organization's own.
    let de = get(o.clone(), "de").await;
    assert_eq!((de.title.as_str(), de.subject.as_str(), de.text.as_str()), ("Willkommen", "Hallo", "Code {{.Code}}"));
    assert!(!de.is_default && de.pre_header.is_empty());
    assert_eq!(de.details.as_ref().unwrap().resource_owner, ORG);
    // English: the instance's, marked as default.
    let en = get(o.clone(), "en").await;
    assert!(en.is_default);
    assert_eq!(en.title, "Instance title");
    assert!(!en.text.is_empty(), "burg's default text under the instance's title");
    assert_ne!(en.details.as_ref().unwrap().resource_owner, ORG);
    let default: GetDefaultInitMessageTextResponse =
        o.call("GetDefaultInitMessageText", GetDefaultInitMessageTextRequest { language: "de".into() }).await.unwrap();
    let default = default.custom_text.unwrap();
    assert!(default.is_default);
    assert_ne!(default.title, "Willkommen", "the default is never the organization's");

    // A change writes the keys that differ; the same again writes nothing.
    let set = SetCustomInitMessageTextRequest {
        language: "de".into(),
        title: "Servus".into(),
        subject: "Hallo".into(),
        greeting: "Liebe {{.DisplayName}}".into(),
        ..Default::default()
    };
    let done: SetCustomInitMessageTextResponse = o.call("SetCustomInitMessageText", set.clone()).await.unwrap();
    let sequence = done.details.unwrap().sequence;
    let again: SetCustomInitMessageTextResponse = o.call("SetCustomInitMessageText", set).await.unwrap();
    assert_eq!(again.details.unwrap().sequence, sequence);
    let de = get(o.clone(), "de").await;
    assert_eq!(
        (de.title.as_str(), de.subject.as_str(), de.greeting.as_str(), de.text.as_str()),
        ("Servus", "Hallo", "Liebe {{.DisplayName}}", "")
    );

    // Login texts: imported, then replaced (a field not given is emptied).
    let login = |o: Client, language: &str| {
        let req = GetCustomLoginTextsRequest { language: language.into() };
        async move {
            let got: GetCustomLoginTextsResponse = o.call("GetCustomLoginTexts", req).await.unwrap();
            got.custom_text.unwrap()
        }
    };
    let l = login(o.clone(), "de").await;
    let select = l.select_account_text.clone().unwrap();
    assert_eq!((select.title.as_str(), select.description.as_str()), ("Konto wählen", "Bitte wählen"));
    assert!(!l.is_default);
    let fr = login(o.clone(), "fr").await;
    assert!(fr.is_default && fr.select_account_text.is_none());
    let set_login = SetCustomLoginTextsRequest {
        language: "de".into(),
        select_account_text: Some(SelectAccountScreenText { title: "Wer bist du?".into(), ..Default::default() }),
        ..Default::default()
    };
    let _: SetCustomLoginTextsResponse = o.call("SetCustomLoginText", set_login).await.unwrap();
    let select = login(o.clone(), "de").await.select_account_text.unwrap();
    assert_eq!((select.title.as_str(), select.description.as_str()), ("Wer bist du?", ""));
    let default: GetDefaultLoginTextsResponse =
        o.call("GetDefaultLoginTexts", GetDefaultLoginTextsRequest { language: "de".into() }).await.unwrap();
    let default = default.custom_text.unwrap();
    assert!(default.is_default && !default.select_account_text.unwrap().title.is_empty());

    // New texts of a template the import had none of; the SMS text.
    let reset_text = SetCustomPasswordResetMessageTextRequest {
        language: "en".into(),
        title: "Reset".into(),
        text: "Your code: {{.Code}}".into(),
        ..Default::default()
    };
    let _: SetCustomPasswordResetMessageTextResponse =
        o.call("SetCustomPasswordResetMessageText", reset_text).await.unwrap();
    let sms = SetCustomVerifySmsotpMessageTextRequest { language: "de".into(), text: "Code: {{.OTP}}".into() };
    let _: SetCustomVerifySmsotpMessageTextResponse = o.call("SetCustomVerifySMSOTPMessageText", sms).await.unwrap();
    let got: GetCustomVerifySmsotpMessageTextResponse = o
        .call("GetCustomVerifySMSOTPMessageText", GetCustomVerifySmsotpMessageTextRequest { language: "de".into() })
        .await
        .unwrap();
    assert_eq!(got.custom_text.unwrap().text, "Code: {{.OTP}}");

    // The export writes the organization's texts in the import's shape.
    let doc = exported(&s).await;
    assert_eq!(
        doc["initMessages"],
        json!([{"language": "de", "title": "Servus", "subject": "Hallo", "greeting": "Liebe {{.DisplayName}}"}])
    );
    assert_eq!(doc["loginTexts"], json!([{"language": "de", "selectAccountText": {"title": "Wer bist du?"}}]));
    assert_eq!(
        doc["passwordResetMessages"],
        json!([{"language": "en", "title": "Reset", "text": "Your code: {{.Code}}"}])
    );

    // Reset: the organization reads the instance's again; a second reset
    // finds nothing.
    let reset = ResetCustomInitMessageTextToDefaultRequest { language: "de".into() };
    let _: ResetCustomInitMessageTextToDefaultResponse =
        o.call("ResetCustomInitMessageTextToDefault", reset.clone()).await.unwrap();
    assert!(get(o.clone(), "de").await.is_default);
    let err = o
        .call::<_, ResetCustomInitMessageTextToDefaultResponse>("ResetCustomInitMessageTextToDefault", reset)
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "Org-3b8Jf"));
    let reset = ResetCustomLoginTextsToDefaultRequest { language: "de".into() };
    let _: ResetCustomLoginTextsToDefaultResponse = o.call("ResetCustomLoginTextToDefault", reset).await.unwrap();
    assert!(login(o.clone(), "de").await.is_default);
    let doc = exported(&s).await;
    assert!(doc.get("initMessages").is_none() && doc.get("loginTexts").is_none(), "{doc}");
    assert!(doc.get("passwordResetMessages").is_some());

    // The events are ZITADEL's, on the organization.
    let rest = s.client(Protocol::Rest).await;
    let events = rest
        .call_json(
            "AdminService",
            "ListEvents",
            json!({"aggregateTypes": ["org"], "aggregateId": ORG, "asc": true, "limit": 100}),
        )
        .await
        .unwrap();
    let types: Vec<&str> =
        events["events"].as_array().unwrap().iter().filter_map(|e| e["type"]["type"].as_str()).collect();
    for t in ["org.customtext.set", "org.customtext.removed", "org.customtext.template.removed"] {
        assert!(types.contains(&t), "{t} in {types:?}");
    }
}

in_process!(org_text_errors);

async fn org_text_errors(s: Arc<TestServer>, c: Client) {
    let set = |language: &str| SetCustomInitMessageTextRequest {
        language: language.into(),
        title: "x".into(),
        ..Default::default()
    };
    let err = c.call::<_, SetCustomInitMessageTextResponse>("SetCustomInitMessageText", set("!!")).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "LANG-3M9f2"));
    let err = c.call::<_, SetCustomInitMessageTextResponse>("SetCustomInitMessageText", set("tlh")).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "LANG-lg4DP"));
    let err = c
        .call::<_, SetCustomInitMessageTextResponse>("SetCustomInitMessageText", set(&"a".repeat(201)))
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "VALID-rules"));
    assert!(err.message.contains("Language"), "{}", err.message);
    let err = c
        .call::<_, ResetCustomLoginTextsToDefaultResponse>(
            "ResetCustomLoginTextToDefault",
            ResetCustomLoginTextsToDefaultRequest { language: "!!".into() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "Org-5ZZmo"));
    let err = c
        .call::<_, ResetCustomLoginTextsToDefaultResponse>(
            "ResetCustomLoginTextToDefault",
            ResetCustomLoginTextsToDefaultRequest { language: "de".into() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "Org-9ru44"));
    let err = c
        .call::<_, ResetCustomInviteUserMessageTextToDefaultResponse>(
            "ResetCustomInviteUserMessageTextToDefault",
            ResetCustomInviteUserMessageTextToDefaultRequest { language: "!!".into() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "Org-j59f"));

    // A user manager of the organization reads its texts but changes none.
    let org: AddOrgResponse = c.call("AddOrg", AddOrgRequest { name: "Readers".into() }).await.unwrap();
    let manager =
        s.app.create_service_account(Some("user-manager"), &["ORG_USER_MANAGER".into()], Some(&org.id), None).await;
    let manager = c.with_token(manager.unwrap().token.expose()).with_org(&org.id);
    let err = manager.call::<_, SetCustomInitMessageTextResponse>("SetCustomInitMessageText", set("de")).await;
    assert_eq!(err.unwrap_err().code, Code::PermissionDenied);
    let got: GetCustomLoginTextsResponse =
        manager.call("GetCustomLoginTexts", GetCustomLoginTextsRequest { language: "de".into() }).await.unwrap();
    assert!(got.custom_text.unwrap().is_default);
    // A settings manager of the organization may.
    let settings =
        s.app.create_service_account(Some("settings"), &["ORG_SETTINGS_MANAGER".into()], Some(&org.id), None).await;
    let settings = c.with_token(settings.unwrap().token.expose()).with_org(&org.id);
    let _: SetCustomInitMessageTextResponse = settings.call("SetCustomInitMessageText", set("de")).await.unwrap();
}

/// The Management API's RPCs that set and get an organization's message
/// texts of each type.
const MESSAGE_TEXTS: [(&str, &str); 10] = [
    ("SetCustomInitMessageText", "GetCustomInitMessageText"),
    ("SetCustomPasswordResetMessageText", "GetCustomPasswordResetMessageText"),
    ("SetCustomVerifyEmailMessageText", "GetCustomVerifyEmailMessageText"),
    ("SetCustomVerifyPhoneMessageText", "GetCustomVerifyPhoneMessageText"),
    ("SetCustomDomainClaimedMessageCustomText", "GetCustomDomainClaimedMessageText"),
    ("SetCustomPasswordlessRegistrationMessageCustomText", "GetCustomPasswordlessRegistrationMessageText"),
    ("SetCustomPasswordChangeMessageCustomText", "GetCustomPasswordChangeMessageText"),
    ("SetCustomVerifySMSOTPMessageText", "GetCustomVerifySMSOTPMessageText"),
    ("SetCustomVerifyEmailOTPMessageText", "GetCustomVerifyEmailOTPMessageText"),
    ("SetCustomInviteUserMessageCustomText", "GetCustomInviteUserMessageText"),
];

/// Each message text of `o`'s organization in German, and its login texts.
async fn org_texts_shown(o: &Client) -> Vec<Value> {
    let mut shown = Vec::new();
    for get in MESSAGE_TEXTS.iter().map(|(_, get)| *get).chain(["GetCustomLoginTexts"]) {
        let got = o.call_json("ManagementService", get, json!({"language": "de"})).await.unwrap();
        let mut text = got["customText"].clone();
        text.as_object_mut().unwrap().remove("details");
        shown.push(text);
    }
    shown
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_org_text_moves_with_an_export_sqlite() {
    every_org_text_moves_with_an_export(burg_testkit::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_org_text_moves_with_an_export_postgres() {
    every_org_text_moves_with_an_export(burg_testkit::Backend::Postgres).await;
}

/// Every message text type and the login texts set through the API are in
/// the next export (the password change texts, which ZITADEL's `DataOrg`
/// has no member for, in burg's `burgPasswordChangeMessages`) and read the
/// same after an import into another server.
async fn every_org_text_moves_with_an_export(backend: burg_testkit::Backend) {
    let Some(s) = TestServer::start_or_skip(backend).await else { return };
    imported(&s).await;
    let o = s.client(Protocol::Rest).await.with_org(ORG);
    for (i, (set, _)) in MESSAGE_TEXTS.iter().enumerate() {
        let texts = json!({"language": "de", "title": format!("Titel {i}"), "subject": format!("Betreff {i}"),
                           "text": format!("Text {i} {{{{.Code}}}}"), "footerText": format!("Fuß {i}")});
        o.call_json("ManagementService", set, texts).await.unwrap_or_else(|e| panic!("{set}: {e:?}"));
    }
    let login = json!({"language": "de", "loginText": {"title": "Anmelden", "description": "Bei den Textern"}});
    o.call_json("ManagementService", "SetCustomLoginText", login).await.unwrap();
    let before = org_texts_shown(&o).await;
    // Each the organization's own (an SMS has a text only).
    for (i, text) in before.iter().take(MESSAGE_TEXTS.len()).enumerate() {
        let expected = format!("Text {i} {{{{.Code}}}}");
        assert_eq!((text["text"].as_str(), text.get("isDefault")), (Some(expected.as_str()), None), "{i}");
    }

    let doc = exported(&s).await;
    let change = &doc["burgPasswordChangeMessages"];
    assert_eq!(
        change,
        &json!([{"language": "de", "title": "Titel 6", "subject": "Betreff 6",
                                "text": "Text 6 {{.Code}}", "footerText": "Fuß 6"}])
    );
    assert_eq!(doc["inviteUserMessages"][0]["title"], "Titel 9");
    assert_eq!(doc["loginTexts"][0]["loginText"]["title"], "Anmelden");

    let Some(t) = TestServer::start_or_skip(backend).await else { return };
    let r = t.client(Protocol::Rest).await;
    let report =
        r.call_json("AdminService", "ImportData", json!({"dataOrgs": {"orgs": [doc]}, "timeout": "1m"})).await.unwrap();
    assert!(report.get("errors").is_none(), "{report}");
    assert_eq!(org_texts_shown(&r.with_org(ORG)).await, before);
    t.stop().await;
    s.stop().await;
}
