//! ZITADEL's asset API (`/assets/v1`, `internal/api/assets`) for the
//! label policies: multipart uploads of the logos, icons and font of the
//! instance's (`iam.policy.write`) and of an organization's own
//! (`/assets/v1/org/…`, the organization of `x-zitadel-orgid` or the
//! caller's, `policy.write`), downloads of the active and preview files
//! (`iam.policy.read`, `policy.read`), and the public download of a stored
//! file by its owner and key, the URL the label policy answers. Errors are plain text
//! with an HTTP status, as ZITADEL's asset handler writes them.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use burg_app::{App, Ctx, ServedAsset};
use burg_domain::label_policy::LabelAsset;

use crate::auth::{bearer, org_header, origin};

/// Largest multipart body read (ZITADEL parses forms of up to 4 MiB; a
/// file over the 512 KiB limit is refused with its own message).
const MAX_FORM_BYTES: usize = 4 << 20;

/// The asset routes, each file at its ZITADEL path.
pub(crate) fn router(app: Arc<App>) -> Router {
    let mut router = Router::new();
    for (path, asset) in [
        ("logo", LabelAsset::Logo),
        ("logo/dark", LabelAsset::LogoDark),
        ("icon", LabelAsset::Icon),
        ("icon/dark", LabelAsset::IconDark),
        ("font", LabelAsset::Font),
    ] {
        for level in [Level::Instance, Level::Org] {
            let base = format!("/assets/v1/{}/policy/label/{path}", level.path());
            router = router
                .route(
                    &base,
                    post(move |State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes| async move {
                        upload(app, level, asset, headers, body).await
                    })
                    .get(move |State(app): State<Arc<App>>, headers: HeaderMap| async move {
                        download(app, level, asset, false, headers).await
                    }),
                )
                .route(
                    &format!("{base}/_preview"),
                    get(move |State(app): State<Arc<App>>, headers: HeaderMap| async move {
                        download(app, level, asset, true, headers).await
                    }),
                );
        }
    }
    router.route("/assets/v1/{owner}/{*key}", get(public)).layer(DefaultBodyLimit::max(MAX_FORM_BYTES)).with_state(app)
}

/// A plain-text error answer, never cached.
fn error(status: StatusCode, message: impl Into<String>) -> Response {
    let mut response = (status, message.into()).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn domain_error(err: burg_domain::Error) -> Response {
    let message = format!("{}: {}", err.id, err.message);
    let status = burg_api::error::http_status(crate::auth::to_status(err).code());
    error(status, message)
}

/// Whose label policy a route serves: the instance's, or an organization's.
#[derive(Debug, Clone, Copy)]
enum Level {
    Instance,
    Org,
}

impl Level {
    fn path(self) -> &'static str {
        match self {
            Level::Instance => "instance",
            Level::Org => "org",
        }
    }

    /// ZITADEL's permission for a write (or a read) at this level.
    fn permission(self, write: bool) -> &'static str {
        match (self, write) {
            (Level::Instance, true) => "iam.policy.write",
            (Level::Instance, false) => "iam.policy.read",
            (Level::Org, true) => "policy.write",
            (Level::Org, false) => "policy.read",
        }
    }
}

/// The caller, who must hold the level's permission: on the instance, or
/// in the organization of `x-zitadel-orgid` (else its own), which the
/// answer names.
async fn authorize(
    app: &App,
    headers: &HeaderMap,
    level: Level,
    write: bool,
) -> Result<(Ctx, Option<String>), Response> {
    let token = bearer(headers).ok_or_else(|| error(StatusCode::UNAUTHORIZED, "auth header missing"))?;
    let principal = app.authenticate(token).await.map_err(domain_error)?;
    let org = match level {
        Level::Instance => None,
        Level::Org => Some(org_header(headers).unwrap_or(&principal.org_id).to_string()),
    };
    principal.require(level.permission(write), org.as_deref()).map_err(domain_error)?;
    let ctx = Ctx { principal, service: "Assets-API", org_id: org.clone(), origin: origin(headers), scope: None };
    Ok((ctx, org))
}

async fn upload(app: Arc<App>, level: Level, asset: LabelAsset, headers: HeaderMap, body: Bytes) -> Response {
    let (ctx, org) = match authorize(&app, &headers, level, true).await {
        Ok(ctx) => ctx,
        Err(response) => return response,
    };
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let Some(file) = multipart_file(content_type, &body) else {
        return error(StatusCode::BAD_REQUEST, "http: no such file");
    };
    let content_type = match app.check_label_upload(asset, &file.filename, file.data) {
        Ok(content_type) => content_type,
        Err(refused) => return error(StatusCode::BAD_REQUEST, refused.to_string()),
    };
    match app.upload_label_asset(&ctx, org.as_deref(), asset, &content_type, file.data).await {
        Ok(_) => StatusCode::OK.into_response(),
        Err(err) => domain_error(err),
    }
}

