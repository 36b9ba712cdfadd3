//! JWT: tokens from an endpoint, checked with the issuer's keys. No secret.

use burg_api::admin as a;
use burg_api::idp::{self as pb, provider_config::Config as C};
use burg_domain::Result;
use burg_domain::idp::{Config, Kind};

use super::super::fields;
use super::super::{Draft, IdpKind, provider_rpcs};
use crate::App;

pub(crate) struct Jwt;

/// What add and update share.
struct Fields {
    name: String,
    issuer: String,
    jwt_endpoint: String,
    keys_endpoint: String,
    header_name: String,
    provider_options: Option<pb::Options>,
}

/// ZITADEL's error ids for the fields that are empty once trimmed.
struct EmptyIds {
    name: &'static str,
    issuer: &'static str,
    jwt_endpoint: &'static str,
    keys_endpoint: &'static str,
    header_name: &'static str,
}

const ADD: EmptyIds = EmptyIds {
    name: "INST-JLKef",
    issuer: "INST-WNJK3",
    jwt_endpoint: "INST-NJKSD",
    keys_endpoint: "INST-NJKE3",
    header_name: "INST-2rlks",
};
const UPDATE: EmptyIds = EmptyIds {
    name: "INST-JKLS2",
    issuer: "INST-JKs3f",
    jwt_endpoint: "INST-NJKS2",
    keys_endpoint: "INST-SJk2d",
    header_name: "INST-SJK2f",
};

fn draft(ids: &EmptyIds, f: Fields) -> Result<Draft> {
    Ok(Draft {
        name: fields::required("name", f.name, ids.name)?,
        config: Config::Jwt {
            issuer: fields::required("issuer", f.issuer, ids.issuer)?,
            jwt_endpoint: fields::required("jwtEndpoint", f.jwt_endpoint, ids.jwt_endpoint)?,
            keys_endpoint: fields::required("keysEndpoint", f.keys_endpoint, ids.keys_endpoint)?,
            header_name: fields::required("headerName", f.header_name, ids.header_name)?,
        },
        secret: None,
        options: fields::options(f.provider_options),
    })
}

impl IdpKind for Jwt {
    const KIND: Kind = Kind::Jwt;
    const UPDATE_NOT_FOUND: &'static str = "INST-Bhju5";
    const UPDATE_ID_EMPTY: &'static str = "INST-HUe3q";
    type Add = a::AddJwtProviderRequest;
    type Update = a::UpdateJwtProviderRequest;

    fn update_id(r: &Self::Update) -> &str {
        &r.id
    }

    async fn draft_add(_app: &App, r: Self::Add) -> Result<Draft> {
        draft(
            &ADD,
            Fields {
                name: r.name,
                issuer: r.issuer,
                jwt_endpoint: r.jwt_endpoint,
                keys_endpoint: r.keys_endpoint,
                header_name: r.header_name,
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
                jwt_endpoint: r.jwt_endpoint,
                keys_endpoint: r.keys_endpoint,
                header_name: r.header_name,
                provider_options: r.provider_options,
            },
        )
    }

    fn wire(config: &Config) -> Option<C> {
        let Config::Jwt { issuer, jwt_endpoint, keys_endpoint, header_name } = config else {
            return None;
        };
        Some(C::Jwt(pb::JwtConfig {
            jwt_endpoint: jwt_endpoint.clone(),
            issuer: issuer.clone(),
            keys_endpoint: keys_endpoint.clone(),
            header_name: header_name.clone(),
        }))
    }
}

provider_rpcs!(
    Jwt,
    add_jwt_provider(AddJwtProviderRequest) -> AddJwtProviderResponse,
    update_jwt_provider(UpdateJwtProviderRequest) -> UpdateJwtProviderResponse,
    mgmt_add_jwt_provider, mgmt_update_jwt_provider,
);
