//! Service accounts sign in as in ZITADEL: the token endpoint's JWT
//! bearer grant ("JWT profile": an assertion signed with a machine key,
//! the key file's) and client credentials grant (a machine user's name and
//! client secret), each answering a bearer token the APIs accept;
//! introspection of those tokens for an API or OIDC application; the
//! discovery document. Tokens live 12 hours (ZITADEL's
//! `AccessTokenLifetime`), are kept only as their SHA-256 and are written
//! as ZITADEL's `user.token.added`. A machine user whose access token type
//! is JWT gets a JWT signed by the instance's active web key (see
//! `web_keys`), which the key set publishes; the APIs and introspection
//! accept it as they accept an opaque token (by its hash, so a removed
//! user's JWT stops working too). Sign-in of people (authorization code,
//! ID tokens) is not here yet.

use burg_domain::crypto::{new_token, token_hash};
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::EventTime;
use burg_domain::events::user::AccessTokenAdded;
use burg_domain::jwt::Jwt;
use burg_domain::state::UserState;
use serde_json::{Value, json};

use crate::{App, Ctx};

/// ZITADEL's `AccessTokenLifetime` (`cmd/defaults.yaml`): 12 h.
pub const ACCESS_TOKEN_LIFETIME_SECS: i64 = 12 * 3600;
/// How far a clock may be off for an assertion's `iat` and `exp`.
const LEEWAY_SECS: i64 = 60;
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
pub const CLIENT_CREDENTIALS: &str = "client_credentials";
/// `user.AccessTokenType`: the machine user's tokens are JWTs.
const ACCESS_TOKEN_TYPE_JWT: i64 = 1;

/// An OAuth error (RFC 6749 §5.2): its code, and a description for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub error: &'static str,
    pub description: String,
}

impl OAuthError {
    fn new(error: &'static str, description: impl Into<String>) -> Self {
        OAuthError { error, description: description.into() }
    }

    /// The HTTP status of the answer: 401 for a client that failed to
    /// authenticate, 500 for ours, else 400.
    pub fn status(&self) -> u16 {
        match self.error {
            "invalid_client" => 401,
            "server_error" => 500,
            _ => 400,
        }
    }
}

impl From<burg_domain::Error> for OAuthError {
    fn from(e: burg_domain::Error) -> Self {
        tracing::error!(id = e.id, message = %e.message, "the token endpoint failed");
        OAuthError::new("server_error", "internal error")
    }
}

/// A request to the token endpoint, its form and basic credentials.
#[derive(Debug, Clone, Default)]
pub struct TokenRequest {
    pub grant_type: String,
    pub assertion: String,
    pub scope: String,
    pub client_id: String,
    pub client_secret: String,
}

/// How an application authenticates at the introspection endpoint.
#[derive(Debug, Clone, Copy)]
pub enum ClientAuth<'a> {
    /// HTTP Basic or the form's `client_id` and `client_secret`.
    Secret { client_id: &'a str, client_secret: &'a str },
    /// `client_assertion` (of type [`CLIENT_ASSERTION_JWT`]).
    Assertion(&'a str),
}

/// The `client_assertion_type` of a private key JWT (RFC 7523 §2.2).
pub const CLIENT_ASSERTION_JWT: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// What the token endpoint answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: i64,
    pub scope: String,
}

impl App {
    /// The token endpoint: the JWT bearer and client credentials grants
    /// for machine users. `issuer` is the URL the server is called at.
    pub async fn oauth_token(&self, issuer: &str, r: TokenRequest) -> Result<IssuedToken, OAuthError> {
        let (user_id, reason) = match r.grant_type.as_str() {
            JWT_BEARER => (self.jwt_profile_user(issuer, &r.assertion).await?, "jwt_profile"),
            CLIENT_CREDENTIALS => {
                (self.client_credentials_user(&r.client_id, &r.client_secret).await?, "client_credentials")
            }
            "" => return Err(OAuthError::new("invalid_request", "grant_type missing")),
            other => {
                return Err(OAuthError::new(
                    "unsupported_grant_type",
                    format!("{other} is not supported: use {JWT_BEARER} or {CLIENT_CREDENTIALS}"),
                ));
            }
        };
        let scopes: Vec<String> = r.scope.split_whitespace().map(str::to_string).collect();
        let now = self.now();
        let expiration = now.saturating_add(ACCESS_TOKEN_LIFETIME_SECS * 1_000_000);
        let owner = burg_store::users::get(self.db.pool(), &self.instance_id, &user_id)
            .await?
            .map(|u| u.resource_owner)
            .unwrap_or_default();
        let token_id = self.new_id();
        let audience = vec![user_id.clone()];
        let machine = burg_store::machine::machine(self.db.pool(), &self.instance_id, &user_id).await?;
        // A machine user's `accessTokenType`: 0 an opaque bearer token, 1 a
        // JWT signed by the instance's active web key.
        let token = if machine.is_some_and(|m| m.access_token_type == ACCESS_TOKEN_TYPE_JWT) {
            let claims = json!({
                "iss": issuer,
                "sub": user_id,
                "aud": audience,
                "exp": expiration / 1_000_000,
                "iat": now / 1_000_000,
                "nbf": now / 1_000_000,
                "jti": token_id,
                "client_id": if r.client_id.is_empty() { &user_id } else { &r.client_id },
                "scope": scopes.join(" "),
            });
            self.sign_with_web_key(&claims).await?
        } else {
            new_token()
        };
        let added = AccessTokenAdded {
            token_id,
            application_id: r.client_id.clone(),
            audience,
            scopes: scopes.clone(),
            expiration: EventTime(expiration),
            reason: reason.to_string(),
            token_hash: token_hash(&token),
        };
        let ctx = Ctx::system("oidc");
        let on = Aggregate::new(aggregate::USER, &user_id, &owner);
        crate::in_tx!(self, &ctx, |_conn| { Ok(vec![NewEvent::new(&on, &added)?]) })?;
        Ok(IssuedToken { access_token: token, expires_in: ACCESS_TOKEN_LIFETIME_SECS, scope: scopes.join(" ") })
    }

