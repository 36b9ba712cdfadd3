//! Identity-provider templates through the Admin API: all twelve kinds,
//! migration, login-policy links, SAML certificates, validation, secrets.

use std::sync::Arc;

use burg_api::admin::*;
use burg_api::idp::{self as pb, provider_config::Config as C};
use burg_api::object::ObjectDetails;
use burg_testkit::{ApiError, Client, Protocol, TestServer, matrix};
use tonic::Code;

/// The kinds, by the name of their Add RPC's provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Oidc,
    OAuth,
    Jwt,
    Ldap,
    Saml,
    Azure,
    Google,
    GitHub,
    GitHubEs,
    GitLab,
    GitLabSelfHosted,
    Apple,
}

pub const ALL: [Kind; 12] = [
    Kind::Oidc,
    Kind::OAuth,
    Kind::Jwt,
    Kind::Ldap,
    Kind::Saml,
    Kind::Azure,
    Kind::Google,
    Kind::GitHub,
    Kind::GitHubEs,
    Kind::GitLab,
    Kind::GitLabSelfHosted,
    Kind::Apple,
];

impl Kind {
    fn provider_type(self) -> pb::ProviderType {
        match self {
            Kind::Oidc => pb::ProviderType::Oidc,
            Kind::OAuth => pb::ProviderType::Oauth,
            Kind::Jwt => pb::ProviderType::Jwt,
            Kind::Ldap => pb::ProviderType::Ldap,
            Kind::Saml => pb::ProviderType::Saml,
            Kind::Azure => pb::ProviderType::AzureAd,
            Kind::Google => pb::ProviderType::Google,
            Kind::GitHub => pb::ProviderType::Github,
            Kind::GitHubEs => pb::ProviderType::GithubEs,
            Kind::GitLab => pb::ProviderType::Gitlab,
            Kind::GitLabSelfHosted => pb::ProviderType::GitlabSelfHosted,
            Kind::Apple => pb::ProviderType::Apple,
        }
    }

    /// The JSON name of the config branch.
    fn branch(self) -> &'static str {
        match self {
            Kind::Oidc => "oidc",
            Kind::OAuth => "oauth",
            Kind::Jwt => "jwt",
            Kind::Ldap => "ldap",
            Kind::Saml => "saml",
            Kind::Azure => "azureAd",
            Kind::Google => "google",
            Kind::GitHub => "github",
            Kind::GitHubEs => "githubEs",
            Kind::GitLab => "gitlab",
            Kind::GitLabSelfHosted => "gitlabSelfHosted",
            Kind::Apple => "apple",
        }
    }
}

pub const SAML_METADATA: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/metadata">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#;

/// A fresh EC P-256 private key in PKCS#8 PEM, like Apple's `.p8` files.
pub fn apple_key() -> String {
    use p256::elliptic_curve::Generate;
    use p256::pkcs8::EncodePrivateKey;
    let key = p256::SecretKey::generate_from_rng(&mut rand::rng());
    key.to_pkcs8_pem(p256::pkcs8::LineEnding::LF).unwrap().to_string()
}

pub fn options() -> Option<pb::Options> {
    Some(pb::Options {
        is_linking_allowed: true,
        is_creation_allowed: true,
        is_auto_creation: true,
        is_auto_update: true,
        auto_linking: pb::AutoLinkingOption::Email as i32,
    })
}

fn scopes() -> Vec<String> {
    vec!["openid".into(), "profile".into(), "email".into()]
}

