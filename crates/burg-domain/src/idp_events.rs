//! The events of identity-provider templates, with ZITADEL's payloads.
//!
//! ZITADEL writes a template flat: `id`, `name`, the kind's own members
//! and the options, each under its own name (`repository/idp/*.go`), some
//! always and most only when not zero. A `changed` event is `{id}` and the
//! members that changed; the `migrated` events of a generic OIDC template
//! carry the Azure AD or Google `added` payload. burg keeps its read
//! table's document, a whole [`Template`]: [`project`] turns an event into
//! the document, [`added_payload`] and [`changed_payload`] the document
//! into events.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use crate::crypto::Sealed;
use crate::error::{Error, Result};
use crate::idp::{self, Config, Kind, LdapAttributes, Options, Template};

/// What an event of a template does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateEvent {
    /// A new template of the kind (`added`, or a `migrated` one that
    /// replaces a generic OIDC template under the same id).
    Added(Kind),
    /// Some members of a template of the kind changed.
    Changed(Kind),
}

/// The template event of `event_type`, if it is one.
pub fn template_event(event_type: &str) -> Option<TemplateEvent> {
    match event_type {
        idp::MIGRATED_AZURE | idp::ORG_MIGRATED_AZURE => Some(TemplateEvent::Added(Kind::Azure)),
        idp::MIGRATED_GOOGLE | idp::ORG_MIGRATED_GOOGLE => Some(TemplateEvent::Added(Kind::Google)),
        t => Kind::ALL.into_iter().find_map(|k| {
            if k.added_event() == t || k.org_added_event() == t {
                Some(TemplateEvent::Added(k))
            } else if k.changed_event() == t || k.org_changed_event() == t {
                Some(TemplateEvent::Changed(k))
            } else {
                None
            }
        }),
    }
}

/// The payload of an `added` (or `migrated`) event of `template`.
pub fn added_payload(template: &Template) -> Result<Value> {
    let members = members(template)?;
    let map = members
        .into_iter()
        .filter(|m| match m.zero {
            Zero::Written => true,
            Zero::Omitted => !is_zero(&m.value),
            Zero::Set => !m.value.is_null(),
        })
        .map(|m| (m.name.to_string(), m.value))
        .collect();
    Ok(Value::Object(map))
}

/// The payload of a `changed` event from `current` to `next` (templates of
/// one kind): `{id}` and every member whose value differs, with its new
/// value; `None` when no member differs. A member that would be null (an
/// LDAP root CA left empty, no name-ID format) cannot say so in a change
/// and keeps its stored value, as in ZITADEL. A list changed to empty is
/// written as `[]` (ZITADEL leaves it out, so that its templates never
/// lose their scopes).
pub fn changed_payload(current: &Template, next: &Template) -> Result<Option<Value>> {
    let before: Map<String, Value> = members(current)?.into_iter().map(|m| (m.name.to_string(), m.value)).collect();
    let mut changed = Map::new();
    changed.insert("id".into(), Value::String(next.id.clone()));
    for m in members(next)? {
        if m.name == "id" || m.value.is_null() || before.get(m.name) == Some(&m.value) {
            continue;
        }
        changed.insert(m.name.to_string(), m.value);
    }
    Ok((changed.len() > 1).then_some(Value::Object(changed)))
}

/// The template after the event `event_type` with `payload`: a new one for
/// an `added` or `migrated` event, `stored` with the members of the
/// payload for a `changed` one.
pub fn project(event_type: &str, payload: &Value, stored: Option<&Template>) -> Result<Template> {
    let bad = |why: String| Error::internal("IDP-evt01", format!("unreadable {event_type} event: {why}"));
    let given = payload.as_object().ok_or_else(|| bad("the payload is not an object".into()))?;
    match template_event(event_type).ok_or_else(|| bad("not a template event".into()))? {
        TemplateEvent::Added(kind) => from_members(kind, given).map_err(bad),
        TemplateEvent::Changed(kind) => {
            let stored = stored.ok_or_else(|| bad("the template is not stored".into()))?;
            if stored.kind() != kind {
                return Err(bad(format!("the stored template is of kind {:?}", stored.kind())));
            }
            let mut merged: Map<String, Value> =
                members(stored)?.into_iter().map(|m| (m.name.to_string(), m.value)).collect();
            for (name, value) in given {
                if name != "id" {
                    merged.insert(name.clone(), value.clone());
                }
            }
            from_members(kind, &merged).map_err(bad)
        }
    }
}

