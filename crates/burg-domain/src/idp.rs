//! Identity-provider templates: the twelve kinds, their stored form, and the
//! checks that need more than a length (SAML metadata, Apple keys, the SAML
//! service-provider key pair).
//!
//! A template is one JSON document, [`Template`], in the `idp_templates`
//! read table; its events (`instance.idp.<kind>.added|changed`,
//! `…migrated.<kind>`) carry ZITADEL's flat payloads, made and read by
//! [`crate::idp_events`]. Secrets are [`Sealed`] with the master key; no
//! document or event holds a secret in clear.

use serde::{Deserialize, Serialize};

use crate::crypto::Sealed;
use crate::error::{Error, Result};

/// The kinds of template, with ZITADEL's `ProviderType` numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Oidc,
    Jwt,
    Ldap,
    Oauth,
    Azure,
    Github,
    GithubEnterprise,
    Gitlab,
    GitlabSelfHosted,
    Google,
    Apple,
    Saml,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::Oidc,
        Kind::Jwt,
        Kind::Ldap,
        Kind::Oauth,
        Kind::Azure,
        Kind::Github,
        Kind::GithubEnterprise,
        Kind::Gitlab,
        Kind::GitlabSelfHosted,
        Kind::Google,
        Kind::Apple,
        Kind::Saml,
    ];

    /// What each kind is on the wire and in the event store: one row per
    /// kind.
    const fn info(self) -> KindInfo {
        let (provider_type, added_event, changed_event, name_optional) = match self {
            Kind::Oidc => (1, "instance.idp.oidc.added", "instance.idp.oidc.changed", false),
            Kind::Jwt => (2, "instance.idp.jwt.added", "instance.idp.jwt.changed", false),
            Kind::Ldap => (3, "instance.idp.ldap.v2.added", "instance.idp.ldap.v2.changed", false),
            Kind::Oauth => (4, "instance.idp.oauth.added", "instance.idp.oauth.changed", false),
            Kind::Azure => (5, "instance.idp.azure.added", "instance.idp.azure.changed", false),
            Kind::Github => (6, "instance.idp.github.added", "instance.idp.github.changed", true),
            Kind::GithubEnterprise => {
                (7, "instance.idp.github_enterprise.added", "instance.idp.github_enterprise.changed", false)
            }
            Kind::Gitlab => (8, "instance.idp.gitlab.added", "instance.idp.gitlab.changed", true),
            Kind::GitlabSelfHosted => {
                (9, "instance.idp.gitlab_self_hosted.added", "instance.idp.gitlab_self_hosted.changed", false)
            }
            Kind::Google => (10, "instance.idp.google.added", "instance.idp.google.changed", true),
            Kind::Apple => (11, "instance.idp.apple.added", "instance.idp.apple.changed", true),
            Kind::Saml => (12, "instance.idp.saml.added", "instance.idp.saml.changed", false),
        };
        KindInfo { provider_type, added_event, changed_event, name_optional }
    }

    /// `zitadel.idp.v1.ProviderType`.
    pub fn provider_type(self) -> i32 {
        self.info().provider_type
    }

    /// ZITADEL's `domain.IDPType` of the kind, the number its query side
    /// keeps per template (LDAP and OAuth in the other order than
    /// `ProviderType`); ExportData writes it as a user link's `idpType`.
    pub fn domain_idp_type(self) -> i32 {
        match self {
            Kind::Oidc => 1,
            Kind::Jwt => 2,
            Kind::Oauth => 3,
            Kind::Ldap => 4,
            Kind::Azure => 5,
            Kind::Github => 6,
            Kind::GithubEnterprise => 7,
            Kind::Gitlab => 8,
            Kind::GitlabSelfHosted => 9,
            Kind::Google => 10,
            Kind::Apple => 11,
            Kind::Saml => 12,
        }
    }

    /// The kind of `ProviderType` number `provider_type` (as
    /// `idp_templates.idp_type` stores it); `None` for a number no kind has.
    pub fn from_provider_type(provider_type: i64) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| i64::from(k.provider_type()) == provider_type)
    }

    /// The event type written when an instance's template of this kind is
    /// added.
    pub fn added_event(self) -> &'static str {
        self.info().added_event
    }

    /// The event type written when an instance's template of this kind
    /// changes.
    pub fn changed_event(self) -> &'static str {
        self.info().changed_event
    }

    /// The event type written when an organization's template of this kind
    /// is added: the instance's with `org.` for `instance.`, as ZITADEL
    /// names them (`repository/org/idp.go`).
    pub fn org_added_event(self) -> &'static str {
        org_type(self.added_event())
    }

    /// The event type written when an organization's template of this kind
    /// changes.
    pub fn org_changed_event(self) -> &'static str {
        org_type(self.changed_event())
    }

    /// Whether ZITADEL lets a provider of this kind go without a name (it
    /// stores the name as given, empty included).
    pub fn name_optional(self) -> bool {
        self.info().name_optional
    }
}