    /// The user a JWT bearer assertion signs in: signed with one of the
    /// user's machine keys (`kid`), issued by and about the user, for this
    /// issuer, and current.
    async fn jwt_profile_user(&self, issuer: &str, assertion: &str) -> Result<String, OAuthError> {
        let invalid = |why: String| OAuthError::new("invalid_grant", why);
        if assertion.is_empty() {
            return Err(OAuthError::new("invalid_request", "assertion missing"));
        }
        let jwt = self.checked_assertion(issuer, assertion).map_err(invalid)?;
        let key = burg_store::machine::key_anywhere(self.db.pool(), &self.instance_id, &jwt.kid).await?;
        let Some((_, key)) = key else { return Err(invalid("the assertion's key (kid) is unknown".into())) };
        let user = jwt.claim("sub");
        self.signed_by_key(&jwt, &key.data, "userId").map_err(invalid)?;
        self.require_active_user(user).await.map_err(invalid)?;
        Ok(user.to_string())
    }

    /// An assertion's claims checked: a JWT issued by and about the same
    /// party (`iss` = `sub`), for `issuer`, current. Its signature is the
    /// caller's to check.
    fn checked_assertion(&self, issuer: &str, assertion: &str) -> Result<Jwt, String> {
        let jwt = Jwt::parse(assertion)?;
        let subject = jwt.claim("sub");
        if subject.is_empty() || jwt.claim("iss") != subject {
            return Err("the assertion's iss and sub must both name its signer".into());
        }
        if !jwt.audience().iter().any(|a| a.trim_end_matches('/') == issuer.trim_end_matches('/')) {
            return Err("the assertion's audience must contain the issuer".into());
        }
        let now = self.now() / 1_000_000;
        match (jwt.time("exp"), jwt.time("iat")) {
            (Some(exp), _) if exp + LEEWAY_SECS < now => Err("the assertion has expired".into()),
            (None, _) => Err("the assertion has no exp".into()),
            (_, Some(iat)) if iat > now + LEEWAY_SECS => Err("the assertion is issued in the future".into()),
            _ => Ok(jwt),
        }
    }

