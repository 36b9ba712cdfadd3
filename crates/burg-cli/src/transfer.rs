//! `burg export` and `burg import`: whole organizations to and from a file,
//! S3 or GCS, either through a running server (`--server` and a token) or
//! straight on the database (the data settings, as `burg start` takes
//! them). Progress on stderr, one summary line at the end; Ctrl-C leaves no
//! partial file and says what stays.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use burg_api::admin::{
    ExportDataRequest, ExportDataResponse, ImportDataRequest, ImportDataResponse, export_data_request as out,
    import_data_request as input,
};
use burg_app::{AppConfig, Ctx, TransferDir};
use clap::Args;

use crate::Failure;
use crate::cleanup::interrupted;
use crate::config::{DataArgs, DataConfig, FileConfig, Purpose, TransferArgs, init_logging, replace_private};
use crate::progress::{Display, number, plural, timing};

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
    pub transfer: TransferArgs,
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
    /// Include the instance itself (its settings, texts, branding files,
    /// secret generators, trusted domains and IAM members) in a section
    /// that ZITADEL's readers skip.
    #[arg(long)]
    pub instance: bool,
    /// FILE, transfer:PATH (in the transfer directory, also the server's with
    /// --server), s3://bucket/path or gs://bucket/path. Files are written
    /// readable by their owner only.
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
    pub transfer: TransferArgs,
    #[command(flatten)]
    pub remote: RemoteArgs,
    #[command(flatten)]
    pub store: StoreArgs,
    /// FILE, transfer:PATH (in the transfer directory, also the server's with
    /// --server: for documents larger than a request may be),
    /// s3://bucket/path or gs://bucket/path.
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
    /// A path in the transfer directory (of the server, with --server).
    Transfer(String),
    S3 {
        bucket: String,
        path: String,
    },
    Gcs {
        bucket: String,
        path: String,
    },
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
    } else if let Some(rest) = text.strip_prefix("transfer:") {
        match rest.trim_start_matches('/') {
            "" => Err(format!("{text}: name a file in the transfer directory, e.g. transfer:backup.json")),
            path => Ok(Location::Transfer(path.to_string())),
        }
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

/// An input file that can be read, checked before anything is opened or
/// created.
fn readable_file(path: &Path) -> Result<(), String> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => std::fs::File::open(path).map(drop).map_err(|e| format!("{}: {e}", path.display())),
        Ok(_) => Err(format!("{}: not a file", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!("{}: no such file", path.display())),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
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

/// Why a request did not reach the server, in words.
fn unreachable(server: &str, e: reqwest::Error) -> String {
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                return format!("cannot reach {server}: connection refused (is burg running there?)");
            }
            return format!("cannot reach {server}: {io}");
        }
        cause = c.source();
    }
    if e.is_timeout() {
        return format!("{server} did not answer in time");
    }
    format!("cannot reach {server}: {}", e.without_url())
}

/// One REST call to a server.
async fn call<Resp: serde::de::DeserializeOwned>(
    remote: &RemoteArgs,
    server: &str,
    path: &str,
    body: Vec<u8>,
) -> Result<Resp, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let size = body.len();
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
        .map_err(|e| unreachable(server, e))?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(|e| unreachable(server, e))?;
    if status == reqwest::StatusCode::PAYLOAD_TOO_LARGE {
        return Err(format!(
            "{server} takes no request of {} bytes (its --max-body-bytes); put the document in the server's \
             transfer directory and give transfer:NAME, or use s3:// or gs://",
            number(size as u64)
        ));
    }
    if !status.is_success() {
        let message = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_string))
            .unwrap_or_else(|| String::from_utf8_lossy(&bytes).chars().take(500).collect());
        return Err(format!("{server} answered {status}: {message}"));
    }
    serde_json::from_slice(&bytes).map_err(|e| format!("{server} sent an unreadable answer: {e}"))
}

/// Runs `work` until it ends or the process is asked to stop; in the second
/// case `work` is dropped (its partial files with it) and `stopped` says
/// what stays.
async fn or_interrupted<T>(
    work: impl std::future::Future<Output = Result<T, Failure>>,
    stopped: impl FnOnce() -> String,
) -> Result<T, Failure> {
    tokio::select! {
        result = work => result,
        _ = interrupted() => Err(Failure::Interrupted(stopped())),
    }
}

