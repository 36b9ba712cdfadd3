//! Web keys: the instance's key pairs that sign the tokens it issues
//! (ZITADEL's `web_key.*`, the keys `/oauth/v2/keys` publishes). A key is
//! made for a configuration (RSA with a size and hash, ECDSA on a curve, or
//! Ed25519); its private half is kept sealed as PKCS #8, its public half as
//! the JSON Web Key the key set shows.
//!
//! The configuration is stored as ZITADEL's event carries it: `config`
//! with Go's field names and enum names (`{"Bits":"2048","Hasher":"SHA256"}`,
//! `{"Curve":"P256"}`, `{}`) and `configType` (`RSA`, `ECDSA`, `ED25519`).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{self, KeyPair as _};
use serde_json::{Value, json};

use crate::{Error, Result};

/// The hash of an RSA key's signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hasher {
    Sha256,
    Sha384,
    Sha512,
}

/// The curve of an ECDSA key. `P512` is ZITADEL's name for P-521.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    P256,
    P384,
    P512,
}

/// What a key is made as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyConfig {
    Rsa { bits: u32, hasher: Hasher },
    Ecdsa { curve: Curve },
    Ed25519,
}

/// ZITADEL's default (`DefaultInstance.WebKeys`, and a create request that
/// names no key type): RSA, 2048 bits, SHA-256.
pub const DEFAULT: KeyConfig = KeyConfig::Rsa { bits: 2048, hasher: Hasher::Sha256 };

/// A key pair just made: the private key (PKCS #8 DER, to be sealed) and
/// the public JSON Web Key.
pub struct NewKey {
    pub private_pkcs8: Vec<u8>,
    pub public_jwk: Value,
}

impl std::fmt::Debug for NewKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewKey").field("public_jwk", &self.public_jwk).finish_non_exhaustive()
    }
}

