//! No secret leaves: not in answers, logs, events, exports or the raw
//! database.

use std::sync::Arc;

use burg_api::admin::*;
use burg_testkit::{Client, Protocol, TestServer};
use tonic::Code;

use super::cases::*;

/// A log sink shared with the test: every line the server logs.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Every secret burg is given, a unique canary each, is searched for in
/// every answer (REST JSON and gRPC bytes, errors included), every log line
/// at TRACE, the event list, exports without the opt-in flags, and the raw
/// database: found nowhere. The secrets: IdP client secrets, bind
/// passwords and keys of all twelve kinds, user passwords (set up and
/// imported), imported hashes and OTP secrets, org IdP client secrets,
/// personal access tokens, object-store credentials, SMTP passwords and
/// Twilio tokens of the notification providers, and the client secrets of
/// the legacy IdP API's OIDC configurations.
async fn secrets_never_leave(backend: burg_testkit::Backend) {
    let logs = Captured::default();
    let installed = tracing::subscriber::set_global_default(
        tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_writer(logs.clone()).finish(),
    )
    .is_ok();
    let Some(s) = TestServer::start_or_skip(backend).await else { return };
    let rest = s.client(Protocol::Rest).await;
    let grpc = s.client(Protocol::Grpc).await;
    let tag = format!("{:016x}", rand::random::<u64>());
    let mut canaries: Vec<String> = Vec::new();
    let mut canary = |what: &str| {
        let c = format!("CANARY{what}{tag}");
        canaries.push(c.clone());
        c
    };

    let mut ids = Vec::new();
    for (i, kind) in ALL.into_iter().enumerate() {
        let c = if i % 2 == 0 { &rest } else { &grpc };
        let id = add(c, kind, &format!("{kind:?}"), &canary(&format!("add{i}"))).await.unwrap();
        if kind.takes_a_new_secret() {
            update(c, kind, &id, &format!("{kind:?} 2"), &canary(&format!("upd{i}"))).await.unwrap();
        }
        ids.push((kind, id));
    }
    // An Apple key is a secret too: its PEM body must not come back.
    let apple_pem = apple_key();
    let apple_body: String = apple_pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let added: AddAppleProviderResponse = grpc
        .call(
            "AddAppleProvider",
            AddAppleProviderRequest {
                name: "Apple key check".into(),
                client_id: "com.example".into(),
                team_id: "ABCDEFGHIJ".into(),
                key_id: "ABCDEFGHIJ".into(),
                private_key: apple_pem.clone().into_bytes(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // Secrets in refused requests are not echoed either.
    for c in [&rest, &grpc] {
        let too_long = format!("{}{}", canary("long"), "x".repeat(200));
        let err = c
            .call::<_, AddGoogleProviderResponse>(
                "AddGoogleProvider",
                AddGoogleProviderRequest { client_id: "g".into(), client_secret: too_long, ..Default::default() },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, Code::InvalidArgument);
    }
    let oidc = add(&rest, Kind::Oidc, "To migrate", &canary("premig")).await.unwrap();
    let _: MigrateGenericOidcProviderResponse = rest
        .call(
            "MigrateGenericOIDCProvider",
            MigrateGenericOidcProviderRequest {
                id: oidc,
                template: Some(migrate_generic_oidc_provider_request::Template::Google(AddGoogleProviderRequest {
                    client_id: "g".into(),
                    client_secret: canary("mig"),
                    ..Default::default()
                })),
            },
        )
        .await
        .unwrap();

    // Users, tokens, imports and exports carry secrets too.
    let mut setup = crate::orgs::setup_request("Canary Org");
    if let Some(set_up_org_request::User::Human(h)) = &mut setup.user {
        h.password = format!("{}Aa1!", canary("pw"));
    }
    let org: SetUpOrgResponse = rest.call("SetUpOrg", setup).await.unwrap();
    // A token is shown once, to its creator: asked for on a client whose
    // answers are not searched, then used by the searched ones.
    let side = Client::connect(&s.base_url(), &s.admin_token, Protocol::Rest).await;
    let robot: burg_api::management::AddMachineUserResponse = rest
        .call(
            "AddMachineUser",
            burg_api::management::AddMachineUserRequest {
                user_name: "canary-robot".into(),
                name: "R".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let pat: burg_api::management::AddPersonalAccessTokenResponse = side
        .call(
            "AddPersonalAccessToken",
            burg_api::management::AddPersonalAccessTokenRequest {
                user_id: robot.user_id.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let _ =
        rest.with_token(&pat.token).call::<_, GetMyInstanceResponse>("GetMyInstance", GetMyInstanceRequest {}).await;
    let hash = {
        let c = canary("hash");
        format!("$2a$04${c}{}", "a".repeat(53 - c.len()))
    };
    let document = serde_json::json!({"orgs": [{
        "orgId": "350000000000000001", "org": {"name": "Canary Import"},
        "humanUsers": [
            {"userId": "350000000000000002", "user": {"userName": "hashed", "profile": {"firstName": "H", "lastName": "U"},
             "email": {"email": "h@example.com"}, "hashedPassword": {"value": hash}, "otpCode": canary("otp")}},
            {"userId": "350000000000000003", "user": {"userName": "plain", "profile": {"firstName": "P", "lastName": "U"},
             "email": {"email": "p@example.com"}, "password": format!("{}Aa1!", canary("plainpw"))}}],
        "oidcIdps": [{"idpId": "350000000000000004", "idp": {"name": "Org IdP", "clientId": "c",
             "clientSecret": canary("orgidp"), "issuer": "https://i.example.com"}}]
    }]});
    let import: ImportDataRequest = serde_json::from_value(serde_json::json!({"dataOrgs": document})).unwrap();
    let report: ImportDataResponse = grpc.call("ImportData", import).await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    for c in [&rest, &grpc] {
        let plain: ExportDataResponse = c
            .call("ExportData", ExportDataRequest { org_ids: vec!["350000000000000001".into()], ..Default::default() })
            .await
            .unwrap();
        assert_eq!(plain.orgs[0].human_users.len(), 2, "the export is the real one");
        // Object-store credentials in a failing export stay out of the error.
        let err = c
            .call::<_, ExportDataResponse>(
                "ExportData",
                ExportDataRequest {
                    s3_output: Some(export_data_request::S3Output {
                        path: "x.json".into(),
                        endpoint: "http://127.0.0.1:9".into(),
                        bucket: "b".into(),
                        access_key_id: canary("s3id"),
                        secret_access_key: canary("s3secret"),
                        ssl: false,
                    }),
                    timeout: "10s".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert_ne!(err.code, Code::Ok);
    }
    // With the flags, and from a client whose answers are not searched,
    // the secrets do come back: they were stored, not lost.
    let full: ExportDataResponse = side
        .call(
            "ExportData",
            ExportDataRequest {
                org_ids: vec!["350000000000000001".into()],
                with_passwords: true,
                with_otp: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let full = serde_json::to_string(&full).unwrap();
    for what in ["hash", "otp", "orgidp"] {
        assert!(full.contains(&format!("CANARY{what}{tag}")), "{what} comes back with the flags");
    }
    let _ = org;

    // Notification providers: SMTP passwords and Twilio tokens, also in
    // a test that fails.
    let smtp: AddEmailProviderSmtpResponse = rest
        .call(
            "AddEmailProviderSMTP",
            AddEmailProviderSmtpRequest {
                sender_address: "n@example.com".into(),
                sender_name: "N".into(),
                host: "127.0.0.1:9".into(),
                user: "u".into(),
                password: canary("smtp"),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let _: ActivateEmailProviderResponse =
        grpc.call("ActivateEmailProvider", ActivateEmailProviderRequest { id: smtp.id.clone() }).await.unwrap();
    let _: UpdateEmailProviderSmtpPasswordResponse = grpc
        .call(
            "UpdateEmailProviderSMTPPassword",
            UpdateEmailProviderSmtpPasswordRequest { id: smtp.id.clone(), password: canary("smtp2") },
        )
        .await
        .unwrap();
    let _: UpdateEmailProviderSmtpResponse = rest
        .call(
            "UpdateEmailProviderSMTP",
            UpdateEmailProviderSmtpRequest {
                id: smtp.id.clone(),
                sender_address: "n@example.com".into(),
                sender_name: "N".into(),
                host: "127.0.0.1:9".into(),
                user: "u".into(),
                password: canary("smtp3"),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let twilio: AddSmsProviderTwilioResponse = rest
        .call(
            "AddSMSProviderTwilio",
            AddSmsProviderTwilioRequest { sid: "AC1".into(), token: canary("twilio"), ..Default::default() },
        )
        .await
        .unwrap();
    let _: UpdateSmsProviderTwilioTokenResponse = grpc
        .call(
            "UpdateSMSProviderTwilioToken",
            UpdateSmsProviderTwilioTokenRequest { id: twilio.id.clone(), token: canary("twilio2") },
        )
        .await
        .unwrap();
    // The legacy IdP API's OIDC configurations.
    let legacy: AddOidcidpResponse = rest
        .call(
            "AddOIDCIDP",
            AddOidcidpRequest {
                name: "Legacy".into(),
                client_id: "legacy".into(),
                client_secret: canary("legacyidp"),
                issuer: "https://legacy.example.com".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let _: UpdateIdpoidcConfigResponse = grpc
        .call(
            "UpdateIDPOIDCConfig",
            UpdateIdpoidcConfigRequest {
                idp_id: legacy.idp_id.clone(),
                issuer: "https://legacy.example.com".into(),
                client_id: "legacy".into(),
                client_secret: canary("legacyidp2"),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    for c in [&rest, &grpc] {
        let err = c
            .call::<_, TestEmailProviderSmtpResponse>(
                "TestEmailProviderSMTP",
                TestEmailProviderSmtpRequest {
                    sender_address: "n@example.com".into(),
                    sender_name: "N".into(),
                    host: "127.0.0.1:9".into(),
                    user: "u".into(),
                    password: canary("smtptest"),
                    receiver_address: "r@example.com".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, Code::Internal, "{}", err.message);
        let err = c
            .call::<_, TestEmailProviderSmtpByIdResponse>(
                "TestEmailProviderSMTPById",
                TestEmailProviderSmtpByIdRequest { id: smtp.id.clone(), receiver_address: "r@example.com".into() },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, Code::Internal, "{}", err.message);
        let _: ListEmailProvidersResponse =
            c.call("ListEmailProviders", ListEmailProvidersRequest::default()).await.unwrap();
        let _: ListSmsProvidersResponse = c.call("ListSMSProviders", ListSmsProvidersRequest::default()).await.unwrap();
        let _: ListSmtpConfigsResponse = c.call("ListSMTPConfigs", ListSmtpConfigsRequest::default()).await.unwrap();
    }

    // Read everything back, on both protocols.
    for c in [&rest, &grpc] {
        for (_, id) in &ids {
            get(c, id).await.unwrap();
        }
        get(c, &added.id).await.unwrap();
        let _: ListProvidersResponse = c.call("ListProviders", ListProvidersRequest::default()).await.unwrap();
        let _: ListEventsResponse = c.call("ListEvents", ListEventsRequest::default()).await.unwrap();
    }
    let events = burg_testkit::http_client()
        .post(format!("{}/admin/v1/events/_search", s.base_url()))
        .bearer_auth(&s.admin_token)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(events.contains("instance.idp.oidc.migrated.google"), "the event list is the real one");

    let mut places: Vec<(&str, Vec<u8>)> = vec![
        ("REST answers", rest.transcript()),
        ("gRPC answers", grpc.transcript()),
        ("event list", events.into_bytes()),
    ];
    if installed {
        let logged = logs.0.lock().unwrap().clone();
        assert!(!logged.is_empty(), "logs were captured");
        places.push(("logs", logged));
    }
    s.stop().await;
    match backend {
        burg_testkit::Backend::Sqlite => {
            let mut raw = Vec::new();
            for entry in std::fs::read_dir(s.dir.path()).unwrap() {
                let path = entry.unwrap().path();
                if path.file_name().unwrap().to_string_lossy().starts_with("burg.db") {
                    raw.extend(std::fs::read(&path).unwrap());
                }
            }
            assert!(raw.len() > 4096, "the database file was read");
            places.push(("database file", raw));
        }
        burg_testkit::Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&s.database_url).await.unwrap();
            let mut dump = Vec::new();
            for table in [
                "events",
                "idp_templates",
                "login_policy_idps",
                "user_idp_links",
                "burg_meta",
                "users",
                "org_objects",
                "personal_access_tokens",
                "notification_providers",
            ] {
                let rows: Vec<String> =
                    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT row_to_json(t)::text FROM {table} t")))
                        .fetch_all(&pool)
                        .await
                        .unwrap();
                dump.extend(rows.join("\n").into_bytes());
            }
            pool.close().await;
            places.push(("database tables", dump));
        }
    }

    let needles: Vec<Vec<u8>> = canaries
        .iter()
        .map(|c| c.as_bytes().to_vec())
        .chain([apple_body.as_bytes()[..40].to_vec(), b"PRIVATE KEY".to_vec(), pat.token.as_bytes().to_vec()])
        .collect();
    for (place, haystack) in &places {
        for needle in &needles {
            let found = haystack.windows(needle.len()).any(|w| w == needle.as_slice());
            assert!(!found, "a secret ({}) is in the {place}", String::from_utf8_lossy(needle));
        }
    }
    // The canaries were really sent: the sealed values exist.
    let sealed = places.iter().any(|(_, h)| h.windows(7).any(|w| w == b"Crypted"));
    assert!(sealed, "sealed secrets are stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_leave_sqlite() {
    secrets_never_leave(burg_testkit::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_leave_postgres() {
    secrets_never_leave(burg_testkit::Backend::Postgres).await;
}
