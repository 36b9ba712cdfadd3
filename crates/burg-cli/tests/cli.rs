//! The `burg` binary as an operator uses it: start, stop, tokens, config.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BURG: &str = env!("CARGO_BIN_EXE_burg");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start(dir: &Path, port: u16, extra: &[&str], env: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new(BURG);
    cmd.arg("start").arg("--data-dir").arg(dir).arg("--listen-address").arg("127.0.0.1");
    if port != 0 {
        cmd.arg("--port").arg(port.to_string());
    }
    cmd.args(extra).env_remove("BURG_MASTERKEY").env_remove("BURG_PORT").stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("spawn burg")
}

/// Polls `/debug/ready` until it answers; panics after ~20 s.
async fn wait_ready(port: u16, child: &mut Child) {
    for _ in 0..200 {
        if let Ok(r) = http().get(format!("http://127.0.0.1:{port}/debug/ready")).send().await
            && r.status().is_success()
        {
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            panic!("burg exited with {status}: {err}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("burg did not become ready");
}

fn terminate(child: &mut Child) -> (std::process::ExitStatus, String) {
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let status = child.wait().unwrap();
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    (status, err)
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn every_command_has_help() {
    for args in [
        &["--help"][..],
        &["start", "--help"],
        &["token", "--help"],
        &["token", "create", "--help"],
        &["export", "--help"],
        &["import", "--help"],
    ] {
        let out = Command::new(BURG).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"), "{args:?}");
    }
}

#[tokio::test]
async fn first_start_writes_the_token_file_and_sigterm_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = start(dir.path(), port, &["--log-format", "json"], &[]);
    wait_ready(port, &mut child).await;
    let pat = dir.path().join("admin.pat");
    let token = std::fs::read_to_string(&pat).unwrap().trim().to_string();
    assert_eq!(mode(&pat), 0o600);
    assert_eq!(mode(&dir.path().join("masterkey")), 0o600);
    let r =
        http().get(format!("http://127.0.0.1:{port}/admin/v1/instances/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let (status, log) = terminate(&mut child);
    assert!(status.success(), "SIGTERM is a clean stop: {status}\n{log}");
    assert!(!log.contains(&token), "the token must never be logged");
    assert!(log.contains("admin.pat"), "the log names the token file");
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    }

    // A second start finds the instance and creates nothing.
    let mut child = start(dir.path(), port, &[], &[]);
    wait_ready(port, &mut child).await;
    assert_eq!(std::fs::read_to_string(&pat).unwrap().trim(), token, "admin.pat is written once");
    let (status, log) = terminate(&mut child);
    assert!(status.success());
    assert!(!log.contains("created the instance"), "{log}");
}

#[tokio::test]
async fn token_create_gives_a_working_token() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = start(dir.path(), port, &[], &[]);
    wait_ready(port, &mut child).await;
    let out = Command::new(BURG)
        .args(["token", "create", "--role", "IAM_OWNER", "--data-dir"])
        .arg(dir.path())
        .env_remove("BURG_MASTERKEY")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(token.len() >= 40);
    let r =
        http().get(format!("http://127.0.0.1:{port}/admin/v1/instances/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "a token made while the server runs works at once");
    let bad = Command::new(BURG)
        .args(["token", "create", "--role", "NO_SUCH_ROLE", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("NO_SUCH_ROLE"));
    terminate(&mut child);
}

#[tokio::test]
async fn a_wrong_master_key_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = start(dir.path(), port, &[], &[]);
    wait_ready(port, &mut child).await;
    terminate(&mut child);
    let out = Command::new(BURG)
        .args(["start", "--port", &free_port().to_string(), "--data-dir"])
        .arg(dir.path())
        .env("BURG_MASTERKEY", "0123456789abcdef0123456789abcdef")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("master key does not match"), "{err}");
}

#[tokio::test]
async fn flags_beat_environment_beat_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let (file_port, env_port, flag_port) = (free_port(), free_port(), free_port());
    let config = dir.path().join("burg.toml");
    std::fs::write(&config, format!("port = {file_port}\nlog_format = \"json\"\n")).unwrap();
    let cfg = config.to_str().unwrap();

    let mut child = start(dir.path(), 0, &["--config", cfg], &[]);
    wait_ready(file_port, &mut child).await;
    terminate(&mut child);

    let env_port_s = env_port.to_string();
    let mut child = start(dir.path(), 0, &["--config", cfg], &[("BURG_PORT", &env_port_s)]);
    wait_ready(env_port, &mut child).await;
    terminate(&mut child);

    let mut child = start(dir.path(), flag_port, &["--config", cfg], &[("BURG_PORT", &env_port_s)]);
    wait_ready(flag_port, &mut child).await;
    terminate(&mut child);

    std::fs::write(&config, "port = \"not a number\"\n").unwrap();
    let out = Command::new(BURG).args(["start", "--config", cfg]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("burg.toml"));
}

/// A plain HTTP client (reqwest wants a TLS provider chosen even for http).
// Test code: a client of the server under test, not burg's egress.
#[allow(clippy::disallowed_methods)]
fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

fn burg(args: &[&str]) -> (bool, String) {
    let out = Command::new(BURG).args(args).env_remove("BURG_MASTERKEY").output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

const DOCUMENT: &str = r#"{"orgs":[{"orgId":"310000000000000001","org":{"name":"Moved Org"},
  "humanUsers":[{"userId":"310000000000000002","user":{"userName":"ada","profile":{"firstName":"Ada","lastName":"Lovelace"},
    "email":{"email":"ada@example.com","isEmailVerified":true},
    "hashedPassword":{"value":"$2a$04$x1HxC91DV0gStsbF.0h3VeT6Yq8FjPjjYx1y0Vv6ZJ2s1OgNbzG6i"}}}],
  "projects":[{"projectId":"310000000000000003","project":{"name":"Portal"}}]}]}"#;

#[tokio::test]
async fn export_and_import_through_a_server_and_on_the_database() {
    let (a, b, files) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let input = files.path().join("in.json");
    std::fs::write(&input, DOCUMENT).unwrap();

    // Through a running server: import, then export to a file.
    let port = free_port();
    let mut child = start(a.path(), port, &[], &[]);
    wait_ready(port, &mut child).await;
    let server = format!("http://127.0.0.1:{port}");
    let token_file = a.path().join("admin.pat");
    let (ok, err) =
        burg(&["import", "--server", &server, "--token-file", token_file.to_str().unwrap(), input.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(err.contains("imported 1 organizations"), "{err}");
    let via_server = files.path().join("via-server.json");
    let (ok, err) = burg(&[
        "export",
        "--server",
        &server,
        "--token-file",
        token_file.to_str().unwrap(),
        "--org",
        "310000000000000001",
        "--output",
        via_server.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&via_server).unwrap()).unwrap();
    assert_eq!(doc["orgs"][0]["projects"][0]["project"]["name"], "Portal");
    assert!(doc["orgs"][0]["humanUsers"][0]["user"].get("hashedPassword").is_none(), "no hashes unless asked");
    terminate(&mut child);

    // Straight on the database: export with hashes, check, import, import again.
    let direct = files.path().join("direct.json");
    let (ok, err) = burg(&[
        "export",
        "--data-dir",
        a.path().to_str().unwrap(),
        "--org",
        "310000000000000001",
        "--with-passwords",
        "--output",
        direct.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(err.contains("1 organizations exported"), "plain progress lines off a terminal: {err}");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&direct).unwrap()).unwrap();
    assert!(doc["orgs"][0]["humanUsers"][0]["user"]["hashedPassword"]["value"].as_str().unwrap().starts_with("$2a$"));

    let b_dir = b.path().to_str().unwrap();
    let (ok, err) = burg(&["import", "--data-dir", b_dir, direct.to_str().unwrap(), "--dry-run"]);
    assert!(ok && err.contains("would import 1 organizations"), "{err}");
    let (ok, err) = burg(&["import", "--data-dir", b_dir, direct.to_str().unwrap()]);
    assert!(ok && err.contains("imported 1 organizations"), "the dry run wrote nothing: {err}");
    let (ok, err) = burg(&["import", "--data-dir", b_dir, direct.to_str().unwrap()]);
    assert!(ok && err.contains("imported 0 organizations") && err.contains("already there"), "{err}");

    let (ok, err) = burg(&["import", "--data-dir", b_dir, files.path().join("missing.json").to_str().unwrap()]);
    assert!(!ok && err.contains("missing.json") || err.contains("readable"), "{err}");
}

/// A document of `orgs` organizations with `users` users each.
fn big_document(orgs: u64, users: u64) -> String {
    let mut doc = String::from("{\"orgs\":[");
    for o in 0..orgs {
        let base = 320_000_000_000_000_000u64 + o * 1_000_000;
        if o > 0 {
            doc.push(',');
        }
        doc.push_str(&format!("{{\"orgId\":\"{base}\",\"org\":{{\"name\":\"Crash Org {o}\"}},\"humanUsers\":["));
        for u in 1..=users {
            if u > 1 {
                doc.push(',');
            }
            doc.push_str(&format!(
                "{{\"userId\":\"{}\",\"user\":{{\"userName\":\"u{u}\",\"profile\":{{\"firstName\":\"F\",\"lastName\":\"L\"}},\"email\":{{\"email\":\"u{u}@example.com\"}}}}}}",
                base + u
            ));
        }
        doc.push_str("]}");
    }
    doc.push_str("]}");
    doc
}

/// Killing the server in the middle of an import leaves every organization
/// either whole or absent.
#[tokio::test]
async fn a_killed_import_leaves_each_org_whole_or_absent() {
    let dir = tempfile::tempdir().unwrap();
    let (orgs, users) = (30u64, 1500u64);
    let transfer = dir.path().join("transfer");
    std::fs::create_dir_all(&transfer).unwrap();
    std::fs::write(transfer.join("big.json"), big_document(orgs, users)).unwrap();
    let port = free_port();
    let mut child = start(dir.path(), port, &[], &[]);
    wait_ready(port, &mut child).await;
    let token = std::fs::read_to_string(dir.path().join("admin.pat")).unwrap().trim().to_string();
    let base = format!("http://127.0.0.1:{port}");
    let import = {
        let (base, token) = (base.clone(), token.clone());
        tokio::spawn(async move {
            http()
                .post(format!("{base}/admin/v1/import"))
                .bearer_auth(token)
                .json(&serde_json::json!({"dataOrgsLocal": {"path": "big.json"}, "timeout": "10m"}))
                .send()
                .await
        })
    };
    // Kill it once some, not all, organizations are in.
    let mut seen = 0;
    for _ in 0..600 {
        let list: serde_json::Value = http()
            .post(format!("{base}/admin/v1/orgs/_search"))
            .bearer_auth(&token)
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        seen = list["details"]["totalResult"].as_str().unwrap_or("0").parse::<u64>().unwrap();
        if seen >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(seen >= 3, "the import got going");
    unsafe {
        libc::kill(child.id() as i32, libc::SIGKILL);
    }
    child.wait().unwrap();
    let _ = import.await;

    let mut child = start(dir.path(), port, &[], &[]);
    wait_ready(port, &mut child).await;
    let export: serde_json::Value = http()
        .post(format!("{base}/admin/v1/export"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"timeout": "5m"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let exported = export["orgs"].as_array().unwrap();
    let crash_orgs: Vec<&serde_json::Value> =
        exported.iter().filter(|o| o["org"]["name"].as_str().unwrap_or_default().starts_with("Crash Org")).collect();
    assert!(!crash_orgs.is_empty() && (crash_orgs.len() as u64) < orgs, "killed in the middle: {}", crash_orgs.len());
    for org in crash_orgs {
        let n = org["humanUsers"].as_array().map(Vec::len).unwrap_or_default() as u64;
        assert_eq!(n, users, "{} is whole", org["org"]["name"]);
    }
    terminate(&mut child);
}
