//! Verification codes through the user API v2: a code that arrived by
//! email (a real SMTP server on loopback), by SMS (a local HTTP provider)
//! or came back to the caller verifies the address once; wrong, used and
//! expired codes are refused and written down; sending needs `user.write`
//! or the user themself, verifying needs only the code.

use std::sync::Arc;
use std::time::Duration;

use burg_api::admin::{
    ActivateSmsProviderRequest, ActivateSmsProviderResponse, AddSmsProviderHttpRequest, AddSmsProviderHttpResponse,
    UpdateSecretGeneratorRequest, UpdateSecretGeneratorResponse,
};
use burg_api::management::*;
use burg_api::zitadel::user::v2 as u2;
use burg_testkit::{Client, Protocol, TestServer, emulators, matrix};
use serde_json::json;
use tonic::Code;

use crate::mgmt_notify::{activate_smtp, http_provider, param, request_to, wait_for};

async fn email_of(c: &Client, id: &str) -> (String, bool) {
    let got: GetHumanEmailResponse =
        c.call("GetHumanEmail", GetHumanEmailRequest { user_id: id.into() }).await.unwrap();
    let email = got.email.unwrap();
    (email.email, email.is_email_verified)
}

async fn phone_verified(c: &Client, id: &str) -> bool {
    let got: GetHumanPhoneResponse =
        c.call("GetHumanPhone", GetHumanPhoneRequest { user_id: id.into() }).await.unwrap();
    got.phone.unwrap().is_phone_verified
}

async fn verify_email(c: &Client, id: &str, code: &str) -> Result<u2::VerifyEmailResponse, burg_testkit::ApiError> {
    c.call("VerifyEmail", u2::VerifyEmailRequest { user_id: id.into(), verification_code: code.into() }).await
}

/// How many events of `event_type` the instance has.
async fn count_events(s: &TestServer, event_type: &str) -> usize {
    let r = s.client(Protocol::Rest).await;
    let got = r.call_json("AdminService", "ListEvents", json!({"limit": 1000, "eventTypes": [event_type]})).await;
    got.unwrap()["events"].as_array().map_or(0, Vec::len)
}

