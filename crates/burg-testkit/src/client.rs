//! One client, three protocols, the same typed messages.

use burg_api::routes::Route;
use prost::Message;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tonic::Code;

/// How a [`Client`] talks to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Rest,
    Grpc,
    GrpcWeb,
    /// REST requests handed to the server's router in the test's own
    /// process, without a socket: for the many validation, permission and
    /// error cases, which do not depend on the transport.
    InProcess,
}

/// An error answer, whatever the protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: Code,
    pub message: String,
    /// The `zitadel.v1.ErrorDetail` id, when the server sent one.
    pub id: String,
    /// The HTTP status (REST only).
    pub http_status: Option<u16>,
}

/// A client for one server, token and protocol.
#[derive(Clone)]
pub struct Client {
    pub protocol: Protocol,
    base: String,
    token: String,
    org: Option<String>,
    http: reqwest::Client,
    channel: Option<tonic::transport::Channel>,
    /// The router [`Protocol::InProcess`] calls.
    router: Option<axum::Router>,
    /// Every answer body this client (and its clones) received, as sent:
    /// JSON for REST, protobuf bytes for gRPC, plus error messages. `None`
    /// for a client that keeps nothing (a load run would grow it without end).
    transcript: Option<std::sync::Arc<std::sync::Mutex<Vec<u8>>>>,
}

impl Client {
    pub async fn connect(base: &str, token: &str, protocol: Protocol) -> Client {
        let channel = match protocol {
            Protocol::Grpc => Some(
                tonic::transport::Endpoint::from_shared(base.to_string())
                    .expect("endpoint")
                    .connect()
                    .await
                    .expect("gRPC connect"),
            ),
            _ => None,
        };
        Client {
            protocol,
            base: base.to_string(),
            token: token.to_string(),
            org: None,
            http: http_client(),
            channel,
            router: None,
            transcript: Some(Default::default()),
        }
    }

    /// A client that hands its REST requests to `router` directly.
    pub fn in_process(router: axum::Router, token: &str) -> Client {
        Client {
            protocol: Protocol::InProcess,
            base: "http://in-process".into(),
            token: token.to_string(),
            org: None,
            http: http_client(),
            channel: None,
            router: Some(router),
            transcript: Some(Default::default()),
        }
    }

    /// The same client, keeping no transcript from now on.
    pub fn without_transcript(&self) -> Client {
        Client { transcript: None, ..self.clone() }
    }

    /// The same client with another bearer token ("" for none).
    pub fn with_token(&self, token: &str) -> Client {
        Client { token: token.to_string(), ..self.clone() }
    }

    /// The same client working on organization `org` (`x-zitadel-orgid`).
    pub fn with_org(&self, org: &str) -> Client {
        Client { org: Some(org.to_string()), ..self.clone() }
    }

    /// All answer bytes received so far (see the `transcript` field).
    pub fn transcript(&self) -> Vec<u8> {
        self.transcript.as_ref().map(|t| t.lock().unwrap().clone()).unwrap_or_default()
    }

