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

    /// The kind of `ProviderType` number `provider_type` (as
    /// `idp_templates.idp_type` stores it); `None` for a number no kind has.
    pub fn from_provider_type(provider_type: i64) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| i64::from(k.provider_type()) == provider_type)
    }

    /// The event type written when a template of this kind is added.
    pub fn added_event(self) -> &'static str {
        self.info().added_event
    }

    /// The event type written when a template of this kind changes.
    pub fn changed_event(self) -> &'static str {
        self.info().changed_event
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

/// Every event type that adds or changes a template (see
/// [`crate::idp_events::template_event`]).
pub fn carries_template(event_type: &str) -> bool {
    event_type == MIGRATED_AZURE
        || event_type == MIGRATED_GOOGLE
        || Kind::ALL.iter().any(|k| k.added_event() == event_type || k.changed_event() == event_type)
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
        /// The metadata document, given or fetched (a URL it came from is
        /// not kept, as in ZITADEL; rows of earlier releases may still
        /// hold a `metadataUrl`, which is ignored).
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

/// Checks that `xml` is well-formed XML whose root element is a SAML
/// `EntityDescriptor`.
pub fn check_saml_metadata(field: &str, xml: &[u8]) -> Result<()> {
    use quick_xml::events::Event as X;
    let bad = |why: String| Error::invalid_argument("IDP-saml01", format!("`{field}` is not SAML metadata: {why}"));
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut root_done = false;
    let mut root_seen = false;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| bad(format!("malformed XML at byte {}: {e}", reader.buffer_position())))?;
        match event {
            X::Start(ref e) | X::Empty(ref e) => {
                if root_done {
                    return Err(bad("more than one root element".into()));
                }
                if depth == 0 {
                    if e.local_name().as_ref() != "EntityDescriptor" {
                        let name = e.local_name().as_ref().to_string();
                        return Err(bad(format!("the root element is {name}, not EntityDescriptor")));
                    }
                    root_seen = true;
                }
                if matches!(event, X::Start(_)) {
                    depth += 1;
                } else if depth == 0 {
                    root_done = true;
                }
            }
            X::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    root_done = true;
                }
            }
            X::Text(ref t) if depth == 0 && !t.as_ref().trim().is_empty() => {
                return Err(bad("text outside the root element".into()));
            }
            X::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !root_seen {
        return Err(bad("it has no EntityDescriptor element".into()));
    }
    if depth != 0 {
        return Err(bad("an element is not closed".into()));
    }
    Ok(())
}

/// Checks that `pem` is an EC P-256 private key in PEM (PKCS#8, as Apple
/// hands them out, or SEC1).
pub fn check_apple_private_key(field: &str, pem: &[u8]) -> Result<()> {
    use p256::pkcs8::DecodePrivateKey;
    let bad = || Error::invalid_argument("IDP-apple1", format!("`{field}` must be a PEM-encoded P-256 private key"));
    let text = std::str::from_utf8(pem).map_err(|_| bad())?.trim();
    if p256::SecretKey::from_pkcs8_pem(text).is_ok() || p256::SecretKey::from_sec1_pem(text).is_ok() {
        Ok(())
    } else {
        Err(bad())
    }
}

/// How many X.509 certificates a PEM bundle holds; an error if any block
/// is not a certificate.
pub fn count_pem_certificates(pem: &[u8]) -> Result<usize> {
    x509_cert::Certificate::load_pem_chain(pem)
        .map(|certs| certs.len())
        .map_err(|e| Error::invalid_argument("IDP-pem01", format!("not a PEM certificate bundle: {e}")))
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
/// provider `idp_id`: subject `O=burg, serialNumber=<id>`, serial the id,
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
    let subject = Name::from_str(&format!("O=burg,serialNumber={idp_id}")).map_err(|e| fail("subject", &e))?;
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
        let ok = br#"<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com"><md:IDPSSODescriptor/></md:EntityDescriptor>"#;
        check_saml_metadata("metadataXml", ok).unwrap();
        let cases: [(&[u8], &str); 6] = [
            (b"<EntityDescriptor><a></EntityDescriptor>", "malformed"),
            (b"<Other/>", "root element is Other"),
            (b"not xml at all", "text outside the root"),
            (b"<!-- nothing -->", "no EntityDescriptor"),
            (b"<EntityDescriptor><x>", "not closed"),
            (b"<EntityDescriptor/><EntityDescriptor/>", "more than one root"),
        ];
        for (xml, expect) in cases {
            let e = check_saml_metadata("metadataXml", xml).unwrap_err();
            assert!(e.message.contains(expect) && e.message.contains("metadataXml"), "{}: {}", expect, e.message);
        }
    }

    #[test]
    fn apple_keys() {
        use p256::elliptic_curve::Generate;
        use p256::pkcs8::EncodePrivateKey;
        let key = p256::SecretKey::generate_from_rng(&mut rand::rng());
        let pem = key.to_pkcs8_pem(p256::pkcs8::LineEnding::LF).unwrap();
        check_apple_private_key("privateKey", pem.as_bytes()).unwrap();
        assert!(
            check_apple_private_key("privateKey", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
                .is_err()
        );
        assert!(check_apple_private_key("privateKey", b"\xff\xfe").unwrap_err().message.contains("privateKey"));
    }

    #[test]
    fn sp_certificate() {
        use x509_cert::der::DecodePem;
        let pair = generate_sp_key_pair("250000000000000001", 1024).unwrap();
        assert!(pair.key_pem.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        let cert = x509_cert::Certificate::from_pem(pair.certificate_pem.as_bytes()).unwrap();
        let tbs = cert.tbs_certificate();
        assert_eq!(tbs.subject(), tbs.issuer());
        assert!(tbs.subject().to_string().contains("250000000000000001"), "{}", tbs.subject());
        let validity = tbs.validity();
        let days = (validity.not_after.to_unix_duration() - validity.not_before.to_unix_duration()).as_secs() / 86400;
        assert_eq!(days, 365);
        let other = generate_sp_key_pair("250000000000000001", 1024).unwrap();
        assert_ne!(pair.key_pem, other.key_pem);
    }
}