/// Waits (up to 10 s) until the instance has `n` events of `event_type`.
async fn wait_for_events(s: &TestServer, event_type: &str, n: usize) {
    for _ in 0..100 {
        if count_events(s, event_type).await >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{n} {event_type} events were not written");
}

matrix!(codes_verify_addresses_once, new_admins_get_their_codes, messages_go_out_in_the_users_language);

/// A user's messages are written in the user's language: a German user
/// gets the German default text.
async fn messages_go_out_in_the_users_language(_s: Arc<TestServer>, c: Client) {
    use burg_api::admin::{GetDefaultVerifyEmailMessageTextRequest, GetDefaultVerifyEmailMessageTextResponse};
    let Some(sink) = emulators::smtp_sink("mailer", "s3cret-Pw") else { return };
    activate_smtp(&c, &sink).await;
    let human = AddHumanUserRequest {
        user_name: "greta".into(),
        profile: Some(add_human_user_request::Profile {
            first_name: "Greta".into(),
            last_name: "G".into(),
            preferred_language: "de".into(),
            ..Default::default()
        }),
        email: Some(add_human_user_request::Email { email: "greta@example.com".into(), is_email_verified: true }),
        phone: None,
        initial_password: "Secr3t-Passw0rd!".into(),
    };
    let greta: AddHumanUserResponse = c.call("AddHumanUser", human).await.unwrap();
    let change =
        UpdateHumanEmailRequest { user_id: greta.user_id, email: "greta@example.de".into(), is_email_verified: false };
    let _: UpdateHumanEmailResponse = c.call("UpdateHumanEmail", change).await.unwrap();
    let mail = wait_for(&sink, 1).await.pop().unwrap();
    let subject = |language: &str| {
        let request = GetDefaultVerifyEmailMessageTextRequest { language: language.into() };
        let c = c.clone();
        async move {
            let got: GetDefaultVerifyEmailMessageTextResponse =
                c.call("GetDefaultVerifyEmailMessageText", request).await.unwrap();
            got.custom_text.unwrap().subject
        }
    };
    let (german, english) = (subject("de").await, subject("en").await);
    assert_ne!(german, english);
    assert_eq!(mail["subject"], german.as_str(), "{mail}");
}

/// AddOrganization's new human admins get their codes as AddHumanUser's
/// users do: the email code by mail with a link from the caller's
/// template, the phone code by SMS.
async fn new_admins_get_their_codes(_s: Arc<TestServer>, c: Client) {
    use burg_api::zitadel::org::v2 as o2;
    let Some(sink) = emulators::smtp_sink("mailer", "s3cret-Pw") else { return };
    activate_smtp(&c, &sink).await;
    let (base, got) = http_provider().await;
    let sms = AddSmsProviderHttpRequest { endpoint: format!("{base}/sms"), description: "texts".into() };
    let sms: AddSmsProviderHttpResponse = c.call("AddSMSProviderHTTP", sms).await.unwrap();
    let _: ActivateSmsProviderResponse =
        c.call("ActivateSMSProvider", ActivateSmsProviderRequest { id: sms.id.clone() }).await.unwrap();
    let send = u2::SendEmailVerificationCode { url_template: Some("https://app.example.com/v?c={{.Code}}".into()) };
    let human = u2::AddHumanUserRequest {
        username: Some("ada".into()),
        profile: Some(u2::SetHumanProfile { given_name: "Ada".into(), family_name: "L".into(), ..Default::default() }),
        email: Some(u2::SetHumanEmail {
            email: "ada@example.com".into(),
            verification: Some(u2::set_human_email::Verification::SendCode(send)),
        }),
        phone: Some(u2::SetHumanPhone { phone: "+41791234567".into(), verification: None }),
        ..Default::default()
    };
    let admin = o2::add_organization_request::Admin {
        user_type: Some(o2::add_organization_request::admin::UserType::Human(human)),
        roles: vec![],
    };
    let added: o2::AddOrganizationResponse = c
        .call(
            "AddOrganization",
            o2::AddOrganizationRequest { name: "Coded".into(), admins: vec![admin], ..Default::default() },
        )
        .await
        .unwrap();
    let created = &added.created_admins[0];
    assert_eq!((created.email_code.as_deref(), created.phone_code.as_deref()), (None, None), "sent, not answered");
    let mail = wait_for(&sink, 1).await.pop().unwrap();
    let body = mail["body"].as_str().unwrap();
    let code = param(body, "c");
    assert!(body.contains(&format!("https://app.example.com/v?c={code}")), "{body}");
    let text = request_to(&got, "sms", 1, &sms.signing_key).await;
    assert_eq!(text["contextInfo"]["recipientPhoneNumber"], "+41791234567");
    let verify = u2::VerifyEmailRequest { user_id: created.user_id.clone(), verification_code: code };
    let _: u2::VerifyEmailResponse = c.call("VerifyEmail", verify).await.unwrap();
    let phone_code = text["args"]["code"].as_str().unwrap().to_string();
    let verify = u2::VerifyPhoneRequest { user_id: created.user_id.clone(), verification_code: phone_code };
    let _: u2::VerifyPhoneResponse = c.call("VerifyPhone", verify).await.unwrap();
    let in_org = c.with_org(&added.organization_id);
    assert!(email_of(&in_org, &created.user_id).await.1, "verified");
    assert!(phone_verified(&in_org, &created.user_id).await);
}

async fn codes_verify_addresses_once(s: Arc<TestServer>, c: Client) {
    let Some(sink) = emulators::smtp_sink("mailer", "s3cret-Pw") else { return };
    activate_smtp(&c, &sink).await;

    // A user who can sign in (verified address, password) with an
    // unverified phone number.
    let human = AddHumanUserRequest {
        user_name: "bob".into(),
        profile: Some(add_human_user_request::Profile {
            first_name: "Bob".into(),
            last_name: "Babbage".into(),
            ..Default::default()
        }),
        email: Some(add_human_user_request::Email { email: "bob@example.com".into(), is_email_verified: true }),
        phone: Some(add_human_user_request::Phone { phone: "+41791234567".into(), is_phone_verified: false }),
        initial_password: "Secr3t-Passw0rd!".into(),
    };
    let bob: AddHumanUserResponse = c.call("AddHumanUser", human).await.unwrap();
    let id = bob.user_id.clone();

    // A verified address has no code to compare: refused and written down.
    let err = verify_email(&c, &id, "ABCDEF").await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "COMMAND-eis9R"));
    assert_eq!(count_events(&s, "user.human.email.verification.failed").await, 1);

    // A new address gets a code by email (the Management API's path).
    let change =
        UpdateHumanEmailRequest { user_id: id.clone(), email: "bob2@example.com".into(), is_email_verified: false };
    let _: UpdateHumanEmailResponse = c.call("UpdateHumanEmail", change).await.unwrap();
    let mail = wait_for(&sink, 1).await.pop().unwrap();
    assert_eq!(mail["rcpt_tos"], json!(["bob2@example.com"]));
    let code = param(mail["body"].as_str().unwrap(), "code");
    assert_eq!(email_of(&c, &id).await, ("bob2@example.com".to_string(), false));
    // The message went out: ZITADEL's sent event follows.
    wait_for_events(&s, "user.human.email.code.sent", 1).await;

    // A wrong code changes nothing but the failure count; the right one verifies.
    let err = verify_email(&c, &id, "WRONG1").await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "COMMAND-eis9R"));
    assert_eq!(count_events(&s, "user.human.email.verification.failed").await, 2);
    assert!(!email_of(&c, &id).await.1, "a wrong code verifies nothing");
    // Verifying needs no permission, only the code.
    let stranger = c.with_token(&s.token_with_roles(&[]).await);
    let done = verify_email(&stranger, &id, &code).await.unwrap();
    let details = done.details.unwrap();
    assert!(details.change_date.is_some() && details.creation_date.is_none(), "{details:?}");
    assert!(details.sequence > 0);
    assert_eq!(email_of(&c, &id).await, ("bob2@example.com".to_string(), true));
    // A code verifies once.
    let err = verify_email(&c, &id, &code).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "COMMAND-eis9R"));

    // Nothing pending: no resend. A send always makes a new code.
    let resend = u2::ResendEmailCodeRequest { user_id: id.clone(), verification: None };
    let err = c.call::<_, u2::ResendEmailCodeResponse>("ResendEmailCode", resend).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "EMAIL-5w5ilin4yt"));

    // A code given back to the caller is sent to no one, and only a caller
    // with user.write may ask for one.
    let returned = || u2::SendEmailCodeRequest {
        user_id: id.clone(),
        verification: Some(u2::send_email_code_request::Verification::ReturnCode(Default::default())),
    };
    let err = stranger.call::<_, u2::SendEmailCodeResponse>("SendEmailCode", returned()).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::PermissionDenied, "AUTHZ-HKJD33"));
    let sent: u2::SendEmailCodeResponse = c.call("SendEmailCode", returned()).await.unwrap();
    let code = sent.verification_code.expect("the code comes back");
    assert!(code.len() >= 6, "{code}");
    verify_email(&c, &id, &code).await.unwrap();

    // A link template of the caller's makes the message's link.
    let template = "https://app.example.com/verify?u={{.UserID}}&c={{ .Code }}&o={{.OrgID}}";
    let send = u2::SendEmailCodeRequest {
        user_id: id.clone(),
        verification: Some(u2::send_email_code_request::Verification::SendCode(u2::SendEmailVerificationCode {
            url_template: Some(template.into()),
        })),
    };
    let sent: u2::SendEmailCodeResponse = c.call("SendEmailCode", send).await.unwrap();
    assert_eq!(sent.verification_code, None, "a sent code does not come back");
    let org = sent.details.unwrap().resource_owner;
    let mail = wait_for(&sink, 2).await.pop().unwrap();
    let body = mail["body"].as_str().unwrap();
    let code = param(body, "c");
    assert!(body.contains(&format!("https://app.example.com/verify?u={id}&c={code}&o={org}")), "{body}");
    // Resent: the newest code counts, the older one no longer.
    let resend = u2::ResendEmailCodeRequest { user_id: id.clone(), verification: None };
    let _: u2::ResendEmailCodeResponse = c.call("ResendEmailCode", resend).await.unwrap();
    let newest = param(wait_for(&sink, 3).await.pop().unwrap()["body"].as_str().unwrap(), "code");
    if newest != code {
        let err = verify_email(&c, &id, &code).await.unwrap_err();
        assert_eq!(err.id, "COMMAND-eis9R", "an older code");
    }
    verify_email(&c, &id, &newest).await.unwrap();

    // A template that names what a link cannot hold is refused first.
    let bad = u2::ResendEmailCodeRequest {
        user_id: id.clone(),
        verification: Some(u2::resend_email_code_request::Verification::SendCode(u2::SendEmailVerificationCode {
            url_template: Some("https://app.example.com/{{.Password}}".into()),
        })),
    };
    let err = c.call::<_, u2::ResendEmailCodeResponse>("ResendEmailCode", bad).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "DOMAIN-ieYa7"));

    // An expired code is refused.
    let short = UpdateSecretGeneratorRequest {
        generator_type: 2, // VERIFY_EMAIL_CODE
        length: 8,
        expiry: Some(burg_api::wkt::Duration { seconds: 0, nanos: 1_000_000 }),
        include_upper_letters: true,
        include_digits: true,
        ..Default::default()
    };
    let _: UpdateSecretGeneratorResponse = c.call("UpdateSecretGenerator", short).await.unwrap();
    let sent: u2::SendEmailCodeResponse = c.call("SendEmailCode", returned()).await.unwrap();
    let code = sent.verification_code.unwrap();
    assert_eq!(code.len(), 8, "the generator's length");
    tokio::time::sleep(Duration::from_millis(20)).await;
    let err = verify_email(&c, &id, &code).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "COMMAND-eis9R"), "expired");

    // The phone: a code sent by SMS through an HTTP provider verifies it once.
    let (base, got) = http_provider().await;
    let sms = AddSmsProviderHttpRequest { endpoint: format!("{base}/sms"), description: "texts".into() };
    let sms: AddSmsProviderHttpResponse = c.call("AddSMSProviderHTTP", sms).await.unwrap();
    let _: ActivateSmsProviderResponse =
        c.call("ActivateSMSProvider", ActivateSmsProviderRequest { id: sms.id.clone() }).await.unwrap();
    assert!(!phone_verified(&c, &id).await);
    let resend = |verification| u2::ResendPhoneCodeRequest { user_id: id.clone(), verification };
    let _: u2::ResendPhoneCodeResponse = c.call("ResendPhoneCode", resend(None)).await.unwrap();
    let text = request_to(&got, "sms", 1, &sms.signing_key).await;
    assert_eq!(text["contextInfo"]["recipientPhoneNumber"], "+41791234567");
    let code = text["args"]["code"].as_str().unwrap().to_string();
    let verify = |code: &str| u2::VerifyPhoneRequest { user_id: id.clone(), verification_code: code.into() };
    let err = c.call::<_, u2::VerifyPhoneResponse>("VerifyPhone", verify("000000")).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "COMMAND-eis9R"));
    let _: u2::VerifyPhoneResponse = c.call("VerifyPhone", verify(&code)).await.unwrap();
    assert!(phone_verified(&c, &id).await);
    assert_eq!(count_events(&s, "user.human.phone.verification.failed").await, 1);
    let err = c.call::<_, u2::ResendPhoneCodeResponse>("ResendPhoneCode", resend(None)).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "PHONE-5xrra88eq8"), "nothing pending");

    // A new number gets a code by SMS; one given back instead replaces it.
    let change =
        UpdateHumanPhoneRequest { user_id: id.clone(), phone: "+41 79 765 43 21".into(), is_phone_verified: false };
    let _: UpdateHumanPhoneResponse = c.call("UpdateHumanPhone", change).await.unwrap();
    let text = request_to(&got, "sms", 2, &sms.signing_key).await;
    assert_eq!(text["contextInfo"]["recipientPhoneNumber"], "+41797654321");
    assert!(!phone_verified(&c, &id).await);
    let returned = Some(u2::resend_phone_code_request::Verification::ReturnCode(Default::default()));
    let got_code: u2::ResendPhoneCodeResponse = c.call("ResendPhoneCode", resend(returned)).await.unwrap();
    let _: u2::VerifyPhoneResponse = c.call("VerifyPhone", verify(&got_code.verification_code.unwrap())).await.unwrap();
    assert!(phone_verified(&c, &id).await);
    assert_eq!(got.lock().unwrap().len(), 2, "a code given back is not sent");

    // Unknown users, machines and users still initial.
    let err = verify_email(&c, "4711", "ABCDEF").await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "COMMAND-ieJ2e"));
    let machine = AddMachineUserRequest { user_name: "robot".into(), name: "Robot".into(), ..Default::default() };
    let machine: AddMachineUserResponse = c.call("AddMachineUser", machine).await.unwrap();
    let err = verify_email(&c, &machine.user_id, "ABCDEF").await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "COMMAND-ieJ2e"));
    let initial = AddHumanUserRequest {
        user_name: "ida".into(),
        profile: Some(add_human_user_request::Profile {
            first_name: "Ida".into(),
            last_name: "Initial".into(),
            ..Default::default()
        }),
        email: Some(add_human_user_request::Email { email: "ida@example.com".into(), is_email_verified: false }),
        ..Default::default()
    };
    let ida: AddHumanUserResponse = c.call("AddHumanUser", initial).await.unwrap();
    let err = verify_email(&c, &ida.user_id, "ABCDEF").await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-uz0Uu"));
    // No event holds a code in the clear.
    let r = s.client(Protocol::Rest).await;
    let events = r.call_json("AdminService", "ListEvents", json!({"limit": 1000})).await.unwrap().to_string();
    assert!(events.contains("\"code_returned\":true"), "the returned flag is in ZITADEL's member");
    assert!(!events.contains(&newest), "no payload holds a code");
}

