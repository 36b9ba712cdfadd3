//! Actions and flows written through the Management API, kept where the
//! import keeps them: one `DataAction` document (kind `action`, keyed by
//! the action's id, its state beside it) per action, and one
//! `SetTriggerActionsRequest` document (kind `trigger_action`, keyed by
//! flow and trigger type) per trigger that has actions, so that imported
//! and created actions and flows are one list and export alike.

use burg_domain::Result;
use burg_domain::event::{Event, Payload};
use burg_domain::events::action::*;
use serde_json::{Value, json};
use sqlx::AnyConnection;

use super::project::{delete_doc, doc_of, put_doc};
use crate::db_error;

pub(crate) fn handles(event_type: &str) -> bool {
    TYPES.contains(&event_type)
}

/// A duration in nanoseconds as proto3 JSON writes a
/// `google.protobuf.Duration` (`"10s"`, `"1.500s"`).
pub fn duration_json(nanos: i64) -> String {
    let (secs, frac) = (nanos / 1_000_000_000, (nanos % 1_000_000_000).abs());
    if frac == 0 {
        format!("{secs}s")
    } else if frac % 1_000_000 == 0 {
        format!("{secs}.{:03}s", frac / 1_000_000)
    } else if frac % 1_000 == 0 {
        format!("{secs}.{:06}s", frac / 1_000)
    } else {
        format!("{secs}.{frac:09}s")
    }
}

/// The document's `action` member; the zero values left out, as proto3
/// JSON does.
fn action_member(name: &str, script: &str, timeout: i64, allowed_to_fail: bool) -> Value {
    let mut a = json!({ "name": name });
    if !script.is_empty() {
        a["script"] = json!(script);
    }
    if timeout != 0 {
        a["timeout"] = json!(duration_json(timeout));
    }
    if allowed_to_fail {
        a["allowedToFail"] = json!(true);
    }
    a
}

async fn set_state(conn: &mut AnyConnection, e: &Event, state: i64) -> Result<()> {
    super::project::set_doc_state(conn, e, ACTION_KIND, &e.aggregate_id, state).await
}

/// The organization's trigger documents: key and document.
async fn triggers(conn: &mut AnyConnection, e: &Event) -> Result<Vec<(String, Value)>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT object_key, data FROM org_objects WHERE instance_id = $1 AND org_id = $2 AND kind = $3")
            .bind(&e.instance_id)
            .bind(&e.resource_owner)
            .bind(TRIGGER_KIND)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_error("PROJ-act02"))?;
    Ok(rows.into_iter().map(|(key, data)| (key, serde_json::from_str(&data).unwrap_or_default())).collect())
}

fn ids_of(doc: &Value) -> Vec<String> {
    doc.get("actionIds")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(String::from).collect())
        .unwrap_or_default()
}

