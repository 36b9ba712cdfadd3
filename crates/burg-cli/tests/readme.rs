//! README.md's examples, run as written, so that they cannot rot.
//!
//! Every fenced block whose info string starts with `sh` runs, in order, as
//! one `bash -eu -o pipefail` script in a fresh working directory, with the
//! built `burg` on the PATH, `cargo run --release -p burg-cli --` standing
//! for it (the test suite has built it already), and a free port in place
//! of 8080. A line that starts a server runs in the background until the
//! server answers; a block marked `sh stopped` first stops it with SIGINT,
//! as Ctrl-C would. Blocks marked `sh no-test` (building, installing, the
//! test suite itself) do not run. The S3 location the README names is a
//! real S3 server (moto) on loopback, given as the README says, in
//! `AWS_ENDPOINT_URL` and the key variables; grpcurl comes from the test
//! tools' `.venv`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use burg_testkit::emulators::{missing, s3, venv_bin};
use burg_testkit::process::{free_port, signal, wait_ready};

const BURG: &str = env!("CARGO_BIN_EXE_burg");

/// A fenced block: its info-string words after `sh`, and its lines.
struct Block {
    tags: Vec<String>,
    text: String,
}

fn sh_blocks(readme: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for line in readme.lines() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => {
                let mut words = info.split_whitespace();
                if words.next() == Some("sh") {
                    open = Some(Block { tags: words.map(str::to_string).collect(), text: String::new() });
                } else {
                    // Another language: skip to its end.
                    open = Some(Block { tags: vec!["other".into()], text: String::new() });
                }
            }
            (Some(_), Some(_)) => {
                let block = open.take().unwrap();
                if !block.tags.iter().any(|t| t == "other") {
                    blocks.push(block);
                }
            }
            (Some(block), None) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, None) => {}
        }
    }
    blocks
}

fn bash(dir: &Path, path: &str, env: &[(String, String)], script: &str) -> Command {
    let mut cmd = Command::new("bash");
    cmd.args(["-eu", "-o", "pipefail", "-c", script]).current_dir(dir).env("PATH", path);
    for (k, _) in std::env::vars() {
        if k.starts_with("BURG_") || k.starts_with("AWS_") || k == "CI" {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn stop(server: &mut Child) {
    let (status, _) = signal(server, libc::SIGINT);
    assert!(status.success(), "Ctrl-C stops the server cleanly: {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_examples_run_as_written() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md")).unwrap();
    let blocks = sh_blocks(&readme);
    assert!(blocks.len() >= 5, "the README has its examples");
    let Some(grpcurl) = venv_bin("grpcurl") else { return missing("grpcurl").unwrap_or(()) };
    let Some(bucket) = s3("backups").await else { return };

    let work = tempfile::tempdir().unwrap();
    let port = free_port();
    let bins: Vec<PathBuf> =
        [Path::new(BURG), grpcurl.as_path()].iter().map(|p| p.parent().unwrap().to_path_buf()).collect();
    let path = std::env::join_paths(
        bins.iter().cloned().chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap()
    .into_string()
    .unwrap();
    let env = vec![
        ("AWS_ENDPOINT_URL".to_string(), bucket.endpoint.clone()),
        ("AWS_ACCESS_KEY_ID".to_string(), "readme".to_string()),
        ("AWS_SECRET_ACCESS_KEY".to_string(), "readme-secret".to_string()),
    ];

    let mut server: Option<Child> = None;
    let mut ran = 0;
    for block in &blocks {
        if block.tags.iter().any(|t| t == "no-test") {
            continue;
        }
        if block.tags.iter().any(|t| t == "stopped")
            && let Some(mut s) = server.take()
        {
            stop(&mut s);
        }
        let text =
            block.text.replace("cargo run --release -p burg-cli --", "burg").replace(":8080", &format!(":{port}"));
        // A line that ends in a backslash goes on in the next one.
        let text = text.replace("\\\n", " ");
        let mut script = String::new();
        for line in text.lines() {
            if line.trim_start().starts_with("burg start") {
                assert!(server.is_none(), "one server at a time");
                // The port is the one given in place of 8080.
                let mut child = bash(work.path(), &path, &env, &format!("exec {line}"))
                    .env("BURG_PORT", port.to_string())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap();
                wait_ready(port, &mut child).await;
                server = Some(child);
            } else {
                script.push_str(line);
                script.push('\n');
            }
        }
        if script.trim().is_empty() {
            continue;
        }
        let out = bash(work.path(), &path, &env, &script).output().unwrap();
        assert!(
            out.status.success(),
            "README block failed ({}):\n{script}\nstdout:\n{}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        ran += 1;
    }
    if let Some(mut s) = server.take() {
        stop(&mut s);
    }
    assert!(ran >= 4, "the README's blocks ran: {ran}");

    // What the blocks promise: the S3 object, and the restored directory
    // with its own token, serving the backup's organizations under their ids.
    let http = burg_testkit::http_client();
    let check = bash(work.path(), &path, &env, "burg import s3://backups/burg.json --dry-run --data-dir s3-check")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&check.stderr);
    assert!(check.status.success() && said.contains("would import 1 organization"), "the export reached S3: {said}");
    let backup: serde_json::Value =
        serde_json::from_slice(&std::fs::read(work.path().join("backup.json")).unwrap()).unwrap();
    let org_id = backup["orgs"][0]["orgId"].as_str().unwrap().to_string();
    let token = std::fs::read_to_string(work.path().join("other-data/admin.pat")).unwrap().trim().to_string();
    let restored_port = free_port();
    let mut restored = Command::new(BURG)
        .args(["start", "--data-dir", "other-data", "--port", &restored_port.to_string()])
        .current_dir(work.path())
        .env_remove("BURG_MASTERKEY")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_ready(restored_port, &mut restored).await;
    let orgs: serde_json::Value = http
        .post(format!("http://127.0.0.1:{restored_port}/admin/v1/orgs/_search"))
        .bearer_auth(&token)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = orgs["result"].as_array().unwrap().iter().filter_map(|o| o["id"].as_str()).collect();
    assert_eq!(ids, vec![org_id.as_str()], "the backup's one organization, under its id, and nothing else");
    let default: serde_json::Value = http
        .get(format!("http://127.0.0.1:{restored_port}/admin/v1/orgs/default"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(default["org"]["id"], org_id.as_str(), "it is the default organization");
    stop(&mut restored);
}
