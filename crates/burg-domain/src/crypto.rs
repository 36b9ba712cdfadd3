//! Secrets at rest: AES-256-GCM under the master key, a fresh nonce per value.
//!
//! A sealed value is stored as JSON inside event payloads and read tables,
//! in the member names of ZITADEL's `crypto.CryptoValue` (a Go struct
//! without JSON tags): `{"CryptoType":0,"Algorithm":"aes-256-gcm","KeyID":"…","Crypted":"…"}`.
//! Values written before burg followed that spelling
//! (`cryptoType`, `algorithm`, `keyId`, `crypted`) read the same. The
//! plaintext exists only in memory, wrapped in [`SecretString`], whose
//! `Debug` prints nothing.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Length of a master key secret, as ZITADEL's `--masterkey`.
pub const MASTER_KEY_LEN: usize = 32;
const ALGORITHM: &str = "aes-256-gcm";

/// The instance's master key.
pub struct MasterKey {
    cipher: Aes256Gcm,
    key_id: String,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey").field("key_id", &self.key_id).finish_non_exhaustive()
    }
}

impl MasterKey {
    /// From the operator's secret: exactly 32 characters.
    pub fn from_secret(secret: &str) -> Result<Self> {
        let secret = secret.trim_end_matches(['\n', '\r']);
        if secret.len() != MASTER_KEY_LEN {
            return Err(Error::invalid_argument(
                "CRYPT-mk001",
                format!("the master key must be exactly {MASTER_KEY_LEN} bytes long, got {}", secret.len()),
            ));
        }
        let key: [u8; 32] = Sha256::new().chain_update(b"burg-masterkey-v1\0").chain_update(secret).finalize().into();
        let key_id = hex::encode(&Sha256::new().chain_update(b"burg-key-id\0").chain_update(key).finalize()[..6]);
        let cipher = Aes256Gcm::new_from_slice(&key).map_err(|_| Error::internal("CRYPT-mk002", "bad key length"))?;
        Ok(MasterKey { cipher, key_id })
    }

    /// A new random secret for [`MasterKey::from_secret`].
    pub fn generate_secret() -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..MASTER_KEY_LEN).map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char).collect()
    }

    /// Identifies the key in sealed values, without revealing it.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    pub fn seal(&self, plaintext: &[u8]) -> Sealed {
        let mut nonce = [0u8; 12];
        rand::fill(&mut nonce);
        let ciphertext = self
            .cipher
            .encrypt(&Nonce::from(nonce), plaintext)
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ciphertext);
        Sealed {
            crypto_type: 0,
            algorithm: ALGORITHM.into(),
            key_id: self.key_id.clone(),
            crypted: STANDARD.encode(blob),
        }
    }

    pub fn seal_str(&self, plaintext: &str) -> Sealed {
        self.seal(plaintext.as_bytes())
    }

    pub fn open(&self, sealed: &Sealed) -> Result<Vec<u8>> {
        if sealed.key_id != self.key_id {
            return Err(Error::failed_precondition(
                "CRYPT-op001",
                format!("value was sealed with key {}, the configured master key is {}", sealed.key_id, self.key_id),
            ));
        }
        let blob = STANDARD
            .decode(&sealed.crypted)
            .map_err(|_| Error::internal("CRYPT-op002", "sealed value is not base64"))?;
        if blob.len() < 12 {
            return Err(Error::internal("CRYPT-op003", "sealed value is too short"));
        }
        let (nonce, ciphertext) = blob.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| Error::internal("CRYPT-op006", "bad nonce"))?;
        self.cipher.decrypt(&Nonce::from(nonce), ciphertext).map_err(|_| {
            Error::failed_precondition("CRYPT-op004", "sealed value does not open with the configured master key")
        })
    }

    pub fn open_string(&self, sealed: &Sealed) -> Result<SecretString> {
        let bytes = self.open(sealed)?;
        String::from_utf8(bytes)
            .map(SecretString)
            .map_err(|_| Error::internal("CRYPT-op005", "sealed value is not UTF-8"))
    }
}

/// An encrypted value, as stored: ZITADEL's member names, earlier burg's
/// read too.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    #[serde(rename = "CryptoType", alias = "cryptoType")]
    pub crypto_type: u8,
    #[serde(rename = "Algorithm", alias = "algorithm")]
    pub algorithm: String,
    #[serde(rename = "KeyID", alias = "keyId")]
    pub key_id: String,
    /// Nonce and ciphertext, base64 (as Go writes a `[]byte`).
    #[serde(rename = "Crypted", alias = "crypted")]
    pub crypted: String,
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealed").field("key_id", &self.key_id).finish_non_exhaustive()
    }
}

