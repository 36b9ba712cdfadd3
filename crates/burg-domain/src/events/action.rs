//! Actions (`repository/action/action.go`, aggregate `action`, owned by an
//! organization) and the organization's flows
//! (`repository/flow/flow.go`, on the organization aggregate): which
//! actions run at a flow's trigger. Durations are nanoseconds, as Go
//! writes a `time.Duration`; members are left out where ZITADEL's are
//! `omitempty`.

use crate::events::is_zero;

payloads! {
    ActionAdded = "action.added" {
        name: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        script: String,
        #[serde(default, skip_serializing_if = "is_zero")]
        timeout: i64,
        #[serde(default)]
        allowed_to_fail: bool,
    }
    ActionChanged = "action.changed" {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        script: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        allowed_to_fail: Option<bool>,
    }
    ActionDeactivated = "action.deactivated" {}
    ActionReactivated = "action.reactivated" {}
    /// ZITADEL keeps the name out of the payload (it only frees the unique
    /// name).
    ActionRemoved = "action.removed" {}
    TriggerActionsSet = "org.flow.trigger_actions.set" {
        #[serde(default)]
        flow_type: i32,
        #[serde(default)]
        trigger_type: i32,
        #[serde(default, rename = "actionIDs")]
        action_ids: Vec<String>,
    }
    TriggerActionsCascadeRemoved = "org.flow.trigger_actions.cascade.removed" {
        #[serde(default)]
        flow_type: i32,
        #[serde(default)]
        trigger_type: i32,
        #[serde(default, rename = "actionID")]
        action_id: String,
    }
    FlowCleared = "org.flow.cleared" {
        #[serde(default)]
        flow_type: i32,
    }
}

/// `domain.ActionState`: active.
pub const ACTIVE: i64 = 1;
/// `domain.ActionState`: inactive.
pub const INACTIVE: i64 = 2;

/// A flow type (`domain.FlowType`): its number, the localization key and
/// English name of the Management API's lists, its triggers, and the
/// `FlowType` enum name of the import document (`zitadel.v1.v1`), which
/// knows only the first.
pub struct Flow {
    pub id: i32,
    pub key: &'static str,
    pub name: &'static str,
    pub triggers: &'static [i32],
    pub document_name: Option<&'static str>,
}

/// `domain.AllFlowTypes`, in ZITADEL's order.
pub const FLOWS: &[Flow] = &[
    Flow {
        id: 1,
        key: "Action.Flow.Type.ExternalAuthentication",
        name: "External Authentication",
        triggers: &[1, 2, 3],
        document_name: Some("FLOW_TYPE_EXTERNAL_AUTHENTICATION"),
    },
    Flow {
        id: 2,
        key: "Action.Flow.Type.CustomiseToken",
        name: "Complement Token",
        triggers: &[4, 5],
        document_name: None,
    },
    Flow {
        id: 3,
        key: "Action.Flow.Type.InternalAuthentication",
        name: "Internal Authentication",
        triggers: &[1, 2, 3],
        document_name: None,
    },
    Flow {
        id: 4,
        key: "Action.Flow.Type.CustomizeSAMLResponse",
        name: "Complement SAML Response",
        triggers: &[6],
        document_name: None,
    },
];

/// A trigger type (`domain.TriggerType`), as [`Flow`].
pub struct Trigger {
    pub id: i32,
    pub key: &'static str,
    pub name: &'static str,
    pub document_name: Option<&'static str>,
}

pub const TRIGGERS: &[Trigger] = &[
    Trigger {
        id: 1,
        key: "Action.TriggerType.PostAuthentication",
        name: "Post Authentication",
        document_name: Some("TRIGGER_TYPE_POST_AUTHENTICATION"),
    },
    Trigger {
        id: 2,
        key: "Action.TriggerType.PreCreation",
        name: "Pre Creation",
        document_name: Some("TRIGGER_TYPE_PRE_CREATION"),
    },
    Trigger {
        id: 3,
        key: "Action.TriggerType.PostCreation",
        name: "Post Creation",
        document_name: Some("TRIGGER_TYPE_POST_CREATION"),
    },
    Trigger {
        id: 4,
        key: "Action.TriggerType.PreUserinfoCreation",
        name: "Pre Userinfo Creation",
        document_name: None,
    },
    Trigger {
        id: 5,
        key: "Action.TriggerType.PreAccessTokenCreation",
        name: "Pre Access Token Creation",
        document_name: None,
    },
    Trigger {
        id: 6,
        key: "Action.TriggerType.PreSAMLResponseCreation",
        name: "Pre SAML Response Creation",
        document_name: None,
    },
];

pub fn flow(id: i32) -> Option<&'static Flow> {
    FLOWS.iter().find(|f| f.id == id)
}

pub fn trigger(id: i32) -> Option<&'static Trigger> {
    TRIGGERS.iter().find(|t| t.id == id)
}

/// A flow type as the Management API names it (`"1"`, and for backward
/// compatibility the old enum name), as ZITADEL's `FlowTypeToDomain`; 0
/// for anything else.
pub fn flow_of_wire(value: &str) -> i32 {
    FLOWS.iter().find(|f| f.id.to_string() == value || f.document_name == Some(value)).map_or(0, |f| f.id)
}

/// The same for a trigger type (`TriggerTypeToDomain`).
pub fn trigger_of_wire(value: &str) -> i32 {
    TRIGGERS.iter().find(|t| t.id.to_string() == value || t.document_name == Some(value)).map_or(0, |t| t.id)
}

