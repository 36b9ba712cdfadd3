//! The egress policy on every outbound path: S3 export and import, GCS
//! export and import (its base URL and its token URI), SAML metadata URLs.
//!
//! Real servers on loopback count the connections they accept. The
//! servers under test deny 127.0.0.2 and resolve `egress.my-test.example`
//! to it; a server there must see no connection at all, and the answer is
//! the policy's error naming the setting. Servers on 127.0.0.3 are allowed:
//! they are reached, and what they answer in an error (a body that stands
//! for a cloud metadata service's secrets) is not echoed.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use burg_api::admin::*;
use burg_app::egress::Policy;
use burg_testkit::{ApiError, Backend, Client, Protocol, TestServer, emulators, test_app_config};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::Code;

use crate::idps::SAML_METADATA;
use crate::transfer::{decode_orgs, generated_org};

const DENIED: &str = "127.0.0.2";
const ALLOWED: &str = "127.0.0.3";
const DENIED_NAME: &str = "egress.my-test.example";
/// What the allowed servers put in their error answers: it must never
/// come back to the caller.
const SECRET_BODY: &str = "AccessKeyId=ASIA-SECRET-FROM-METADATA";

/// What a counting server does with a connection.
#[derive(Clone)]
enum Answer {
    /// Reads the request head and answers these bytes.
    Fixed(String),
    /// Relays the connection to a server (an emulator).
    Forward(SocketAddr),
}

/// A loopback server that counts the connections it accepts.
struct Counted {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Counted {
    async fn start(ip: &str, answer: Answer) -> Counted {
        let listener = tokio::net::TcpListener::bind((ip, 0)).await.expect("bind a loopback address");
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(socket, answer.clone()));
            }
        });
        Counted { addr, accepted, task }
    }

    fn count(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    fn host_port(&self) -> String {
        self.addr.to_string()
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://egress.my-test.example:<port>`: the same port by a name that
    /// resolves to the denied address.
    fn named_url(&self) -> String {
        format!("http://{DENIED_NAME}:{}", self.addr.port())
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut socket: tokio::net::TcpStream, answer: Answer) {
    match answer {
        Answer::Fixed(response) => {
            // The head, then as much body as it announces (so that closing
            // does not reset the connection under the client's feet).
            let mut got = Vec::new();
            let mut buf = vec![0u8; 64 * 1024];
            let end = loop {
                if let Some(at) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                    break at + 4;
                }
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            };
            let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
            let announced = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|n| n.trim().parse::<usize>().ok())
                .unwrap_or(0);
            let mut body = got.len() - end;
            while body < announced {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => body += n,
                }
            }
            let _ = socket.write_all(response.as_bytes()).await;
            let _ = socket.shutdown().await;
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), socket.read(&mut buf)).await;
        }
        Answer::Forward(upstream) => {
            // Test code: the relay's own connection to the emulator.
            #[allow(clippy::disallowed_methods)]
            let connected = tokio::net::TcpStream::connect(upstream).await;
            if let Ok(mut upstream) = connected {
                let _ = tokio::io::copy_bidirectional(&mut socket, &mut upstream).await;
            }
        }
    }
}

fn http_answer(status: &str, headers: &str, body: &str) -> String {
    format!("HTTP/1.1 {status}\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}", body.len())
}

/// An answer that stands for what a metadata service would leak.
fn secret_answer(status: &str) -> Answer {
    Answer::Fixed(http_answer(status, "content-type: text/plain\r\n", SECRET_BODY))
}

/// Test servers deny 127.0.0.2 and resolve `egress.my-test.example` to it.
fn policy() -> Policy {
    Policy::default().deny(DENIED).unwrap().resolve_override(DENIED_NAME, vec![DENIED.parse().unwrap()])
}

async fn server(backend: Backend) -> Option<TestServer> {
    TestServer::start_or_skip_with(backend, burg_app::AppConfig { egress: policy(), ..test_app_config() }).await
}

/// Asserts the policy's error naming `field` and `target`, without secrets.
fn assert_refused(err: &ApiError, field: &str, target: &str) {
    assert_eq!(err.code, Code::FailedPrecondition, "{err:?}");
    assert!(err.message.contains(&format!("`{field}`")), "names the setting: {}", err.message);
    assert!(err.message.contains(target), "names the address: {}", err.message);
    assert!(err.message.contains("egress policy") && err.message.contains("--egress-allow"), "{}", err.message);
    assert!(!err.message.contains("test-secret"), "no credential: {}", err.message);
    if !err.id.is_empty() {
        assert_eq!(err.id, "EGRESS-deny1");
    }
}

