//! Configuration: flags, then `BURG_*` environment variables, then an
//! optional TOML file, then defaults; and opening the data they name.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use burg_app::{App, AppConfig, Bootstrap};
use burg_domain::crypto::MasterKey;
use burg_domain::{IdGenerator, SystemClock};
use burg_store::{Db, DbOptions};
use clap::Args;
use serde::Deserialize;

use crate::lock::{self, DirLock};

/// Where the data lives; shared by every command that opens the database.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Directory of the embedded SQLite database, the key file and admin.pat
    /// [default: ./burg-data]
    #[arg(long, env = "BURG_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// PostgreSQL URL (postgres://…); without it burg uses SQLite in the data directory.
    #[arg(long, env = "BURG_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Largest number of database connections [default: 16].
    #[arg(long, env = "BURG_DATABASE_MAX_CONNECTIONS")]
    pub database_max_connections: Option<u32>,
    /// File holding the 32-character master key [default: <data dir>/masterkey,
    /// generated on first use]. The key itself may instead be given in BURG_MASTERKEY.
    #[arg(long, env = "BURG_MASTERKEY_FILE")]
    pub masterkey_file: Option<PathBuf>,
    /// TOML file with any of these settings (flags and environment win).
    #[arg(long, env = "BURG_CONFIG")]
    pub config: Option<PathBuf>,
    /// Node id (0–1023) for id generation [default: random]. Give each node
    /// sharing a PostgreSQL database its own.
    #[arg(long, env = "BURG_NODE_ID")]
    pub node_id: Option<u16>,
}

/// Where documents and connections may go (start, export, import): the
/// transfer directory and the egress policy.
#[derive(Debug, Clone, Args)]
pub struct TransferArgs {
    /// Directory for local export outputs and import inputs of the API
    /// [default: <data dir>/transfer].
    #[arg(long, env = "BURG_TRANSFER_DIR")]
    pub transfer_dir: Option<PathBuf>,
    /// Outbound connections to allow (repeatable or comma-separated): a CIDR, an IP,
    /// a host name (or *.domain), or loopback, private, link-local. See README, Egress.
    #[arg(long, env = "BURG_EGRESS_ALLOW", value_delimiter = ',')]
    pub egress_allow: Vec<String>,
    /// Outbound connections to refuse (same values as --egress-allow), e.g. loopback,private.
    #[arg(long, env = "BURG_EGRESS_DENY", value_delimiter = ',')]
    pub egress_deny: Vec<String>,
}

/// Settings that may come from the TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct FileConfig {
    pub port: Option<u16>,
    pub listen_address: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub masterkey_file: Option<PathBuf>,
    pub node_id: Option<u16>,
    pub transfer_dir: Option<PathBuf>,
    pub log_format: Option<String>,
    pub log_level: Option<String>,
    pub instance_name: Option<String>,
    pub external_domain: Option<String>,
    pub max_body_bytes: Option<usize>,
    pub database_max_connections: Option<u32>,
    pub egress_allow: Option<Vec<String>>,
    pub egress_deny: Option<Vec<String>>,
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> Result<FileConfig, String> {
        let Some(path) = path else {
            return Ok(FileConfig::default());
        };
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("config file {}: {e}", path.display()))
    }
}

/// What a command needs of the data it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `burg start`: creates the data on first use.
    Serve,
    /// `burg export`: reads data that must exist; creates nothing.
    Export,
    /// `burg import`: a new data directory gets an instance whose default
    /// organization comes from the document (see `App::finish_setup`).
    Import,
    /// `burg token create`: only adds a user and a token, which no running
    /// server holds in a cache, so it may run beside a server.
    Token,
}

