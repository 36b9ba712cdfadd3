//! Sign in with Apple: team, key id and the EC private key (the secret);
//! the name may be left empty.

use burg_api::admin as a;
use burg_api::idp::{self as pb, provider_config::Config as C};
use burg_domain::idp::{self, Config, Kind};
use burg_domain::{Error, Result};

use super::super::fields::{self, Secret};
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

/// ZITADEL's error ids: fields empty once trimmed, and a private key it
/// cannot read.
struct Ids {
    client_id: &'static str,
    team_id: &'static str,
    key_id: &'static str,
    bad_key: &'static str,
}

const ADD: Ids = Ids { client_id: "INST-jkn3w", team_id: "INST-Ffg32", key_id: "INST-GDjm5", bad_key: "INST-Fk38d" };
const UPDATE: Ids = Ids { client_id: "INST-SFm4l", team_id: "INST-SG34t", key_id: "INST-Gh4z2", bad_key: "INST-eWSDf" };
/// The private key of an add, empty.
const KEY_EMPTY: &str = "INST-GVD4n";

fn draft(ids: &Ids, f: Fields) -> Result<Draft> {
    let name = fields::optional_name(f.name)?;
    let client_id = fields::required("clientId", f.client_id, ids.client_id)?;
    // Exactly ten characters as sent; stored trimmed, as ZITADEL stores them.
    let team_id = fields::required_len("teamId", f.team_id, 10, 10, ids.team_id)?;
    let key_id = fields::required_len("keyId", f.key_id, 10, 10, ids.key_id)?;
    let private_key = f.private_key.given("privateKey")?;
    if let Some(key) = &private_key {
        if key.len() > APPLE_KEY_MAX {
            return Err(Error::invalid_argument(
                "IDP-apple2",
                format!("`privateKey` may have at most {APPLE_KEY_MAX} bytes; it has {}", key.len()),
            ));
        }
        idp::check_apple_private_key(key).map_err(|why| {
            Error::invalid_argument(ids.bad_key, format!("`privateKey` is not an ECDSA private key in PKCS#8: {why}"))
        })?;
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
        options: fields::options(f.provider_options),
    })
}

impl IdpKind for Apple {
    const KIND: Kind = Kind::Apple;
    const UPDATE_NOT_FOUND: &'static str = "INST-SG3bh";
    const UPDATE_ID_EMPTY: &'static str = "INST-FRHBH";
    type Add = a::AddAppleProviderRequest;
    type Update = a::UpdateAppleProviderRequest;

    fn update_id(r: &Self::Update) -> &str {
        &r.id
    }

    async fn draft_add(_app: &App, r: Self::Add) -> Result<Draft> {
        draft(
            &ADD,
            Fields {
                name: r.name,
                client_id: r.client_id,
                team_id: r.team_id,
                key_id: r.key_id,
                private_key: Secret::required(r.private_key, KEY_EMPTY),
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
                team_id: r.team_id,
                key_id: r.key_id,
                private_key: Secret::keep_if_empty(r.private_key),
                scopes: r.scopes,
                provider_options: r.provider_options,
            },
        )
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
    mgmt_add_apple_provider, mgmt_update_apple_provider,
);
