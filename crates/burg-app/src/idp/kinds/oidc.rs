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

/// ZITADEL's error ids for the fields that are empty once trimmed.
struct EmptyIds {
    name: &'static str,
    issuer: &'static str,
    client_id: &'static str,
}

const ADD: EmptyIds = EmptyIds { name: "INST-Sgtj5", issuer: "INST-Hz6zj", client_id: "INST-fb5jm" };
const UPDATE: EmptyIds = EmptyIds { name: "INST-Dvf4f", issuer: "INST-BDfr3", client_id: "INST-Db3bs" };
/// The client secret of an add, empty once trimmed.
const SECRET_EMPTY: &str = "INST-Sfdf4";

fn draft(ids: &EmptyIds, f: Fields) -> Result<Draft> {
    Ok(Draft {
        name: fields::required("name", f.name, ids.name)?,
        config: Config::Oidc {
            issuer: fields::required("issuer", f.issuer, ids.issuer)?,
            client_id: fields::required("clientId", f.client_id, ids.client_id)?,
            client_secret: fields::placeholder(),
            scopes: fields::scopes(f.scopes)?,
            is_id_token_mapping: f.is_id_token_mapping,
            use_pkce: f.use_pkce,
        },
        secret: fields::secret("clientSecret", f.client_secret, fields::LONG_SECRET_MAX)?,
        options: fields::options(f.provider_options),
    })
}

impl IdpKind for Oidc {
    const KIND: Kind = Kind::Oidc;
    const UPDATE_NOT_FOUND: &'static str = "INST-Dg331";
    const UPDATE_ID_EMPTY: &'static str = "INST-SAfd3";
    type Add = a::AddGenericOidcProviderRequest;
    type Update = a::UpdateGenericOidcProviderRequest;

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
                is_id_token_mapping: r.is_id_token_mapping,
                use_pkce: r.use_pkce,
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
                is_id_token_mapping: r.is_id_token_mapping,
                use_pkce: r.use_pkce,
            },
        )
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
    mgmt_add_generic_oidc_provider, mgmt_update_generic_oidc_provider,
);
