//! Decoding request JSON the way ZITADEL's gateway does, with errors that
//! name the offending field.

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::Value;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_decode_from_assembled_objects() {
        let q: crate::object::ListQuery =
            decode(JsonInput::Value(serde_json::json!({"offset": "2", "limit": 5, "asc": true}))).unwrap();
        assert_eq!((q.offset, q.limit, q.asc), (2, 5, true));
    }

    #[test]
    fn query_numbers_decode_into_integer_fields() {
        let (_, route) = crate::routes::Route::by_method("AdminService", "ListInstanceDomains").unwrap();
        let input = crate::rest::rest_input(route, Bytes::new(), &[], Some("query.limit=5&query.offset=3")).unwrap();
        let r: crate::admin::ListInstanceDomainsRequest = decode(input).unwrap();
        let q = r.query.unwrap();
        assert_eq!((q.limit, q.offset), (5, 3));
    }
}
