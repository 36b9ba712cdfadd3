//! The remaining instance settings of the Admin API (issue 18): the login
//! policy's factors, the OIDC settings, the security policy, the secret
//! generators, the trusted domains, milestones, views and failed events,
//! and the deprecated feature switch. ZITADEL's defaults on a new instance,
//! changes read back, ZITADEL's events, and its checks and error ids.

use std::sync::Arc;

use burg_api::admin::*;
use burg_api::wkt::Duration;
use burg_api::zitadel::instance::v1 as inst;
use burg_api::zitadel::milestone::v1 as ms;
use burg_api::zitadel::policy::v1::{MultiFactorType, SecondFactorType};
use burg_api::zitadel::settings::v1::{self as settings, SecretGeneratorType as Gen};
use burg_testkit::{Client, TestServer, in_process, matrix};
use tonic::Code;

/// The newest `n` stored events, newest first: (type, payload as written).
async fn newest_events(s: &TestServer, n: i64) -> Vec<(String, serde_json::Value)> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT event_type, payload FROM events ORDER BY position DESC LIMIT $1")
            .bind(n)
            .fetch_all(s.app.db().pool())
            .await
            .unwrap();
    rows.into_iter().map(|(t, p)| (t, serde_json::from_str(&p).unwrap())).collect()
}

fn hours(h: i64) -> Option<Duration> {
    Some(Duration { seconds: h * 3600, nanos: 0 })
}

matrix!(login_policy_factors);

