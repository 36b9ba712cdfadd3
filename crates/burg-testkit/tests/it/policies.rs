//! The instance's default policies of the Admin API (issue 18): ZITADEL's
//! defaults on a new instance and on a store made before them, update then
//! get, the refused no-change update, and ZITADEL's checks and error ids.
//! Permissions are covered by the authorization table (`authz.rs`).

use std::sync::Arc;

use burg_api::admin::*;
use burg_testkit::{Backend, Client, Protocol, TestServer, in_process, matrix};
use tonic::Code;

/// The type of the instance's newest event.
async fn last_event_type(c: &Client) -> String {
    let events: ListEventsResponse =
        c.call("ListEvents", ListEventsRequest { limit: 1, ..Default::default() }).await.unwrap();
    events.events[0].r#type.as_ref().unwrap().r#type.clone()
}

matrix!(password_complexity_policy);

async fn password_complexity_policy(s: Arc<TestServer>, c: Client) {
    let got: GetPasswordComplexityPolicyResponse =
        c.call("GetPasswordComplexityPolicy", GetPasswordComplexityPolicyRequest {}).await.unwrap();
    let p = got.policy.unwrap();
    assert_eq!(
        (p.min_length, p.has_uppercase, p.has_lowercase, p.has_number, p.has_symbol, p.is_default),
        (8, true, true, true, true, true),
        "cmd/defaults.yaml"
    );
    assert_eq!(p.details.unwrap().resource_owner, s.app.instance_id());

    let update = UpdatePasswordComplexityPolicyRequest {
        min_length: 12,
        has_uppercase: false,
        has_lowercase: true,
        has_number: true,
        has_symbol: false,
    };
    let changed: UpdatePasswordComplexityPolicyResponse =
        c.call("UpdatePasswordComplexityPolicy", update).await.unwrap();
    let sequence = changed.details.unwrap().sequence;
    let got: GetPasswordComplexityPolicyResponse =
        c.call("GetPasswordComplexityPolicy", GetPasswordComplexityPolicyRequest {}).await.unwrap();
    let p = got.policy.unwrap();
    assert_eq!(
        (p.min_length, p.has_uppercase, p.has_lowercase, p.has_number, p.has_symbol, p.is_default),
        (12, false, true, true, false, true)
    );
    assert_eq!(p.details.unwrap().sequence, sequence, "read your write");
    assert_eq!(last_event_type(&c).await, "instance.policy.password.complexity.changed");

    let err = c.call::<_, UpdatePasswordComplexityPolicyResponse>("UpdatePasswordComplexityPolicy", update).await;
    let err = err.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "INSTANCE-9jlsf"));
}

in_process!(policy_checks_answer_as_zitadel);

async fn policy_checks_answer_as_zitadel(s: Arc<TestServer>, c: Client) {
    let before = s.event_count().await;
    for min_length in [0, 73] {
        let update = UpdatePasswordComplexityPolicyRequest { min_length, ..Default::default() };
        let err = c.call::<_, UpdatePasswordComplexityPolicyResponse>("UpdatePasswordComplexityPolicy", update).await;
        let err = err.unwrap_err();
        assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "MODEL-Lsp0e"), "minLength {min_length}");
    }
    let longest = UpdatePasswordComplexityPolicyRequest { min_length: 72, ..Default::default() };
    let _: UpdatePasswordComplexityPolicyResponse = c.call("UpdatePasswordComplexityPolicy", longest).await.unwrap();
    assert_eq!(s.event_count().await, before + 1);
}

/// A store made before the policies were declared holds only the login
/// policy: opening it gives the instance ZITADEL's defaults of the others.
#[tokio::test]
async fn a_store_without_the_policies_gets_their_defaults() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(s) = TestServer::start_or_skip(backend).await else { continue };
        let pool = s.app.db().pool();
        sqlx::query("DELETE FROM settings WHERE kind <> 'policy.login'").execute(pool).await.unwrap();
        sqlx::query(
            "DELETE FROM events WHERE event_type LIKE 'instance.policy.%' AND event_type NOT LIKE 'instance.policy.login%'",
        )
        .execute(pool)
        .await
        .unwrap();
        let token = s.admin_token.clone();
        let s = s.restart().await.unwrap();
        let c = s.client_with_token(Protocol::Grpc, &token).await;
        let got: GetPasswordComplexityPolicyResponse =
            c.call("GetPasswordComplexityPolicy", GetPasswordComplexityPolicyRequest {}).await.unwrap();
        let p = got.policy.unwrap();
        assert_eq!((p.min_length, p.has_symbol, p.is_default), (8, true, true), "{backend:?}");
        let privacy: GetPrivacyPolicyResponse = c.call("GetPrivacyPolicy", GetPrivacyPolicyRequest {}).await.unwrap();
        assert_eq!(privacy.policy.unwrap().docs_link, "https://zitadel.com/docs");
        let notification: GetNotificationPolicyResponse =
            c.call("GetNotificationPolicy", GetNotificationPolicyRequest {}).await.unwrap();
        assert!(notification.policy.unwrap().password_change);
        let added: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM events WHERE event_type = 'instance.policy.password.complexity.added'",
        )
        .fetch_one(s.app.db().pool())
        .await
        .unwrap();
        assert_eq!(added, 1, "written once, as an event");
        // A second start finds them and writes nothing.
        let events = s.event_count().await;
        let s = s.restart().await.unwrap();
        assert_eq!(s.event_count().await, events);
        s.stop().await;
    }
}

