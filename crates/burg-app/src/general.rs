//! The Management API's general RPCs: health, where the OpenID Provider
//! is, the instance's organizations, the languages burg speaks.

use burg_api::management::{
    GetIamRequest, GetIamResponse, GetOidcInformationRequest, GetOidcInformationResponse, GetSupportedLanguagesRequest,
    GetSupportedLanguagesResponse, HealthzRequest, HealthzResponse,
};
use burg_domain::Result;

use crate::{App, Ctx};

/// Where an issuer's discovery document is (OpenID Connect Discovery 1.0).
const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";

impl App {
    pub async fn management_healthz(&self, _ctx: &Ctx, _req: HealthzRequest) -> Result<HealthzResponse> {
        Ok(HealthzResponse {})
    }

    /// As ZITADEL: the issuer is the origin the call was made to.
    pub async fn get_oidc_information(
        &self,
        ctx: &Ctx,
        _req: GetOidcInformationRequest,
    ) -> Result<GetOidcInformationResponse> {
        let issuer = ctx.origin.clone().unwrap_or_default();
        let discovery_endpoint = format!("{issuer}{DISCOVERY_PATH}");
        Ok(GetOidcInformationResponse { issuer, discovery_endpoint })
    }

    /// The default organization as the global one, as ZITADEL answers.
    /// burg has no project of its own for its console, so `iamProjectId`
    /// is empty.
    pub async fn get_iam(&self, _ctx: &Ctx, _req: GetIamRequest) -> Result<GetIamResponse> {
        let default_org_id = self.instance_row(self.db.pool()).await?.default_org_id;
        Ok(GetIamResponse { global_org_id: default_org_id.clone(), iam_project_id: String::new(), default_org_id })
    }

    pub async fn management_supported_languages(
        &self,
        _ctx: &Ctx,
        _req: GetSupportedLanguagesRequest,
    ) -> Result<GetSupportedLanguagesResponse> {
        let languages = crate::instance::SUPPORTED_LANGUAGES.iter().map(|l| l.to_string()).collect();
        Ok(GetSupportedLanguagesResponse { languages })
    }
}
