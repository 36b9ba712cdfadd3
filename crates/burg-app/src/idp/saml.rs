//! SAML: the metadata of a request (given, or fetched through `egress`),
//! and the service provider's key pair and certificate, made on add and on
//! `RegenerateSAMLProviderCertificate`.

use burg_api::admin as a;
use burg_api::object::ObjectDetails;
use burg_domain::crypto::Sealed;
use burg_domain::idp::{self, Config, Kind};
use burg_domain::{Error, Result, validate};

use super::Stored;
use super::fields::update_id;
use super::{Scope, not_found};
use crate::{App, Ctx, changed_details, egress, retry};

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

/// Which request metadata comes with: ZITADEL answers each with its own
/// error ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MetadataOf {
    Add,
    Update,
}

impl MetadataOf {
    /// Neither a document nor a URL.
    fn missing(self) -> Error {
        let id = match self {
            MetadataOf::Add => "INST-3bi3esi16t",
            MetadataOf::Update => "INST-iw1rxnf4sf",
        };
        Error::invalid_argument(id, "`metadataXml` or `metadataUrl` is required")
    }

    /// The URL could not be read.
    fn unreadable(self, why: String) -> Error {
        let id = match self {
            MetadataOf::Add => "INST-8vam1khq22",
            MetadataOf::Update => "INST-iijz4h01if",
        };
        Error::invalid_argument(id, format!("`metadataUrl` could not be read: {why}"))
    }

    /// The document is not SAML metadata.
    fn invalid(self, field: &str, why: String) -> Error {
        let id = match self {
            MetadataOf::Add => "INST-SF3rwhgh",
            MetadataOf::Update => "INST-dsfj3kl2",
        };
        Error::invalid_argument(id, format!("`{field}` is not SAML metadata: {why}"))
    }
}

impl App {
    /// Fetches SAML metadata from `url` (taken as sent; a URL that is not
    /// one fails like any fetch).
    async fn fetch_saml_metadata(&self, of: MetadataOf, url: &str) -> Result<Vec<u8>> {
        self.fetch_metadata_document(url, |why| of.unreadable(why)).await
    }

    /// Fetches a metadata document (at most `SAML_METADATA_MAX` bytes)
    /// from `metadataUrl` through egress; `unreadable` says why a fetch
    /// that egress allowed failed.
    pub(crate) async fn fetch_metadata_document(
        &self,
        url: &str,
        unreadable: impl Fn(String) -> Error,
    ) -> Result<Vec<u8>> {
        validate::len("metadataUrl", url, 0, 200)?;
        let fetch_failed = |e: reqwest::Error| match egress::find_refusal(&e) {
            Some(r) => egress::refused("metadataUrl", r),
            None => unreadable(e.without_url().to_string()),
        };
        let request = self
            .egress
            .documents()
            .request(reqwest::Method::GET, url)
            .map_err(|r| egress::refused("metadataUrl", &r))?;
        let response = request.send().await.map_err(fetch_failed)?;
        if !response.status().is_success() {
            return Err(unreadable(format!("the server answered {}", response.status())));
        }
        match egress::read_capped(response, SAML_METADATA_MAX).await {
            Ok(body) => Ok(body),
            Err(egress::ReadError::TooLarge(_)) => {
                Err(unreadable(format!("the document is larger than {SAML_METADATA_MAX} bytes")))
            }
            Err(egress::ReadError::Failed(e)) => Err(fetch_failed(e)),
        }
    }

    /// The metadata document of a SAML request: the one given, or the one
    /// at the URL given, checked as ZITADEL checks it. An empty document is
    /// given (and is not metadata); an empty URL is none.
    pub(super) async fn saml_metadata(&self, of: MetadataOf, metadata: Option<SamlMetadata>) -> Result<Vec<u8>> {
        let (xml, field) = match metadata {
            Some(SamlMetadata::Xml(xml)) => {
                if xml.len() > SAML_METADATA_MAX {
                    return Err(Error::invalid_argument(
                        "IDP-saml02",
                        format!("`metadataXml` may have at most {SAML_METADATA_MAX} bytes"),
                    ));
                }
                (xml, "metadataXml")
            }
            Some(SamlMetadata::Url(url)) if !url.is_empty() => {
                (self.fetch_saml_metadata(of, &url).await?, "metadataUrl")
            }
            _ => return Err(of.missing()),
        };
        idp::check_saml_metadata(&xml).map_err(|why| of.invalid(field, why))?;
        Ok(xml)
    }

    /// A fresh SAML service-provider key pair, made off the async workers.
    pub(crate) async fn sp_key_pair(&self, idp_id: &str) -> Result<(Sealed, String)> {
        let (id, bits) = (idp_id.to_string(), self.config.saml_key_bits);
        let pair = tokio::task::spawn_blocking(move || idp::generate_sp_key_pair(&id, bits))
            .await
            .map_err(|e| Error::internal("IDP-cert02", format!("key generation stopped: {e}")))??;
        Ok((self.key.seal(pair.key_pem.as_bytes()), pair.certificate_pem))
    }

    /// Gives the SAML template `id` of `scope` a fresh key pair and
    /// certificate.
    async fn regenerate_scoped(&self, ctx: &Ctx, scope: Scope<'_>, id: &str) -> Result<Option<ObjectDetails>> {
        // As ZITADEL: the id is used trimmed.
        let idp_id = update_id(id, "INST-7de108gqya").map_err(|e| scope.error(e))?;
        let missing = || not_found(scope.id("INST-76dbwsv9vm"), &idp_id);
        let is_saml = |s: &Stored| s.template.kind() == Kind::Saml;
        // The key takes a while to make: only for a provider that exists.
        {
            let mut conn = self.db.acquire("IDP-db0020").await?;
            self.load_scoped(&mut *conn, scope, &idp_id).await?.filter(is_saml).ok_or_else(missing)?;
        }
        let (key, certificate) = self.sp_key_pair(&idp_id).await?;
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let current = self.load_scoped(tx.conn(), scope, &idp_id).await?.filter(is_saml).ok_or_else(missing)?;
            let mut next = current.template.clone();
            if let Config::Saml { key: k, certificate: c, .. } = &mut next.config {
                (*k, *c) = (key.clone(), certificate.clone());
            }
            // `{id, key, certificate}`: a fresh key always differs.
            let events = self.push_changed(&mut tx, scope, &current.template, &next).await?.unwrap_or_default();
            tx.commit().await?;
            Ok(changed_details(&events))
        })
        .await
    }

    pub async fn regenerate_saml_provider_certificate(
        &self,
        ctx: &Ctx,
        r: a::RegenerateSamlProviderCertificateRequest,
    ) -> Result<a::RegenerateSamlProviderCertificateResponse> {
        let details = self.regenerate_scoped(ctx, Scope::Instance, &r.id).await?;
        Ok(a::RegenerateSamlProviderCertificateResponse { details })
    }

    pub async fn mgmt_regenerate_saml_provider_certificate(
        &self,
        ctx: &Ctx,
        r: burg_api::management::RegenerateSamlProviderCertificateRequest,
    ) -> Result<burg_api::management::RegenerateSamlProviderCertificateResponse> {
        let details = self.regenerate_scoped(ctx, Scope::Org(ctx.org()), &r.id).await?;
        Ok(burg_api::management::RegenerateSamlProviderCertificateResponse { details })
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
