//! Codes sent to users: drawn, stored sealed, and delivered through the
//! active SMTP provider (a real SMTP server on loopback) with the message
//! text of their kind, custom texts and the user's values filled in.

use std::sync::Arc;
use std::time::Duration;

use burg_api::admin::{
    ActivateEmailProviderRequest, ActivateEmailProviderResponse, AddEmailProviderSmtpRequest,
    AddEmailProviderSmtpResponse, SetDefaultVerifyEmailMessageTextRequest, SetDefaultVerifyEmailMessageTextResponse,
};
use burg_api::management::*;
use burg_api::zitadel::user::v1::UserState;
use burg_testkit::{Client, Protocol, TestServer, emulators, matrix};
use serde_json::{Value, json};
use tonic::Code;

/// Waits (up to 10 s) until the sink holds `n` messages, and answers them.
pub(crate) async fn wait_for(sink: &emulators::SmtpSink, n: usize) -> Vec<Value> {
    for _ in 0..100 {
        let got = sink.received();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{n} messages did not arrive: {:?}", sink.received());
}

async fn state_of(c: &Client, id: &str) -> UserState {
    let got: GetUserByIdResponse = c.call("GetUserByID", GetUserByIdRequest { id: id.into() }).await.unwrap();
    UserState::try_from(got.user.unwrap().state).unwrap()
}

/// The value of `name` in a link of `body` (`…name=value&…`).
pub(crate) fn param(body: &str, name: &str) -> String {
    let start = body.find(&format!("{name}=")).unwrap_or_else(|| panic!("no {name} in {body}")) + name.len() + 1;
    body[start..].split(['&', '\r', '\n', ' ']).next().unwrap().to_string()
}

/// Adds an SMTP provider that sends to `sink` (user `mailer`), and
/// activates it.
pub(crate) async fn activate_smtp(c: &Client, sink: &emulators::SmtpSink) {
    let smtp = AddEmailProviderSmtpRequest {
        sender_address: "burg@example.com".into(),
        sender_name: "Burg".into(),
        host: sink.host.clone(),
        user: "mailer".into(),
        password: "s3cret-Pw".into(),
        description: "mail".into(),
        ..Default::default()
    };
    let added: AddEmailProviderSmtpResponse = c.call("AddEmailProviderSMTP", smtp).await.unwrap();
    let _: ActivateEmailProviderResponse =
        c.call("ActivateEmailProvider", ActivateEmailProviderRequest { id: added.id }).await.unwrap();
}

matrix!(codes_are_delivered_by_email);

async fn codes_are_delivered_by_email(s: Arc<TestServer>, c: Client) {
    let Some(sink) = emulators::smtp_sink("mailer", "s3cret-Pw") else { return };
    activate_smtp(&c, &sink).await;

    let human = AddHumanUserRequest {
        user_name: "ada".into(),
        profile: Some(add_human_user_request::Profile {
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            preferred_language: "en".into(),
            ..Default::default()
        }),
        email: Some(add_human_user_request::Email { email: "ada@example.com".into(), is_email_verified: false }),
        phone: None,
        initial_password: "Secr3t-Passw0rd!".into(),
    };
    let user: AddHumanUserResponse = c.call("AddHumanUser", human).await.unwrap();

    // Added with an unverified address: the user is in the initial state
    // and its initialization message goes out at once (ZITADEL's AddHuman).
    let init = wait_for(&sink, 1).await.pop().unwrap();
    assert_eq!(init["rcpt_tos"], json!(["ada@example.com"]));
    let body = init["body"].as_str().unwrap();
    assert!(body.contains("/ui/login/user/init?userID="), "{body}");
    assert_eq!(param(body, "passwordset"), "true");
    assert_eq!(state_of(&c, &user.user_id).await, UserState::Initial);

    // A custom subject with the user's values.
    let text = SetDefaultVerifyEmailMessageTextRequest {
        language: "en".into(),
        subject: "Confirm it, {{.FirstName}}".into(),
        ..Default::default()
    };
    let _: SetDefaultVerifyEmailMessageTextResponse = c.call("SetDefaultVerifyEmailMessageText", text).await.unwrap();

    let resend = ResendHumanEmailVerificationRequest { user_id: user.user_id.clone() };
    let _: ResendHumanEmailVerificationResponse = c.call("ResendHumanEmailVerification", resend).await.unwrap();
    let mail = wait_for(&sink, 2).await.pop().unwrap();
    assert_eq!(mail["rcpt_tos"], json!(["ada@example.com"]));
    assert_eq!(mail["subject"], "Confirm it, Ada");
    let body = mail["body"].as_str().unwrap();
    assert!(body.contains("/ui/login/mail/verification?userID="), "{body}");
    assert_eq!(param(body, "userID"), user.user_id);
    let code = param(body, "code");
    assert!(code.len() >= 6, "{body}");
    assert!(body.contains(&format!("code: {code}")), "the default text names the code: {body}");

    // The code is stored sealed: no event carries it.
    let r = s.client(Protocol::Rest).await;
    let events = r.call_json("AdminService", "ListEvents", json!({"limit": 1000})).await.unwrap();
    let text = events.to_string();
    assert!(text.contains("user.human.email.code.added"), "the code's event is stored");
    assert!(!text.contains(&code), "no event payload holds the code");

    // A password reset, by email, with the organization's own subject.
    let org_text = SetCustomPasswordResetMessageTextRequest {
        language: "en".into(),
        subject: "Reset for {{.UserName}}".into(),
        ..Default::default()
    };
    let _: SetCustomPasswordResetMessageTextResponse =
        c.call("SetCustomPasswordResetMessageText", org_text).await.unwrap();
    let reset = SendHumanResetPasswordNotificationRequest { user_id: user.user_id.clone(), r#type: 0 };
    let _: SendHumanResetPasswordNotificationResponse =
        c.call("SendHumanResetPasswordNotification", reset).await.unwrap();
    let mail = wait_for(&sink, 3).await.pop().unwrap();
    assert_eq!(mail["subject"], "Reset for ada");
    assert!(mail["body"].as_str().unwrap().contains("/ui/login/password/init?userID="), "{mail}");

    // A passwordless registration link, answered and then sent.
    let link: AddPasswordlessRegistrationResponse = c
        .call("AddPasswordlessRegistration", AddPasswordlessRegistrationRequest { user_id: user.user_id.clone() })
        .await
        .unwrap();
    assert!(link.link.contains(&format!("userID={}", user.user_id)), "{}", link.link);
    assert!(link.expiration.unwrap().seconds > 0);
    let _: SendPasswordlessRegistrationResponse = c
        .call("SendPasswordlessRegistration", SendPasswordlessRegistrationRequest { user_id: user.user_id.clone() })
        .await
        .unwrap();
    let mail = wait_for(&sink, 4).await.pop().unwrap();
    assert!(mail["body"].as_str().unwrap().contains("/ui/login/login/passwordless/init?"), "{mail}");

    // A verified address is not verified again; an unknown user is not found.
    let verified = AddHumanUserRequest {
        user_name: "bob".into(),
        profile: Some(add_human_user_request::Profile {
            first_name: "Bob".into(),
            last_name: "Babbage".into(),
            ..Default::default()
        }),
        email: Some(add_human_user_request::Email { email: "bob@example.com".into(), is_email_verified: true }),
        phone: None,
        initial_password: "Secr3t-Passw0rd!".into(),
    };
    let bob: AddHumanUserResponse = c.call("AddHumanUser", verified).await.unwrap();
    let resend = ResendHumanEmailVerificationRequest { user_id: bob.user_id.clone() };
    let err =
        c.call::<_, ResendHumanEmailVerificationResponse>("ResendHumanEmailVerification", resend).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-3M9ds"));
    let nobody = ResendHumanEmailVerificationRequest { user_id: "1".into() };
    let err =
        c.call::<_, ResendHumanEmailVerificationResponse>("ResendHumanEmailVerification", nobody).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "COMMAND-0Pe4r"));
    let err = c
        .call::<_, ResendHumanPhoneVerificationResponse>(
            "ResendHumanPhoneVerification",
            ResendHumanPhoneVerificationRequest { user_id: user.user_id.clone() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "COMMAND-2b7Hf"), "no phone number");
    assert_eq!(state_of(&c, &bob.user_id).await, UserState::Active, "a verified address and a password");
    assert_eq!(sink.received().len(), 4, "nothing more was sent");
}

