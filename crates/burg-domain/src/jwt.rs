//! The JSON Web Tokens a service account signs to sign in (RFC 7523's
//! JWT bearer grant, ZITADEL's "JWT profile"): compact RS256 tokens, read
//! and checked against the public key of the machine key they name.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// A compact JWT taken apart; its signature not yet checked.
#[derive(Debug, Clone)]
pub struct Jwt {
    pub alg: String,
    pub kid: String,
    pub claims: Value,
    signing_input: String,
    signature: Vec<u8>,
}

impl Jwt {
    /// Reads `header.payload.signature`; `Err` says what is wrong.
    pub fn parse(token: &str) -> Result<Jwt, String> {
        let mut parts = token.trim().split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err("the assertion is not a JWT of three parts".into());
        };
        let json = |part: &str, what: &str| -> Result<Value, String> {
            let bytes = URL_SAFE_NO_PAD.decode(part).map_err(|_| format!("the {what} is not base64url"))?;
            serde_json::from_slice(&bytes).map_err(|_| format!("the {what} is not JSON"))
        };
        let head = json(header, "header")?;
        let claims = json(payload, "payload")?;
        if !claims.is_object() {
            return Err("the payload is not a JSON object".into());
        }
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        Ok(Jwt {
            alg: text(&head, "alg"),
            kid: text(&head, "kid"),
            claims,
            signing_input: format!("{header}.{payload}"),
            signature: URL_SAFE_NO_PAD.decode(signature).map_err(|_| "the signature is not base64url".to_string())?,
        })
    }

    /// A string claim, or "".
    pub fn claim(&self, name: &str) -> &str {
        self.claims.get(name).and_then(Value::as_str).unwrap_or_default()
    }

    /// A numeric date claim (seconds since the epoch).
    pub fn time(&self, name: &str) -> Option<i64> {
        let v = self.claims.get(name)?;
        v.as_i64().or_else(|| v.as_f64().map(|f| f as i64))
    }

    /// The audience: one string or a list.
    pub fn audience(&self) -> Vec<String> {
        match self.claims.get("aud") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_string).collect(),
            _ => Vec::new(),
        }
    }

    /// Whether an RS256 signature of the token checks against `public_pem`
    /// (a PEM `PUBLIC KEY` or `RSA PUBLIC KEY`).
    pub fn verify_rs256(&self, public_pem: &[u8]) -> bool {
        use rsa::pkcs1::DecodeRsaPublicKey;
        use rsa::pkcs8::DecodePublicKey;
        use rsa::signature::Verifier;
        if self.alg != "RS256" {
            return false;
        }
        let Ok(text) = std::str::from_utf8(public_pem) else { return false };
        let key = match rsa::PublicKey::from_public_key_pem(text.trim()) {
            Ok(key) => key,
            Err(_) => match rsa::PublicKey::from_pkcs1_pem(text.trim()) {
                Ok(key) => key,
                Err(_) => return false,
            },
        };
        let verifier = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key);
        let Ok(signature) = rsa::pkcs1v15::Signature::try_from(self.signature.as_slice()) else { return false };
        verifier.verify(self.signing_input.as_bytes(), &signature).is_ok()
    }
}

/// Signs `claims` with a PKCS #1 PEM private key as an RS256 JWT naming
/// `kid`: what a key file's holder does (tests and tools).
pub fn sign_rs256(private_pem: &str, kid: &str, claims: &Value) -> Result<String, String> {
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": kid});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).unwrap_or_default()),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default())
    );
    let signature = crate::crypto::rs256_sign(private_pem, input.as_bytes()).map_err(|e| e.message)?;
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_token_checks_against_its_key_only() {
        let (private, public) = crate::machine_key::new_key_pair(1024).unwrap();
        let (_, other) = crate::machine_key::new_key_pair(1024).unwrap();
        let claims = serde_json::json!({"iss": "1", "sub": "1", "aud": ["https://id.example.com"], "exp": 2, "iat": 1});
        let token = sign_rs256(&private, "k1", &claims).unwrap();
        let jwt = Jwt::parse(&token).unwrap();
        assert_eq!((jwt.alg.as_str(), jwt.kid.as_str(), jwt.claim("sub")), ("RS256", "k1", "1"));
        assert_eq!(jwt.audience(), ["https://id.example.com"]);
        assert_eq!(jwt.time("exp"), Some(2));
        assert!(jwt.verify_rs256(public.as_bytes()));
        assert!(!jwt.verify_rs256(other.as_bytes()));
        let tampered = token.replacen('.', ".e30.", 1).split('.').take(3).collect::<Vec<_>>().join(".");
        assert!(Jwt::parse(&tampered).map(|j| !j.verify_rs256(public.as_bytes())).unwrap_or(true));
        assert!(Jwt::parse("a.b").is_err());
    }
}