/// A flow or trigger type as a trigger document holds it: its id as a
/// string, as ZITADEL's export writes it (`flowType.ID()`), which its
/// import and [`flow_of_wire`] read back.
pub fn flow_document_value(id: i32) -> serde_json::Value {
    serde_json::Value::String(id.to_string())
}

pub fn trigger_document_value(id: i32) -> serde_json::Value {
    serde_json::Value::String(id.to_string())
}

/// A trigger document's flow or trigger type back to its number: the id
/// as a string or a number, or the enum name of the v1 import document
/// (earlier releases kept documents in all three forms); 0 when unknown.
pub fn flow_of_document(value: &serde_json::Value) -> i32 {
    match value {
        serde_json::Value::String(s) => flow_of_wire(s),
        serde_json::Value::Number(n) => n.as_i64().and_then(|n| i32::try_from(n).ok()).unwrap_or_default(),
        _ => 0,
    }
}

pub fn trigger_of_document(value: &serde_json::Value) -> i32 {
    match value {
        serde_json::Value::String(s) => trigger_of_wire(s),
        serde_json::Value::Number(n) => n.as_i64().and_then(|n| i32::try_from(n).ok()).unwrap_or_default(),
        _ => 0,
    }
}

/// The `org_objects` key of a trigger document: the two ids joined by `_`,
/// as an import of ZITADEL's export keys its `triggerActions`.
pub fn trigger_document_key(flow: i32, trigger: i32) -> String {
    format!("{flow}_{trigger}")
}

/// A trigger document (`SetTriggerActionsRequest` as JSON) in the form
/// ZITADEL's export writes: flow and trigger type as id strings, whatever
/// form it was given or stored in. A type that is none is left as it is,
/// as a string.
pub fn canonical_trigger_document(doc: &mut serde_json::Value) {
    let Some(map) = doc.as_object_mut() else { return };
    type IdOf = fn(&serde_json::Value) -> i32;
    let readers: [(&str, IdOf); 2] = [("flowType", flow_of_document), ("triggerType", trigger_of_document)];
    for (member, id_of) in readers {
        let Some(value) = map.get_mut(member) else { continue };
        let id = id_of(value);
        if id != 0 {
            *value = serde_json::Value::String(id.to_string());
        } else if let serde_json::Value::Number(n) = value {
            *value = serde_json::Value::String(n.to_string());
        }
    }
}

/// The `org_objects` kinds of actions and trigger documents (the import's).
pub const ACTION_KIND: &str = "action";
pub const TRIGGER_KIND: &str = "trigger_action";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Payload;

    #[test]
    fn payloads_are_zitadels() {
        let added = ActionAdded { name: "a".into(), script: String::new(), timeout: 0, allowed_to_fail: false };
        assert_eq!(serde_json::to_value(&added).unwrap(), serde_json::json!({"name": "a", "allowedToFail": false}));
        let set = TriggerActionsSet { flow_type: 1, trigger_type: 2, action_ids: vec!["7".into()] };
        assert_eq!(
            serde_json::to_value(&set).unwrap(),
            serde_json::json!({"flowType": 1, "triggerType": 2, "actionIDs": ["7"]})
        );
        assert_eq!(TriggerActionsSet::TYPE, "org.flow.trigger_actions.set");
        let cascade = TriggerActionsCascadeRemoved { flow_type: 3, trigger_type: 0, action_id: "7".into() };
        assert_eq!(
            serde_json::to_value(&cascade).unwrap(),
            serde_json::json!({"flowType": 3, "triggerType": 0, "actionID": "7"})
        );
    }

    #[test]
    fn flow_ids_and_document_keys() {
        assert_eq!(flow_of_wire("1"), 1);
        assert_eq!(flow_of_wire("FLOW_TYPE_EXTERNAL_AUTHENTICATION"), 1);
        assert_eq!(flow_of_wire("4"), 4);
        assert_eq!(flow_of_wire("5"), 0);
        assert_eq!(trigger_of_wire("TRIGGER_TYPE_POST_CREATION"), 3);
        assert_eq!(trigger_document_key(1, 1), "1_1");
        assert_eq!(trigger_document_key(2, 5), "2_5");
        assert_eq!(flow_of_document(&flow_document_value(3)), 3);
        assert_eq!(trigger_of_document(&trigger_document_value(1)), 1);
        // Every form a stored or imported document has becomes ZITADEL's.
        for (flow, trigger) in [
            (serde_json::json!("FLOW_TYPE_EXTERNAL_AUTHENTICATION"), serde_json::json!("TRIGGER_TYPE_PRE_CREATION")),
            (serde_json::json!(1), serde_json::json!(2)),
            (serde_json::json!("1"), serde_json::json!("2")),
        ] {
            let mut doc = serde_json::json!({"flowType": flow, "triggerType": trigger, "actionIds": ["7"]});
            canonical_trigger_document(&mut doc);
            assert_eq!(doc, serde_json::json!({"flowType": "1", "triggerType": "2", "actionIds": ["7"]}));
        }
        let mut unknown = serde_json::json!({"flowType": 9, "triggerType": "x"});
        canonical_trigger_document(&mut unknown);
        assert_eq!(unknown, serde_json::json!({"flowType": "9", "triggerType": "x"}));
    }
}
