//! Wire details that only one protocol has: gRPC-Web framing, REST status
//! codes and JSON decoding errors, request ids, metrics, restarts.

use burg_api::admin::*;
use burg_testkit::{Backend, Protocol, TestServer, grpc_web_call};
use tonic::Code;

async fn sqlite() -> TestServer {
    TestServer::start(Backend::Sqlite).await.expect("server")
}

#[tokio::test]
async fn grpc_web_health_and_a_read() {
    let s = sqlite().await;
    let http = burg_testkit::http_client();
    for text in [false, true] {
        let _: HealthzResponse = grpc_web_call(
            &http,
            &s.base_url(),
            "",
            None,
            "/zitadel.admin.v1.AdminService/Healthz",
            &HealthzRequest {},
            text,
        )
        .await
        .expect("healthz");
        let r: GetMyInstanceResponse = grpc_web_call(
            &http,
            &s.base_url(),
            &s.admin_token,
            None,
            "/zitadel.admin.v1.AdminService/GetMyInstance",
            &GetMyInstanceRequest {},
            text,
        )
        .await
        .expect("GetMyInstance over gRPC-Web");
        assert_eq!(r.instance.unwrap().id, s.app.instance_id());
        let err = grpc_web_call::<_, GetMyInstanceResponse>(
            &http,
            &s.base_url(),
            "wrong",
            None,
            "/zitadel.admin.v1.AdminService/GetMyInstance",
            &GetMyInstanceRequest {},
            text,
        )
        .await
        .unwrap_err();
        assert_eq!(err.code, Code::Unauthenticated);
    }
    s.stop().await;
}

/// An RPC burg does not serve yet answers Unimplemented with burg's error
/// shape on every protocol (REST: 501 and grpc-gateway's body), after the
/// caller is authorized; a served RPC never does.
#[tokio::test]
async fn unserved_rpcs_answer_unimplemented() {
    use burg_api::routes::ROUTES;
    let s = sqlite().await;
    let unserved = ROUTES.iter().filter(|r| !burg_server::serves(r)).count();
    // burg serves every RPC of both services; an RPC the sheets add later
    // answers Unimplemented until it is served.
    assert_eq!(unserved, 0, "unserved RPCs");
    for protocol in [Protocol::Rest, Protocol::Grpc, Protocol::GrpcWeb] {
        let c = s.client(protocol).await;
        // A v2 RPC without a REST route is reached over gRPC only.
        for route in ROUTES.iter().filter(|r| protocol != Protocol::Rest || !r.http_method.is_empty()) {
            let answer = c.probe(route).await;
            if burg_server::serves(route) {
                assert!(answer.is_ok() || answer.unwrap_err().id != "SERVER-unimp", "{protocol:?} {}", route.method);
                continue;
            }
            let err = answer.unwrap_err();
            assert_eq!(
                (err.code, err.id.as_str()),
                (Code::Unimplemented, "SERVER-unimp"),
                "{protocol:?} {}",
                route.method
            );
            if protocol == Protocol::Rest {
                assert_eq!(err.http_status, Some(501), "{}", route.method);
            }
        }
    }
    s.stop().await;
}

