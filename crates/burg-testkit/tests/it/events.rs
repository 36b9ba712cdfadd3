//! Event payloads as ZITADEL writes them (issue 17, P3): type names,
//! member names, units, and members left out when zero, read from the
//! store as written and through `ListEvents`.

use std::sync::Arc;

use burg_api::admin::*;
use burg_api::management::{
    AddMachineUserRequest, AddMachineUserResponse, AddPersonalAccessTokenRequest, AddPersonalAccessTokenResponse,
};
use burg_testkit::{Client, TestServer, matrix};
use serde_json::{Value, json};

matrix!(
    org_removed_has_no_payload,
    machine_user_and_token,
    login_policy_provider_links,
    login_policy,
    provider_templates
);

/// The payloads of the stored events of `event_type`, oldest first, as
/// written (sealed values included).
pub async fn stored(s: &TestServer, event_type: &str) -> Vec<Value> {
    let rows: Vec<String> = sqlx::query_scalar("SELECT payload FROM events WHERE event_type = $1 ORDER BY position")
        .bind(event_type)
        .fetch_all(s.app.db().pool())
        .await
        .unwrap();
    rows.iter().map(|p| serde_json::from_str(p).unwrap()).collect()
}

/// The payload of the newest stored event of `event_type`.
pub async fn last(s: &TestServer, event_type: &str) -> Value {
    stored(s, event_type).await.pop().unwrap_or_else(|| panic!("no {event_type} event"))
}

/// The events `ListEvents` lists for aggregate `id`, oldest first.
pub async fn listed(c: &Client, id: &str) -> Vec<burg_api::zitadel::event::v1::Event> {
    let r: ListEventsResponse = c
        .call("ListEvents", ListEventsRequest { aggregate_id: id.into(), asc: true, ..Default::default() })
        .await
        .unwrap();
    r.events
}

fn type_of(e: &burg_api::zitadel::event::v1::Event) -> &str {
    e.r#type.as_ref().map(|t| t.r#type.as_str()).unwrap_or_default()
}

async fn org_removed_has_no_payload(s: Arc<TestServer>, c: Client) {
    let org: SetUpOrgResponse = c.call("SetUpOrg", crate::orgs::setup_request("Fleeting")).await.unwrap();
    let _: RemoveOrgResponse = c.call("RemoveOrg", RemoveOrgRequest { org_id: org.org_id.clone() }).await.unwrap();
    // `repository/org` OrgRemovedEvent: Payload() is nil.
    assert_eq!(last(&s, "org.removed").await, Value::Null);
    let events = listed(&c, &org.org_id).await;
    let removed = events.iter().find(|e| type_of(e) == "org.removed").unwrap();
    assert_eq!(removed.payload, None, "listed without a payload, as ZITADEL");
    let added = events.iter().find(|e| type_of(e) == "org.added").unwrap();
    assert_eq!(serde_json::to_value(added.payload.as_ref().unwrap()).unwrap(), json!({"name": "Fleeting"}));
}

