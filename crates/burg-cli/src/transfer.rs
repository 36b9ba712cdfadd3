//! `burg export` and `burg import`: whole organizations to and from a file,
//! S3 or GCS, either through a running server (`--server` and a token) or
//! straight on the database (the data settings, as `burg start` takes
//! them). Progress bars on a terminal, plain lines otherwise.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use burg_api::admin::{
    ExportDataRequest, ExportDataResponse, ImportDataRequest, ImportDataResponse, export_data_request as out,
    import_data_request as input,
};
use burg_app::{AppConfig, Ctx, Progress, TransferDir};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::{DataArgs, DataConfig, FileConfig, init_logging};

/// How to reach a running server instead of the database.
#[derive(Debug, Clone, Args)]
pub struct RemoteArgs {
    /// A running burg (or ZITADEL) to talk to, e.g. http://localhost:8080.
    #[arg(long, env = "BURG_SERVER")]
    pub server: Option<String>,
    /// Bearer token for --server.
    #[arg(long, env = "BURG_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// File holding the bearer token for --server (e.g. burg-data/admin.pat).
    #[arg(long)]
    pub token_file: Option<PathBuf>,
}

/// Where s3:// and gs:// locations are.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// S3 endpoint for s3:// locations (host:port, or a URL; https unless it says http://).
    /// Keys come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
    #[arg(long, env = "AWS_ENDPOINT_URL")]
    pub s3_endpoint: Option<String>,
    /// Service-account JSON file for gs:// locations.
    #[arg(long, env = "GOOGLE_APPLICATION_CREDENTIALS")]
    pub gcs_credentials: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub remote: RemoteArgs,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Export only this organization (repeatable; default: all).
    #[arg(long = "org")]
    pub orgs: Vec<String>,
    /// Leave this organization out (repeatable).
    #[arg(long = "exclude-org")]
    pub excluded: Vec<String>,
    /// Include password hashes.
    #[arg(long)]
    pub with_passwords: bool,
    /// Include OTP secrets.
    #[arg(long)]
    pub with_otp: bool,
    /// FILE, s3://bucket/path or gs://bucket/path.
    #[arg(long, short)]
    pub output: String,
    /// Give up after this long (30s, 10m, 1h).
    #[arg(long, default_value = "1h")]
    pub timeout: String,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub remote: RemoteArgs,
    #[command(flatten)]
    pub store: StoreArgs,
    /// FILE, s3://bucket/path or gs://bucket/path.
    pub source: String,
    /// Check everything, also against the stored data, and write nothing
    /// (directly on the database only).
    #[arg(long)]
    pub dry_run: bool,
    /// Give up after this long (30s, 10m, 1h).
    #[arg(long, default_value = "1h")]
    pub timeout: String,
}

/// A location from the command line.
enum Location {
    File(PathBuf),
    S3 { bucket: String, path: String },
    Gcs { bucket: String, path: String },
}

fn location(text: &str) -> Result<Location, String> {
    let split = |rest: &str| -> Result<(String, String), String> {
        match rest.split_once('/') {
            Some((bucket, path)) if !bucket.is_empty() && !path.is_empty() => Ok((bucket.into(), path.into())),
            _ => Err(format!("{text}: give a bucket and a path, e.g. s3://backups/burg.json")),
        }
    };
    if let Some(rest) = text.strip_prefix("s3://") {
        let (bucket, path) = split(rest)?;
        Ok(Location::S3 { bucket, path })
    } else if let Some(rest) = text.strip_prefix("gs://") {
        let (bucket, path) = split(rest)?;
        Ok(Location::Gcs { bucket, path })
    } else {
        Ok(Location::File(PathBuf::from(text)))
    }
}

fn s3_settings(store: &StoreArgs) -> Result<(String, bool, String, String), String> {
    let endpoint = store.s3_endpoint.clone().ok_or("s3:// needs --s3-endpoint (or AWS_ENDPOINT_URL)")?;
    let ssl = !endpoint.starts_with("http://");
    let key = std::env::var("AWS_ACCESS_KEY_ID").map_err(|_| "s3:// needs AWS_ACCESS_KEY_ID")?;
    let secret = std::env::var("AWS_SECRET_ACCESS_KEY").map_err(|_| "s3:// needs AWS_SECRET_ACCESS_KEY")?;
    Ok((endpoint, ssl, key, secret))
}

