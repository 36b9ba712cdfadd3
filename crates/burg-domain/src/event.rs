//! Events: what happened, as stored and as projected.
//!
//! A command produces [`NewEvent`]s; the store gives each a per-aggregate
//! sequence, a global position and a creation time, and hands back
//! [`Event`]s. Payloads are JSON; each payload type names its event type
//! with [`Payload::TYPE`], and its JSON encoding is a promise kept by
//! snapshot tests: stored events must stay readable.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Aggregate type names, as ZITADEL spells them.
pub mod aggregate {
    pub const INSTANCE: &str = "instance";
    pub const ORG: &str = "org";
    pub const USER: &str = "user";
    pub const PROJECT: &str = "project";
    pub const ACTION: &str = "action";
    pub const USER_GRANT: &str = "usergrant";
    pub const RESTRICTIONS: &str = "restrictions";
    pub const FEATURE: &str = "feature";
    pub const WEB_KEY: &str = "web_key";
}

/// Which aggregate an event belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aggregate {
    pub kind: &'static str,
    pub id: String,
    pub resource_owner: String,
}

impl Aggregate {
    pub fn new(kind: &'static str, id: impl Into<String>, resource_owner: impl Into<String>) -> Self {
        Aggregate { kind, id: id.into(), resource_owner: resource_owner.into() }
    }
}

/// The payload of one event type.
pub trait Payload: Serialize + DeserializeOwned {
    const TYPE: &'static str;
}

/// An event a command wants to append.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub aggregate: Aggregate,
    pub event_type: &'static str,
    pub payload: serde_json::Value,
}

impl NewEvent {
    pub fn new<P: Payload>(aggregate: &Aggregate, payload: &P) -> Result<Self> {
        let payload = serde_json::to_value(payload)
            .map_err(|e| Error::internal("EVENT-enc01", format!("cannot encode {}: {e}", P::TYPE)))?;
        Ok(NewEvent { aggregate: aggregate.clone(), event_type: P::TYPE, payload })
    }

    /// An event of type `P` without a payload, as ZITADEL writes those
    /// whose payload is nil (`org.removed`): stored as JSON `null`, and
    /// listed without one.
    pub fn bare<P: Payload>(aggregate: &Aggregate) -> Self {
        NewEvent { aggregate: aggregate.clone(), event_type: P::TYPE, payload: serde_json::Value::Null }
    }
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Global order of the event store.
    pub position: i64,
    pub instance_id: String,
    pub aggregate_type: String,
    pub aggregate_id: String,
    /// 1, 2, 3 … within the aggregate.
    pub sequence: i64,
    pub event_type: String,
    pub payload: serde_json::Value,
    pub editor_user: String,
    pub editor_service: String,
    pub resource_owner: String,
    /// Microseconds since the Unix epoch.
    pub created_at: i64,
}

impl Event {
    /// The typed payload; fails if the event is of another type.
    pub fn decode<P: Payload>(&self) -> Result<P> {
        if self.event_type != P::TYPE {
            return Err(Error::internal(
                "EVENT-dec01",
                format!("expected a {} event, got {}", P::TYPE, self.event_type),
            ));
        }
        // An event without a payload reads as one with no members.
        let empty = serde_json::Value::Object(serde_json::Map::new());
        let payload = if self.payload.is_null() { &empty } else { &self.payload };
        P::deserialize(payload)
            .map_err(|e| Error::internal("EVENT-dec02", format!("stored {} event is unreadable: {e}", P::TYPE)))
    }

    pub fn is<P: Payload>(&self) -> bool {
        self.event_type == P::TYPE
    }
}