/// A row of [`Kind::info`].
struct KindInfo {
    provider_type: i32,
    added_event: &'static str,
    changed_event: &'static str,
    name_optional: bool,
}

/// Generic OIDC migrated to Azure AD.
pub const MIGRATED_AZURE: &str = "instance.idp.oidc.migrated.azure";
/// Generic OIDC migrated to Google.
pub const MIGRATED_GOOGLE: &str = "instance.idp.oidc.migrated.google";
/// A template of any kind removed.
pub const REMOVED: &str = "instance.idp.removed";
/// An organization's generic OIDC template migrated to Azure AD.
pub const ORG_MIGRATED_AZURE: &str = "org.idp.oidc.migrated.azure";
/// An organization's generic OIDC template migrated to Google.
pub const ORG_MIGRATED_GOOGLE: &str = "org.idp.oidc.migrated.google";
/// An organization's template of any kind removed.
pub const ORG_REMOVED: &str = "org.idp.removed";

/// The organization's event type of an instance's template event type.
fn org_type(instance_type: &'static str) -> &'static str {
    ORG_TYPES.iter().find(|(i, _)| *i == instance_type).map(|(_, o)| *o).unwrap_or(instance_type)
}

/// Each instance template event type with the organization's.
const ORG_TYPES: [(&str, &str); 24] = [
    ("instance.idp.oidc.added", "org.idp.oidc.added"),
    ("instance.idp.oidc.changed", "org.idp.oidc.changed"),
    ("instance.idp.jwt.added", "org.idp.jwt.added"),
    ("instance.idp.jwt.changed", "org.idp.jwt.changed"),
    ("instance.idp.ldap.v2.added", "org.idp.ldap.v2.added"),
    ("instance.idp.ldap.v2.changed", "org.idp.ldap.v2.changed"),
    ("instance.idp.oauth.added", "org.idp.oauth.added"),
    ("instance.idp.oauth.changed", "org.idp.oauth.changed"),
    ("instance.idp.azure.added", "org.idp.azure.added"),
    ("instance.idp.azure.changed", "org.idp.azure.changed"),
    ("instance.idp.github.added", "org.idp.github.added"),
    ("instance.idp.github.changed", "org.idp.github.changed"),
    ("instance.idp.github_enterprise.added", "org.idp.github_enterprise.added"),
    ("instance.idp.github_enterprise.changed", "org.idp.github_enterprise.changed"),
    ("instance.idp.gitlab.added", "org.idp.gitlab.added"),
    ("instance.idp.gitlab.changed", "org.idp.gitlab.changed"),
    ("instance.idp.gitlab_self_hosted.added", "org.idp.gitlab_self_hosted.added"),
    ("instance.idp.gitlab_self_hosted.changed", "org.idp.gitlab_self_hosted.changed"),
    ("instance.idp.google.added", "org.idp.google.added"),
    ("instance.idp.google.changed", "org.idp.google.changed"),
    ("instance.idp.apple.added", "org.idp.apple.added"),
    ("instance.idp.apple.changed", "org.idp.apple.changed"),
    ("instance.idp.saml.added", "org.idp.saml.added"),
    ("instance.idp.saml.changed", "org.idp.saml.changed"),
];

/// Every event type that adds or changes a template, the instance's or an
/// organization's (see [`crate::idp_events::template_event`]).
pub fn carries_template(event_type: &str) -> bool {
    crate::idp_events::template_event(event_type).is_some()
}

/// Every event type of an organization's templates, for `ListEventTypes`.
pub fn org_event_types() -> impl Iterator<Item = &'static str> {
    ORG_TYPES.iter().map(|(_, o)| *o).chain([ORG_MIGRATED_AZURE, ORG_MIGRATED_GOOGLE, ORG_REMOVED])
}

/// A template as the read table stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    pub id: String,
    pub name: String,
    pub options: Options,
    pub config: Config,
}

impl Template {
    pub fn kind(&self) -> Kind {
        self.config.kind()
    }
}

/// The options every kind has (`zitadel.idp.v1.Options`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Options {
    pub is_linking_allowed: bool,
    pub is_creation_allowed: bool,
    pub is_auto_creation: bool,
    pub is_auto_update: bool,
    pub auto_linking: i32,
}

/// A `google.protobuf.Duration`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duration {
    pub seconds: i64,
    pub nanos: i32,
}

impl Duration {
    /// The duration a request's `seconds` and `nanos` stand for, as ZITADEL
    /// keeps it: a signed count of nanoseconds (Go's `time.Duration`, a
    /// sum beyond its range saturating), given back with seconds and nanos
    /// of one sign. Any value is accepted, negative ones included.
    pub fn from_parts(seconds: i64, nanos: i32) -> Duration {
        let total = i128::from(seconds) * 1_000_000_000 + i128::from(nanos);
        let total = total.clamp(i128::from(i64::MIN), i128::from(i64::MAX));
        // In range: |total / 1e9| < 2^34 and |total % 1e9| < 1e9.
        let seconds = i64::try_from(total / 1_000_000_000).unwrap_or_default();
        let nanos = i32::try_from(total % 1_000_000_000).unwrap_or_default();
        Duration { seconds, nanos }
    }