fn gcs_credentials(store: &StoreArgs) -> Result<String, String> {
    let path =
        store.gcs_credentials.as_ref().ok_or("gs:// needs --gcs-credentials (or GOOGLE_APPLICATION_CREDENTIALS)")?;
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// A file's directory (made absolute) and name.
fn split_file(path: &Path) -> Result<(PathBuf, String), String> {
    let absolute = std::path::absolute(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let dir = absolute.parent().map(Path::to_path_buf).ok_or("the file needs a directory")?;
    let name = absolute.file_name().ok_or("the location names no file")?.to_string_lossy().into_owned();
    Ok((dir, name))
}

/// A progress display: a bar on a terminal, a line per organization
/// otherwise.
fn progress(total_users: Option<u64>, verb: &'static str) -> (Progress, ProgressBar) {
    let terminal = std::io::stderr().is_terminal();
    let bar = match (terminal, total_users) {
        (true, Some(total)) => ProgressBar::new(total).with_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} users  {per_sec}  ETA {eta}  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        (true, None) => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {pos} users  {per_sec}  {elapsed}  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
        (false, _) => ProgressBar::hidden(),
    };
    let orgs = Arc::new(AtomicU64::new(0));
    let users = Arc::new(AtomicU64::new(0));
    let shown = bar.clone();
    let listener = move |what: &'static str, n: u64| match what {
        "user" => {
            users.store(n, Ordering::Relaxed);
            shown.set_position(n);
        }
        _ => {
            orgs.store(n, Ordering::Relaxed);
            shown.set_message(format!("{n} orgs {verb}"));
            if !terminal {
                eprintln!("{n} organizations {verb}, {} users", users.load(Ordering::Relaxed));
            }
        }
    };
    (Progress(Some(Arc::new(listener))), bar)
}

fn token(remote: &RemoteArgs) -> Result<String, String> {
    match (&remote.token, &remote.token_file) {
        (Some(t), _) => Ok(t.clone()),
        (None, Some(f)) => std::fs::read_to_string(f)
            .map(|t| t.trim().to_string())
            .map_err(|e| format!("cannot read {}: {e}", f.display())),
        (None, None) => Err("--server needs --token or --token-file".into()),
    }
}

/// One REST call to a server.
async fn call<Resp: serde::de::DeserializeOwned>(
    remote: &RemoteArgs,
    server: &str,
    path: &str,
    body: reqwest::Body,
) -> Result<Resp, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    // The operator's own process calling the server the operator named with
    // --server: not the server's egress, which the egress policy governs.
    #[allow(clippy::disallowed_methods)]
    let client = reqwest::Client::new();
    let response = client
        .post(format!("{}{path}", server.trim_end_matches('/')))
        .bearer_auth(token(remote)?)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| format!("{server}: {e}"))?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(|e| format!("{server}: {e}"))?;
    if !status.is_success() {
        return Err(format!("{server} answered {status}: {}", String::from_utf8_lossy(&bytes)));
    }
    serde_json::from_slice(&bytes).map_err(|e| format!("{server} sent an unreadable answer: {e}"))
}

pub async fn export(args: ExportArgs) -> Result<(), String> {
    init_logging("text", "warn")?;
    let mut req = ExportDataRequest {
        org_ids: args.orgs.clone(),
        excluded_org_ids: args.excluded.clone(),
        with_passwords: args.with_passwords,
        with_otp: args.with_otp,
        timeout: args.timeout.clone(),
        ..Default::default()
    };
    let destination = location(&args.output)?;
    match &destination {
        Location::S3 { bucket, path } => {
            let (endpoint, ssl, access_key_id, secret_access_key) = s3_settings(&args.store)?;
            req.s3_output = Some(out::S3Output {
                path: path.clone(),
                endpoint,
                access_key_id,
                secret_access_key,
                ssl,
                bucket: bucket.clone(),
            });
        }
        Location::Gcs { bucket, path } => {
            req.gcs_output = Some(out::GcsOutput {
                bucket: bucket.clone(),
                serviceaccount_json: gcs_credentials(&args.store)?,
                path: path.clone(),
            });
        }
        Location::File(_) => {}
    }

    if let Some(server) = &args.remote.server {
        let to_file = matches!(destination, Location::File(_));
        req.response_output = to_file;
        let bar = ProgressBar::new_spinner();
        bar.set_message("exporting on the server");
        let body = serde_json::to_vec(&req).map_err(|e| e.to_string())?;
        let response: ExportDataResponse =
            call::<ExportDataResponse>(&args.remote, server, "/admin/v1/export", body.into()).await?;
        bar.finish_and_clear();
        if let Location::File(path) = &destination {
            let bytes = serde_json::to_vec(&response).map_err(|e| e.to_string())?;
            write_atomically(path, &bytes)?;
        }
        eprintln!("exported {} organizations to {}", response.orgs.len(), args.output);
        return Ok(());
    }

    let file = FileConfig::load(args.data.config.as_deref())?;
    let data = DataConfig::resolve(&args.data, &file);
    let mut config = AppConfig::default();
    if let Location::File(path) = &destination {
        let (dir, name) = split_file(path)?;
        config.transfer_dir = TransferDir(Some(dir));
        req.local_output = Some(out::LocalOutput { path: name });
    }
    let total = {
        let (app, _) = data.open_app(AppConfig::default()).await?;
        let n = app.user_count().await.map_err(|e| e.message)?;
        app.db().close().await;
        n as u64
    };
    let (listener, bar) = progress(Some(total), "exported");
    config.progress = listener;
    let (app, _) = data.open_app(config).await?;
    let result = app.export_data(&Ctx::system("burg-cli"), req).await;
    bar.finish();
    app.db().close().await;
    result.map_err(|e| e.message)?;
    eprintln!("exported {total} users to {}", args.output);
    Ok(())
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let temp = path.with_extension("partial");
    std::fs::write(&temp, bytes).map_err(|e| format!("{}: {e}", temp.display()))?;
    std::fs::rename(&temp, path).map_err(|e| format!("{}: {e}", path.display()))
}

