//! Identity-provider templates of the instance: add and update for the
//! twelve kinds, get, list, delete, migrate generic OIDC to Azure AD or
//! Google, and SAML certificate regeneration.
//!
//! Every request is first turned into a [`Draft`]: the validated template
//! with its secret still in clear. Add seals the secret; update keeps the
//! stored one when the request leaves it empty. The template is then written
//! whole into one event on the instance aggregate, and the projection keeps
//! `idp_templates` in step. Reads turn the stored template back into the
//! wire message, leaving every secret out.

use burg_api::admin::{self as a, migrate_generic_oidc_provider_request::Template as MigrateTo, provider_query};
use burg_api::idp as pb;
use burg_domain::crypto::Sealed;
use burg_domain::event::{Aggregate, Event, NewEvent, aggregate};
use burg_domain::events::instance as ie;
use burg_domain::events::org as oe;
use burg_domain::events::user as ue;
use burg_domain::idp::{self, Config, Kind, Template};
use burg_domain::{Error, Result, validate};
use burg_store::{Sql, WriteTx};
use sqlx::Row;

use crate::auth::db_err;
use crate::list::{Page, list_details, push_text_match};
use crate::{App, Ctx, details, details_of, egress, retry};

/// Client secrets, bind passwords: 1..=200 characters.
const SECRET_MAX: usize = 200;
/// Apple private keys: at most 5000 bytes of PEM.
const APPLE_KEY_MAX: usize = 5000;
/// SAML metadata documents: at most 500 kB.
const SAML_METADATA_MAX: usize = 500_000;
/// LDAP root CA bundles: at most 64 KiB of PEM.
const ROOT_CA_MAX: usize = 65_536;

/// A template from a request, validated, its secret not yet sealed.
struct Draft {
    name: String,
    options: idp::Options,
    /// The config with a placeholder where the secret goes.
    config: Config,
    /// The secret in clear; empty when the request gave none.
    secret: Vec<u8>,
}

fn placeholder() -> Sealed {
    Sealed { crypto_type: 0, algorithm: String::new(), key_id: String::new(), crypted: String::new() }
}

fn options(o: Option<pb::Options>) -> Result<idp::Options> {
    let o = o.unwrap_or_default();
    validate::defined_enum(
        "providerOptions.autoLinking",
        o.auto_linking,
        pb::AutoLinkingOption::try_from(o.auto_linking).is_ok(),
    )?;
    Ok(idp::Options {
        is_linking_allowed: o.is_linking_allowed,
        is_creation_allowed: o.is_creation_allowed,
        is_auto_creation: o.is_auto_creation,
        is_auto_update: o.is_auto_update,
        auto_linking: o.auto_linking,
    })
}

fn to_pb_options(o: &idp::Options) -> pb::Options {
    pb::Options {
        is_linking_allowed: o.is_linking_allowed,
        is_creation_allowed: o.is_creation_allowed,
        is_auto_creation: o.is_auto_creation,
        is_auto_update: o.is_auto_update,
        auto_linking: o.auto_linking,
    }
}

fn trimmed(s: String) -> String {
    let t = s.trim();
    if t.len() == s.len() { s } else { t.to_string() }
}

/// A required name, or for the kinds whose name is optional, the kind's
/// display name when none is given.
fn name(kind: Kind, value: String) -> Result<String> {
    let value = trimmed(value);
    match kind.default_name() {
        Some(default) if value.is_empty() => Ok(default.to_string()),
        _ => {
            validate::name("name", &value)?;
            Ok(value)
        }
    }
}

fn text(field: &str, value: String) -> Result<String> {
    let value = trimmed(value);
    validate::name(field, &value)?;
    Ok(value)
}

fn http_url(field: &str, value: String) -> Result<String> {
    let value = trimmed(value);
    validate::http_url(field, &value)?;
    Ok(value)
}

fn scopes(values: Vec<String>) -> Result<Vec<String>> {
    let values: Vec<String> = values.into_iter().map(trimmed).collect();
    validate::list("scopes", &values, 20, 1, 100)?;
    Ok(values)
}

/// The secret in clear: required on add, optional on update.
fn secret(field: &str, value: String, required: bool) -> Result<Vec<u8>> {
    if value.is_empty() && !required {
        return Ok(Vec::new());
    }
    validate::len(field, &value, 1, SECRET_MAX)?;
    Ok(value.into_bytes())
}

fn azure_tenant(tenant: Option<pb::AzureAdTenant>) -> Result<String> {
    use pb::azure_ad_tenant::Type;
    Ok(match tenant.and_then(|t| t.r#type) {
        None => idp::AZURE_COMMON.into(),
        Some(Type::TenantType(t)) => match pb::AzureAdTenantType::try_from(t) {
            Ok(pb::AzureAdTenantType::Common) => idp::AZURE_COMMON.into(),
            Ok(pb::AzureAdTenantType::Organisations) => idp::AZURE_ORGANIZATIONS.into(),
            Ok(pb::AzureAdTenantType::Consumers) => idp::AZURE_CONSUMERS.into(),
            Err(_) => {
                return Err(Error::invalid_argument(
                    "IDP-azur01",
                    format!("`tenant.tenantType` has an unknown value {t}"),
                ));
            }
        },
        Some(Type::TenantId(id)) => text("tenant.tenantId", id)?,
    })
}

