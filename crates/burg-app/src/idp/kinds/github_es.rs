//! GitHub Enterprise Server: GitHub's OAuth flow at endpoints of one's own.

use burg_api::admin as a;
use burg_api::idp::{self as pb, provider_config::Config as C};
use burg_domain::Result;
use burg_domain::idp::{Config, Kind};

use super::super::fields::{self, Secret};
use super::super::{Draft, IdpKind, provider_rpcs};
use crate::App;

pub(crate) struct GithubEnterprise;

/// What add and update share.
struct Fields {
    name: String,
    client_id: String,
    client_secret: Secret<String>,
    authorization_endpoint: String,
    token_endpoint: String,
    user_endpoint: String,
    scopes: Vec<String>,
    provider_options: Option<pb::Options>,
}

fn draft(f: Fields) -> Result<Draft> {
    Ok(Draft {
        name: fields::name(Kind::GithubEnterprise, f.name)?,
        config: Config::GithubEnterprise {
            client_id: fields::text("clientId", f.client_id)?,
            client_secret: fields::placeholder(),
            authorization_endpoint: fields::http_url("authorizationEndpoint", f.authorization_endpoint)?,
            token_endpoint: fields::http_url("tokenEndpoint", f.token_endpoint)?,
            user_endpoint: fields::http_url("userEndpoint", f.user_endpoint)?,
            scopes: fields::scopes(f.scopes)?,
        },
        secret: fields::secret("clientSecret", f.client_secret, fields::SECRET_MAX)?,
        options: fields::options(f.provider_options)?,
    })
}

impl IdpKind for GithubEnterprise {
    const KIND: Kind = Kind::GithubEnterprise;
    const UPDATE_NOT_FOUND: &'static str = "INST-GBr42";
    type Add = a::AddGitHubEnterpriseServerProviderRequest;
    type Update = a::UpdateGitHubEnterpriseServerProviderRequest;

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
            provider_options: r.provider_options,
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
            provider_options: r.provider_options,
        })
    }

    fn wire(config: &Config) -> Option<C> {
        let Config::GithubEnterprise {
            client_id, authorization_endpoint, token_endpoint, user_endpoint, scopes, ..
        } = config
        else {
            return None;
        };
        Some(C::GithubEs(pb::GitHubEnterpriseServerConfig {
            client_id: client_id.clone(),
            authorization_endpoint: authorization_endpoint.clone(),
            token_endpoint: token_endpoint.clone(),
            user_endpoint: user_endpoint.clone(),
            scopes: scopes.clone(),
        }))
    }
}

provider_rpcs!(
    GithubEnterprise,
    add_git_hub_enterprise_server_provider(AddGitHubEnterpriseServerProviderRequest)
        -> AddGitHubEnterpriseServerProviderResponse,
    update_git_hub_enterprise_server_provider(UpdateGitHubEnterpriseServerProviderRequest)
        -> UpdateGitHubEnterpriseServerProviderResponse,
);
