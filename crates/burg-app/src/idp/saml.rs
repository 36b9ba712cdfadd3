//! SAML: the metadata of a request (given, or fetched through `egress`),
//! and the service provider's key pair and certificate, made on add and on
//! `RegenerateSAMLProviderCertificate`.

use burg_api::admin as a;
use burg_domain::crypto::Sealed;
use burg_domain::idp::{self, Config, Kind};
use burg_domain::{Error, Result, validate};

use super::fields::{id, trimmed};
use super::{Scope, not_found};
use crate::{App, Ctx, details_of, egress, retry};

/// SAML metadata documents: at most 500 kB.
const SAML_METADATA_MAX: usize = 500_000;

/// The `metadata` oneof of the SAML requests.
pub(super) enum SamlMetadata {
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
    /// the URL given (the URL is not kept, as in ZITADEL).
    pub(super) async fn saml_metadata(&self, metadata: Option<SamlMetadata>) -> Result<Vec<u8>> {
        match metadata {
            Some(SamlMetadata::Xml(xml)) if !xml.is_empty() => {
                if xml.len() > SAML_METADATA_MAX {
                    return Err(Error::invalid_argument(
                        "IDP-saml02",
                        format!("`metadataXml` may have at most {SAML_METADATA_MAX} bytes"),
                    ));
                }
                idp::check_saml_metadata("metadataXml", &xml)?;
                Ok(xml)
            }
            Some(SamlMetadata::Url(url)) if !url.is_empty() => self.fetch_saml_metadata(&trimmed(url)).await,
            _ => Err(Error::invalid_argument("INST-3bi3esi16t", "`metadataXml` or `metadataUrl` is required")),
        }
    }

    /// A fresh SAML service-provider key pair, made off the async workers.
    pub(super) async fn sp_key_pair(&self, idp_id: &str) -> Result<(Sealed, String)> {
        let (id, bits) = (idp_id.to_string(), self.config.saml_key_bits);
        let pair = tokio::task::spawn_blocking(move || idp::generate_sp_key_pair(&id, bits))
            .await
            .map_err(|e| Error::internal("IDP-cert02", format!("key generation stopped: {e}")))??;
        Ok((self.key.seal(pair.key_pem.as_bytes()), pair.certificate_pem))
    }

    pub async fn regenerate_saml_provider_certificate(
        &self,
        ctx: &Ctx,
        r: a::RegenerateSamlProviderCertificateRequest,
    ) -> Result<a::RegenerateSamlProviderCertificateResponse> {
        id(&r.id)?;
        let (key, certificate) = self.sp_key_pair(&r.id).await?;
        let scope = Scope::Instance;
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let current = self
                .load_template(tx.conn(), &r.id)
                .await?
                .filter(|s| s.template.kind() == Kind::Saml)
                .ok_or_else(|| not_found("INST-76dbwsv9vm", &r.id))?;
            let mut next = current.template.clone();
            if let Config::Saml { key: k, certificate: c, .. } = &mut next.config {
                (*k, *c) = (key.clone(), certificate.clone());
            }
            // `{id, key, certificate}`: a fresh key always differs.
            let events = self.push_changed(&mut tx, scope, &current.template, &next).await?.unwrap_or_default();
            tx.commit().await?;
            Ok(details_of(&events))
        })
        .await?;
        Ok(a::RegenerateSamlProviderCertificateResponse { details })
    }

    /// The SAML service provider's current certificate (PEM); for the
    /// metadata endpoint and for tests.
    pub async fn saml_sp_certificate(&self, idp_id: &str) -> Result<String> {
        let mut conn = self.db.acquire("IDP-db0007").await?;
        match self.load_template(&mut *conn, idp_id).await?.map(|s| s.template.config) {
            Some(Config::Saml { certificate, .. }) => Ok(certificate),
            _ => Err(not_found("IDP-samlcert", idp_id)),
        }
    }
}
