//! Request limits: an over-limit or too-slow request gets a clear 4xx (or
//! gRPC status), never a dropped connection, and changes nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use burg_api::admin::*;
use burg_server::ServerConfig;
use burg_testkit::{Backend, Client, Protocol, TestServer, http_client};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tonic::Code;

const LIMIT: usize = 4096;
const SLOW: Duration = Duration::from_millis(500);

/// A second front on the test server's app, with tight limits.
async fn tight_front(s: &TestServer) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = ServerConfig { max_body_bytes: LIMIT, header_read_timeout: SLOW, body_read_timeout: SLOW };
    let app = s.app.clone();
    tokio::spawn(async move { burg_server::run(listener, app, config, std::future::pending()).await });
    format!("http://{addr}")
}

/// Reads what the server sends until it closes or `within` passes.
async fn read_answer(stream: &mut TcpStream, within: Duration) -> String {
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(within, stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_limit_and_slow_requests_get_clear_answers() {
    let s = Arc::new(TestServer::start(Backend::Sqlite).await.unwrap());
    let base = tight_front(&s).await;
    let token = s.client(Protocol::Rest).await.token().to_string();
    let before = s.event_count().await;

    // A body over the limit: 413 with the error shape.
    let big = serde_json::json!({"org": {"name": "x".repeat(LIMIT * 2)}});
    let response =
        http_client().post(format!("{base}/admin/v1/orgs/_setup")).bearer_auth(&token).json(&big).send().await.unwrap();
    assert_eq!(response.status(), 413);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], Code::ResourceExhausted as i32);
    assert!(body["message"].as_str().unwrap().contains("4096 bytes"), "{body}");

    // The same over gRPC: a status, not a reset.
    let grpc = Client::connect(&base, &token, Protocol::Grpc).await;
    let mut request = crate::orgs::setup_request("Big");
    request.org.as_mut().unwrap().name = "x".repeat(LIMIT * 2);
    let err = grpc.call::<_, SetUpOrgResponse>("SetUpOrg", request).await.unwrap_err();
    assert!(matches!(err.code, Code::OutOfRange | Code::ResourceExhausted), "{err:?}");
    assert_eq!(s.event_count().await, before, "refused requests write nothing");

    // Too many header bytes: 431.
    let mut request = http_client().get(format!("{base}/admin/v1/healthz"));
    for i in 0..200 {
        request = request.header(format!("x-filler-{i}"), "y".repeat(2048));
    }
    assert_eq!(request.send().await.unwrap().status(), 431);

    // Headers that never finish: answered 408 and closed after the timeout.
    let host = base.trim_start_matches("http://");
    #[allow(clippy::disallowed_methods)] // Test code: a raw client of the server under test.
    let mut slow = TcpStream::connect(host).await.unwrap();
    slow.write_all(b"GET /admin/v1/healthz HTTP/1.1\r\nHost: burg\r\n").await.unwrap();
    let started = Instant::now();
    let answer = read_answer(&mut slow, Duration::from_secs(10)).await;
    assert!(started.elapsed() < Duration::from_secs(5), "the connection was held {:?}", started.elapsed());
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "{answer}");

    // A body that stops halfway: 408 with the error shape.
    #[allow(clippy::disallowed_methods)] // Test code: a raw client of the server under test.
    let mut slow = TcpStream::connect(host).await.unwrap();
    let head = format!(
        "POST /admin/v1/orgs/_search HTTP/1.1\r\nHost: burg\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"query\""
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    let answer = read_answer(&mut slow, Duration::from_secs(3)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(&format!("\"code\":{}", Code::DeadlineExceeded as i32)), "{answer}");

    // And the front still serves.
    let ok = http_client().get(format!("{base}/admin/v1/healthz")).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    s.stop().await;
}
