//! Texts: the message texts of notifications (and, by the same events, any
//! other template of custom texts), burg's own default wording for them,
//! and the events that set and remove custom texts.
//!
//! A custom text is one `(template, language, key)` of an owner (the
//! instance, later an organization) with its text. ZITADEL writes one
//! `<aggregate>.customtext.set` event per key that changes (members
//! `template`, `key`, `language`, `text`), `customtext.removed` for a key
//! that is emptied, and `customtext.template.removed` when a template's
//! texts of one language are reset. burg does the same.
//!
//! Login texts are the template `Login`, one key per field of the login
//! screens (`<screen>.<key>`, ZITADEL's names: [`LOGIN_FIELDS`]).
//!
//! The default texts are burg's own (`texts/<language>.json`, included at
//! build time); only the template variables (`{{.DisplayName}}`,
//! `{{.Code}}`, …) are ZITADEL's, since the notifications fill them in.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::event::{Aggregate, NewEvent, aggregate};
use crate::{Error, Result};

mod login_keys;
pub use login_keys::LOGIN_FIELDS;

/// The template of the login texts.
pub const LOGIN_TEMPLATE: &str = "Login";

/// Login texts by key (`SelectAccount.Title`); a key not held is empty.
pub type LoginTexts = BTreeMap<String, String>;

/// The message text templates, as ZITADEL names them in its events
/// (`domain.InitCodeMessageType`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageType {
    InitCode,
    PasswordReset,
    VerifyEmail,
    VerifyPhone,
    VerifySmsOtp,
    VerifyEmailOtp,
    DomainClaimed,
    PasswordlessRegistration,
    PasswordChange,
    InviteUser,
}

impl MessageType {
    pub const ALL: [MessageType; 10] = [
        MessageType::InitCode,
        MessageType::PasswordReset,
        MessageType::VerifyEmail,
        MessageType::VerifyPhone,
        MessageType::VerifySmsOtp,
        MessageType::VerifyEmailOtp,
        MessageType::DomainClaimed,
        MessageType::PasswordlessRegistration,
        MessageType::PasswordChange,
        MessageType::InviteUser,
    ];

    /// The `template` member of its events.
    pub fn template(self) -> &'static str {
        match self {
            MessageType::InitCode => "InitCode",
            MessageType::PasswordReset => "PasswordReset",
            MessageType::VerifyEmail => "VerifyEmail",
            MessageType::VerifyPhone => "VerifyPhone",
            MessageType::VerifySmsOtp => "VerifySMSOTP",
            MessageType::VerifyEmailOtp => "VerifyEmailOTP",
            MessageType::DomainClaimed => "DomainClaimed",
            MessageType::PasswordlessRegistration => "PasswordlessRegistration",
            MessageType::PasswordChange => "PasswordChange",
            MessageType::InviteUser => "InviteUser",
        }
    }
}

/// The keys of a message text, as ZITADEL names them in its events
/// (`domain.MessageTitle`, …), in the order its command compares them.
pub const MESSAGE_KEYS: [&str; 7] = ["Greeting", "Subject", "Title", "PreHeader", "Text", "ButtonText", "Footer"];

/// A message text: one value per key (empty when not set).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MessageText {
    pub title: String,
    pub pre_header: String,
    pub subject: String,
    pub greeting: String,
    pub text: String,
    pub button_text: String,
    #[serde(rename = "Footer")]
    pub footer_text: String,
}

impl MessageText {
    /// The value of `key` (one of [`MESSAGE_KEYS`]).
    pub fn get(&self, key: &str) -> Option<&str> {
        Some(match key {
            "Title" => &self.title,
            "PreHeader" => &self.pre_header,
            "Subject" => &self.subject,
            "Greeting" => &self.greeting,
            "Text" => &self.text,
            "ButtonText" => &self.button_text,
            "Footer" => &self.footer_text,
            _ => return None,
        })
    }

    /// Sets `key`; an unknown key changes nothing.
    pub fn set(&mut self, key: &str, value: String) {
        let slot = match key {
            "Title" => &mut self.title,
            "PreHeader" => &mut self.pre_header,
            "Subject" => &mut self.subject,
            "Greeting" => &mut self.greeting,
            "Text" => &mut self.text,
            "ButtonText" => &mut self.button_text,
            "Footer" => &mut self.footer_text,
            _ => return,
        };
        *slot = value;
    }
}

/// The languages burg ships default texts in.
pub const TEXT_LANGUAGES: [&str; 2] = ["en", "de"];

/// The language a missing one falls back to at last.
pub const FALLBACK_LANGUAGE: &str = "en";