async fn download(app: Arc<App>, level: Level, asset: LabelAsset, preview: bool, headers: HeaderMap) -> Response {
    let org = match authorize(&app, &headers, level, false).await {
        Ok((_, org)) => org,
        Err(response) => return response,
    };
    match app.label_asset(org.as_deref(), asset, preview).await {
        Ok(Some(file)) => serve(file, &headers),
        Ok(None) => error(StatusCode::NOT_FOUND, "file not found"),
        Err(err) => domain_error(err),
    }
}

async fn public(
    State(app): State<Arc<App>>,
    Path((owner, key)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    match app.stored_asset(&owner, &key).await {
        Ok(Some(file)) => serve(file, &headers),
        Ok(None) => error(StatusCode::NOT_FOUND, format!("file not found: {key}")),
        Err(err) => domain_error(err),
    }
}

/// A file with ZITADEL's headers: its type, length, time and hash, and the
/// asset cache policy (`AssetStorage.Cache`: 5 s, 7 days for shared
/// caches); 304 when the client holds it already.
fn serve(file: ServedAsset, headers: &HeaderMap) -> Response {
    let etag = format!("\"{}\"", file.hash);
    let last_modified = http_date(file.stored_at);
    let held = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().trim_matches('"') == file.hash);
    let mut response =
        if held { StatusCode::NOT_MODIFIED.into_response() } else { (StatusCode::OK, file.data).into_response() };
    let h = response.headers_mut();
    let mut set = |name: header::HeaderName, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            h.insert(name, value);
        }
    };
    set(header::ETAG, &etag);
    set(header::LAST_MODIFIED, &last_modified);
    set(header::CACHE_CONTROL, "public, max-age=5, s-maxage=604800");
    if !held {
        set(header::CONTENT_TYPE, &file.content_type);
    }
    response
}

/// A time as an HTTP date (`Mon, 30 Nov 2026 20:52:15 GMT`).
fn http_date(micros: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp(micros.div_euclid(1_000_000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    at.format(&format).unwrap_or_default()
}

/// The `file` part of a `multipart/form-data` body.
struct FilePart<'a> {
    filename: String,
    data: &'a [u8],
}

fn multipart_file<'a>(content_type: &str, body: &'a [u8]) -> Option<FilePart<'a>> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let boundary = params.split(';').find_map(|p| {
        let (name, value) = p.split_once('=')?;
        name.trim().eq_ignore_ascii_case("boundary").then(|| value.trim().trim_matches('"').to_string())
    })?;
    if boundary.is_empty() || boundary.len() > 200 {
        return None;
    }
    let delimiter = format!("--{boundary}");
    let mut rest = body;
    // Each part starts after a delimiter line and ends at "\r\n--boundary".
    let start = find(rest, delimiter.as_bytes())?;
    rest = &rest[start + delimiter.len()..];
    loop {
        if rest.starts_with(b"--") {
            return None;
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let head_end = find(rest, b"\r\n\r\n")?;
        let head = std::str::from_utf8(&rest[..head_end]).ok()?;
        let content = &rest[head_end + 4..];
        let end = find(content, format!("\r\n{delimiter}").as_bytes())?;
        let data = &content[..end];
        let disposition = head.lines().find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim().eq_ignore_ascii_case("content-disposition").then_some(value)
        })?;
        let param = |key: &str| {
            disposition.split(';').find_map(|p| {
                let (name, value) = p.split_once('=')?;
                (name.trim() == key).then(|| value.trim().trim_matches('"').to_string())
            })
        };
        if param("name").as_deref() == Some("file") && param("filename").is_some() {
            return Some(FilePart { filename: param("filename").unwrap_or_default(), data });
        }
        rest = &content[end + 2 + delimiter.len()..];
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_file_part_of_a_form() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nvalue\r\n--XyZ\r\n\
Content-Disposition: form-data; name=\"file\"; filename=\"logo.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\r\n--XyZ--\r\n";
        let part = multipart_file("multipart/form-data; boundary=XyZ", body).unwrap();
        assert_eq!(part.filename, "logo.png");
        assert_eq!(part.data, b"\x89PNG\r\n");
        assert!(multipart_file("application/json", body).is_none());
        assert!(multipart_file("multipart/form-data; boundary=abc", body).is_none());
        assert!(multipart_file("multipart/form-data; boundary=XyZ", b"--XyZ\r\nbroken").is_none());
        assert_eq!(http_date(1_764_535_935_000_000), "Sun, 30 Nov 2025 20:52:15 GMT");
    }
}