/// Removes every sealed value from a JSON document, in place: any object
/// with a `Crypted` (or, as written before, `crypted`) member is replaced
/// by `null`. Used where stored payloads are shown (the event list), so
/// that not even ciphertext leaves.
pub fn redact_sealed(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if map.contains_key("Crypted") || map.contains_key("crypted") {
                *value = serde_json::Value::Null;
                return;
            }
            for v in map.values_mut() {
                redact_sealed(v);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_sealed),
        _ => {}
    }
}

/// A plaintext secret in memory. `Debug` and `Display` print `***`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SecretString(pub String);

impl SecretString {
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::fmt::Display for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// SHA-256 of a token, hex; tokens are stored only this way.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random bearer token (256 bits, URL-safe base64).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// An RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256) of `message` with
/// an RSA private key in PKCS#8 or PKCS#1 PEM, as service-account JWTs
/// need.
pub fn rs256_sign(private_key_pem: &str, message: &[u8]) -> Result<Vec<u8>> {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::signature::{SignatureEncoding, Signer};
    let key = rsa::PrivateKey::from_pkcs8_pem(private_key_pem)
        .or_else(|_| rsa::PrivateKey::from_pkcs1_pem(private_key_pem))
        .map_err(|_| Error::invalid_argument("CRYPT-rsa01", "the private key is not an RSA key in PEM"))?;
    let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(key);
    Ok(signer.try_sign(message).map_err(|e| Error::internal("CRYPT-rsa02", format!("cannot sign: {e}")))?.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open() {
        let key = MasterKey::from_secret(&MasterKey::generate_secret()).unwrap();
        let sealed = key.seal_str("canary-secret");
        assert!(!serde_json::to_string(&sealed).unwrap().contains("canary"));
        assert_eq!(key.open_string(&sealed).unwrap().expose(), "canary-secret");
        assert_ne!(key.seal_str("canary-secret").crypted, sealed.crypted, "fresh nonce per value");
    }

    #[test]
    fn wrong_key_is_refused() {
        let a = MasterKey::from_secret("0123456789abcdef0123456789abcdef").unwrap();
        let b = MasterKey::from_secret("fedcba9876543210fedcba9876543210").unwrap();
        let err = b.open(&a.seal(b"x")).unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::FailedPrecondition);
        assert!(MasterKey::from_secret("short").is_err());
    }

    #[test]
    fn redaction_removes_sealed_values() {
        let key = MasterKey::from_secret("0123456789abcdef0123456789abcdef").unwrap();
        let earlier = serde_json::json!({"cryptoType": 0, "algorithm": "aes-256-gcm", "keyId": "k", "crypted": "AA=="});
        let mut doc = serde_json::json!({
            "name": "x", "clientSecret": key.seal_str("s"), "list": [{"k": key.seal_str("t")}], "old": earlier
        });
        redact_sealed(&mut doc);
        assert_eq!(doc, serde_json::json!({"name": "x", "clientSecret": null, "list": [{"k": null}], "old": null}));
    }

    #[test]
    fn sealed_values_are_written_in_zitadels_names_and_read_in_both() {
        let key = MasterKey::from_secret("0123456789abcdef0123456789abcdef").unwrap();
        let sealed = key.seal_str("canary");
        let json = serde_json::to_value(&sealed).unwrap();
        let mut names: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["Algorithm", "Crypted", "CryptoType", "KeyID"]);
        assert_eq!((json["CryptoType"].as_u64(), json["KeyID"].as_str()), (Some(0), Some(key.key_id())));
        // As burg wrote it before.
        let earlier = serde_json::json!({
            "cryptoType": 0, "algorithm": sealed.algorithm, "keyId": sealed.key_id, "crypted": sealed.crypted
        });
        let read: Sealed = serde_json::from_value(earlier).unwrap();
        assert_eq!(key.open_string(&read).unwrap().expose(), "canary");
        let read: Sealed = serde_json::from_value(json).unwrap();
        assert_eq!(read, sealed);
    }

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(format!("{:?} {}", SecretString("x".into()), SecretString("y".into())), "*** ***");
    }
}
