//! Service accounts sign in as in ZITADEL: the discovery document, the
//! token endpoint's JWT bearer grant with a key file's key and client
//! credentials grant with a machine secret, the tokens used on the APIs,
//! and their introspection by an API application.

use std::sync::Arc;

use burg_testkit::{Client, TestServer, matrix};
use serde_json::{Value, json};

matrix!(
    a_service_account_signs_in_with_its_key_file,
    client_credentials_and_introspection,
    jwt_access_tokens_check_against_the_key_set,
    a_third_party_oauth_client_signs_in
);

async fn post_form(s: &TestServer, path: &str, form: &[(&str, &str)], basic: Option<(&str, &str)>) -> (u16, Value) {
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    let mut request = burg_testkit::http_client()
        .post(format!("{}{path}", s.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

/// A machine user of the caller's organization holding `role` on the
/// instance: its id.
async fn machine(c: &Client, name: &str, role: &str) -> String {
    machine_of_type(c, name, role, "ACCESS_TOKEN_TYPE_BEARER").await
}

async fn machine_of_type(c: &Client, name: &str, role: &str, token_type: &str) -> String {
    let body = json!({"userName": name, "name": name, "accessTokenType": token_type});
    let user = c.call_json("ManagementService", "AddMachineUser", body).await.unwrap();
    let id = user["userId"].as_str().unwrap().to_string();
    c.call_json("AdminService", "AddIAMMember", json!({"userId": id, "roles": [role]})).await.unwrap();
    id
}

/// A GET of the Admin API with `token`: the HTTP status.
async fn my_instance(s: &TestServer, token: &str) -> u16 {
    let url = format!("{}/admin/v1/instances/me", s.base_url());
    burg_testkit::http_client().get(url).bearer_auth(token).send().await.unwrap().status().as_u16()
}

/// The JWT bearer grant with `assertion`.
async fn grant(s: &TestServer, assertion: String) -> (u16, Value) {
    let form = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
        ("scope", "openid urn:zitadel:iam:org:project:id:zitadel:aud"),
        ("assertion", assertion.as_str()),
    ];
    post_form(s, "/oauth/v2/token", &form, None).await
}

/// The key file of an `AddMachineKey` answer.
fn key_file(answer: &Value) -> Value {
    let details = answer["keyDetails"].as_str().unwrap();
    serde_json::from_slice(&base64::Engine::decode(&base64::engine::general_purpose::STANDARD, details).unwrap())
        .unwrap()
}

/// A new key file of `user`.
async fn new_key_file(c: &Client, user: &str) -> Value {
    let body = json!({"userId": user, "type": "KEY_TYPE_JSON"});
    key_file(&c.call_json("ManagementService", "AddMachineKey", body).await.unwrap())
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

async fn a_service_account_signs_in_with_its_key_file(s: Arc<TestServer>, _c: Client) {
    let c = s.client(burg_testkit::Protocol::Rest).await;
    let base = s.base_url();
    let discovery: Value = burg_testkit::http_client()
        .get(format!("{base}/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let issuer = discovery["issuer"].as_str().unwrap().to_string();
    assert_eq!(issuer, base);
    assert_eq!(discovery["token_endpoint"], format!("{base}/oauth/v2/token"));

    let user = machine(&c, "robot", "IAM_OWNER_VIEWER").await;
    let key = c
        .call_json("ManagementService", "AddMachineKey", json!({"userId": user, "type": "KEY_TYPE_JSON"}))
        .await
        .unwrap();
    let file = key_file(&key);
    assert_eq!((file["type"].as_str(), file["userId"].as_str()), (Some("serviceaccount"), Some(user.as_str())));
    let (pem, kid) = (file["key"].as_str().unwrap(), file["keyId"].as_str().unwrap());
    let claims = |aud: &str, exp: i64| json!({"iss": user, "sub": user, "aud": [aud], "iat": now(), "exp": exp});
    let signed = |claims: Value| burg_domain::jwt::sign_rs256(pem, kid, &claims).unwrap();

    let (status, answer) = grant(&s, signed(claims(&issuer, now() + 3600))).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!((answer["token_type"].as_str(), answer["expires_in"].as_i64()), (Some("Bearer"), Some(43200)));
    let token = answer["access_token"].as_str().unwrap().to_string();
    // The token is the user's: it reads, and it may not write.
    assert_eq!(my_instance(&s, &token).await, 200);
    let write = c.with_token(&token).call_json("AdminService", "SetDefaultLanguage", json!({"language": "de"})).await;
    assert_eq!(write.unwrap_err().http_status, Some(403));
    // The event is ZITADEL's, without the token.
    let events = c
        .call_json("AdminService", "ListEvents", json!({"eventTypes": ["user.token.added"], "aggregateId": user}))
        .await
        .unwrap();
    let listed = events["events"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert!(!listed[0].to_string().contains(&token));
    assert_eq!(listed[0]["payload"]["reason"], "jwt_profile");

    // Refused: another audience, an expired assertion, another key's
    // signature, an unknown key.
    let (status, answer) = grant(&s, signed(claims("https://elsewhere.example.com", now() + 3600))).await;
    assert_eq!((status, answer["error"].as_str()), (400, Some("invalid_grant")));
    let (status, answer) = grant(&s, signed(claims(&issuer, now() - 3600))).await;
    assert_eq!((status, answer["error"].as_str()), (400, Some("invalid_grant")));
    let (other, _) = burg_domain::machine_key::new_key_pair(1024).unwrap();
    let forged = burg_domain::jwt::sign_rs256(&other, kid, &claims(&issuer, now() + 3600)).unwrap();
    let (status, answer) = grant(&s, forged).await;
    assert_eq!((status, answer["error"].as_str()), (400, Some("invalid_grant")));
    let unknown = burg_domain::jwt::sign_rs256(pem, "404", &claims(&issuer, now() + 3600)).unwrap();
    assert_eq!(grant(&s, unknown).await.0, 400);
    let (status, answer) = post_form(&s, "/oauth/v2/token", &[("grant_type", "password")], None).await;
    assert_eq!((status, answer["error"].as_str()), (400, Some("unsupported_grant_type")));

    // A removed key signs nothing in; a removed user's tokens stop working.
    let key_id = key["keyId"].as_str().unwrap();
    c.call_json("ManagementService", "RemoveMachineKey", json!({"userId": user, "keyId": key_id})).await.unwrap();
    assert_eq!(grant(&s, signed(claims(&issuer, now() + 3600))).await.0, 400);
    c.call_json("ManagementService", "RemoveUser", json!({"id": user})).await.unwrap();
    assert_eq!(my_instance(&s, &token).await, 401);
}

async fn client_credentials_and_introspection(s: Arc<TestServer>, _c: Client) {
    let c = s.client(burg_testkit::Protocol::Rest).await;
    let user = machine(&c, "pipeline", "IAM_OWNER_VIEWER").await;
    let secret = c.call_json("ManagementService", "GenerateMachineSecret", json!({"userId": user})).await.unwrap();
    let (client_id, client_secret) = (secret["clientId"].as_str().unwrap(), secret["clientSecret"].as_str().unwrap());
    assert_eq!(client_id, "pipeline");
    let form = [("grant_type", "client_credentials"), ("scope", "openid")];
    let (status, answer) = post_form(&s, "/oauth/v2/token", &form, Some((client_id, client_secret))).await;
    assert_eq!(status, 200, "{answer}");
    let token = answer["access_token"].as_str().unwrap().to_string();
    assert_eq!(my_instance(&s, &token).await, 200);
    let (status, answer) = post_form(&s, "/oauth/v2/token", &form, Some((client_id, "wrong"))).await;
    assert_eq!((status, answer["error"].as_str()), (401, Some("invalid_client")));
    // The secret may also come in the form.
    let posted = [form[0], form[1], ("client_id", client_id), ("client_secret", client_secret)];
    assert_eq!(post_form(&s, "/oauth/v2/token", &posted, None).await.0, 200);

    // An API application introspects the token.
    let project = c.call_json("ManagementService", "AddProject", json!({"name": "API"})).await.unwrap();
    let body = json!({"projectId": project["id"], "name": "resource", "authMethodType": "API_AUTH_METHOD_TYPE_BASIC"});
    let app = c.call_json("ManagementService", "AddAPIApp", body).await.unwrap();
    let (app_id, app_secret) = (app["clientId"].as_str().unwrap(), app["clientSecret"].as_str().unwrap());
    let (status, answer) =
        post_form(&s, "/oauth/v2/introspect", &[("token", token.as_str())], Some((app_id, app_secret))).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!((answer["active"].as_bool(), answer["sub"].as_str()), (Some(true), Some(user.as_str())));
    assert_eq!((answer["scope"].as_str(), answer["username"].as_str()), (Some("openid"), Some("pipeline")));
    assert!(answer["exp"].as_i64().unwrap() > now());
    let (_, answer) =
        post_form(&s, "/oauth/v2/introspect", &[("token", "not-a-token")], Some((app_id, app_secret))).await;
    assert_eq!(answer, json!({"active": false}));
    let (status, answer) =
        post_form(&s, "/oauth/v2/introspect", &[("token", token.as_str())], Some((app_id, "no"))).await;
    assert_eq!((status, answer["error"].as_str()), (401, Some("invalid_client")));

    // An API app with a key introspects with a JWT signed by it (private
    // key JWT), as ZITADEL's resource-server libraries do with its key file.
    let body =
        json!({"projectId": project["id"], "name": "keyed", "authMethodType": "API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"});
    let keyed = c.call_json("ManagementService", "AddAPIApp", body).await.unwrap();
    let (keyed_id, keyed_client) = (keyed["appId"].as_str().unwrap(), keyed["clientId"].as_str().unwrap());
    let body = json!({"projectId": project["id"], "appId": keyed_id, "type": "KEY_TYPE_JSON"});
    let file = key_file(&c.call_json("ManagementService", "AddAppKey", body).await.unwrap());
    assert_eq!((file["type"].as_str(), file["clientId"].as_str()), (Some("application"), Some(keyed_client)));
    let (pem, kid) = (file["key"].as_str().unwrap(), file["keyId"].as_str().unwrap());
    let issuer = s.base_url();
    let claims = |sub: &str, aud: &str| json!({"iss": sub, "sub": sub, "aud": [aud], "iat": now(), "exp": now() + 60});
    let introspect = |assertion: String| {
        let s = s.clone();
        let token = token.clone();
        async move {
            let form = [
                ("token", token.as_str()),
                ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                ("client_assertion", assertion.as_str()),
            ];
            post_form(&s, "/oauth/v2/introspect", &form, None).await
        }
    };
    let signed = |claims: Value| burg_domain::jwt::sign_rs256(pem, kid, &claims).unwrap();
    let (status, answer) = introspect(signed(claims(keyed_client, &issuer))).await;
    assert_eq!((status, answer["active"].as_bool(), answer["sub"].as_str()), (200, Some(true), Some(user.as_str())));
    // Refused: another audience, another app's name, another key's signature.
    assert_eq!(introspect(signed(claims(keyed_client, "https://elsewhere.example.com"))).await.0, 401);
    assert_eq!(introspect(signed(claims(app_id, &issuer))).await.0, 401);
    let (other, _) = burg_domain::machine_key::new_key_pair(1024).unwrap();
    let forged = burg_domain::jwt::sign_rs256(&other, kid, &claims(keyed_client, &issuer)).unwrap();
    assert_eq!(introspect(forged).await.0, 401);
}

/// A machine user whose token type is JWT gets a JWT signed by the active
/// web key; it checks against the key set, and the APIs and introspection
/// take it like an opaque token. After a rotation, new tokens name the new
/// key and the old ones still check while their key is published.
async fn jwt_access_tokens_check_against_the_key_set(s: Arc<TestServer>, _c: Client) {
    let c = s.client(burg_testkit::Protocol::Rest).await;
    let user = machine_of_type(&c, "signer", "IAM_OWNER_VIEWER", "ACCESS_TOKEN_TYPE_JWT").await;
    let file = new_key_file(&c, &user).await;
    let (pem, kid) = (file["key"].as_str().unwrap(), file["keyId"].as_str().unwrap());
    let issuer = s.base_url();
    let claims = json!({"iss": user, "sub": user, "aud": [issuer], "iat": now(), "exp": now() + 600});
    let (status, answer) = grant(&s, burg_domain::jwt::sign_rs256(pem, kid, &claims).unwrap()).await;
    assert_eq!(status, 200, "{answer}");
    let token = answer["access_token"].as_str().unwrap().to_string();
    let jwt = burg_domain::jwt::Jwt::parse(&token).unwrap();
    assert_eq!((jwt.alg.as_str(), jwt.claim("sub"), jwt.claim("iss")), ("RS256", user.as_str(), issuer.as_str()));
    assert_eq!(jwt.claim("scope"), "openid urn:zitadel:iam:org:project:id:zitadel:aud");
    assert_eq!(jwt.time("exp").unwrap() - jwt.time("iat").unwrap(), 43200);
    let url = format!("{issuer}/oauth/v2/keys");
    let set: Value = burg_testkit::http_client().get(&url).send().await.unwrap().json().await.unwrap();
    let key = set["keys"].as_array().unwrap().iter().find(|k| k["kid"] == jwt.kid.as_str()).unwrap().clone();
    assert!(burg_domain::web_key::verify_jwt(&key, &token));
    assert!(!burg_domain::web_key::verify_jwt(&key, &format!("{token}x")));
    assert_eq!(my_instance(&s, &token).await, 200);

    // Rotation: a new Ed25519 key is activated; the next token names it.
    let g = s.client(burg_testkit::Protocol::Grpc).await;
    use burg_api::zitadel::webkey::v2 as wk;
    let request = wk::CreateWebKeyRequest { key: Some(wk::create_web_key_request::Key::Ed25519(wk::Ed25519 {})) };
    let created: wk::CreateWebKeyResponse = g.call("CreateWebKey", request).await.unwrap();
    let _: wk::ActivateWebKeyResponse =
        g.call("ActivateWebKey", wk::ActivateWebKeyRequest { id: created.id.clone() }).await.unwrap();
    let (_, answer) = grant(&s, burg_domain::jwt::sign_rs256(pem, kid, &claims).unwrap()).await;
    let rotated = answer["access_token"].as_str().unwrap().to_string();
    let header = burg_domain::jwt::Jwt::parse(&rotated).unwrap();
    assert_eq!((header.alg.as_str(), header.kid.as_str()), ("EdDSA", created.id.as_str()));
    let set: Value = burg_testkit::http_client().get(&url).send().await.unwrap().json().await.unwrap();
    let new_key = set["keys"].as_array().unwrap().iter().find(|k| k["kid"] == created.id.as_str()).unwrap().clone();
    assert!(burg_domain::web_key::verify_jwt(&new_key, &rotated));
    assert!(
        set["keys"].as_array().unwrap().iter().any(|k| k["kid"] == jwt.kid.as_str()),
        "the old key stays published"
    );
    assert_eq!(my_instance(&s, &rotated).await, 200);
    assert_eq!(my_instance(&s, &token).await, 200);
}

/// authlib, a third-party OAuth library, does both grants against burg as
/// ZITADEL's SDKs do (key file, client secret), calls the API with the
/// tokens, and checks the JWT against the published key set with joserfc.
async fn a_third_party_oauth_client_signs_in(s: Arc<TestServer>, _c: Client) {
    let Some(python) =
        burg_testkit::emulators::venv_bin("python").or_else(|| burg_testkit::emulators::missing("authlib (Python)"))
    else {
        return;
    };
    let c = s.client(burg_testkit::Protocol::Rest).await;
    let user = machine_of_type(&c, "sdk", "IAM_OWNER_VIEWER", "ACCESS_TOKEN_TYPE_JWT").await;
    let files = tempfile::tempdir().unwrap();
    let key_path = files.path().join("key.json");
    std::fs::write(&key_path, new_key_file(&c, &user).await.to_string()).unwrap();
    let other = machine(&c, "pipeline-sdk", "IAM_OWNER_VIEWER").await;
    let secret = c.call_json("ManagementService", "GenerateMachineSecret", json!({"userId": other})).await.unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/oidc_client.py");
    let mut command = std::process::Command::new(python);
    command
        .arg(script)
        .env("BURG_BASE", s.base_url())
        .env("BURG_KEY_FILE", &key_path)
        .env("BURG_CLIENT_ID", secret["clientId"].as_str().unwrap())
        .env("BURG_CLIENT_SECRET", secret["clientSecret"].as_str().unwrap());
    // The server answers on this runtime: wait for the client off it.
    let output = tokio::task::spawn_blocking(move || command.output()).await.unwrap().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert_eq!(report["issuer"], s.base_url());
    assert_eq!(report["jwt_profile_api_status"], 200, "{report}");
    assert_eq!(report["jwt_profile_token_type"], "Bearer");
    assert_eq!(report["jwt_claims"]["sub"], user.as_str());
    assert_eq!(report["jwt_claims"]["iss"], s.base_url());
    assert!(report["jwt_header_kid"].as_str().is_some_and(|k| !k.is_empty()));
    assert_eq!(report["client_credentials_expires_in"], 43200);
    assert_eq!(report["client_credentials_api_status"], 200);
    assert_eq!(report["wrong_secret_error"], "invalid_client");
}
