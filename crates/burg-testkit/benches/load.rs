//! A bounded mixed load (reads and writes, REST and gRPC) at 64
//! connections against a server this process started on 127.0.0.1, on
//! SQLite and PostgreSQL; then the same number of connections against a
//! bare axum handler that answers fixed JSON, as the baseline.
//!
//! `cargo bench -p burg-testkit --bench load [-- SECONDS] [sqlite|postgres]`
//! (60 s and both backends by default)

use std::time::{Duration, Instant};

use burg_testkit::{Backend, TestServer, load};

const CONNECTIONS: usize = 64;

/// Requests per second of a bare axum handler with the same connections.
async fn bare_axum(seconds: u64) -> f64 {
    let app = axum::Router::new().route("/x", axum::routing::get(|| async { "{\"ok\":true}" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/x", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let (client, url) = (burg_testkit::http_client(), url.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                let r = client.get(&url).send().await.unwrap();
                assert_eq!(r.status(), 200);
                r.bytes().await.unwrap();
                n += 1;
            }
            n
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    total as f64 / seconds as f64
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seconds: u64 = args.iter().find_map(|a| a.parse().ok()).unwrap_or(60);
    let named: Vec<Backend> = args
        .iter()
        .filter_map(|a| match a.as_str() {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" => Some(Backend::Postgres),
            _ => None,
        })
        .collect();
    let backends = if named.is_empty() { vec![Backend::Sqlite, Backend::Postgres] } else { named };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async move {
        let baseline = bare_axum(seconds.min(10)).await;
        println!("Mixed load, {CONNECTIONS} connections (half REST, half gRPC), 80% reads / 20% writes, {seconds} s");
        println!();
        println!("| backend | requests/s | errors | p50 | p99 | RSS start → end | bare axum requests/s | ratio |");
        println!("|---|---:|---:|---:|---:|---|---:|---:|");
        for backend in backends {
            let Some(server) = TestServer::start_or_skip(backend).await else { continue };
            let report = load::mixed(&server, CONNECTIONS, Duration::from_secs(seconds)).await;
            println!(
                "| {backend:?} | {:.0} | {} | {:.2} ms | {:.2} ms | {:.0} → {:.0} MB | {baseline:.0} | {:.2} |",
                report.rps(),
                report.errors,
                report.percentile(0.5).as_secs_f64() * 1e3,
                report.percentile(0.99).as_secs_f64() * 1e3,
                report.rss_mb.get(1).copied().unwrap_or(f64::NAN),
                report.rss_mb.last().copied().unwrap_or(f64::NAN),
                report.rps() / baseline,
            );
            println!(
                "SUMMARY|mixed load {backend:?} (requests/s; baseline bare axum)|{:.0}|{baseline:.0}|{:.2}",
                report.rps(),
                report.rps() / baseline
            );
            let samples: Vec<String> = report.rss_mb.iter().map(|m| format!("{m:.0}")).collect();
            eprintln!("{backend:?} RSS every {} s (MB): {}", seconds / 10, samples.join(" "));
            for e in &report.error_samples {
                eprintln!("error: {e}");
            }
            server.stop().await;
        }
    });
}
