//! The Management API's organization-level settings: each policy read as
//! the instance's default, given to the organization, changed, reset, and
//! read as the default again; the login policy's factors and providers;
//! the label policy's preview and activation; ZITADEL's error ids.

use std::fmt::Debug;
use std::sync::Arc;

use burg_api::admin::{self as a, SetUpOrgResponse};
use burg_api::management::*;
use burg_api::zitadel::idp::v1::IdpOwnerType;
use burg_api::zitadel::policy::v1::{MultiFactorType, SecondFactorType};
use burg_testkit::{Client, TestServer, in_process, matrix};
use prost::Message;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tonic::Code;

use crate::orgs::setup_request;

matrix!(
    each_policy_is_the_default_then_its_own_then_the_default,
    login_policy_factors_and_providers,
    label_policy_is_previewed_then_activated,
    the_instances_change_shows_where_the_org_has_none,
    an_imported_orgs_policies_read_as_its_own,
    an_imported_login_policy_offers_its_providers,
);
in_process!(bad_requests_change_nothing, an_org_owner_sets_its_own_org_only);

trait Req: Message + Serialize + Default + Clone + Send + Sync + 'static {}
impl<T: Message + Serialize + Default + Clone + Send + Sync + 'static> Req for T {}
trait Resp: Message + Debug + DeserializeOwned + Default + Send + Sync + 'static {}
impl<T: Message + Debug + DeserializeOwned + Default + Send + Sync + 'static> Resp for T {}

async fn set_up(c: &Client, name: &str) -> SetUpOrgResponse {
    c.call("SetUpOrg", setup_request(name)).await.unwrap()
}

/// One kind's RPC names and requests, and what its read shows.
struct Kind<G, A, U, R, GResp> {
    get: (&'static str, G),
    add: (&'static str, A),
    /// ZITADEL's id of a second add (AlreadyExists).
    exists: &'static str,
    update: (&'static str, U),
    /// Update to the same value (FailedPrecondition), update without its own (NotFound).
    unchanged: &'static str,
    missing: &'static str,
    reset: (&'static str, R),
    reset_missing: &'static str,
    /// (isDefault, the values shown) of a read.
    read: fn(&GResp) -> (bool, String),
}

async fn cycle<G: Req, A: Req, U: Req, R: Req, GResp: Resp, AResp: Resp, UResp: Resp, RResp: Resp>(
    o: &Client,
    k: Kind<G, A, U, R, GResp>,
) {
    let get = || async { (k.read)(&o.call::<_, GResp>(k.get.0, k.get.1.clone()).await.unwrap()) };
    let (is_default, default) = get().await;
    assert!(is_default, "{}: the instance's at first", k.get.0);
    let err = o.call::<_, UResp>(k.update.0, k.update.1.clone()).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, k.missing), "{}", k.update.0);
    let err = o.call::<_, RResp>(k.reset.0, k.reset.1.clone()).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, k.reset_missing), "{}", k.reset.0);

    let _: AResp = o.call(k.add.0, k.add.1.clone()).await.unwrap();
    let (is_default, added) = get().await;
    assert!(!is_default, "{}: its own after {}", k.get.0, k.add.0);
    assert_ne!(added, default, "{}", k.add.0);
    let err = o.call::<_, AResp>(k.add.0, k.add.1.clone()).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::AlreadyExists, k.exists), "{}", k.add.0);

    let _: UResp = o.call(k.update.0, k.update.1.clone()).await.unwrap();
    let (is_default, updated) = get().await;
    assert!(!is_default);
    assert_ne!(updated, added, "{}", k.update.0);
    let err = o.call::<_, UResp>(k.update.0, k.update.1.clone()).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, k.unchanged), "{}", k.update.0);

    let _: RResp = o.call(k.reset.0, k.reset.1.clone()).await.unwrap();
    assert_eq!(get().await, (true, default), "{}: the instance's again", k.reset.0);
}

fn shown<T: Debug>(policy: &Option<T>) -> String {
    // The values without the details (they move with every change).
    let text = format!("{:?}", policy.as_ref().unwrap());
    match (text.find("details: "), text.find("}), ")) {
        (Some(start), Some(end)) if end > start => format!("{}{}", &text[..start], &text[end + 4..]),
        _ => text,
    }
}