fn to_pb_tenant(tenant: &str) -> pb::AzureAdTenant {
    use pb::azure_ad_tenant::Type;
    let kind = match tenant {
        idp::AZURE_COMMON => Type::TenantType(pb::AzureAdTenantType::Common as i32),
        idp::AZURE_ORGANIZATIONS => Type::TenantType(pb::AzureAdTenantType::Organisations as i32),
        idp::AZURE_CONSUMERS => Type::TenantType(pb::AzureAdTenantType::Consumers as i32),
        id => Type::TenantId(id.to_string()),
    };
    pb::AzureAdTenant { r#type: Some(kind) }
}

fn duration(field: &str, d: Option<burg_api::wkt::Duration>) -> Result<Option<idp::Duration>> {
    match d {
        None => Ok(None),
        Some(d) if d.seconds < 0 || d.nanos < 0 || d.nanos >= 1_000_000_000 => {
            Err(Error::invalid_argument("IDP-dur01", format!("`{field}` must be a non-negative duration")))
        }
        Some(d) => Ok(Some(idp::Duration { seconds: d.seconds, nanos: d.nanos })),
    }
}

fn ldap_attributes(a: Option<pb::LdapAttributes>) -> Result<idp::LdapAttributes> {
    let a = a.unwrap_or_default();
    let attributes = idp::LdapAttributes {
        id_attribute: trimmed(a.id_attribute),
        first_name_attribute: trimmed(a.first_name_attribute),
        last_name_attribute: trimmed(a.last_name_attribute),
        display_name_attribute: trimmed(a.display_name_attribute),
        nick_name_attribute: trimmed(a.nick_name_attribute),
        preferred_username_attribute: trimmed(a.preferred_username_attribute),
        email_attribute: trimmed(a.email_attribute),
        email_verified_attribute: trimmed(a.email_verified_attribute),
        phone_attribute: trimmed(a.phone_attribute),
        phone_verified_attribute: trimmed(a.phone_verified_attribute),
        preferred_language_attribute: trimmed(a.preferred_language_attribute),
        avatar_url_attribute: trimmed(a.avatar_url_attribute),
        profile_attribute: trimmed(a.profile_attribute),
    };
    for (field, value) in attributes.fields() {
        validate::len(&format!("attributes.{field}"), value, 0, 200)?;
    }
    Ok(attributes)
}

fn root_ca(pem: Vec<u8>) -> Result<Vec<u8>> {
    if pem.is_empty() {
        return Ok(pem);
    }
    let bad = |why: &str| Error::invalid_argument("IDP-ldap02", format!("`rootCa` {why}"));
    if pem.len() > ROOT_CA_MAX {
        return Err(bad(&format!("may have at most {ROOT_CA_MAX} bytes")));
    }
    match idp::count_pem_certificates(&pem) {
        Ok(n) if n > 0 => Ok(pem),
        _ => Err(bad("must hold PEM-encoded X.509 certificates")),
    }
}

fn ldap_servers(values: Vec<String>) -> Result<Vec<String>> {
    let values: Vec<String> = values.into_iter().map(trimmed).collect();
    if values.is_empty() {
        return Err(Error::invalid_argument("IDP-ldap01", "`servers` needs at least one server"));
    }
    validate::list("servers", &values, 20, 1, 200)?;
    for (i, server) in values.iter().enumerate() {
        validate::url(&format!("servers[{i}]"), server, &["ldap", "ldaps"], 200)?;
    }
    Ok(values)
}

fn required_list(field: &str, values: Vec<String>) -> Result<Vec<String>> {
    let values: Vec<String> = values.into_iter().map(trimmed).collect();
    if values.is_empty() {
        return Err(Error::invalid_argument("IDP-list01", format!("`{field}` needs at least one entry")));
    }
    validate::list(field, &values, 20, 1, 200)?;
    Ok(values)
}

fn id(value: &str) -> Result<()> {
    validate::len("id", value, 1, 200)
}

// One constructor per kind. `add` says whether the secret is required.

#[allow(clippy::too_many_arguments)]
fn oidc(
    name_: String,
    issuer: String,
    client_id: String,
    client_secret: String,
    scopes_: Vec<String>,
    opts: Option<pb::Options>,
    is_id_token_mapping: bool,
    use_pkce: bool,
    add: bool,
) -> Result<Draft> {
    Ok(Draft {
        name: name(Kind::Oidc, name_)?,
        config: Config::Oidc {
            issuer: http_url("issuer", issuer)?,
            client_id: text("clientId", client_id)?,
            client_secret: placeholder(),
            scopes: scopes(scopes_)?,
            is_id_token_mapping,
            use_pkce,
        },
        secret: secret("clientSecret", client_secret, add)?,
        options: options(opts)?,
    })
}

#[allow(clippy::too_many_arguments)]
fn oauth(
    name_: String,
    client_id: String,
    client_secret: String,
    authorization_endpoint: String,
    token_endpoint: String,
    user_endpoint: String,
    scopes_: Vec<String>,
    id_attribute: String,
    opts: Option<pb::Options>,
    use_pkce: bool,
    add: bool,
) -> Result<Draft> {
    Ok(Draft {
        name: name(Kind::Oauth, name_)?,
        config: Config::Oauth {
            client_id: text("clientId", client_id)?,
            client_secret: placeholder(),
            authorization_endpoint: http_url("authorizationEndpoint", authorization_endpoint)?,
            token_endpoint: http_url("tokenEndpoint", token_endpoint)?,
            user_endpoint: http_url("userEndpoint", user_endpoint)?,
            scopes: scopes(scopes_)?,
            id_attribute: text("idAttribute", id_attribute)?,
            use_pkce,
        },
        secret: secret("clientSecret", client_secret, add)?,
        options: options(opts)?,
    })
}

fn jwt(
    name_: String,
    issuer: String,
    jwt_endpoint: String,
    keys_endpoint: String,
    header_name: String,
    opts: Option<pb::Options>,
) -> Result<Draft> {
    Ok(Draft {
        name: name(Kind::Jwt, name_)?,
        config: Config::Jwt {
            issuer: http_url("issuer", issuer)?,
            jwt_endpoint: http_url("jwtEndpoint", jwt_endpoint)?,
            keys_endpoint: http_url("keysEndpoint", keys_endpoint)?,
            header_name: text("headerName", header_name)?,
        },
        secret: Vec::new(),
        options: options(opts)?,
    })
}

#[allow(clippy::too_many_arguments)]
fn azure(
    name_: String,
    client_id: String,
    client_secret: String,
    tenant: Option<pb::AzureAdTenant>,
    email_verified: bool,
    scopes_: Vec<String>,
    opts: Option<pb::Options>,
    add: bool,
) -> Result<Draft> {
    Ok(Draft {
        name: name(Kind::Azure, name_)?,
        config: Config::Azure {
            client_id: text("clientId", client_id)?,
            client_secret: placeholder(),
            tenant: azure_tenant(tenant)?,
            email_verified,
            scopes: scopes(scopes_)?,
        },
        secret: secret("clientSecret", client_secret, add)?,
        options: options(opts)?,
    })
}

/// GitHub, GitLab and Google: a client id, a secret and scopes.
fn simple(
    kind: Kind,
    name_: String,
    client_id: String,
    client_secret: String,
    scopes_: Vec<String>,
    opts: Option<pb::Options>,
    add: bool,
) -> Result<Draft> {
    let name_ = name(kind, name_)?;
    let client_id = text("clientId", client_id)?;
    let secret = secret("clientSecret", client_secret, add)?;
    let scopes = scopes(scopes_)?;
    let config = match kind {
        Kind::Github => Config::Github { client_id, client_secret: placeholder(), scopes },
        Kind::Gitlab => Config::Gitlab { client_id, client_secret: placeholder(), scopes },
        _ => Config::Google { client_id, client_secret: placeholder(), scopes },
    };
    Ok(Draft { name: name_, config, secret, options: options(opts)? })
}

#[allow(clippy::too_many_arguments)]
fn github_es(
    name_: String,
    client_id: String,
    client_secret: String,
    authorization_endpoint: String,
    token_endpoint: String,
    user_endpoint: String,
    scopes_: Vec<String>,
    opts: Option<pb::Options>,
    add: bool,
) -> Result<Draft> {
    Ok(Draft {
        name: name(Kind::GithubEnterprise, name_)?,
        config: Config::GithubEnterprise {
            client_id: text("clientId", client_id)?,
            client_secret: placeholder(),
            authorization_endpoint: http_url("authorizationEndpoint", authorization_endpoint)?,
            token_endpoint: http_url("tokenEndpoint", token_endpoint)?,
            user_endpoint: http_url("userEndpoint", user_endpoint)?,
            scopes: scopes(scopes_)?,
        },
        secret: secret("clientSecret", client_secret, add)?,
        options: options(opts)?,
    })
}

fn gitlab_self_hosted(
    name_: String,
    issuer: String,
    client_id: String,
    client_secret: String,
    scopes_: Vec<String>,
    opts: Option<pb::Options>,
    add: bool,
) -> Result<Draft> {
    Ok(Draft {
        name: name(Kind::GitlabSelfHosted, name_)?,
        config: Config::GitlabSelfHosted {
            issuer: http_url("issuer", issuer)?,
            client_id: text("clientId", client_id)?,
            client_secret: placeholder(),
            scopes: scopes(scopes_)?,
        },
        secret: secret("clientSecret", client_secret, add)?,
        options: options(opts)?,
    })
}

/// The fields of `AddLDAPProviderRequest` (and of the update).
struct LdapFields {
    name: String,
    servers: Vec<String>,
    start_tls: bool,
    base_dn: String,
    bind_dn: String,
    bind_password: String,
    user_base: String,
    user_object_classes: Vec<String>,
    user_filters: Vec<String>,
    timeout: Option<burg_api::wkt::Duration>,
    attributes: Option<pb::LdapAttributes>,
    provider_options: Option<pb::Options>,
    root_ca: Vec<u8>,
}

fn ldap(f: LdapFields, add: bool) -> Result<Draft> {
    Ok(Draft {
        name: name(Kind::Ldap, f.name)?,
        config: Config::Ldap {
            servers: ldap_servers(f.servers)?,
            start_tls: f.start_tls,
            base_dn: text("baseDn", f.base_dn)?,
            bind_dn: text("bindDn", f.bind_dn)?,
            bind_password: placeholder(),
            user_base: text("userBase", f.user_base)?,
            user_object_classes: required_list("userObjectClasses", f.user_object_classes)?,
            user_filters: required_list("userFilters", f.user_filters)?,
            timeout: duration("timeout", f.timeout)?,
            attributes: Box::new(ldap_attributes(f.attributes)?),
            root_ca: root_ca(f.root_ca)?,
        },
        secret: secret("bindPassword", f.bind_password, add)?,
        options: options(f.provider_options)?,
    })
}

#[allow(clippy::too_many_arguments)]
fn apple(
    name_: String,
    client_id: String,
    team_id: String,
    key_id: String,
    private_key: Vec<u8>,
    scopes_: Vec<String>,
    opts: Option<pb::Options>,
    add: bool,
) -> Result<Draft> {
    let draft_name = name(Kind::Apple, name_)?;
    let client_id = text("clientId", client_id)?;
    let team_id = trimmed(team_id);
    validate::len("teamId", &team_id, 10, 10)?;
    let key_id = trimmed(key_id);
    validate::len("keyId", &key_id, 10, 10)?;
    if add || !private_key.is_empty() {
        if private_key.is_empty() || private_key.len() > APPLE_KEY_MAX {
            return Err(Error::invalid_argument(
                "IDP-apple2",
                format!("`privateKey` must have between 1 and {APPLE_KEY_MAX} bytes; it has {}", private_key.len()),
            ));
        }
        idp::check_apple_private_key("privateKey", &private_key)?;
    }
    Ok(Draft {
        name: draft_name,
        config: Config::Apple { client_id, team_id, key_id, private_key: placeholder(), scopes: scopes(scopes_)? },
        secret: private_key,
        options: options(opts)?,
    })
}

/// The SAML fields once the metadata is in hand.
struct SamlFields {
    name: String,
    metadata_xml: Vec<u8>,
    metadata_url: String,
    binding: i32,
    with_signed_request: bool,
    provider_options: Option<pb::Options>,
    name_id_format: Option<i32>,
    transient_mapping_attribute_name: Option<String>,
}

fn saml(f: SamlFields) -> Result<Draft> {
    validate::defined_enum("binding", f.binding, pb::SamlBinding::try_from(f.binding).is_ok())?;
    if let Some(format) = f.name_id_format {
        validate::defined_enum("nameIdFormat", format, pb::SamlNameIdFormat::try_from(format).is_ok())?;
    }
    if let Some(attribute) = &f.transient_mapping_attribute_name {
        validate::len("transientMappingAttributeName", attribute, 0, 200)?;
    }
    Ok(Draft {
        name: name(Kind::Saml, f.name)?,
        config: Config::Saml {
            metadata_xml: f.metadata_xml,
            metadata_url: f.metadata_url,
            binding: f.binding,
            with_signed_request: f.with_signed_request,
            name_id_format: f.name_id_format,
            transient_mapping_attribute_name: f.transient_mapping_attribute_name,
            key: placeholder(),
            certificate: String::new(),
        },
        secret: Vec::new(),
        options: options(f.provider_options)?,
    })
}

/// The id a kind's update answers NotFound with (ZITADEL's).
fn not_found_id(kind: Kind) -> &'static str {
    match kind {
        Kind::Oauth => "INST-D3r1s",
        Kind::Oidc => "INST-Dg331",
        Kind::Jwt => "INST-Bhju5",
        Kind::Azure => "INST-BHz3q",
        Kind::Github => "INST-Dr1gs",
        Kind::GithubEnterprise => "INST-GBr42",
        Kind::Gitlab => "INST-HBReq",
        Kind::GitlabSelfHosted => "INST-D2tg1",
        Kind::Google => "INST-D3r1s",
        Kind::Ldap => "INST-ASF3F",
        Kind::Apple => "INST-SG3bh",
        Kind::Saml => "INST-D3r1s",
    }
}

