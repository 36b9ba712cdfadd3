//! The audit trail: `ListEvents`, `ListEventTypes`, `ListAggregateTypes`.

use burg_api::admin::list_events_request::CreationDateFilter;
use burg_api::admin::{ListAggregateTypesResponse, ListEventTypesResponse, ListEventsRequest, ListEventsResponse};
use burg_api::object::LocalizedMessage;
use burg_api::wkt::Timestamp;
use burg_api::zitadel::event::v1::{Aggregate, AggregateType, Editor, Event, EventType};
use burg_domain::Result;
use burg_domain::crypto::redact_sealed;
use burg_domain::events::{all_aggregate_types, all_types};
use burg_store::events::{EventQuery, ListedEvent};

use crate::list::MAX_LIMIT;
use crate::{App, Ctx};

impl App {
    /// Events of the instance, filtered; secrets (even encrypted) are
    /// removed from payloads before they leave.
    pub async fn list_events(&self, _ctx: &Ctx, req: ListEventsRequest) -> Result<ListEventsResponse> {
        let given = |s: &String| (!s.is_empty()).then(|| s.clone());
        // `from` (or the older `creation_date`, deprecated but still
        // honoured) is an anchor: events after it in ascending order, before
        // it in descending order.
        #[allow(deprecated)]
        let anchor = match &req.creation_date_filter {
            Some(CreationDateFilter::From(from)) => Some(*from),
            _ => req.creation_date,
        };
        let (since, until) = match (&req.creation_date_filter, anchor) {
            (Some(CreationDateFilter::Range(r)), _) => (r.since, r.until),
            (_, Some(date)) if req.asc => (Some(date), None),
            (_, Some(date)) => (None, Some(date)),
            (_, None) => (None, None),
        };
        let limit = match i64::from(req.limit) {
            0 => MAX_LIMIT,
            n => n.min(MAX_LIMIT),
        };
        let query = EventQuery {
            // As ZITADEL: the events' own (per-aggregate) sequence, strictly
            // greater, whatever the order.
            sequence_above: (req.sequence > 0).then(|| i64::try_from(req.sequence).unwrap_or(i64::MAX)),
            editor_user: given(&req.editor_user_id),
            event_types: req.event_types.clone(),
            aggregate_types: req.aggregate_types.clone(),
            aggregate_id: given(&req.aggregate_id),
            resource_owner: given(&req.resource_owner),
            since: since.map(|t| t.to_micros()),
            until: until.map(|t| t.to_micros()),
            asc: req.asc,
            limit,
        };
        let listed = burg_store::events::list(&self.db, &self.instance_id, &query).await?;
        let mut events = Vec::with_capacity(listed.len());
        for ListedEvent { mut event, editor_name } in listed {
            redact_sealed(&mut event.payload);
            // As ZITADEL: an event without payload (burg stores `{}` for
            // those) answers none.
            let payload = match event.payload {
                serde_json::Value::Object(map) if !map.is_empty() => Some(to_struct(map)),
                _ => None,
            };
            events.push(Event {
                // As ZITADEL (`query/event.go` convertEvent): the service is
                // always `zitadel`; the store keeps which front wrote it.
                editor: Some(Editor {
                    user_id: event.editor_user,
                    display_name: editor_name,
                    service: EDITOR_SERVICE.into(),
                }),
                aggregate: Some(Aggregate {
                    id: event.aggregate_id,
                    r#type: Some(aggregate_type(&event.aggregate_type)),
                    resource_owner: event.resource_owner,
                }),
                sequence: event.sequence.max(0) as u64,
                creation_date: Some(Timestamp::from_micros(event.created_at)),
                payload,
                r#type: Some(event_type(&event.event_type)),
            });
        }
        Ok(ListEventsResponse { events })
    }