pub async fn export(args: ExportArgs) -> Result<(), Failure> {
    init_logging("text", "warn")?;
    let mut req = ExportDataRequest {
        org_ids: args.orgs.clone(),
        excluded_org_ids: args.excluded.clone(),
        with_passwords: args.with_passwords,
        with_otp: args.with_otp,
        burg_with_instance: args.instance,
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
        Location::Transfer(path) => req.local_output = Some(out::LocalOutput { path: path.clone() }),
        Location::File(_) => {}
    }

    if let Some(server) = &args.remote.server {
        let Location::File(path) = &destination else {
            let display = Display::waiting("exporting on the server");
            let work = async {
                let body = serde_json::to_vec(&req).map_err(|e| e.to_string())?;
                Ok(call::<ExportDataResponse>(&args.remote, server, "/admin/v1/export", body).await?)
            };
            or_interrupted(work, || "interrupted: the server stops the export and writes no output".into()).await?;
            display.finish();
            eprintln!("exported to {}{}", args.output, timing(display.elapsed(), 0));
            return Ok(());
        };
        req.response_output = true;
        let display = Display::waiting("exporting on the server");
        let work = async {
            let body = serde_json::to_vec(&req).map_err(|e| e.to_string())?;
            let response = call::<ExportDataResponse>(&args.remote, server, "/admin/v1/export", body).await?;
            let bytes = serde_json::to_vec(&response).map_err(|e| e.to_string())?;
            replace_private(path, &bytes)?;
            Ok(response)
        };
        let response =
            or_interrupted(work, || "interrupted: nothing was written (the partial file was removed)".into()).await?;
        display.finish();
        let users: u64 = response.orgs.iter().map(|o| (o.human_users.len() + o.machine_users.len()) as u64).sum();
        eprintln!(
            "exported {} and {} to {}{}",
            plural(response.orgs.len() as u64, "organization"),
            plural(users, "user"),
            args.output,
            timing(display.elapsed(), users)
        );
        return Ok(());
    }

    let file = FileConfig::load(args.data.config.as_deref())?;
    let data = DataConfig::resolve(&args.data, Some(&args.transfer), &file);
    let mut config = AppConfig::default();
    if let Location::File(path) = &destination {
        let (dir, name) = split_file(path)?;
        config.transfer_dir = TransferDir(Some(dir));
        req.local_output = Some(out::LocalOutput { path: name });
    }
    let display = Display::new();
    config.progress = display.listener("exported");
    let opened = data.open(config, Purpose::Export).await?;
    let app = opened.app.clone();
    let work = async { Ok(app.export_data(&Ctx::system("burg-cli"), req).await.map_err(|e| e.message)?) };
    let result =
        or_interrupted(work, || "interrupted: nothing was written (the partial file was removed)".into()).await;
    display.finish();
    opened.app.db().close().await;
    result?;
    let c = &display.counts;
    let users = c.users.load(Ordering::Relaxed);
    eprintln!(
        "exported {} and {} to {}{}",
        plural(c.orgs.load(Ordering::Relaxed), "organization"),
        plural(users, "user"),
        args.output,
        timing(display.elapsed(), users)
    );
    Ok(())
}