/// One language's file of default texts.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TextFile {
    messages: BTreeMap<String, MessageText>,
    /// Screen → key → text.
    login: BTreeMap<String, BTreeMap<String, String>>,
}

fn file_source(language: &str) -> Option<&'static str> {
    match language {
        "en" => Some(include_str!("../texts/en.json")),
        "de" => Some(include_str!("../texts/de.json")),
        _ => None,
    }
}

fn files() -> &'static BTreeMap<&'static str, TextFile> {
    static FILES: OnceLock<BTreeMap<&'static str, TextFile>> = OnceLock::new();
    FILES.get_or_init(|| {
        TEXT_LANGUAGES
            .iter()
            .map(|lang| {
                // The files are part of the build; a unit test reads each.
                let file = file_source(lang).and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
                (*lang, file)
            })
            .collect()
    })
}

/// Whether burg has default texts in `language` (as given, no case
/// folding, as ZITADEL looks up its files by name).
pub fn has_texts(language: &str) -> bool {
    TEXT_LANGUAGES.contains(&language)
}

/// The language whose default texts answer for `language`: itself when
/// burg has texts in it, else `fallback` (the instance's default language,
/// as ZITADEL falls back), else English.
pub fn text_language<'a>(language: &'a str, fallback: &'a str) -> &'a str {
    if has_texts(language) {
        language
    } else if has_texts(fallback) {
        fallback
    } else {
        FALLBACK_LANGUAGE
    }
}

/// burg's default message text of `kind` in `language` (see
/// [`text_language`] for a language without texts).
pub fn default_message(kind: MessageType, language: &str, fallback: &str) -> MessageText {
    let lang = text_language(language, fallback);
    files().get(lang).and_then(|f| f.messages.get(kind.template())).cloned().unwrap_or_default()
}

/// burg's default login texts in `language` (see [`text_language`]), by
/// key.
pub fn default_login(language: &str, fallback: &str) -> LoginTexts {
    let lang = text_language(language, fallback);
    let Some(file) = files().get(lang) else { return LoginTexts::new() };
    file.login
        .iter()
        .flat_map(|(screen, keys)| keys.iter().map(move |(key, text)| (format!("{screen}.{key}"), text.clone())))
        .collect()
}

/// Event types of custom texts on the instance.
pub const INSTANCE_SET: &str = "instance.customtext.set";
pub const INSTANCE_REMOVED: &str = "instance.customtext.removed";
pub const INSTANCE_TEMPLATE_REMOVED: &str = "instance.customtext.template.removed";
/// The same on an organization (the Management API's).
pub const ORG_SET: &str = "org.customtext.set";
pub const ORG_REMOVED: &str = "org.customtext.removed";
pub const ORG_TEMPLATE_REMOVED: &str = "org.customtext.template.removed";

/// The custom-text event types burg writes, for `ListEventTypes`.
pub const TYPES: &[&str] =
    &[INSTANCE_SET, INSTANCE_REMOVED, INSTANCE_TEMPLATE_REMOVED, ORG_SET, ORG_REMOVED, ORG_TEMPLATE_REMOVED];

/// The `org_objects` kind in which an organization's custom texts of
/// `template` are kept, one document per language in the shape of the
/// import's `DataOrg` member (the Management API's set request of the
/// template, as proto3 JSON): the import's name for it.
pub fn document_kind(template: &str) -> Option<&'static str> {
    Some(match template {
        LOGIN_TEMPLATE => "login_texts",
        "InitCode" => "init_message",
        "PasswordReset" => "password_reset_message",
        "VerifyEmail" => "verify_email_message",
        "VerifyPhone" => "verify_phone_message",
        "VerifySMSOTP" => "verify_sms_otp_message",
        "VerifyEmailOTP" => "verify_email_otp_message",
        "DomainClaimed" => "domain_claimed_message",
        "PasswordlessRegistration" => "passwordless_registration_message",
        "PasswordChange" => "password_change_message",
        "InviteUser" => "invite_user_message",
        _ => return None,
    })
}

/// Where the text of `key` of `template` is in such a document: a JSON
/// pointer (`/title`, `/selectAccountText/title`).
pub fn document_pointer(template: &str, key: &str) -> Option<String> {
    if template == LOGIN_TEMPLATE {
        let (path, _) = LOGIN_FIELDS.iter().find(|(_, k)| *k == key)?;
        return Some(format!("/{}", path.replace('.', "/")));
    }
    let member = match key {
        "Title" => "title",
        "PreHeader" => "preHeader",
        "Subject" => "subject",
        "Greeting" => "greeting",
        "Text" => "text",
        "ButtonText" => "buttonText",
        "Footer" => "footerText",
        _ => return None,
    };
    Some(format!("/{member}"))
}

