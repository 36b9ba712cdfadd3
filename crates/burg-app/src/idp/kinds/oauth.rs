//! Generic OAuth 2.0.

use burg_api::admin as a;
use burg_api::idp::{self as pb, provider_config::Config as C};
use burg_domain::Result;
use burg_domain::idp::{Config, Kind};

use super::super::fields::{self, Secret};
use super::super::{Draft, IdpKind, provider_rpcs};
use crate::App;

pub(crate) struct Oauth;

/// What add and update share.
struct Fields {
    name: String,
    client_id: String,
    client_secret: Secret<String>,
    authorization_endpoint: String,
    token_endpoint: String,
    user_endpoint: String,
    scopes: Vec<String>,
    id_attribute: String,
    provider_options: Option<pb::Options>,
    use_pkce: bool,
}

fn draft(f: Fields) -> Result<Draft> {
    Ok(Draft {
        name: fields::name(Kind::Oauth, f.name)?,
        config: Config::Oauth {
            client_id: fields::text("clientId", f.client_id)?,
            client_secret: fields::placeholder(),
            authorization_endpoint: fields::http_url("authorizationEndpoint", f.authorization_endpoint)?,
            token_endpoint: fields::http_url("tokenEndpoint", f.token_endpoint)?,
            user_endpoint: fields::http_url("userEndpoint", f.user_endpoint)?,
            scopes: fields::scopes(f.scopes)?,
            id_attribute: fields::text("idAttribute", f.id_attribute)?,
            use_pkce: f.use_pkce,
        },
        secret: fields::secret("clientSecret", f.client_secret, fields::LONG_SECRET_MAX)?,
        options: fields::options(f.provider_options)?,
    })
}

impl IdpKind for Oauth {
    const KIND: Kind = Kind::Oauth;
    const UPDATE_NOT_FOUND: &'static str = "INST-D3r1s";
    type Add = a::AddGenericOAuthProviderRequest;
    type Update = a::UpdateGenericOAuthProviderRequest;

    fn update_id(r: &Self::Update) -> &str {
        &r.id
    }

    async fn draft_add(_app: &App, r: Self::Add) -> Result<Draft> {
        draft(Fields {
            name: r.name,
            client_id: r.client_id,
            client_secret: Secret::required(r.client_secret),
            authorization_endpoint: r.authorization_endpoint,
            token_endpoint: r.token_endpoint,
            user_endpoint: r.user_endpoint,
            scopes: r.scopes,
            id_attribute: r.id_attribute,
            provider_options: r.provider_options,
            use_pkce: r.use_pkce,
        })
    }

    async fn draft_update(_app: &App, r: Self::Update) -> Result<Draft> {
        draft(Fields {
            name: r.name,
            client_id: r.client_id,
            client_secret: Secret::keep_if_empty(r.client_secret),
            authorization_endpoint: r.authorization_endpoint,
            token_endpoint: r.token_endpoint,
            user_endpoint: r.user_endpoint,
            scopes: r.scopes,
            id_attribute: r.id_attribute,
            provider_options: r.provider_options,
            use_pkce: r.use_pkce,
        })
    }

    fn wire(config: &Config) -> Option<C> {
        let Config::Oauth {
            client_id,
            authorization_endpoint,
            token_endpoint,
            user_endpoint,
            scopes,
            id_attribute,
            use_pkce,
            ..
        } = config
        else {
            return None;
        };
        Some(C::Oauth(pb::OAuthConfig {
            client_id: client_id.clone(),
            authorization_endpoint: authorization_endpoint.clone(),
            token_endpoint: token_endpoint.clone(),
            user_endpoint: user_endpoint.clone(),
            scopes: scopes.clone(),
            id_attribute: id_attribute.clone(),
            use_pkce: *use_pkce,
        }))
    }
}

provider_rpcs!(
    Oauth,
    add_generic_o_auth_provider(AddGenericOAuthProviderRequest) -> AddGenericOAuthProviderResponse,
    update_generic_o_auth_provider(UpdateGenericOAuthProviderRequest) -> UpdateGenericOAuthProviderResponse,
);