/// Nothing in the transfer directory: no output, no partial file.
fn assert_no_files(s: &TestServer) {
    let dir = s.data_dir().join("transfer");
    let left: Vec<_> =
        std::fs::read_dir(&dir).map(|d| d.flatten().map(|e| e.file_name()).collect()).unwrap_or_default();
    assert!(left.is_empty(), "files were left: {left:?}");
}

fn s3_output(endpoint: &str) -> export_data_request::S3Output {
    export_data_request::S3Output {
        path: "exports/instance.json".into(),
        endpoint: endpoint.into(),
        access_key_id: "test".into(),
        secret_access_key: "test-secret".into(),
        ssl: false,
        bucket: "burg".into(),
    }
}

fn s3_input(endpoint: &str) -> import_data_request::Data {
    import_data_request::Data::DataOrgsS3(import_data_request::S3Input {
        path: "exports/instance.json".into(),
        endpoint: endpoint.into(),
        access_key_id: "test".into(),
        secret_access_key: "test-secret".into(),
        ssl: false,
        bucket: "burg".into(),
    })
}

/// A service account whose API is at `base` and whose tokens come from
/// `token_uri` (`None`: no OAuth, as for emulators).
fn service_account(base: &str, token_uri: Option<&str>) -> String {
    match token_uri {
        None => emulators::gcs_service_account(base),
        Some(uri) => {
            static KEY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let key = KEY.get_or_init(|| burg_domain::idp::generate_sp_key_pair("1", 2048).unwrap().key_pem);
            serde_json::json!({
                "type": "service_account",
                "client_email": "burg-test@example.iam.gserviceaccount.com",
                "private_key": key,
                "token_uri": uri,
                "gcs_base_url": base,
            })
            .to_string()
        }
    }
}

async fn export(c: &Client, req: ExportDataRequest) -> Result<ExportDataResponse, ApiError> {
    let req = ExportDataRequest { timeout: "1m".into(), ..req };
    c.call("ExportData", req).await
}

async fn import(c: &Client, data: import_data_request::Data) -> Result<ImportDataResponse, ApiError> {
    c.call("ImportData", ImportDataRequest { data: Some(data), timeout: "1m".into() }).await
}

async fn saml_by_url(c: &Client, url: String) -> Result<AddSamlProviderResponse, ApiError> {
    let req = AddSamlProviderRequest {
        name: format!("SAML {}", rand::random::<u32>()),
        metadata: Some(add_saml_provider_request::Metadata::MetadataUrl(url)),
        binding: burg_api::idp::SamlBinding::Post as i32,
        ..Default::default()
    };
    c.call("AddSAMLProvider", req).await
}

/// Each case on SQLite over REST and on PostgreSQL over gRPC.
macro_rules! backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite_rest() {
                    super::$name(burg_testkit::Backend::Sqlite, burg_testkit::Protocol::Rest).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres_grpc() {
                    super::$name(burg_testkit::Backend::Postgres, burg_testkit::Protocol::Grpc).await
                }
            }
        )*
    };
}

backends!(
    s3_to_denied_addresses,
    gcs_to_denied_addresses,
    saml_metadata_from_denied_addresses,
    allowed_servers_are_reached_and_not_echoed
);

/// S3 export and import: an endpoint at a denied address, as an IP or as a
/// name that resolves to it, gets no connection; the export leaves no file.
async fn s3_to_denied_addresses(backend: Backend, protocol: Protocol) {
    let Some(s) = server(backend).await else { return };
    let c = s.client(protocol).await;
    let denied = Counted::start(DENIED, secret_answer("200 OK")).await;
    let named = format!("{DENIED_NAME}:{}", denied.addr.port());
    for endpoint in [denied.host_port(), denied.url(), named.clone()] {
        let req = ExportDataRequest {
            s3_output: Some(s3_output(&endpoint)),
            local_output: Some(export_data_request::LocalOutput { path: "also-here.json".into() }),
            ..Default::default()
        };
        let err = export(&c, req).await.unwrap_err();
        let target = if endpoint == named { DENIED_NAME } else { DENIED };
        assert_refused(&err, "s3Output.endpoint", target);
        assert_no_files(&s);
        let err = import(&c, s3_input(&endpoint)).await.unwrap_err();
        assert_refused(&err, "dataOrgsS3.endpoint", target);
    }
    assert_eq!(denied.count(), 0, "the denied server was never connected to");
    s.stop().await;
}

