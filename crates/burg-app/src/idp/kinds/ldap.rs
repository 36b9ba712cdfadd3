//! LDAP: servers, a bind user (its password is the secret), where users
//! are and which attributes map to a profile.

use burg_api::admin as a;
use burg_api::idp::{self as pb, provider_config::Config as C};
use burg_domain::idp::{self, Config, Kind};
use burg_domain::{Error, Result, validate};

use super::super::fields::{self, Secret};
use super::super::{Draft, IdpKind, provider_rpcs};
use crate::App;

/// LDAP root CA bundles: at most 12000 bytes of PEM.
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

/// ZITADEL's error ids for the fields that are empty (once trimmed, for
/// texts).
struct EmptyIds {
    name: &'static str,
    base_dn: &'static str,
    bind_dn: &'static str,
    user_base: &'static str,
    servers: &'static str,
    user_object_classes: &'static str,
    user_filters: &'static str,
}

const ADD: EmptyIds = EmptyIds {
    name: "INST-SAfdd",
    base_dn: "INST-sv31s",
    bind_dn: "INST-sdgf4",
    user_base: "INST-SAD5n",
    servers: "INST-SAx905n",
    user_object_classes: "INST-S1x905n",
    user_filters: "INST-aAx905n",
};
const UPDATE: EmptyIds = EmptyIds {
    name: "INST-Sffgd",
    base_dn: "INST-vb3ss",
    bind_dn: "INST-hbere",
    user_base: "INST-DG45z",
    servers: "INST-SAx945n",
    user_object_classes: "INST-S1x605n",
    user_filters: "INST-aAx901n",
};
/// The bind password of an add, empty once trimmed.
const BIND_PASSWORD_EMPTY: &str = "INST-AEG2w";

fn draft(ids: &EmptyIds, f: Fields) -> Result<Draft> {
    Ok(Draft {
        name: fields::required("name", f.name, ids.name)?,
        config: Config::Ldap {
            // Server URLs are not checked for form, as in ZITADEL.
            servers: fields::required_list("servers", f.servers, ids.servers)?,
            start_tls: f.start_tls,
            base_dn: fields::required("baseDn", f.base_dn, ids.base_dn)?,
            bind_dn: fields::required("bindDn", f.bind_dn, ids.bind_dn)?,
            bind_password: fields::placeholder(),
            user_base: fields::required("userBase", f.user_base, ids.user_base)?,
            user_object_classes: fields::required_list(
                "userObjectClasses",
                f.user_object_classes,
                ids.user_object_classes,
            )?,
            user_filters: fields::required_list("userFilters", f.user_filters, ids.user_filters)?,
            timeout: timeout(f.timeout),
            attributes: Box::new(attributes(f.attributes)?),
            root_ca: root_ca(f.root_ca)?,
        },
        secret: fields::secret("bindPassword", f.bind_password, fields::SECRET_MAX)?,
        options: fields::options(f.provider_options),
    })
}

/// Any duration, negative ones included, kept as ZITADEL keeps it (see
/// [`idp::Duration::from_parts`]); none when it is zero, as ZITADEL answers
/// a zero timeout with none.
fn timeout(d: Option<burg_api::wkt::Duration>) -> Option<idp::Duration> {
    let d = d.map(|d| idp::Duration::from_parts(d.seconds, d.nanos))?;
    (!d.is_zero()).then_some(d)
}

/// The attribute names, at most 200 characters each, stored as given.
fn attributes(a: Option<pb::LdapAttributes>) -> Result<idp::LdapAttributes> {
    let a = a.unwrap_or_default();
    let attributes = idp::LdapAttributes {
        id_attribute: a.id_attribute,
        first_name_attribute: a.first_name_attribute,
        last_name_attribute: a.last_name_attribute,
        display_name_attribute: a.display_name_attribute,
        nick_name_attribute: a.nick_name_attribute,
        preferred_username_attribute: a.preferred_username_attribute,
        email_attribute: a.email_attribute,
        email_verified_attribute: a.email_verified_attribute,
        phone_attribute: a.phone_attribute,
        phone_verified_attribute: a.phone_verified_attribute,
        preferred_language_attribute: a.preferred_language_attribute,
        avatar_url_attribute: a.avatar_url_attribute,
        profile_attribute: a.profile_attribute,
    };
    for (field, value) in attributes.fields() {
        validate::len(&format!("attributes.{field}"), value, 0, 200)?;
    }
    Ok(attributes)
}

/// A root CA bundle: none, or PEM that gives at least one certificate the
/// way Go's `AppendCertsFromPEM` reads it (other blocks and broken
/// certificates are skipped), as ZITADEL checks it.
fn root_ca(pem: Vec<u8>) -> Result<Vec<u8>> {
    if pem.is_empty() {
        return Ok(pem);
    }
    if pem.len() > ROOT_CA_MAX {
        return Err(Error::invalid_argument(
            "IDP-ldap02",
            format!("`rootCa` may have at most {ROOT_CA_MAX} bytes; it has {}", pem.len()),
        ));
    }
    if idp::count_pem_certificates(&pem) == 0 {
        return Err(Error::invalid_argument(
            "INST-cwqVVdBwKt",
            "`rootCa` must hold at least one PEM-encoded X.509 certificate",
        ));
    }
    Ok(pem)
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
    const UPDATE_ID_EMPTY: &'static str = "INST-Dgdbs";
    type Add = a::AddLdapProviderRequest;
    type Update = a::UpdateLdapProviderRequest;

    fn update_id(r: &Self::Update) -> &str {
        &r.id
    }

    async fn draft_add(_app: &App, r: Self::Add) -> Result<Draft> {
        draft(
            &ADD,
            Fields {
                name: r.name,
                servers: r.servers,
                start_tls: r.start_tls,
                base_dn: r.base_dn,
                bind_dn: r.bind_dn,
                bind_password: Secret::required(r.bind_password, BIND_PASSWORD_EMPTY),
                user_base: r.user_base,
                user_object_classes: r.user_object_classes,
                user_filters: r.user_filters,
                timeout: r.timeout,
                attributes: r.attributes,
                provider_options: r.provider_options,
                root_ca: r.root_ca,
            },
        )
    }

    async fn draft_update(_app: &App, r: Self::Update) -> Result<Draft> {
        draft(
            &UPDATE,
            Fields {
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
            },
        )
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
            // A zero timeout (stored before it was left out) is answered as none.
            timeout: timeout
                .filter(|d| !d.is_zero())
                .map(|d| burg_api::wkt::Duration { seconds: d.seconds, nanos: d.nanos }),
            attributes: Some(to_pb_attributes(attributes)),
            root_ca: root_ca.clone(),
        }))
    }

    /// As ZITADEL: an update without a root CA keeps the stored one.
    fn keep_stored(stored: &Config, next: &mut Config) {
        if let (Config::Ldap { root_ca, .. }, Config::Ldap { root_ca: stored_ca, .. }) = (next, stored)
            && root_ca.is_empty()
        {
            root_ca.clone_from(stored_ca);
        }
    }
}

provider_rpcs!(
    Ldap,
    add_ldap_provider(AddLdapProviderRequest) -> AddLdapProviderResponse,
    update_ldap_provider(UpdateLdapProviderRequest) -> UpdateLdapProviderResponse,
    mgmt_add_ldap_provider, mgmt_update_ldap_provider,
);
