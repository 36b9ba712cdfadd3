//! The instance's notification providers (`repository/instance/smtp_config.go`,
//! `sms.go`): ZITADEL's event types and payload members, strings and flags
//! left out when empty (Go's `omitempty`), changes as pointers (a member
//! is there when it changed). Secrets are [`Sealed`] values, never clear.
//!
//! ZITADEL's SMS type names are its constants joined without a dot:
//! `instance.sms.configtwilio.added`, `instance.sms.confighttp.added`.

use crate::crypto::Sealed;
use crate::events::is_zero;

payloads! {
    SmtpConfigAdded = "instance.smtp.config.added" {
        #[serde(default, skip_serializing_if = "String::is_empty")] id: String,
        #[serde(default, skip_serializing_if = "String::is_empty")] description: String,
        #[serde(default, skip_serializing_if = "String::is_empty")] sender_address: String,
        #[serde(default, skip_serializing_if = "String::is_empty")] sender_name: String,
        #[serde(default, skip_serializing_if = "String::is_empty")] reply_to_address: String,
        #[serde(default, skip_serializing_if = "is_zero")] tls: bool,
        #[serde(default, skip_serializing_if = "String::is_empty")] host: String,
        #[serde(default, skip_serializing_if = "String::is_empty")] user: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] password: Option<Sealed>,
    }
    SmtpConfigChanged = "instance.smtp.config.changed" {
        #[serde(default, skip_serializing_if = "String::is_empty")] id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] description: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] sender_address: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] sender_name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] reply_to_address: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] tls: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")] host: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] user: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] password: Option<Sealed>,
    }
    SmtpConfigPasswordChanged = "instance.smtp.config.password.changed" {
        #[serde(default, skip_serializing_if = "String::is_empty")] id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] password: Option<Sealed>,
    }
    /// `signingKey` is written also when there is none (no `omitempty`).
    SmtpConfigHttpAdded = "instance.smtp.config.http.added" {
        #[serde(default, skip_serializing_if = "String::is_empty")] id: String,
        #[serde(default, skip_serializing_if = "String::is_empty")] description: String,
        #[serde(default, skip_serializing_if = "String::is_empty")] endpoint: String,
        #[serde(default)] signing_key: Option<Sealed>,
    }
    SmtpConfigHttpChanged = "instance.smtp.config.http.changed" {
        #[serde(default, skip_serializing_if = "String::is_empty")] id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] description: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] endpoint: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] signing_key: Option<Sealed>,
    }
    SmtpConfigActivated = "instance.smtp.config.activated" {
        #[serde(default, skip_serializing_if = "String::is_empty")] id: String,
    }
    SmtpConfigDeactivated = "instance.smtp.config.deactivated" {
        #[serde(default, skip_serializing_if = "String::is_empty")] id: String,
    }
    SmtpConfigRemoved = "instance.smtp.config.removed" {
        #[serde(default, skip_serializing_if = "String::is_empty")] id: String,
    }
    SmsConfigTwilioAdded = "instance.sms.configtwilio.added" {
        #[serde(default, skip_serializing_if = "String::is_empty")] id: String,
        #[serde(default, skip_serializing_if = "String::is_empty")] description: String,
        #[serde(default, skip_serializing_if = "String::is_empty")] sid: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] token: Option<Sealed>,
        #[serde(default, skip_serializing_if = "String::is_empty")] sender_number: String,
        #[serde(default, skip_serializing_if = "String::is_empty")] verify_service_sid: String,
    }
    SmsConfigTwilioChanged = "instance.sms.configtwilio.changed" {
        #[serde(default, skip_serializing_if = "String::is_empty")] id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] description: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] sid: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] sender_number: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] verify_service_sid: Option<String>,
    }
    SmsConfigTwilioTokenChanged = "instance.sms.configtwilio.token.changed" {
        #[serde(default, skip_serializing_if = "String::is_empty")] id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] token: Option<Sealed>,
    }
    /// `signingKey` is written also when there is none (no `omitempty`).
    SmsConfigHttpAdded = "instance.sms.confighttp.added" {
        #[serde(default, skip_serializing_if = "String::is_empty")] id: String,
        #[serde(default, skip_serializing_if = "String::is_empty")] description: String,
        #[serde(default, skip_serializing_if = "String::is_empty")] endpoint: String,
        #[serde(default)] signing_key: Option<Sealed>,
    }
    SmsConfigHttpChanged = "instance.sms.confighttp.changed" {
        #[serde(default, skip_serializing_if = "String::is_empty")] id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")] description: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] endpoint: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")] signing_key: Option<Sealed>,
    }
    SmsConfigActivated = "instance.sms.config.activated" {
        #[serde(default, skip_serializing_if = "String::is_empty")] id: String,
    }
    SmsConfigDeactivated = "instance.sms.config.deactivated" {
        #[serde(default, skip_serializing_if = "String::is_empty")] id: String,
    }
    SmsConfigRemoved = "instance.sms.config.removed" {
        #[serde(default, skip_serializing_if = "String::is_empty")] id: String,
    }
}
