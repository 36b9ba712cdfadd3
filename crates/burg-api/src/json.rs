//! Decoding request JSON the way ZITADEL's gateway does, with errors that
//! name the offending field.

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::routes::{QueryKind, Route};

/// A request body, possibly merged with path and query parameters.
#[derive(Debug)]
pub enum JsonInput {
    /// The raw body, decoded straight into the message (no parameters).
    Bytes(Bytes),
    /// A JSON object assembled from body, path and query.
    Value(Value),
}

/// Decodes a message; errors read `field \`a.b\`: <what was wrong>`.
pub fn decode<T: DeserializeOwned>(input: JsonInput) -> Result<T, String> {
    // A decoder that panics is a refused request, not a dropped connection:
    // pbjson-types' Duration once did, negating i64::MIN on
    // "--9223372036854775808s" (found by the `duration` fuzz target).
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decode_unguarded(input)))
        .unwrap_or_else(|_| Err("invalid request: a value is out of range".into()))
}

fn decode_unguarded<T: DeserializeOwned>(input: JsonInput) -> Result<T, String> {
    match input {
        JsonInput::Bytes(bytes) => {
            let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { &bytes };
            let mut de = serde_json::Deserializer::from_slice(bytes);
            let value = serde_path_to_error::deserialize(&mut de).map_err(describe)?;
            de.end().map_err(|e| format!("invalid JSON body: {e}"))?;
            Ok(value)
        }
        JsonInput::Value(value) => serde_path_to_error::deserialize(value).map_err(describe),
    }
}

fn describe(err: serde_path_to_error::Error<serde_json::Error>) -> String {
    let path = err.path().to_string();
    let inner = err.into_inner();
    if inner.is_syntax() || inner.is_eof() {
        format!("invalid JSON body: {inner}")
    } else if path == "." {
        format!("invalid request: {inner}")
    } else {
        format!("invalid value for field `{path}`: {inner}")
    }
}

/// Builds the JSON input of a REST call: the body (when the route has one),
/// then path parameters and query parameters, which win over the body as in
/// grpc-gateway. Query parameters that are not top-level scalar fields of
/// the message are ignored, like unknown JSON fields.
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
    for (key, value) in query_pairs {
        let Some((name, json, kind)) = route.query_fields.iter().find(|(n, j, _)| key == *n || key == *j) else {
            continue;
        };
        let value = match kind {
            QueryKind::Text => Value::String(value),
            QueryKind::Bool => match value.as_str() {
                "true" | "1" => Value::Bool(true),
                "false" | "0" | "" => Value::Bool(false),
                _ => {
                    return Err(format!("invalid value for field `{json}`: {value:?} is not a boolean"));
                }
            },
            QueryKind::Number => match value.parse::<f64>() {
                Ok(n) => serde_json::Number::from_f64(n).map(Value::Number).unwrap_or(Value::Null),
                Err(_) => {
                    return Err(format!("invalid value for field `{json}`: {value:?} is not a number"));
                }
            },
        };
        object.remove(*name);
        object.insert((*json).to_string(), value);
    }
    for (param, value) in path {
        if let Some((name, json)) = route.path_fields.iter().find(|(n, _)| n == param) {
            object.remove(*name);
            object.insert((*json).to_string(), Value::String(value.clone()));
        }
    }
    Ok(JsonInput::Value(Value::Object(object)))
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
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b+c%2"), "a b c%2");
        assert_eq!(percent_decode("%E2%9C%93"), "\u{2713}");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
