//! burg's front: one listener, three protocols.
//!
//! Requests are told apart by path and content type: `/zitadel.*Service/*`
//! is gRPC (HTTP/2) or gRPC-Web (`application/grpc-web*`, also over
//! HTTP/1.1), `/admin/v1/…` and `/management/v1/…` are REST in
//! grpc-gateway's conventions, `/debug/*` and `/metrics` are for operators.
//! All RPCs end in the same tonic service implementations ([`grpc`]), which
//! hand each call to `burg-app`. Authentication and the permission check
//! happen before the request is decoded, as in ZITADEL.
//!
//! Invariants: no request can reach a panic; no header, body or secret is
//! logged; every error leaves as the code/message/details shape of
//! [`burg_api::error`].
// A dependency nothing uses fails the lints (unit tests use dev-dependencies).
#![cfg_attr(not(test), deny(unused_crate_dependencies))]

mod assets;
mod auth;
mod grpc;
pub mod metrics;
mod oauth;
mod rest;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use burg_app::App;
use tokio::net::TcpListener;
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer, ExposeHeaders};

pub use auth::authorize;
pub use grpc::serves;

/// Settings of the HTTP front.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest request body (REST) or message (gRPC) accepted, in bytes;
    /// larger imports go through a file or object storage.
    pub max_body_bytes: usize,
    /// How long a client may take to send a request's headers (HTTP/1).
    pub header_read_timeout: Duration,
    /// How long a client may take to send a REST request's body.
    pub body_read_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_body_bytes: 64 * 1024 * 1024,
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(60),
        }
    }
}

/// The complete router: REST, gRPC, gRPC-Web, health and metrics.
pub fn router(app: Arc<App>, config: &ServerConfig) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods(AllowMethods::mirror_request())
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers(ExposeHeaders::list([
            HeaderName::from_static("grpc-status"),
            HeaderName::from_static("grpc-message"),
            HeaderName::from_static("grpc-status-details-bin"),
            HeaderName::from_static("x-request-id"),
        ]))
        .max_age(Duration::from_secs(3600));
    let health = Router::new()
        .route("/debug/healthz", get(|| async { "ok" }))
        .route("/debug/ready", get(ready))
        .route("/metrics", get(metrics::render))
        .route("/openapi/v2/swagger/{file}", get(openapi))
        .with_state(app.clone());
    Router::new()
        .merge(rest::router(app.clone(), config))
        .merge(assets::router(app.clone()))
        .merge(oauth::router(app.clone()))
        .merge(grpc::router(app, config))
        .merge(health)
        .fallback(rest::not_found)
        .layer(cors)
        .layer(axum::middleware::from_fn(metrics::observe))
}

/// The OpenAPI document of a service, e.g. `admin.swagger.json`.
async fn openapi(axum::extract::Path(file): axum::extract::Path<String>) -> axum::response::Response {
    match burg_api::OPENAPI.iter().find(|(name, _)| *name == file) {
        Some((_, document)) => ([(http::header::CONTENT_TYPE, "application/json")], *document).into_response(),
        None => rest::not_found().await.into_response(),
    }
}

async fn ready(axum::extract::State(app): axum::extract::State<Arc<App>>) -> impl IntoResponse {
    match app.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

/// Serves HTTP/1.1 and HTTP/2 (h2c) until `shutdown` resolves, then lets
/// in-flight calls finish. A client that is slow to send its headers is
/// answered 408 and dropped.
pub async fn run(
    listener: TcpListener,
    app: Arc<App>,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let router = router(app, &config);
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(config.header_read_timeout);
    builder.http2().timer(TokioTimer::new());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(connection) => connection,
                Err(e) => {
                    // Out of file descriptors and the like: wait, go on.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(router.clone());
        let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