/// Adds a provider of `kind` with every field set and `secret` in its
/// secret field (for Apple, the secret goes into nothing: its key is
/// generated; SAML has none).
pub async fn add(c: &Client, kind: Kind, name: &str, secret: &str) -> Result<String, ApiError> {
    let (name, secret) = (name.to_string(), secret.to_string());
    match kind {
        Kind::Oidc => c
            .call::<_, AddGenericOidcProviderResponse>(
                "AddGenericOIDCProvider",
                AddGenericOidcProviderRequest {
                    name,
                    issuer: "https://accounts.example.com".into(),
                    client_id: "oidc-client".into(),
                    client_secret: secret,
                    scopes: scopes(),
                    provider_options: options(),
                    is_id_token_mapping: true,
                    use_pkce: false,
                },
            )
            .await
            .map(|r| r.id),
        Kind::OAuth => c
            .call::<_, AddGenericOAuthProviderResponse>(
                "AddGenericOAuthProvider",
                AddGenericOAuthProviderRequest {
                    name,
                    client_id: "oauth-client".into(),
                    client_secret: secret,
                    authorization_endpoint: "https://oauth.example.com/authorize".into(),
                    token_endpoint: "https://oauth.example.com/token".into(),
                    user_endpoint: "https://oauth.example.com/userinfo".into(),
                    scopes: scopes(),
                    id_attribute: "user_id".into(),
                    provider_options: options(),
                    use_pkce: false,
                },
            )
            .await
            .map(|r| r.id),
        Kind::Jwt => c
            .call::<_, AddJwtProviderResponse>(
                "AddJWTProvider",
                AddJwtProviderRequest {
                    name,
                    issuer: "https://jwt.example.com".into(),
                    jwt_endpoint: "https://jwt.example.com/jwt".into(),
                    keys_endpoint: "https://jwt.example.com/keys".into(),
                    header_name: "x-auth-token".into(),
                    provider_options: options(),
                },
            )
            .await
            .map(|r| r.id),
        Kind::Ldap => c
            .call::<_, AddLdapProviderResponse>(
                "AddLDAPProvider",
                AddLdapProviderRequest {
                    name,
                    servers: vec!["ldaps://ldap.example.com:636".into()],
                    start_tls: true,
                    base_dn: "dc=example,dc=com".into(),
                    bind_dn: "cn=admin,dc=example,dc=com".into(),
                    bind_password: secret,
                    user_base: "dn".into(),
                    user_object_classes: vec!["user".into()],
                    user_filters: vec!["uid".into(), "email".into()],
                    timeout: Some(burg_api::wkt::Duration { seconds: 10, nanos: 0 }),
                    attributes: Some(ldap_attributes()),
                    provider_options: options(),
                    root_ca: vec![],
                },
            )
            .await
            .map(|r| r.id),
        Kind::Saml => c
            .call::<_, AddSamlProviderResponse>(
                "AddSAMLProvider",
                AddSamlProviderRequest {
                    name,
                    metadata: Some(add_saml_provider_request::Metadata::MetadataXml(SAML_METADATA.into())),
                    binding: pb::SamlBinding::Post as i32,
                    with_signed_request: true,
                    provider_options: options(),
                    name_id_format: Some(pb::SamlNameIdFormat::Persistent as i32),
                    transient_mapping_attribute_name: Some("uid".into()),
                },
            )
            .await
            .map(|r| r.id),
        Kind::Azure => c
            .call::<_, AddAzureAdProviderResponse>(
                "AddAzureADProvider",
                AddAzureAdProviderRequest {
                    name,
                    client_id: "azure-client".into(),
                    client_secret: secret,
                    tenant: Some(pb::AzureAdTenant {
                        r#type: Some(pb::azure_ad_tenant::Type::TenantId("tenant-1234".into())),
                    }),
                    email_verified: true,
                    scopes: scopes(),
                    provider_options: options(),
                },
            )
            .await
            .map(|r| r.id),
        Kind::Google => c
            .call::<_, AddGoogleProviderResponse>(
                "AddGoogleProvider",
                AddGoogleProviderRequest {
                    name,
                    client_id: "google-client".into(),
                    client_secret: secret,
                    scopes: scopes(),
                    provider_options: options(),
                },
            )
            .await
            .map(|r| r.id),
        Kind::GitHub => c
            .call::<_, AddGitHubProviderResponse>(
                "AddGitHubProvider",
                AddGitHubProviderRequest {
                    name,
                    client_id: "github-client".into(),
                    client_secret: secret,
                    scopes: scopes(),
                    provider_options: options(),
                },
            )
            .await
            .map(|r| r.id),
        Kind::GitHubEs => c
            .call::<_, AddGitHubEnterpriseServerProviderResponse>(
                "AddGitHubEnterpriseServerProvider",
                AddGitHubEnterpriseServerProviderRequest {
                    client_id: "ghes-client".into(),
                    name,
                    client_secret: secret,
                    authorization_endpoint: "https://github.example.com/login/oauth/authorize".into(),
                    token_endpoint: "https://github.example.com/login/oauth/access_token".into(),
                    user_endpoint: "https://github.example.com/api/v3/user".into(),
                    scopes: scopes(),
                    provider_options: options(),
                },
            )
            .await
            .map(|r| r.id),
        Kind::GitLab => c
            .call::<_, AddGitLabProviderResponse>(
                "AddGitLabProvider",
                AddGitLabProviderRequest {
                    name,
                    client_id: "gitlab-client".into(),
                    client_secret: secret,
                    scopes: scopes(),
                    provider_options: options(),
                },
            )
            .await
            .map(|r| r.id),
        Kind::GitLabSelfHosted => c
            .call::<_, AddGitLabSelfHostedProviderResponse>(
                "AddGitLabSelfHostedProvider",
                AddGitLabSelfHostedProviderRequest {
                    issuer: "https://gitlab.example.com".into(),
                    name,
                    client_id: "gitlab-sh-client".into(),
                    client_secret: secret,
                    scopes: scopes(),
                    provider_options: options(),
                },
            )
            .await
            .map(|r| r.id),
        Kind::Apple => c
            .call::<_, AddAppleProviderResponse>(
                "AddAppleProvider",
                AddAppleProviderRequest {
                    name,
                    client_id: "com.example.app".into(),
                    team_id: "ALT03JV3OS".into(),
                    key_id: "OGKDK25KD1".into(),
                    private_key: apple_key().into_bytes(),
                    scopes: vec!["name".into(), "email".into()],
                    provider_options: options(),
                },
            )
            .await
            .map(|r| r.id),
    }
}

fn ldap_attributes() -> pb::LdapAttributes {
    pb::LdapAttributes {
        id_attribute: "uid".into(),
        first_name_attribute: "givenName".into(),
        last_name_attribute: "sn".into(),
        display_name_attribute: "displayName".into(),
        nick_name_attribute: "nick".into(),
        preferred_username_attribute: "uid".into(),
        email_attribute: "mail".into(),
        email_verified_attribute: "mailVerified".into(),
        phone_attribute: "phone".into(),
        phone_verified_attribute: "phoneVerified".into(),
        preferred_language_attribute: "lang".into(),
        avatar_url_attribute: "avatar".into(),
        profile_attribute: "profile".into(),
    }
}

