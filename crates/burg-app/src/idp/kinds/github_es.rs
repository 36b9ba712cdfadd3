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

/// ZITADEL's error ids for the fields that are empty once trimmed.
struct EmptyIds {
    name: &'static str,
    client_id: &'static str,
    authorization_endpoint: &'static str,
    token_endpoint: &'static str,
    user_endpoint: &'static str,
}

const ADD: EmptyIds = EmptyIds {
    name: "INST-Dg4td",
    client_id: "INST-dgj53",
    authorization_endpoint: "INST-sani2",
    token_endpoint: "INST-agj42",
    user_endpoint: "INST-sd5hn",
};
const UPDATE: EmptyIds = EmptyIds {
    name: "INST-shj42",
    client_id: "INST-sdh73",
    authorization_endpoint: "INST-acx2w",
    token_endpoint: "INST-dgj6q",
    user_endpoint: "INST-ybj62",
};
/// The client secret of an add, empty once trimmed.
const SECRET_EMPTY: &str = "INST-Ghjjs";

fn draft(ids: &EmptyIds, f: Fields) -> Result<Draft> {
    Ok(Draft {
        name: fields::required("name", f.name, ids.name)?,
        config: Config::GithubEnterprise {
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
        },
        secret: fields::secret("clientSecret", f.client_secret, fields::SECRET_MAX)?,
        options: fields::options(f.provider_options),
    })
}

impl IdpKind for GithubEnterprise {
    const KIND: Kind = Kind::GithubEnterprise;
    const UPDATE_NOT_FOUND: &'static str = "INST-GBr42";
    const UPDATE_ID_EMPTY: &'static str = "INST-sdfh3";
    type Add = a::AddGitHubEnterpriseServerProviderRequest;
    type Update = a::UpdateGitHubEnterpriseServerProviderRequest;

    fn update_id(r: &Self::Update) -> &str {
        &r.id
    }

    async fn draft_add(_app: &App, r: Self::Add) -> Result<Draft> {
        draft(
            &ADD,
            Fields {
                name: r.name,
                client_id: r.client_id,
                client_secret: Secret::required(r.client_secret, SECRET_EMPTY),
                authorization_endpoint: r.authorization_endpoint,
                token_endpoint: r.token_endpoint,
                user_endpoint: r.user_endpoint,
                scopes: r.scopes,
                provider_options: r.provider_options,
            },
        )
    }

    async fn draft_update(_app: &App, r: Self::Update) -> Result<Draft> {
        draft(
            &UPDATE,
            Fields {
                name: r.name,
                client_id: r.client_id,
                client_secret: Secret::keep_if_empty(r.client_secret),
                authorization_endpoint: r.authorization_endpoint,
                token_endpoint: r.token_endpoint,
                user_endpoint: r.user_endpoint,
                scopes: r.scopes,
                provider_options: r.provider_options,
            },
        )
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
    mgmt_add_git_hub_enterprise_server_provider, mgmt_update_git_hub_enterprise_server_provider,
);