async fn machine_user_and_token(s: Arc<TestServer>, c: Client) {
    // `repository/user` MachineAddedEvent: name, description and the token
    // type are left out when empty.
    let add = |user_name: &str, name: &str, description: &str, access_token_type| AddMachineUserRequest {
        user_name: user_name.into(),
        name: name.into(),
        description: description.into(),
        access_token_type,
        ..Default::default()
    };
    let bare: AddMachineUserResponse = c.call("AddMachineUser", add("bare", "Bare", "", 0)).await.unwrap();
    assert_eq!(last(&s, "user.machine.added").await, json!({"userName": "bare", "name": "Bare"}));
    let _: AddMachineUserResponse = c.call("AddMachineUser", add("full", "Full", "does things", 1)).await.unwrap();
    assert_eq!(
        last(&s, "user.machine.added").await,
        json!({"userName": "full", "name": "Full", "description": "does things", "accessTokenType": 1})
    );

    // `repository/user` PersonalAccessTokenAddedEvent: the expiry as Go
    // writes a time.Time; burg adds the token's hash.
    let token: AddPersonalAccessTokenResponse = c
        .call(
            "AddPersonalAccessToken",
            AddPersonalAccessTokenRequest {
                user_id: bare.user_id.clone(),
                expiration_date: Some(burg_api::wkt::Timestamp { seconds: 4_102_444_800, nanos: 250_000_000 }),
            },
        )
        .await
        .unwrap();
    let added = last(&s, "user.pat.added").await;
    assert_eq!(added["tokenId"], json!(token.token_id));
    assert_eq!(added["expiration"], json!("2100-01-01T00:00:00.25Z"));
    assert_eq!(
        added["scopes"],
        json!(["openid", "urn:zitadel:iam:user:metadata", "urn:zitadel:iam:user:resourceowner"])
    );
    assert_eq!(added["tokenHash"].as_str().map(str::len), Some(64));
    assert_eq!(added.as_object().unwrap().len(), 4);
    // Without an expiry: ZITADEL's end of time.
    let _: AddPersonalAccessTokenResponse = c
        .call(
            "AddPersonalAccessToken",
            AddPersonalAccessTokenRequest { user_id: bare.user_id.clone(), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(last(&s, "user.pat.added").await["expiration"], json!("9999-12-31T23:59:59Z"));
    // The token works, and the list shows the expiry read back.
    let listed: burg_api::management::ListPersonalAccessTokensResponse = c
        .call(
            "ListPersonalAccessTokens",
            burg_api::management::ListPersonalAccessTokensRequest { user_id: bare.user_id, ..Default::default() },
        )
        .await
        .unwrap();
    let expiry = listed.result.iter().find(|t| t.id == token.token_id).unwrap().expiration_date.unwrap();
    assert_eq!(expiry.to_micros(), 4_102_444_800_250_000);
}

async fn login_policy_provider_links(s: Arc<TestServer>, c: Client) {
    use burg_domain::event::{Aggregate, NewEvent, aggregate};
    use burg_domain::events::org as oe;

    let id = crate::idps::cases::add(&c, crate::idps::cases::Kind::Oidc, "Linked", "secret").await.unwrap();
    let link = || AddIdpToLoginPolicyRequest { idp_id: id.clone() };
    // `repository/policy` IdentityProviderAddedEvent: the instance's
    // templates are provider type 0, left out.
    let _: AddIdpToLoginPolicyResponse = c.call("AddIDPToLoginPolicy", link()).await.unwrap();
    assert_eq!(last(&s, "instance.policy.login.idpprovider.added").await, json!({"idpConfigId": id}));
    // IdentityProviderRemovedEvent: `{idpConfigId}` only.
    let _: RemoveIdpFromLoginPolicyResponse =
        c.call("RemoveIDPFromLoginPolicy", RemoveIdpFromLoginPolicyRequest { idp_id: id.clone() }).await.unwrap();
    assert_eq!(last(&s, "instance.policy.login.idpprovider.removed").await, json!({"idpConfigId": id}));

    // Offered by the instance and by an organization (its event as ZITADEL
    // writes it, the instance's template again type 0).
    let _: AddIdpToLoginPolicyResponse = c.call("AddIDPToLoginPolicy", link()).await.unwrap();
    let org: SetUpOrgResponse = c.call("SetUpOrg", crate::orgs::setup_request("Offering")).await.unwrap();
    let mut tx = s.app.db().begin_write(s.app.instance_id(), burg_store::Editor::default(), 1).await.unwrap();
    let on = Aggregate::new(aggregate::ORG, &org.org_id, &org.org_id);
    let offered = oe::LoginPolicyIdpAdded { idp_config_id: id.clone(), idp_provider_type: 0 };
    tx.push(vec![NewEvent::new(&on, &offered).unwrap()]).await.unwrap();
    tx.commit().await.unwrap();
    let rows = |owner_type: i64| {
        sqlx::query_scalar::<_, String>(
            "SELECT owner_id FROM login_policy_idps WHERE idp_id = $1 AND owner_type = $2 ORDER BY owner_id",
        )
        .bind(id.clone())
        .bind(owner_type)
        .fetch_all(s.app.db().pool())
    };
    let system = burg_domain::state::IdpProviderType::System.code();
    assert_eq!(rows(system).await.unwrap().len(), 2, "both links are to the instance's template");

    // D1: deleting the template writes `instance.idp.removed` alone; the
    // projection takes every policy's link along.
    let before = s.event_count().await;
    let _: DeleteProviderResponse = c.call("DeleteProvider", DeleteProviderRequest { id: id.clone() }).await.unwrap();
    assert_eq!(s.event_count().await, before + 1);
    assert_eq!(last(&s, "instance.idp.removed").await, json!({"id": id}));
    assert!(rows(system).await.unwrap().is_empty());
    let policy: GetLoginPolicyResponse = c.call("GetLoginPolicy", GetLoginPolicyRequest {}).await.unwrap();
    assert!(policy.policy.unwrap().idps.is_empty());
    assert!(stored(&s, "instance.policy.login.idpprovider.cascade.removed").await.is_empty());
    assert!(stored(&s, "org.policy.login.idpprovider.cascade.removed").await.is_empty());
}

async fn login_policy(s: Arc<TestServer>, c: Client) {
    const HOUR: i64 = 3_600_000_000_000;
    // Setup (`command/instance.go` setupInstanceElements): the policy with
    // ZITADEL's names, lifetimes in nanoseconds, zero members left out;
    // then a second factor event each for TOTP and U2F and a multi factor
    // event for U2F with PIN.
    assert_eq!(
        stored(&s, "instance.policy.login.added").await,
        [json!({
            "allowUsernamePassword": true,
            "allowRegister": true,
            "allowExternalIdp": true,
            "allowDomainDiscovery": true,
            "passwordlessType": 1,
            "passwordCheckLifetime": 240 * HOUR,
            "externalLoginCheckLifetime": 240 * HOUR,
            "mfaInitSkipLifetime": 720 * HOUR,
            "secondFactorCheckLifetime": 18 * HOUR,
            "multiFactorCheckLifetime": 12 * HOUR,
        })]
    );
    assert_eq!(
        stored(&s, "instance.policy.login.secondfactor.added").await,
        [json!({"mfaType": 1}), json!({"mfaType": 2})]
    );
    assert_eq!(stored(&s, "instance.policy.login.multifactor.added").await, [json!({"mfaType": 1})]);
    let policy: GetLoginPolicyResponse = c.call("GetLoginPolicy", GetLoginPolicyRequest {}).await.unwrap();
    let policy = policy.policy.unwrap();
    assert_eq!((policy.second_factors.clone(), policy.multi_factors.clone()), (vec![1, 2], vec![1]));
    assert_eq!(policy.mfa_init_skip_lifetime, Some(burg_api::wkt::Duration { seconds: 720 * 3600, nanos: 0 }));

    // A change (`repository/policy` LoginPolicyChangedEvent): only what
    // changed, false and 0 included.
    let update = UpdateLoginPolicyRequest {
        allow_username_password: true,
        allow_register: false,
        allow_external_idp: true,
        force_mfa: true,
        force_mfa_local_only: true,
        passwordless_type: policy.passwordless_type,
        default_redirect_uri: "https://app.example.com/cb".into(),
        password_check_lifetime: Some(burg_api::wkt::Duration { seconds: 90, nanos: 0 }),
        external_login_check_lifetime: policy.external_login_check_lifetime,
        mfa_init_skip_lifetime: Some(burg_api::wkt::Duration { seconds: 0, nanos: 0 }),
        second_factor_check_lifetime: policy.second_factor_check_lifetime,
        multi_factor_check_lifetime: policy.multi_factor_check_lifetime,
        allow_domain_discovery: true,
        ..Default::default()
    };
    let _: UpdateLoginPolicyResponse = c.call("UpdateLoginPolicy", update.clone()).await.unwrap();
    assert_eq!(
        last(&s, "instance.policy.login.changed").await,
        json!({
            "allowRegister": false,
            "forceMFA": true,
            "forceMFALocalOnly": true,
            "defaultRedirectURI": "https://app.example.com/cb",
            "passwordCheckLifetime": 90_000_000_000_i64,
            "mfaInitSkipLifetime": 0,
        })
    );
    let read: GetLoginPolicyResponse = c.call("GetLoginPolicy", GetLoginPolicyRequest {}).await.unwrap();
    let read = read.policy.unwrap();
    assert!(!read.allow_register && read.force_mfa && read.force_mfa_local_only && read.allow_username_password);
    assert_eq!(read.default_redirect_uri, "https://app.example.com/cb");
    assert_eq!(read.password_check_lifetime, Some(burg_api::wkt::Duration { seconds: 90, nanos: 0 }));
    assert_eq!(read.mfa_init_skip_lifetime, Some(burg_api::wkt::Duration { seconds: 0, nanos: 0 }));
    assert_eq!(read.external_login_check_lifetime, policy.external_login_check_lifetime);
    assert_eq!((read.second_factors, read.multi_factors), (vec![1, 2], vec![1]));
    let _: UpdateLoginPolicyResponse =
        c.call("UpdateLoginPolicy", UpdateLoginPolicyRequest { force_mfa: false, ..update }).await.unwrap();
    assert_eq!(last(&s, "instance.policy.login.changed").await, json!({"forceMFA": false}));

    // An organization's own policy: the same events on its aggregate; a
    // reset has no payload.
    use burg_app::settings::Scope;
    use burg_domain::events::instance::LoginPolicy;
    let org: SetUpOrgResponse = c.call("SetUpOrg", crate::orgs::setup_request("Own Policy")).await.unwrap();
    let ctx = burg_app::Ctx::system("test");
    let own = LoginPolicy { multi_factors: vec![], hide_password_reset: true, ..LoginPolicy::instance_default() };
    s.app.add_org_setting(&ctx, &org.org_id, own.clone(), "TEST-exist1").await.unwrap();
    assert_eq!(last(&s, "org.policy.login.added").await["hidePasswordReset"], json!(true));
    assert_eq!(stored(&s, "org.policy.login.secondfactor.added").await.len(), 2);
    assert!(stored(&s, "org.policy.login.multifactor.added").await.is_empty());
    let swap = |p: &LoginPolicy| LoginPolicy { second_factors: vec![2], multi_factors: vec![1], ..p.clone() };
    s.app.change_setting(&ctx, Scope::Org(&org.org_id), swap, "TEST-same1", "TEST-none1").await.unwrap();
    assert!(stored(&s, "org.policy.login.changed").await.is_empty(), "no member changed, only factors");
    assert_eq!(last(&s, "org.policy.login.secondfactor.removed").await, json!({"mfaType": 1}));
    assert_eq!(last(&s, "org.policy.login.multifactor.added").await, json!({"mfaType": 1}));
    let read = s.app.read_setting::<LoginPolicy>(Scope::Org(&org.org_id)).await.unwrap().value;
    assert_eq!(read, swap(&own));
    s.app.reset_org_setting::<LoginPolicy>(&ctx, &org.org_id, "TEST-none1").await.unwrap();
    assert_eq!(last(&s, "org.policy.login.removed").await, Value::Null);
    assert_eq!(s.unlisted_event_types(&c).await, Vec::<String>::new());
}

async fn provider_templates(s: Arc<TestServer>, c: Client) {
    use crate::idps::cases::{self, Kind};

    // E1: `instance.idp.github.added` flat, with ZITADEL's member names; the
    // secret sealed in crypto.CryptoValue's names; zero options left out.
    let added: AddGitHubProviderResponse = c
        .call(
            "AddGitHubProvider",
            AddGitHubProviderRequest {
                name: "GitHub".into(),
                client_id: "gh-client".into(),
                client_secret: "gh-secret".into(),
                scopes: vec!["read:user".into()],
                provider_options: Some(burg_api::idp::Options { is_linking_allowed: true, ..Default::default() }),
            },
        )
        .await
        .unwrap();
    let mut payload = last(&s, "instance.idp.github.added").await;
    let secret = payload.as_object_mut().unwrap().remove("clientSecret").unwrap();
    assert!(secret["Crypted"].is_string() && secret["KeyID"].is_string(), "{secret}");
    assert_eq!(
        payload,
        json!({"id": added.id, "name": "GitHub", "clientId": "gh-client", "scopes": ["read:user"], "isLinkingAllowed": true})
    );
    // Listed with the sealed value removed.
    let listed = listed(&c, s.app.instance_id()).await;
    let shown = listed.iter().rev().find(|e| type_of(e) == "instance.idp.github.added").unwrap();
    let shown = serde_json::to_value(shown.payload.as_ref().unwrap()).unwrap();
    assert_eq!((&shown["clientSecret"], &shown["clientId"]), (&Value::Null, &json!("gh-client")));

    // E2: a change is `{id}` and what changed; an empty secret is no change.
    let update = |name: &str, secret: &str| UpdateGitHubProviderRequest {
        id: added.id.clone(),
        name: name.into(),
        client_id: "gh-client".into(),
        client_secret: secret.into(),
        scopes: vec!["read:user".into()],
        provider_options: Some(burg_api::idp::Options { is_linking_allowed: true, ..Default::default() }),
    };
    let _: UpdateGitHubProviderResponse = c.call("UpdateGitHubProvider", update("GitHub 2", "")).await.unwrap();
    assert_eq!(last(&s, "instance.idp.github.changed").await, json!({"id": added.id, "name": "GitHub 2"}));
    let _: UpdateGitHubProviderResponse =
        c.call("UpdateGitHubProvider", update("GitHub 2", "new-secret")).await.unwrap();
    let changed = last(&s, "instance.idp.github.changed").await;
    let names: Vec<&str> = changed.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(names, ["clientSecret", "id"]);
    let before = s.event_count().await;
    let _: UpdateGitHubProviderResponse = c.call("UpdateGitHubProvider", update("GitHub 2", "")).await.unwrap();
    assert_eq!(s.event_count().await, before, "no change, no event");
    let read = cases::get(&c, &added.id).await.unwrap();
    assert_eq!(read.name, "GitHub 2");

    // Regenerate: `{id, key, certificate}`.
    let saml = cases::add(&c, Kind::Saml, "SAML", "").await.unwrap();
    let added_saml = last(&s, "instance.idp.saml.added").await;
    assert!(added_saml["metadata"].is_string() && added_saml["certificate"].is_string());
    assert!(added_saml.get("metadataUrl").is_none() && added_saml.get("config").is_none());
    let _: RegenerateSamlProviderCertificateResponse = c
        .call("RegenerateSAMLProviderCertificate", RegenerateSamlProviderCertificateRequest { id: saml.clone() })
        .await
        .unwrap();
    let regenerated = last(&s, "instance.idp.saml.changed").await;
    let names: Vec<&str> = regenerated.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(names, ["certificate", "id", "key"]);
    let certificate = s.app.saml_sp_certificate(&saml).await.unwrap();
    use base64::Engine as _;
    let written =
        base64::engine::general_purpose::STANDARD.decode(regenerated["certificate"].as_str().unwrap()).unwrap();
    assert_eq!(written, certificate.as_bytes(), "the certificate read back is the one written");

    // LDAP: the timeout in nanoseconds, 0 when there is none (and then
    // answered as none, as ZITADEL); an update without a root CA keeps
    // the stored one (the change cannot say "none").
    let ldap = |id: &str, root_ca: Vec<u8>, timeout: i64| {
        (
            AddLdapProviderRequest {
                name: "LDAP".into(),
                servers: vec!["ldaps://ldap.example.com".into()],
                start_tls: false,
                base_dn: "dc=example,dc=com".into(),
                bind_dn: "cn=admin".into(),
                bind_password: "bind-secret".into(),
                user_base: "uid".into(),
                user_object_classes: vec!["person".into()],
                user_filters: vec!["uid".into()],
                timeout: Some(burg_api::wkt::Duration { seconds: timeout, nanos: 0 }),
                attributes: None,
                provider_options: None,
                root_ca: root_ca.clone(),
            },
            UpdateLdapProviderRequest {
                id: id.into(),
                name: "LDAP".into(),
                servers: vec!["ldaps://ldap.example.com".into()],
                start_tls: false,
                base_dn: "dc=example,dc=com".into(),
                bind_dn: "cn=admin".into(),
                bind_password: String::new(),
                user_base: "uid".into(),
                user_object_classes: vec!["person".into()],
                user_filters: vec!["uid".into()],
                timeout: Some(burg_api::wkt::Duration { seconds: timeout, nanos: 0 }),
                attributes: None,
                provider_options: None,
                root_ca,
            },
        )
    };
    let ca = certificate.into_bytes();
    let ldap_added: AddLdapProviderResponse = c.call("AddLDAPProvider", ldap("", ca.clone(), 0).0).await.unwrap();
    let payload = last(&s, "instance.idp.ldap.v2.added").await;
    assert_eq!(payload["timeout"], json!(0));
    assert_eq!(payload["rootCA"], json!(base64::engine::general_purpose::STANDARD.encode(&ca)));
    let ldap_config = |p: burg_api::idp::Provider| match p.config.unwrap().config.unwrap() {
        burg_api::idp::provider_config::Config::Ldap(l) => l,
        other => panic!("{other:?}"),
    };
    let read = ldap_config(cases::get(&c, &ldap_added.id).await.unwrap());
    assert_eq!((read.timeout, read.root_ca.clone()), (None, ca.clone()));
    let before = s.event_count().await;
    let _: UpdateLdapProviderResponse = c.call("UpdateLDAPProvider", ldap(&ldap_added.id, vec![], 0).1).await.unwrap();
    assert_eq!(s.event_count().await, before, "no root CA given: nothing changes");
    let _: UpdateLdapProviderResponse = c.call("UpdateLDAPProvider", ldap(&ldap_added.id, vec![], 90).1).await.unwrap();
    assert_eq!(
        last(&s, "instance.idp.ldap.v2.changed").await,
        json!({"id": ldap_added.id, "timeout": 90_000_000_000_i64})
    );
    let read = ldap_config(cases::get(&c, &ldap_added.id).await.unwrap());
    assert_eq!(read.timeout, Some(burg_api::wkt::Duration { seconds: 90, nanos: 0 }));
    assert_eq!(read.root_ca, ca, "the stored root CA stays");

    // A migration carries the Azure AD `added` payload.
    let oidc = cases::add(&c, Kind::Oidc, "To Azure", "secret").await.unwrap();
    let _: MigrateGenericOidcProviderResponse = c
        .call(
            "MigrateGenericOIDCProvider",
            MigrateGenericOidcProviderRequest {
                id: oidc.clone(),
                template: Some(migrate_generic_oidc_provider_request::Template::Azure(AddAzureAdProviderRequest {
                    name: "Azure".into(),
                    client_id: "azure-client".into(),
                    client_secret: "azure-secret".into(),
                    tenant: None,
                    email_verified: true,
                    scopes: vec![],
                    provider_options: Some(burg_api::idp::Options::default()),
                })),
            },
        )
        .await
        .unwrap();
    let mut migrated = last(&s, "instance.idp.oidc.migrated.azure").await;
    assert!(migrated.as_object_mut().unwrap().remove("client_secret").unwrap()["Crypted"].is_string());
    assert_eq!(
        migrated,
        json!({"id": oidc, "name": "Azure", "client_id": "azure-client", "tenant": "common", "isEmailVerified": true})
    );
    assert_eq!(cases::get(&c, &oidc).await.unwrap().r#type, burg_api::idp::ProviderType::AzureAd as i32);
}
