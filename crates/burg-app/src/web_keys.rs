//! The instance's web keys (`zitadel.webkey.v2.WebKeyService`, ZITADEL's
//! `command/web_key.go`): the key pairs that sign the JWTs burg issues and
//! that `/oauth/v2/keys` publishes. As in ZITADEL, an instance starts with
//! two RSA keys, the first active; a key is created, activated (the one
//! active before becomes inactive) and deleted unless active. Rotation is
//! create, publish for a while, activate.
//!
//! ZITADEL makes the two first keys when it sets an instance up; burg makes
//! them when they are first needed (any web key RPC, the key set, a JWT to
//! sign), which nobody can tell apart from outside and keeps instance
//! set-up free of RSA key generation.

use burg_api::wkt::Timestamp;
use burg_api::zitadel::webkey::v2 as wk;
use burg_domain::crypto::Sealed;
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::web_key::{WebKeyActivated, WebKeyAdded, WebKeyDeactivated, WebKeyRemoved};
use burg_domain::web_key::{self, Curve, Hasher, KeyConfig};
use burg_domain::{Error, Result};
use burg_store::web_keys::{ACTIVE, WebKeyRow};
use serde_json::Value;

use crate::{App, Ctx};

/// The request's key configuration; none named is ZITADEL's default.
fn config_of(key: Option<wk::create_web_key_request::Key>) -> Result<KeyConfig> {
    use wk::create_web_key_request::Key;
    let invalid = |id, field: &str| Error::invalid_argument(id, format!("`{field}` is not a value ZITADEL knows"));
    Ok(match key {
        None => web_key::DEFAULT,
        Some(Key::Rsa(rsa)) => {
            let bits = match wk::RsaBits::try_from(rsa.bits) {
                Ok(wk::RsaBits::RsaBits2048) => 2048,
                Ok(wk::RsaBits::RsaBits3072) => 3072,
                Ok(wk::RsaBits::RsaBits4096) => 4096,
                _ => return Err(invalid("CRYPTO-eaz3T", "rsa.bits")),
            };
            let hasher = match wk::RsaHasher::try_from(rsa.hasher) {
                Ok(wk::RsaHasher::Sha256) => Hasher::Sha256,
                Ok(wk::RsaHasher::Sha384) => Hasher::Sha384,
                Ok(wk::RsaHasher::Sha512) => Hasher::Sha512,
                _ => return Err(invalid("CRYPTO-ODie7", "rsa.hasher")),
            };
            KeyConfig::Rsa { bits, hasher }
        }
        Some(Key::Ecdsa(ecdsa)) => KeyConfig::Ecdsa {
            curve: match wk::EcdsaCurve::try_from(ecdsa.curve) {
                Ok(wk::EcdsaCurve::P256) => Curve::P256,
                Ok(wk::EcdsaCurve::P384) => Curve::P384,
                Ok(wk::EcdsaCurve::P512) => Curve::P512,
                _ => return Err(invalid("CRYPTO-Ii2ai", "ecdsa.curve")),
            },
        },
        Some(Key::Ed25519(_)) => KeyConfig::Ed25519,
    })
}

/// The key of a listed web key, as the API shows its configuration.
fn key_of(row: &WebKeyRow) -> Option<wk::web_key::Key> {
    use wk::web_key::Key;
    let config: Value = serde_json::from_str(&row.config).unwrap_or_default();
    Some(match KeyConfig::from_stored(&row.config_type, &config)? {
        KeyConfig::Rsa { bits, hasher } => Key::Rsa(wk::Rsa {
            bits: match bits {
                3072 => wk::RsaBits::RsaBits3072,
                4096 => wk::RsaBits::RsaBits4096,
                _ => wk::RsaBits::RsaBits2048,
            } as i32,
            hasher: match hasher {
                Hasher::Sha256 => wk::RsaHasher::Sha256,
                Hasher::Sha384 => wk::RsaHasher::Sha384,
                Hasher::Sha512 => wk::RsaHasher::Sha512,
            } as i32,
        }),
        KeyConfig::Ecdsa { curve } => Key::Ecdsa(wk::Ecdsa {
            curve: match curve {
                Curve::P256 => wk::EcdsaCurve::P256,
                Curve::P384 => wk::EcdsaCurve::P384,
                Curve::P512 => wk::EcdsaCurve::P512,
            } as i32,
        }),
        KeyConfig::Ed25519 => Key::Ed25519(wk::Ed25519 {}),
    })
}

impl App {
    fn web_key_aggregate(&self, id: &str) -> Aggregate {
        Aggregate::new(aggregate::WEB_KEY, id, &self.instance_id)
    }

    /// A new key pair's `web_key.added` (key generation runs off the async
    /// workers).
    async fn new_web_key(&self, config: KeyConfig) -> Result<(String, NewEvent)> {
        let id = self.new_id();
        let kid = id.clone();
        let key = tokio::task::spawn_blocking(move || config.generate(&kid))
            .await
            .map_err(|e| Error::internal("WEBKEY-gen02", format!("key generation stopped: {e}")))??;
        let added = WebKeyAdded {
            private_key: Some(self.key.seal(&key.private_pkcs8)),
            public_key: key.public_jwk,
            config: config.config_json(),
            config_type: config.config_type().to_string(),
        };
        let event = NewEvent::new(&self.web_key_aggregate(&id), &added)?;
        Ok((id, event))
    }