fn not_found(id: &'static str, idp_id: &str) -> Error {
    Error::not_found(id, format!("identity provider {idp_id} does not exist"))
}

/// A template as read from `idp_templates`.
pub(crate) struct Stored {
    template: Template,
    sequence: i64,
    created: i64,
    changed: i64,
    owner: String,
}

impl Stored {
    fn details(&self) -> Option<burg_api::object::ObjectDetails> {
        details(self.sequence, self.created, self.changed, &self.owner)
    }
}

const STORED_COLUMNS: &str = "config, sequence, creation_date, change_date, resource_owner";

fn stored_from_row(row: &sqlx::any::AnyRow) -> Result<Stored> {
    let config: String = row.try_get("config").map_err(|e| db_err("IDP-db0001", e))?;
    let template: Template = serde_json::from_str(&config)
        .map_err(|e| Error::internal("IDP-db0002", format!("stored identity provider is unreadable: {e}")))?;
    let n = |c: &str| -> Result<i64> { row.try_get(c).map_err(|e| db_err("IDP-db0003", e)) };
    Ok(Stored {
        template,
        sequence: n("sequence")?,
        created: n("creation_date")?,
        changed: n("change_date")?,
        owner: row.try_get("resource_owner").map_err(|e| db_err("IDP-db0004", e))?,
    })
}

/// The wire form of a stored template: every field but the secrets.
fn to_provider(s: &Stored) -> pb::Provider {
    use pb::provider_config::Config as C;
    let t = &s.template;
    let config = match &t.config {
        Config::Oidc { issuer, client_id, scopes, is_id_token_mapping, use_pkce, .. } => {
            C::Oidc(pb::GenericOidcConfig {
                issuer: issuer.clone(),
                client_id: client_id.clone(),
                scopes: scopes.clone(),
                is_id_token_mapping: *is_id_token_mapping,
                use_pkce: *use_pkce,
            })
        }
        Config::Jwt { issuer, jwt_endpoint, keys_endpoint, header_name } => C::Jwt(pb::JwtConfig {
            jwt_endpoint: jwt_endpoint.clone(),
            issuer: issuer.clone(),
            keys_endpoint: keys_endpoint.clone(),
            header_name: header_name.clone(),
        }),
        Config::Ldap {
            servers,
            start_tls,
            base_dn,
            bind_dn,
            user_base,
            user_object_classes,
            user_filters,
            timeout,
            attributes: at,
            root_ca,
            ..
        } => C::Ldap(pb::LdapConfig {
            servers: servers.clone(),
            start_tls: *start_tls,
            base_dn: base_dn.clone(),
            bind_dn: bind_dn.clone(),
            user_base: user_base.clone(),
            user_object_classes: user_object_classes.clone(),
            user_filters: user_filters.clone(),
            timeout: timeout.map(|d| burg_api::wkt::Duration { seconds: d.seconds, nanos: d.nanos }),
            attributes: Some(pb::LdapAttributes {
                id_attribute: at.id_attribute.clone(),
                first_name_attribute: at.first_name_attribute.clone(),
                last_name_attribute: at.last_name_attribute.clone(),
                display_name_attribute: at.display_name_attribute.clone(),
                nick_name_attribute: at.nick_name_attribute.clone(),
                preferred_username_attribute: at.preferred_username_attribute.clone(),
                email_attribute: at.email_attribute.clone(),
                email_verified_attribute: at.email_verified_attribute.clone(),
                phone_attribute: at.phone_attribute.clone(),
                phone_verified_attribute: at.phone_verified_attribute.clone(),
                preferred_language_attribute: at.preferred_language_attribute.clone(),
                avatar_url_attribute: at.avatar_url_attribute.clone(),
                profile_attribute: at.profile_attribute.clone(),
            }),
            root_ca: root_ca.clone(),
        }),
        Config::Oauth {
            client_id,
            authorization_endpoint,
            token_endpoint,
            user_endpoint,
            scopes,
            id_attribute,
            use_pkce,
            ..
        } => C::Oauth(pb::OAuthConfig {
            client_id: client_id.clone(),
            authorization_endpoint: authorization_endpoint.clone(),
            token_endpoint: token_endpoint.clone(),
            user_endpoint: user_endpoint.clone(),
            scopes: scopes.clone(),
            id_attribute: id_attribute.clone(),
            use_pkce: *use_pkce,
        }),
        Config::Azure { client_id, tenant, email_verified, scopes, .. } => C::AzureAd(pb::AzureAdConfig {
            client_id: client_id.clone(),
            tenant: Some(to_pb_tenant(tenant)),
            email_verified: *email_verified,
            scopes: scopes.clone(),
        }),
        Config::Github { client_id, scopes, .. } => {
            C::Github(pb::GitHubConfig { client_id: client_id.clone(), scopes: scopes.clone() })
        }
        Config::GithubEnterprise {
            client_id, authorization_endpoint, token_endpoint, user_endpoint, scopes, ..
        } => C::GithubEs(pb::GitHubEnterpriseServerConfig {
            client_id: client_id.clone(),
            authorization_endpoint: authorization_endpoint.clone(),
            token_endpoint: token_endpoint.clone(),
            user_endpoint: user_endpoint.clone(),
            scopes: scopes.clone(),
        }),
        Config::Gitlab { client_id, scopes, .. } => {
            C::Gitlab(pb::GitLabConfig { client_id: client_id.clone(), scopes: scopes.clone() })
        }
        Config::GitlabSelfHosted { issuer, client_id, scopes, .. } => C::GitlabSelfHosted(pb::GitLabSelfHostedConfig {
            issuer: issuer.clone(),
            client_id: client_id.clone(),
            scopes: scopes.clone(),
        }),
        Config::Google { client_id, scopes, .. } => {
            C::Google(pb::GoogleConfig { client_id: client_id.clone(), scopes: scopes.clone() })
        }
        Config::Apple { client_id, team_id, key_id, scopes, .. } => C::Apple(pb::AppleConfig {
            client_id: client_id.clone(),
            team_id: team_id.clone(),
            key_id: key_id.clone(),
            scopes: scopes.clone(),
        }),
        Config::Saml {
            metadata_xml,
            binding,
            with_signed_request,
            name_id_format,
            transient_mapping_attribute_name,
            ..
        } => C::Saml(pb::SamlConfig {
            metadata_xml: metadata_xml.clone(),
            binding: *binding,
            with_signed_request: *with_signed_request,
            name_id_format: name_id_format.unwrap_or_default(),
            transient_mapping_attribute_name: transient_mapping_attribute_name.clone(),
        }),
    };
    pb::Provider {
        id: t.id.clone(),
        details: s.details(),
        state: pb::IdpState::Active as i32,
        name: t.name.clone(),
        owner: pb::IdpOwnerType::System as i32,
        r#type: t.kind().provider_type(),
        config: Some(pb::ProviderConfig { options: Some(to_pb_options(&t.options)), config: Some(config) }),
    }
}

