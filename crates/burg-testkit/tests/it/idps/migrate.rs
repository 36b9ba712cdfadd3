//! Generic OIDC migrated to Google or Azure AD.

use std::sync::Arc;

use burg_api::admin::*;
use burg_api::idp::{self as pb, provider_config::Config as C};
use burg_testkit::{Client, Protocol, TestServer, matrix};
use tonic::Code;

use super::admin_ctx;
use super::cases::*;

matrix!(migrate_generic_oidc_to_google_and_azure);

async fn migrate_generic_oidc_to_google_and_azure(s: Arc<TestServer>, c: Client) {
    let oidc = add(&c, Kind::Oidc, "Old Google via OIDC", "secret").await.unwrap();
    let before = get(&c, &oidc).await.unwrap();
    let _: AddIdpToLoginPolicyResponse =
        c.call("AddIDPToLoginPolicy", AddIdpToLoginPolicyRequest { idp_id: oidc.clone() }).await.unwrap();
    let user = crate::orgs::human_user(&c, "migrant").await;
    s.app.add_user_idp_link(&admin_ctx(&s), &user, &oidc, "google-sub-1", "Migrant").await.unwrap();

    // To Google, without a name and without options: the name stays empty,
    // and the options are the request's, all off (as ZITADEL).
    let migrated: MigrateGenericOidcProviderResponse = c
        .call(
            "MigrateGenericOIDCProvider",
            MigrateGenericOidcProviderRequest {
                id: oidc.clone(),
                template: Some(migrate_generic_oidc_provider_request::Template::Google(AddGoogleProviderRequest {
                    name: String::new(),
                    client_id: "google-client".into(),
                    client_secret: "google-secret".into(),
                    scopes: vec!["openid".into()],
                    provider_options: None,
                })),
            },
        )
        .await
        .unwrap();
    assert!(migrated.details.unwrap().sequence > before.details.unwrap().sequence);
    let after = get(&c, &oidc).await.unwrap();
    assert_eq!(after.id, oidc);
    assert_eq!(after.name, "", "the name as given: none");
    assert_eq!(after.r#type, pb::ProviderType::Google as i32);
    let config = after.config.unwrap();
    assert_ne!(before.config.unwrap().options, Some(pb::Options::default()), "the OIDC provider had options");
    assert_eq!(config.options, Some(pb::Options::default()), "options are the request's");
    assert_eq!(
        config.config,
        Some(C::Google(pb::GoogleConfig { client_id: "google-client".into(), scopes: vec!["openid".into()] }))
    );
    let links: ListLoginPolicyIdPsResponse =
        c.call("ListLoginPolicyIDPs", ListLoginPolicyIdPsRequest::default()).await.unwrap();
    assert_eq!(links.result.len(), 1);
    assert_eq!((links.result[0].idp_id.as_str(), links.result[0].idp_name.as_str()), (oidc.as_str(), ""));
    assert_eq!(s.app.user_idp_links(&user).await.unwrap(), vec![(oidc.clone(), "google-sub-1".to_string())]);

    // Now a Google provider: not migratable.
    let azure = |id: &str| MigrateGenericOidcProviderRequest {
        id: id.into(),
        template: Some(migrate_generic_oidc_provider_request::Template::Azure(AddAzureAdProviderRequest {
            name: "Azure".into(),
            client_id: "azure-client".into(),
            client_secret: "azure-secret".into(),
            tenant: None,
            email_verified: true,
            scopes: vec![],
            provider_options: Some(pb::Options { is_linking_allowed: true, ..Default::default() }),
        })),
    };
    // As ZITADEL: a provider that is no longer generic OIDC is not found.
    let err = c.call::<_, MigrateGenericOidcProviderResponse>("MigrateGenericOIDCProvider", azure(&oidc)).await;
    let err = err.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "INST-Dg29201"), "{err:?}");
    if c.protocol == Protocol::Rest {
        assert_eq!(err.http_status, Some(404));
    }
    let jwt = add(&c, Kind::Jwt, "A JWT provider", "").await.unwrap();
    let err = c.call::<_, MigrateGenericOidcProviderResponse>("MigrateGenericOIDCProvider", azure(&jwt)).await;
    assert_eq!(err.unwrap_err().code, Code::NotFound);
    let err = c.call::<_, MigrateGenericOidcProviderResponse>("MigrateGenericOIDCProvider", azure("404404")).await;
    assert_eq!(err.unwrap_err().code, Code::NotFound);
    let neither = MigrateGenericOidcProviderRequest { id: jwt.clone(), template: None };
    let err = c.call::<_, MigrateGenericOidcProviderResponse>("MigrateGenericOIDCProvider", neither).await;
    assert_eq!(err.unwrap_err().code, Code::InvalidArgument);
    if c.protocol == Protocol::Rest {
        // Both branches at once cannot be said in protobuf; in JSON they can.
        let response = burg_testkit::http_client()
            .post(format!("{}/admin/v1/idps/generic_oidc/{jwt}/_migrate", c.base_url()))
            .bearer_auth(c.token())
            .json(&serde_json::json!({
                "azure": {"name": "A", "clientId": "a", "clientSecret": "a"},
                "google": {"clientId": "g", "clientSecret": "g"}
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400);
    }

    // To Azure: tenant defaults to the common tenant, given options replace the old.
    let second = add(&c, Kind::Oidc, "Old Azure via OIDC", "secret").await.unwrap();
    let _: MigrateGenericOidcProviderResponse = c.call("MigrateGenericOIDCProvider", azure(&second)).await.unwrap();
    let after = get(&c, &second).await.unwrap();
    assert_eq!(after.r#type, pb::ProviderType::AzureAd as i32);
    let config = after.config.unwrap();
    assert_eq!(config.options, Some(pb::Options { is_linking_allowed: true, ..Default::default() }));
    match config.config.unwrap() {
        C::AzureAd(a) => {
            assert_eq!(a.client_id, "azure-client");
            assert_eq!(
                a.tenant.unwrap().r#type,
                Some(pb::azure_ad_tenant::Type::TenantType(pb::AzureAdTenantType::Common as i32))
            );
        }
        other => panic!("{other:?}"),
    }
    let events: ListEventsResponse =
        c.call("ListEvents", ListEventsRequest { limit: 50, ..Default::default() }).await.unwrap();
    let types: Vec<&str> = events.events.iter().map(|e| e.r#type.as_ref().unwrap().r#type.as_str()).collect();
    assert!(types.contains(&"instance.idp.oidc.migrated.google"), "{types:?}");
    assert!(types.contains(&"instance.idp.oidc.migrated.azure"), "{types:?}");
}
