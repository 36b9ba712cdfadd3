//! SAML 2.0: the identity provider's metadata (given, or fetched from a
//! URL) and how to talk to it. No secret is given; the service provider's
//! key pair is made on add and kept by updates.

use burg_api::admin as a;
use burg_api::idp::{self as pb, provider_config::Config as C};
use burg_domain::Result;
use burg_domain::idp::{Config, Kind};

use super::super::saml::MetadataOf;
use super::super::{Draft, IdpKind, fields, provider_rpcs};
use crate::App;

pub(crate) struct Saml;

/// What add and update share, once the metadata is in hand.
struct Fields {
    name: String,
    metadata_xml: Vec<u8>,
    binding: i32,
    with_signed_request: bool,
    provider_options: Option<pb::Options>,
    name_id_format: Option<i32>,
    transient_mapping_attribute_name: Option<String>,
    federated_logout_enabled: Option<bool>,
    signature_algorithm: Option<i32>,
}

/// `name` is checked already (before the metadata is fetched). Enum
/// numbers the API does not define are taken as unspecified, as ZITADEL's
/// converters take them. What ZITADEL keeps as its zero value (no
/// attribute name, federated logout off, no signature algorithm) is stored
/// as such, so that leaving it out and sending the zero value are alike.
fn draft(f: Fields) -> Draft {
    let known_or_unspecified = |known: bool, value: i32| if known { value } else { 0 };
    let binding = known_or_unspecified(pb::SamlBinding::try_from(f.binding).is_ok(), f.binding);
    let name_id_format = f.name_id_format.map(|v| known_or_unspecified(pb::SamlNameIdFormat::try_from(v).is_ok(), v));
    let signature_algorithm = f
        .signature_algorithm
        .map(|v| known_or_unspecified(pb::SamlSignatureAlgorithm::try_from(v).is_ok(), v))
        .filter(|&v| v != 0);
    Draft {
        name: f.name,
        config: Config::Saml {
            metadata_xml: f.metadata_xml,
            binding,
            with_signed_request: f.with_signed_request,
            name_id_format,
            transient_mapping_attribute_name: Some(f.transient_mapping_attribute_name.unwrap_or_default()),
            federated_logout_enabled: f.federated_logout_enabled.filter(|&on| on),
            signature_algorithm,
            key: fields::placeholder(),
            certificate: String::new(),
        },
        secret: None,
        options: fields::options(f.provider_options),
    }
}

impl IdpKind for Saml {
    const KIND: Kind = Kind::Saml;
    const UPDATE_NOT_FOUND: &'static str = "INST-D3r1s";
    const UPDATE_ID_EMPTY: &'static str = "INST-7o3rq1owpm";
    type Add = a::AddSamlProviderRequest;
    type Update = a::UpdateSamlProviderRequest;

    fn update_id(r: &Self::Update) -> &str {
        &r.id
    }

    async fn draft_add(app: &App, r: Self::Add) -> Result<Draft> {
        let name = fields::required("name", r.name, "INST-o07zjotgnd")?;
        let metadata_xml = app.saml_metadata(MetadataOf::Add, r.metadata.map(Into::into)).await?;
        Ok(draft(Fields {
            name,
            metadata_xml,
            binding: r.binding,
            with_signed_request: r.with_signed_request,
            provider_options: r.provider_options,
            name_id_format: r.name_id_format,
            transient_mapping_attribute_name: r.transient_mapping_attribute_name,
            federated_logout_enabled: r.federated_logout_enabled,
            signature_algorithm: r.signature_algorithm,
        }))
    }

    async fn draft_update(app: &App, r: Self::Update) -> Result<Draft> {
        let name = fields::required("name", r.name, "INST-q2s9rak7o9")?;
        let metadata_xml = app.saml_metadata(MetadataOf::Update, r.metadata.map(Into::into)).await?;
        Ok(draft(Fields {
            name,
            metadata_xml,
            binding: r.binding,
            with_signed_request: r.with_signed_request,
            provider_options: r.provider_options,
            name_id_format: r.name_id_format,
            transient_mapping_attribute_name: r.transient_mapping_attribute_name,
            federated_logout_enabled: r.federated_logout_enabled,
            signature_algorithm: r.signature_algorithm,
        }))
    }

    fn wire(config: &Config) -> Option<C> {
        let Config::Saml {
            metadata_xml,
            binding,
            with_signed_request,
            name_id_format,
            transient_mapping_attribute_name,
            federated_logout_enabled,
            signature_algorithm,
            ..
        } = config
        else {
            return None;
        };
        Some(C::Saml(pb::SamlConfig {
            metadata_xml: metadata_xml.clone(),
            binding: *binding,
            with_signed_request: *with_signed_request,
            // As ZITADEL: persistent when none is stored, and the three
            // newer members always answered.
            name_id_format: name_id_format.unwrap_or(pb::SamlNameIdFormat::Persistent as i32),
            transient_mapping_attribute_name: Some(transient_mapping_attribute_name.clone().unwrap_or_default()),
            federated_logout_enabled: Some(federated_logout_enabled.unwrap_or(false)),
            signature_algorithm: Some(
                signature_algorithm.unwrap_or(pb::SamlSignatureAlgorithm::SamlSignatureUnspecified as i32),
            ),
        }))
    }

    async fn generate(app: &App, id: &str, config: &mut Config) -> Result<()> {
        if let Config::Saml { key, certificate, .. } = config {
            (*key, *certificate) = app.sp_key_pair(id).await?;
        }
        Ok(())
    }

    fn keep_stored(stored: &Config, next: &mut Config) {
        if let (
            Config::Saml { key, certificate, .. },
            Config::Saml { key: old_key, certificate: old_certificate, .. },
        ) = (next, stored)
        {
            (*key, *certificate) = (old_key.clone(), old_certificate.clone());
        }
    }
}

provider_rpcs!(
    Saml,
    add_saml_provider(AddSamlProviderRequest) -> AddSamlProviderResponse,
    update_saml_provider(UpdateSamlProviderRequest) -> UpdateSamlProviderResponse,
    mgmt_add_saml_provider, mgmt_update_saml_provider,
);