    /// Whether `jwt` is signed (RS256) with the stored key `key` (a machine
    /// or application key's JSON: `publicKey`, `expirationDate`), which
    /// belongs to the assertion's subject through its member `owner`.
    fn signed_by_key(&self, jwt: &Jwt, key: &str, owner: &str) -> Result<(), String> {
        let doc: Value = serde_json::from_str(key).unwrap_or_default();
        if doc.get(owner).and_then(Value::as_str) != Some(jwt.claim("sub")) {
            return Err("the assertion's key is not its signer's".into());
        }
        let expiry = doc.get("expirationDate").cloned().and_then(|t| serde_json::from_value::<EventTime>(t).ok());
        if expiry.is_some_and(|t| t.0 < self.now()) {
            return Err("the assertion's key has expired".into());
        }
        let public = doc
            .get("publicKey")
            .and_then(Value::as_str)
            .and_then(|b| base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b).ok())
            .unwrap_or_default();
        if !jwt.verify_rs256(&public) {
            return Err("the assertion's signature does not check (RS256 with the key named by kid)".into());
        }
        Ok(())
    }

    /// The machine user whose name and client secret these are.
    async fn client_credentials_user(&self, client_id: &str, secret: &str) -> Result<String, OAuthError> {
        let invalid = || OAuthError::new("invalid_client", "client authentication failed");
        if client_id.is_empty() || secret.is_empty() {
            return Err(OAuthError::new("invalid_client", "client_id and client_secret are required"));
        }
        let found = burg_store::machine::by_user_name(self.db.pool(), &self.instance_id, client_id).await?;
        let Some((id, _, machine)) = found else { return Err(invalid()) };
        let (secret, hash) = (secret.to_string(), machine.secret_hash.clone());
        let matches = tokio::task::spawn_blocking(move || burg_domain::password::secret_matches(&secret, &hash))
            .await
            .unwrap_or(false);
        if !matches {
            return Err(invalid());
        }
        self.require_active_user(&id).await.map_err(|why| OAuthError::new("invalid_client", why))?;
        Ok(id)
    }

    async fn require_active_user(&self, id: &str) -> Result<(), String> {
        match burg_store::machine::user_state(self.db.pool(), &self.instance_id, id).await {
            Ok(Some(state)) if state == UserState::Active.code() => Ok(()),
            Ok(Some(_)) => Err("the user is not active".into()),
            _ => Err("the user does not exist".into()),
        }
    }

    /// Token introspection (RFC 7662) for an application that
    /// authenticates with its client id and secret (API and OIDC apps), or
    /// with a JWT signed by one of its keys (private key JWT, as ZITADEL's
    /// resource-server libraries do with an API app's key file).
    pub async fn oauth_introspect(
        &self,
        issuer: &str,
        client: ClientAuth<'_>,
        token: &str,
    ) -> Result<Value, OAuthError> {
        let authenticated = match client {
            ClientAuth::Secret { client_id, client_secret } => {
                self.app_secret_matches(client_id, client_secret).await?
            }
            ClientAuth::Assertion(assertion) => self.app_assertion_checks(issuer, assertion).await?,
        };
        if !authenticated {
            return Err(OAuthError::new("invalid_client", "client authentication failed"));
        }
        let inactive = json!({"active": false});
        let Some(t) = burg_store::users::access_token(&self.db, &self.instance_id, &token_hash(token)).await? else {
            return Ok(inactive);
        };
        if t.expiration <= self.now() || self.require_active_user(&t.user_id).await.is_err() {
            return Ok(inactive);
        }
        let list = |text: &str| serde_json::from_str::<Vec<String>>(text).unwrap_or_default();
        Ok(json!({
            "active": true,
            "scope": list(&t.scopes).join(" "),
            "client_id": t.client_id,
            "token_type": "Bearer",
            "exp": t.expiration / 1_000_000,
            "iat": t.creation_date / 1_000_000,
            "nbf": t.creation_date / 1_000_000,
            "sub": t.user_id,
            "aud": list(&t.audience),
            "iss": issuer,
            "jti": t.id,
            "username": t.user_name,
            "urn:zitadel:iam:user:resourceowner:id": t.org_id,
        }))
    }

    /// Whether `assertion` is signed by a key of the application it names
    /// (`iss` and `sub`: the app's client id) and meant for `issuer`.
    async fn app_assertion_checks(&self, issuer: &str, assertion: &str) -> Result<bool, OAuthError> {
        use burg_store::projection::app::KEY_KIND;
        let Ok(jwt) = self.checked_assertion(issuer, assertion) else { return Ok(false) };
        let pool = self.db.pool();
        let Some((org, _)) = burg_store::documents::owner_of(pool, &self.instance_id, &[KEY_KIND], &jwt.kid).await?
        else {
            return Ok(false);
        };
        let key = burg_store::documents::get(pool, &self.instance_id, &org, KEY_KIND, &jwt.kid).await?;
        Ok(key.is_some_and(|key| self.signed_by_key(&jwt, &key.data, "clientId").is_ok()))
    }

    /// Whether an API or OIDC app of the instance has the client id and the
    /// secret.
    async fn app_secret_matches(&self, client_id: &str, secret: &str) -> Result<bool, OAuthError> {
        use burg_store::projection::app::{API_KIND, CLIENT_ID, OIDC_KIND};
        if client_id.is_empty() || secret.is_empty() {
            return Ok(false);
        }
        let hash = burg_store::documents::secret_of_client(
            self.db.pool(),
            &self.instance_id,
            &[API_KIND, OIDC_KIND],
            CLIENT_ID,
            client_id,
        )
        .await?;
        let Some(hash) = hash else { return Ok(false) };
        let secret = secret.to_string();
        Ok(tokio::task::spawn_blocking(move || burg_domain::password::secret_matches(&secret, &hash))
            .await
            .unwrap_or(false))
    }
}

/// The OpenID Provider's discovery document for `issuer`.
pub fn discovery(issuer: &str) -> Value {
    let at = |path: &str| format!("{}{path}", issuer.trim_end_matches('/'));
    json!({
        "issuer": issuer,
        "authorization_endpoint": at("/oauth/v2/authorize"),
        "token_endpoint": at("/oauth/v2/token"),
        "introspection_endpoint": at("/oauth/v2/introspect"),
        "userinfo_endpoint": at("/oidc/v1/userinfo"),
        "revocation_endpoint": at("/oauth/v2/revoke"),
        "end_session_endpoint": at("/oidc/v1/end_session"),
        "jwks_uri": at("/oauth/v2/keys"),
        "scopes_supported": ["openid", "profile", "email", "phone", "address", "offline_access"],
        "response_types_supported": ["code", "id_token", "id_token token"],
        "grant_types_supported": [CLIENT_CREDENTIALS, JWT_BEARER],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt"],
        "claims_supported": ["sub", "aud", "exp", "iat", "iss", "auth_time", "name", "email", "preferred_username"],
        "code_challenge_methods_supported": ["S256"],
        "request_uri_parameter_supported": false,
    })
}