async fn each_policy_is_the_default_then_its_own_then_the_default(_s: Arc<TestServer>, c: Client) {
    let org = set_up(&c, "Acme").await;
    let o = c.with_org(&org.org_id);

    cycle::<
        _,
        _,
        _,
        _,
        GetPasswordComplexityPolicyResponse,
        AddCustomPasswordComplexityPolicyResponse,
        UpdateCustomPasswordComplexityPolicyResponse,
        ResetPasswordComplexityPolicyToDefaultResponse,
    >(
        &o,
        Kind {
            get: ("GetPasswordComplexityPolicy", GetPasswordComplexityPolicyRequest {}),
            add: (
                "AddCustomPasswordComplexityPolicy",
                AddCustomPasswordComplexityPolicyRequest { min_length: 12, has_uppercase: true, ..Default::default() },
            ),
            exists: "Org-LdhbS",
            update: (
                "UpdateCustomPasswordComplexityPolicy",
                UpdateCustomPasswordComplexityPolicyRequest { min_length: 20, has_symbol: true, ..Default::default() },
            ),
            unchanged: "Org-DAs21",
            missing: "ORG-Dgs3g",
            reset: ("ResetPasswordComplexityPolicyToDefault", ResetPasswordComplexityPolicyToDefaultRequest {}),
            reset_missing: "ORG-ADgs2",
            read: |r| {
                assert_eq!(r.is_default, r.policy.as_ref().unwrap().is_default);
                (r.is_default, shown(&r.policy))
            },
        },
    )
    .await;
    let got: GetPasswordComplexityPolicyResponse =
        o.call("GetPasswordComplexityPolicy", GetPasswordComplexityPolicyRequest {}).await.unwrap();
    assert_eq!(got.policy.unwrap().min_length, 8, "ZITADEL's default");

    cycle::<
        _,
        _,
        _,
        _,
        GetPasswordAgePolicyResponse,
        AddCustomPasswordAgePolicyResponse,
        UpdateCustomPasswordAgePolicyResponse,
        ResetPasswordAgePolicyToDefaultResponse,
    >(
        &o,
        Kind {
            get: ("GetPasswordAgePolicy", GetPasswordAgePolicyRequest {}),
            add: (
                "AddCustomPasswordAgePolicy",
                AddCustomPasswordAgePolicyRequest { max_age_days: 90, expire_warn_days: 10 },
            ),
            exists: "ORG-Lk0dS",
            update: (
                "UpdateCustomPasswordAgePolicy",
                UpdateCustomPasswordAgePolicyRequest { max_age_days: 30, expire_warn_days: 5 },
            ),
            unchanged: "Org-dsgjR",
            missing: "ORG-0oPew",
            reset: ("ResetPasswordAgePolicyToDefault", ResetPasswordAgePolicyToDefaultRequest {}),
            reset_missing: "ORG-Dgs1g",
            read: |r| (r.is_default, shown(&r.policy)),
        },
    )
    .await;

    cycle::<
        _,
        _,
        _,
        _,
        GetLockoutPolicyResponse,
        AddCustomLockoutPolicyResponse,
        UpdateCustomLockoutPolicyResponse,
        ResetLockoutPolicyToDefaultResponse,
    >(
        &o,
        Kind {
            get: ("GetLockoutPolicy", GetLockoutPolicyRequest {}),
            add: (
                "AddCustomLockoutPolicy",
                AddCustomLockoutPolicyRequest { max_password_attempts: 5, max_otp_attempts: 3 },
            ),
            exists: "ORG-0olDf",
            update: (
                "UpdateCustomLockoutPolicy",
                UpdateCustomLockoutPolicyRequest { max_password_attempts: 7, max_otp_attempts: 3 },
            ),
            unchanged: "ORG-0JFSr",
            missing: "ORG-ADfs1",
            reset: ("ResetLockoutPolicyToDefault", ResetLockoutPolicyToDefaultRequest {}),
            reset_missing: "ORG-D4zuz",
            read: |r| (r.is_default, shown(&r.policy)),
        },
    )
    .await;

    cycle::<
        _,
        _,
        _,
        _,
        GetPrivacyPolicyResponse,
        AddCustomPrivacyPolicyResponse,
        UpdateCustomPrivacyPolicyResponse,
        ResetPrivacyPolicyToDefaultResponse,
    >(
        &o,
        Kind {
            get: ("GetPrivacyPolicy", GetPrivacyPolicyRequest {}),
            add: (
                "AddCustomPrivacyPolicy",
                AddCustomPrivacyPolicyRequest {
                    tos_link: "https://acme.test/tos".into(),
                    support_email: "help@acme.test".into(),
                    ..Default::default()
                },
            ),
            exists: "Org-0oLpd",
            update: (
                "UpdateCustomPrivacyPolicy",
                UpdateCustomPrivacyPolicyRequest { tos_link: "https://acme.test/terms".into(), ..Default::default() },
            ),
            unchanged: "Org-4N9fs",
            missing: "ORG-Ng8sf",
            reset: ("ResetPrivacyPolicyToDefault", ResetPrivacyPolicyToDefaultRequest {}),
            reset_missing: "ORG-Ze9gs",
            read: |r| (r.policy.as_ref().unwrap().is_default, shown(&r.policy)),
        },
    )
    .await;

    cycle::<
        _,
        _,
        _,
        _,
        GetNotificationPolicyResponse,
        AddCustomNotificationPolicyResponse,
        UpdateCustomNotificationPolicyResponse,
        ResetNotificationPolicyToDefaultResponse,
    >(
        &o,
        Kind {
            get: ("GetNotificationPolicy", GetNotificationPolicyRequest {}),
            add: ("AddCustomNotificationPolicy", AddCustomNotificationPolicyRequest { password_change: false }),
            exists: "Org-xa08n2",
            update: ("UpdateCustomNotificationPolicy", UpdateCustomNotificationPolicyRequest { password_change: true }),
            unchanged: "Org-ioqnxz",
            missing: "ORG-x029n3",
            reset: ("ResetNotificationPolicyToDefault", ResetNotificationPolicyToDefaultRequest {}),
            reset_missing: "ORG-x029n1s",
            read: |r| (r.policy.as_ref().unwrap().is_default, shown(&r.policy)),
        },
    )
    .await;

    cycle::<
        _,
        _,
        _,
        _,
        GetLoginPolicyResponse,
        AddCustomLoginPolicyResponse,
        UpdateCustomLoginPolicyResponse,
        ResetLoginPolicyToDefaultResponse,
    >(
        &o,
        Kind {
            get: ("GetLoginPolicy", GetLoginPolicyRequest {}),
            add: (
                "AddCustomLoginPolicy",
                AddCustomLoginPolicyRequest {
                    allow_username_password: true,
                    second_factors: vec![SecondFactorType::Otp as i32],
                    ..Default::default()
                },
            ),
            exists: "Org-Dgfb2",
            update: (
                "UpdateCustomLoginPolicy",
                UpdateCustomLoginPolicyRequest {
                    allow_username_password: true,
                    allow_register: true,
                    default_redirect_uri: "https://acme.test/".into(),
                    ..Default::default()
                },
            ),
            unchanged: "Org-5M9vdd",
            missing: "Org-M0sif",
            reset: ("ResetLoginPolicyToDefault", ResetLoginPolicyToDefaultRequest {}),
            reset_missing: "Org-GHB37",
            read: |r| {
                assert_eq!(r.is_default, r.policy.as_ref().unwrap().is_default);
                (r.is_default, shown(&r.policy))
            },
        },
    )
    .await;

    cycle::<
        _,
        _,
        _,
        _,
        GetPreviewLabelPolicyResponse,
        AddCustomLabelPolicyResponse,
        UpdateCustomLabelPolicyResponse,
        ResetLabelPolicyToDefaultResponse,
    >(
        &o,
        Kind {
            get: ("GetPreviewLabelPolicy", GetPreviewLabelPolicyRequest {}),
            add: (
                "AddCustomLabelPolicy",
                AddCustomLabelPolicyRequest { primary_color: "#112233".into(), ..Default::default() },
            ),
            exists: "Org-2B0ps",
            update: (
                "UpdateCustomLabelPolicy",
                UpdateCustomLabelPolicyRequest { primary_color: "#445566".into(), ..Default::default() },
            ),
            unchanged: "Org-8nfSr",
            missing: "Org-0K9dq",
            reset: ("ResetLabelPolicyToDefault", ResetLabelPolicyToDefaultRequest {}),
            reset_missing: "Org-3M9df",
            read: |r| (r.is_default, shown(&r.policy)),
        },
    )
    .await;

    // The defaults as the Management API answers them.
    let d: GetDefaultPasswordAgePolicyResponse =
        o.call("GetDefaultPasswordAgePolicy", GetDefaultPasswordAgePolicyRequest {}).await.unwrap();
    assert!(d.policy.unwrap().is_default);
    let d: GetDefaultLoginPolicyResponse =
        o.call("GetDefaultLoginPolicy", GetDefaultLoginPolicyRequest {}).await.unwrap();
    assert_eq!(d.policy.unwrap().second_factors, [1, 2]);
    let d: GetDomainPolicyResponse = o.call("GetDomainPolicy", GetDomainPolicyRequest {}).await.unwrap();
    assert!(d.policy.unwrap().is_default);
    let d: GetOrgIamPolicyResponse = o.call("GetOrgIAMPolicy", GetOrgIamPolicyRequest {}).await.unwrap();
    assert!(d.policy.unwrap().is_default);
}

