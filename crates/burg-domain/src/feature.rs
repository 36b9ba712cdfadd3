//! Feature flags as ZITADEL's Feature API v2 keeps them: one event per flag
//! that changes, `feature.<level>.<key>.set` with the new value as
//! `{"value": …}`, and `feature.<level>.reset`, on the `feature` aggregate
//! of the instance (level `instance`) or of the system (level `system`,
//! aggregate id `SYSTEM`). A level's flags are its events since its last
//! reset, the newest value of each key winning.

use crate::event::{Aggregate, NewEvent, aggregate};

/// A level of flags and the names of its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    System,
    Instance,
}

/// The flags the API v2 sets, by ZITADEL's key (`feature.Key`, snake
/// case): (key, instance set event, system set event).
pub const KEYS: &[(&str, &str, &str)] = &[
    ("login_default_org", "feature.instance.login_default_org.set", "feature.system.login_default_org.set"),
    ("user_schema", "feature.instance.user_schema.set", "feature.system.user_schema.set"),
    ("token_exchange", "feature.instance.token_exchange.set", "feature.system.token_exchange.set"),
    ("improved_performance", "feature.instance.improved_performance.set", "feature.system.improved_performance.set"),
    (
        "debug_oidc_parent_error",
        "feature.instance.debug_oidc_parent_error.set",
        "feature.system.debug_oidc_parent_error.set",
    ),
    (
        "oidc_single_v1_session_termination",
        "feature.instance.oidc_single_v1_session_termination.set",
        "feature.system.oidc_single_v1_session_termination.set",
    ),
    (
        "enable_back_channel_logout",
        "feature.instance.enable_back_channel_logout.set",
        "feature.system.enable_back_channel_logout.set",
    ),
    ("login_v2", "feature.instance.login_v2.set", "feature.system.login_v2.set"),
    ("permission_check_v2", "feature.instance.permission_check_v2.set", "feature.system.permission_check_v2.set"),
    (
        "console_use_v2_user_api",
        "feature.instance.console_use_v2_user_api.set",
        "feature.system.console_use_v2_user_api.set",
    ),
];

pub const INSTANCE_RESET: &str = "feature.instance.reset";
pub const SYSTEM_RESET: &str = "feature.system.reset";
/// The aggregate id of the system's flags.
pub const SYSTEM_ID: &str = "SYSTEM";

/// Every event type of the flags.
pub fn event_types() -> impl Iterator<Item = &'static str> {
    KEYS.iter().flat_map(|(_, i, s)| [*i, *s]).chain([INSTANCE_RESET, SYSTEM_RESET])
}

impl Level {
    pub fn aggregate(self, instance_id: &str) -> Aggregate {
        match self {
            Level::Instance => Aggregate::new(aggregate::FEATURE, instance_id, instance_id),
            Level::System => Aggregate::new(aggregate::FEATURE, SYSTEM_ID, SYSTEM_ID),
        }
    }

    pub fn reset_event(self) -> &'static str {
        match self {
            Level::Instance => INSTANCE_RESET,
            Level::System => SYSTEM_RESET,
        }
    }

    /// The set event of `key`, or `None` for a key the table lacks.
    pub fn set_event(self, key: &str) -> Option<&'static str> {
        let (_, instance, system) = KEYS.iter().find(|(k, ..)| *k == key)?;
        Some(if self == Level::Instance { instance } else { system })
    }

    /// The key a set event of this level names.
    pub fn key_of(self, event_type: &str) -> Option<&'static str> {
        KEYS.iter().find(|(_, i, s)| *(if self == Level::Instance { i } else { s }) == event_type).map(|(k, ..)| *k)
    }
}

/// The flags of one level: each key set since the last reset, with its
/// newest value, from the level's events oldest first.
pub fn fold<'a>(
    level: Level,
    events: impl IntoIterator<Item = (&'a str, &'a serde_json::Value)>,
) -> std::collections::BTreeMap<&'static str, serde_json::Value> {
    let mut flags = std::collections::BTreeMap::new();
    for (event_type, payload) in events {
        if event_type == level.reset_event() {
            flags.clear();
        } else if let Some(key) = level.key_of(event_type) {
            flags.insert(key, payload.get("value").cloned().unwrap_or(serde_json::Value::Null));
        }
    }
    flags
}

/// The event that sets `key` to `value` at `level`.
pub fn set(level: Level, instance_id: &str, key: &str, value: serde_json::Value) -> Option<NewEvent> {
    Some(NewEvent {
        aggregate: level.aggregate(instance_id),
        event_type: level.set_event(key)?,
        payload: serde_json::json!({ "value": value }),
    })
}

/// The event that resets every flag of `level`.
pub fn reset(level: Level, instance_id: &str) -> NewEvent {
    NewEvent {
        aggregate: level.aggregate(instance_id),
        event_type: level.reset_event(),
        payload: serde_json::Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_newest_value_since_the_last_reset_wins() {
        let a = json!({"value": true});
        let b = json!({"value": false});
        let events = [
            ("feature.instance.user_schema.set", &a),
            ("feature.instance.reset", &serde_json::Value::Null),
            ("feature.instance.login_default_org.set", &a),
            ("feature.instance.login_default_org.set", &b),
            ("feature.system.user_schema.set", &a),
        ];
        let flags = fold(Level::Instance, events);
        assert_eq!(flags.len(), 1);
        assert_eq!(flags["login_default_org"], json!(false));
        assert_eq!(Level::System.key_of("feature.system.login_v2.set"), Some("login_v2"));
        assert_eq!(Level::Instance.key_of("feature.system.login_v2.set"), None);
    }
}