/// The resolved data settings.
pub struct DataConfig {
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub masterkey_file: PathBuf,
    pub node_id: Option<u16>,
    pub max_connections: u32,
    pub transfer_dir: PathBuf,
    /// The egress rules: (where they came from, allow, deny).
    pub egress: [(&'static str, Vec<String>); 2],
}

/// An opened database, held by this process.
pub struct Opened {
    pub app: Arc<App>,
    pub bootstrap: Bootstrap,
    /// The data directory's lock (SQLite), released when dropped.
    pub _lock: Option<DirLock>,
}

impl DataConfig {
    pub fn resolve(args: &DataArgs, transfer: Option<&TransferArgs>, file: &FileConfig) -> DataConfig {
        let data_dir =
            args.data_dir.clone().or_else(|| file.data_dir.clone()).unwrap_or_else(|| PathBuf::from("burg-data"));
        let masterkey_file = args
            .masterkey_file
            .clone()
            .or_else(|| file.masterkey_file.clone())
            .unwrap_or_else(|| data_dir.join("masterkey"));
        DataConfig {
            database_url: args.database_url.clone().or_else(|| file.database_url.clone()),
            masterkey_file,
            node_id: args.node_id.or(file.node_id),
            max_connections: args.database_max_connections.or(file.database_max_connections).unwrap_or(16),
            transfer_dir: transfer
                .and_then(|t| t.transfer_dir.clone())
                .or_else(|| file.transfer_dir.clone())
                .unwrap_or_else(|| data_dir.join("transfer")),
            data_dir,
            egress: [
                egress_rules(
                    "--egress-allow",
                    transfer.map(|t| &t.egress_allow[..]).unwrap_or_default(),
                    "egress_allow in the config file",
                    &file.egress_allow,
                ),
                egress_rules(
                    "--egress-deny",
                    transfer.map(|t| &t.egress_deny[..]).unwrap_or_default(),
                    "egress_deny in the config file",
                    &file.egress_deny,
                ),
            ],
        }
    }

    /// The SQLite file the data lives in; `None` on PostgreSQL.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        match &self.database_url {
            None => Some(self.data_dir.join("burg.db")),
            Some(url) => {
                let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
                let path = rest.split('?').next().unwrap_or_default();
                (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
            }
        }
    }

    /// Whether there is data to open (PostgreSQL: assumed).
    pub fn has_data(&self) -> bool {
        self.sqlite_file().is_none_or(|f| f.exists())
    }

    /// Where the lock of one SQLite database is: `burg.lock` in the data
    /// directory, or beside a database given by URL.
    fn lock_file(&self) -> Option<PathBuf> {
        match &self.database_url {
            None => Some(self.data_dir.join("burg.lock")),
            Some(_) => self.sqlite_file().map(|f| {
                let mut name = f.clone().into_os_string();
                name.push(".lock");
                PathBuf::from(name)
            }),
        }
    }

    /// Opens the database for `purpose`: takes the data directory's lock
    /// (one process at a time on an SQLite database), checks the master
    /// key and creates the instance on first use, writing its IAM_OWNER
    /// token to `<data dir>/admin.pat`.
    pub async fn open(&self, mut app_config: AppConfig, purpose: Purpose) -> Result<Opened, String> {
        app_config.egress = self.egress_policy()?;
        if purpose == Purpose::Export && !self.has_data() {
            return Err(format!(
                "there is no burg data in {} (no burg.db): nothing to export; name it with --data-dir or --database-url",
                self.data_dir.display()
            ));
        }
        if app_config.transfer_dir.0.is_none() {
            app_config.transfer_dir = burg_app::TransferDir(Some(self.transfer_dir.clone()));
        }
        app_config.defer_setup = purpose == Purpose::Import;
        create_dir(&self.data_dir, "the data directory")?;
        let lock = match self.lock_file() {
            None => None,
            Some(path) => match lock::acquire(&path)? {
                lock::Outcome::Held(lock) => Some(lock),
                // Creating a token only adds rows that no server caches.
                lock::Outcome::Busy(_) if purpose == Purpose::Token => None,
                lock::Outcome::Busy(holder) => {
                    return Err(format!(
                        "{} is in use by another burg process ({holder}); one process at a time works on an \
                         SQLite database. Stop it first, or go through it with --server and a token",
                        self.data_dir.display()
                    ));
                }
            },
        };
        if let Some(file) = self.sqlite_file() {
            writable_database(&file)?;
        }
        let options = DbOptions { max_connections: self.max_connections, ..DbOptions::default() };
        let db = match &self.database_url {
            Some(url) => Db::open(url, &options).await,
            None => Db::open_sqlite(&self.data_dir.join("burg.db"), &options).await,
        }
        .map_err(|e| self.database_error(&e.message))?;
        let key = self.master_key()?;
        let ids = match self.node_id {
            Some(n) => IdGenerator::new(n),
            None => IdGenerator::random_node(),
        };
        let (app, bootstrap) = App::open(db, key, Arc::new(SystemClock), ids, app_config)
            .await
            .map_err(|e| self.database_error(&e.message))?;
        let opened = Opened { app: Arc::new(app), bootstrap, _lock: lock };
        if let Some(token) = &opened.bootstrap.admin_token {
            self.write_admin_token(token.expose(), opened.bootstrap.admin_user_id.as_deref().unwrap_or_default())?;
        }
        Ok(opened)
    }

    /// Writes a new IAM_OWNER token to `<data dir>/admin.pat` (mode 0600),
    /// replacing a file left from data that is gone.
    pub fn write_admin_token(&self, token: &str, user_id: &str) -> Result<(), String> {
        let path = self.data_dir.join("admin.pat");
        replace_private(&path, format!("{token}\n").as_bytes())?;
        tracing::info!(path = %path.display(), user_id = %user_id, "created the instance; the IAM_OWNER token is in this file");
        Ok(())
    }

    /// A database error, with the file and a hint where the cause is a
    /// file the process cannot write.
    fn database_error(&self, message: &str) -> String {
        match self.sqlite_file() {
            Some(file) => {
                let lower = message.to_lowercase();
                let hint = if lower.contains("readonly") || lower.contains("read-only") {
                    ": the file (or its directory) is read-only for this user"
                } else if lower.contains("unable to open") {
                    ": the file cannot be opened or created (check the directory's permissions)"
                } else {
                    ""
                };
                format!("database {}{hint} ({message})", file.display())
            }
            None => message.to_string(),
        }
    }

    /// The egress policy; a bad value is refused naming its flag (or key).
    pub fn egress_policy(&self) -> Result<burg_app::egress::Policy, String> {
        let [(allow_from, allow), (deny_from, deny)] = &self.egress;
        let mut policy = burg_app::egress::Policy::default();
        for value in allow {
            policy = policy.allow(value).map_err(|e| format!("{allow_from}: {e}"))?;
        }
        for value in deny {
            policy = policy.deny(value).map_err(|e| format!("{deny_from}: {e}"))?;
        }
        Ok(policy)
    }

    /// `BURG_MASTERKEY`, else the key file, else a new key file.
    fn master_key(&self) -> Result<MasterKey, String> {
        if let Ok(secret) = std::env::var("BURG_MASTERKEY") {
            return MasterKey::from_secret(&secret).map_err(|e| format!("BURG_MASTERKEY: {}", e.message));
        }
        let path = &self.masterkey_file;
        match std::fs::read_to_string(path) {
            Ok(secret) => MasterKey::from_secret(&secret).map_err(|e| format!("{}: {}", path.display(), e.message)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let secret = MasterKey::generate_secret();
                write_private(path, &secret)?;
                tracing::info!(path = %path.display(), "generated a new master key file; keep it safe, the data cannot be read without it");
                MasterKey::from_secret(&secret).map_err(|e| e.message)
            }
            Err(e) => Err(format!("cannot read the master key file {}: {e}", path.display())),
        }
    }
}

/// An SQLite database and its journal files, where they exist, must be
/// writable: SQLite itself reports less (and may wait for a lock first).
fn writable_database(file: &Path) -> Result<(), String> {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        let path = PathBuf::from(name);
        match std::fs::OpenOptions::new().write(true).open(&path) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("database {}: cannot be written by this user: {e}", path.display())),
        }
    }
    Ok(())
}

