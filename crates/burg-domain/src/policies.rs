//! The policies an instance holds as defaults (and an organization may hold
//! as its own), other than the login policy: each a settings document
//! ([`crate::settings::Setting`]) in the member names of ZITADEL's event
//! payloads (`internal/repository/policy/*.go`), with ZITADEL's values for
//! a new instance (`cmd/defaults.yaml`, `DefaultInstance`).

use serde::{Deserialize, Serialize};

/// `policy.password.complexity`: what a password must contain.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PasswordComplexityPolicy {
    pub min_length: u64,
    pub has_lowercase: bool,
    pub has_uppercase: bool,
    pub has_number: bool,
    pub has_symbol: bool,
}

impl PasswordComplexityPolicy {
    /// ZITADEL's longest allowed minimum (bcrypt reads 72 bytes).
    pub const MAX_MIN_LENGTH: u64 = 72;

    pub fn instance_default() -> Self {
        PasswordComplexityPolicy {
            min_length: 8,
            has_lowercase: true,
            has_uppercase: true,
            has_number: true,
            has_symbol: true,
        }
    }
}

/// `policy.lockout`: how many failed checks lock a user out (0: never).
/// `showLockOutFailures` is not on the wire of the Admin API; its update
/// sets it to false, as ZITADEL's converter does.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LockoutPolicy {
    #[serde(rename = "maxPasswordAttempts")]
    pub max_password_attempts: u64,
    #[serde(rename = "maxOTPAttempts")]
    pub max_otp_attempts: u64,
    #[serde(rename = "showLockOutFailures")]
    pub show_lock_out_failures: bool,
}

impl LockoutPolicy {
    pub fn instance_default() -> Self {
        LockoutPolicy { max_password_attempts: 0, max_otp_attempts: 0, show_lock_out_failures: true }
    }
}

/// `policy.privacy`: the links and the support address the login shows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PrivacyPolicy {
    pub tos_link: String,
    pub privacy_link: String,
    pub help_link: String,
    pub support_email: String,
    pub docs_link: String,
    pub custom_link: String,
    pub custom_link_text: String,
}

impl PrivacyPolicy {
    pub fn instance_default() -> Self {
        PrivacyPolicy { docs_link: "https://zitadel.com/docs".into(), ..PrivacyPolicy::default() }
    }
}

/// `policy.password.age`: when a password expires (0: never).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PasswordAgePolicy {
    pub expire_warn_days: u64,
    pub max_age_days: u64,
}

impl PasswordAgePolicy {
    pub fn instance_default() -> Self {
        PasswordAgePolicy::default()
    }
}

/// `policy.domain` (formerly the org IAM policy): how usernames and
/// organization domains work.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DomainPolicy {
    pub user_login_must_be_domain: bool,
    pub validate_org_domains: bool,
    pub smtp_sender_address_matches_instance_domain: bool,
}

impl DomainPolicy {
    pub fn instance_default() -> Self {
        DomainPolicy::default()
    }
}

/// `policy.notification`: which notifications users get.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NotificationPolicy {
    pub password_change: bool,
}

