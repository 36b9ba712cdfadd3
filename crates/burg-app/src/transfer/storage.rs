//! Where export documents go and import documents come from: a directory
//! on the server, S3 (or anything that speaks it), Google Cloud Storage.
//!
//! Writers never leave a partial result: a local file is written under a
//! temporary name and renamed when complete; an object is uploaded in
//! parts and only completed at the end, or aborted.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use burg_domain::{Error, Result};
use futures::StreamExt;
use object_store::buffered::BufWriter;
use object_store::{ObjectStore, ObjectStoreExt};
use tokio::io::AsyncWriteExt;

use crate::egress::{self, Egress, HttpClient};

/// An import document read from S3 or GCS may be this large: it is written
/// to a temporary file as it arrives, not held in memory.
pub(crate) const DOWNLOAD_MAX: u64 = 8 * 1024 * 1024 * 1024;
/// What S3 answers an export with (XML of a few hundred bytes), at most.
pub(crate) const S3_ANSWER_MAX: usize = 1024 * 1024;
/// An OAuth token answer, at most.
const TOKEN_ANSWER_MAX: usize = 64 * 1024;

/// What a local file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LocalFile {
    /// An import's document: it must exist.
    Input,
    /// An export's output: it is created.
    Output,
}

/// The directory local export outputs and import inputs live in.
#[derive(Debug, Clone, Default)]
pub struct TransferDir(pub Option<PathBuf>);

impl TransferDir {
    /// `path` inside the transfer directory: relative to it, or absolute
    /// and inside it. `..`, and symbolic links that lead outside, are
    /// refused.
    pub(crate) fn resolve(&self, field: &str, path: &str, file: LocalFile) -> Result<PathBuf> {
        let must_exist = file == LocalFile::Input;
        let refuse = |why: &str| Error::invalid_argument("TRANSFER-path1", format!("`{field}` {why}"));
        let Some(root) = &self.0 else {
            return Err(Error::failed_precondition(
                "TRANSFER-path0",
                "this server has no transfer directory for local files (set --transfer-dir)",
            ));
        };
        if path.is_empty() {
            return Err(refuse("is required"));
        }
        let given = Path::new(path);
        if given.components().any(|c| matches!(c, Component::ParentDir)) {
            return Err(refuse("must not contain `..`"));
        }
        // An input creates nothing: without the directory there is no file.
        if !must_exist {
            std::fs::create_dir_all(root)
                .map_err(|e| Error::internal("TRANSFER-dir01", format!("transfer directory: {e}")))?;
        }
        let root = match root.canonicalize() {
            Ok(root) => root,
            Err(_) if must_exist => return Err(refuse("names no readable file in the transfer directory")),
            Err(e) => return Err(Error::internal("TRANSFER-dir02", format!("transfer directory: {e}"))),
        };
        let joined = if given.is_absolute() { given.to_path_buf() } else { root.join(given) };
        // Resolve links: the file itself for inputs, its directory for outputs.
        let real = if must_exist {
            joined.canonicalize().map_err(|_| refuse("names no readable file in the transfer directory"))?
        } else {
            let parent = joined.parent().ok_or_else(|| refuse("names no file"))?;
            let name = joined.file_name().ok_or_else(|| refuse("names no file"))?;
            std::fs::create_dir_all(parent).ok();
            parent.canonicalize().map_err(|_| refuse("names a directory that cannot be created"))?.join(name)
        };
        if !real.starts_with(&root) {
            return Err(refuse("must stay inside the transfer directory"));
        }
        if !must_exist && std::fs::symlink_metadata(&real).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(refuse("must not be a symbolic link"));
        }
        Ok(real)
    }
}

