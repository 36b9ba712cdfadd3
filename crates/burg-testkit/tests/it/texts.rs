//! Message texts, allowed languages and restrictions of the Admin API
//! (issue 18): burg's default texts in English and German and the
//! fallback, set → get custom → reset with ZITADEL's events and answers,
//! ZITADEL's checks and error ids. Permissions are covered by the
//! authorization table (`authz.rs`).

use std::sync::Arc;

use burg_api::admin::*;
use burg_testkit::{Client, TestServer, in_process, matrix};
use serde_json::json;
use tonic::Code;

use crate::events::{last, stored};

matrix!(default_message_texts, custom_message_text_set_and_reset, login_texts, restrictions_and_allowed_languages);

async fn default_message_texts(_s: Arc<TestServer>, c: Client) {
    let en: GetDefaultInitMessageTextResponse =
        c.call("GetDefaultInitMessageText", GetDefaultInitMessageTextRequest { language: "en".into() }).await.unwrap();
    let en = en.custom_text.unwrap();
    assert_eq!(en.title, "Set up your account");
    assert!(en.text.contains("{{.PreferredLoginName}}") && en.text.contains("{{.Code}}"), "{}", en.text);
    assert!(!en.is_default);
    for field in [&en.pre_header, &en.subject, &en.greeting, &en.button_text, &en.footer_text] {
        assert!(!field.is_empty());
    }
    let de: GetDefaultInitMessageTextResponse =
        c.call("GetDefaultInitMessageText", GetDefaultInitMessageTextRequest { language: "de".into() }).await.unwrap();
    assert_eq!(de.custom_text.unwrap().title, "Konto einrichten");
    // A language without burg's texts: the instance's default language (en).
    let it: GetDefaultInitMessageTextResponse =
        c.call("GetDefaultInitMessageText", GetDefaultInitMessageTextRequest { language: "it".into() }).await.unwrap();
    assert_eq!(it.custom_text.unwrap().title, en.title);
    // Another type, to see the table reach each.
    let otp: GetDefaultVerifySmsotpMessageTextResponse = c
        .call("GetDefaultVerifySMSOTPMessageText", GetDefaultVerifySmsotpMessageTextRequest { language: "de".into() })
        .await
        .unwrap();
    assert!(otp.custom_text.unwrap().text.starts_with("{{.OTP}} ist Ihr Code"));
    let invite: GetDefaultInviteUserMessageTextResponse = c
        .call("GetDefaultInviteUserMessageText", GetDefaultInviteUserMessageTextRequest { language: "en".into() })
        .await
        .unwrap();
    assert!(invite.custom_text.unwrap().title.contains("{{.ApplicationName}}"));

    // The instance's default language moves the fallback.
    let _: SetDefaultLanguageResponse =
        c.call("SetDefaultLanguage", SetDefaultLanguageRequest { language: "de".into() }).await.unwrap();
    let it: GetDefaultPasswordResetMessageTextResponse = c
        .call("GetDefaultPasswordResetMessageText", GetDefaultPasswordResetMessageTextRequest { language: "it".into() })
        .await
        .unwrap();
    assert_eq!(it.custom_text.unwrap().title, "Passwort zurücksetzen");
}

