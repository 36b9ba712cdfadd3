//! Connecting, migrating, and the write lock that serializes SQLite writers.

use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Once};
use std::time::Duration;

use burg_domain::{Error, Result};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Executor};
use tokio::sync::Mutex;

use crate::db_error;

/// Which database the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Pool settings.
#[derive(Debug, Clone)]
pub struct DbOptions {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions { max_connections: 16, acquire_timeout: Duration::from_secs(30) }
    }
}

/// A connection taken from the pool; a [`Conn`](crate::Conn) through
/// `&mut *pooled`, back to the pool when dropped.
pub type Pooled = PoolConnection<Any>;

/// The `burg_meta` key set once an earlier import's login policy
/// documents offer their providers.
const POLICY_LINKS_ADOPTED: &str = "policy_links_adopted";

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pub(crate) pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time; taking this lock before `BEGIN
    /// IMMEDIATE` turns contention into a queue instead of busy errors.
    pub(crate) write_lock: Arc<Mutex<()>>,
    /// Changes whenever the data may have changed: see [`Db::generation`].
    pub(crate) changes: Arc<Changes>,
}

/// The change counter behind read caches.
#[derive(Debug)]
pub(crate) struct Changes {
    generation: AtomicU64,
    /// Whether every change is seen: always on SQLite (one process owns the
    /// file); on PostgreSQL while the change listener is connected.
    complete: AtomicBool,
    /// Stops the PostgreSQL listener when the database is closed.
    closed: tokio::sync::watch::Sender<bool>,
}

impl Changes {
    pub(crate) fn bump(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }
}

static DRIVERS: Once = Once::new();

impl Db {
    /// Opens (creating if needed) the SQLite database file at `path`.
    pub async fn open_sqlite(path: &Path, options: &DbOptions) -> Result<Db> {
        let url = format!("sqlite://{}?mode=rwc", path.display());
        Db::open(&url, options).await
    }