/// Whether an `added` event writes a member when it is zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zero {
    /// Always written, null included (no `omitempty` in ZITADEL's event).
    Written,
    /// Left out when false, 0, empty or null (`omitempty`).
    Omitted,
    /// Left out only when null (`omitempty` on a pointer).
    Set,
}

struct Member {
    name: &'static str,
    value: Value,
    zero: Zero,
}

fn m(name: &'static str, value: impl Into<Value>, zero: Zero) -> Member {
    Member { name, value: value.into(), zero }
}

fn is_zero(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

fn sealed(s: &Sealed) -> Result<Value> {
    serde_json::to_value(s).map_err(|e| Error::internal("IDP-evt02", format!("cannot encode a sealed value: {e}")))
}

fn base64(bytes: &[u8]) -> Value {
    Value::String(STANDARD.encode(bytes))
}

/// SAML bindings: `zitadel.idp.v1.SAMLBinding` and the URN ZITADEL stores.
const BINDINGS: [(i32, &str); 3] = [
    (1, "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"),
    (2, "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"),
    (3, "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact"),
];

/// SAML signature algorithms: `SAMLSignatureAlgorithm` and the XML-dsig
/// URI ZITADEL stores.
const SIGNATURE_ALGORITHMS: [(i32, &str); 3] = [
    (1, "http://www.w3.org/2000/09/xmldsig#rsa-sha1"),
    (2, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"),
    (3, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"),
];

fn uri_of(table: &[(i32, &'static str)], n: i32) -> &'static str {
    table.iter().find(|(k, _)| *k == n).map(|(_, u)| *u).unwrap_or_default()
}

fn number_of(table: &[(i32, &str)], uri: &str) -> i32 {
    table.iter().find(|(_, u)| *u == uri).map(|(k, _)| *k).unwrap_or_default()
}

/// An LDAP timeout as a Go duration: nanoseconds.
fn nanos(d: Option<idp::Duration>) -> i64 {
    d.map(|d| d.seconds.saturating_mul(1_000_000_000).saturating_add(i64::from(d.nanos))).unwrap_or_default()
}

/// The members of `t`'s events, in ZITADEL's names, each with its value
/// (nothing left out).
fn members(t: &Template) -> Result<Vec<Member>> {
    use Zero::{Omitted, Set, Written};
    let name_zero = match t.kind() {
        Kind::Oidc | Kind::Ldap | Kind::GitlabSelfHosted => Written,
        _ => Omitted,
    };
    let mut out = vec![m("id", t.id.as_str(), Written), m("name", t.name.as_str(), name_zero)];
    let scopes = |s: &Vec<String>| json!(s);
    match &t.config {
        Config::Oidc { issuer, client_id, client_secret, scopes: s, is_id_token_mapping, use_pkce } => out.extend([
            m("issuer", issuer.as_str(), Written),
            m("clientId", client_id.as_str(), Written),
            m("clientSecret", sealed(client_secret)?, Written),
            m("scopes", scopes(s), Omitted),
            m("idTokenMapping", *is_id_token_mapping, Omitted),
            m("usePKCE", *use_pkce, Omitted),
        ]),
        Config::Jwt { issuer, jwt_endpoint, keys_endpoint, header_name } => out.extend([
            m("issuer", issuer.as_str(), Omitted),
            m("jwtEndpoint", jwt_endpoint.as_str(), Omitted),
            m("keysEndpoint", keys_endpoint.as_str(), Omitted),
            m("headerName", header_name.as_str(), Omitted),
        ]),
        Config::Ldap {
            servers,
            start_tls,
            base_dn,
            bind_dn,
            bind_password,
            user_base,
            user_object_classes,
            user_filters,
            timeout,
            attributes,
            root_ca,
        } => {
            out.extend([
                m("servers", json!(servers), Written),
                m("startTLS", *start_tls, Written),
                m("baseDN", base_dn.as_str(), Written),
                m("bindDN", bind_dn.as_str(), Written),
                m("bindPassword", sealed(bind_password)?, Written),
                m("userBase", user_base.as_str(), Written),
                m("userObjectClasses", json!(user_object_classes), Written),
                m("userFilters", json!(user_filters), Written),
                m("timeout", nanos(*timeout), Written),
                m("rootCA", if root_ca.is_empty() { Value::Null } else { base64(root_ca) }, Written),
            ]);
            out.extend(
                LDAP_ATTRIBUTES.iter().zip(attributes.fields()).map(|(name, (_, value))| m(name, value, Omitted)),
            );
        }
        Config::Oauth {
            client_id,
            client_secret,
            authorization_endpoint,
            token_endpoint,
            user_endpoint,
            scopes: s,
            id_attribute,
            use_pkce,
        } => out.extend([
            m("clientId", client_id.as_str(), Omitted),
            m("clientSecret", sealed(client_secret)?, Omitted),
            m("authorizationEndpoint", authorization_endpoint.as_str(), Omitted),
            m("tokenEndpoint", token_endpoint.as_str(), Omitted),
            m("userEndpoint", user_endpoint.as_str(), Omitted),
            m("scopes", scopes(s), Omitted),
            m("idAttribute", id_attribute.as_str(), Omitted),
            m("usePKCE", *use_pkce, Omitted),
        ]),
        Config::Azure { client_id, client_secret, tenant, email_verified, scopes: s } => out.extend([
            m("client_id", client_id.as_str(), Omitted),
            m("client_secret", sealed(client_secret)?, Omitted),
            m("scopes", scopes(s), Omitted),
            m("tenant", tenant.as_str(), Omitted),
            m("isEmailVerified", *email_verified, Omitted),
        ]),
        Config::Github { client_id, client_secret, scopes: s } => out.extend([
            m("clientId", client_id.as_str(), Omitted),
            m("clientSecret", sealed(client_secret)?, Omitted),
            m("scopes", scopes(s), Omitted),
        ]),
        Config::GithubEnterprise {
            client_id,
            client_secret,
            authorization_endpoint,
            token_endpoint,
            user_endpoint,
            scopes: s,
        } => out.extend([
            m("clientId", client_id.as_str(), Omitted),
            m("clientSecret", sealed(client_secret)?, Omitted),
            m("authorizationEndpoint", authorization_endpoint.as_str(), Omitted),
            m("tokenEndpoint", token_endpoint.as_str(), Omitted),
            m("userEndpoint", user_endpoint.as_str(), Omitted),
            m("scopes", scopes(s), Omitted),
        ]),
        Config::Gitlab { client_id, client_secret, scopes: s } => out.extend([
            m("client_id", client_id.as_str(), Written),
            m("client_secret", sealed(client_secret)?, Written),
            m("scopes", scopes(s), Omitted),
        ]),
        Config::GitlabSelfHosted { issuer, client_id, client_secret, scopes: s } => out.extend([
            m("issuer", issuer.as_str(), Written),
            m("client_id", client_id.as_str(), Written),
            m("client_secret", sealed(client_secret)?, Written),
            m("scopes", scopes(s), Omitted),
        ]),
        Config::Google { client_id, client_secret, scopes: s } => out.extend([
            m("clientId", client_id.as_str(), Written),
            m("clientSecret", sealed(client_secret)?, Written),
            m("scopes", scopes(s), Omitted),
        ]),
        Config::Apple { client_id, team_id, key_id, private_key, scopes: s } => out.extend([
            m("clientId", client_id.as_str(), Written),
            m("teamId", team_id.as_str(), Written),
            m("keyId", key_id.as_str(), Written),
            m("privateKey", sealed(private_key)?, Written),
            m("scopes", scopes(s), Omitted),
        ]),
        Config::Saml {
            metadata_xml,
            binding,
            with_signed_request,
            name_id_format,
            transient_mapping_attribute_name,
            federated_logout_enabled,
            signature_algorithm,
            key,
            certificate,
        } => out.extend([
            m("metadata", base64(metadata_xml), Omitted),
            m("key", sealed(key)?, Omitted),
            m("certificate", base64(certificate.as_bytes()), Omitted),
            m("binding", uri_of(&BINDINGS, *binding), Omitted),
            m("withSignedRequest", *with_signed_request, Omitted),
            // A pointer in ZITADEL: written whenever it is set, 0 included.
            m("nameIDFormat", name_id_format.map_or(Value::Null, Value::from), Set),
            m("transientMappingAttributeName", transient_mapping_attribute_name.clone().unwrap_or_default(), Omitted),
            m("federatedLogoutEnabled", federated_logout_enabled.unwrap_or_default(), Omitted),
            m("signatureAlgorithm", uri_of(&SIGNATURE_ALGORITHMS, signature_algorithm.unwrap_or_default()), Omitted),
        ]),
    }
    let Options { is_linking_allowed, is_creation_allowed, is_auto_creation, is_auto_update, auto_linking } =
        &t.options;
    out.extend([
        m("isCreationAllowed", *is_creation_allowed, Omitted),
        m("isLinkingAllowed", *is_linking_allowed, Omitted),
        m("isAutoCreation", *is_auto_creation, Omitted),
        m("isAutoUpdate", *is_auto_update, Omitted),
        m("autoLinkingOption", *auto_linking, Omitted),
    ]);
    Ok(out)
}

/// ZITADEL's names of the LDAP attributes, in the order of
/// [`LdapAttributes::fields`].
const LDAP_ATTRIBUTES: [&str; 13] = [
    "idAttribute",
    "firstNameAttribute",
    "lastNameAttribute",
    "displayNameAttribute",
    "nickNameAttribute",
    "preferredUsernameAttribute",
    "emailAttribute",
    "emailVerifiedAttribute",
    "phoneAttribute",
    "phoneVerifiedAttribute",
    "preferredLanguageAttribute",
    "avatarURLAttribute",
    "profileAttribute",
];

/// Reads the members of an event; a member left out reads as zero.
struct Members<'a>(&'a Map<String, Value>);

impl Members<'_> {
    fn text(&self, name: &str) -> String {
        self.0.get(name).and_then(Value::as_str).unwrap_or_default().to_string()
    }

    fn flag(&self, name: &str) -> bool {
        self.0.get(name).and_then(Value::as_bool).unwrap_or_default()
    }

    fn number(&self, name: &str) -> Option<i64> {
        self.0.get(name).and_then(Value::as_i64)
    }

    fn int(&self, name: &str) -> i32 {
        self.number(name).and_then(|n| i32::try_from(n).ok()).unwrap_or_default()
    }

    fn list(&self, name: &str) -> Vec<String> {
        match self.0.get(name) {
            Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
            _ => Vec::new(),
        }
    }

    fn bytes(&self, name: &str) -> std::result::Result<Vec<u8>, String> {
        match self.0.get(name) {
            Some(Value::String(text)) => STANDARD.decode(text).map_err(|e| format!("`{name}` is not base64: {e}")),
            _ => Ok(Vec::new()),
        }
    }

    fn sealed(&self, name: &str) -> std::result::Result<Sealed, String> {
        let value = self.0.get(name).ok_or_else(|| format!("`{name}` is missing"))?;
        serde_json::from_value(value.clone()).map_err(|e| format!("`{name}` is not a sealed value: {e}"))
    }
}

fn from_members(kind: Kind, map: &Map<String, Value>) -> std::result::Result<Template, String> {
    let r = Members(map);
    let config = match kind {
        Kind::Oidc => Config::Oidc {
            issuer: r.text("issuer"),
            client_id: r.text("clientId"),
            client_secret: r.sealed("clientSecret")?,
            scopes: r.list("scopes"),
            is_id_token_mapping: r.flag("idTokenMapping"),
            use_pkce: r.flag("usePKCE"),
        },
        Kind::Jwt => Config::Jwt {
            issuer: r.text("issuer"),
            jwt_endpoint: r.text("jwtEndpoint"),
            keys_endpoint: r.text("keysEndpoint"),
            header_name: r.text("headerName"),
        },
        Kind::Ldap => {
            let timeout = r.number("timeout").unwrap_or_default();
            let text = |i: usize| r.text(LDAP_ATTRIBUTES[i]);
            Config::Ldap {
                servers: r.list("servers"),
                start_tls: r.flag("startTLS"),
                base_dn: r.text("baseDN"),
                bind_dn: r.text("bindDN"),
                bind_password: r.sealed("bindPassword")?,
                user_base: r.text("userBase"),
                user_object_classes: r.list("userObjectClasses"),
                user_filters: r.list("userFilters"),
                timeout: (timeout != 0).then(|| idp::Duration {
                    seconds: timeout.div_euclid(1_000_000_000),
                    nanos: timeout.rem_euclid(1_000_000_000) as i32,
                }),
                attributes: Box::new(LdapAttributes {
                    id_attribute: text(0),
                    first_name_attribute: text(1),
                    last_name_attribute: text(2),
                    display_name_attribute: text(3),
                    nick_name_attribute: text(4),
                    preferred_username_attribute: text(5),
                    email_attribute: text(6),
                    email_verified_attribute: text(7),
                    phone_attribute: text(8),
                    phone_verified_attribute: text(9),
                    preferred_language_attribute: text(10),
                    avatar_url_attribute: text(11),
                    profile_attribute: text(12),
                }),
                root_ca: r.bytes("rootCA")?,
            }
        }
        Kind::Oauth => Config::Oauth {
            client_id: r.text("clientId"),
            client_secret: r.sealed("clientSecret")?,
            authorization_endpoint: r.text("authorizationEndpoint"),
            token_endpoint: r.text("tokenEndpoint"),
            user_endpoint: r.text("userEndpoint"),
            scopes: r.list("scopes"),
            id_attribute: r.text("idAttribute"),
            use_pkce: r.flag("usePKCE"),
        },
        Kind::Azure => Config::Azure {
            client_id: r.text("client_id"),
            client_secret: r.sealed("client_secret")?,
            tenant: r.text("tenant"),
            email_verified: r.flag("isEmailVerified"),
            scopes: r.list("scopes"),
        },
        Kind::Github => Config::Github {
            client_id: r.text("clientId"),
            client_secret: r.sealed("clientSecret")?,
            scopes: r.list("scopes"),
        },
        Kind::GithubEnterprise => Config::GithubEnterprise {
            client_id: r.text("clientId"),
            client_secret: r.sealed("clientSecret")?,
            authorization_endpoint: r.text("authorizationEndpoint"),
            token_endpoint: r.text("tokenEndpoint"),
            user_endpoint: r.text("userEndpoint"),
            scopes: r.list("scopes"),
        },
        Kind::Gitlab => Config::Gitlab {
            client_id: r.text("client_id"),
            client_secret: r.sealed("client_secret")?,
            scopes: r.list("scopes"),
        },
        Kind::GitlabSelfHosted => Config::GitlabSelfHosted {
            issuer: r.text("issuer"),
            client_id: r.text("client_id"),
            client_secret: r.sealed("client_secret")?,
            scopes: r.list("scopes"),
        },
        Kind::Google => Config::Google {
            client_id: r.text("clientId"),
            client_secret: r.sealed("clientSecret")?,
            scopes: r.list("scopes"),
        },
        Kind::Apple => Config::Apple {
            client_id: r.text("clientId"),
            team_id: r.text("teamId"),
            key_id: r.text("keyId"),
            private_key: r.sealed("privateKey")?,
            scopes: r.list("scopes"),
        },
        Kind::Saml => {
            let certificate = String::from_utf8(r.bytes("certificate")?)
                .map_err(|_| "`certificate` is not a PEM text".to_string())?;
            let text = |name: &str| Some(r.text(name)).filter(|t| !t.is_empty());
            Config::Saml {
                metadata_xml: r.bytes("metadata")?,
                binding: number_of(&BINDINGS, &r.text("binding")),
                with_signed_request: r.flag("withSignedRequest"),
                name_id_format: r.number("nameIDFormat").and_then(|n| i32::try_from(n).ok()),
                transient_mapping_attribute_name: text("transientMappingAttributeName"),
                federated_logout_enabled: r.flag("federatedLogoutEnabled").then_some(true),
                signature_algorithm: text("signatureAlgorithm").map(|uri| number_of(&SIGNATURE_ALGORITHMS, &uri)),
                key: r.sealed("key")?,
                certificate,
            }
        }
    };
    Ok(Template {
        id: r.text("id"),
        name: r.text("name"),
        options: Options {
            is_linking_allowed: r.flag("isLinkingAllowed"),
            is_creation_allowed: r.flag("isCreationAllowed"),
            is_auto_creation: r.flag("isAutoCreation"),
            is_auto_update: r.flag("isAutoUpdate"),
            auto_linking: r.int("autoLinkingOption"),
        },
        config,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::MasterKey;

    fn key() -> MasterKey {
        MasterKey::from_secret("0123456789abcdef0123456789abcdef").unwrap()
    }

    fn options() -> Options {
        Options {
            is_linking_allowed: true,
            is_creation_allowed: false,
            is_auto_creation: true,
            is_auto_update: false,
            auto_linking: 2,
        }
    }

    /// A template of every kind, every member set to something not zero
    /// (so that it survives the trip through its events).
    fn templates() -> Vec<Template> {
        let k = key();
        let secret = || k.seal_str("s3cret");
        let scopes = || vec!["openid".to_string(), "email".to_string()];
        let configs = vec![
            Config::Oidc {
                issuer: "https://issuer.example.com".into(),
                client_id: "oidc-client".into(),
                client_secret: secret(),
                scopes: scopes(),
                is_id_token_mapping: true,
                use_pkce: true,
            },
            Config::Jwt {
                issuer: "https://jwt.example.com".into(),
                jwt_endpoint: "https://jwt.example.com/jwt".into(),
                keys_endpoint: "https://jwt.example.com/keys".into(),
                header_name: "x-auth".into(),
            },
            Config::Ldap {
                servers: vec!["ldaps://ldap.example.com".into()],
                start_tls: true,
                base_dn: "dc=example,dc=com".into(),
                bind_dn: "cn=admin,dc=example,dc=com".into(),
                bind_password: secret(),
                user_base: "dn".into(),
                user_object_classes: vec!["user".into()],
                user_filters: vec!["uid".into()],
                timeout: Some(idp::Duration { seconds: 30, nanos: 500 }),
                attributes: Box::new(LdapAttributes {
                    id_attribute: "uid".into(),
                    avatar_url_attribute: "avatar".into(),
                    ..LdapAttributes::default()
                }),
                root_ca: b"-----BEGIN CERTIFICATE-----\n".to_vec(),
            },
            Config::Oauth {
                client_id: "oauth-client".into(),
                client_secret: secret(),
                authorization_endpoint: "https://oauth.example.com/authorize".into(),
                token_endpoint: "https://oauth.example.com/token".into(),
                user_endpoint: "https://oauth.example.com/user".into(),
                scopes: scopes(),
                id_attribute: "sub".into(),
                use_pkce: true,
            },
            Config::Azure {
                client_id: "azure-client".into(),
                client_secret: secret(),
                tenant: idp::AZURE_ORGANIZATIONS.into(),
                email_verified: true,
                scopes: scopes(),
            },
            Config::Github { client_id: "gh".into(), client_secret: secret(), scopes: scopes() },
            Config::GithubEnterprise {
                client_id: "ghes".into(),
                client_secret: secret(),
                authorization_endpoint: "https://gh.example.com/a".into(),
                token_endpoint: "https://gh.example.com/t".into(),
                user_endpoint: "https://gh.example.com/u".into(),
                scopes: scopes(),
            },
            Config::Gitlab { client_id: "gl".into(), client_secret: secret(), scopes: scopes() },
            Config::GitlabSelfHosted {
                issuer: "https://gitlab.example.com".into(),
                client_id: "glsh".into(),
                client_secret: secret(),
                scopes: scopes(),
            },
            Config::Google { client_id: "google".into(), client_secret: secret(), scopes: scopes() },
            Config::Apple {
                client_id: "com.example".into(),
                team_id: "TEAM123456".into(),
                key_id: "KEY1234567".into(),
                private_key: secret(),
                scopes: scopes(),
            },
            Config::Saml {
                metadata_xml: b"<EntityDescriptor/>".to_vec(),
                binding: 2,
                with_signed_request: true,
                name_id_format: Some(0),
                transient_mapping_attribute_name: Some("transient".into()),
                federated_logout_enabled: Some(true),
                signature_algorithm: Some(3),
                key: secret(),
                certificate: "-----BEGIN CERTIFICATE-----\n".into(),
            },
        ];
        configs
            .into_iter()
            .enumerate()
            .map(|(i, config)| Template {
                id: (100 + i).to_string(),
                name: format!("provider {i}"),
                options: options(),
                config,
            })
            .collect()
    }

    #[test]
    fn every_kind_goes_through_its_events_unchanged() {
        let all = templates();
        let kinds: Vec<Kind> = all.iter().map(Template::kind).collect();
        assert_eq!(kinds, Kind::ALL);
        for t in &all {
            let added = added_payload(t).unwrap();
            assert_eq!(&project(t.kind().added_event(), &added, None).unwrap(), t, "{:?}", t.kind());
            // Every member changed at once: the change says all of it.
            let other = Template { name: "renamed".into(), options: Options::default(), ..t.clone() };
            let changed = changed_payload(t, &other).unwrap().unwrap();
            assert_eq!(project(t.kind().changed_event(), &changed, Some(t)).unwrap(), other);
            assert_eq!(changed_payload(t, t).unwrap(), None, "{:?}: nothing changed", t.kind());
        }
        let google = all.iter().find(|t| t.kind() == Kind::Google).unwrap();
        let migrated = project(idp::MIGRATED_GOOGLE, &added_payload(google).unwrap(), None).unwrap();
        assert_eq!(&migrated, google);
    }

    #[test]
    fn added_payloads_have_zitadels_members() {
        let all = templates();
        let of = |kind: Kind| added_payload(all.iter().find(|t| t.kind() == kind).unwrap()).unwrap();
        let options = json!({"isLinkingAllowed": true, "isAutoCreation": true, "autoLinkingOption": 2});
        let with_options = |mut v: Value| {
            v.as_object_mut().unwrap().extend(options.as_object().unwrap().clone());
            v
        };
        let sealed = |v: &Value, member: &str| {
            let names: std::collections::BTreeSet<&str> =
                v[member].as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(names, ["Algorithm", "CryptoType", "Crypted", "KeyID"].into(), "{member}");
        };
        let mut oidc = of(Kind::Oidc);
        sealed(&oidc, "clientSecret");
        oidc.as_object_mut().unwrap().remove("clientSecret");
        assert_eq!(
            oidc,
            with_options(json!({
                "id": "100", "name": "provider 0", "issuer": "https://issuer.example.com", "clientId": "oidc-client",
                "scopes": ["openid", "email"], "idTokenMapping": true, "usePKCE": true
            }))
        );
        let mut ldap = of(Kind::Ldap);
        sealed(&ldap, "bindPassword");
        ldap.as_object_mut().unwrap().remove("bindPassword");
        assert_eq!(
            ldap,
            with_options(json!({
                "id": "102", "name": "provider 2", "servers": ["ldaps://ldap.example.com"], "startTLS": true,
                "baseDN": "dc=example,dc=com", "bindDN": "cn=admin,dc=example,dc=com", "userBase": "dn",
                "userObjectClasses": ["user"], "userFilters": ["uid"], "timeout": 30_000_000_500_i64,
                "rootCA": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==", "idAttribute": "uid",
                "avatarURLAttribute": "avatar"
            }))
        );
        let azure = of(Kind::Azure);
        sealed(&azure, "client_secret");
        assert_eq!(
            (azure["client_id"].as_str(), azure["tenant"].as_str()),
            (Some("azure-client"), Some("organizations"))
        );
        assert_eq!(azure["isEmailVerified"], true);
        let mut saml = of(Kind::Saml);
        sealed(&saml, "key");
        saml.as_object_mut().unwrap().remove("key");
        assert_eq!(
            saml,
            with_options(json!({
                "id": "111", "name": "provider 11", "metadata": "PEVudGl0eURlc2NyaXB0b3IvPg==",
                "certificate": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==",
                "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect", "withSignedRequest": true,
                "nameIDFormat": 0, "transientMappingAttributeName": "transient", "federatedLogoutEnabled": true,
                "signatureAlgorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
            }))
        );
        for (kind, id, secret) in
            [(Kind::Gitlab, "client_id", "client_secret"), (Kind::Google, "clientId", "clientSecret")]
        {
            let v = of(kind);
            assert!(v[id].is_string() && v[secret].is_object(), "{kind:?}");
        }
    }

    #[test]
    fn zero_members_are_left_out_where_zitadel_leaves_them_out() {
        let k = key();
        let bare =
            |config: Config| Template { id: "7".into(), name: String::new(), options: Options::default(), config };
        // OIDC writes name, issuer, client id and secret always.
        let oidc = added_payload(&bare(Config::Oidc {
            issuer: String::new(),
            client_id: String::new(),
            client_secret: k.seal_str("s"),
            scopes: vec![],
            is_id_token_mapping: false,
            use_pkce: false,
        }))
        .unwrap();
        let names: Vec<&str> = oidc.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(names, ["clientId", "clientSecret", "id", "issuer", "name"]);
        // GitHub leaves everything out but the id (and its sealed secret).
        let github = added_payload(&bare(Config::Github {
            client_id: String::new(),
            client_secret: k.seal_str("s"),
            scopes: vec![],
        }))
        .unwrap();
        let names: Vec<&str> = github.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(names, ["clientSecret", "id"]);
        // LDAP writes its connection members always: no timeout is 0, no
        // root CA null.
        let ldap = added_payload(&bare(Config::Ldap {
            servers: vec![],
            start_tls: false,
            base_dn: String::new(),
            bind_dn: String::new(),
            bind_password: k.seal_str("s"),
            user_base: String::new(),
            user_object_classes: vec![],
            user_filters: vec![],
            timeout: None,
            attributes: Box::default(),
            root_ca: vec![],
        }))
        .unwrap();
        assert_eq!((&ldap["timeout"], &ldap["rootCA"], &ldap["startTLS"]), (&json!(0), &Value::Null, &json!(false)));
        assert!(ldap.get("idAttribute").is_none());
        // SAML: no name-ID format, no binding, nothing optional.
        let saml = added_payload(&bare(Config::Saml {
            metadata_xml: b"<x/>".to_vec(),
            binding: 0,
            with_signed_request: false,
            name_id_format: None,
            transient_mapping_attribute_name: Some(String::new()),
            federated_logout_enabled: Some(false),
            signature_algorithm: Some(0),
            key: k.seal_str("k"),
            certificate: "c".into(),
        }))
        .unwrap();
        let names: Vec<&str> = saml.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(names, ["certificate", "id", "key", "metadata"]);
    }

    #[test]
    fn changes_say_what_changed() {
        let all = templates();
        let oauth = all.iter().find(|t| t.kind() == Kind::Oauth).unwrap();
        let mut next = oauth.clone();
        next.name = "renamed".into();
        next.options.is_auto_update = true;
        assert_eq!(
            changed_payload(oauth, &next).unwrap(),
            Some(json!({"id": "103", "name": "renamed", "isAutoUpdate": true}))
        );
        // Turned off, and emptied: written with the new value.
        let mut off = oauth.clone();
        if let Config::Oauth { use_pkce, scopes, .. } = &mut off.config {
            (*use_pkce, *scopes) = (false, vec![]);
        }
        assert_eq!(changed_payload(oauth, &off).unwrap(), Some(json!({"id": "103", "usePKCE": false, "scopes": []})));
        // A new secret is in the change; the kept one is not.
        let mut secret = oauth.clone();
        *secret.config.secret_mut().unwrap() = key().seal_str("new");
        let change = changed_payload(oauth, &secret).unwrap().unwrap();
        assert_eq!(change.as_object().unwrap().len(), 2);
        assert!(change["clientSecret"]["Crypted"].is_string());
        // LDAP: an empty root CA keeps the stored one (ZITADEL cannot say
        // "none" in a change either).
        let ldap = all.iter().find(|t| t.kind() == Kind::Ldap).unwrap();
        let mut no_ca = ldap.clone();
        if let Config::Ldap { root_ca, .. } = &mut no_ca.config {
            root_ca.clear();
        }
        assert_eq!(changed_payload(ldap, &no_ca).unwrap(), None);
        // SAML's regenerated key pair: `{id, key, certificate}`.
        let saml = all.iter().find(|t| t.kind() == Kind::Saml).unwrap();
        let mut fresh = saml.clone();
        if let Config::Saml { key: k, certificate, .. } = &mut fresh.config {
            (*k, *certificate) = (key().seal_str("new key"), "new certificate".into());
        }
        let change = changed_payload(saml, &fresh).unwrap().unwrap();
        let names: Vec<&str> = change.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(names, ["certificate", "id", "key"]);
        assert_eq!(project(Kind::Saml.changed_event(), &change, Some(saml)).unwrap(), fresh);
        // A change of another kind's template is refused.
        assert!(project(Kind::Oauth.changed_event(), &change, Some(saml)).is_err());
    }
}
