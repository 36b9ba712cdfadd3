//! `burg start`

use burg_app::AppConfig;
use burg_server::ServerConfig;
use clap::Args;
use tokio::net::TcpListener;

use crate::config::{DataArgs, DataConfig, FileConfig, LOG_LEVELS, Purpose, TransferArgs, init_logging};

#[derive(Debug, Args)]
pub struct StartArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub transfer: TransferArgs,
    /// Port for REST, gRPC and gRPC-Web [default: 8080].
    #[arg(long, env = "BURG_PORT")]
    pub port: Option<u16>,
    /// Address or host name to listen on [default: 127.0.0.1, this machine
    /// only]; 0.0.0.0 (or ::) serves other machines too.
    #[arg(long, env = "BURG_LISTEN_ADDRESS")]
    pub listen_address: Option<String>,
    /// Log format [default: text].
    #[arg(long, env = "BURG_LOG_FORMAT", value_parser = ["text", "json"])]
    pub log_format: Option<String>,
    /// Log level [default: info]; BURG_LOG takes a full filter instead.
    #[arg(long, env = "BURG_LOG_LEVEL", value_parser = LOG_LEVELS)]
    pub log_level: Option<String>,
    /// Name of the instance created on first start [default: burg].
    #[arg(long, env = "BURG_INSTANCE_NAME")]
    pub instance_name: Option<String>,
    /// The instance's domain, created on first start [default: localhost].
    #[arg(long, env = "BURG_EXTERNAL_DOMAIN")]
    pub external_domain: Option<String>,
    /// Largest accepted request body or gRPC message, in bytes [default: 67108864, 64 MiB].
    #[arg(long, env = "BURG_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<usize>,
}

/// The address to listen on, in a form `TcpListener::bind` resolves
/// (`localhost`, `::1`, `[::1]`, `0.0.0.0`).
fn listen_host(host: &str) -> &str {
    host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host)
}

pub async fn run(args: StartArgs) -> Result<(), String> {
    let file = FileConfig::load(args.data.config.as_deref())?;
    let log_format = args.log_format.clone().or(file.log_format.clone()).unwrap_or_else(|| "text".into());
    let log_level = args.log_level.clone().or(file.log_level.clone()).unwrap_or_else(|| "info".into());
    init_logging(&log_format, &log_level)?;

    // The port first: a start that cannot serve writes nothing.
    let port = args.port.or(file.port).unwrap_or(8080);
    let host = args.listen_address.clone().or(file.listen_address.clone()).unwrap_or_else(|| "127.0.0.1".into());
    let listener = TcpListener::bind((listen_host(&host), port)).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            format!("cannot listen on {host}:{port}: another program uses this port; choose another with --port")
        } else {
            format!("cannot listen on {host}:{port}: {e}")
        }
    })?;
    let addr = listener.local_addr().map_err(|e| format!("cannot listen on {host}:{port}: {e}"))?;
    // Listening from here on: a stop signal is ours to handle.
    let shutdown = shutdown_signal();

    let data = DataConfig::resolve(&args.data, Some(&args.transfer), &file);
    let mut app_config = AppConfig::default();
    if let Some(name) = args.instance_name.clone().or(file.instance_name.clone()) {
        app_config.instance_name = name;
    }
    if let Some(domain) = args.external_domain.clone().or(file.external_domain.clone()) {
        app_config.external_domain = domain;
    }
    let opened = data.open(app_config, Purpose::Serve).await?;
    let app = opened.app.clone();
    let defaults = ServerConfig::default();
    let config = ServerConfig {
        max_body_bytes: args.max_body_bytes.or(file.max_body_bytes).unwrap_or(defaults.max_body_bytes),
        ..defaults
    };
    tracing::info!(%addr, instance_id = %opened.bootstrap.instance_id, backend = ?app.db().backend(), "burg is serving REST, gRPC and gRPC-Web");
    let result = burg_server::run(listener, app.clone(), config, shutdown).await;
    app.db().close().await;
    tracing::info!("stopped");
    result.map_err(|e| format!("server error: {e}"))
}

/// Resolves on SIGTERM or Ctrl-C; the handlers are installed by the call.
fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    let interrupted = crate::cleanup::interrupted();
    async move {
        interrupted.await;
        tracing::info!("shutting down; letting in-flight calls finish");
    }
}
