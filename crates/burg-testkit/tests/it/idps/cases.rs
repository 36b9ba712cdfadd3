//! The per-kind test data: for each kind, its Add and Update requests
//! with every field set, and what a read of it must show. A new kind adds
//! its arms here; the tests in the other files run over [`ALL`].

use burg_api::admin::*;
use burg_api::idp::{self as pb, provider_config::Config as C};
use burg_api::object::ObjectDetails;
use burg_testkit::{ApiError, Client};

/// The kinds, by the name of their Add RPC's provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    pub fn provider_type(self) -> pb::ProviderType {
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

    /// Whether [`add`] and [`update`] put their `secret` into the request:
    /// JWT and SAML have no secret, and Apple's is a generated key.
    pub fn takes_a_new_secret(self) -> bool {
        !matches!(self, Kind::Jwt | Kind::Saml | Kind::Apple)
    }

    /// The JSON name of the config branch.
    pub fn branch(self) -> &'static str {
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
                    federated_logout_enabled: Some(true),
                    signature_algorithm: Some(pb::SamlSignatureAlgorithm::SamlSignatureRsaSha256 as i32),
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

pub fn ldap_attributes() -> pb::LdapAttributes {
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
                    federated_logout_enabled: None,
                    signature_algorithm: None,
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
pub fn scopes_of(config: &C) -> Vec<String> {
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

/// What a read of a provider added by [`add`] shows in its config branch.
pub fn check_added(kind: Kind, branch: &C) {
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
            assert_eq!(s.federated_logout_enabled, Some(true));
            assert_eq!(s.signature_algorithm, Some(pb::SamlSignatureAlgorithm::SamlSignatureRsaSha256 as i32));
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
}

/// A request of type `Req` from its proto3 JSON (`serde_json::json!`), so
/// that tests can say "this field, with this value" for every kind alike.
fn from_json<Req: serde::de::DeserializeOwned>(json: serde_json::Value) -> Req {
    serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{json}: {e}"))
}

async fn call_json<Req, Resp>(c: &Client, method: &str, json: serde_json::Value) -> Result<Resp, ApiError>
where
    Req: prost::Message + serde::Serialize + serde::de::DeserializeOwned + Default + Send + Sync + 'static,
    Resp: prost::Message + serde::de::DeserializeOwned + Default + Send + Sync + 'static,
{
    c.call::<Req, Resp>(method, from_json(json)).await
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The proto3 JSON of an Add request of `kind` with its required fields
/// set (and nothing else).
pub fn add_json(kind: Kind) -> serde_json::Value {
    use serde_json::json;
    match kind {
        Kind::Oidc => json!({"name": "OIDC", "issuer": "https://i.example", "clientId": "c", "clientSecret": "s"}),
        Kind::OAuth => json!({"name": "OAuth", "clientId": "c", "clientSecret": "s",
            "authorizationEndpoint": "https://o.example/a", "tokenEndpoint": "https://o.example/t",
            "userEndpoint": "https://o.example/u", "idAttribute": "sub"}),
        Kind::Jwt => json!({"name": "JWT", "issuer": "https://j.example", "jwtEndpoint": "https://j.example/jwt",
            "keysEndpoint": "https://j.example/keys", "headerName": "x-jwt"}),
        Kind::Ldap => json!({"name": "LDAP", "servers": ["ldap://l.example"], "baseDn": "dc=example",
            "bindDn": "cn=admin", "bindPassword": "pw", "userBase": "dn", "userObjectClasses": ["user"],
            "userFilters": ["uid"]}),
        Kind::Saml => json!({"name": "SAML", "metadataXml": b64(SAML_METADATA.as_bytes())}),
        Kind::Azure => json!({"name": "Azure", "clientId": "c", "clientSecret": "s"}),
        Kind::Google | Kind::GitHub | Kind::GitLab => json!({"clientId": "c", "clientSecret": "s"}),
        Kind::GitHubEs => json!({"name": "GHES", "clientId": "c", "clientSecret": "s",
            "authorizationEndpoint": "https://g.example/a", "tokenEndpoint": "https://g.example/t",
            "userEndpoint": "https://g.example/u"}),
        Kind::GitLabSelfHosted => {
            json!({"name": "GitLab", "issuer": "https://gl.example", "clientId": "c", "clientSecret": "s"})
        }
        Kind::Apple => json!({"clientId": "com.example", "teamId": "ABCDEFGHIJ", "keyId": "ABCDEFGHIJ",
            "privateKey": b64(apple_key().as_bytes())}),
    }
}

/// The proto3 JSON of an Update request of `kind` for `id`: [`add_json`]
/// without the secret (an empty one keeps the stored secret).
pub fn update_json(kind: Kind, id: &str) -> serde_json::Value {
    let mut json = add_json(kind);
    let fields = json.as_object_mut().unwrap();
    for secret in ["clientSecret", "bindPassword", "privateKey"] {
        fields.remove(secret);
    }
    fields.insert("id".into(), id.into());
    json
}

/// Adds a provider of `kind` from the JSON of its request: its id.
pub async fn add_from_json(c: &Client, kind: Kind, json: serde_json::Value) -> Result<String, ApiError> {
    Ok(match kind {
        Kind::Oidc => {
            call_json::<AddGenericOidcProviderRequest, AddGenericOidcProviderResponse>(
                c,
                "AddGenericOIDCProvider",
                json,
            )
            .await?
            .id
        }
        Kind::OAuth => {
            call_json::<AddGenericOAuthProviderRequest, AddGenericOAuthProviderResponse>(
                c,
                "AddGenericOAuthProvider",
                json,
            )
            .await?
            .id
        }
        Kind::Jwt => call_json::<AddJwtProviderRequest, AddJwtProviderResponse>(c, "AddJWTProvider", json).await?.id,
        Kind::Ldap => {
            call_json::<AddLdapProviderRequest, AddLdapProviderResponse>(c, "AddLDAPProvider", json).await?.id
        }
        Kind::Saml => {
            call_json::<AddSamlProviderRequest, AddSamlProviderResponse>(c, "AddSAMLProvider", json).await?.id
        }
        Kind::Azure => {
            call_json::<AddAzureAdProviderRequest, AddAzureAdProviderResponse>(c, "AddAzureADProvider", json).await?.id
        }
        Kind::Google => {
            call_json::<AddGoogleProviderRequest, AddGoogleProviderResponse>(c, "AddGoogleProvider", json).await?.id
        }
        Kind::GitHub => {
            call_json::<AddGitHubProviderRequest, AddGitHubProviderResponse>(c, "AddGitHubProvider", json).await?.id
        }
        Kind::GitHubEs => {
            call_json::<AddGitHubEnterpriseServerProviderRequest, AddGitHubEnterpriseServerProviderResponse>(
                c,
                "AddGitHubEnterpriseServerProvider",
                json,
            )
            .await?
            .id
        }
        Kind::GitLab => {
            call_json::<AddGitLabProviderRequest, AddGitLabProviderResponse>(c, "AddGitLabProvider", json).await?.id
        }
        Kind::GitLabSelfHosted => {
            call_json::<AddGitLabSelfHostedProviderRequest, AddGitLabSelfHostedProviderResponse>(
                c,
                "AddGitLabSelfHostedProvider",
                json,
            )
            .await?
            .id
        }
        Kind::Apple => {
            call_json::<AddAppleProviderRequest, AddAppleProviderResponse>(c, "AddAppleProvider", json).await?.id
        }
    })
}

/// Updates a provider of `kind` from the JSON of its request: the
/// answer's details.
pub async fn update_from_json(c: &Client, kind: Kind, json: serde_json::Value) -> Result<ObjectDetails, ApiError> {
    let details = match kind {
        Kind::Oidc => {
            call_json::<UpdateGenericOidcProviderRequest, UpdateGenericOidcProviderResponse>(
                c,
                "UpdateGenericOIDCProvider",
                json,
            )
            .await?
            .details
        }
        Kind::OAuth => {
            call_json::<UpdateGenericOAuthProviderRequest, UpdateGenericOAuthProviderResponse>(
                c,
                "UpdateGenericOAuthProvider",
                json,
            )
            .await?
            .details
        }
        Kind::Jwt => {
            call_json::<UpdateJwtProviderRequest, UpdateJwtProviderResponse>(c, "UpdateJWTProvider", json)
                .await?
                .details
        }
        Kind::Ldap => {
            call_json::<UpdateLdapProviderRequest, UpdateLdapProviderResponse>(c, "UpdateLDAPProvider", json)
                .await?
                .details
        }
        Kind::Saml => {
            call_json::<UpdateSamlProviderRequest, UpdateSamlProviderResponse>(c, "UpdateSAMLProvider", json)
                .await?
                .details
        }
        Kind::Azure => {
            call_json::<UpdateAzureAdProviderRequest, UpdateAzureAdProviderResponse>(c, "UpdateAzureADProvider", json)
                .await?
                .details
        }
        Kind::Google => {
            call_json::<UpdateGoogleProviderRequest, UpdateGoogleProviderResponse>(c, "UpdateGoogleProvider", json)
                .await?
                .details
        }
        Kind::GitHub => {
            call_json::<UpdateGitHubProviderRequest, UpdateGitHubProviderResponse>(c, "UpdateGitHubProvider", json)
                .await?
                .details
        }
        Kind::GitHubEs => {
            call_json::<UpdateGitHubEnterpriseServerProviderRequest, UpdateGitHubEnterpriseServerProviderResponse>(
                c,
                "UpdateGitHubEnterpriseServerProvider",
                json,
            )
            .await?
            .details
        }
        Kind::GitLab => {
            call_json::<UpdateGitLabProviderRequest, UpdateGitLabProviderResponse>(c, "UpdateGitLabProvider", json)
                .await?
                .details
        }
        Kind::GitLabSelfHosted => {
            call_json::<UpdateGitLabSelfHostedProviderRequest, UpdateGitLabSelfHostedProviderResponse>(
                c,
                "UpdateGitLabSelfHostedProvider",
                json,
            )
            .await?
            .details
        }
        Kind::Apple => {
            call_json::<UpdateAppleProviderRequest, UpdateAppleProviderResponse>(c, "UpdateAppleProvider", json)
                .await?
                .details
        }
    };
    Ok(details.expect("details"))
}