/// Updates a provider of `kind`: a new name, new scopes (or endpoints) and
/// `secret` (empty keeps the old one).
pub async fn update(c: &Client, kind: Kind, id: &str, name: &str, secret: &str) -> Result<ObjectDetails, ApiError> {
    let (id, name, secret) = (id.to_string(), name.to_string(), secret.to_string());
    let new_scopes = vec!["openid".to_string(), "groups".to_string()];
    let details = match kind {
        Kind::Oidc => {
            c.call::<_, UpdateGenericOidcProviderResponse>(
                "UpdateGenericOIDCProvider",
                UpdateGenericOidcProviderRequest {
                    id,
                    name,
                    issuer: "https://accounts.example.com".into(),
                    client_id: "oidc-client".into(),
                    client_secret: secret,
                    scopes: new_scopes,
                    provider_options: options(),
                    is_id_token_mapping: false,
                    use_pkce: true,
                },
            )
            .await?
            .details
        }
        Kind::OAuth => {
            c.call::<_, UpdateGenericOAuthProviderResponse>(
                "UpdateGenericOAuthProvider",
                UpdateGenericOAuthProviderRequest {
                    id,
                    name,
                    client_id: "oauth-client".into(),
                    client_secret: secret,
                    authorization_endpoint: "https://oauth.example.com/authorize".into(),
                    token_endpoint: "https://oauth.example.com/token".into(),
                    user_endpoint: "https://oauth.example.com/userinfo".into(),
                    scopes: new_scopes,
                    id_attribute: "sub".into(),
                    provider_options: options(),
                    use_pkce: true,
                },
            )
            .await?
            .details
        }
        Kind::Jwt => {
            c.call::<_, UpdateJwtProviderResponse>(
                "UpdateJWTProvider",
                UpdateJwtProviderRequest {
                    id,
                    name,
                    issuer: "https://jwt.example.com".into(),
                    jwt_endpoint: "https://jwt.example.com/jwt".into(),
                    keys_endpoint: "https://jwt.example.com/keys2".into(),
                    header_name: "authorization".into(),
                    provider_options: options(),
                },
            )
            .await?
            .details
        }
        Kind::Ldap => {
            c.call::<_, UpdateLdapProviderResponse>(
                "UpdateLDAPProvider",
                UpdateLdapProviderRequest {
                    id,
                    name,
                    servers: vec!["ldap://ldap2.example.com:389".into()],
                    start_tls: false,
                    base_dn: "dc=example,dc=com".into(),
                    bind_dn: "cn=admin,dc=example,dc=com".into(),
                    bind_password: secret,
                    user_base: "dn".into(),
                    user_object_classes: vec!["user".into()],
                    user_filters: vec!["uid".into()],
                    timeout: Some(burg_api::wkt::Duration { seconds: 30, nanos: 0 }),
                    attributes: Some(ldap_attributes()),
                    provider_options: options(),
                    root_ca: vec![],
                },
            )
            .await?
            .details
        }
        Kind::Saml => {
            c.call::<_, UpdateSamlProviderResponse>(
                "UpdateSAMLProvider",
                UpdateSamlProviderRequest {
                    id,
                    name,
                    metadata: Some(update_saml_provider_request::Metadata::MetadataXml(SAML_METADATA.into())),
                    binding: pb::SamlBinding::Redirect as i32,
                    with_signed_request: false,
                    provider_options: options(),
                    name_id_format: Some(pb::SamlNameIdFormat::EmailAddress as i32),
                    transient_mapping_attribute_name: None,
                },
            )
            .await?
            .details
        }
        Kind::Azure => {
            c.call::<_, UpdateAzureAdProviderResponse>(
                "UpdateAzureADProvider",
                UpdateAzureAdProviderRequest {
                    id,
                    name,
                    client_id: "azure-client".into(),
                    client_secret: secret,
                    tenant: Some(pb::AzureAdTenant {
                        r#type: Some(pb::azure_ad_tenant::Type::TenantType(
                            pb::AzureAdTenantType::Organisations as i32,
                        )),
                    }),
                    email_verified: false,
                    scopes: new_scopes,
                    provider_options: options(),
                },
            )
            .await?
            .details
        }
        Kind::Google => {
            c.call::<_, UpdateGoogleProviderResponse>(
                "UpdateGoogleProvider",
                UpdateGoogleProviderRequest {
                    id,
                    name,
                    client_id: "google-client".into(),
                    client_secret: secret,
                    scopes: new_scopes,
                    provider_options: options(),
                },
            )
            .await?
            .details
        }
        Kind::GitHub => {
            c.call::<_, UpdateGitHubProviderResponse>(
                "UpdateGitHubProvider",
                UpdateGitHubProviderRequest {
                    id,
                    name,
                    client_id: "github-client".into(),
                    client_secret: secret,
                    scopes: new_scopes,
                    provider_options: options(),
                },
            )
            .await?
            .details
        }
        Kind::GitHubEs => {
            c.call::<_, UpdateGitHubEnterpriseServerProviderResponse>(
                "UpdateGitHubEnterpriseServerProvider",
                UpdateGitHubEnterpriseServerProviderRequest {
                    id,
                    name,
                    client_id: "ghes-client".into(),
                    client_secret: secret,
                    authorization_endpoint: "https://github.example.com/login/oauth/authorize".into(),
                    token_endpoint: "https://github.example.com/login/oauth/access_token".into(),
                    user_endpoint: "https://github.example.com/api/v3/user".into(),
                    scopes: new_scopes,
                    provider_options: options(),
                },
            )
            .await?
            .details
        }
        Kind::GitLab => {
            c.call::<_, UpdateGitLabProviderResponse>(
                "UpdateGitLabProvider",
                UpdateGitLabProviderRequest {
                    id,
                    name,
                    client_id: "gitlab-client".into(),
                    client_secret: secret,
                    scopes: new_scopes,
                    provider_options: options(),
                },
            )
            .await?
            .details
        }
        Kind::GitLabSelfHosted => {
            c.call::<_, UpdateGitLabSelfHostedProviderResponse>(
                "UpdateGitLabSelfHostedProvider",
                UpdateGitLabSelfHostedProviderRequest {
                    id,
                    issuer: "https://gitlab.example.com".into(),
                    name,
                    client_id: "gitlab-sh-client".into(),
                    client_secret: secret,
                    scopes: new_scopes,
                    provider_options: options(),
                },
            )
            .await?
            .details
        }
        Kind::Apple => {
            c.call::<_, UpdateAppleProviderResponse>(
                "UpdateAppleProvider",
                UpdateAppleProviderRequest {
                    id,
                    name,
                    client_id: "com.example.app".into(),
                    team_id: "ALT03JV3OS".into(),
                    key_id: "OGKDK25KD1".into(),
                    private_key: vec![],
                    scopes: new_scopes,
                    provider_options: options(),
                },
            )
            .await?
            .details
        }
    };
    Ok(details.expect("details"))
}