impl KeyConfig {
    /// The JWS algorithm of the key's signatures.
    pub fn alg(&self) -> &'static str {
        match self {
            KeyConfig::Rsa { hasher: Hasher::Sha256, .. } => "RS256",
            KeyConfig::Rsa { hasher: Hasher::Sha384, .. } => "RS384",
            KeyConfig::Rsa { hasher: Hasher::Sha512, .. } => "RS512",
            KeyConfig::Ecdsa { curve: Curve::P256 } => "ES256",
            KeyConfig::Ecdsa { curve: Curve::P384 } => "ES384",
            KeyConfig::Ecdsa { curve: Curve::P512 } => "ES512",
            KeyConfig::Ed25519 => "EdDSA",
        }
    }

    /// The event's `configType`.
    pub fn config_type(&self) -> &'static str {
        match self {
            KeyConfig::Rsa { .. } => "RSA",
            KeyConfig::Ecdsa { .. } => "ECDSA",
            KeyConfig::Ed25519 => "ED25519",
        }
    }

    /// The event's `config`.
    pub fn config_json(&self) -> Value {
        match self {
            KeyConfig::Rsa { bits, hasher } => {
                let hasher = match hasher {
                    Hasher::Sha256 => "SHA256",
                    Hasher::Sha384 => "SHA384",
                    Hasher::Sha512 => "SHA512",
                };
                json!({"Bits": bits.to_string(), "Hasher": hasher})
            }
            KeyConfig::Ecdsa { curve } => {
                let curve = match curve {
                    Curve::P256 => "P256",
                    Curve::P384 => "P384",
                    Curve::P512 => "P512",
                };
                json!({"Curve": curve})
            }
            KeyConfig::Ed25519 => json!({}),
        }
    }

    /// Reads an event's `configType` and `config`.
    pub fn from_stored(config_type: &str, config: &Value) -> Option<KeyConfig> {
        let text =
            |k: &str| config.get(k).and_then(|v| v.as_str().map(str::to_string).or(v.as_i64().map(|n| n.to_string())));
        match config_type {
            "RSA" => {
                let bits = text("Bits")?.parse().ok().filter(|b| [2048, 3072, 4096].contains(b))?;
                let hasher = match text("Hasher")?.as_str() {
                    "SHA256" => Hasher::Sha256,
                    "SHA384" => Hasher::Sha384,
                    "SHA512" => Hasher::Sha512,
                    _ => return None,
                };
                Some(KeyConfig::Rsa { bits, hasher })
            }
            "ECDSA" => {
                let curve = match text("Curve")?.as_str() {
                    "P256" => Curve::P256,
                    "P384" => Curve::P384,
                    "P512" => Curve::P512,
                    _ => return None,
                };
                Some(KeyConfig::Ecdsa { curve })
            }
            "ED25519" => Some(KeyConfig::Ed25519),
            _ => None,
        }
    }

    /// Makes a key pair named `kid`. CPU-heavy for RSA: run it off the
    /// async workers. P-521 keys are not made yet (`Unimplemented`).
    pub fn generate(&self, kid: &str) -> Result<NewKey> {
        let fail = |e: &dyn std::fmt::Display| Error::internal("WEBKEY-gen01", format!("cannot make a web key: {e}"));
        let rng = SystemRandom::new();
        let (private_pkcs8, mut jwk) = match self {
            KeyConfig::Rsa { bits, .. } => {
                use rsa::pkcs8::EncodePrivateKey;
                let key = rsa::PrivateKey::new(&mut rand::rng(), *bits as usize).map_err(|e| fail(&e))?;
                let der = key.to_pkcs8_der().map_err(|e| fail(&e))?.as_bytes().to_vec();
                let pair = signature::RsaKeyPair::from_pkcs8(&der).map_err(|e| fail(&e))?;
                let parts: signature::RsaPublicKeyComponents<Vec<u8>> = pair.public().into();
                (
                    der,
                    json!({"kty": "RSA", "n": URL_SAFE_NO_PAD.encode(&parts.n), "e": URL_SAFE_NO_PAD.encode(&parts.e)}),
                )
            }
            KeyConfig::Ecdsa { curve } => {
                let (alg, crv, size) = match curve {
                    Curve::P256 => (&signature::ECDSA_P256_SHA256_FIXED_SIGNING, "P-256", 32),
                    Curve::P384 => (&signature::ECDSA_P384_SHA384_FIXED_SIGNING, "P-384", 48),
                    Curve::P512 => {
                        return Err(Error::unimplemented(
                            "WEBKEY-p521",
                            "ecdsa.curve: burg does not make P-521 (ECDSA_CURVE_P512) keys yet; use P256 or P384",
                        ));
                    }
                };
                let doc = signature::EcdsaKeyPair::generate_pkcs8(alg, &rng).map_err(|e| fail(&e))?;
                let pair = signature::EcdsaKeyPair::from_pkcs8(alg, doc.as_ref(), &rng).map_err(|e| fail(&e))?;
                // The public key is the uncompressed point: 0x04, x, y.
                let point = pair.public_key().as_ref();
                let (x, y) = point[1..].split_at(size);
                let jwk =
                    json!({"kty": "EC", "crv": crv, "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y)});
                (doc.as_ref().to_vec(), jwk)
            }
            KeyConfig::Ed25519 => {
                let doc = signature::Ed25519KeyPair::generate_pkcs8(&rng).map_err(|e| fail(&e))?;
                let pair = signature::Ed25519KeyPair::from_pkcs8(doc.as_ref()).map_err(|e| fail(&e))?;
                let x = URL_SAFE_NO_PAD.encode(pair.public_key().as_ref());
                (doc.as_ref().to_vec(), json!({"kty": "OKP", "crv": "Ed25519", "x": x}))
            }
        };
        if let Value::Object(map) = &mut jwk {
            map.insert("use".into(), json!("sig"));
            map.insert("kid".into(), json!(kid));
            map.insert("alg".into(), json!(self.alg()));
        }
        Ok(NewKey { private_pkcs8, public_jwk: jwk })
    }

    /// A signature of `message` with the PKCS #8 private key, as JWS wants
    /// it (ECDSA as r‖s).
    pub fn sign(&self, private_pkcs8: &[u8], message: &[u8]) -> Result<Vec<u8>> {
        let fail =
            |e: &dyn std::fmt::Display| Error::internal("WEBKEY-sig01", format!("cannot sign with the web key: {e}"));
        let rng = SystemRandom::new();
        match self {
            KeyConfig::Rsa { hasher, .. } => {
                let pair = signature::RsaKeyPair::from_pkcs8(private_pkcs8).map_err(|e| fail(&e))?;
                let padding: &dyn signature::RsaEncoding = match hasher {
                    Hasher::Sha256 => &signature::RSA_PKCS1_SHA256,
                    Hasher::Sha384 => &signature::RSA_PKCS1_SHA384,
                    Hasher::Sha512 => &signature::RSA_PKCS1_SHA512,
                };
                let mut out = vec![0; pair.public().modulus_len()];
                pair.sign(padding, &rng, message, &mut out).map_err(|e| fail(&e))?;
                Ok(out)
            }
            KeyConfig::Ecdsa { curve } => {
                let alg = match curve {
                    Curve::P256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                    Curve::P384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                    Curve::P512 => return Err(fail(&"P-521 keys are not supported")),
                };
                let pair = signature::EcdsaKeyPair::from_pkcs8(alg, private_pkcs8, &rng).map_err(|e| fail(&e))?;
                Ok(pair.sign(&rng, message).map_err(|e| fail(&e))?.as_ref().to_vec())
            }
            KeyConfig::Ed25519 => {
                let pair = signature::Ed25519KeyPair::from_pkcs8(private_pkcs8).map_err(|e| fail(&e))?;
                Ok(pair.sign(message).as_ref().to_vec())
            }
        }
    }

    /// A compact JWS of `claims`, its header naming `kid` and this key's
    /// algorithm; `typ` is the header's type (`JWT`, or `at+jwt`).
    pub fn sign_jwt(&self, private_pkcs8: &[u8], kid: &str, typ: &str, claims: &Value) -> Result<String> {
        let header = json!({"alg": self.alg(), "kid": kid, "typ": typ});
        let encode = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap_or_default());
        let input = format!("{}.{}", encode(&header), encode(claims));
        let signature = self.sign(private_pkcs8, input.as_bytes())?;
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }
}