impl NotificationPolicy {
    pub fn instance_default() -> Self {
        NotificationPolicy { password_change: true }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_use_zitadels_member_names() {
        let lockout = serde_json::to_value(LockoutPolicy::instance_default()).unwrap();
        assert_eq!(
            lockout,
            serde_json::json!({"maxPasswordAttempts": 0, "maxOTPAttempts": 0, "showLockOutFailures": true})
        );
        let domain = serde_json::to_value(DomainPolicy::instance_default()).unwrap();
        assert_eq!(domain["smtpSenderAddressMatchesInstanceDomain"], false);
        let privacy = serde_json::to_value(PrivacyPolicy::instance_default()).unwrap();
        assert_eq!(privacy["docsLink"], "https://zitadel.com/docs");
        assert_eq!(privacy["customLinkText"], "");
        let complexity = serde_json::to_value(PasswordComplexityPolicy::instance_default()).unwrap();
        assert_eq!(complexity["minLength"], 8);
        assert_eq!(complexity["hasSymbol"], true);
        // A payload without a member reads it as zero, as ZITADEL's omitempty payloads do.
        let read: LockoutPolicy = serde_json::from_value(serde_json::json!({"maxPasswordAttempts": 3})).unwrap();
        assert_eq!(read, LockoutPolicy { max_password_attempts: 3, ..LockoutPolicy::default() });
    }

    #[test]
    fn changed_events_carry_what_changed_and_old_whole_ones_still_read() {
        use crate::event::{Aggregate, aggregate};
        use crate::settings::Setting;
        let on = Aggregate::new(aggregate::INSTANCE, "i", "i");
        let from = PrivacyPolicy::instance_default();
        let next =
            PrivacyPolicy { tos_link: "https://example.com/tos".into(), docs_link: String::new(), ..from.clone() };
        let events = from.changed_events(&on, &next).unwrap();
        assert_eq!(events[0].event_type, "instance.policy.privacy.changed");
        assert_eq!(events[0].payload, serde_json::json!({"tosLink": "https://example.com/tos", "docsLink": ""}));
        let read = PrivacyPolicy::reduce(Some(from.clone()), events[0].event_type, &events[0].payload).unwrap();
        assert_eq!(read, next);
        // An earlier release wrote the whole document in its changed events.
        let whole = serde_json::to_value(&next).unwrap();
        assert_eq!(PrivacyPolicy::reduce(Some(from), "instance.policy.privacy.changed", &whole).unwrap(), next);
        let lockout = LockoutPolicy::instance_default();
        let zero = LockoutPolicy { show_lock_out_failures: false, ..lockout.clone() };
        let events = lockout.changed_events(&on, &zero).unwrap();
        assert_eq!(events[0].payload, serde_json::json!({"showLockOutFailures": false}), "false is written");
    }

    #[test]
    fn added_events_leave_out_zero_members_and_read_back_whole() {
        use crate::event::{Aggregate, aggregate};
        use crate::settings::Setting;
        let on = Aggregate::new(aggregate::ORG, "o", "o");
        let lockout = LockoutPolicy { max_password_attempts: 5, ..Default::default() };
        let events = lockout.added_events(&on).unwrap();
        assert_eq!(events[0].payload, serde_json::json!({"maxPasswordAttempts": 5}));
        assert_eq!(LockoutPolicy::reduce(None, events[0].event_type, &events[0].payload).unwrap(), lockout);
        // An earlier release wrote every member.
        let whole = serde_json::to_value(&lockout).unwrap();
        assert_eq!(LockoutPolicy::reduce(None, events[0].event_type, &whole).unwrap(), lockout);
    }
}

/// Each policy as a setting (ZITADEL's member names are the types' serde
/// names): the document's non-zero members in its added event, the members that changed
/// in its changed events ([`crate::settings::members_changed`]); a changed
/// event of an earlier release, which carried the whole document, reads
/// the same way ([`crate::settings::merge`]).
macro_rules! document_settings {
    ($($ty:ident = $kind:literal, $name:literal;)*) => {
        $(
            impl crate::settings::Setting for $ty {
                const KIND: &'static str = $kind;
                const NAME: &'static str = $name;
                const EVENTS: crate::settings::SettingEvents = crate::settings::setting_events!($kind);
                fn instance_default() -> Self {
                    $ty::instance_default()
                }
            }
        )*
    };
}

document_settings! {
    PasswordComplexityPolicy = "policy.password.complexity", "password complexity policy";
    PasswordAgePolicy = "policy.password.age", "password age policy";
    DomainPolicy = "policy.domain", "domain policy";
    PrivacyPolicy = "policy.privacy", "privacy policy";
    NotificationPolicy = "policy.notification", "notification policy";
    LockoutPolicy = "policy.lockout", "lockout policy";
}

impl PasswordComplexityPolicy {
    /// Checks `password` as ZITADEL's `PasswordComplexityPolicy.Check`:
    /// length in bytes, then ASCII lowercase, uppercase, digit and symbol
    /// (anything else); the first rule that fails answers, with its id.
    pub fn check(&self, password: &str) -> crate::Result<()> {
        let has = |f: fn(&u8) -> bool| password.as_bytes().iter().any(f);
        if (password.len() as u64) < self.min_length {
            return Err(crate::Error::invalid_argument(
                "DOMAIN-HuJf6",
                format!("the password needs at least {} bytes; it has {}", self.min_length, password.len()),
            ));
        }
        let rules: [(bool, bool, &'static str, &str); 4] = [
            (self.has_lowercase, has(u8::is_ascii_lowercase), "DOMAIN-co3Xw", "a lowercase letter (a-z)"),
            (self.has_uppercase, has(u8::is_ascii_uppercase), "DOMAIN-VoaRj", "an uppercase letter (A-Z)"),
            (self.has_number, has(u8::is_ascii_digit), "DOMAIN-ZBv4H", "a digit"),
            (self.has_symbol, has(|b| !b.is_ascii_alphanumeric()), "DOMAIN-ZDLwA", "a symbol"),
        ];
        match rules.into_iter().find(|(wanted, ok, _, _)| *wanted && !ok) {
            None => Ok(()),
            Some((_, _, id, what)) => Err(crate::Error::invalid_argument(id, format!("the password needs {what}"))),
        }
    }
}
