//! `google.protobuf.Timestamp` with the JSON form ZITADEL's gateway writes.
//!
//! pbjson-types renders UTC as `+00:00`; Go's protojson writes `Z` with 0, 3,
//! 6 or 9 fractional digits. Clients compare these strings, so we own the
//! type. The protobuf encoding is the standard one (seconds = 1, nanos = 2).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ::prost::Message)]
pub struct Timestamp {
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

impl Timestamp {
    /// From microseconds since the Unix epoch, the precision burg stores.
    pub fn from_micros(micros: i64) -> Self {
        Timestamp { seconds: micros.div_euclid(1_000_000), nanos: (micros.rem_euclid(1_000_000) * 1_000) as i32 }
    }

    /// Microseconds since the Unix epoch (sub-microsecond digits are dropped).
    pub fn to_micros(self) -> i64 {
        self.seconds.saturating_mul(1_000_000).saturating_add(i64::from(self.nanos) / 1_000)
    }

    /// RFC 3339 in UTC with `Z` and 0, 3, 6 or 9 fractional digits.
    pub fn to_rfc3339(self) -> String {
        let Ok(dt) = OffsetDateTime::from_unix_timestamp(self.seconds) else {
            return String::from("invalid");
        };
        let base = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            dt.year(),
            u8::from(dt.month()),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        );
        let n = self.nanos.clamp(0, 999_999_999);
        if n == 0 {
            format!("{base}Z")
        } else if n % 1_000_000 == 0 {
            format!("{base}.{:03}Z", n / 1_000_000)
        } else if n % 1_000 == 0 {
            format!("{base}.{:06}Z", n / 1_000)
        } else {
            format!("{base}.{n:09}Z")
        }
    }

    /// Parses RFC 3339 with any offset, as protojson accepts.
    pub fn parse(s: &str) -> Result<Self, String> {
        let dt = OffsetDateTime::parse(s, &Rfc3339).map_err(|e| format!("invalid timestamp {s:?}: {e}"))?;
        Ok(Timestamp { seconds: dt.unix_timestamp(), nanos: dt.nanosecond() as i32 })
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Timestamp::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_z_and_go_fraction_digits() {
        let t = Timestamp { seconds: 1_736_156_968, nanos: 132_000_000 };
        assert_eq!(t.to_rfc3339(), "2025-01-06T09:49:28.132Z");
        assert_eq!(Timestamp { seconds: 1_736_156_968, nanos: 0 }.to_rfc3339(), "2025-01-06T09:49:28Z");
        assert_eq!(Timestamp { seconds: 0, nanos: 1_000 }.to_rfc3339(), "1970-01-01T00:00:00.000001Z");
        assert_eq!(Timestamp { seconds: 0, nanos: 1 }.to_rfc3339(), "1970-01-01T00:00:00.000000001Z");
    }

    #[test]
    fn parses_offsets_and_round_trips_micros() {
        let t = Timestamp::parse("2025-01-06T10:49:28.132+01:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2025-01-06T09:49:28.132Z");
        let m = 1_736_156_968_132_456;
        assert_eq!(Timestamp::from_micros(m).to_micros(), m);
        assert_eq!(Timestamp::from_micros(-1).to_rfc3339(), "1969-12-31T23:59:59.999999Z");
        assert!(Timestamp::parse("yesterday").is_err());
    }
}
