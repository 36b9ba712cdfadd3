//! Settings documents: ZITADEL's policies and the other settings that an
//! instance holds as the default and an organization may hold as its own.
//!
//! A setting is declared once (its type, its event types, ZITADEL's values
//! for a new instance, what its events carry) and every part of burg works
//! from that declaration: the instance's setup writes the default, the
//! projection keeps one row per owner and kind, the app reads the
//! organization's value or the instance's, and writes changes, custom
//! values and resets as events.
//!
//! Events follow ZITADEL: `instance.<kind>.added` / `.changed` on the
//! instance aggregate, `org.<kind>.added` / `.changed` / `.removed` on an
//! organization's, with the payload members of ZITADEL's events, and the
//! events of a setting's parts (the login policy's factors). What they
//! carry is the type's to say ([`Setting::added_events`],
//! [`Setting::changed_events`], [`Setting::reduce`]); by default the
//! document's non-zero members in the added event and the members that
//! changed in a changed event. The `settings` table keeps the whole document in the type's own
//! serde form. A setting only the instance holds has no `org.*` types
//! ([`SettingEvents::instance_only`]); one ZITADEL's setup does not write
//! reads as its zero value until it is first set ([`Setting::SET_UP`]).

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::event::{Aggregate, NewEvent, aggregate};

/// The event types of one setting kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingEvents {
    pub instance_added: &'static str,
    pub instance_changed: &'static str,
    pub org_added: &'static str,
    pub org_changed: &'static str,
    pub org_removed: &'static str,
    /// Events of the setting's parts, at both scopes (they change the
    /// stored document too).
    pub parts: &'static [&'static str],
}

impl SettingEvents {
    /// The five types and the parts' (see `setting_events!`).
    pub const fn of(
        instance_added: &'static str,
        instance_changed: &'static str,
        org_added: &'static str,
        org_changed: &'static str,
        org_removed: &'static str,
        parts: &'static [&'static str],
    ) -> Self {
        SettingEvents { instance_added, instance_changed, org_added, org_changed, org_removed, parts }
    }

    /// The types of a setting only the instance holds (an organization has
    /// none of its own): no `org.*` types. `added` and `changed` may be the
    /// same type (ZITADEL's security policy has only `…set`).
    pub const fn instance_only(instance_added: &'static str, instance_changed: &'static str) -> Self {
        SettingEvents { instance_added, instance_changed, org_added: "", org_changed: "", org_removed: "", parts: &[] }
    }

    /// Every type, for `ListEventTypes`.
    pub fn all(&self) -> Vec<&'static str> {
        let mut all =
            vec![self.instance_added, self.instance_changed, self.org_added, self.org_changed, self.org_removed];
        all.extend(self.parts);
        all.retain(|t| !t.is_empty());
        all.dedup();
        all
    }

    /// The `added` type on `aggregate` (the instance or an org).
    pub fn added(&self, on: &Aggregate) -> &'static str {
        if on.kind == aggregate::ORG { self.org_added } else { self.instance_added }
    }

    /// The `changed` type on `aggregate`.
    pub fn changed(&self, on: &Aggregate) -> &'static str {
        if on.kind == aggregate::ORG { self.org_changed } else { self.instance_changed }
    }
}

/// The event types of a setting kind: `setting_events!("policy.login")`,
/// or with the types of its parts after it.
macro_rules! setting_events {
    ($kind:literal $(, parts: $parts:expr)?) => {
        $crate::settings::SettingEvents::of(
            concat!("instance.", $kind, ".added"),
            concat!("instance.", $kind, ".changed"),
            concat!("org.", $kind, ".added"),
            concat!("org.", $kind, ".changed"),
            concat!("org.", $kind, ".removed"),
            $crate::settings::setting_events!(@parts $($parts)?),
        )
    };
    (@parts) => { &[] };
    (@parts $parts:expr) => { $parts };
}
pub(crate) use setting_events;

/// What an event does to a setting's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingOp {
    /// Writes the document [`Setting::reduce`] makes of the stored one.
    Set,
    /// Removes the owner's document (the default applies again).
    Remove,
}

