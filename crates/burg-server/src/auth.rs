//! Bearer tokens and permissions, checked before a request is decoded
//! (a permission held on one project only: once it is, [`check_object_scope`]).

use axum::http::HeaderMap;
use burg_api::routes::Route;
use burg_app::{App, Ctx, ObjectScope, Principal};
use burg_domain::{Error, Result};

/// The context of a call to `route`: who calls, and whether they may.
///
/// RPCs without a permission (health) need no token. Management RPCs are
/// checked within the organization of `x-zitadel-orgid` (or the caller's
/// own); admin RPCs on the instance; v2 RPCs that name their organization
/// in the request ([`Route::org_in_request`]) by the app, within it.
pub async fn authorize(app: &App, route: &'static Route, headers: &HeaderMap) -> Result<Ctx> {
    let service = service_name(route);
    let org_header = org_header(headers).map(str::to_string);
    let origin = origin(headers);
    let Some(permission) = route.permission else {
        return Ok(Ctx { principal: Default::default(), service, org_id: org_header, origin, scope: None });
    };
    let token = bearer(headers)
        .ok_or_else(|| Error::unauthenticated("AUTH-hdr01", "missing bearer token (Authorization: Bearer <token>)"))?;
    let principal = app.authenticate(token).await?;
    let mut scope = None;
    if !route.org_in_request() {
        let org_scoped = route.service == "ManagementService";
        let org = if org_scoped { Some(org_header.as_deref().unwrap_or(&principal.org_id).to_string()) } else { None };
        if let Err(denied) = principal.require(permission, org.as_deref()) {
            scope = Some(org.and_then(|org| object_scope(route, &principal, permission, &org)).ok_or(denied)?);
        }
    }
    Ok(Ctx { principal, service, org_id: org_header, origin, scope })
}

/// The Management API RPCs whose auth option names a `check_field_name`
/// (ZITADEL's `management.proto`), by the JSON name of that field: a
/// permission held on one project (or, for `grantId`, one project grant)
/// lets the call through when the field names it.
const CHECK_FIELDS: &[(&str, &str)] = &[
    ("GetProjectByID", "id"),
    ("UpdateProject", "id"),
    ("DeactivateProject", "id"),
    ("ReactivateProject", "id"),
    ("RemoveProject", "id"),
    ("GetGrantedProjectByID", "grantId"),
    ("ListGrantedProjectRoles", "grantId"),
    ("ListProjectGrantChanges", "grantId"),
    ("ListProjectChanges", "projectId"),
    ("ListProjectRoles", "projectId"),
    ("AddProjectRole", "projectId"),
    ("BulkAddProjectRoles", "projectId"),
    ("UpdateProjectRole", "projectId"),
    ("RemoveProjectRole", "projectId"),
    ("ListProjectMembers", "projectId"),
    ("AddProjectMember", "projectId"),
    ("UpdateProjectMember", "projectId"),
    ("RemoveProjectMember", "projectId"),
    ("GetAppByID", "projectId"),
    ("ListApps", "projectId"),
    ("ListAppChanges", "projectId"),
    ("GetAppKey", "projectId"),
    ("ListAppKeys", "projectId"),
    ("AddOIDCApp", "projectId"),
    ("AddSAMLApp", "projectId"),
    ("AddAPIApp", "projectId"),
    ("UpdateApp", "projectId"),
    ("UpdateOIDCAppConfig", "projectId"),
    ("UpdateSAMLAppConfig", "projectId"),
    ("UpdateAPIAppConfig", "projectId"),
    ("DeactivateApp", "projectId"),
    ("ReactivateApp", "projectId"),
    ("RegenerateOIDCClientSecret", "projectId"),
    ("RegenerateAPIClientSecret", "projectId"),
    ("AddAppKey", "projectId"),
    ("RemoveAppKey", "projectId"),
    ("RemoveApp", "projectId"),
    ("ListProjectGrants", "projectId"),
];

/// Lists without a check field that ZITADEL narrows to the projects (or
/// project grants) a caller holds the permission on.
const SCOPED_LISTS: &[&str] = &["ListProjects", "ListGrantedProjects"];

/// How a call of `route` may go through on `permission` held on some
/// projects (or project grants) of organization `org` only: `None` when it
/// holds it on none, or when the RPC names no project to check. (ZITADEL
/// lets any such call through its interceptor and leaves the rest to each
/// handler; burg refuses the RPCs without a check field, the two lists
/// aside.)
fn object_scope(route: &Route, principal: &Principal, permission: &str, org: &str) -> Option<ObjectScope> {
    let ids = principal.object_ids(permission, org);
    if ids.is_empty() {
        return None;
    }
    let field = CHECK_FIELDS.iter().find(|(rpc, _)| *rpc == route.method).map(|(_, f)| *f);
    (field.is_some() || SCOPED_LISTS.contains(&route.method)).then_some(ObjectScope { field, ids })
}

/// ZITADEL's check of a call let through on project (grant) permissions:
/// the request's check field must name one of the caller's projects.
pub fn check_object_scope<T: serde::Serialize>(ctx: &Ctx, request: &T) -> Result<()> {
    let Some(ObjectScope { field: Some(field), ids }) = &ctx.scope else { return Ok(()) };
    let value = serde_json::to_value(request).ok();
    let named = value.as_ref().and_then(|v| v.get(*field)).and_then(serde_json::Value::as_str).unwrap_or_default();
    if !named.is_empty() && ids.iter().any(|id| id == named) {
        return Ok(());
    }
    Err(Error::permission_denied("AUTH-3jknH", format!("no permission on the object named by `{field}`")))
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

/// The organization a call names in `x-zitadel-orgid`, if any.
pub(crate) fn org_header(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-zitadel-orgid").and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
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
    fn every_check_field_is_a_path_field_of_a_project_rpc() {
        use burg_api::routes::ROUTES;
        for (rpc, field) in CHECK_FIELDS.iter().map(|(r, f)| (*r, *f)).chain(SCOPED_LISTS.iter().map(|r| (*r, ""))) {
            let route = ROUTES
                .iter()
                .find(|r| r.service == "ManagementService" && r.method == rpc)
                .unwrap_or_else(|| panic!("{rpc} is no Management RPC"));
            let permission = route.permission.unwrap_or_default();
            assert!(permission.starts_with("project."), "{rpc}: {permission}");
            assert!(field.is_empty() || route.path_fields.iter().any(|(_, json, _)| *json == field), "{rpc}.{field}");
        }
        assert_eq!(CHECK_FIELDS.len(), 38, "ZITADEL's count");
    }

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