async fn login_policy_factors_and_providers(s: Arc<TestServer>, c: Client) {
    let org = set_up(&c, "Acme").await;
    let o = c.with_org(&org.org_id);
    // Without its own policy: the instance's factors, and no part of its own to change.
    let second: ListLoginPolicySecondFactorsResponse =
        o.call("ListLoginPolicySecondFactors", ListLoginPolicySecondFactorsRequest {}).await.unwrap();
    assert_eq!(second.result, [1, 2]);
    let add = AddMultiFactorToLoginPolicyRequest { r#type: MultiFactorType::U2fWithVerification as i32 };
    let err = o.call::<_, AddMultiFactorToLoginPolicyResponse>("AddMultiFactorToLoginPolicy", add).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "Org-GHB37"));

    let _: AddCustomLoginPolicyResponse = o
        .call(
            "AddCustomLoginPolicy",
            AddCustomLoginPolicyRequest {
                second_factors: vec![SecondFactorType::OtpEmail as i32],
                multi_factors: vec![],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT event_type, payload FROM events WHERE aggregate_id = $1 ORDER BY position DESC LIMIT 2")
            .bind(&org.org_id)
            .fetch_all(s.app.db().pool())
            .await
            .unwrap();
    assert_eq!(rows[0].0, "org.policy.login.secondfactor.added");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&rows[0].1).unwrap(), serde_json::json!({"mfaType": 3}));
    assert_eq!(rows[1].0, "org.policy.login.added");

    let second: ListLoginPolicySecondFactorsResponse =
        o.call("ListLoginPolicySecondFactors", ListLoginPolicySecondFactorsRequest {}).await.unwrap();
    assert_eq!(second.result, [3]);
    let _: AddMultiFactorToLoginPolicyResponse = o.call("AddMultiFactorToLoginPolicy", add).await.unwrap();
    let err = o.call::<_, AddMultiFactorToLoginPolicyResponse>("AddMultiFactorToLoginPolicy", add).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::AlreadyExists, "Org-3M9od"));
    let multi: ListLoginPolicyMultiFactorsResponse =
        o.call("ListLoginPolicyMultiFactors", ListLoginPolicyMultiFactorsRequest {}).await.unwrap();
    assert_eq!(multi.result, [MultiFactorType::U2fWithVerification as i32]);
    let remove = RemoveSecondFactorFromLoginPolicyRequest { r#type: SecondFactorType::OtpEmail as i32 };
    let _: RemoveSecondFactorFromLoginPolicyResponse =
        o.call("RemoveSecondFactorFromLoginPolicy", remove).await.unwrap();
    let err = o
        .call::<_, RemoveSecondFactorFromLoginPolicyResponse>("RemoveSecondFactorFromLoginPolicy", remove)
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "Org-3M9od"));
    let got: GetLoginPolicyResponse = o.call("GetLoginPolicy", GetLoginPolicyRequest {}).await.unwrap();
    let got = got.policy.unwrap();
    assert_eq!(
        (got.second_factors.len(), got.multi_factors.as_slice()),
        (0, &[MultiFactorType::U2fWithVerification as i32][..])
    );
    // The instance's own factors are untouched.
    let inst: a::ListLoginPolicySecondFactorsResponse =
        c.call("ListLoginPolicySecondFactors", a::ListLoginPolicySecondFactorsRequest {}).await.unwrap();
    assert_eq!(inst.result, [1, 2]);

    // Providers: an unknown one is refused; none are offered yet.
    let idp = AddIdpToLoginPolicyRequest { idp_id: "404".into(), owner_type: IdpOwnerType::System as i32 };
    let err = o.call::<_, AddIdpToLoginPolicyResponse>("AddIDPToLoginPolicy", idp).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "Org-3N9fs"));
    let listed: ListLoginPolicyIdPsResponse =
        o.call("ListLoginPolicyIDPs", ListLoginPolicyIdPsRequest::default()).await.unwrap();
    assert!(listed.result.is_empty());
    let err = o
        .call::<_, RemoveIdpFromLoginPolicyResponse>(
            "RemoveIDPFromLoginPolicy",
            RemoveIdpFromLoginPolicyRequest { idp_id: "404".into() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "Org-39fjs"));

    // An instance template, offered by the organization's policy only.
    let idp: a::AddGenericOidcProviderResponse = c
        .call(
            "AddGenericOIDCProvider",
            a::AddGenericOidcProviderRequest {
                name: "Corp".into(),
                issuer: "https://issuer.example.com".into(),
                client_id: "client".into(),
                client_secret: "s".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let link = AddIdpToLoginPolicyRequest { idp_id: idp.id.clone(), owner_type: IdpOwnerType::Org as i32 };
    let err = o.call::<_, AddIdpToLoginPolicyResponse>("AddIDPToLoginPolicy", link).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "Org-3N9fs"), "not the organization's own");
    let link = AddIdpToLoginPolicyRequest { idp_id: idp.id.clone(), owner_type: IdpOwnerType::System as i32 };
    let _: AddIdpToLoginPolicyResponse = o.call("AddIDPToLoginPolicy", link.clone()).await.unwrap();
    let err = o.call::<_, AddIdpToLoginPolicyResponse>("AddIDPToLoginPolicy", link).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::AlreadyExists, "Org-2B0ps"));
    let listed: ListLoginPolicyIdPsResponse =
        o.call("ListLoginPolicyIDPs", ListLoginPolicyIdPsRequest::default()).await.unwrap();
    let ids: Vec<&str> = listed.result.iter().map(|l| l.idp_id.as_str()).collect();
    assert_eq!((ids, listed.details.unwrap().total_result), (vec![idp.id.as_str()], 1));
    let got: GetLoginPolicyResponse = o.call("GetLoginPolicy", GetLoginPolicyRequest {}).await.unwrap();
    assert_eq!(got.policy.unwrap().idps[0].idp_name, "Corp");
    let inst: a::GetLoginPolicyResponse = c.call("GetLoginPolicy", a::GetLoginPolicyRequest {}).await.unwrap();
    assert!(inst.policy.unwrap().idps.is_empty(), "the instance's policy does not offer it");
    let removed: RemoveIdpFromLoginPolicyResponse =
        o.call("RemoveIDPFromLoginPolicy", RemoveIdpFromLoginPolicyRequest { idp_id: idp.id.clone() }).await.unwrap();
    assert!(removed.details.is_some());
    // A reset takes the providers with the policy.
    let link = AddIdpToLoginPolicyRequest { idp_id: idp.id.clone(), owner_type: IdpOwnerType::System as i32 };
    let _: AddIdpToLoginPolicyResponse = o.call("AddIDPToLoginPolicy", link).await.unwrap();
    let _: ResetLoginPolicyToDefaultResponse =
        o.call("ResetLoginPolicyToDefault", ResetLoginPolicyToDefaultRequest {}).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_policy_idps WHERE owner_id = $1")
        .bind(&org.org_id)
        .fetch_one(s.app.db().pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
}

