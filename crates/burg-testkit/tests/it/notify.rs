//! Notification providers of the Admin API (issue 18): email providers
//! (SMTP and HTTP, also through the deprecated SMTP configuration RPCs),
//! SMS providers (Twilio and HTTP), the debug providers. Add, get, list,
//! update, secrets, activation (one active provider per channel), a real
//! test message to a real SMTP server on loopback, deactivation, removal;
//! ZITADEL's checks and error ids; the egress policy on the SMTP host.

use std::sync::Arc;

use burg_api::admin::*;
use burg_api::zitadel::settings::v1 as s;
use burg_app::AppConfig;
use burg_app::egress::Policy;
use burg_testkit::{Backend, Client, TestServer, emulators, in_process, matrix, test_app_config};
use tonic::Code;

/// The types of the instance's newest `n` events, newest first.
async fn last_event_types(c: &Client, n: u32) -> Vec<String> {
    let events: ListEventsResponse =
        c.call("ListEvents", ListEventsRequest { limit: n, ..Default::default() }).await.unwrap();
    events.events.into_iter().map(|e| e.r#type.unwrap().r#type).collect()
}

async fn email_provider(c: &Client, id: &str) -> s::EmailProvider {
    let got: GetEmailProviderByIdResponse =
        c.call("GetEmailProviderById", GetEmailProviderByIdRequest { id: id.into() }).await.unwrap();
    got.config.unwrap()
}

async fn sms_provider(c: &Client, id: &str) -> s::SmsProvider {
    let got: GetSmsProviderResponse = c.call("GetSMSProvider", GetSmsProviderRequest { id: id.into() }).await.unwrap();
    got.config.unwrap()
}

const ACTIVE: i32 = s::EmailProviderState::EmailProviderActive as i32;
const INACTIVE: i32 = s::EmailProviderState::EmailProviderInactive as i32;

fn smtp_add(host: &str) -> AddEmailProviderSmtpRequest {
    AddEmailProviderSmtpRequest {
        sender_address: "burg@example.com".into(),
        sender_name: "Burg".into(),
        tls: false,
        host: host.into(),
        user: "mailer".into(),
        password: "s3cret-Pw".into(),
        reply_to_address: " reply@example.com ".into(),
        description: " main ".into(),
    }
}

matrix!(email_providers);

async fn email_providers(s: Arc<TestServer>, c: Client) {
    let err = c.call::<_, GetEmailProviderResponse>("GetEmailProvider", GetEmailProviderRequest {}).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "QUERY-fwofw"), "no provider yet");
    let err = c.call::<_, GetSmtpConfigResponse>("GetSMTPConfig", GetSmtpConfigRequest {}).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "QUERY-fwofw"));

    let sink = emulators::smtp_sink("mailer", "s3cret-Pw");
    let host = sink.as_ref().map(|k| k.host.clone()).unwrap_or_else(|| "127.0.0.1:25".into());

    // Add: inactive, trimmed as ZITADEL trims.
    let added: AddEmailProviderSmtpResponse = c.call("AddEmailProviderSMTP", smtp_add(&host)).await.unwrap();
    let details = added.details.unwrap();
    assert!(details.change_date.is_some() && details.creation_date.is_none(), "change details");
    assert_eq!(details.resource_owner, s.app.instance_id());
    let p = email_provider(&c, &added.id).await;
    assert_eq!((p.id.as_str(), p.state, p.description.as_str()), (added.id.as_str(), INACTIVE, "main"));
    assert_eq!(p.details.unwrap().sequence, details.sequence, "read your write");
    let Some(s::email_provider::Config::Smtp(smtp)) = p.config else { panic!("an SMTP provider") };
    assert_eq!(
        (smtp.sender_address.as_str(), smtp.sender_name.as_str(), smtp.host.as_str(), smtp.user.as_str()),
        ("burg@example.com", "Burg", host.as_str(), "mailer")
    );
    assert_eq!((smtp.reply_to_address.as_str(), smtp.tls), ("reply@example.com", false));
    assert_eq!(last_event_types(&c, 1).await, ["instance.smtp.config.added"]);

    // The same provider through the deprecated SMTP configuration RPCs.
    let listed: ListSmtpConfigsResponse = c.call("ListSMTPConfigs", ListSmtpConfigsRequest::default()).await.unwrap();
    assert_eq!(listed.details.unwrap().total_result, 1);
    assert_eq!((listed.result[0].id.as_str(), listed.result[0].state), (added.id.as_str(), INACTIVE));
    let listed: ListEmailProvidersResponse =
        c.call("ListEmailProviders", ListEmailProvidersRequest::default()).await.unwrap();
    assert_eq!(listed.result.len(), 1);

    // Update; the same update again writes nothing.
    let update = UpdateEmailProviderSmtpRequest {
        id: added.id.clone(),
        sender_address: "burg@example.com".into(),
        sender_name: "Burg Mail".into(),
        host: host.clone(),
        user: "mailer".into(),
        reply_to_address: "reply@example.com".into(),
        description: "main".into(),
        ..Default::default()
    };
    let changed: UpdateEmailProviderSmtpResponse = c.call("UpdateEmailProviderSMTP", update.clone()).await.unwrap();
    let changed = changed.details.unwrap();
    assert_eq!(last_event_types(&c, 1).await, ["instance.smtp.config.changed"]);
    let got: GetSmtpConfigByIdResponse =
        c.call("GetSMTPConfigById", GetSmtpConfigByIdRequest { id: added.id.clone() }).await.unwrap();
    assert_eq!(got.smtp_config.unwrap().sender_name, "Burg Mail");
    let before = s.event_count().await;
    let again: UpdateEmailProviderSmtpResponse = c.call("UpdateEmailProviderSMTP", update).await.unwrap();
    assert_eq!(again.details.unwrap().sequence, changed.sequence, "no change, no event");
    assert_eq!(s.event_count().await, before);

    // As ZITADEL: the password of an inactive provider is not found.
    let password = UpdateEmailProviderSmtpPasswordRequest { id: added.id.clone(), password: "s3cret-Pw".into() };
    let err = c
        .call::<_, UpdateEmailProviderSmtpPasswordResponse>("UpdateEmailProviderSMTPPassword", password.clone())
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "COMMAND-rDHzqjGuKQ"));

    // Activate.
    let activated: ActivateEmailProviderResponse =
        c.call("ActivateEmailProvider", ActivateEmailProviderRequest { id: added.id.clone() }).await.unwrap();
    assert!(activated.details.unwrap().creation_date.is_some(), "add details, as ZITADEL");
    let err = c
        .call::<_, ActivateEmailProviderResponse>(
            "ActivateEmailProvider",
            ActivateEmailProviderRequest { id: added.id.clone() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-vUHBSmBzaw"));
    let active: GetEmailProviderResponse = c.call("GetEmailProvider", GetEmailProviderRequest {}).await.unwrap();
    assert_eq!(active.config.unwrap().id, added.id);
    let active: GetSmtpConfigResponse = c.call("GetSMTPConfig", GetSmtpConfigRequest {}).await.unwrap();
    assert_eq!(active.smtp_config.unwrap().state, ACTIVE);
    let _: UpdateEmailProviderSmtpPasswordResponse = c.call("UpdateEmailProviderSMTPPassword", password).await.unwrap();
    assert_eq!(last_event_types(&c, 1).await, ["instance.smtp.config.password.changed"]);

    // A real message, with the stored password.
    if let Some(sink) = &sink {
        let _: TestEmailProviderSmtpByIdResponse = c
            .call(
                "TestEmailProviderSMTPById",
                TestEmailProviderSmtpByIdRequest {
                    id: added.id.clone(),
                    receiver_address: "someone@example.com".into(),
                },
            )
            .await
            .unwrap();
        let received = sink.received();
        assert_eq!(received.len(), 1);
        let m = &received[0];
        assert_eq!(m["mail_from"], "burg@example.com");
        assert_eq!(m["rcpt_tos"], serde_json::json!(["someone@example.com"]));
        assert_eq!(m["from"], "Burg Mail <burg@example.com>");
        assert_eq!(m["to"], "someone@example.com");
        assert_eq!(m["subject"], "Test message from burg");
        assert!(m["body"].as_str().unwrap().starts_with("burg sent this message"), "{m}");
        // The request's settings, the stored password (none given).
        let _: TestSmtpConfigResponse = c
            .call(
                "TestSMTPConfig",
                TestSmtpConfigRequest {
                    id: added.id.clone(),
                    sender_address: "other@example.com".into(),
                    sender_name: "Other".into(),
                    host: host.clone(),
                    user: "mailer".into(),
                    receiver_address: "second@example.com".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let received = sink.received();
        assert_eq!(received.len(), 2);
        assert_eq!(
            (received[1]["mail_from"].as_str(), received[1]["to"].as_str()),
            (Some("other@example.com"), Some("second@example.com"))
        );
    }

    // An HTTP provider: its signing key is made by burg and answered.
    let http: AddEmailProviderHttpResponse = c
        .call(
            "AddEmailProviderHTTP",
            AddEmailProviderHttpRequest {
                endpoint: "https://hooks.example.com/mail".into(),
                description: "hook".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(http.signing_key.len(), 32);
    let p = email_provider(&c, &http.id).await;
    let Some(s::email_provider::Config::Http(h)) = p.config else { panic!("an HTTP provider") };
    // burg's departure: the key is shown once, when it is made; reads leave it out.
    assert_eq!((h.endpoint.as_str(), h.signing_key.as_str()), ("https://hooks.example.com/mail", ""));
    let events: ListEventsResponse =
        c.call("ListEvents", ListEventsRequest { limit: 1, ..Default::default() }).await.unwrap();
    let payload = serde_json::to_string(&events.events[0]).unwrap();
    assert!(!payload.contains(&http.signing_key), "the key is sealed in the event");

    // Activating it makes the SMTP provider inactive.
    let _: ActivateEmailProviderResponse =
        c.call("ActivateEmailProvider", ActivateEmailProviderRequest { id: http.id.clone() }).await.unwrap();
    assert_eq!(email_provider(&c, &added.id).await.state, INACTIVE);
    assert_eq!(email_provider(&c, &http.id).await.state, ACTIVE);
    let listed: ListEmailProvidersResponse =
        c.call("ListEmailProviders", ListEmailProvidersRequest::default()).await.unwrap();
    let states: Vec<i32> = listed.result.iter().map(|p| p.state).collect();
    assert_eq!(states, [INACTIVE, ACTIVE], "one active provider, in the order they were added");
    assert_eq!(last_event_types(&c, 1).await, ["instance.smtp.config.activated"]);

    // A new key on any expiration; without one, no change.
    let rotated: UpdateEmailProviderHttpResponse = c
        .call(
            "UpdateEmailProviderHTTP",
            UpdateEmailProviderHttpRequest {
                id: http.id.clone(),
                endpoint: "https://hooks.example.com/mail".into(),
                description: "hook".into(),
                expiration_signing_key: Some(burg_api::wkt::Duration { seconds: 0, nanos: 0 }),
            },
        )
        .await
        .unwrap();
    assert_eq!(rotated.signing_key.len(), 32);
    assert_ne!(rotated.signing_key, http.signing_key);
    let p = email_provider(&c, &http.id).await;
    let Some(s::email_provider::Config::Http(h)) = p.config else { panic!("an HTTP provider") };
    assert_eq!(h.signing_key, "", "the renewed key is not read back either");
    let same: UpdateEmailProviderHttpResponse = c
        .call(
            "UpdateEmailProviderHTTP",
            UpdateEmailProviderHttpRequest {
                id: http.id.clone(),
                endpoint: "https://hooks.example.com/mail".into(),
                description: "hook".into(),
                expiration_signing_key: None,
            },
        )
        .await
        .unwrap();
    assert_eq!((same.signing_key.as_str(), same.details.unwrap().sequence), ("", rotated.details.unwrap().sequence));

    // Deactivate, remove.
    let _: DeactivateEmailProviderResponse =
        c.call("DeactivateEmailProvider", DeactivateEmailProviderRequest { id: http.id.clone() }).await.unwrap();
    let err = c.call::<_, GetEmailProviderResponse>("GetEmailProvider", GetEmailProviderRequest {}).await.unwrap_err();
    assert_eq!(err.code, Code::NotFound, "none is active");
    let err = c
        .call::<_, DeactivateEmailProviderResponse>(
            "DeactivateEmailProvider",
            DeactivateEmailProviderRequest { id: http.id.clone() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-km8g3"));
    let removed: RemoveEmailProviderResponse =
        c.call("RemoveEmailProvider", RemoveEmailProviderRequest { id: added.id.clone() }).await.unwrap();
    assert!(removed.details.unwrap().change_date.is_some());
    let err = c
        .call::<_, GetEmailProviderByIdResponse>(
            "GetEmailProviderById",
            GetEmailProviderByIdRequest { id: added.id.clone() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "QUERY-fwofw"));
    let err = c
        .call::<_, RemoveSmtpConfigResponse>("RemoveSMTPConfig", RemoveSmtpConfigRequest { id: added.id.clone() })
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "COMMAND-09CXlTDL6w"));
    assert_eq!(last_event_types(&c, 1).await, ["instance.smtp.config.removed"]);
    assert!(s.unlisted_event_types(&c).await.is_empty(), "{:?}", s.unlisted_event_types(&c).await);
}

matrix!(deprecated_smtp_configs);

/// The deprecated RPCs write the same providers and answer alike.
async fn deprecated_smtp_configs(_s: Arc<TestServer>, c: Client) {
    let added: AddSmtpConfigResponse = c
        .call(
            "AddSMTPConfig",
            AddSmtpConfigRequest {
                sender_address: "old@example.com".into(),
                sender_name: "Old".into(),
                host: "smtp.example.com:587".into(),
                tls: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let _: ActivateSmtpConfigResponse =
        c.call("ActivateSMTPConfig", ActivateSmtpConfigRequest { id: added.id.clone() }).await.unwrap();
    let active: GetSmtpConfigResponse = c.call("GetSMTPConfig", GetSmtpConfigRequest {}).await.unwrap();
    let config = active.smtp_config.unwrap();
    assert_eq!(
        (config.id.as_str(), config.tls, config.host.as_str()),
        (added.id.as_str(), true, "smtp.example.com:587")
    );
    let _: UpdateSmtpConfigResponse = c
        .call(
            "UpdateSMTPConfig",
            UpdateSmtpConfigRequest {
                id: added.id.clone(),
                sender_address: "old@example.com".into(),
                sender_name: "Old".into(),
                host: "smtp.example.com:465".into(),
                tls: true,
                password: "new-pw".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let p = email_provider(&c, &added.id).await;
    let Some(s::email_provider::Config::Smtp(smtp)) = p.config else { panic!("an SMTP provider") };
    assert_eq!(smtp.host, "smtp.example.com:465");
    let _: UpdateSmtpConfigPasswordResponse = c
        .call(
            "UpdateSMTPConfigPassword",
            UpdateSmtpConfigPasswordRequest { id: added.id.clone(), password: "x".into() },
        )
        .await
        .unwrap();
    let _: DeactivateSmtpConfigResponse =
        c.call("DeactivateSMTPConfig", DeactivateSmtpConfigRequest { id: added.id.clone() }).await.unwrap();
    let _: RemoveSmtpConfigResponse =
        c.call("RemoveSMTPConfig", RemoveSmtpConfigRequest { id: added.id.clone() }).await.unwrap();
    assert_eq!(
        last_event_types(&c, 6).await,
        [
            "instance.smtp.config.removed",
            "instance.smtp.config.deactivated",
            "instance.smtp.config.password.changed",
            "instance.smtp.config.changed",
            "instance.smtp.config.activated",
            "instance.smtp.config.added",
        ]
    );
}

matrix!(sms_providers);

async fn sms_providers(s: Arc<TestServer>, c: Client) {
    let twilio: AddSmsProviderTwilioResponse = c
        .call(
            "AddSMSProviderTwilio",
            AddSmsProviderTwilioRequest {
                sid: "AC0001".into(),
                token: "twilio-token".into(),
                sender_number: "+41791234567".into(),
                description: "twilio".into(),
                verify_service_sid: String::new(),
            },
        )
        .await
        .unwrap();
    let details = twilio.details.unwrap();
    assert!(details.creation_date.is_some() && details.change_date.is_none(), "add details");
    let p = sms_provider(&c, &twilio.id).await;
    assert_eq!((p.state, p.description.as_str()), (INACTIVE, "twilio"));
    let Some(s::sms_provider::Config::Twilio(t)) = p.config else { panic!("a Twilio provider") };
    assert_eq!((t.sid.as_str(), t.sender_number.as_str()), ("AC0001", "+41791234567"));

    let update = UpdateSmsProviderTwilioRequest {
        id: twilio.id.clone(),
        sid: "AC0002".into(),
        sender_number: "+41791234567".into(),
        description: "twilio".into(),
        verify_service_sid: "VA01".into(),
    };
    let changed: UpdateSmsProviderTwilioResponse = c.call("UpdateSMSProviderTwilio", update.clone()).await.unwrap();
    let sequence = changed.details.unwrap().sequence;
    let before = s.event_count().await;
    let again: UpdateSmsProviderTwilioResponse = c.call("UpdateSMSProviderTwilio", update).await.unwrap();
    assert_eq!(again.details.unwrap().sequence, sequence, "no change, no event");
    assert_eq!(s.event_count().await, before);
    let Some(s::sms_provider::Config::Twilio(t)) = sms_provider(&c, &twilio.id).await.config else { panic!() };
    assert_eq!((t.sid.as_str(), t.verify_service_sid.as_str()), ("AC0002", "VA01"));
    let _: UpdateSmsProviderTwilioTokenResponse = c
        .call(
            "UpdateSMSProviderTwilioToken",
            UpdateSmsProviderTwilioTokenRequest { id: twilio.id.clone(), token: "other-token".into() },
        )
        .await
        .unwrap();

    let http: AddSmsProviderHttpResponse = c
        .call(
            "AddSMSProviderHTTP",
            AddSmsProviderHttpRequest { endpoint: "https://hooks.example.com/sms".into(), description: "hook".into() },
        )
        .await
        .unwrap();
    assert_eq!(http.signing_key.len(), 32);
    let Some(s::sms_provider::Config::Http(h)) = sms_provider(&c, &http.id).await.config else { panic!() };
    assert_eq!(h.signing_key, "", "shown once, when it is made");
    let changed: UpdateSmsProviderHttpResponse = c
        .call(
            "UpdateSMSProviderHTTP",
            UpdateSmsProviderHttpRequest {
                id: http.id.clone(),
                endpoint: "https://hooks.example.com/sms2".into(),
                description: "hook".into(),
                expiration_signing_key: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(changed.signing_key, "", "the key stays without an expiration");

    let _: ActivateSmsProviderResponse =
        c.call("ActivateSMSProvider", ActivateSmsProviderRequest { id: twilio.id.clone() }).await.unwrap();
    let _: ActivateSmsProviderResponse =
        c.call("ActivateSMSProvider", ActivateSmsProviderRequest { id: http.id.clone() }).await.unwrap();
    assert_eq!(sms_provider(&c, &twilio.id).await.state, INACTIVE, "one active SMS provider");
    assert_eq!(sms_provider(&c, &http.id).await.state, ACTIVE);
    let err = c
        .call::<_, ActivateSmsProviderResponse>(
            "ActivateSMSProvider",
            ActivateSmsProviderRequest { id: http.id.clone() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-B25GFeIvRi"));
    let listed: ListSmsProvidersResponse =
        c.call("ListSMSProviders", ListSmsProvidersRequest::default()).await.unwrap();
    assert_eq!(listed.details.unwrap().total_result, 2);
    assert_eq!(listed.result.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), [twilio.id.as_str(), http.id.as_str()]);

    let _: DeactivateSmsProviderResponse =
        c.call("DeactivateSMSProvider", DeactivateSmsProviderRequest { id: http.id.clone() }).await.unwrap();
    let err = c
        .call::<_, DeactivateSmsProviderResponse>(
            "DeactivateSMSProvider",
            DeactivateSmsProviderRequest { id: twilio.id.clone() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-OSZAEkYvk7"));
    let _: RemoveSmsProviderResponse =
        c.call("RemoveSMSProvider", RemoveSmsProviderRequest { id: twilio.id.clone() }).await.unwrap();
    let err =
        c.call::<_, GetSmsProviderResponse>("GetSMSProvider", GetSmsProviderRequest { id: twilio.id.clone() }).await;
    let err = err.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "QUERY-fn99w"));
    assert_eq!(
        last_event_types(&c, 9).await,
        [
            "instance.sms.config.removed",
            "instance.sms.config.deactivated",
            "instance.sms.config.activated",
            "instance.sms.config.activated",
            "instance.sms.confighttp.changed",
            "instance.sms.confighttp.added",
            "instance.sms.configtwilio.token.changed",
            "instance.sms.configtwilio.changed",
            "instance.sms.configtwilio.added",
        ]
    );
    assert!(s.unlisted_event_types(&c).await.is_empty());
}

in_process!(checks_answer_as_zitadel);

async fn checks_answer_as_zitadel(s: Arc<TestServer>, c: Client) {
    let before = s.event_count().await;
    let expect = |code: Code, id: &'static str| {
        move |err: burg_testkit::ApiError| {
            assert_eq!((err.code, err.id.as_str()), (code, id), "{}", err.message);
        }
    };
    // The proto's rules, then the command's.
    let blank = AddEmailProviderSmtpRequest { sender_address: String::new(), ..smtp_add("h:25") };
    expect(Code::InvalidArgument, "VALID-rules")(
        c.call::<_, AddEmailProviderSmtpResponse>("AddEmailProviderSMTP", blank).await.unwrap_err(),
    );
    let blank = AddEmailProviderSmtpRequest { sender_address: "   ".into(), ..smtp_add("h:25") };
    expect(Code::InvalidArgument, "COMMAND-SAAFpV8VKV")(
        c.call::<_, AddEmailProviderSmtpResponse>("AddEmailProviderSMTP", blank).await.unwrap_err(),
    );
    let err = c.call::<_, AddSmtpConfigResponse>(
        "AddSMTPConfig",
        AddSmtpConfigRequest {
            sender_address: "a@example.com".into(),
            sender_name: "A".into(),
            host: "smtp.example.com".into(),
            ..Default::default()
        },
    );
    expect(Code::InvalidArgument, "COMMAND-EvAtufIinh")(err.await.unwrap_err());
    let update = UpdateEmailProviderSmtpRequest {
        id: "404".into(),
        sender_address: "a@example.com".into(),
        sender_name: "A".into(),
        host: "smtp.example.com:25".into(),
        ..Default::default()
    };
    expect(Code::NotFound, "COMMAND-j5IDFtt3T1")(
        c.call::<_, UpdateEmailProviderSmtpResponse>("UpdateEmailProviderSMTP", update.clone()).await.unwrap_err(),
    );
    let bad_host = UpdateEmailProviderSmtpRequest { host: "a:b:c".into(), ..update };
    expect(Code::InvalidArgument, "COMMAND-kZNVkuL32L")(
        c.call::<_, UpdateEmailProviderSmtpResponse>("UpdateEmailProviderSMTP", bad_host).await.unwrap_err(),
    );
    let id = || "404".to_string();
    expect(Code::NotFound, "COMMAND-E9K20hxOS9")(
        c.call::<_, ActivateEmailProviderResponse>("ActivateEmailProvider", ActivateEmailProviderRequest { id: id() })
            .await
            .unwrap_err(),
    );
    expect(Code::NotFound, "COMMAND-k39PJ")(
        c.call::<_, DeactivateSmtpConfigResponse>("DeactivateSMTPConfig", DeactivateSmtpConfigRequest { id: id() })
            .await
            .unwrap_err(),
    );
    expect(Code::NotFound, "COMMAND-xIrdledqv4")(
        c.call::<_, UpdateEmailProviderHttpResponse>(
            "UpdateEmailProviderHTTP",
            UpdateEmailProviderHttpRequest { id: id(), endpoint: "https://x.example.com".into(), ..Default::default() },
        )
        .await
        .unwrap_err(),
    );
    // SMS.
    expect(Code::NotFound, "COMMAND-MUY0IFAf8O")(
        c.call::<_, UpdateSmsProviderTwilioResponse>(
            "UpdateSMSProviderTwilio",
            UpdateSmsProviderTwilioRequest { id: id(), sid: "AC".into(), ..Default::default() },
        )
        .await
        .unwrap_err(),
    );
    expect(Code::NotFound, "COMMAND-ij3NhEHATp")(
        c.call::<_, UpdateSmsProviderTwilioTokenResponse>(
            "UpdateSMSProviderTwilioToken",
            UpdateSmsProviderTwilioTokenRequest { id: id(), token: "t".into() },
        )
        .await
        .unwrap_err(),
    );
    expect(Code::NotFound, "COMMAND-9ULtp9PH5E")(
        c.call::<_, ActivateSmsProviderResponse>("ActivateSMSProvider", ActivateSmsProviderRequest { id: id() })
            .await
            .unwrap_err(),
    );
    expect(Code::NotFound, "COMMAND-povEVHPCkV")(
        c.call::<_, RemoveSmsProviderResponse>("RemoveSMSProvider", RemoveSmsProviderRequest { id: id() })
            .await
            .unwrap_err(),
    );
    // Tests.
    let test = TestSmtpConfigRequest {
        sender_address: "a@example.com".into(),
        sender_name: "A".into(),
        host: "127.0.0.1:25".into(),
        receiver_address: "r@example.com".into(),
        ..Default::default()
    };
    expect(Code::InvalidArgument, "SMTP-p9kj")(
        c.call::<_, TestSmtpConfigResponse>("TestSMTPConfig", test.clone()).await.unwrap_err(),
    );
    expect(Code::NotFound, "SMTP-p9cc")(
        c.call::<_, TestSmtpConfigResponse>("TestSMTPConfig", TestSmtpConfigRequest { id: id(), ..test.clone() })
            .await
            .unwrap_err(),
    );
    expect(Code::InvalidArgument, "VALID-rules")(
        c.call::<_, TestSmtpConfigResponse>(
            "TestSMTPConfig",
            TestSmtpConfigRequest { receiver_address: "not-an-address".into(), ..test },
        )
        .await
        .unwrap_err(),
    );
    expect(Code::NotFound, "SMTP-99klw")(
        c.call::<_, TestSmtpConfigByIdResponse>(
            "TestSMTPConfigById",
            TestSmtpConfigByIdRequest { id: id(), receiver_address: "r@example.com".into() },
        )
        .await
        .unwrap_err(),
    );
    // The debug providers are not configured.
    expect(Code::NotFound, "QUERY-s9ujf")(
        c.call::<_, GetFileSystemNotificationProviderResponse>(
            "GetFileSystemNotificationProvider",
            GetFileSystemNotificationProviderRequest {},
        )
        .await
        .unwrap_err(),
    );
    expect(Code::NotFound, "QUERY-s9ujf")(
        c.call::<_, GetLogNotificationProviderResponse>(
            "GetLogNotificationProvider",
            GetLogNotificationProviderRequest {},
        )
        .await
        .unwrap_err(),
    );
    assert_eq!(s.event_count().await, before, "refused calls write nothing");

    // With the domain policy asking for it, the sender's domain must be
    // the instance's.
    let _: UpdateDomainPolicyResponse = c
        .call(
            "UpdateDomainPolicy",
            UpdateDomainPolicyRequest { smtp_sender_address_matches_instance_domain: true, ..Default::default() },
        )
        .await
        .unwrap();
    expect(Code::InvalidArgument, "INST-xtWIiR2ZbR")(
        c.call::<_, AddEmailProviderSmtpResponse>("AddEmailProviderSMTP", smtp_add("h:25")).await.unwrap_err(),
    );
    let domains: ListInstanceDomainsResponse =
        c.call("ListInstanceDomains", ListInstanceDomainsRequest::default()).await.unwrap();
    let own = AddEmailProviderSmtpRequest {
        sender_address: format!("burg@{}", domains.result[0].domain),
        ..smtp_add("h:25")
    };
    let _: AddEmailProviderSmtpResponse = c.call("AddEmailProviderSMTP", own).await.unwrap();
}

in_process!(failed_tests_answer_as_zitadel);

/// A wrong password and an unreachable server fail as ZITADEL's test
/// does: Internal, with the failing step's id.
async fn failed_tests_answer_as_zitadel(_s: Arc<TestServer>, c: Client) {
    let Some(sink) = emulators::smtp_sink("mailer", "right") else { return };
    let test = TestEmailProviderSmtpRequest {
        sender_address: "a@example.com".into(),
        sender_name: "A".into(),
        host: sink.host.clone(),
        user: "mailer".into(),
        password: "wrong".into(),
        receiver_address: "r@example.com".into(),
        ..Default::default()
    };
    let err = c.call::<_, TestEmailProviderSmtpResponse>("TestEmailProviderSMTP", test.clone()).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::Internal, "EMAIL-s9kfs"), "{}", err.message);
    assert!(!err.message.contains("wrong"), "the password is not echoed: {}", err.message);
    // A closed port on loopback.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().to_string()
    };
    let err = c
        .call::<_, TestEmailProviderSmtpResponse>(
            "TestEmailProviderSMTP",
            TestEmailProviderSmtpRequest { host: closed, ..test.clone() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::Internal, "EMAIL-skwos"), "{}", err.message);
    let ok = TestEmailProviderSmtpRequest { password: "right".into(), ..test };
    let _: TestEmailProviderSmtpResponse = c.call("TestEmailProviderSMTP", ok).await.unwrap();
    assert_eq!(sink.received().len(), 1);
    assert!(sink.received()[0]["subject"].as_str().is_some());
}

/// The SMTP host goes through the egress policy: a refused address is
/// never connected to, and the answer names the setting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_smtp_host_is_checked_by_the_egress_policy() {
    let config = AppConfig { egress: Policy::default().deny("loopback").unwrap(), ..test_app_config() };
    let Some(s) = TestServer::start_or_skip_with(Backend::Sqlite, config).await else { return };
    let c = Client::in_process(s.router(), &s.admin_token);
    let Some(sink) = emulators::smtp_sink("mailer", "pw") else { return };
    for host in [sink.host.clone(), format!("localhost:{}", sink.host.rsplit(':').next().unwrap())] {
        let err = c
            .call::<_, TestEmailProviderSmtpResponse>(
                "TestEmailProviderSMTP",
                TestEmailProviderSmtpRequest {
                    sender_address: "a@example.com".into(),
                    sender_name: "A".into(),
                    host: host.clone(),
                    user: "mailer".into(),
                    password: "pw".into(),
                    receiver_address: "r@example.com".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "EGRESS-deny1"), "{host}: {}", err.message);
        assert!(err.message.starts_with("`host`: "), "{}", err.message);
    }
    assert!(sink.received().is_empty(), "nothing was sent");
    s.stop().await;
}
