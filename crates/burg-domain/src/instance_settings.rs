//! Settings only the instance holds: the OIDC token lifetimes and the
//! security policy (each a [`Setting`] document in the member names of
//! ZITADEL's events, `internal/repository/instance/oidc_settings.go` and
//! `policy_security.go`), the secret generators (one per type, with their
//! own read table) and the trusted domains.

use serde::{Deserialize, Serialize};

use crate::event::{Aggregate, NewEvent};
use crate::events::is_zero;
use crate::settings::{self, Setting, SettingEvents};

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const HOUR: i64 = 3600 * NANOS_PER_SECOND;

/// `oidc.settings`: the lifetimes of the tokens the instance issues, as
/// Go durations (nanoseconds), ZITADEL's unit in its events.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OidcSettings {
    pub access_token_lifetime: i64,
    pub id_token_lifetime: i64,
    pub refresh_token_idle_expiration: i64,
    pub refresh_token_expiration: i64,
}

impl OidcSettings {
    /// `DefaultInstance.OIDCSettings` of ZITADEL's `cmd/defaults.yaml`:
    /// 12h, 12h, 720h (30 days) and 2160h (90 days).
    pub fn instance_default() -> Self {
        OidcSettings {
            access_token_lifetime: 12 * HOUR,
            id_token_lifetime: 12 * HOUR,
            refresh_token_idle_expiration: 720 * HOUR,
            refresh_token_expiration: 2160 * HOUR,
        }
    }

    /// Whether every lifetime is set (ZITADEL refuses a zero one).
    pub fn complete(&self) -> bool {
        [
            self.access_token_lifetime,
            self.id_token_lifetime,
            self.refresh_token_idle_expiration,
            self.refresh_token_expiration,
        ]
        .iter()
        .all(|d| *d != 0)
    }
}

impl Setting for OidcSettings {
    const KIND: &'static str = "oidc.settings";
    const NAME: &'static str = "OIDC settings";
    const EVENTS: SettingEvents =
        SettingEvents::instance_only("instance.oidc.settings.added", "instance.oidc.settings.changed");

    fn instance_default() -> Self {
        OidcSettings::instance_default()
    }

    /// ZITADEL's added event leaves zero lifetimes out (`omitempty`).
    fn added_events(&self, on: &Aggregate) -> crate::Result<Vec<NewEvent>> {
        let mut event = settings::event(on, Self::EVENTS.added(on), self)?;
        if let Some(members) = event.payload.as_object_mut() {
            members.retain(|_, v| v.as_i64() != Some(0));
        }
        Ok(vec![event])
    }
}

/// `policy.security`: whether the login may be embedded in an iframe of
/// the allowed origins, and whether impersonation is allowed. ZITADEL's
/// setup writes none; until the first `instance.policy.security.set` the
/// instance has the zero value. The member names are those of ZITADEL's
/// event (two in snake case).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SecurityPolicy {
    #[serde(rename = "enable_iframe_embedding")]
    pub enable_iframe_embedding: bool,
    #[serde(rename = "allowedOrigins")]
    pub allowed_origins: Vec<String>,
    #[serde(rename = "enable_impersonation")]
    pub enable_impersonation: bool,
}

impl Setting for SecurityPolicy {
    const KIND: &'static str = "policy.security";
    const NAME: &'static str = "security policy";
    const EVENTS: SettingEvents =
        SettingEvents::instance_only("instance.policy.security.set", "instance.policy.security.set");
    const SET_UP: bool = false;

    fn instance_default() -> Self {
        SecurityPolicy::default()
    }

    /// Before ZITADEL's `enable_iframe_embedding`, its event said
    /// `enabled`; a payload with only the old member still reads.
    fn reduce(stored: Option<Self>, event_type: &str, payload: &serde_json::Value) -> crate::Result<Self> {
        let mut policy: SecurityPolicy = settings::merge(stored, event_type, payload)?;
        if payload.get("enable_iframe_embedding").is_none()
            && let Some(enabled) = payload.get("enabled").and_then(|v| v.as_bool())
        {
            policy.enable_iframe_embedding = enabled;
        }
        Ok(policy)
    }
}