matrix!(lockout_privacy_and_age_policies);

async fn lockout_privacy_and_age_policies(_s: Arc<TestServer>, c: Client) {
    // Lockout: 0 attempts (no lockout) by default.
    let got: GetLockoutPolicyResponse = c.call("GetLockoutPolicy", GetLockoutPolicyRequest {}).await.unwrap();
    let p = got.policy.unwrap();
    assert_eq!((p.max_password_attempts, p.max_otp_attempts, p.is_default), (0, 0, true));
    // The first update with the same numbers still changes showLockOutFailures
    // (true by default, false from the Admin API), as in ZITADEL.
    let zero = UpdateLockoutPolicyRequest { max_password_attempts: 0, max_otp_attempts: 0 };
    let _: UpdateLockoutPolicyResponse = c.call("UpdateLockoutPolicy", zero).await.unwrap();
    let err = c.call::<_, UpdateLockoutPolicyResponse>("UpdateLockoutPolicy", zero).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "INSTANCE-0psjF"));
    let update = UpdateLockoutPolicyRequest { max_password_attempts: 5, max_otp_attempts: 3 };
    let changed: UpdateLockoutPolicyResponse = c.call("UpdateLockoutPolicy", update).await.unwrap();
    let got: GetLockoutPolicyResponse = c.call("GetLockoutPolicy", GetLockoutPolicyRequest {}).await.unwrap();
    let p = got.policy.unwrap();
    assert_eq!((p.max_password_attempts, p.max_otp_attempts, p.is_default), (5, 3, true));
    assert_eq!(p.details.unwrap().sequence, changed.details.unwrap().sequence);
    assert_eq!(last_event_type(&c).await, "instance.policy.lockout.changed");

    // Privacy: only the docs link is set by default.
    let got: GetPrivacyPolicyResponse = c.call("GetPrivacyPolicy", GetPrivacyPolicyRequest {}).await.unwrap();
    let p = got.policy.unwrap();
    assert_eq!(p.docs_link, "https://zitadel.com/docs");
    assert_eq!((p.tos_link.as_str(), p.support_email.as_str(), p.is_default), ("", "", true));
    let update = UpdatePrivacyPolicyRequest {
        tos_link: "https://example.com/tos".into(),
        privacy_link: "https://example.com/privacy".into(),
        help_link: "https://example.com/help".into(),
        support_email: "support@example.com".into(),
        docs_link: "".into(),
        custom_link: "https://example.com/x".into(),
        custom_link_text: "More".into(),
    };
    let _: UpdatePrivacyPolicyResponse = c.call("UpdatePrivacyPolicy", update.clone()).await.unwrap();
    let got: GetPrivacyPolicyResponse = c.call("GetPrivacyPolicy", GetPrivacyPolicyRequest {}).await.unwrap();
    let p = got.policy.unwrap();
    let back = UpdatePrivacyPolicyRequest {
        tos_link: p.tos_link,
        privacy_link: p.privacy_link,
        help_link: p.help_link,
        support_email: p.support_email,
        docs_link: p.docs_link,
        custom_link: p.custom_link,
        custom_link_text: p.custom_link_text,
    };
    assert_eq!(back, update, "every field as written");
    let err = c.call::<_, UpdatePrivacyPolicyResponse>("UpdatePrivacyPolicy", update).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "INSTANCE-9jJfs"));
    assert_eq!(last_event_type(&c).await, "instance.policy.privacy.changed");

    // Password age: no expiry by default.
    let got: GetPasswordAgePolicyResponse =
        c.call("GetPasswordAgePolicy", GetPasswordAgePolicyRequest {}).await.unwrap();
    let p = got.policy.unwrap();
    assert_eq!((p.max_age_days, p.expire_warn_days, p.is_default), (0, 0, true));
    let update = UpdatePasswordAgePolicyRequest { max_age_days: 90, expire_warn_days: 10 };
    let _: UpdatePasswordAgePolicyResponse = c.call("UpdatePasswordAgePolicy", update).await.unwrap();
    let got: GetPasswordAgePolicyResponse =
        c.call("GetPasswordAgePolicy", GetPasswordAgePolicyRequest {}).await.unwrap();
    let p = got.policy.unwrap();
    assert_eq!((p.max_age_days, p.expire_warn_days), (90, 10));
    let err = c.call::<_, UpdatePasswordAgePolicyResponse>("UpdatePasswordAgePolicy", update).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "INSTANCE-180sf"));
    assert_eq!(last_event_type(&c).await, "instance.policy.password.age.changed");
}