/// An S3 bucket, as the API describes one.
pub(crate) struct S3 {
    /// Where the settings are in the request (`s3Output`, `dataOrgsS3`).
    pub field: String,
    pub endpoint: String,
    pub ssl: bool,
    pub bucket: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// The bucket's store, its connections made by `egress`; answers' bodies
/// are read up to `body_cap` bytes. Refused at once when the policy
/// refuses the endpoint, so that nothing is started.
pub(crate) async fn s3_store(egress: &Egress, s3: &S3, body_cap: usize) -> Result<Arc<dyn ObjectStore>> {
    if s3.bucket.is_empty() || s3.endpoint.is_empty() {
        return Err(Error::invalid_argument("TRANSFER-s3001", "S3 needs `endpoint` and `bucket`"));
    }
    let endpoint = if s3.endpoint.contains("://") {
        s3.endpoint.clone()
    } else {
        format!("{}://{}", if s3.ssl { "https" } else { "http" }, s3.endpoint)
    };
    egress.preflight(&format!("{}.endpoint", s3.field), &endpoint).await?;
    let store = egress
        .s3(body_cap)
        .with_endpoint(endpoint)
        .with_allow_http(!s3.ssl)
        .with_region("us-east-1")
        .with_virtual_hosted_style_request(false)
        .with_bucket_name(&s3.bucket)
        .with_access_key_id(&s3.access_key_id)
        .with_secret_access_key(&s3.secret_access_key)
        .build()
        .map_err(|e| Error::invalid_argument("TRANSFER-s3002", format!("S3 settings: {}", settings_error(&e))))?;
    Ok(Arc::new(store))
}

/// Google Cloud Storage through its JSON API: resumable uploads (the
/// object appears when the last part arrives) and media downloads.
///
/// The service-account document may name another endpoint in
/// `gcs_base_url` and set `disable_oauth` (for emulators), as the
/// object_store crate allows.
pub(crate) struct Gcs {
    http: HttpClient,
    /// The request's service-account field, which names the servers.
    field: String,
    base: String,
    bucket: String,
    token: Option<String>,
}

#[derive(serde::Deserialize)]
struct ServiceAccount {
    #[serde(default)]
    client_email: String,
    #[serde(default)]
    private_key: String,
    #[serde(default)]
    token_uri: Option<String>,
    #[serde(default)]
    gcs_base_url: Option<String>,
    #[serde(default)]
    disable_oauth: bool,
}

/// Parts of a resumable upload: a multiple of 256 KiB.
const GCS_PART: usize = 8 * 1024 * 1024;

fn encode(part: &str) -> String {
    url::form_urlencoded::byte_serialize(part.as_bytes()).collect::<String>().replace('+', "%20")
}

impl Gcs {
    /// `field` is the request's `serviceaccountJson` field.
    pub async fn connect(egress: &Egress, field: &str, bucket: &str, service_account_json: &str) -> Result<Gcs> {
        if bucket.is_empty() {
            return Err(Error::invalid_argument("TRANSFER-gcs01", "GCS needs `bucket`"));
        }
        let account: ServiceAccount = serde_json::from_str(service_account_json).map_err(|_| {
            Error::invalid_argument("TRANSFER-gcs02", "`serviceaccountJson` is not a service-account document")
        })?;
        let base = account.gcs_base_url.clone().unwrap_or_else(|| "https://storage.googleapis.com".into());
        let token = if account.disable_oauth {
            None
        } else {
            Some(access_token(egress.documents(), &format!("{field}.token_uri"), &account).await?)
        };
        Ok(Gcs {
            http: egress.transfer().clone(),
            field: format!("{field}.gcs_base_url"),
            base: base.trim_end_matches('/').to_string(),
            bucket: bucket.to_string(),
            token,
        })
    }

    fn request(&self, method: reqwest::Method, url: &str) -> Result<reqwest::RequestBuilder> {
        let builder = self.http.request(method, url).map_err(|r| egress::refused(&self.field, &r))?;
        Ok(match &self.token {
            Some(t) => builder.bearer_auth(t),
            None => builder,
        })
    }

