//! The Management API's actions and flows: imported and created actions
//! are one list, flows name them, deleting one takes it out of its flows,
//! and the export writes both in the import's shape.

use std::sync::Arc;

use burg_api::management::*;
use burg_api::object::{ListQuery, TextQueryMethod};
use burg_api::wkt::Duration;
use burg_api::zitadel::action::v1::{ActionNameQuery, ActionState, ActionStateQuery};
use burg_testkit::{Client, Protocol, TestServer, in_process, matrix};
use serde_json::{Value, json};
use tonic::Code;

const ORG: &str = "390000000000000001";
const IMPORTED: &str = "390000000000000002";

async fn imported(s: &TestServer) {
    let doc = json!({"orgs": [{
        "orgId": ORG, "org": {"name": "Actors"},
        "actions": [{"actionId": IMPORTED, "action": {"name": "enrich", "script": "function enrich(ctx, api) {}",
                     "timeout": "10s", "allowedToFail": true}}],
        "triggerActions": [{"flowType": "FLOW_TYPE_EXTERNAL_AUTHENTICATION",
                            "triggerType": "TRIGGER_TYPE_POST_AUTHENTICATION", "actionIds": [IMPORTED]}]
    }]});
    let r = s.client(Protocol::Rest).await;
    let report = r.call_json("AdminService", "ImportData", json!({"dataOrgs": doc, "timeout": "1m"})).await.unwrap();
    assert!(report.get("errors").is_none(), "{report}");
}

async fn exported(s: &TestServer) -> Value {
    let r = s.client(Protocol::Rest).await;
    let doc = r.call_json("AdminService", "ExportData", json!({"orgIds": [ORG]})).await.unwrap();
    doc["orgs"][0].clone()
}

fn secs(seconds: i64) -> Option<Duration> {
    Some(Duration { seconds, nanos: 0 })
}

