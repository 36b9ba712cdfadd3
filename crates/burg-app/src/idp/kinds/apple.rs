//! Sign in with Apple: team, key id and the EC private key (the secret);
//! the name may be left empty.

use burg_api::admin as a;
use burg_api::idp::{self as pb, provider_config::Config as C};
use burg_domain::idp::{self, Config, Kind};
use burg_domain::{Error, Result, validate};

use super::super::fields::{self, Secret, trimmed};
use super::super::{Draft, IdpKind, provider_rpcs};
use crate::App;

/// Apple private keys: at most 5000 bytes of PEM.
const APPLE_KEY_MAX: usize = 5000;

pub(crate) struct Apple;

/// What add and update share.
struct Fields {
    name: String,
    client_id: String,
    team_id: String,
    key_id: String,
    private_key: Secret<Vec<u8>>,
    scopes: Vec<String>,
    provider_options: Option<pb::Options>,
}

fn draft(f: Fields) -> Result<Draft> {
    let name = fields::name(Kind::Apple, f.name)?;
    let client_id = fields::text("clientId", f.client_id)?;
    let team_id = trimmed(f.team_id);
    validate::len("teamId", &team_id, 10, 10)?;
    let key_id = trimmed(f.key_id);
    validate::len("keyId", &key_id, 10, 10)?;
    let private_key = f.private_key.given();
    if let Some(key) = &private_key {
        if key.is_empty() || key.len() > APPLE_KEY_MAX {
            return Err(Error::invalid_argument(
                "IDP-apple2",
                format!("`privateKey` must have between 1 and {APPLE_KEY_MAX} bytes; it has {}", key.len()),
            ));
        }
        idp::check_apple_private_key("privateKey", key)?;
    }
    Ok(Draft {
        name,
        config: Config::Apple {
            client_id,
            team_id,
            key_id,
            private_key: fields::placeholder(),
            scopes: fields::scopes(f.scopes)?,
        },
        secret: private_key,
        options: fields::options(f.provider_options)?,
    })
}

impl IdpKind for Apple {
    const KIND: Kind = Kind::Apple;
    const UPDATE_NOT_FOUND: &'static str = "INST-SG3bh";
    type Add = a::AddAppleProviderRequest;
    type Update = a::UpdateAppleProviderRequest;

    fn update_id(r: &Self::Update) -> &str {
        &r.id
    }

    async fn draft_add(_app: &App, r: Self::Add) -> Result<Draft> {
        draft(Fields {
            name: r.name,
            client_id: r.client_id,
            team_id: r.team_id,
            key_id: r.key_id,
            private_key: Secret::required(r.private_key),
            scopes: r.scopes,
            provider_options: r.provider_options,
        })
    }

    async fn draft_update(_app: &App, r: Self::Update) -> Result<Draft> {
        draft(Fields {
            name: r.name,
            client_id: r.client_id,
            team_id: r.team_id,
            key_id: r.key_id,
            private_key: Secret::keep_if_empty(r.private_key),
            scopes: r.scopes,
            provider_options: r.provider_options,
        })
    }

    fn wire(config: &Config) -> Option<C> {
        let Config::Apple { client_id, team_id, key_id, scopes, .. } = config else {
            return None;
        };
        Some(C::Apple(pb::AppleConfig {
            client_id: client_id.clone(),
            team_id: team_id.clone(),
            key_id: key_id.clone(),
            scopes: scopes.clone(),
        }))
    }
}

provider_rpcs!(
    Apple,
    add_apple_provider(AddAppleProviderRequest) -> AddAppleProviderResponse,
    update_apple_provider(UpdateAppleProviderRequest) -> UpdateAppleProviderResponse,
);