/// GCS export and import: a denied `gcs_base_url`, and a denied
/// `token_uri`, get no connection.
async fn gcs_to_denied_addresses(backend: Backend, protocol: Protocol) {
    let Some(s) = server(backend).await else { return };
    let c = s.client(protocol).await;
    let denied = Counted::start(DENIED, secret_answer("200 OK")).await;
    let allowed = Counted::start(ALLOWED, secret_answer("403 Forbidden")).await;
    let cases = [
        (service_account(&denied.url(), None), "gcs_base_url", DENIED),
        (service_account(&denied.named_url(), None), "gcs_base_url", DENIED_NAME),
        (service_account(&allowed.url(), Some(&format!("{}/token", denied.url()))), "token_uri", DENIED),
        (service_account(&allowed.url(), Some(&format!("{}/token", denied.named_url()))), "token_uri", DENIED_NAME),
    ];
    for (account, key, target) in cases {
        let req = ExportDataRequest {
            gcs_output: Some(export_data_request::GcsOutput {
                bucket: "burg".into(),
                serviceaccount_json: account.clone(),
                path: "exports/instance.json".into(),
            }),
            local_output: Some(export_data_request::LocalOutput { path: "also-here.json".into() }),
            ..Default::default()
        };
        let err = export(&c, req).await.unwrap_err();
        assert_refused(&err, &format!("gcsOutput.serviceaccountJson.{key}"), target);
        assert!(!err.message.contains("PRIVATE KEY"), "{}", err.message);
        assert_no_files(&s);
        let input = import_data_request::Data::DataOrgsGcs(import_data_request::GcsInput {
            bucket: "burg".into(),
            serviceaccount_json: account,
            path: "exports/instance.json".into(),
        });
        let err = import(&c, input).await.unwrap_err();
        assert_refused(&err, &format!("dataOrgsGcs.serviceaccountJson.{key}"), target);
    }
    assert_eq!(denied.count(), 0, "the denied server was never connected to");
    assert_eq!(allowed.count(), 0, "nothing was sent to the API before a token");
    s.stop().await;
}

/// SAML metadata URLs: a denied address, a name that resolves to one, and
/// a redirect from an allowed server to either, get no connection there.
async fn saml_metadata_from_denied_addresses(backend: Backend, protocol: Protocol) {
    let Some(s) = server(backend).await else { return };
    let c = s.client(protocol).await;
    let denied = Counted::start(DENIED, Answer::Fixed(http_answer("200 OK", "", SAML_METADATA))).await;
    for (url, target) in [(denied.url(), DENIED), (denied.named_url(), DENIED_NAME)] {
        let err = saml_by_url(&c, format!("{url}/metadata")).await.unwrap_err();
        assert_refused(&err, "metadataUrl", target);
        let location = format!("location: {url}/metadata\r\n");
        let redirect = Counted::start(ALLOWED, Answer::Fixed(http_answer("302 Found", &location, ""))).await;
        let err = saml_by_url(&c, format!("{}/metadata", redirect.url())).await.unwrap_err();
        assert_refused(&err, "metadataUrl", target);
        assert_eq!(redirect.count(), 1, "the allowed server was asked");
    }
    // A mapped IPv6 literal is its IPv4 address.
    let mapped = format!("http://[::ffff:{DENIED}]:{}/metadata", denied.addr.port());
    let err = saml_by_url(&c, mapped).await.unwrap_err();
    assert_refused(&err, "metadataUrl", DENIED);
    assert_eq!(denied.count(), 0, "the denied server was never connected to");

    // Allowed, it works.
    let allowed = Counted::start(ALLOWED, Answer::Fixed(http_answer("200 OK", "", SAML_METADATA))).await;
    saml_by_url(&c, format!("{}/metadata", allowed.url())).await.unwrap();
    assert_eq!(allowed.count(), 1);
    s.stop().await;
}

/// Allowed servers are connected to; what they say in an error is reduced
/// to its status, and a refused export leaves no file.
async fn allowed_servers_are_reached_and_not_echoed(backend: Backend, protocol: Protocol) {
    let Some(s) = server(backend).await else { return };
    let c = s.client(protocol).await;
    let forbidden = Counted::start(ALLOWED, secret_answer("403 Forbidden")).await;
    let no_echo = |err: &ApiError| {
        assert!(!err.message.contains(SECRET_BODY), "the body was echoed: {}", err.message);
        assert!(!err.message.contains("test-secret"), "{}", err.message);
        assert!(err.message.contains("403"), "the status is told: {}", err.message);
        assert_ne!(err.code, Code::Internal);
    };

    let req = ExportDataRequest {
        s3_output: Some(s3_output(&forbidden.host_port())),
        local_output: Some(export_data_request::LocalOutput { path: "also-here.json".into() }),
        ..Default::default()
    };
    no_echo(&export(&c, req).await.unwrap_err());
    assert_no_files(&s);
    no_echo(&import(&c, s3_input(&forbidden.host_port())).await.unwrap_err());

    let account = service_account(&forbidden.url(), Some(&format!("{}/token", forbidden.url())));
    let input = import_data_request::Data::DataOrgsGcs(import_data_request::GcsInput {
        bucket: "burg".into(),
        serviceaccount_json: account,
        path: "exports/instance.json".into(),
    });
    no_echo(&import(&c, input).await.unwrap_err());
    no_echo(&saml_by_url(&c, format!("{}/metadata", forbidden.url())).await.unwrap_err());
    assert!(forbidden.count() >= 4, "the allowed server was reached: {}", forbidden.count());
    s.stop().await;
}

