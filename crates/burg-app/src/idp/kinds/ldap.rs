//! LDAP: servers, a bind user (its password is the secret), where users
//! are and which attributes map to a profile.

use burg_api::admin as a;
use burg_api::idp::{self as pb, provider_config::Config as C};
use burg_domain::idp::{self, Config, Kind};
use burg_domain::{Error, Result, validate};

use super::super::fields::{self, Secret, trimmed};
use super::super::{Draft, IdpKind, provider_rpcs};
use crate::App;

/// LDAP root CA bundles: at most 64 KiB of PEM.
const ROOT_CA_MAX: usize = 12_000;

pub(crate) struct Ldap;

/// What add and update share.
struct Fields {
    name: String,
    servers: Vec<String>,
    start_tls: bool,
    base_dn: String,
    bind_dn: String,
    bind_password: Secret<String>,
    user_base: String,
    user_object_classes: Vec<String>,
    user_filters: Vec<String>,
    timeout: Option<burg_api::wkt::Duration>,
    attributes: Option<pb::LdapAttributes>,
    provider_options: Option<pb::Options>,
    root_ca: Vec<u8>,
}

fn draft(f: Fields) -> Result<Draft> {
    Ok(Draft {
        name: fields::name(Kind::Ldap, f.name)?,
        config: Config::Ldap {
            servers: servers(f.servers)?,
            start_tls: f.start_tls,
            base_dn: fields::text("baseDn", f.base_dn)?,
            bind_dn: fields::text("bindDn", f.bind_dn)?,
            bind_password: fields::placeholder(),
            user_base: fields::text("userBase", f.user_base)?,
            user_object_classes: fields::required_list("userObjectClasses", f.user_object_classes)?,
            user_filters: fields::required_list("userFilters", f.user_filters)?,
            timeout: duration("timeout", f.timeout)?,
            attributes: Box::new(attributes(f.attributes)?),
            root_ca: root_ca(f.root_ca)?,
        },
        secret: fields::secret("bindPassword", f.bind_password, fields::SECRET_MAX)?,
        options: fields::options(f.provider_options)?,
    })
}

fn servers(values: Vec<String>) -> Result<Vec<String>> {
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

fn duration(field: &str, d: Option<burg_api::wkt::Duration>) -> Result<Option<idp::Duration>> {
    match d {
        None => Ok(None),
        Some(d) if d.seconds < 0 || d.nanos < 0 || d.nanos >= 1_000_000_000 => {
            Err(Error::invalid_argument("IDP-dur01", format!("`{field}` must be a non-negative duration")))
        }
        Some(d) => Ok(Some(idp::Duration { seconds: d.seconds, nanos: d.nanos })),
    }
}

fn attributes(a: Option<pb::LdapAttributes>) -> Result<idp::LdapAttributes> {
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

fn to_pb_attributes(at: &idp::LdapAttributes) -> pb::LdapAttributes {
    pb::LdapAttributes {
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
    }
}

impl IdpKind for Ldap {
    const KIND: Kind = Kind::Ldap;
    const UPDATE_NOT_FOUND: &'static str = "INST-ASF3F";
    type Add = a::AddLdapProviderRequest;
    type Update = a::UpdateLdapProviderRequest;

    fn update_id(r: &Self::Update) -> &str {
        &r.id
    }

    async fn draft_add(_app: &App, r: Self::Add) -> Result<Draft> {
        draft(Fields {
            name: r.name,
            servers: r.servers,
            start_tls: r.start_tls,
            base_dn: r.base_dn,
            bind_dn: r.bind_dn,
            bind_password: Secret::required(r.bind_password),
            user_base: r.user_base,
            user_object_classes: r.user_object_classes,
            user_filters: r.user_filters,
            timeout: r.timeout,
            attributes: r.attributes,
            provider_options: r.provider_options,
            root_ca: r.root_ca,
        })
    }

    async fn draft_update(_app: &App, r: Self::Update) -> Result<Draft> {
        draft(Fields {
            name: r.name,
            servers: r.servers,
            start_tls: r.start_tls,
            base_dn: r.base_dn,
            bind_dn: r.bind_dn,
            bind_password: Secret::keep_if_empty(r.bind_password),
            user_base: r.user_base,
            user_object_classes: r.user_object_classes,
            user_filters: r.user_filters,
            timeout: r.timeout,
            attributes: r.attributes,
            provider_options: r.provider_options,
            root_ca: r.root_ca,
        })
    }

    fn wire(config: &Config) -> Option<C> {
        let Config::Ldap {
            servers,
            start_tls,
            base_dn,
            bind_dn,
            user_base,
            user_object_classes,
            user_filters,
            timeout,
            attributes,
            root_ca,
            ..
        } = config
        else {
            return None;
        };
        Some(C::Ldap(pb::LdapConfig {
            servers: servers.clone(),
            start_tls: *start_tls,
            base_dn: base_dn.clone(),
            bind_dn: bind_dn.clone(),
            user_base: user_base.clone(),
            user_object_classes: user_object_classes.clone(),
            user_filters: user_filters.clone(),
            timeout: timeout.map(|d| burg_api::wkt::Duration { seconds: d.seconds, nanos: d.nanos }),
            attributes: Some(to_pb_attributes(attributes)),
            root_ca: root_ca.clone(),
        }))
    }
}

provider_rpcs!(
    Ldap,
    add_ldap_provider(AddLdapProviderRequest) -> AddLdapProviderResponse,
    update_ldap_provider(UpdateLdapProviderRequest) -> UpdateLdapProviderResponse,
);