async fn label_policy_is_previewed_then_activated(_s: Arc<TestServer>, c: Client) {
    let org = set_up(&c, "Acme").await;
    let o = c.with_org(&org.org_id);
    let active = || async {
        let got: GetLabelPolicyResponse = o.call("GetLabelPolicy", GetLabelPolicyRequest {}).await.unwrap();
        (got.is_default, got.policy.unwrap().primary_color)
    };
    assert_eq!(active().await, (true, "#5469d4".to_string()));
    let err = o
        .call::<_, ActivateCustomLabelPolicyResponse>("ActivateCustomLabelPolicy", ActivateCustomLabelPolicyRequest {})
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "ORG-34mSE"));
    let _: AddCustomLabelPolicyResponse = o
        .call(
            "AddCustomLabelPolicy",
            AddCustomLabelPolicyRequest { primary_color: "#112233".into(), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(active().await, (true, "#5469d4".to_string()), "a preview until activated");
    let _: ActivateCustomLabelPolicyResponse =
        o.call("ActivateCustomLabelPolicy", ActivateCustomLabelPolicyRequest {}).await.unwrap();
    assert_eq!(active().await, (false, "#112233".to_string()));
    let removed: RemoveCustomLabelPolicyLogoResponse =
        o.call("RemoveCustomLabelPolicyLogo", RemoveCustomLabelPolicyLogoRequest {}).await.unwrap();
    assert!(removed.details.is_some());
    let d: GetDefaultLabelPolicyResponse =
        o.call("GetDefaultLabelPolicy", GetDefaultLabelPolicyRequest {}).await.unwrap();
    assert_eq!(d.policy.unwrap().primary_color, "#5469d4");
    let _: ResetLabelPolicyToDefaultResponse =
        o.call("ResetLabelPolicyToDefault", ResetLabelPolicyToDefaultRequest {}).await.unwrap();
    assert_eq!(active().await, (true, "#5469d4".to_string()));
    let err = o
        .call::<_, RemoveCustomLabelPolicyFontResponse>(
            "RemoveCustomLabelPolicyFont",
            RemoveCustomLabelPolicyFontRequest {},
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "ORG-4n9SD"));
}