    /// Writes the object at `path` to `dest`, up to [`DOWNLOAD_MAX`] bytes.
    pub async fn download(&self, field: &str, path: &str, dest: &mut tokio::fs::File) -> Result<()> {
        let name = object_name(field, path)?;
        let url = format!("{}/storage/v1/b/{}/o/{}?alt=media", self.base, encode(&self.bucket), encode(&name));
        let failed = gcs_unavailable(&self.field);
        let mut response = self.request(reqwest::Method::GET, &url)?.send().await.map_err(&failed)?;
        if !response.status().is_success() {
            return Err(Error::invalid_argument(
                "TRANSFER-gcs03",
                format!("cannot read gs://{}/{name}: the server answered {}", self.bucket, response.status()),
            ));
        }
        let too_large = || {
            Error::invalid_argument(
                "TRANSFER-gcs10",
                format!("gs://{}/{name} is larger than {DOWNLOAD_MAX} bytes", self.bucket),
            )
        };
        if response.content_length().is_some_and(|n| n > DOWNLOAD_MAX) {
            return Err(too_large());
        }
        let mut total = 0u64;
        while let Some(chunk) = response.chunk().await.map_err(&failed)? {
            total += chunk.len() as u64;
            if total > DOWNLOAD_MAX {
                return Err(too_large());
            }
            dest.write_all(&chunk).await.map_err(keep_failed)?;
        }
        dest.flush().await.map_err(keep_failed)
    }

    /// Starts a resumable upload; its session URL.
    async fn start_upload(&self, name: &str) -> Result<String> {
        let url = format!(
            "{}/upload/storage/v1/b/{}/o?uploadType=resumable&name={}",
            self.base,
            encode(&self.bucket),
            encode(name)
        );
        let response = self
            .request(reqwest::Method::POST, &url)?
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .map_err(gcs_unavailable(&self.field))?;
        let location = response.headers().get("location").and_then(|l| l.to_str().ok()).map(str::to_string);
        match location {
            Some(l) if response.status().is_success() => Ok(l),
            _ => Err(Error::unavailable(
                "TRANSFER-gcs04",
                format!("GCS refused the upload to gs://{}/{name}: {}", self.bucket, response.status()),
            )),
        }
    }
}

/// A failed GCS request: the policy's refusal (naming `field`), or what
/// failed (reqwest's words, never the server's).
fn gcs_unavailable(field: &str) -> impl Fn(reqwest::Error) -> Error + '_ {
    move |e| match egress::find_refusal(&e) {
        Some(r) => egress::refused(field, r),
        None => Error::unavailable("TRANSFER-gcs05", format!("GCS: {}", e.without_url())),
    }
}

fn keep_failed(e: std::io::Error) -> Error {
    Error::internal("TRANSFER-tmp01", format!("cannot keep the downloaded document: {e}"))
}

/// An OAuth access token for the service account (JWT bearer grant);
/// `field` names the token URI's setting.
async fn access_token(http: &HttpClient, field: &str, account: &ServiceAccount) -> Result<String> {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    let token_uri = account.token_uri.clone().unwrap_or_else(|| "https://oauth2.googleapis.com/token".into());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs();
    let header = B64.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let claims = B64.encode(
        serde_json::json!({
            "iss": account.client_email,
            "scope": "https://www.googleapis.com/auth/devstorage.read_write",
            "aud": token_uri,
            "iat": now,
            "exp": now + 3600,
        })
        .to_string(),
    );
    let signing_input = format!("{header}.{claims}");
    let signature = burg_domain::crypto::rs256_sign(&account.private_key, signing_input.as_bytes())
        .map_err(|_| Error::invalid_argument("TRANSFER-gcs06", "`serviceaccountJson` holds no usable private key"))?;
    let assertion = format!("{signing_input}.{}", B64.encode(signature));
    let body = format!("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={assertion}");
    let failed = gcs_unavailable(field);
    let response = http
        .request(reqwest::Method::POST, &token_uri)
        .map_err(|r| egress::refused(field, &r))?
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(&failed)?;
    if !response.status().is_success() {
        return Err(Error::unauthenticated(
            "TRANSFER-gcs07",
            format!("Google refused the service account: {}", response.status()),
        ));
    }
    let answer = match egress::read_capped(response, TOKEN_ANSWER_MAX).await {
        Ok(answer) => answer,
        Err(egress::ReadError::Failed(e)) => return Err(failed(e)),
        Err(egress::ReadError::TooLarge(too_large)) => {
            return Err(Error::unavailable("TRANSFER-gcs11", format!("the token endpoint's answer: {too_large}")));
        }
    };
    let token: serde_json::Value = serde_json::from_slice(&answer)
        .map_err(|_| Error::unavailable("TRANSFER-gcs12", "the token endpoint's answer is not JSON"))?;
    token["access_token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| Error::unavailable("TRANSFER-gcs08", "Google sent no access token"))
}

/// Which part of an upload is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    /// More follow.
    More,
    /// The last: the total size is known.
    Last,
}