/// A settings document.
pub trait Setting: Serialize + DeserializeOwned + Clone + PartialEq + Default + Send + Sync + 'static {
    /// The part of its event types between the aggregate and the verb, and
    /// its rows' `kind`: `policy.login`.
    const KIND: &'static str;
    const EVENTS: SettingEvents;
    /// What it says for an object of this kind in messages: "login policy".
    const NAME: &'static str;

    /// Its value on a new instance: ZITADEL's defaults.
    fn instance_default() -> Self;

    /// Whether a new instance gets [`Setting::instance_default`] as events
    /// (ZITADEL's setup writes most settings; some, such as the security
    /// policy, exist only once they are set, and read as their default
    /// before).
    const SET_UP: bool = true;

    /// The events that give `on` (the instance, or an organization) this
    /// value. By default one `added` event with the document's non-zero
    /// members.
    fn added_events(&self, on: &Aggregate) -> crate::Result<Vec<NewEvent>> {
        Ok(vec![whole(on, Self::EVENTS.added(on), self)?])
    }

    /// The events that change `on`'s value from `self` to `next` (which
    /// differ). By default one `changed` event with the members of the
    /// document that differ, as ZITADEL's `changed` events carry only what
    /// changed ([`members_changed`]).
    fn changed_events(&self, on: &Aggregate, next: &Self) -> crate::Result<Vec<NewEvent>> {
        Ok(vec![members_changed(on, Self::EVENTS.changed(on), self, next)?])
    }

    /// The document after the event `event_type` with `payload`, given the
    /// stored one (none before an `added` event). By default the payload's
    /// members replace the stored document's ([`merge`]): an `added` event
    /// with the non-zero members, a `changed` event with some members, and a
    /// `changed` event of an earlier release with the whole document all
    /// read so.
    fn reduce(stored: Option<Self>, event_type: &str, payload: &serde_json::Value) -> crate::Result<Self> {
        merge(stored, event_type, payload)
    }

    /// [`Setting::reduce`] for a type that keeps when an event happened
    /// (the event's `sequence` on its aggregate and its time `at`), such as
    /// the label policy's activation.
    fn reduce_at(
        stored: Option<Self>,
        event_type: &str,
        payload: &serde_json::Value,
        sequence: i64,
        at: i64,
    ) -> crate::Result<Self> {
        let _ = (sequence, at);
        Self::reduce(stored, event_type, payload)
    }
}

/// A `changed` event of `event_type` on `on` with the members of `next`'s
/// document (its serde form) whose values differ from `from`'s.
pub fn members_changed<S: Serialize>(
    on: &Aggregate,
    event_type: &'static str,
    from: &S,
    next: &S,
) -> crate::Result<NewEvent> {
    let encode = |v: &S| {
        serde_json::to_value(v)
            .map_err(|e| crate::Error::internal("SETTING-enc3", format!("cannot encode {event_type}: {e}")))
    };
    let (from, next) = (encode(from)?, encode(next)?);
    let mut changed = serde_json::Map::new();
    if let serde_json::Value::Object(next) = next {
        for (member, value) in next {
            if from.get(&member) != Some(&value) {
                changed.insert(member, value);
            }
        }
    }
    Ok(NewEvent { aggregate: on.clone(), event_type, payload: serde_json::Value::Object(changed) })
}

/// The document `stored` (or the type's zero value) with the members of
/// `payload` put in.
pub fn merge<S: Setting>(stored: Option<S>, event_type: &str, payload: &serde_json::Value) -> crate::Result<S> {
    let Some(members) = payload.as_object() else {
        return Ok(stored.unwrap_or_default());
    };
    let mut document = serde_json::to_value(stored.unwrap_or_default())
        .map_err(|e| crate::Error::internal("SETTING-enc4", format!("cannot encode the {}: {e}", S::NAME)))?;
    if let serde_json::Value::Object(document) = &mut document {
        for (member, value) in members {
            document.insert(member.clone(), value.clone());
        }
    }
    decode(event_type, &document)
}

/// A payload of `event_type` read as `T`.
pub fn decode<T: DeserializeOwned>(event_type: &str, payload: &serde_json::Value) -> crate::Result<T> {
    T::deserialize(payload)
        .map_err(|e| crate::Error::internal("SETTING-dec2", format!("unreadable {event_type} event: {e}")))
}