async fn custom_message_text_set_and_reset(s: Arc<TestServer>, c: Client) {
    let instance = s.app.instance_id().to_string();
    // Nothing custom: the defaults, marked as such.
    let got: GetCustomInitMessageTextResponse =
        c.call("GetCustomInitMessageText", GetCustomInitMessageTextRequest { language: "de".into() }).await.unwrap();
    let got = got.custom_text.unwrap();
    assert!(got.is_default);
    assert_eq!(got.title, "Konto einrichten");
    let details = got.details.unwrap();
    assert_eq!((details.sequence, details.resource_owner.as_str()), (0, instance.as_str()));

    let set = SetDefaultInitMessageTextRequest {
        language: "de".into(),
        title: "Willkommen".into(),
        subject: "Hallo {{.FirstName}}".into(),
        text: "Code {{.Code}}".into(),
        ..Default::default()
    };
    let before = s.event_count().await;
    let changed: SetDefaultInitMessageTextResponse = c.call("SetDefaultInitMessageText", set.clone()).await.unwrap();
    assert_eq!(s.event_count().await, before + 3, "one event per key");
    let changed = changed.details.unwrap();
    assert!(changed.change_date.is_some() && changed.creation_date.is_none());
    assert_eq!(changed.resource_owner, instance);
    assert_eq!(
        last(&s, "instance.customtext.set").await,
        json!({"template": "InitCode", "key": "Text", "language": "de", "text": "Code {{.Code}}"})
    );

    // Custom: what was set, the other keys empty; not the defaults.
    let got: GetCustomInitMessageTextResponse =
        c.call("GetCustomInitMessageText", GetCustomInitMessageTextRequest { language: "de".into() }).await.unwrap();
    let got = got.custom_text.unwrap();
    assert!(!got.is_default);
    assert_eq!(
        (got.title.as_str(), got.subject.as_str(), got.text.as_str()),
        ("Willkommen", "Hallo {{.FirstName}}", "Code {{.Code}}")
    );
    assert_eq!((got.greeting.as_str(), got.button_text.as_str()), ("", ""));
    assert_eq!(got.details.unwrap().sequence, changed.sequence, "read your write");
    // Other languages and types stay default.
    let en: GetCustomInitMessageTextResponse =
        c.call("GetCustomInitMessageText", GetCustomInitMessageTextRequest { language: "en".into() }).await.unwrap();
    assert!(en.custom_text.unwrap().is_default);
    let other: GetCustomPasswordChangeMessageTextResponse = c
        .call("GetCustomPasswordChangeMessageText", GetCustomPasswordChangeMessageTextRequest { language: "de".into() })
        .await
        .unwrap();
    assert!(other.custom_text.unwrap().is_default);

    // The same again writes nothing and answers the current details.
    let again: SetDefaultInitMessageTextResponse = c.call("SetDefaultInitMessageText", set.clone()).await.unwrap();
    assert_eq!(s.event_count().await, before + 3);
    assert_eq!(again.details.unwrap().sequence, changed.sequence);

    // Emptying a key removes it.
    let fewer = SetDefaultInitMessageTextRequest { subject: String::new(), ..set.clone() };
    let _: SetDefaultInitMessageTextResponse = c.call("SetDefaultInitMessageText", fewer).await.unwrap();
    assert_eq!(
        stored(&s, "instance.customtext.removed").await,
        [json!({"template": "InitCode", "key": "Subject", "language": "de"})]
    );
    let got: GetCustomInitMessageTextResponse =
        c.call("GetCustomInitMessageText", GetCustomInitMessageTextRequest { language: "de".into() }).await.unwrap();
    let got = got.custom_text.unwrap();
    assert_eq!((got.subject.as_str(), got.title.as_str(), got.is_default), ("", "Willkommen", false));

    // Reset: one template event; the defaults again.
    let reset: ResetCustomInitMessageTextToDefaultResponse = c
        .call(
            "ResetCustomInitMessageTextToDefault",
            ResetCustomInitMessageTextToDefaultRequest { language: "de".into() },
        )
        .await
        .unwrap();
    assert!(reset.details.unwrap().change_date.is_some());
    assert_eq!(
        last(&s, "instance.customtext.template.removed").await,
        json!({"template": "InitCode", "language": "de"})
    );
    let got: GetCustomInitMessageTextResponse =
        c.call("GetCustomInitMessageText", GetCustomInitMessageTextRequest { language: "de".into() }).await.unwrap();
    let got = got.custom_text.unwrap();
    assert!(got.is_default);
    assert_eq!(got.title, "Konto einrichten");
    // A second reset finds nothing.
    let err = c
        .call::<_, ResetCustomInitMessageTextToDefaultResponse>(
            "ResetCustomInitMessageTextToDefault",
            ResetCustomInitMessageTextToDefaultRequest { language: "de".into() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "INSTANCE-fju90"));

    // Every type has its own texts: the last of the table.
    let set = SetDefaultInviteUserMessageTextRequest {
        language: "en".into(),
        button_text: "Join".into(),
        ..Default::default()
    };
    let _: SetDefaultInviteUserMessageTextResponse = c.call("SetDefaultInviteUserMessageText", set).await.unwrap();
    let got: GetCustomInviteUserMessageTextResponse = c
        .call("GetCustomInviteUserMessageText", GetCustomInviteUserMessageTextRequest { language: "en".into() })
        .await
        .unwrap();
    assert_eq!(got.custom_text.unwrap().button_text, "Join");
    assert_eq!(last(&s, "instance.customtext.set").await["template"], "InviteUser");
    assert_eq!(s.unlisted_event_types(&c).await, Vec::<String>::new(), "ListEventTypes names them");
}