/// What a stand-in for Twilio's Messages API received: path, the
/// `Authorization` header and the form body.
type TwilioPosts = Arc<std::sync::Mutex<Vec<(String, String, String)>>>;

async fn twilio_stand_in() -> (String, TwilioPosts) {
    use axum::extract::State;
    use axum::http::{HeaderMap, StatusCode, Uri};
    async fn take(State(got): State<TwilioPosts>, uri: Uri, headers: HeaderMap, body: String) -> StatusCode {
        let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
        got.lock().unwrap().push((uri.path().to_string(), auth.to_string(), body));
        StatusCode::CREATED
    }
    let got = TwilioPosts::default();
    let app = axum::Router::new().fallback(axum::routing::post(take)).with_state(got.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), got)
}

/// An SMS of a Twilio provider goes to Twilio's Messages API as ZITADEL's
/// Twilio channel sends it: the account's basic auth, sender, recipient and
/// the text; the code in it verifies the number.
async fn sms_reach_twilio(backend: burg_testkit::Backend) {
    use base64::Engine;
    use burg_api::admin::{
        ActivateSmsProviderRequest, ActivateSmsProviderResponse, AddSmsProviderTwilioRequest,
        AddSmsProviderTwilioResponse, SetDefaultVerifyPhoneMessageTextRequest,
        SetDefaultVerifyPhoneMessageTextResponse,
    };
    let (base, got) = twilio_stand_in().await;
    let config = burg_app::AppConfig { twilio_api: base, ..burg_testkit::test_app_config() };
    let Some(s) = TestServer::start_or_skip_with(backend, config).await else { return };
    let c = s.client(Protocol::Grpc).await;
    let twilio = AddSmsProviderTwilioRequest {
        sid: "AC0123".into(),
        token: "tw-s3cret".into(),
        sender_number: "+41445550000".into(),
        description: "twilio".into(),
        ..Default::default()
    };
    let twilio: AddSmsProviderTwilioResponse = c.call("AddSMSProviderTwilio", twilio).await.unwrap();
    let _: ActivateSmsProviderResponse =
        c.call("ActivateSMSProvider", ActivateSmsProviderRequest { id: twilio.id }).await.unwrap();
    let text = SetDefaultVerifyPhoneMessageTextRequest {
        language: "en".into(),
        text: "Your code: code={{.Code}} ".into(),
        ..Default::default()
    };
    let _: SetDefaultVerifyPhoneMessageTextResponse = c.call("SetDefaultVerifyPhoneMessageText", text).await.unwrap();
    let human = AddHumanUserRequest {
        user_name: "tess".into(),
        profile: Some(add_human_user_request::Profile {
            first_name: "Tess".into(),
            last_name: "Wilio".into(),
            preferred_language: "en".into(),
            ..Default::default()
        }),
        email: Some(add_human_user_request::Email { email: "tess@example.com".into(), is_email_verified: true }),
        phone: Some(add_human_user_request::Phone { phone: "+41 79 111 22 33".into(), is_phone_verified: false }),
        initial_password: "Secr3t-Passw0rd!".into(),
    };
    let tess: AddHumanUserResponse = c.call("AddHumanUser", human).await.unwrap();
    let mut posted = None;
    for _ in 0..100 {
        posted = got.lock().unwrap().first().cloned();
        if posted.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (path, auth, body) = posted.expect("Twilio was called");
    assert_eq!(path, "/2010-04-01/Accounts/AC0123/Messages.json");
    let basic = base64::engine::general_purpose::STANDARD.encode("AC0123:tw-s3cret");
    assert_eq!(auth, format!("Basic {basic}"));
    let form: std::collections::HashMap<String, String> = url_form(&body);
    assert_eq!((form["To"].as_str(), form["From"].as_str()), ("+41791112233", "+41445550000"));
    let code = param(&form["Body"], "code");
    let verify = u2::VerifyPhoneRequest { user_id: tess.user_id.clone(), verification_code: code };
    let _: u2::VerifyPhoneResponse = c.call("VerifyPhone", verify).await.unwrap();
    assert!(phone_verified(&c, &tess.user_id).await);
    wait_for_events(&s, "user.human.phone.code.sent", 1).await;
    s.stop().await;
}

fn url_form(body: &str) -> std::collections::HashMap<String, String> {
    form_urlencoded::parse(body.as_bytes()).into_owned().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_reach_twilio_on_sqlite() {
    sms_reach_twilio(burg_testkit::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_reach_twilio_on_postgres() {
    sms_reach_twilio(burg_testkit::Backend::Postgres).await;
}
