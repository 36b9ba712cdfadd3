//! Bearer tokens and permissions, checked before a request is decoded.

use axum::http::HeaderMap;
use burg_api::routes::Route;
use burg_app::{App, Ctx};
use burg_domain::{Error, Result};

/// The context of a call to `route`: who calls, and whether they may.
///
/// RPCs without a permission (health) need no token. Management RPCs are
/// checked within the organization of `x-zitadel-orgid` (or the caller's
/// own); admin RPCs on the instance; v2 RPCs that name their organization
/// in the request ([`Route::org_in_request`]) by the app, within it.
pub async fn authorize(app: &App, route: &'static Route, headers: &HeaderMap) -> Result<Ctx> {
    let service = service_name(route);
    let org_header = headers
        .get("x-zitadel-orgid")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string);
    let origin = origin(headers);
    let Some(permission) = route.permission else {
        return Ok(Ctx { principal: Default::default(), service, org_id: org_header, origin });
    };
    let token = bearer(headers)
        .ok_or_else(|| Error::unauthenticated("AUTH-hdr01", "missing bearer token (Authorization: Bearer <token>)"))?;
    let principal = app.authenticate(token).await?;
    if !route.org_in_request() {
        let org_scoped = route.service == "ManagementService";
        let org = if org_scoped { Some(org_header.as_deref().unwrap_or(&principal.org_id).to_string()) } else { None };
        principal.require(permission, org.as_deref())?;
    }
    Ok(Ctx { principal, service, org_id: org_header, origin })
}

/// The scheme and host a request was sent to, from its `Host` header (and
/// a proxy's `X-Forwarded-Proto`), as ZITADEL builds its asset URLs.
pub fn origin(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(http::header::HOST)?.to_str().ok()?.trim();
    let valid = !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
    if !valid {
        return None;
    }
    let proto = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).map(str::trim);
    let scheme = if proto == Some("https") { "https" } else { "http" };
    Some(format!("{scheme}://{host}"))
}

/// `zitadel.admin.v1.AdminService` from `/zitadel.admin.v1.AdminService/Healthz`.
fn service_name(route: &'static Route) -> &'static str {
    let path = route.grpc_path.trim_start_matches('/');
    path.rsplit_once('/').map_or(path, |(service, _)| service)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// A domain error as a gRPC status with ZITADEL's error detail.
pub fn to_status(err: Error) -> tonic::Status {
    use burg_domain::ErrorKind as K;
    use tonic::Code;
    let code = match err.kind {
        K::InvalidArgument => Code::InvalidArgument,
        K::NotFound => Code::NotFound,
        K::AlreadyExists => Code::AlreadyExists,
        K::FailedPrecondition => Code::FailedPrecondition,
        K::PermissionDenied => Code::PermissionDenied,
        K::Unauthenticated => Code::Unauthenticated,
        K::DeadlineExceeded => Code::DeadlineExceeded,
        K::Aborted => Code::Aborted,
        K::Unavailable => Code::Unavailable,
        K::Unimplemented => Code::Unimplemented,
        K::Internal => Code::Internal,
    };
    burg_api::error::status(code, err.id, err.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_parsing() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert("authorization", "Bearer abc".parse().unwrap());
        assert_eq!(bearer(&h), Some("abc"));
        h.insert("authorization", "bearer   xyz ".parse().unwrap());
        assert_eq!(bearer(&h), Some("xyz"));
        h.insert("authorization", "Basic abc".parse().unwrap());
        assert_eq!(bearer(&h), None);
        h.insert("authorization", "Bearer ".parse().unwrap());
        assert_eq!(bearer(&h), None);
    }

    #[test]
    fn service_names() {
        let (_, r) = Route::by_method("AdminService", "GetProviderByID").unwrap();
        assert_eq!(service_name(r), "zitadel.admin.v1.AdminService");
    }
}