async fn the_instances_change_shows_where_the_org_has_none(_s: Arc<TestServer>, c: Client) {
    let a = set_up(&c, "Alpha").await;
    let b = set_up(&c, "Beta").await;
    let _: AddCustomLockoutPolicyResponse = c
        .with_org(&a.org_id)
        .call("AddCustomLockoutPolicy", AddCustomLockoutPolicyRequest { max_password_attempts: 3, max_otp_attempts: 0 })
        .await
        .unwrap();
    let _: a::UpdateLockoutPolicyResponse = c
        .call("UpdateLockoutPolicy", a::UpdateLockoutPolicyRequest { max_password_attempts: 9, max_otp_attempts: 0 })
        .await
        .unwrap();
    let read = |org: String| {
        let c = c.with_org(&org);
        async move {
            let got: GetLockoutPolicyResponse = c.call("GetLockoutPolicy", GetLockoutPolicyRequest {}).await.unwrap();
            (got.is_default, got.policy.unwrap().max_password_attempts)
        }
    };
    assert_eq!(read(a.org_id.clone()).await, (false, 3), "its own stays");
    assert_eq!(read(b.org_id.clone()).await, (true, 9), "the instance's change shows");
}

async fn bad_requests_change_nothing(s: Arc<TestServer>, c: Client) {
    let org = set_up(&c, "Acme").await;
    let o = c.with_org(&org.org_id);
    let count = || async {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(s.app.db().pool()).await.unwrap();
        n
    };
    let before = count().await;
    let err = o
        .call::<_, AddCustomPasswordComplexityPolicyResponse>(
            "AddCustomPasswordComplexityPolicy",
            AddCustomPasswordComplexityPolicyRequest { min_length: 0, ..Default::default() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "MODEL-Lsp0e"));
    let err = o
        .call::<_, AddCustomLoginPolicyResponse>(
            "AddCustomLoginPolicy",
            AddCustomLoginPolicyRequest { default_redirect_uri: "no scheme".into(), ..Default::default() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "Org-WSfdq"));
    let err = o
        .call::<_, AddCustomLoginPolicyResponse>(
            "AddCustomLoginPolicy",
            AddCustomLoginPolicyRequest { second_factors: vec![0], ..Default::default() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "Org-SFeea"));
    let err = o
        .call::<_, AddCustomLoginPolicyResponse>(
            "AddCustomLoginPolicy",
            AddCustomLoginPolicyRequest {
                idps: vec![add_custom_login_policy_request::Idp { idp_id: "404".into(), owner_type: 1 }],
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "Org-FEd32"));
    let err = o
        .call::<_, AddCustomLabelPolicyResponse>(
            "AddCustomLabelPolicy",
            AddCustomLabelPolicyRequest { primary_color: "red".into(), ..Default::default() },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::InvalidArgument);
    let err = o
        .call::<_, AddSecondFactorToLoginPolicyResponse>(
            "AddSecondFactorToLoginPolicy",
            AddSecondFactorToLoginPolicyRequest { r#type: 0 },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "VALID-rules"), "the proto's rule first");
    assert_eq!(count().await, before, "nothing written");
}

async fn an_org_owner_sets_its_own_org_only(s: Arc<TestServer>, c: Client) {
    let a = set_up(&c, "Alpha").await;
    let b = set_up(&c, "Beta").await;
    let owner = s.app.create_service_account(Some("alpha-owner"), &["ORG_OWNER".into()], Some(&a.org_id), None).await;
    let owner = c.with_token(owner.unwrap().token.expose());
    let add = AddCustomNotificationPolicyRequest { password_change: false };
    let _: AddCustomNotificationPolicyResponse = owner.call("AddCustomNotificationPolicy", add).await.unwrap();
    let err = owner
        .with_org(&b.org_id)
        .call::<_, AddCustomNotificationPolicyResponse>("AddCustomNotificationPolicy", add)
        .await
        .unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
    let viewer = c.with_token(&s.token_with_roles(&["IAM_OWNER_VIEWER"]).await).with_org(&b.org_id);
    let got: GetNotificationPolicyResponse =
        viewer.call("GetNotificationPolicy", GetNotificationPolicyRequest {}).await.unwrap();
    assert!(got.policy.unwrap().is_default);
    let err =
        viewer.call::<_, AddCustomNotificationPolicyResponse>("AddCustomNotificationPolicy", add).await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
}

/// An organization imported by ImportData keeps its policies as documents
/// (`org_objects`); they read as its own.
async fn an_imported_orgs_policies_read_as_its_own(_s: Arc<TestServer>, c: Client) {
    let org_id = "371000000000000011";
    let doc: a::DataOrg = serde_json::from_value(serde_json::json!({
        "orgId": org_id,
        "org": {"name": "Imported"},
        "loginPolicy": {"allowUsernamePassword": true, "allowRegister": true, "secondFactors": ["SECOND_FACTOR_TYPE_OTP_EMAIL"],
            "idps": [{"idpId": "371000000000000019", "ownerType": "IDP_OWNER_TYPE_ORG"}]},
        "oidcIdps": [{"idpId": "371000000000000019", "idp": {"name": "Own", "issuer": "https://own.test", "clientId": "c", "clientSecret": "s"}}],
        "lockoutPolicy": {"maxPasswordAttempts": 4},
        "passwordComplexityPolicy": {"minLength": "11", "hasNumber": true},
        "privacyPolicy": {"tosLink": "https://imported.test/tos"},
        "labelPolicy": {"primaryColor": "#010203"},
        "domainPolicy": {"orgId": "371000000000000011", "userLoginMustBeDomain": true, "validateOrgDomains": false}
    }))
    .unwrap();
    let report: a::ImportDataResponse = c
        .call(
            "ImportData",
            a::ImportDataRequest {
                data: Some(a::import_data_request::Data::DataOrgs(a::ImportDataOrg {
                    orgs: vec![doc],
                    ..Default::default()
                })),
                timeout: "1m".into(),
            },
        )
        .await
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let i = c.with_org(org_id);
    let login: GetLoginPolicyResponse = i.call("GetLoginPolicy", GetLoginPolicyRequest {}).await.unwrap();
    let p = login.policy.unwrap();
    assert!(!login.is_default && !p.is_default);
    assert!(p.allow_register && p.allow_username_password);
    assert_eq!(p.second_factors, [SecondFactorType::OtpEmail as i32]);
    let lockout: GetLockoutPolicyResponse = i.call("GetLockoutPolicy", GetLockoutPolicyRequest {}).await.unwrap();
    assert_eq!((lockout.is_default, lockout.policy.unwrap().max_password_attempts), (false, 4));
    let complexity: GetPasswordComplexityPolicyResponse =
        i.call("GetPasswordComplexityPolicy", GetPasswordComplexityPolicyRequest {}).await.unwrap();
    let p = complexity.policy.unwrap();
    assert_eq!((complexity.is_default, p.min_length, p.has_number), (false, 11, true));
    let privacy: GetPrivacyPolicyResponse = i.call("GetPrivacyPolicy", GetPrivacyPolicyRequest {}).await.unwrap();
    let p = privacy.policy.unwrap();
    assert_eq!((p.is_default, p.tos_link.as_str()), (false, "https://imported.test/tos"));
    let label: GetLabelPolicyResponse = i.call("GetLabelPolicy", GetLabelPolicyRequest {}).await.unwrap();
    assert_eq!((label.is_default, label.policy.unwrap().primary_color.as_str()), (false, "#010203"));
    let domain: GetDomainPolicyResponse = i.call("GetDomainPolicy", GetDomainPolicyRequest {}).await.unwrap();
    let p = domain.policy.unwrap();
    assert_eq!((p.is_default, p.user_login_must_be_domain, p.validate_org_domains), (false, true, false));
    // A kind the import did not bring is the instance's.
    let age: GetPasswordAgePolicyResponse =
        i.call("GetPasswordAgePolicy", GetPasswordAgePolicyRequest {}).await.unwrap();
    assert!(age.is_default);

    // Added again: it is there already. Changed: read and exported as changed.
    let err = i
        .call::<_, AddCustomLockoutPolicyResponse>("AddCustomLockoutPolicy", AddCustomLockoutPolicyRequest::default())
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::AlreadyExists, "ORG-0olDf"));
    let _: UpdateCustomLockoutPolicyResponse = i
        .call(
            "UpdateCustomLockoutPolicy",
            UpdateCustomLockoutPolicyRequest { max_password_attempts: 6, max_otp_attempts: 2 },
        )
        .await
        .unwrap();
    let lockout: GetLockoutPolicyResponse = i.call("GetLockoutPolicy", GetLockoutPolicyRequest {}).await.unwrap();
    assert_eq!((lockout.is_default, lockout.policy.unwrap().max_password_attempts), (false, 6));
    let _: ResetPrivacyPolicyToDefaultResponse =
        i.call("ResetPrivacyPolicyToDefault", ResetPrivacyPolicyToDefaultRequest {}).await.unwrap();
    let privacy: GetPrivacyPolicyResponse = i.call("GetPrivacyPolicy", GetPrivacyPolicyRequest {}).await.unwrap();
    assert!(privacy.policy.unwrap().is_default, "reset drops the imported document");
    let exported: a::ExportDataResponse = c
        .call(
            "ExportData",
            a::ExportDataRequest { org_ids: vec![org_id.into()], timeout: "1m".into(), ..Default::default() },
        )
        .await
        .unwrap();
    let org = exported.orgs.iter().find(|o| o.org_id == org_id).unwrap();
    let lockout = org.lockout_policy.as_ref().unwrap();
    assert_eq!((lockout.max_password_attempts, lockout.max_otp_attempts), (6, 2), "the change is exported");
    assert!(org.privacy_policy.is_none(), "the reset one is not");
    assert_eq!(org.login_policy.as_ref().unwrap().second_factors, [SecondFactorType::OtpEmail as i32]);
    // A changed login policy keeps the providers its import named.
    let _: UpdateCustomLoginPolicyResponse = i
        .call(
            "UpdateCustomLoginPolicy",
            UpdateCustomLoginPolicyRequest { allow_username_password: true, ..Default::default() },
        )
        .await
        .unwrap();
    let exported: a::ExportDataResponse = c
        .call(
            "ExportData",
            a::ExportDataRequest { org_ids: vec![org_id.into()], timeout: "1m".into(), ..Default::default() },
        )
        .await
        .unwrap();
    let login = exported.orgs[0].login_policy.as_ref().unwrap();
    assert!(!login.allow_register, "the change is exported");
    assert_eq!(login.idps[0].idp_id, "371000000000000019");
    assert_eq!(org.password_complexity_policy.as_ref().unwrap().min_length, 11);
}

