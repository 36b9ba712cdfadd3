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
use burg_testkit::{Client, Protocol, TestServer, emulators, matrix};
use serde_json::{Value, json};
use tonic::Code;

/// Waits (up to 10 s) until the sink holds `n` messages, and answers them.
async fn wait_for(sink: &emulators::SmtpSink, n: usize) -> Vec<Value> {
    for _ in 0..100 {
        let got = sink.received();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{n} messages did not arrive: {:?}", sink.received());
}

/// The value of `name` in a link of `body` (`…name=value&…`).
fn param(body: &str, name: &str) -> String {
    let start = body.find(&format!("{name}=")).unwrap_or_else(|| panic!("no {name} in {body}")) + name.len() + 1;
    body[start..].split(['&', '\n', ' ']).next().unwrap().to_string()
}

matrix!(codes_are_delivered_by_email);

async fn codes_are_delivered_by_email(s: Arc<TestServer>, c: Client) {
    let Some(sink) = emulators::smtp_sink("mailer", "s3cret-Pw") else { return };
    let smtp = AddEmailProviderSmtpRequest {
        sender_address: "burg@example.com".into(),
        sender_name: "Burg".into(),
        tls: false,
        host: sink.host.clone(),
        user: "mailer".into(),
        password: "s3cret-Pw".into(),
        reply_to_address: String::new(),
        description: "mail".into(),
    };
    let added: AddEmailProviderSmtpResponse = c.call("AddEmailProviderSMTP", smtp).await.unwrap();
    let _: ActivateEmailProviderResponse =
        c.call("ActivateEmailProvider", ActivateEmailProviderRequest { id: added.id }).await.unwrap();

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

    // A custom subject with the user's values.
    let text = SetDefaultVerifyEmailMessageTextRequest {
        language: "en".into(),
        subject: "Confirm it, {{.FirstName}}".into(),
        ..Default::default()
    };
    let _: SetDefaultVerifyEmailMessageTextResponse = c.call("SetDefaultVerifyEmailMessageText", text).await.unwrap();

    let resend = ResendHumanEmailVerificationRequest { user_id: user.user_id.clone() };
    let _: ResendHumanEmailVerificationResponse = c.call("ResendHumanEmailVerification", resend).await.unwrap();
    let mail = wait_for(&sink, 1).await.pop().unwrap();
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
    let mail = wait_for(&sink, 2).await.pop().unwrap();
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
    let mail = wait_for(&sink, 3).await.pop().unwrap();
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
    let resend = ResendHumanEmailVerificationRequest { user_id: bob.user_id };
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
    assert_eq!(sink.received().len(), 3, "nothing more was sent");
}
