//! SAML 2.0: the identity provider's metadata (given, or fetched from a
//! URL) and how to talk to it. No secret is given; the service provider's
//! key pair is made on add and kept by updates.

use burg_api::admin as a;
use burg_api::idp::{self as pb, provider_config::Config as C};
use burg_domain::idp::{Config, Kind};
use burg_domain::{Error, Result, validate};

use super::super::saml::SamlMetadata;
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

/// `name` is checked already (before the metadata is fetched).
fn draft(f: Fields) -> Result<Draft> {
    validate::defined_enum("binding", f.binding, pb::SamlBinding::try_from(f.binding).is_ok())?;
    if let Some(format) = f.name_id_format {
        validate::defined_enum("nameIdFormat", format, pb::SamlNameIdFormat::try_from(format).is_ok())?;
    }
    if let Some(attribute) = &f.transient_mapping_attribute_name {
        validate::len("transientMappingAttributeName", attribute, 0, 200)?;
    }
    if let Some(algorithm) = f.signature_algorithm {
        let known = pb::SamlSignatureAlgorithm::try_from(algorithm).is_ok();
        validate::defined_enum("signatureAlgorithm", algorithm, known)?;
    }
    Ok(Draft {
        name: f.name,
        config: Config::Saml {
            metadata_xml: f.metadata_xml,
            binding: f.binding,
            with_signed_request: f.with_signed_request,
            name_id_format: f.name_id_format,
            transient_mapping_attribute_name: f.transient_mapping_attribute_name,
            federated_logout_enabled: f.federated_logout_enabled,
            signature_algorithm: f.signature_algorithm,
            key: fields::placeholder(),
            certificate: String::new(),
        },
        secret: None,
        options: fields::options(f.provider_options)?,
    })
}

impl IdpKind for Saml {
    const KIND: Kind = Kind::Saml;
    const UPDATE_NOT_FOUND: &'static str = "INST-D3r1s";
    type Add = a::AddSamlProviderRequest;
    type Update = a::UpdateSamlProviderRequest;

    fn update_id(r: &Self::Update) -> &str {
        &r.id
    }

    async fn draft_add(app: &App, r: Self::Add) -> Result<Draft> {
        let name = fields::name(Kind::Saml, r.name)?;
        let metadata_xml = app.saml_metadata(r.metadata.map(Into::into)).await?;
        draft(Fields {
            name,
            metadata_xml,
            binding: r.binding,
            with_signed_request: r.with_signed_request,
            provider_options: r.provider_options,
            name_id_format: r.name_id_format,
            transient_mapping_attribute_name: r.transient_mapping_attribute_name,
            federated_logout_enabled: r.federated_logout_enabled,
            signature_algorithm: r.signature_algorithm,
        })
    }

    async fn draft_update(app: &App, r: Self::Update) -> Result<Draft> {
        let name = fields::name(Kind::Saml, r.name)?;
        let metadata_xml = match r.metadata.map(SamlMetadata::from) {
            None => {
                return Err(Error::invalid_argument("INST-iw1rxnf4sf", "`metadataXml` or `metadataUrl` is required"));
            }
            m => app.saml_metadata(m).await?,
        };
        draft(Fields {
            name,
            metadata_xml,
            binding: r.binding,
            with_signed_request: r.with_signed_request,
            provider_options: r.provider_options,
            name_id_format: r.name_id_format,
            transient_mapping_attribute_name: r.transient_mapping_attribute_name,
            federated_logout_enabled: r.federated_logout_enabled,
            signature_algorithm: r.signature_algorithm,
        })
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
            name_id_format: name_id_format.unwrap_or_default(),
            transient_mapping_attribute_name: transient_mapping_attribute_name.clone(),
            federated_logout_enabled: *federated_logout_enabled,
            signature_algorithm: *signature_algorithm,
        }))
    }

    async fn generate(app: &App, id: &str, config: &mut Config) -> Result<()> {
        if let Config::Saml { key, certificate, .. } = config {
            (*key, *certificate) = app.sp_key_pair(id).await?;
        }
        Ok(())
    }

    fn keep_generated(stored: &Config, next: &mut Config) {
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
);