/// ZITADEL's `domain.SecretGeneratorType`: the numbers its events and read
/// table use (not the API's, which lacks the domain verification).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretGeneratorType {
    InitCode = 1,
    VerifyEmailCode = 2,
    VerifyPhoneCode = 3,
    VerifyDomain = 4,
    PasswordResetCode = 5,
    PasswordlessInitCode = 6,
    AppSecret = 7,
    OtpSms = 8,
    OtpEmail = 9,
    InviteCode = 10,
    SigningKey = 11,
}

impl SecretGeneratorType {
    /// The types a new instance gets, in the order of ZITADEL's setup.
    pub const SET_UP: [SecretGeneratorType; 9] = [
        SecretGeneratorType::AppSecret,
        SecretGeneratorType::InitCode,
        SecretGeneratorType::VerifyEmailCode,
        SecretGeneratorType::VerifyPhoneCode,
        SecretGeneratorType::PasswordResetCode,
        SecretGeneratorType::PasswordlessInitCode,
        SecretGeneratorType::VerifyDomain,
        SecretGeneratorType::OtpSms,
        SecretGeneratorType::OtpEmail,
    ];

    const ALL: [SecretGeneratorType; 11] = [
        SecretGeneratorType::InitCode,
        SecretGeneratorType::VerifyEmailCode,
        SecretGeneratorType::VerifyPhoneCode,
        SecretGeneratorType::VerifyDomain,
        SecretGeneratorType::PasswordResetCode,
        SecretGeneratorType::PasswordlessInitCode,
        SecretGeneratorType::AppSecret,
        SecretGeneratorType::OtpSms,
        SecretGeneratorType::OtpEmail,
        SecretGeneratorType::InviteCode,
        SecretGeneratorType::SigningKey,
    ];

    pub fn code(self) -> i32 {
        self as i32
    }

    pub fn from_code(code: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|t| i64::from(t.code()) == code)
    }

    /// ZITADEL's `DefaultInstance.SecretGenerators` (`cmd/defaults.yaml`).
    pub fn instance_default(self) -> GeneratorConfig {
        use SecretGeneratorType::*;
        let minutes = |m: i64| m * 60 * NANOS_PER_SECOND;
        // (length, expiry, lower, upper, digits); no symbols anywhere.
        let (length, expiry, lower, upper, digits) = match self {
            AppSecret => (64, 0, true, true, true),
            InitCode | InviteCode => (6, 72 * HOUR, false, true, true),
            VerifyEmailCode | VerifyPhoneCode | PasswordResetCode => (6, HOUR, false, true, true),
            PasswordlessInitCode => (12, HOUR, true, true, true),
            VerifyDomain => (32, 0, true, true, true),
            OtpSms | OtpEmail => (8, minutes(5), false, false, true),
            SigningKey => (36, 0, true, true, true),
        };
        GeneratorConfig {
            length,
            expiry,
            include_lower_letters: lower,
            include_upper_letters: upper,
            include_digits: digits,
            include_symbols: false,
        }
    }
}

/// How a secret generator makes its secrets: the length, how long a code
/// stays valid (a Go duration, nanoseconds; 0 for ever), and the
/// character classes. The notifications read these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GeneratorConfig {
    pub length: u64,
    pub expiry: i64,
    pub include_lower_letters: bool,
    pub include_upper_letters: bool,
    pub include_digits: bool,
    pub include_symbols: bool,
}