/// The providers an imported login policy names (`idps`, with their owner
/// types) are offered, change through the API, and the export writes the
/// ones offered then; an import into another server offers them again.
async fn an_imported_login_policy_offers_its_providers(s: Arc<TestServer>, c: Client) {
    use serde_json::json;
    const ORG: &str = "340000000000000001";
    const CORP: &str = "340000000000000002";
    const LEGACY: &str = "340000000000000003";
    let instance: a::AddGoogleProviderResponse = c
        .call(
            "AddGoogleProvider",
            a::AddGoogleProviderRequest {
                name: "Google".into(),
                client_id: "g".into(),
                client_secret: "s".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let doc = json!({"orgs": [{"orgId": ORG, "org": {"name": "Offering"},
        "oidcIdps": [{"idpId": CORP, "idp": {"name": "Corp", "clientId": "c", "clientSecret": "s",
                                              "issuer": "https://corp.example"}}],
        "jwtIdps": [{"idpId": LEGACY, "idp": {"name": "Legacy", "jwtEndpoint": "https://corp.example/jwt",
                                              "issuer": "https://corp.example", "keysEndpoint": "https://corp.example/keys",
                                              "headerName": "x-token"}}],
        "loginPolicy": {"allowExternalIdp": true,
                        "idps": [{"idpId": CORP, "ownerType": "IDP_OWNER_TYPE_ORG"},
                                 {"idpId": instance.id, "ownerType": "IDP_OWNER_TYPE_SYSTEM"}]}}]});
    let r = s.client(burg_testkit::Protocol::Rest).await;
    let report = r.call_json("AdminService", "ImportData", json!({"dataOrgs": doc, "timeout": "1m"})).await.unwrap();
    assert!(report.get("errors").is_none(), "{report}");
    let o = c.with_org(ORG);
    let offered = |o: Client| async move {
        let listed: ListLoginPolicyIdPsResponse =
            o.call("ListLoginPolicyIDPs", ListLoginPolicyIdPsRequest::default()).await.unwrap();
        let mut names: Vec<String> = listed.result.into_iter().map(|l| l.idp_name).collect();
        names.sort();
        names
    };
    assert_eq!(offered(o.clone()).await, ["Corp", "Google"]);
    let got: GetLoginPolicyResponse = o.call("GetLoginPolicy", GetLoginPolicyRequest {}).await.unwrap();
    assert!(!got.is_default);
    assert_eq!(got.policy.unwrap().idps.len(), 2);

    // Changed through the API: one removed, the organization's other added.
    let remove = RemoveIdpFromLoginPolicyRequest { idp_id: instance.id.clone() };
    let _: RemoveIdpFromLoginPolicyResponse = o.call("RemoveIDPFromLoginPolicy", remove).await.unwrap();
    let add = AddIdpToLoginPolicyRequest { idp_id: LEGACY.into(), owner_type: IdpOwnerType::Org as i32 };
    let _: AddIdpToLoginPolicyResponse = o.call("AddIDPToLoginPolicy", add).await.unwrap();
    assert_eq!(offered(o.clone()).await, ["Corp", "Legacy"]);

    // With the passwords: an OIDC IdP's client secret is required to import.
    let exported =
        r.call_json("AdminService", "ExportData", json!({"orgIds": [ORG], "withPasswords": true})).await.unwrap();
    let org = exported["orgs"][0].clone();
    assert_eq!(
        org["loginPolicy"]["idps"],
        json!([{"idpId": CORP, "ownerType": "IDP_OWNER_TYPE_ORG"}, {"idpId": LEGACY, "ownerType": "IDP_OWNER_TYPE_ORG"}])
    );
    let Some(t) = TestServer::start_or_skip(s.backend).await else { return };
    let tr = t.client(burg_testkit::Protocol::Rest).await;
    let report = tr
        .call_json("AdminService", "ImportData", json!({"dataOrgs": {"orgs": [org]}, "timeout": "1m"}))
        .await
        .unwrap();
    assert!(report.get("errors").is_none(), "{report}");
    assert_eq!(offered(t.client(c.protocol).await.with_org(ORG)).await, ["Corp", "Legacy"]);
    t.stop().await;

    // A reset takes the providers along.
    let _: ResetLoginPolicyToDefaultResponse =
        o.call("ResetLoginPolicyToDefault", ResetLoginPolicyToDefaultRequest {}).await.unwrap();
    assert!(offered(o.clone()).await.is_empty());
}
