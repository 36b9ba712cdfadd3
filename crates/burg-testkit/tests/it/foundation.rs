//! The foundation: health, instance, events, auth and the error shapes, on
//! both backends and over REST and gRPC.

use std::sync::Arc;

use burg_api::admin::*;
use burg_testkit::{Client, Protocol, TestServer, matrix};
use tonic::Code;

matrix!(healthz_needs_no_token, my_instance, events_list_the_bootstrap, bad_tokens_are_unauthenticated);

async fn healthz_needs_no_token(_s: Arc<TestServer>, c: Client) {
    let anonymous = c.with_token("");
    let _: HealthzResponse = anonymous.call("Healthz", HealthzRequest {}).await.expect("healthz");
}

async fn my_instance(s: Arc<TestServer>, c: Client) {
    let r: GetMyInstanceResponse = c.call("GetMyInstance", GetMyInstanceRequest {}).await.unwrap();
    let instance = r.instance.unwrap();
    assert_eq!(instance.id, s.app.instance_id());
    assert_eq!(instance.name, "burg");
    assert_eq!(instance.state, burg_api::zitadel::instance::v1::State::Running as i32);
    let details = instance.details.unwrap();
    assert!(details.sequence >= 5, "the instance aggregate has its bootstrap events");
    assert_eq!(details.resource_owner, instance.id);
    assert_eq!(instance.domains.len(), 1);
    assert!(instance.domains[0].primary && instance.domains[0].generated);
}

async fn events_list_the_bootstrap(s: Arc<TestServer>, c: Client) {
    let r: ListEventsResponse =
        c.call("ListEvents", ListEventsRequest { asc: true, limit: 2, ..Default::default() }).await.unwrap();
    assert_eq!(r.events.len(), 2);
    let first = &r.events[0];
    assert_eq!(first.r#type.as_ref().unwrap().r#type, "instance.added");
    assert_eq!(first.aggregate.as_ref().unwrap().id, s.app.instance_id());
    assert_eq!(first.sequence, 1);
    let filtered: ListEventsResponse = c
        .call("ListEvents", ListEventsRequest { event_types: vec!["user.machine.added".into()], ..Default::default() })
        .await
        .unwrap();
    assert!(!filtered.events.is_empty());
    assert!(filtered.events.iter().all(|e| e.r#type.as_ref().unwrap().r#type == "user.machine.added"));
    let types: ListEventTypesResponse = c.call("ListEventTypes", ListEventTypesRequest {}).await.unwrap();
    assert!(types.event_types.iter().any(|t| t.r#type == "instance.added"));
    let aggs: ListAggregateTypesResponse = c.call("ListAggregateTypes", ListAggregateTypesRequest {}).await.unwrap();
    assert!(aggs.aggregate_types.iter().any(|t| t.r#type == "org"));
}

async fn bad_tokens_are_unauthenticated(_s: Arc<TestServer>, c: Client) {
    for token in ["", "nope", "Bearer"] {
        let err = c
            .with_token(token)
            .call::<_, GetMyInstanceResponse>("GetMyInstance", GetMyInstanceRequest {})
            .await
            .unwrap_err();
        assert_eq!(err.code, Code::Unauthenticated, "token {token:?}");
        if c.protocol == Protocol::Rest {
            assert_eq!(err.http_status, Some(401));
        }
    }
}
