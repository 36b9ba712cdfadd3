//! The Web Key API v2 and the key set: an instance starts with two RSA
//! keys, the first active; keys are created, activated and deleted as in
//! ZITADEL, and `/oauth/v2/keys` publishes every key's public half.
//! Create and activate have no REST route in ZITADEL: gRPC.

use std::sync::Arc;

use burg_api::zitadel::webkey::v2 as wk;
use burg_testkit::{Client, Protocol, TestServer, matrix};
use serde_json::{Value, json};
use tonic::Code;

matrix!(web_keys_are_made_activated_and_deleted);

async fn key_set(s: &TestServer) -> Vec<Value> {
    let url = format!("{}/oauth/v2/keys", s.base_url());
    let set: Value = burg_testkit::http_client().get(url).send().await.unwrap().json().await.unwrap();
    set["keys"].as_array().unwrap().clone()
}

fn kids(set: &[Value]) -> Vec<&str> {
    set.iter().map(|k| k["kid"].as_str().unwrap()).collect()
}

async fn list(c: &Client) -> Vec<wk::WebKey> {
    let listed: wk::ListWebKeysResponse = c.call("ListWebKeys", wk::ListWebKeysRequest {}).await.unwrap();
    listed.web_keys
}

fn state_of(keys: &[wk::WebKey], id: &str) -> Option<wk::State> {
    keys.iter().find(|k| k.id == id).map(|k| wk::State::try_from(k.state).unwrap())
}

async fn web_keys_are_made_activated_and_deleted(s: Arc<TestServer>, c: Client) {
    let g = s.client(Protocol::Grpc).await;
    // Two RSA keys (2048 bits, SHA-256), the first active.
    let first = list(&c).await;
    assert_eq!(first.len(), 2, "{first:?}");
    let rsa = Some(wk::web_key::Key::Rsa(wk::Rsa {
        bits: wk::RsaBits::RsaBits2048 as i32,
        hasher: wk::RsaHasher::Sha256 as i32,
    }));
    assert!(first.iter().all(|k| k.key == rsa), "{first:?}");
    let (active, spare) = (first[0].id.clone(), first[1].id.clone());
    assert_eq!(state_of(&first, &active), Some(wk::State::Active));
    assert_eq!(state_of(&first, &spare), Some(wk::State::Initial));
    let set = key_set(&s).await;
    assert_eq!(kids(&set), [active.as_str(), spare.as_str()]);
    assert_eq!(
        (set[0]["kty"].as_str(), set[0]["alg"].as_str(), set[0]["use"].as_str()),
        (Some("RSA"), Some("RS256"), Some("sig"))
    );
    assert!(set.iter().all(|k| k.get("d").is_none() && k.get("p").is_none()), "no private parts: {set:?}");

    // A new ECDSA key waits beside the active one.
    let ecdsa = wk::CreateWebKeyRequest {
        key: Some(wk::create_web_key_request::Key::Ecdsa(wk::Ecdsa { curve: wk::EcdsaCurve::P256 as i32 })),
    };
    let created: wk::CreateWebKeyResponse = g.call("CreateWebKey", ecdsa).await.unwrap();
    assert!(created.creation_date.is_some());
    let keys = list(&c).await;
    assert_eq!(state_of(&keys, &created.id), Some(wk::State::Initial));
    let set = key_set(&s).await;
    let published = set.iter().find(|k| k["kid"] == created.id.as_str()).unwrap();
    assert_eq!(
        (published["kty"].as_str(), published["crv"].as_str(), published["alg"].as_str()),
        (Some("EC"), Some("P-256"), Some("ES256"))
    );

    // ZITADEL's codes: a configuration the proto refuses, an unknown key, an
    // active key deleted.
    let bad =
        wk::CreateWebKeyRequest { key: Some(wk::create_web_key_request::Key::Rsa(wk::Rsa { bits: 0, hasher: 1 })) };
    let err = g.call::<_, wk::CreateWebKeyResponse>("CreateWebKey", bad).await.unwrap_err();
    assert_eq!(err.code, Code::InvalidArgument);
    assert!(err.message.contains("RSA.Bits"), "{}", err.message);
    let err = g
        .call::<_, wk::ActivateWebKeyResponse>("ActivateWebKey", wk::ActivateWebKeyRequest { id: "404".into() })
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "COMMAND-teiG3"));
    let err = c
        .call::<_, wk::DeleteWebKeyResponse>("DeleteWebKey", wk::DeleteWebKeyRequest { id: active.clone() })
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-Chai1"));
    assert_eq!(list(&c).await.len(), 3, "nothing changed");

    // Rotation: the new key signs, the old one stays published, inactive.
    let activated: wk::ActivateWebKeyResponse =
        g.call("ActivateWebKey", wk::ActivateWebKeyRequest { id: created.id.clone() }).await.unwrap();
    let keys = list(&c).await;
    assert_eq!(state_of(&keys, &created.id), Some(wk::State::Active));
    assert_eq!(state_of(&keys, &active), Some(wk::State::Inactive));
    assert_eq!(keys.iter().filter(|k| k.state == wk::State::Active as i32).count(), 1);
    // Activating the active key again changes nothing.
    let again: wk::ActivateWebKeyResponse =
        g.call("ActivateWebKey", wk::ActivateWebKeyRequest { id: created.id.clone() }).await.unwrap();
    assert_eq!(again.change_date, activated.change_date);

    // The old key is deleted and leaves the key set; deleting it again
    // succeeds without a date.
    let deleted: wk::DeleteWebKeyResponse =
        c.call("DeleteWebKey", wk::DeleteWebKeyRequest { id: active.clone() }).await.unwrap();
    assert!(deleted.deletion_date.is_some());
    assert_eq!(state_of(&list(&c).await, &active), None);
    assert!(!kids(&key_set(&s).await).contains(&active.as_str()));
    let again: wk::DeleteWebKeyResponse =
        c.call("DeleteWebKey", wk::DeleteWebKeyRequest { id: active.clone() }).await.unwrap();
    assert_eq!(again.deletion_date, None);

    // ZITADEL's events, without the private key.
    let rest = s.client(Protocol::Rest).await;
    let events = rest
        .call_json("AdminService", "ListEvents", json!({"aggregateTypes": ["web_key"], "asc": true}))
        .await
        .unwrap();
    let events = events["events"].as_array().unwrap();
    let types: Vec<&str> = events.iter().map(|e| e["type"]["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "web_key.added",
            "web_key.activated",
            "web_key.added",
            "web_key.added",
            "web_key.activated",
            "web_key.deactivated",
            "web_key.removed"
        ]
    );
    let added = &events[0]["payload"];
    assert_eq!(added["configType"], "RSA");
    assert_eq!(added["config"], json!({"Bits": "2048", "Hasher": "SHA256"}));
    assert_eq!(added["publicKey"]["kid"], active.as_str());
    assert!(added["privateKey"].is_null(), "the sealed key is not listed: {added}");
}
