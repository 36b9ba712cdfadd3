//! `google.protobuf.Timestamp` with the JSON form ZITADEL's gateway writes,
//! and `google.protobuf.Duration` with a parser that cannot overflow.
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

/// `google.protobuf.Duration`: the standard protobuf encoding (seconds = 1,
/// nanos = 2) and proto3 JSON (`"3600s"`, `"1.500s"`, `"-0.000000001s"`).
/// pbjson-types' parser negated i64::MIN on `"--9223372036854775808s"`
/// (found by fuzzing); this one refuses whatever is out of range.
#[derive(Clone, Copy, PartialEq, Eq, Hash, ::prost::Message)]
pub struct Duration {
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

/// The proto's limit: about 10,000 years either way.
const MAX_DURATION_SECONDS: u64 = 315_576_000_000;

impl Duration {
    /// Parses proto3 JSON: an optional `-`, whole seconds, up to nine
    /// fractional digits, `s`.
    pub fn parse(text: &str) -> Result<Duration, String> {
        let body = text.strip_suffix('s').ok_or("a duration ends in `s`, e.g. \"3600s\"")?;
        let (negative, body) = match body.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, body),
        };
        let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !(fraction.is_empty() || (digits(fraction) && fraction.len() <= 9)) || body.ends_with('.')
        {
            return Err(format!("{text:?} is not a duration like \"3600s\" or \"1.5s\""));
        }
        let seconds: u64 = whole.parse().map_err(|_| format!("{text:?} is out of range"))?;
        if seconds > MAX_DURATION_SECONDS {
            return Err(format!("{text:?} is out of range (at most {MAX_DURATION_SECONDS}s)"));
        }
        let nanos: u32 = if fraction.is_empty() { 0 } else { format!("{fraction:0<9}").parse().unwrap_or(0) };
        let (seconds, nanos) = (seconds as i64, nanos as i32);
        Ok(if negative { Duration { seconds: -seconds, nanos: -nanos } } else { Duration { seconds, nanos } })
    }

    /// proto3 JSON, with 0, 3, 6 or 9 fractional digits.
    pub fn to_json_string(self) -> String {
        let negative = self.seconds < 0 || self.nanos < 0;
        let mut s = format!("{}{}", if negative { "-" } else { "" }, self.seconds.unsigned_abs());
        let nanos = self.nanos.unsigned_abs();
        if nanos != 0 {
            let digits = format!("{nanos:09}");
            let keep = if nanos.is_multiple_of(1_000_000) {
                3
            } else if nanos.is_multiple_of(1_000) {
                6
            } else {
                9
            };
            s.push('.');
            s.push_str(&digits[..keep]);
        }
        s.push('s');
        s
    }
}

impl From<std::time::Duration> for Duration {
    fn from(d: std::time::Duration) -> Self {
        Duration { seconds: d.as_secs().min(i64::MAX as u64) as i64, nanos: d.subsec_nanos() as i32 }
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_json_string())
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Duration::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod duration_tests {
    use super::Duration;

    #[test]
    fn parses_and_writes_proto3_json() {
        for (text, seconds, nanos) in [
            ("3600s", 3600, 0),
            ("1.5s", 1, 500_000_000),
            ("-1.000000001s", -1, -1),
            ("-0.25s", 0, -250_000_000),
            ("0s", 0, 0),
            ("315576000000s", 315_576_000_000, 0),
        ] {
            assert_eq!(Duration::parse(text), Ok(Duration { seconds, nanos }), "{text}");
        }
        assert_eq!(Duration { seconds: 1, nanos: 500_000_000 }.to_json_string(), "1.500s");
        assert_eq!(Duration { seconds: 0, nanos: -1_000 }.to_json_string(), "-0.000001s");
        assert_eq!(Duration { seconds: -3, nanos: 0 }.to_json_string(), "-3s");
        for bad in [
            "",
            "s",
            "1",
            "--1s",
            "-s",
            "1.s",
            ".5s",
            "1.0000000001s",
            "9223372036854775808s",
            "315576000001s",
            "1e3s",
            "+1s",
            " 1s",
        ] {
            assert!(Duration::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Duration::parse("--9223372036854775808s").is_err());
    }
}