async fn login_texts(s: Arc<TestServer>, c: Client) {
    use burg_api::zitadel::text::v1::{FooterText, LoginScreenText, SelectAccountScreenText};
    let instance = s.app.instance_id().to_string();
    let get_default = |language: &str| {
        let c = c.clone();
        let req = GetDefaultLoginTextsRequest { language: language.into() };
        async move {
            let r: GetDefaultLoginTextsResponse = c.call("GetDefaultLoginTexts", req).await.unwrap();
            r.custom_text.unwrap()
        }
    };
    let en = get_default("en").await;
    assert!(en.is_default);
    assert_eq!(en.login_text.as_ref().unwrap().title, "Sign in");
    assert_eq!(en.footer_text.as_ref().unwrap().support_email, "Contact support");
    assert!(en.select_account_text.as_ref().unwrap().user_must_be_member_of_org.contains("{{.OrgName}}"));
    assert_eq!(en.details.as_ref().unwrap().resource_owner, instance);
    let de = get_default("de").await;
    assert_eq!(de.login_text.as_ref().unwrap().title, "Anmelden");
    assert_eq!(de.external_registration_user_overview_text.unwrap().nickname_label, "Spitzname");
    // No texts of burg in Japanese: the default language's.
    assert_eq!(get_default("ja").await.login_text.unwrap().title, "Sign in");

    // Nothing custom: empty texts, marked as default (ZITADEL's answer).
    let get_custom = |language: &str| {
        let c = c.clone();
        let req = GetCustomLoginTextsRequest { language: language.into() };
        async move {
            let r: GetCustomLoginTextsResponse = c.call("GetCustomLoginTexts", req).await.unwrap();
            r.custom_text.unwrap()
        }
    };
    let none = get_custom("de").await;
    assert!(none.is_default);
    assert!(none.login_text.is_none() && none.footer_text.is_none());

    let set = SetCustomLoginTextsRequest {
        language: "de".into(),
        login_text: Some(LoginScreenText {
            title: "Willkommen".into(),
            user_name_placeholder: "name".into(),
            ..Default::default()
        }),
        select_account_text: Some(SelectAccountScreenText {
            session_state_active: "aktiv".into(),
            ..Default::default()
        }),
        footer_text: Some(FooterText { help: "Hilfe!".into(), ..Default::default() }),
        ..Default::default()
    };
    let before = s.event_count().await;
    let changed: SetCustomLoginTextsResponse = c.call("SetCustomLoginText", set.clone()).await.unwrap();
    assert_eq!(s.event_count().await, before + 4, "one event per key");
    let keys: Vec<String> = stored(&s, "instance.customtext.set")
        .await
        .iter()
        .map(|p| format!("{}:{}", p["template"].as_str().unwrap(), p["key"].as_str().unwrap()))
        .collect();
    assert_eq!(
        keys,
        [
            "Login:SelectAccount.SessionState0",
            "Login:Login.Title",
            "Login:Login.UsernamePlaceHolder",
            "Login:Footer.Help"
        ],
        "ZITADEL's keys"
    );
    let custom = get_custom("de").await;
    assert!(!custom.is_default);
    let login = custom.login_text.unwrap();
    assert_eq!(
        (login.title.as_str(), login.user_name_placeholder.as_str(), login.description.as_str()),
        ("Willkommen", "name", "")
    );
    assert_eq!(custom.select_account_text.unwrap().session_state_active, "aktiv");
    assert_eq!(custom.footer_text.unwrap().help, "Hilfe!");
    assert_eq!(custom.details.unwrap().sequence, changed.details.unwrap().sequence);

    // The same again writes nothing; emptying a key removes it.
    let _: SetCustomLoginTextsResponse = c.call("SetCustomLoginText", set.clone()).await.unwrap();
    assert_eq!(s.event_count().await, before + 4);
    let fewer = SetCustomLoginTextsRequest { footer_text: None, ..set };
    let _: SetCustomLoginTextsResponse = c.call("SetCustomLoginText", fewer).await.unwrap();
    assert_eq!(
        last(&s, "instance.customtext.removed").await,
        json!({"template": "Login", "key": "Footer.Help", "language": "de"})
    );
    assert!(get_custom("de").await.footer_text.is_none());

    let _: ResetCustomLoginTextsToDefaultResponse = c
        .call("ResetCustomLoginTextToDefault", ResetCustomLoginTextsToDefaultRequest { language: "de".into() })
        .await
        .unwrap();
    assert_eq!(last(&s, "instance.customtext.template.removed").await, json!({"template": "Login", "language": "de"}));
    assert!(get_custom("de").await.is_default);
    let err = c
        .call::<_, ResetCustomLoginTextsToDefaultResponse>(
            "ResetCustomLoginTextToDefault",
            ResetCustomLoginTextsToDefaultRequest { language: "de".into() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "IAM-fru44"));
}

