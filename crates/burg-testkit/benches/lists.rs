//! ListUsers and ListOrgs over an instance of 100k imported users, with
//! filters and paging, against a plain indexed SELECT of the same rows on
//! the same database as the same-run baseline.
//!
//! `cargo bench -p burg-testkit --bench lists [-- USERS] [sqlite] [postgres]`
//!
//! Each call goes over REST on one keep-alive connection, one after the
//! other, so the latencies are a single caller's. burg's side includes the
//! token check, the permission lookup, the count of all matches (ZITADEL's
//! `totalResult`) and the JSON encoding; the baseline is the page's SELECT
//! alone, through the same connection pool.

use std::time::{Duration, Instant};

use burg_api::admin::{ImportDataRequest, import_data_request};
use burg_testkit::load::Histogram;
use burg_testkit::{Backend, TestServer};
use serde_json::{Value, json};

/// Calls per case.
const CALLS: u64 = 500;

struct Case {
    name: &'static str,
    path: &'static str,
    body: Value,
    /// The page's rows by a plain SELECT: the baseline.
    baseline: &'static str,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "ListUsers, first page of 100",
            path: "/management/v1/users/_search",
            body: json!({"query": {"limit": 100}}),
            baseline: "SELECT id, username FROM users WHERE instance_id = $1 AND resource_owner = $2 \
                       ORDER BY creation_date, id LIMIT 100",
        },
        Case {
            name: "ListUsers, user name starts with, by name",
            path: "/management/v1/users/_search",
            body: json!({"query": {"limit": 100}, "sortingColumn": "USER_FIELD_NAME_USER_NAME",
                "queries": [{"userNameQuery": {"userName": "user42", "method": "TEXT_QUERY_METHOD_STARTS_WITH"}}]}),
            baseline: "SELECT id, username FROM users WHERE instance_id = $1 AND resource_owner = $2 \
                       AND username LIKE 'user42%' ORDER BY username LIMIT 100",
        },
        Case {
            name: "ListUsers, page 50 of 100",
            path: "/management/v1/users/_search",
            body: json!({"query": {"offset": 5000, "limit": 100}}),
            baseline: "SELECT id, username FROM users WHERE instance_id = $1 AND resource_owner = $2 \
                       ORDER BY creation_date, id LIMIT 100 OFFSET 5000",
        },
        Case {
            name: "ListOrgs, name starts with",
            path: "/admin/v1/orgs/_search",
            body: json!({"query": {"limit": 100},
                "queries": [{"nameQuery": {"name": "Bench Org 1", "method": "TEXT_QUERY_METHOD_STARTS_WITH"}}]}),
            baseline: "SELECT id, name FROM orgs WHERE instance_id = $1 AND $2 <> '' AND name LIKE 'Bench Org 1%' \
                       ORDER BY name LIMIT 100",
        },
    ]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

async fn run(backend: Backend, users: u64, document: &std::path::Path) {
    let server = TestServer::start(backend).await.expect("server");
    let transfer = server.dir.path().join("transfer");
    std::fs::create_dir_all(&transfer).unwrap();
    std::fs::copy(document, transfer.join("in.json")).unwrap();
    let request = ImportDataRequest {
        data: Some(import_data_request::Data::DataOrgsLocal(import_data_request::LocalInput {
            path: "in.json".into(),
        })),
        timeout: "1h".into(),
    };
    let mode = burg_app::ImportMode { dry_run: false, summary: true };
    let report = server.app.import_data_with(&burg_app::Ctx::system("bench"), request, mode).await.expect("import");
    assert!(report.errors.is_empty());
    let org = burg_testkit::bench_data::org_id(4).to_string();
    let per_org = users / burg_testkit::bench_data::ORGS;

    #[allow(clippy::disallowed_methods)] // Benchmark code: the load client, not burg's egress.
    let client = reqwest::Client::builder().http1_only().pool_max_idle_per_host(1).build().unwrap();
    let pool = server.app.db().pool().clone();
    let instance = server.app.instance_id().to_string();
    for case in cases() {
        let url = format!("{}{}", server.base_url(), case.path);
        let mut burg = Histogram::default();
        let mut total = 0;
        for _ in 0..CALLS {
            let t = Instant::now();
            let response = client
                .post(&url)
                .bearer_auth(&server.admin_token)
                .header("x-zitadel-orgid", &org)
                .json(&case.body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            let answer: Value = response.json().await.unwrap();
            burg.record(t.elapsed());
            total = answer["details"]["totalResult"].as_str().and_then(|t| t.parse::<u64>().ok()).unwrap_or(0);
        }
        let mut plain = Histogram::default();
        let mut rows = 0;
        for _ in 0..CALLS {
            let t = Instant::now();
            let found = sqlx::query(sqlx::AssertSqlSafe(case.baseline))
                .bind(&instance)
                .bind(&org)
                .fetch_all(&pool)
                .await
                .unwrap();
            plain.record(t.elapsed());
            rows = found.len();
        }
        assert!(rows > 0 && total > 0, "{}: {rows} rows, {total} total", case.name);
        let (p50, p99) = (burg.percentile(0.50), burg.percentile(0.99));
        let (b50, b99) = (plain.percentile(0.50), plain.percentile(0.99));
        println!(
            "| {backend:?} | {} | {total} of {per_org} | {} | {} | {} | {} | {:.2} |",
            case.name,
            ms(p50),
            ms(p99),
            ms(b50),
            ms(b99),
            b50.as_secs_f64() / p50.as_secs_f64()
        );
    }
    server.stop().await;
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let users: u64 = args.iter().find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let mut backends: Vec<Backend> = args
        .iter()
        .filter_map(|a| match a.as_str() {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" => Some(Backend::Postgres),
            _ => None,
        })
        .collect();
    if backends.is_empty() {
        backends = vec![Backend::Sqlite, Backend::Postgres];
    }
    let dir = tempfile::tempdir().unwrap();
    let document = dir.path().join("document.json");
    burg_testkit::bench_data::document(&document, users);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    println!(
        "| backend | call | matches of the org's users | p50 ms | p99 ms | SELECT p50 ms | SELECT p99 ms | ratio (p50) |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    for backend in backends {
        runtime.block_on(run(backend, users, &document));
    }
}