/// An event of `event_type` on `on` with `payload`.
pub fn event<P: Serialize>(on: &Aggregate, event_type: &'static str, payload: &P) -> crate::Result<NewEvent> {
    let payload = serde_json::to_value(payload)
        .map_err(|e| crate::Error::internal("SETTING-enc1", format!("cannot encode {event_type}: {e}")))?;
    Ok(NewEvent { aggregate: on.clone(), event_type, payload })
}

/// An `added` event with the members of `value` that are not zero: ZITADEL
/// writes its policies' `added` members `omitempty`, and [`merge`] reads a
/// missing member as the type's zero value.
fn whole<S: Setting>(on: &Aggregate, event_type: &'static str, value: &S) -> crate::Result<NewEvent> {
    let mut added = event(on, event_type, value)?;
    let zero = serde_json::to_value(S::default())
        .map_err(|e| crate::Error::internal("SETTING-enc5", format!("cannot encode {event_type}: {e}")))?;
    if let (serde_json::Value::Object(members), serde_json::Value::Object(zero)) = (&mut added.payload, &zero) {
        members.retain(|member, value| zero.get(member) != Some(value));
    }
    Ok(added)
}

/// Lists the declared settings: the list of every kind with its event
/// types, the instance's setup events, and the projection's dispatch.
macro_rules! settings {
    ($($ty:ty;)*) => {
        /// Every declared kind with its event types.
        pub const KINDS: &[(&str, SettingEvents)] = &[$((<$ty as Setting>::KIND, <$ty as Setting>::EVENTS)),*];

        /// The events that set up a new instance's defaults.
        pub fn instance_defaults(instance: &Aggregate) -> crate::Result<Vec<NewEvent>> {
            let mut events = Vec::new();
            $(
                if <$ty as Setting>::SET_UP {
                    events.extend(<$ty as Setting>::instance_default().added_events(instance)?);
                }
            )*
            Ok(events)
        }

        /// The stored document of `kind` (its JSON) after the event
        /// `event_type` with `payload` (its `sequence` and time `at`),
        /// given the stored one.
        pub fn reduce(
            kind: &str,
            stored: Option<&str>,
            event_type: &str,
            payload: &serde_json::Value,
            sequence: i64,
            at: i64,
        ) -> crate::Result<String> {
            $(
                if kind == <$ty as Setting>::KIND {
                    let stored = stored
                        .map(|s| serde_json::from_str::<$ty>(s))
                        .transpose()
                        .map_err(|e| crate::Error::internal(
                            "SETTING-dec3",
                            format!("the stored {} is unreadable: {e}", <$ty as Setting>::NAME),
                        ))?;
                    let next = <$ty as Setting>::reduce_at(stored, event_type, payload, sequence, at)?;
                    return serde_json::to_string(&next).map_err(|e| {
                        crate::Error::internal("SETTING-enc2", format!("cannot encode the {}: {e}", <$ty as Setting>::NAME))
                    });
                }
            )*
            Err(crate::Error::internal("SETTING-kind1", format!("no setting of kind {kind}")))
        }

        /// The events that take `on`'s stored document of `kind` (its JSON,
        /// if it has one) to `next`, a document of that kind given as JSON
        /// (an instance section of an import): none when they are equal.
        /// `next` that is no such document is InvalidArgument naming
        /// `field`; an unknown kind is InvalidArgument too.
        pub fn transition(
            kind: &str,
            field: &str,
            on: &crate::event::Aggregate,
            stored: Option<&str>,
            next: &serde_json::Value,
        ) -> crate::Result<Vec<crate::event::NewEvent>> {
            $(
                if kind == <$ty as Setting>::KIND {
                    let next: $ty = serde_json::from_value(next.clone()).map_err(|e| crate::Error::invalid_argument(
                        "IMPORT-inst03",
                        format!("`{field}` is no {}: {e}", <$ty as Setting>::NAME),
                    ))?;
                    let stored = stored
                        .map(|s| serde_json::from_str::<$ty>(s))
                        .transpose()
                        .map_err(|e| crate::Error::internal(
                            "SETTING-tr001",
                            format!("the stored {} is unreadable: {e}", <$ty as Setting>::NAME),
                        ))?;
                    return match stored {
                        Some(current) if current == next => Ok(Vec::new()),
                        Some(current) => current.changed_events(on, &next),
                        None => next.added_events(on),
                    };
                }
            )*
            Err(crate::Error::invalid_argument("IMPORT-inst04", format!("`{field}`: burg has no setting {kind:?}")))
        }
    };
}