    /// The instance's keys, made first if it has none (two, the first
    /// active: ZITADEL's `GenerateInitialWebKeys`).
    async fn web_keys(&self, ctx: &Ctx) -> Result<Vec<WebKeyRow>> {
        let keys = burg_store::web_keys::list(self.db.pool(), &self.instance_id).await?;
        if !keys.is_empty() {
            return Ok(keys);
        }
        let (first, added_first) = self.new_web_key(web_key::DEFAULT).await?;
        let (_, added_second) = self.new_web_key(web_key::DEFAULT).await?;
        let activated = NewEvent::new(&self.web_key_aggregate(&first), &WebKeyActivated {})?;
        crate::in_tx!(self, ctx, |conn| {
            // Another node may have made them meanwhile.
            if !burg_store::web_keys::list(&mut *conn, &self.instance_id).await?.is_empty() {
                return Ok(Vec::new());
            }
            Ok(vec![added_first.clone(), activated.clone(), added_second.clone()])
        })?;
        burg_store::web_keys::list(self.db.pool(), &self.instance_id).await
    }

    pub async fn create_web_key(&self, ctx: &Ctx, r: wk::CreateWebKeyRequest) -> Result<wk::CreateWebKeyResponse> {
        let config = config_of(r.key)?;
        self.web_keys(ctx).await?;
        let (id, added) = self.new_web_key(config).await?;
        let activated = NewEvent::new(&self.web_key_aggregate(&id), &WebKeyActivated {})?;
        let pushed = crate::in_tx!(self, ctx, |conn| {
            let keys = burg_store::web_keys::list(&mut *conn, &self.instance_id).await?;
            let mut events = vec![added.clone()];
            if !keys.iter().any(|k| k.state == ACTIVE) {
                events.push(activated.clone());
            }
            Ok(events)
        })?;
        Ok(wk::CreateWebKeyResponse { id, creation_date: pushed.first().map(|e| Timestamp::from_micros(e.created_at)) })
    }

    pub async fn activate_web_key(
        &self,
        ctx: &Ctx,
        r: wk::ActivateWebKeyRequest,
    ) -> Result<wk::ActivateWebKeyResponse> {
        let id = r.id.trim().to_string();
        self.web_keys(ctx).await?;
        let (pushed, unchanged) = crate::in_tx!(self, ctx, |conn| -> out {
            let keys = burg_store::web_keys::list(&mut *conn, &self.instance_id).await?;
            let Some(next) = keys.iter().find(|k| k.id == id) else {
                return Err(Error::not_found("COMMAND-teiG3", format!("web key {id} not found")));
            };
            if next.state == ACTIVE {
                return Ok((Vec::new(), Some(next.change_date)));
            }
            let mut events = vec![NewEvent::new(&self.web_key_aggregate(&id), &WebKeyActivated {})?];
            if let Some(active) = keys.iter().find(|k| k.state == ACTIVE) {
                events.push(NewEvent::new(&self.web_key_aggregate(&active.id), &WebKeyDeactivated {})?);
            }
            Ok((events, None))
        })?;
        let at = unchanged.or(pushed.first().map(|e| e.created_at));
        Ok(wk::ActivateWebKeyResponse { change_date: at.map(Timestamp::from_micros) })
    }

    /// Deleting a key that does not exist (any more) succeeds, as in
    /// ZITADEL, without a date.
    pub async fn delete_web_key(&self, ctx: &Ctx, r: wk::DeleteWebKeyRequest) -> Result<wk::DeleteWebKeyResponse> {
        let id = r.id.trim().to_string();
        self.web_keys(ctx).await?;
        let pushed = crate::in_tx!(self, ctx, |conn| {
            let keys = burg_store::web_keys::list(&mut *conn, &self.instance_id).await?;
            match keys.iter().find(|k| k.id == id) {
                None => Ok(Vec::new()),
                Some(k) if k.state == ACTIVE => Err(Error::failed_precondition(
                    "COMMAND-Chai1",
                    format!("web key {id} is active: activate another key before deleting it"),
                )),
                Some(_) => Ok(vec![NewEvent::new(&self.web_key_aggregate(&id), &WebKeyRemoved {})?]),
            }
        })?;
        Ok(wk::DeleteWebKeyResponse { deletion_date: pushed.first().map(|e| Timestamp::from_micros(e.created_at)) })
    }

    pub async fn list_web_keys(&self, ctx: &Ctx, _: wk::ListWebKeysRequest) -> Result<wk::ListWebKeysResponse> {
        let keys = self.web_keys(ctx).await?;
        let web_keys = keys
            .iter()
            .map(|k| wk::WebKey {
                id: k.id.clone(),
                creation_date: Some(Timestamp::from_micros(k.creation_date)),
                change_date: Some(Timestamp::from_micros(k.change_date)),
                state: k.state as i32,
                key: key_of(k),
            })
            .collect();
        Ok(wk::ListWebKeysResponse { web_keys })
    }

    /// The public keys of every web key: the OpenID Provider's key set.
    pub async fn web_key_set(&self) -> Result<Vec<Value>> {
        let keys = self.web_keys(&Ctx::system("oidc")).await?;
        Ok(keys.iter().filter_map(|k| serde_json::from_str(&k.public_key).ok()).collect())
    }

    /// `claims` as a JWT signed by the active web key.
    pub(crate) async fn sign_with_web_key(&self, claims: &Value) -> Result<String> {
        let keys = self.web_keys(&Ctx::system("oidc")).await?;
        let missing = || Error::internal("WEBKEY-act01", "the instance has no usable active web key");
        let active = keys.iter().find(|k| k.state == ACTIVE).ok_or_else(missing)?;
        let config: Value = serde_json::from_str(&active.config).unwrap_or_default();
        let config = KeyConfig::from_stored(&active.config_type, &config).ok_or_else(missing)?;
        let sealed: Sealed = serde_json::from_str(&active.private_key).map_err(|_| missing())?;
        let private = self.key.open(&sealed)?;
        config.sign_jwt(&private, &active.id, "JWT", claims)
    }
}