pub async fn get(c: &Client, id: &str) -> Result<pb::Provider, ApiError> {
    c.call::<_, GetProviderByIdResponse>("GetProviderByID", GetProviderByIdRequest { id: id.into() })
        .await
        .map(|r| r.idp.expect("idp"))
}

/// The scopes of a provider's config, whatever its kind.
fn scopes_of(config: &C) -> Vec<String> {
    match config {
        C::Oidc(c) => c.scopes.clone(),
        C::Oauth(c) => c.scopes.clone(),
        C::Google(c) => c.scopes.clone(),
        C::Github(c) => c.scopes.clone(),
        C::GithubEs(c) => c.scopes.clone(),
        C::Gitlab(c) => c.scopes.clone(),
        C::GitlabSelfHosted(c) => c.scopes.clone(),
        C::AzureAd(c) => c.scopes.clone(),
        C::Apple(c) => c.scopes.clone(),
        C::Ldap(c) => c.servers.clone(),
        C::Jwt(c) => vec![c.keys_endpoint.clone()],
        C::Saml(c) => vec![format!("{}", c.binding)],
    }
}

matrix!(
    every_kind_round_trips,
    names_are_unique_and_optional_names_default,
    delete_takes_policy_entries_and_user_links_along,
    migrate_generic_oidc_to_google_and_azure,
    bad_input_is_refused_and_nothing_is_stored,
    saml_certificates_are_generated_and_regenerated,
    login_policy_links,
);

/// The sealed secret of a stored template, as the read table holds it.
async fn stored_secret(s: &TestServer, id: &str) -> serde_json::Value {
    let config: String = sqlx::query_scalar("SELECT config FROM idp_templates WHERE id = $1")
        .bind(id)
        .fetch_one(s.app.db().pool())
        .await
        .unwrap();
    let config: serde_json::Value = serde_json::from_str(&config).unwrap();
    let c = &config["config"];
    for field in ["clientSecret", "bindPassword", "privateKey", "key"] {
        if !c[field].is_null() {
            assert!(c[field]["crypted"].is_string(), "sealed");
            return c[field].clone();
        }
    }
    serde_json::Value::Null
}

