//! The audit trail: `ListEvents`, `ListEventTypes`, `ListAggregateTypes`.

use burg_api::admin::list_events_request::CreationDateFilter;
use burg_api::admin::{ListAggregateTypesResponse, ListEventTypesResponse, ListEventsRequest, ListEventsResponse};
use burg_api::object::LocalizedMessage;
use burg_api::wkt::Timestamp;
use burg_api::zitadel::event::v1::{Aggregate, AggregateType, Editor, Event, EventType};
use burg_domain::Result;
use burg_domain::crypto::redact_sealed;
use burg_domain::events::{all_aggregate_types, all_types};
use burg_store::Sql;
use burg_store::event_store::{EVENT_COLUMNS, event_from_row};
use sqlx::Row;

use crate::auth::db_err;
use crate::list::MAX_LIMIT;
use crate::{App, Ctx};

impl App {
    /// Events of the instance, filtered; secrets (even encrypted) are
    /// removed from payloads before they leave.
    pub async fn list_events(&self, _ctx: &Ctx, req: ListEventsRequest) -> Result<ListEventsResponse> {
        let mut sql = Sql::new(format!(
            "SELECT {}, COALESCE(u.display_name, '') AS editor_name FROM events e \
             LEFT JOIN users u ON u.instance_id = e.instance_id AND u.id = e.editor_user WHERE e.instance_id = ",
            EVENT_COLUMNS.split(", ").map(|c| format!("e.{c}")).collect::<Vec<_>>().join(", ")
        ));
        sql.bind(&self.instance_id);
        if req.sequence > 0 {
            // As ZITADEL: the events' own (per-aggregate) sequence, strictly
            // greater, whatever the order.
            sql.push(" AND e.sequence > ").bind(i64::try_from(req.sequence).unwrap_or(i64::MAX));
        }
        if !req.editor_user_id.is_empty() {
            sql.push(" AND e.editor_user = ").bind(&req.editor_user_id);
        }
        push_in(&mut sql, "e.event_type", &req.event_types);
        push_in(&mut sql, "e.aggregate_type", &req.aggregate_types);
        if !req.aggregate_id.is_empty() {
            sql.push(" AND e.aggregate_id = ").bind(&req.aggregate_id);
        }
        if !req.resource_owner.is_empty() {
            sql.push(" AND e.resource_owner = ").bind(&req.resource_owner);
        }
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
        if let Some(since) = since {
            sql.push(" AND e.created_at >= ").bind(since.to_micros());
        }
        if let Some(until) = until {
            sql.push(" AND e.created_at <= ").bind(until.to_micros());
        }
        let limit = match i64::from(req.limit) {
            0 => MAX_LIMIT,
            n => n.min(MAX_LIMIT),
        };
        sql.push(if req.asc { " ORDER BY e.position ASC" } else { " ORDER BY e.position DESC" });
        sql.push(" LIMIT ").bind(limit);

        let rows = sql.query().fetch_all(self.db.pool()).await.map_err(|e| db_err("EVENT-db001", e))?;
        let mut events = Vec::with_capacity(rows.len());
        for row in rows {
            let mut event = event_from_row(&row)?;
            let editor_name: String = row.try_get("editor_name").map_err(|e| db_err("EVENT-db002", e))?;
            redact_sealed(&mut event.payload);
            let payload = match event.payload {
                serde_json::Value::Object(map) => to_struct(map),
                _ => pbjson_types::Struct::default(),
            };
            events.push(Event {
                editor: Some(Editor {
                    user_id: event.editor_user,
                    display_name: editor_name,
                    service: event.editor_service,
                }),
                aggregate: Some(Aggregate {
                    id: event.aggregate_id,
                    r#type: Some(aggregate_type(&event.aggregate_type)),
                    resource_owner: event.resource_owner,
                }),
                sequence: event.sequence.max(0) as u64,
                creation_date: Some(Timestamp::from_micros(event.created_at)),
                payload: Some(payload),
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
        Ok(ListEventTypesResponse { event_types: all_types().into_iter().map(event_type).collect() })
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

fn push_in(sql: &mut Sql, column: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    sql.push(" AND ").push(column).push(" IN (");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(v);
    }
    sql.push(")");
}

fn event_type(t: &str) -> EventType {
    EventType { r#type: t.to_string(), localized: Some(localized("EventTypes", t)) }
}

fn aggregate_type(t: &str) -> AggregateType {
    AggregateType { r#type: t.to_string(), localized: Some(localized("AggregateTypes", t)) }
}

/// ZITADEL's i18n key and an English text made from the type name
/// (`instance.idp.oidc.added` → "Instance idp oidc added").
fn localized(prefix: &str, t: &str) -> LocalizedMessage {
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
