//! The `web_key` aggregate (one per key, owned by the instance): ZITADEL's
//! `repository/webkey` events.

use crate::crypto::Sealed;

payloads! {
    /// `privateKey` is sealed (PKCS #8 inside); `publicKey` is the JSON Web
    /// Key; `config` and `configType` as `burg_domain::web_key` writes them.
    WebKeyAdded = "web_key.added" {
        private_key: Option<Sealed>,
        public_key: serde_json::Value,
        config: serde_json::Value,
        config_type: String,
    }
    WebKeyActivated = "web_key.activated" {}
    WebKeyDeactivated = "web_key.deactivated" {}
    WebKeyRemoved = "web_key.removed" {}
}