async fn login_policy_factors(s: Arc<TestServer>, c: Client) {
    let second: ListLoginPolicySecondFactorsResponse =
        c.call("ListLoginPolicySecondFactors", ListLoginPolicySecondFactorsRequest {}).await.unwrap();
    assert_eq!(second.result, [SecondFactorType::Otp as i32, SecondFactorType::U2f as i32], "ZITADEL's setup");
    assert_eq!(second.details.unwrap().total_result, 2);
    let multi: ListLoginPolicyMultiFactorsResponse =
        c.call("ListLoginPolicyMultiFactors", ListLoginPolicyMultiFactorsRequest {}).await.unwrap();
    assert_eq!(multi.result, [MultiFactorType::U2fWithVerification as i32]);

    // Add a second factor: one event, read back in the list and the policy.
    let add = AddSecondFactorToLoginPolicyRequest { r#type: SecondFactorType::OtpEmail as i32 };
    let added: AddSecondFactorToLoginPolicyResponse = c.call("AddSecondFactorToLoginPolicy", add).await.unwrap();
    let details = added.details.unwrap();
    assert!(details.creation_date.is_some() && details.change_date.is_none(), "add details");
    let events = newest_events(&s, 1).await;
    assert_eq!(events[0].0, "instance.policy.login.secondfactor.added");
    assert_eq!(events[0].1, serde_json::json!({"mfaType": 3}));
    let second: ListLoginPolicySecondFactorsResponse =
        c.call("ListLoginPolicySecondFactors", ListLoginPolicySecondFactorsRequest {}).await.unwrap();
    assert_eq!(second.result, [1, 2, 3]);
    let policy: GetLoginPolicyResponse = c.call("GetLoginPolicy", GetLoginPolicyRequest {}).await.unwrap();
    let policy = policy.policy.unwrap();
    assert_eq!(policy.second_factors, [1, 2, 3]);
    assert_eq!(policy.details.unwrap().sequence, details.sequence, "the policy moves with its factors");

    // Twice: AlreadyExists, nothing written.
    let err = c.call::<_, AddSecondFactorToLoginPolicyResponse>("AddSecondFactorToLoginPolicy", add).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::AlreadyExists, "INSTANCE-2B0ps"));

    // Remove a default one.
    let remove = RemoveSecondFactorFromLoginPolicyRequest { r#type: SecondFactorType::U2f as i32 };
    let removed: RemoveSecondFactorFromLoginPolicyResponse =
        c.call("RemoveSecondFactorFromLoginPolicy", remove).await.unwrap();
    assert!(removed.details.unwrap().change_date.is_some());
    assert_eq!(
        newest_events(&s, 1).await[0],
        ("instance.policy.login.secondfactor.removed".into(), serde_json::json!({"mfaType": 2}))
    );
    let second: ListLoginPolicySecondFactorsResponse =
        c.call("ListLoginPolicySecondFactors", ListLoginPolicySecondFactorsRequest {}).await.unwrap();
    assert_eq!(second.result, [1, 3]);
    let err = c
        .call::<_, RemoveSecondFactorFromLoginPolicyResponse>("RemoveSecondFactorFromLoginPolicy", remove)
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "INSTANCE-3M9od"));

    // Multi factors: remove the default, add it again.
    let multi = MultiFactorType::U2fWithVerification as i32;
    let _: RemoveMultiFactorFromLoginPolicyResponse = c
        .call("RemoveMultiFactorFromLoginPolicy", RemoveMultiFactorFromLoginPolicyRequest { r#type: multi })
        .await
        .unwrap();
    let listed: ListLoginPolicyMultiFactorsResponse =
        c.call("ListLoginPolicyMultiFactors", ListLoginPolicyMultiFactorsRequest {}).await.unwrap();
    assert!(listed.result.is_empty());
    assert_eq!(listed.details.unwrap().total_result, 0);
    let err = c
        .call::<_, RemoveMultiFactorFromLoginPolicyResponse>(
            "RemoveMultiFactorFromLoginPolicy",
            RemoveMultiFactorFromLoginPolicyRequest { r#type: multi },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "INSTANCE-3M9df"));
    let _: AddMultiFactorToLoginPolicyResponse =
        c.call("AddMultiFactorToLoginPolicy", AddMultiFactorToLoginPolicyRequest { r#type: multi }).await.unwrap();
    assert_eq!(newest_events(&s, 1).await[0].0, "instance.policy.login.multifactor.added");
    let err = c
        .call::<_, AddMultiFactorToLoginPolicyResponse>(
            "AddMultiFactorToLoginPolicy",
            AddMultiFactorToLoginPolicyRequest { r#type: multi },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::AlreadyExists, "INSTANCE-3M9od"));
}

matrix!(oidc_settings_and_security_policy);

async fn oidc_settings_and_security_policy(s: Arc<TestServer>, c: Client) {
    let got: GetOidcSettingsResponse = c.call("GetOIDCSettings", GetOidcSettingsRequest {}).await.unwrap();
    let o = got.settings.unwrap();
    assert_eq!(
        (o.access_token_lifetime, o.id_token_lifetime, o.refresh_token_idle_expiration, o.refresh_token_expiration),
        (hours(12), hours(12), hours(720), hours(2160)),
        "cmd/defaults.yaml"
    );
    assert_eq!(o.details.unwrap().resource_owner, s.app.instance_id());

    // The instance has them from its setup.
    let add = AddOidcSettingsRequest {
        access_token_lifetime: hours(1),
        id_token_lifetime: hours(1),
        refresh_token_idle_expiration: hours(1),
        refresh_token_expiration: hours(1),
    };
    let err = c.call::<_, AddOidcSettingsResponse>("AddOIDCSettings", add).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::AlreadyExists, "INST-0aaj1o"));

    let update = UpdateOidcSettingsRequest {
        access_token_lifetime: hours(12),
        id_token_lifetime: hours(1),
        refresh_token_idle_expiration: hours(720),
        refresh_token_expiration: Some(Duration { seconds: 90, nanos: 500 }),
    };
    let changed: UpdateOidcSettingsResponse = c.call("UpdateOIDCSettings", update).await.unwrap();
    let sequence = changed.details.unwrap().sequence;
    let events = newest_events(&s, 1).await;
    assert_eq!(events[0].0, "instance.oidc.settings.changed");
    assert_eq!(
        events[0].1,
        serde_json::json!({"idTokenLifetime": 3_600_000_000_000_i64, "refreshTokenExpiration": 90_000_000_500_i64}),
        "only what changed, in nanoseconds"
    );
    let got: GetOidcSettingsResponse = c.call("GetOIDCSettings", GetOidcSettingsRequest {}).await.unwrap();
    let o = got.settings.unwrap();
    assert_eq!(
        (o.id_token_lifetime, o.refresh_token_expiration),
        (hours(1), Some(Duration { seconds: 90, nanos: 500 }))
    );
    assert_eq!(o.details.unwrap().sequence, sequence);
    let err = c.call::<_, UpdateOidcSettingsResponse>("UpdateOIDCSettings", update).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-0pk2nu"));

    // The security policy: none until set, read as its zero value.
    let got: GetSecurityPolicyResponse = c.call("GetSecurityPolicy", GetSecurityPolicyRequest {}).await.unwrap();
    let p = got.policy.unwrap();
    assert_eq!((p.enable_iframe_embedding, p.allowed_origins.len(), p.enable_impersonation), (false, 0, false));
    assert_eq!(p.details.unwrap().sequence, 0);
    let set = SetSecurityPolicyRequest {
        enable_iframe_embedding: true,
        allowed_origins: vec!["https://app.example.com".into()],
        enable_impersonation: false,
    };
    let changed: SetSecurityPolicyResponse = c.call("SetSecurityPolicy", set.clone()).await.unwrap();
    let events = newest_events(&s, 1).await;
    assert_eq!(events[0].0, "instance.policy.security.set");
    assert_eq!(
        events[0].1,
        serde_json::json!({"enable_iframe_embedding": true, "allowedOrigins": ["https://app.example.com"]})
    );
    let got: GetSecurityPolicyResponse = c.call("GetSecurityPolicy", GetSecurityPolicyRequest {}).await.unwrap();
    let p = got.policy.unwrap();
    assert_eq!(
        (p.enable_iframe_embedding, p.allowed_origins.clone(), p.enable_impersonation),
        (true, set.allowed_origins.clone(), false)
    );
    assert_eq!(p.details.unwrap().sequence, changed.details.unwrap().sequence);
    let err = c.call::<_, SetSecurityPolicyResponse>("SetSecurityPolicy", set).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "POLICY-EWsf3"));
    let impersonate = SetSecurityPolicyRequest { enable_impersonation: true, ..Default::default() };
    let _: SetSecurityPolicyResponse = c.call("SetSecurityPolicy", impersonate).await.unwrap();
    assert_eq!(
        newest_events(&s, 1).await[0].1,
        serde_json::json!({"enable_iframe_embedding": false, "allowedOrigins": [], "enable_impersonation": true})
    );
}

/// ZITADEL's secret generators of a new instance, in the API's types:
/// (type, length, expiry in seconds, lower, upper, digits, symbols).
const DEFAULT_GENERATORS: [(Gen, u32, i64, bool, bool, bool); 8] = [
    (Gen::AppSecret, 64, 0, true, true, true),
    (Gen::InitCode, 6, 72 * 3600, false, true, true),
    (Gen::VerifyEmailCode, 6, 3600, false, true, true),
    (Gen::VerifyPhoneCode, 6, 3600, false, true, true),
    (Gen::PasswordResetCode, 6, 3600, false, true, true),
    (Gen::PasswordlessInitCode, 12, 3600, true, true, true),
    (Gen::OtpSms, 8, 300, false, false, true),
    (Gen::OtpEmail, 8, 300, false, false, true),
];

matrix!(secret_generators);

async fn secret_generators(s: Arc<TestServer>, c: Client) {
    let listed: ListSecretGeneratorsResponse =
        c.call("ListSecretGenerators", ListSecretGeneratorsRequest::default()).await.unwrap();
    // Nine generators; the domain verification's type is not on the API.
    assert_eq!(listed.details.unwrap().total_result, 9);
    let got: Vec<_> = listed
        .result
        .iter()
        .filter(|g| g.generator_type != Gen::Unspecified as i32)
        .map(|g| {
            let expiry = g.expiry.map_or(0, |e| e.seconds);
            (g.generator_type, g.length, expiry, g.include_lower_letters, g.include_upper_letters, g.include_digits)
        })
        .collect();
    let want: Vec<_> =
        DEFAULT_GENERATORS.iter().map(|(t, l, e, lo, up, d)| (*t as i32, *l, *e, *lo, *up, *d)).collect();
    assert_eq!(got, want, "cmd/defaults.yaml");
    assert!(listed.result.iter().all(|g| !g.include_symbols));
    let unnamed: Vec<_> = listed.result.iter().filter(|g| g.generator_type == Gen::Unspecified as i32).collect();
    assert_eq!((unnamed.len(), unnamed[0].length), (1, 32), "the domain verification");

    let only = ListSecretGeneratorsRequest {
        queries: vec![settings::SecretGeneratorQuery {
            query: Some(settings::secret_generator_query::Query::TypeQuery(settings::SecretGeneratorTypeQuery {
                generator_type: Gen::OtpSms as i32,
            })),
        }],
        ..Default::default()
    };
    let listed: ListSecretGeneratorsResponse = c.call("ListSecretGenerators", only).await.unwrap();
    assert_eq!(listed.result.len(), 1);
    assert_eq!(listed.result[0].generator_type, Gen::OtpSms as i32);

    let update = UpdateSecretGeneratorRequest {
        generator_type: Gen::OtpSms as i32,
        length: 10,
        expiry: Some(Duration { seconds: 600, nanos: 0 }),
        include_lower_letters: false,
        include_upper_letters: false,
        include_digits: true,
        include_symbols: false,
    };
    let changed: UpdateSecretGeneratorResponse = c.call("UpdateSecretGenerator", update).await.unwrap();
    let events = newest_events(&s, 1).await;
    assert_eq!(events[0].0, "instance.secret.generator.changed");
    assert_eq!(
        events[0].1,
        serde_json::json!({"generatorType": 8, "length": 10, "expiry": 600_000_000_000_i64}),
        "ZITADEL's domain type number and the members that changed"
    );
    let got: GetSecretGeneratorResponse =
        c.call("GetSecretGenerator", GetSecretGeneratorRequest { generator_type: Gen::OtpSms as i32 }).await.unwrap();
    let g = got.secret_generator.unwrap();
    assert_eq!((g.length, g.expiry.unwrap().seconds, g.include_digits), (10, 600, true));
    assert_eq!(g.details.unwrap().sequence, changed.details.unwrap().sequence);
    let err = c.call::<_, UpdateSecretGeneratorResponse>("UpdateSecretGenerator", update).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-m0o3f"));
}

matrix!(trusted_domains_and_milestones);

async fn trusted_domains_and_milestones(s: Arc<TestServer>, c: Client) {
    let listed: ListInstanceTrustedDomainsResponse =
        c.call("ListInstanceTrustedDomains", ListInstanceTrustedDomainsRequest::default()).await.unwrap();
    assert!(listed.result.is_empty());
    for domain in ["login.example.com", " b.example.com:8443 "] {
        let request = AddInstanceTrustedDomainRequest { domain: domain.into() };
        let added: AddInstanceTrustedDomainResponse = c.call("AddInstanceTrustedDomain", request).await.unwrap();
        assert_eq!(added.details.unwrap().resource_owner, s.app.instance_id());
    }
    assert_eq!(
        newest_events(&s, 1).await[0],
        ("instance.trusted_domains.added".into(), serde_json::json!({"domain": "b.example.com:8443"})),
        "trimmed"
    );
    let request = ListInstanceTrustedDomainsRequest {
        sorting_column: inst::DomainFieldName::Domain as i32,
        query: Some(burg_api::object::ListQuery { asc: true, ..Default::default() }),
        ..Default::default()
    };
    let listed: ListInstanceTrustedDomainsResponse = c.call("ListInstanceTrustedDomains", request).await.unwrap();
    let domains: Vec<_> = listed.result.iter().map(|d| d.domain.as_str()).collect();
    assert_eq!(domains, ["b.example.com:8443", "login.example.com"]);
    assert_eq!(listed.sorting_column, inst::DomainFieldName::Domain as i32);
    let err = c
        .call::<_, AddInstanceTrustedDomainResponse>(
            "AddInstanceTrustedDomain",
            AddInstanceTrustedDomainRequest { domain: "login.example.com".into() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMA-hg42a"));
    let removed: RemoveInstanceTrustedDomainResponse = c
        .call("RemoveInstanceTrustedDomain", RemoveInstanceTrustedDomainRequest { domain: "login.example.com".into() })
        .await
        .unwrap();
    assert!(removed.details.unwrap().change_date.is_some());
    let err = c
        .call::<_, RemoveInstanceTrustedDomainResponse>(
            "RemoveInstanceTrustedDomain",
            RemoveInstanceTrustedDomainRequest { domain: "login.example.com".into() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "COMMA-de3z9"));

    // Milestones: the instance was created, nothing else happened.
    let listed: ListMilestonesResponse = c.call("ListMilestones", ListMilestonesRequest::default()).await.unwrap();
    let types: Vec<_> = listed.result.iter().map(|m| (m.r#type, m.reached_date.is_some())).collect();
    assert_eq!(types[0], (ms::MilestoneType::InstanceCreated as i32, true));
    assert_eq!(types.len(), 6);
    assert!(types[1..].iter().all(|(_, reached)| !reached));
    let reached = ListMilestonesRequest {
        queries: vec![ms::MilestoneQuery {
            query: Some(ms::milestone_query::Query::IsReachedQuery(ms::IsReachedQuery { reached: true })),
        }],
        ..Default::default()
    };
    let listed: ListMilestonesResponse = c.call("ListMilestones", reached).await.unwrap();
    assert_eq!(listed.result.len(), 1);

    // Views: every read table, at the newest event.
    let views: ListViewsResponse = c.call("ListViews", ListViewsRequest {}).await.unwrap();
    assert!(views.result.iter().any(|v| v.view_name == "settings"));
    let newest = views.result[0].processed_sequence;
    assert!(newest > 0 && views.result.iter().all(|v| v.processed_sequence == newest));
    let failed: ListFailedEventsResponse = c.call("ListFailedEvents", ListFailedEventsRequest {}).await.unwrap();
    assert!(failed.result.is_empty());
    let remove = RemoveFailedEventRequest { database: "burg".into(), view_name: "users".into(), failed_sequence: 7 };
    let _: RemoveFailedEventResponse = c.call("RemoveFailedEvent", remove).await.unwrap();

    // The deprecated feature switch: set by the setup, so nothing changes.
    let before = s.event_count().await;
    let activated: ActivateFeatureLoginDefaultOrgResponse =
        c.call("ActivateFeatureLoginDefaultOrg", ActivateFeatureLoginDefaultOrgRequest {}).await.unwrap();
    assert_eq!(activated.details.unwrap().resource_owner, s.app.instance_id());
    assert_eq!(s.event_count().await, before);
}

in_process!(instance_settings_checks_answer_as_zitadel);

async fn instance_settings_checks_answer_as_zitadel(s: Arc<TestServer>, c: Client) {
    let before = s.event_count().await;
    // A zero lifetime.
    let update = UpdateOidcSettingsRequest {
        access_token_lifetime: hours(1),
        id_token_lifetime: None,
        refresh_token_idle_expiration: hours(1),
        refresh_token_expiration: hours(1),
    };
    let err = c.call::<_, UpdateOidcSettingsResponse>("UpdateOIDCSettings", update).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "INST-10sxks"));
    let err =
        c.call::<_, AddOidcSettingsResponse>("AddOIDCSettings", AddOidcSettingsRequest::default()).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "INST-10s82j"));
    // Trusted domains: blank after trimming, and characters of no domain.
    for (domain, id) in [("   ", "COMMA-Stk21"), ("bad domain", "COMMA-S3v3w"), ("a/b", "COMMA-S3v3w")] {
        let request = AddInstanceTrustedDomainRequest { domain: domain.into() };
        let err = c.call::<_, AddInstanceTrustedDomainResponse>("AddInstanceTrustedDomain", request).await.unwrap_err();
        assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, id), "{domain:?}");
    }
    let request = RemoveInstanceTrustedDomainRequest { domain: "a b".into() };
    let err =
        c.call::<_, RemoveInstanceTrustedDomainResponse>("RemoveInstanceTrustedDomain", request).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "COMMA-lfs3Te"));
    // The proto's rules: an unspecified factor type.
    let err = c
        .call::<_, AddSecondFactorToLoginPolicyResponse>(
            "AddSecondFactorToLoginPolicy",
            AddSecondFactorToLoginPolicyRequest { r#type: 0 },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "VALID-rules"));
    assert_eq!(s.event_count().await, before, "nothing written");
}
