//! The one error shape of both protocols.
//!
//! gRPC carries the code, the message and, in `grpc-status-details-bin`, a
//! `google.rpc.Status` whose details hold a `zitadel.v1.ErrorDetail` with a
//! stable error id. REST carries the same as
//! `{"code": n, "message": "…", "details": [{"@type": "…ErrorDetail", "id": "…", "message": "…"}]}`
//! with the HTTP status grpc-gateway maps from the code.

use prost::Message;
use serde::Serialize;
use tonic::Code;

use crate::zitadel::v1::ErrorDetail;

/// `type.googleapis.com/zitadel.v1.ErrorDetail`
pub const ERROR_DETAIL_TYPE: &str = "type.googleapis.com/zitadel.v1.ErrorDetail";

#[derive(Clone, PartialEq, ::prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(message, repeated, tag = "3")]
    details: Vec<pbjson_types::Any>,
}

/// A status whose details carry a [`ErrorDetail`] with `id`.
pub fn status(code: Code, id: &str, message: impl Into<String>) -> tonic::Status {
    let message = message.into();
    let detail = ErrorDetail { id: id.to_string(), message: message.clone() };
    let rpc = RpcStatus {
        code: code as i32,
        message: message.clone(),
        details: vec![pbjson_types::Any { type_url: ERROR_DETAIL_TYPE.into(), value: detail.encode_to_vec().into() }],
    };
    tonic::Status::with_details(code, message, rpc.encode_to_vec().into())
}

/// The answer of an RPC burg does not serve yet: the default body of every
/// generated service trait method.
pub fn unimplemented() -> tonic::Status {
    status(Code::Unimplemented, "SERVER-unimp", "burg does not serve this RPC yet")
}

/// The [`ErrorDetail`] a status carries, if any.
pub fn detail(status: &tonic::Status) -> Option<ErrorDetail> {
    let rpc = RpcStatus::decode(status.details()).ok()?;
    rpc.details
        .iter()
        .find(|any| any.type_url == ERROR_DETAIL_TYPE)
        .and_then(|any| ErrorDetail::decode(any.value.as_ref()).ok())
}

/// The HTTP status grpc-gateway uses for a gRPC code.
pub fn http_status(code: Code) -> http::StatusCode {
    use http::StatusCode as S;
    match code {
        Code::Ok => S::OK,
        Code::Cancelled => S::from_u16(499).unwrap_or(S::BAD_REQUEST),
        Code::Unknown | Code::Internal | Code::DataLoss => S::INTERNAL_SERVER_ERROR,
        Code::InvalidArgument | Code::FailedPrecondition | Code::OutOfRange => S::BAD_REQUEST,
        Code::DeadlineExceeded => S::GATEWAY_TIMEOUT,
        Code::NotFound => S::NOT_FOUND,
        Code::AlreadyExists | Code::Aborted => S::CONFLICT,
        Code::PermissionDenied => S::FORBIDDEN,
        Code::ResourceExhausted => S::TOO_MANY_REQUESTS,
        Code::Unimplemented => S::NOT_IMPLEMENTED,
        Code::Unavailable => S::SERVICE_UNAVAILABLE,
        Code::Unauthenticated => S::UNAUTHORIZED,
    }
}

/// The REST error body.
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    pub code: i32,
    pub message: String,
    pub details: Vec<ErrorBodyDetail>,
}

/// One entry of [`ErrorBody::details`].
#[derive(Debug, Serialize)]
pub struct ErrorBodyDetail {
    #[serde(rename = "@type")]
    pub type_url: &'static str,
    pub id: String,
    pub message: String,
}

impl ErrorBody {
    /// The REST body of a status.
    pub fn from_status(status: &tonic::Status) -> Self {
        let details = detail(status)
            .map(|d| ErrorBodyDetail { type_url: ERROR_DETAIL_TYPE, id: d.id, message: d.message })
            .into_iter()
            .collect();
        ErrorBody { code: status.code() as i32, message: status.message().to_string(), details }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_round_trips_through_grpc_details() {
        let s = status(Code::NotFound, "IDP-abc12", "provider not found");
        let d = detail(&s).expect("detail");
        assert_eq!((d.id.as_str(), d.message.as_str()), ("IDP-abc12", "provider not found"));
        let body = serde_json::to_value(ErrorBody::from_status(&s)).unwrap();
        assert_eq!(body["code"], 5);
        assert_eq!(body["details"][0]["@type"], ERROR_DETAIL_TYPE);
        assert_eq!(body["details"][0]["id"], "IDP-abc12");
    }

    #[test]
    fn gateway_status_table() {
        assert_eq!(http_status(Code::InvalidArgument), 400);
        assert_eq!(http_status(Code::Unauthenticated), 401);
        assert_eq!(http_status(Code::PermissionDenied), 403);
        assert_eq!(http_status(Code::NotFound), 404);
        assert_eq!(http_status(Code::AlreadyExists), 409);
        assert_eq!(http_status(Code::FailedPrecondition), 400);
        assert_eq!(http_status(Code::DeadlineExceeded), 504);
        assert_eq!(http_status(Code::Internal), 500);
        assert_eq!(http_status(Code::Cancelled), 499);
    }
}
