//! `burg start`

use std::net::SocketAddr;

use burg_app::AppConfig;
use burg_server::ServerConfig;
use clap::Args;
use tokio::net::TcpListener;

use crate::config::{DataArgs, DataConfig, FileConfig, init_logging, write_private};

#[derive(Debug, Args)]
pub struct StartArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Port for REST, gRPC and gRPC-Web.
    #[arg(long, env = "BURG_PORT")]
    pub port: Option<u16>,
    /// Address to listen on.
    #[arg(long, env = "BURG_LISTEN_ADDRESS")]
    pub listen_address: Option<String>,
    /// Log format: text or json.
    #[arg(long, env = "BURG_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// Log level (error, warn, info, debug, trace); BURG_LOG takes a full filter.
    #[arg(long, env = "BURG_LOG_LEVEL")]
    pub log_level: Option<String>,
    /// Name of the instance created on first start.
    #[arg(long, env = "BURG_INSTANCE_NAME")]
    pub instance_name: Option<String>,
    /// The instance's domain, created on first start.
    #[arg(long, env = "BURG_EXTERNAL_DOMAIN")]
    pub external_domain: Option<String>,
    /// Largest accepted request body or gRPC message, in bytes.
    #[arg(long, env = "BURG_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<usize>,
}

pub async fn run(args: StartArgs) -> Result<(), String> {
    let file = FileConfig::load(args.data.config.as_deref())?;
    let log_format = args.log_format.clone().or(file.log_format.clone()).unwrap_or_else(|| "text".into());
    let log_level = args.log_level.clone().or(file.log_level.clone()).unwrap_or_else(|| "info".into());
    init_logging(&log_format, &log_level)?;

    let data = DataConfig::resolve(&args.data, &file);
    let mut app_config = AppConfig::default();
    if let Some(name) = args.instance_name.clone().or(file.instance_name.clone()) {
        app_config.instance_name = name;
    }
    if let Some(domain) = args.external_domain.clone().or(file.external_domain.clone()) {
        app_config.external_domain = domain;
    }
    let (app, bootstrap) = data.open_app(app_config).await?;
    if let Some(token) = &bootstrap.admin_token {
        let path = data.data_dir.join("admin.pat");
        write_private(&path, &format!("{}\n", token.expose()))?;
        tracing::info!(path = %path.display(), user_id = ?bootstrap.admin_user_id, "created the instance; the IAM_OWNER token is in this file");
    }

    let port = args.port.or(file.port).unwrap_or(8080);
    let host = args.listen_address.clone().or(file.listen_address.clone()).unwrap_or_else(|| "0.0.0.0".into());
    let addr: SocketAddr =
        format!("{host}:{port}").parse().map_err(|e| format!("invalid listen address {host}:{port}: {e}"))?;
    let listener = TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let defaults = ServerConfig::default();
    let config = ServerConfig {
        max_body_bytes: args.max_body_bytes.or(file.max_body_bytes).unwrap_or(defaults.max_body_bytes),
        ..defaults
    };
    tracing::info!(%addr, instance_id = %bootstrap.instance_id, backend = ?app.db().backend(), "burg is serving REST, gRPC and gRPC-Web");
    let result = burg_server::run(listener, app.clone(), config, shutdown_signal()).await;
    app.db().close().await;
    tracing::info!("stopped");
    result.map_err(|e| format!("server error: {e}"))
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down; letting in-flight calls finish");
}
