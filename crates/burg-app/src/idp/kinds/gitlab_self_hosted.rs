//! A self-hosted GitLab, found through its issuer.

use burg_api::admin as a;
use burg_api::idp::{self as pb, provider_config::Config as C};
use burg_domain::Result;
use burg_domain::idp::{Config, Kind};

use super::super::fields::{self, Secret};
use super::super::{Draft, IdpKind, provider_rpcs};
use crate::App;

pub(crate) struct GitlabSelfHosted;

/// What add and update share.
struct Fields {
    name: String,
    issuer: String,
    client_id: String,
    client_secret: Secret<String>,
    scopes: Vec<String>,
    provider_options: Option<pb::Options>,
}

/// ZITADEL's error ids for the fields that are empty once trimmed.
struct EmptyIds {
    name: &'static str,
    issuer: &'static str,
    client_id: &'static str,
}

const ADD: EmptyIds = EmptyIds { name: "INST-jw4ZT", issuer: "INST-AST4S", client_id: "INST-DBZHJ" };
const UPDATE: EmptyIds = EmptyIds { name: "INST-DG4H", issuer: "INST-SD4eb", client_id: "INST-GHWE3" };
/// The client secret of an add, empty once trimmed.
const SECRET_EMPTY: &str = "INST-SDGJ4";

fn draft(ids: &EmptyIds, f: Fields) -> Result<Draft> {
    Ok(Draft {
        name: fields::required("name", f.name, ids.name)?,
        config: Config::GitlabSelfHosted {
            issuer: fields::required("issuer", f.issuer, ids.issuer)?,
            client_id: fields::required("clientId", f.client_id, ids.client_id)?,
            client_secret: fields::placeholder(),
            scopes: fields::scopes(f.scopes)?,
        },
        secret: fields::secret("clientSecret", f.client_secret, fields::SECRET_MAX)?,
        options: fields::options(f.provider_options),
    })
}

impl IdpKind for GitlabSelfHosted {
    const KIND: Kind = Kind::GitlabSelfHosted;
    const UPDATE_NOT_FOUND: &'static str = "INST-D2tg1";
    const UPDATE_ID_EMPTY: &'static str = "INST-SAFG4";
    type Add = a::AddGitLabSelfHostedProviderRequest;
    type Update = a::UpdateGitLabSelfHostedProviderRequest;

    fn update_id(r: &Self::Update) -> &str {
        &r.id
    }

    async fn draft_add(_app: &App, r: Self::Add) -> Result<Draft> {
        draft(
            &ADD,
            Fields {
                name: r.name,
                issuer: r.issuer,
                client_id: r.client_id,
                client_secret: Secret::required(r.client_secret, SECRET_EMPTY),
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
                issuer: r.issuer,
                client_id: r.client_id,
                client_secret: Secret::keep_if_empty(r.client_secret),
                scopes: r.scopes,
                provider_options: r.provider_options,
            },
        )
    }

    fn wire(config: &Config) -> Option<C> {
        let Config::GitlabSelfHosted { issuer, client_id, scopes, .. } = config else {
            return None;
        };
        Some(C::GitlabSelfHosted(pb::GitLabSelfHostedConfig {
            issuer: issuer.clone(),
            client_id: client_id.clone(),
            scopes: scopes.clone(),
        }))
    }
}

provider_rpcs!(
    GitlabSelfHosted,
    add_git_lab_self_hosted_provider(AddGitLabSelfHostedProviderRequest) -> AddGitLabSelfHostedProviderResponse,
    update_git_lab_self_hosted_provider(UpdateGitLabSelfHostedProviderRequest) -> UpdateGitLabSelfHostedProviderResponse,
    mgmt_add_git_lab_self_hosted_provider, mgmt_update_git_lab_self_hosted_provider,
);
