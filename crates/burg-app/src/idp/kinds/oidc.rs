//! Generic OIDC.

use burg_api::admin as a;
use burg_api::idp::{self as pb, provider_config::Config as C};
use burg_domain::Result;
use burg_domain::idp::{Config, Kind};

use super::super::fields::{self, Secret};
use super::super::{Draft, IdpKind, provider_rpcs};
use crate::App;

pub(crate) struct Oidc;

/// What add and update share.
struct Fields {
    name: String,
    issuer: String,
    client_id: String,
    client_secret: Secret<String>,
    scopes: Vec<String>,
    provider_options: Option<pb::Options>,
    is_id_token_mapping: bool,
    use_pkce: bool,
}

fn draft(f: Fields) -> Result<Draft> {
    Ok(Draft {
        name: fields::name(Kind::Oidc, f.name)?,
        config: Config::Oidc {
            issuer: fields::http_url("issuer", f.issuer)?,
            client_id: fields::text("clientId", f.client_id)?,
            client_secret: fields::placeholder(),
            scopes: fields::scopes(f.scopes)?,
            is_id_token_mapping: f.is_id_token_mapping,
            use_pkce: f.use_pkce,
        },
        secret: fields::secret("clientSecret", f.client_secret, fields::LONG_SECRET_MAX)?,
        options: fields::options(f.provider_options)?,
    })
}

impl IdpKind for Oidc {
    const KIND: Kind = Kind::Oidc;
    const UPDATE_NOT_FOUND: &'static str = "INST-Dg331";
    type Add = a::AddGenericOidcProviderRequest;
    type Update = a::UpdateGenericOidcProviderRequest;

    fn update_id(r: &Self::Update) -> &str {
        &r.id
    }

    async fn draft_add(_app: &App, r: Self::Add) -> Result<Draft> {
        draft(Fields {
            name: r.name,
            issuer: r.issuer,
            client_id: r.client_id,
            client_secret: Secret::required(r.client_secret),
            scopes: r.scopes,
            provider_options: r.provider_options,
            is_id_token_mapping: r.is_id_token_mapping,
            use_pkce: r.use_pkce,
        })
    }

    async fn draft_update(_app: &App, r: Self::Update) -> Result<Draft> {
        draft(Fields {
            name: r.name,
            issuer: r.issuer,
            client_id: r.client_id,
            client_secret: Secret::keep_if_empty(r.client_secret),
            scopes: r.scopes,
            provider_options: r.provider_options,
            is_id_token_mapping: r.is_id_token_mapping,
            use_pkce: r.use_pkce,
        })
    }

    fn wire(config: &Config) -> Option<C> {
        let Config::Oidc { issuer, client_id, scopes, is_id_token_mapping, use_pkce, .. } = config else {
            return None;
        };
        Some(C::Oidc(pb::GenericOidcConfig {
            issuer: issuer.clone(),
            client_id: client_id.clone(),
            scopes: scopes.clone(),
            is_id_token_mapping: *is_id_token_mapping,
            use_pkce: *use_pkce,
        }))
    }
}

provider_rpcs!(
    Oidc,
    add_generic_oidc_provider(AddGenericOidcProviderRequest) -> AddGenericOidcProviderResponse,
    update_generic_oidc_provider(UpdateGenericOidcProviderRequest) -> UpdateGenericOidcProviderResponse,
);