/// The `IDPType` of the older login-policy link message.
fn legacy_idp_type(kind: Kind) -> i32 {
    match kind {
        Kind::Oidc => pb::IdpType::Oidc as i32,
        Kind::Jwt => pb::IdpType::Jwt as i32,
        _ => pb::IdpType::Unspecified as i32,
    }
}

/// `IDPProviderType` of a login-policy link to an instance template.
const PROVIDER_TYPE_SYSTEM: i32 = 1;

impl App {
    fn instance_aggregate(&self) -> Aggregate {
        Aggregate::new(aggregate::INSTANCE, &self.instance_id, &self.instance_id)
    }

    async fn load_template(&self, conn: &mut sqlx::AnyConnection, id: &str) -> Result<Option<Stored>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {STORED_COLUMNS} FROM idp_templates WHERE instance_id = $1 AND id = $2"
        )))
        .bind(&self.instance_id)
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(|e| db_err("IDP-db0005", e))?;
        row.as_ref().map(stored_from_row).transpose()
    }

    async fn check_name_free(&self, conn: &mut sqlx::AnyConnection, name: &str, except: &str) -> Result<()> {
        let taken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM idp_templates WHERE instance_id = $1 AND lower(name) = lower($2) AND id <> $3",
        )
        .bind(&self.instance_id)
        .bind(name)
        .bind(except)
        .fetch_one(conn)
        .await
        .map_err(|e| db_err("IDP-db0006", e))?;
        if taken > 0 {
            return Err(Error::already_exists(
                "IDP-name01",
                format!("an identity provider named {name:?} already exists"),
            ));
        }
        Ok(())
    }

    /// A fresh SAML service-provider key pair, made off the async workers.
    async fn sp_key_pair(&self, idp_id: &str) -> Result<(Sealed, String)> {
        let (id, bits) = (idp_id.to_string(), self.config.saml_key_bits);
        let pair = tokio::task::spawn_blocking(move || idp::generate_sp_key_pair(&id, bits))
            .await
            .map_err(|e| Error::internal("IDP-cert02", format!("key generation stopped: {e}")))??;
        Ok((self.key.seal(pair.key_pem.as_bytes()), pair.certificate_pem))
    }

    async fn add_template(&self, ctx: &Ctx, draft: Draft) -> Result<(String, Option<burg_api::object::ObjectDetails>)> {
        let id = self.new_id();
        let mut config = draft.config;
        let kind = config.kind();
        if let Some(slot) = config.secret_mut() {
            *slot = self.key.seal(&draft.secret);
        }
        if let Config::Saml { key, certificate, .. } = &mut config {
            (*key, *certificate) = self.sp_key_pair(&id).await?;
        }
        let template = Template { id: id.clone(), name: draft.name, options: draft.options, config };
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            self.check_name_free(tx.conn(), &template.name, &template.id).await?;
            let events = self.push_template(&mut tx, kind.added_event(), &template).await?;
            tx.commit().await?;
            Ok(details_of(&events))
        })
        .await?;
        Ok((id, details))
    }

    async fn push_template(
        &self,
        tx: &mut WriteTx,
        event_type: &'static str,
        template: &Template,
    ) -> Result<Vec<Event>> {
        let payload = serde_json::to_value(template)
            .map_err(|e| Error::internal("IDP-enc001", format!("cannot encode the identity provider: {e}")))?;
        tx.push(vec![NewEvent { aggregate: self.instance_aggregate(), event_type, payload }]).await
    }

    async fn update_template(
        &self,
        ctx: &Ctx,
        idp_id: &str,
        draft: Draft,
    ) -> Result<Option<burg_api::object::ObjectDetails>> {
        id(idp_id)?;
        let kind = draft.config.kind();
        let fresh_secret = (!draft.secret.is_empty()).then(|| self.key.seal(&draft.secret));
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let current = self
                .load_template(tx.conn(), idp_id)
                .await?
                .filter(|s| s.template.kind() == kind)
                .ok_or_else(|| not_found(not_found_id(kind), idp_id))?;
            let mut config = draft.config.clone();
            let mut old = current.template.config.clone();
            if let (Some(slot), Some(old_secret)) = (config.secret_mut(), old.secret_mut()) {
                *slot = fresh_secret.clone().unwrap_or_else(|| old_secret.clone());
            }
            if let (
                Config::Saml { key, certificate, .. },
                Config::Saml { key: old_key, certificate: old_certificate, .. },
            ) = (&mut config, &current.template.config)
            {
                (*key, *certificate) = (old_key.clone(), old_certificate.clone());
            }
            let next =
                Template { id: idp_id.to_string(), name: draft.name.clone(), options: draft.options.clone(), config };
            if next == current.template {
                // As ZITADEL: nothing to change is a success without an event.
                return Ok(current.details());
            }
            self.check_name_free(tx.conn(), &next.name, idp_id).await?;
            let events = self.push_template(&mut tx, kind.changed_event(), &next).await?;
            tx.commit().await?;
            Ok(details_of(&events))
        })
        .await
    }

    /// Fetches SAML metadata from `url` and checks it.
    async fn fetch_saml_metadata(&self, url: &str) -> Result<Vec<u8>> {
        validate::http_url("metadataUrl", url)?;
        let failed =
            |why: String| Error::invalid_argument("INST-8vam1khq22", format!("`metadataUrl` could not be read: {why}"));
        let fetch_failed = |e: reqwest::Error| match egress::find_refusal(&e) {
            Some(r) => egress::refused("metadataUrl", r),
            None => failed(e.without_url().to_string()),
        };
        let request = self
            .egress
            .documents()
            .request(reqwest::Method::GET, url)
            .map_err(|r| egress::refused("metadataUrl", &r))?;
        let response = request.send().await.map_err(fetch_failed)?;
        if !response.status().is_success() {
            return Err(failed(format!("the server answered {}", response.status())));
        }
        let body = match egress::read_capped(response, SAML_METADATA_MAX).await {
            Ok(body) => body,
            Err(egress::ReadError::TooLarge(_)) => {
                return Err(failed(format!("the document is larger than {SAML_METADATA_MAX} bytes")));
            }
            Err(egress::ReadError::Failed(e)) => return Err(fetch_failed(e)),
        };
        idp::check_saml_metadata("metadataUrl", &body)?;
        Ok(body)
    }

    /// The metadata of a SAML request: the document given, or the one at
    /// the URL given.
    async fn saml_metadata(&self, metadata: Option<SamlMetadata>) -> Result<(Vec<u8>, String)> {
        match metadata {
            Some(SamlMetadata::Xml(xml)) if !xml.is_empty() => {
                if xml.len() > SAML_METADATA_MAX {
                    return Err(Error::invalid_argument(
                        "IDP-saml02",
                        format!("`metadataXml` may have at most {SAML_METADATA_MAX} bytes"),
                    ));
                }
                idp::check_saml_metadata("metadataXml", &xml)?;
                Ok((xml, String::new()))
            }
            Some(SamlMetadata::Url(url)) if !url.is_empty() => {
                let url = trimmed(url);
                Ok((self.fetch_saml_metadata(&url).await?, url))
            }
            _ => Err(Error::invalid_argument("INST-3bi3esi16t", "`metadataXml` or `metadataUrl` is required")),
        }
    }
}