/// What an HTTP provider received: each request's `ZITADEL-Signature`
/// header and body, by path.
pub(crate) type Received = Arc<std::sync::Mutex<Vec<(String, String, String)>>>;

/// A local HTTP provider (`/mail` and `/sms`) that records what it is sent.
pub(crate) async fn http_provider() -> (String, Received) {
    use axum::extract::{Path, State};
    use axum::http::{HeaderMap, StatusCode};
    async fn take(
        State(got): State<Received>,
        Path(path): Path<String>,
        headers: HeaderMap,
        body: String,
    ) -> StatusCode {
        let signature = headers.get("zitadel-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
        got.lock().unwrap().push((path, signature.to_string(), body));
        StatusCode::OK
    }
    let got = Received::default();
    let app = axum::Router::new().route("/{path}", axum::routing::post(take)).with_state(got.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), got)
}

/// Waits (up to 10 s) for the `n`th request to `path`, checks its
/// signature against `key`, and answers its body.
pub(crate) async fn request_to(got: &Received, path: &str, n: usize, key: &str) -> Value {
    for _ in 0..100 {
        let to_path: Vec<_> = got.lock().unwrap().iter().filter(|(p, ..)| p == path).cloned().collect();
        if let Some((_, signature, body)) = to_path.get(n - 1) {
            let t: i64 = signature
                .strip_prefix("t=")
                .and_then(|rest| rest.split(',').next())
                .and_then(|t| t.parse().ok())
                .unwrap_or_else(|| panic!("no time in the signature {signature:?}"));
            assert_eq!(signature, &burg_domain::notify::webhook_signature(key, t, body.as_bytes()));
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
            assert!((now - t).abs() < 60, "signed now: {t}");
            return serde_json::from_str(body).unwrap();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("request {n} to /{path} did not arrive: {:?}", got.lock().unwrap());
}

matrix!(codes_reach_http_providers_signed);

/// HTTP email and SMS providers are called as ZITADEL calls them: a JSON
/// body of `contextInfo`, `templateData` and `args`, signed with the
/// provider's key. A user added without a verified address is initial.
async fn codes_reach_http_providers_signed(_s: Arc<TestServer>, c: Client) {
    use burg_api::admin::{
        ActivateSmsProviderRequest, ActivateSmsProviderResponse, AddEmailProviderHttpRequest,
        AddEmailProviderHttpResponse, AddSmsProviderHttpRequest, AddSmsProviderHttpResponse,
    };
    let (base, got) = http_provider().await;
    let mail = AddEmailProviderHttpRequest { endpoint: format!("{base}/mail"), description: "hook".into() };
    let mail: AddEmailProviderHttpResponse = c.call("AddEmailProviderHTTP", mail).await.unwrap();
    let _: ActivateEmailProviderResponse =
        c.call("ActivateEmailProvider", ActivateEmailProviderRequest { id: mail.id.clone() }).await.unwrap();
    let sms = AddSmsProviderHttpRequest { endpoint: format!("{base}/sms"), description: "texts".into() };
    let sms: AddSmsProviderHttpResponse = c.call("AddSMSProviderHTTP", sms).await.unwrap();
    let _: ActivateSmsProviderResponse =
        c.call("ActivateSMSProvider", ActivateSmsProviderRequest { id: sms.id.clone() }).await.unwrap();

    let human = AddHumanUserRequest {
        user_name: "grace".into(),
        profile: Some(add_human_user_request::Profile {
            first_name: "Grace".into(),
            last_name: "Hopper".into(),
            preferred_language: "en".into(),
            ..Default::default()
        }),
        email: Some(add_human_user_request::Email { email: "grace@example.com".into(), is_email_verified: true }),
        phone: Some(add_human_user_request::Phone { phone: "+41 79 123 45 67".into(), is_phone_verified: false }),
        initial_password: String::new(),
    };
    let user: AddHumanUserResponse = c.call("AddHumanUser", human).await.unwrap();
    let got_user: GetUserByIdResponse =
        c.call("GetUserByID", GetUserByIdRequest { id: user.user_id.clone() }).await.unwrap();
    let got_user = got_user.user.unwrap();
    assert_eq!(got_user.state, UserState::Initial as i32, "no password yet");
    let Some(burg_api::zitadel::user::v1::user::Type::Human(h)) = got_user.r#type else { panic!("a human") };
    let phone = h.phone.unwrap().phone;

    // The initialization message, by the HTTP email provider.
    let init = request_to(&got, "mail", 1, &mail.signing_key).await;
    assert_eq!(init["contextInfo"]["recipientEmailAddress"], "grace@example.com");
    assert_eq!(init["contextInfo"]["eventType"], "user.human.initialization.code.added");
    assert_eq!(init["contextInfo"]["provider"], json!({"id": mail.id, "description": "hook"}));
    let url = init["templateData"]["url"].as_str().unwrap();
    assert!(url.contains("/ui/login/user/init?userID="), "{init}");
    assert_eq!(param(url, "passwordset"), "false");
    assert_eq!(init["args"]["code"].as_str().unwrap(), param(url, "code"));
    assert_eq!(init["args"]["firstName"], "Grace");
    assert!(!init["templateData"]["subject"].as_str().unwrap().is_empty(), "{init}");

    // The phone code, by the HTTP SMS provider, its text naming the code.
    let text = request_to(&got, "sms", 1, &sms.signing_key).await;
    assert_eq!(text["contextInfo"]["recipientPhoneNumber"], phone.as_str());
    assert_eq!(text["contextInfo"]["eventType"], "user.human.phone.code.added");
    let code = text["args"]["code"].as_str().unwrap();
    assert!(text["templateData"]["text"].as_str().unwrap().contains(code), "{text}");

    // A password reset by SMS, and a new phone code.
    let reset = SendHumanResetPasswordNotificationRequest { user_id: user.user_id.clone(), r#type: 1 };
    let _: SendHumanResetPasswordNotificationResponse =
        c.call("SendHumanResetPasswordNotification", reset).await.unwrap();
    let text = request_to(&got, "sms", 2, &sms.signing_key).await;
    assert_eq!(text["contextInfo"]["eventType"], "user.human.password.code.added");
    let resend = ResendHumanPhoneVerificationRequest { user_id: user.user_id.clone() };
    let _: ResendHumanPhoneVerificationResponse = c.call("ResendHumanPhoneVerification", resend).await.unwrap();
    let again = request_to(&got, "sms", 3, &sms.signing_key).await;
    assert_ne!(again["args"]["code"], code, "a new code");

    // The initial state as ZITADEL keeps it: listed by state, not
    // deactivated, locked.
    let initial = ListUsersRequest {
        queries: vec![burg_api::zitadel::user::v1::SearchQuery {
            query: Some(burg_api::zitadel::user::v1::search_query::Query::StateQuery(
                burg_api::zitadel::user::v1::StateQuery { state: UserState::Initial as i32 },
            )),
        }],
        ..Default::default()
    };
    let listed: ListUsersResponse = c.call("ListUsers", initial).await.unwrap();
    assert_eq!(listed.result.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), [user.user_id.as_str()]);
    let err = c
        .call::<_, DeactivateUserResponse>("DeactivateUser", DeactivateUserRequest { id: user.user_id.clone() })
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "COMMAND-ke0fw"));
    let _: ResendHumanInitializationResponse = c
        .call(
            "ResendHumanInitialization",
            ResendHumanInitializationRequest { user_id: user.user_id.clone(), email: String::new() },
        )
        .await
        .unwrap();
    let again = request_to(&got, "mail", 2, &mail.signing_key).await;
    assert_eq!(again["contextInfo"]["eventType"], "user.human.initialization.code.added");
    let _: LockUserResponse = c.call("LockUser", LockUserRequest { id: user.user_id.clone() }).await.unwrap();
    assert_eq!(state_of(&c, &user.user_id).await, UserState::Locked);
    // No secret of the providers in what they were sent.
    let all = format!("{:?}", got.lock().unwrap());
    assert!(!all.contains(&mail.signing_key) && !all.contains(&sms.signing_key));
}

