//! Service accounts sign in as in ZITADEL: the discovery document, the
//! token endpoint's JWT bearer grant with a key file's key and client
//! credentials grant with a machine secret, the tokens used on the APIs,
//! and their introspection by an API application.

use std::sync::Arc;

use burg_testkit::{Client, TestServer, matrix};
use serde_json::{Value, json};

matrix!(a_service_account_signs_in_with_its_key_file, client_credentials_and_introspection);

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
    let body = json!({"userName": name, "name": name, "accessTokenType": "ACCESS_TOKEN_TYPE_BEARER"});
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
    let keys: Value =
        burg_testkit::http_client().get(format!("{base}/oauth/v2/keys")).send().await.unwrap().json().await.unwrap();
    assert_eq!(keys, json!({"keys": []}));

    let user = machine(&c, "robot", "IAM_OWNER_VIEWER").await;
    let key = c
        .call_json("ManagementService", "AddMachineKey", json!({"userId": user, "type": "KEY_TYPE_JSON"}))
        .await
        .unwrap();
    let file: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::STANDARD, key["keyDetails"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
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
}