    /// Opens a database by URL: `sqlite://…` or `postgres://…`.
    pub async fn open(url: &str, options: &DbOptions) -> Result<Db> {
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(Error::invalid_argument(
                "STORE-url01",
                "the database URL must start with sqlite:// or postgres://",
            ));
        };
        let connect = AnyConnectOptions::from_str(url)
            .map_err(|_| Error::invalid_argument("STORE-url02", "the database URL is not valid"))?;
        let mut pool =
            AnyPoolOptions::new().max_connections(options.max_connections).acquire_timeout(options.acquire_timeout);
        if backend == Backend::Sqlite {
            pool = pool.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // `temp_store = MEMORY`: a multi-row statement inside a
                    // transaction keeps the pages it changes in a statement
                    // journal, which otherwise goes to a temporary file once
                    // past 64 KiB (an import's profile showed the writes).
                    conn.execute(sqlx::raw_sql(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON; \
                         PRAGMA temp_store = MEMORY;",
                    ))
                    .await?;
                    Ok(())
                })
            });
        }
        let pool = pool.connect_with(connect).await.map_err(|e| {
            tracing::error!(error = %e, "cannot connect to the database");
            Error::unavailable("STORE-con01", format!("cannot connect to the database: {}", connect_hint(&e)))
        })?;
        let changes = Arc::new(Changes {
            generation: AtomicU64::new(0),
            complete: AtomicBool::new(false),
            closed: tokio::sync::watch::channel(false).0,
        });
        match backend {
            Backend::Sqlite => changes.complete.store(true, Ordering::SeqCst),
            Backend::Postgres => {
                let closed = changes.closed.subscribe();
                tokio::spawn(listen_for_changes(url.to_string(), Arc::downgrade(&changes), closed));
            }
        }
        Ok(Db { pool, backend, write_lock: Arc::new(Mutex::new(())), changes })
    }

    /// A number that changes whenever data may have changed: every commit
    /// of this process, and on PostgreSQL every commit of any other burg
    /// node (they announce commits with `NOTIFY burg_changes`). `None` when
    /// changes could go unseen (the PostgreSQL listener is reconnecting):
    /// then nothing may be served from a cache.
    ///
    /// Read it before reading the data a cache entry is made of.
    pub fn generation(&self) -> Option<u64> {
        let generation = self.changes.generation.load(Ordering::SeqCst);
        self.changes.complete.load(Ordering::SeqCst).then_some(generation)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A connection of the pool, for several reads in a row (each its own
    /// statement, no transaction); failing to get one is `error_id`.
    pub async fn acquire(&self, error_id: &'static str) -> Result<Pooled> {
        self.pool.acquire().await.map_err(db_error(error_id))
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(db_error("APP-ping1"))?;
        Ok(())
    }

    /// Applies the versioned migrations of this backend, then derives the
    /// read-table rows this release keeps for what an earlier one kept
    /// only as an import's documents.
    pub async fn migrate(&self) -> Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        migrator.run(&self.pool).await.map_err(|e| {
            tracing::error!(error = %e, "migration failed");
            Error::internal("STORE-mig01", format!("database migration failed: {e}"))
        })?;
        // Read-table rows this release derives from what an earlier one
        // kept (nothing once they are there).
        let mut tx = self.pool.begin().await.map_err(crate::db_error("STORE-mig02"))?;
        let adopted = crate::projection::adopt_documents(&mut tx).await?;
        // Once per store: a link removed since stays removed.
        let linked = sqlx::query_scalar::<_, String>("SELECT value FROM burg_meta WHERE key = $1")
            .bind(POLICY_LINKS_ADOPTED)
            .fetch_optional(&mut *tx)
            .await
            .map_err(crate::db_error("STORE-mig04"))?;
        let policies = match linked {
            Some(_) => 0,
            None => {
                let n = crate::projection::adopt_policy_links(&mut tx).await?;
                sqlx::query("INSERT INTO burg_meta (key, value) VALUES ($1, '1') ON CONFLICT (key) DO NOTHING")
                    .bind(POLICY_LINKS_ADOPTED)
                    .execute(&mut *tx)
                    .await
                    .map_err(crate::db_error("STORE-mig05"))?;
                n
            }
        };
        tx.commit().await.map_err(crate::db_error("STORE-mig03"))?;
        if adopted > 0 || policies > 0 {
            tracing::info!(adopted, policies, "documents of an earlier release's import became live");
        }
        Ok(())
    }

    /// Reads a value of the `burg_meta` table.
    pub async fn meta_get(&self, key: &str) -> Result<Option<String>> {
        sqlx::query_scalar::<_, String>("SELECT value FROM burg_meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error("STORE-met01"))
    }

    /// Sets a value of the `burg_meta` table if it is not set yet; returns
    /// the value that is stored afterwards.
    pub async fn meta_init(&self, key: &str, value: &str) -> Result<String> {
        sqlx::query("INSERT INTO burg_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await
            .map_err(db_error("STORE-met02"))?;
        self.meta_get(key).await?.ok_or_else(|| Error::internal("STORE-met03", "meta value vanished"))
    }

    pub async fn close(&self) {
        self.changes.complete.store(false, Ordering::SeqCst);
        self.changes.closed.send_replace(true);
        self.pool.close().await;
    }
}

fn connect_hint(err: &sqlx::Error) -> String {
    match err {
        sqlx::Error::Io(e) => e.to_string(),
        sqlx::Error::Database(e) => e.message().to_string(),
        sqlx::Error::PoolTimedOut => "timed out".into(),
        other => other.to_string(),
    }
}

/// The channel burg nodes announce their commits on.
pub(crate) const CHANGES_CHANNEL: &str = "burg_changes";

/// Follows the commits of other nodes on PostgreSQL. While the listener is
/// down, caches are off; after every (re)connect the generation moves on.
async fn listen_for_changes(
    url: String,
    changes: std::sync::Weak<Changes>,
    mut closed: tokio::sync::watch::Receiver<bool>,
) {
    let mut delay = Duration::from_millis(100);
    loop {
        if *closed.borrow() {
            return;
        }
        let listener = async {
            let mut listener = sqlx::postgres::PgListener::connect(&url).await?;
            listener.listen(CHANGES_CHANNEL).await?;
            Ok::<_, sqlx::Error>(listener)
        }
        .await;
        match listener {
            Ok(mut listener) => {
                let Some(c) = changes.upgrade() else { return };
                c.bump();
                c.complete.store(true, Ordering::SeqCst);
                drop(c);
                delay = Duration::from_millis(100);
                loop {
                    let received = tokio::select! {
                        r = listener.try_recv() => r,
                        _ = closed.changed() => return,
                    };
                    let Some(c) = changes.upgrade() else { return };
                    c.bump();
                    match received {
                        Ok(Some(_)) => {}
                        Ok(None) | Err(_) => {
                            // The connection dropped: changes may be missed.
                            c.complete.store(false, Ordering::SeqCst);
                            break;
                        }
                    }
                }
            }
            Err(e) => {
                if changes.strong_count() == 0 {
                    return;
                }
                tracing::warn!(error = %e, "cannot listen for changes of other nodes; read caches are off");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = closed.changed() => return,
        }
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}
