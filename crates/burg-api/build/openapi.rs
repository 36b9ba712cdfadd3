//! The OpenAPI (swagger 2.0) document of one service, from the descriptors
//! and `google.api.http` rules the REST route table comes from, so the
//! document cannot drift from what the server answers.
//!
//! Schemas follow the proto3 JSON mapping: JSON field names, 64-bit
//! integers and enums as strings, the well-known types in their JSON forms.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use prost_reflect::{DescriptorPool, FieldDescriptor, Kind, MessageDescriptor};
use serde_json::{Map, Value, json};

use super::{BuildResult, auth_permission, http_rule, path_params, query_params, rest_base};

/// The header an org-scoped (management) call names its organization in.
const ORG_HEADER: &str = "x-zitadel-orgid";

pub(crate) fn document(pool: &DescriptorPool, service_name: &str) -> BuildResult<Value> {
    let service = pool.get_service_by_name(service_name).ok_or_else(|| format!("no service {service_name}"))?;
    let http_ext = pool.get_extension_by_name("google.api.http").ok_or("google.api.http extension missing")?;
    let auth_ext =
        pool.get_extension_by_name("zitadel.v1.auth_option").ok_or("zitadel.v1.auth_option extension missing")?;
    let base = rest_base(service.full_name())?;
    let org_scoped = service.name() == "ManagementService";

    let mut schemas = Schemas::default();
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    // Routes of one shape may name their parameters differently
    // (`/orgs/{id}`, `/orgs/{org_id}`); OpenAPI counts them as one path, so
    // the first one's names stand for all (parameters bind by position).
    let mut shapes: BTreeMap<String, String> = BTreeMap::new();
    for method in service.methods() {
        let rule = http_rule(&method.options(), &http_ext)?
            .ok_or_else(|| format!("{} has no google.api.http rule", method.full_name()))?;
        let input = method.input();
        let in_path = path_params(&rule.path);
        let path = shapes
            .entry(super::path_template::positional(&rule.path))
            .or_insert_with(|| format!("{base}{}", super::path_template::plain(&rule.path)))
            .clone();
        let mut parameters = Vec::new();
        for (name, public) in in_path.iter().zip(path_params(&path)) {
            let field =
                input.get_field_by_name(name).ok_or_else(|| format!("{}: no field {name}", method.full_name()))?;
            let mut param = schemas.field(&field);
            param.insert("name".into(), json!(public));
            param.insert("in".into(), json!("path"));
            param.insert("required".into(), json!(true));
            parameters.push(Value::Object(param));
        }
        match rule.body.as_str() {
            "" => {
                // Scalars, also of nested messages (`query.limit`), may
                // come as query parameters.
                for query in query_params(&input, &in_path) {
                    let mut param = schemas.field(&query.field);
                    param.insert("name".into(), json!(query.json));
                    param.insert("in".into(), json!("query"));
                    param.insert("required".into(), json!(false));
                    if query.repeated {
                        // `keys=a&keys=b`, as grpc-gateway reads it.
                        param.insert("collectionFormat".into(), json!("multi"));
                    }
                    parameters.push(Value::Object(param));
                }
            }
            "*" => {
                let schema = if in_path.is_empty() {
                    schemas.reference(&input)
                } else {
                    let mut properties = Map::new();
                    for field in input.fields().filter(|f| !in_path.iter().any(|p| p == f.name())) {
                        properties.insert(field.json_name().to_string(), Value::Object(schemas.field(&field)));
                    }
                    json!({ "type": "object", "properties": properties })
                };
                parameters.push(json!({ "name": "body", "in": "body", "required": true, "schema": schema }));
            }
            field_name => {
                let field = input
                    .get_field_by_name(field_name)
                    .ok_or_else(|| format!("{}: no body field {field_name}", method.full_name()))?;
                let schema = Value::Object(schemas.field(&field));
                parameters.push(json!({ "name": field_name, "in": "body", "required": true, "schema": schema }));
            }
        }
        if org_scoped {
            parameters.push(json!({
                "name": ORG_HEADER, "in": "header", "required": false, "type": "string",
                "description": "The organization the call works on; the caller's own when absent."
            }));
        }
        let mut operation = json!({
            "operationId": format!("{}_{}", service.name(), method.name()),
            "tags": [service.name()],
            "parameters": parameters,
            "responses": {
                "200": { "description": "A successful response.", "schema": schemas.reference(&method.output()) },
                "default": {
                    "description": "An error: its gRPC code, a message, and details naming the error id.",
                    "schema": { "$ref": "#/definitions/rpcStatus" }
                }
            }
        });
        if auth_permission(&method.options(), &auth_ext).is_none() {
            operation["security"] = json!([]);
        }
        let verbs = paths.entry(path.clone()).or_default();
        if verbs.insert(rule.verb.clone(), operation).is_some() {
            return Err(format!("two RPCs answer {} {path}", rule.verb).into());
        }
    }

    let mut definitions = schemas.finish();
    definitions.insert(
        "rpcStatus".into(),
        json!({
            "type": "object",
            "properties": {
                "code": { "type": "integer", "format": "int32" },
                "message": { "type": "string" },
                "details": { "type": "array", "items": { "$ref": "#/definitions/protobufAny" } }
            }
        }),
    );
    definitions.insert(
        "protobufAny".into(),
        json!({ "type": "object", "properties": { "@type": { "type": "string" } }, "additionalProperties": {} }),
    );
    Ok(json!({
        "swagger": "2.0",
        "info": {
            "title": format!("burg {}", service.name()),
            "description": format!("REST mapping of `{}`, wire-compatible with ZITADEL's.", service.full_name()),
            "version": "v1"
        },
        "schemes": ["http", "https"],
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "securityDefinitions": {
            "BearerAuth": {
                "type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Bearer <personal access token>`"
            }
        },
        "security": [{ "BearerAuth": [] }],
        "paths": paths,
        "definitions": definitions,
    }))
}