pub(crate) async fn apply(conn: &mut AnyConnection, e: &Event) -> Result<()> {
    match e.event_type.as_str() {
        ActionAdded::TYPE => {
            let p: ActionAdded = e.decode()?;
            let doc = json!({
                "actionId": e.aggregate_id,
                "action": action_member(&p.name, &p.script, p.timeout, p.allowed_to_fail),
            });
            put_doc(conn, e, ACTION_KIND, &e.aggregate_id, &doc).await?;
            set_state(conn, e, ACTIVE).await?;
        }
        ActionChanged::TYPE => {
            let c: ActionChanged = e.decode()?;
            let Some(mut doc) = doc_of(conn, e, ACTION_KIND, &e.aggregate_id).await?.filter(Value::is_object) else {
                return Ok(());
            };
            let a = doc.get("action").cloned().unwrap_or_default();
            let text = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
            let timeout = parse_duration(&text("timeout"));
            doc["action"] = action_member(
                &c.name.unwrap_or_else(|| text("name")),
                &c.script.unwrap_or_else(|| text("script")),
                c.timeout.unwrap_or(timeout),
                c.allowed_to_fail.unwrap_or_else(|| a.get("allowedToFail").and_then(Value::as_bool).unwrap_or(false)),
            );
            put_doc(conn, e, ACTION_KIND, &e.aggregate_id, &doc).await?;
        }
        ActionDeactivated::TYPE => set_state(conn, e, INACTIVE).await?,
        ActionReactivated::TYPE => set_state(conn, e, ACTIVE).await?,
        ActionRemoved::TYPE => delete_doc(conn, e, ACTION_KIND, &e.aggregate_id).await?,
        TriggerActionsSet::TYPE => {
            let p: TriggerActionsSet = e.decode()?;
            let key = trigger_document_key(p.flow_type, p.trigger_type);
            // The trigger's document of an earlier release or an import,
            // under another key (`FLOW_TYPE_…`, a number), is replaced.
            for (other, doc) in triggers(conn, e).await? {
                let flow = flow_of_document(doc.get("flowType").unwrap_or(&Value::Null));
                let trigger = trigger_of_document(doc.get("triggerType").unwrap_or(&Value::Null));
                if other != key && (flow, trigger) == (p.flow_type, p.trigger_type) {
                    delete_doc(conn, e, TRIGGER_KIND, &other).await?;
                }
            }
            if p.action_ids.is_empty() {
                delete_doc(conn, e, TRIGGER_KIND, &key).await?;
            } else {
                let doc = json!({
                    "flowType": flow_document_value(p.flow_type),
                    "triggerType": trigger_document_value(p.trigger_type),
                    "actionIds": p.action_ids,
                });
                put_doc(conn, e, TRIGGER_KIND, &key, &doc).await?;
            }
        }
        TriggerActionsCascadeRemoved::TYPE => {
            let p: TriggerActionsCascadeRemoved = e.decode()?;
            for (key, mut doc) in triggers(conn, e).await? {
                if !doc.is_object() {
                    continue;
                }
                if flow_of_document(doc.get("flowType").unwrap_or(&Value::Null)) != p.flow_type {
                    continue;
                }
                let ids = ids_of(&doc);
                if !ids.contains(&p.action_id) {
                    continue;
                }
                let rest: Vec<String> = ids.into_iter().filter(|id| *id != p.action_id).collect();
                if rest.is_empty() {
                    delete_doc(conn, e, TRIGGER_KIND, &key).await?;
                } else {
                    doc["actionIds"] = json!(rest);
                    put_doc(conn, e, TRIGGER_KIND, &key, &doc).await?;
                }
            }
        }
        FlowCleared::TYPE => {
            let p: FlowCleared = e.decode()?;
            for (key, doc) in triggers(conn, e).await? {
                if flow_of_document(doc.get("flowType").unwrap_or(&Value::Null)) == p.flow_type {
                    delete_doc(conn, e, TRIGGER_KIND, &key).await?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// A proto3 JSON duration (`"10s"`, `"1.5s"`) in nanoseconds; 0 when it is
/// not one.
pub fn parse_duration(text: &str) -> i64 {
    let Some(number) = text.strip_suffix('s') else { return 0 };
    let (secs, frac) = number.split_once('.').unwrap_or((number, ""));
    let Ok(secs) = secs.parse::<i64>() else { return 0 };
    let digits: String = frac.chars().chain(std::iter::repeat('0')).take(9).collect();
    let nanos = if frac.is_empty() { 0 } else { digits.parse::<i64>().unwrap_or(0) };
    secs.saturating_mul(1_000_000_000).saturating_add(if secs < 0 { -nanos } else { nanos })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_round_trip() {
        for (nanos, text) in [(10_000_000_000, "10s"), (1_500_000_000, "1.500s"), (1, "0.000000001s"), (0, "0s")] {
            assert_eq!(duration_json(nanos), text);
            assert_eq!(parse_duration(text), nanos);
        }
        assert_eq!(parse_duration("1.5s"), 1_500_000_000);
        assert_eq!(parse_duration("nonsense"), 0);
    }
}