in_process!(message_text_checks_answer_as_zitadel);

async fn message_text_checks_answer_as_zitadel(s: Arc<TestServer>, c: Client) {
    let before = s.event_count().await;
    let cases = [("xx-!", Code::InvalidArgument, "LANG-3M9f2"), ("eo", Code::InvalidArgument, "LANG-lg4DP")];
    for (language, code, id) in cases {
        let set = SetDefaultVerifyEmailMessageTextRequest {
            language: language.into(),
            title: "t".into(),
            ..Default::default()
        };
        let err = c
            .call::<_, SetDefaultVerifyEmailMessageTextResponse>("SetDefaultVerifyEmailMessageText", set)
            .await
            .unwrap_err();
        assert_eq!((err.code, err.id.as_str()), (code, id), "{language}");
        assert!(err.message.contains("language"), "{}", err.message);
    }
    // The proto's rules come first: a language of more than 200 runes.
    let long = SetDefaultVerifyEmailMessageTextRequest { language: "a".repeat(201), ..Default::default() };
    let err = c
        .call::<_, SetDefaultVerifyEmailMessageTextResponse>("SetDefaultVerifyEmailMessageText", long)
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "VALID-rules"));
    // A reset of something that is no language tag.
    let err = c
        .call::<_, ResetCustomVerifyEmailMessageTextToDefaultResponse>(
            "ResetCustomVerifyEmailMessageTextToDefault",
            ResetCustomVerifyEmailMessageTextToDefaultRequest { language: "--".into() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "INSTANCE-fjw9b"));
    assert_eq!(s.event_count().await, before, "nothing written");

    // A supported language that the restrictions do not allow may still
    // get texts (ZITADEL checks only that it is supported).
    let restrict = SetRestrictionsRequest {
        allowed_languages: Some(SelectLanguages { list: vec!["en".into()] }),
        ..Default::default()
    };
    let _: SetRestrictionsResponse = c.call("SetRestrictions", restrict).await.unwrap();
    let set =
        SetDefaultVerifyEmailMessageTextRequest { language: "fr".into(), title: "t".into(), ..Default::default() };
    let _: SetDefaultVerifyEmailMessageTextResponse = c.call("SetDefaultVerifyEmailMessageText", set).await.unwrap();
    // A tag is stored in its canonical case.
    let set =
        SetDefaultVerifyEmailMessageTextRequest { language: "ZH-tw".into(), title: "t".into(), ..Default::default() };
    let _: SetDefaultVerifyEmailMessageTextResponse = c.call("SetDefaultVerifyEmailMessageText", set).await.unwrap();
    assert_eq!(last(&s, "instance.customtext.set").await["language"], "zh-TW");

    // Login texts: the same checks, ZITADEL's ids of the IAM.
    let set = SetCustomLoginTextsRequest { language: "eo".into(), ..Default::default() };
    let err = c.call::<_, SetCustomLoginTextsResponse>("SetCustomLoginText", set).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "LANG-lg4DP"));
    let err = c
        .call::<_, ResetCustomLoginTextsToDefaultResponse>(
            "ResetCustomLoginTextToDefault",
            ResetCustomLoginTextsToDefaultRequest { language: "--".into() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "IAM-Gfbg3"));
    // Setting nothing on a language without texts writes nothing.
    let before = s.event_count().await;
    let r: SetCustomLoginTextsResponse = c
        .call("SetCustomLoginText", SetCustomLoginTextsRequest { language: "it".into(), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(r.details.unwrap().sequence, 0);
    assert_eq!(s.event_count().await, before);
}

async fn restrictions_and_allowed_languages(s: Arc<TestServer>, c: Client) {
    let instance = s.app.instance_id().to_string();
    // Nothing set: no restriction, every supported language allowed.
    let got: GetRestrictionsResponse = c.call("GetRestrictions", GetRestrictionsRequest {}).await.unwrap();
    assert!(!got.disallow_public_org_registration);
    assert!(got.allowed_languages.is_empty());
    assert_eq!(got.details.unwrap().sequence, 0);
    let allowed: GetAllowedLanguagesResponse =
        c.call("GetAllowedLanguages", GetAllowedLanguagesRequest {}).await.unwrap();
    let supported: GetSupportedLanguagesResponse =
        c.call("GetSupportedLanguages", GetSupportedLanguagesRequest {}).await.unwrap();
    assert_eq!(allowed.languages, supported.languages);

    let set = SetRestrictionsRequest {
        disallow_public_org_registration: Some(true),
        allowed_languages: Some(SelectLanguages { list: vec!["de".into(), "en".into()] }),
    };
    let changed: SetRestrictionsResponse = c.call("SetRestrictions", set.clone()).await.unwrap();
    let changed = changed.details.unwrap();
    assert_eq!(changed.resource_owner, instance);
    assert_eq!(
        last(&s, "restrictions.set").await,
        json!({"disallowPublicOrgRegistration": true, "allowedLanguages": ["de", "en"]})
    );
    let aggregate: String =
        sqlx::query_scalar("SELECT aggregate_type FROM events WHERE event_type = 'restrictions.set'")
            .fetch_one(s.app.db().pool())
            .await
            .unwrap();
    assert_eq!(aggregate, "restrictions");
    let got: GetRestrictionsResponse = c.call("GetRestrictions", GetRestrictionsRequest {}).await.unwrap();
    assert!(got.disallow_public_org_registration);
    assert_eq!(got.allowed_languages, ["de", "en"]);
    assert_eq!(got.details.unwrap().sequence, changed.sequence);
    let allowed: GetAllowedLanguagesResponse =
        c.call("GetAllowedLanguages", GetAllowedLanguagesRequest {}).await.unwrap();
    assert_eq!(allowed.languages, ["de", "en"]);

    // The same set again writes nothing; the same languages in another
    // order are the same.
    let before = s.event_count().await;
    let same = SetRestrictionsRequest {
        disallow_public_org_registration: Some(true),
        allowed_languages: Some(SelectLanguages { list: vec!["en".into(), "de".into()] }),
    };
    let again: SetRestrictionsResponse = c.call("SetRestrictions", same).await.unwrap();
    assert_eq!(s.event_count().await, before);
    assert_eq!(again.details.unwrap().sequence, changed.sequence);

    // Only the member that changes is written; the other stays.
    let open = SetRestrictionsRequest { disallow_public_org_registration: Some(false), allowed_languages: None };
    let _: SetRestrictionsResponse = c.call("SetRestrictions", open).await.unwrap();
    assert_eq!(last(&s, "restrictions.set").await, json!({"disallowPublicOrgRegistration": false}));
    let got: GetRestrictionsResponse = c.call("GetRestrictions", GetRestrictionsRequest {}).await.unwrap();
    assert_eq!((got.disallow_public_org_registration, got.allowed_languages.len()), (false, 2));

    // The default language must stay allowed, both ways.
    let err = c
        .call::<_, SetDefaultLanguageResponse>(
            "SetDefaultLanguage",
            SetDefaultLanguageRequest { language: "fr".into() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "LANG-2M9fs"));
    let _: SetDefaultLanguageResponse =
        c.call("SetDefaultLanguage", SetDefaultLanguageRequest { language: "de".into() }).await.unwrap();

    // An empty list allows every language again.
    let all =
        SetRestrictionsRequest { allowed_languages: Some(SelectLanguages { list: vec![] }), ..Default::default() };
    let _: SetRestrictionsResponse = c.call("SetRestrictions", all).await.unwrap();
    assert_eq!(last(&s, "restrictions.set").await, json!({"allowedLanguages": []}));
    let allowed: GetAllowedLanguagesResponse =
        c.call("GetAllowedLanguages", GetAllowedLanguagesRequest {}).await.unwrap();
    assert_eq!(allowed.languages, supported.languages);
    let aggregates: i64 =
        sqlx::query_scalar("SELECT COUNT(DISTINCT aggregate_id) FROM events WHERE event_type = 'restrictions.set'")
            .fetch_one(s.app.db().pool())
            .await
            .unwrap();
    assert_eq!(aggregates, 1, "one restrictions aggregate");
    assert_eq!(s.unlisted_event_types(&c).await, Vec::<String>::new(), "ListEventTypes names it");
    let types: ListAggregateTypesResponse = c.call("ListAggregateTypes", ListAggregateTypesRequest {}).await.unwrap();
    assert!(types.aggregate_types.iter().any(|t| t.r#type == "restrictions"));
}

in_process!(restriction_checks_answer_as_zitadel);

async fn restriction_checks_answer_as_zitadel(s: Arc<TestServer>, c: Client) {
    let before = s.event_count().await;
    let langs = |l: &[&str]| Some(SelectLanguages { list: l.iter().map(|x| x.to_string()).collect() });
    let cases = [
        (SetRestrictionsRequest::default(), Code::InvalidArgument, "COMMAND-oASwj"),
        (
            SetRestrictionsRequest { allowed_languages: langs(&["en", "!!"]), ..Default::default() },
            Code::InvalidArgument,
            "LANG-jc8Sq",
        ),
        (
            SetRestrictionsRequest { allowed_languages: langs(&["en", "eo"]), ..Default::default() },
            Code::InvalidArgument,
            "COMMAND-2M9fs",
        ),
        // The default language (en) must be among the allowed.
        (
            SetRestrictionsRequest { allowed_languages: langs(&["de"]), ..Default::default() },
            Code::InvalidArgument,
            "COMMAND-2M9fs",
        ),
    ];
    for (req, code, id) in cases {
        let err = c.call::<_, SetRestrictionsResponse>("SetRestrictions", req.clone()).await.unwrap_err();
        assert_eq!((err.code, err.id.as_str()), (code, id), "{req:?}");
    }
    assert_eq!(s.event_count().await, before, "nothing written");
    // Nothing to change on a new instance: nothing written, no date.
    let same = SetRestrictionsRequest { disallow_public_org_registration: Some(false), ..Default::default() };
    let r: SetRestrictionsResponse = c.call("SetRestrictions", same).await.unwrap();
    let d = r.details.unwrap();
    assert_eq!((d.sequence, d.change_date.is_none()), (0, true));
    assert_eq!(s.event_count().await, before);
}
