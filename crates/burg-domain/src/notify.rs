//! Notification providers of the instance: email providers (SMTP or an
//! HTTP endpoint) and SMS providers (Twilio or an HTTP endpoint).
//!
//! ZITADEL keeps the SMTP configurations and the email providers as the
//! same objects (`instance.smtp.config.*` events), and the SMS providers as
//! `instance.sms.config*` events. At most one provider of a channel is
//! active: activating one makes the others of its channel inactive, with
//! no event of their own (ZITADEL's projection and write models read the
//! `activated` event that way).
//!
//! The read table keeps a provider as a [`Config`] document; secrets (the
//! SMTP password, the Twilio token, an HTTP provider's signing key) are in
//! it only sealed.

use serde::{Deserialize, Serialize};

use crate::crypto::Sealed;
use crate::event::Payload;
use crate::events::notify::*;
use crate::{Error, Result};

/// Which kind of message a provider sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    /// As the read table stores it.
    pub fn code(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }
}

/// A provider's state, numbered as ZITADEL's `domain.SMTPConfigState` and
/// `SMSConfigState` (and the wire's enums).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderState {
    Active,
    Inactive,
}

impl ProviderState {
    pub fn code(self) -> i64 {
        match self {
            ProviderState::Active => 1,
            ProviderState::Inactive => 2,
        }
    }

    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            1 => Some(ProviderState::Active),
            2 => Some(ProviderState::Inactive),
            _ => None,
        }
    }
}

/// An SMTP server to send email through.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Smtp {
    pub sender_address: String,
    pub sender_name: String,
    pub reply_to_address: String,
    pub tls: bool,
    /// `host:port`.
    pub host: String,
    pub user: String,
    pub password: Option<Sealed>,
}

/// An HTTP endpoint that is handed the messages, signed with the key.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Http {
    pub endpoint: String,
    pub signing_key: Option<Sealed>,
}

/// A Twilio account to send SMS through.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Twilio {
    pub sid: String,
    pub token: Option<Sealed>,
    pub sender_number: String,
    pub verify_service_sid: String,
}

/// What a provider is, as the read table keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Config {
    Smtp(Smtp),
    EmailHttp(Http),
    Twilio(Twilio),
    SmsHttp(Http),
}

impl Config {
    pub fn channel(&self) -> Channel {
        match self {
            Config::Smtp(_) | Config::EmailHttp(_) => Channel::Email,
            Config::Twilio(_) | Config::SmsHttp(_) => Channel::Sms,
        }
    }
}

/// A provider as projected: what the read table's row holds besides its
/// dates.
#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    pub id: String,
    pub description: String,
    pub config: Config,
}

/// Every event type of the providers, for the projection.
pub fn is_provider_event(event_type: &str) -> bool {
    TYPES.contains(&event_type)
}

/// What an event does to the read table.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A new provider, inactive.
    Added(Box<Provider>),
    /// The provider `id` with what changed: a new description, and the
    /// config rewritten by [`apply_change`].
    Changed {
        id: String,
        description: Option<String>,
    },
    Activated {
        id: String,
        channel: Channel,
    },
    Deactivated {
        id: String,
    },
    Removed {
        id: String,
    },
}

fn decode<P: serde::de::DeserializeOwned>(event_type: &str, payload: &serde_json::Value) -> Result<P> {
    let empty = serde_json::Value::Object(serde_json::Map::new());
    let payload = if payload.is_null() { &empty } else { payload };
    P::deserialize(payload)
        .map_err(|e| Error::internal("NOTIFY-dec01", format!("stored {event_type} event is unreadable: {e}")))
}

