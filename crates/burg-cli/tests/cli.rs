//! The `burg` binary as an operator uses it: start, stop, tokens, config.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use burg_testkit::process::{free_port, signal, wait_ready};
use std::time::Duration;

const BURG: &str = env!("CARGO_BIN_EXE_burg");

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
    let (status, log) = stop(&mut child);
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
    let (status, log) = stop(&mut child);
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
    stop(&mut child);
}

#[tokio::test]
async fn a_wrong_master_key_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = start(dir.path(), port, &[], &[]);
    wait_ready(port, &mut child).await;
    stop(&mut child);
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
    stop(&mut child);

    let env_port_s = env_port.to_string();
    let mut child = start(dir.path(), 0, &["--config", cfg], &[("BURG_PORT", &env_port_s)]);
    wait_ready(env_port, &mut child).await;
    stop(&mut child);

    let mut child = start(dir.path(), flag_port, &["--config", cfg], &[("BURG_PORT", &env_port_s)]);
    wait_ready(flag_port, &mut child).await;
    stop(&mut child);

    std::fs::write(&config, "port = \"not a number\"\n").unwrap();
    let out = Command::new(BURG).args(["start", "--config", cfg]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("burg.toml"));
}

fn http() -> reqwest::Client {
    burg_testkit::http_client()
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
    let input_name = input.to_str().unwrap();
    assert!(summary(&err).starts_with(&format!("imported 1 organization and 1 user from {input_name} in ")), "{err}");
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
    let out = via_server.to_str().unwrap();
    assert!(summary(&err).starts_with(&format!("exported 1 organization and 1 user to {out} in ")), "{err}");
    assert_eq!(mode(&via_server), 0o600, "an export holds personal data");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&via_server).unwrap()).unwrap();
    assert_eq!(doc["orgs"][0]["projects"][0]["project"]["name"], "Portal");
    assert!(doc["orgs"][0]["humanUsers"][0]["user"].get("hashedPassword").is_none(), "no hashes unless asked");
    stop(&mut child);

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
    // Only the chosen organization's users count (the instance has its
    // administrator too).
    assert!(err.contains("exported 1 of 1 organization, 1 of 1 user\n"), "plain progress lines off a terminal: {err}");
    let out = direct.to_str().unwrap();
    assert!(summary(&err).starts_with(&format!("exported 1 organization and 1 user to {out} in ")), "{err}");
    assert_eq!(mode(&direct), 0o600, "password hashes are for the owner only");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&direct).unwrap()).unwrap();
    assert!(doc["orgs"][0]["humanUsers"][0]["user"]["hashedPassword"]["value"].as_str().unwrap().starts_with("$2a$"));

    let b_dir = b.path().to_str().unwrap();
    let (ok, err) = burg(&["import", "--data-dir", b_dir, out, "--dry-run"]);
    assert!(ok, "{err}");
    assert!(summary(&err).starts_with(&format!("would import 1 organization and 1 user from {out} in ")), "{err}");
    assert!(std::fs::read_dir(b.path()).unwrap().next().is_none(), "a dry run into a new directory writes nothing");
    let (ok, err) = burg(&["import", "--data-dir", b_dir, out]);
    assert!(ok, "{err}");
    assert!(summary(&err).starts_with(&format!("imported 1 organization and 1 user from {out} in ")), "{err}");
    assert!(err.contains(&format!("created a new instance in {b_dir}")), "{err}");
    let (ok, err) = burg(&["import", "--data-dir", b_dir, out]);
    assert!(ok, "{err}");
    assert!(
        summary(&err).starts_with(&format!(
            "imported 0 organizations and 0 users from {out}; 1 organization was there already in "
        )),
        "{err}"
    );

    // A missing input is named and creates nothing, not even its directory.
    let missing = files.path().join("sub/dir/missing.json");
    let (ok, err) = burg(&["import", "--data-dir", b_dir, missing.to_str().unwrap()]);
    assert!(!ok, "{err}");
    assert_eq!(err.trim(), format!("burg: {}: no such file", missing.display()));
    assert!(!files.path().join("sub").exists());
}

/// The last line a command printed: its summary.
fn summary(stderr: &str) -> &str {
    stderr.trim_end().lines().last().unwrap_or_default()
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
                "{{\"userId\":\"{}\",\"user\":{{\"userName\":\"u{o}-{u}\",\"profile\":{{\"firstName\":\"F\",\"lastName\":\"L\"}},\"email\":{{\"email\":\"u{u}@example.com\"}}}}}}",
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
    signal(&mut child, libc::SIGKILL);
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
    stop(&mut child);
}

/// Runs `burg ARGS` with the master key from the data directory.
fn burg_in(args: &[&str]) -> std::process::Output {
    Command::new(BURG).args(args).env_remove("BURG_MASTERKEY").output().unwrap()
}