/// What a custom-text event does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextOp {
    Set,
    Removed,
    TemplateRemoved,
}

/// The operation of a custom-text event type; `None` for other events.
pub fn op_of(event_type: &str) -> Option<TextOp> {
    match event_type {
        INSTANCE_SET | ORG_SET => Some(TextOp::Set),
        INSTANCE_REMOVED | ORG_REMOVED => Some(TextOp::Removed),
        INSTANCE_TEMPLATE_REMOVED | ORG_TEMPLATE_REMOVED => Some(TextOp::TemplateRemoved),
        _ => None,
    }
}

/// The payload of the three events, as ZITADEL's
/// (`repository/policy/custom_text.go`): every member left out when empty;
/// `key` and `text` only where the event has them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomTextPayload {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub template: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub key: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub language: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub text: String,
}

fn on_org(on: &Aggregate) -> bool {
    on.kind == aggregate::ORG
}

fn text_event(on: &Aggregate, event_type: &'static str, payload: &CustomTextPayload) -> Result<NewEvent> {
    let payload = serde_json::to_value(payload)
        .map_err(|e| Error::internal("TEXT-enc01", format!("cannot encode {event_type}: {e}")))?;
    Ok(NewEvent { aggregate: on.clone(), event_type, payload })
}

/// `customtext.set`: `key` of `template` in `language` is `text`.
pub fn set_event(on: &Aggregate, template: &str, key: &str, language: &str, text: &str) -> Result<NewEvent> {
    let ty = if on_org(on) { ORG_SET } else { INSTANCE_SET };
    text_event(
        on,
        ty,
        &CustomTextPayload { template: template.into(), key: key.into(), language: language.into(), text: text.into() },
    )
}

/// `customtext.removed`: `key` of `template` in `language` is no longer set.
pub fn removed_event(on: &Aggregate, template: &str, key: &str, language: &str) -> Result<NewEvent> {
    let ty = if on_org(on) { ORG_REMOVED } else { INSTANCE_REMOVED };
    text_event(
        on,
        ty,
        &CustomTextPayload {
            template: template.into(),
            key: key.into(),
            language: language.into(),
            ..Default::default()
        },
    )
}

/// `customtext.template.removed`: every key of `template` in `language`
/// is reset.
pub fn template_removed_event(on: &Aggregate, template: &str, language: &str) -> Result<NewEvent> {
    let ty = if on_org(on) { ORG_TEMPLATE_REMOVED } else { INSTANCE_TEMPLATE_REMOVED };
    text_event(
        on,
        ty,
        &CustomTextPayload { template: template.into(), language: language.into(), ..Default::default() },
    )
}

/// The events that turn `current` (the owner's custom text of `template`
/// in `language`) into `next`, key by key, as ZITADEL's command does: a
/// key that differs is set, or removed when `next` empties it; equal keys
/// write nothing.
pub fn message_events(
    on: &Aggregate,
    template: &str,
    language: &str,
    current: &MessageText,
    next: &MessageText,
) -> Result<Vec<NewEvent>> {
    key_events(
        on,
        template,
        language,
        MESSAGE_KEYS.iter().map(|key| (*key, current.get(key).unwrap_or_default(), next.get(key).unwrap_or_default())),
    )
}

/// The same for the login texts, over every key of [`LOGIN_FIELDS`].
pub fn login_events(on: &Aggregate, language: &str, current: &LoginTexts, next: &LoginTexts) -> Result<Vec<NewEvent>> {
    fn text<'a>(texts: &'a LoginTexts, key: &str) -> &'a str {
        texts.get(key).map(String::as_str).unwrap_or_default()
    }
    key_events(
        on,
        LOGIN_TEMPLATE,
        language,
        LOGIN_FIELDS.iter().map(|(_, key)| (*key, text(current, key), text(next, key))),
    )
}

