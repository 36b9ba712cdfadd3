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

/// ZITADEL's error ids for the fields that are empty once trimmed.
struct EmptyIds {
    name: &'static str,
    client_id: &'static str,
    authorization_endpoint: &'static str,
    token_endpoint: &'static str,
    user_endpoint: &'static str,
    id_attribute: &'static str,
}

const ADD: EmptyIds = EmptyIds {
    name: "INST-D32ef",
    client_id: "INST-Dbgzf",
    authorization_endpoint: "INST-B23bs",
    token_endpoint: "INST-D2gj8",
    user_endpoint: "INST-Fb8jk",
    id_attribute: "INST-sdf3f",
};
const UPDATE: EmptyIds = EmptyIds {
    name: "INST-Sf3gh",
    client_id: "INST-SHJ3ui",
    authorization_endpoint: "INST-SVrgh",
    token_endpoint: "INST-DJKeio",
    user_endpoint: "INST-ILSJi",
    id_attribute: "INST-JKD3h",
};
/// The client secret of an add, empty once trimmed.
const SECRET_EMPTY: &str = "INST-DF4ga";

fn draft(f: Fields, ids: &EmptyIds) -> Result<Draft> {
    Ok(Draft {
        name: fields::required("name", f.name, ids.name)?,
        config: Config::Oauth {
            client_id: fields::required("clientId", f.client_id, ids.client_id)?,
            client_secret: fields::placeholder(),
            authorization_endpoint: fields::required(
                "authorizationEndpoint",
                f.authorization_endpoint,
                ids.authorization_endpoint,
            )?,
            token_endpoint: fields::required("tokenEndpoint", f.token_endpoint, ids.token_endpoint)?,
            user_endpoint: fields::required("userEndpoint", f.user_endpoint, ids.user_endpoint)?,
            scopes: fields::scopes(f.scopes)?,
            id_attribute: fields::required("idAttribute", f.id_attribute, ids.id_attribute)?,
            use_pkce: f.use_pkce,
        },
        secret: fields::secret("clientSecret", f.client_secret, fields::LONG_SECRET_MAX)?,
        options: fields::options(f.provider_options),
    })
}

impl IdpKind for Oauth {
    const KIND: Kind = Kind::Oauth;
    const UPDATE_NOT_FOUND: &'static str = "INST-D3r1s";
    const UPDATE_ID_EMPTY: &'static str = "INST-SAffg";
    type Add = a::AddGenericOAuthProviderRequest;
    type Update = a::UpdateGenericOAuthProviderRequest;

    fn update_id(r: &Self::Update) -> &str {
        &r.id
    }

    async fn draft_add(_app: &App, r: Self::Add) -> Result<Draft> {
        draft(
            Fields {
                name: r.name,
                client_id: r.client_id,
                client_secret: Secret::required(r.client_secret, SECRET_EMPTY),
                authorization_endpoint: r.authorization_endpoint,
                token_endpoint: r.token_endpoint,
                user_endpoint: r.user_endpoint,
                scopes: r.scopes,
                id_attribute: r.id_attribute,
                provider_options: r.provider_options,
                use_pkce: r.use_pkce,
            },
            &ADD,
        )
    }

    async fn draft_update(_app: &App, r: Self::Update) -> Result<Draft> {
        draft(
            Fields {
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
            },
            &UPDATE,
        )
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
    mgmt_add_generic_o_auth_provider, mgmt_update_generic_o_auth_provider,
);
