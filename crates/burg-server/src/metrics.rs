//! Request ids, access logs and Prometheus metrics for every call.
//!
//! Labels are the RPC name (never a raw path, so cardinality stays bounded)
//! and the gRPC code. Nothing from headers or bodies is logged.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use burg_api::routes::Route;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use tonic::Code;
use tracing::Instrument;

/// What a call was, for metrics: set by the REST layer; derived from the
/// path and `grpc-status` for gRPC.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallLabel {
    pub rpc: &'static str,
    pub code: Code,
}

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// How often recorded durations are folded into their buckets.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let (recorder, handle) = recorder(UPKEEP_EVERY)?;
            metrics::set_global_recorder(recorder).ok()?;
            Some(handle)
        })
        .as_ref()
}

/// burg's Prometheus recorder, and a thread that does its upkeep every
/// `every` for as long as the process lives.
///
/// The recorder keeps each recorded duration until upkeep (or a scrape)
/// folds it into the histogram's buckets. Without the thread a server that
/// nobody scrapes would grow by 8 bytes per request for ever. A thread of
/// its own, not a task: the recorder is process-wide and must not stop with
/// whichever runtime happened to create it.
pub fn recorder(every: Duration) -> Option<(PrometheusRecorder, PrometheusHandle)> {
    let recorder = PrometheusBuilder::new()
        .set_buckets(&[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0])
        .ok()?
        .build_recorder();
    let handle = recorder.handle();
    let upkeep = handle.clone();
    std::thread::Builder::new()
        .name("metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(every);
                upkeep.run_upkeep();
            }
        })
        .ok()?;
    Some((recorder, handle))
}

/// `GET /metrics`
pub(crate) async fn render() -> impl IntoResponse {
    let text = handle().map(PrometheusHandle::render).unwrap_or_default();
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn request_id(request: &Request) -> String {
    request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| {
            static PREFIX: OnceLock<u32> = OnceLock::new();
            let prefix = PREFIX.get_or_init(rand_prefix);
            format!("{prefix:08x}-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed))
        })
}

fn rand_prefix() -> u32 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::process::id()) as u32
}

/// Wraps every request: request id, span, access log line, metrics.
pub(crate) async fn observe(request: Request, next: Next) -> Response {
    let _ = handle();
    let started = Instant::now();
    let id = request_id(&request);
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let grpc_rpc = Route::by_grpc_path(&path).map(|(_, r)| r.method);
    let span = tracing::info_span!("request", request_id = %id, method = %method, rpc = tracing::field::Empty);
    let mut response = next.run(request).instrument(span.clone()).await;
    let label = response.extensions().get::<CallLabel>().copied().unwrap_or_else(|| {
        let code = response
            .headers()
            .get("grpc-status")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<i32>().ok())
            .map(Code::from)
            .unwrap_or(if response.status().is_success() { Code::Ok } else { Code::Unknown });
        CallLabel { rpc: grpc_rpc.unwrap_or("other"), code }
    });
    let elapsed = started.elapsed();
    let code = format!("{:?}", label.code);
    metrics::counter!("burg_requests_total", "rpc" => label.rpc, "code" => code.clone()).increment(1);
    metrics::histogram!("burg_request_duration_seconds", "rpc" => label.rpc).record(elapsed.as_secs_f64());
    span.record("rpc", label.rpc);
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            code = %code,
            duration_ms = elapsed.as_secs_f64() * 1000.0,
            "served"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}
