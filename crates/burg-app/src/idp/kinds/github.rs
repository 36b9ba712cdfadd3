//! GitHub (github.com). A client id, a secret and scopes; the name may be left
//! empty.

use burg_api::admin as a;
use burg_api::idp::{self as pb, provider_config::Config as C};
use burg_domain::Result;
use burg_domain::idp::{Config, Kind};

use super::super::fields::{self, Secret};
use super::super::{Draft, IdpKind, provider_rpcs};
use super::{ClientFields, client_draft};
use crate::App;

pub(crate) struct Github;

/// ZITADEL's error ids for a client id that is empty once trimmed (add,
/// update), and for an add's client secret.
const CLIENT_ID_EMPTY_ADD: &str = "INST-Jdsgf";
const CLIENT_ID_EMPTY_UPDATE: &str = "INST-fdh5z";
const SECRET_EMPTY: &str = "INST-dsgz3";

/// The stored config, its secret still to be sealed.
fn config(client_id: String, scopes: Vec<String>) -> Config {
    Config::Github { client_id, client_secret: fields::placeholder(), scopes }
}

impl IdpKind for Github {
    const KIND: Kind = Kind::Github;
    const UPDATE_NOT_FOUND: &'static str = "INST-Dr1gs";
    const UPDATE_ID_EMPTY: &'static str = "INST-sdf4h";
    type Add = a::AddGitHubProviderRequest;
    type Update = a::UpdateGitHubProviderRequest;

    fn update_id(r: &Self::Update) -> &str {
        &r.id
    }

    async fn draft_add(_app: &App, r: Self::Add) -> Result<Draft> {
        let f = ClientFields {
            name: r.name,
            client_id: r.client_id,
            client_secret: Secret::required(r.client_secret, SECRET_EMPTY),
            scopes: r.scopes,
            provider_options: r.provider_options,
        };
        client_draft(CLIENT_ID_EMPTY_ADD, f, config)
    }

    async fn draft_update(_app: &App, r: Self::Update) -> Result<Draft> {
        let f = ClientFields {
            name: r.name,
            client_id: r.client_id,
            client_secret: Secret::keep_if_empty(r.client_secret),
            scopes: r.scopes,
            provider_options: r.provider_options,
        };
        client_draft(CLIENT_ID_EMPTY_UPDATE, f, config)
    }

    fn wire(config: &Config) -> Option<C> {
        let Config::Github { client_id, scopes, .. } = config else {
            return None;
        };
        Some(C::Github(pb::GitHubConfig { client_id: client_id.clone(), scopes: scopes.clone() }))
    }
}

provider_rpcs!(
    Github,
    add_git_hub_provider(AddGitHubProviderRequest) -> AddGitHubProviderResponse,
    update_git_hub_provider(UpdateGitHubProviderRequest) -> UpdateGitHubProviderResponse,
    mgmt_add_git_hub_provider, mgmt_update_git_hub_provider,
);
