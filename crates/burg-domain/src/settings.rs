//! Settings documents: ZITADEL's policies and the other settings that an
//! instance holds as the default and an organization may hold as its own.
//!
//! A setting is declared once (its type, its event types, ZITADEL's values
//! for a new instance) and every part of burg works from that declaration:
//! the instance's setup writes the default, the projection keeps one row
//! per owner and kind, the app reads the organization's value or the
//! instance's, and writes changes, custom values and resets as events.
//!
//! Events follow ZITADEL: `instance.<kind>.added` / `.changed` on the
//! instance aggregate, `org.<kind>.added` / `.changed` / `.removed` on an
//! organization's. Their payload is the whole document, in the member names
//! of ZITADEL's payloads.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The event types of one setting kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingEvents {
    pub instance_added: &'static str,
    pub instance_changed: &'static str,
    pub org_added: &'static str,
    pub org_changed: &'static str,
    pub org_removed: &'static str,
}

impl SettingEvents {
    /// Every type, for `ListEventTypes`.
    pub fn all(&self) -> [&'static str; 5] {
        [self.instance_added, self.instance_changed, self.org_added, self.org_changed, self.org_removed]
    }
}

/// What an event does to a setting's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingOp {
    /// Writes the payload as the owner's document.
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
}

/// Declares a [`Setting`] from its type, kind and name, and the list of
/// every declared kind.
macro_rules! settings {
    ($($ty:ty = $kind:literal, $name:literal;)*) => {
        $(
            impl Setting for $ty {
                const KIND: &'static str = $kind;
                const NAME: &'static str = $name;
                const EVENTS: SettingEvents = SettingEvents {
                    instance_added: concat!("instance.", $kind, ".added"),
                    instance_changed: concat!("instance.", $kind, ".changed"),
                    org_added: concat!("org.", $kind, ".added"),
                    org_changed: concat!("org.", $kind, ".changed"),
                    org_removed: concat!("org.", $kind, ".removed"),
                };
                fn instance_default() -> Self {
                    <$ty>::instance_default()
                }
            }
        )*
        /// Every declared kind with its event types.
        pub const KINDS: &[(&str, SettingEvents)] = &[$(($kind, <$ty as Setting>::EVENTS)),*];
        /// The events that set up a new instance's defaults.
        pub fn instance_defaults(instance: &$crate::event::Aggregate) -> $crate::Result<Vec<$crate::event::NewEvent>> {
            Ok(vec![$(added_event(instance, &<$ty>::instance_default())?),*])
        }
    };
}

settings! {
    crate::events::instance::LoginPolicy = "policy.login", "login policy";
    crate::policies::PasswordComplexityPolicy = "policy.password.complexity", "password complexity policy";
    crate::policies::PasswordAgePolicy = "policy.password.age", "password age policy";
    crate::policies::DomainPolicy = "policy.domain", "domain policy";
    crate::policies::PrivacyPolicy = "policy.privacy", "privacy policy";
    crate::policies::NotificationPolicy = "policy.notification", "notification policy";
    crate::policies::LockoutPolicy = "policy.lockout", "lockout policy";
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
        if event_type == events.org_removed {
            Some((*kind, SettingOp::Remove))
        } else if [events.instance_added, events.instance_changed, events.org_added, events.org_changed]
            .contains(&event_type)
        {
            Some((*kind, SettingOp::Set))
        } else {
            None
        }
    })
}

fn event<S: Setting>(
    aggregate: &crate::event::Aggregate,
    event_type: &'static str,
    value: &S,
) -> crate::Result<crate::event::NewEvent> {
    let payload = serde_json::to_value(value)
        .map_err(|e| crate::Error::internal("SETTING-enc1", format!("cannot encode {event_type}: {e}")))?;
    Ok(crate::event::NewEvent { aggregate: aggregate.clone(), event_type, payload })
}

/// `<aggregate>.<kind>.added` with `value`, on the instance or an org.
pub fn added_event<S: Setting>(
    aggregate: &crate::event::Aggregate,
    value: &S,
) -> crate::Result<crate::event::NewEvent> {
    let t = if aggregate.kind == crate::event::aggregate::ORG { S::EVENTS.org_added } else { S::EVENTS.instance_added };
    event(aggregate, t, value)
}

/// `<aggregate>.<kind>.changed` with `value`.
pub fn changed_event<S: Setting>(
    aggregate: &crate::event::Aggregate,
    value: &S,
) -> crate::Result<crate::event::NewEvent> {
    let t =
        if aggregate.kind == crate::event::aggregate::ORG { S::EVENTS.org_changed } else { S::EVENTS.instance_changed };
    event(aggregate, t, value)
}

/// `org.<kind>.removed`: an organization goes back to the instance's value.
pub fn removed_event<S: Setting>(org: &crate::event::Aggregate) -> crate::Result<crate::event::NewEvent> {
    Ok(crate::event::NewEvent {
        aggregate: org.clone(),
        event_type: S::EVENTS.org_removed,
        payload: serde_json::json!({}),
    })
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
        assert_eq!(of_event("instance.policy.login.idpprovider.added"), None);
        let instance = crate::event::Aggregate::new(crate::event::aggregate::INSTANCE, "i", "i");
        let defaults = instance_defaults(&instance).unwrap();
        assert_eq!(defaults.len(), KINDS.len());
        assert_eq!(defaults[0].event_type, "instance.policy.login.added");
        assert_eq!(defaults[0].payload["allowUsernamePassword"], true);
    }
}
