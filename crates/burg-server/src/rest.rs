//! REST in grpc-gateway's conventions, built from the route table.
//!
//! Each route authenticates, reads the body (bounded), merges path and
//! query parameters into the JSON request, and calls the same tonic method
//! gRPC calls. Errors leave as `{"code","message","details"}` with the HTTP
//! status grpc-gateway maps from the gRPC code.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{RawPathParams, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter};
use burg_api::error::ErrorBody;
use burg_api::path_template::positional;
use burg_api::rest::rest_input;
use burg_api::routes::{
    CallError, ROUTES, Route, dispatch_admin_service, dispatch_application_service, dispatch_feature_service,
    dispatch_instance_service, dispatch_management_service, dispatch_organization_service, dispatch_project_service,
    dispatch_settings_service, dispatch_user_service, dispatch_web_key_service,
};
use burg_app::App;
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use tonic::Code;

use crate::ServerConfig;
use crate::auth::{authorize, to_status};
use crate::grpc::{AdminApi, ManagementApi, V2Api};
use crate::metrics::CallLabel;

#[derive(Clone)]
struct RestState {
    app: Arc<App>,
    admin: AdminApi,
    management: ManagementApi,
    v2: V2Api,
    max_body: usize,
    body_timeout: std::time::Duration,
}

pub(crate) fn router(app: Arc<App>, config: &ServerConfig) -> Router {
    let state = RestState {
        admin: AdminApi { app: app.clone() },
        management: ManagementApi { app: app.clone() },
        v2: V2Api { app: app.clone() },
        app,
        max_body: config.max_body_bytes,
        body_timeout: config.body_read_timeout,
    };
    // Routes of one shape may name their parameters differently
    // (`/orgs/{id}`, `/orgs/{org_id}`); the router sees positions only, and
    // each handler maps them back to its own field names.
    let mut paths: BTreeMap<String, MethodRouter<RestState>> = BTreeMap::new();
    for (index, route) in ROUTES.iter().enumerate().filter(|(_, r)| !r.http_method.is_empty()) {
        let filter = match route.http_method {
            "GET" => MethodFilter::GET,
            "POST" => MethodFilter::POST,
            "PUT" => MethodFilter::PUT,
            "DELETE" => MethodFilter::DELETE,
            "PATCH" => MethodFilter::PATCH,
            other => panic!("route table has an unknown HTTP method {other}"),
        };
        let handler = move |State(state): State<RestState>,
                            params: RawPathParams,
                            RawQuery(query): RawQuery,
                            headers: HeaderMap,
                            body: Body| async move {
            let params: Vec<(String, String)> = params
                .iter()
                .zip(route.path_fields)
                .map(|((_, value), (field, ..))| (field.to_string(), value.to_string()))
                .collect();
            call(state, index, params, query, headers, body).await
        };
        let path = positional(route.http_path);
        let entry = paths.remove(&path).unwrap_or_default();
        paths.insert(path, entry.on(filter, handler));
    }
    let mut router = Router::new();
    for (path, methods) in paths {
        router = router.route(&path, methods.fallback(method_not_allowed));
    }
    router.with_state(state)
}

