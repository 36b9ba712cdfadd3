//! The Management API's machine users (name, client secret, keys, tokens by
//! id) and its general RPCs.

use std::sync::Arc;

use burg_api::management::*;
use burg_testkit::{Client, Protocol, TestServer, in_process, matrix};
use serde_json::{Value, json};
use tonic::Code;

async fn machine(c: &Client, user_name: &str) -> String {
    let req = AddMachineUserRequest { user_name: user_name.into(), name: "Robot".into(), ..Default::default() };
    let added: AddMachineUserResponse = c.call("AddMachineUser", req).await.unwrap();
    added.user_id
}

/// The organization document the caller's organization exports as.
async fn exported_org(s: &TestServer, org: &str) -> Value {
    let r = s.client(Protocol::Rest).await;
    let doc = r.call_json("AdminService", "ExportData", json!({"orgIds": [org]})).await.unwrap();
    doc["orgs"][0].clone()
}

async fn default_org(s: &TestServer) -> String {
    let r = s.client(Protocol::Rest).await;
    let org = r.call_json("AdminService", "GetDefaultOrg", json!({})).await.unwrap();
    org["org"]["id"].as_str().unwrap().to_string()
}

matrix!(machine_users_change_and_hold_secrets);

async fn machine_users_change_and_hold_secrets(s: Arc<TestServer>, c: Client) {
    let id = machine(&c, "robot").await;
    let update = UpdateMachineRequest {
        user_id: id.clone(),
        name: "Build robot".into(),
        description: "runs the builds".into(),
        access_token_type: 1,
    };
    let _: UpdateMachineResponse = c.call("UpdateMachine", update.clone()).await.unwrap();
    let err = c.call::<_, UpdateMachineResponse>("UpdateMachine", update).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-2n8vs"));
    let org = default_org(&s).await;
    let doc = exported_org(&s, &org).await;
    let user = doc["machineUsers"].as_array().unwrap().iter().find(|m| m["userId"] == id.as_str()).unwrap().clone();
    assert_eq!(user["user"]["name"], "Build robot");
    assert_eq!(user["user"]["description"], "runs the builds");
    assert_eq!(user["user"]["accessTokenType"], "ACCESS_TOKEN_TYPE_JWT");

    // A secret: shown once, kept as a hash that checks it.
    let err = c
        .call::<_, RemoveMachineSecretResponse>(
            "RemoveMachineSecret",
            RemoveMachineSecretRequest { user_id: id.clone() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-coi82n"));
    let secret: GenerateMachineSecretResponse =
        c.call("GenerateMachineSecret", GenerateMachineSecretRequest { user_id: id.clone() }).await.unwrap();
    assert_eq!(secret.client_id, "robot");
    assert_eq!(secret.client_secret.len(), 64, "the app-secret generator's length");
    let hash: String = sqlx::query_scalar("SELECT machine_secret_hash FROM users WHERE id = $1")
        .bind(&id)
        .fetch_one(s.app.db().pool())
        .await
        .unwrap();
    assert!(hash.starts_with("$2") && !hash.contains(&secret.client_secret), "a bcrypt hash: {hash}");
    let events: Vec<String> =
        sqlx::query_scalar("SELECT payload FROM events WHERE event_type = 'user.machine.secret.set'")
            .fetch_all(s.app.db().pool())
            .await
            .unwrap();
    assert!(events.iter().all(|p| !p.contains(&secret.client_secret)));
    let _: RemoveMachineSecretResponse =
        c.call("RemoveMachineSecret", RemoveMachineSecretRequest { user_id: id.clone() }).await.unwrap();

    // A human is no machine user.
    let err = c
        .call::<_, GenerateMachineSecretResponse>(
            "GenerateMachineSecret",
            GenerateMachineSecretRequest { user_id: "no-such-user".into() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-x8910n"));
}

matrix!(machine_keys_imported_and_added_alike);

async fn machine_keys_imported_and_added_alike(s: Arc<TestServer>, c: Client) {
    // An organization brought in by an import, with a key.
    let (private, public) = burg_domain::machine_key::new_key_pair(1024).unwrap();
    let b64 = |b: &[u8]| base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b);
    let org_id = "360000000000000001";
    let user_id = "360000000000000002";
    let doc = json!({"orgs": [{
        "orgId": org_id, "org": {"name": "Keyholders"},
        "machineUsers": [{"userId": user_id, "user": {"userName": "svc-keys", "name": "Keys"}}],
        "machineKeys": [{"keyId": "360000000000000003", "userId": user_id, "type": "KEY_TYPE_JSON",
                         "expirationDate": "2030-01-01T00:00:00Z", "publicKey": b64(public.as_bytes())}]
    }]});
    let r = s.client(Protocol::Rest).await;
    let report = r.call_json("AdminService", "ImportData", json!({"dataOrgs": doc, "timeout": "1m"})).await.unwrap();
    assert!(report.get("errors").is_none(), "{report}");
    let c = c.with_org(org_id);

    let list = |c: Client| async move {
        let req = ListMachineKeysRequest { user_id: user_id.into(), query: None };
        let listed: ListMachineKeysResponse = c.call("ListMachineKeys", req).await.unwrap();
        listed.result.into_iter().map(|k| k.id).collect::<Vec<_>>()
    };
    assert_eq!(list(c.clone()).await, vec!["360000000000000003".to_string()]);

    // A key burg makes: its private half comes back once, in the key file.
    let add = AddMachineKeyRequest { user_id: user_id.into(), r#type: 1, ..Default::default() };
    let made: AddMachineKeyResponse = c.call("AddMachineKey", add).await.unwrap();
    let file: Value = serde_json::from_slice(&made.key_details).unwrap();
    assert_eq!(file["type"], "serviceaccount");
    assert_eq!(file["keyId"], made.key_id.as_str());
    assert_eq!(file["userId"], user_id);
    assert!(file["key"].as_str().unwrap().starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    // A key the caller brings: no key file.
    let own = AddMachineKeyRequest {
        user_id: user_id.into(),
        r#type: 1,
        public_key: public.clone().into_bytes(),
        expiration_date: Some(burg_api::wkt::Timestamp { seconds: 4_102_444_800, nanos: 0 }),
    };
    let brought: AddMachineKeyResponse = c.call("AddMachineKey", own).await.unwrap();
    assert!(brought.key_details.is_empty());
    assert_eq!(list(c.clone()).await.len(), 3);
    let got: GetMachineKeyByIDsResponse = c
        .call(
            "GetMachineKeyByIDs",
            GetMachineKeyByIDsRequest { user_id: user_id.into(), key_id: brought.key_id.clone() },
        )
        .await
        .unwrap();
    let key = got.key.unwrap();
    assert_eq!((key.id.as_str(), key.r#type), (brought.key_id.as_str(), 1));
    assert_eq!(key.expiration_date.unwrap().seconds, 4_102_444_800);

    // The export shows every key, in the import's shape.
    let exported = exported_org(&s, org_id).await;
    let keys: Vec<&str> =
        exported["machineKeys"].as_array().unwrap().iter().map(|k| k["keyId"].as_str().unwrap()).collect();
    assert_eq!(keys.len(), 3, "{exported}");
    let mine = exported["machineKeys"].as_array().unwrap().iter().find(|k| k["keyId"] == brought.key_id.as_str());
    assert_eq!(mine.unwrap()["publicKey"], b64(public.as_bytes()));

    // The imported key goes as an added one does; then it is not there.
    for id in ["360000000000000003", made.key_id.as_str()] {
        let remove = RemoveMachineKeyRequest { user_id: user_id.into(), key_id: id.into() };
        let _: RemoveMachineKeyResponse = c.call("RemoveMachineKey", remove.clone()).await.unwrap();
        let err = c.call::<_, RemoveMachineKeyResponse>("RemoveMachineKey", remove).await.unwrap_err();
        assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "COMMAND-4m77G"));
    }
    assert_eq!(list(c.clone()).await, vec![brought.key_id.clone()]);
    drop(private);
    // Its keys go with the user, imported and added alike.
    let _: RemoveUserResponse = c.call("RemoveUser", RemoveUserRequest { id: user_id.into() }).await.unwrap();
    let exported = exported_org(&s, org_id).await;
    assert!(exported.get("machineKeys").is_none(), "{exported}");
}

matrix!(tokens_by_id_and_general_answers);

async fn tokens_by_id_and_general_answers(s: Arc<TestServer>, c: Client) {
    let id = machine(&c, "token-robot").await;
    let added: AddPersonalAccessTokenResponse = c
        .call("AddPersonalAccessToken", AddPersonalAccessTokenRequest { user_id: id.clone(), expiration_date: None })
        .await
        .unwrap();
    let got: GetPersonalAccessTokenByIDsResponse = c
        .call(
            "GetPersonalAccessTokenByIDs",
            GetPersonalAccessTokenByIDsRequest { user_id: id.clone(), token_id: added.token_id.clone() },
        )
        .await
        .unwrap();
    let token = got.token.unwrap();
    assert_eq!(token.id, added.token_id);
    assert_eq!(token.scopes.len(), 3);
    let err = c
        .call::<_, GetPersonalAccessTokenByIDsResponse>(
            "GetPersonalAccessTokenByIDs",
            GetPersonalAccessTokenByIDsRequest { user_id: id, token_id: "1".into() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "QUERY-fRunu"));

    let iam: GetIamResponse = c.call("GetIAM", GetIamRequest {}).await.unwrap();
    let default_org = default_org(&s).await;
    assert_eq!((iam.global_org_id.as_str(), iam.default_org_id.as_str()), (default_org.as_str(), default_org.as_str()));
    let languages: GetSupportedLanguagesResponse =
        c.call("GetSupportedLanguages", GetSupportedLanguagesRequest {}).await.unwrap();
    assert!(languages.languages.contains(&"de".to_string()));
    let _: HealthzResponse = c.call("Healthz", HealthzRequest {}).await.unwrap();
}

in_process!(oidc_information_names_the_origin);

async fn oidc_information_names_the_origin(s: Arc<TestServer>, c: Client) {
    let r = s.client(Protocol::Rest).await;
    let info = r.call_json("ManagementService", "GetOIDCInformation", json!({})).await.unwrap();
    assert_eq!(info["issuer"], s.base_url());
    assert_eq!(info["discoveryEndpoint"], format!("{}/.well-known/openid-configuration", s.base_url()));
    // A key for a user the organization does not have.
    let add = AddMachineKeyRequest { user_id: "1".into(), r#type: 1, ..Default::default() };
    let err = c.call::<_, AddMachineKeyResponse>("AddMachineKey", add).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-bnipwm1"));
    let bad = AddMachineKeyRequest {
        user_id: "1".into(),
        r#type: 1,
        public_key: b"not a key".to_vec(),
        ..Default::default()
    };
    let err = c.call::<_, AddMachineKeyResponse>("AddMachineKey", bad).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "COMMAND-5F3h1"));
}