/// The `metadata` oneof of the SAML requests.
enum SamlMetadata {
    Xml(Vec<u8>),
    Url(String),
}

impl From<a::add_saml_provider_request::Metadata> for SamlMetadata {
    fn from(m: a::add_saml_provider_request::Metadata) -> Self {
        match m {
            a::add_saml_provider_request::Metadata::MetadataXml(x) => SamlMetadata::Xml(x),
            a::add_saml_provider_request::Metadata::MetadataUrl(u) => SamlMetadata::Url(u),
        }
    }
}

impl From<a::update_saml_provider_request::Metadata> for SamlMetadata {
    fn from(m: a::update_saml_provider_request::Metadata) -> Self {
        match m {
            a::update_saml_provider_request::Metadata::MetadataXml(x) => SamlMetadata::Xml(x),
            a::update_saml_provider_request::Metadata::MetadataUrl(u) => SamlMetadata::Url(u),
        }
    }
}

impl App {
    pub async fn add_generic_oidc_provider(
        &self,
        ctx: &Ctx,
        r: a::AddGenericOidcProviderRequest,
    ) -> Result<a::AddGenericOidcProviderResponse> {
        let draft = oidc(
            r.name,
            r.issuer,
            r.client_id,
            r.client_secret,
            r.scopes,
            r.provider_options,
            r.is_id_token_mapping,
            r.use_pkce,
            true,
        )?;
        let (id, details) = self.add_template(ctx, draft).await?;
        Ok(a::AddGenericOidcProviderResponse { details, id })
    }

    pub async fn update_generic_oidc_provider(
        &self,
        ctx: &Ctx,
        r: a::UpdateGenericOidcProviderRequest,
    ) -> Result<a::UpdateGenericOidcProviderResponse> {
        id(&r.id)?;
        let draft = oidc(
            r.name,
            r.issuer,
            r.client_id,
            r.client_secret,
            r.scopes,
            r.provider_options,
            r.is_id_token_mapping,
            r.use_pkce,
            false,
        )?;
        Ok(a::UpdateGenericOidcProviderResponse { details: self.update_template(ctx, &r.id, draft).await? })
    }

    pub async fn add_generic_o_auth_provider(
        &self,
        ctx: &Ctx,
        r: a::AddGenericOAuthProviderRequest,
    ) -> Result<a::AddGenericOAuthProviderResponse> {
        let draft = oauth(
            r.name,
            r.client_id,
            r.client_secret,
            r.authorization_endpoint,
            r.token_endpoint,
            r.user_endpoint,
            r.scopes,
            r.id_attribute,
            r.provider_options,
            r.use_pkce,
            true,
        )?;
        let (id, details) = self.add_template(ctx, draft).await?;
        Ok(a::AddGenericOAuthProviderResponse { details, id })
    }

    pub async fn update_generic_o_auth_provider(
        &self,
        ctx: &Ctx,
        r: a::UpdateGenericOAuthProviderRequest,
    ) -> Result<a::UpdateGenericOAuthProviderResponse> {
        id(&r.id)?;
        let draft = oauth(
            r.name,
            r.client_id,
            r.client_secret,
            r.authorization_endpoint,
            r.token_endpoint,
            r.user_endpoint,
            r.scopes,
            r.id_attribute,
            r.provider_options,
            r.use_pkce,
            false,
        )?;
        Ok(a::UpdateGenericOAuthProviderResponse { details: self.update_template(ctx, &r.id, draft).await? })
    }

    pub async fn add_jwt_provider(&self, ctx: &Ctx, r: a::AddJwtProviderRequest) -> Result<a::AddJwtProviderResponse> {
        let draft = jwt(r.name, r.issuer, r.jwt_endpoint, r.keys_endpoint, r.header_name, r.provider_options)?;
        let (id, details) = self.add_template(ctx, draft).await?;
        Ok(a::AddJwtProviderResponse { details, id })
    }

    pub async fn update_jwt_provider(
        &self,
        ctx: &Ctx,
        r: a::UpdateJwtProviderRequest,
    ) -> Result<a::UpdateJwtProviderResponse> {
        id(&r.id)?;
        let draft = jwt(r.name, r.issuer, r.jwt_endpoint, r.keys_endpoint, r.header_name, r.provider_options)?;
        Ok(a::UpdateJwtProviderResponse { details: self.update_template(ctx, &r.id, draft).await? })
    }

    pub async fn add_azure_ad_provider(
        &self,
        ctx: &Ctx,
        r: a::AddAzureAdProviderRequest,
    ) -> Result<a::AddAzureAdProviderResponse> {
        let draft = azure(
            r.name,
            r.client_id,
            r.client_secret,
            r.tenant,
            r.email_verified,
            r.scopes,
            r.provider_options,
            true,
        )?;
        let (id, details) = self.add_template(ctx, draft).await?;
        Ok(a::AddAzureAdProviderResponse { details, id })
    }

    pub async fn update_azure_ad_provider(
        &self,
        ctx: &Ctx,
        r: a::UpdateAzureAdProviderRequest,
    ) -> Result<a::UpdateAzureAdProviderResponse> {
        id(&r.id)?;
        let draft = azure(
            r.name,
            r.client_id,
            r.client_secret,
            r.tenant,
            r.email_verified,
            r.scopes,
            r.provider_options,
            false,
        )?;
        Ok(a::UpdateAzureAdProviderResponse { details: self.update_template(ctx, &r.id, draft).await? })
    }

    pub async fn add_git_hub_provider(
        &self,
        ctx: &Ctx,
        r: a::AddGitHubProviderRequest,
    ) -> Result<a::AddGitHubProviderResponse> {
        let draft = simple(Kind::Github, r.name, r.client_id, r.client_secret, r.scopes, r.provider_options, true)?;
        let (id, details) = self.add_template(ctx, draft).await?;
        Ok(a::AddGitHubProviderResponse { details, id })
    }