    pub fn is_zero(self) -> bool {
        self.seconds == 0 && self.nanos == 0
    }
}

/// Attribute names an LDAP provider maps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LdapAttributes {
    pub id_attribute: String,
    pub first_name_attribute: String,
    pub last_name_attribute: String,
    pub display_name_attribute: String,
    pub nick_name_attribute: String,
    pub preferred_username_attribute: String,
    pub email_attribute: String,
    pub email_verified_attribute: String,
    pub phone_attribute: String,
    pub phone_verified_attribute: String,
    pub preferred_language_attribute: String,
    pub avatar_url_attribute: String,
    pub profile_attribute: String,
}

impl LdapAttributes {
    pub fn fields(&self) -> [(&'static str, &str); 13] {
        [
            ("idAttribute", &self.id_attribute),
            ("firstNameAttribute", &self.first_name_attribute),
            ("lastNameAttribute", &self.last_name_attribute),
            ("displayNameAttribute", &self.display_name_attribute),
            ("nickNameAttribute", &self.nick_name_attribute),
            ("preferredUsernameAttribute", &self.preferred_username_attribute),
            ("emailAttribute", &self.email_attribute),
            ("emailVerifiedAttribute", &self.email_verified_attribute),
            ("phoneAttribute", &self.phone_attribute),
            ("phoneVerifiedAttribute", &self.phone_verified_attribute),
            ("preferredLanguageAttribute", &self.preferred_language_attribute),
            ("avatarUrlAttribute", &self.avatar_url_attribute),
            ("profileAttribute", &self.profile_attribute),
        ]
    }
}

/// Binary fields are base64 in the stored JSON.
mod b64 {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

/// The configuration of one kind. Secrets are sealed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum Config {
    Oidc {
        issuer: String,
        client_id: String,
        client_secret: Sealed,
        scopes: Vec<String>,
        is_id_token_mapping: bool,
        use_pkce: bool,
    },
    Jwt {
        issuer: String,
        jwt_endpoint: String,
        keys_endpoint: String,
        header_name: String,
    },
    Ldap {
        servers: Vec<String>,
        start_tls: bool,
        base_dn: String,
        bind_dn: String,
        bind_password: Sealed,
        user_base: String,
        user_object_classes: Vec<String>,
        user_filters: Vec<String>,
        timeout: Option<Duration>,
        attributes: Box<LdapAttributes>,
        #[serde(with = "b64")]
        root_ca: Vec<u8>,
    },
    Oauth {
        client_id: String,
        client_secret: Sealed,
        authorization_endpoint: String,
        token_endpoint: String,
        user_endpoint: String,
        scopes: Vec<String>,
        id_attribute: String,
        use_pkce: bool,
    },
    Azure {
        client_id: String,
        client_secret: Sealed,
        /// `common`, `organizations`, `consumers` or a tenant id.
        tenant: String,
        email_verified: bool,
        scopes: Vec<String>,
    },
    Github {
        client_id: String,
        client_secret: Sealed,
        scopes: Vec<String>,
    },
    GithubEnterprise {
        client_id: String,
        client_secret: Sealed,
        authorization_endpoint: String,
        token_endpoint: String,
        user_endpoint: String,
        scopes: Vec<String>,
    },
    Gitlab {
        client_id: String,
        client_secret: Sealed,
        scopes: Vec<String>,
    },
    GitlabSelfHosted {
        issuer: String,
        client_id: String,
        client_secret: Sealed,
        scopes: Vec<String>,
    },
    Google {
        client_id: String,
        client_secret: Sealed,
        scopes: Vec<String>,
    },
    Apple {
        client_id: String,
        team_id: String,
        key_id: String,
        private_key: Sealed,
        scopes: Vec<String>,
    },
    Saml {
        /// The metadata document, given or fetched. The URL it was fetched
        /// from is not kept, as in ZITADEL (an older stored `metadataUrl`
        /// member is ignored).
        #[serde(with = "b64")]
        metadata_xml: Vec<u8>,
        binding: i32,
        with_signed_request: bool,
        name_id_format: Option<i32>,
        transient_mapping_attribute_name: Option<String>,
        /// Newer fields: absent from the stored JSON when not given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        federated_logout_enabled: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signature_algorithm: Option<i32>,
        /// The service provider's signing key (PKCS#1 PEM), sealed.
        key: Sealed,
        /// Its self-signed certificate (PEM), public.
        certificate: String,
    },
}

impl Config {
    pub fn kind(&self) -> Kind {
        match self {
            Config::Oidc { .. } => Kind::Oidc,
            Config::Jwt { .. } => Kind::Jwt,
            Config::Ldap { .. } => Kind::Ldap,
            Config::Oauth { .. } => Kind::Oauth,
            Config::Azure { .. } => Kind::Azure,
            Config::Github { .. } => Kind::Github,
            Config::GithubEnterprise { .. } => Kind::GithubEnterprise,
            Config::Gitlab { .. } => Kind::Gitlab,
            Config::GitlabSelfHosted { .. } => Kind::GitlabSelfHosted,
            Config::Google { .. } => Kind::Google,
            Config::Apple { .. } => Kind::Apple,
            Config::Saml { .. } => Kind::Saml,
        }
    }