/// `(key, was, now)` → a `set` event for each key whose text changes, a
/// `removed` event for each that is emptied.
fn key_events<'a>(
    on: &Aggregate,
    template: &str,
    language: &str,
    keys: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
) -> Result<Vec<NewEvent>> {
    let mut events = Vec::new();
    for (key, was, now) in keys {
        if was == now {
            continue;
        }
        events.push(if now.is_empty() {
            removed_event(on, template, key, language)?
        } else {
            set_event(on, template, key, language, now)?
        });
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_message_text() {
        for lang in TEXT_LANGUAGES {
            let source = file_source(lang).unwrap();
            let file: TextFile = serde_json::from_str(source).unwrap_or_else(|e| panic!("{lang}.json: {e}"));
            assert_eq!(file.messages.len(), MessageType::ALL.len(), "{lang}: templates");
            for kind in MessageType::ALL {
                let text = file.messages.get(kind.template()).unwrap_or_else(|| panic!("{lang}: {kind:?}"));
                for key in MESSAGE_KEYS {
                    assert!(!text.get(key).unwrap().trim().is_empty(), "{lang}: {kind:?}.{key} is empty");
                }
            }
        }
    }

    #[test]
    fn every_language_has_every_login_text() {
        for lang in TEXT_LANGUAGES {
            let texts = default_login(lang, lang);
            for (path, key) in LOGIN_FIELDS {
                let text = texts.get(*key).unwrap_or_else(|| panic!("{lang}: no text for {key} ({path})"));
                assert!(!text.trim().is_empty(), "{lang}: {key} is empty");
            }
            // Only the keys of the fields (and ZITADEL's one key without a
            // field, `RegistrationOrg.BackButtonText`).
            let known =
                |k: &str| LOGIN_FIELDS.iter().any(|(_, key)| *key == k) || k == "RegistrationOrg.BackButtonText";
            assert!(texts.keys().all(|k| known(k)), "{lang}: a key no field has");
        }
        let keys: std::collections::BTreeSet<&str> = LOGIN_FIELDS.iter().map(|(_, k)| *k).collect();
        assert_eq!(keys.len(), LOGIN_FIELDS.len(), "each field has its own key");
    }

    #[test]
    fn placeholders_are_the_same_in_every_language() {
        let vars = |s: &str| {
            let mut v: Vec<String> =
                s.split("{{").skip(1).filter_map(|p| p.split("}}").next()).map(String::from).collect();
            v.sort();
            v.dedup();
            v
        };
        let en = default_login("en", "en");
        for lang in TEXT_LANGUAGES {
            for (key, text) in default_login(lang, lang) {
                assert_eq!(vars(&en[&key]), vars(&text), "{lang}: {key}");
            }
        }
        for kind in MessageType::ALL {
            let en = default_message(kind, "en", "en");
            for lang in TEXT_LANGUAGES {
                let other = default_message(kind, lang, "en");
                for key in MESSAGE_KEYS {
                    assert_eq!(vars(en.get(key).unwrap()), vars(other.get(key).unwrap()), "{lang}: {kind:?}.{key}");
                }
            }
        }
    }

    #[test]
    fn a_language_without_texts_falls_back() {
        let de = default_message(MessageType::InitCode, "de", "en");
        assert_eq!(default_message(MessageType::InitCode, "fr", "de"), de);
        assert_eq!(
            default_message(MessageType::InitCode, "fr", "it"),
            default_message(MessageType::InitCode, "en", "en")
        );
        // Looked up by name, as given.
        assert_eq!(text_language("DE", "en"), "en");
    }

    #[test]
    fn events_are_zitadels_key_by_key() {
        let inst = Aggregate::new(aggregate::INSTANCE, "i", "i");
        let current = MessageText { title: "a".into(), subject: "s".into(), ..Default::default() };
        let next = MessageText { title: "b".into(), subject: "s".into(), greeting: "g".into(), ..Default::default() };
        let events = message_events(&inst, "InitCode", "de", &current, &next).unwrap();
        let shown: Vec<(&str, serde_json::Value)> = events.iter().map(|e| (e.event_type, e.payload.clone())).collect();
        assert_eq!(
            shown,
            [
                (
                    "instance.customtext.set",
                    serde_json::json!({"template": "InitCode", "key": "Greeting", "language": "de", "text": "g"})
                ),
                (
                    "instance.customtext.set",
                    serde_json::json!({"template": "InitCode", "key": "Title", "language": "de", "text": "b"})
                ),
            ]
        );
        let emptied = message_events(&inst, "InitCode", "de", &next, &MessageText::default()).unwrap();
        assert_eq!(emptied.len(), 3);
        assert!(emptied.iter().all(|e| e.event_type == INSTANCE_REMOVED && e.payload.get("text").is_none()));
        let reset = template_removed_event(&inst, "InitCode", "de").unwrap();
        assert_eq!(reset.payload, serde_json::json!({"template": "InitCode", "language": "de"}));
        assert!(message_events(&inst, "InitCode", "de", &next, &next).unwrap().is_empty());

        let mut login = LoginTexts::new();
        login.insert("Login.Title".into(), "Hi".into());
        let events = login_events(&inst, "en", &LoginTexts::new(), &login).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(
            events[0].payload,
            serde_json::json!({"template": "Login", "key": "Login.Title", "language": "en", "text": "Hi"})
        );
    }
}
