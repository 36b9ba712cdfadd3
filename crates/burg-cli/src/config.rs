//! Configuration: flags, then `BURG_*` environment variables, then an
//! optional TOML file, then defaults.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use burg_app::{App, AppConfig, Bootstrap};
use burg_domain::crypto::MasterKey;
use burg_domain::{IdGenerator, SystemClock};
use burg_store::{Db, DbOptions};
use clap::Args;
use serde::Deserialize;

/// Where the data lives; shared by every command that opens the database.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Directory of the embedded SQLite database, the key file and admin.pat.
    #[arg(long, env = "BURG_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// PostgreSQL URL (postgres://…); without it burg uses SQLite in the data directory.
    #[arg(long, env = "BURG_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// File holding the 32-character master key (default: <data dir>/masterkey).
    /// The key itself may instead be given in BURG_MASTERKEY.
    #[arg(long, env = "BURG_MASTERKEY_FILE")]
    pub masterkey_file: Option<PathBuf>,
    /// TOML file with any of the settings above and below (flags and environment win).
    #[arg(long, env = "BURG_CONFIG")]
    pub config: Option<PathBuf>,
    /// Node id (0–1023) for id generation; random by default. Give each node
    /// sharing a PostgreSQL database its own.
    #[arg(long, env = "BURG_NODE_ID")]
    pub node_id: Option<u16>,
    /// Directory for local export outputs and import inputs (default: <data dir>/transfer).
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

impl DataConfig {
    pub fn resolve(args: &DataArgs, file: &FileConfig) -> DataConfig {
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
            max_connections: file.database_max_connections.unwrap_or(16),
            transfer_dir: args
                .transfer_dir
                .clone()
                .or_else(|| file.transfer_dir.clone())
                .unwrap_or_else(|| data_dir.join("transfer")),
            data_dir,
            egress: [
                egress_rules(
                    "--egress-allow",
                    &args.egress_allow,
                    "egress_allow in the config file",
                    &file.egress_allow,
                ),
                egress_rules("--egress-deny", &args.egress_deny, "egress_deny in the config file", &file.egress_deny),
            ],
        }
    }

    /// Opens the database, checks the master key and creates the instance
    /// on first use.
    pub async fn open_app(&self, mut app_config: AppConfig) -> Result<(Arc<App>, Bootstrap), String> {
        app_config.egress = self.egress_policy()?;
        if app_config.transfer_dir.0.is_none() {
            app_config.transfer_dir = burg_app::TransferDir(Some(self.transfer_dir.clone()));
        }
        std::fs::create_dir_all(&self.data_dir)
            .map_err(|e| format!("cannot create the data directory {}: {e}", self.data_dir.display()))?;
        let options = DbOptions { max_connections: self.max_connections, ..DbOptions::default() };
        let db = match &self.database_url {
            Some(url) => Db::open(url, &options).await,
            None => Db::open_sqlite(&self.data_dir.join("burg.db"), &options).await,
        }
        .map_err(|e| e.message)?;
        let key = self.master_key()?;
        let ids = match self.node_id {
            Some(n) => IdGenerator::new(n),
            None => IdGenerator::random_node(),
        };
        let (app, bootstrap) =
            App::open(db, key, Arc::new(SystemClock), ids, app_config).await.map_err(|e| e.message)?;
        Ok((Arc::new(app), bootstrap))
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
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(contents.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(())
}

/// Logging to stderr as text or JSON lines.
pub fn init_logging(format: &str, level: &str) -> Result<(), String> {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("BURG_LOG").unwrap_or_else(|_| EnvFilter::new(format!("{level},sqlx=warn")));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let result = match format {
        "json" => builder.json().flatten_event(true).try_init(),
        "text" => builder.try_init(),
        other => return Err(format!("unknown log format {other:?}; use text or json")),
    };
    result.map_err(|e| format!("cannot set up logging: {e}"))
}