    /// The sealed secret of this config, if its kind has one the caller
    /// sets (SAML keys are generated, not given).
    pub fn secret_mut(&mut self) -> Option<&mut Sealed> {
        match self {
            Config::Oidc { client_secret, .. }
            | Config::Oauth { client_secret, .. }
            | Config::Azure { client_secret, .. }
            | Config::Github { client_secret, .. }
            | Config::GithubEnterprise { client_secret, .. }
            | Config::Gitlab { client_secret, .. }
            | Config::GitlabSelfHosted { client_secret, .. }
            | Config::Google { client_secret, .. } => Some(client_secret),
            Config::Ldap { bind_password, .. } => Some(bind_password),
            Config::Apple { private_key, .. } => Some(private_key),
            Config::Jwt { .. } | Config::Saml { .. } => None,
        }
    }
}

/// Azure AD tenants that are not a tenant id.
pub const AZURE_COMMON: &str = "common";
pub const AZURE_ORGANIZATIONS: &str = "organizations";
pub const AZURE_CONSUMERS: &str = "consumers";

/// The namespace of SAML metadata elements.
pub const SAML_METADATA_NS: &str = "urn:oasis:names:tc:SAML:2.0:metadata";

/// Checks SAML metadata as ZITADEL reads it: the first element (anything
/// before it that is not an element is skipped) must be well-formed and be
/// either an `EntityDescriptor` or an `EntitiesDescriptor` of the SAML
/// metadata namespace; an `EntitiesDescriptor` needs an `EntityDescriptor`
/// child with an `IDPSSODescriptor` child. What follows the first element
/// is not read. The error says why, for a message.
pub fn check_saml_metadata(xml: &[u8]) -> std::result::Result<(), String> {
    use quick_xml::events::Event as X;
    use quick_xml::name::{Namespace, ResolveResult};

    #[derive(PartialEq)]
    enum Root {
        Entity,
        Entities,
    }
    let in_metadata_ns =
        |ns: &ResolveResult| matches!(ns, ResolveResult::Bound(Namespace(n)) if *n == SAML_METADATA_NS);
    let mut reader = quick_xml::reader::NsReader::from_reader(xml);
    let mut buf = Vec::new();
    let mut root = None;
    let mut depth = 0usize;
    // Whether the current depth-1 element is a metadata EntityDescriptor.
    let mut in_entity = false;
    let mut idp_found = false;
    loop {
        let at = reader.buffer_position();
        let (ns, event) =
            reader.read_resolved_event_into(&mut buf).map_err(|e| format!("malformed XML after byte {at}: {e}"))?;
        match event {
            X::Start(ref e) | X::Empty(ref e) => {
                let local = e.local_name();
                let metadata = in_metadata_ns(&ns);
                if depth == 0 {
                    root = match local.as_ref() {
                        "EntityDescriptor" if metadata => Some(Root::Entity),
                        "EntitiesDescriptor" if metadata => Some(Root::Entities),
                        "EntityDescriptor" | "EntitiesDescriptor" => {
                            return Err(format!(
                                "the root element is not in the SAML metadata namespace {SAML_METADATA_NS}"
                            ));
                        }
                        other => {
                            return Err(format!("the root element is {other}, not EntityDescriptor"));
                        }
                    };
                } else if root == Some(Root::Entities) {
                    if depth == 1 {
                        in_entity = metadata && local.as_ref() == "EntityDescriptor";
                    } else if depth == 2 && in_entity && metadata && local.as_ref() == "IDPSSODescriptor" {
                        idp_found = true;
                    }
                }
                if matches!(event, X::Start(_)) {
                    depth += 1;
                } else if depth == 0 {
                    break;
                }
            }
            X::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            X::Eof => {
                return Err(if root.is_none() {
                    "it has no root element".to_string()
                } else {
                    "an element is not closed".to_string()
                });
            }
            _ => {}
        }
        buf.clear();
    }
    if root == Some(Root::Entities) && !idp_found {
        return Err("no EntityDescriptor of its EntitiesDescriptor has an IDPSSODescriptor".into());
    }
    Ok(())
}

/// The OIDs of an ECDSA key in PKCS#8 and of the curves ZITADEL's Go
/// runtime knows, with each curve's order (big-endian).
const EC_PUBLIC_KEY: const_oid::ObjectIdentifier = const_oid::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const CURVES: [(&str, &str); 4] = [
    ("1.3.132.0.33", "ffffffffffffffffffffffffffff16a2e0b8f03e13dd29455c5c2a3d"),
    ("1.2.840.10045.3.1.7", "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"),
    (
        "1.3.132.0.34",
        "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
    ),
    (
        "1.3.132.0.35",
        "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\
         fa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
    ),
];

/// Checks an Apple private key as ZITADEL reads it: the first PEM block of
/// the text (whatever its label; text before it is skipped) holds a PKCS#8
/// ECDSA private key on P-224, P-256, P-384 or P-521 whose scalar is
/// between 1 and the curve's order. SEC1 (`EC PRIVATE KEY`) and other key
/// types are refused. The error says why, for a message.
pub fn check_apple_private_key(pem: &[u8]) -> std::result::Result<(), String> {
    use p256::pkcs8::PrivateKeyInfoRef;
    use p256::pkcs8::der::Decode;

    let block = crate::pem::first_block(pem).ok_or("it holds no PEM block")?;
    let info = PrivateKeyInfoRef::from_der(&block.bytes).map_err(|_| "it is not a PKCS#8 private key")?;
    if info.algorithm.oid != EC_PUBLIC_KEY {
        return Err("it is not an ECDSA key".into());
    }
    let key = sec1::EcPrivateKey::from_der(info.private_key.as_bytes()).map_err(|_| "its EC key is malformed")?;
    let outer = info.algorithm.parameters.and_then(|p| p.decode_as::<const_oid::ObjectIdentifier>().ok());
    let inner = key.parameters.map(|sec1::EcParameters::NamedCurve(oid)| oid);
    let curve = outer.or(inner).ok_or("it names no curve")?;
    let (_, order) = CURVES.iter().find(|(oid, _)| curve.to_string() == *oid).ok_or("its curve is not supported")?;
    let order = hex::decode(order.replace(char::is_whitespace, "")).map_err(|_| "curve table")?;
    let scalar = key.private_key;
    let significant = &scalar[scalar.iter().position(|&b| b != 0).unwrap_or(scalar.len())..];
    if significant.is_empty() {
        return Err("its private key is zero".into());
    }
    let order_len = order.len() - order.iter().position(|&b| b != 0).unwrap_or(0);
    let below_order = match significant.len().cmp(&order_len) {
        std::cmp::Ordering::Less => true,
        std::cmp::Ordering::Greater => false,
        std::cmp::Ordering::Equal => significant < &order[order.len() - order_len..],
    };
    if !below_order {
        return Err("its private key is out of range".into());
    }
    Ok(())
}

/// How many certificates a bundle gives, as Go's `AppendCertsFromPEM`
/// counts them: every `CERTIFICATE` block without headers that parses as
/// an X.509 certificate; other blocks, broken ones and text between them
/// are skipped.
pub fn count_pem_certificates(pem: &[u8]) -> usize {
    use x509_cert::der::Decode;
    crate::pem::blocks(pem)
        .iter()
        .filter(|b| b.label == "CERTIFICATE" && !b.has_headers && x509_cert::Certificate::from_der(&b.bytes).is_ok())
        .count()
}

/// A service provider's key pair: the private key (PKCS#1 PEM) and its
/// self-signed certificate (PEM).
pub struct SpKeyPair {
    pub key_pem: String,
    pub certificate_pem: String,
}

/// Certificates of SAML service providers live this long (8766 h, a year).
pub const SP_CERTIFICATE_LIFETIME: std::time::Duration = std::time::Duration::from_secs(8766 * 3600);

/// Makes an RSA key of `bits` and a self-signed certificate for the SAML
/// provider `idp_id`: subject `O=burg, CN=burg SP <id>, serialNumber=<id>`
/// (in that order, as ZITADEL's Go code writes its names), serial the id,
/// valid from now for [`SP_CERTIFICATE_LIFETIME`], for signatures and key
/// encipherment, not a CA. CPU-heavy: run it off the async workers.
pub fn generate_sp_key_pair(idp_id: &str, bits: usize) -> Result<SpKeyPair> {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use std::str::FromStr;
    use x509_cert::builder::{Builder, CertificateBuilder};
    use x509_cert::der::EncodePem;
    use x509_cert::der::pem::LineEnding;
    use x509_cert::name::Name;
    use x509_cert::serial_number::SerialNumber;
    use x509_cert::spki::SubjectPublicKeyInfo;
    use x509_cert::time::Validity;

    let fail = |what: &str, e: &dyn std::fmt::Display| {
        Error::internal("IDP-cert01", format!("cannot create the SAML certificate ({what}): {e}"))
    };
    let key = rsa::PrivateKey::new(&mut rand::rng(), bits).map_err(|e| fail("key", &e))?;
    let key_pem = key.to_pkcs1_pem(LineEnding::LF).map_err(|e| fail("key encoding", &e))?.to_string();
    let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key);
    let public =
        SubjectPublicKeyInfo::from_key(&rsa::PublicKey::from(signer.as_ref())).map_err(|e| fail("public key", &e))?;
    let serial = match idp_id.parse::<u64>() {
        Ok(n) => SerialNumber::from(n),
        Err(_) => SerialNumber::new(idp_id.as_bytes()).map_err(|e| fail("serial", &e))?,
    };
    // RFC 4514 text lists the names last first.
    let subject = Name::from_str(&format!("serialNumber={idp_id},CN=burg SP {idp_id},O=burg"))
        .map_err(|e| fail("subject", &e))?;
    let validity = Validity::from_now(SP_CERTIFICATE_LIFETIME).map_err(|e| fail("validity", &e))?;
    let builder = CertificateBuilder::new(SelfSignedLeaf { subject }, serial, validity, public)
        .map_err(|e| fail("builder", &e))?;
    let certificate = builder.build::<_, rsa::pkcs1v15::Signature>(&signer).map_err(|e| fail("signature", &e))?;
    let certificate_pem = certificate.to_pem(LineEnding::LF).map_err(|e| fail("encoding", &e))?;
    Ok(SpKeyPair { key_pem, certificate_pem })
}