    fn record(&self, bytes: &[u8]) {
        if let Some(transcript) = &self.transcript {
            let mut t = transcript.lock().unwrap();
            t.extend_from_slice(bytes);
            t.push(b'\n');
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// Calls RPC `method` (e.g. `GetProviderByID`) of the service whose
    /// request type `Req` is.
    pub async fn call<Req, Resp>(&self, method: &str, request: Req) -> Result<Resp, ApiError>
    where
        Req: Message + Serialize + Default + Send + Sync + 'static,
        Resp: Message + DeserializeOwned + Default + Send + Sync + 'static,
    {
        // The request's Rust module names its package (`…::zitadel::management::v1::X`
        // is `zitadel.management.v1`), and the package its service.
        let type_name = std::any::type_name::<Req>();
        let module = type_name.rsplit_once("::").map_or(type_name, |(module, _)| module);
        let package = module.rsplit_once("zitadel::").map_or(module, |(_, p)| p).replace("::", ".");
        let prefix = format!("/zitadel.{package}.");
        let route = burg_api::routes::ROUTES
            .iter()
            .find(|r| r.method == method && r.grpc_path.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no RPC named {method} in package zitadel.{package}"));
        match self.protocol {
            Protocol::Rest | Protocol::InProcess => self.rest(route, &request).await,
            Protocol::Grpc => self.grpc(route, request).await,
            Protocol::GrpcWeb => {
                grpc_web_call(
                    &self.http,
                    &self.base,
                    &self.token,
                    self.org.as_deref(),
                    route.grpc_path,
                    &request,
                    false,
                )
                .await
            }
        }
    }

    /// Calls RPC `method` of `service` (`"AdminService"`, …) over REST with
    /// a JSON body as given: for inputs a typed message cannot carry, such
    /// as an enum number its enum does not define.
    pub async fn call_json(
        &self,
        service: &str,
        method: &str,
        body: serde_json::Value,
    ) -> Result<serde_json::Value, ApiError> {
        assert!(matches!(self.protocol, Protocol::Rest | Protocol::InProcess), "call_json speaks REST");
        let (_, route) = Route::by_method(service, method).unwrap_or_else(|| panic!("no route {service}.{method}"));
        self.rest(route, &body).await
    }

    /// Calls `route` with an empty request (every path parameter `0`,
    /// which strings, numbers and enums all read), ignoring the answer's
    /// content: for tests of who may call what.
    pub async fn probe(&self, route: &'static Route) -> Result<(), ApiError> {
        match self.protocol {
            Protocol::Rest | Protocol::InProcess => {
                let path = burg_api::path_template::fill(route.http_path, |_| "0".to_string());
                let method = http::Method::from_bytes(route.http_method.as_bytes()).expect("method");
                let mut builder = self.http.request(method, format!("{}{path}", self.base));
                if route.body == "*" {
                    builder = builder.json(&serde_json::json!({}));
                }
                let (status, bytes) = self.send(builder).await;
                if (200..300).contains(&status) { Ok(()) } else { Err(rest_error(status, &bytes)) }
            }
            // The empty message is every message's default: `()` encodes it.
            Protocol::Grpc => self.grpc::<(), ()>(route, ()).await,
            Protocol::GrpcWeb => {
                grpc_web_call::<(), ()>(
                    &self.http,
                    &self.base,
                    &self.token,
                    self.org.as_deref(),
                    route.grpc_path,
                    &(),
                    false,
                )
                .await
            }
        }
    }

    /// Sends a REST request with this client's token and organization
    /// header: the status and the body.
    async fn send(&self, mut builder: reqwest::RequestBuilder) -> (u16, bytes::Bytes) {
        if !self.token.is_empty() {
            builder = builder.bearer_auth(&self.token);
        }
        if let Some(org) = &self.org {
            builder = builder.header("x-zitadel-orgid", org);
        }
        if let Some(router) = &self.router {
            return in_process(router, builder).await;
        }
        let response = builder.send().await.expect("REST call");
        let status = response.status().as_u16();
        (status, response.bytes().await.expect("REST body"))
    }

    async fn rest<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        route: &Route,
        request: &Req,
    ) -> Result<Resp, ApiError> {
        assert!(!route.http_method.is_empty(), "{} has no REST route: call it over gRPC", route.method);
        let mut object = match serde_json::to_value(request).expect("request JSON") {
            serde_json::Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        let path = burg_api::path_template::fill(route.http_path, |name| {
            let json = route.path_fields.iter().find(|(field, ..)| *field == name).map_or(name, |(_, json, _)| *json);
            let value = object.remove(json).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            percent_encode(&value)
        });
        let url = format!("{}{}", self.base, path);
        let method = http::Method::from_bytes(route.http_method.as_bytes()).expect("method");
        let mut builder = self.http.request(method, &url);
        if route.body == "*" {
            builder = builder.json(&object);
        } else {
            let mut query = Vec::new();
            query_pairs("", object, &mut query);
            builder = builder.query(&query);
        }
        let (status, bytes) = self.send(builder).await;
        self.record(&bytes);
        // 200, or the success code of a route that names its own (201).
        if (200..300).contains(&status) {
            return Ok(serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("bad JSON answer {e}: {}", String::from_utf8_lossy(&bytes))));
        }
        Err(rest_error(status, &bytes))
    }

    async fn grpc<Req, Resp>(&self, route: &Route, request: Req) -> Result<Resp, ApiError>
    where
        Req: Message + Send + Sync + 'static,
        Resp: Message + Default + Send + Sync + 'static,
    {
        let channel = self.channel.clone().expect("gRPC channel");
        let mut grpc = tonic::client::Grpc::new(channel);
        grpc.ready().await.expect("gRPC ready");
        let mut request = tonic::Request::new(request);
        if !self.token.is_empty() {
            request.metadata_mut().insert("authorization", format!("Bearer {}", self.token).parse().expect("header"));
        }
        if let Some(org) = &self.org {
            request.metadata_mut().insert("x-zitadel-orgid", org.parse().expect("header"));
        }
        let path = http::uri::PathAndQuery::from_static(route.grpc_path);
        let codec = tonic_prost::ProstCodec::<Req, Resp>::default();
        let answer = grpc.unary(request, path, codec).await.map(tonic::Response::into_inner);
        match &answer {
            Ok(message) => self.record(&message.encode_to_vec()),
            Err(status) => {
                self.record(status.message().as_bytes());
                self.record(status.details());
            }
        }
        answer.map_err(|status| ApiError {
            code: status.code(),
            message: status.message().to_string(),
            id: burg_api::error::detail(&status).map(|d| d.id).unwrap_or_default(),
            http_status: None,
        })
    }
}

/// A REST error answer: grpc-gateway's JSON body and the HTTP status.
fn rest_error(status: u16, bytes: &[u8]) -> ApiError {
    let body: serde_json::Value = serde_json::from_slice(bytes).unwrap_or_default();
    ApiError {
        code: Code::from(body["code"].as_i64().unwrap_or(2) as i32),
        message: body["message"].as_str().unwrap_or_default().to_string(),
        id: body["details"][0]["id"].as_str().unwrap_or_default().to_string(),
        http_status: Some(status),
    }
}

fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One gRPC-Web call over HTTP/1.1 (`application/grpc-web+proto`, or
/// `application/grpc-web-text` when `text`).
pub async fn grpc_web_call<Req: Message, Resp: Message + Default>(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    org: Option<&str>,
    grpc_path: &str,
    request: &Req,
    text: bool,
) -> Result<Resp, ApiError> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let message = request.encode_to_vec();
    let mut frame = vec![0u8];
    frame.extend_from_slice(&(message.len() as u32).to_be_bytes());
    frame.extend_from_slice(&message);
    let (content_type, body) = if text {
        ("application/grpc-web-text", b64.encode(&frame).into_bytes())
    } else {
        ("application/grpc-web+proto", frame)
    };
    let mut builder = http
        .post(format!("{base}{grpc_path}"))
        .header("content-type", content_type)
        .header("accept", content_type)
        .header("x-grpc-web", "1")
        .body(body);
    if !token.is_empty() {
        builder = builder.bearer_auth(token);
    }
    if let Some(org) = org {
        builder = builder.header("x-zitadel-orgid", org);
    }
    let response = builder.send().await.expect("gRPC-Web call");
    let header_status = response.headers().get("grpc-status").and_then(|v| v.to_str().ok()).map(str::to_string);
    let header_message = response.headers().get("grpc-message").and_then(|v| v.to_str().ok()).map(str::to_string);
    let header_details =
        response.headers().get("grpc-status-details-bin").and_then(|v| v.to_str().ok()).map(str::to_string);
    let raw = response.bytes().await.expect("gRPC-Web body").to_vec();
    // grpc-web-text bodies are base64 chunks, each padded on its own: decode
    // quantum by quantum.
    let data = if text {
        let clean: Vec<u8> = raw.into_iter().filter(|b| !b.is_ascii_whitespace()).collect();
        clean.chunks(4).flat_map(|q| b64.decode(q).expect("grpc-web-text base64")).collect()
    } else {
        raw
    };
    let mut message: Option<Resp> = None;
    let mut trailers = String::new();
    let mut rest = &data[..];
    while rest.len() >= 5 {
        let flag = rest[0];
        let len = u32::from_be_bytes([rest[1], rest[2], rest[3], rest[4]]) as usize;
        let payload = &rest[5..5 + len];
        if flag & 0x80 != 0 {
            trailers.push_str(&String::from_utf8_lossy(payload));
        } else {
            message = Some(Resp::decode(payload).expect("gRPC-Web message"));
        }
        rest = &rest[5 + len..];
    }
    let mut status = header_status;
    let mut status_message = header_message;
    let mut details = header_details;
    for line in trailers.split("\r\n") {
        if let Some((k, v)) = line.split_once(':') {
            match k.trim().to_ascii_lowercase().as_str() {
                "grpc-status" => status = Some(v.trim().to_string()),
                "grpc-message" => status_message = Some(v.trim().to_string()),
                "grpc-status-details-bin" => details = Some(v.trim().to_string()),
                _ => {}
            }
        }
    }
    let code = status.and_then(|s| s.parse::<i32>().ok()).map(Code::from).unwrap_or(Code::Unknown);
    if code == Code::Ok {
        Ok(message.unwrap_or_default())
    } else {
        let message = status_message.map(|m| percent_decode(&m)).unwrap_or_default();
        // The details travel as base64, padded or not.
        let details = details
            .and_then(|d| base64::engine::general_purpose::STANDARD_NO_PAD.decode(d.trim_end_matches('=')).ok())
            .unwrap_or_default();
        let status = tonic::Status::with_details(code, message.clone(), details.into());
        Err(ApiError {
            code,
            message,
            id: burg_api::error::detail(&status).map(|d| d.id).unwrap_or_default(),
            http_status: None,
        })
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A reqwest client; reqwest wants a TLS provider chosen even for http.
// Test code: a client of the server under test, not burg's egress.
#[allow(clippy::disallowed_methods)]
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// Hands a built REST request to `router` and collects its answer.
async fn in_process(router: &axum::Router, builder: reqwest::RequestBuilder) -> (u16, bytes::Bytes) {
    use tower::ServiceExt;
    let request = builder.build().expect("request");
    let mut http_request = http::Request::builder().method(request.method().clone()).uri(request.url().as_str());
    for (name, value) in request.headers() {
        http_request = http_request.header(name, value);
    }
    let body = request.body().and_then(|b| b.as_bytes()).map(bytes::Bytes::copy_from_slice).unwrap_or_default();
    let http_request = http_request.body(axum::body::Body::from(body)).expect("request");
    let response = router.clone().oneshot(http_request).await.expect("the router answers");
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("answer body");
    (status, body)
}

/// A request's fields as query parameters, nested ones by a dotted path
/// (`query.limit=5`), as grpc-gateway reads them; lists are left out.
fn query_pairs(prefix: &str, object: serde_json::Map<String, serde_json::Value>, out: &mut Vec<(String, String)>) {
    for (key, value) in object {
        let key = format!("{prefix}{key}");
        match value {
            serde_json::Value::String(s) => out.push((key, s)),
            serde_json::Value::Bool(b) => out.push((key, b.to_string())),
            serde_json::Value::Number(n) => out.push((key, n.to_string())),
            serde_json::Value::Object(inner) => query_pairs(&format!("{key}."), inner, out),
            // A repeated scalar: one pair per item, as grpc-gateway reads it.
            serde_json::Value::Array(items) => {
                for item in items {
                    match item {
                        serde_json::Value::String(s) => out.push((key.clone(), s)),
                        serde_json::Value::Bool(_) | serde_json::Value::Number(_) => {
                            out.push((key.clone(), item.to_string()))
                        }
                        _ => {}
                    }
                }
            }
            serde_json::Value::Null => {}
        }
    }
}
