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

pub mod instance;
pub mod org;
pub mod user;

/// Every event type burg writes, for `ListEventTypes`.
pub fn all_types() -> Vec<&'static str> {
    let mut all: Vec<&'static str> =
        [instance::TYPES, org::TYPES, user::TYPES].into_iter().flatten().copied().collect();
    all.extend(crate::settings::KINDS.iter().flat_map(|(_, events)| events.all()));
    all.extend(crate::idp::Kind::ALL.iter().flat_map(|k| [k.added_event(), k.changed_event()]));
    all.extend([crate::idp::MIGRATED_AZURE, crate::idp::MIGRATED_GOOGLE, crate::idp::REMOVED]);
    all.sort_unstable();
    all.dedup();
    all
}

/// Every aggregate type burg writes, for `ListAggregateTypes`.
pub fn all_aggregate_types() -> Vec<&'static str> {
    use crate::event::aggregate::*;
    vec![ACTION, INSTANCE, ORG, PROJECT, USER, USER_GRANT]
}
