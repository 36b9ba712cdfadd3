//! Bad input is refused with the field named, and nothing is stored.

use std::sync::Arc;

use burg_api::admin::*;
use burg_testkit::{Client, Protocol, TestServer, matrix};
use tonic::Code;

use super::cases::*;

matrix!(bad_input_is_refused_and_nothing_is_stored);

async fn bad_input_is_refused_and_nothing_is_stored(_s: Arc<TestServer>, c: Client) {
    let long = "x".repeat(201);
    let bad_oidc = |f: &dyn Fn(&mut AddGenericOidcProviderRequest)| {
        let mut r = AddGenericOidcProviderRequest {
            name: "OIDC".into(),
            issuer: "https://issuer.example.com".into(),
            client_id: "client".into(),
            client_secret: "secret".into(),
            ..Default::default()
        };
        f(&mut r);
        r
    };
    // URLs are not checked for form, and an unknown `autoLinking` number is
    // taken as unspecified, as in ZITADEL (`fidelity.rs`).
    let cases: Vec<(AddGenericOidcProviderRequest, &str)> = vec![
        (bad_oidc(&|r| r.name = long.clone()), "name"),
        (bad_oidc(&|r| r.issuer = " ".into()), "issuer"),
        (bad_oidc(&|r| r.client_id = String::new()), "clientId"),
        (bad_oidc(&|r| r.client_secret = String::new()), "clientSecret"),
        (bad_oidc(&|r| r.scopes = (0..21).map(|i| format!("s{i}")).collect()), "scopes"),
    ];
    for (request, field) in cases {
        let err = c.call::<_, AddGenericOidcProviderResponse>("AddGenericOIDCProvider", request).await.unwrap_err();
        assert_eq!(err.code, Code::InvalidArgument, "{field}: {err:?}");
        assert!(err.message.to_lowercase().contains(&field.to_lowercase()), "{field}: {}", err.message);
        if c.protocol == Protocol::Rest {
            assert_eq!(err.http_status, Some(400));
        }
    }

    let ldap = |f: &dyn Fn(&mut AddLdapProviderRequest)| {
        let mut r = AddLdapProviderRequest {
            name: "LDAP".into(),
            servers: vec!["ldaps://ldap.example.com".into()],
            base_dn: "dc=example".into(),
            bind_dn: "cn=admin".into(),
            bind_password: "pw".into(),
            user_base: "dn".into(),
            user_object_classes: vec!["user".into()],
            user_filters: vec!["uid".into()],
            ..Default::default()
        };
        f(&mut r);
        r
    };
    // Server URLs are not checked for form, and any timeout is taken, as in
    // ZITADEL (`fidelity.rs`).
    for (request, field) in [
        (ldap(&|r| r.servers = vec![String::new()]), "servers[0]"),
        (ldap(&|r| r.servers = vec![]), "servers"),
        (ldap(&|r| r.user_filters = vec![]), "userFilters"),
        (ldap(&|r| r.bind_password = String::new()), "bindPassword"),
        (ldap(&|r| r.root_ca = b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n".to_vec()), "rootCa"),
    ] {
        let err = c.call::<_, AddLdapProviderResponse>("AddLDAPProvider", request).await.unwrap_err();
        assert_eq!(err.code, Code::InvalidArgument, "{field}: {err:?}");
        assert!(err.message.to_lowercase().contains(&field.to_lowercase()), "{field}: {}", err.message);
    }

    let apple = |key: &[u8], team: &str| AddAppleProviderRequest {
        client_id: "com.example".into(),
        team_id: team.into(),
        key_id: "ABCDEFGHIJ".into(),
        private_key: key.to_vec(),
        ..Default::default()
    };
    let rsa_like =
        b"-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END PRIVATE KEY-----\n";
    for (request, field) in [
        (apple(b"", "ABCDEFGHIJ"), "privateKey"),
        (apple(rsa_like, "ABCDEFGHIJ"), "privateKey"),
        (apple(apple_key().as_bytes(), "SHORT"), "teamId"),
    ] {
        let err = c.call::<_, AddAppleProviderResponse>("AddAppleProvider", request).await.unwrap_err();
        assert_eq!(err.code, Code::InvalidArgument, "{field}: {err:?}");
        assert!(err.message.to_lowercase().contains(&field.to_lowercase()), "{field}: {}", err.message);
    }

    let saml = |metadata: Option<add_saml_provider_request::Metadata>| AddSamlProviderRequest {
        name: "SAML".into(),
        metadata,
        ..Default::default()
    };
    use add_saml_provider_request::Metadata as M;
    for (request, field) in [
        (saml(None), "metadata"),
        (saml(Some(M::MetadataXml(b"<EntityDescriptor><unclosed></EntityDescriptor>".to_vec()))), "metadataXml"),
        (saml(Some(M::MetadataXml(b"<Html/>".to_vec()))), "EntityDescriptor"),
        (saml(Some(M::MetadataUrl("http://127.0.0.1:9/metadata".into()))), "metadataUrl"),
    ] {
        let err = c.call::<_, AddSamlProviderResponse>("AddSAMLProvider", request).await.unwrap_err();
        assert_eq!(err.code, Code::InvalidArgument, "{field}: {err:?}");
        assert!(err.message.to_lowercase().contains(&field.to_lowercase()), "{field}: {}", err.message);
    }

    let jwt = c
        .call::<_, AddJwtProviderResponse>(
            "AddJWTProvider",
            AddJwtProviderRequest { name: "JWT".into(), issuer: "https://i.example".into(), ..Default::default() },
        )
        .await
        .unwrap_err();
    assert_eq!(jwt.code, Code::InvalidArgument);

    // Updates of unknown ids, or of another kind's id: NotFound.
    let google = add(&c, Kind::Google, "G", "secret").await.unwrap();
    let err = update(&c, Kind::GitHub, &google, "G", "").await.unwrap_err();
    assert_eq!(err.code, Code::NotFound, "a GitHub update does not touch a Google provider");
    let err = update(&c, Kind::Google, "1234", "G", "").await.unwrap_err();
    assert_eq!(err.code, Code::NotFound);
    let err = get(&c, "").await.unwrap_err();
    assert!(matches!(err.code, Code::InvalidArgument | Code::NotFound), "{err:?}");

    let all: ListProvidersResponse = c.call("ListProviders", ListProvidersRequest::default()).await.unwrap();
    assert_eq!(all.details.unwrap().total_result, 1, "only the one good provider is stored");
}
