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

/// The value of a proto enum field as proto3 JSON has it: enums are open, so
/// a number no variant has is read and written as that number (Go's
/// protojson, which ZITADEL's gateway and clients use, does the same; e.g.
/// ZITADEL's export writes a user link's `idpType` as its template's number).
/// Names are read and written as the enum's own. The generated JSON code
/// goes through this type (see `build.rs`, `open_enums`).
pub struct OpenEnum<T>(pub i32, std::marker::PhantomData<T>);

impl<T> OpenEnum<T> {
    pub fn of(value: i32) -> Self {
        OpenEnum(value, std::marker::PhantomData)
    }
}

impl<T: TryFrom<i32> + serde::Serialize> serde::Serialize for OpenEnum<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match T::try_from(self.0) {
            Ok(known) => known.serialize(serializer),
            Err(_) => serializer.serialize_i32(self.0),
        }
    }
}

impl<'de, T: serde::Deserialize<'de> + Into<i32>> serde::Deserialize<'de> for OpenEnum<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Open<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de> + Into<i32>> serde::de::Visitor<'de> for Open<T> {
            type Value = OpenEnum<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an enum value's name or number")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
                let n = i32::try_from(v).map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(v), &self))?;
                Ok(OpenEnum::of(n))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
                let n = i32::try_from(v).map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))?;
                Ok(OpenEnum::of(n))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                let known = T::deserialize(serde::de::IntoDeserializer::<E>::into_deserializer(v))?;
                Ok(OpenEnum::of(known.into()))
            }
        }
        deserializer.deserialize_any(Open(std::marker::PhantomData))
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

    #[test]
    fn enums_are_open_both_ways() {
        // ZITADEL's export writes a GitHub link's type as its number.
        let link: crate::idp::IdpUserLink =
            decode(JsonInput::Value(serde_json::json!({"idpId": "1", "idpType": 6}))).unwrap();
        assert_eq!(link.idp_type, 6);
        assert_eq!(serde_json::to_value(&link).unwrap()["idpType"], 6);
        let named: crate::idp::IdpUserLink =
            decode(JsonInput::Value(serde_json::json!({"idpType": "IDP_TYPE_JWT"}))).unwrap();
        assert_eq!(named.idp_type, crate::idp::IdpType::Jwt as i32);
        assert_eq!(serde_json::to_value(&named).unwrap()["idpType"], "IDP_TYPE_JWT");
        let unknown = decode::<crate::idp::IdpUserLink>(JsonInput::Value(serde_json::json!({"idpType": "IDP_TYPE_X"})));
        assert!(unknown.unwrap_err().contains("idpType"));
        let too_big = decode::<crate::idp::IdpUserLink>(JsonInput::Value(serde_json::json!({"idpType": 1u64 << 40})));
        assert!(too_big.is_err());
    }
}