matrix!(imported_users_get_their_first_codes);

/// ImportData gives each user the codes ZITADEL's `ImportHuman` gives:
/// without a verified address, or without any password, an initialization
/// code (the user is initial, and a verified flag waits for the code); an
/// unverified phone number a phone code. The codes go out once the
/// organization is committed.
async fn imported_users_get_their_first_codes(s: Arc<TestServer>, c: Client) {
    let Some(sink) = emulators::smtp_sink("mailer", "s3cret-Pw") else { return };
    activate_smtp(&c, &sink).await;

    let org = "310000000000000001";
    let human = |id: &str, name: &str, verified: bool, hash: bool, phone: Option<&str>| {
        let mut user = json!({"userName": name, "profile": {"firstName": "Imp", "lastName": name},
            "email": {"email": format!("{name}@import.example"), "isEmailVerified": verified}});
        if hash {
            user["hashedPassword"] = json!({"value": crate::transfer::BCRYPT});
        }
        if let Some(phone) = phone {
            user["phone"] = json!({"phone": phone, "isPhoneVerified": false});
        }
        json!({"userId": id, "user": user})
    };
    let doc = json!({"orgs": [{"orgId": org, "org": {"name": "Imported Codes"}, "humanUsers": [
        human("310000000000000011", "no-password", true, false, None),
        human("310000000000000012", "unverified", false, true, None),
        human("310000000000000013", "ready", true, true, None),
        human("310000000000000014", "phone", true, true, Some("+41791234567")),
    ]}]});
    let r = s.client(Protocol::Rest).await;
    let report = r.call_json("AdminService", "ImportData", json!({"dataOrgs": doc, "timeout": "1m"})).await.unwrap();
    assert_eq!(report["errors"], Value::Null, "{report}");

    let in_org = c.with_org(org);
    for (id, state) in [
        ("310000000000000011", UserState::Initial),
        ("310000000000000012", UserState::Initial),
        ("310000000000000013", UserState::Active),
        ("310000000000000014", UserState::Active),
    ] {
        assert_eq!(state_of(&in_org, id).await, state, "user {id}");
    }
    let got: GetUserByIdResponse =
        in_org.call("GetUserByID", GetUserByIdRequest { id: "310000000000000011".into() }).await.unwrap();
    let Some(burg_api::zitadel::user::v1::user::Type::Human(h)) = got.user.unwrap().r#type else { panic!() };
    assert!(!h.email.unwrap().is_email_verified, "the initialization code verifies the address");

    // Two initialization mails, one to each initial user.
    let mut mails = wait_for(&sink, 2).await;
    mails.sort_by_key(|m| m["rcpt_tos"].to_string());
    let to: Vec<_> = mails.iter().map(|m| m["rcpt_tos"][0].as_str().unwrap()).collect();
    assert_eq!(to, ["no-password@import.example", "unverified@import.example"]);
    let body = mails[0]["body"].as_str().unwrap();
    assert!(body.contains("/ui/login/user/init?userID="), "{body}");
    assert_eq!(param(body, "userID"), "310000000000000011");
    assert_eq!(param(body, "passwordset"), "false");
    assert_eq!(param(mails[1]["body"].as_str().unwrap(), "passwordset"), "true");

    // The code events, sealed, and the sent events of the two mails; the
    // phone code waits for an SMS provider.
    let sent = json!({"limit": 1000, "eventTypes": ["user.human.initialization.code.sent"]});
    for _ in 0..100 {
        let got = r.call_json("AdminService", "ListEvents", sent.clone()).await.unwrap();
        if got["events"].as_array().map_or(0, Vec::len) >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let events =
        r.call_json("AdminService", "ListEvents", json!({"limit": 1000, "aggregateTypes": ["user"]})).await.unwrap();
    let of = |id: &str| -> Vec<String> {
        let list = events["events"].as_array().unwrap();
        let mut types: Vec<String> = list
            .iter()
            .filter(|e| e["aggregate"]["id"] == id)
            .map(|e| e["type"]["type"].as_str().unwrap().to_string())
            .collect();
        types.sort();
        types
    };
    assert_eq!(
        of("310000000000000011"),
        ["user.human.added", "user.human.initialization.code.added", "user.human.initialization.code.sent"]
    );
    assert_eq!(of("310000000000000013"), ["user.human.added", "user.human.email.verified"]);
    assert_eq!(
        of("310000000000000014"),
        ["user.human.added", "user.human.email.verified", "user.human.phone.code.added"]
    );
    let code = param(body, "code");
    assert!(!events.to_string().contains(&code), "no event payload holds the code");

    // Imported again: the users are there, nothing new is sent.
    let again = r.call_json("AdminService", "ImportData", json!({"dataOrgs": doc, "timeout": "1m"})).await.unwrap();
    assert!(again.to_string().contains("310000000000000011"), "{again}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.received().len(), 2, "nothing more was sent");
}