/// Two processes on one SQLite data directory would each serve from a
/// cache the other's writes do not reach (a token revoked through one
/// would still open the other): the second is refused, naming the first.
#[tokio::test]
async fn a_data_directory_serves_one_process_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let port = free_port();
    let mut first = start(dir.path(), port, &[], &[]);
    wait_ready(port, &mut first).await;
    let holder = format!("pid {}", first.id());

    let second_port = free_port();
    let mut second = start(dir.path(), second_port, &[], &[]);
    let status = second.wait().unwrap();
    let mut err = String::new();
    second.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(!status.success(), "the second server must not start: {err}");
    assert!(err.contains("in use by another burg process") && err.contains(&holder), "{err}");
    assert!(std::net::TcpListener::bind(("127.0.0.1", second_port)).is_ok(), "the refused server let its port go");

    // Export and import straight on the database follow the same rule.
    let out = dir.path().join("x.json");
    for args in
        [&["export", "--data-dir", d, "--output", out.to_str().unwrap()][..], &["import", "--data-dir", d, "x.json"]]
    {
        let run = burg_in(args);
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{args:?}");
        if args[0] == "export" {
            assert!(err.contains("in use by another burg process") && err.contains(&holder), "{err}");
        }
    }
    assert!(!out.exists());
    // Creating a token only adds rows no cache holds: it may run beside.
    let token = burg_in(&["token", "create", "--role", "IAM_OWNER_VIEWER", "--data-dir", d]);
    assert!(token.status.success(), "{}", String::from_utf8_lossy(&token.stderr));

    // Once the first is gone, the directory is free (even after a kill).
    signal(&mut first, libc::SIGKILL);
    let run = burg_in(&["export", "--data-dir", d, "--output", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
}

#[test]
fn a_taken_port_stops_the_start_before_it_writes_anything() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let run = burg_in(&["start", "--port", &port, "--data-dir", data.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(err.contains(&format!("127.0.0.1:{port}")) && err.contains("choose another with --port"), "{err}");
    assert!(!data.exists(), "nothing was created");
}

#[tokio::test]
async fn listen_addresses_may_be_names() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new(BURG)
        .args(["start", "--listen-address", "localhost", "--port", &port.to_string(), "--data-dir"])
        .arg(dir.path())
        .env_remove("BURG_MASTERKEY")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = false;
    for _ in 0..200 {
        if http()
            .get(format!("http://localhost:{port}/debug/ready"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (status, log) = stop(&mut child);
    assert!(ready, "{log}");
    assert!(status.success(), "{log}");
    assert!(!log.contains('\u{1b}'), "no colour codes in logs that go to a file: {log}");
    assert!(!log.contains("Some("), "{log}");
}

#[test]
fn an_unknown_log_level_is_refused() {
    let out = burg_in(&["start", "--log-level", "verbose", "--port", "1"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("verbose") && err.contains("debug"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("burg.toml");
    std::fs::write(&config, "log_level = \"verbose\"\n").unwrap();
    let data = dir.path().join("data");
    let port = free_port().to_string();
    let out = burg_in(&[
        "start",
        "--config",
        config.to_str().unwrap(),
        "--port",
        &port,
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("unknown log level \"verbose\""), "{err}");
    assert!(!data.exists());
}

#[test]
fn every_setting_has_a_flag_and_help_shows_defaults() {
    let out = Command::new(BURG).args(["start", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in ["--database-max-connections", "--transfer-dir", "--listen-address", "--max-body-bytes"] {
        assert!(help.contains(flag), "{flag}: {help}");
    }
    for default in ["[default: 8080]", "[default: 127.0.0.1", "[default: ./burg-data]", "[default: 16]"] {
        assert!(help.contains(default), "{default}: {help}");
    }
    let out = Command::new(BURG).args(["token", "create", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(!help.contains("--transfer-dir") && !help.contains("--listen-address"), "{help}");
}

#[tokio::test]
async fn an_unreachable_server_is_named() {
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.json");
    let run = burg_in(&[
        "export",
        "--server",
        &format!("http://127.0.0.1:{port}"),
        "--token",
        "t",
        "--output",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(err.contains(&format!("cannot reach http://127.0.0.1:{port}: connection refused")), "{err}");
}

/// Reads a child's stderr line by line on a thread.
fn lines_of(child: &mut Child) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead;
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// Ctrl-C during an export with password hashes leaves no file behind;
/// during an import it says what stays and how to go on.
#[tokio::test]
async fn ctrl_c_leaves_no_partial_file_and_says_what_stays() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let files = tempfile::tempdir().unwrap();
    let (orgs, users) = (30u64, 1500u64);
    let doc = files.path().join("big.json");
    std::fs::write(&doc, big_document(orgs, users)).unwrap();

    let spawn = |args: &[&str]| {
        Command::new(BURG)
            .args(args)
            .env_remove("BURG_MASTERKEY")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // The import, stopped after its third organization.
    let mut import = spawn(&["import", "--data-dir", d, doc.to_str().unwrap()]);
    let lines = lines_of(&mut import);
    let mut seen = Vec::new();
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(120)) {
        let third = line.starts_with("imported 3 of 30 organizations");
        seen.push(line);
        if third {
            break;
        }
    }
    assert!(seen.last().is_some_and(|l| l.starts_with("imported 3 of 30")), "{seen:?}");
    let (status, _) = signal(&mut import, libc::SIGINT);
    let rest: Vec<String> = lines.iter().collect();
    assert_eq!(status.code(), Some(130), "{rest:?}");
    let said = rest.join("\n");
    assert!(said.contains("interrupted: ") && said.contains("of 30 organizations stay imported"), "{said}");
    assert!(said.contains("Run the same command again"), "{said}");

    // The export, stopped while it writes.
    let out = files.path().join("backup.json");
    let mut export = spawn(&["export", "--data-dir", d, "--with-passwords", "--output", out.to_str().unwrap()]);
    let partial = || {
        std::fs::read_dir(files.path())
            .unwrap()
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().ends_with(".partial"))
    };
    let mut writing = false;
    for _ in 0..2000 {
        if partial() {
            writing = true;
            break;
        }
        assert!(export.try_wait().unwrap().is_none(), "the export ended before it could be interrupted");
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(writing, "the export started writing");
    let (status, err) = signal(&mut export, libc::SIGINT);
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted: nothing was written"), "{err}");
    assert!(!out.exists() && !partial(), "no file with password hashes is left");
}

/// A document larger than a request may be reaches a server through its
/// transfer directory (`transfer:NAME`), and the refusal says so.
#[tokio::test]
async fn large_documents_go_through_the_transfer_directory() {
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = start(dir.path(), port, &["--max-body-bytes", "2000"], &[]);
    wait_ready(port, &mut child).await;
    let server = format!("http://127.0.0.1:{port}");
    let token_file = dir.path().join("admin.pat");
    let token_file = token_file.to_str().unwrap();
    let doc = big_document(1, 20);
    assert!(doc.len() > 2000);
    let local = files.path().join("big.json");
    std::fs::write(&local, &doc).unwrap();

    let run = burg_in(&["import", "--server", &server, "--token-file", token_file, local.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(err.contains("transfer:NAME"), "the refusal says how: {err}");

    std::fs::create_dir_all(dir.path().join("transfer")).unwrap();
    std::fs::copy(&local, dir.path().join("transfer/big.json")).unwrap();
    let run = burg_in(&["import", "--server", &server, "--token-file", token_file, "transfer:big.json"]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{err}");
    assert!(summary(&err).starts_with("imported 1 organization and 20 users from transfer:big.json in "), "{err}");

    // And back out into the server's transfer directory.
    let run = burg_in(&["export", "--server", &server, "--token-file", token_file, "--output", "transfer:out.json"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let out = dir.path().join("transfer/out.json");
    let exported: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(exported["orgs"].as_array().unwrap().len(), 2, "the default organization and the imported one");
    assert_eq!(mode(&out), 0o600);
    stop(&mut child);
}

/// Stops a server as SIGTERM does: its exit status and error output.
fn stop(child: &mut Child) -> (std::process::ExitStatus, String) {
    signal(child, libc::SIGTERM)
}

// Egress settings on the command line: a bad value stops the start with a
// message naming where it came from.

/// Runs `burg start` with `args` and `env`; its exit success and stderr.
fn start_refused(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let mut cmd = Command::new(BURG);
    cmd.arg("start").arg("--data-dir").arg(dir).args(["--listen-address", "127.0.0.1", "--port", "0"]).args(args);
    for var in ["BURG_EGRESS_ALLOW", "BURG_EGRESS_DENY", "BURG_MASTERKEY", "BURG_CONFIG"] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().expect("run burg");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn bad_egress_values_are_refused_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, err) = start_refused(dir.path(), &["--egress-deny", "loopback,10.0.0.0/33"], &[]);
    assert!(!ok);
    assert!(err.contains("--egress-deny") && err.contains("`10.0.0.0/33`"), "{err}");
    let (ok, err) = start_refused(dir.path(), &[], &[("BURG_EGRESS_ALLOW", "s3.example.com,http://x")]);
    assert!(!ok);
    assert!(err.contains("--egress-allow") && err.contains("`http://x`"), "{err}");
    let config = dir.path().join("burg.toml");
    std::fs::write(&config, "egress_deny = [\"private\", \"300.0.0.1\"]\n").unwrap();
    let (ok, err) = start_refused(dir.path(), &["--config", config.to_str().unwrap()], &[]);
    assert!(!ok);
    assert!(err.contains("egress_deny in the config file") && err.contains("`300.0.0.1`"), "{err}");
    assert!(!dir.path().join("burg.db").exists(), "refused before the database was opened");
}