matrix!(domain_policy_and_org_iam_aliases);

async fn domain_policy_and_org_iam_aliases(s: Arc<TestServer>, c: Client) {
    let flags = |p: &burg_api::zitadel::policy::v1::DomainPolicy| {
        (p.user_login_must_be_domain, p.validate_org_domains, p.smtp_sender_address_matches_instance_domain)
    };
    let got: GetDomainPolicyResponse = c.call("GetDomainPolicy", GetDomainPolicyRequest {}).await.unwrap();
    let p = got.policy.unwrap();
    assert_eq!((flags(&p), p.is_default), ((false, false, false), true), "cmd/defaults.yaml");
    let iam: GetOrgIamPolicyResponse = c.call("GetOrgIAMPolicy", GetOrgIamPolicyRequest {}).await.unwrap();
    assert!(!iam.policy.unwrap().user_login_must_be_domain);

    // The deprecated alias sets the two newer flags to true, as ZITADEL does.
    let _: UpdateOrgIamPolicyResponse =
        c.call("UpdateOrgIAMPolicy", UpdateOrgIamPolicyRequest { user_login_must_be_domain: true }).await.unwrap();
    let got: GetDomainPolicyResponse = c.call("GetDomainPolicy", GetDomainPolicyRequest {}).await.unwrap();
    assert_eq!(flags(&got.policy.unwrap()), (true, true, true));
    let same = UpdateDomainPolicyRequest {
        user_login_must_be_domain: true,
        validate_org_domains: true,
        smtp_sender_address_matches_instance_domain: true,
    };
    let err = c.call::<_, UpdateDomainPolicyResponse>("UpdateDomainPolicy", same).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "INSTANCE-pl9fN"));
    let back = UpdateDomainPolicyRequest { user_login_must_be_domain: false, ..same };
    let _: UpdateDomainPolicyResponse = c.call("UpdateDomainPolicy", back).await.unwrap();
    assert_eq!(last_event_type(&c).await, "instance.policy.domain.changed");

    // An organization reads the instance's until it has its own.
    let org: SetUpOrgResponse = c.call("SetUpOrg", crate::orgs::setup_request("Domained")).await.unwrap();
    let org_id = org.org_id.clone();
    let custom = |org_id: &str| GetCustomDomainPolicyRequest { org_id: org_id.into() };
    let got: GetCustomDomainPolicyResponse = c.call("GetCustomDomainPolicy", custom(&org_id)).await.unwrap();
    let p = got.policy.unwrap();
    assert_eq!((flags(&p), p.is_default), ((false, true, true), true));
    assert_eq!(p.details.unwrap().resource_owner, s.app.instance_id());

    let add = AddCustomDomainPolicyRequest {
        org_id: org_id.clone(),
        user_login_must_be_domain: true,
        validate_org_domains: false,
        smtp_sender_address_matches_instance_domain: false,
    };
    let _: AddCustomDomainPolicyResponse = c.call("AddCustomDomainPolicy", add.clone()).await.unwrap();
    let got: GetCustomDomainPolicyResponse = c.call("GetCustomDomainPolicy", custom(&org_id)).await.unwrap();
    let p = got.policy.unwrap();
    assert_eq!((flags(&p), p.is_default), ((true, false, false), false));
    assert_eq!(p.details.unwrap().resource_owner, org_id);
    let err = c.call::<_, AddCustomDomainPolicyResponse>("AddCustomDomainPolicy", add).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::AlreadyExists, "ORG-1M8ds"));
    let same = UpdateCustomDomainPolicyRequest {
        org_id: org_id.clone(),
        user_login_must_be_domain: true,
        validate_org_domains: false,
        smtp_sender_address_matches_instance_domain: false,
    };
    let err = c.call::<_, UpdateCustomDomainPolicyResponse>("UpdateCustomDomainPolicy", same.clone()).await;
    let err = err.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "ORG-3M9ds"));
    let _: UpdateCustomDomainPolicyResponse = c
        .call(
            "UpdateCustomDomainPolicy",
            UpdateCustomDomainPolicyRequest { validate_org_domains: true, ..same.clone() },
        )
        .await
        .unwrap();
    let iam: GetCustomOrgIamPolicyResponse =
        c.call("GetCustomOrgIAMPolicy", GetCustomOrgIamPolicyRequest { org_id: org_id.clone() }).await.unwrap();
    let p = iam.policy.unwrap();
    assert_eq!((p.user_login_must_be_domain, p.is_default), (true, false));
    let _: UpdateCustomOrgIamPolicyResponse = c
        .call(
            "UpdateCustomOrgIAMPolicy",
            UpdateCustomOrgIamPolicyRequest { org_id: org_id.clone(), user_login_must_be_domain: false },
        )
        .await
        .unwrap();
    let got: GetCustomDomainPolicyResponse = c.call("GetCustomDomainPolicy", custom(&org_id)).await.unwrap();
    assert_eq!(flags(&got.policy.unwrap()), (false, true, true));
    assert_eq!(last_event_type(&c).await, "org.policy.domain.changed");

    // Reset: the instance's applies again; a second reset and an update find nothing.
    let reset = ResetCustomDomainPolicyToDefaultRequest { org_id: org_id.clone() };
    let _: ResetCustomDomainPolicyToDefaultResponse =
        c.call("ResetCustomDomainPolicyToDefault", reset.clone()).await.unwrap();
    let got: GetCustomDomainPolicyResponse = c.call("GetCustomDomainPolicy", custom(&org_id)).await.unwrap();
    assert!(got.policy.unwrap().is_default);
    let err = c.call::<_, ResetCustomDomainPolicyToDefaultResponse>("ResetCustomDomainPolicyToDefault", reset).await;
    assert_eq!((err.as_ref().unwrap_err().code, err.unwrap_err().id.as_str()), (Code::NotFound, "ORG-Dvsh3"));
    let err = c.call::<_, UpdateCustomDomainPolicyResponse>("UpdateCustomDomainPolicy", same).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "ORG-2N9sd"));

    // The org IAM aliases add and reset the same policy.
    let _: AddCustomOrgIamPolicyResponse = c
        .call(
            "AddCustomOrgIAMPolicy",
            AddCustomOrgIamPolicyRequest { org_id: org_id.clone(), user_login_must_be_domain: false },
        )
        .await
        .unwrap();
    let got: GetCustomDomainPolicyResponse = c.call("GetCustomDomainPolicy", custom(&org_id)).await.unwrap();
    let p = got.policy.unwrap();
    assert_eq!((flags(&p), p.is_default), ((false, true, true), false));
    let _: ResetCustomOrgIamPolicyToDefaultResponse = c
        .call("ResetCustomOrgIAMPolicyToDefault", ResetCustomOrgIamPolicyToDefaultRequest { org_id: org_id.clone() })
        .await
        .unwrap();
    assert_eq!(last_event_type(&c).await, "org.policy.domain.removed");

    // ZITADEL's command does not look the organization up.
    let unknown = AddCustomDomainPolicyRequest { org_id: "404".into(), ..Default::default() };
    let _: AddCustomDomainPolicyResponse = c.call("AddCustomDomainPolicy", unknown).await.unwrap();
}

matrix!(notification_policy);

async fn notification_policy(_s: Arc<TestServer>, c: Client) {
    let got: GetNotificationPolicyResponse =
        c.call("GetNotificationPolicy", GetNotificationPolicyRequest {}).await.unwrap();
    let p = got.policy.unwrap();
    assert_eq!((p.password_change, p.is_default), (true, true), "cmd/defaults.yaml");
    let err = c
        .call::<_, AddNotificationPolicyResponse>("AddNotificationPolicy", AddNotificationPolicyRequest::default())
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::AlreadyExists, "INSTANCE-xpo1bj"));
    let update = UpdateNotificationPolicyRequest { password_change: false };
    let _: UpdateNotificationPolicyResponse = c.call("UpdateNotificationPolicy", update).await.unwrap();
    let got: GetNotificationPolicyResponse =
        c.call("GetNotificationPolicy", GetNotificationPolicyRequest {}).await.unwrap();
    assert!(!got.policy.unwrap().password_change);
    let err = c.call::<_, UpdateNotificationPolicyResponse>("UpdateNotificationPolicy", update).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "INSTANCE-29x02n"));
    assert_eq!(last_event_type(&c).await, "instance.policy.notification.changed");
}
