//! The instance's default policies of the Admin API (issue 18): ZITADEL's
//! defaults on a new instance and on a store made before them, update then
//! get, the refused no-change update, and ZITADEL's checks and error ids.
//! Permissions are covered by the authorization table (`authz.rs`).

use std::sync::Arc;

use burg_api::admin::*;
use burg_testkit::{Backend, Client, Protocol, TestServer, in_process, matrix};
use tonic::Code;

/// The type of the instance's newest event.
async fn last_event_type(c: &Client) -> String {
    let events: ListEventsResponse =
        c.call("ListEvents", ListEventsRequest { limit: 1, ..Default::default() }).await.unwrap();
    events.events[0].r#type.as_ref().unwrap().r#type.clone()
}

matrix!(password_complexity_policy);

async fn password_complexity_policy(s: Arc<TestServer>, c: Client) {
    let got: GetPasswordComplexityPolicyResponse =
        c.call("GetPasswordComplexityPolicy", GetPasswordComplexityPolicyRequest {}).await.unwrap();
    let p = got.policy.unwrap();
    assert_eq!(
        (p.min_length, p.has_uppercase, p.has_lowercase, p.has_number, p.has_symbol, p.is_default),
        (8, true, true, true, true, true),
        "cmd/defaults.yaml"
    );
    assert_eq!(p.details.unwrap().resource_owner, s.app.instance_id());

    let update = UpdatePasswordComplexityPolicyRequest {
        min_length: 12,
        has_uppercase: false,
        has_lowercase: true,
        has_number: true,
        has_symbol: false,
    };
    let changed: UpdatePasswordComplexityPolicyResponse =
        c.call("UpdatePasswordComplexityPolicy", update.clone()).await.unwrap();
    let sequence = changed.details.unwrap().sequence;
    let got: GetPasswordComplexityPolicyResponse =
        c.call("GetPasswordComplexityPolicy", GetPasswordComplexityPolicyRequest {}).await.unwrap();
    let p = got.policy.unwrap();
    assert_eq!(
        (p.min_length, p.has_uppercase, p.has_lowercase, p.has_number, p.has_symbol, p.is_default),
        (12, false, true, true, false, true)
    );
    assert_eq!(p.details.unwrap().sequence, sequence, "read your write");
    assert_eq!(last_event_type(&c).await, "instance.policy.password.complexity.changed");

    let err = c.call::<_, UpdatePasswordComplexityPolicyResponse>("UpdatePasswordComplexityPolicy", update).await;
    let err = err.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "INSTANCE-9jlsf"));
}

in_process!(policy_checks_answer_as_zitadel);

async fn policy_checks_answer_as_zitadel(s: Arc<TestServer>, c: Client) {
    let before = s.event_count().await;
    for min_length in [0, 73] {
        let update = UpdatePasswordComplexityPolicyRequest { min_length, ..Default::default() };
        let err = c.call::<_, UpdatePasswordComplexityPolicyResponse>("UpdatePasswordComplexityPolicy", update).await;
        let err = err.unwrap_err();
        assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "MODEL-Lsp0e"), "minLength {min_length}");
    }
    let longest = UpdatePasswordComplexityPolicyRequest { min_length: 72, ..Default::default() };
    let _: UpdatePasswordComplexityPolicyResponse = c.call("UpdatePasswordComplexityPolicy", longest).await.unwrap();
    assert_eq!(s.event_count().await, before + 1);
}

/// A store made before the policies were declared holds only the login
/// policy: opening it gives the instance ZITADEL's defaults of the others.
#[tokio::test]
async fn a_store_without_the_policies_gets_their_defaults() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(s) = TestServer::start_or_skip(backend).await else { continue };
        let pool = s.app.db().pool();
        sqlx::query("DELETE FROM settings WHERE kind <> 'policy.login'").execute(pool).await.unwrap();
        sqlx::query(
            "DELETE FROM events WHERE event_type LIKE 'instance.policy.%' AND event_type NOT LIKE 'instance.policy.login%'",
        )
        .execute(pool)
        .await
        .unwrap();
        let token = s.admin_token.clone();
        let s = s.restart().await.unwrap();
        let c = s.client_with_token(Protocol::Grpc, &token).await;
        let got: GetPasswordComplexityPolicyResponse =
            c.call("GetPasswordComplexityPolicy", GetPasswordComplexityPolicyRequest {}).await.unwrap();
        let p = got.policy.unwrap();
        assert_eq!((p.min_length, p.has_symbol, p.is_default), (8, true, true), "{backend:?}");
        let added: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM events WHERE event_type = 'instance.policy.password.complexity.added'",
        )
        .fetch_one(s.app.db().pool())
        .await
        .unwrap();
        assert_eq!(added, 1, "written once, as an event");
        // A second start finds them and writes nothing.
        let events = s.event_count().await;
        let s = s.restart().await.unwrap();
        assert_eq!(s.event_count().await, events);
        s.stop().await;
    }
}