pub async fn import(args: ImportArgs) -> Result<(), Failure> {
    init_logging("text", "warn")?;
    let source = location(&args.source)?;
    if let Location::File(path) = &source {
        readable_file(path)?;
    }
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
        Location::Transfer(path) => {
            req.data = Some(input::Data::DataOrgsLocal(input::LocalInput { path: path.clone() }));
        }
        Location::File(_) => {}
    }
    let verb = if args.dry_run { "checked" } else { "imported" };

    let (report, display) = if let Some(server) = &args.remote.server {
        if args.dry_run {
            return Err("--dry-run works directly on the database, not through --server".to_string().into());
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
        let display = Display::waiting("importing on the server");
        let work = async { Ok(call::<ImportDataResponse>(&args.remote, server, "/admin/v1/import", body).await?) };
        let report = or_interrupted(work, || {
            "interrupted: the server rolls back the organization in progress; those it finished stay. \
             Run the same command again to import the rest"
                .into()
        })
        .await?;
        display.finish();
        (report, display)
    } else {
        let file = FileConfig::load(args.data.config.as_deref())?;
        let mut data = DataConfig::resolve(&args.data, Some(&args.transfer), &file);
        let mut config = AppConfig::default();
        if let Location::File(path) = &source {
            let (dir, name) = split_file(path)?;
            config.transfer_dir = TransferDir(Some(dir));
            req.data = Some(input::Data::DataOrgsLocal(input::LocalInput { path: name }));
        }
        // A dry run into a new data directory checks against an empty
        // instance in a scratch directory, and leaves nothing behind.
        let scratch = if args.dry_run && !data.has_data() { Some(Scratch::new()?) } else { None };
        if let Some(s) = &scratch {
            data = DataConfig { data_dir: s.0.clone(), masterkey_file: s.0.join("masterkey"), ..data };
        }
        let display = Display::new();
        config.progress = display.listener(verb);
        let opened = data.open(config, Purpose::Import).await?;
        let app = opened.app.clone();
        let mode = burg_app::ImportMode { dry_run: args.dry_run, summary: true };
        // The command line prints counts: it keeps no per-item ids.
        let work =
            async { Ok(app.import_data_with(&Ctx::system("burg-cli"), req, mode).await.map_err(|e| e.message)?) };
        let counts = display.counts.clone();
        let result = or_interrupted(work, || {
            let done = counts.orgs.load(Ordering::Relaxed);
            let planned = counts.planned_orgs.load(Ordering::Relaxed);
            format!(
                "interrupted: {} of {} stay imported; the one in progress was rolled back. \
                 Run the same command again to import the rest (what is there already is skipped)",
                number(done),
                plural(planned, "organization"),
            )
        })
        .await;
        display.finish();
        // A new instance gets its default organization and administrator
        // from what was imported (or new ones), whatever the import did.
        if scratch.is_none() {
            let setup = opened.app.finish_setup().await.map_err(|e| e.message)?;
            if let Some(token) = &setup.admin_token {
                data.write_admin_token(token.expose(), setup.admin_user_id.as_deref().unwrap_or_default())?;
                eprintln!(
                    "created a new instance in {}; its IAM_OWNER token is in {}",
                    data.data_dir.display(),
                    data.data_dir.join("admin.pat").display()
                );
            }
        }
        opened.app.db().close().await;
        let report = result?;
        // Taken from the ticks: the summary report keeps no ids.
        let written = display.counts.written.load(Ordering::Relaxed);
        return summarize(&report, Some(written), verb, &args.source, &display);
    };
    summarize(&report, None, verb, &args.source, &display)
}

/// A scratch data directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch, String> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("burg-dry-run-{}-{}", std::process::id(), nanos.unwrap_or(0)));
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The import's one summary line (and a line per refused item); fails
/// when anything was refused.
fn summarize(
    report: &ImportDataResponse,
    written: Option<u64>,
    verb: &str,
    source: &str,
    display: &Display,
) -> Result<(), Failure> {
    let orgs = report.success.as_ref().map(|s| s.orgs.as_slice()).unwrap_or_default();
    // An item there already, or an organization stored before that the
    // import went on into (ZITADEL's report names it with AddOrgWithID's id).
    let exists = |e: &&burg_api::admin::ImportDataError| {
        e.message.contains(burg_app::IMPORT_EXISTS_ID)
            || (e.r#type == "org"
                && e.message.contains(burg_app::IMPORT_ORG_EXISTS_ID)
                && orgs.iter().any(|o| o.org_id == e.id))
    };
    let refused: Vec<_> = report.errors.iter().filter(|e| !exists(e)).collect();
    let there: Vec<&str> =
        report.errors.iter().filter(|e| exists(e) && e.r#type == "org").map(|e| e.id.as_str()).collect();
    let new_orgs = orgs.iter().filter(|o| !there.contains(&o.org_id.as_str())).count() as u64;
    let users = written
        .unwrap_or_else(|| orgs.iter().map(|o| (o.human_user_ids.len() + o.machine_user_ids.len()) as u64).sum());
    let refused_orgs = display.counts.orgs.load(Ordering::Relaxed).saturating_sub(orgs.len() as u64);
    for e in refused.iter().take(20) {
        eprintln!("refused {} {}: {}", e.r#type, e.id, e.message);
    }
    if refused.len() > 20 {
        eprintln!("… and {} more refused", number(refused.len() as u64 - 20));
    }
    let verb = if verb == "checked" { "would import" } else { "imported" };
    let mut line = format!("{verb} {} and {} from {source}", plural(new_orgs, "organization"), plural(users, "user"));
    if !there.is_empty() {
        let was = if there.len() == 1 { "was" } else { "were" };
        line.push_str(&format!("; {} {was} there already", plural(there.len() as u64, "organization")));
    }
    if !refused.is_empty() {
        line.push_str(&format!("; {} refused", plural(refused.len() as u64, "item")));
        if refused_orgs > 0 {
            line.push_str(&format!(" ({} left out whole)", plural(refused_orgs, "organization")));
        }
    }
    line.push_str(&timing(display.elapsed(), users));
    eprintln!("{line}");
    if refused.is_empty() { Ok(()) } else { Err(format!("{} refused", plural(refused.len() as u64, "item")).into()) }
}