async fn post(s: &TestServer, path: &str, body: &'static str) -> (u16, serde_json::Value) {
    let r = burg_testkit::http_client()
        .post(format!("{}{}", s.base_url(), path))
        .bearer_auth(&s.admin_token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

#[tokio::test]
async fn rest_decoding_errors_name_the_field() {
    let s = sqlite().await;
    let (status, body) = post(&s, "/admin/v1/members/_search", "{not json").await;
    assert_eq!((status, body["code"].as_i64()), (400, Some(3)));
    assert!(body["message"].as_str().unwrap().contains("invalid JSON"), "{body}");
    let (status, body) = post(&s, "/admin/v1/members/_search", r#"{"query":{"limit":"ten"}}"#).await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("query.limit"), "{body}");
    let (status, body) = post(&s, "/admin/v1/members/_search", r#"{"sortingColumn":"BY_MOOD"}"#).await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("sortingColumn"), "{body}");
    let (status, body) = post(&s, "/admin/v1/members/_search", r#"{"query":{"asc":"yes"}}"#).await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("query.asc"), "{body}");
    // Unknown fields are ignored, as ZITADEL's gateway does; numbers may be strings.
    let (status, body) = post(&s, "/admin/v1/members/_search", r#"{"whatever":1,"query":{"limit":"5"}}"#).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["details"]["totalResult"], "1");
    // Unknown paths and methods.
    let r = burg_testkit::http_client().get(format!("{}/admin/v1/nope", s.base_url())).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let r = burg_testkit::http_client().delete(format!("{}/admin/v1/healthz", s.base_url())).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 405);
    s.stop().await;
}

#[tokio::test]
async fn oversized_bodies_are_refused_before_decoding() {
    let s = sqlite().await;
    let big = format!("{{\"language\":\"{}\"}}", "x".repeat(65 * 1024 * 1024));
    let r = burg_testkit::http_client()
        .post(format!("{}/admin/v1/members/_search", s.base_url()))
        .bearer_auth(&s.admin_token)
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], Code::ResourceExhausted as i32);
    assert!(body["message"].as_str().unwrap().contains("larger than the limit"), "{body}");
    s.stop().await;
}

#[tokio::test]
async fn auth_comes_before_validation() {
    let s = sqlite().await;
    let r = burg_testkit::http_client()
        .post(format!("{}/admin/v1/members/_search", s.base_url()))
        .body("{broken")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401, "an unauthenticated malformed call gets 401, not 400");
    s.stop().await;
}

#[tokio::test]
async fn request_ids_and_metrics() {
    let s = sqlite().await;
    let c = s.client(Protocol::Rest).await;
    let _: GetMyInstanceResponse = c.call("GetMyInstance", GetMyInstanceRequest {}).await.unwrap();
    let r = burg_testkit::http_client().get(format!("{}/admin/v1/healthz", s.base_url())).send().await.unwrap();
    assert!(r.headers().get("x-request-id").is_some());
    let r = burg_testkit::http_client()
        .get(format!("{}/admin/v1/healthz", s.base_url()))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "trace-me-42");
    let metrics = burg_testkit::http_client()
        .get(format!("{}/metrics", s.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("burg_requests_total"), "{metrics}");
    assert!(metrics.contains(r#"rpc="GetMyInstance""#), "{metrics}");
    assert!(metrics.contains("burg_request_duration_seconds_bucket"), "{metrics}");
    let ready = burg_testkit::http_client().get(format!("{}/debug/ready", s.base_url())).send().await.unwrap();
    assert_eq!(ready.status().as_u16(), 200);
    s.stop().await;
}

#[tokio::test]
async fn restart_keeps_everything_and_creates_nothing() {
    let s = sqlite().await;
    let c = s.client(Protocol::Grpc).await;
    let _: SetDefaultLanguageResponse =
        c.call("SetDefaultLanguage", SetDefaultLanguageRequest { language: "de".into() }).await.unwrap();
    let instance_id = s.app.instance_id().to_string();
    let token = s.admin_token.clone();
    let again = s.restart().await.unwrap();
    assert_eq!(again.app.instance_id(), instance_id, "the same instance");
    let c = again.client_with_token(Protocol::Rest, &token).await;
    let lang: GetDefaultLanguageResponse = c.call("GetDefaultLanguage", GetDefaultLanguageRequest {}).await.unwrap();
    assert_eq!(lang.language, "de");
    let instances: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM instances").fetch_one(again.app.db().pool()).await.unwrap();
    assert_eq!(instances, 1);
    again.stop().await;
}

#[tokio::test]
async fn a_wrong_master_key_fails_before_serving() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(s) = TestServer::start_or_skip(backend).await else { continue };
        let err = s.restart_with_key("0123456789abcdef0123456789abcdef".into()).await.err().expect("refused");
        assert!(err.contains("master key"), "{err}");
    }
}

/// Every route, every role: a caller without the route's permission gets
/// 403 before anything else happens; a caller with it never does. The table
/// is `ROUTES`, so a new RPC cannot miss its check.
#[tokio::test]
async fn permission_matrix_over_every_route() {
    use burg_api::routes::ROUTES;
    use burg_domain::permission::permissions_of;
    let s = sqlite().await;
    let http = burg_testkit::http_client();
    for role in ["IAM_OWNER_VIEWER", "IAM_USER_MANAGER", "ORG_OWNER"] {
        let token = s.token_with_roles(&[role]).await;
        let granted = permissions_of([role]);
        for route in ROUTES {
            let Some(permission) = route.permission else { continue };
            if route.http_method.is_empty() {
                continue; // gRPC only; the same check guards both
            }
            let path = route.http_path.replace(['{', '}'], "");
            let method = http::Method::from_bytes(route.http_method.as_bytes()).unwrap();
            let mut request = http.request(method, format!("{}{}", s.base_url(), path)).bearer_auth(&token);
            if route.body == "*" {
                request = request.header("content-type", "application/json").body("{}");
            }
            let status = request.send().await.unwrap().status().as_u16();
            let org_scoped = route.service == "ManagementService" && role.starts_with("ORG_");
            let allowed = permission == "authenticated" || route.org_in_request() || granted.contains(permission);
            if allowed || org_scoped && granted.contains(permission) {
                assert_ne!(status, 403, "{role} holds {permission} for {}", route.method);
            } else {
                assert_eq!(status, 403, "{role} lacks {permission} for {}", route.method);
            }
        }
    }
    s.stop().await;
}

/// Found by the `duration` fuzz target: pbjson-types negates i64::MIN on a
/// doubled minus sign. The request is refused, the server stays up.
#[tokio::test]
async fn a_duration_that_overflows_is_refused() {
    let s = sqlite().await;
    let r = burg_testkit::http_client()
        .put(format!("{}/admin/v1/policies/login", s.base_url()))
        .bearer_auth(&s.admin_token)
        .body(r#"{"passwordCheckLifetime": "--9223372036854775808s"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let ok = burg_testkit::http_client().get(format!("{}/admin/v1/healthz", s.base_url())).send().await.unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    s.stop().await;
}