/// The default policy refuses the cloud metadata address for an S3 output
/// at once: there is nothing to connect to, and nothing is tried.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_policy_refuses_cloud_metadata() {
    let Some(s) = TestServer::start_or_skip(Backend::Sqlite).await else { return };
    let c = s.client(Protocol::Rest).await;
    let started = std::time::Instant::now();
    for (endpoint, target) in [
        ("169.254.169.254", "169.254.169.254"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),
        ("[::ffff:169.254.169.254]:80", "169.254.169.254"),
        ("[fd00:ec2::254]", "fd00:ec2::254"),
        ("metadata.google.internal", "metadata.google.internal"),
        ("http://100.100.100.200", "100.100.100.200"),
    ] {
        let req = ExportDataRequest {
            s3_output: Some(s3_output(endpoint)),
            local_output: Some(export_data_request::LocalOutput { path: "also-here.json".into() }),
            ..Default::default()
        };
        let err = export(&c, req).await.unwrap_err();
        assert_refused(&err, "s3Output.endpoint", target);
    }
    assert_no_files(&s);
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "refused without trying: {:?}", started.elapsed());
    let err = saml_by_url(&c, "http://169.254.169.254/metadata".into()).await.unwrap_err();
    assert_refused(&err, "metadataUrl", "169.254.169.254");
    s.stop().await;
}

/// With the policy on, exports and imports through allowed addresses work
/// end to end (S3 and GCS emulators behind counting relays; the GCS token
/// from an allowed token URI).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowed_s3_and_gcs_work_end_to_end() {
    let Some(s3) = emulators::s3("burg").await else { return };
    let Some(gcs) = emulators::gcs("burg").await else { return };
    let Some(s) = server(Backend::Sqlite).await else { return };
    let c = s.client(Protocol::Grpc).await;
    let upstream = |endpoint: &str| endpoint.trim_start_matches("http://").parse::<SocketAddr>().unwrap();
    let s3_relay = Counted::start(ALLOWED, Answer::Forward(upstream(&s3.endpoint))).await;
    let gcs_relay = Counted::start(ALLOWED, Answer::Forward(upstream(&gcs.endpoint))).await;
    let token = r#"{"access_token":"t0ken","token_type":"Bearer","expires_in":3600}"#;
    let tokens =
        Counted::start(ALLOWED, Answer::Fixed(http_answer("200 OK", "content-type: application/json\r\n", token)))
            .await;
    let orgs = decode_orgs(&[generated_org(21, 1, 3)]);
    let report: ImportDataResponse = c
        .call(
            "ImportData",
            ImportDataRequest {
                data: Some(import_data_request::Data::DataOrgs(ImportDataOrg {
                    orgs: orgs.clone(),
                    ..Default::default()
                })),
                timeout: "1m".into(),
            },
        )
        .await
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let account = service_account(&gcs_relay.url(), Some(&format!("{}/token", tokens.url())));
    let req = ExportDataRequest {
        org_ids: vec![orgs[0].org_id.clone()],
        s3_output: Some(s3_output(&s3_relay.host_port())),
        gcs_output: Some(export_data_request::GcsOutput {
            bucket: "burg".into(),
            serviceaccount_json: account.clone(),
            path: "exports/instance.json".into(),
        }),
        ..Default::default()
    };
    export(&c, req).await.unwrap();
    let gcs_input = import_data_request::Data::DataOrgsGcs(import_data_request::GcsInput {
        bucket: "burg".into(),
        serviceaccount_json: account,
        path: "exports/instance.json".into(),
    });
    for input in [s3_input(&s3_relay.host_port()), gcs_input] {
        let report = import(&c, input).await.unwrap();
        let kept = |e: &&burg_api::admin::ImportDataError| {
            e.message.contains(if e.r#type == "org" { "ORG-lapo2m" } else { "IMPORT-exists" })
        };
        assert_eq!(report.errors.len(), report.errors.iter().filter(kept).count(), "{:?}", report.errors);
    }
    assert!(s3_relay.count() > 0 && gcs_relay.count() > 0 && tokens.count() >= 2, "all went through the relays");
    s.stop().await;
}
