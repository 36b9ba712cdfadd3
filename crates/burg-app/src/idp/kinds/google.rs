//! Google. A client id, a secret and scopes; the name may be left
//! empty.

use burg_api::admin as a;
use burg_api::idp::{self as pb, provider_config::Config as C};
use burg_domain::Result;
use burg_domain::idp::{Config, Kind};

use super::super::fields::{self, Secret};
use super::super::{Draft, IdpKind, provider_rpcs};
use super::{ClientFields, client_draft};
use crate::App;

pub(crate) struct Google;

/// ZITADEL's error ids for a client id that is empty once trimmed (add,
/// update), and for an add's client secret.
const CLIENT_ID_EMPTY_ADD: &str = "INST-D3fvs";
const CLIENT_ID_EMPTY_UPDATE: &str = "INST-ds432";
const SECRET_EMPTY: &str = "INST-W2vqs";

/// The stored config, its secret still to be sealed.
fn config(client_id: String, scopes: Vec<String>) -> Config {
    Config::Google { client_id, client_secret: fields::placeholder(), scopes }
}

impl IdpKind for Google {
    const KIND: Kind = Kind::Google;
    const UPDATE_NOT_FOUND: &'static str = "INST-D3r1s";
    const UPDATE_ID_EMPTY: &'static str = "INST-S32t1";
    type Add = a::AddGoogleProviderRequest;
    type Update = a::UpdateGoogleProviderRequest;

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
        let Config::Google { client_id, scopes, .. } = config else {
            return None;
        };
        Some(C::Google(pb::GoogleConfig { client_id: client_id.clone(), scopes: scopes.clone() }))
    }
}

provider_rpcs!(
    Google,
    add_google_provider(AddGoogleProviderRequest) -> AddGoogleProviderResponse,
    update_google_provider(UpdateGoogleProviderRequest) -> UpdateGoogleProviderResponse,
    mgmt_add_google_provider, mgmt_update_google_provider,
);