/// A self-signed end-entity certificate for signing and key encipherment.
struct SelfSignedLeaf {
    subject: x509_cert::name::Name,
}

impl x509_cert::builder::profile::BuilderProfile for SelfSignedLeaf {
    fn get_issuer(&self, subject: &x509_cert::name::Name) -> x509_cert::name::Name {
        subject.clone()
    }

    fn get_subject(&self) -> x509_cert::name::Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _spk: x509_cert::spki::SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: x509_cert::spki::SubjectPublicKeyInfoRef<'_>,
        tbs: &x509_cert::certificate::TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<x509_cert::ext::Extension>> {
        use x509_cert::ext::ToExtension;
        use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages};
        // Each extension is checked against the ones before it.
        let key_usage =
            KeyUsage(KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment).to_extension(tbs.subject(), &[])?;
        let mut extensions = vec![key_usage];
        extensions.push(
            ExtendedKeyUsage(vec![const_oid::db::rfc5280::ID_KP_SERVER_AUTH])
                .to_extension(tbs.subject(), &extensions)?,
        );
        extensions
            .push(BasicConstraints { ca: false, path_len_constraint: None }.to_extension(tbs.subject(), &extensions)?);
        Ok(extensions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_follow_zitadel() {
        assert_eq!(Kind::Ldap.added_event(), "instance.idp.ldap.v2.added");
        assert_eq!(Kind::Azure.changed_event(), "instance.idp.azure.changed");
        assert!(carries_template("instance.idp.github_enterprise.changed"));
        assert!(carries_template(MIGRATED_GOOGLE));
        assert!(carries_template("org.idp.ldap.v2.changed"));
        assert!(carries_template(ORG_MIGRATED_AZURE));
        assert!(!carries_template(ORG_REMOVED));
        for k in Kind::ALL {
            assert_eq!(k.org_added_event().strip_prefix("org."), k.added_event().strip_prefix("instance."));
            assert_eq!(k.org_changed_event().strip_prefix("org."), k.changed_event().strip_prefix("instance."));
        }
        assert!(!carries_template(REMOVED));
        let types: std::collections::BTreeSet<i32> = Kind::ALL.iter().map(|k| k.provider_type()).collect();
        assert_eq!(types, (1..=12).collect());
        for kind in Kind::ALL {
            assert_eq!(Kind::from_provider_type(kind.provider_type().into()), Some(kind));
        }
        assert_eq!(Kind::from_provider_type(0), None);
    }

    #[test]
    fn saml_metadata() {
        let md = r#"xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata""#;
        let entity = format!(
            r#"<md:EntityDescriptor {md} entityID="https://idp.example.com"><md:IDPSSODescriptor/></md:EntityDescriptor>"#
        );
        let accepted = [
            format!(r#"<?xml version="1.0"?>{entity}"#),
            // A default namespace, no IdP descriptor: a lone entity is enough.
            r#"<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>"#.to_string(),
            // Text before the root is skipped, anything after it is not read.
            format!("junk {entity} <more> & broken"),
            format!(
                r#"<md:EntitiesDescriptor {md}><md:EntityDescriptor entityID="sp"><md:SPSSODescriptor/></md:EntityDescriptor>{entity}</md:EntitiesDescriptor>"#
            ),
        ];
        for xml in &accepted {
            assert_eq!(check_saml_metadata(xml.as_bytes()), Ok(()), "{xml}");
        }
        let refused: [(String, &str); 9] = [
            (format!("<md:EntityDescriptor {md}><a></md:EntityDescriptor>"), "malformed"),
            ("<EntityDescriptor entityID=\"x\"/>".into(), "not in the SAML metadata namespace"),
            (r#"<EntityDescriptor xmlns="urn:other"/>"#.into(), "not in the SAML metadata namespace"),
            (format!("<md:Other {md}/>"), "root element is Other"),
            ("not xml at all".into(), "no root element"),
            (String::new(), "no root element"),
            (format!("<md:EntityDescriptor {md}><x>"), "not closed"),
            (
                format!(
                    r#"<md:EntitiesDescriptor {md}><md:EntityDescriptor><md:SPSSODescriptor/></md:EntityDescriptor></md:EntitiesDescriptor>"#
                ),
                "IDPSSODescriptor",
            ),
            (
                // The IdP descriptor must be a child of an entity, not deeper.
                format!(
                    r#"<md:EntitiesDescriptor {md}><md:EntityDescriptor><x><md:IDPSSODescriptor/></x></md:EntityDescriptor></md:EntitiesDescriptor>"#
                ),
                "IDPSSODescriptor",
            ),
        ];
        for (xml, expect) in refused {
            let why = check_saml_metadata(xml.as_bytes()).unwrap_err();
            assert!(why.contains(expect), "{xml}: {why}");
        }
    }

    /// Keys made with `openssl genpkey` / `openssl ecparam` for these tests.
    const P384_PKCS8: &str = "-----BEGIN PRIVATE KEY-----
MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDDTjiQef0QBIrIcE+jY
1zQFIjTv0QK4EbRsKsnH6xx3emHt3AzH6YtCyXDRvp+lmIehZANiAAR3q0XBSLJC
LZK4qp78BOyphXX5dwZKAz98BouKeQskcIJfa8PQhdW5mQEYaEY1i4oMGN2K4vVF
6h9zfcu7WgHwdkikOb9iOUdpokPIVtFShNKOmCkG4nZqlfZSiNWmSDM=
-----END PRIVATE KEY-----
";
    const P521_PKCS8: &str = "-----BEGIN PRIVATE KEY-----
MIHuAgEAMBAGByqGSM49AgEGBSuBBAAjBIHWMIHTAgEBBEIAMFJPamQC7FfWjTZD
dYfTK1xyn8Pfi3Btd++MOJ9TqZox97LnktcvRMQTKZ+8OhS6B4gz0XNtw3Ves4iX
MQ10umihgYkDgYYABAG195LtEt9RrH0Jr0ZKyi3ljLI6+9G5iNvAkle7NcURffuN
ogexSni4od47FgO9O9W5+2s3Q1/IVfngqRKmRT1fKwAN/1NI2QYpgkbrEwGSBawd
EGfLXDvkplgx4RRxGI5pgYWZM3fUWrT5hc11M/uc6W+OvEAGCMYrVGkFkYE1Hvzw
Ew==
-----END PRIVATE KEY-----
";
    const SECP256K1_PKCS8: &str = "-----BEGIN PRIVATE KEY-----
MIGEAgEAMBAGByqGSM49AgEGBSuBBAAKBG0wawIBAQQgrLCDra3DQS4Q/r+1bpAn
em9L8bYX4R365p/B+m0h2XGhRANCAARkCV5vTfWAYeY8CoskecbtmJBcEanKmhbB
1CI80j8y5euO0ORdTBrPFct/mnF4Wwg3SHoqxA1cl9mSP2mdIk8L
-----END PRIVATE KEY-----
";
    const P256_SEC1: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIDAB0M/YZgVUSsQZtB/+BQBK+LaH81VArABq4y2ibwXAoAoGCCqGSM49
AwEHoUQDQgAEwFMABonSpiPd44uEnSu71XRT3kx7utx86yUMoW8XNJE2yuwymUJf
PCWDjxEGBOEMK9NhR3+4uLtHJ3+W+rJ1fQ==
-----END EC PRIVATE KEY-----
";
    const ED25519_PKCS8: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEID9Q0gEeWAmk9txWCOLuoW42sbIueNMl8axKHMqh6Rfj
-----END PRIVATE KEY-----
";

    /// A P-256 PKCS#8 PEM whose scalar is replaced by `scalar`.
    fn p256_with_scalar(scalar: &[u8; 32]) -> String {
        use base64::Engine;
        use p256::elliptic_curve::Generate;
        use p256::pkcs8::EncodePrivateKey;
        let key = p256::SecretKey::generate_from_rng(&mut rand::rng());
        let mut der = key.to_pkcs8_der().unwrap().as_bytes().to_vec();
        let own = key.to_bytes();
        let at = der.windows(32).position(|w| w == own.as_slice()).unwrap();
        der[at..at + 32].copy_from_slice(scalar);
        let body = base64::engine::general_purpose::STANDARD.encode(der);
        format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n")
    }

    #[test]
    fn apple_keys() {
        use p256::elliptic_curve::Generate;
        use p256::pkcs8::EncodePrivateKey;
        let key = p256::SecretKey::generate_from_rng(&mut rand::rng());
        let pem = key.to_pkcs8_pem(p256::pkcs8::LineEnding::LF).unwrap().to_string();
        for good in [
            pem.clone(),
            format!("Apple's download page said:\r\n{}", pem.replace('\n', "\r\n")),
            P384_PKCS8.to_string(),
            P521_PKCS8.to_string(),
            // Only the first block is read, whatever its label and whatever follows.
            pem.replace("PRIVATE KEY", "EC PRIVATE KEY") + "-----BEGIN X-----\n!!\n-----END X-----\n",
        ] {
            assert_eq!(check_apple_private_key(good.as_bytes()), Ok(()), "{good}");
        }
        let mut order = [0u8; 32];
        hex::decode_to_slice("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", &mut order).unwrap();
        let refused: [(String, &str); 8] = [
            (P256_SEC1.into(), "not a PKCS#8"),
            (ED25519_PKCS8.into(), "not an ECDSA key"),
            (SECP256K1_PKCS8.into(), "curve is not supported"),
            (p256_with_scalar(&[0; 32]), "zero"),
            (p256_with_scalar(&order), "out of range"),
            ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----".into(), "not a PKCS#8"),
            // The first block decides, even when a later one is good.
            (format!("{P256_SEC1}{pem}"), "not a PKCS#8"),
            ("no key here".into(), "no PEM block"),
        ];
        for (text, expect) in refused {
            let why = check_apple_private_key(text.as_bytes()).unwrap_err();
            assert!(why.contains(expect), "{expect}: {why}");
        }
        assert!(check_apple_private_key(b"\xff\xfe").is_err());
    }

    #[test]
    fn root_ca_bundles_count_good_certificates_only() {
        let cert = generate_sp_key_pair("7", 1024).unwrap().certificate_pem;
        let broken = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
        let with_headers = cert.replace("CERTIFICATE-----\n", "CERTIFICATE-----\nNote: x\n\n");
        assert_eq!(count_pem_certificates(cert.as_bytes()), 1);
        assert_eq!(count_pem_certificates(format!("{cert}{cert}").as_bytes()), 2);
        let mixed = format!("a comment\n{broken}{P256_SEC1}{cert}trailing text");
        assert_eq!(count_pem_certificates(mixed.as_bytes()), 1, "other and broken blocks are skipped");
        assert_eq!(count_pem_certificates(broken.as_bytes()), 0);
        assert_eq!(count_pem_certificates(with_headers.as_bytes()), 0, "a block with headers is skipped");
        assert_eq!(count_pem_certificates(b""), 0);
    }

    #[test]
    fn durations_are_nanoseconds_of_one_sign() {
        assert_eq!(Duration::from_parts(10, 0), Duration { seconds: 10, nanos: 0 });
        assert_eq!(Duration::from_parts(-1, 0), Duration { seconds: -1, nanos: 0 });
        assert_eq!(Duration::from_parts(1, -500_000_000), Duration { seconds: 0, nanos: 500_000_000 });
        assert_eq!(Duration::from_parts(-2, 1_500_000_000), Duration { seconds: 0, nanos: -500_000_000 });
        assert_eq!(Duration::from_parts(0, -1), Duration { seconds: 0, nanos: -1 });
        let max = Duration::from_parts(i64::MAX, 0);
        assert_eq!(max, Duration { seconds: i64::MAX / 1_000_000_000, nanos: (i64::MAX % 1_000_000_000) as i32 });
        assert_eq!(Duration::from_parts(i64::MIN, -999_999_999).seconds, i64::MIN / 1_000_000_000);
        assert!(Duration::from_parts(0, 0).is_zero() && Duration::from_parts(1, -1_000_000_000).is_zero());
    }

    #[test]
    fn sp_certificate() {
        use x509_cert::der::DecodePem;
        let pair = generate_sp_key_pair("250000000000000001", 1024).unwrap();
        assert!(pair.key_pem.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        let cert = x509_cert::Certificate::from_pem(pair.certificate_pem.as_bytes()).unwrap();
        let tbs = cert.tbs_certificate();
        assert_eq!(tbs.subject(), tbs.issuer());
        // O, CN and serial number, in that order (RFC 4514 text lists them last first).
        assert_eq!(
            tbs.subject().to_string(),
            "SERIALNUMBER=250000000000000001,CN=burg SP 250000000000000001,O=burg",
            "as ZITADEL's `O=ZITADEL, CN=ZITADEL SP <id>`"
        );
        let validity = tbs.validity();
        let days = (validity.not_after.to_unix_duration() - validity.not_before.to_unix_duration()).as_secs() / 86400;
        assert_eq!(days, 365);
        let other = generate_sp_key_pair("250000000000000001", 1024).unwrap();
        assert_ne!(pair.key_pem, other.key_pem);
    }
}
