//! Real S3 and GCS servers on loopback for the export/import tests: moto's
//! S3 server and gcp-storage-emulator, both Python programs that
//! `scripts/test.sh` installs into `.venv`.
//!
//! Missing programs fail the test under CI and skip it elsewhere.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::process::free_port;

/// A running emulator; stopped when dropped.
pub struct Emulator {
    pub endpoint: String,
    child: Child,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A program of the test tools' Python environment (`$BURG_TEST_VENV`, or
/// `.venv` at the repository root), if installed.
pub fn venv_bin(program: &str) -> Option<PathBuf> {
    let venv = std::env::var_os("BURG_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv"));
    let path = venv.join("bin").join(program);
    path.exists().then_some(path)
}

/// Fails under CI, else says the test is skipped: `what` is not installed.
pub fn missing<T>(what: &str) -> Option<T> {
    assert!(!crate::in_ci(), "{what} is not installed; scripts/test.sh installs it into .venv");
    eprintln!("SKIPPED: {what} is not installed (run scripts/test.sh once); CI=true makes this a failure");
    None
}

async fn wait_until_up(endpoint: &str, path: &str, child: &mut Child) {
    let client = crate::http_client();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the emulator at {endpoint} exited: {status}");
        }
        if client.get(format!("{endpoint}{path}")).send().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the emulator at {endpoint} did not come up");
}

/// moto's S3 server with `bucket` created.
pub async fn s3(bucket: &str) -> Option<Emulator> {
    let Some(program) = venv_bin("moto_server") else { return missing("moto (S3)") };
    let port = free_port();
    let mut child = Command::new(program)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto_server");
    let endpoint = format!("http://127.0.0.1:{port}");
    wait_until_up(&endpoint, "/", &mut child).await;
    let created = crate::http_client().put(format!("{endpoint}/{bucket}")).send().await.expect("create bucket");
    assert!(created.status().is_success(), "create bucket: {}", created.status());
    Some(Emulator { endpoint, child })
}

/// gcp-storage-emulator (in memory) with `bucket` created.
pub async fn gcs(bucket: &str) -> Option<Emulator> {
    let Some(program) = venv_bin("gcp-storage-emulator") else { return missing("gcp-storage-emulator (GCS)") };
    let port = free_port();
    let mut child = Command::new(program)
        .args(["start", "--host=127.0.0.1", &format!("--port={port}"), "--in-memory"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start gcp-storage-emulator");
    let endpoint = format!("http://127.0.0.1:{port}");
    wait_until_up(&endpoint, "/storage/v1/b", &mut child).await;
    let created = crate::http_client()
        .post(format!("{endpoint}/storage/v1/b"))
        .json(&serde_json::json!({ "name": bucket }))
        .send()
        .await
        .expect("create bucket");
    assert!(created.status().is_success(), "create bucket: {}", created.status());
    Some(Emulator { endpoint, child })
}

/// A service-account document that points the GCS client at `endpoint`
/// without OAuth (fields the object_store crate reads for emulators).
pub fn gcs_service_account(endpoint: &str) -> String {
    serde_json::json!({
        "type": "service_account",
        "private_key": "",
        "private_key_id": "",
        "client_email": "burg-test@example.iam.gserviceaccount.com",
        "gcs_base_url": endpoint,
        "disable_oauth": true,
    })
    .to_string()
}

/// A real SMTP server on loopback (aiosmtpd) that requires `user` and
/// `password` and keeps what it receives; stopped when dropped.
pub struct SmtpSink {
    /// `127.0.0.1:port`, as a provider's `host`.
    pub host: String,
    received: PathBuf,
    _dir: tempfile::TempDir,
    child: Child,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpSink {
    /// The messages received so far: `mail_from`, `rcpt_tos`, `from`,
    /// `to`, `subject` and `body` of each.
    pub fn received(&self) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(&self.received).unwrap_or_default();
        text.lines().map(|line| serde_json::from_str(line).expect("a received message")).collect()
    }
}

/// Starts an [`SmtpSink`]; fails under CI and skips elsewhere when
/// aiosmtpd is not installed.
pub fn smtp_sink(user: &str, password: &str) -> Option<SmtpSink> {
    use std::io::BufRead;
    let Some(python) = venv_bin("python") else { return missing("aiosmtpd (SMTP)") };
    let installed = Command::new(&python).args(["-c", "import aiosmtpd"]).status().is_ok_and(|s| s.success());
    if !installed {
        return missing("aiosmtpd (SMTP)");
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let received = dir.path().join("received.jsonl");
    let port = free_port();
    let mut child = Command::new(python)
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/smtp_sink.py"))
        .args([&port.to_string(), user, password])
        .arg(&received)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the SMTP server");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("its output");
    std::io::BufReader::new(stdout).read_line(&mut line).expect("read its output");
    assert_eq!(line.trim(), "ready", "the SMTP server did not come up");
    Some(SmtpSink { host: format!("127.0.0.1:{port}"), received, _dir: dir, child })
}