/// An upload in progress.
pub(crate) struct GcsUpload {
    gcs: Gcs,
    session: String,
    name: String,
    buffer: Vec<u8>,
    sent: u64,
}

impl GcsUpload {
    pub async fn start(gcs: Gcs, field: &str, path: &str) -> Result<GcsUpload> {
        let name = object_name(field, path)?;
        let session = gcs.start_upload(&name).await?;
        Ok(GcsUpload { gcs, session, name, buffer: Vec::with_capacity(GCS_PART), sent: 0 })
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.buffer.extend_from_slice(bytes);
        while self.buffer.len() >= GCS_PART {
            let part: Vec<u8> = self.buffer.drain(..GCS_PART).collect();
            self.send(part, Chunk::More).await?;
        }
        Ok(())
    }

    async fn send(&mut self, part: Vec<u8>, chunk: Chunk) -> Result<()> {
        let last = chunk == Chunk::Last;
        let len = part.len() as u64;
        let total = if last { (self.sent + len).to_string() } else { "*".into() };
        let range = if len == 0 {
            format!("bytes */{total}")
        } else {
            format!("bytes {}-{}/{total}", self.sent, self.sent + len - 1)
        };
        let response = self
            .gcs
            .request(reqwest::Method::PUT, &self.session)?
            .header("content-range", range)
            .body(part)
            .send()
            .await
            .map_err(gcs_unavailable(&self.gcs.field))?;
        let status = response.status().as_u16();
        let ok = if last { (200..300).contains(&status) } else { status == 308 || (200..300).contains(&status) };
        if !ok {
            return Err(Error::unavailable(
                "TRANSFER-gcs09",
                format!("GCS refused a part of gs://{}/{}: {status}", self.gcs.bucket, self.name),
            ));
        }
        self.sent += len;
        Ok(())
    }

    async fn finish(mut self) -> Result<()> {
        let part = std::mem::take(&mut self.buffer);
        self.send(part, Chunk::Last).await
    }

    async fn abort(self) {
        if let Ok(request) = self.gcs.request(reqwest::Method::DELETE, &self.session) {
            let _ = request.send().await;
        }
    }
}

/// An error of the S3 settings, found before any request (a bad endpoint
/// URL): its first line, which quotes the endpoint at most.
fn settings_error(e: &object_store::Error) -> String {
    e.to_string().lines().next().unwrap_or_default().chars().take(300).collect()
}

