//! Event payloads as ZITADEL writes them (issue 17, P3): type names,
//! member names, units, and members left out when zero, read from the
//! store as written and through `ListEvents`.

use std::sync::Arc;

use burg_api::admin::*;
use burg_testkit::{Client, TestServer, matrix};
use serde_json::{Value, json};

matrix!(org_removed_has_no_payload);

/// The payloads of the stored events of `event_type`, oldest first, as
/// written (sealed values included).
pub async fn stored(s: &TestServer, event_type: &str) -> Vec<Value> {
    let rows: Vec<String> = sqlx::query_scalar("SELECT payload FROM events WHERE event_type = $1 ORDER BY position")
        .bind(event_type)
        .fetch_all(s.app.db().pool())
        .await
        .unwrap();
    rows.iter().map(|p| serde_json::from_str(p).unwrap()).collect()
}

/// The payload of the newest stored event of `event_type`.
pub async fn last(s: &TestServer, event_type: &str) -> Value {
    stored(s, event_type).await.pop().unwrap_or_else(|| panic!("no {event_type} event"))
}

/// The events `ListEvents` lists for aggregate `id`, oldest first.
pub async fn listed(c: &Client, id: &str) -> Vec<burg_api::zitadel::event::v1::Event> {
    let r: ListEventsResponse = c
        .call("ListEvents", ListEventsRequest { aggregate_id: id.into(), asc: true, ..Default::default() })
        .await
        .unwrap();
    r.events
}

fn type_of(e: &burg_api::zitadel::event::v1::Event) -> &str {
    e.r#type.as_ref().map(|t| t.r#type.as_str()).unwrap_or_default()
}

async fn org_removed_has_no_payload(s: Arc<TestServer>, c: Client) {
    let org: SetUpOrgResponse = c.call("SetUpOrg", crate::orgs::setup_request("Fleeting")).await.unwrap();
    let _: RemoveOrgResponse = c.call("RemoveOrg", RemoveOrgRequest { org_id: org.org_id.clone() }).await.unwrap();
    // `repository/org` OrgRemovedEvent: Payload() is nil.
    assert_eq!(last(&s, "org.removed").await, Value::Null);
    let events = listed(&c, &org.org_id).await;
    let removed = events.iter().find(|e| type_of(e) == "org.removed").unwrap();
    assert_eq!(removed.payload, None, "listed without a payload, as ZITADEL");
    let added = events.iter().find(|e| type_of(e) == "org.added").unwrap();
    assert_eq!(serde_json::to_value(added.payload.as_ref().unwrap()).unwrap(), json!({"name": "Fleeting"}));
}