    pub async fn update_git_hub_provider(
        &self,
        ctx: &Ctx,
        r: a::UpdateGitHubProviderRequest,
    ) -> Result<a::UpdateGitHubProviderResponse> {
        id(&r.id)?;
        let draft = simple(Kind::Github, r.name, r.client_id, r.client_secret, r.scopes, r.provider_options, false)?;
        Ok(a::UpdateGitHubProviderResponse { details: self.update_template(ctx, &r.id, draft).await? })
    }

    pub async fn add_git_hub_enterprise_server_provider(
        &self,
        ctx: &Ctx,
        r: a::AddGitHubEnterpriseServerProviderRequest,
    ) -> Result<a::AddGitHubEnterpriseServerProviderResponse> {
        let draft = github_es(
            r.name,
            r.client_id,
            r.client_secret,
            r.authorization_endpoint,
            r.token_endpoint,
            r.user_endpoint,
            r.scopes,
            r.provider_options,
            true,
        )?;
        let (id, details) = self.add_template(ctx, draft).await?;
        Ok(a::AddGitHubEnterpriseServerProviderResponse { details, id })
    }

    pub async fn update_git_hub_enterprise_server_provider(
        &self,
        ctx: &Ctx,
        r: a::UpdateGitHubEnterpriseServerProviderRequest,
    ) -> Result<a::UpdateGitHubEnterpriseServerProviderResponse> {
        id(&r.id)?;
        let draft = github_es(
            r.name,
            r.client_id,
            r.client_secret,
            r.authorization_endpoint,
            r.token_endpoint,
            r.user_endpoint,
            r.scopes,
            r.provider_options,
            false,
        )?;
        Ok(a::UpdateGitHubEnterpriseServerProviderResponse { details: self.update_template(ctx, &r.id, draft).await? })
    }

    pub async fn add_git_lab_provider(
        &self,
        ctx: &Ctx,
        r: a::AddGitLabProviderRequest,
    ) -> Result<a::AddGitLabProviderResponse> {
        let draft = simple(Kind::Gitlab, r.name, r.client_id, r.client_secret, r.scopes, r.provider_options, true)?;
        let (id, details) = self.add_template(ctx, draft).await?;
        Ok(a::AddGitLabProviderResponse { details, id })
    }

    pub async fn update_git_lab_provider(
        &self,
        ctx: &Ctx,
        r: a::UpdateGitLabProviderRequest,
    ) -> Result<a::UpdateGitLabProviderResponse> {
        id(&r.id)?;
        let draft = simple(Kind::Gitlab, r.name, r.client_id, r.client_secret, r.scopes, r.provider_options, false)?;
        Ok(a::UpdateGitLabProviderResponse { details: self.update_template(ctx, &r.id, draft).await? })
    }

    pub async fn add_git_lab_self_hosted_provider(
        &self,
        ctx: &Ctx,
        r: a::AddGitLabSelfHostedProviderRequest,
    ) -> Result<a::AddGitLabSelfHostedProviderResponse> {
        let draft =
            gitlab_self_hosted(r.name, r.issuer, r.client_id, r.client_secret, r.scopes, r.provider_options, true)?;
        let (id, details) = self.add_template(ctx, draft).await?;
        Ok(a::AddGitLabSelfHostedProviderResponse { details, id })
    }

    pub async fn update_git_lab_self_hosted_provider(
        &self,
        ctx: &Ctx,
        r: a::UpdateGitLabSelfHostedProviderRequest,
    ) -> Result<a::UpdateGitLabSelfHostedProviderResponse> {
        id(&r.id)?;
        let draft =
            gitlab_self_hosted(r.name, r.issuer, r.client_id, r.client_secret, r.scopes, r.provider_options, false)?;
        Ok(a::UpdateGitLabSelfHostedProviderResponse { details: self.update_template(ctx, &r.id, draft).await? })
    }

    pub async fn add_google_provider(
        &self,
        ctx: &Ctx,
        r: a::AddGoogleProviderRequest,
    ) -> Result<a::AddGoogleProviderResponse> {
        let draft = simple(Kind::Google, r.name, r.client_id, r.client_secret, r.scopes, r.provider_options, true)?;
        let (id, details) = self.add_template(ctx, draft).await?;
        Ok(a::AddGoogleProviderResponse { details, id })
    }

    pub async fn update_google_provider(
        &self,
        ctx: &Ctx,
        r: a::UpdateGoogleProviderRequest,
    ) -> Result<a::UpdateGoogleProviderResponse> {
        id(&r.id)?;
        let draft = simple(Kind::Google, r.name, r.client_id, r.client_secret, r.scopes, r.provider_options, false)?;
        Ok(a::UpdateGoogleProviderResponse { details: self.update_template(ctx, &r.id, draft).await? })
    }

    pub async fn add_ldap_provider(
        &self,
        ctx: &Ctx,
        r: a::AddLdapProviderRequest,
    ) -> Result<a::AddLdapProviderResponse> {
        let draft = ldap(
            LdapFields {
                name: r.name,
                servers: r.servers,
                start_tls: r.start_tls,
                base_dn: r.base_dn,
                bind_dn: r.bind_dn,
                bind_password: r.bind_password,
                user_base: r.user_base,
                user_object_classes: r.user_object_classes,
                user_filters: r.user_filters,
                timeout: r.timeout,
                attributes: r.attributes,
                provider_options: r.provider_options,
                root_ca: r.root_ca,
            },
            true,
        )?;
        let (id, details) = self.add_template(ctx, draft).await?;
        Ok(a::AddLdapProviderResponse { details, id })
    }

    pub async fn update_ldap_provider(
        &self,
        ctx: &Ctx,
        r: a::UpdateLdapProviderRequest,
    ) -> Result<a::UpdateLdapProviderResponse> {
        id(&r.id)?;
        let draft = ldap(
            LdapFields {
                name: r.name,
                servers: r.servers,
                start_tls: r.start_tls,
                base_dn: r.base_dn,
                bind_dn: r.bind_dn,
                bind_password: r.bind_password,
                user_base: r.user_base,
                user_object_classes: r.user_object_classes,
                user_filters: r.user_filters,
                timeout: r.timeout,
                attributes: r.attributes,
                provider_options: r.provider_options,
                root_ca: r.root_ca,
            },
            false,
        )?;
        Ok(a::UpdateLdapProviderResponse { details: self.update_template(ctx, &r.id, draft).await? })
    }

    pub async fn add_apple_provider(
        &self,
        ctx: &Ctx,
        r: a::AddAppleProviderRequest,
    ) -> Result<a::AddAppleProviderResponse> {
        let draft = apple(r.name, r.client_id, r.team_id, r.key_id, r.private_key, r.scopes, r.provider_options, true)?;
        let (id, details) = self.add_template(ctx, draft).await?;
        Ok(a::AddAppleProviderResponse { details, id })
    }

    pub async fn update_apple_provider(
        &self,
        ctx: &Ctx,
        r: a::UpdateAppleProviderRequest,
    ) -> Result<a::UpdateAppleProviderResponse> {
        id(&r.id)?;
        let draft =
            apple(r.name, r.client_id, r.team_id, r.key_id, r.private_key, r.scopes, r.provider_options, false)?;
        Ok(a::UpdateAppleProviderResponse { details: self.update_template(ctx, &r.id, draft).await? })
    }

    pub async fn add_saml_provider(
        &self,
        ctx: &Ctx,
        r: a::AddSamlProviderRequest,
    ) -> Result<a::AddSamlProviderResponse> {
        let name_ = name(Kind::Saml, r.name)?;
        let (metadata_xml, metadata_url) = self.saml_metadata(r.metadata.map(Into::into)).await?;
        let draft = saml(SamlFields {
            name: name_,
            metadata_xml,
            metadata_url,
            binding: r.binding,
            with_signed_request: r.with_signed_request,
            provider_options: r.provider_options,
            name_id_format: r.name_id_format,
            transient_mapping_attribute_name: r.transient_mapping_attribute_name,
        })?;
        let (id, details) = self.add_template(ctx, draft).await?;
        Ok(a::AddSamlProviderResponse { details, id })
    }