payloads! {
    /// ZITADEL leaves the zero members out (`omitempty`), but for the type.
    SecretGeneratorAdded = "instance.secret.generator.added" {
        generator_type: i32,
        #[serde(default, skip_serializing_if = "is_zero")]
        length: u64,
        #[serde(default, skip_serializing_if = "is_zero")]
        expiry: i64,
        #[serde(default, skip_serializing_if = "is_zero")]
        include_lower_letters: bool,
        #[serde(default, skip_serializing_if = "is_zero")]
        include_upper_letters: bool,
        #[serde(default, skip_serializing_if = "is_zero")]
        include_digits: bool,
        #[serde(default, skip_serializing_if = "is_zero")]
        include_symbols: bool,
    }
    /// The type and the members that changed.
    SecretGeneratorChanged = "instance.secret.generator.changed" {
        generator_type: i32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        length: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expiry: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        include_lower_letters: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        include_upper_letters: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        include_digits: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        include_symbols: Option<bool>,
    }
    TrustedDomainAdded = "instance.trusted_domains.added" { domain: String }
    TrustedDomainRemoved = "instance.trusted_domains.removed" { domain: String }
    /// ZITADEL's instance feature `login_default_org` (on the `feature`
    /// aggregate of the instance); its setup sets it to true.
    LoginDefaultOrgSet = "feature.instance.login_default_org.set" { value: bool }
}

/// The event that sets the instance's feature `login_default_org`.
pub fn login_default_org_set(instance_id: &str, value: bool) -> crate::Result<NewEvent> {
    let on = Aggregate::new(crate::event::aggregate::FEATURE, instance_id, instance_id);
    NewEvent::new(&on, &LoginDefaultOrgSet { value })
}

impl SecretGeneratorAdded {
    pub fn new(ty: SecretGeneratorType, c: GeneratorConfig) -> Self {
        SecretGeneratorAdded {
            generator_type: ty.code(),
            length: c.length,
            expiry: c.expiry,
            include_lower_letters: c.include_lower_letters,
            include_upper_letters: c.include_upper_letters,
            include_digits: c.include_digits,
            include_symbols: c.include_symbols,
        }
    }

    pub fn config(&self) -> GeneratorConfig {
        GeneratorConfig {
            length: self.length,
            expiry: self.expiry,
            include_lower_letters: self.include_lower_letters,
            include_upper_letters: self.include_upper_letters,
            include_digits: self.include_digits,
            include_symbols: self.include_symbols,
        }
    }
}

impl SecretGeneratorChanged {
    /// The change from `from` to `to`; `None` when they are the same.
    pub fn between(ty: SecretGeneratorType, from: &GeneratorConfig, to: &GeneratorConfig) -> Option<Self> {
        fn diff<T: PartialEq + Copy>(a: T, b: T) -> Option<T> {
            (a != b).then_some(b)
        }
        let changed = SecretGeneratorChanged {
            generator_type: ty.code(),
            length: diff(from.length, to.length),
            expiry: diff(from.expiry, to.expiry),
            include_lower_letters: diff(from.include_lower_letters, to.include_lower_letters),
            include_upper_letters: diff(from.include_upper_letters, to.include_upper_letters),
            include_digits: diff(from.include_digits, to.include_digits),
            include_symbols: diff(from.include_symbols, to.include_symbols),
        };
        (changed != SecretGeneratorChanged { generator_type: ty.code(), ..Default::default() }).then_some(changed)
    }

    /// `config` with this change applied.
    pub fn apply(&self, config: &mut GeneratorConfig) {
        fn set<T: Copy>(field: &mut T, value: Option<T>) {
            if let Some(v) = value {
                *field = v;
            }
        }
        set(&mut config.length, self.length);
        set(&mut config.expiry, self.expiry);
        set(&mut config.include_lower_letters, self.include_lower_letters);
        set(&mut config.include_upper_letters, self.include_upper_letters);
        set(&mut config.include_digits, self.include_digits);
        set(&mut config.include_symbols, self.include_symbols);
    }
}

/// The events that give a new instance ZITADEL's secret generators.
pub fn secret_generator_defaults(instance: &Aggregate) -> crate::Result<Vec<NewEvent>> {
    SecretGeneratorType::SET_UP
        .iter()
        .map(|t| NewEvent::new(instance, &SecretGeneratorAdded::new(*t, t.instance_default())))
        .collect()
}

/// ZITADEL's `allowDomainRunes`: the characters a domain may have.
pub fn domain_runes_ok(domain: &str) -> bool {
    !domain.is_empty() && domain.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
}

