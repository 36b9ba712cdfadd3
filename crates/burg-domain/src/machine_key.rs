//! Machine users' keys: the key pair burg makes when the caller brings no
//! public key, the public keys it accepts, and the key file ZITADEL hands
//! out (`domain.MachineKeyMarshalJSON`).

use serde::Serialize;

use crate::events::EventTime;
use crate::{Error, Result};

/// ZITADEL's `MachineKeySize` (`cmd/defaults.yaml`).
pub const KEY_BITS: usize = 2048;

/// `domain.AuthNKeyType`: the JSON key file, the only type.
pub const TYPE_JSON: i32 = 1;

/// A new RSA key pair: the private key (PKCS #1 PEM), for the key file, and
/// the public key (SubjectPublicKeyInfo PEM), which is stored.
/// CPU-heavy: run it off the async workers.
pub fn new_key_pair(bits: usize) -> Result<(String, String)> {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::EncodePublicKey;
    use rsa::pkcs8::LineEnding;
    let fail = |e: &dyn std::fmt::Display| Error::internal("KEY-gen01", format!("cannot make a key pair: {e}"));
    let key = rsa::PrivateKey::new(&mut rand::rng(), bits).map_err(|e| fail(&e))?;
    let private = key.to_pkcs1_pem(LineEnding::LF).map_err(|e| fail(&e))?.to_string();
    let public = rsa::PublicKey::from(&key).to_public_key_pem(LineEnding::LF).map_err(|e| fail(&e))?;
    Ok((private, public))
}

/// Whether `pem` is an RSA public key ZITADEL accepts (`crypto.BytesToPublicKey`:
/// a PEM `PUBLIC KEY` or `RSA PUBLIC KEY` block).
pub fn is_public_key(pem: &[u8]) -> bool {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use rsa::pkcs8::DecodePublicKey;
    let Ok(text) = std::str::from_utf8(pem) else { return false };
    rsa::PublicKey::from_public_key_pem(text.trim()).is_ok() || rsa::PublicKey::from_pkcs1_pem(text.trim()).is_ok()
}

/// The key file of a machine key: what the caller signs its assertions with.
pub fn key_file(key_id: &str, private_pem: &str, expiration: EventTime, user_id: &str) -> Result<Vec<u8>> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct KeyFile<'a> {
        r#type: &'a str,
        key_id: &'a str,
        key: &'a str,
        expiration_date: EventTime,
        user_id: &'a str,
    }
    let file = KeyFile { r#type: "serviceaccount", key_id, key: private_pem, expiration_date: expiration, user_id };
    serde_json::to_vec(&file).map_err(|e| Error::internal("KEY-enc01", format!("cannot write the key file: {e}")))
}

/// The key file of an application's key (ZITADEL's
/// `ApplicationKey.MarshalJSON`): what the application signs its client
/// assertions with.
pub fn app_key_file(key_id: &str, private_pem: &str, app_id: &str, client_id: &str) -> Result<Vec<u8>> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct KeyFile<'a> {
        r#type: &'a str,
        key_id: &'a str,
        key: &'a str,
        app_id: &'a str,
        client_id: &'a str,
    }
    let file = KeyFile { r#type: "application", key_id, key: private_pem, app_id, client_id };
    serde_json::to_vec(&file).map_err(|e| Error::internal("KEY-enc02", format!("cannot write the key file: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_pair_is_accepted_and_written_as_a_key_file() {
        let (private, public) = new_key_pair(1024).unwrap();
        assert!(private.starts_with("-----BEGIN RSA PRIVATE KEY-----"), "{private}");
        assert!(is_public_key(public.as_bytes()));
        assert!(!is_public_key(b"-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n"));
        let file = key_file("42", &private, EventTime(4_102_444_800_000_000), "7").unwrap();
        let file: serde_json::Value = serde_json::from_slice(&file).unwrap();
        assert_eq!(file["type"], "serviceaccount");
        assert_eq!(file["keyId"], "42");
        assert_eq!(file["userId"], "7");
        assert_eq!(file["expirationDate"], "2100-01-01T00:00:00Z");
        assert_eq!(file["key"], private);
    }
}