settings! {
    crate::events::instance::LoginPolicy;
    crate::policies::PasswordComplexityPolicy;
    crate::policies::PasswordAgePolicy;
    crate::policies::DomainPolicy;
    crate::policies::PrivacyPolicy;
    crate::policies::NotificationPolicy;
    crate::policies::LockoutPolicy;
    crate::instance_settings::OidcSettings;
    crate::instance_settings::SecurityPolicy;
    crate::label_policy::LabelPolicy;
}

/// The events that give an instance the defaults of every kind it lacks
/// (`has` says which kinds it holds): a store made before a kind was
/// declared gets ZITADEL's defaults for it when it is opened.
pub fn missing_instance_defaults(
    instance: &crate::event::Aggregate,
    has: impl Fn(&str) -> bool,
) -> crate::Result<Vec<crate::event::NewEvent>> {
    let all = instance_defaults(instance)?;
    Ok(all.into_iter().filter(|e| of_event(e.event_type).is_some_and(|(kind, _)| !has(kind))).collect())
}

/// The kind and the operation of a setting's event type; `None` for any
/// other event.
pub fn of_event(event_type: &str) -> Option<(&'static str, SettingOp)> {
    KINDS.iter().find_map(|(kind, events)| {
        if !events.org_removed.is_empty() && event_type == events.org_removed {
            Some((*kind, SettingOp::Remove))
        } else if [events.instance_added, events.instance_changed, events.org_added, events.org_changed]
            .contains(&event_type)
            || events.parts.contains(&event_type)
        {
            Some((*kind, SettingOp::Set))
        } else {
            None
        }
    })
}

/// `org.<kind>.removed`: an organization goes back to the instance's value.
/// ZITADEL's event has no payload.
pub fn removed_event<S: Setting>(org: &Aggregate) -> crate::Result<NewEvent> {
    Ok(NewEvent { aggregate: org.clone(), event_type: S::EVENTS.org_removed, payload: serde_json::Value::Null })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::instance::LoginPolicy;

    #[test]
    fn a_declaration_names_zitadels_event_types() {
        assert_eq!(LoginPolicy::EVENTS.instance_added, "instance.policy.login.added");
        assert_eq!(LoginPolicy::EVENTS.org_removed, "org.policy.login.removed");
        assert_eq!(of_event("org.policy.login.changed"), Some(("policy.login", SettingOp::Set)));
        assert_eq!(of_event("org.policy.login.removed"), Some(("policy.login", SettingOp::Remove)));
        assert_eq!(of_event("instance.policy.login.secondfactor.added"), Some(("policy.login", SettingOp::Set)));
        assert_eq!(of_event("instance.policy.login.idpprovider.added"), None);
        let instance = Aggregate::new(aggregate::INSTANCE, "i", "i");
        let defaults = instance_defaults(&instance).unwrap();
        let types: Vec<&str> = defaults.iter().map(|e| e.event_type).collect();
        assert_eq!(
            types,
            [
                "instance.policy.login.added",
                "instance.policy.login.secondfactor.added",
                "instance.policy.login.secondfactor.added",
                "instance.policy.login.multifactor.added",
                "instance.policy.password.complexity.added",
                "instance.policy.password.age.added",
                "instance.policy.domain.added",
                "instance.policy.privacy.added",
                "instance.policy.notification.added",
                "instance.policy.lockout.added",
                "instance.oidc.settings.added",
                "instance.policy.label.added",
                "instance.policy.label.activated"
            ]
        );
        assert_eq!(defaults[0].payload["allowUsernamePassword"], true);
    }

    #[test]
    fn the_projection_rebuilds_the_document_from_the_events() {
        let instance = Aggregate::new(aggregate::INSTANCE, "i", "i");
        let mut stored: Option<String> = None;
        let login = instance_defaults(&instance)
            .unwrap()
            .into_iter()
            .filter(|e| of_event(e.event_type).is_some_and(|(kind, _)| kind == LoginPolicy::KIND));
        for e in login {
            stored = Some(reduce(LoginPolicy::KIND, stored.as_deref(), e.event_type, &e.payload, 0, 0).unwrap());
        }
        let read: LoginPolicy = serde_json::from_str(stored.as_deref().unwrap()).unwrap();
        assert_eq!(read, LoginPolicy::instance_default());
    }
}