async fn call(
    state: RestState,
    index: usize,
    params: Vec<(String, String)>,
    query: Option<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let route: &'static Route = &ROUTES[index];
    let label = CallLabel { rpc: route.method, code: Code::Ok };
    let ctx = match authorize(&state.app, route, &headers).await {
        Ok(ctx) => ctx,
        Err(err) => return error_response(to_status(err), label),
    };
    let body = match tokio::time::timeout(state.body_timeout, Limited::new(body, state.max_body).collect()).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(err)) if err.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
            let message = format!(
                "the request body is larger than the limit of {} bytes; import large documents from a file, S3 or GCS",
                state.max_body
            );
            let status = burg_api::error::status(Code::ResourceExhausted, "GATEWAY-body1", message);
            return with_http_status(error_response(status, label), StatusCode::PAYLOAD_TOO_LARGE);
        }
        Ok(Err(_)) => {
            let message = "the request body could not be read";
            return error_response(burg_api::error::status(Code::InvalidArgument, "GATEWAY-body2", message), label);
        }
        Err(_) => {
            let message = format!("the request body did not arrive within {:?}", state.body_timeout);
            let status = burg_api::error::status(Code::DeadlineExceeded, "GATEWAY-body3", message);
            return with_http_status(error_response(status, label), StatusCode::REQUEST_TIMEOUT);
        }
    };
    let input = match rest_input(route, body, &params, query.as_deref()) {
        Ok(input) => input,
        Err(message) => {
            return error_response(burg_api::error::status(Code::InvalidArgument, "GATEWAY-json1", message), label);
        }
    };
    let metadata = tonic::metadata::MetadataMap::from_headers(headers);
    let mut extensions = tonic::Extensions::new();
    extensions.insert(ctx);
    let result = match route.service {
        "AdminService" => dispatch_admin_service(&state.admin, index, input, metadata, extensions).await,
        "ManagementService" => dispatch_management_service(&state.management, index, input, metadata, extensions).await,
        "SettingsService" => dispatch_settings_service(&state.v2, index, input, metadata, extensions).await,
        "OrganizationService" => dispatch_organization_service(&state.v2, index, input, metadata, extensions).await,
        "FeatureService" => dispatch_feature_service(&state.v2, index, input, metadata, extensions).await,
        "InstanceService" => dispatch_instance_service(&state.v2, index, input, metadata, extensions).await,
        "ProjectService" => dispatch_project_service(&state.v2, index, input, metadata, extensions).await,
        "ApplicationService" => dispatch_application_service(&state.v2, index, input, metadata, extensions).await,
        "WebKeyService" => dispatch_web_key_service(&state.v2, index, input, metadata, extensions).await,
        "UserService" => dispatch_user_service(&state.v2, index, input, metadata, extensions).await,
        _ => Err(CallError::UnknownRoute),
    };
    match result {
        Ok(json) => {
            let status = StatusCode::from_u16(route.success_status()).unwrap_or(StatusCode::OK);
            let mut response = (status, json_headers(), Bytes::from(json)).into_response();
            response.extensions_mut().insert(label);
            response
        }
        Err(CallError::Decode(message)) => {
            error_response(burg_api::error::status(Code::InvalidArgument, "GATEWAY-json2", message), label)
        }
        Err(CallError::Status(status)) => error_response(status, label),
        Err(CallError::Encode(message)) => {
            tracing::error!(rpc = route.method, %message, "cannot encode the answer as JSON");
            error_response(burg_api::error::status(Code::Internal, "GATEWAY-enc01", "internal error"), label)
        }
        Err(CallError::UnknownRoute) => {
            error_response(burg_api::error::status(Code::Internal, "GATEWAY-route", "internal error"), label)
        }
    }
}

fn json_headers() -> [(header::HeaderName, HeaderValue); 1] {
    [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))]
}

fn with_http_status(mut response: Response, status: StatusCode) -> Response {
    *response.status_mut() = status;
    response
}

/// A status as grpc-gateway renders it.
pub(crate) fn error_response(status: tonic::Status, label: CallLabel) -> Response {
    let http_status = burg_api::error::http_status(status.code());
    let body = serde_json::to_vec(&ErrorBody::from_status(&status)).unwrap_or_default();
    let mut response = (http_status, json_headers(), body).into_response();
    response.extensions_mut().insert(CallLabel { code: status.code(), ..label });
    response
}

/// Unknown paths: 404 with grpc-gateway's body.
pub(crate) async fn not_found() -> Response {
    let label = CallLabel { rpc: "unknown", code: Code::NotFound };
    let body = ErrorBody { code: Code::NotFound as i32, message: "Not Found".into(), details: vec![] };
    let mut response =
        (StatusCode::NOT_FOUND, json_headers(), serde_json::to_vec(&body).unwrap_or_default()).into_response();
    response.extensions_mut().insert(label);
    response
}

async fn method_not_allowed() -> Response {
    let label = CallLabel { rpc: "unknown", code: Code::Unimplemented };
    let body = ErrorBody { code: Code::Unimplemented as i32, message: "Method Not Allowed".into(), details: vec![] };
    let mut response =
        (StatusCode::METHOD_NOT_ALLOWED, json_headers(), serde_json::to_vec(&body).unwrap_or_default()).into_response();
    response.extensions_mut().insert(label);
    response
}