pub async fn import(args: ImportArgs) -> Result<(), String> {
    init_logging("text", "warn")?;
    let source = location(&args.source)?;
    let mut req = ImportDataRequest { data: None, timeout: args.timeout.clone() };
    match &source {
        Location::S3 { bucket, path } => {
            let (endpoint, ssl, access_key_id, secret_access_key) = s3_settings(&args.store)?;
            req.data = Some(input::Data::DataOrgsS3(input::S3Input {
                path: path.clone(),
                endpoint,
                access_key_id,
                secret_access_key,
                ssl,
                bucket: bucket.clone(),
            }));
        }
        Location::Gcs { bucket, path } => {
            req.data = Some(input::Data::DataOrgsGcs(input::GcsInput {
                bucket: bucket.clone(),
                serviceaccount_json: gcs_credentials(&args.store)?,
                path: path.clone(),
            }));
        }
        Location::File(_) => {}
    }

    let report = if let Some(server) = &args.remote.server {
        if args.dry_run {
            return Err("--dry-run works directly on the database, not through --server".into());
        }
        let body = match &source {
            Location::File(path) => {
                // The document goes inline, as it is.
                let doc = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
                let mut body = format!("{{\"timeout\":{},\"dataOrgs\":", serde_json::json!(args.timeout)).into_bytes();
                body.extend_from_slice(&doc);
                body.push(b'}');
                body
            }
            _ => serde_json::to_vec(&req).map_err(|e| e.to_string())?,
        };
        let bar = ProgressBar::new_spinner();
        bar.set_message("importing on the server");
        let report: ImportDataResponse =
            call::<ImportDataResponse>(&args.remote, server, "/admin/v1/import", body.into()).await?;
        bar.finish_and_clear();
        report
    } else {
        let file = FileConfig::load(args.data.config.as_deref())?;
        let data = DataConfig::resolve(&args.data, &file);
        let mut config = AppConfig::default();
        if let Location::File(path) = &source {
            let (dir, name) = split_file(path)?;
            config.transfer_dir = TransferDir(Some(dir));
            req.data = Some(input::Data::DataOrgsLocal(input::LocalInput { path: name }));
        }
        let (listener, bar) = progress(None, if args.dry_run { "checked" } else { "imported" });
        config.progress = listener;
        let (app, _) = data.open_app(config).await?;
        // The command line prints counts: it keeps no per-item ids.
        let mode = burg_app::ImportMode { dry_run: args.dry_run, summary: true };
        let result = app.import_data_with(&Ctx::system("burg-cli"), req, mode).await;
        bar.finish();
        app.db().close().await;
        result.map_err(|e| e.message)?
    };
    let refused: Vec<_> = report.errors.iter().filter(|e| !e.message.contains("IMPORT-exists")).collect();
    // Organizations that were there already count as "already there".
    let orgs = report
        .success
        .as_ref()
        .map(|s| s.orgs.iter().filter(|o| !report.errors.iter().any(|e| e.r#type == "org" && e.id == o.org_id)).count())
        .unwrap_or_default();
    let existing = report.errors.len() - refused.len();
    for e in &refused {
        eprintln!("refused {} {}: {}", e.r#type, e.id, e.message);
    }
    let verb = if args.dry_run { "would import" } else { "imported" };
    eprintln!("{verb} {orgs} organizations; {existing} items already there; {} refused", refused.len());
    if refused.is_empty() { Ok(()) } else { Err(format!("{} items were refused", refused.len())) }
}
