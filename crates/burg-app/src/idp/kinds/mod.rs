//! One declaration per identity-provider kind: an [`IdpKind`] type with
//! its requests, validation, secret and wire config, and the
//! `provider_rpcs!` line that gives [`crate::App`] its Add and Update RPCs.

mod apple;
mod azure;
mod github;
mod github_es;
mod gitlab;
mod gitlab_self_hosted;
mod google;
mod jwt;
mod ldap;
mod oauth;
mod oidc;
mod saml;

use burg_api::idp::{self as pb, provider_config::Config as C};
use burg_domain::Result;
use burg_domain::idp::{Config, Kind};

pub(super) use azure::Azure;
pub(super) use google::Google;

use super::fields::{self, Secret};
use super::{Draft, IdpKind};

/// The wire branch of a stored config, by its kind's declaration.
pub(super) fn wire(config: &Config) -> Option<C> {
    match config.kind() {
        Kind::Oidc => oidc::Oidc::wire(config),
        Kind::Jwt => jwt::Jwt::wire(config),
        Kind::Ldap => ldap::Ldap::wire(config),
        Kind::Oauth => oauth::Oauth::wire(config),
        Kind::Azure => Azure::wire(config),
        Kind::Github => github::Github::wire(config),
        Kind::GithubEnterprise => github_es::GithubEnterprise::wire(config),
        Kind::Gitlab => gitlab::Gitlab::wire(config),
        Kind::GitlabSelfHosted => gitlab_self_hosted::GitlabSelfHosted::wire(config),
        Kind::Google => Google::wire(config),
        Kind::Apple => apple::Apple::wire(config),
        Kind::Saml => saml::Saml::wire(config),
    }
}

/// The fields of the kinds that are only a client id, a secret and scopes
/// (GitHub, GitLab, Google).
struct ClientFields {
    name: String,
    client_id: String,
    client_secret: Secret<String>,
    scopes: Vec<String>,
    provider_options: Option<pb::Options>,
}

/// The draft of a [`ClientFields`] kind: its name stored as given, its
/// client id refused with `client_id_empty` when empty once trimmed;
/// `config` builds its stored config.
fn client_draft(
    client_id_empty: &'static str,
    f: ClientFields,
    config: fn(String, Vec<String>) -> Config,
) -> Result<Draft> {
    let name = fields::optional_name(f.name)?;
    let client_id = fields::required("clientId", f.client_id, client_id_empty)?;
    let secret = fields::secret("clientSecret", f.client_secret, fields::SECRET_MAX)?;
    let scopes = fields::scopes(f.scopes)?;
    Ok(Draft { name, config: config(client_id, scopes), secret, options: fields::options(f.provider_options) })
}