/// The characters of each class a secret generator draws from
/// (ZITADEL's `crypto` generator alphabets).
const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &[u8] = b"0123456789";
const SYMBOLS: &[u8] = b"~!@#$^&*()_+`-={}|[]:<>?,./";

impl GeneratorConfig {
    /// A new secret of this configuration: `length` characters drawn at
    /// random from the chosen classes (digits when none is chosen).
    pub fn generate(&self) -> String {
        let mut alphabet = Vec::new();
        for (on, class) in [
            (self.include_lower_letters, LOWER),
            (self.include_upper_letters, UPPER),
            (self.include_digits, DIGITS),
            (self.include_symbols, SYMBOLS),
        ] {
            if on {
                alphabet.extend_from_slice(class);
            }
        }
        if alphabet.is_empty() {
            alphabet.extend_from_slice(DIGITS);
        }
        (0..self.length.max(1)).map(|_| alphabet[rand::random_range(0..alphabet.len())] as char).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::aggregate;

    #[test]
    fn payloads_are_zitadels() {
        let on = Aggregate::new(aggregate::INSTANCE, "i", "i");
        let added = OidcSettings::instance_default().added_events(&on).unwrap();
        assert_eq!(added[0].event_type, "instance.oidc.settings.added");
        assert_eq!(added[0].payload["accessTokenLifetime"], 43_200_000_000_000_i64);
        assert_eq!(added[0].payload["refreshTokenExpiration"], 7_776_000_000_000_000_i64);
        let next = OidcSettings { id_token_lifetime: HOUR, ..OidcSettings::instance_default() };
        let changed = OidcSettings::instance_default().changed_events(&on, &next).unwrap();
        assert_eq!(changed[0].payload, serde_json::json!({"idTokenLifetime": 3_600_000_000_000_i64}));

        let set = SecurityPolicy { allowed_origins: vec!["https://a.example".into()], ..Default::default() };
        let event = SecurityPolicy::default().changed_events(&on, &set).unwrap();
        assert_eq!(event[0].event_type, "instance.policy.security.set");
        assert_eq!(event[0].payload, serde_json::json!({"allowedOrigins": ["https://a.example"]}));
        let legacy =
            SecurityPolicy::reduce(None, "instance.policy.security.set", &serde_json::json!({"enabled": true}));
        assert!(legacy.unwrap().enable_iframe_embedding);

        let otp =
            SecretGeneratorAdded::new(SecretGeneratorType::OtpSms, SecretGeneratorType::OtpSms.instance_default());
        assert_eq!(
            serde_json::to_value(&otp).unwrap(),
            serde_json::json!({"generatorType": 8, "length": 8, "expiry": 300_000_000_000_i64, "includeDigits": true})
        );
        let from = SecretGeneratorType::AppSecret.instance_default();
        assert!(SecretGeneratorChanged::between(SecretGeneratorType::AppSecret, &from, &from).is_none());
        let to = GeneratorConfig { include_symbols: true, ..from };
        let change = SecretGeneratorChanged::between(SecretGeneratorType::AppSecret, &from, &to).unwrap();
        assert_eq!(
            serde_json::to_value(&change).unwrap(),
            serde_json::json!({"generatorType": 7, "includeSymbols": true})
        );
        assert!(domain_runes_ok("login.example.com:8080"));
        assert!(!domain_runes_ok("bad domain"));
    }

    #[test]
    fn generated_secrets_keep_to_their_classes() {
        let config = SecretGeneratorType::OtpEmail.instance_default();
        let code = config.generate();
        assert_eq!(code.len(), 8);
        assert!(code.chars().all(|c| c.is_ascii_digit()), "{code}");
        let app = SecretGeneratorType::AppSecret.instance_default().generate();
        assert_eq!(app.len(), 64);
        assert!(app.chars().all(|c| c.is_ascii_alphanumeric()), "{app}");
        assert_ne!(app, SecretGeneratorType::AppSecret.instance_default().generate());
    }
}