async fn every_kind_round_trips(s: Arc<TestServer>, c: Client) {
    for kind in ALL {
        let name = format!("{kind:?} provider");
        let id = add(&c, kind, &name, "s3cret-value").await.unwrap_or_else(|e| panic!("{kind:?}: {e:?}"));

        let idp = get(&c, &id).await.unwrap();
        assert_eq!(idp.id, id);
        assert_eq!(idp.name, name);
        assert_eq!(idp.r#type, kind.provider_type() as i32, "{kind:?}");
        assert_eq!(idp.state, pb::IdpState::Active as i32);
        assert_eq!(idp.owner, pb::IdpOwnerType::System as i32);
        let details = idp.details.clone().unwrap();
        assert!(details.sequence > 0 && details.creation_date.is_some());
        let config = idp.config.clone().unwrap();
        assert_eq!(config.options, options(), "{kind:?}");
        let branch = config.config.unwrap();
        match (&branch, kind) {
            (C::Oidc(o), Kind::Oidc) => {
                assert_eq!((o.issuer.as_str(), o.client_id.as_str()), ("https://accounts.example.com", "oidc-client"));
                assert!(o.is_id_token_mapping && !o.use_pkce);
            }
            (C::Oauth(o), Kind::OAuth) => assert_eq!(o.id_attribute, "user_id"),
            (C::Jwt(j), Kind::Jwt) => assert_eq!(j.header_name, "x-auth-token"),
            (C::Ldap(l), Kind::Ldap) => {
                assert_eq!(l.timeout, Some(burg_api::wkt::Duration { seconds: 10, nanos: 0 }));
                assert_eq!(l.attributes, Some(ldap_attributes()));
                assert_eq!(l.user_filters, vec!["uid", "email"]);
            }
            (C::Saml(s), Kind::Saml) => {
                assert_eq!(s.metadata_xml, SAML_METADATA.as_bytes());
                assert_eq!(s.transient_mapping_attribute_name.as_deref(), Some("uid"));
                assert_eq!(s.name_id_format, pb::SamlNameIdFormat::Persistent as i32);
            }
            (C::AzureAd(a), Kind::Azure) => {
                assert_eq!(
                    a.tenant.clone().unwrap().r#type,
                    Some(pb::azure_ad_tenant::Type::TenantId("tenant-1234".into()))
                );
                assert!(a.email_verified);
            }
            (C::Google(g), Kind::Google) => assert_eq!(g.client_id, "google-client"),
            (C::Github(g), Kind::GitHub) => assert_eq!(g.client_id, "github-client"),
            (C::GithubEs(g), Kind::GitHubEs) => assert_eq!(g.user_endpoint, "https://github.example.com/api/v3/user"),
            (C::Gitlab(g), Kind::GitLab) => assert_eq!(g.client_id, "gitlab-client"),
            (C::GitlabSelfHosted(g), Kind::GitLabSelfHosted) => assert_eq!(g.issuer, "https://gitlab.example.com"),
            (C::Apple(a), Kind::Apple) => {
                assert_eq!((a.team_id.as_str(), a.key_id.as_str()), ("ALT03JV3OS", "OGKDK25KD1"))
            }
            (other, kind) => panic!("{kind:?} came back as {other:?}"),
        }

        let listed: ListProvidersResponse = c
            .call(
                "ListProviders",
                ListProvidersRequest {
                    queries: vec![ProviderQuery {
                        query: Some(provider_query::Query::IdpNameQuery(pb::IdpNameQuery {
                            name: name.to_uppercase(),
                            method: burg_api::object::TextQueryMethod::EqualsIgnoreCase as i32,
                        })),
                    }],
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(listed.details.unwrap().total_result, 1, "{kind:?}");
        assert_eq!(listed.result[0], idp, "list and get agree");

        let sealed_before = stored_secret(&s, &id).await;
        let renamed = format!("{kind:?} renamed");
        let updated = update(&c, kind, &id, &renamed, "").await.unwrap_or_else(|e| panic!("{kind:?}: {e:?}"));
        assert_eq!(stored_secret(&s, &id).await, sealed_before, "{kind:?}: an empty secret keeps the old one");
        assert!(updated.sequence > details.sequence);
        let after = get(&c, &id).await.unwrap();
        assert_eq!(after.name, renamed);
        assert_eq!(after.details.unwrap().sequence, updated.sequence);
        let after_branch = after.config.unwrap().config.unwrap();
        assert_ne!(scopes_of(&after_branch), scopes_of(&branch), "{kind:?}: the update reached the config");

        // The same update again changes nothing: no event, the same details.
        let again = update(&c, kind, &id, &renamed, "").await.unwrap();
        assert_eq!(again.sequence, updated.sequence, "{kind:?}: a no-op update writes no event");
        if !matches!(kind, Kind::Jwt | Kind::Saml | Kind::Apple) {
            let sealed = stored_secret(&s, &id).await;
            let changed = update(&c, kind, &id, &renamed, "a-new-secret").await.unwrap();
            assert!(changed.sequence > again.sequence, "{kind:?}: a new secret is a change");
            assert_ne!(stored_secret(&s, &id).await, sealed, "{kind:?}");
        }

        let deleted: DeleteProviderResponse =
            c.call("DeleteProvider", DeleteProviderRequest { id: id.clone() }).await.unwrap();
        assert!(deleted.details.unwrap().sequence > updated.sequence);
        let gone = get(&c, &id).await.unwrap_err();
        assert_eq!(gone.code, Code::NotFound, "{kind:?}");
        let gone = c.call::<_, DeleteProviderResponse>("DeleteProvider", DeleteProviderRequest { id }).await;
        assert_eq!(gone.unwrap_err().code, Code::NotFound);
    }
    let all: ListProvidersResponse = c.call("ListProviders", ListProvidersRequest::default()).await.unwrap();
    assert_eq!(all.details.unwrap().total_result, 0);
}

async fn names_are_unique_and_optional_names_default(_s: Arc<TestServer>, c: Client) {
    let first = add(&c, Kind::Oidc, "Corporate", "secret").await.unwrap();
    let dup = add(&c, Kind::GitHubEs, "corporate", "secret").await.unwrap_err();
    assert_eq!(dup.code, Code::AlreadyExists, "{dup:?}");
    if c.protocol == Protocol::Rest {
        assert_eq!(dup.http_status, Some(409));
    }
    let other = add(&c, Kind::Jwt, "Other", "").await.unwrap();
    let clash = update(&c, Kind::Jwt, &other, "CORPORATE", "").await.unwrap_err();
    assert_eq!(clash.code, Code::AlreadyExists);

    // Google, GitHub, GitLab and Apple may go without a name.
    for (kind, expected) in
        [(Kind::Google, "Google"), (Kind::GitHub, "GitHub"), (Kind::GitLab, "GitLab"), (Kind::Apple, "Apple")]
    {
        let id = add(&c, kind, "", "secret").await.unwrap();
        assert_eq!(get(&c, &id).await.unwrap().name, expected);
    }
    // Others must have one.
    let err = add(&c, Kind::OAuth, "", "secret").await.unwrap_err();
    assert_eq!(err.code, Code::InvalidArgument);
    assert!(err.message.contains("name"), "{}", err.message);

    // Deleting frees the name.
    let _: DeleteProviderResponse = c.call("DeleteProvider", DeleteProviderRequest { id: first }).await.unwrap();
    add(&c, Kind::GitHubEs, "corporate", "secret").await.unwrap();
}

async fn delete_takes_policy_entries_and_user_links_along(s: Arc<TestServer>, c: Client) {
    let keep = add(&c, Kind::Google, "Keep", "secret").await.unwrap();
    let doomed = add(&c, Kind::Oidc, "Doomed", "secret").await.unwrap();
    for id in [&keep, &doomed] {
        let _: AddIdpToLoginPolicyResponse =
            c.call("AddIDPToLoginPolicy", AddIdpToLoginPolicyRequest { idp_id: id.to_string() }).await.unwrap();
    }
    let user = crate::orgs::human_user(&c, "linked").await;
    let ctx = admin_ctx(&s);
    s.app.add_user_idp_link(&ctx, &user, &doomed, "ext-1", "Linked at Doomed").await.unwrap();
    s.app.add_user_idp_link(&ctx, &user, &keep, "ext-2", "Linked at Keep").await.unwrap();
    let dup = s.app.add_user_idp_link(&ctx, &user, &doomed, "ext-1", "again").await.unwrap_err();
    assert_eq!(dup.kind, burg_domain::ErrorKind::AlreadyExists);

    let _: DeleteProviderResponse =
        c.call("DeleteProvider", DeleteProviderRequest { id: doomed.clone() }).await.unwrap();

    let links: ListLoginPolicyIdPsResponse =
        c.call("ListLoginPolicyIDPs", ListLoginPolicyIdPsRequest::default()).await.unwrap();
    let ids: Vec<&str> = links.result.iter().map(|l| l.idp_id.as_str()).collect();
    assert_eq!(ids, vec![keep.as_str()]);
    assert_eq!(s.app.user_idp_links(&user).await.unwrap(), vec![(keep.clone(), "ext-2".to_string())]);

    let events: ListEventsResponse =
        c.call("ListEvents", ListEventsRequest { limit: 10, ..Default::default() }).await.unwrap();
    let types: Vec<&str> = events.events.iter().map(|e| e.r#type.as_ref().unwrap().r#type.as_str()).collect();
    assert_eq!(
        &types[..3],
        &[
            "instance.idp.removed",
            "user.human.externalidp.cascade.removed",
            "instance.policy.login.idpprovider.cascade.removed"
        ],
        "newest first"
    );
}

pub fn admin_ctx(s: &TestServer) -> burg_app::Ctx {
    {
        let _ = s;
        burg_app::Ctx::system("test")
    }
}

async fn migrate_generic_oidc_to_google_and_azure(s: Arc<TestServer>, c: Client) {
    let oidc = add(&c, Kind::Oidc, "Old Google via OIDC", "secret").await.unwrap();
    let before = get(&c, &oidc).await.unwrap();
    let _: AddIdpToLoginPolicyResponse =
        c.call("AddIDPToLoginPolicy", AddIdpToLoginPolicyRequest { idp_id: oidc.clone() }).await.unwrap();
    let user = crate::orgs::human_user(&c, "migrant").await;
    s.app.add_user_idp_link(&admin_ctx(&s), &user, &oidc, "google-sub-1", "Migrant").await.unwrap();

    // To Google, without a name and without options: "Google", options kept.
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
    assert_eq!(after.name, "Google");
    assert_eq!(after.r#type, pb::ProviderType::Google as i32);
    let config = after.config.unwrap();
    assert_eq!(config.options, options(), "options are kept");
    assert_eq!(
        config.config,
        Some(C::Google(pb::GoogleConfig { client_id: "google-client".into(), scopes: vec!["openid".into()] }))
    );
    let links: ListLoginPolicyIdPsResponse =
        c.call("ListLoginPolicyIDPs", ListLoginPolicyIdPsRequest::default()).await.unwrap();
    assert_eq!(links.result.len(), 1);
    assert_eq!((links.result[0].idp_id.as_str(), links.result[0].idp_name.as_str()), (oidc.as_str(), "Google"));
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
    let err = c.call::<_, MigrateGenericOidcProviderResponse>("MigrateGenericOIDCProvider", azure(&oidc)).await;
    let err = err.unwrap_err();
    assert_eq!(err.code, Code::FailedPrecondition, "{err:?}");
    if c.protocol == Protocol::Rest {
        assert_eq!(err.http_status, Some(400));
    }
    let jwt = add(&c, Kind::Jwt, "A JWT provider", "").await.unwrap();
    let err = c.call::<_, MigrateGenericOidcProviderResponse>("MigrateGenericOIDCProvider", azure(&jwt)).await;
    assert_eq!(err.unwrap_err().code, Code::FailedPrecondition);
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
    let mut cases: Vec<(AddGenericOidcProviderRequest, &str)> = vec![
        (bad_oidc(&|r| r.name = long.clone()), "name"),
        (bad_oidc(&|r| r.issuer = "not a url".into()), "issuer"),
        (bad_oidc(&|r| r.issuer = "ftp://issuer.example.com".into()), "issuer"),
        (bad_oidc(&|r| r.client_id = String::new()), "clientId"),
        (bad_oidc(&|r| r.client_secret = String::new()), "clientSecret"),
        (bad_oidc(&|r| r.scopes = (0..21).map(|i| format!("s{i}")).collect()), "scopes"),
    ];
    if c.protocol == Protocol::Grpc {
        // An unknown enum number cannot be written in our JSON; gRPC carries it.
        cases.push((
            bad_oidc(&|r| r.provider_options = Some(pb::Options { auto_linking: 9, ..Default::default() })),
            "autoLinking",
        ));
    }
    for (request, field) in cases {
        let err = c.call::<_, AddGenericOidcProviderResponse>("AddGenericOIDCProvider", request).await.unwrap_err();
        assert_eq!(err.code, Code::InvalidArgument, "{field}: {err:?}");
        assert!(err.message.contains(field), "{field}: {}", err.message);
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
    for (request, field) in [
        (ldap(&|r| r.servers = vec!["https://ldap.example.com".into()]), "servers[0]"),
        (ldap(&|r| r.servers = vec![]), "servers"),
        (ldap(&|r| r.user_filters = vec![]), "userFilters"),
        (ldap(&|r| r.bind_password = String::new()), "bindPassword"),
        (ldap(&|r| r.timeout = Some(burg_api::wkt::Duration { seconds: -1, nanos: 0 })), "timeout"),
        (ldap(&|r| r.root_ca = b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n".to_vec()), "rootCa"),
    ] {
        let err = c.call::<_, AddLdapProviderResponse>("AddLDAPProvider", request).await.unwrap_err();
        assert_eq!(err.code, Code::InvalidArgument, "{field}: {err:?}");
        assert!(err.message.contains(field), "{field}: {}", err.message);
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
        assert!(err.message.contains(field), "{field}: {}", err.message);
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
        assert!(err.message.contains(field), "{field}: {}", err.message);
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

/// Serves `body` once per connection on a loopback port: a real HTTP
/// server for SAML metadata URLs.
pub async fn serve_document(body: &'static str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = vec![0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
        }
    });
    format!("http://{addr}/metadata")
}

async fn saml_certificates_are_generated_and_regenerated(s: Arc<TestServer>, c: Client) {
    let url = serve_document(SAML_METADATA).await;
    let added: AddSamlProviderResponse = c
        .call(
            "AddSAMLProvider",
            AddSamlProviderRequest {
                name: "SAML by URL".into(),
                metadata: Some(add_saml_provider_request::Metadata::MetadataUrl(url)),
                binding: pb::SamlBinding::Post as i32,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let idp = get(&c, &added.id).await.unwrap();
    match idp.config.unwrap().config.unwrap() {
        C::Saml(saml) => assert_eq!(saml.metadata_xml, SAML_METADATA.as_bytes(), "the fetched document is kept"),
        other => panic!("{other:?}"),
    }
    let first = s.app.saml_sp_certificate(&added.id).await.unwrap();
    assert!(first.starts_with("-----BEGIN CERTIFICATE-----"), "{first}");

    let regenerated: RegenerateSamlProviderCertificateResponse = c
        .call("RegenerateSAMLProviderCertificate", RegenerateSamlProviderCertificateRequest { id: added.id.clone() })
        .await
        .unwrap();
    assert!(regenerated.details.unwrap().sequence > idp.details.unwrap().sequence);
    let second = s.app.saml_sp_certificate(&added.id).await.unwrap();
    assert_ne!(first, second, "a new certificate replaces the old");

    // An update keeps the certificate.
    update(&c, Kind::Saml, &added.id, "SAML renamed", "").await.unwrap();
    assert_eq!(s.app.saml_sp_certificate(&added.id).await.unwrap(), second);

    let jwt = add(&c, Kind::Jwt, "Not SAML", "").await.unwrap();
    for id in [jwt, "987654".to_string()] {
        let err = c
            .call::<_, RegenerateSamlProviderCertificateResponse>(
                "RegenerateSAMLProviderCertificate",
                RegenerateSamlProviderCertificateRequest { id },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, Code::NotFound);
    }
}

async fn login_policy_links(_s: Arc<TestServer>, c: Client) {
    let policy: GetLoginPolicyResponse = c.call("GetLoginPolicy", GetLoginPolicyRequest {}).await.unwrap();
    let policy = policy.policy.unwrap();
    assert!(policy.is_default && policy.allow_external_idp && policy.idps.is_empty());

    let id = add(&c, Kind::Oidc, "Policy OIDC", "secret").await.unwrap();
    let added: AddIdpToLoginPolicyResponse =
        c.call("AddIDPToLoginPolicy", AddIdpToLoginPolicyRequest { idp_id: id.clone() }).await.unwrap();
    assert!(added.details.is_some());
    let again = c.call::<_, AddIdpToLoginPolicyResponse>(
        "AddIDPToLoginPolicy",
        AddIdpToLoginPolicyRequest { idp_id: id.clone() },
    );
    assert_eq!(again.await.unwrap_err().code, Code::AlreadyExists);
    let unknown = c.call::<_, AddIdpToLoginPolicyResponse>(
        "AddIDPToLoginPolicy",
        AddIdpToLoginPolicyRequest { idp_id: "42".into() },
    );
    assert_eq!(unknown.await.unwrap_err().code, Code::NotFound);

    let links: ListLoginPolicyIdPsResponse =
        c.call("ListLoginPolicyIDPs", ListLoginPolicyIdPsRequest::default()).await.unwrap();
    assert_eq!(links.details.unwrap().total_result, 1);
    assert_eq!(
        links.result,
        vec![pb::IdpLoginPolicyLink {
            idp_id: id.clone(),
            idp_name: "Policy OIDC".into(),
            idp_type: pb::IdpType::Oidc as i32
        }]
    );
    let policy: GetLoginPolicyResponse = c.call("GetLoginPolicy", GetLoginPolicyRequest {}).await.unwrap();
    assert_eq!(policy.policy.unwrap().idps.len(), 1);

    let _: RemoveIdpFromLoginPolicyResponse =
        c.call("RemoveIDPFromLoginPolicy", RemoveIdpFromLoginPolicyRequest { idp_id: id.clone() }).await.unwrap();
    let gone = c.call::<_, RemoveIdpFromLoginPolicyResponse>(
        "RemoveIDPFromLoginPolicy",
        RemoveIdpFromLoginPolicyRequest { idp_id: id.clone() },
    );
    assert_eq!(gone.await.unwrap_err().code, Code::NotFound);

    // The policy itself.
    let update = UpdateLoginPolicyRequest {
        allow_username_password: true,
        allow_external_idp: true,
        passwordless_type: 1,
        password_check_lifetime: Some(burg_api::wkt::Duration { seconds: 3600, nanos: 0 }),
        ..Default::default()
    };
    let _: UpdateLoginPolicyResponse = c.call("UpdateLoginPolicy", update.clone()).await.unwrap();
    let unchanged = c.call::<_, UpdateLoginPolicyResponse>("UpdateLoginPolicy", update).await.unwrap_err();
    assert_eq!(unchanged.code, Code::FailedPrecondition);
    let policy = c.call::<_, GetLoginPolicyResponse>("GetLoginPolicy", GetLoginPolicyRequest {}).await.unwrap();
    let policy = policy.policy.unwrap();
    assert!(!policy.allow_register);
    assert_eq!(policy.password_check_lifetime, Some(burg_api::wkt::Duration { seconds: 3600, nanos: 0 }));
}

/// The JSON of GetProviderByID has exactly the keys and enum spellings of
/// ZITADEL's API reference.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_json_has_the_reference_keys() {
    let Some(s) = TestServer::start_or_skip(burg_testkit::Backend::Sqlite).await else { return };
    let c = s.client(Protocol::Rest).await;
    let reference: serde_json::Value = serde_json::from_str(include_str!("../fixtures/provider_keys.json")).unwrap();
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let expected = |name: &str| -> Vec<String> {
        let mut k: Vec<String> =
            reference[name].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        k.sort();
        k
    };
    for kind in ALL {
        let id = add(&c, kind, &format!("{kind:?}"), "secret").await.unwrap();
        let body: serde_json::Value = burg_testkit::http_client()
            .get(format!("{}/admin/v1/idps/templates/{id}", s.base_url()))
            .bearer_auth(&s.admin_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let idp = &body["idp"];
        assert_eq!(keys(&body), vec!["idp"]);
        assert_eq!(keys(idp), expected("idp"), "{kind:?}");
        assert_eq!(keys(&idp["details"]), expected("details"));
        assert_eq!(idp["state"], "IDP_STATE_ACTIVE");
        assert_eq!(idp["owner"], "IDP_OWNER_TYPE_SYSTEM");
        let type_name = pb::ProviderType::try_from(kind.provider_type() as i32).unwrap().as_str_name();
        assert_eq!(idp["type"], type_name);
        assert!(idp["details"]["sequence"].is_string(), "64-bit integers are strings");
        let config = &idp["config"];
        let mut config_keys = keys(config);
        config_keys.retain(|k| k != "options");
        assert_eq!(config_keys, vec![kind.branch().to_string()], "exactly one branch");
        assert_eq!(keys(&config["options"]), expected("options"));
        assert_eq!(config["options"]["autoLinking"], "AUTO_LINKING_OPTION_EMAIL");
        let branch = &config[kind.branch()];
        assert_eq!(keys(branch), expected(kind.branch()), "{kind:?}");
        match kind {
            Kind::Ldap => {
                assert_eq!(keys(&branch["attributes"]), expected("ldapAttributes"));
                assert_eq!(branch["timeout"], "10s");
            }
            Kind::Saml => {
                assert_eq!(branch["binding"], "SAML_BINDING_POST");
                assert_eq!(branch["nameIdFormat"], "SAML_NAME_ID_FORMAT_PERSISTENT");
            }
            Kind::Azure => assert_eq!(branch["tenant"], serde_json::json!({"tenantId": "tenant-1234"})),
            _ => {}
        }
    }
    s.stop().await;
}

/// Permissions: reading needs `iam.idp.read`, writing `iam.idp.write`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_read_owners_write() {
    let Some(s) = TestServer::start_or_skip(burg_testkit::Backend::Sqlite).await else { return };
    let admin = s.client(Protocol::Grpc).await;
    let id = add(&admin, Kind::Google, "Readable", "secret").await.unwrap();
    let viewer = admin.with_token(&s.token_with_roles(&["IAM_OWNER_VIEWER"]).await);
    assert_eq!(get(&viewer, &id).await.unwrap().name, "Readable");
    let err = add(&viewer, Kind::Google, "Nope", "secret").await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
    let err = c_delete(&viewer, &id).await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
    let stranger = admin.with_token(&s.token_with_roles(&["IAM_USER_MANAGER"]).await);
    assert_eq!(get(&stranger, &id).await.unwrap_err().code, Code::PermissionDenied);
    s.stop().await;
}

async fn c_delete(c: &Client, id: &str) -> Result<DeleteProviderResponse, ApiError> {
    c.call("DeleteProvider", DeleteProviderRequest { id: id.into() }).await
}

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
/// personal access tokens, object-store credentials.
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
        if !matches!(kind, Kind::Jwt | Kind::Saml | Kind::Apple) {
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
    let sealed = places.iter().any(|(_, h)| h.windows(7).any(|w| w == b"crypted"));
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

/// Two burg nodes on one PostgreSQL database: what one writes, the other
/// serves, even after it cached the old state (its caches learn of the
/// write through PostgreSQL's notifications).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_node_sees_writes_despite_its_caches() {
    let Some(a) = TestServer::start_or_skip(burg_testkit::Backend::Postgres).await else { return };
    let b = TestServer::start_on(
        burg_testkit::Backend::Postgres,
        tempfile::tempdir().unwrap(),
        a.database_url.clone(),
        a.master_key.clone(),
        None,
    )
    .await
    .unwrap();
    let on_a = a.client(Protocol::Grpc).await;
    let on_b = b.client_with_token(Protocol::Grpc, &a.admin_token).await;
    let id = add(&on_a, Kind::Google, "Shared", "secret").await.unwrap();
    assert_eq!(get(&on_b, &id).await.unwrap().name, "Shared");
    assert_eq!(get(&on_b, &id).await.unwrap().name, "Shared", "now cached on b");

    update(&on_a, Kind::Google, &id, "Renamed on a", "").await.unwrap();
    let started = std::time::Instant::now();
    let mut seen = String::new();
    while started.elapsed() < std::time::Duration::from_secs(2) {
        seen = get(&on_b, &id).await.unwrap().name;
        if seen == "Renamed on a" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    assert_eq!(seen, "Renamed on a", "b caught up");
    eprintln!("b saw a's write {:?} after it was answered", started.elapsed());

    // A token removed on one node stops working on the other.
    let viewer = on_a.with_token(&a.token_with_roles(&["IAM_OWNER_VIEWER"]).await);
    let viewer_on_b = on_b.with_token(viewer.token());
    get(&viewer_on_b, &id).await.unwrap();
    let members: ListIamMembersResponse = on_a.call("ListIAMMembers", ListIamMembersRequest::default()).await.unwrap();
    let viewer_id = members
        .result
        .iter()
        .find(|m| m.roles == vec!["IAM_OWNER_VIEWER".to_string()])
        .map(|m| m.user_id.clone())
        .unwrap();
    let _: RemoveIamMemberResponse =
        on_a.call("RemoveIAMMember", RemoveIamMemberRequest { user_id: viewer_id }).await.unwrap();
    let started = std::time::Instant::now();
    let mut code = Code::Ok;
    while started.elapsed() < std::time::Duration::from_secs(2) {
        match get(&viewer_on_b, &id).await {
            Ok(_) => tokio::time::sleep(std::time::Duration::from_millis(1)).await,
            Err(e) => {
                code = e.code;
                break;
            }
        }
    }
    assert_eq!(code, Code::PermissionDenied, "b dropped the cached permissions");
    b.stop().await;
    a.stop().await;
}
