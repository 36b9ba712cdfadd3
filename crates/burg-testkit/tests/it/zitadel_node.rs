//! ZITADEL's published Node client, `@zitadel/node` from npm, against
//! burg as an application written for ZITADEL uses it: its generated gRPC
//! clients with a personal access token and the organization header, and a
//! service account signing in with its key file through OpenID discovery.
//! The client (`tests/node/client.mjs`) reports what it got; this test
//! checks the values against burg's own answers.

use std::path::{Path, PathBuf};

use burg_testkit::{Backend, Protocol, TestServer, emulators};
use serde_json::{Value, json};

/// `node` and the installed client (scripts/test.sh runs `npm ci` in
/// `tests/node`), or None off CI when either is missing.
fn node_and_client() -> Option<(PathBuf, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node");
    let installed = dir.join("node_modules/@zitadel/node/package.json").exists();
    let node = std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|p| p.join("node")).find(|p| p.is_file()));
    match (node, installed) {
        (Some(node), true) => Some((node, dir.join("client.mjs"))),
        _ => emulators::missing("node with @zitadel/node (npm ci in crates/burg-testkit/tests/node)"),
    }
}

async fn the_node_client_gets_zitadels_answers(backend: Backend) {
    let Some((node, script)) = node_and_client() else { return };
    let Some(s) = TestServer::start_or_skip(backend).await else { return };
    let c = s.client(Protocol::Rest).await;
    // A service account with a key file, allowed to read the instance.
    let added = c
        .call_json("ManagementService", "AddMachineUser", json!({"userName": "node-sdk", "name": "Node SDK"}))
        .await
        .unwrap();
    let account = added["userId"].as_str().unwrap().to_string();
    c.call_json("AdminService", "AddIAMMember", json!({"userId": account, "roles": ["IAM_OWNER_VIEWER"]}))
        .await
        .unwrap();
    let key = c
        .call_json("ManagementService", "AddMachineKey", json!({"userId": account, "type": "KEY_TYPE_JSON"}))
        .await
        .unwrap();
    use base64::Engine as _;
    let key_file = base64::engine::general_purpose::STANDARD.decode(key["keyDetails"].as_str().unwrap()).unwrap();
    let files = tempfile::tempdir().unwrap();
    let key_path = files.path().join("key.json");
    std::fs::write(&key_path, key_file).unwrap();

    let mut command = std::process::Command::new(node);
    command
        .arg(script)
        .env("BURG_BASE", s.base_url())
        .env("BURG_TOKEN", &s.admin_token)
        .env("BURG_KEY_FILE", &key_path);
    // The server answers on this runtime: wait for the client off it.
    let output = tokio::task::spawn_blocking(move || command.output()).await.unwrap().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));

    let instance = c.call_json("AdminService", "GetMyInstance", json!({})).await.unwrap();
    assert_eq!(report["instanceId"], instance["instance"]["id"], "{report}");
    assert_eq!(report["serviceAccountInstanceId"], instance["instance"]["id"], "the key file signed in");
    assert_eq!(report["minLength"], 8, "ZITADEL's default password complexity");
    let org_id = report["orgId"].as_str().unwrap();
    let user = &report["user"];
    assert_eq!(user["userName"], "node-ada");
    assert_eq!(user["state"], 1, "active: a verified address and a password");
    assert_eq!(user["displayName"], "Ada Lovelace");
    assert_eq!(user["email"], "ada@node.example");
    assert_eq!(user["resourceOwner"], org_id, "x-zitadel-orgid chose the organization");
    assert_eq!(report["listed"], json!({"total": 2, "userNames": ["node-ada", "node-owner"]}));
    let app = &report["app"];
    assert_eq!((app["name"].as_str(), app["hasSecret"].as_bool()), (Some("web"), Some(true)));
    assert_eq!(app["clientIdRead"], app["clientId"]);
    assert_eq!(app["redirectUris"], json!(["http://localhost:3000/callback"]));
    // NotFound (5), with ZITADEL's message.
    assert_eq!(report["unknownUser"]["code"], 5, "{report}");
    // What the client read is what burg stores.
    let read =
        c.with_org(org_id).call_json("ManagementService", "GetUserByID", json!({"id": user["id"]})).await.unwrap();
    assert_eq!(read["user"]["userName"], "node-ada");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_node_client_gets_zitadels_answers_on_sqlite() {
    the_node_client_gets_zitadels_answers(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_node_client_gets_zitadels_answers_on_postgres() {
    the_node_client_gets_zitadels_answers(Backend::Postgres).await;
}
