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

fn draft(f: Fields) -> Result<Draft> {
    Ok(Draft {
        name: fields::name(Kind::GitlabSelfHosted, f.name)?,
        config: Config::GitlabSelfHosted {
            issuer: fields::http_url("issuer", f.issuer)?,
            client_id: fields::text("clientId", f.client_id)?,
            client_secret: fields::placeholder(),
            scopes: fields::scopes(f.scopes)?,
        },
        secret: fields::secret("clientSecret", f.client_secret, fields::SECRET_MAX)?,
        options: fields::options(f.provider_options)?,
    })
}

impl IdpKind for GitlabSelfHosted {
    const KIND: Kind = Kind::GitlabSelfHosted;
    const UPDATE_NOT_FOUND: &'static str = "INST-D2tg1";
    type Add = a::AddGitLabSelfHostedProviderRequest;
    type Update = a::UpdateGitLabSelfHostedProviderRequest;

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
        })
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
);