/// What went wrong with a request to a store, in our words: the HTTP
/// status, or the kind of failure. Never the error's own text: object_store
/// quotes response bodies, and a body may be anything (a cloud metadata
/// service's answer, say).
pub(crate) fn remote_failure(e: &(dyn std::error::Error + 'static)) -> String {
    use object_store::client::{HttpError, HttpErrorKind};
    let mut chain = Vec::new();
    let mut next = Some(e);
    while let Some(e) = next.take().filter(|_| chain.len() < 32) {
        if let Some(inner) = e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            chain.push(inner as &(dyn std::error::Error + 'static));
        }
        chain.push(e);
        next = e.source();
    }
    for e in &chain {
        // object_store says "… status code: 403 Forbidden: <body>".
        let text = e.to_string();
        if let Some(at) = text.find("status code: ") {
            let digits: String = text[at + 13..].chars().take_while(char::is_ascii_digit).collect();
            if let Some(status) = digits.parse().ok().and_then(|n| reqwest::StatusCode::from_u16(n).ok()) {
                return format!("the server answered {status}");
            }
        }
    }
    for e in &chain {
        if let Some(too_large) = e.downcast_ref::<egress::TooLarge>() {
            return too_large.to_string();
        }
        if let Some(http) = e.downcast_ref::<HttpError>() {
            return match http.kind() {
                HttpErrorKind::Connect => "cannot connect to the server".into(),
                HttpErrorKind::Timeout => "the server did not answer in time".into(),
                _ => "the connection to the server failed".into(),
            };
        }
    }
    match chain.iter().find_map(|e| e.downcast_ref::<object_store::Error>()) {
        Some(object_store::Error::NotFound { .. }) => "no such object".into(),
        Some(object_store::Error::PermissionDenied { .. }) => "permission denied".into(),
        Some(object_store::Error::Unauthenticated { .. }) => "the credentials were refused".into(),
        _ => "the request failed".into(),
    }
}

/// A failed store request as an answer: the policy's refusal naming
/// `field`, else `otherwise` with [`remote_failure`]'s words.
fn store_failed(e: &(dyn std::error::Error + 'static), field: &str, otherwise: impl FnOnce(String) -> Error) -> Error {
    match egress::find_refusal(e) {
        Some(r) => egress::refused(field, r),
        None => otherwise(remote_failure(e)),
    }
}

fn object_name(field: &str, path: &str) -> Result<String> {
    let name = path.trim_start_matches('/');
    if name.is_empty() {
        return Err(Error::invalid_argument("TRANSFER-obj01", format!("`{field}` is required")));
    }
    Ok(name.to_string())
}

fn object_path(field: &str, path: &str) -> Result<object_store::path::Path> {
    if path.is_empty() {
        return Err(Error::invalid_argument("TRANSFER-obj08", format!("`{field}` is required")));
    }
    object_store::path::Path::parse(path.trim_start_matches('/'))
        .map_err(|e| Error::invalid_argument("TRANSFER-obj02", format!("`{field}`: {e}")))
}

/// One destination of an export.
pub(crate) enum Sink {
    Memory(Vec<u8>),
    File {
        temp: Partial,
        target: PathBuf,
        file: tokio::io::BufWriter<tokio::fs::File>,
    },
    /// `endpoint` names the request's endpoint field.
    Object {
        writer: BufWriter,
        what: &'static str,
        endpoint: String,
    },
    Gcs(GcsUpload),
}

/// A file being written under a temporary name: removed when dropped
/// (an export that fails, times out, or whose caller goes away, such as a
/// command interrupted by Ctrl-C) unless it was completed.
pub(crate) struct Partial(Option<PathBuf>);

impl Partial {
    fn path(&self) -> &Path {
        self.0.as_deref().unwrap_or(Path::new(""))
    }

    /// The file was renamed, or was never made by us: nothing to remove.
    fn kept(mut self) {
        self.0 = None;
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Sink {
    /// A local file, created readable by its owner only: an export holds
    /// personal data, and credentials when asked for.
    pub async fn file(target: PathBuf) -> Result<Sink> {
        let temp = target.with_file_name(format!(
            ".{}.{:016x}.partial",
            target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            rand::random::<u64>()
        ));
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        // The guard comes first: the file exists as soon as the blocking
        // open has made it, even if this future is dropped before it
        // hears so (a Ctrl-C at that instant).
        let temp = Partial(Some(temp));
        let file = match options.open(temp.path()).await {
            Ok(file) => file,
            Err(e) => {
                // Not made by us (create_new): not ours to remove.
                temp.kept();
                return Err(Error::invalid_argument("TRANSFER-file1", format!("cannot create the output file: {e}")));
            }
        };
        Ok(Sink::File { temp, target, file: tokio::io::BufWriter::with_capacity(256 * 1024, file) })
    }

    pub fn object(store: Arc<dyn ObjectStore>, s3: &S3, field: &str, path: &str, what: &'static str) -> Result<Sink> {
        let path = object_path(field, path)?;
        let writer = BufWriter::with_capacity(store, path, 8 * 1024 * 1024);
        Ok(Sink::Object { writer, what, endpoint: format!("{}.endpoint", s3.field) })
    }

    pub async fn write(&mut self, bytes: &[u8]) -> Result<()> {
        match self {
            Sink::Memory(v) => {
                v.extend_from_slice(bytes);
                Ok(())
            }
            Sink::File { file, .. } => file
                .write_all(bytes)
                .await
                .map_err(|e| Error::internal("TRANSFER-file2", format!("cannot write the output file: {e}"))),
            Sink::Object { writer, what, endpoint } => writer.write_all(bytes).await.map_err(|e| {
                store_failed(&e, endpoint, |why| {
                    Error::unavailable("TRANSFER-obj03", format!("cannot write to {what}: {why}"))
                })
            }),
            Sink::Gcs(upload) => upload.write(bytes).await,
        }
    }

    /// Makes the result visible.
    pub async fn finish(self) -> Result<Option<Vec<u8>>> {
        match self {
            Sink::Memory(v) => Ok(Some(v)),
            Sink::File { temp, target, mut file } => {
                let done = async {
                    file.flush().await?;
                    file.get_ref().sync_all().await?;
                    // A rename in place, not on the blocking pool: were
                    // this future dropped while a pooled rename ran, the
                    // file would appear after the caller was told that
                    // nothing was written.
                    std::fs::rename(temp.path(), &target)
                }
                .await;
                if let Err(e) = done {
                    // (`temp` removes the file.)
                    return Err(Error::internal("TRANSFER-file3", format!("cannot complete the output file: {e}")));
                }
                temp.kept();
                Ok(None)
            }
            Sink::Object { mut writer, what, endpoint } => {
                // (No abort after a failed shutdown: the writer refuses that.)
                if let Err(e) = writer.shutdown().await {
                    return Err(store_failed(&e, &endpoint, |why| {
                        Error::unavailable("TRANSFER-obj04", format!("cannot complete the upload to {what}: {why}"))
                    }));
                }
                Ok(None)
            }
            Sink::Gcs(upload) => upload.finish().await.map(|_| None),
        }
    }

    /// Leaves nothing behind.
    pub async fn abort(self) {
        match self {
            Sink::Memory(_) => {}
            Sink::File { temp, file, .. } => {
                drop(file);
                drop(temp);
            }
            Sink::Object { mut writer, .. } => {
                let _ = writer.abort().await;
            }
            Sink::Gcs(upload) => upload.abort().await,
        }
    }
}

/// Writes an import document from the store of `s3` to `dest`, up to
/// [`DOWNLOAD_MAX`] bytes.
pub(crate) async fn download_object(
    store: Arc<dyn ObjectStore>,
    s3: &S3,
    field: &str,
    path: &str,
    dest: &mut tokio::fs::File,
) -> Result<()> {
    let endpoint = format!("{}.endpoint", s3.field);
    let path = object_path(field, path)?;
    let got = store.get(&path).await.map_err(|e| {
        store_failed(&e, &endpoint, |why| {
            Error::invalid_argument("TRANSFER-obj05", format!("cannot read from S3: {why}"))
        })
    })?;
    let too_large =
        || Error::invalid_argument("TRANSFER-obj07", format!("`{field}` is larger than {DOWNLOAD_MAX} bytes"));
    if got.meta.size > DOWNLOAD_MAX {
        return Err(too_large());
    }
    let mut stream = got.into_stream();
    let mut total = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            store_failed(&e, &endpoint, |why| {
                Error::unavailable("TRANSFER-obj06", format!("cannot read from S3: {why}"))
            })
        })?;
        total += chunk.len() as u64;
        if total > DOWNLOAD_MAX {
            return Err(too_large());
        }
        dest.write_all(&chunk).await.map_err(keep_failed)?;
    }
    dest.flush().await.map_err(keep_failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        let t = TransferDir(Some(dir.path().to_path_buf()));
        let inside = t.resolve("path", "exports/a.json", LocalFile::Output).unwrap();
        assert!(inside.starts_with(dir.path().canonicalize().unwrap()));
        assert!(t.resolve("path", "../a.json", LocalFile::Output).unwrap_err().message.contains(".."));
        assert!(t.resolve("path", "/etc/passwd", LocalFile::Input).is_err());
        assert!(t.resolve("path", "/tmp/elsewhere.json", LocalFile::Output).unwrap_err().message.contains("inside"));
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        assert!(t.resolve("path", "link/a.json", LocalFile::Output).unwrap_err().message.contains("inside"));
        assert!(TransferDir(None).resolve("path", "a.json", LocalFile::Output).is_err());
        // An input in a directory that does not exist creates nothing.
        let missing = dir.path().join("not/there");
        let t = TransferDir(Some(missing.clone()));
        assert!(t.resolve("path", "a.json", LocalFile::Input).unwrap_err().message.contains("no readable file"));
        assert!(!missing.exists());
    }
}
