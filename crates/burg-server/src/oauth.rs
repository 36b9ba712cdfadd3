//! The OpenID Provider's HTTP endpoints that service accounts use: the
//! discovery document, the token endpoint (form posts, RFC 6749 errors),
//! introspection and the key set. The work is `burg_app::oidc`'s.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use burg_app::App;
use burg_app::oidc::{CLIENT_ASSERTION_JWT, ClientAuth, OAuthError, TokenRequest};
use serde_json::json;

pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/oauth/v2/token", post(token))
        .route("/oauth/v2/introspect", post(introspect))
        .route("/oauth/v2/keys", get(keys))
        .with_state(app)
}

/// The issuer: the URL the request was sent to.
fn issuer(headers: &HeaderMap) -> String {
    crate::auth::origin(headers).unwrap_or_else(|| "http://localhost".into())
}

async fn discovery(headers: HeaderMap) -> Response {
    json_answer(StatusCode::OK, &burg_app::oidc::discovery(&issuer(&headers)))
}

/// The public keys of the instance's web keys.
async fn keys(State(app): State<Arc<App>>) -> Response {
    match app.web_key_set().await {
        Ok(keys) => json_answer(StatusCode::OK, &json!({"keys": keys})),
        Err(e) => oauth_error(&OAuthError::from(e)),
    }
}

/// The form's fields, and HTTP Basic credentials (`client_id`,
/// `client_secret`) over the form's.
fn form(headers: &HeaderMap, body: &[u8]) -> std::collections::HashMap<String, String> {
    let mut fields: std::collections::HashMap<String, String> = form_urlencoded::parse(body).into_owned().collect();
    if let Some((id, secret)) = basic(headers) {
        fields.insert("client_id".into(), id);
        fields.insert("client_secret".into(), secret);
    }
    fields
}

/// HTTP Basic credentials, each part form-decoded (RFC 6749 §2.3.1).
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unescape = |s: &str| form_urlencoded::parse(format!("v={s}").as_bytes()).next().map(|(_, v)| v.into_owned());
    Some((unescape(id)?, unescape(secret)?))
}

async fn token(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let mut f = form(&headers, &body);
    let mut take = |k: &str| f.remove(k).unwrap_or_default();
    let request = TokenRequest {
        grant_type: take("grant_type"),
        assertion: take("assertion"),
        scope: take("scope"),
        client_id: take("client_id"),
        client_secret: take("client_secret"),
    };
    match app.oauth_token(&issuer(&headers), request).await {
        Ok(t) => json_answer(
            StatusCode::OK,
            &json!({"access_token": t.access_token, "token_type": "Bearer", "expires_in": t.expires_in, "scope": t.scope}),
        ),
        Err(e) => oauth_error(&e),
    }
}

async fn introspect(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let f = form(&headers, &body);
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
    let client = if get("client_assertion_type") == CLIENT_ASSERTION_JWT {
        ClientAuth::Assertion(get("client_assertion"))
    } else {
        ClientAuth::Secret { client_id: get("client_id"), client_secret: get("client_secret") }
    };
    match app.oauth_introspect(&issuer(&headers), client, get("token")).await {
        Ok(answer) => json_answer(StatusCode::OK, &answer),
        Err(e) => oauth_error(&e),
    }
}

fn oauth_error(e: &OAuthError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    json_answer(status, &json!({"error": e.error, "error_description": e.description}))
}

fn json_answer(status: StatusCode, value: &serde_json::Value) -> Response {
    let headers = [(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-store")];
    (status, headers, value.to_string()).into_response()
}
