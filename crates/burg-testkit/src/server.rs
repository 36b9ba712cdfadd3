//! Starting and stopping a real server.

use std::path::PathBuf;
use std::sync::Arc;

use burg_app::{App, AppConfig};
use burg_domain::crypto::MasterKey;
use burg_domain::{IdGenerator, ShiftedClock};
use burg_server::ServerConfig;
use burg_store::{Db, DbOptions};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::client::{Client, Protocol};
use crate::in_ci;

/// Which database a test server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests use; `BURG_TEST_PG` overrides it.
pub fn postgres_admin_url() -> String {
    std::env::var("BURG_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A running burg on a random port.
pub struct TestServer {
    pub backend: Backend,
    pub addr: std::net::SocketAddr,
    /// The IAM_OWNER token created on first start.
    pub admin_token: String,
    pub app: Arc<App>,
    pub dir: tempfile::TempDir,
    /// The database URL the server uses.
    pub database_url: String,
    pub master_key: String,
    /// The app's clock: the system's, which a test may move ahead.
    pub clock: Arc<ShiftedClock>,
    shutdown: std::sync::Mutex<Option<oneshot::Sender<()>>>,
    task: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    pg_database: Option<String>,
}

impl TestServer {
    /// Starts a server, or returns `None` (with a message) when the backend
    /// is unavailable on a developer machine. Under CI it panics instead.
    pub async fn start_or_skip(backend: Backend) -> Option<TestServer> {
        TestServer::start_or_skip_with(backend, test_app_config()).await
    }

    /// [`TestServer::start_or_skip`] with other app settings (e.g. an
    /// egress policy); the transfer directory is set when `config` has none.
    pub async fn start_or_skip_with(backend: Backend, config: AppConfig) -> Option<TestServer> {
        match TestServer::start_with(backend, config).await {
            Ok(server) => Some(server),
            Err(reason) if backend == Backend::Postgres && !in_ci() => {
                eprintln!("SKIPPED: PostgreSQL is not available ({reason}); CI=true makes this a failure");
                None
            }
            Err(reason) => panic!("cannot start a {backend:?} test server: {reason}"),
        }
    }

    pub async fn start(backend: Backend) -> Result<TestServer, String> {
        TestServer::start_with(backend, test_app_config()).await
    }

    /// A server with the app settings `config`.
    pub async fn start_with(backend: Backend, config: AppConfig) -> Result<TestServer, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let master_key = MasterKey::generate_secret();
        let (database_url, pg_database) = match backend {
            Backend::Sqlite => (format!("sqlite://{}?mode=rwc", dir.path().join("burg.db").display()), None),
            Backend::Postgres => {
                let name = format!("burg_test_{}", rand::random::<u64>());
                create_pg_database(&name).await?;
                let url = postgres_admin_url();
                let base = url.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(url);
                (format!("{base}/{name}"), Some(name))
            }
        };
        TestServer::start_on_with(backend, dir, database_url, master_key, pg_database, config).await
    }

    /// Starts a server on a fresh database that holds the rows of `dump`,
    /// a store an earlier release wrote (see [`crate::store_dump`]); `None`
    /// as [`TestServer::start_or_skip`].
    pub async fn start_on_dump(backend: Backend, dump: &crate::store_dump::StoreDump) -> Option<TestServer> {
        let prepare = async {
            let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
            let (url, pg_database) = match backend {
                Backend::Sqlite => (format!("sqlite://{}?mode=rwc", dir.path().join("burg.db").display()), None),
                Backend::Postgres => {
                    let name = format!("burg_test_{}", rand::random::<u64>());
                    create_pg_database(&name).await?;
                    let url = postgres_admin_url();
                    let base = url.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(url);
                    (format!("{base}/{name}"), Some(name))
                }
            };
            let db = Db::open(&url, &DbOptions::default()).await.map_err(|e| e.message)?;
            db.migrate().await.map_err(|e| e.message)?;
            crate::store_dump::load(db.pool(), backend == Backend::Postgres, &dump.tables).await;
            db.close().await;
            std::fs::write(dir.path().join("admin.pat"), &dump.admin_token).map_err(|e| e.to_string())?;
            Ok::<_, String>((dir, url, pg_database))
        };
        let (dir, url, pg_database) = match prepare.await {
            Ok(prepared) => prepared,
            Err(reason) if backend == Backend::Postgres && !in_ci() => {
                eprintln!("SKIPPED: PostgreSQL is not available ({reason}); CI=true makes this a failure");
                return None;
            }
            Err(reason) => panic!("cannot prepare a {backend:?} store: {reason}"),
        };
        let server = TestServer::start_on(backend, dir, url, dump.master_key.clone(), pg_database).await;
        Some(server.unwrap_or_else(|e| panic!("cannot start on the recorded store: {e}")))
    }

    /// Starts a server on an existing database (e.g. to test restarts).
    pub async fn start_on(
        backend: Backend,
        dir: tempfile::TempDir,
        database_url: String,
        master_key: String,
        pg_database: Option<String>,
    ) -> Result<TestServer, String> {
        TestServer::start_on_with(backend, dir, database_url, master_key, pg_database, test_app_config()).await
    }

    async fn start_on_with(
        backend: Backend,
        dir: tempfile::TempDir,
        database_url: String,
        master_key: String,
        pg_database: Option<String>,
        mut config: AppConfig,
    ) -> Result<TestServer, String> {
        if config.transfer_dir.0.is_none() {
            config.transfer_dir = burg_app::TransferDir(Some(dir.path().join("transfer")));
        }
        let db = Db::open(&database_url, &DbOptions::default()).await.map_err(|e| e.message)?;
        let key = MasterKey::from_secret(&master_key).map_err(|e| e.message)?;
        let clock = Arc::new(ShiftedClock::default());
        let (app, bootstrap) =
            App::open(db, key, clock.clone(), IdGenerator::random_node(), config).await.map_err(|e| e.message)?;
        let app = Arc::new(app);
        let admin_token = match bootstrap.admin_token {
            Some(t) => t.expose().to_string(),
            None => std::fs::read_to_string(dir.path().join("admin.pat")).unwrap_or_default().trim().to_string(),
        };
        std::fs::write(dir.path().join("admin.pat"), &admin_token).map_err(|e| e.to_string())?;
        let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let (tx, rx) = oneshot::channel::<()>();
        let serve_app = app.clone();
        let task = tokio::spawn(async move {
            let shutdown = async move {
                let _ = rx.await;
            };
            if let Err(e) = burg_server::run(listener, serve_app, ServerConfig::default(), shutdown).await {
                eprintln!("test server stopped with an error: {e}");
            }
        });
        Ok(TestServer {
            backend,
            addr,
            admin_token,
            app,
            dir,
            database_url,
            master_key,
            clock,
            shutdown: std::sync::Mutex::new(Some(tx)),
            task: std::sync::Mutex::new(Some(task)),
            pg_database,
        })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// An IAM_OWNER client of `protocol`.
    pub async fn client(&self, protocol: Protocol) -> Client {
        self.client_with_token(protocol, &self.admin_token).await
    }

    /// A client with another token.
    pub async fn client_with_token(&self, protocol: Protocol, token: &str) -> Client {
        match protocol {
            Protocol::InProcess => Client::in_process(self.router(), token),
            _ => Client::connect(&self.base_url(), token, protocol).await,
        }
    }

    /// How many events the database holds (a refused call adds none).
    pub async fn event_count(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(self.app.db().pool()).await.expect("event count")
    }

    /// Event types the store holds that `ListEventTypes` does not name.
    pub async fn unlisted_event_types(&self, c: &Client) -> Vec<String> {
        let listed: burg_api::admin::ListEventTypesResponse =
            c.call("ListEventTypes", burg_api::admin::ListEventTypesRequest {}).await.expect("ListEventTypes");
        let listed: std::collections::HashSet<String> = listed.event_types.into_iter().map(|t| t.r#type).collect();
        let stored: Vec<String> = sqlx::query_scalar("SELECT DISTINCT event_type FROM events")
            .fetch_all(self.app.db().pool())
            .await
            .expect("stored event types");
        stored.into_iter().filter(|t| !listed.contains(t)).collect()
    }

    /// The server's router, to call without a socket.
    pub fn router(&self) -> axum::Router {
        burg_server::router(self.app.clone(), &ServerConfig::default())
    }

    /// A new service account holding `roles`, and its token.
    pub async fn token_with_roles(&self, roles: &[&str]) -> String {
        let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
        let sa = self.app.create_service_account(None, &roles, None, None).await.expect("service account");
        sa.token.expose().to_string()
    }

    /// Stops serving (letting in-flight calls finish) and closes the pool.
    pub async fn stop(&self) {
        if let Some(tx) = self.shutdown.lock().unwrap().take() {
            let _ = tx.send(());
        }
        let task = self.task.lock().unwrap().take();
        if let Some(task) = task {
            let _ = task.await;
        }
        self.app.db().close().await;
    }
}

impl TestServer {
    /// Stops this server and starts a new one on the same data.
    pub async fn restart(self) -> Result<TestServer, String> {
        let key = self.master_key.clone();
        self.restart_with_key(key).await
    }

    /// Stops this server and starts a new one on the same data with `key`.
    pub async fn restart_with_key(mut self, key: String) -> Result<TestServer, String> {
        self.stop().await;
        let placeholder = tempfile::tempdir().map_err(|e| e.to_string())?;
        let dir = std::mem::replace(&mut self.dir, placeholder);
        let pg_database = self.pg_database.take();
        let url = self.database_url.clone();
        match TestServer::start_on(self.backend, dir, url, key, pg_database.clone()).await {
            Ok(server) => Ok(server),
            Err(e) => {
                // Keep the database for the drop below.
                self.pg_database = pg_database;
                Err(e)
            }
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(name) = self.pg_database.take() {
            // Dropping runs outside any runtime guarantee: use a thread of its own.
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    rt.block_on(async {
                        let _ = drop_pg_database(&name).await;
                    });
                }
            })
            .join();
        }
    }
}

async fn admin_connection() -> Result<sqlx::AnyConnection, String> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(&postgres_admin_url()).await.map_err(|e| e.to_string())
}

async fn create_pg_database(name: &str) -> Result<(), String> {
    use sqlx::Executor;
    let mut conn = admin_connection().await?;
    conn.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).await.map_err(|e| e.to_string())?;
    Ok(())
}

async fn drop_pg_database(name: &str) -> Result<(), String> {
    use sqlx::Executor;
    let mut conn = admin_connection().await?;
    conn.execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Cheap settings for tests: low bcrypt cost, small SAML keys.
pub fn test_app_config() -> AppConfig {
    AppConfig {
        password_cost: 4,
        saml_key_bits: 2048,
        // Domain challenges are served by the tests over plain HTTP.
        domain_check: burg_app::DomainCheck { http_scheme: "http".into(), name_server: None },
        ..AppConfig::default()
    }
}