/// Whether a JWS made by [`KeyConfig::sign_jwt`] checks against the public
/// JSON Web Key `jwk` (what a relying party does with the key set).
pub fn verify_jwt(jwk: &Value, token: &str) -> bool {
    let text = |k: &str| jwk.get(k).and_then(Value::as_str).unwrap_or_default();
    let bytes = |k: &str| URL_SAFE_NO_PAD.decode(text(k)).unwrap_or_default();
    let Some((input, signature)) = token.rsplit_once('.') else { return false };
    let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else { return false };
    let (input, rsa) = (input.as_bytes(), signature::RsaPublicKeyComponents { n: bytes("n"), e: bytes("e") });
    let unparsed = |alg: &'static dyn signature::VerificationAlgorithm, key: Vec<u8>| {
        signature::UnparsedPublicKey::new(alg, key).verify(input, &signature).is_ok()
    };
    let point = || [vec![4u8], bytes("x"), bytes("y")].concat();
    match (text("kty"), text("alg")) {
        ("RSA", "RS256") => rsa.verify(&signature::RSA_PKCS1_2048_8192_SHA256, input, &signature).is_ok(),
        ("RSA", "RS384") => rsa.verify(&signature::RSA_PKCS1_2048_8192_SHA384, input, &signature).is_ok(),
        ("RSA", "RS512") => rsa.verify(&signature::RSA_PKCS1_2048_8192_SHA512, input, &signature).is_ok(),
        ("EC", "ES256") => unparsed(&signature::ECDSA_P256_SHA256_FIXED, point()),
        ("EC", "ES384") => unparsed(&signature::ECDSA_P384_SHA384_FIXED, point()),
        ("OKP", "EdDSA") => unparsed(&signature::ED25519, bytes("x")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_signs_what_its_public_key_checks() {
        let claims = json!({"sub": "1"});
        for config in [
            KeyConfig::Rsa { bits: 2048, hasher: Hasher::Sha384 },
            KeyConfig::Ecdsa { curve: Curve::P256 },
            KeyConfig::Ecdsa { curve: Curve::P384 },
            KeyConfig::Ed25519,
        ] {
            let key = config.generate("k1").unwrap();
            assert_eq!(
                (key.public_jwk["kid"].as_str(), key.public_jwk["alg"].as_str()),
                (Some("k1"), Some(config.alg()))
            );
            assert_eq!(key.public_jwk["use"], "sig");
            assert!(key.public_jwk.get("d").is_none(), "no private part in {}", key.public_jwk);
            let token = config.sign_jwt(&key.private_pkcs8, "k1", "JWT", &claims).unwrap();
            assert!(verify_jwt(&key.public_jwk, &token), "{config:?}");
            let other = config.generate("k2").unwrap();
            assert!(!verify_jwt(&other.public_jwk, &token), "{config:?}");
            let stored = KeyConfig::from_stored(config.config_type(), &config.config_json());
            assert_eq!(stored, Some(config));
        }
    }

    #[test]
    fn the_stored_configuration_is_zitadels() {
        assert_eq!(DEFAULT.config_json(), json!({"Bits": "2048", "Hasher": "SHA256"}));
        assert_eq!(DEFAULT.config_type(), "RSA");
        assert_eq!(KeyConfig::Ecdsa { curve: Curve::P512 }.config_json(), json!({"Curve": "P512"}));
        assert_eq!(KeyConfig::Ed25519.config_json(), json!({}));
        assert_eq!(KeyConfig::from_stored("RSA", &json!({"Bits": "1024", "Hasher": "SHA256"})), None);
        assert_eq!(KeyConfig::Ecdsa { curve: Curve::P512 }.generate("k").unwrap_err().id, "WEBKEY-p521");
    }
}