    pub async fn update_saml_provider(
        &self,
        ctx: &Ctx,
        r: a::UpdateSamlProviderRequest,
    ) -> Result<a::UpdateSamlProviderResponse> {
        id(&r.id)?;
        let name_ = name(Kind::Saml, r.name)?;
        let (metadata_xml, metadata_url) = match r.metadata.map(SamlMetadata::from) {
            None => {
                return Err(Error::invalid_argument("INST-iw1rxnf4sf", "`metadataXml` or `metadataUrl` is required"));
            }
            m => self.saml_metadata(m).await?,
        };
        let draft = saml(SamlFields {
            name: name_,
            metadata_xml,
            metadata_url,
            binding: r.binding,
            with_signed_request: r.with_signed_request,
            provider_options: r.provider_options,
            name_id_format: r.name_id_format,
            transient_mapping_attribute_name: r.transient_mapping_attribute_name,
        })?;
        Ok(a::UpdateSamlProviderResponse { details: self.update_template(ctx, &r.id, draft).await? })
    }

    pub async fn regenerate_saml_provider_certificate(
        &self,
        ctx: &Ctx,
        r: a::RegenerateSamlProviderCertificateRequest,
    ) -> Result<a::RegenerateSamlProviderCertificateResponse> {
        id(&r.id)?;
        let (key, certificate) = self.sp_key_pair(&r.id).await?;
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let mut current = self
                .load_template(tx.conn(), &r.id)
                .await?
                .filter(|s| s.template.kind() == Kind::Saml)
                .ok_or_else(|| not_found("INST-76dbwsv9vm", &r.id))?;
            if let Config::Saml { key: k, certificate: c, .. } = &mut current.template.config {
                (*k, *c) = (key.clone(), certificate.clone());
            }
            let events = self.push_template(&mut tx, Kind::Saml.changed_event(), &current.template).await?;
            tx.commit().await?;
            Ok(details_of(&events))
        })
        .await?;
        Ok(a::RegenerateSamlProviderCertificateResponse { details })
    }

    /// The SAML service provider's current certificate (PEM); for the
    /// metadata endpoint and for tests.
    pub async fn saml_sp_certificate(&self, idp_id: &str) -> Result<String> {
        let mut conn = self.db.pool().acquire().await.map_err(|e| db_err("IDP-db0007", e))?;
        match self.load_template(&mut conn, idp_id).await?.map(|s| s.template.config) {
            Some(Config::Saml { certificate, .. }) => Ok(certificate),
            _ => Err(not_found("INST-76dbwsv9vm", idp_id)),
        }
    }

    pub async fn get_provider_by_id(
        &self,
        _ctx: &Ctx,
        r: a::GetProviderByIdRequest,
    ) -> Result<a::GetProviderByIdResponse> {
        id(&r.id)?;
        let generation = self.db.generation();
        if let Some(stored) = self.templates.get(&r.id, generation) {
            return Ok(a::GetProviderByIdResponse { idp: Some(to_provider(&stored)) });
        }
        let mut conn = self.db.pool().acquire().await.map_err(|e| db_err("IDP-db0008", e))?;
        let stored = self.load_template(&mut conn, &r.id).await?.ok_or_else(|| not_found("QUERY-SAfdg", &r.id))?;
        let stored = std::sync::Arc::new(stored);
        self.templates.put(r.id.clone(), generation, stored.clone());
        Ok(a::GetProviderByIdResponse { idp: Some(to_provider(&stored)) })
    }

    pub async fn list_providers(&self, _ctx: &Ctx, r: a::ListProvidersRequest) -> Result<a::ListProvidersResponse> {
        let mut filter = Sql::new(" FROM idp_templates WHERE instance_id = ");
        filter.bind(&self.instance_id);
        for q in &r.queries {
            match &q.query {
                Some(provider_query::Query::IdpIdQuery(q)) => {
                    filter.push(" AND id = ").bind(&q.id);
                }
                Some(provider_query::Query::IdpNameQuery(q)) => {
                    push_text_match(&mut filter, self.db.backend(), "name", &q.name, q.method)?;
                }
                None => {}
            }
        }
        let (total, rows) = self
            .count_and_fetch(
                "SELECT COUNT(*)",
                &format!("SELECT {STORED_COLUMNS}"),
                filter,
                Page::of(r.query.as_ref()),
                "creation_date",
            )
            .await?;
        let result = rows.iter().map(|row| stored_from_row(row).map(|s| to_provider(&s))).collect::<Result<_>>()?;
        let seq = self.instance_row(self.db.pool()).await?.sequence;
        Ok(a::ListProvidersResponse { details: list_details(total, seq, self.now()), result })
    }

    pub async fn delete_provider(&self, ctx: &Ctx, r: a::DeleteProviderRequest) -> Result<a::DeleteProviderResponse> {
        id(&r.id)?;
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let stored = self.load_template(tx.conn(), &r.id).await?.ok_or_else(|| not_found("INST-Se3tg", &r.id))?;
            let mut events = Vec::new();
            // Login policies that offer the provider, the instance's and orgs'.
            let owners: Vec<String> =
                sqlx::query_scalar("SELECT owner_id FROM login_policy_idps WHERE instance_id = $1 AND idp_id = $2")
                    .bind(&self.instance_id)
                    .bind(&r.id)
                    .fetch_all(&mut *tx.conn())
                    .await
                    .map_err(|e| db_err("IDP-db0009", e))?;
            for owner in owners {
                if owner == self.instance_id {
                    let e = ie::LoginPolicyIdpCascadeRemoved {
                        idp_config_id: r.id.clone(),
                        idp_provider_type: PROVIDER_TYPE_SYSTEM,
                    };
                    events.push(NewEvent::new(&self.instance_aggregate(), &e)?);
                } else {
                    let e = oe::LoginPolicyIdpCascadeRemoved {
                        idp_config_id: r.id.clone(),
                        idp_provider_type: PROVIDER_TYPE_SYSTEM,
                    };
                    events.push(NewEvent::new(&Aggregate::new(aggregate::ORG, &owner, &owner), &e)?);
                }
            }
            // Users linked to it.
            let links = sqlx::query(
                "SELECT user_id, external_user_id, resource_owner FROM user_idp_links \
                 WHERE instance_id = $1 AND idp_id = $2",
            )
            .bind(&self.instance_id)
            .bind(&r.id)
            .fetch_all(&mut *tx.conn())
            .await
            .map_err(|e| db_err("IDP-db0010", e))?;
            for link in links {
                let s = |c: &str| -> Result<String> { link.try_get(c).map_err(|e| db_err("IDP-db0011", e)) };
                let user = Aggregate::new(aggregate::USER, s("user_id")?, s("resource_owner")?);
                let e = ue::ExternalIdpCascadeRemoved { idp_config_id: r.id.clone(), user_id: s("external_user_id")? };
                events.push(NewEvent::new(&user, &e)?);
            }
            events.push(NewEvent::new(&self.instance_aggregate(), &ie::IdpRemoved { id: stored.template.id.clone() })?);
            let pushed = tx.push(events).await?;
            tx.commit().await?;
            Ok(details_of(&pushed[pushed.len() - 1..]))
        })
        .await?;
        Ok(a::DeleteProviderResponse { details })
    }

    pub async fn migrate_generic_oidc_provider(
        &self,
        ctx: &Ctx,
        r: a::MigrateGenericOidcProviderRequest,
    ) -> Result<a::MigrateGenericOidcProviderResponse> {
        id(&r.id)?;
        let (draft, event_type, missing_id, given_options) = match r.template {
            Some(MigrateTo::Azure(t)) => {
                let given = t.provider_options.is_some();
                let draft = azure(
                    t.name,
                    t.client_id,
                    t.client_secret,
                    t.tenant,
                    t.email_verified,
                    t.scopes,
                    t.provider_options,
                    true,
                )?;
                (draft, idp::MIGRATED_AZURE, "INST-Dg29201", given)
            }
            Some(MigrateTo::Google(t)) => {
                let given = t.provider_options.is_some();
                let draft =
                    simple(Kind::Google, t.name, t.client_id, t.client_secret, t.scopes, t.provider_options, true)?;
                (draft, idp::MIGRATED_GOOGLE, "INST-Dg29202", given)
            }
            None => {
                return Err(Error::invalid_argument("IDP-mig001", "one of `azure` or `google` is required"));
            }
        };
        let mut config = draft.config;
        if let Some(slot) = config.secret_mut() {
            *slot = self.key.seal(&draft.secret);
        }
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let current = self.load_template(tx.conn(), &r.id).await?.ok_or_else(|| not_found(missing_id, &r.id))?;
            if current.template.kind() != Kind::Oidc {
                return Err(Error::failed_precondition(
                    "IDP-mig002",
                    format!("identity provider {} is not a generic OIDC provider and cannot be migrated", r.id),
                ));
            }
            let options = if given_options { draft.options.clone() } else { current.template.options.clone() };
            let next = Template { id: r.id.clone(), name: draft.name.clone(), options, config: config.clone() };
            self.check_name_free(tx.conn(), &next.name, &r.id).await?;
            let events = self.push_template(&mut tx, event_type, &next).await?;
            tx.commit().await?;
            Ok(details_of(&events))
        })
        .await?;
        Ok(a::MigrateGenericOidcProviderResponse { details })
    }

    pub async fn list_login_policy_id_ps(
        &self,
        _ctx: &Ctx,
        r: a::ListLoginPolicyIdPsRequest,
    ) -> Result<a::ListLoginPolicyIdPsResponse> {
        let mut filter = Sql::new(
            " FROM login_policy_idps l JOIN idp_templates t ON t.instance_id = l.instance_id AND t.id = l.idp_id \
             WHERE l.instance_id = ",
        );
        filter.bind(&self.instance_id).push(" AND l.owner_id = ").bind(&self.instance_id);
        let (total, rows) = self
            .count_and_fetch(
                "SELECT COUNT(*)",
                "SELECT l.idp_id, t.name, t.idp_type",
                filter,
                Page::of(r.query.as_ref()),
                "l.creation_date",
            )
            .await?;
        let mut result = Vec::with_capacity(rows.len());
        for row in rows {
            let idp_type: i64 = row.try_get("idp_type").map_err(|e| db_err("IDP-db0012", e))?;
            let kind = Kind::ALL.into_iter().find(|k| i64::from(k.provider_type()) == idp_type);
            result.push(pb::IdpLoginPolicyLink {
                idp_id: row.try_get("idp_id").map_err(|e| db_err("IDP-db0013", e))?,
                idp_name: row.try_get("name").map_err(|e| db_err("IDP-db0014", e))?,
                idp_type: kind.map(legacy_idp_type).unwrap_or_default(),
            });
        }
        let seq = self.instance_row(self.db.pool()).await?.sequence;
        Ok(a::ListLoginPolicyIdPsResponse { details: list_details(total, seq, self.now()), result })
    }

    pub async fn add_idp_to_login_policy(
        &self,
        ctx: &Ctx,
        r: a::AddIdpToLoginPolicyRequest,
    ) -> Result<a::AddIdpToLoginPolicyResponse> {
        validate::len("idpId", &r.idp_id, 1, 200)?;
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            if self.load_template(tx.conn(), &r.idp_id).await?.is_none() {
                return Err(not_found("INST-2Lpm3", &r.idp_id));
            }
            if self.policy_links(tx.conn(), &r.idp_id).await? {
                return Err(Error::already_exists(
                    "INST-Gh4sf",
                    format!("identity provider {} is already in the login policy", r.idp_id),
                ));
            }
            let e =
                ie::LoginPolicyIdpAdded { idp_config_id: r.idp_id.clone(), idp_provider_type: PROVIDER_TYPE_SYSTEM };
            let events = tx.push(vec![NewEvent::new(&self.instance_aggregate(), &e)?]).await?;
            tx.commit().await?;
            Ok(details_of(&events))
        })
        .await?;
        Ok(a::AddIdpToLoginPolicyResponse { details })
    }

    pub async fn remove_idp_from_login_policy(
        &self,
        ctx: &Ctx,
        r: a::RemoveIdpFromLoginPolicyRequest,
    ) -> Result<a::RemoveIdpFromLoginPolicyResponse> {
        validate::len("idpId", &r.idp_id, 1, 200)?;
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            if !self.policy_links(tx.conn(), &r.idp_id).await? {
                return Err(Error::not_found(
                    "INST-Dfeq3",
                    format!("identity provider {} is not in the login policy", r.idp_id),
                ));
            }
            let e =
                ie::LoginPolicyIdpRemoved { idp_config_id: r.idp_id.clone(), idp_provider_type: PROVIDER_TYPE_SYSTEM };
            let events = tx.push(vec![NewEvent::new(&self.instance_aggregate(), &e)?]).await?;
            tx.commit().await?;
            Ok(details_of(&events))
        })
        .await?;
        Ok(a::RemoveIdpFromLoginPolicyResponse { details })
    }

    /// Whether the instance's login policy offers `idp_id`.
    async fn policy_links(&self, conn: &mut sqlx::AnyConnection, idp_id: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM login_policy_idps WHERE instance_id = $1 AND owner_id = $1 AND idp_id = $2",
        )
        .bind(&self.instance_id)
        .bind(idp_id)
        .fetch_one(conn)
        .await
        .map_err(|e| db_err("IDP-db0015", e))?;
        Ok(n > 0)
    }

    /// Links a human user to an account at an identity provider (what the
    /// login does after an external login, and what import writes).
    pub async fn add_user_idp_link(
        &self,
        ctx: &Ctx,
        user_id: &str,
        idp_id: &str,
        external_user_id: &str,
        display_name: &str,
    ) -> Result<()> {
        validate::len("userId", external_user_id, 1, 200)?;
        validate::len("displayName", display_name, 0, 200)?;
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let owner: Option<(String, i64)> =
                sqlx::query_as("SELECT resource_owner, user_type FROM users WHERE instance_id = $1 AND id = $2")
                    .bind(&self.instance_id)
                    .bind(user_id)
                    .fetch_optional(&mut *tx.conn())
                    .await
                    .map_err(|e| db_err("IDP-db0016", e))?;
            let Some((owner, _)) = owner else {
                return Err(Error::not_found("USER-lnk001", format!("user {user_id} does not exist")));
            };
            if self.load_template(tx.conn(), idp_id).await?.is_none() {
                return Err(not_found("USER-lnk002", idp_id));
            }
            let taken: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM user_idp_links WHERE instance_id = $1 AND idp_id = $2 AND external_user_id = $3",
            )
            .bind(&self.instance_id)
            .bind(idp_id)
            .bind(external_user_id)
            .fetch_one(&mut *tx.conn())
            .await
            .map_err(|e| db_err("IDP-db0017", e))?;
            if taken > 0 {
                return Err(Error::already_exists("USER-lnk003", "this external account is already linked"));
            }
            let e = ue::ExternalIdpAdded {
                idp_config_id: idp_id.to_string(),
                user_id: external_user_id.to_string(),
                display_name: display_name.to_string(),
            };
            tx.push(vec![NewEvent::new(&Aggregate::new(aggregate::USER, user_id, owner), &e)?]).await?;
            tx.commit().await
        })
        .await
    }

    /// The identity providers a user is linked to: (idp id, external id).
    pub async fn user_idp_links(&self, user_id: &str) -> Result<Vec<(String, String)>> {
        sqlx::query_as(
            "SELECT idp_id, external_user_id FROM user_idp_links WHERE instance_id = $1 AND user_id = $2 ORDER BY idp_id",
        )
        .bind(&self.instance_id)
        .bind(user_id)
        .fetch_all(self.db.pool())
        .await
        .map_err(|e| db_err("IDP-db0018", e))
    }
}