    pub async fn list_event_types(
        &self,
        _ctx: &Ctx,
        _req: burg_api::admin::ListEventTypesRequest,
    ) -> Result<ListEventTypesResponse> {
        // Every type burg writes: the domain's, and those of the documents
        // an import keeps.
        let mut types = all_types();
        types.extend(crate::transfer::SECTIONS.iter().map(|s| s.event));
        types.sort_unstable();
        types.dedup();
        Ok(ListEventTypesResponse { event_types: types.into_iter().map(event_type).collect() })
    }

    pub async fn list_aggregate_types(
        &self,
        _ctx: &Ctx,
        _req: burg_api::admin::ListAggregateTypesRequest,
    ) -> Result<ListAggregateTypesResponse> {
        Ok(ListAggregateTypesResponse {
            aggregate_types: all_aggregate_types().into_iter().map(aggregate_type).collect(),
        })
    }
}

/// The editor's service in every listed event, as ZITADEL answers it.
const EDITOR_SERVICE: &str = "zitadel";

fn event_type(t: &str) -> EventType {
    EventType { r#type: t.to_string(), localized: Some(localized("EventTypes", t)) }
}

fn aggregate_type(t: &str) -> AggregateType {
    AggregateType { r#type: t.to_string(), localized: Some(localized("AggregateTypes", t)) }
}

/// ZITADEL's i18n key and an English text made from the type name
/// (`instance.idp.oidc.added` → "Instance idp oidc added").
pub(crate) fn localized(prefix: &str, t: &str) -> LocalizedMessage {
    let words = t.replace(['.', '_'], " ");
    let mut text = String::with_capacity(words.len());
    let mut chars = words.chars();
    if let Some(first) = chars.next() {
        text.extend(first.to_uppercase());
        text.extend(chars);
    }
    LocalizedMessage { key: format!("{prefix}.{t}"), localized_message: text }
}

/// A JSON object as a `google.protobuf.Struct`. Numbers become doubles, as
/// the Struct type demands; integers beyond 2^53 lose precision rather than
/// fail the whole list.
fn to_struct(map: serde_json::Map<String, serde_json::Value>) -> pbjson_types::Struct {
    pbjson_types::Struct { fields: map.into_iter().map(|(k, v)| (k, to_value(v))).collect() }
}

fn to_value(v: serde_json::Value) -> pbjson_types::Value {
    use pbjson_types::value::Kind;
    let kind = match v {
        serde_json::Value::Null => Kind::NullValue(0),
        serde_json::Value::Bool(b) => Kind::BoolValue(b),
        serde_json::Value::Number(n) => Kind::NumberValue(n.as_f64().unwrap_or_default()),
        serde_json::Value::String(s) => Kind::StringValue(s),
        serde_json::Value::Array(items) => {
            Kind::ListValue(pbjson_types::ListValue { values: items.into_iter().map(to_value).collect() })
        }
        serde_json::Value::Object(map) => Kind::StructValue(to_struct(map)),
    };
    pbjson_types::Value { kind: Some(kind) }
}

/// A `google.protobuf.Struct` as a JSON object. Whole numbers become
/// integers again (the Struct keeps every number as a double).
pub(crate) fn from_struct(s: &pbjson_types::Struct) -> serde_json::Value {
    serde_json::Value::Object(s.fields.iter().map(|(k, v)| (k.clone(), from_value(v))).collect())
}

fn from_value(v: &pbjson_types::Value) -> serde_json::Value {
    use pbjson_types::value::Kind;
    match &v.kind {
        None | Some(Kind::NullValue(_)) => serde_json::Value::Null,
        Some(Kind::BoolValue(b)) => serde_json::Value::Bool(*b),
        Some(Kind::NumberValue(n)) if n.fract() == 0.0 && n.abs() < 9.0e15 => serde_json::json!(*n as i64),
        Some(Kind::NumberValue(n)) => serde_json::json!(n),
        Some(Kind::StringValue(s)) => serde_json::Value::String(s.clone()),
        Some(Kind::ListValue(l)) => serde_json::Value::Array(l.values.iter().map(from_value).collect()),
        Some(Kind::StructValue(s)) => from_struct(s),
    }
}