/// A flow's triggers: trigger id and the names of its actions.
async fn flow(c: &Client, flow_type: &str) -> Vec<(String, Vec<String>)> {
    let got: GetFlowResponse = c.call("GetFlow", GetFlowRequest { r#type: flow_type.into() }).await.unwrap();
    let flow = got.flow.unwrap();
    assert_eq!(flow.r#type.unwrap().id, flow_type);
    flow.trigger_actions
        .into_iter()
        .map(|t| (t.trigger_type.unwrap().id, t.actions.into_iter().map(|a| a.name).collect()))
        .collect()
}

matrix!(actions_imported_and_created_alike);

async fn actions_imported_and_created_alike(s: Arc<TestServer>, c: Client) {
    imported(&s).await;
    let c = c.with_org(ORG);
    let got: GetActionResponse = c.call("GetAction", GetActionRequest { id: IMPORTED.into() }).await.unwrap();
    let a = got.action.unwrap();
    assert_eq!(
        (a.name.as_str(), a.timeout, a.allowed_to_fail, a.state),
        ("enrich", secs(10), true, ActionState::Active as i32)
    );
    assert_eq!(a.details.unwrap().resource_owner, ORG);

    let create = CreateActionRequest {
        name: "second".into(),
        script: "function second(ctx, api) {}".into(),
        timeout: Some(Duration { seconds: 1, nanos: 500_000_000 }),
        allowed_to_fail: false,
    };
    let created: CreateActionResponse = c.call("CreateAction", create.clone()).await.unwrap();
    let second = created.id.clone();
    assert_eq!(created.details.unwrap().resource_owner, ORG);
    let taken = CreateActionRequest { name: "enrich".into(), ..create.clone() };
    let err = c.call::<_, CreateActionResponse>("CreateAction", taken).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::AlreadyExists, "V3-DKcYh"));

    let names = |c: Client, queries: Vec<ActionQuery>| async move {
        let req = ListActionsRequest { query: Some(ListQuery::default()), sorting_column: 0, queries };
        let listed: ListActionsResponse = c.call("ListActions", req).await.unwrap();
        assert_eq!(listed.details.unwrap().total_result as usize, listed.result.len());
        listed.result.into_iter().map(|a| a.name).collect::<Vec<_>>()
    };
    assert_eq!(names(c.clone(), vec![]).await, ["enrich", "second"]);
    let by_name = vec![ActionQuery {
        query: Some(action_query::Query::ActionNameQuery(ActionNameQuery {
            name: "SEC".into(),
            method: TextQueryMethod::StartsWithIgnoreCase as i32,
        })),
    }];
    assert_eq!(names(c.clone(), by_name).await, ["second"]);

    // The imported flow names the imported action; setting it names both.
    assert_eq!(flow(&c, "1").await, vec![("1".to_string(), vec!["enrich".to_string()])]);
    let set = SetTriggerActionsRequest {
        flow_type: "1".into(),
        trigger_type: "1".into(),
        action_ids: vec![IMPORTED.into(), second.clone()],
    };
    let _: SetTriggerActionsResponse = c.call("SetTriggerActions", set.clone()).await.unwrap();
    let err = c.call::<_, SetTriggerActionsResponse>("SetTriggerActions", set).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-Nfh52"));
    assert_eq!(flow(&c, "1").await, vec![("1".to_string(), vec!["enrich".to_string(), "second".to_string()])]);
    // Another flow, cleared again.
    let token =
        SetTriggerActionsRequest { flow_type: "2".into(), trigger_type: "5".into(), action_ids: vec![second.clone()] };
    let _: SetTriggerActionsResponse = c.call("SetTriggerActions", token).await.unwrap();
    assert_eq!(flow(&c, "2").await, vec![("5".to_string(), vec!["second".to_string()])]);
    let _: ClearFlowResponse = c.call("ClearFlow", ClearFlowRequest { r#type: "2".into() }).await.unwrap();
    assert!(flow(&c, "2").await.is_empty());

    // The imported action changes as a created one does.
    let update = UpdateActionRequest {
        id: IMPORTED.into(),
        name: "enrich".into(),
        script: "function enrich(ctx, api) { api.v1.user.appendMetadata('a', 1) }".into(),
        timeout: secs(10),
        allowed_to_fail: true,
    };
    let _: UpdateActionResponse = c.call("UpdateAction", update.clone()).await.unwrap();
    let err = c.call::<_, UpdateActionResponse>("UpdateAction", update).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "ACTION-dg4t2"));
    let _: DeactivateActionResponse =
        c.call("DeactivateAction", DeactivateActionRequest { id: second.clone() }).await.unwrap();
    let err = c
        .call::<_, DeactivateActionResponse>("DeactivateAction", DeactivateActionRequest { id: second.clone() })
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-Dgj92"));
    let inactive = vec![ActionQuery {
        query: Some(action_query::Query::ActionStateQuery(ActionStateQuery { state: ActionState::Inactive as i32 })),
    }];
    assert_eq!(names(c.clone(), inactive).await, ["second"]);

    // The export: both actions and the flow, in the import's shape.
    let doc = exported(&s).await;
    let actions = doc["actions"].as_array().unwrap();
    let mine = actions.iter().find(|a| a["actionId"] == second.as_str()).unwrap();
    assert_eq!(
        mine["action"],
        json!({"name": "second", "script": "function second(ctx, api) {}", "timeout": "1.500s"})
    );
    let theirs = actions.iter().find(|a| a["actionId"] == IMPORTED).unwrap();
    assert_eq!(theirs["action"]["script"], "function enrich(ctx, api) { api.v1.user.appendMetadata('a', 1) }");
    // The imported trigger named its types by enum name; the export writes
    // ids, as ZITADEL's does.
    assert_eq!(doc["triggerActions"], json!([{"flowType": "1", "triggerType": "1", "actionIds": [IMPORTED, second]}]));

    // Deleting the imported action takes it out of the flow.
    let _: DeleteActionResponse = c.call("DeleteAction", DeleteActionRequest { id: IMPORTED.into() }).await.unwrap();
    assert_eq!(flow(&c, "1").await, vec![("1".to_string(), vec!["second".to_string()])]);
    let err = c.call::<_, GetActionResponse>("GetAction", GetActionRequest { id: IMPORTED.into() }).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "QUERY-GEfnb"));
    let doc = exported(&s).await;
    assert_eq!(doc["actions"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["triggerActions"][0]["actionIds"], json!([second]));

    // The flow types and their triggers.
    let types: ListFlowTypesResponse = c.call("ListFlowTypes", ListFlowTypesRequest {}).await.unwrap();
    let ids: Vec<String> = types.result.iter().map(|t| t.id.clone()).collect();
    assert_eq!(ids, ["1", "2", "3", "4"]);
    let name = types.result[0].name.clone().unwrap();
    assert_eq!(name.key, "Action.Flow.Type.ExternalAuthentication");
    assert!(!name.localized_message.is_empty());
    let triggers: ListFlowTriggerTypesResponse =
        c.call("ListFlowTriggerTypes", ListFlowTriggerTypesRequest { r#type: "2".into() }).await.unwrap();
    assert_eq!(triggers.result.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["4", "5"]);
}

in_process!(action_errors);

async fn action_errors(s: Arc<TestServer>, c: Client) {
    let create = CreateActionRequest {
        name: "one".into(),
        script: "function one() {}".into(),
        timeout: secs(20),
        allowed_to_fail: false,
    };
    let created: CreateActionResponse = c.call("CreateAction", create.clone()).await.unwrap();
    // The proto's limits: at most 20 s, at most 40000 bytes of script.
    let err = c
        .call::<_, CreateActionResponse>("CreateAction", CreateActionRequest { timeout: secs(21), ..create.clone() })
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "VALID-rules"));
    assert!(err.message.contains("Timeout"), "{}", err.message);
    let long = CreateActionRequest { script: "x".repeat(40_001), ..create.clone() };
    let err = c.call::<_, CreateActionResponse>("CreateAction", long).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "VALID-rules"));
    assert!(err.message.contains("Script"), "{}", err.message);

    let missing = UpdateActionRequest {
        id: "1".into(),
        name: "x".into(),
        script: "y".into(),
        timeout: None,
        allowed_to_fail: false,
    };
    let err = c.call::<_, UpdateActionResponse>("UpdateAction", missing).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "COMMAND-Sfg2t"));
    let cases: [(&str, &str, Code, &str); 4] = [
        ("DeactivateAction", "1", Code::NotFound, "COMMAND-NRmhu"),
        ("ReactivateAction", "1", Code::NotFound, "COMMAND-Aa22g"),
        ("ReactivateAction", created.id.as_str(), Code::FailedPrecondition, "COMMAND-J53zh"),
        ("DeleteAction", "1", Code::NotFound, "COMMAND-Dgh4h"),
    ];
    for (rpc, id, code, error) in cases {
        let err = c.call_json("ManagementService", rpc, json!({ "id": id })).await.unwrap_err();
        assert_eq!((err.code, err.id.as_str()), (code, error), "{rpc}({id:?})");
    }
    let trigger = |flow: &str, trigger: &str, ids: Vec<String>| SetTriggerActionsRequest {
        flow_type: flow.into(),
        trigger_type: trigger.into(),
        action_ids: ids,
    };
    let cases = [
        (trigger("9", "1", vec![]), Code::InvalidArgument, "COMMAND-Dfhj5"),
        (trigger("1", "5", vec![]), Code::InvalidArgument, "COMMAND-Dfgh6"),
        (trigger("1", "1", vec![]), Code::FailedPrecondition, "COMMAND-Nfh52"),
        (trigger("1", "1", vec!["1".into()]), Code::FailedPrecondition, "COMMAND-dg422"),
    ];
    for (req, code, error) in cases {
        let err = c.call::<_, SetTriggerActionsResponse>("SetTriggerActions", req).await.unwrap_err();
        assert_eq!((err.code, err.id.as_str()), (code, error));
    }
    let err = c.call::<_, ClearFlowResponse>("ClearFlow", ClearFlowRequest { r#type: "1".into() }).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::FailedPrecondition, "COMMAND-DgGh3"));
    let err = c.call::<_, ClearFlowResponse>("ClearFlow", ClearFlowRequest { r#type: "0".into() }).await.unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::InvalidArgument, "COMMAND-Dfw2h"));
    let err = c
        .call::<_, ListFlowTriggerTypesResponse>(
            "ListFlowTriggerTypes",
            ListFlowTriggerTypesRequest { r#type: "9".into() },
        )
        .await
        .unwrap_err();
    assert_eq!((err.code, err.id.as_str()), (Code::NotFound, "MANAG-P2OBk"));

    // A viewer of the organization reads actions and flows but changes none.
    let org: AddOrgResponse = c.call("AddOrg", AddOrgRequest { name: "Watchers".into() }).await.unwrap();
    let viewer = s.app.create_service_account(Some("viewer"), &["ORG_OWNER_VIEWER".into()], Some(&org.id), None).await;
    let viewer = c.with_token(viewer.unwrap().token.expose()).with_org(&org.id);
    let listed: ListActionsResponse = viewer.call("ListActions", ListActionsRequest::default()).await.unwrap();
    assert!(listed.result.is_empty(), "another organization's actions are not listed");
    let err = viewer.call::<_, CreateActionResponse>("CreateAction", create).await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
    let err =
        viewer.call::<_, SetTriggerActionsResponse>("SetTriggerActions", trigger("1", "1", vec![])).await.unwrap_err();
    assert_eq!(err.code, Code::PermissionDenied);
    let got: GetFlowResponse = viewer.call("GetFlow", GetFlowRequest { r#type: "1".into() }).await.unwrap();
    assert!(got.flow.unwrap().trigger_actions.is_empty());
}

matrix!(every_flow_moves_with_an_export);

/// A flow as the Management API shows it, without details: each trigger
/// with its actions' ids and names.
async fn flow_shown(c: &Client, flow_type: &str) -> Vec<(String, Vec<(String, String)>)> {
    let got: GetFlowResponse = c.call("GetFlow", GetFlowRequest { r#type: flow_type.into() }).await.unwrap();
    let triggers = got.flow.unwrap().trigger_actions.into_iter();
    triggers.map(|t| (t.trigger_type.unwrap().id, t.actions.into_iter().map(|a| (a.id, a.name)).collect())).collect()
}

/// Every trigger of every flow type is exported as ZITADEL's export writes
/// it (ids as strings) and imported into another server to the same flows.
async fn every_flow_moves_with_an_export(s: Arc<TestServer>, c: Client) {
    imported(&s).await;
    let c = c.with_org(ORG);
    let types: ListFlowTypesResponse = c.call("ListFlowTypes", ListFlowTypesRequest {}).await.unwrap();
    let flow_types: Vec<String> = types.result.into_iter().map(|f| f.id).collect();
    assert_eq!(flow_types, ["1", "2", "3", "4"]);
    let mut triggers = 0;
    for flow_type in &flow_types {
        let req = ListFlowTriggerTypesRequest { r#type: flow_type.clone() };
        let listed: ListFlowTriggerTypesResponse = c.call("ListFlowTriggerTypes", req).await.unwrap();
        for trigger in listed.result {
            let name = format!("flow{flow_type}trigger{}", trigger.id);
            let script = format!("function {name}(ctx, api) {{}}");
            let req = CreateActionRequest { name, script, ..Default::default() };
            let added: CreateActionResponse = c.call("CreateAction", req).await.unwrap();
            let set = SetTriggerActionsRequest {
                flow_type: flow_type.clone(),
                trigger_type: trigger.id.clone(),
                action_ids: vec![added.id, IMPORTED.into()],
            };
            let _: SetTriggerActionsResponse = c.call("SetTriggerActions", set).await.unwrap();
            triggers += 1;
        }
    }
    assert_eq!(triggers, 9);
    let mut before = Vec::new();
    for flow_type in &flow_types {
        before.push(flow_shown(&c, flow_type).await);
    }
    // The external authentication flow's first trigger is one, though the
    // import named it by enum name and the API by id.
    assert_eq!(before[0].len(), 3);
    assert_eq!(before[0][0].1.len(), 2, "{:?}", before[0]);

    let doc = exported(&s).await;
    let items = doc["triggerActions"].as_array().unwrap();
    assert_eq!(items.len(), 9);
    for item in items {
        assert!(item["flowType"].as_str().is_some_and(|f| f.parse::<u8>().is_ok()), "{item}");
        assert!(item["triggerType"].as_str().is_some_and(|t| t.parse::<u8>().is_ok()), "{item}");
    }

    let Some(t) = TestServer::start_or_skip(s.backend).await else { return };
    let r = t.client(Protocol::Rest).await;
    let report =
        r.call_json("AdminService", "ImportData", json!({"dataOrgs": {"orgs": [doc]}, "timeout": "1m"})).await.unwrap();
    assert!(report.get("errors").is_none(), "{report}");
    assert_eq!(report["success"]["orgs"][0]["triggerActions"].as_array().map(Vec::len), Some(9), "{report}");
    let moved = t.client(c.protocol).await.with_org(ORG);
    for (flow_type, before) in flow_types.iter().zip(&before) {
        assert_eq!(&flow_shown(&moved, flow_type).await, before, "flow {flow_type}");
    }
    t.stop().await;
}