/// Creates a directory, naming it and the cause when that fails.
pub fn create_dir(dir: &Path, what: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {what} {}: {e}", dir.display()))?;
    // A directory that exists but cannot be written fails later, in SQLite,
    // with less to say.
    let probe = dir.join(format!(".burg-write-check-{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(format!("cannot write in {what} {}: {e}", dir.display())),
    }
}

fn private_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Creates a new file readable by the owner only; fails if it exists.
pub fn private_file(path: &Path) -> Result<std::fs::File, String> {
    private_options().create_new(true).open(path).map_err(|e| format!("cannot create {}: {e}", path.display()))
}

/// Egress rules from the flag (or its variable), else from the file.
fn egress_rules(
    flag: &'static str,
    given: &[String],
    key: &'static str,
    file: &Option<Vec<String>>,
) -> (&'static str, Vec<String>) {
    match file {
        Some(values) if given.is_empty() => (key, values.clone()),
        _ => (flag, given.to_vec()),
    }
}

/// Writes a new file readable by the owner only; fails if it exists.
pub fn write_private(path: &Path, contents: &str) -> Result<(), String> {
    use std::io::Write;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let mut file = private_file(path)?;
    file.write_all(contents.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

/// Writes a file readable by the owner only, under a temporary name first
/// (removed on failure), then renamed over `path`.
pub fn replace_private(path: &Path, contents: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let temp = crate::cleanup::temp_name(path);
    let guard = crate::cleanup::Remove::new(temp.clone());
    let mut file = private_file(&temp)?;
    file.write_all(contents)
        .and_then(|_| file.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", temp.display()))?;
    std::fs::rename(&temp, path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    guard.disarm();
    Ok(())
}

/// The log levels `--log-level` takes.
pub const LOG_LEVELS: [&str; 6] = ["error", "warn", "info", "debug", "trace", "off"];

/// Logging to stderr as text or JSON lines; colours only on a terminal.
/// Lines are drawn above a progress bar, never across it.
pub fn init_logging(format: &str, level: &str) -> Result<(), String> {
    use tracing_subscriber::EnvFilter;
    if !LOG_LEVELS.contains(&level) {
        return Err(format!("unknown log level {level:?}; use one of {}", LOG_LEVELS.join(", ")));
    }
    let filter = EnvFilter::try_from_env("BURG_LOG").unwrap_or_else(|_| EnvFilter::new(format!("{level},sqlx=warn")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(|| crate::progress::LogWriter);
    let result = match format {
        "json" => builder.json().flatten_event(true).try_init(),
        "text" => builder.try_init(),
        other => return Err(format!("unknown log format {other:?}; use text or json")),
    };
    result.map_err(|e| format!("cannot set up logging: {e}"))
}
