//! A REST request as the message it carries: the body, then path and query
//! parameters, merged as grpc-gateway merges them.

use bytes::Bytes;
use serde_json::{Map, Value};

use crate::json::JsonInput;
use crate::routes::{QueryKind, Route};

/// Builds the JSON input of a REST call: the body (when the route has one),
/// then path parameters and query parameters, which win over the body as in
/// grpc-gateway. A query parameter names a scalar field, of a nested message
/// by a dotted path (`query.limit`); others are ignored, like unknown JSON
/// fields.
pub fn rest_input(
    route: &Route,
    body: Bytes,
    path: &[(String, String)],
    query: Option<&str>,
) -> Result<JsonInput, String> {
    let body = if route.body.is_empty() { Bytes::new() } else { body };
    let query_pairs: Vec<(String, String)> = query
        .map(url_decode_pairs)
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| route.query_fields.iter().any(|(name, json, _)| k == name || k == json))
        .collect();
    if path.is_empty() && query_pairs.is_empty() {
        return Ok(JsonInput::Bytes(body));
    }
    let mut object = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err("invalid JSON body: expected an object".into()),
            Err(e) => return Err(format!("invalid JSON body: {e}")),
        }
    };
    // The items of repeated fields, by field, in the order given.
    let mut lists: Vec<(&str, &str, Vec<Value>)> = Vec::new();
    for (key, value) in query_pairs {
        let Some((name, json, kind)) = route.query_fields.iter().find(|(n, j, _)| key == *n || key == *j) else {
            continue;
        };
        match kind {
            QueryKind::Repeated(item) => {
                let value = scalar_value(item, json, value)?;
                match lists.iter_mut().find(|(n, _, _)| n == name) {
                    Some((_, _, items)) => items.push(value),
                    None => lists.push((name, json, vec![value])),
                }
            }
            kind => set_path(&mut object, name, json, scalar_value(kind, json, value)?),
        }
    }
    for (name, json, items) in lists {
        set_path(&mut object, name, json, Value::Array(items));
    }
    for (param, value) in path {
        if let Some((name, json, kind)) = route.path_fields.iter().find(|(n, _, _)| n == param) {
            let value = match kind {
                QueryKind::Enum => enum_value(value.clone()),
                _ => Value::String(value.clone()),
            };
            object.remove(*name);
            object.insert((*json).to_string(), value);
        }
    }
    Ok(JsonInput::Value(Value::Object(object)))
}

/// The JSON value of one query-string value of a field of `kind`.
fn scalar_value(kind: &QueryKind, json: &str, value: String) -> Result<Value, String> {
    Ok(match kind {
        QueryKind::Text => Value::String(value),
        QueryKind::Enum => enum_value(value),
        QueryKind::Bool => match value.as_str() {
            "true" | "1" => Value::Bool(true),
            "false" | "0" | "" => Value::Bool(false),
            _ => {
                return Err(format!("invalid value for field `{json}`: {value:?} is not a boolean"));
            }
        },
        // An integer stays one: pbjson reads integer fields through an
        // untagged enum, which takes no float (`5.0`) for a `u32`.
        QueryKind::Number => match (value.parse::<i64>(), value.parse::<u64>(), value.parse::<f64>()) {
            (Ok(n), _, _) => Value::from(n),
            (_, Ok(n), _) => Value::from(n),
            (_, _, Ok(n)) => serde_json::Number::from_f64(n).map(Value::Number).unwrap_or(Value::Null),
            _ => {
                return Err(format!("invalid value for field `{json}`: {value:?} is not a number"));
            }
        },
        QueryKind::Repeated(item) => return scalar_value(item, json, value),
    })
}

/// An enum's value by number (`2`) or by name (`SECOND_FACTOR_TYPE_U2F`).
fn enum_value(value: String) -> Value {
    match value.parse::<i32>() {
        Ok(number) => Value::from(number),
        Err(_) => Value::String(value),
    }
}

/// Sets the field at a dotted path (`query.limit`), making the messages on
/// the way; the field's proto-name spelling gives way to its JSON name.
fn set_path(object: &mut Map<String, Value>, name: &str, json: &str, value: Value) {
    let mut names = name.split('.');
    let mut parts = json.split('.').peekable();
    let mut at = object;
    while let Some(part) = parts.next() {
        let proto = names.next().unwrap_or(part);
        if parts.peek().is_none() {
            at.remove(proto);
            at.insert(part.to_string(), value);
            return;
        }
        let inner = at.remove(proto).or_else(|| at.remove(part)).filter(Value::is_object);
        let Value::Object(next) = at.entry(part).or_insert(inner.unwrap_or_else(|| Value::Object(Map::new()))) else {
            return;
        };
        at = next;
    }
}

fn url_decode_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'+' {
            out.push(b' ');
        } else if b == b'%' {
            match (bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b),
            }
        } else {
            out.push(b);
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_paths_set_nested_fields() {
        let mut object = Map::new();
        object.insert("list_query".into(), serde_json::json!({"asc": true}));
        set_path(&mut object, "list_query.limit", "listQuery.limit", Value::from(5));
        set_path(&mut object, "name", "name", Value::from("a"));
        assert_eq!(Value::Object(object), serde_json::json!({"listQuery": {"asc": true, "limit": 5}, "name": "a"}));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b+c%2"), "a b c%2");
        assert_eq!(percent_decode("%E2%9C%93"), "\u{2713}");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
