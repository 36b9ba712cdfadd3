//! Tokens per second at `/oauth/v2/token` for each grant a service account
//! uses, against signing alone (the web key's RS256 signature of a JWT
//! access token, on as many threads as the server has) as the same-run
//! baseline.
//!
//! `cargo bench -p burg-testkit --bench tokens [-- SECONDS] [sqlite] [postgres]`
//!
//! Sixteen keep-alive clients ask for tokens as fast as they can; every
//! token is written as an event (`user.token.added`) in a transaction of
//! its own, as in ZITADEL. The JWT bearer grant's assertion is signed once
//! up front, so that the load generator's own RSA work does not share the
//! cores with the server's.

use std::time::{Duration, Instant};

use burg_testkit::load::Histogram;
use burg_testkit::{Backend, Protocol, TestServer};
use serde_json::{Value, json};

const CLIENTS: usize = 16;

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// `CLIENTS` clients posting `form` (with `basic` credentials) for
/// `seconds`: tokens per second and the latencies.
async fn load(
    url: &str,
    form: Vec<(String, String)>,
    basic: Option<(String, String)>,
    seconds: u64,
) -> (f64, Histogram) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        #[allow(clippy::disallowed_methods)] // Benchmark code: the load client, not burg's egress.
        let client = reqwest::Client::builder().http1_only().pool_max_idle_per_host(1).build().unwrap();
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&form).finish();
        let (url, basic) = (url.to_string(), basic.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Histogram::default();
            while Instant::now() < deadline {
                let t = Instant::now();
                let mut request =
                    client.post(&url).header("content-type", "application/x-www-form-urlencoded").body(body.clone());
                if let Some((id, secret)) = &basic {
                    request = request.basic_auth(id, Some(secret));
                }
                let response = request.send().await.expect("request");
                assert_eq!(response.status(), 200);
                let answer: Value = response.json().await.expect("body");
                assert!(answer["access_token"].as_str().is_some_and(|t| !t.is_empty()));
                latencies.record(t.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Histogram::default();
    for t in tasks {
        latencies.merge(&t.await.unwrap());
    }
    (latencies.len() as f64 / start.elapsed().as_secs_f64(), latencies)
}

/// A machine user with `IAM_OWNER_VIEWER` and token type `token_type`, its
/// key file, and its client id and secret.
async fn service_account(s: &TestServer, name: &str, token_type: &str) -> (String, Value, (String, String)) {
    let c = s.client(Protocol::Rest).await;
    let body = json!({"userName": name, "name": name, "accessTokenType": token_type});
    let user = c.call_json("ManagementService", "AddMachineUser", body).await.unwrap();
    let id = user["userId"].as_str().unwrap().to_string();
    c.call_json("AdminService", "AddIAMMember", json!({"userId": id, "roles": ["IAM_OWNER_VIEWER"]})).await.unwrap();
    let key = c
        .call_json("ManagementService", "AddMachineKey", json!({"userId": id, "type": "KEY_TYPE_JSON"}))
        .await
        .unwrap();
    let details = key["keyDetails"].as_str().unwrap();
    let file: Value =
        serde_json::from_slice(&base64::Engine::decode(&base64::engine::general_purpose::STANDARD, details).unwrap())
            .unwrap();
    let secret = c.call_json("ManagementService", "GenerateMachineSecret", json!({"userId": id})).await.unwrap();
    let credentials =
        (secret["clientId"].as_str().unwrap().to_string(), secret["clientSecret"].as_str().unwrap().to_string());
    (id, file, credentials)
}

/// Signatures per second of the JWT access token's claims with an RS256
/// web key, on `threads` threads for `seconds`.
fn signing_alone(threads: usize, seconds: u64) -> f64 {
    let config = burg_domain::web_key::DEFAULT;
    let key = config.generate("bench").unwrap();
    let claims = json!({"iss": "http://127.0.0.1:8080", "sub": "386112231616851968", "aud": ["386112231616851968"],
        "exp": now() + 43200, "iat": now(), "nbf": now(), "jti": "386112233672060928",
        "client_id": "386112231616851968", "scope": "openid"});
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let counts: Vec<u64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut n = 0;
                    while Instant::now() < deadline {
                        config.sign_jwt(&key.private_pkcs8, "bench", "JWT", &claims).unwrap();
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    counts.iter().sum::<u64>() as f64 / start.elapsed().as_secs_f64()
}

async fn run(backend: Backend, seconds: u64, baseline: f64) {
    let server = TestServer::start(backend).await.expect("server");
    let url = format!("{}/oauth/v2/token", server.base_url());
    let issuer = server.base_url();
    let assertion = |user: &str, file: &Value| {
        let claims = json!({"iss": user, "sub": user, "aud": [issuer], "iat": now(), "exp": now() + 3600});
        burg_domain::jwt::sign_rs256(file["key"].as_str().unwrap(), file["keyId"].as_str().unwrap(), &claims).unwrap()
    };
    let grant = |assertion: String| {
        vec![
            ("grant_type".to_string(), "urn:ietf:params:oauth:grant-type:jwt-bearer".to_string()),
            ("scope".to_string(), "openid".to_string()),
            ("assertion".to_string(), assertion),
        ]
    };
    let (jwt_user, jwt_file, _) = service_account(&server, "jwt-robot", "ACCESS_TOKEN_TYPE_JWT").await;
    let (bearer_user, bearer_file, secret) = service_account(&server, "bearer-robot", "ACCESS_TOKEN_TYPE_BEARER").await;
    let credentials = vec![("grant_type".to_string(), "client_credentials".to_string())];
    let runs = [
        ("JWT bearer grant → JWT access token", grant(assertion(&jwt_user, &jwt_file)), None),
        ("JWT bearer grant → opaque token", grant(assertion(&bearer_user, &bearer_file)), None),
        ("client credentials → opaque token", credentials, Some(secret)),
    ];
    for (name, form, basic) in runs {
        let (per_second, latencies) = load(&url, form, basic, seconds).await;
        println!(
            "| {backend:?} | {name} | {per_second:.0} | {:.1} | {:.1} | {baseline:.0} | {:.3} |",
            latencies.percentile(0.50).as_secs_f64() * 1000.0,
            latencies.percentile(0.99).as_secs_f64() * 1000.0,
            per_second / baseline
        );
    }
    server.stop().await;
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let seconds: u64 = args.iter().find_map(|a| a.parse().ok()).unwrap_or(10);
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
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    println!("| backend | grant | tokens/s | p50 ms | p99 ms | signing alone /s ({threads} threads) | ratio |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    for backend in backends {
        let baseline = signing_alone(threads, seconds);
        runtime.block_on(run(backend, seconds, baseline));
    }
}
