//! Event payloads by area. Type names follow ZITADEL's event types, so that
//! `ListEvents` filters written for ZITADEL work on burg.

/// Declares payload structs (camelCase JSON, as ZITADEL's payloads) and the
/// list of the module's event types.
macro_rules! payloads {
    ($(
        $(#[$meta:meta])*
        $name:ident = $ty:literal { $($(#[$fmeta:meta])* $field:ident : $fty:ty),* $(,)? }
    )*) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
            #[serde(rename_all = "camelCase")]
            pub struct $name { $($(#[$fmeta])* pub $field: $fty),* }
            impl $crate::event::Payload for $name {
                const TYPE: &'static str = $ty;
            }
        )*
        /// The event types this module declares.
        pub const TYPES: &[&str] = &[$($ty),*];
    };
}

pub mod action;
pub mod app;
pub mod instance;
pub mod machine;
pub mod notify;
pub mod org;
pub mod project;
pub mod restrictions;
pub mod user;
pub mod user_grant;
pub mod web_key;

/// For `skip_serializing_if`: ZITADEL's `omitempty` on a number or flag.
pub(crate) fn is_zero<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// A point in time as ZITADEL's events write a Go `time.Time`: RFC 3339 in
/// UTC with as many fraction digits as it needs
/// (`2100-01-01T00:00:00.5Z`). Held as microseconds since the Unix epoch,
/// burg's precision; an integer of microseconds (as burg wrote
/// `user.pat.added` before) reads too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EventTime(pub i64);

impl EventTime {
    /// The RFC 3339 text; `None` for a time beyond what it can say.
    pub fn to_rfc3339(self) -> Option<String> {
        let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000).ok()?;
        let mut text = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute(),
            at.second()
        );
        let fraction = at.nanosecond();
        if fraction != 0 {
            let digits = format!("{fraction:09}");
            text.push('.');
            text.push_str(digits.trim_end_matches('0'));
        }
        text.push('Z');
        Some(text)
    }
}

impl serde::Serialize for EventTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = self.to_rfc3339().ok_or_else(|| serde::ser::Error::custom("the time is out of range"))?;
        serializer.serialize_str(&text)
    }
}

impl<'de> serde::Deserialize<'de> for EventTime {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Text(String),
            Micros(i64),
        }
        match Stored::deserialize(deserializer)? {
            Stored::Micros(micros) => Ok(EventTime(micros)),
            Stored::Text(text) => {
                let at = time::OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
                    .map_err(|e| serde::de::Error::custom(format!("invalid time {text:?}: {e}")))?;
                let micros = i64::try_from(at.unix_timestamp_nanos() / 1_000)
                    .map_err(|_| serde::de::Error::custom("the time is out of range"))?;
                Ok(EventTime(micros))
            }
        }
    }
}

/// Every event type burg writes, for `ListEventTypes`.
pub fn all_types() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = [
        action::TYPES,
        app::TYPES,
        instance::TYPES,
        machine::TYPES,
        notify::TYPES,
        org::TYPES,
        project::TYPES,
        user::TYPES,
        user_grant::TYPES,
        web_key::TYPES,
        restrictions::TYPES,
        crate::texts::TYPES,
        crate::instance_settings::TYPES,
    ]
    .into_iter()
    .flatten()
    .copied()
    .collect();
    all.extend(crate::settings::KINDS.iter().flat_map(|(_, events)| events.all()));
    all.extend(crate::idp::Kind::ALL.iter().flat_map(|k| [k.added_event(), k.changed_event()]));
    all.extend(crate::idp_config::INSTANCE.all());
    all.extend([crate::idp::MIGRATED_AZURE, crate::idp::MIGRATED_GOOGLE, crate::idp::REMOVED]);
    all.extend(crate::idp::org_event_types());
    all.extend(crate::idp_config::ORG.all());
    all.extend(crate::feature::event_types());
    all.sort_unstable();
    all.dedup();
    all
}

/// Every aggregate type burg writes, for `ListAggregateTypes`.
pub fn all_aggregate_types() -> Vec<&'static str> {
    use crate::event::aggregate::*;
    vec![ACTION, FEATURE, INSTANCE, ORG, PROJECT, RESTRICTIONS, USER, USER_GRANT, WEB_KEY]
}

#[cfg(test)]
mod tests {
    use super::{EventTime, user};

    #[test]
    fn a_human_added_leaves_out_empty_members_as_zitadel() {
        let minimal = user::HumanAdded { user_name: "ada".into(), ..Default::default() };
        let json = serde_json::to_value(&minimal).unwrap();
        assert_eq!(json, serde_json::json!({"userName": "ada", "preferredLanguage": ""}));
        // Stored in full by earlier releases, and read back either way.
        let full = serde_json::json!({"userName": "ada", "firstName": "Ada", "lastName": "", "nickName": "",
            "displayName": "", "preferredLanguage": "en", "gender": 0, "email": "a@example.com", "phone": "",
            "changeRequired": false});
        let read: user::HumanAdded = serde_json::from_value(full).unwrap();
        assert_eq!((read.first_name.as_str(), read.email.as_str()), ("Ada", "a@example.com"));
        assert_eq!(serde_json::from_value::<user::HumanAdded>(json).unwrap(), minimal);
    }

    #[test]
    fn event_times_are_written_as_go_writes_a_time() {
        let cases = [
            (253_402_300_799_000_000, "9999-12-31T23:59:59Z"),
            (4_102_444_800_500_000, "2100-01-01T00:00:00.5Z"),
            (1_700_000_000_123_456, "2023-11-14T22:13:20.123456Z"),
            (0, "1970-01-01T00:00:00Z"),
        ];
        for (micros, text) in cases {
            assert_eq!(serde_json::to_value(EventTime(micros)).unwrap(), text);
            assert_eq!(serde_json::from_value::<EventTime>(text.into()).unwrap(), EventTime(micros));
        }
        // As burg wrote it before: microseconds.
        let earlier: EventTime = serde_json::from_value(serde_json::json!(4_102_444_800_500_000_i64)).unwrap();
        assert_eq!(earlier, EventTime(4_102_444_800_500_000));
        let offset: EventTime = serde_json::from_value("2100-01-01T02:00:00.5+02:00".into()).unwrap();
        assert_eq!(offset, EventTime(4_102_444_800_500_000));
        assert!(serde_json::to_value(EventTime(i64::MAX)).is_err());
    }
}