/// What `event_type` with `payload` does to the providers.
pub fn change_of(event_type: &str, payload: &serde_json::Value) -> Result<Change> {
    let id_of = |p: &serde_json::Value| p.get("id").and_then(|v| v.as_str()).unwrap_or_default().to_string();
    Ok(match event_type {
        SmtpConfigAdded::TYPE => {
            let p: SmtpConfigAdded = decode(event_type, payload)?;
            Change::Added(Box::new(Provider {
                id: p.id,
                description: p.description,
                config: Config::Smtp(Smtp {
                    sender_address: p.sender_address,
                    sender_name: p.sender_name,
                    reply_to_address: p.reply_to_address,
                    tls: p.tls,
                    host: p.host,
                    user: p.user,
                    password: p.password,
                }),
            }))
        }
        SmtpConfigHttpAdded::TYPE => {
            let p: SmtpConfigHttpAdded = decode(event_type, payload)?;
            Change::Added(Box::new(Provider {
                id: p.id,
                description: p.description,
                config: Config::EmailHttp(Http { endpoint: p.endpoint, signing_key: p.signing_key }),
            }))
        }
        SmsConfigTwilioAdded::TYPE => {
            let p: SmsConfigTwilioAdded = decode(event_type, payload)?;
            Change::Added(Box::new(Provider {
                id: p.id,
                description: p.description,
                config: Config::Twilio(Twilio {
                    sid: p.sid,
                    token: p.token,
                    sender_number: p.sender_number,
                    verify_service_sid: p.verify_service_sid,
                }),
            }))
        }
        SmsConfigHttpAdded::TYPE => {
            let p: SmsConfigHttpAdded = decode(event_type, payload)?;
            Change::Added(Box::new(Provider {
                id: p.id,
                description: p.description,
                config: Config::SmsHttp(Http { endpoint: p.endpoint, signing_key: p.signing_key }),
            }))
        }
        SmtpConfigChanged::TYPE
        | SmtpConfigHttpChanged::TYPE
        | SmsConfigTwilioChanged::TYPE
        | SmsConfigHttpChanged::TYPE => Change::Changed {
            id: id_of(payload),
            description: payload.get("description").and_then(|v| v.as_str()).map(str::to_string),
        },
        SmtpConfigPasswordChanged::TYPE | SmsConfigTwilioTokenChanged::TYPE => {
            Change::Changed { id: id_of(payload), description: None }
        }
        SmtpConfigActivated::TYPE => Change::Activated { id: id_of(payload), channel: Channel::Email },
        SmsConfigActivated::TYPE => Change::Activated { id: id_of(payload), channel: Channel::Sms },
        SmtpConfigDeactivated::TYPE | SmsConfigDeactivated::TYPE => Change::Deactivated { id: id_of(payload) },
        SmtpConfigRemoved::TYPE | SmsConfigRemoved::TYPE => Change::Removed { id: id_of(payload) },
        other => return Err(Error::internal("NOTIFY-dec02", format!("{other} is no notification provider event"))),
    })
}

/// The stored config with what a `changed` (or password, token) event
/// says; members it leaves out stay.
pub fn apply_change(event_type: &str, payload: &serde_json::Value, stored: &Config) -> Result<Config> {
    let mut next = stored.clone();
    match (event_type, &mut next) {
        (SmtpConfigChanged::TYPE, Config::Smtp(c)) => {
            let p: SmtpConfigChanged = decode(event_type, payload)?;
            set(&mut c.sender_address, p.sender_address);
            set(&mut c.sender_name, p.sender_name);
            set(&mut c.reply_to_address, p.reply_to_address);
            set(&mut c.tls, p.tls);
            set(&mut c.host, p.host);
            set(&mut c.user, p.user);
            if p.password.is_some() {
                c.password = p.password;
            }
        }
        (SmtpConfigPasswordChanged::TYPE, Config::Smtp(c)) => {
            let p: SmtpConfigPasswordChanged = decode(event_type, payload)?;
            // As ZITADEL's projection: the event's password, also none.
            c.password = p.password;
        }
        (SmtpConfigHttpChanged::TYPE, Config::EmailHttp(c)) => {
            let p: SmtpConfigHttpChanged = decode(event_type, payload)?;
            set(&mut c.endpoint, p.endpoint);
            if p.signing_key.is_some() {
                c.signing_key = p.signing_key;
            }
        }
        (SmsConfigTwilioChanged::TYPE, Config::Twilio(c)) => {
            let p: SmsConfigTwilioChanged = decode(event_type, payload)?;
            set(&mut c.sid, p.sid);
            set(&mut c.sender_number, p.sender_number);
            set(&mut c.verify_service_sid, p.verify_service_sid);
        }
        (SmsConfigTwilioTokenChanged::TYPE, Config::Twilio(c)) => {
            let p: SmsConfigTwilioTokenChanged = decode(event_type, payload)?;
            c.token = p.token;
        }
        (SmsConfigHttpChanged::TYPE, Config::SmsHttp(c)) => {
            let p: SmsConfigHttpChanged = decode(event_type, payload)?;
            set(&mut c.endpoint, p.endpoint);
            if p.signing_key.is_some() {
                c.signing_key = p.signing_key;
            }
        }
        // A change of another kind's members changes nothing, as in
        // ZITADEL's write models.
        _ => {}
    }
    Ok(next)
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

/// Go's `net.SplitHostPort` as ZITADEL checks an SMTP host with it:
/// `host:port` or `[ipv6]:port`; the port may be any text (also empty).
pub fn split_host_port(text: &str) -> Option<(&str, &str)> {
    if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = after.strip_prefix(':')?;
        if host.contains('[') || port.contains([':', '[', ']']) {
            return None;
        }
        return Some((host, port));
    }
    let (host, port) = text.rsplit_once(':')?;
    if host.contains([':', '[', ']']) || port.contains(['[', ']']) {
        return None;
    }
    Some((host, port))
}