/// Message definitions, gathered as they are referred to.
#[derive(Default)]
struct Schemas {
    done: BTreeMap<String, Value>,
    queued: BTreeSet<String>,
    queue: VecDeque<MessageDescriptor>,
}

impl Schemas {
    /// `{"$ref": …}` to a message's definition, or the inline JSON form of
    /// a well-known type.
    fn reference(&mut self, message: &MessageDescriptor) -> Value {
        if let Some(schema) = well_known(message.full_name()) {
            return schema;
        }
        let name = message.full_name().to_string();
        if self.queued.insert(name.clone()) {
            self.queue.push_back(message.clone());
        }
        json!({ "$ref": format!("#/definitions/{name}") })
    }

    /// The schema of one field (as an object, so that a caller can add a
    /// parameter's name and place to it).
    fn field(&mut self, field: &FieldDescriptor) -> Map<String, Value> {
        let schema = if field.is_map() {
            let Kind::Message(entry) = field.kind() else { unreachable!("a map field is a message") };
            let value = self.kind(&entry.map_entry_value_field().kind());
            json!({ "type": "object", "additionalProperties": value })
        } else if field.is_list() {
            json!({ "type": "array", "items": self.kind(&field.kind()) })
        } else {
            self.kind(&field.kind())
        };
        match schema {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    fn kind(&mut self, kind: &Kind) -> Value {
        match kind {
            Kind::Double => json!({ "type": "number", "format": "double" }),
            Kind::Float => json!({ "type": "number", "format": "float" }),
            Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => json!({ "type": "integer", "format": "int32" }),
            Kind::Uint32 | Kind::Fixed32 => json!({ "type": "integer", "format": "int64", "minimum": 0 }),
            Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => json!({ "type": "string", "format": "int64" }),
            Kind::Uint64 | Kind::Fixed64 => json!({ "type": "string", "format": "uint64" }),
            Kind::Bool => json!({ "type": "boolean" }),
            Kind::String => json!({ "type": "string" }),
            Kind::Bytes => json!({ "type": "string", "format": "byte" }),
            Kind::Enum(e) => {
                let names: Vec<String> = e.values().map(|v| v.name().to_string()).collect();
                json!({ "type": "string", "enum": names })
            }
            Kind::Message(m) => self.reference(m),
        }
    }

    /// Every referred message, defined.
    fn finish(mut self) -> Map<String, Value> {
        while let Some(message) = self.queue.pop_front() {
            let mut properties = Map::new();
            for field in message.fields() {
                properties.insert(field.json_name().to_string(), Value::Object(self.field(&field)));
            }
            self.done.insert(message.full_name().to_string(), json!({ "type": "object", "properties": properties }));
        }
        self.done.into_iter().collect()
    }
}

/// The JSON form of a well-known type, inline.
fn well_known(full_name: &str) -> Option<Value> {
    Some(match full_name {
        "google.protobuf.Timestamp" => json!({ "type": "string", "format": "date-time" }),
        "google.protobuf.Duration" => json!({ "type": "string", "example": "3600s" }),
        "google.protobuf.FieldMask" => json!({ "type": "string" }),
        "google.protobuf.Empty" => json!({ "type": "object" }),
        "google.protobuf.Struct" => json!({ "type": "object", "additionalProperties": {} }),
        "google.protobuf.Value" => json!({}),
        "google.protobuf.ListValue" => json!({ "type": "array", "items": {} }),
        "google.protobuf.Any" => json!({ "$ref": "#/definitions/protobufAny" }),
        "google.protobuf.BoolValue" => json!({ "type": "boolean" }),
        "google.protobuf.StringValue" => json!({ "type": "string" }),
        "google.protobuf.BytesValue" => json!({ "type": "string", "format": "byte" }),
        "google.protobuf.Int32Value" => json!({ "type": "integer", "format": "int32" }),
        "google.protobuf.UInt32Value" => json!({ "type": "integer", "format": "int64", "minimum": 0 }),
        "google.protobuf.Int64Value" => json!({ "type": "string", "format": "int64" }),
        "google.protobuf.UInt64Value" => json!({ "type": "string", "format": "uint64" }),
        "google.protobuf.DoubleValue" => json!({ "type": "number", "format": "double" }),
        "google.protobuf.FloatValue" => json!({ "type": "number", "format": "float" }),
        _ => return None,
    })
}
