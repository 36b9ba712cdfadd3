//! GetProviderByID over REST under 64 concurrent connections, against a
//! bare axum handler that returns the same JSON bytes, in one process.
//!
//! `cargo bench -p burg-testkit --bench get_provider [-- SECONDS]`
//!
//! Both servers run on the same runtime and the same load generator drives
//! them in turn, so the ratio says what burg's auth, database read and
//! encoding cost on top of HTTP itself.

use std::sync::Arc;
use std::time::{Duration, Instant};

use burg_api::admin::{AddGoogleProviderRequest, AddGoogleProviderResponse};
use burg_testkit::load::Histogram;
use burg_testkit::{Backend, Protocol, TestServer};

const CONNECTIONS: usize = 64;

struct Run {
    elapsed: Duration,
    latencies: Histogram,
}

impl Run {
    fn rps(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }
    fn percentile(&self, p: f64) -> Duration {
        self.latencies.percentile(p)
    }
}

/// `CONNECTIONS` clients, one keep-alive connection each, asking `url`
/// as fast as they can for `seconds`.
async fn load(url: &str, token: &str, seconds: u64) -> Run {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        #[allow(clippy::disallowed_methods)] // Benchmark code: the load client, not burg's egress.
        let client = reqwest::Client::builder().http1_only().pool_max_idle_per_host(1).build().unwrap();
        let (url, token) = (url.to_string(), token.to_string());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Histogram::default();
            while Instant::now() < deadline {
                let t = Instant::now();
                let response = client.get(&url).bearer_auth(&token).send().await.expect("request");
                assert_eq!(response.status(), 200);
                let body = response.bytes().await.expect("body");
                assert!(!body.is_empty());
                latencies.record(t.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Histogram::default();
    for t in tasks {
        latencies.merge(&t.await.unwrap());
    }
    Run { elapsed: start.elapsed(), latencies }
}

async fn bare_axum(body: bytes::Bytes) -> String {
    let app = axum::Router::new().route(
        "/admin/v1/idps/templates/{id}",
        axum::routing::get(move || {
            let body = body.clone();
            async move { ([(http::header::CONTENT_TYPE, "application/json")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn main() {
    let seconds: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async move {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut rows = Vec::new();
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let Some(server) = TestServer::start_or_skip(backend).await else { continue };
            let server = Arc::new(server);
            let client = server.client(Protocol::Rest).await;
            let added: AddGoogleProviderResponse = client
                .call(
                    "AddGoogleProvider",
                    AddGoogleProviderRequest {
                        name: "Google".into(),
                        client_id: "client-id".into(),
                        client_secret: "secret".into(),
                        scopes: vec!["openid".into(), "profile".into(), "email".into()],
                        provider_options: None,
                    },
                )
                .await
                .unwrap();
            let url = format!("{}/admin/v1/idps/templates/{}", server.base_url(), added.id);
            let body = burg_testkit::http_client()
                .get(&url)
                .bearer_auth(&server.admin_token)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            let baseline_url = format!("{}/admin/v1/idps/templates/{}", bare_axum(body).await, added.id);

            // Warm both up, then measure the baseline and burg back to back.
            load(&url, &server.admin_token, 1).await;
            load(&baseline_url, &server.admin_token, 1).await;
            let baseline = load(&baseline_url, &server.admin_token, seconds).await;
            let burg = load(&url, &server.admin_token, seconds).await;
            rows.push((format!("{backend:?}"), burg, baseline));
            server.stop().await;
        }
        println!("GetProviderByID over REST, {CONNECTIONS} connections, {seconds} s per run");
        println!();
        println!("| backend | server | requests/s | p50 | p99 | ratio to bare axum |");
        println!("|---|---|---:|---:|---:|---:|");
        for (backend, burg, baseline) in &rows {
            println!(
                "SUMMARY|GetProviderByID {backend} (requests/s; baseline bare axum)|{:.0}|{:.0}|{:.2}",
                burg.rps(),
                baseline.rps(),
                burg.rps() / baseline.rps()
            );
            for (name, run) in [("bare axum", baseline), ("burg", burg)] {
                println!(
                    "| {backend} | {name} | {:.0} | {:.2} ms | {:.2} ms | {} |",
                    run.rps(),
                    run.percentile(0.50).as_secs_f64() * 1e3,
                    run.percentile(0.99).as_secs_f64() * 1e3,
                    if name == "burg" { format!("{:.2}", burg.rps() / baseline.rps()) } else { "1.00".into() },
                );
            }
        }
    });
}