/// A new signing key for an HTTP provider, as ZITADEL's `SigningKey`
/// generator makes them (`cmd/defaults.yaml`: 32 letters and digits).
pub fn new_signing_key() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..32).map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char).collect()
}

/// The `ZITADEL-Signature` header of a request to an HTTP provider sent
/// at `unix_seconds` with `body`: `t=<seconds>,v1=<hex HMAC-SHA256 of
/// "<seconds>.<body>" under the signing key>`, as ZITADEL's actions and
/// notification webhooks sign, so that receivers written for ZITADEL
/// check burg's requests unchanged.
pub fn webhook_signature(signing_key: &str, unix_seconds: i64, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, signing_key.as_bytes());
    let mut context = ring::hmac::Context::with_key(&key);
    context.update(unix_seconds.to_string().as_bytes());
    context.update(b".");
    context.update(body);
    format!("t={unix_seconds},v1={}", hex::encode(context.sign().as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_signatures_are_hmacs_of_the_time_and_body() {
        // Python's hmac.new(b"Jefe", b'1700000000.{"a":1}', sha256).
        assert_eq!(
            webhook_signature("Jefe", 1_700_000_000, br#"{"a":1}"#),
            "t=1700000000,v1=fa5f6481efc59da48b19c9dc10196c9953e5651f8304b3a318b6b87d70272e0a"
        );
        assert_ne!(webhook_signature("Jefe", 1, b"x"), webhook_signature("jefe", 1, b"x"));
    }

    #[test]
    fn hosts_split_as_go_splits_them() {
        assert_eq!(split_host_port("smtp.example.com:587"), Some(("smtp.example.com", "587")));
        assert_eq!(split_host_port("[::1]:25"), Some(("::1", "25")));
        assert_eq!(split_host_port("host:"), Some(("host", "")));
        for bad in ["smtp.example.com", "a:b:c", "[::1]", "::1:25", ""] {
            assert_eq!(split_host_port(bad), None, "{bad}");
        }
    }

    #[test]
    fn events_read_back_as_the_provider() {
        let added = serde_json::json!({"id": "1", "senderAddress": "a@b.c", "senderName": "A", "host": "h:25"});
        let Change::Added(p) = change_of(SmtpConfigAdded::TYPE, &added).unwrap() else { panic!() };
        let Config::Smtp(smtp) = &p.config else { panic!() };
        assert_eq!((smtp.host.as_str(), smtp.tls, p.description.as_str()), ("h:25", false, ""));
        let changed = serde_json::json!({"id": "1", "tls": true, "host": "x:465"});
        let next = apply_change(SmtpConfigChanged::TYPE, &changed, &p.config).unwrap();
        let Config::Smtp(smtp) = next else { panic!() };
        assert_eq!((smtp.host.as_str(), smtp.tls, smtp.sender_name.as_str()), ("x:465", true, "A"));
        assert_eq!(new_signing_key().len(), 32);
    }
}
